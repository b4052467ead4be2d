# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of buildfleet.mock_lvm.builder_info, fed by the `lvm fullreport` captured from lvm2 2.03.16.

host_fullreport (see tests/unit/fixtures/capture_lvm_reports.sh): VG "fixture" on /dev/vdf, 1023 extents of
4 MiB, 875 free; pool "mockpool" 512 MiB, metadata 8 MiB, chunk 128 KiB, zeroing off, discards passdown,
monitored, profile mock_lvm-fixture-mockpool, data 9.64 %; a linear LV and thin volumes thin1,
snap_active, snap_default; /dev/vdg is a physical volume in no VG.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import grp
import json
import os
import pwd
import re

import pytest

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.facts.system.distribution import DistributionFactCollector

from ansible_collections.buildfleet.mock_lvm.plugins.filter.mock_lvm_configs import mock_lvm_configs
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_config import render
from ansible_collections.buildfleet.mock_lvm.plugins.modules import builder_info, mock_config, mock_config_info

FAMILIES = {
    'RedHat': {'os_packages': ['lvm2', 'device-mapper-persistent-data'], 'mock_packages': ['mock', 'mock-lvm'],
               'monitor_units': ['lvm2-monitor.service', 'dm-event.socket']},
    'Debian': {'os_packages': ['lvm2', 'thin-provisioning-tools', 'dmeventd'], 'mock_packages': [],
               'monitor_units': ['lvm2-monitor.service', 'dm-event.socket']},
}
# The pool exactly as captured; the profile file says 80/20.
POOL = {'vg': 'fixture', 'name': 'mockpool', 'size': '512M', 'metadata_size': '8M', 'chunk_size': '128K',
        'zeroing': False, 'discards': 'passdown', 'autoextend_threshold': 80, 'autoextend_percent': 20,
        'monitor': True}
PROFILE = ('# Managed by buildfleet.mock_lvm.thinpool: autoextend for fixture/mockpool\n'
           'activation {\n\tthin_pool_autoextend_threshold = 80\n\tthin_pool_autoextend_percent = 20\n}\n')
ALL_INSTALLED = 'lvm2 ii \nthin-provisioning-tools ii \ndmeventd ii \n'
UNITS_UP = 'UnitFileState=enabled\nActiveState=active\n\nUnitFileState=static\nActiveState=active\n'
MIB = 1024 ** 2
ME = pwd.getpwuid(os.getuid()).pw_name
MY_GROUP = grp.getgrgid(os.getgid()).gr_name


@pytest.fixture
def family(monkeypatch):
    """Set the OS family the module detects (Debian unless a test says otherwise)."""
    def set_family(name, distribution=None):
        facts = {'os_family': name, 'distribution': distribution or name, 'distribution_version': '1'}
        monkeypatch.setattr(DistributionFactCollector, 'collect', lambda self, module=None, collected_facts=None: facts)
    set_family('Debian', 'Debian')
    return set_family


@pytest.fixture
def host(fake_lvm, lvm_reports, family, tmp_path):
    """A provisioned host: fullreport as captured, packages installed, units up, the profile written."""
    profile_dir = tmp_path / 'profile'
    profile_dir.mkdir()
    (profile_dir / 'mock_lvm-fixture-mockpool.profile').write_text(PROFILE)
    fake_lvm.set(lvm=lvm_reports.text('host_fullreport'), systemctl=UNITS_UP)
    fake_lvm.set({'dpkg-query': (1, ALL_INSTALLED, ''), 'rpm': (0, '', ''), 'blkid': (2, '', '')})
    return {'profile_dir': str(profile_dir), 'config_dir': str(tmp_path / 'mock'), 'basedir': str(tmp_path / 'lib')}


def args(host, **extra):
    result = dict(families=FAMILIES, pools=[dict(POOL)], volume_groups=[{'name': 'fixture', 'devices': ['/dev/vdf']}],
                  profile_dir=host['profile_dir'], config_dir=host['config_dir'], basedir=host['basedir'],
                  config_owner=ME, config_group=MY_GROUP, group=MY_GROUP)
    result.update(extra)
    return result


def fullreport(lvm_reports, changes):
    """The captured fullreport with field changes {lv_name: {field: value}} in the lv rows."""
    data = lvm_reports.report('host_fullreport')
    for row in data['report'][0]['lv']:
        row.update(changes.get(row['lv_name'], {}))
    return json.dumps(data)


def test_a_provisioned_host_is_one_lvm_command_and_nothing_to_do(host, run_module, fake_lvm):
    res = run_module(builder_info, args(host))
    assert not res.failed, res.msg
    assert res.changed is False
    lvm = [c for c in res.commands if c[0] == 'lvm']
    assert len(lvm) == 1 and lvm[0][1] == 'fullreport'
    assert res.result['commands'] == lvm
    assert sorted(res.tools) == ['dpkg-query', 'lvm', 'systemctl']  # one read each, nothing else
    for key in ('missing_packages', 'units_to_start', 'foreign_devices', 'volume_groups_to_change', 'pools_to_change',
                'configs_to_write', 'configs_to_remove', 'prewarm_to_run'):
        assert res.result[key] == [], key
    assert res.result['pools'][0]['matches'] is True
    assert res.result['pools'][0]['size'] == 512 * 1024 ** 2
    assert res.result['os_family'] == 'Debian'
    assert res.result['volume_groups'] == ['fixture']


@pytest.mark.parametrize('pool, difference', [
    ({'size': '1G'}, 'would run lvextend'),
    ({'metadata_size': '16M'}, 'would run lvextend'),
    ({'monitor': False}, 'would run lvchange'),
    ({'zeroing': True}, 'would run lvchange'),
    ({'autoextend_threshold': 90}, 'its autoextend profile differs'),
    ({'vg': 'missing'}, 'volume group missing does not exist'),
    ({'name': 'other', 'size': None}, 'no size was given'),
    ({'autoextend_threshold': 10}, 'autoextend_threshold 10 is out of range'),
])
def test_a_pool_differs_as_the_thinpool_planner_says(host, run_module, pool, difference):
    res = run_module(builder_info, args(host, pools=[dict(POOL, **pool)]))
    assert not res.failed, res.msg
    found = res.result['pools'][0]
    assert found['matches'] is False
    assert difference in found['difference']
    assert res.result['pools_to_change'] == ['%s/%s' % (found['vg'], found['name'])]


@pytest.mark.parametrize('smaller', [{'size': '256M'}, {'size': '10%VG'}, {'metadata_size': '4M'},
                                     {'size': '100M', 'metadata_size': '4M'}])
def test_a_pool_larger_than_declared_matches_sizes_are_floors(host, run_module, smaller):
    """After autoextend grew the pool past its declared size, the role has nothing to do."""
    res = run_module(builder_info, args(host, pools=[dict(POOL, **smaller)]))
    assert not res.failed, res.msg
    assert res.result['pools'][0]['matches'] is True
    assert res.result['pools'][0]['difference'] is None
    assert res.result['pools_to_change'] == []


@pytest.mark.parametrize('half, missing', [({'autoextend_threshold': 80}, 'autoextend_percent'),
                                           ({'autoextend_percent': 20}, 'autoextend_threshold')])
def test_half_an_autoextend_is_refused_by_the_spec(host, run_module, half, missing):
    pool = dict((k, v) for k, v in POOL.items() if not k.startswith('autoextend'))
    res = run_module(builder_info, args(host, pools=[dict(pool, **half)]))
    assert res.failed
    assert 'parameters are required together: autoextend_threshold, autoextend_percent found in pools' in res.msg
    assert res.tools == []


@pytest.mark.parametrize('half, missing', [({'autoextend_threshold': 80}, 'autoextend_percent'),
                                           ({'autoextend_percent': 20}, 'autoextend_threshold')])
def test_half_an_autoextend_is_named_by_the_pool_check(half, missing):
    from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._thinpool import check_pool_params
    from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import LvmError
    with pytest.raises(LvmError) as raised:
        check_pool_params(dict(vg='fixture', name='mockpool', **half))
    assert raised.value.msg.startswith('Thin pool fixture/mockpool sets %s but not %s: set both'
                                       % (list(half)[0], missing))


def test_headroom_of_each_pool_and_a_warning_for_a_vg_without_room(host, run_module, fake_lvm, lvm_reports):
    res = run_module(builder_info, args(host))
    room = res.result['pools'][0]['headroom']
    assert (room['vg_free'], room['autoextend_step'], room['vg_missing']) == (875 * 4 * MIB, 28 * 4 * MIB, 0)
    assert res.warnings == []
    data = json.loads(fullreport(lvm_reports, {}))
    data['report'][0]['vg'][0]['vg_free_count'] = '27'
    fake_lvm.set(lvm=json.dumps(data))
    res = run_module(builder_info, args(host))
    assert res.result['pools_to_change'] == []  # nothing the thinpool module could do: a finding, not a change
    assert res.result['pools'][0]['headroom']['vg_missing'] == 4 * MIB
    assert res.warnings == [w for w in res.warnings if w.startswith('Volume group fixture has 108.00 MiB free')]
    assert len(res.warnings) == 1 and '4.00 MiB missing' in res.warnings[0]


def test_a_pool_in_a_volume_group_that_changes_goes_to_the_thinpool_module(host, run_module, fake_lvm):
    groups = [{'name': 'fixture', 'devices': ['/dev/vdf', '/dev/vdg']}]
    fake_lvm.set(blkid=(0, 'LVM2_member\n', ''))
    res = run_module(builder_info, args(host, volume_groups=groups))
    assert res.result['volume_groups_to_change'] == ['fixture']
    assert res.result['foreign_devices'] == []  # a physical volume in no VG may be taken
    assert res.result['pools_to_change'] == ['fixture/mockpool']
    assert 'its volume group changes first' in res.result['pools'][0]['difference']


def test_devices_of_another_group_or_with_a_signature_are_foreign_unless_forced(host, run_module, fake_lvm):
    fake_lvm.set(blkid=(0, 'xfs\n', ''))
    groups = [{'name': 'other', 'devices': ['/dev/vdf']}, {'name': 'new', 'devices': ['/dev/sdz']},
              {'name': 'wipe', 'devices': ['/dev/sdy'], 'force': True}]
    res = run_module(builder_info, args(host, volume_groups=groups, pools=[]))
    assert res.result['foreign_devices'] == ['/dev/vdf (a physical volume of volume group fixture)',
                                             '/dev/sdz (carries a xfs signature)']
    assert res.result['volume_groups_to_change'] == ['other', 'new', 'wipe']
    assert [c[-1] for c in res.commands if c[0] == 'blkid'] == ['/dev/sdz']  # none for a PV or a forced device


def test_a_usage_warning_of_a_matching_pool_is_given_as_thinpool_gives_it(host, run_module, fake_lvm, lvm_reports):
    fake_lvm.set(lvm=fullreport(lvm_reports, {'mockpool': {'data_percent': '92.00'}}))
    res = run_module(builder_info, args(host))
    assert res.result['pools_to_change'] == []
    assert len(res.warnings) == 1 and 'refuses to build' in res.warnings[0]


def test_without_lvm_nothing_of_it_exists_and_no_command_runs(host, run_module, monkeypatch):
    real = AnsibleModule.get_bin_path
    monkeypatch.setattr(AnsibleModule, 'get_bin_path',
                        lambda self, arg, required=False, opt_dirs=None: None if arg == 'lvm' else real(self, arg))
    res = run_module(builder_info, args(host))
    assert not res.failed, res.msg
    assert res.result['commands'] == []
    assert res.result['volume_groups_to_change'] == ['fixture']
    assert res.result['pools_to_change'] == ['fixture/mockpool']


def test_packages_on_a_dpkg_host(host, run_module, fake_lvm):
    fake_lvm.set({'dpkg-query': (1, 'lvm2 ii \nthin-provisioning-tools rc \n', 'dpkg-query: no packages found\n')})
    res = run_module(builder_info, args(host))
    assert res.result['missing_packages'] == ['thin-provisioning-tools', 'dmeventd']
    assert res.result['packages'] == {'lvm2': True, 'thin-provisioning-tools': False, 'dmeventd': False}
    assert [c for c in res.commands if c[0] == 'dpkg-query'][0][-3:] == ['lvm2', 'thin-provisioning-tools', 'dmeventd']


def test_packages_on_an_rpm_host(host, run_module, fake_lvm, family):
    family('RedHat', 'Fedora')
    fake_lvm.set(rpm=(1, 'lvm2\ndevice-mapper-persistent-data\nmock\npackage mock-lvm is not installed\n', ''))
    res = run_module(builder_info, args(host))
    assert res.result['missing_packages'] == ['mock-lvm']
    assert res.result['family']['mock_packages'] == ['mock', 'mock-lvm']
    assert res.result['distribution'] == 'Fedora'


def test_no_package_command_when_packages_are_not_installed_by_the_role(host, run_module):
    res = run_module(builder_info, args(host, install_packages=False))
    assert res.result['missing_packages'] == []
    assert 'dpkg-query' not in res.tools


def test_a_family_without_package_lists_is_refused_by_name(host, run_module, family):
    family('Suse')
    res = run_module(builder_info, args(host))
    assert res.failed
    assert "OS family 'Suse' has no package list (declared: Debian, RedHat)" in res.msg
    assert res.commands == []


def test_units_not_enabled_or_not_active_are_to_start(host, run_module, fake_lvm):
    fake_lvm.set(systemctl='UnitFileState=disabled\nActiveState=active\n\nUnitFileState=enabled\nActiveState=failed\n')
    res = run_module(builder_info, args(host))
    assert res.result['units_to_start'] == ['lvm2-monitor.service', 'dm-event.socket']


ENTRY = {'name': 'f43', 'base': 'fedora-43-x86_64', 'vg': 'fixture', 'pool': 'mockpool', 'size': '8G',
         'filesystem': 'ext4', 'mkfs_args': [], 'mount_options': '', 'check_size': True, 'sleep_time': 1,
         'options': {}, 'plugin_options': {}}


@pytest.fixture
def config_dir(host):
    os.makedirs(host['config_dir'])
    with open(os.path.join(host['config_dir'], 'fedora-43-x86_64.cfg'), 'w') as handle:
        handle.write("config_opts['root'] = 'fedora-43-x86_64'\n")
    return host['config_dir']


def write_config(host, entry, content=None, mode=0o644):
    path = os.path.join(host['config_dir'], entry['name'] + '.cfg')
    with open(path, 'w') as handle:
        handle.write(render(entry, entry.get('root') or entry['name'], host['basedir']) if content is None
                     else content)
    os.chmod(path, mode)
    return path


def item(entry, **extra):
    """A config as the role's filter gives it (its root decided: the name; extra keys the module ignores)."""
    return dict(dict(entry, root=entry.get('root') or entry['name']), state='present', path='ignored', other_roots=[],
                **extra)


@pytest.mark.parametrize('edit, mode, difference', [
    (None, 0o644, None),
    ('# edited\n', 0o644, 'its content differs'),
    (None, 0o600, 'its mode differs'),
])
def test_a_config_file_matches_only_as_mock_config_writes_it(host, config_dir, run_module, edit, mode, difference):
    content = render(ENTRY, 'f43', host['basedir']) + edit if edit else None
    write_config(host, ENTRY, content, mode)
    res = run_module(builder_info, args(host, configs=[item(ENTRY)]))
    found = res.result['configs'][0]
    assert found['difference'] == difference or difference in found['difference']
    assert found['matches'] is (difference is None)
    assert res.result['configs_to_write'] == ([] if difference is None else ['f43'])
    assert found['marker'] == dict(name='f43', root='f43', vg='fixture', pool='mockpool', basedir=host['basedir'],
                                   collection_version=found['marker']['collection_version'])


def test_a_config_owned_by_another_user_differs(host, config_dir, run_module):
    write_config(host, ENTRY)
    res = run_module(builder_info, args(host, configs=[item(ENTRY)], config_owner='nobody'))
    assert res.result['configs'][0]['difference'] == 'its owner differs'
    res = run_module(builder_info, args(host, configs=[item(ENTRY)], config_owner='nobody-else'))
    assert "owner 'nobody-else' does not exist on this host" in res.result['configs'][0]['difference']


def test_a_missing_file_or_base_sends_the_config_to_mock_config(host, config_dir, run_module):
    gone = dict(ENTRY, name='gone')
    eol = dict(ENTRY, name='eol', base='fedora-41-x86_64')
    write_config(host, eol)
    res = run_module(builder_info, args(host, configs=[item(gone), item(eol)]))
    assert res.result['configs_to_write'] == ['gone', 'eol']
    assert res.result['configs'][0]['difference'] == 'the file does not exist'
    assert "base 'fedora-41-x86_64' does not exist" in res.result['configs'][1]['difference']


def test_absent_configs_with_a_file_are_to_remove(host, config_dir, run_module):
    write_config(host, dict(ENTRY, name='old'))
    configs = [{'name': 'old', 'state': 'absent', 'prewarm': False}, {'name': 'never', 'state': 'absent'}]
    res = run_module(builder_info, args(host, configs=configs))
    assert res.result['configs_to_remove'] == ['old']
    assert res.result['configs_to_write'] == []


def test_a_prewarm_runs_only_without_the_postinit_snapshot(host, config_dir, run_module, fake_lvm, lvm_reports):
    fake_lvm.set(lvm=fullreport(lvm_reports, {'snap_default': {'lv_name': 'mock.warm_root.postinit'}}))
    warm = dict(ENTRY, name='warm', root='warm_root')
    cold = dict(ENTRY, name='cold', root='cold_root')
    for entry in (warm, cold):
        write_config(host, entry)
    configs = [dict(item(warm), root='warm_root', prewarm=True), dict(item(cold), root='cold_root', prewarm=True)]
    res = run_module(builder_info, args(host, configs=configs))
    assert res.result['configs_to_write'] == []
    assert [c['postinit'] for c in res.result['configs']] == [True, False]
    assert res.result['prewarm_to_run'] == ['cold']


def test_a_bad_config_entry_is_refused_by_name(host, run_module):
    res = run_module(builder_info, args(host, configs=[dict(ENTRY, mount_options="'); import os #")]))
    assert res.failed
    assert "mock config 'f43': mount_options" in res.msg


def test_directories_group_and_users(host, run_module, tmp_path, monkeypatch):
    good, wrong = tmp_path / 'good', tmp_path / 'wrong'
    good.mkdir()
    wrong.mkdir()
    os.chmod(str(good), 0o755)
    os.chmod(str(wrong), 0o700)
    want = [{'path': str(p), 'owner': ME, 'group': MY_GROUP, 'mode': '755'} for p in (good, wrong, tmp_path / 'no')]
    res = run_module(builder_info, args(host, directories=want, users=[ME], group=MY_GROUP))
    assert res.result['directories_to_fix'] == [str(wrong), str(tmp_path / 'no')]
    assert res.result['group_exists'] is True
    assert res.result['users_to_add'] == []  # ME has MY_GROUP as primary group
    res = run_module(builder_info, args(host, users=['someone'], group='no-such-group-here'))
    assert res.result['group_exists'] is False
    assert res.result['users_to_add'] == ['someone']


@pytest.mark.parametrize('mode', ['u=rw,go=r', 420, '644', '0644'])
def test_a_config_mode_is_read_as_the_file_module_reads_it(host, config_dir, run_module, mode):
    write_config(host, ENTRY)
    res = run_module(builder_info, args(host, configs=[item(ENTRY)], config_mode=mode))
    assert res.result['configs'][0]['matches'], res.result['configs'][0]


@pytest.mark.parametrize('mode', ['0664', 0o646, 'g+w', 644])
def test_a_config_mode_others_may_write_is_refused_with_the_fix(host, run_module, mode):
    res = run_module(builder_info, args(host, config_mode=mode))
    assert res.failed
    assert "config_mode %r gives mode" % (mode,) in res.msg and 'Use 0644' in res.msg


def test_profile_users_come_from_the_one_fullreport(lvm_reports):
    from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._builder_state import host_profile_users
    from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import HostReport
    host = HostReport(lvm_reports.report('host_fullreport')['report'])
    assert host_profile_users(host, 'mock_lvm-fixture-mockpool') == ['fixture/mockpool']
    assert host_profile_users(host, 'mock_lvm-other') == []


def test_a_dotted_root_given_as_decided_matches_what_mock_config_wrote(host, config_dir, run_module):
    """builder_safe_roots: false keeps 'foo.bar': the file, builder_info and every task use that root as given."""
    entry = dict(ENTRY, root='foo.bar')
    write_config(host, entry)
    res = run_module(builder_info, args(host, configs=[item(entry)]))
    found = res.result['configs'][0]
    assert found['matches'] and found['root'] == 'foo.bar' and found['marker']['root'] == 'foo.bar'
    assert res.result['configs_to_write'] == []


def test_a_hand_edit_or_a_shared_root_is_a_finding(host, config_dir, run_module):
    edited = render(ENTRY, 'f43', host['basedir']).replace("config_opts['root'] = 'f43'", "config_opts['root'] = 'x'")
    write_config(host, ENTRY, edited)
    shared = dict(ENTRY, name='shared', root='fedora-43-x86_64')
    res = run_module(builder_info, args(host, configs=[item(ENTRY), item(shared)]))
    found = dict((c['name'], c) for c in res.result['configs'])
    assert "root 'f43' in the marker, 'x' in the statements" in found['f43']['difference']
    assert "root 'fedora-43-x86_64' shares its chroot dir" in found['shared']['difference']
    assert res.result['configs_to_write'] == ['f43', 'shared']
    assert [c for c in res.commands if c[0] in ('lvm', 'lvs')] == res.commands[:1]  # one LVM read, as ever
    assert res.commands[0][:2] == ['lvm', 'fullreport']


def test_a_new_collection_version_alone_is_no_difference(host, config_dir, run_module):
    text = render(ENTRY, 'f43', host['basedir']).replace('"collection_version": "1.0.0"', '"collection_version": "0.0.1"')
    write_config(host, ENTRY, text)
    assert run_module(builder_info, args(host, configs=[item(ENTRY)])).result['configs'][0]['matches']


def role_task_args(builder_role, host, item):
    """The arguments configs.yml's mock_config task gives the module for a filter item (its item.* values)."""
    task = [t['buildfleet.mock_lvm.mock_config'] for t in builder_role('tasks', 'configs.yml')
            if t.get('buildfleet.mock_lvm.mock_config', {}).get('base')][0]
    module_args = {}
    for key, value in task.items():
        match = re.match(r'^\{\{ item\.(\w+)( \| default\(omit\))? \}\}$', str(value))
        if match and (match.group(2) is None or match.group(1) in item):
            module_args[key] = item[match.group(1)]
        elif not isinstance(value, str):
            module_args[key] = value
    module_args.update(config_dir=host['config_dir'], basedir=host['basedir'], owner=ME, group=MY_GROUP,
                       validate_with_mock=False)
    return module_args


@pytest.mark.parametrize('check_mode', [True, False], ids=['check', 'real'])
def test_a_recorded_root_is_kept_through_the_role_flow(host, config_dir, run_module, fake_lvm, lvm_reports,
                                                       builder_role, check_mode):
    """An existing file records root foo (not the default, the name): mock_config_info reads it, the filter keeps
    it, builder_info finds the file matching and looks for foo's postinit, mock_config changes nothing."""
    pools = [{'vg': 'fixture', 'name': 'mockpool'}]
    entry = {'name': 'kept', 'base': 'fedora-43-x86_64', 'pool': 'mockpool', 'size': '8G', 'prewarm': True}
    first = mock_lvm_configs([dict(entry, root='foo')], pools, True, host['config_dir'], host['basedir'])[0]
    assert not run_module(mock_config, role_task_args(builder_role, host, first)).failed
    before = open(os.path.join(host['config_dir'], 'kept.cfg')).read()
    recorded = run_module(mock_config_info, {'config_dir': host['config_dir'], 'names': ['kept']},
                          check_mode=check_mode).result
    roots = dict((c['name'], c['root']) for c in recorded['configs'])
    item = mock_lvm_configs([entry], pools, True, host['config_dir'], host['basedir'], recorded_roots=roots)[0]
    assert item['root'] == 'foo'
    fake_lvm.set(lvm=fullreport(lvm_reports, {'snap_default': {'lv_name': 'mock.foo.postinit'}}))
    res = run_module(builder_info, args(host, configs=[item]), check_mode=check_mode)
    assert res.result['configs_to_write'] == [] and res.result['prewarm_to_run'] == []
    again = run_module(mock_config, role_task_args(builder_role, host, item), check_mode=check_mode)
    assert not again.failed and not again.result['changed'] and again.result['root'] == 'foo'
    assert open(os.path.join(host['config_dir'], 'kept.cfg')).read() == before
    # Without the recorded roots the default (the name) would be a root change, which builder_info reports.
    moved = mock_lvm_configs([entry], pools, True, host['config_dir'], host['basedir'])[0]
    assert moved['root'] == 'kept'
    assert run_module(builder_info, args(host, configs=[moved])).result['configs_to_write'] == ['kept']


def test_safe_roots_off_with_a_dotted_root_through_the_role_flow(host, config_dir, run_module, fake_lvm, lvm_reports,
                                                                 builder_role):
    """The role's path for builder_safe_roots: false: the filter decides 'foo.bar', configs.yml hands it to
    mock_config as given (its task's item.* arguments, read from the file), builder_info then finds the file
    matching and looks for mock.foo.bar.postinit, the volume the pre-warm makes."""
    pools = [{'vg': 'fixture', 'name': 'mockpool'}]
    entry = {'name': 'dotted', 'base': 'fedora-43-x86_64', 'root': 'foo.bar', 'pool': 'mockpool', 'size': '8G',
             'prewarm': True}
    item = mock_lvm_configs([entry], pools, False, host['config_dir'], host['basedir'])[0]
    assert item['root'] == 'foo.bar'
    written = run_module(mock_config, role_task_args(builder_role, host, item))
    assert not written.failed and written.result['root'] == 'foo.bar', written
    fake_lvm.set(lvm=fullreport(lvm_reports, {'snap_default': {'lv_name': 'mock.foo.bar.postinit'}}))
    res = run_module(builder_info, args(host, configs=[item]))
    assert res.result['configs_to_write'] == [] and res.result['prewarm_to_run'] == []
    assert res.result['configs'][0]['postinit'] is True
