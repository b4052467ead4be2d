# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What uses a directory tree on this host: the mounts below it and the processes inside it, read from /proc.

The one place that reads ``/proc/self/mounts`` for nested mounts and ``/proc/<pid>/root``, ``cwd`` and ``fd/*``
for processes. Knows paths, not mock: callers pass the trees (a chroot's mount point).

mock's own ``util.orphansKill`` finds leftover processes by ``/proc/<pid>/root`` only, and sends SIGTERM, then
SIGKILL (mock 6.7, ``mockbuild/util.py`` ``orphansKill``). Here a process also counts when its working directory
or an open file is inside the tree: either keeps the file system busy, so ``umount`` and ``lvremove`` would fail.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import signal
import time

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._errors import ModuleError

PROC = '/proc'
MOUNTS_FILE = '/proc/self/mounts'
# How long killed processes get to exit after SIGTERM, and after SIGKILL, in seconds.
TERM_WAIT = 5.0
KILL_WAIT = 5.0


class KillError(ModuleError):
    """Processes that did not exit after SIGTERM and SIGKILL."""


def _inside(path, tree):
    tree = tree.rstrip('/') or '/'
    return path == tree or path.startswith(tree + '/')


def mount_targets(mounts_file=None):
    """Every mount point of the host, as /proc/self/mounts lists them (spaces unescaped)."""
    with open(mounts_file or MOUNTS_FILE) as handle:
        return [line.split()[1].replace('\\040', ' ') for line in handle if len(line.split()) >= 2]


def mounts_below(tree, targets):
    """The mount points strictly below tree, deepest first (the order they must be unmounted in)."""
    found = set(target for target in targets if target != tree.rstrip('/') and _inside(target, tree))
    return sorted(found, key=lambda target: (-target.count('/'), target))


def _link(path):
    try:
        return os.readlink(path)
    except OSError:
        return None


def _command(pid):
    """A process's command line, arguments joined by spaces; its name in brackets when it has none."""
    try:
        with open(os.path.join(PROC, pid, 'cmdline'), 'rb') as handle:
            words = [w.decode('utf-8', 'replace') for w in handle.read().split(b'\0') if w]
        if words:
            return ' '.join(words)
        with open(os.path.join(PROC, pid, 'comm'), 'rb') as handle:
            return '[%s]' % handle.read().decode('utf-8', 'replace').strip()
    except (IOError, OSError):
        return '?'


def _uses(pid):
    """(how, path) pairs of a process: its root, its cwd and each open file."""
    base = os.path.join(PROC, pid)
    pairs = [('root', _link(os.path.join(base, 'root'))), ('cwd', _link(os.path.join(base, 'cwd')))]
    try:
        fds = os.listdir(os.path.join(base, 'fd'))
    except OSError:
        fds = []
    pairs += [('fd', _link(os.path.join(base, 'fd', fd))) for fd in fds]
    return [(how, path) for how, path in pairs if path and path.startswith('/')]


def processes_inside(trees):
    """{tree: [{pid, command, uses}]} of the processes whose root, cwd or an open file is inside a tree.

    One pass over /proc. A process whose root is '/' and that has nothing open inside does not count; this
    process never counts. Processes that exit meanwhile are left out.
    """
    trees = [t for t in trees if t]
    found = dict((tree, []) for tree in trees)
    if not trees:
        return found
    me = str(os.getpid())
    try:
        pids = sorted((name for name in os.listdir(PROC) if name.isdigit()), key=int)
    except OSError:
        return found
    for pid in pids:
        if pid == me:
            continue
        uses = _uses(pid)
        for tree in trees:
            how = sorted(set(kind for kind, path in uses if _inside(path, tree)))
            if how:
                found[tree].append({'pid': int(pid), 'command': _command(pid), 'uses': how})
    return found


def describe(processes):
    """'4711 (sleep 900), 4712 (sh)' for messages."""
    return ', '.join('%d (%s)' % (p['pid'], p['command']) for p in processes)


def _alive(pids):
    alive = []
    for pid in pids:
        try:
            os.kill(pid, 0)
        except OSError as exc:
            if exc.errno == errno.EPERM:
                alive.append(pid)
            continue
        # A zombie has exited: it holds no mount busy.
        try:
            with open(os.path.join(PROC, str(pid), 'stat')) as handle:
                if handle.read().rsplit(')', 1)[-1].split()[0] == 'Z':
                    continue
        except (IOError, OSError, IndexError):
            continue
        alive.append(pid)
    return alive


def _signal_and_wait(pids, sig, wait):
    for pid in pids:
        try:
            os.kill(pid, sig)
        except OSError:
            pass
    deadline = time.time() + wait
    alive = _alive(pids)
    while alive and time.time() < deadline:
        time.sleep(0.1)
        alive = _alive(alive)
    return alive


def kill(pids, record=None):
    """SIGTERM, then SIGKILL to whatever is left, as mock's orphansKill does; raise KillError for survivors.

    record(line) is told each signal sent, as a command line ('kill -TERM 4711').
    """
    pids = list(pids)
    for sig, name, wait in ((signal.SIGTERM, 'TERM', TERM_WAIT), (signal.SIGKILL, 'KILL', KILL_WAIT)):
        if not pids:
            return
        if record:
            record(kill_line(name, pids))
        pids = _signal_and_wait(pids, sig, wait)
    if pids:
        raise KillError('Processes %s did not exit after SIGTERM and SIGKILL.' % ', '.join(str(p) for p in pids),
                        pids=pids)


def kill_line(signal_name, pids):
    return ['kill', '-' + signal_name] + [str(pid) for pid in pids]


class KillProcesses(object):
    """A plan step: end the processes inside a tree (SIGTERM, then SIGKILL), before it is unmounted."""

    def __init__(self, tree, processes):
        self.tree = tree
        self.processes = list(processes)
        self.line = kill_line('TERM', [p['pid'] for p in self.processes])

    def describe(self):
        return 'kill %s (inside %s)' % (describe(self.processes), self.tree)

    def run(self, module, lvm):
        kill([p['pid'] for p in self.processes], lvm.commands.append)
