"""The builder host after converge, idempotence and the side effect."""
import json

import pytest

MIB = 1024 * 1024


def lvs(host, vg):
    out = host.check_output(
        'lvs --reportformat json --units b --nosuffix -o lv_name,lv_attr,lv_size,lv_metadata_size,chunk_size,'
        'lv_profile,seg_monitor,vg_extent_count %s', vg)
    return {lv['lv_name']: lv for lv in json.loads(out)['report'][0]['lv']}


def load_config(host, path):
    """Exec a config file the way mock does, with config_opts and include() mimicked."""
    source = host.file(path).content_string
    included = []
    config_opts = {'plugin_conf': {'root_cache_enable': True, 'tmpfs_enable': True, 'lvm_root_enable': False,
                                   'lvm_root_opts': {'pool_name': 'mockbuild'}}}
    exec(compile(source, path, 'exec'), {'config_opts': config_opts, 'include': included.append})
    return config_opts, included


def recorded_identity(host, path):
    """The JSON of the marker line the mock_config module writes."""
    prefix = '# buildfleet.mock_lvm config: '
    lines = [line[len(prefix):] for line in host.file(path).content_string.splitlines() if line.startswith(prefix)]
    assert len(lines) == 1
    return json.loads(lines[0])


def test_volume_groups_and_pools(host):
    shared = lvs(host, 'mocka')['shared']
    assert shared['lv_attr'].startswith('t')
    assert int(shared['lv_size']) == 1024 * MIB
    assert int(shared['lv_metadata_size']) == 16 * MIB
    assert int(shared['chunk_size']) == 128 * 1024
    solo = lvs(host, 'mockb')['solo']
    assert int(solo['lv_size']) == int(solo['vg_extent_count']) * 50 // 100 * 4 * MIB


def test_autoextend_profile_and_monitoring(host):
    shared = lvs(host, 'mocka')['shared']
    assert shared['lv_profile'] == 'mock_lvm-mocka-shared'
    assert shared['seg_monitor'] == 'monitored'
    assert host.file('/etc/lvm/profile/mock_lvm-mocka-shared.profile').contains('thin_pool_autoextend_threshold = 80')
    assert host.service('dm-event.socket').is_enabled


@pytest.mark.parametrize('name,base,root,vg,pool,extra', [
    ('fedora-40-x86_64-lvm', 'fedora-40-x86_64.cfg', 'fedora-40-x86_64-lvm', 'mocka', 'shared',
     {'size': '2G', 'filesystem': 'ext4', 'mkfs_args': ['-E', 'lazy_itable_init=1'], 'mount_options': '',
      'check_size': True, 'sleep_time': 1}),
    ('centos-stream-9-lvm', 'centos-stream-9-x86_64.cfg', 'centos-stream-9-lvm', 'mockb', 'solo',
     {'size': '1G', 'filesystem': 'xfs', 'mkfs_args': [], 'mount_options': '', 'check_size': False, 'sleep_time': 1,
      'poolmetadatasize': '64M'}),
])
def test_config_loads_into_exactly_the_expected_plugin_conf(host, name, base, root, vg, pool, extra):
    path = '/etc/mock/%s.cfg' % name
    config_opts, included = load_config(host, path)
    assert included == [base]
    assert config_opts['root'] == root
    expected_opts = dict(extra, volume_group=vg, pool_name=pool)
    assert config_opts['plugin_conf'] == {'root_cache_enable': False, 'tmpfs_enable': False,
                                          'lvm_root_enable': True, 'lvm_root_opts': expected_opts}
    assert config_opts['basedir'] == '/var/lib/mock'
    config = host.file(path)
    assert (config.user, config.group, config.mode) == ('root', 'mock', 0o644)
    assert recorded_identity(host, path) == {'name': name, 'root': root, 'vg': vg, 'pool': pool,
                                             'basedir': '/var/lib/mock', 'collection_version': '1.0.0'}


def test_builder_user_in_mock_group(host):
    assert 'mock' in host.user('builder').groups


def test_removed_config_and_its_build_roots_are_gone(host):
    assert not host.file('/etc/mock/alma-epel-9-lvm.cfg').exists
    # The packaged (stand-in) base configs are never touched.
    assert host.file('/etc/mock/alma+epel-9-x86_64.cfg').exists
    assert not [n for n in lvs(host, 'mocka') if 'alma_epel' in n]


def test_other_config_volumes_and_shared_pool_survive(host):
    # The side effect checked the whole family right after the removal; refresh_build_roots has since renewed it:
    # a new head and postinit, its update snapshot and working volume ABC gone.
    volumes = set(lvs(host, 'mocka'))
    assert {'shared', '+mock.fedora-40-x86_64-lvm.head', 'mock.fedora-40-x86_64-lvm.postinit'} <= volumes
    assert not [n for n in volumes if n.startswith('mock.fedora-40-x86_64-lvm.postinit_updated_') or n.endswith('.ABC')]


def test_no_hostile_code_ran(host):
    assert not host.file('/tmp/pwned').exists


def test_second_builder_has_its_own_pools_configs_and_basedir(host):
    volumes = lvs(host, 'fleetb')
    assert volumes['shared']['lv_attr'].startswith('t') and volumes['solo']['lv_attr'].startswith('t')
    assert volumes['shared']['lv_profile'] == 'mock_lvm-fleetb-shared'
    path = '/srv/builder-b/etc/mock/fedora-40-x86_64-lvm.cfg'
    config_opts, included = load_config(host, path)
    assert included == ['fedora-40-x86_64.cfg']
    # basedir is always written, so mock keeps its locks where the modules look.
    assert config_opts['basedir'] == '/srv/builder-b/mock'
    assert config_opts['plugin_conf']['lvm_root_opts']['volume_group'] == 'fleetb'
    assert load_config(host, '/etc/mock/fedora-40-x86_64-lvm.cfg')[0]['basedir'] == '/var/lib/mock'
    basedir = host.file('/srv/builder-b/mock')
    assert (basedir.user, basedir.group, basedir.mode) == ('root', 'mock', 0o2775)


def test_fleet_playbooks_left_the_expected_build_roots(host):
    # builder-b's centos build was running during prune and scrub: all five volumes stay.
    centos_b = [n for n in lvs(host, 'fleetb') if 'centos-stream-9' in n]
    assert len(centos_b) == 5
    # builder-b's fedora-40 was pruned to one update snapshot, then renewed by refresh_build_roots (aged postinit).
    fedora_b = sorted(n for n in lvs(host, 'fleetb') if 'fedora-40-x86_64-lvm' in n)
    assert fedora_b == ['+mock.fedora-40-x86_64-lvm.head', 'mock.fedora-40-x86_64-lvm.postinit']
    assert not [n for n in lvs(host, 'mockb') if 'centos-stream-9' in n]


@pytest.mark.parametrize('name, packaged', [('fedora-40-x86_64-lvm', 'fedora-40-x86_64'),
                                            ('centos-stream-9-lvm', 'centos-stream-9-x86_64')])
def test_a_config_and_its_packaged_base_never_share_a_chroot_dir(host, name, packaged):
    """The default root is the config's own name: the packaged base keeps <basedir>/<its root> to itself."""
    ours = load_config(host, '/etc/mock/%s.cfg' % name)[0]['root']
    theirs = load_config(host, '/etc/mock/%s.cfg' % packaged)[0]['root']
    assert ours == name and theirs == packaged and ours != theirs
