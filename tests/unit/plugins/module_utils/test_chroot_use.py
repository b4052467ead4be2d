# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of _chroot_use: mounts below a tree and processes inside it, on a /proc laid out in tmp_path (symlinks as
the kernel shows them) and on real processes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys

import pytest

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils import _chroot_use


def test_mounts_below_are_strict_and_deepest_first():
    targets = ['/', '/var/lib/mock/f-A/root', '/var/lib/mock/f-A/root/proc', '/var/lib/mock/f-A/root/dev/pts',
               '/var/lib/mock/f-A/rootfs', '/var/lib/mock/f-A/root/sys', '/var/lib/mock/f-A/root/dev/shm']
    assert _chroot_use.mounts_below('/var/lib/mock/f-A/root', targets) == [
        '/var/lib/mock/f-A/root/dev/pts', '/var/lib/mock/f-A/root/dev/shm', '/var/lib/mock/f-A/root/proc',
        '/var/lib/mock/f-A/root/sys']


@pytest.fixture
def fake_proc(tmp_path, monkeypatch):
    """A /proc with processes given as (pid, cmdline words, root, cwd, open files)."""
    proc = tmp_path / 'proc'
    proc.mkdir()
    monkeypatch.setattr(_chroot_use, 'PROC', str(proc))

    def add(pid, words, root='/', cwd='/', files=()):
        base = proc / str(pid)
        (base / 'fd').mkdir(parents=True)
        (base / 'cmdline').write_bytes(b'\0'.join(w.encode() for w in words) + (b'\0' if words else b''))
        (base / 'comm').write_text(u'kworker\n')
        os.symlink(root, str(base / 'root'))
        os.symlink(cwd, str(base / 'cwd'))
        for number, path in enumerate(files):
            os.symlink(path, str(base / 'fd' / str(number)))

    (proc / 'self').mkdir()  # not a pid: never read
    return add


def test_processes_inside_by_root_cwd_and_open_files(fake_proc):
    tree = '/var/lib/mock/f-A/root'
    fake_proc(10, ['sleep', '900'], root=tree)
    fake_proc(11, ['bash'], cwd=tree + '/builddir')
    fake_proc(12, ['tail', '-f', 'x'], files=['/dev/null', tree + '/var/log/x', 'pipe:[123]'])
    fake_proc(13, ['sshd'], cwd='/var/lib/mock/f-A/rootfs')   # a sibling whose name starts alike
    fake_proc(14, [], cwd=tree)                                 # a kernel thread shows its name
    found = _chroot_use.processes_inside([tree, '/elsewhere'])
    assert found['/elsewhere'] == []
    assert found[tree] == [{'pid': 10, 'command': 'sleep 900', 'uses': ['root']},
                           {'pid': 11, 'command': 'bash', 'uses': ['cwd']},
                           {'pid': 12, 'command': 'tail -f x', 'uses': ['fd']},
                           {'pid': 14, 'command': '[kworker]', 'uses': ['cwd']}]
    assert _chroot_use.describe(found[tree][:2]) == '10 (sleep 900), 11 (bash)'


def test_no_tree_reads_nothing(fake_proc, monkeypatch):
    monkeypatch.setattr(_chroot_use.os, 'listdir', lambda path: pytest.fail('read %s' % path))
    assert _chroot_use.processes_inside([]) == {}


def test_a_real_process_is_found_and_killed_as_orphansKill_does(tmp_path):
    tree = str(tmp_path / 'root')
    os.mkdir(tree)
    child = subprocess.Popen([sys.executable, '-c', 'import signal, time; signal.signal(signal.SIGTERM, '
                              'signal.SIG_IGN); print("ready", flush=True); time.sleep(120)'],
                             cwd=tree, stdout=subprocess.PIPE)
    try:
        assert child.stdout.readline().strip() == b'ready'
        found = _chroot_use.processes_inside([tree])[tree]
        assert [(p['pid'], p['uses']) for p in found] == [(child.pid, ['cwd'])]
        lines = []
        old = (_chroot_use.TERM_WAIT, _chroot_use.KILL_WAIT)
        _chroot_use.TERM_WAIT = 0.5
        try:
            _chroot_use.kill([child.pid], lines.append)
        finally:
            _chroot_use.TERM_WAIT, _chroot_use.KILL_WAIT = old
        # It ignored SIGTERM: SIGKILL followed.
        assert lines == [['kill', '-TERM', str(child.pid)], ['kill', '-KILL', str(child.pid)]]
        assert child.wait(timeout=10) == -9
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
