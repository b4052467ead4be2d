# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of buildfleet.mock_lvm.thinpool_info, fed by the `lvm fullreport` captured from lvm2 2.03.16
(VG fixture: thin pool mockpool 512 MiB, data 9.64 %, metadata 10.60 %, a linear LV, three thin volumes)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.buildfleet.mock_lvm.plugins.modules import thinpool_info


@pytest.fixture
def profile_dir(tmp_path):
    (tmp_path / 'mock_lvm-fixture-mockpool.profile').write_text(
        'activation {\n\tthin_pool_autoextend_threshold = 80\n\tthin_pool_autoextend_percent = 20\n}\n')
    return str(tmp_path)


def test_declared_pools_are_read_with_one_command_and_missing_ones_say_why(
        fake_lvm, run_module, lvm_reports, profile_dir):
    fake_lvm.set(lvm=lvm_reports.text('host_fullreport'))
    declared = [{'vg': 'fixture', 'name': 'mockpool', 'size': '1G', 'monitor': True}, {'vg': 'fixture', 'name': 'gone'},
                {'vg': 'fixture', 'name': 'linear'}, {'vg': 'nowhere', 'name': 'mockpool'}]
    res = run_module(thinpool_info, dict(pools=declared, profile_dir=profile_dir), check_mode=True)
    assert not res.failed and res.changed is False
    assert res.tools == ['lvm'] and res.result['commands'] == res.commands
    found = res.result['pools']
    assert [(p['vg'], p['name'], p['exists']) for p in found] == [
        ('fixture', 'mockpool', True), ('fixture', 'gone', False), ('fixture', 'linear', False),
        ('nowhere', 'mockpool', False)]
    assert (found[0]['data_percent'], found[0]['metadata_percent'], found[0]['size']) == (9.64, 10.6, 512 * 1024 ** 2)
    assert (found[0]['autoextend_threshold'], found[0]['autoextend_percent'], found[0]['problem']) == (80, 20, None)
    assert found[0]['thin_volumes'] == ['snap_active', 'snap_default', 'thin1']
    assert [p['problem'] for p in found[1:]] == ['thin pool fixture/gone does not exist',
                                                 'fixture/linear is a linear or striped volume, not a thin pool',
                                                 'volume group nowhere does not exist']
    assert res.warnings == []


def test_without_pools_every_thin_pool_of_the_host_is_read_and_full_ones_warn(fake_lvm, run_module, lvm_reports):
    data = lvm_reports.report('host_fullreport')
    for row in data['report'][0]['lv']:
        if row['lv_name'] == 'mockpool':
            row['metadata_percent'] = '95.00'
    fake_lvm.set(lvm=json.dumps(data))
    res = run_module(thinpool_info, {})
    assert [(p['vg'], p['name']) for p in res.result['pools']] == [('fixture', 'mockpool')]
    assert len(res.warnings) == 1 and 'metadata use is 95.00 %' in res.warnings[0]


def test_a_failed_read_fails_with_the_command(fake_lvm, run_module):
    fake_lvm.set(lvm=(5, '', '  Locking failed.\n'))
    res = run_module(thinpool_info, {'pools': [{'vg': 'fixture', 'name': 'mockpool'}]})
    assert res.failed and 'lvm failed (rc=5): Locking failed.' in res.msg
    assert res.result['cmd'][1] == 'fullreport'


def _pool_edited(lvm_reports, **fields):
    """The captured fullreport with mockpool's row edited (a hand-edited copy: only lv_attr's state or health
    character and the percentages LVM leaves empty where it cannot read the pool's status)."""
    data = lvm_reports.report('host_fullreport')
    for row in data['report'][0]['lv']:
        if row['lv_name'] == 'mockpool':
            row.update(fields)
    return json.dumps(data)


# id, mockpool's fields (captured: lv_attr twi-aot---, data 9.64, metadata 10.60), health, data, metadata, warning
HEALTH_CASES = [
    ('inactive', dict(lv_attr='twi---t---', data_percent='', metadata_percent=''), 'inactive', None, None,
     'Thin pool fixture/mockpool is not active: its use cannot be read and mock cannot use it (lv_attr twi---t---).'),
    ('out-of-data-space', dict(lv_attr='twi-aot-D-', data_percent='100.00'), 'out_of_data_space', 100.0, 10.6,
     'Thin pool fixture/mockpool is out of data space: writes to its thin volumes fail or wait until it is grown'),
    ('metadata-read-only', dict(lv_attr='twi-aot-M-', metadata_percent='100.00'), 'metadata_read_only', 9.64, 100.0,
     'Thin pool fixture/mockpool has read-only metadata (metadata space exhausted or a metadata error)'),
    ('failed', dict(lv_attr='twi-aot-F-', data_percent='', metadata_percent=''), 'failed', None, None,
     'Thin pool fixture/mockpool has failed'),
    ('check-needed', dict(lv_attr='twi-cot---'), 'check_needed', 9.64, 10.6,
     'Thin pool fixture/mockpool needs a metadata check (thin_check); lvconvert --repair'),
    ('health-unknown', dict(lv_attr='twi-aot-X-'), 'health_unknown', 9.64, 10.6,
     'Thin pool fixture/mockpool has a health LVM cannot determine'),
]


@pytest.mark.parametrize('fields, health, data, metadata, warning', [c[1:] for c in HEALTH_CASES],
                         ids=[c[0] for c in HEALTH_CASES])
def test_a_broken_pool_is_a_finding_with_its_cause(
        fake_lvm, run_module, lvm_reports, fields, health, data, metadata, warning):
    fake_lvm.set(lvm=_pool_edited(lvm_reports, **fields))
    res = run_module(thinpool_info, {'pools': [{'vg': 'fixture', 'name': 'mockpool'}]})
    assert not res.failed, res
    [pool] = res.result['pools']
    found = (pool['exists'], pool['health'], pool['data_percent'], pool['metadata_percent'])
    assert found == (True, health, data, metadata)
    assert pool['health_problem'].startswith(warning)
    assert pool['health_problem'].endswith('(lv_attr %s).' % fields['lv_attr'])
    assert res.warnings[0] == pool['health_problem']
    assert res.tools == ['lvm']


def test_a_healthy_pool_says_ok(fake_lvm, run_module, lvm_reports):
    fake_lvm.set(lvm=lvm_reports.text('host_fullreport'))
    [pool] = run_module(thinpool_info, {}).result['pools']
    assert (pool['health'], pool['health_problem'], pool['active']) == ('ok', None, True)
