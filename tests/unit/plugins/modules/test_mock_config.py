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
    assert marker_of(path) == {'name': 'f43-lvm', 'root': 'fedora-43-x86_64', 'vg': 'fixture', 'pool': 'mockpool',
                               'basedir': '/var/lib/mock', 'collection_version': '1.0.0'}
    assert real.result['marker'] == marker_of(path) and real.result['recorded'] is None
    assert real.result['root'] == 'fedora-43-x86_64'
    assert real.result['validated_with'] == 'python'
    assert stat.S_IMODE(os.stat(str(path)).st_mode) == 0o644
    assert real.commands == [] and real.result['commands'] == []
    assert [n for n in os.listdir(str(config_dir)) if n.startswith('.')] == []  # no temp file left


def test_content_is_replaced_and_the_marker_is_what_is_read_back(run_module, config_dir):
    run_module(mock_config, args(config_dir))
    path = config_dir / 'f43-lvm.cfg'
    # A hand edit that adds a second root line: the file is ours (marker), so it is rewritten.
    path.write_text(path.read_text() + "config_opts['root'] = 'hand-edited'\r\n")
    result = run_module(mock_config, args(config_dir, size='16G'), diff=True)
    assert result.result['changed'] and result.result['recorded']['root'] == 'fedora-43-x86_64'
    assert 'hand-edited' not in path.read_text() and "'size': '16G'" in path.read_text()


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
    fake_lvm.set({PYTHON: [(0, 'fedora-43-x86_64', ''), (1, '', 'ConfigError: Config error: x: invalid syntax'),
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
    assert other.failed and "loads with root 'other-root', not 'fedora-43-x86_64'" in other.result['msg']
    assert snapshot(config_dir) == before


def test_mock_installed_without_its_python_package_warns(run_module, fake_lvm, config_dir):
    fake_lvm.set({PYTHON: (3, '', '')})
    result = run_module(mock_config, args(config_dir, validate_with_mock=True))
    assert result.result['changed'] and result.result['validated_with'] == 'python'
    assert 'mockbuild' in result.warnings[0]


def test_the_loader_script_runs_mocks_loader(tmp_path, config_dir):
    """The script the module sends, run for real against a stand-in mockbuild package that does what mock's
    simple_load_config does for includes (config.py: include() joins relative names to config_path)."""
    package = tmp_path / 'site' / 'mockbuild'
    package.mkdir(parents=True)
    (package / '__init__.py').write_text('')
    (package / 'config.py').write_text(
        'import os\n'
        'def simple_load_config(name, config_path=None):\n'
        '    opts = {"plugin_conf": {}}\n'
        '    def include(path):\n'
        '        full = os.path.join(config_path, path)\n'
        '        if not os.path.exists(full):\n'
        '            raise RuntimeError("Could not find included config file: %s" % full)\n'
        '        exec(open(full).read(), {"config_opts": opts, "include": include})\n'
        '    exec(open(name).read(), {"config_opts": opts, "include": include})\n'
        '    return opts\n')
    good = config_dir / 'good.cfg'
    good.write_text("include('fedora-43-x86_64.cfg')\nconfig_opts['root'] = 'mine'\n")
    bad = config_dir / 'bad.cfg'
    bad.write_text("include('gone.cfg')\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path / 'site'))
    run = [sys.executable, '-c', _mock_config_file._LOAD_WITH_MOCK]
    ok = subprocess.run(run + [str(good), str(config_dir)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    assert (ok.returncode, ok.stdout) == (0, b'mine')
    failed = subprocess.run(run + [str(bad), str(config_dir)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    assert failed.returncode == 1 and b'Could not find included config file' in failed.stderr
    missing = subprocess.run(run + [str(good), str(config_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    assert missing.returncode == 3


# --------------------------------------------------------------------------- refusals

def with_file(name, content):
    def prepare(config_dir):
        (config_dir / name).write_text(content)
    return prepare


def recorded_file(name, root, vg='fixture', pool='mockpool'):
    identity = {'name': name, 'root': root, 'vg': vg, 'pool': pool, 'basedir': '/var/lib/mock',
                'collection_version': '1.0.0'}
    return with_file(name + '.cfg', MARKER + json.dumps(identity) + '\ninclude("x.cfg")\n')


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
    ('same-root-as-recorded-neighbour', recorded_file('old', 'fedora-43-x86_64'), {},
     ["configs 'f43-lvm' and 'old' both have root 'fedora-43-x86_64'", 'recorded in old.cfg']),
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
    ('symbolic-mode', None, dict(mode='u=rw,g=r,o=r'), ["mode 'u=rw,g=r,o=r' must be an octal mode such as 0644"]),
    ('unknown-owner', recorded_file('f43-lvm', 'fedora-43-x86_64'), dict(owner='no-such-user-here'),
     ["owner 'no-such-user-here' does not exist on this host", 'set owner to an existing one']),
    ('unknown-group', recorded_file('f43-lvm', 'fedora-43-x86_64'), dict(group='no-such-group-here'),
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
    result = run_module(mock_config, args(config_dir), check_mode=check_mode)
    assert result.failed
    for fragment in ["config 'f43-lvm' recorded root 'foo' in fixture/mockpool", 'still has volumes',
                     '+mock.foo.head', 'mock.foo-bootstrap.postinit', "new settings give root 'fedora-43-x86_64'",
                     'build_root root=foo vg=fixture pool=mockpool state=absent']:
        assert fragment in result.result['msg']
    # foo.bar's volumes are not foo's.
    assert 'foo.bar' not in result.result['msg']
    assert fake_lvm.tools == ['lvs'] and snapshot(config_dir) == before


def test_root_change_without_volumes_goes_ahead(run_module, fake_lvm, lvm_reports, config_dir):
    recorded_file('f43-lvm', 'gone-root')(config_dir)
    fake_lvm.set(lvs=lvm_reports.text('mock_family'))
    result = run_module(mock_config, args(config_dir))
    assert result.result['changed'] and result.result['recorded']['root'] == 'gone-root'
    assert marker_of(config_dir / 'f43-lvm.cfg')['root'] == 'fedora-43-x86_64'
    assert fake_lvm.tools == ['lvs']


def test_root_change_when_the_old_vg_is_gone(run_module, fake_lvm, config_dir):
    recorded_file('f43-lvm', 'foo', vg='removed')(config_dir)
    fake_lvm.set(lvs=(5, '', '  Volume group "removed" not found'))
    assert run_module(mock_config, args(config_dir)).result['changed']


def test_root_change_when_lvm_fails_is_not_taken_as_empty(run_module, fake_lvm, config_dir):
    recorded_file('f43-lvm', 'foo')(config_dir)
    fake_lvm.set(lvs=(3, '', 'locking failed'))
    before = snapshot(config_dir)
    result = run_module(mock_config, args(config_dir))
    assert result.failed and 'locking failed' in result.result['msg'] and snapshot(config_dir) == before


# --------------------------------------------------------------------------- absent and the info module

@pytest.mark.parametrize('check_mode', [True, False], ids=['check', 'real'])
def test_absent_removes_only_a_marked_file_and_returns_its_identity(run_module, config_dir, check_mode):
    run_module(mock_config, args(config_dir))
    result = run_module(mock_config, {'name': 'f43-lvm', 'state': 'absent', 'config_dir': str(config_dir)},
                        check_mode=check_mode, diff=True)
    assert result.result['changed'] and result.result['recorded']['root'] == 'fedora-43-x86_64'
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
    run_module(mock_config, args(config_dir, name='f43-old'))
    blocked = run_module(mock_config, args(config_dir, name='f43-new'))
    assert blocked.failed and "both have root 'fedora-43-x86_64'" in blocked.result['msg']
    removed = run_module(mock_config, {'name': 'f43-old', 'state': 'absent', 'config_dir': str(config_dir)})
    assert removed.result['recorded']['root'] == 'fedora-43-x86_64'
    created = run_module(mock_config, args(config_dir, name='f43-new'))
    assert created.result['changed'] and created.result['root'] == 'fedora-43-x86_64'
    assert (config_dir / 'fedora-43-x86_64.cfg').read_text() == PACKAGED


def test_rename_in_check_mode_predicts_the_real_run(run_module, config_dir):
    """In check mode the old file is still there: naming it in absent_configs frees its root."""
    run_module(mock_config, args(config_dir, name='f43-old'))
    before = snapshot(config_dir)
    check = run_module(mock_config, args(config_dir, name='f43-new', absent_configs=['f43-old']), check_mode=True)
    assert not check.failed and check.result['changed'] and snapshot(config_dir) == before
    other = run_module(mock_config, args(config_dir, name='f43-new', absent_configs=['unrelated']), check_mode=True)
    assert other.failed and "both have root 'fedora-43-x86_64'" in other.result['msg']


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
        ('alma-lvm', 'alma_epel-10-x86_64', 'other'), ('f43-lvm', 'fedora-43-x86_64', 'mockpool')]
    assert result.result['configs'][1]['path'] == str(config_dir / 'f43-lvm.cfg')
    assert result.result['unmanaged'] == ['centos-stream-9-x86_64', 'copied']
    assert result.commands == []


def test_info_on_a_missing_directory(run_module, tmp_path):
    result = run_module(mock_config_info, {'config_dir': str(tmp_path / 'none')})
    assert result.result['configs'] == [] and result.result['unmanaged'] == []
