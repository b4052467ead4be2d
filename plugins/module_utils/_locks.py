# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cooperation with other processes' POSIX (lockf/fcntl) locks, as mock takes them.

Two ways in: ``lock_holders`` only asks (``fcntl(F_GETLK)`` takes nothing, so a
``mock --scrub=lvm`` that starts meanwhile never sees a lock of ours), and
``HeldLocks`` takes exclusive, non-blocking locks for the time of a change.
Files are never created, truncated, written or removed here. Knows nothing of
mock's file names: callers pass paths.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import os
import struct

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._errors import ModuleError

# struct flock on Linux: short l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid.
_FLOCK = 'hhqqi'


class LockError(ModuleError):
    """A lock file that cannot be opened, asked about or locked."""


class LockBusy(LockError):
    """Another process holds a lock we must not override."""

    def __init__(self, msg, path):
        # Callers (the fleet playbooks) tell a running build from an error by these keys.
        super(LockBusy, self).__init__(msg, build_running=True, busy_locks=[path])
        self.path = path


def lock_holder(path):
    """The pid of a process that holds any lock on the whole of path, 0 when none, None when path is missing.

    Asks with F_GETLK for an exclusive lock over the whole file: the kernel
    answers with a conflicting lock (shared or exclusive) and its owner, or
    F_UNLCK. Nothing is acquired. Call it only for files this process holds no
    lock on: closing any descriptor of a file drops this process's locks on it.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise LockError('Cannot open lock file %s: %s' % (path, exc))
    try:
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0))
    except (IOError, OSError) as exc:
        raise LockError('Cannot ask for the locks on %s: %s' % (path, exc))
    finally:
        os.close(fd)
    lock_type, whence, start, length, pid = struct.unpack(_FLOCK, answer)
    return 0 if lock_type == fcntl.F_UNLCK else (pid or -1)


def lock_holders(paths):
    """{path: pid} of the paths another process holds a lock on; missing files are held by nobody."""
    holders = {}
    for path in paths:
        pid = lock_holder(path)
        if pid:
            holders[path] = pid
    return holders


class HeldLocks(object):
    """Exclusive, non-blocking lockf locks on existing files, in the given order, held until release().

    Files are opened for writing (lockf needs it) but never created, truncated,
    written or removed. A missing file cannot be held by anyone: it is skipped.
    """

    def __init__(self, paths):
        self.paths = list(paths)
        self.held = []
        self.held_paths = []
        self.missing = []

    def acquire(self):
        return self.extend(self.paths)

    def extend(self, paths):
        """Take the locks of paths not held yet, keeping those already held; release all on any failure."""
        try:
            for path in paths:
                if path not in self.held_paths and path not in self.missing:
                    self._take(path)
        except Exception:
            self.release()
            raise
        return self

    def _take(self, path):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                self.missing.append(path)
                return
            raise LockError('Cannot open lock file %s: %s' % (path, exc))
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (IOError, OSError) as exc:
            os.close(fd)
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                raise LockBusy('Busy: %s is locked by another process (a mock build in progress holds it); '
                               'nothing was changed. Run again when the build has finished.' % path, path)
            raise LockError('Cannot lock %s: %s' % (path, exc))
        self.held.append(fd)
        self.held_paths.append(path)

    def release(self):
        while self.held:
            fd = self.held.pop()
            self.held_paths.pop()
            try:
                fcntl.lockf(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc_info):
        self.release()


PROC_LOCKS = '/proc/locks'


def _file_id(path):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (os.major(st.st_dev), os.minor(st.st_dev), st.st_ino)


def lock_waiters(paths, proc_locks=PROC_LOCKS):
    """{path: [pid, ...]} of processes blocked in a lock request on each of paths (the kernel's '->' lines of
    /proc/locks: 'N: -> POSIX ADVISORY READ PID MAJ:MIN:INODE START END', device numbers in hex).

    A process that waits for a lock we hold is about to act on what it read before we took it."""
    ids = dict((_file_id(path), path) for path in paths)
    ids.pop(None, None)
    waiters = {}
    try:
        with open(proc_locks) as handle:
            lines = handle.readlines()
    except (IOError, OSError) as exc:
        raise LockError('Cannot read %s to see who waits for a lock: %s' % (proc_locks, exc))
    for line in lines:
        fields = line.split()
        if len(fields) < 7 or fields[1] != '->':
            continue
        try:
            major, minor, inode = fields[6].split(':')
            key = (int(major, 16), int(minor, 16), int(inode))
            pid = int(fields[5])
        except ValueError:
            continue
        if key in ids:
            waiters.setdefault(ids[key], []).append(pid)
    return waiters
