# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of buildfleet.mock_lvm.mock_config and mock_config_info on a config directory in tmp_path.

Each refusal is run in check and real mode, and the directory is compared byte for byte (names, content,
owner and mode) before and after: nothing may change. A stand-in packaged config is a file without the
marker, as mock-core-configs ships them. LVM reads, where the root-change check needs one, come from the
captured mock_family report (VG "fixture", pool "mockpool", roots foo, foo.bar, foo-bar, foo-bootstrap).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import stat
import subprocess
import sys

import pytest

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils import _mock_config_file
from ansible_collections.buildfleet.mock_lvm.plugins.modules import mock_config, mock_config_info

MARKER = '# buildfleet.mock_lvm config: '
PACKAGED = "config_opts['root'] = 'fedora-43-x86_64'\nconfig_opts['target_arch'] = 'x86_64'\n"


@pytest.fixture
def config_dir(tmp_path):
    """A config dir with stand-ins for packaged configs (no marker), one of them under eol/."""
    directory = tmp_path / 'etc-mock'
    (directory / 'eol').mkdir(parents=True)
    for name in ('fedora-43-x86_64', 'alma+epel-10-x86_64', 'centos-stream-9-x86_64'):
        (directory / ('%s.cfg' % name)).write_text(PACKAGED.replace('fedora-43-x86_64', name))
    (directory / 'eol' / 'fedora-41-x86_64.cfg').write_text(PACKAGED.replace('43', '41'))
    (directory / 'templates').mkdir()
    (directory / 'templates' / 'fedora-branched.tpl').write_text("config_opts['releasever'] = '44'\n")
    return directory


def args(config_dir, **overrides):
    base = {'name': 'f43-lvm', 'base': 'fedora-43-x86_64', 'vg': 'fixture', 'pool': 'mockpool', 'size': '8G',
            'config_dir': str(config_dir), 'group': 'root', 'validate_with_mock': False}
    base.update(overrides)
    return dict((k, v) for k, v in base.items() if v is not None)


def snapshot(directory):
    """Every file below directory: name -> (content, uid, gid, mode)."""
    found = {}
    for top, dirs, files in os.walk(str(directory)):
        for name in files:
            path = os.path.join(top, name)
            st = os.stat(path)
            with open(path, 'rb') as handle:
                found[os.path.relpath(path, str(directory))] = (handle.read(), st.st_uid, st.st_gid,
                                                                stat.S_IMODE(st.st_mode))
    return found


def marker_of(path):
    lines = [line[len(MARKER):] for line in open(str(path)).read().splitlines() if line.startswith(MARKER)]
    assert len(lines) == 1
    return json.loads(lines[0])


def four_runs(run_module, module_args, config_dir):
    """check, real, repeat, repeat in check: the first two change, the last two do not."""
    before = snapshot(config_dir)
    check = run_module(mock_config, module_args, check_mode=True, diff=True)
    assert not check.failed and check.result['changed'], check
    assert snapshot(config_dir) == before
    real = run_module(mock_config, module_args, diff=True)
    assert not real.failed and real.result['changed'], real
    changed = snapshot(config_dir)
    for check_mode in (False, True):
        again = run_module(mock_config, module_args, check_mode=check_mode, diff=True)
        assert not again.failed and not again.result['changed'], again
        assert 'diff' not in again.result
        assert snapshot(config_dir) == changed
    return check, real


# --------------------------------------------------------------------------- present

def test_create_four_runs(run_module, config_dir):
    check, real = four_runs(run_module, args(config_dir), config_dir)
    path = config_dir / 'f43-lvm.cfg'
    assert check.result['diff'][0]['after'] == real.result['diff'][0]['after'] == path.read_text()
    # The default root is the config's own name: never the packaged base's root (fedora-43-x86_64).
    assert marker_of(path) == {'name': 'f43-lvm', 'root': 'f43-lvm', 'vg': 'fixture', 'pool': 'mockpool',
                               'basedir': '/var/lib/mock', 'collection_version': '1.0.0'}
    assert real.result['marker'] == marker_of(path) and real.result['recorded'] is None
    assert real.result['root'] == 'f43-lvm'
    # The diff shows the mode the new file gets, in check mode too.
    for run in (check, real):
        assert run.result['diff'][-1]['after'] == {'owner': 'root', 'group': 'root', 'mode': '0644'}
    assert real.result['validated_with'] == 'python'
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o644
    assert real.commands == [] and real.result['commands'] == []
    assert [n for n in os.listdir(str(config_dir)) if n.startswith('.')] == []  # no temp file left


def test_content_is_replaced_and_the_marker_is_what_is_read_back(run_module, config_dir):
    run_module(mock_config, args(config_dir))
    path = config_dir / 'f43-lvm.cfg'
    # A hand edit that leaves root, basedir, vg and pool as the marker records them: the file is rewritten.
    path.write_text(path.read_text() + "config_opts['rpmbuild_networking'] = True\r\n")
    result = run_module(mock_config, args(config_dir, size='16G'), diff=True)
    assert result.result['changed'] and result.result['recorded']['root'] == 'f43-lvm'
    assert 'rpmbuild_networking' not in path.read_text() and "'size': '16G'" in path.read_text()


@pytest.mark.parametrize('attribute, drift', [('mode', 0o666), ('mode', 0o600)])
def test_mode_drift_is_repaired_and_reported(run_module, config_dir, attribute, drift):
    run_module(mock_config, args(config_dir))
    path = str(config_dir / 'f43-lvm.cfg')
    content = open(path).read()
    os.chmod(path, drift)
    check = run_module(mock_config, args(config_dir), check_mode=True, diff=True)
    assert check.result['changed'] and stat.S_IMODE(os.stat(path).st_mode) == drift
    real = run_module(mock_config, args(config_dir), diff=True)
    assert real.result['changed'] and stat.S_IMODE(os.stat(path).st_mode) == 0o644
    assert real.result['diff'][-1]['before']['mode'] == '%04o' % drift
    assert open(path).read() == content
    assert not run_module(mock_config, args(config_dir)).result['changed']


@pytest.mark.skipif(os.geteuid() != 0, reason='changing a file owner needs root')
def test_owner_and_group_drift_is_repaired(run_module, config_dir):
    run_module(mock_config, args(config_dir))
    path = str(config_dir / 'f43-lvm.cfg')
    os.chown(path, 65534, 65534)
    result = run_module(mock_config, args(config_dir))
    assert result.result['changed']
    assert (os.stat(path).st_uid, os.stat(path).st_gid) == (0, 0)


def test_every_option_renders(run_module, config_dir):
    result = run_module(mock_config, args(config_dir, base='templates/fedora-branched.tpl', root='f44+x.y',
                                          options={'rpmbuild_networking': True, 'macros': {'%_smp_mflags': '-j4'}},
                                          plugin_options={'ccache_enable': True}, basedir='/srv/mock/',
                                          filesystem='xfs', mkfs_args=['-f'], mount_options='noatime',
                                          check_size=False, sleep_time=2, poolmetadatasize='64M', umount_root=True))
    assert not result.failed, result
    namespace = {'config_opts': {'plugin_conf': {}}, 'include': lambda path: namespace.setdefault('inc', path)}
    exec(compile((config_dir / 'f43-lvm.cfg').read_text(), 'cfg', 'exec'), namespace)  # pylint: disable=exec-used
    opts = namespace['config_opts']
    assert namespace['inc'] == 'templates/fedora-branched.tpl'
    assert (opts['root'], opts['basedir'], opts['rpmbuild_networking']) == ('f44_x_y', '/srv/mock', True)
    assert opts['macros'] == {'%_smp_mflags': '-j4'} and opts['plugin_conf']['ccache_enable'] is True
    assert opts['plugin_conf']['lvm_root_opts'] == {
        'volume_group': 'fixture', 'pool_name': 'mockpool', 'size': '8G', 'filesystem': 'xfs', 'mkfs_args': ['-f'],
        'mount_options': 'noatime', 'check_size': False, 'sleep_time': 2, 'poolmetadatasize': '64M',
        'umount_root': True}
    assert result.result['root'] == 'f44_x_y'


PYTHON = os.path.basename(sys.executable)


def test_mock_loader_checks_the_candidate_before_it_replaces_the_live_file(run_module, fake_lvm, config_dir):
    fake_lvm.set({PYTHON: [(0, 'f43-lvm', ''), (1, '', 'ConfigError: Config error: x: invalid syntax'),
                           (0, 'other-root', '')]})
    ok = run_module(mock_config, args(config_dir, validate_with_mock=True))
    assert ok.result['validated_with'] == 'mock'
    cmd = ok.calls[0].argv
    assert cmd[0] == sys.executable and cmd[1] == '-c' and 'simple_load_config' in cmd[2]
    assert os.path.basename(cmd[3]).startswith('.f43-lvm.') and cmd[3].endswith('.cfg') and cmd[4] == str(config_dir)
    before = snapshot(config_dir)
    refused = run_module(mock_config, args(config_dir, validate_with_mock=True, size='9G'))
    assert refused.failed and 'mock cannot load the new config' in refused.result['msg']
    assert 'invalid syntax' in refused.result['msg']
    assert snapshot(config_dir) == before  # live file kept, temp file gone
    other = run_module(mock_config, args(config_dir, validate_with_mock=True, size='9G'))
    assert other.failed and "loads with root 'other-root', not 'f43-lvm'" in other.result['msg']
    assert snapshot(config_dir) == before


def test_mock_installed_without_its_python_package_warns(run_module, fake_lvm, config_dir):
    fake_lvm.set({PYTHON: (3, '', '')})
    result = run_module(mock_config, args(config_dir, validate_with_mock=True))
    assert result.result['changed'] and result.result['validated_with'] == 'python'
    assert 'mockbuild' in result.warnings[0]


def stand_in_mockbuild(tmp_path, config_py):
    """A mockbuild package with config.py as given, under tmp_path/site; returns that site directory."""
    package = tmp_path / 'site' / 'mockbuild'
    package.mkdir(parents=True)
    (package / '__init__.py').write_text('')
    (package / 'config.py').write_text(config_py)
    return tmp_path / 'site'


def run_loader(config_file, config_dir, site=None):
    """The loader script the module sends, run for real; site: a directory with a stand-in mockbuild (none: the
    Python of the tests, which has no mockbuild)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site)] + sys.path)) if site else None
    return subprocess.run([sys.executable, '-c', _mock_config_file._LOAD_WITH_MOCK, str(config_file), str(config_dir)],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)


# The script the module sends, run for real against stand-in mockbuild packages that do what mock does: id,
# mockbuild/config.py, a config it loads with root 'mine', one it refuses, what stderr then says.
LOADER_CASES = [
    # simple_load_config's include() joins relative names to config_path, and fails on a missing file.
    ('includes', (
        'import os\n'
        'def simple_load_config(name, config_path=None):\n'
        '    opts = {"plugin_conf": {}}\n'
        '    def include(path):\n'
        '        full = os.path.join(config_path, path)\n'
        '        if not os.path.exists(full):\n'
        '            raise RuntimeError("Could not find included config file: %s" % full)\n'
        '        exec(open(full).read(), {"config_opts": opts, "include": include})\n'
        '    exec(open(name).read(), {"config_opts": opts, "include": include})\n'
        '    return opts\n'),
     "include('fedora-43-x86_64.cfg')\nconfig_opts['root'] = 'mine'\n", "include('gone.cfg')\n",
     b'Could not find included config file'),
    # config_opts expand Jinja templates when read, as mock's TemplatedDictionary does once load_config has set
    # __jinja_expand: reading every key finds a broken template in any value.
    ('expands-every-value', (
        'import jinja2\n'
        'class Opts(dict):\n'
        '    def __getitem__(self, key):\n'
        '        value = dict.__getitem__(self, key)\n'
        '        return jinja2.Template(value).render(dict(self)) if isinstance(value, str) else value\n'
        'def simple_load_config(name, config_path=None):\n'
        '    opts = Opts(plugin_conf={})\n'
        '    exec(open(name).read(), {"config_opts": opts, "include": lambda path: None})\n'
        '    return opts\n'),
     "config_opts['root'] = 'mine'\nconfig_opts['description'] = 'Mine {{ root }}'\n",
     "config_opts['root'] = 'mine'\nconfig_opts['description'] = 'Mine {{ root'\n",
     b"TemplateSyntaxError (expanding config_opts['description'])"),
]


@pytest.mark.parametrize('config_py, good, bad, failure', [c[1:] for c in LOADER_CASES],
                         ids=[c[0] for c in LOADER_CASES])
def test_the_loader_script_runs_mocks_loader(tmp_path, config_dir, config_py, good, bad, failure):
    site = stand_in_mockbuild(tmp_path, config_py)
    (config_dir / 'good.cfg').write_text(good)
    (config_dir / 'bad.cfg').write_text(bad)
    ok = run_loader(config_dir / 'good.cfg', config_dir, site)
    assert (ok.returncode, ok.stdout) == (0, b'mine'), ok.stderr
    failed = run_loader(config_dir / 'bad.cfg', config_dir, site)
    assert failed.returncode == 1 and failure in failed.stderr


def test_the_loader_script_says_when_mockbuild_is_missing(config_dir):
    (config_dir / 'good.cfg').write_text("config_opts['root'] = 'mine'\n")
    assert run_loader(config_dir / 'good.cfg', config_dir).returncode == 3


# --------------------------------------------------------------------------- refusals

def with_file(name, content):
    def prepare(config_dir):
        (config_dir / name).write_text(content)
    return prepare


def recorded_file(name, root, vg='fixture', pool='mockpool', basedir='/var/lib/mock', content=None):
    """A marked file whose statements agree with its marker (content: other statements instead)."""
    identity = {'name': name, 'root': root, 'vg': vg, 'pool': pool, 'basedir': basedir,
                'collection_version': '1.0.0'}
    statements = content if content is not None else (
        "config_opts['root'] = %r\nconfig_opts['basedir'] = %r\n"
        "config_opts['plugin_conf']['lvm_root_opts'] = {'volume_group': %r, 'pool_name': %r}\n"
        % (root, basedir, vg, pool))
    return with_file(name + '.cfg', MARKER + json.dumps(identity) + '\ninclude("x.cfg")\n' + statements)


REFUSALS = [
    # id, prepare, overrides, message fragments
    ('name-is-base', None, dict(name='fedora-43-x86_64'),
     ["the name is its own base 'fedora-43-x86_64'", 'Multiple inclusion']),
    ('packaged-name', None, dict(name='centos-stream-9-x86_64', base='fedora-43-x86_64'),
     ['centos-stream-9-x86_64.cfg exists but was not written by buildfleet.mock_lvm', 'force: true']),
    ('hand-written', with_file('f43-lvm.cfg', "config_opts['root'] = 'x'\n"), {},
     ['f43-lvm.cfg exists but was not written by buildfleet.mock_lvm']),
    ('marker-of-another-config', with_file('f43-lvm.cfg', MARKER + json.dumps(
        {'name': 'other', 'root': 'r', 'vg': 'v', 'pool': 'p', 'basedir': '/b'}) + '\n'), {},
     ["not written by buildfleet.mock_lvm for config 'f43-lvm'"]),
    ('missing-base', None, dict(base='fedora-99-x86_64'),
     ["base 'fedora-99-x86_64' does not exist", 'fedora-99-x86_64.cfg is missing', 'mock-core-configs']),
    ('eol-base', None, dict(base='fedora-41-x86_64'),
     ["base 'fedora-41-x86_64' is not in", 'moved it to eol/', "Use base 'eol/fedora-41-x86_64'"]),
    ('same-root-as-recorded-neighbour', recorded_file('old', 'f43-lvm'), {},
     ["configs 'f43-lvm' and 'old' both have root 'f43-lvm'", 'recorded in old.cfg']),
    ('bootstrap-of-neighbour', recorded_file('foo-lvm', 'foo'), dict(root='foo-bootstrap.x'),
     ["root 'foo-bootstrap_x' of config 'f43-lvm' starts with 'foo-bootstrap'"]),
    ('ends-in-bootstrap', None, dict(root='x-bootstrap'), ["root 'x-bootstrap' ends in '-bootstrap'"]),
    ('plus-without-safe-root', None, dict(root='a+b', safe_root=False), ["root 'a+b' contains \"+\""]),
    ('owned-option', None, dict(options={'basedir': '/x'}), ["options key 'basedir' is set by this collection"]),
    ('owned-plugin-option', None, dict(plugin_options={'lvm_root_enable': False}),
     ["plugin_options key 'lvm_root_enable'"]),
    ('option-not-literal', None, dict(options={'x': {'y': float('inf')}}), ["options['x'] is not a finite number"]),
    ('bad-size', None, dict(size='huge'), ["size 'huge' is not a size"]),
    ('bad-name', None, dict(name='x/../y'), ["name 'x/../y' is not allowed"]),
    ('bad-config-dir', None, dict(config_dir='relative/x'), ["config_dir 'relative/x' must be an absolute path"]),
    ('bad-basedir', None, dict(basedir="/x'; import os"), ['basedir "/x\'; import os" must be an absolute path']),
    ('bad-vg', None, dict(vg='a b'), ["volume group 'a b' is not a valid LVM name"]),
    ('unknown-sleep-time', None, dict(sleep_time='soon'), ["sleep_time 'soon' must be a number"]),
    ('unknown-owner', recorded_file('f43-lvm', 'f43-lvm'), dict(owner='no-such-user-here'),
     ["owner 'no-such-user-here' does not exist on this host", 'set owner to an existing one']),
    ('unknown-group', recorded_file('f43-lvm', 'f43-lvm'), dict(group='no-such-group-here'),
     ["group 'no-such-group-here' does not exist on this host"]),
]


@pytest.mark.parametrize('check_mode', [True, False], ids=['check', 'real'])
@pytest.mark.parametrize('prepare, overrides, fragments', [c[1:] for c in REFUSALS], ids=[c[0] for c in REFUSALS])
def test_refusals_change_nothing(run_module, config_dir, prepare, overrides, fragments, check_mode):
    if prepare:
        prepare(config_dir)
    before = snapshot(config_dir)
    module_args = args(config_dir)
    module_args.update(overrides)
    result = run_module(mock_config, module_args, check_mode=check_mode)
    assert result.failed, result
    for fragment in fragments:
        assert fragment in result.result['msg']
    assert snapshot(config_dir) == before
    assert result.mutating == []


def test_force_takes_over_a_hand_written_file(run_module, config_dir):
    (config_dir / 'f43-lvm.cfg').write_text("config_opts['root'] = 'x'\n")
    result = run_module(mock_config, args(config_dir, force=True))
    assert result.result['changed'] and marker_of(config_dir / 'f43-lvm.cfg')['name'] == 'f43-lvm'


# --------------------------------------------------------------------------- root changes

@pytest.mark.parametrize('check_mode', [True, False], ids=['check', 'real'])
def test_root_change_with_volumes_left_is_refused(run_module, fake_lvm, lvm_reports, config_dir, check_mode):
    recorded_file('f43-lvm', 'foo')(config_dir)
    fake_lvm.set(lvs=lvm_reports.text('mock_family'))
    before = snapshot(config_dir)
    # An explicit root other than the recorded one: the root-change rule applies.
    result = run_module(mock_config, args(config_dir, root='f43-lvm'), check_mode=check_mode)
    assert result.failed
    for fragment in ["config 'f43-lvm' recorded root 'foo' in fixture/mockpool", 'still has volumes',
                     '+mock.foo.head', 'mock.foo-bootstrap.postinit', "new settings give root 'f43-lvm'",
                     'build_root root=foo vg=fixture pool=mockpool state=absent']:
        assert fragment in result.result['msg']
    # foo.bar's volumes are not foo's.
    assert 'foo.bar' not in result.result['msg']
    assert fake_lvm.tools == ['lvs'] and snapshot(config_dir) == before


def test_root_change_without_volumes_goes_ahead(run_module, fake_lvm, lvm_reports, config_dir):
    recorded_file('f43-lvm', 'gone-root')(config_dir)
    fake_lvm.set(lvs=lvm_reports.text('mock_family'))
    result = run_module(mock_config, args(config_dir, root='f43-lvm'))
    assert result.result['changed'] and result.result['recorded']['root'] == 'gone-root'
    assert marker_of(config_dir / 'f43-lvm.cfg')['root'] == 'f43-lvm'
    assert fake_lvm.tools == ['lvs']


def test_root_change_when_the_old_vg_is_gone(run_module, fake_lvm, config_dir):
    recorded_file('f43-lvm', 'foo', vg='removed')(config_dir)
    fake_lvm.set(lvs=(5, '', '  Volume group "removed" not found'))
    assert run_module(mock_config, args(config_dir, root='f43-lvm')).result['changed']


def test_root_change_when_lvm_fails_is_not_taken_as_empty(run_module, fake_lvm, config_dir):
    recorded_file('f43-lvm', 'foo')(config_dir)
    fake_lvm.set(lvs=(3, '', 'locking failed'))
    before = snapshot(config_dir)
    result = run_module(mock_config, args(config_dir, root='f43-lvm'))
    assert result.failed and 'locking failed' in result.result['msg'] and snapshot(config_dir) == before


# --------------------------------------------------------------------------- existing files keep their recorded root

def test_without_root_the_recorded_root_is_kept(run_module, fake_lvm, lvm_reports, config_dir):
    """A file that records another root than the default (here foo, which has volumes): rewritten on that root,
    its volumes left alone, no LVM read; check mode predicts the real run and a repeat changes nothing."""
    recorded_file('f43-lvm', 'foo')(config_dir)
    fake_lvm.set(lvs=lvm_reports.text('mock_family'))
    check, real = four_runs(run_module, args(config_dir), config_dir)
    assert check.result['root'] == real.result['root'] == 'foo'
    assert marker_of(config_dir / 'f43-lvm.cfg') == {'name': 'f43-lvm', 'root': 'foo', 'vg': 'fixture',
                                                     'pool': 'mockpool', 'basedir': '/var/lib/mock',
                                                     'collection_version': '1.0.0'}
    assert "config_opts['root'] = 'foo'\n" in (config_dir / 'f43-lvm.cfg').read_text()
    assert fake_lvm.tools == []  # the identity does not change: the old root's volumes are not even read


def test_the_recorded_root_is_kept_as_recorded_not_made_safe(run_module, config_dir):
    recorded_file('f43-lvm', 'f43.debug')(config_dir)
    result = run_module(mock_config, args(config_dir))
    assert result.result['root'] == 'f43.debug' and marker_of(config_dir / 'f43-lvm.cfg')['root'] == 'f43.debug'


@pytest.mark.parametrize('check_mode', [True, False], ids=['check', 'real'])
def test_a_recorded_root_a_packaged_config_has_needs_share_root(run_module, config_dir, check_mode):
    """A file of an earlier version recorded its base's root: kept, so it still shares the packaged config's chroot
    dir, which is refused (naming the file and both ways out) unless share_root."""
    recorded_file('f43-lvm', 'fedora-43-x86_64')(config_dir)
    before = snapshot(config_dir)
    result = run_module(mock_config, args(config_dir), check_mode=check_mode)
    assert result.failed and snapshot(config_dir) == before and result.commands == []
    for fragment in ["root 'fedora-43-x86_64' shares its chroot dir", str(config_dir / 'fedora-43-x86_64.cfg'),
                     'Its file records this root', 'set share_root: true to keep it',
                     'build_root root=fedora-43-x86_64 state=absent', 'then set root (for example root: f43-lvm)']:
        assert fragment in result.result['msg']
    shared = run_module(mock_config, args(config_dir, share_root=True), check_mode=check_mode)
    assert not shared.failed and shared.result['root'] == 'fedora-43-x86_64'


@pytest.mark.parametrize('root', ['x+y', 'old-bootstrap'])
def test_a_recorded_root_mock_cannot_use_is_refused_not_moved(run_module, config_dir, root):
    recorded_file('f43-lvm', root)(config_dir)
    before = snapshot(config_dir)
    result = run_module(mock_config, args(config_dir))
    assert result.failed and snapshot(config_dir) == before
    assert "root %r" % root in result.result['msg'] and 'the root its file records' in result.result['msg']


# --------------------------------------------------------------------------- absent and the info module

@pytest.mark.parametrize('check_mode', [True, False], ids=['check', 'real'])
def test_absent_removes_only_a_marked_file_and_returns_its_identity(run_module, config_dir, check_mode):
    run_module(mock_config, args(config_dir))
    result = run_module(mock_config, {'name': 'f43-lvm', 'state': 'absent', 'config_dir': str(config_dir)},
                        check_mode=check_mode, diff=True)
    assert result.result['changed'] and result.result['recorded']['root'] == 'f43-lvm'
    assert (config_dir / 'f43-lvm.cfg').exists() is check_mode
    assert result.commands == []


@pytest.mark.parametrize('check_mode', [True, False], ids=['check', 'real'])
def test_absent_packaged_config_is_refused(run_module, config_dir, check_mode):
    before = snapshot(config_dir)
    result = run_module(mock_config, {'name': 'centos-stream-9-x86_64', 'state': 'absent',
                                      'config_dir': str(config_dir)}, check_mode=check_mode)
    assert result.failed and 'was not written by buildfleet.mock_lvm' in result.result['msg']
    assert snapshot(config_dir) == before


def test_absent_missing_file_is_a_no_op(run_module, config_dir):
    result = run_module(mock_config, {'name': 'never', 'state': 'absent', 'config_dir': str(config_dir)})
    assert not result.result['changed'] and result.result['recorded'] is None


def test_rename_in_one_run(run_module, config_dir):
    """Remove the old file first, then the new config may take the same root; nothing else is touched."""
    run_module(mock_config, args(config_dir, name='f43-old', root='f43'))
    blocked = run_module(mock_config, args(config_dir, name='f43-new', root='f43'))
    assert blocked.failed and "both have root 'f43'" in blocked.result['msg']
    removed = run_module(mock_config, {'name': 'f43-old', 'state': 'absent', 'config_dir': str(config_dir)})
    assert removed.result['recorded']['root'] == 'f43'
    created = run_module(mock_config, args(config_dir, name='f43-new', root='f43'))
    assert created.result['changed'] and created.result['root'] == 'f43'
    assert (config_dir / 'fedora-43-x86_64.cfg').read_text() == PACKAGED


def test_rename_in_check_mode_predicts_the_real_run(run_module, config_dir):
    """In check mode the old file is still there: naming it in absent_configs frees its root."""
    run_module(mock_config, args(config_dir, name='f43-old', root='f43'))
    before = snapshot(config_dir)
    check = run_module(mock_config, args(config_dir, name='f43-new', root='f43', absent_configs=['f43-old']),
                       check_mode=True)
    assert not check.failed and check.result['changed'] and snapshot(config_dir) == before
    other = run_module(mock_config, args(config_dir, name='f43-new', root='f43', absent_configs=['unrelated']),
                       check_mode=True)
    assert other.failed and "both have root 'f43'" in other.result['msg']


def test_info_lists_marked_files_and_unmanaged_names(run_module, config_dir):
    run_module(mock_config, args(config_dir))
    run_module(mock_config, args(config_dir, name='alma-lvm', base='alma+epel-10-x86_64', pool='other'))
    (config_dir / 'copied.cfg').write_text((config_dir / 'f43-lvm.cfg').read_text())  # marker names f43-lvm
    before = snapshot(config_dir)
    result = run_module(mock_config_info, {'config_dir': str(config_dir),
                                           'names': ['centos-stream-9-x86_64', 'f43-lvm', 'never', 'copied']},
                        check_mode=True)
    assert not result.result['changed'] and snapshot(config_dir) == before
    assert [(c['name'], c['root'], c['pool']) for c in result.result['configs']] == [
        ('alma-lvm', 'alma-lvm', 'other'), ('f43-lvm', 'f43-lvm', 'mockpool')]
    assert result.result['disagreements'] == []
    assert result.result['configs'][1]['content'] == {'root': 'f43-lvm', 'basedir': '/var/lib/mock', 'vg': 'fixture',
                                                      'pool': 'mockpool'}
    assert result.result['configs'][1]['path'] == str(config_dir / 'f43-lvm.cfg')
    assert result.result['unmanaged'] == ['centos-stream-9-x86_64', 'copied']
    assert result.commands == []


def test_info_on_a_missing_directory(run_module, tmp_path):
    result = run_module(mock_config_info, {'config_dir': str(tmp_path / 'none')})
    assert result.result['configs'] == [] and result.result['unmanaged'] == []


# --------------------------------------------------------------------------- chroot dirs never shared

def packaged_on_a_template(config_dir):
    """As mock-core-configs ships them: the root set in a template from values the config sets."""
    (config_dir / 'templates' / 'fedora-branched.tpl').write_text(
        "config_opts['root'] = 'fedora-{{ releasever }}-{{ target_arch }}'\n"
        "config_opts['mirrored'] = config_opts['target_arch'] != 'i686'\n")
    (config_dir / 'fedora-44-x86_64.cfg').write_text(
        "config_opts['releasever'] = '44'\nconfig_opts['target_arch'] = 'x86_64'\n"
        "include('templates/fedora-branched.tpl')\n")


SHARED_ROOTS = [
    # id, prepare, root, the file named
    ('packaged-base', None, 'fedora-43-x86_64', 'fedora-43-x86_64.cfg'),
    ('packaged-root-from-a-template', packaged_on_a_template, 'fedora-44-x86_64', 'fedora-44-x86_64.cfg'),
    ('end-of-life-config', None, 'fedora-41-x86_64', 'eol/fedora-41-x86_64.cfg'),
    ('hand-written-root', with_file('mine.cfg', "config_opts['root'] = 'handmade'\n"), 'handmade', 'mine.cfg'),
    ('copy-of-ours-is-not-ours', recorded_file('f43-lvm', 'copied-root'), 'copied-root', 'f43-lvm.cfg'),
    ('its-bootstrap-dir', with_file('boot.cfg', "config_opts['root'] = 'x-bootstrap'\n"), 'x', 'boot.cfg'),
]


@pytest.mark.parametrize('check_mode', [True, False], ids=['check', 'real'])
@pytest.mark.parametrize('prepare, root, named', [c[1:] for c in SHARED_ROOTS], ids=[c[0] for c in SHARED_ROOTS])
def test_a_root_another_config_has_is_refused_naming_the_file(run_module, config_dir, prepare, root, named,
                                                              check_mode):
    if prepare:
        prepare(config_dir)
    if named == 'f43-lvm.cfg':  # a copy of one of ours under another name
        os.rename(str(config_dir / 'f43-lvm.cfg'), str(config_dir / 'copy.cfg'))
        named = 'copy.cfg'
    before = snapshot(config_dir)
    result = run_module(mock_config, args(config_dir, name='ours', root=root), check_mode=check_mode)
    assert result.failed, result
    assert "root %r shares its chroot dir" % root in result.result['msg']
    assert str(config_dir / named) in result.result['msg'] and 'share_root: true' in result.result['msg']
    assert snapshot(config_dir) == before
    shared = run_module(mock_config, args(config_dir, name='ours', root=root, share_root=True), check_mode=check_mode)
    assert not shared.failed and shared.result['changed'], shared


def test_the_default_root_is_the_name_and_shares_nothing(run_module, config_dir):
    packaged_on_a_template(config_dir)
    result = run_module(mock_config, args(config_dir, name='fedora-44-x86_64-lvm', base='fedora-44-x86_64'))
    assert not result.failed and result.result['root'] == 'fedora-44-x86_64-lvm'


# --------------------------------------------------------------------------- marker and content agree

HAND_EDITS = [
    # id, statements instead of those the marker records, fragments
    ('root', "config_opts['root'] = 'edited'\nconfig_opts['basedir'] = '/var/lib/mock'\n"
             "config_opts['plugin_conf']['lvm_root_opts'] = {'volume_group': 'fixture', 'pool_name': 'mockpool'}\n",
     ["root 'f43-lvm' in the marker, 'edited' in the statements", 'build_root state=absent for root \'edited\'']),
    ('basedir-and-pool', "config_opts['root'] = 'f43-lvm'\nconfig_opts['basedir'] = '/srv/other'\n"
                         "config_opts['plugin_conf']['lvm_root_opts'] = {'volume_group': 'fixture', 'pool_name': 'p2'}\n",
     ["basedir '/var/lib/mock' in the marker, '/srv/other' in the statements",
      "pool 'mockpool' in the marker, 'p2' in the statements"]),
    ('statements-removed', "", ["root 'f43-lvm' in the marker, None in the statements"]),
]


@pytest.mark.parametrize('check_mode', [True, False], ids=['check', 'real'])
@pytest.mark.parametrize('state', ['present', 'absent'])
@pytest.mark.parametrize('content, fragments', [c[1:] for c in HAND_EDITS], ids=[c[0] for c in HAND_EDITS])
def test_a_hand_edit_is_refused_before_the_file_is_rewritten_or_removed(run_module, config_dir, content, fragments,
                                                                        state, check_mode):
    recorded_file('f43-lvm', 'f43-lvm', content=content)(config_dir)
    before = snapshot(config_dir)
    module_args = args(config_dir) if state == 'present' else {'name': 'f43-lvm', 'state': 'absent',
                                                               'config_dir': str(config_dir)}
    result = run_module(mock_config, module_args, check_mode=check_mode)
    assert result.failed
    for fragment in fragments + ['was edited by hand', 'set force: true to %s it' % (
            'rewrite' if state == 'present' else 'remove')]:
        assert fragment in result.result['msg']
    assert snapshot(config_dir) == before and result.commands == []
    info = run_module(mock_config_info, {'config_dir': str(config_dir)})
    assert info.result['disagreements'] == ['f43-lvm']
    assert fragments[0] in info.result['configs'][0]['disagreement']
    forced = run_module(mock_config, dict(module_args, force=True), check_mode=check_mode)
    assert not forced.failed and forced.result['changed']


def test_the_marker_is_found_past_the_first_4_kib(run_module, config_dir):
    run_module(mock_config, args(config_dir))
    path = config_dir / 'f43-lvm.cfg'
    text = path.read_text()
    path.write_text('# padding\n' * 600 + text)  # 6000 bytes before the marker
    info = run_module(mock_config_info, {'config_dir': str(config_dir), 'names': ['f43-lvm']})
    assert [c['name'] for c in info.result['configs']] == ['f43-lvm'] and info.result['unmanaged'] == []
    assert info.result['disagreements'] == []
    rewritten = run_module(mock_config, args(config_dir))
    assert rewritten.result['changed'] and path.read_text() == text


# --------------------------------------------------------------------------- basedir changes

@pytest.mark.parametrize('check_mode', [True, False], ids=['check', 'real'])
def test_a_basedir_change_is_refused_while_the_old_one_holds_the_roots_files(run_module, fake_lvm, lvm_reports,
                                                                             config_dir, tmp_path, check_mode):
    old = tmp_path / 'old-basedir'
    old.mkdir()
    (old / '.lvm-mock.foo.lock').write_text('')
    (old / '.snapinfo-mock.foo.head').write_text('mock.foo.postinit')
    recorded_file('f43-lvm', 'foo', basedir=str(old))(config_dir)
    fake_lvm.set(lvs=lvm_reports.text('mock_family'))
    before = snapshot(config_dir)
    result = run_module(mock_config, args(config_dir, root='foo', basedir=str(tmp_path / 'new')), check_mode=check_mode)
    assert result.failed
    for fragment in ["recorded basedir %r" % str(old), str(old / '.lvm-mock.foo.lock'),
                     str(old / '.snapinfo-mock.foo.head'), '+mock.foo.head', "keep basedir %r" % str(old),
                     'basedir=%s state=absent' % old]:
        assert fragment in result.result['msg']
    assert fake_lvm.tools == ['lvs'] and snapshot(config_dir) == before


def test_a_basedir_change_goes_ahead_when_the_old_one_holds_nothing_of_the_root(run_module, fake_lvm, config_dir,
                                                                                tmp_path):
    old = tmp_path / 'old-basedir'
    old.mkdir()
    (old / '.lvm-mock.other.lock').write_text('')
    recorded_file('f43-lvm', 'foo', basedir=str(old))(config_dir)
    result = run_module(mock_config, args(config_dir, root='foo', basedir=str(tmp_path / 'new')))
    assert result.result['changed'] and marker_of(config_dir / 'f43-lvm.cfg')['basedir'] == str(tmp_path / 'new')
    assert fake_lvm.tools == []  # nothing of the root there: no volumes read


# --------------------------------------------------------------------------- modes as Ansible users write them

@pytest.mark.parametrize('mode', [420, '644', '0644', 'u=rw,g=r,o=r', 'u=rw,go=r'])
def test_modes_are_read_as_the_file_module_reads_them(run_module, config_dir, mode):
    check = run_module(mock_config, args(config_dir, mode=mode), check_mode=True, diff=True)
    assert check.result['diff'][-1]['after']['mode'] == '0644'
    real = run_module(mock_config, args(config_dir, mode=mode), diff=True)
    assert stat.S_IMODE(os.stat(str(config_dir / 'f43-lvm.cfg')).st_mode) == 0o644
    assert real.result['diff'][-1]['after']['mode'] == '0644'
    assert not run_module(mock_config, args(config_dir, mode=mode)).result['changed']


def test_an_existing_files_mode_change_is_in_the_diff(run_module, config_dir):
    run_module(mock_config, args(config_dir))
    check = run_module(mock_config, args(config_dir, mode='0640'), check_mode=True, diff=True)
    assert check.result['diff'] == [{'before_header': str(config_dir / 'f43-lvm.cfg') + ' (owner, group, mode)',
                                     'after_header': str(config_dir / 'f43-lvm.cfg') + ' (owner, group, mode)',
                                     'before': {'mode': '0644'}, 'after': {'mode': '0640'}}]


MODE_REFUSALS = [
    ('group-writable', '0664', ["mode '0664' gives mode 0664, which lets the group or others write the file"]),
    ('others-writable-int', 0o646, ['mode 422 gives mode 0646']),
    ('symbolic-group-write', 'u=rw,g=rw,o=r', ['gives mode 0664']),
    # YAML's unquoted 644 is the decimal integer 644: the file module reads it as mode 01204.
    ('unquoted-644', 644, ['mode 644 gives mode 1204', 'setuid, setgid or sticky', 'unquoted 644 in YAML']),
    ('setuid', '4644', ['gives mode 4644']),
    ('not-a-mode', 'rw-r--r--', ["mode 'rw-r--r--' is neither octal nor a symbolic mode"]),
    ('too-large', 0o17777, ['is not a permission mode']),
    ('boolean', True, ['must be a mode such as 0644']),
]


@pytest.mark.parametrize('check_mode', [True, False], ids=['check', 'real'])
@pytest.mark.parametrize('mode, fragments', [c[1:] for c in MODE_REFUSALS], ids=[c[0] for c in MODE_REFUSALS])
def test_a_mode_others_may_write_is_refused(run_module, config_dir, mode, fragments, check_mode):
    before = snapshot(config_dir)
    result = run_module(mock_config, args(config_dir, mode=mode), check_mode=check_mode)
    assert result.failed
    for fragment in fragments:
        assert fragment in result.result['msg']
    assert snapshot(config_dir) == before


# --------------------------------------------------------------------------- name lengths

@pytest.mark.parametrize('check_mode', [True, False], ids=['check', 'real'])
def test_root_length_is_checked_against_the_longest_name_mock_makes(run_module, config_dir, check_mode):
    longest = run_module(mock_config, args(config_dir, root='r' * 78), check_mode=check_mode)
    assert not longest.failed
    assert len('mock.%s-bootstrap.postinit_updated_2026-12-06_10-00' % ('r' * 78)) == 127
    before = snapshot(config_dir)
    result = run_module(mock_config, args(config_dir, name='other', root='r' * 79), check_mode=check_mode)
    assert result.failed and snapshot(config_dir) == before
    for fragment in ["root '%s' is 79 characters long" % ('r' * 79), 'LVM allows 127 characters',
                     'at most 78 characters']:
        assert fragment in result.result['msg']


# --------------------------------------------------------------------------- upgrades without churn

def test_a_new_collection_version_alone_rewrites_nothing(run_module, config_dir):
    run_module(mock_config, args(config_dir))
    path = config_dir / 'f43-lvm.cfg'
    old = path.read_text().replace('"collection_version": "1.0.0"', '"collection_version": "0.0.9"')
    assert old != path.read_text()
    path.write_text(old)
    for check_mode in (True, False):
        same = run_module(mock_config, args(config_dir), check_mode=check_mode, diff=True)
        assert not same.result['changed'] and 'diff' not in same.result
        assert same.result['marker']['collection_version'] == '0.0.9'
    assert path.read_text() == old
    # The version moves with the next change made for another reason.
    changed = run_module(mock_config, args(config_dir, size='9G'))
    assert changed.result['changed'] and marker_of(path)['collection_version'] == '1.0.0'


# --------------------------------------------------------------------------- basedir and root change together

def test_a_root_and_basedir_change_reads_the_old_volumes_once(run_module, fake_lvm, lvm_reports, config_dir, tmp_path):
    old = tmp_path / 'old-basedir'
    old.mkdir()
    (old / '.lvm-mock.gone-root.lock').write_text('')
    recorded_file('f43-lvm', 'gone-root', basedir=str(old))(config_dir)
    fake_lvm.set(lvs=lvm_reports.text('mock_family'))
    result = run_module(mock_config, args(config_dir, root='f43-lvm', basedir=str(tmp_path / 'new')))
    assert result.result['changed'] and marker_of(config_dir / 'f43-lvm.cfg')['root'] == 'f43-lvm'
    assert fake_lvm.tools == ['lvs']
