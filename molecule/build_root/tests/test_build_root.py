"""The host's real state after the build_root scenario."""
import json

import pytest


def names(host):
    out = host.check_output('lvs --reportformat json -o lv_name br')
    return set(lv['lv_name'] for lv in json.loads(out)['report'][0]['lv'])


def test_removed_roots_are_gone_with_their_bootstrap(host):
    left = names(host)
    assert not [n for n in left if n.lstrip('+').startswith(('mock.foo.', 'mock.foo-bootstrap.', 'mock.alma+'))
                and not n.lstrip('+').startswith('mock.foo.bar.')]


@pytest.mark.parametrize('expected', [
    {'+mock.foo.bar.head', '+mock.foo.bar.ABC', 'mock.foo.bar.postinit',
     'mock.foo.bar.postinit_updated_2026-01-01_10-00', 'mock.foo.bar.postinit_updated_2026-02-01_10-00'},
    {'+mock.foo-bar.head', 'mock.foo-bar.postinit', 'mock.foo-bar.postinit_updated_2026-01-01_10-00'},
])
def test_prefix_sharing_roots_untouched(host, expected):
    assert expected <= names(host)


def test_shared_pool_kept(host):
    assert 'pool' in names(host)


def test_prewarmed_root_has_postinit(host):
    assert 'mock.newroot.postinit' in names(host)


def test_stale_mounts_unmounted(host):
    assert not host.mount_point('/srv/br/mock/foo-ABC/root').exists
    assert not host.mount_point('/srv/br/mock/foo-ABC/root/proc').exists


def test_bookkeeping_removed_but_lock_files_kept(host):
    assert not host.file('/srv/br/mock/.snapinfo-mock.foo.head').exists
    assert not host.file('/srv/br/mock/.snapinfo-mock.foo.ABC').exists
    assert host.file('/srv/br/mock/.snapinfo-mock.foo.bar.head').exists
    for lock in ('.lvm-mock.foo.lock', '.lvm-pool-mock.foo.lock', '.lvm-mock.foo.bar.lock'):
        assert host.file('/srv/br/mock/' + lock).exists


def test_lock_files_of_undeclared_roots_are_kept(host):
    """mock opens them at plugin start and locks them only in hook_mount_root: none is ever removed."""
    for root in ('ghost', 'heldghost', 'opening'):
        for lock in ('.lvm-mock.%s.lock', '.lvm-pool-mock.%s.lock'):
            assert host.file('/srv/br/mock/' + lock % root).exists


def test_kept_working_volumes_stay_and_the_killed_one_was_reaped_and_made_again(host):
    left = names(host)
    assert {'+mock.reap.head', '+mock.reap.LIVE', '+mock.reap.MOUNT', '+mock.reap.KILL'} <= left
    assert '+mock.reap.ORPH' not in left
    assert host.file('/srv/br/mock/reap/root/kept.txt').content_string == 'kept\n'


def test_rollback_targets_survive_both_retention_paths(host):
    left = names(host)
    for root in ('rb1', 'rb2'):
        assert 'mock.%s.postinit_updated_2026-01-01_10-00' % root in left
        assert 'mock.%s.postinit_updated_2026-02-01_10-00' % root not in left
