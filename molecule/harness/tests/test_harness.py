"""The guest has real LVM: the scenario's thin pool is seen by lvs."""
import json


def _lvs(host, vg):
    out = host.check_output('lvs --reportformat json -o lv_name,lv_attr,lv_size --units b --nosuffix %s', vg)
    return {lv['lv_name']: lv for lv in json.loads(out)['report'][0]['lv']}


def test_device_mapper_thin_target_is_loaded(host):
    assert 'thin-pool' in host.check_output('dmsetup targets')


def test_thin_pool_seen_by_lvs(host):
    pool = _lvs(host, 'harness')['pool']
    assert pool['lv_attr'].startswith('t'), pool
    assert int(pool['lv_size']) == 256 * 1024 * 1024
