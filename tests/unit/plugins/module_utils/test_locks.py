# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the lockf locks shared with mock, on real files in tmp_path.

Other holders are separate processes (lockf locks belong to a process: the test process can always re-lock what
it holds itself), holding shared locks as a running build does, or exclusive ones as mock's init and scrub do.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys

import pytest

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._errors import ModuleError
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import LvmError
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._locks import (
    HeldLocks,
    LockBusy,
    LockError,
    lock_holders,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._locks import lock_holder as ask_holder


# --------------------------------------------------------------------------- HeldLocks

@pytest.fixture
def lock_paths(tmp_path):
    paths = [tmp_path / '.lvm-mock.foo.lock', tmp_path / '.lvm-pool-mock.foo.lock']
    for path in paths:
        path.write_text(u'1234\n')
    return [str(path) for path in paths]


def test_held_locks_acquire_and_release(lock_paths, lock_holder):
    locks = HeldLocks(lock_paths)
    assert locks.acquire() is locks
    assert len(locks.held) == 2 and locks.missing == []
    assert all(lock_holder.locked_elsewhere(path) for path in lock_paths)
    locks.release()
    assert locks.held == []
    assert not any(lock_holder.locked_elsewhere(path) for path in lock_paths)
    # The files were only opened: content unchanged.
    assert all(open(path).read() == '1234\n' for path in lock_paths)


def test_held_locks_as_context_manager(lock_paths, lock_holder):
    with HeldLocks(lock_paths) as locks:
        assert lock_holder.locked_elsewhere(lock_paths[0])
        assert len(locks.held) == 2
    assert locks.held == []
    assert not lock_holder.locked_elsewhere(lock_paths[0])


def test_held_locks_release_on_exception_in_block(lock_paths, lock_holder):
    with pytest.raises(RuntimeError):
        with HeldLocks(lock_paths):
            raise RuntimeError('boom')
    assert not lock_holder.locked_elsewhere(lock_paths[1])


def test_held_locks_missing_file_skipped_and_not_created(tmp_path, lock_paths, lock_holder):
    missing = str(tmp_path / '.lvm-mock.never-built.lock')
    locks = HeldLocks([missing] + lock_paths)
    with locks:
        assert locks.missing == [missing]
        assert len(locks.held) == 2
        assert lock_holder.locked_elsewhere(lock_paths[1])
    assert not os.path.exists(missing)
    assert sorted(os.listdir(str(tmp_path))) == ['.lvm-mock.foo.lock', '.lvm-pool-mock.foo.lock']


def test_held_locks_nothing_to_hold():
    with HeldLocks([]) as locks:
        assert locks.held == [] and locks.missing == []


def test_held_locks_busy_lock_of_another_process(lock_paths, lock_holder, tmp_path):
    third = tmp_path / 'third.lock'
    third.write_text(u'')
    lock_holder.hold(lock_paths[1])
    locks = HeldLocks([lock_paths[0], lock_paths[1], str(third)])
    with pytest.raises(LockBusy) as err:
        locks.acquire()
    assert err.value.path == lock_paths[1]
    # A lock-busy error is a module error of its own kind, not an LVM error.
    assert isinstance(err.value, LockError) and isinstance(err.value, ModuleError)
    assert not isinstance(err.value, LvmError)
    assert err.value.fail_kwargs()['build_running'] is True
    assert err.value.fail_kwargs()['busy_locks'] == [lock_paths[1]]
    assert err.value.msg.startswith('Busy: %s is locked by another process' % lock_paths[1])
    assert 'nothing was changed' in err.value.msg
    # The lock already taken on the first file was given back; the third file was never locked.
    assert locks.held == []
    assert not lock_holder.locked_elsewhere(lock_paths[0])
    assert not lock_holder.locked_elsewhere(str(third))
    # Once the other process lets go, the same paths can be held.
    lock_holder.release(lock_paths[1])
    with HeldLocks(lock_paths) as again:
        assert len(again.held) == 2


def test_held_locks_busy_as_context_manager(lock_paths, lock_holder):
    lock_holder.hold(lock_paths[0])
    ran = []
    with pytest.raises(LockBusy) as err:
        with HeldLocks(lock_paths):
            ran.append(True)  # pragma: no cover
    assert ran == []
    assert err.value.path == lock_paths[0]
    assert not lock_holder.locked_elsewhere(lock_paths[1])


def test_held_locks_file_that_cannot_be_opened(tmp_path, lock_paths, lock_holder):
    directory = tmp_path / 'a-directory.lock'
    directory.mkdir()
    locks = HeldLocks([lock_paths[0], str(directory)])
    with pytest.raises(LockError) as err:
        locks.acquire()
    assert not isinstance(err.value, LockBusy)
    assert str(err.value).startswith('Cannot open lock file %s: ' % directory)
    assert locks.held == []
    assert not lock_holder.locked_elsewhere(lock_paths[0])


def test_held_locks_extend_takes_only_new_paths(lock_paths, lock_holder, tmp_path):
    third = tmp_path / 'buildroot.lock'
    third.write_text(u'')
    with HeldLocks(lock_paths[:1]) as locks:
        locks.extend(lock_paths + [str(third), str(tmp_path / 'missing.lock')])
        assert locks.held_paths == [lock_paths[0], lock_paths[1], str(third)]
        assert locks.missing == [str(tmp_path / 'missing.lock')]
        assert lock_holder.locked_elsewhere(str(third))
    assert not lock_holder.locked_elsewhere(str(third))


def test_held_locks_extend_releases_everything_when_busy(lock_paths, lock_holder, tmp_path):
    third = tmp_path / 'buildroot.lock'
    third.write_text(u'')
    lock_holder.hold(str(third), shared=True)
    locks = HeldLocks(lock_paths).acquire()
    with pytest.raises(LockBusy) as err:
        locks.extend([str(third)])
    assert err.value.path == str(third)
    assert locks.held == []
    assert not any(lock_holder.locked_elsewhere(path) for path in lock_paths)


# --------------------------------------------------------------------------- asking with F_GETLK

@pytest.mark.parametrize('shared', [True, False], ids=['shared', 'exclusive'])
def test_lock_holder_names_the_holding_process(lock_paths, lock_holder, shared):
    process = lock_holder.hold(lock_paths[0], shared=shared)
    assert ask_holder(lock_paths[0]) == process.pid
    assert ask_holder(lock_paths[1]) == 0


def test_lock_holder_of_a_missing_file_is_none(tmp_path):
    missing = tmp_path / '.lvm-mock.never.lock'
    assert ask_holder(str(missing)) is None
    assert not missing.exists()


def test_lock_holders(tmp_path, lock_paths, lock_holder):
    missing = str(tmp_path / '.lvm-mock.missing.lock')
    assert lock_holders(lock_paths + [missing]) == {}
    second = lock_holder.hold(lock_paths[1], shared=True)
    assert lock_holders([missing] + lock_paths) == {lock_paths[1]: second.pid}
    first = lock_holder.hold(lock_paths[0])
    assert lock_holders(lock_paths) == {lock_paths[0]: first.pid, lock_paths[1]: second.pid}
    lock_holder.release_all()
    assert lock_holders(lock_paths) == {}
    assert not os.path.exists(missing)


# A process that tries what mock --scrub=lvm does (exclusive, non-blocking lockf) a number of times, and
# prints how many attempts failed.
_SCRUB_LIKE = (
    'import fcntl, os, sys, time\n'
    'fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)\n'
    'failed = 0\n'
    'for attempt in range(int(sys.argv[2])):\n'
    '    try:\n'
    '        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n'
    '    except (IOError, OSError):\n'
    '        failed += 1\n'
    '    else:\n'
    '        fcntl.lockf(fd, fcntl.LOCK_UN)\n'
    '    time.sleep(0.001)\n'
    'print(failed)\n'
)


def test_asking_takes_nothing_a_scrub_could_see(lock_paths):
    """While lock_holders asks in a tight loop, every non-blocking exclusive lockf of another process succeeds."""
    scrub = subprocess.Popen([sys.executable, '-c', _SCRUB_LIKE, lock_paths[0], '300'], stdout=subprocess.PIPE)
    asked = 0
    while scrub.poll() is None:
        assert lock_holders(lock_paths) in ({}, {lock_paths[0]: scrub.pid})
        asked += 1
    out = scrub.communicate()[0]
    assert asked > 10
    assert int(out.strip()) == 0
