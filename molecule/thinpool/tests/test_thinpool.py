"""The host's real LVM state after the thinpool scenario."""
import json

import pytest

MIB = 1024 * 1024


def lvs(host, vg='tp'):
    out = host.check_output(
        'lvs --reportformat json --units b --nosuffix -o lv_name,lv_attr,lv_size,lv_profile,seg_monitor,vg_extent_count %s', vg)
    return {lv['lv_name']: lv for lv in json.loads(out)['report'][0]['lv']}


def test_forced_removal_took_the_pool_and_only_its_volumes(host):
    volumes = lvs(host)
    assert 'shared' not in volumes
    assert 'busy' not in volumes
    assert volumes['linear']['lv_attr'].startswith('-')
    assert volumes['bypercent']['lv_attr'].startswith('t')


def test_percent_of_vg_is_rounded_down_to_whole_extents(host):
    pool = lvs(host)['bypercent']
    extents = int(pool['vg_extent_count']) * 10 // 100
    assert int(pool['lv_size']) == extents * 4 * MIB


def test_autoextend_profile_attached_and_monitored(host):
    pool = lvs(host)['autogrow']
    assert pool['lv_profile'] == 'mock_lvm-tp-autogrow'
    assert pool['seg_monitor'] == 'monitored'
    profile = host.file('/etc/lvm/profile/mock_lvm-tp-autogrow.profile')
    assert profile.contains('thin_pool_autoextend_threshold = 70')
    assert profile.contains('thin_pool_autoextend_percent = 50')


def test_dmeventd_grew_the_pool_past_its_created_size(host):
    assert int(lvs(host)['autogrow']['lv_size']) > 100 * MIB


@pytest.mark.parametrize('key,value', [('threshold', 80), ('percent', 25)])
def test_rewritten_profile_of_removed_pool_stays(host, key, value):
    profile = host.file('/etc/lvm/profile/mock_lvm-tp-shared.profile')
    assert profile.contains('thin_pool_autoextend_%s = %d' % (key, value))


def test_pools_whose_legacy_profile_names_were_one_keep_their_own(host):
    assert lvs(host)['x-y']['lv_profile'] == 'mock_lvm-tp-x--y'
    assert lvs(host, 'tp-x')['y']['lv_profile'] == 'mock_lvm-tp--x-y'
    assert host.file('/etc/lvm/profile/mock_lvm-tp-x--y.profile').contains('thin_pool_autoextend_threshold = 75')
    assert host.file('/etc/lvm/profile/mock_lvm-tp--x-y.profile').contains('thin_pool_autoextend_threshold = 90')
    assert not host.file('/etc/lvm/profile/mock_lvm-tp-x-y.profile').exists
