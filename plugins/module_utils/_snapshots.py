# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Thin snapshot facts, retention, and cooperation with other processes' POSIX locks.

Shared by the thin_snapshot and build_root modules.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import os

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import LvmError


class LockBusy(LvmError):
    """Another process holds a lock we must not override."""

    def __init__(self, msg, path):
        super(LockBusy, self).__init__(msg)
        self.path = path

    def fail_kwargs(self):
        # Callers (the fleet playbooks) tell a running build from an error by these keys.
        kwargs = super(LockBusy, self).fail_kwargs()
        kwargs.update(build_running=True, busy_locks=[self.path])
        return kwargs


class HeldLocks(object):
    """Exclusive, non-blocking lockf locks on existing files, held until release().

    Files are opened for writing (lockf needs it) but never created, truncated,
    written or removed. A missing file cannot be held by anyone: it is skipped.
    """

    def __init__(self, paths):
        self.paths = list(paths)
        self.held = []
        self.missing = []

    def acquire(self, what='change'):
        try:
            for path in self.paths:
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
                except OSError as exc:
                    if exc.errno == errno.ENOENT:
                        self.missing.append(path)
                        continue
                    raise LvmError('Cannot open lock file %s: %s' % (path, exc))
                try:
                    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except (IOError, OSError) as exc:
                    os.close(fd)
                    if exc.errno in (errno.EACCES, errno.EAGAIN):
                        raise LockBusy('Busy: %s is locked by another process (a mock build in progress holds it); '
                                       'nothing was changed. Run again when the build has finished.' % path, path)
                    raise LvmError('Cannot lock %s: %s' % (path, exc))
                self.held.append(fd)
        except Exception:
            self.release()
            raise
        return self

    def release(self):
        while self.held:
            fd = self.held.pop()
            try:
                fcntl.lockf(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc_info):
        self.release()


def busy_lock_files(paths):
    """The files among paths that another process holds locked (probed and released at once)."""
    busy = []
    for path in paths:
        try:
            HeldLocks([path]).acquire().release()
        except LockBusy:
            busy.append(path)
    return busy


def snapshot_facts(lv):
    """What the modules return for one thin volume."""
    return {
        'name': lv.name,
        'vg': lv.vg,
        'origin': lv.origin,
        'pool': lv.pool,
        'size': lv.size,
        'creation_time': lv.creation_time,
        'data_percent': lv.data_percent,
        'active': lv.active,
        'open': lv.open,
        'activation_skip': lv.activation_skip,
    }


class Retention(object):
    """Which snapshots matching a prefix to keep, remove, or skip."""

    def __init__(self, kept, removed, skipped):
        self.kept = kept
        self.removed = removed
        self.skipped = skipped

    def as_result(self):
        return {
            'kept': [snapshot_facts(lv) for lv in self.kept],
            'removed': [snapshot_facts(lv) for lv in self.removed],
            'skipped': [snapshot_facts(lv) for lv in self.skipped],
        }


def plan_retention(volumes, prefix, keep, protected=()):
    """Keep the newest `keep` thin volumes whose name starts with prefix.

    Ordered by LVM's creation time (newest first; the name breaks ties), never
    by name alone. Volumes in `protected` and open volumes are never removed:
    protected ones count as kept, open ones are skipped.
    """
    if keep < 0:
        raise LvmError('keep %d must be 0 or more.' % keep)
    candidates = [lv for lv in volumes if lv.is_thin_volume and lv.name.startswith(prefix)]
    candidates.sort(key=lambda lv: (lv.creation_time or 0, lv.name), reverse=True)
    kept, removed, skipped = [], [], []
    for index, lv in enumerate(candidates):
        if index < keep or lv.name in protected:
            kept.append(lv)
        elif lv.open:
            skipped.append(lv)
        else:
            removed.append(lv)
    return Retention(kept, removed, skipped)
