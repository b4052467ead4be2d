# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Table-driven tests of buildfleet.mock_lvm.build_root, fed by lvs reports captured from lvm2 2.03.16.

mock_family (see tests/unit/fixtures/capture_lvm_reports.sh): in VG "fixture", pool "mockpool", the roots foo,
foo.bar and foo-bar each have +mock.R.head, +mock.R.ABC (of mock.R.postinit), mock.R.postinit,
mock.R.postinit_updated_2026-01-01_10-00 and ..._2026-02-01_10-00 (one second apart), and foo-bootstrap has
+mock.foo-bootstrap.head and mock.foo-bootstrap.postinit; working volumes are active, snapshots carry the
activation-skip flag. basedir is tmp_path: each case writes its lock and .snapinfo files there.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys
import time

import pytest

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils import _build_root
from ansible_collections.buildfleet.mock_lvm.plugins.modules import build_root

MIB = 1024 ** 2
OPEN = 'Vwi-aot---'
UPDATES = 'mock.foo.postinit_updated_'
OLD, NEW = UPDATES + '2026-01-01_10-00', UPDATES + '2026-02-01_10-00'
BOOTSTRAP = ['+mock.foo-bootstrap.head', 'mock.foo-bootstrap.postinit']
FOO = ['+mock.foo-bootstrap.head', '+mock.foo.ABC', '+mock.foo.head', 'mock.foo-bootstrap.postinit',
       'mock.foo.postinit', OLD, NEW]  # report order
FOO_DOT_BAR = ['+mock.foo.bar.ABC', '+mock.foo.bar.head', 'mock.foo.bar.postinit',
               'mock.foo.bar.postinit_updated_2026-01-01_10-00', 'mock.foo.bar.postinit_updated_2026-02-01_10-00']
FOO_DASH_BAR = ['+mock.foo-bar.ABC', '+mock.foo-bar.head', 'mock.foo-bar.postinit',
                'mock.foo-bar.postinit_updated_2026-01-01_10-00', 'mock.foo-bar.postinit_updated_2026-02-01_10-00']
ALMA = 'alma+epel-9-x86_64'

LOCKS = ['.lvm-mock.foo.lock', '.lvm-pool-mock.foo.lock', '.lvm-mock.foo-bootstrap.lock',
         '.lvm-pool-mock.foo-bootstrap.lock']
OTHER_LOCKS = ['.lvm-mock.foo.bar.lock', '.lvm-pool-mock.foo.bar.lock', '.lvm-mock.foo-bar.lock']
SNAPINFO = {'.snapinfo-mock.foo.head': 'mock.foo.postinit\n', '.snapinfo-mock.foo.ABC': 'mock.foo.postinit\n',
            '.snapinfo-mock.foo-bootstrap.head': 'mock.foo-bootstrap.postinit\n'}
OTHER_SNAPINFO = {'.snapinfo-mock.foo.bar.head': 'mock.foo.bar.postinit\n',
                  '.snapinfo-mock.foo-bar.head': 'mock.foo-bar.postinit\n'}
ALL_FILES = dict([(name, '') for name in LOCKS + OTHER_LOCKS] + list(SNAPINFO.items()) + list(OTHER_SNAPINFO.items()))

FAMILY_WITHOUT_FOO_DOT_BAR_POSTINIT = dict(base='mock_family', drop=('mock.foo.bar.postinit',))
FOO_DOT_BAR_BOOTSTRAP_HEAD = dict(base='mock_family', add=[('+mock.foo.bar.head', '+mock.foo.bar-bootstrap.head',
                                                            {})])
INIT_ROWS = [('+mock.foo.head', '+mock.foo.head', {}), ('mock.foo.postinit', 'mock.foo.postinit', {}),
             ('+mock.foo-bootstrap.head', '+mock.foo-bootstrap.head', {}),
             ('mock.foo-bootstrap.postinit', 'mock.foo-bootstrap.postinit', {})]
INITIALIZED = dict(base='pool_only', source='mock_family', add=INIT_ROWS)
HEAD_ONLY = dict(base='pool_only', source='mock_family', add=INIT_ROWS[:1])


def lvremove(name):
    return ['lvremove', '-y', '-f', 'fixture/' + name]


def each(*names):
    """One lvremove per volume, in order: a failure leaves no doubt which volumes went."""
    return [lvremove(name) for name in names]


# Each case:
#   id, fixture (the first lvs read: a report name or spec as for LvmReports.resolve), args (added to root=foo
#   vg=fixture pool=mockpool basedir=tmp_path), files ({name: text} written to basedir), and either
#     error: substrings of the failure message; reads: tools run before failing (default ['lvs'])
#   or
#     after_init: the lvs read after `mock --init` (state initialized when the postinit snapshot is missing);
#     changed; commands: the commands that change something, in order (mock included); volumes: the family's
#     volume names afterwards (sorted); removed; removed_files; skipped; warnings; current: volumes a .snapinfo
#     file names; before: the family before (default volumes + removed).
# A change is done under mock's locks after a second read, then read once more: that last read is the one
# before it, less the removed volumes.
CASES = [
    # ---- report: exactly the family of the root
    dict(id='report-foo', fixture='mock_family', changed=False, commands=[], volumes=FOO),
    dict(id='report-foo-with-every-lock-and-snapinfo', fixture='mock_family', files=ALL_FILES, changed=False,
         commands=[], volumes=FOO, current=['mock.foo-bootstrap.postinit', 'mock.foo.postinit']),
    dict(id='report-foo-dotted-root-known-from-lock-file', fixture=FAMILY_WITHOUT_FOO_DOT_BAR_POSTINIT,
         files={'.lvm-mock.foo.bar.lock': ''}, changed=False, commands=[], volumes=FOO),
    dict(id='report-foo-dotted-root-known-from-other_roots', fixture=FAMILY_WITHOUT_FOO_DOT_BAR_POSTINIT,
         args=dict(other_roots=['foo.bar']), changed=False, commands=[], volumes=FOO),
    # Without any trace of foo.bar on the host, its volumes look like foo's, as they do to mock.
    dict(id='report-foo-dotted-root-unknown', fixture=FAMILY_WITHOUT_FOO_DOT_BAR_POSTINIT, changed=False,
         commands=[], volumes=sorted(FOO + [n for n in FOO_DOT_BAR if n != 'mock.foo.bar.postinit'])),
    dict(id='report-foo-other-roots-bootstrap-known-from-other_roots', fixture=FOO_DOT_BAR_BOOTSTRAP_HEAD,
         args=dict(other_roots=['foo.bar']), changed=False, commands=[], volumes=FOO),
    dict(id='report-foo-other-roots-bootstrap-known-from-lock-file', fixture=FOO_DOT_BAR_BOOTSTRAP_HEAD,
         files={'.lvm-mock.foo.bar.lock': ''}, changed=False, commands=[], volumes=FOO),
    dict(id='report-foo-only-in-its-pool',
         fixture=dict(base='mock_family', add=[('+mock.foo.head', '+mock.foo.XYZ', {'pool_lv': 'otherpool'}),
                                               ('linear', 'mock.foo.linear', {})]),
         changed=False, commands=[], volumes=FOO),
    dict(id='report-foo.bar', fixture='mock_family', args=dict(root='foo.bar'), files=ALL_FILES, changed=False,
         commands=[], volumes=FOO_DOT_BAR, current=['mock.foo.bar.postinit']),
    dict(id='report-foo-bar', fixture='mock_family', args=dict(root='foo-bar'), files=ALL_FILES, changed=False,
         commands=[], volumes=FOO_DASH_BAR, current=['mock.foo-bar.postinit']),
    dict(id='report-bootstrap-as-root', fixture='mock_family', args=dict(root='foo-bootstrap'), changed=False,
         commands=[], volumes=BOOTSTRAP),
    dict(id='report-empty-pool', fixture='pool_only', changed=False, commands=[], volumes=[]),
    dict(id='report-root-with-plus', args=dict(root=ALMA),
         fixture=dict(base='pool_only', source='mock_family', add=[
             ('+mock.foo.head', '+mock.%s.head' % ALMA, {}), ('mock.foo.postinit', 'mock.%s.postinit' % ALMA, {}),
             ('+mock.foo.ABC', '+mock.almaepel-9-x86_64.head', {})]),
         changed=False, commands=[], volumes=['+mock.%s.head' % ALMA, 'mock.%s.postinit' % ALMA]),

    # ---- keep_updates
    dict(id='keep-1-removes-the-older-update-of-foo-only', fixture='mock_family', args=dict(keep_updates=1),
         files=ALL_FILES, changed=True, commands=each(OLD), removed=[OLD],
         volumes=[n for n in FOO if n != OLD], current=['mock.foo-bootstrap.postinit', 'mock.foo.postinit']),
    dict(id='keep-1-by-creation-time-not-name',
         fixture=('mock_family', {OLD: {'lv_time': '1795631206'}, NEW: {'lv_time': '1795631204'}}),
         args=dict(keep_updates=1), changed=True, commands=each(NEW), removed=[NEW],
         volumes=[n for n in FOO if n != NEW]),
    dict(id='keep-0', fixture='mock_family', args=dict(keep_updates=0), changed=True, commands=each(NEW, OLD),
         removed=[NEW, OLD], volumes=FOO[:5]),
    dict(id='keep-2-noop', fixture='mock_family', args=dict(keep_updates=2), changed=False, commands=[],
         volumes=FOO),
    dict(id='keep-1-of-foo.bar', fixture='mock_family', args=dict(root='foo.bar', keep_updates=1), changed=True,
         commands=each('mock.foo.bar.postinit_updated_2026-01-01_10-00'),
         removed=['mock.foo.bar.postinit_updated_2026-01-01_10-00'], volumes=FOO_DOT_BAR[:3] + FOO_DOT_BAR[4:]),
    dict(id='keep-1-protects-the-current-snapshot', fixture='mock_family', args=dict(keep_updates=1),
         files={'.snapinfo-mock.foo.head': OLD + '\n'}, changed=False, commands=[], volumes=FOO, current=[OLD]),
    dict(id='keep-0-protects-the-current-snapshot', fixture='mock_family', args=dict(keep_updates=0),
         files={'.snapinfo-mock.foo.ABC': OLD}, changed=True, commands=each(NEW), removed=[NEW],
         volumes=[n for n in FOO if n != NEW], current=[OLD]),
    # The shared rule (_snapshots.plan_retention, also thin_snapshot state=pruned): the origin of a working volume
    # (a --uniqueext started from OLD) stays, as does what a .snapinfo file names.
    dict(id='keep-0-keeps-the-origin-of-a-working-volume',
         fixture=dict(base='mock_family', add=[('+mock.foo.ABC', '+mock.foo.XYZ', {'origin': OLD})]),
         args=dict(keep_updates=0), changed=True, commands=each(NEW), removed=[NEW],
         volumes=sorted([n for n in FOO if n != NEW] + ['+mock.foo.XYZ'])),
    dict(id='keep-0-with-bootstrap-updates',
         fixture=dict(base='mock_family', add=[
             ('mock.foo-bootstrap.postinit', 'mock.foo-bootstrap.postinit_updated_2026-01-01_10-00',
              {'lv_time': '1795631230'})]),
         args=dict(keep_updates=0), changed=True,
         commands=each(NEW, OLD, 'mock.foo-bootstrap.postinit_updated_2026-01-01_10-00'),
         removed=[NEW, OLD, 'mock.foo-bootstrap.postinit_updated_2026-01-01_10-00'], volumes=FOO[:5]),
    dict(id='keep-1-open-update-is-skipped', fixture=('mock_family', {OLD: {'lv_attr': OPEN}}),
         args=dict(keep_updates=1), changed=False, commands=[], volumes=FOO, skipped=[OLD],
         warnings=['Kept update snapshot %s beyond keep_updates=1: it is open or mounted.' % OLD]),

    # ---- absent
    dict(id='absent-foo', fixture='mock_family', args=dict(state='absent'), files=ALL_FILES, changed=True,
         commands=each(*FOO), removed=FOO, volumes=[], removed_files=sorted(SNAPINFO)),
    dict(id='absent-foo-without-files', fixture='mock_family', args=dict(state='absent'), changed=True,
         commands=each(*FOO), removed=FOO, volumes=[]),
    dict(id='absent-foo.bar', fixture='mock_family', args=dict(state='absent', root='foo.bar'), files=ALL_FILES,
         changed=True, commands=each(*FOO_DOT_BAR), removed=FOO_DOT_BAR, volumes=[],
         removed_files=['.snapinfo-mock.foo.bar.head']),
    dict(id='absent-foo-bar', fixture='mock_family', args=dict(state='absent', root='foo-bar'), files=ALL_FILES,
         changed=True, commands=each(*FOO_DASH_BAR), removed=FOO_DASH_BAR, volumes=[],
         removed_files=['.snapinfo-mock.foo-bar.head']),
    dict(id='absent-only-bookkeeping-left', fixture='pool_only', args=dict(state='absent'), files=ALL_FILES,
         changed=True, commands=[], volumes=[], removed_files=sorted(SNAPINFO)),
    dict(id='absent-nothing-left', fixture='pool_only', args=dict(state='absent'),
         files=dict((name, '') for name in LOCKS), changed=False, commands=[], volumes=[]),
    dict(id='absent-pool-missing', fixture='mock_family', args=dict(state='absent', pool='nopool'), changed=False,
         commands=[], volumes=[]),

    # ---- initialized
    dict(id='initialized-noop', fixture='mock_family', args=dict(state='initialized'), changed=False, commands=[],
         volumes=FOO),
    dict(id='initialized-runs-mock', fixture='pool_only', after_init=INITIALIZED, args=dict(state='initialized'),
         changed=True, commands=[['mock', '-r', 'foo', '--init']], before=[],
         volumes=['+mock.foo-bootstrap.head', '+mock.foo.head', 'mock.foo-bootstrap.postinit',
                  'mock.foo.postinit']),
    dict(id='initialized-runs-mock-with-config', fixture='pool_only', after_init=INITIALIZED,
         args=dict(state='initialized', config='foo-custom'), changed=True,
         commands=[['mock', '-r', 'foo-custom', '--init']], before=[],
         volumes=['+mock.foo-bootstrap.head', '+mock.foo.head', 'mock.foo-bootstrap.postinit',
                  'mock.foo.postinit']),
    dict(id='initialized-runs-mock-command', fixture='pool_only', after_init=INITIALIZED,
         args=dict(state='initialized', mock_command=['sudo', '-u', 'builder', 'mock']), changed=True,
         commands=[['sudo', '-u', 'builder', 'mock', '-r', 'foo', '--init']], before=[],
         volumes=['+mock.foo-bootstrap.head', '+mock.foo.head', 'mock.foo-bootstrap.postinit',
                  'mock.foo.postinit']),
    dict(id='initialized-head-without-postinit', fixture=HEAD_ONLY, after_init=INITIALIZED,
         args=dict(state='initialized'), changed=True, commands=[['mock', '-r', 'foo', '--init']],
         before=['+mock.foo.head'],
         volumes=['+mock.foo-bootstrap.head', '+mock.foo.head', 'mock.foo-bootstrap.postinit',
                  'mock.foo.postinit']),
    dict(id='initialized-other-roots-postinit-does-not-count',
         fixture=dict(base='mock_family', drop=('mock.foo.postinit',)),
         after_init='mock_family', args=dict(state='initialized'), changed=True,
         commands=[['mock', '-r', 'foo', '--init']], before=[n for n in FOO if n != 'mock.foo.postinit'],
         volumes=FOO),

    # ---- errors
    dict(id='pool-missing', fixture='mock_family', args=dict(pool='nopool'),
         error=['Thin pool fixture/nopool does not exist: create it first (buildfleet.mock_lvm.thinpool) so that '
                'mock does not create an unmanaged one.']),
    dict(id='pool-missing-initialized', fixture='pool_only', args=dict(state='initialized', pool='nopool'),
         error=['Thin pool fixture/nopool does not exist']),
    dict(id='pool-missing-in-empty-vg', fixture='empty_vg', args=dict(state='initialized'),
         error=['Thin pool fixture/mockpool does not exist']),
    dict(id='pool-is-linear', fixture='mock_family', args=dict(pool='linear'),
         error=['fixture/linear is a linear or striped volume, not a thin pool: check pool_name in the config.']),
    dict(id='pool-is-thin-volume', fixture='mock_family', args=dict(pool='+mock.foo.head', keep_updates=0),
         error=['fixture/+mock.foo.head is a thin volume, not a thin pool']),
    dict(id='absent-open-volume-without-mount', fixture=('mock_family', {'+mock.foo.head': {'lv_attr': OPEN}}),
         args=dict(state='absent'), files=ALL_FILES,
         error=['Volumes of root foo are open but not mounted (in use by a process): +mock.foo.head. Nothing was '
                'removed.']),
    dict(id='absent-open-snapshots-without-mount',
         fixture=('mock_family', {OLD: {'lv_attr': OPEN}, 'mock.foo-bootstrap.postinit': {'lv_attr': OPEN}}),
         args=dict(state='absent'),
         error=['open but not mounted (in use by a process): mock.foo-bootstrap.postinit, %s.' % OLD]),
    dict(id='keep-updates-negative', fixture='mock_family', args=dict(keep_updates=-1), reads=[],
         error=['keep_updates -1 must be 0 or more.']),
    dict(id='invalid-root', fixture='mock_family', args=dict(root='foo bar'), reads=[],
         error=["root (as part of a volume name) 'mock.foo bar-bootstrap.head' is not a valid LVM name"]),
    dict(id='invalid-pool', fixture='mock_family', args=dict(pool='pool_tmeta'), reads=[],
         error=["pool 'pool_tmeta' is not a valid LVM name: LVM reserves names containing"]),
    dict(id='invalid-vg', fixture='mock_family', args=dict(vg='-vg'), reads=[],
         error=["vg '-vg' is not a valid LVM name"]),
    dict(id='invalid-state', fixture='mock_family', args=dict(state='scrubbed'), reads=[],
         error=['state', 'scrubbed']),
]

SUCCESS_CASES = [case for case in CASES if 'error' not in case]
ERROR_CASES = [case for case in CASES if 'error' in case]

# state initialized where mock runs but does not make the postinit snapshot: an error when mock really runs.
# id, after_init (lvs after mock; None: not read), mock (its rc, stdout, stderr), error fragments
INIT_ERRORS = [
    dict(id='mock-fails', after_init=None, mock=(30, '', 'ERROR: Could not find required config file: foo\n'),
         error=['mock -r foo --init failed (rc=30): ERROR: Could not find required config file: foo']),
    dict(id='mock-fails-stdout-only', after_init=None, mock=(1, 'some\nERROR: no space\n', ''),
         error=['mock -r foo --init failed (rc=1): some\nERROR: no space']),
    dict(id='mock-refuses-root', after_init=None,
         mock=(1, '', 'ERROR: mock will not run from the root account (needs an unprivileged uid so it can drop '
                      'privs)\n'),
         error=['mock will not run from the root account', 'mock must run as a user of the mock group: set '
                'mock_command to, for example, [runuser, -u, mockbuild, --, mock]']),
    dict(id='consolehelper-refuses', after_init=None, mock=(6, '', 'Insufficient rights.\n'),
         error=['failed (rc=6): Insufficient rights. -- mock must run as a user of the mock group']),
    dict(id='no-volume-appeared', after_init='pool_only', mock=(0, 'Finish: chroot init\n', ''),
         error=['mock ran for config foo but no LVM volume of root foo appeared in fixture/mockpool: the lvm_root '
                'plugin is not active. Install the mock-lvm package', "volume_group 'fixture' and pool_name "
                "'mockpool'", "config_opts['root'] is 'foo'"]),
    dict(id='no-postinit-appeared', after_init=HEAD_ONLY, mock=(0, '', ''),
         error=['mock ran for config foo and created +mock.foo.head but no mock.foo.postinit snapshot: root_cache '
                'is probably enabled', "config_opts['plugin_conf']['root_cache_enable'] = False"]),
    dict(id='only-other-roots-volumes', after_init=dict(base='mock_family', drop=FOO), mock=(0, '', ''),
         error=['mock ran for config foo but no LVM volume of root foo appeared in fixture/mockpool']),
]


def _ids(cases):
    return [case['id'] for case in cases]


def _lvm_commands(case):
    return [command for command in case['commands'] if command[0] in ('lvremove', 'umount')]


def _mock_ran(case):
    return 'after_init' in case


def _before(case):
    return sorted(case.get('before', case['volumes'] + case.get('removed', [])))


def _files(case):
    """The files a case writes: mock's lock files of foo (mock makes them on every run) unless the case says
    otherwise, and its own."""
    root = case.get('args', {}).get('root', 'foo')
    locks = LOCKS if root == 'foo' else ['.lvm-mock.%s.lock' % root, '.lvm-pool-mock.%s.lock' % root]
    files = {} if case.get('no_lock_files') else dict((name, '') for name in locks)
    files.update(case.get('files', {}))
    return files


def _files_after(case):
    return set(_files(case)) - set(case.get('removed_files', []))


def _spec(lvm_reports, spec):
    """A spec as a dict (base, changes, drop, add), to drop more volumes from."""
    if isinstance(spec, dict):
        return dict(spec)
    if isinstance(spec, tuple):
        return dict(base=spec[0], changes=spec[1], drop=tuple(spec[2]) if len(spec) > 2 else ())
    return dict(base=spec)


@pytest.fixture
def basedir(tmp_path):
    return tmp_path / 'mock'


@pytest.fixture
def run_case(fake_lvm, run_module, lvm_reports, basedir):
    """Configure the fake LVM (and mock) for a table case, write its files, and run the module."""

    def _run(case, check_mode=False, diff=False, mock=(0, '', ''), extra=None):
        if not basedir.exists():
            basedir.mkdir()
        for name, text in _files(case).items():
            if not (basedir / name).parent.exists():
                (basedir / name).parent.mkdir(parents=True)
            (basedir / name).write_text(u'%s' % text)
        first = _spec(lvm_reports, case['fixture'])
        reads = [first]
        if case.get('after_init'):
            reads.append(_spec(lvm_reports, case['after_init']))
        # The read under the locks sees what the one before saw; the last read lacks the removed volumes.
        removed = set(case.get('removed', ()))
        added = set(copy[1] for copy in reads[-1].get('add', ()))
        last = dict(reads[-1], add=[copy for copy in reads[-1].get('add', ()) if copy[1] not in removed],
                    drop=tuple(reads[-1].get('drop', ())) + tuple(sorted(removed - added)))
        reads += [reads[-1], last]
        fake_lvm.set(lvs=[lvm_reports.resolve(spec) for spec in reads], mock=mock, sudo=mock)
        fake_lvm.ok('lvremove', 'umount')
        fake_lvm.set(extra or {})
        args = {'root': 'foo', 'vg': 'fixture', 'pool': 'mockpool', 'basedir': str(basedir)}
        args.update(case.get('args', {}))
        return run_module(build_root, args, check_mode=check_mode, diff=diff)

    return _run


def _names(result):
    return sorted(volume['name'] for volume in result['volumes'])


def _files_now(basedir):
    """Every file below basedir, as a path relative to it."""
    found = set()
    for top, dirs, files in os.walk(str(basedir)):
        found.update(os.path.relpath(os.path.join(top, name), str(basedir)) for name in files)
    return found


def test_case_table_is_consistent():
    assert len(set(_ids(CASES))) == len(CASES)
    for case in SUCCESS_CASES:
        assert set(case) >= {'changed', 'commands', 'volumes'}, case['id']
        assert case['changed'] == bool(case['commands'] or case.get('removed_files')), case['id']
        assert [c for c in case['commands'] if c[0] == 'lvremove'] == each(*case.get('removed', [])), case['id']
        assert _mock_ran(case) == (case.get('args', {}).get('state') == 'initialized' and case['changed']), case['id']


@pytest.mark.parametrize('case', SUCCESS_CASES, ids=_ids(SUCCESS_CASES))
def test_build_root(case, run_case, basedir):
    res = run_case(case)
    assert not res.failed, res
    assert res.changed is case['changed']
    assert res.mutating == case['commands']
    # Reads: one; after mock, one more; for a change, one under the locks and one after it.
    tools = ['lvs']
    if _mock_ran(case):
        tools += [case['commands'][0][0], 'lvs']
    if _lvm_commands(case) or case.get('removed_files'):
        tools += ['lvs'] + [command[0] for command in _lvm_commands(case)] + ['lvs']
    assert res.tools == tools
    assert res.result['commands'] == res.commands
    assert _names(res.result) == sorted(case['volumes'])
    assert res.result['removed'] == case.get('removed', [])
    assert res.result['removed_files'] == [str(basedir / name) for name in case.get('removed_files', [])]
    assert res.result['skipped'] == case.get('skipped', [])
    assert res.warnings == case.get('warnings', [])
    assert (res.result['build_running'], res.result['busy_locks']) == (False, [])
    # Lock files and other roots' files are never removed.
    assert _files_now(basedir) == _files_after(case)
    current = sorted(volume['name'] for volume in res.result['volumes'] if volume['current'])
    assert current == sorted(case.get('current', []))
    assert 'diff' not in res.result


@pytest.mark.parametrize('case', SUCCESS_CASES, ids=_ids(SUCCESS_CASES))
def test_build_root_check_mode(case, run_case, basedir):
    res = run_case(case, check_mode=True)
    assert not res.failed, res
    assert res.changed is case['changed']
    # Only the first read ran: no mock, no lvremove, no file removed.
    assert res.tools == ['lvs']
    assert res.mutating == []
    assert _files_now(basedir) == set(_files(case))
    # `commands` lists the read, then what would run.
    assert res.result['commands'][0][0] == 'lvs'
    assert res.result['commands'][1:] == case['commands']
    assert res.result['removed'] == case.get('removed', [])
    assert res.result['removed_files'] == [str(basedir / name) for name in case.get('removed_files', [])]
    assert res.result['skipped'] == case.get('skipped', [])
    assert res.warnings == case.get('warnings', [])
    # The predicted volumes: those there were, less the removed ones (mock's are not predicted).
    expected = case['volumes'] if not _mock_ran(case) else _before(case)
    assert _names(res.result) == sorted(expected)


@pytest.mark.parametrize('case', SUCCESS_CASES, ids=_ids(SUCCESS_CASES))
def test_build_root_diff(case, run_case):
    res = run_case(case, check_mode=True, diff=True)
    assert not res.failed, res
    diff = res.result['diff']
    assert diff['before'] == {'volumes': _before(case)}
    after = sorted(set(_before(case) + (['mock.foo.postinit'] if _mock_ran(case) else []))
                   - set(case.get('removed', [])))
    assert diff['after'] == {'volumes': after}
    if not _mock_ran(case):
        assert diff['after']['volumes'] == sorted(case['volumes'])


@pytest.mark.parametrize('case', ERROR_CASES, ids=_ids(ERROR_CASES))
@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_build_root_errors(case, check_mode, run_case, basedir):
    res = run_case(case, check_mode=check_mode)
    assert res.failed, res
    for fragment in case['error']:
        assert fragment in res.msg
    assert not res.changed
    assert res.tools == case.get('reads', ['lvs'])
    assert res.mutating == []
    assert _files_now(basedir) == set(_files(case))


@pytest.mark.parametrize('case', INIT_ERRORS, ids=_ids(INIT_ERRORS))
def test_initialized_diagnosis(case, run_case, basedir):
    table_case = dict(id=case['id'], fixture='pool_only', args=dict(state='initialized'))
    if case['after_init']:
        table_case['after_init'] = case['after_init']
    res = run_case(table_case, mock=case['mock'])
    assert res.failed, res
    for fragment in case['error']:
        assert fragment in res.msg
    assert res.tools == ['lvs', 'mock'] + (['lvs'] if case['after_init'] else [])
    assert res.mutating == [['mock', '-r', 'foo', '--init']]
    assert res.result['commands'] == res.commands
    # mock's own output comes with the failure.
    assert (res.result['rc'], res.result['stdout'], res.result['stderr']) == case['mock']
    assert res.result['cmd'] == ['mock', '-r', 'foo', '--init']
    assert _files_now(basedir) == set(LOCKS)


@pytest.mark.parametrize('case', INIT_ERRORS, ids=_ids(INIT_ERRORS))
def test_initialized_diagnosis_check_mode_runs_no_mock(case, run_case):
    res = run_case(dict(id=case['id'], fixture='pool_only', args=dict(state='initialized')), check_mode=True,
                   mock=case['mock'])
    assert not res.failed, res
    assert res.changed is True
    assert res.tools == ['lvs']
    assert res.result['commands'][1:] == [['mock', '-r', 'foo', '--init']]


def test_initialized_then_keep_updates(run_case):
    case = dict(id='x', fixture='pool_only', after_init='mock_family', args=dict(state='initialized',
                                                                                 keep_updates=1), removed=[OLD])
    res = run_case(case, diff=True)
    assert not res.failed, res
    assert res.changed is True
    assert res.tools == ['lvs', 'mock', 'lvs', 'lvs', 'lvremove', 'lvs']
    assert res.mutating == [['mock', '-r', 'foo', '--init'], lvremove(OLD)]
    assert res.result['removed'] == [OLD]
    assert _names(res.result) == sorted(n for n in FOO if n != OLD)
    # The real diff: from nothing to what mock made, less the pruned update.
    assert res.result['diff'] == {'before': {'volumes': []}, 'after': {'volumes': sorted(n for n in FOO if n != OLD)}}


def test_initialized_then_keep_updates_check_mode(run_case):
    res = run_case(dict(id='x', fixture='pool_only', args=dict(state='initialized', keep_updates=1)),
                   check_mode=True, diff=True)
    assert res.changed is True
    assert res.tools == ['lvs']
    # What mock will make is not known before it runs: only mock is planned.
    assert res.result['commands'][1:] == [['mock', '-r', 'foo', '--init']]
    assert res.result['removed'] == []
    assert res.result['diff'] == {'before': {'volumes': []}, 'after': {'volumes': ['mock.foo.postinit']}}


def test_real_diff_after_pruning(run_case):
    res = run_case(dict(id='x', fixture='mock_family', args=dict(keep_updates=0), removed=[NEW, OLD]), diff=True)
    assert res.changed is True
    assert res.result['diff'] == {'before': {'volumes': sorted(FOO)}, 'after': {'volumes': sorted(FOO[:5])}}
    assert res.calls[0].args == res.calls[1].args == res.calls[-1].args  # the same read, three times


# --------------------------------------------------------------------------- volume facts

def test_report_volume_facts(run_case, lvm_reports, basedir):
    case = dict(id='facts', fixture='mock_family', files={'.snapinfo-mock.foo.ABC': 'mock.foo.postinit\n',
                                                          '.snapinfo-mock.foo.bar.head': OLD + '\n'})
    res = run_case(case)
    assert res.changed is False and res.tools == ['lvs']
    facts = dict((volume['name'], volume) for volume in res.result['volumes'])
    assert [volume['name'] for volume in res.result['volumes']] == FOO  # report order
    expected = {
        '+mock.foo.head': ('main', 'working', 'head', None),
        '+mock.foo.ABC': ('main', 'working', 'ABC', None),
        'mock.foo.postinit': ('main', 'snapshot', None, 'postinit'),
        OLD: ('main', 'snapshot', None, 'postinit_updated_2026-01-01_10-00'),
        NEW: ('main', 'snapshot', None, 'postinit_updated_2026-02-01_10-00'),
        '+mock.foo-bootstrap.head': ('bootstrap', 'working', 'head', None),
        'mock.foo-bootstrap.postinit': ('bootstrap', 'snapshot', None, 'postinit'),
    }
    for name, (chroot, role, uniqueext, snapshot) in expected.items():
        volume = facts[name]
        assert (volume['chroot'], volume['role'], volume['uniqueext'], volume['snapshot']) == (
            chroot, role, uniqueext, snapshot), name
        row = lvm_reports.row('mock_family', name)
        assert volume['size'] == 256 * MIB == int(row['lv_size'])
        assert volume['creation_time'] == int(row['lv_time'])
        assert volume['active'] is (role == 'working')
        assert volume['open'] is False
        assert volume['mounts'] == []  # /dev/fixture/... does not exist here
        assert volume['data_percent'] == (0.0 if role == 'working' else None)
    # Only foo's own .snapinfo counts: foo.bar's names OLD, which stays not current.
    assert [name for name in FOO if facts[name]['current']] == ['mock.foo.postinit']
    assert res.result['pool'] == {'name': 'mockpool', 'exists': True, 'is_thin_pool': True, 'size': 512 * MIB,
                                  'data_percent': 0.0,
                                  'metadata_percent': float(lvm_reports.row('mock_family', 'mockpool')
                                                            ['metadata_percent'])}
    assert set(res.result) >= {'volumes', 'pool', 'build_running', 'busy_locks', 'removed', 'removed_files',
                               'skipped', 'commands', 'changed'}


def test_absent_pool_facts_of_missing_pool(run_case):
    res = run_case(dict(id='x', fixture='mock_family', args=dict(state='absent', pool='nopool')))
    assert res.result['pool'] == {'name': 'nopool', 'exists': False}


def test_snapinfo_that_cannot_be_read_is_not_current(run_case, basedir):
    os.makedirs(str(basedir / '.snapinfo-mock.foo.head'))  # a directory: open() fails
    res = run_case(dict(id='x', fixture='mock_family', args=dict(state='absent')), check_mode=True)
    assert res.result['removed_files'] == [str(basedir / '.snapinfo-mock.foo.head')]
    assert not any(volume['current'] for volume in res.result['volumes'])


# --------------------------------------------------------------------------- mounted volumes

@pytest.fixture
def mounted(monkeypatch, basedir):
    """+mock.foo.head mounted at basedir/foo/root, with mock's bind mounts below it."""
    root = str(basedir / 'foo' / 'root')
    mounts = basedir.parent / 'mounts'
    mounts.write_text(u''.join(line + '\n' for line in [
        '/dev/vda1 / ext4 rw 0 0',
        '/dev/mapper/fixture-+mock.foo.head %s ext4 rw 0 0' % root,
        'proc %s/proc proc rw 0 0' % root,
        'devpts %s/dev/pts devpts rw 0 0' % root,
        'tmpfs %s/dev/shm tmpfs rw 0 0' % root,
        '/dev/mapper/fixture-+mock.foo.bar.head %s.bar/root ext4 rw 0 0' % str(basedir / 'foo'),
        '/dev/vda1 %sfs ext4 rw 0 0' % root,
    ]))
    by_path = {'/dev/fixture/+mock.foo.head': [root]}
    monkeypatch.setattr(_build_root, 'mounts_of', lambda path, mounts_file=None: list(by_path.get(path, [])))
    monkeypatch.setattr(_build_root, 'MOUNTS_FILE', str(mounts))
    return root


def test_report_shows_mounts(run_case, mounted):
    res = run_case(dict(id='x', fixture=('mock_family', {'+mock.foo.head': {'lv_attr': OPEN}})))
    facts = dict((volume['name'], volume) for volume in res.result['volumes'])
    assert facts['+mock.foo.head']['mounts'] == [mounted]
    assert facts['+mock.foo.head']['open'] is True
    assert all(facts[name]['mounts'] == [] for name in FOO if name != '+mock.foo.head')


@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_absent_unmounts_deepest_first_then_removes(run_case, mounted, check_mode):
    case = dict(id='x', fixture=('mock_family', {'+mock.foo.head': {'lv_attr': OPEN}}), args=dict(state='absent'),
                removed=FOO)
    res = run_case(case, check_mode=check_mode)
    assert not res.failed, res
    # One volume at a time, in report order: +mock.foo.head (the third) is unmounted just before its lvremove.
    expected = each(*FOO[:2]) + [['umount', mounted + '/dev/pts'], ['umount', mounted + '/dev/shm'],
                                 ['umount', mounted + '/proc'], ['umount', mounted]] + each(*FOO[2:])
    if check_mode:
        assert res.result['commands'][1:] == expected
        assert res.tools == ['lvs']
    else:
        assert res.mutating == expected
        assert res.tools == ['lvs', 'lvs'] + [command[0] for command in expected] + ['lvs']


# --------------------------------------------------------------------------- mock's locks

@pytest.fixture
def lock_files(basedir):
    """Every lock file mock leaves for foo, foo-bootstrap, foo.bar and foo-bar."""
    basedir.mkdir()
    for name in LOCKS + OTHER_LOCKS:
        (basedir / name).write_text(u'')
    return dict((name, str(basedir / name)) for name in LOCKS + OTHER_LOCKS)


# id, case (files: the .snapinfo files beside every lock file), held lock files, and what happens:
#   fails: the run fails as 'Build in progress' naming the first held lock, in real and check mode;
#   otherwise it succeeds, reporting build_running, with `commands` planned (mock included).
LOCK_CASES = [
    dict(id='absent-main-lock', case=dict(fixture='mock_family', args=dict(state='absent'), files=SNAPINFO),
         held=['.lvm-mock.foo.lock'], fails=True),
    dict(id='absent-bootstrap-pool-lock', case=dict(fixture='mock_family', args=dict(state='absent'), files=SNAPINFO),
         held=['.lvm-pool-mock.foo-bootstrap.lock'], fails=True),
    dict(id='absent-only-bookkeeping', case=dict(fixture='pool_only', args=dict(state='absent'), files=SNAPINFO),
         held=['.lvm-pool-mock.foo.lock'], fails=True),
    dict(id='keep-updates', case=dict(fixture='mock_family', args=dict(keep_updates=0)),
         held=['.lvm-mock.foo.lock'], fails=True),
    dict(id='initialized-missing-postinit', case=dict(fixture='pool_only', args=dict(state='initialized')),
         held=['.lvm-mock.foo-bootstrap.lock'], fails=True),
    dict(id='present-reports-the-build', case=dict(fixture='mock_family', files=SNAPINFO),
         held=['.lvm-mock.foo.lock', '.lvm-pool-mock.foo.lock'], fails=False, commands=[]),
    dict(id='keep-updates-nothing-to-prune', case=dict(fixture='mock_family', args=dict(keep_updates=2)),
         held=['.lvm-mock.foo.lock'], fails=False, commands=[]),
    dict(id='initialized-noop', case=dict(fixture='mock_family', args=dict(state='initialized')),
         held=['.lvm-mock.foo.lock'], fails=False, commands=[]),
    dict(id='absent-nothing-to-remove', case=dict(fixture='pool_only', args=dict(state='absent')),
         held=['.lvm-mock.foo.lock'], fails=False, commands=[]),
]


@pytest.mark.parametrize('lock_case', LOCK_CASES, ids=_ids(LOCK_CASES))
@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_build_in_progress(lock_case, check_mode, run_case, basedir, lock_files, lock_holder):
    for name in lock_case['held']:
        lock_holder.hold(lock_files[name])
    files_before = set(lock_files) | set(lock_case['case'].get('files', {}))
    res = run_case(dict(lock_case['case'], id=lock_case['id']), check_mode=check_mode)
    held_paths = [lock_files[name] for name in lock_case['held']]
    if lock_case['fails']:
        assert res.failed, res
        first = [path for path in (lock_files[name] for name in LOCKS) if path in held_paths][0]
        assert res.msg == ('Build in progress: %s is locked by a running mock build of root foo; nothing was '
                           'changed. Run again when the build has finished.' % first)
        # The fleet playbooks tell a running build from an error by these keys.
        assert (res.result['build_running'], res.result['busy_locks']) == (True, [first])
        assert not res.changed
        # Nothing ran but the first read: no mock, no lvremove.
        assert res.tools == ['lvs']
    else:
        assert not res.failed, res
        assert res.changed is False
        assert res.tools == ['lvs']
        assert res.result['build_running'] is True
        assert sorted(res.result['busy_locks']) == sorted(held_paths)
        assert res.result['commands'][1:] == lock_case['commands']
    assert res.mutating == []
    assert _files_now(basedir) == files_before
    # The holders still hold their locks: the module took nothing from them, and holds none itself.
    assert all(lock_holder.locked_elsewhere(path) for path in held_paths)
    assert not any(lock_holder.locked_elsewhere(lock_files[name]) for name in LOCKS if name not in lock_case['held'])


def test_other_roots_build_does_not_block(run_case, lock_files, lock_holder):
    lock_holder.hold(lock_files['.lvm-mock.foo.bar.lock'])
    lock_holder.hold(lock_files['.lvm-mock.foo-bar.lock'])
    res = run_case(dict(id='x', fixture='mock_family', args=dict(state='absent'), removed=FOO))
    assert not res.failed, res
    assert res.result['build_running'] is False and res.result['busy_locks'] == []
    assert res.mutating == each(*FOO)


def test_locks_are_held_during_the_removal_and_released(run_case, lock_files, lock_holder):
    seen = []

    def probe(argv):
        seen.append(dict((name, lock_holder.locked_elsewhere(path)) for name, path in lock_files.items()))
        return (0, '', '')

    res = run_case(dict(id='x', fixture='mock_family', args=dict(keep_updates=1), removed=[OLD]),
                   extra={'lvremove': probe})
    assert not res.failed, res
    assert res.mutating == each(OLD)
    # During lvremove, foo's and foo-bootstrap's locks were held; other roots' were not.
    assert seen == [dict((name, name in LOCKS) for name in lock_files)]
    assert not any(lock_holder.locked_elsewhere(path) for path in lock_files.values())


# --------------------------------------------------------------------------- in use: buildroot.lock, basedir

# Every mock run holds the buildroot.lock of its chroot dir: <basedir>/<root>[-<uniqueext>]/buildroot.lock.
CHROOT_LOCKS = ['foo/buildroot.lock', 'foo-ABC/buildroot.lock', 'foo-bootstrap/buildroot.lock']


@pytest.fixture
def chroot_locks(basedir):
    basedir.mkdir()
    for name in LOCKS + CHROOT_LOCKS:
        if not (basedir / name).parent.exists():
            (basedir / name).parent.mkdir(parents=True)
        (basedir / name).write_text(u'')
    return dict((name, str(basedir / name)) for name in LOCKS + CHROOT_LOCKS)


@pytest.mark.parametrize('held', CHROOT_LOCKS)
@pytest.mark.parametrize('args', [dict(state='absent'), dict(keep_updates=0)], ids=['absent', 'keep-0'])
@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_a_shell_holding_only_buildroot_lock_blocks_changes(run_case, basedir, chroot_locks, lock_holder, held, args,
                                                            check_mode):
    """A mock --shell on a mounted root holds its chroot's buildroot.lock (shared) and no LVM lock."""
    lock_holder.hold(chroot_locks[held], shared=True)
    before = _files_now(basedir)
    res = run_case(dict(id='x', fixture='mock_family', args=args), check_mode=check_mode)
    assert res.failed, res
    assert res.msg.startswith('Build in progress: %s is locked' % chroot_locks[held])
    assert res.result['busy_locks'] == [chroot_locks[held]]
    assert res.tools == ['lvs'] and res.mutating == []
    assert _files_now(basedir) == before
    assert lock_holder.locked_elsewhere(chroot_locks[held])


def test_report_names_the_holder_and_takes_nothing(run_case, chroot_locks, lock_holder):
    shell = lock_holder.hold(chroot_locks['foo-ABC/buildroot.lock'], shared=True)
    res = run_case(dict(id='x', fixture='mock_family'))
    assert not res.failed, res
    assert (res.result['in_use'], res.result['build_running']) == (True, True)
    assert res.result['lock_holders'] == {chroot_locks['foo-ABC/buildroot.lock']: shell.pid}
    facts = dict((v['name'], v) for v in res.result['volumes'])
    assert facts['+mock.foo.ABC']['in_use'] and facts['+mock.foo.ABC']['state'] == 'in_use'
    # The head's chroot is not in use: its working volume is idle (kept by mock), the family as a whole is in use.
    assert facts['+mock.foo.head']['state'] == 'idle' and not facts['+mock.foo.head']['in_use']
    assert res.result['stale'] == []
    assert not any(lock_holder.locked_elsewhere(path) for name, path in chroot_locks.items()
                   if name != 'foo-ABC/buildroot.lock')


@pytest.mark.parametrize('args', [dict(state='absent'), dict(keep_updates=0), dict(reap_stale=True)],
                         ids=['absent', 'keep-0', 'reap'])
@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_volumes_without_lock_files_mean_another_basedir(run_case, basedir, args, check_mode):
    case = dict(id='x', fixture='mock_family', args=args, no_lock_files=True,
                files={'foo/buildroot.lock.not': '', '.snapinfo-mock.foo.head': 'mock.foo.postinit',
                       '.snapinfo-mock.foo.XYZ': 'mock.foo.postinit'})
    res = run_case(case, check_mode=check_mode)
    assert res.failed, res
    assert res.msg.startswith('Refusing to change the build roots: root foo has 7 volumes in fixture/mockpool but '
                              "none of mock's lock files is in basedir %s" % basedir)
    assert "config_opts['basedir'] in site-defaults.cfg" in res.msg and 'builder_mock_basedir' in res.msg
    assert res.tools == ['lvs'] and res.mutating == []
    assert _files_now(basedir) == set(case['files'])


def test_report_marks_another_basedir_without_failing(run_case, basedir):
    res = run_case(dict(id='x', fixture='mock_family', no_lock_files=True))
    assert not res.failed, res
    assert res.result['basedir_mismatch'] is True
    assert 'none of mock\'s lock files is in basedir %s' % basedir in res.result['basedir_problem']
    assert res.result['stale'] == []  # without its buildroot.lock a working volume cannot be judged


def test_any_lock_file_is_enough(run_case, basedir):
    res = run_case(dict(id='x', fixture='mock_family', no_lock_files=True, files={'foo-ABC/buildroot.lock': ''},
                        args=dict(keep_updates=1), removed=[OLD]))
    assert not res.failed, res
    assert res.result['basedir_mismatch'] is False and res.mutating == each(OLD)


def test_no_volumes_no_lock_files_is_no_mismatch(run_case):
    res = run_case(dict(id='x', fixture='pool_only', no_lock_files=True, args=dict(state='absent')))
    assert not res.failed, res
    assert (res.result['basedir_mismatch'], res.changed) == (False, False)


# --------------------------------------------------------------------------- working volume states, reaping

KEPT = ['mock.foo-bootstrap.postinit', 'mock.foo.postinit', OLD, NEW]
# What a killed run leaves below its root, as mock mounts it (mockbuild/mounts.py: tmpfs mock_hide_procfs_from_host
# and mock_hide_sysfs_from_host under the bind mounts of /proc and /sys, devpts mock_chroot_devpts, tmpfs
# mock_chroot_shmfs); a run that ends normally unmounts them all (buildroot.py finalize -> mounts.umountall()).
MOCK_MOUNTS = [('mock_hide_procfs_from_host', 'proc', 'tmpfs'), ('mock_hide_sysfs_from_host', 'sys', 'tmpfs'),
               ('mock_chroot_devpts', 'dev/pts', 'devpts'), ('mock_chroot_shmfs', 'dev/shm', 'tmpfs')]
DAY = 86400


@pytest.fixture
def mount_table(monkeypatch, basedir):
    """A fake /proc/self/mounts. mount(volume, chroot dir, killed) mounts the volume at <basedir>/<chroot dir>/root
    (made on disk) and, when killed, mock's mounts below it; returns the mount point."""
    lines = ['/dev/vda1 / ext4 rw 0 0']
    by_path = {}
    mounts = basedir.parent / 'mounts'

    def mount(volume, chroot, killed=False):
        root = str(basedir / chroot / 'root')
        if not os.path.isdir(root):
            os.makedirs(root)
        lines.append('/dev/mapper/fixture-%s %s ext4 rw 0 0' % (volume, root))
        if killed:
            lines.extend('%s %s/%s %s rw 0 0' % (source, root, below, kind) for source, below, kind in MOCK_MOUNTS)
        by_path.setdefault('/dev/fixture/' + volume, []).append(root)
        mounts.write_text(u''.join(line + '\n' for line in lines))
        return root

    mounts.write_text(u''.join(line + '\n' for line in lines))
    monkeypatch.setattr(_build_root, 'mounts_of', lambda path, mounts_file=None: list(by_path.get(path, [])))
    monkeypatch.setattr(_build_root, 'MOUNTS_FILE', str(mounts))
    return mount


def _unmounts(root):
    """What a reap unmounts for a killed run's root, deepest first."""
    return [['umount', root + '/dev/pts'], ['umount', root + '/dev/shm'], ['umount', root + '/proc'],
            ['umount', root + '/sys'], ['umount', root]]


@pytest.fixture
def inside(request):
    """Start a process whose working directory is inside a directory (as a killed run's orphan is); stopped at the
    end of the test if still there."""
    started = []

    def start(directory):
        proc = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'], cwd=directory)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def _facts(result):
    return dict((volume['name'], volume) for volume in result['volumes'])


def test_states_follow_what_mock_leaves(run_case, basedir, chroot_locks, mount_table, lock_holder):
    head = mount_table('+mock.foo.head', 'foo')                      # a run that ended normally (kept mounted)
    abc = mount_table('+mock.foo.ABC', 'foo-ABC', killed=True)        # a run killed with -9
    (basedir / 'foo-XYZ').mkdir()
    (basedir / 'foo-XYZ' / 'buildroot.lock').write_text(u'')
    shell = lock_holder.hold(str(basedir / 'foo-XYZ' / 'buildroot.lock'), shared=True)
    res = run_case(dict(id='x', fixture=dict(base='mock_family', add=[('+mock.foo.ABC', '+mock.foo.XYZ', {})])))
    assert not res.failed, res
    facts = _facts(res.result)
    assert dict((n, facts[n]['state']) for n in facts if facts[n]['role'] == 'working') == {
        '+mock.foo.head': 'idle', '+mock.foo.ABC': 'died', '+mock.foo.XYZ': 'in_use',
        '+mock.foo-bootstrap.head': 'idle'}
    assert all(facts[n]['state'] is None for n in KEPT)
    assert facts['+mock.foo.ABC']['inner_mounts'] == [abc + '/dev/pts', abc + '/dev/shm', abc + '/proc', abc + '/sys']
    assert facts['+mock.foo.head']['inner_mounts'] == [] and facts['+mock.foo.head']['mounts'] == [head]
    assert res.result['stale'] == ['+mock.foo.ABC']
    assert res.result['idle'] == ['+mock.foo-bootstrap.head', '+mock.foo.head']
    assert facts['+mock.foo.head']['idle_since'] >= facts['+mock.foo.head']['creation_time']
    assert shell.pid in res.result['lock_holders'].values()
    assert (res.changed, res.tools) == (False, ['lvs'])


def test_an_open_volume_without_a_mount_is_open(run_case, chroot_locks):
    res = run_case(dict(id='x', fixture=('mock_family', {'+mock.foo.ABC': {'lv_attr': OPEN}})))
    assert _facts(res.result)['+mock.foo.ABC']['state'] == 'open'


@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_reap_takes_only_the_run_that_died(run_case, basedir, chroot_locks, mount_table, lock_holder, check_mode):
    """The kept head (mounted, no mock mounts) and the idle bootstrap stay; the killed run's volume goes, after its
    mounts, under its chroot's buildroot.lock and its root's LVM locks."""
    mount_table('+mock.foo.head', 'foo')
    abc = mount_table('+mock.foo.ABC', 'foo-ABC', killed=True)
    seen = []

    def probe(argv):
        seen.append(sorted(name for name, path in chroot_locks.items() if lock_holder.locked_elsewhere(path)))
        return (0, '', '')

    res = run_case(dict(id='x', fixture='mock_family', args=dict(reap_stale=True), removed=['+mock.foo.ABC']),
                   check_mode=check_mode, extra={'lvremove': probe})
    assert not res.failed, res
    expected = _unmounts(abc) + each('+mock.foo.ABC')
    assert res.changed is True and res.result['removed'] == ['+mock.foo.ABC']
    assert (res.result['commands'][1:] if check_mode else res.mutating) == expected
    assert res.result['not_removed'] == []
    assert res.result['idle'] == ['+mock.foo-bootstrap.head', '+mock.foo.head']
    if check_mode:
        assert res.tools == ['lvs'] and seen == []
    else:
        assert res.tools == ['lvs', 'lvs'] + [c[0] for c in expected] + ['lvs']
        assert seen == [['.lvm-mock.foo.lock', '.lvm-pool-mock.foo.lock', 'foo-ABC/buildroot.lock']]
    assert not any(lock_holder.locked_elsewhere(path) for path in chroot_locks.values())


def test_reap_leaves_kept_volumes_of_normal_ends_and_mock_mount(run_case, basedir, mount_table):
    """After ordinary runs (and a mock --mount, which takes no buildroot.lock and mounts no proc) nothing is
    stale: reap_stale changes nothing and reads once."""
    (basedir / 'foo').mkdir(parents=True)
    (basedir / 'foo' / 'buildroot.lock').write_text(u'')
    mount_table('+mock.foo.head', 'foo')
    mount_table('+mock.foo.ABC', 'foo-ABC')                           # mock --mount --uniqueext=ABC
    res = run_case(dict(id='x', fixture='mock_family', args=dict(reap_stale=True)))
    assert not res.failed, res
    assert (res.changed, res.tools, res.result['stale']) == (False, ['lvs'], [])
    assert res.result['idle'] == ['+mock.foo-bootstrap.head', '+mock.foo.ABC', '+mock.foo.head']


def test_reap_waits_while_a_run_of_the_root_holds_an_lvm_lock(run_case, chroot_locks, mount_table, lock_holder):
    mount_table('+mock.foo.ABC', 'foo-ABC', killed=True)
    lock_holder.hold(chroot_locks['.lvm-pool-mock.foo.lock'], shared=True)
    res = run_case(dict(id='x', fixture='mock_family', args=dict(reap_stale=True)))
    assert not res.failed, res
    assert (res.changed, res.tools, res.result['removed']) == (False, ['lvs'], [])
    assert res.result['not_removed'] == [{
        'name': '+mock.foo.ABC', 'state': 'died', 'processes': [],
        'reason': 'a mock run of root foo holds %s (it may be mounting this volume); run again when it has finished'
                  % chroot_locks['.lvm-pool-mock.foo.lock']}]
    assert res.warnings == ['Not reaped: +mock.foo.ABC: ' + res.result['not_removed'][0]['reason'] + '.']


@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_an_orphan_blocks_the_reap_and_is_named(run_case, basedir, chroot_locks, mount_table, inside, check_mode):
    abc = mount_table('+mock.foo.ABC', 'foo-ABC', killed=True)
    bootstrap = mount_table('+mock.foo-bootstrap.head', 'foo-bootstrap', killed=True)
    orphan = inside(abc)
    before = _files_now(basedir)
    res = run_case(dict(id='x', fixture='mock_family', args=dict(reap_stale=True),
                        removed=['+mock.foo-bootstrap.head']), check_mode=check_mode)
    assert not res.failed, res
    # Each volume is checked first: the other killed run's volume still goes.
    assert res.result['removed'] == ['+mock.foo-bootstrap.head']
    assert (res.result['commands'][1:] if check_mode else res.mutating) == (_unmounts(bootstrap)
                                                                            + each('+mock.foo-bootstrap.head'))
    blocked = res.result['not_removed']
    assert [(b['name'], b['state']) for b in blocked] == [('+mock.foo.ABC', 'died')]
    assert [(p['pid'], p['uses']) for p in blocked[0]['processes']] == [(orphan.pid, ['cwd'])]
    assert 'time.sleep(120)' in blocked[0]['processes'][0]['command']
    assert ('processes are still inside the chroot of the run that died: %d (' % orphan.pid) in blocked[0]['reason']
    assert 'set kill_orphans' in blocked[0]['reason']
    assert any(str(orphan.pid) in warning for warning in res.warnings)
    assert orphan.poll() is None
    assert _files_now(basedir) == before
    assert '+mock.foo.ABC' in _names(res.result)


@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_kill_orphans_ends_them_as_mock_does(run_case, chroot_locks, mount_table, inside, check_mode):
    abc = mount_table('+mock.foo.ABC', 'foo-ABC', killed=True)
    orphan = inside(abc)
    res = run_case(dict(id='x', fixture='mock_family', args=dict(reap_stale=True, kill_orphans=True),
                        removed=['+mock.foo.ABC']), check_mode=check_mode)
    assert not res.failed, res
    expected = [['kill', '-TERM', str(orphan.pid)]] + _unmounts(abc) + each('+mock.foo.ABC')
    if check_mode:
        assert res.result['commands'][1:] == expected and res.mutating == []
        assert orphan.poll() is None
    else:
        # kill is not run through run_command; it is listed in `commands`.
        assert res.result['commands'][2:-1] == expected
        assert res.mutating == expected[1:]
        assert orphan.wait(timeout=10) is not None
    assert res.result['not_removed'] == []


def test_kill_orphans_never_touches_an_idle_volume(run_case, basedir, chroot_locks, mount_table, inside):
    """A shell in a kept (or mock --mount-ed) root is a user, not an orphan: the age opt-in leaves it."""
    abc = mount_table('+mock.foo.ABC', 'foo-ABC')
    user = inside(abc)
    old = time.time() - 30 * DAY
    _age(basedir, 'foo-ABC', old)
    res = run_case(dict(id='x', fixture=('mock_family', {'+mock.foo.ABC': {'lv_time': str(int(old))}}),
                        args=dict(reap_idle_older_than=7, kill_orphans=True)))
    assert not res.failed, res
    assert (res.changed, res.result['removed']) == (False, [])
    assert res.result['not_removed'][0]['name'] == '+mock.foo.ABC'
    assert res.result['not_removed'][0]['reason'].startswith('processes are inside it (for example a shell in a '
                                                             'mock --mount): %d (' % user.pid)
    assert user.poll() is None


def _age(basedir, chroot, when):
    """Make a chroot dir, its buildroot.lock, result dir and mount point look last used at `when`."""
    base = basedir / chroot
    for path in (base / 'buildroot.lock', base / 'result', base / 'root', base):
        if path.exists():
            os.utime(str(path), (when, when))


# id, args, idle days of each working volume (head, ABC, bootstrap head), removed
IDLE_CASES = [
    dict(id='default-keeps-every-idle-volume', args=dict(reap_stale=True), removed=[]),
    dict(id='uniqueext-older-than-7-days', args=dict(reap_idle_older_than=7), removed=['+mock.foo.ABC']),
    dict(id='not-older-than-30-days', args=dict(reap_idle_older_than=30), removed=[]),
    dict(id='heads-only-when-named', args=dict(reap_idle_older_than=7, reap_idle_head=True),
         removed=['+mock.foo-bootstrap.head', '+mock.foo.ABC', '+mock.foo.head']),
]


@pytest.mark.parametrize('case', IDLE_CASES, ids=_ids(IDLE_CASES))
@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_reap_idle_older_than(run_case, basedir, chroot_locks, mount_table, case, check_mode):
    head = mount_table('+mock.foo.head', 'foo')
    abc = mount_table('+mock.foo.ABC', 'foo-ABC')
    old = time.time() - 10 * DAY
    for chroot in ('foo', 'foo-ABC', 'foo-bootstrap'):
        _age(basedir, chroot, old)
    fixture = ('mock_family', dict((name, {'lv_time': str(int(old) - DAY)})
                                   for name in ('+mock.foo.head', '+mock.foo.ABC', '+mock.foo-bootstrap.head')))
    res = run_case(dict(id=case['id'], fixture=fixture, args=case['args'], removed=case['removed']),
                   check_mode=check_mode)
    assert not res.failed, res
    assert res.result['removed'] == case['removed']
    unmount = {'+mock.foo.head': [['umount', head]], '+mock.foo.ABC': [['umount', abc]]}
    expected = [c for name in case['removed'] for c in unmount.get(name, []) + each(name)]
    assert (res.result['commands'][1:] if check_mode else res.mutating) == expected
    assert res.changed is bool(expected)
    facts = _facts(res.result) if check_mode else {}
    if check_mode and not case['removed']:
        assert abs(facts['+mock.foo.ABC']['idle_since'] - old) < 2


def test_idle_since_is_the_newest_trace(run_case, basedir, chroot_locks, mount_table):
    mount_table('+mock.foo.ABC', 'foo-ABC')
    (basedir / 'foo-ABC' / 'result').mkdir()
    old = time.time() - 10 * DAY
    _age(basedir, 'foo-ABC', old)
    recent = int(time.time()) - 3600
    os.utime(str(basedir / 'foo-ABC' / 'result'), (recent, recent))
    res = run_case(dict(id='x', fixture=('mock_family', {'+mock.foo.ABC': {'lv_time': str(int(old))}})))
    assert _facts(res.result)['+mock.foo.ABC']['idle_since'] == recent


@pytest.mark.parametrize('args, error', [
    (dict(reap_idle_older_than=-1), 'reap_idle_older_than -1 must be 0 or more.'),
    (dict(reap_idle_head=True), 'reap_idle_head only widens reap_idle_older_than: set reap_idle_older_than'),
    (dict(state='absent', reap_idle_older_than=3), 'leave out keep_updates, reap_stale and reap_idle_older_than'),
    (dict(state='absent', reap_stale=True), 'leave out keep_updates, reap_stale and reap_idle_older_than'),
])
def test_reap_options_that_cannot_work_are_refused(run_case, args, error):
    res = run_case(dict(id='x', fixture='mock_family', args=args))
    assert res.failed and error in res.msg, res
    assert res.tools == []


def test_a_failed_removal_says_which_volumes_went(run_case, chroot_locks, mount_table):
    """One lvremove per volume: when the second fails, the first is gone and the error says so."""
    abc = mount_table('+mock.foo.ABC', 'foo-ABC', killed=True)
    head = mount_table('+mock.foo.head', 'foo', killed=True)
    answers = [(0, '', ''), (5, '', '  Logical volume fixture/+mock.foo.head in use.\n')]
    res = run_case(dict(id='x', fixture='mock_family', args=dict(reap_stale=True)),
                   extra={'lvremove': lambda argv: answers.pop(0)})
    assert res.failed, res
    assert 'Logical volume fixture/+mock.foo.head in use' in res.msg
    assert res.result['step_failed'] == 'lvremove -y -f fixture/+mock.foo.head'
    assert 'lvremove -y -f fixture/+mock.foo.ABC' in res.result['steps_done']
    assert res.result['steps_not_run'] == []
    assert res.mutating == _unmounts(abc) + each('+mock.foo.ABC') + _unmounts(head) + each('+mock.foo.head')


def test_absent_refuses_while_processes_are_inside(run_case, basedir, chroot_locks, mount_table, inside):
    abc = mount_table('+mock.foo.ABC', 'foo-ABC')
    user = inside(abc)
    before = _files_now(basedir)
    res = run_case(dict(id='x', fixture='mock_family', args=dict(state='absent')))
    assert res.failed, res
    assert res.msg.startswith('Processes are inside build roots of root foo: +mock.foo.ABC: %d (' % user.pid)
    assert 'Nothing was removed' in res.msg and 'kill_orphans' in res.msg
    assert res.result['processes']['+mock.foo.ABC'][0]['pid'] == user.pid
    assert (res.tools, res.mutating) == (['lvs'], [])
    assert _files_now(basedir) == before and user.poll() is None


def test_absent_while_a_build_runs_inside_is_busy_not_orphaned(
        run_case, basedir, chroot_locks, mount_table, inside, lock_holder):
    # A running mock's own command is inside its root and mock holds its locks (seen with real mock 6.7): the
    # refusal is the busy one the fleet playbooks skip, not the orphans one that fails the host.
    abc = mount_table('+mock.foo.ABC', 'foo-ABC')
    user = inside(abc)
    lock_holder.hold(chroot_locks['foo-ABC/buildroot.lock'])
    before = _files_now(basedir)
    res = run_case(dict(id='x', fixture='mock_family', args=dict(state='absent')))
    assert res.failed, res
    assert res.msg.startswith('Build in progress: %s is locked' % chroot_locks['foo-ABC/buildroot.lock'])
    assert res.result['build_running'] is True
    assert (res.tools, res.mutating) == (['lvs'], [])
    assert _files_now(basedir) == before and user.poll() is None


def test_absent_with_kill_orphans(run_case, chroot_locks, mount_table, inside):
    abc = mount_table('+mock.foo.ABC', 'foo-ABC')
    user = inside(abc)
    res = run_case(dict(id='x', fixture='mock_family', args=dict(state='absent', kill_orphans=True), removed=FOO))
    assert not res.failed, res
    assert ['kill', '-TERM', str(user.pid)] in res.result['commands']
    assert user.wait(timeout=10) is not None
    assert res.mutating == each(FOO[0]) + [['umount', abc]] + each(*FOO[1:])


# .snapinfo files: (name, text, removed by reaping when its chroot has no working volume)
SNAPINFO_CASES = [
    ('.snapinfo-mock.foo.XYZ', 'mock.foo.postinit', True),            # what mock does without the file
    ('.snapinfo-mock.foo.XYZ', 'mock.foo.gone_snapshot', True),       # mock falls back to postinit
    ('.snapinfo-mock.foo.XYZ', OLD, False),                           # an update the next --uniqueext=XYZ starts from
    ('.snapinfo-mock.foo-bootstrap.XYZ', 'mock.foo-bootstrap.postinit', True),
    ('.snapinfo-mock.foo.ABC', 'mock.foo.postinit', False),           # its working volume stays
]


@pytest.mark.parametrize('name, text, removed', SNAPINFO_CASES, ids=[c[0] + '-' + c[1] for c in SNAPINFO_CASES])
@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_reap_removes_idle_snapinfo_files(run_case, basedir, chroot_locks, lock_holder, name, text, removed,
                                          check_mode):
    lock_holder.hold(chroot_locks['foo-ABC/buildroot.lock'], shared=True)
    (basedir / name).write_text(u'%s' % text)
    res = run_case(dict(id='x', fixture='mock_family', args=dict(reap_stale=True)), check_mode=check_mode)
    assert not res.failed, res
    assert res.result['removed_files'] == ([str(basedir / name)] if removed else [])
    assert res.result['removed'] == []
    assert (basedir / name).exists() is (check_mode or not removed)


def test_reap_keeps_snapinfo_of_a_chroot_in_use(run_case, basedir, chroot_locks, lock_holder):
    (basedir / 'foo-XYZ').mkdir()
    (basedir / 'foo-XYZ' / 'buildroot.lock').write_text(u'')
    (basedir / '.snapinfo-mock.foo.XYZ').write_text(u'mock.foo.postinit')
    lock_holder.hold(str(basedir / 'foo-XYZ' / 'buildroot.lock'), shared=True)
    res = run_case(dict(id='x', fixture='mock_family', args=dict(reap_stale=True)))
    assert not res.failed, res
    assert res.result['removed_files'] == []
    assert (basedir / '.snapinfo-mock.foo.XYZ').exists()


def test_reap_noop_reads_once(run_case, basedir, chroot_locks, lock_holder):
    for name in CHROOT_LOCKS:
        lock_holder.hold(chroot_locks[name], shared=True)
    res = run_case(dict(id='x', fixture='mock_family', args=dict(reap_stale=True)))
    assert not res.failed, res
    assert (res.changed, res.tools) == (False, ['lvs'])


def test_absent_holds_every_chroot_lock_and_the_lvm_locks(run_case, chroot_locks, lock_holder):
    seen = []

    def probe(argv):
        seen.append(sorted(name for name, path in chroot_locks.items() if lock_holder.locked_elsewhere(path)))
        return (0, '', '')

    res = run_case(dict(id='x', fixture='mock_family', args=dict(state='absent'), removed=FOO),
                   extra={'lvremove': probe})
    assert not res.failed, res
    assert seen == [sorted(chroot_locks)] * len(FOO)


# --------------------------------------------------------------------------- lock files of undeclared roots

@pytest.fixture
def leftovers(basedir, chroot_locks):
    for root in ('gone', 'gone-bootstrap', 'elsewhere', 'declared'):
        for name in ('.lvm-mock.%s.lock' % root, '.lvm-pool-mock.%s.lock' % root):
            (basedir / name).write_text(u'')
    return basedir


@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_lock_files_of_undeclared_roots_are_reported_never_removed(fake_lvm, run_module, lvm_reports, leftovers,
                                                                   check_mode):
    """mock opens them at plugin start and locks them later (lvm_root.py LvmPlugin.__init__ -> Lock: open 'a+';
    hook_mount_root -> lockf): a free file may be one a starting run has open, so none is removed."""
    before = _files_now(leftovers)
    fake_lvm.set(lvs=[lvm_reports.resolve('mock_family')])
    res = run_module(build_root, dict(root='foo', vg='fixture', pool='mockpool', basedir=str(leftovers),
                                      reap_stale=True, declared_roots=['foo', 'declared'],
                                      other_roots=['foo.bar', 'foo-bar']), check_mode=check_mode)
    assert not res.failed, res
    assert res.result['undeclared_lock_files'] == [str(leftovers / name) for name in (
        '.lvm-mock.elsewhere.lock', '.lvm-pool-mock.elsewhere.lock', '.lvm-mock.gone.lock',
        '.lvm-pool-mock.gone.lock', '.lvm-mock.gone-bootstrap.lock', '.lvm-pool-mock.gone-bootstrap.lock')]
    assert (res.changed, res.tools, res.result['removed_files']) == (False, ['lvs'], [])
    assert _files_now(leftovers) == before


def test_without_declared_roots_no_lock_file_is_listed(fake_lvm, run_module, lvm_reports, leftovers):
    fake_lvm.set(lvs=[lvm_reports.resolve('mock_family')])
    res = run_module(build_root, dict(root='foo', vg='fixture', pool='mockpool', basedir=str(leftovers),
                                      reap_stale=True))
    assert not res.failed, res
    assert (res.changed, res.tools, res.result['undeclared_lock_files']) == (False, ['lvs'], [])


# --------------------------------------------------------------------------- volume rows

def test_volume_rows_for_the_operator(run_case, basedir, chroot_locks):
    (basedir / '.snapinfo-mock.foo.ABC').write_text(u'mock.foo.postinit\n')
    (basedir / '.snapinfo-mock.foo.head').write_text(u'%s\n' % NEW)
    res = run_case(dict(id='x', fixture='mock_family'))
    facts = dict((v['name'], v) for v in res.result['volumes'])
    assert dict((n, facts[n]['kind']) for n in FOO) == {
        '+mock.foo-bootstrap.head': 'bootstrap', '+mock.foo.ABC': 'working', '+mock.foo.head': 'working',
        'mock.foo-bootstrap.postinit': 'bootstrap', 'mock.foo.postinit': 'postinit', OLD: 'update', NEW: 'update'}
    assert facts['+mock.foo.ABC']['starts_from'] == 'mock.foo.postinit'
    assert facts['+mock.foo.head']['starts_from'] == NEW
    assert facts['+mock.foo.ABC']['mount_point'] == str(basedir / 'foo-ABC' / 'root')
    assert facts['mock.foo.postinit']['mount_point'] is None and facts['mock.foo.postinit']['stale'] is False
    assert all(facts[n]['mounted'] is False for n in FOO)
    assert res.result['current_snapshots'] == [
        {'chroot': 'main', 'uniqueext': 'ABC', 'snapshot': 'mock.foo.postinit', 'exists': True,
         'file': str(basedir / '.snapinfo-mock.foo.ABC')},
        {'chroot': 'main', 'uniqueext': 'head', 'snapshot': NEW, 'exists': True,
         'file': str(basedir / '.snapinfo-mock.foo.head')}]


# --------------------------------------------------------------------------- build_root_info

def test_info_module_reports_and_takes_nothing(fake_lvm, run_module, lvm_reports, basedir, chroot_locks, lock_holder):
    from ansible_collections.buildfleet.mock_lvm.plugins.modules import build_root_info
    build = lock_holder.hold(chroot_locks['.lvm-pool-mock.foo.lock'], shared=True)
    fake_lvm.set(lvs=[lvm_reports.resolve('mock_family')])
    res = run_module(build_root_info, dict(root='foo', vg='fixture', pool='mockpool', basedir=str(basedir)),
                     check_mode=True)
    assert not res.failed, res
    assert res.changed is False and res.tools == ['lvs']
    assert _names(res.result) == sorted(FOO)
    assert res.result['busy_locks'] == [chroot_locks['.lvm-pool-mock.foo.lock']]
    assert res.result['lock_holders'] == {chroot_locks['.lvm-pool-mock.foo.lock']: build.pid}
    # Nothing is mounted: every working volume is idle, none died.
    assert (res.result['stale'], res.result['idle']) == ([], ['+mock.foo-bootstrap.head', '+mock.foo.ABC',
                                                              '+mock.foo.head'])
    assert 'removed' not in res.result
    assert not any(lock_holder.locked_elsewhere(path) for name, path in chroot_locks.items()
                   if name != '.lvm-pool-mock.foo.lock')


@pytest.mark.parametrize('args, error', [
    (dict(pool='nopool'), None),
    (dict(vg='-vg'), "vg '-vg' is not a valid LVM name"),
    (dict(root='foo bar'), "root (as part of a volume name) 'mock.foo bar-bootstrap.head' is not a valid LVM name"),
])
def test_info_module_missing_pool_and_bad_names(fake_lvm, run_module, lvm_reports, basedir, args, error):
    from ansible_collections.buildfleet.mock_lvm.plugins.modules import build_root_info
    fake_lvm.set(lvs=[lvm_reports.resolve('mock_family')])
    module_args = dict(root='foo', vg='fixture', pool='mockpool', basedir=str(basedir))
    module_args.update(args)
    res = run_module(build_root_info, module_args)
    if error:
        assert res.failed and error in res.msg and res.tools == []
    else:
        assert not res.failed and res.result['pool'] == {'name': 'nopool', 'exists': False}
        assert res.result['volumes'] == []
