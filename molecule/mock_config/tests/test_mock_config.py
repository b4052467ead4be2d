"""The guest after the config-identity cases (converge.yml)."""
import json

import pytest

CONFIG_DIR = '/srv/mc/etc/mock'
MARKER = '# buildfleet.mock_lvm config: '


def volumes(host):
    out = host.check_output('lvs --reportformat json -o lv_name mc')
    return set(lv['lv_name'] for lv in json.loads(out)['report'][0]['lv'])


def marker(host, name):
    lines = [line[len(MARKER):] for line in host.file('%s/%s.cfg' % (CONFIG_DIR, name)).content_string.splitlines()
             if line.startswith(MARKER)]
    assert len(lines) == 1
    return json.loads(lines[0])


def test_rename_kept_the_roots_volumes(host):
    assert not host.file(CONFIG_DIR + '/f43-old.cfg').exists
    assert marker(host, 'f43-new')['root'] == 'f43'
    assert {'+mock.f43.head', '+mock.f43.ABC', 'mock.f43.postinit'} <= volumes(host)


def test_packaged_stand_ins_untouched(host):
    for name in ('fedora-43-x86_64', 'centos-stream-9-x86_64', 'eol/fedora-41-x86_64'):
        config = host.file('%s/%s.cfg' % (CONFIG_DIR, name))
        assert config.contains('Stand-in for mock-core-configs')
        assert not config.contains(MARKER)
    assert {'+mock.cs9-lvm.head', 'mock.cs9-lvm.postinit'} <= volumes(host)


@pytest.mark.parametrize('name, root', [('f43-new', 'f43'), ('cs9-lvm', 'cs9-lvm'), ('dotted-lvm', 'foo_bar'),
                                        ('f41-lvm', 'f41-lvm'), ('foo-lvm', 'foo'), ('dots-lvm', 'dots.x')])
def test_configs_record_their_identity_and_are_owned_by_root_mock(host, name, root):
    assert marker(host, name) == {'name': name, 'root': root, 'vg': 'mc', 'pool': 'shared',
                                  'basedir': '/srv/mc/mock', 'collection_version': '1.0.0'}
    config = host.file('%s/%s.cfg' % (CONFIG_DIR, name))
    assert (config.user, config.group, config.mode) == ('root', 'mock', 0o644)
    assert config.contains("^config_opts\\['basedir'\\] = '/srv/mc/mock'$")


def test_refused_configs_left_no_file(host):
    for name in ('fb', 'fbx', 'fedora-43-x86_64-lvm', 'cs9-shared'):
        assert not host.file('%s/%s.cfg' % (CONFIG_DIR, name)).exists
    # The neighbour added last took root foo; the dotted config kept foo_bar.
    assert marker(host, 'foo-lvm')['root'] == 'foo'
    assert not [n for n in volumes(host) if 'foo_baz' in n or 'bootstrap_x' in n]
    assert {'+mock.foo_bar.head', 'mock.foo_bar.postinit'} <= volumes(host)


def test_no_config_of_ours_shares_a_chroot_dir_with_a_packaged_one(host):
    """Every marked config's root differs from every stand-in packaged config's root (and its -bootstrap)."""
    packaged = set()
    for name in ('fedora-43-x86_64', 'centos-stream-9-x86_64', 'eol/fedora-41-x86_64'):
        root = name.rsplit('/', maxsplit=1)[-1]
        packaged |= {root, root + '-bootstrap'}
    ours = {marker(host, n)['root'] for n in ('f43-new', 'cs9-lvm', 'dotted-lvm', 'f41-lvm', 'foo-lvm', 'dots-lvm')}
    assert ours and not ours & packaged


def test_a_dotted_root_without_safe_roots_is_the_file_root(host):
    """builder_safe_roots: false keeps foo.x-style roots: the file mock reads says the same as the marker."""
    content = host.file(CONFIG_DIR + '/dots-lvm.cfg').content_string
    assert "config_opts['root'] = 'dots.x'" in content.splitlines()
