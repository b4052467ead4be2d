# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""roles/builder/files/mock_lvm_maintenance.py, the maintenance timer's program, against captured LVM reports.

Its commands go through the same fake as the modules' (fake_lvm), so the test sees every command it runs.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib.util
import json
import os
import stat

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OLD = 'mock.foo.postinit_updated_2026-01-01_10-00'


@pytest.fixture
def program(fake_lvm, monkeypatch):
    spec = importlib.util.spec_from_file_location(
        'mock_lvm_maintenance', os.path.join(ROOT, 'roles', 'builder', 'files', 'mock_lvm_maintenance.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module.Runner, 'run_command', lambda self, args, environ_update=None: fake_lvm(args))
    monkeypatch.setattr(module.Runner, 'get_bin_path', staticmethod(lambda name, required=False: '/usr/sbin/' + name))
    return module


@pytest.fixture
def settings(tmp_path, foo_basedir, foo_config):
    (tmp_path / 'textfile').mkdir()
    # Before the captured postinit was made (1795631202): the config is not newer.
    os.utime(str(foo_config), (1795631000, 1795631000))
    data = {'host': 'b1', 'basedir': str(foo_basedir), 'mock_command': ['mock'],
            'configs': [{'name': 'foo-lvm', 'root': 'foo', 'vg': 'fixture', 'pool': 'mockpool',
                         'path': str(foo_config), 'other_roots': [], 'prewarm': False}],
            'pools': [{'vg': 'fixture', 'name': 'mockpool'}], 'refresh': True, 'max_age_days': 100000.0,
            'keep_updates': 1, 'reap': False, 'textfile_dir': str(tmp_path / 'textfile')}
    path = tmp_path / 'settings.json'
    path.write_text(u'%s' % json.dumps(data))
    return path


def test_prunes_and_writes_the_textfile(program, fake_lvm, lvm_reports, settings, tmp_path, capsys):
    fake_lvm.set(lvs=[lvm_reports.resolve(s) for s in ('mock_family', 'mock_family',
                                                       ('mock_family', {}, [OLD]))],
                 lvm=lvm_reports.text('host_fullreport'))
    fake_lvm.ok('lvremove')
    assert program.main([str(settings)]) == 0
    assert [c.command[:3] + c.command[-1:] for c in fake_lvm.mutating] == [['lvremove', '-y', '-f', 'fixture/' + OLD]]
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]['status'] == 'changed' and lines[0]['removed'] == [OLD] and lines[0]['refreshed'] is False
    assert lines[-1]['summary'] and lines[-1]['failed'] == 0
    from prometheus_client.parser import text_string_to_metric_families
    text = (tmp_path / 'textfile' / 'mock_lvm.prom').read_text()
    samples = dict((s.name, s.value) for f in text_string_to_metric_families(text) for s in f.samples)
    assert samples['mock_lvm_postinit_timestamp_seconds'] == 1795631202
    assert samples['mock_lvm_config_newer_than_postinit'] == 0
    assert samples['mock_lvm_pool_read_ok'] == 1 and 'mock_lvm_pool_data_percent' in samples
    # Health and the VG's headroom as pool_report gives them (thinpool_info's code): not a pool shown unhealthy.
    assert samples['mock_lvm_pool_healthy'] == 1 and 'mock_lvm_pool_problem' not in samples
    assert samples['mock_lvm_vg_free_bytes'] == 875 * 4194304  # host_fullreport: vg_free_count x vg_extent_size
    assert samples['mock_lvm_vg_autoextend_missing_bytes'] == 0
    # Written whole: no temporary file is left beside it, and node_exporter (another user) can read it.
    assert os.listdir(str(tmp_path / 'textfile')) == ['mock_lvm.prom']
    assert stat.S_IMODE(os.stat(str(tmp_path / 'textfile' / 'mock_lvm.prom')).st_mode) == 0o644


def test_check_mode_changes_nothing_and_a_busy_config_is_named(program, fake_lvm, lvm_reports, settings, tmp_path,
                                                               capsys, lock_holder):
    lock_holder.hold(str(tmp_path / 'mock' / '.lvm-mock.foo.lock'))
    fake_lvm.set(lvs=[lvm_reports.resolve('mock_family')], lvm=lvm_reports.text('host_fullreport'))
    assert program.main([str(settings), '--check']) == 0
    assert fake_lvm.mutating == []
    row = json.loads(capsys.readouterr().out.splitlines()[0])
    assert row['status'] == 'busy' and row['message'].startswith('Build in progress')
    assert not (tmp_path / 'textfile' / 'mock_lvm.prom').exists()


def test_usage_without_settings(program, capsys):
    assert program.main([]) == 2
    assert 'mock_lvm_maintenance.py SETTINGS.json [--check]' in capsys.readouterr().err
