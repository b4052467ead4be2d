# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The builder role's one-round-trip state read, with its commands answered by a table."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import grp
import importlib.util
import json
import os
import pwd

import pytest

PATH = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'roles', 'builder', 'files', 'read_state.py')


@pytest.fixture
def read_state(monkeypatch):
    spec = importlib.util.spec_from_file_location('read_state', PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    answers, calls = {}, []

    def run(argv):
        calls.append(argv)
        return answers.get(tuple(argv), (1, ''))

    monkeypatch.setattr(module, 'run', run)
    module.answers, module.calls = answers, calls
    return module


def test_missing_packages_on_a_dpkg_host(read_state):
    read_state.answers.update({
        ('dpkg-query', '--version'): (0, ''),
        ('dpkg-query', '-W', '-f=${db:Status-Abbrev}', 'lvm2'): (0, 'ii '),
        ('dpkg-query', '-W', '-f=${db:Status-Abbrev}', 'dmeventd'): (0, 'rc '),
    })
    assert read_state.missing_packages(['lvm2', 'dmeventd', 'thin-provisioning-tools']) == ['dmeventd',
                                                                                            'thin-provisioning-tools']


def test_missing_packages_on_an_rpm_host(read_state):
    read_state.answers.update({('rpm', '--version'): (0, ''), ('dpkg-query', '--version'): (127, ''),
                               ('rpm', '-q', 'lvm2'): (0, 'lvm2-2.03')})
    assert read_state.missing_packages(['lvm2', 'mock-lvm']) == ['mock-lvm']


@pytest.mark.parametrize('enabled, active, pending', [
    ('enabled', 'active', []),
    ('static', 'active', []),
    ('disabled', 'active', ['dm-event.socket']),
    ('enabled', 'inactive', ['dm-event.socket']),
])
def test_units_to_start(read_state, enabled, active, pending):
    read_state.answers.update({('systemctl', 'is-enabled', 'dm-event.socket'): (0, enabled + '\n'),
                               ('systemctl', 'is-active', 'dm-event.socket'): (0, active + '\n')})
    assert read_state.units_to_start(['dm-event.socket']) == pending


@pytest.fixture
def disks(tmp_path):
    """Two by-id style symlinks to two 'devices'."""
    paths = {}
    for name in ('vdb', 'vdc', 'vdd'):
        device = tmp_path / name
        device.write_text(u'')
        link = tmp_path / ('virtio-' + name)
        link.symlink_to(device)
        paths[name] = (str(link), str(device))
    return paths


def pvs_answer(read_state, lines):
    read_state.answers[('pvs', '--noheadings', '--separator', '|', '-o', 'pv_name,vg_name')] = (0, ''.join(
        '  %s|%s\n' % line for line in lines))


def test_volume_group_in_place_needs_nothing(read_state, disks):
    pvs_answer(read_state, [(disks['vdb'][1], 'mock')])
    assert read_state.volume_groups([{'name': 'mock', 'devices': [disks['vdb'][0]]}]) == ([], [])


def test_missing_or_different_volume_groups_need_the_module(read_state, disks):
    pvs_answer(read_state, [(disks['vdb'][1], 'mock')])
    groups = [{'name': 'mock', 'devices': [disks['vdb'][0], disks['vdc'][0]]}, {'name': 'new', 'devices': [disks['vdd'][0]]}]
    assert read_state.volume_groups(groups) == ([], ['mock', 'new'])


def test_foreign_devices_are_named_unless_forced(read_state, disks):
    pvs_answer(read_state, [(disks['vdb'][1], 'other')])
    read_state.answers[('blkid', '-p', '-s', 'TYPE', '-o', 'value', disks['vdc'][1])] = (0, 'xfs\n')
    read_state.answers[('blkid', '-p', '-s', 'TYPE', '-o', 'value', disks['vdd'][1])] = (0, 'LVM2_member\n')
    foreign = read_state.volume_groups([{'name': 'mock', 'devices': [disks[d][0] for d in ('vdb', 'vdc', 'vdd')]}])[0]
    assert foreign == ['%s (a physical volume of volume group other)' % disks['vdb'][0],
                       '%s (carries a xfs signature)' % disks['vdc'][0]]
    forced = read_state.volume_groups([{'name': 'mock', 'force': True, 'devices': [disks['vdb'][0]]}])[0]
    assert forced == []


def test_directories_to_fix(read_state, tmp_path):
    me = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    good = tmp_path / 'good'
    good.mkdir()
    good.chmod(0o2775)
    wrong_mode = tmp_path / 'mode'
    wrong_mode.mkdir()
    wrong_mode.chmod(0o700)
    a_file = tmp_path / 'file'
    a_file.write_text(u'')
    want = [{'path': str(p), 'owner': me, 'group': group, 'mode': '2775'}
            for p in (good, wrong_mode, a_file, tmp_path / 'missing')]
    assert read_state.directories_to_fix(want) == [str(wrong_mode), str(a_file), str(tmp_path / 'missing')]


def test_users_to_add(read_state, monkeypatch):
    Group = collections.namedtuple('Group', 'gr_gid gr_mem')
    User = collections.namedtuple('User', 'pw_gid')
    users = {'member': User(1000), 'primary': User(135), 'outsider': User(1001)}

    def getpwnam(name):
        return users[name]

    def getgrnam(name):
        if name != 'mock':
            raise KeyError(name)
        return Group(135, ['member'])

    monkeypatch.setattr(read_state.pwd, 'getpwnam', getpwnam)
    monkeypatch.setattr(read_state.grp, 'getgrnam', getgrnam)
    assert read_state.users_to_add('mock', ['member', 'primary', 'outsider', 'unknown']) == ['outsider', 'unknown']
    assert read_state.users_to_add('nogroup', ['member']) == ['member']


def test_main_prints_one_json_object(read_state, capsys, monkeypatch):
    monkeypatch.setattr(read_state.sys, 'argv', ['read_state', json.dumps({'packages': [], 'units': []})])
    read_state.main()
    assert set(json.loads(capsys.readouterr().out)) == {
        'missing_packages', 'units_to_start', 'foreign_devices', 'volume_groups_to_change', 'group_exists',
        'directories_to_fix', 'users_to_add'}
