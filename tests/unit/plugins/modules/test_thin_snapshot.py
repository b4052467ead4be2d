# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Table-driven tests of buildfleet.mock_lvm.thin_snapshot, fed by lvs reports captured from lvm2 2.03.16.

The captured states (see tests/unit/fixtures/capture_lvm_reports.sh), VG "fixture", pool "mockpool":
  pool_with_volumes  thin1 (open: mounted), snap_default (snapshot of thin1 with activation skip, inactive),
                     snap_active (snapshot of thin1 without skip, active), a linear LV "linear"
  mock_family        roots foo, foo.bar and foo-bar, each with +mock.R.head, +mock.R.ABC (of mock.R.postinit),
                     mock.R.postinit, mock.R.postinit_updated_2026-01-01_10-00 and ..._2026-02-01_10-00 (one
                     second apart: lv_time orders them), and foo-bootstrap with head and postinit
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.buildfleet.mock_lvm.plugins.modules import thin_snapshot

GIB = 1024 ** 3
UPDATES = 'mock.foo.postinit_updated_'
OLD, NEW = UPDATES + '2026-01-01_10-00', UPDATES + '2026-02-01_10-00'
OPEN = 'Vwi-aot---'
FACT_KEYS = {'name', 'vg', 'exists', 'origin', 'pool', 'size', 'creation_time', 'data_percent', 'active', 'open',
             'activation_skip'}
CHANGED_BY_CREATE = FACT_KEYS - {'name', 'vg'}


def added(base, *rows):
    """A report spec (see LvmReports.resolve): `base` plus rows copied from its own, as (source LV, new name,
    field changes)."""
    return dict(base=base, add=rows)


# Each case:
#   id, fixture (lvs output: a report name, (name, changes[, drop]) or added(...)), args (added to vg=fixture),
#   reread (lvs output after a change, for state present/absent), and either
#     error: substrings of the failure message; reads: tools run before failing (default ['lvs'])
#   or
#     changed, commands: the mutating commands in order; after: a subset of `snapshot` (present/absent);
#     diff: the keys of `snapshot` whose before and after differ (check mode); pruned: (kept, removed, skipped)
#     names; warnings.
CASES = [
    # ---- present: create
    dict(id='create-default-skip', fixture='pool_with_volumes', args=dict(origin='thin1', name='newsnap'),
         reread=added('pool_with_volumes', ('snap_default', 'newsnap', {})),
         changed=True, commands=[['lvcreate', '-s', 'fixture/thin1', '-n', 'newsnap', '-k', 'y']],
         after=dict(name='newsnap', exists=True, origin='thin1', pool='mockpool', size=GIB, active=False,
                    open=False, activation_skip=True),
         diff=CHANGED_BY_CREATE),
    dict(id='create-explicit-skip', fixture='pool_with_volumes',
         args=dict(origin='thin1', name='newsnap', activation_skip=True),
         reread=added('pool_with_volumes', ('snap_default', 'newsnap', {})),
         changed=True, commands=[['lvcreate', '-s', 'fixture/thin1', '-n', 'newsnap', '-k', 'y']],
         after=dict(exists=True, activation_skip=True, active=False), diff=CHANGED_BY_CREATE),
    dict(id='create-without-skip', fixture='pool_with_volumes',
         args=dict(origin='thin1', name='newsnap', activation_skip=False),
         reread=added('pool_with_volumes', ('snap_active', 'newsnap', {})),
         changed=True, commands=[['lvcreate', '-s', 'fixture/thin1', '-n', 'newsnap', '-k', 'n']],
         after=dict(exists=True, origin='thin1', active=True, activation_skip=False), diff=CHANGED_BY_CREATE),
    dict(id='create-snapshot-of-snapshot', fixture='pool_with_volumes', args=dict(origin='snap_default', name='snap2'),
         reread=added('pool_with_volumes', ('snap_default', 'snap2', {'origin': 'snap_default'})),
         changed=True, commands=[['lvcreate', '-s', 'fixture/snap_default', '-n', 'snap2', '-k', 'y']],
         after=dict(exists=True, origin='snap_default', activation_skip=True), diff=CHANGED_BY_CREATE),
    dict(id='create-mock-update-snapshot', fixture='mock_family',
         args=dict(origin='+mock.foo.head', name=UPDATES + '2026-03-01_10-00'),
         reread=added('mock_family', (NEW, UPDATES + '2026-03-01_10-00', {'lv_time': '1795700000'})),
         changed=True,
         commands=[['lvcreate', '-s', 'fixture/+mock.foo.head', '-n', UPDATES + '2026-03-01_10-00', '-k', 'y']],
         after=dict(exists=True, origin='+mock.foo.head', size=256 * 1024 ** 2), diff=CHANGED_BY_CREATE),

    # ---- present: nothing to do (exactly one lvs)
    dict(id='noop-skip-snapshot', fixture='pool_with_volumes', args=dict(origin='thin1', name='snap_default'),
         changed=False, commands=[], diff=set(),
         after=dict(exists=True, origin='thin1', active=False, activation_skip=True, size=GIB)),
    dict(id='noop-active-snapshot', fixture='pool_with_volumes',
         args=dict(origin='thin1', name='snap_active', activation_skip=False),
         changed=False, commands=[], diff=set(), after=dict(exists=True, active=True, activation_skip=False,
                                                            data_percent=0.0)),
    dict(id='noop-mock-postinit', fixture='mock_family', args=dict(origin='+mock.foo.head', name='mock.foo.postinit'),
         changed=False, commands=[], diff=set(), after=dict(exists=True, activation_skip=True)),

    # ---- present: the activation-skip flag differs
    dict(id='set-skip-on-active-never-deactivates', fixture='pool_with_volumes',
         args=dict(origin='thin1', name='snap_active'),
         reread=('pool_with_volumes', {'snap_active': {'lv_attr': 'Vwi-a-t--k'}}),
         changed=True, commands=[['lvchange', '--setactivationskip', 'y', 'fixture/snap_active']],
         after=dict(activation_skip=True, active=True), diff={'activation_skip'}),
    dict(id='set-skip-on-inactive-without-flag',
         fixture=('pool_with_volumes', {'snap_active': {'lv_attr': 'Vwi---t---', 'data_percent': ''}}),
         args=dict(origin='thin1', name='snap_active'),
         reread=('pool_with_volumes', {'snap_active': {'lv_attr': 'Vwi---t--k', 'data_percent': ''}}),
         changed=True, commands=[['lvchange', '--setactivationskip', 'y', 'fixture/snap_active']],
         after=dict(activation_skip=True, active=False), diff={'activation_skip'}),
    dict(id='clear-skip-activates-inactive', fixture='pool_with_volumes',
         args=dict(origin='thin1', name='snap_default', activation_skip=False),
         reread=('pool_with_volumes', {'snap_default': {'lv_attr': 'Vwi-a-t---', 'data_percent': '0.00'}}),
         changed=True, commands=[['lvchange', '--setactivationskip', 'n', 'fixture/snap_default'],
                                 ['lvchange', '-ay', 'fixture/snap_default']],
         after=dict(activation_skip=False, active=True), diff={'activation_skip', 'active'}),
    dict(id='clear-skip-on-active', fixture=('pool_with_volumes', {'snap_active': {'lv_attr': 'Vwi-a-t--k'}}),
         args=dict(origin='thin1', name='snap_active', activation_skip=False),
         reread='pool_with_volumes',
         changed=True, commands=[['lvchange', '--setactivationskip', 'n', 'fixture/snap_active']],
         after=dict(activation_skip=False, active=True), diff={'activation_skip'}),
    dict(id='no-skip-but-inactive-is-activated',
         fixture=('pool_with_volumes', {'snap_active': {'lv_attr': 'Vwi---t---', 'data_percent': ''}}),
         args=dict(origin='thin1', name='snap_active', activation_skip=False),
         reread='pool_with_volumes',
         changed=True, commands=[['lvchange', '-ay', 'fixture/snap_active']],
         after=dict(activation_skip=False, active=True), diff={'active'}),

    # ---- present: the name or the origin is something else
    dict(id='present-name-is-linear', fixture='pool_with_volumes', args=dict(origin='thin1', name='linear'),
         error=['fixture/linear exists but is a linear or striped volume, not a thin snapshot of thin1: it is left '
                'alone; choose another name.']),
    dict(id='present-name-is-pool', fixture='pool_with_volumes', args=dict(origin='thin1', name='mockpool'),
         error=['fixture/mockpool exists but is a thin pool, not a thin snapshot of thin1']),
    dict(id='present-other-origin', fixture='pool_with_volumes', args=dict(origin='snap_active', name='snap_default'),
         error=['fixture/snap_default exists but is a thin volume with origin thin1, not a thin snapshot of '
                'snap_active']),
    dict(id='present-name-is-origin-less-thin-volume', fixture='pool_with_volumes',
         args=dict(origin='snap_active', name='thin1'),
         error=['fixture/thin1 exists but is a thin volume with origin (none), not a thin snapshot of snap_active']),
    dict(id='present-mock-update-of-other-head', fixture='mock_family',
         args=dict(origin='+mock.foo.bar.head', name=OLD),
         error=['fixture/%s exists but is a thin volume with origin +mock.foo.head, not a thin snapshot of '
                '+mock.foo.bar.head' % OLD]),
    dict(id='origin-missing', fixture='pool_with_volumes', args=dict(origin='nosuch', name='newsnap'),
         error=['Origin fixture/nosuch does not exist.']),
    dict(id='origin-is-pool', fixture='pool_with_volumes', args=dict(origin='mockpool', name='newsnap'),
         error=['Origin fixture/mockpool is a thin pool (lv_attr twi-aot---), not a thin volume: this module takes '
                'thin snapshots only.']),
    dict(id='origin-is-linear', fixture='pool_with_volumes', args=dict(origin='linear', name='newsnap'),
         error=['Origin fixture/linear is a linear or striped volume (lv_attr -wi-a-----), not a thin volume']),
    dict(id='origin-in-empty-vg', fixture='empty_vg', args=dict(origin='thin1', name='newsnap'),
         error=['Origin fixture/thin1 does not exist.']),

    # ---- absent
    dict(id='absent-missing', fixture='pool_with_volumes', args=dict(origin='thin1', name='nosuch', state='absent'),
         changed=False, commands=[], diff=set(), after=dict(name='nosuch', vg='fixture', exists=False)),
    dict(id='absent-missing-without-origin', fixture='empty_vg', args=dict(name='nosuch', state='absent'),
         changed=False, commands=[], diff=set(), after=dict(exists=False)),
    dict(id='absent-remove', fixture='pool_with_volumes', args=dict(origin='thin1', name='snap_default',
                                                                    state='absent'),
         reread=('pool_with_volumes', {}, ('snap_default',)),
         changed=True, commands=[['lvremove', '-y', '-f', 'fixture/snap_default']],
         after=dict(name='snap_default', vg='fixture', exists=False), diff=CHANGED_BY_CREATE),
    dict(id='absent-remove-active-not-open', fixture='pool_with_volumes',
         args=dict(origin='thin1', name='snap_active', state='absent'),
         reread=('pool_with_volumes', {}, ('snap_active',)),
         changed=True, commands=[['lvremove', '-y', '-f', 'fixture/snap_active']], after=dict(exists=False),
         diff=CHANGED_BY_CREATE),
    dict(id='absent-remove-without-origin', fixture='mock_family', args=dict(name=OLD, state='absent'),
         reread=('mock_family', {}, (OLD,)),
         changed=True, commands=[['lvremove', '-y', '-f', 'fixture/' + OLD]], after=dict(exists=False),
         diff=CHANGED_BY_CREATE),
    dict(id='absent-open-refused', fixture='pool_with_volumes', args=dict(name='thin1', state='absent'),
         error=['Snapshot fixture/thin1 is open (mounted or in use): nothing was removed; unmount it first.']),
    dict(id='absent-open-snapshot-refused', fixture=('pool_with_volumes', {'snap_active': {'lv_attr': OPEN}}),
         args=dict(origin='thin1', name='snap_active', state='absent'),
         error=['Snapshot fixture/snap_active is open (mounted or in use): nothing was removed']),
    dict(id='absent-wrong-origin-refused', fixture='pool_with_volumes',
         args=dict(origin='snap_active', name='snap_default', state='absent'),
         error=['fixture/snap_default exists but is a thin volume with origin thin1, not a thin snapshot of '
                'snap_active: it is left alone']),
    dict(id='absent-linear-refused', fixture='pool_with_volumes', args=dict(name='linear', state='absent'),
         error=['fixture/linear exists but is a linear or striped volume, not a thin snapshot: it is left alone']),
    dict(id='absent-pool-refused', fixture='pool_with_volumes',
         args=dict(origin='thin1', name='mockpool', state='absent'),
         error=['fixture/mockpool exists but is a thin pool, not a thin snapshot of thin1']),

    # ---- pruned
    dict(id='prune-keep-1-removes-the-older', fixture='mock_family', args=dict(state='pruned', prefix=UPDATES, keep=1),
         changed=True, commands=[['lvremove', '-y', '-f', 'fixture/' + OLD]], pruned=([NEW], [OLD], [])),
    dict(id='prune-keep-1-by-creation-time-not-name',
         fixture=('mock_family', {OLD: {'lv_time': '1795631206'}, NEW: {'lv_time': '1795631204'}}),
         args=dict(state='pruned', prefix=UPDATES, keep=1),
         changed=True, commands=[['lvremove', '-y', '-f', 'fixture/' + NEW]], pruned=([OLD], [NEW], [])),
    dict(id='prune-keep-0', fixture='mock_family', args=dict(state='pruned', prefix=UPDATES, keep=0),
         changed=True, commands=[['lvremove', '-y', '-f', 'fixture/' + NEW], ['lvremove', '-y', '-f', 'fixture/' + OLD]],
         pruned=([], [NEW, OLD], [])),
    dict(id='prune-keep-2-noop', fixture='mock_family', args=dict(state='pruned', prefix=UPDATES, keep=2),
         changed=False, commands=[], pruned=([NEW, OLD], [], [])),
    dict(id='prune-protect', fixture='mock_family', args=dict(state='pruned', prefix=UPDATES, keep=0, protect=[OLD]),
         changed=True, commands=[['lvremove', '-y', '-f', 'fixture/' + NEW]], pruned=([OLD], [NEW], []),
         kept_because={OLD: 'protected'}),
    dict(id='prune-protect-beyond-keep', fixture='mock_family',
         args=dict(state='pruned', prefix=UPDATES, keep=1, protect=[OLD]),
         changed=False, commands=[], pruned=([NEW, OLD], [], []), kept_because={OLD: 'protected'}),
    dict(id='prune-origin-never-removed', fixture='mock_family',
         args=dict(state='pruned', prefix='mock.foo.postinit', keep=0, origin='mock.foo.postinit'),
         changed=True, commands=[['lvremove', '-y', '-f', 'fixture/' + NEW], ['lvremove', '-y', '-f', 'fixture/' + OLD]],
         pruned=(['mock.foo.postinit'], [NEW, OLD], []), kept_because={'mock.foo.postinit': 'protected'}),
    # mock.foo.postinit is the origin of +mock.foo.ABC: kept without being named.
    dict(id='prune-keeps-the-origin-of-another-volume', fixture='mock_family',
         args=dict(state='pruned', prefix='mock.foo.postinit', keep=1),
         changed=True, commands=[['lvremove', '-y', '-f', 'fixture/' + OLD]],
         pruned=([NEW, 'mock.foo.postinit'], [OLD], []),
         kept_because={'mock.foo.postinit': 'origin of +mock.foo.ABC'}),
    dict(id='prune-origin-volume-goes-with-what-was-made-from-it', fixture=('mock_family', {}, ['+mock.foo.ABC']),
         args=dict(state='pruned', prefix='mock.foo.postinit', keep=1),
         changed=True, commands=[['lvremove', '-y', '-f', 'fixture/' + OLD],
                                 ['lvremove', '-y', '-f', 'fixture/mock.foo.postinit']],
         pruned=([NEW], [OLD, 'mock.foo.postinit'], [])),
    # The snapshot a .snapinfo file names (after mock --rollback-to OLD) stays, as with build_root keep_updates.
    dict(id='prune-keeps-the-snapshot-snapinfo-names', fixture='mock_family',
         args=dict(state='pruned', prefix=UPDATES, keep=0), snapinfo={'.snapinfo-mock.foo.head': OLD},
         changed=True, commands=[['lvremove', '-y', '-f', 'fixture/' + NEW]], pruned=([OLD], [NEW], []),
         kept_because={OLD: 'current: a mock .snapinfo file names it'}),
    dict(id='prune-keeps-the-snapshot-snapinfo-names-beyond-keep', fixture='mock_family',
         args=dict(state='pruned', prefix=UPDATES, keep=1), snapinfo={'.snapinfo-mock.foo.XYZ': OLD + '\n'},
         changed=False, commands=[], pruned=([NEW, OLD], [], []),
         kept_because={OLD: 'current: a mock .snapinfo file names it'}),
    dict(id='prune-without-mock-basedir-warns', fixture='mock_family', no_basedir=True,
         args=dict(state='pruned', prefix=UPDATES, keep=1), snapinfo={'.snapinfo-mock.foo.head': OLD},
         changed=True, commands=[['lvremove', '-y', '-f', 'fixture/' + OLD]], pruned=([NEW], [OLD], []),
         warnings=["No mock .snapinfo file was read (set mock_basedir, or lock_file in mock's basedir): a snapshot "
                   "mock starts a chroot from is not known and may be removed."]),
    dict(id='prune-dotted-root-only-its-own', fixture='mock_family',
         args=dict(state='pruned', prefix='mock.foo.bar.postinit_updated_', keep=1),
         changed=True, commands=[['lvremove', '-y', '-f', 'fixture/mock.foo.bar.postinit_updated_2026-01-01_10-00']],
         pruned=(['mock.foo.bar.postinit_updated_2026-02-01_10-00'],
                 ['mock.foo.bar.postinit_updated_2026-01-01_10-00'], [])),
    dict(id='prune-dashed-root-only-its-own', fixture='mock_family',
         args=dict(state='pruned', prefix='mock.foo-bar.postinit_updated_', keep=0),
         changed=True, commands=[['lvremove', '-y', '-f', 'fixture/mock.foo-bar.postinit_updated_2026-02-01_10-00'],
                                 ['lvremove', '-y', '-f', 'fixture/mock.foo-bar.postinit_updated_2026-01-01_10-00']],
         pruned=([], ['mock.foo-bar.postinit_updated_2026-02-01_10-00',
                      'mock.foo-bar.postinit_updated_2026-01-01_10-00'], [])),
    dict(id='prune-nothing-matches', fixture='mock_family', args=dict(state='pruned', prefix='mock.nosuch.', keep=0),
         changed=False, commands=[], pruned=([], [], [])),
    dict(id='prune-snapshots-of-thin1', fixture='pool_with_volumes', args=dict(state='pruned', prefix='snap_', keep=1),
         changed=True, commands=[['lvremove', '-y', '-f', 'fixture/snap_default']],
         pruned=(['snap_active'], ['snap_default'], [])),
    dict(id='prune-non-strict-open-is-skipped', fixture=('mock_family', {OLD: {'lv_attr': OPEN}}),
         args=dict(state='pruned', prefix=UPDATES, keep=1),
         changed=False, commands=[], pruned=([NEW], [], [OLD]),
         warnings=['Kept fixture/%s although it is beyond keep=1: it is open or mounted.' % OLD]),
    dict(id='prune-non-strict-open-skipped-others-removed', fixture=('mock_family', {OLD: {'lv_attr': OPEN}}),
         args=dict(state='pruned', prefix=UPDATES, keep=0),
         changed=True, commands=[['lvremove', '-y', '-f', 'fixture/' + NEW]], pruned=([], [NEW], [OLD]),
         warnings=['Kept fixture/%s although it is beyond keep=0: it is open or mounted.' % OLD]),
    # thin1 is open and the origin of snap_active and snap_default: kept as an origin.
    dict(id='prune-origin-thin1-kept', fixture='pool_with_volumes', args=dict(state='pruned', prefix='thin', keep=0),
         changed=False, commands=[], pruned=(['thin1'], [], []), kept_because={'thin1': 'origin of snap_active'}),
    dict(id='prune-open-thin1-skipped', fixture=('pool_with_volumes', {}, ['snap_default', 'snap_active']),
         args=dict(state='pruned', prefix='thin', keep=0),
         changed=False, commands=[], pruned=([], [], ['thin1']),
         warnings=['Kept fixture/thin1 although it is beyond keep=0: it is open or mounted.']),
    dict(id='prune-strict-without-open', fixture='mock_family',
         args=dict(state='pruned', prefix=UPDATES, keep=1, strict=True),
         changed=True, commands=[['lvremove', '-y', '-f', 'fixture/' + OLD]], pruned=([NEW], [OLD], [])),
    dict(id='prune-strict-open-within-keep', fixture=('mock_family', {NEW: {'lv_attr': OPEN}}),
         args=dict(state='pruned', prefix=UPDATES, keep=1, strict=True),
         changed=True, commands=[['lvremove', '-y', '-f', 'fixture/' + OLD]], pruned=([NEW], [OLD], [])),
    dict(id='prune-strict-open-fails', fixture=('mock_family', {OLD: {'lv_attr': OPEN}}),
         args=dict(state='pruned', prefix=UPDATES, keep=0, strict=True),
         error=['Snapshots to prune are open or mounted: %s. Nothing was removed (strict: true).' % OLD]),
    dict(id='prune-empty-prefix', fixture='mock_family', args=dict(state='pruned', prefix='', keep=1),
         error=['prefix must not be empty: an empty prefix would match every volume of fixture.']),
    dict(id='prune-negative-keep', fixture='mock_family', args=dict(state='pruned', prefix=UPDATES, keep=-1),
         error=['keep -1 must be 0 or more.']),
    dict(id='prune-mock-basedir-missing', fixture='mock_family',
         args=dict(state='pruned', prefix=UPDATES, keep=1, mock_basedir='/nonexistent/mock'),
         error=["mock_basedir /nonexistent/mock is not a directory: give mock's basedir"]),

    # ---- invalid arguments: nothing runs
    dict(id='required-origin-for-present', fixture='pool_with_volumes', args=dict(name='newsnap'), reads=[],
         error=['state is present but all of the following are missing: origin']),
    dict(id='required-name-and-origin-for-present', fixture='pool_with_volumes', args=dict(), reads=[],
         error=['state is present but all of the following are missing: origin, name']),
    dict(id='required-name-for-absent', fixture='pool_with_volumes', args=dict(origin='thin1', state='absent'),
         reads=[], error=['state is absent but all of the following are missing: name']),
    dict(id='required-keep-for-pruned', fixture='mock_family', args=dict(state='pruned', prefix=UPDATES), reads=[],
         error=['state is pruned but all of the following are missing: keep']),
    dict(id='invalid-state', fixture='pool_with_volumes', args=dict(name='x', origin='thin1', state='gone'),
         reads=[], error=['state', 'gone']),
    dict(id='invalid-vg', fixture='pool_with_volumes', args=dict(vg='my vg', origin='thin1', name='x'), reads=[],
         error=["vg 'my vg' is not a valid LVM name"]),
    dict(id='invalid-name', fixture='pool_with_volumes', args=dict(origin='thin1', name='snapshot1'), reads=[],
         error=["name 'snapshot1' is not a valid LVM name: LVM reserves names starting with"]),
    dict(id='invalid-origin', fixture='pool_with_volumes', args=dict(origin='-thin1', name='x'), reads=[],
         error=["origin '-thin1' is not a valid LVM name"]),
]

SUCCESS_CASES = [case for case in CASES if 'error' not in case]
ERROR_CASES = [case for case in CASES if 'error' in case]


def _ids(cases):
    return [case['id'] for case in cases]


def _state(case):
    return case['args'].get('state', 'present')


@pytest.fixture
def run_case(fake_lvm, run_module, lvm_reports, tmp_path):
    """Configure the fake LVM for a table case, write its .snapinfo files, and run the module; a pruning case reads
    mock's basedir (tmp_path/mock) unless it says no_basedir."""

    def _run(case, check_mode=False, diff=False, extra_args=None):
        first = lvm_reports.resolve(case['fixture'])
        reread = lvm_reports.resolve(case.get('reread', case['fixture']))
        fake_lvm.set(lvs=[first, reread]).ok('lvcreate', 'lvchange', 'lvremove')
        basedir = tmp_path / 'mock'
        if not basedir.exists():
            basedir.mkdir()
        for name, text in case.get('snapinfo', {}).items():
            (basedir / name).write_text(u'%s' % text)
        args = {'vg': 'fixture'}
        if _state(case) == 'pruned' and not case.get('no_basedir'):
            args['mock_basedir'] = str(basedir)
        args.update(case['args'])
        args.update(extra_args or {})
        return run_module(thin_snapshot, args, check_mode=check_mode, diff=diff)

    return _run


def _differing(before, after):
    missing = object()
    return set(key for key in set(before) | set(after) if before.get(key, missing) != after.get(key, missing))


def test_case_table_is_consistent():
    assert len(set(_ids(CASES))) == len(CASES)
    for case in SUCCESS_CASES:
        assert case['changed'] == bool(case['commands']), case['id']
        if _state(case) == 'pruned':
            assert 'pruned' in case and 'after' not in case and 'reread' not in case, case['id']
        else:
            assert set(case) >= {'after', 'diff'}, case['id']
            # A real change is followed by a re-read that must show it.
            assert ('reread' in case) == case['changed'], case['id']


@pytest.mark.parametrize('case', SUCCESS_CASES, ids=_ids(SUCCESS_CASES))
def test_thin_snapshot(case, run_case):
    res = run_case(case)
    assert not res.failed, res
    assert res.changed is case['changed']
    assert res.mutating == case['commands']
    reread = ['lvs'] if case['changed'] and _state(case) != 'pruned' else []
    assert res.tools == ['lvs'] + [command[0] for command in case['commands']] + reread
    assert res.result['commands'] == res.commands
    assert res.warnings == case.get('warnings', [])
    assert 'diff' not in res.result and 'lock_file' not in res.result
    if _state(case) == 'pruned':
        assert 'snapshot' not in res.result
        kept, removed, skipped = case['pruned']
        assert [lv['name'] for lv in res.result['kept']] == kept
        assert [lv['name'] for lv in res.result['removed']] == removed
        assert [lv['name'] for lv in res.result['skipped']] == skipped
        assert res.result['kept_because'] == case.get('kept_because', {})
    else:
        # After a change: what the re-read shows.
        snapshot = res.result['snapshot']
        for key, value in case['after'].items():
            assert snapshot.get(key) == value, key
        if snapshot['exists']:
            assert set(snapshot) == FACT_KEYS


@pytest.mark.parametrize('case', SUCCESS_CASES, ids=_ids(SUCCESS_CASES))
def test_thin_snapshot_check_mode(case, run_case):
    res = run_case(case, check_mode=True)
    assert not res.failed, res
    assert res.changed is case['changed']
    # Only the read ran; `commands` lists it, then what would run.
    assert res.tools == ['lvs']
    assert res.mutating == []
    assert res.result['commands'][0][0] == 'lvs'
    assert res.result['commands'][1:] == case['commands']
    assert res.warnings == case.get('warnings', [])
    if _state(case) == 'pruned':
        kept, removed, skipped = case['pruned']
        assert ([lv['name'] for lv in res.result['kept']], [lv['name'] for lv in res.result['removed']],
                [lv['name'] for lv in res.result['skipped']]) == (kept, removed, skipped)
    else:
        # The predicted state.
        snapshot = res.result['snapshot']
        for key, value in case['after'].items():
            if key not in ('data_percent', 'creation_time'):
                assert snapshot.get(key) == value, key


@pytest.mark.parametrize('case', SUCCESS_CASES, ids=_ids(SUCCESS_CASES))
def test_thin_snapshot_diff(case, run_case):
    res = run_case(case, check_mode=True, diff=True)
    assert not res.failed, res
    diff = res.result['diff']
    if _state(case) == 'pruned':
        kept, removed, skipped = case['pruned']
        assert diff['before'] == {'snapshots': sorted(kept + removed + skipped)}
        assert diff['after'] == {'snapshots': sorted(kept + skipped)}
    else:
        assert diff['after'] == res.result['snapshot']
        assert diff['before']['name'] == case['args']['name']
        assert _differing(diff['before'], diff['after']) == case['diff']
    assert (diff['before'] != diff['after']) is case['changed']


@pytest.mark.parametrize('case', ERROR_CASES, ids=_ids(ERROR_CASES))
@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_thin_snapshot_errors(case, check_mode, run_case):
    res = run_case(case, check_mode=check_mode)
    assert res.failed, res
    for fragment in case['error']:
        assert fragment in res.msg
    assert not res.changed
    # Nothing was changed: only the read ran (none for invalid arguments).
    assert res.tools == case.get('reads', ['lvs'])
    assert res.mutating == []
    if case.get('reads', ['lvs']):
        assert res.result['commands'] == res.commands


# --------------------------------------------------------------------------- real runs

def test_real_create_diff_shows_the_reread(fake_lvm, run_module, lvm_reports):
    reread = added('pool_with_volumes', ('snap_default', 'newsnap', {}))
    fake_lvm.set(lvs=[lvm_reports.text('pool_with_volumes'), lvm_reports.resolve(reread)])
    fake_lvm.ok('lvcreate')
    res = run_module(thin_snapshot, dict(vg='fixture', origin='thin1', name='newsnap'), diff=True)
    assert res.changed is True
    assert res.calls[0].args == res.calls[2].args
    assert res.result['diff']['before'] == {'name': 'newsnap', 'vg': 'fixture', 'exists': False}
    after = res.result['diff']['after']
    assert after == res.result['snapshot']
    # The real creation time, from the re-read (the prediction has none).
    assert after['creation_time'] == int(lvm_reports.row('pool_with_volumes', 'snap_default')['lv_time'])


def test_failing_lvcreate_reports_lvm_error(fake_lvm, run_module, lvm_reports):
    stderr = '  Cannot create new thin volume, free space in thin pool fixture/mockpool reached threshold.\n'
    fake_lvm.set(lvs=lvm_reports.text('pool_with_volumes'), lvcreate=(5, '', stderr))
    res = run_module(thin_snapshot, dict(vg='fixture', origin='thin1', name='newsnap'))
    assert res.failed
    assert res.msg == ('lvcreate failed (rc=5): Cannot create new thin volume, free space in thin pool '
                       'fixture/mockpool reached threshold.')
    assert res.result['cmd'] == ['/usr/sbin/lvcreate', '-s', 'fixture/thin1', '-n', 'newsnap', '-k', 'y']
    assert res.tools == ['lvs', 'lvcreate']
    assert res.result['commands'] == res.commands


def test_failing_first_lvchange_stops_before_activation(fake_lvm, run_module, lvm_reports):
    fake_lvm.set(lvs=lvm_reports.text('pool_with_volumes'), lvchange=[(5, '', '  failed\n')])
    res = run_module(thin_snapshot, dict(vg='fixture', origin='thin1', name='snap_default', activation_skip=False))
    assert res.failed
    assert res.mutating == [['lvchange', '--setactivationskip', 'n', 'fixture/snap_default']]


def test_missing_vg(fake_lvm, run_module):
    fake_lvm.set(lvs=(5, '', '  Volume group "fixture" not found\n'))
    res = run_module(thin_snapshot, dict(vg='fixture', origin='thin1', name='newsnap'))
    assert res.failed
    assert res.msg.startswith("Volume group 'fixture' not found")
    assert res.tools == ['lvs']


# --------------------------------------------------------------------------- lock_file

LOCK_ARGS = [
    ('present', dict(origin='thin1', name='newsnap'), 'pool_with_volumes'),
    ('absent', dict(origin='thin1', name='snap_default', state='absent'), 'pool_with_volumes'),
    ('pruned', dict(state='pruned', prefix=UPDATES, keep=0), 'mock_family'),
]


@pytest.fixture
def lock_file(tmp_path):
    path = tmp_path / '.lvm-mock.foo.lock'
    path.write_text(u'')
    return str(path)


@pytest.mark.parametrize('args, fixture', [a[1:] for a in LOCK_ARGS], ids=[a[0] for a in LOCK_ARGS])
@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_lock_file_busy(fake_lvm, run_module, lvm_reports, lock_holder, lock_file, args, fixture, check_mode):
    fake_lvm.set(lvs=lvm_reports.text(fixture)).ok('lvcreate', 'lvremove')
    lock_holder.hold(lock_file)
    res = run_module(thin_snapshot, dict(args, vg='fixture', lock_file=lock_file), check_mode=check_mode)
    assert res.failed, res
    assert res.msg.startswith('Busy: %s is locked by another process' % lock_file)
    assert 'nothing was changed' in res.msg
    assert not res.changed
    # The lock is taken before anything else: not even the read ran.
    assert res.tools == [] and res.result['commands'] == []
    assert os.path.getsize(lock_file) == 0


@pytest.mark.parametrize('args, fixture', [a[1:] for a in LOCK_ARGS], ids=[a[0] for a in LOCK_ARGS])
def test_lock_file_held_during_the_change_and_released(fake_lvm, run_module, lvm_reports, lock_holder,
                                                       lock_file, args, fixture):
    seen = []

    def mutate(argv):
        seen.append(lock_holder.locked_elsewhere(lock_file))
        return (0, '', '')

    fake_lvm.set(lvs=lvm_reports.text(fixture), lvcreate=mutate, lvremove=mutate)
    res = run_module(thin_snapshot, dict(args, vg='fixture', lock_file=lock_file))
    assert not res.failed, res
    assert res.changed is True
    assert seen and all(seen)
    assert res.result['lock_file'] == {'path': lock_file, 'existed': True}
    assert not lock_holder.locked_elsewhere(lock_file)
    assert os.path.getsize(lock_file) == 0


def test_lock_file_released_after_a_failure(fake_lvm, run_module, lvm_reports, lock_holder, lock_file):
    fake_lvm.set(lvs=lvm_reports.text('pool_with_volumes'))
    res = run_module(thin_snapshot, dict(vg='fixture', name='thin1', state='absent',
                                         lock_file=lock_file))
    assert res.failed and 'is open' in res.msg
    assert not lock_holder.locked_elsewhere(lock_file)


@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_lock_file_missing_is_not_created(fake_lvm, run_module, lvm_reports, tmp_path, check_mode):
    path = str(tmp_path / 'never-built' / '.lvm-mock.foo.lock')
    fake_lvm.set(lvs=lvm_reports.text('mock_family')).ok('lvremove')
    res = run_module(thin_snapshot, dict(vg='fixture', state='pruned', prefix=UPDATES, keep=1, lock_file=path),
                     check_mode=check_mode)
    assert not res.failed, res
    assert res.changed is True
    assert res.result['lock_file'] == {'path': path, 'existed': False}
    assert res.result['commands'][1:] == [['lvremove', '-y', '-f', 'fixture/' + OLD]]
    assert res.mutating == ([] if check_mode else [['lvremove', '-y', '-f', 'fixture/' + OLD]])
    assert not os.path.exists(path) and os.listdir(str(tmp_path)) == []


@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_lock_file_directory_is_mocks_basedir(fake_lvm, run_module, lvm_reports, lock_file, tmp_path, check_mode):
    """Without mock_basedir, the .snapinfo files beside lock_file count: after mock --rollback-to OLD the module's
    documented example (keep: 2 with lock_file) never removes what mock starts from."""
    (tmp_path / '.snapinfo-mock.foo.head').write_text(u'%s' % OLD)
    fake_lvm.set(lvs=lvm_reports.text('mock_family')).ok('lvremove')
    res = run_module(thin_snapshot, dict(vg='fixture', state='pruned', prefix=UPDATES, keep=0, lock_file=lock_file),
                     check_mode=check_mode)
    assert not res.failed, res
    assert [lv['name'] for lv in res.result['removed']] == [NEW]
    assert res.result['kept_because'] == {OLD: 'current: a mock .snapinfo file names it'}
    assert res.result['snapinfo_files'] == [str(tmp_path / '.snapinfo-mock.foo.head')]
    assert res.result['commands'][1:] == [['lvremove', '-y', '-f', 'fixture/' + NEW]]
    assert res.mutating == ([] if check_mode else [['lvremove', '-y', '-f', 'fixture/' + NEW]])
    assert res.warnings == []


def test_lock_file_noop_still_reports_the_lock(fake_lvm, run_module, lvm_reports, lock_file):
    fake_lvm.set(lvs=lvm_reports.text('pool_with_volumes'))
    res = run_module(thin_snapshot, dict(vg='fixture', origin='thin1', name='snap_default', lock_file=lock_file))
    assert res.changed is False
    assert res.tools == ['lvs']
    assert res.result['lock_file'] == {'path': lock_file, 'existed': True}
