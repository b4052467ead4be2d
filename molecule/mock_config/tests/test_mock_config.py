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
    assert marker(host, 'f43-new')['root'] == 'fedora-43-x86_64'
    assert {'+mock.fedora-43-x86_64.head', '+mock.fedora-43-x86_64.ABC', 'mock.fedora-43-x86_64.postinit'} <= \
        volumes(host)


def test_packaged_stand_ins_untouched(host):
    for name in ('fedora-43-x86_64', 'centos-stream-9-x86_64', 'eol/fedora-41-x86_64'):
        config = host.file('%s/%s.cfg' % (CONFIG_DIR, name))
        assert config.contains('Stand-in for mock-core-configs')
        assert not config.contains(MARKER)
    assert {'+mock.centos-stream-9-x86_64.head', 'mock.centos-stream-9-x86_64.postinit'} <= volumes(host)


@pytest.mark.parametrize('name, root', [('f43-new', 'fedora-43-x86_64'), ('cs9-lvm', 'centos-stream-9-x86_64'),
                                        ('dotted-lvm', 'foo_bar'), ('f41-lvm', 'fedora-41-x86_64'),
                                        ('foo-lvm', 'foo')])
def test_configs_record_their_identity_and_are_owned_by_root_mock(host, name, root):
    assert marker(host, name) == {'name': name, 'root': root, 'vg': 'mc', 'pool': 'shared',
                                  'basedir': '/srv/mc/mock', 'collection_version': '1.0.0'}
    config = host.file('%s/%s.cfg' % (CONFIG_DIR, name))
    assert (config.user, config.group, config.mode) == ('root', 'mock', 0o644)
    assert config.contains("^config_opts\\['basedir'\\] = '/srv/mc/mock'$")


def test_refused_configs_left_no_file(host):
    for name in ('fb', 'fbx', 'fedora-43-x86_64-lvm'):
        assert not host.file('%s/%s.cfg' % (CONFIG_DIR, name)).exists
    # The neighbour added last took root foo; the dotted config kept foo_bar.
    assert marker(host, 'foo-lvm')['root'] == 'foo'
    assert not [n for n in volumes(host) if 'foo_baz' in n or 'bootstrap_x' in n]
    assert {'+mock.foo_bar.head', 'mock.foo_bar.postinit'} <= volumes(host)
