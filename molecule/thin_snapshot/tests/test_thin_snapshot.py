"""The host's real LVM state after the thin_snapshot scenario."""
import json

PREFIX = 'mock.f40.postinit_updated_'


def lvs(host):
    out = host.check_output('lvs --reportformat json -o lv_name,lv_attr,origin ts')
    return {lv['lv_name']: lv for lv in json.loads(out)['report'][0]['lv']}


def test_snapshot_made_active_keeps_its_origin(host):
    snap = lvs(host)['snap1']
    assert snap['origin'] == 'origin'
    assert snap['lv_attr'][4] == 'a'
    assert snap['lv_attr'][9] != 'k'


def test_removed_snapshot_is_gone_and_origin_stays(host):
    volumes = lvs(host)
    assert 'snap2' not in volumes
    assert volumes['origin']['lv_attr'].startswith('V')


def test_retention_kept_newest_by_time_and_the_mounted_one(host):
    updates = sorted(n for n in lvs(host) if n.startswith(PREFIX))
    assert updates == [PREFIX + 'a', PREFIX + 'b', PREFIX + 'd']
    assert host.mount_point('/mnt/update-a').exists


def test_non_matching_and_non_thin_volumes_untouched(host):
    volumes = lvs(host)
    assert 'mock.f40.postinit' in volumes
    assert volumes['linear']['lv_attr'].startswith('-')


def test_lock_file_only_opened(host):
    lock = host.file('/srv/ts/mock/.lvm-mock.f40.lock')
    assert lock.exists and lock.size == 0
