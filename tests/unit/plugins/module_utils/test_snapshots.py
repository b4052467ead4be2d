# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of snapshot retention, on LogicalVolume rows (edited rows of the captured mock_family report, or
rows built here)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import LogicalVolume, LvmError
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._snapshots import (
    plan_retention,
    snapshot_facts,
)

UPDATES = 'mock.foo.postinit_updated_'
OLD, NEW = UPDATES + '2026-01-01_10-00', UPDATES + '2026-02-01_10-00'


def volume(name, time, attr='Vwi---t--k', pool='mockpool', origin='+mock.foo.head'):
    """A thin snapshot row as lvs reports it (fields of the captured reports)."""
    return LogicalVolume({'lv_name': name, 'vg_name': 'fixture', 'lv_attr': attr, 'lv_size': '268435456',
                          'pool_lv': pool, 'origin': origin, 'data_percent': '', 'lv_time': str(time),
                          'lv_path': '/dev/fixture/' + name, 'lv_uuid': 'uuid-' + name})


def captured(lvm_reports, changes=None):
    """The mock_family volumes, with {lv_name: {field: value}} changes."""
    volumes = []
    for row in lvm_reports.rows('mock_family'):
        row.update((changes or {}).get(row['lv_name'], {}))
        volumes.append(LogicalVolume(row))
    return volumes


def names(lvs):
    return [lv.name for lv in lvs]


# --------------------------------------------------------------------------- plan_retention

# (id, volumes as (name, time[, attr]), prefix, keep, protected, kept, removed, skipped) -- lists newest first
RETENTION_CASES = [
    ('keep-newest-by-time-not-name',
     [(UPDATES + 'c', 100), (UPDATES + 'a', 300), (UPDATES + 'b', 200)], UPDATES, 1, (),
     [UPDATES + 'a'], [UPDATES + 'b', UPDATES + 'c'], []),
    ('keep-two-by-time',
     [(UPDATES + 'c', 100), (UPDATES + 'a', 300), (UPDATES + 'b', 200)], UPDATES, 2, (),
     [UPDATES + 'a', UPDATES + 'b'], [UPDATES + 'c'], []),
    ('same-time-name-breaks-tie',
     [(UPDATES + 'a', 100), (UPDATES + 'b', 100)], UPDATES, 1, (), [UPDATES + 'b'], [UPDATES + 'a'], []),
    ('no-time-is-oldest',
     [(UPDATES + 'z', ''), (UPDATES + 'a', 5)], UPDATES, 1, (), [UPDATES + 'a'], [UPDATES + 'z'], []),
    ('keep-0-removes-all',
     [(OLD, 100), (NEW, 200)], UPDATES, 0, (), [], [NEW, OLD], []),
    ('keep-more-than-there-are',
     [(OLD, 100), (NEW, 200)], UPDATES, 5, (), [NEW, OLD], [], []),
    ('protected-beyond-keep-is-kept-too',
     [(OLD, 100), (NEW, 200)], UPDATES, 1, (OLD,), [NEW, OLD], [], []),
    ('protected-with-keep-0',
     [(OLD, 100), (NEW, 200)], UPDATES, 0, (OLD,), [OLD], [NEW], []),
    ('protected-open-counts-as-kept',
     [(OLD, 100, 'Vwi-aot---'), (NEW, 200)], UPDATES, 0, (OLD,), [OLD], [NEW], []),
    ('open-beyond-keep-skipped',
     [(OLD, 100, 'Vwi-aot---'), (NEW, 200)], UPDATES, 1, (), [NEW], [], [OLD]),
    ('open-within-keep-kept',
     [(OLD, 100), (NEW, 200, 'Vwi-aot---')], UPDATES, 1, (), [NEW], [OLD], []),
    ('active-not-open-is-removed',
     [(OLD, 100, 'Vwi-a-t---'), (NEW, 200)], UPDATES, 1, (), [NEW], [OLD], []),
    ('non-matching-untouched',
     [(OLD, 100), (NEW, 200), ('mock.foo.postinit', 50), ('mock.foo.bar.postinit_updated_x', 10),
      ('+mock.foo.head', 1, 'Vwi-a-t---'), ('mock.foo-bar.postinit_updated_x', 20)],
     UPDATES, 0, (), [], [NEW, OLD], []),
    ('matching-but-not-thin-untouched',
     [(OLD, 100), (UPDATES + 'linear', 300, '-wi-a-----'), (UPDATES + 'pool', 400, 'twi-aot---')],
     UPDATES, 0, (), [], [OLD], []),
    ('nothing-matches', [('thin1', 100)], UPDATES, 0, (), [], [], []),
]


@pytest.mark.parametrize('rows, prefix, keep, protected, kept, removed, skipped',
                         [c[1:] for c in RETENTION_CASES], ids=[c[0] for c in RETENTION_CASES])
def test_plan_retention(rows, prefix, keep, protected, kept, removed, skipped):
    retention = plan_retention([volume(*row) for row in rows], prefix, keep, protected)
    assert (names(retention.kept), names(retention.removed), names(retention.skipped)) == (kept, removed, skipped)


def test_plan_retention_on_the_captured_family_follows_lv_time(lvm_reports):
    retention = plan_retention(captured(lvm_reports), UPDATES, 1)
    assert names(retention.kept) == [NEW]
    assert names(retention.removed) == [OLD]
    assert retention.skipped == []


def test_plan_retention_on_the_captured_family_with_creation_times_swapped(lvm_reports):
    """The name says January is older; LVM's creation time says it is newer: the time wins."""
    new_time = lvm_reports.row('mock_family', NEW)['lv_time']
    old_time = lvm_reports.row('mock_family', OLD)['lv_time']
    volumes = captured(lvm_reports, {OLD: {'lv_time': new_time}, NEW: {'lv_time': old_time}})
    retention = plan_retention(volumes, UPDATES, 1)
    assert names(retention.kept) == [OLD]
    assert names(retention.removed) == [NEW]


def test_plan_retention_keeps_other_roots_of_the_captured_family(lvm_reports):
    retention = plan_retention(captured(lvm_reports), 'mock.foo.', 0)
    # The prefix 'mock.foo.' also matches foo.bar's volumes (retention knows names, not roots) but never
    # foo-bar's or the bootstrap's; the linear LV and the pool are never candidates. The postinit snapshots are the
    # origins of the +mock.R.ABC working volumes: kept.
    assert sorted(names(retention.removed)) == sorted(
        [OLD, NEW, 'mock.foo.bar.postinit_updated_2026-01-01_10-00', 'mock.foo.bar.postinit_updated_2026-02-01_10-00'])
    assert retention.reasons == {'mock.foo.postinit': 'origin of +mock.foo.ABC',
                                 'mock.foo.bar.postinit': 'origin of +mock.foo.bar.ABC'}


# The one rule of build_root keep_updates and thin_snapshot state=pruned: (id, keep, current, protected, kept,
# removed, reasons) on the captured family's updates of foo (NEW newest).
RULE_CASES = [
    ('current-beyond-keep-stays', 0, [OLD], (), [OLD], [NEW], {OLD: 'current: a mock .snapinfo file names it'}),
    ('current-within-keep-needs-no-reason', 1, [NEW], (), [NEW], [OLD], {}),
    ('current-and-protected', 0, [OLD], [NEW], [NEW, OLD], [],
     {OLD: 'current: a mock .snapinfo file names it', NEW: 'protected'}),
    ('current-of-another-root-changes-nothing', 0, ['mock.foo.bar.postinit'], (), [], [NEW, OLD], {}),
]


@pytest.mark.parametrize('keep, current, protected, kept, removed, reasons', [c[1:] for c in RULE_CASES],
                         ids=[c[0] for c in RULE_CASES])
def test_the_retention_rule(lvm_reports, keep, current, protected, kept, removed, reasons):
    retention = plan_retention(captured(lvm_reports), UPDATES, keep, protected, current)
    assert (names(retention.kept), names(retention.removed), retention.reasons) == (kept, removed, reasons)


def test_an_origin_among_everyone_stays(lvm_reports):
    """A working volume made from OLD (after mock --rollback-to OLD, or a --uniqueext started from it) keeps it,
    even when only the family's own volumes are candidates."""
    made = volume('+mock.foo.XYZ', 400, 'Vwi-a-t---', origin=OLD)
    retention = plan_retention(captured(lvm_reports), UPDATES, 0, everyone=captured(lvm_reports) + [made])
    assert (names(retention.kept), names(retention.removed)) == ([OLD], [NEW])
    assert retention.reasons == {OLD: 'origin of +mock.foo.XYZ'}


@pytest.mark.parametrize('keep', [-1, -5])
def test_plan_retention_negative_keep(keep):
    with pytest.raises(LvmError) as err:
        plan_retention([volume(OLD, 100)], UPDATES, keep)
    assert str(err.value) == 'keep %d must be 0 or more.' % keep


def test_retention_as_result(lvm_reports):
    volumes = captured(lvm_reports, {OLD: {'lv_attr': 'Vwi-aot---', 'data_percent': '1.50'}})
    result = plan_retention(volumes, UPDATES, 0).as_result()
    assert set(result) == {'kept', 'removed', 'skipped', 'kept_because'}
    assert result['kept'] == []
    assert [item['name'] for item in result['removed']] == [NEW]
    assert result['skipped'] == [{
        'name': OLD, 'vg': 'fixture', 'origin': '+mock.foo.head', 'pool': 'mockpool', 'size': 268435456,
        'creation_time': int(lvm_reports.row('mock_family', OLD)['lv_time']), 'data_percent': 1.5, 'active': True,
        'open': True, 'activation_skip': False}]


def test_snapshot_facts_of_captured_snapshots(lvm_reports):
    rows = dict((row['lv_name'], LogicalVolume(row)) for row in lvm_reports.rows('pool_with_volumes'))
    default, active = snapshot_facts(rows['snap_default']), snapshot_facts(rows['snap_active'])
    assert (default['origin'], default['pool'], default['active'], default['open'], default['activation_skip'],
            default['data_percent']) == ('thin1', 'mockpool', False, False, True, None)
    assert (active['active'], active['open'], active['activation_skip'], active['data_percent']) == (
        True, False, False, 0.0)
    assert snapshot_facts(rows['thin1'])['open'] is True
