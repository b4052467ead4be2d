# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""build_root refresh=true (renewing postinit) and the freshness facts of build_root and build_root_info.

Fed by the captured mock_family report (see test_build_root.py): foo's postinit was made at 1795631202,
its update snapshots at 1795631204 and 1795631206 (2026-11-25).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys
import time

import pytest

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils import _locks
from ansible_collections.buildfleet.mock_lvm.plugins.modules import build_root, build_root_info

POSTINIT_TIME = 1795631202
NEW = 'mock.foo.postinit_updated_2026-02-01_10-00'
FOO = ['+mock.foo-bootstrap.head', '+mock.foo.ABC', '+mock.foo.head', 'mock.foo-bootstrap.postinit',
       'mock.foo.postinit', 'mock.foo.postinit_updated_2026-01-01_10-00', NEW]
INIT = ['mock', '-r', 'foo', '--init']
AFTER_INIT = dict(base='pool_only', source='mock_family', add=[
    ('+mock.foo.head', '+mock.foo.head', {}), ('mock.foo.postinit', 'mock.foo.postinit', {'lv_time': '1900000000'}),
    ('+mock.foo-bootstrap.head', '+mock.foo-bootstrap.head', {}),
    ('mock.foo-bootstrap.postinit', 'mock.foo-bootstrap.postinit', {})])
YOUNG, OLD = 100000.0, 0.001  # max_age_days: the fixture's snapshots are younger / older


def _touch(path, when):
    os.utime(str(path), (when, when))


@pytest.fixture
def renew(fake_lvm, run_module, lvm_reports, foo_basedir):
    """Run build_root state=initialized refresh=true with the reads a renewal makes: the family, the family again
    under the locks, the empty pool after lvremove, and what mock --init made."""

    def _run(args, reads=('mock_family', 'mock_family', 'pool_only', AFTER_INIT), check_mode=False, diff=False,
             lvs=None):
        fake_lvm.set(lvs=lvs or [lvm_reports.resolve(spec) for spec in reads], mock=(0, '', ''))
        fake_lvm.ok('lvremove', 'umount')
        params = dict(root='foo', vg='fixture', pool='mockpool', basedir=str(foo_basedir), state='initialized',
                      refresh=True)
        params.update(args)
        return run_module(build_root, params, check_mode=check_mode, diff=diff)

    return _run


def lvremove(*names):
    """One lvremove per volume, in name order, as build_root removes a family."""
    return [['lvremove', '-y', '-f', 'fixture/' + name] for name in sorted(names)]


def test_aged_postinit_is_renewed(renew):
    res = renew(dict(max_age_days=OLD), diff=True)
    assert not res.failed, res
    assert res.changed is True and res.result['refreshed'] is True
    # The whole family under the locks, one lvremove per volume, then mock makes a new postinit.
    assert res.tools == ['lvs', 'lvs'] + ['lvremove'] * len(FOO) + ['lvs', 'mock', 'lvs']
    assert res.mutating == lvremove(*FOO) + [INIT]
    assert res.result['removed'] == sorted(FOO)
    assert len(res.result['refresh_reasons']) == 1
    assert res.result['refresh_reasons'][0].startswith('the newest snapshot builds start from, mock.foo.postinit, is ')
    assert res.result['freshness']['postinit_created'] == 1900000000
    assert res.result['diff']['before'] == {'volumes': sorted(FOO)}


def test_young_postinit_and_unchanged_config_is_one_read(renew, foo_config):
    _touch(foo_config, POSTINIT_TIME - 60)
    res = renew(dict(max_age_days=YOUNG, config_file=str(foo_config)), reads=['mock_family'])
    assert not res.failed, res
    assert res.changed is False and res.result['refreshed'] is False
    assert res.tools == ['lvs']
    assert res.result['refresh_reasons'] == []
    assert res.result['freshness']['config_newer'] is False


def test_config_newer_than_postinit_is_renewed(renew, foo_config):
    _touch(foo_config, POSTINIT_TIME + 60)
    res = renew(dict(config_file=str(foo_config)))
    assert not res.failed, res
    assert res.mutating == lvremove(*FOO) + [INIT]
    assert res.result['refresh_reasons'] == ['config file %s changed after postinit was made' % foo_config]
    # After the renewal the new postinit is newer than the config.
    assert res.result['freshness']['config_newer'] is False


def test_state_present_renews_too_and_leaves_a_family_without_postinit(renew):
    res = renew(dict(state='present', max_age_days=OLD))
    assert res.mutating == lvremove(*FOO) + [INIT]
    res = renew(dict(state='present', max_age_days=OLD), reads=['pool_only'])
    assert not res.failed and res.changed is False and res.tools == ['lvs'], res


def test_check_mode_lists_the_removal_and_mock(renew, foo_basedir, foo_lock_files):
    res = renew(dict(max_age_days=OLD), reads=['mock_family'], check_mode=True)
    assert not res.failed, res
    assert res.changed is True
    assert res.tools == ['lvs']
    assert res.result['commands'][1:] == lvremove(*FOO) + [INIT]
    assert sorted(os.listdir(str(foo_basedir))) == sorted(foo_lock_files)


def test_update_snapshot_named_current_counts_as_the_start(renew, foo_basedir):
    (foo_basedir / '.snapinfo-mock.foo.head').write_text(u'%s\n' % NEW)
    res = renew(dict(max_age_days=YOUNG), reads=['mock_family'])
    fresh = res.result['freshness']
    assert fresh['start_snapshot'] == NEW and fresh['newest_update'] == NEW
    assert fresh['newest_update_created'] == 1795631206


def test_busy_family_is_skipped_as_a_running_build(renew, foo_basedir, lock_holder):
    lock_holder.hold(str(foo_basedir / '.lvm-mock.foo.lock'))
    res = renew(dict(max_age_days=OLD), reads=['mock_family'])
    assert res.failed and res.result['build_running'] is True
    assert res.msg.startswith('Build in progress: %s' % (foo_basedir / '.lvm-mock.foo.lock'))
    assert res.mutating == []


def test_a_process_waiting_for_the_init_lock_stops_the_removal(renew, lvm_reports, foo_basedir):
    """A build that read postinit and then blocked on the shared init lock must find postinit when it gets it."""
    lock = str(foo_basedir / '.lvm-mock.foo.lock')
    waiter = []

    def under_the_locks(argv):
        # We hold the init lock now: a second process asks for it shared and blocks, as mock's
        # hook_mount_root does (lvm_root.py lines 307-308).
        waiter.append(subprocess.Popen([sys.executable, '-c', (
            'import fcntl, sys; f = open(sys.argv[1], "a+"); fcntl.lockf(f.fileno(), fcntl.LOCK_SH)'), lock]))
        deadline = time.time() + 5
        while not _locks.lock_waiters([lock]) and time.time() < deadline:
            time.sleep(0.05)
        return lvm_reports.resolve('mock_family')

    try:
        res = renew(dict(max_age_days=OLD), lvs=[lvm_reports.resolve('mock_family'), under_the_locks])
    finally:
        for process in waiter:
            process.wait()
    assert res.failed, res
    assert res.msg.startswith('Build starting: process %d waits for %s' % (waiter[0].pid, lock))
    assert res.result['build_running'] is True
    assert res.mutating == []


def test_lock_waiters_reads_proc_locks_lines(tmp_path):
    path = tmp_path / 'lock'
    path.write_text(u'')
    st = os.stat(str(path))
    ident = '%02x:%02x:%d' % (os.major(st.st_dev), os.minor(st.st_dev), st.st_ino)
    proc = tmp_path / 'locks'
    proc.write_text(u'1: POSIX  ADVISORY  WRITE 100 %s 0 EOF\n1: -> POSIX  ADVISORY  READ  200 %s 0 EOF\n'
                    u'2: POSIX  ADVISORY  WRITE 300 00:00:1 0 EOF\n' % (ident, ident))
    assert _locks.lock_waiters([str(path)], str(proc)) == {str(path): [200]}


@pytest.mark.parametrize('args, error', [
    (dict(max_age_days=0), 'max_age_days 0 must be above 0'),
    (dict(state='absent', max_age_days=1), 'state=absent removes the family: set state=initialized or present'),
    (dict(), 'refresh needs a reason to renew: set max_age_days, config_file or both.'),
    (dict(config_file='/nonexistent/foo.cfg'), 'Cannot read the modification time of config_file /nonexistent/foo.cfg'),
])
def test_bad_refresh_input_is_refused(renew, args, error):
    res = renew(args, reads=['mock_family'])
    assert res.failed and error in res.msg, res
    assert res.mutating == []


def test_info_module_reports_freshness(fake_lvm, run_module, lvm_reports, foo_basedir, foo_config):
    _touch(foo_config, POSTINIT_TIME + 1)
    fake_lvm.set(lvs=[lvm_reports.resolve('mock_family')])
    res = run_module(build_root_info, dict(root='foo', vg='fixture', pool='mockpool', basedir=str(foo_basedir),
                                           config_file=str(foo_config)))
    assert not res.failed, res
    fresh = res.result['freshness']
    assert fresh['postinit_created'] == POSTINIT_TIME and fresh['config_newer'] is True
    assert fresh['config_modified'] == POSTINIT_TIME + 1
    assert fresh['start_snapshot'] == 'mock.foo.postinit'
    assert abs(fresh['postinit_age_days'] - (time.time() - POSTINIT_TIME) / 86400.0) < 0.01
    assert res.tools == ['lvs']


def test_missing_config_file_of_a_family_without_postinit_is_no_error(renew):
    res = renew(dict(state='present', config_file='/nonexistent/foo.cfg'), reads=['pool_only'])
    assert not res.failed and res.changed is False, res
    assert res.result['freshness']['config_newer'] is None
