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
