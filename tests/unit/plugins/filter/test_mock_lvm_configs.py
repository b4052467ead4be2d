# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Table-driven tests of the mock_lvm_configs filter and of the file the mock_config module renders from its items.

The file is executed the way mock executes a config file: as Python, in a namespace holding ``config_opts``
(pre-filled with mock-like defaults) and ``include``. Expected values are spelled out here by hand, not computed
with the filter's helpers. Files with hostile values are parsed: only the include call and assignments to
``config_opts[...]`` may appear.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import builtins
import copy

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.buildfleet.mock_lvm.plugins.filter.mock_lvm_configs import (
    FilterModule,
    mock_lvm_configs,
    mock_lvm_layout,
    mock_lvm_removals,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_config import parse_marker, render

POOLS = [
    {'vg': 'mock', 'name': 'mockpool', 'size': '80%VG', 'metadata_size': '1G', 'monitor': True},
    {'vg': 'mockslow', 'name': 'big', 'size': '500G'},
]

# What mock's own defaults hold before a config file runs (trimmed to what matters, plus a bystander).
MOCK_DEFAULTS = {
    'root': 'default-root',
    'chroot_name': 'default-root',
    'plugin_conf': {
        'root_cache_enable': True,
        'root_cache_opts': {'age_check': True},
        'tmpfs_enable': True,
        'lvm_root_enable': False,
        'lvm_root_opts': {'pool_name': 'mockbuild'},
        'ccache_enable': False,
    },
}

ABSENT_KEYS = set(['name', 'state', 'path', 'prewarm', 'basedir', 'config_dir'])
LINE_KEYS = ABSENT_KEYS | set(['root', 'vg', 'pool', 'other_roots', 'base', 'size', 'filesystem', 'mkfs_args',
                               'mount_options', 'check_size', 'sleep_time', 'options', 'plugin_options', 'share_root'])


def config(**overrides):
    """A valid present config, changed by overrides (a value of None drops the key)."""
    entry = {'name': 'c', 'base': 'fedora-40-x86_64', 'pool': 'mockpool', 'size': '8G'}
    for key, value in overrides.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    return entry


def opts(**overrides):
    """The complete lvm_root_opts of a default config on mockpool, changed by overrides."""
    expected = {
        'volume_group': 'mock',
        'pool_name': 'mockpool',
        'size': '8G',
        'filesystem': 'ext4',
        'mkfs_args': [],
        'mount_options': '',
        'check_size': True,
        'sleep_time': 1,
    }
    expected.update(overrides)
    return expected


def plugin_conf(lvm_root_opts):
    """mock's default plugin_conf as the file leaves it: root_cache and tmpfs off, lvm_root on with these opts."""
    expected = copy.deepcopy(MOCK_DEFAULTS['plugin_conf'])
    expected.update(root_cache_enable=False, tmpfs_enable=False, lvm_root_enable=True, lvm_root_opts=lvm_root_opts)
    return expected


class MockRun(object):
    """One execution of a config's text the way mock does it; any import made by the text is recorded and refused."""

    def __init__(self, source):
        self.includes = []
        self.imports = []
        self.config_opts = copy.deepcopy(MOCK_DEFAULTS)
        safe_builtins = dict(vars(builtins))

        def refuse_import(name, *args, **kwargs):
            self.imports.append(name)
            raise AssertionError('the config imported %r' % (name,))

        safe_builtins['__import__'] = refuse_import
        namespace = {'__builtins__': safe_builtins, 'config_opts': self.config_opts, 'include': self.includes.append}
        exec(compile(source, '<mock config>', 'exec'), namespace)  # pylint: disable=exec-used
        self.names = set(namespace) - set(['__builtins__', 'config_opts', 'include'])

    @property
    def lvm_root_opts(self):
        return self.config_opts['plugin_conf']['lvm_root_opts']


def text_of(item):
    """The file the mock_config module writes for a filter item (the role passes the item's values)."""
    return render(item, item['root'], item['basedir'])


def run_lines(item):
    return MockRun(text_of(item))


def _subscript_key(node):
    """The constant key of a subscript (ast.Index before Python 3.9)."""
    key = getattr(node.slice, 'value', node.slice) if type(node.slice).__name__ == 'Index' else node.slice
    assert isinstance(key, ast.Constant) and isinstance(key.value, str), ast.dump(node)
    return key.value


def statements(source):
    """The top-level statements, each checked: ('include', arg) or ('set', [keys], literal value)."""
    tree = ast.parse(source)
    found = []
    for node in tree.body:
        if isinstance(node, ast.Expr):
            call = node.value
            assert isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == 'include', \
                ast.dump(node)
            assert len(call.args) == 1 and not call.keywords, ast.dump(node)
            assert isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str), ast.dump(node)
            found.append(('include', call.args[0].value))
            continue
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, ast.dump(node)
        target, keys = node.targets[0], []
        while isinstance(target, ast.Subscript):
            keys.insert(0, _subscript_key(target))
            target = target.value
        assert isinstance(target, ast.Name) and target.id == 'config_opts' and keys, ast.dump(node)
        found.append(('set', keys, ast.literal_eval(node.value)))  # a pure literal, nothing to call
    return found


_DECLARED = object()  # stands for POOLS, so that None can be passed as pools


def refusal(configs, pools=_DECLARED, *args):
    with pytest.raises(AnsibleFilterError) as err:
        mock_lvm_configs(configs, POOLS if pools is _DECLARED else pools, *args)
    return str(err.value)


def only(configs, pools=_DECLARED, *args):
    result = mock_lvm_configs(configs, POOLS if pools is _DECLARED else pools, *args)
    assert len(result) == 1
    return result[0]


# --------------------------------------------------------------------------- rendering

RENDER_CASES = [
    # id, config, expected lvm_root_opts, expected include, expected root
    ('defaults', config(), opts(), 'fedora-40-x86_64.cfg', 'c'),
    ('every-option', config(filesystem='xfs', mkfs_args=['-E', 'lazy_itable_init=1'], mount_options='noatime,discard',
                            check_size=False, sleep_time=0.5, poolmetadatasize='64M', umount_root=False),
     opts(filesystem='xfs', mkfs_args=['-E', 'lazy_itable_init=1'], mount_options='noatime,discard', check_size=False,
          sleep_time=0.5, poolmetadatasize='64M', umount_root=False),
     'fedora-40-x86_64.cfg', 'c'),
    ('umount-root-true', config(umount_root=True), opts(umount_root=True), 'fedora-40-x86_64.cfg', 'c'),
    ('check-size-true', config(check_size=True), opts(), 'fedora-40-x86_64.cfg', 'c'),
    ('sleep-time-int', config(sleep_time=5), opts(sleep_time=5), 'fedora-40-x86_64.cfg', 'c'),
    ('other-pool-and-vg', config(pool='big', size='32G'), opts(volume_group='mockslow', pool_name='big', size='32G'),
     'fedora-40-x86_64.cfg', 'c'),
    ('template-with-root', config(base='templates/fedora-branched.tpl', root='fedora-branched'), opts(),
     'templates/fedora-branched.tpl', 'fedora-branched'),
    ('template-without-root', config(base='templates/fedora-branched.tpl'), opts(), 'templates/fedora-branched.tpl', 'c'),
    ('base-path-cfg', config(base='custom/rhel-10-x86_64.cfg'), opts(), 'custom/rhel-10-x86_64.cfg', 'c'),
    ('base-with-cfg-suffix', config(base='centos-stream-9-x86_64.cfg'), opts(), 'centos-stream-9-x86_64.cfg',
     'c'),
    ('explicit-root', config(root='f40-custom'), opts(), 'fedora-40-x86_64.cfg', 'f40-custom'),
    ('size-units', config(size='1.5T', poolmetadatasize='512m'), opts(size='1.5T', poolmetadatasize='512m'),
     'fedora-40-x86_64.cfg', 'c'),
    ('unset-optionals-are-omitted', config(poolmetadatasize='', umount_root=None), opts(), 'fedora-40-x86_64.cfg',
     'c'),
    ('prewarm', config(prewarm=True), opts(), 'fedora-40-x86_64.cfg', 'c'),
]


@pytest.mark.parametrize('entry, expected_opts, expected_include, expected_root',
                         [c[1:] for c in RENDER_CASES], ids=[c[0] for c in RENDER_CASES])
def test_rendered_lines_as_mock_executes_them(entry, expected_opts, expected_include, expected_root):
    item = only([entry])
    assert set(item) - set(['poolmetadatasize', 'umount_root']) == LINE_KEYS
    vg = 'mockslow' if entry['pool'] == 'big' else 'mock'
    assert (item['name'], item['state'], item['vg'], item['pool'], item['root']) == (
        'c', 'present', vg, entry['pool'], expected_root)
    assert item['path'] == '/etc/mock/c.cfg'
    assert item['prewarm'] is bool(entry.get('prewarm'))

    run = run_lines(item)
    assert run.includes == [expected_include]
    assert run.config_opts['root'] == expected_root
    assert run.config_opts['basedir'] == '/var/lib/mock'
    assert run.config_opts['chroot_name'] == 'default-root'  # untouched
    assert run.config_opts['plugin_conf'] == plugin_conf(expected_opts)
    assert 'mount_opts' not in run.lvm_root_opts
    assert run.imports == [] and run.names == set()
    # Booleans stay booleans, numbers stay numbers.
    assert isinstance(run.lvm_root_opts['check_size'], bool)
    assert isinstance(run.lvm_root_opts['sleep_time'], type(expected_opts['sleep_time']))
    assert not isinstance(run.lvm_root_opts['sleep_time'], bool)


def test_include_comes_first_and_lvm_root_opts_replace_mock_defaults():
    item = only([config()])
    assert [line for line in text_of(item).splitlines() if not line.startswith('#')][0] == \
        "include('fedora-40-x86_64.cfg')"
    run = run_lines(item)
    # mock's default pool_name 'mockbuild' must not survive: the dict is replaced, not merged.
    assert run.lvm_root_opts['pool_name'] == 'mockpool'


def test_check_size_null_keeps_mock_default():
    """check_size: null means unset (as for umount_root and prewarm), not off."""
    entry = config()
    entry['check_size'] = None
    run = run_lines(only([entry]))
    assert run.lvm_root_opts == opts()
    assert run.lvm_root_opts['check_size'] is True


def test_role_defaults_render(builder_role):
    defaults = builder_role('defaults', 'main.yml')
    result = mock_lvm_configs(defaults['builder_mock_configs'], defaults['builder_thin_pools'],
                              defaults['builder_safe_roots'], defaults['builder_mock_config_dir'])
    assert [(i['name'], i['root'], i['vg'], i['pool'], i['path']) for i in result] == [
        ('fedora-43-x86_64-lvm', 'fedora-43-x86_64-lvm', 'mock', 'mockpool', '/etc/mock/fedora-43-x86_64-lvm.cfg')]
    run = run_lines(result[0])
    assert run.includes == ['fedora-43-x86_64.cfg']
    assert run.config_opts['plugin_conf'] == plugin_conf(opts())


def test_filter_module_exposes_the_filter():
    assert FilterModule().filters() == {'mock_lvm_configs': mock_lvm_configs, 'mock_lvm_removals': mock_lvm_removals,
                                        'mock_lvm_layout': mock_lvm_layout}


def test_input_is_not_modified():
    entries = [config(mkfs_args=['-E', 'x'], options={'macros': {'%a': ['b']}}), {'name': 'gone', 'state': 'absent'}]
    before = copy.deepcopy(entries)
    mock_lvm_configs(entries, POOLS)
    assert entries == before


def test_tagged_strings_render_like_plain_ones():
    """ansible-core 2.19+ hands filters tagged str/float subclasses: their repr must be the plain one."""
    tags = pytest.importorskip('ansible._internal._datatag._tags')
    origin = tags.Origin(path='/inventory/hosts.yml', line_num=3)
    plain = config(mkfs_args=['-L', 'x'], mount_options='noatime', sleep_time=1.5)
    tagged = dict((origin.tag(k), origin.tag(v) if isinstance(v, (str, float)) else v) for k, v in plain.items())
    tagged['mkfs_args'] = [origin.tag(a) for a in plain['mkfs_args']]
    assert text_of(only([tagged])) == text_of(only([plain]))


# --------------------------------------------------------------------------- injection resistance

HOSTILE = [
    "'); import os; os.system('touch {marker}') #",
    '"); import os; os.system("touch {marker}") #',
    '"""',
    "'''",
    '\\n',
    '\n',
    "\nimport os\nos.system('touch {marker}')\n#",
    '\r\nimport os',
    '\u2028import os',
    "__import__('os').system('touch {marker}')",
    '\\',
    "'",
    '"',
    '\x00',
    '{{ 7 * 7 }}',
    '{% raw %}',
    '# comment',
    'bücher-☃-日本語',
    '\U0001F600',
    '',
]


def _hostile(marker):
    return [value.replace('{marker}', str(marker)) for value in HOSTILE]


@pytest.mark.parametrize('index', range(len(HOSTILE)), ids=[repr(v)[:40] for v in HOSTILE])
def test_hostile_mkfs_arg_round_trips_without_side_effect(index, tmp_path):
    marker = tmp_path / 'pwned'
    value = _hostile(marker)[index]
    item = only([config(mkfs_args=['-E', value])])
    text = text_of(item)
    assert len(text.splitlines()) == 10 and '\r' not in text and text.endswith("'volume_group': 'mock'}\n")
    run = run_lines(item)
    assert run.lvm_root_opts['mkfs_args'] == ['-E', value]
    assert run.lvm_root_opts == opts(mkfs_args=['-E', value])
    assert run.includes == ['fedora-40-x86_64.cfg']
    assert run.imports == [] and run.names == set()
    assert not marker.exists()


def test_file_with_hostile_values_is_only_include_and_assignments(tmp_path):
    marker = tmp_path / 'pwned'
    values = _hostile(marker)
    entries = [
        config(name='evil', mkfs_args=values, mount_options='x=/a:b,c+d', sleep_time=2.5, poolmetadatasize='64M',
               umount_root=True, check_size=False, options=dict(('k%d' % i, v) for i, v in enumerate(values)),
               plugin_options={'ccache_opts': {'dir': values}}),
        config(name='alma+epel.lvm', base='templates/alma+epel-9.tpl', root='alma+epel-9-x86_64', pool='big'),
    ]
    for item in mock_lvm_configs(entries, POOLS):
        text = text_of(item)
        found = statements(text)
        extra = [[k] for k in sorted(item['options'])] + [['plugin_conf', k] for k in sorted(item['plugin_options'])]
        assert found[0][0] == 'include' and [f[0] for f in found[1:]] == ['set'] * (6 + len(extra))
        assert [f[1] for f in found[1:]] == extra + [
            ['root'],
            ['basedir'],
            ['plugin_conf', 'root_cache_enable'],
            ['plugin_conf', 'tmpfs_enable'],
            ['plugin_conf', 'lvm_root_enable'],
            ['plugin_conf', 'lvm_root_opts'],
        ]
        run = MockRun(text)
        assert run.imports == [] and run.names == set()
        assert run.includes == [found[0][1]]
        assert run.config_opts['root'] == item['root']
        assert run.lvm_root_opts == found[-1][2]
        assert text.startswith('# Written by buildfleet.mock_lvm (module mock_config)')
        assert parse_marker(text) == {'name': item['name'], 'root': item['root'], 'vg': item['vg'],
                                      'pool': item['pool'], 'basedir': '/var/lib/mock', 'collection_version': '1.0.0'}
    assert not marker.exists()
    evil_item = mock_lvm_configs(entries[:1], POOLS)[0]
    evil = MockRun(text_of(evil_item))
    assert [evil.config_opts['k%d' % i] for i in range(len(values))] == values
    assert evil.config_opts['plugin_conf']['ccache_opts'] == {'dir': values}
    assert evil.lvm_root_opts == opts(mkfs_args=values, mount_options='x=/a:b,c+d', sleep_time=2.5,
                                      poolmetadatasize='64M', umount_root=True, check_size=False)
    alma = MockRun(text_of(mock_lvm_configs(entries[1:], POOLS)[0]))
    assert alma.includes == ['templates/alma+epel-9.tpl']
    assert alma.config_opts['root'] == 'alma_epel-9-x86_64'
    assert alma.lvm_root_opts == opts(volume_group='mockslow', pool_name='big')


def test_file_has_one_marker_and_every_line_once():
    item = only([config(mkfs_args=['"""', "'''"])])
    text = text_of(item)
    lines = text.splitlines()
    assert len(lines) == len(set(lines)) == 10
    assert sum(1 for line in lines if line.startswith('# buildfleet.mock_lvm config: ')) == 1


# --------------------------------------------------------------------------- refusals

def named(name, *fragments):
    """The message fragments of a refusal of config `name`."""
    return ("mock config %r: " % (name,),) + fragments


REFUSAL_CASES = [
    # id, configs, fragments of the message
    ('unknown-mount-opts', [config(mount_opts='noatime')], named('c', 'unknown keys mount_opts', 'Known keys:')),
    ('unknown-keys-sorted', [config(mount_opts='noatime', Size='1G')], named('c', 'unknown keys Size, mount_opts')),
    ('unknown-key-absent', [{'name': 'old', 'pool': 'mockpool', 'state': 'absent', 'bsae': 'x'}],
     named('old', 'unknown keys bsae')),
    # name
    ('name-quote', [config(name="evil'); import os #")],
     named("evil'); import os #", "name %r is not allowed" % "evil'); import os #")),
    ('name-double-quote', [config(name='evil"x')], named('evil"x', "name 'evil\"x' is not allowed")),
    ('name-newline', [config(name='evil\nimport os')], named('evil\nimport os', "name 'evil\\nimport os' is not")),
    ('name-trailing-newline', [config(name='evil\n')], named('evil\n', "name 'evil\\n' is not allowed")),
    ('name-dotdot', [config(name='a..b')], named('a..b', "name 'a..b' is not allowed")),
    ('name-space', [config(name='fedora 40')], named('fedora 40', "name 'fedora 40' is not allowed")),
    ('name-slash', [config(name='etc/passwd')], named('etc/passwd', "name 'etc/passwd' is not allowed")),
    ('name-leading-dot', [config(name='.hidden')], named('.hidden', "name '.hidden' is not allowed")),
    ('name-unicode', [config(name='fédora')], named('fédora', "name 'fédora' is not allowed")),
    ('name-empty', [config(name='')], named('', "name must be a non-empty string, got ''")),
    ('name-not-string', [config(name=40)], named(40, 'name must be a non-empty string, got 40')),
    ('name-missing', [config(name=None)], named('?', 'name must be a non-empty string, got None')),
    # base
    ('base-quote', [config(base="fedora-40-x86_64'); import os #")],
     named('c', "base \"fedora-40-x86_64'); import os #\" is not allowed")),
    ('base-newline', [config(base='fedora-40-x86_64\nimport os')], named('c', "base 'fedora-40-x86_64\\nimport os'")),
    ('base-trailing-newline', [config(base='fedora-40-x86_64\n')], named('c', "base 'fedora-40-x86_64\\n' is not")),
    ('base-dotdot', [config(base='templates/../../etc/passwd')],
     named('c', "base 'templates/../../etc/passwd' is not")),
    ('base-absolute', [config(base='/etc/passwd')], named('c', "base '/etc/passwd' is not allowed")),
    ('base-space', [config(base='fedora 40')], named('c', "base 'fedora 40' is not allowed")),
    ('base-missing', [config(base=None)], named('c', 'base must be a non-empty string, got None')),
    # root
    ('root-quote', [config(root="x'\nimport os")], named('c', "root \"x'\\nimport os\" is not allowed")),
    ('root-newline', [config(root='x\nimport os')], named('c', "root 'x\\nimport os' is not allowed")),
    ('root-trailing-newline', [config(root='x\n')], named('c', "root 'x\\n' is not allowed")),
    ('root-dotdot', [config(root='a..b')], named('c', "root 'a..b' is not allowed")),
    ('root-space', [config(root='a b')], named('c', "root 'a b' is not allowed")),
    ('root-not-string', [config(root=7)], named('c', 'root must be a non-empty string, got 7')),
    ('root-reserved-by-lvm', [config(root='x_tdata')], ("root 'x_tdata' of config 'c'", 'LVM reserves names')),
    # mock's longest name for a root: mock.<root>-bootstrap.postinit_updated_YYYY-MM-DD_HH-MM, 49 more characters.
    ('root-too-long', [config(root='r' * 79)],
     named('c', "root '%s' is 79 characters long" % ('r' * 79), 'mock.%s-bootstrap.postinit_updated_2000-01-01_00-00'
           % ('r' * 79), '(128 characters', 'LVM allows 127 characters', 'at most 78 characters')),
    ('name-too-long-for-a-root', [config(name='n' * 100)], named('n' * 100, 'at most 78 characters')),
    # size
    ('size-word', [config(size='big')], named('c', "size 'big' is not a size")),
    ('size-injection', [config(size="1G'); import os #")], named('c', "size \"1G'); import os #\" is not a size")),
    ('size-percent', [config(size='80%VG')], named('c', "size '80%VG' is not a size")),
    ('size-zero', [config(size='0G')], named('c', "size '0G' must be larger than zero")),
    ('size-int', [config(size=8)], named('c', 'size must be a non-empty string, got 8')),
    ('size-missing', [config(size=None)], named('c', 'size must be a non-empty string, got None')),
    ('poolmetadatasize-word', [config(poolmetadatasize='lots')], named('c', "poolmetadatasize 'lots' is not a size")),
    ('poolmetadatasize-int', [config(poolmetadatasize=64)], named('c', 'poolmetadatasize must be a non-empty string')),
    ('poolmetadatasize-quote', [config(poolmetadatasize="64M'")], named('c', "poolmetadatasize \"64M'\" is not")),
    # filesystem
    ('filesystem-upper', [config(filesystem='EXT4')], named('c', "filesystem 'EXT4' is not allowed")),
    ('filesystem-space', [config(filesystem='ext 4')], named('c', "filesystem 'ext 4' is not allowed")),
    ('filesystem-semicolon', [config(filesystem='xfs;reboot')], named('c', "filesystem 'xfs;reboot' is not")),
    ('filesystem-trailing-newline', [config(filesystem='ext4\n')], named('c', "filesystem 'ext4\\n' is not")),
    ('filesystem-empty', [config(filesystem='')], named('c', "filesystem must be a non-empty string, got ''")),
    # mkfs_args
    ('mkfs-args-string', [config(mkfs_args='-E lazy_itable_init=1')],
     named('c', "mkfs_args must be a list of strings, got '-E lazy_itable_init=1'")),
    ('mkfs-args-int-entry', [config(mkfs_args=['-E', 1])],
     named('c', "mkfs_args must be a list of strings, got ['-E', 1]")),
    ('mkfs-args-none-entry', [config(mkfs_args=[None])], named('c', 'mkfs_args must be a list of strings, got [None]')),
    ('mkfs-args-dict', [config(mkfs_args={'-E': 'x'})],
     named('c', "mkfs_args must be a list of strings, got {'-E': 'x'}")),
    # mount_options
    ('mount-options-quote', [config(mount_options="noatime'")], named('c', "mount_options \"noatime'\" must be")),
    ('mount-options-injection', [config(mount_options="'); import os; os.system('touch /tmp/pwned') #")],
     named('c', 'mount_options "\'); import os', 'comma-separated option string')),
    ('mount-options-space', [config(mount_options='noatime discard')], named('c', "mount_options 'noatime discard'")),
    ('mount-options-semicolon', [config(mount_options='noatime;reboot')], named('c', "mount_options 'noatime;reboot'")),
    ('mount-options-trailing-newline', [config(mount_options='noatime\n')], named('c', "mount_options 'noatime\\n'")),
    ('mount-options-list', [config(mount_options=['noatime'])], named('c', "mount_options ['noatime'] must be")),
    # sleep_time
    ('sleep-time-zero', [config(sleep_time=0)], named('c', 'sleep_time 0 must be a number of seconds above 0')),
    ('sleep-time-negative', [config(sleep_time=-1)], named('c', 'sleep_time -1 must be')),
    ('sleep-time-negative-float', [config(sleep_time=-0.5)], named('c', 'sleep_time -0.5 must be')),
    ('sleep-time-bool', [config(sleep_time=True)], named('c', 'sleep_time True must be')),
    ('sleep-time-string', [config(sleep_time='1')], named('c', "sleep_time '1' must be")),
    ('sleep-time-nan', [config(sleep_time=float('nan'))], named('c', 'sleep_time nan must be')),
    ('sleep-time-inf', [config(sleep_time=float('inf'))], named('c', 'sleep_time inf must be')),
    # booleans
    ('check-size-string', [config(check_size='yes')], named('c', "check_size must be true or false, got 'yes'")),
    ('check-size-int', [config(check_size=1)], named('c', 'check_size must be true or false, got 1')),
    ('umount-root-string', [config(umount_root='no')], named('c', "umount_root must be true or false, got 'no'")),
    ('prewarm-string', [config(prewarm='true')], named('c', "prewarm must be true or false, got 'true'")),
    # state
    ('state-unknown', [config(state='deleted')], named('c', "state 'deleted' must be present or absent")),
    ('state-padded', [config(state='present ')], named('c', "state 'present ' must be present or absent")),
    ('state-null', [dict(config(), state=None)],
     named('c', 'state None must be present or absent')),
    # pool
    ('pool-undeclared', [config(pool='undeclared')],
     named('c', "pool 'undeclared' is not among the declared thin pools (mockslow/big, mock/mockpool)",
           'builder_thin_pools')),
    ('pool-vg-slash-name', [config(pool='mock/mockpool')],
     named('c', "thin pool 'mock/mockpool' is not a valid LVM name")),
    ('pool-missing', [config(pool=None)], named('c', 'pool must be a non-empty string, got None')),
    ('pool-in-other-vg', [config(pool='big', vg='mock')],
     named('c', 'pool mock/big is not among the declared thin pools (mockslow/big, mock/mockpool)')),
    ('vg-not-lvm-name', [config(vg="mock'\nimport os")], named('c', 'volume group "mock\'\\nimport os" is not a valid')),
    # options and plugin_options: literals only, never the keys the collection owns
    ('option-root', [config(options={'root': 'x'})], named('c', "options key 'root' is set by this collection")),
    ('option-basedir', [config(options={'basedir': '/x'})], named('c', "options key 'basedir' is set by this")),
    ('option-plugin-conf', [config(options={'plugin_conf': {}})], named('c', "options key 'plugin_conf' is set")),
    ('option-key-quote', [config(options={"x']=1;import os#": 1})], named('c', 'options key "x\']=1;import os#" is not')),
    ('option-value-object', [config(options={'x': object})], named('c', "options['x'] has a value of type type")),
    ('option-value-nan', [config(options={'x': [float('nan')]})], named('c', "options['x'] is not a finite number")),
    ('option-value-int-key', [config(options={'x': {1: 2}})], named('c', "options['x'] has a key that is not a string")),
    ('options-not-dict', [config(options=['x'])], named('c', "options must be a mapping of config_opts keys")),
    ('plugin-lvm-root', [config(plugin_options={'lvm_root_opts': {}})],
     named('c', "plugin_options key 'lvm_root_opts' is set by this collection")),
    ('plugin-root-cache', [config(plugin_options={'root_cache_enable': True})],
     named('c', "plugin_options key 'root_cache_enable' is set")),
    ('plugin-tmpfs', [config(plugin_options={'tmpfs_enable': True})], named('c', "plugin_options key 'tmpfs_enable'")),
    # identity: a config that includes itself replaces a packaged config with an empty one
    ('name-is-base', [config(name='fedora-40-x86_64', base='fedora-40-x86_64')],
     named('fedora-40-x86_64', "the name is its own base 'fedora-40-x86_64'", 'Multiple inclusion',
           'such as fedora-40-x86_64-lvm')),
    ('name-is-base-cfg', [config(name='fedora-40-x86_64', base='fedora-40-x86_64.cfg')],
     named('fedora-40-x86_64', 'the name is its own base')),
    # the list
    ('duplicate-names', [config(name='a'), config(name='b'), config(name='a', pool='big')],
     named('a', 'the name is used by more than one config')),
    ('duplicate-name-absent', [config(name='a'), {'name': 'a', 'pool': 'mockpool', 'state': 'absent'}],
     named('a', 'the name is used by more than one config')),
    ('entry-not-dict', ['fedora-40-x86_64'], ("every mock config must be a dict, got 'fedora-40-x86_64'",)),
    ('configs-dict', {'name': 'c'}, ("builder_mock_configs must be a list, got {'name': 'c'}",)),
    ('configs-string', 'fedora-40-x86_64', ("builder_mock_configs must be a list, got 'fedora-40-x86_64'",)),
    ('configs-none', None, ('builder_mock_configs must be a list, got None',)),
]


@pytest.mark.parametrize('configs, fragments', [c[1:] for c in REFUSAL_CASES], ids=[c[0] for c in REFUSAL_CASES])
def test_refusals_name_the_config_and_the_value(configs, fragments):
    message = refusal(configs)
    for fragment in fragments:
        assert fragment in message


def test_first_bad_config_is_named_and_nothing_is_returned():
    message = refusal([config(name='good'), config(name='bad', size='huge'), config(name='worse', size='x')])
    assert message.startswith("mock config 'bad': size 'huge' is not a size")


def test_undeclared_pool_without_any_pools():
    for pools in ([], None):
        assert "pool 'mockpool' is not among the declared thin pools (none)" in refusal([config()], pools)


POOL_REFUSALS = [
    ('pool-name-newline', [{'vg': 'mock', 'name': "p\nimport os\nos.system('touch /tmp/pwned')\n#"}],
     "thin pool \"p\\nimport os\\nos.system('touch /tmp/pwned')\\n#\" is not a valid LVM name"),
    ('vg-name-newline', [{'vg': 'mock\nimport os', 'name': 'mockpool'}],
     "volume group 'mock\\nimport os' is not a valid LVM name"),
    ('pool-name-unicode', [{'vg': 'mock', 'name': 'pööl'}], "thin pool 'pööl' is not a valid LVM name"),
    ('pool-name-reserved', [{'vg': 'mock', 'name': 'x_tmeta'}], "thin pool 'x_tmeta' is not a valid LVM name"),
    ('pool-without-vg', [{'name': 'mockpool'}], 'every thin pool needs a vg and a name'),
    ('pool-not-dict', ['mockpool'], "builder_thin_pools entry 'mockpool': every thin pool needs a vg and a name"),
]


@pytest.mark.parametrize('pools, fragment', [c[1:] for c in POOL_REFUSALS], ids=[c[0] for c in POOL_REFUSALS])
def test_declared_pools_must_have_lvm_names(pools, fragment):
    """Pool and VG names reach the file's comment line verbatim: they must be LVM names, nothing else."""
    message = refusal([config()], pools)
    assert 'builder_thin_pools entry' in message
    assert fragment in message


# --------------------------------------------------------------------------- roots from each config alone

def roots_of(configs, *args):
    return dict((i['name'], i['root']) for i in mock_lvm_configs(configs, POOLS, *args) if i['state'] == 'present')


SAFE_CASES = [
    # id, configs, safe_roots, expected {config: root}
    ('plus-mapped', [config(name='alma-epel-9-lvm', root='alma+epel-9-x86_64')], True,
     {'alma-epel-9-lvm': 'alma_epel-9-x86_64'}),
    # The default root is the config's own name, made safe: never the base's root.
    ('default-is-the-name', [config(name='alma-epel-9-lvm', base='alma+epel-9-x86_64')], True,
     {'alma-epel-9-lvm': 'alma-epel-9-lvm'}),
    ('default-name-made-safe', [config(name='f40.debug', base='fedora-40-x86_64')], True, {'f40.debug': 'f40_debug'}),
    ('default-name-kept-when-disabled', [config(name='f40.debug', base='fedora-40-x86_64')], False,
     {'f40.debug': 'f40.debug'}),
    ('dots-always-mapped', [config(name='c-foobar', root='foo.bar')], True, {'c-foobar': 'foo_bar'}),
    ('dotted-prefix-mapped', [config(name='c-foo', root='foo'), config(name='c-foobar', root='foo.bar', pool='big')],
     True, {'c-foo': 'foo', 'c-foobar': 'foo_bar'}),
    ('shipped-dotted-root', [config(name='leap', root='opensuse-leap-15.6-x86_64')], True,
     {'leap': 'opensuse-leap-15_6-x86_64'}),
    ('explicit-root-honoured', [config(name='c', root='my-root')], True, {'c': 'my-root'}),
    ('explicit-root-made-safe', [config(name='c', root='my+root.x')], True, {'c': 'my_root_x'}),
    ('absent-takes-no-part', [config(name='c-foo', root='foo'), config(name='c-foobar', root='foo.bar'),
                              {'name': 'old', 'state': 'absent'}],
     True, {'c-foo': 'foo', 'c-foobar': 'foo_bar'}),
    # Config names are not roots: '+' and dotted prefixes in names alone are fine.
    ('plus-in-config-name', [config(name='alma+epel-9-x86_64-lvm', base='alma+epel-9-x86_64')], True,
     {'alma+epel-9-x86_64-lvm': 'alma_epel-9-x86_64-lvm'}),
    ('dotted-prefix-config-names', [config(name='f40', root='r1'), config(name='f40.debug', root='r2')], False,
     {'f40': 'r1', 'f40.debug': 'r2'}),
    ('disabled-keeps-roots', [config(name='c-foobar', root='foo.bar'), config(name='f', root='fedora-40-x86_64')],
     False, {'c-foobar': 'foo.bar', 'f': 'fedora-40-x86_64'}),
    ('disabled-explicit-root', [config(name='alma', base='alma+epel-9-x86_64', root='alma-epel-9')], False,
     {'alma': 'alma-epel-9'}),
    ('disabled-dotted-prefix-other-pool', [config(name='c-foo', root='foo'),
                                           config(name='c-foobar', root='foo.bar', pool='big')], False,
     {'c-foo': 'foo', 'c-foobar': 'foo.bar'}),
    ('bootstrap-word-inside', [config(name='a', root='foo'), config(name='b', root='bootstrap-foo')], True,
     {'a': 'foo', 'b': 'bootstrap-foo'}),
]


@pytest.mark.parametrize('configs, enabled, expected', [c[1:] for c in SAFE_CASES], ids=[c[0] for c in SAFE_CASES])
def test_safe_roots(configs, enabled, expected):
    assert roots_of(configs, enabled) == expected
    assert roots_of(list(reversed(configs)), enabled) == expected  # deterministic, whatever the order
    for item in mock_lvm_configs(configs, POOLS, enabled):
        if item['state'] == 'present':
            run = run_lines(item)
            assert run.config_opts['root'] == expected[item['name']]


def test_adding_a_config_never_changes_another_root():
    """Case 5 of the identity issue: 'foo.bar' alone and beside 'foo' gets the same root."""
    alone = roots_of([config(name='c-foobar', root='foo.bar')])
    for neighbours in ([config(name='c-foo', root='foo')], [config(name='c-foo', root='foo', pool='big'),
                                                            config(name='c-f', root='foo_bar_baz')]):
        assert roots_of([config(name='c-foobar', root='foo.bar')] + neighbours)['c-foobar'] == alone['c-foobar']


def test_other_roots_are_the_other_present_configs_roots():
    items = mock_lvm_configs([config(name='a', root='foo'), config(name='b', root='foo.bar', pool='big'),
                              config(name='c', root='alma+epel-9-x86_64'), {'name': 'old', 'state': 'absent'}], POOLS)
    assert dict((i['name'], i.get('other_roots')) for i in items) == {
        'a': ['alma_epel-9-x86_64', 'foo_bar'], 'b': ['alma_epel-9-x86_64', 'foo'], 'c': ['foo', 'foo_bar'],
        'old': None}


def test_plus_base_keeps_its_include():
    item = only([config(name='alma-epel-9-lvm', base='alma+epel-9-x86_64')])
    run = run_lines(item)
    assert run.includes == ['alma+epel-9-x86_64.cfg']
    assert run.config_opts['root'] == 'alma-epel-9-lvm'


SAFE_REFUSALS = [
    # id, configs, safe_roots, fragments
    ('disabled-plus', [config(name='alma-epel-9-lvm', root='alma+epel-9-x86_64')], False,
     ("mock config 'alma-epel-9-lvm': root 'alma+epel-9-x86_64' contains \"+\"", 'use a root without "+"',
      'leave safe roots on')),
    ('disabled-explicit-plus', [config(name='c', root='my+root')], False, ("root 'my+root' contains \"+\"",)),
    ('disabled-dotted-prefix', [config(name='c-foo', root='foo'), config(name='c-foobar', root='foo.bar')], False,
     ("root 'foo' (config 'c-foo') is a dotted prefix of root 'foo.bar' (config 'c-foobar') on the same pool",
      'rename one of them')),
    ('collision-after-mapping', [config(name='c-foobar', root='foo.bar'), config(name='c-explicit', root='foo_bar'),
                                 config(name='c-foo', root='foo')], True,
     ("configs 'c-foobar' and 'c-explicit' both have root 'foo_bar'", 'give one of them another root')),
    ('collision-plus-vs-underscore', [config(name='a', root='alma+epel-9-x86_64'),
                                      config(name='b', root='alma_epel-9-x86_64')], True,
     ("configs 'a' and 'b' both have root 'alma_epel-9-x86_64'",)),
    ('same-root-other-pool', [config(name='a', root='fedora-40-x86_64'),
                              config(name='b', root='fedora-40-x86_64', pool='big')], True,
     ("configs 'a' and 'b' both have root 'fedora-40-x86_64'", 'lock and bookkeeping files per root')),
    ('same-root-twice-disabled', [config(name='a', root='r'), config(name='b', root='r')], False,
     ("configs 'a' and 'b' both have root 'r'",)),
    # mock runs the plugin for the bootstrap chroot with root <root>-bootstrap.
    ('root-is-bootstrap-of-other', [config(name='a', root='foo'), config(name='b', root='foo-bootstrap')], True,
     ("mock config 'b': root 'foo-bootstrap' ends in '-bootstrap'", "bootstrap of root 'foo'")),
    ('root-ends-in-bootstrap-alone', [config(name='b', root='bar-bootstrap')], True,
     ("root 'bar-bootstrap' ends in '-bootstrap'",)),
    ('root-starts-with-bootstrap-of-other', [config(name='a', root='foo'), config(name='b', root='foo-bootstrap.x')],
     False, ("root 'foo-bootstrap.x' of config 'b' starts with 'foo-bootstrap', the bootstrap chroot of config 'a'",)),
    ('root-starts-with-bootstrap-mapped', [config(name='a', root='foo'), config(name='b', root='foo-bootstrap.x')],
     True, ("root 'foo-bootstrap_x' of config 'b' starts with 'foo-bootstrap'",)),
]


@pytest.mark.parametrize('configs, enabled, fragments', [c[1:] for c in SAFE_REFUSALS],
                         ids=[c[0] for c in SAFE_REFUSALS])
def test_safe_roots_refusals(configs, enabled, fragments):
    message = refusal(configs, POOLS, enabled)
    for fragment in fragments:
        assert fragment in message
    # Whatever the order, it is refused, naming the same configs.
    reversed_message = refusal(list(reversed(configs)), POOLS, enabled)
    named_configs = [c['name'] for c in configs if "'%s'" % c['name'] in message]
    assert named_configs and all("'%s'" % name in reversed_message for name in named_configs)


# --------------------------------------------------------------------------- pools are (vg, name)

TWIN_POOLS = [{'vg': 'fast', 'name': 'shared'}, {'vg': 'slow', 'name': 'shared'}]


def test_pool_name_in_two_vgs_needs_vg():
    message = refusal([config(pool='shared')], TWIN_POOLS)
    assert "mock config 'c': pool 'shared' is declared in volume groups fast and slow: set vg on the config" in message


@pytest.mark.parametrize('vg', ['fast', 'slow'])
def test_vg_picks_the_pool(vg):
    item = only([config(pool='shared', vg=vg)], TWIN_POOLS)
    assert (item['vg'], item['pool']) == (vg, 'shared')
    assert run_lines(item).lvm_root_opts == opts(volume_group=vg, pool_name='shared')


def test_unique_pool_name_needs_no_vg():
    assert only([config(pool='big')])['vg'] == 'mockslow'


@pytest.mark.parametrize('config_dir, path', [
    ('/etc/mock', '/etc/mock/c.cfg'),
    ('/srv/mock/', '/srv/mock/c.cfg'),
    ('/opt/builder/mock.d', '/opt/builder/mock.d/c.cfg'),
])
def test_config_dir_sets_path(config_dir, path):
    present, absent = mock_lvm_configs([config(), {'name': 'old', 'state': 'absent'}], POOLS, True, config_dir)
    assert present['path'] == path
    assert absent['path'] == path.replace('/c.cfg', '/old.cfg')
    assert run_lines(present).includes == ['fedora-40-x86_64.cfg']  # include stays relative to mock's own dir


def test_config_dir_defaults_to_etc_mock():
    assert only([config()])['path'] == '/etc/mock/c.cfg'


@pytest.mark.parametrize('basedir, written', [
    ('/var/lib/mock', '/var/lib/mock'),
    ('/var/lib/mock/', '/var/lib/mock'),
    ('/srv/builder-b/mock', '/srv/builder-b/mock'),
    ('/data/mock/', '/data/mock'),
])
def test_basedir_is_always_written(basedir, written):
    item = mock_lvm_configs([config()], POOLS, True, '/etc/mock', basedir)[0]
    run = run_lines(item)
    assert run.config_opts['basedir'] == written
    assert parse_marker(text_of(item))['basedir'] == written
    # Only that key differs: the plugin settings stay exactly as with mock's default basedir.
    assert run.config_opts['plugin_conf'] == run_lines(only([config()])).config_opts['plugin_conf']


@pytest.mark.parametrize('what, config_dir, basedir', [
    ('builder_mock_basedir', '/etc/mock', 'var/lib/mock'),
    ('builder_mock_basedir', '/etc/mock', "/srv/x'); import os #"),
    ('builder_mock_basedir', '/etc/mock', '/srv/../etc'),
    ('builder_mock_basedir', '/etc/mock', 42),
    ('builder_mock_config_dir', 'etc/mock', '/var/lib/mock'),
    ('builder_mock_config_dir', '/etc/mock\n', '/var/lib/mock'),
])
def test_bad_directories_are_refused_by_name(what, config_dir, basedir):
    with pytest.raises(AnsibleFilterError) as err:
        mock_lvm_configs([config()], POOLS, True, config_dir, basedir)
    assert str(err.value).startswith(what)
    assert 'must be an absolute path' in str(err.value)


# --------------------------------------------------------------------------- absent configs

ABSENT_CASES = [
    ('minimal', {'name': 'old', 'state': 'absent'}),
    ('pool-not-needed-nor-checked', {'name': 'old', 'pool': 'gone', 'state': 'absent'}),
    ('leftover-keys-ignored', {'name': 'old', 'pool': 'mockpool', 'state': 'absent', 'base': 'x.tpl', 'size': 'huge',
                               'sleep_time': 0}),
    ('prewarm-kept', {'name': 'old', 'state': 'absent', 'prewarm': True}),
]


@pytest.mark.parametrize('entry', [c[1] for c in ABSENT_CASES], ids=[c[0] for c in ABSENT_CASES])
def test_absent_configs(entry):
    item = only([entry])
    assert set(item) == ABSENT_KEYS
    assert item == {'name': 'old', 'state': 'absent', 'path': '/etc/mock/old.cfg', 'basedir': '/var/lib/mock',
                    'config_dir': '/etc/mock', 'prewarm': bool(entry.get('prewarm'))}


def test_absent_beside_present_keeps_order():
    result = mock_lvm_configs([{'name': 'old', 'state': 'absent'}, config(name='new')], POOLS)
    assert [(i['name'], i['state'], 'root' in i) for i in result] == [('old', 'absent', False), ('new', 'present', True)]


# --------------------------------------------------------------------------- existing files keep their recorded root

RECORDED_CASES = [
    # id, configs, safe_roots, recorded_roots, expected {config: root}
    ('kept-without-root', [config(name='f43-lvm', base='fedora-43-x86_64')], True,
     {'f43-lvm': 'fedora-43-x86_64'}, {'f43-lvm': 'fedora-43-x86_64'}),
    ('kept-as-recorded-not-made-safe', [config(name='f43-lvm')], True, {'f43-lvm': 'f43.debug'},
     {'f43-lvm': 'f43.debug'}),
    ('kept-with-safe-roots-off', [config(name='f43-lvm')], False, {'f43-lvm': 'old_root'}, {'f43-lvm': 'old_root'}),
    # An explicit root wins; mock_config's root-change rule judges the change from the recorded root.
    ('explicit-root-wins', [config(name='f43-lvm', root='new-root')], True, {'f43-lvm': 'old-root'},
     {'f43-lvm': 'new-root'}),
    ('explicit-root-made-safe', [config(name='f43-lvm', root='a.b')], True, {'f43-lvm': 'old-root'},
     {'f43-lvm': 'a_b'}),
    # A config whose file does not exist yet gets the default, whatever other files record.
    ('new-file-gets-the-default', [config(name='f43-lvm'), config(name='f42-lvm')], True, {'f42-lvm': 'legacy-42'},
     {'f43-lvm': 'f43-lvm', 'f42-lvm': 'legacy-42'}),
    ('absent-config-ignores-it', [{'name': 'gone', 'state': 'absent'}, config(name='k')], True, {'gone': 'x'},
     {'k': 'k'}),
]


@pytest.mark.parametrize('configs, safe, recorded_roots, expected', [c[1:] for c in RECORDED_CASES],
                         ids=[c[0] for c in RECORDED_CASES])
def test_a_recorded_root_is_kept_unless_root_is_given(configs, safe, recorded_roots, expected):
    items = mock_lvm_configs(configs, POOLS, safe, recorded_roots=recorded_roots)
    assert dict((i['name'], i['root']) for i in items if i['state'] == 'present') == expected
    for item in items:
        if item['state'] == 'present':
            assert run_lines(item).config_opts['root'] == expected[item['name']]
            assert item['other_roots'] == sorted(set(expected.values()) - set([item['root']]))


RECORDED_REFUSALS = [
    # id, configs, recorded_roots, fragments
    ('recorded-root-of-another-config', [config(name='a'), config(name='b', root='old')], {'a': 'old'},
     ["configs 'a' and 'b' both have root 'old'"]),
    ('recorded-plus', [config(name='a')], {'a': 'x+y'}, ['contains "+"', 'the root its file records']),
    ('recorded-too-long', [config(name='a')], {'a': 'r' * 79}, ['is 79 characters long']),
    ('recorded-not-a-name', [config(name='a')], {'a': 'x/../y'}, ["the root its file records, 'x/../y'"]),
    ('not-a-mapping', [config(name='a')], ['a'], ['recorded_roots must map config names']),
    ('root-not-a-string', [config(name='a')], {'a': None}, ['recorded_roots must map config names']),
]


@pytest.mark.parametrize('configs, recorded_roots, fragments', [c[1:] for c in RECORDED_REFUSALS],
                         ids=[c[0] for c in RECORDED_REFUSALS])
def test_recorded_roots_are_checked_as_any_root(configs, recorded_roots, fragments):
    with pytest.raises(AnsibleFilterError) as err:
        mock_lvm_configs(configs, POOLS, recorded_roots=recorded_roots)
    for fragment in fragments:
        assert fragment in str(err.value)


def test_the_role_reads_the_recorded_roots_before_it_decides_them(builder_role):
    """render.yml, imported by every entry point: mock_config_info first (run in check mode too), then the filter
    with what it read. The expression of the role is evaluated here as Ansible does, on a stand-in read."""
    from jinja2.nativetypes import NativeEnvironment
    from ansible.plugins.filter.core import FilterModule as CoreFilters

    read, decide = builder_role('tasks', 'render.yml')
    assert read['buildfleet.mock_lvm.mock_config_info']['config_dir'] == '{{ builder_mock_config_dir }}'
    assert read['check_mode'] is False and 'when' not in read
    env = NativeEnvironment()
    env.filters.update(CoreFilters().filters())
    env.filters['buildfleet.mock_lvm.mock_lvm_configs'] = mock_lvm_configs
    configs = [config(name='f43-lvm', base='fedora-43-x86_64'), config(name='new-lvm'),
               config(name='moved', root='moved-root'), {'name': 'gone', 'state': 'absent'}]
    names = env.from_string(read['buildfleet.mock_lvm.mock_config_info']['names']).render(
        builder_mock_configs=configs)
    assert names == ['f43-lvm', 'new-lvm', 'moved', 'gone']
    stand_in = {'configs': [recorded('f43-lvm', 'fedora-43-x86_64'), recorded('moved', 'old-root'),
                            recorded('gone', 'gone-root')], 'unmanaged': [], 'disagreements': []}
    variables = {'builder_mock_configs': configs, 'builder_thin_pools': POOLS, 'builder_safe_roots': True,
                 'builder_mock_config_dir': '/etc/mock', 'builder_mock_basedir': '/var/lib/mock',
                 read['register']: stand_in}
    items = env.from_string(decide['ansible.builtin.set_fact']['builder_rendered_configs']).render(**variables)
    assert dict((i['name'], i.get('root')) for i in items) == {
        'f43-lvm': 'fedora-43-x86_64', 'new-lvm': 'new-lvm', 'moved': 'moved-root', 'gone': None}
    # The removals of configs.yml read the same registered result.
    removals = [t for t in builder_role('tasks', 'configs.yml') if 'buildfleet.mock_lvm.build_root' in t
                and t['buildfleet.mock_lvm.build_root']['state'] == 'absent']
    assert 'mock_lvm_removals(%s)' % read['register'] in removals[0]['loop']
    for entry_point in ('main', 'report', 'prune', 'scrub', 'refresh', 'maintenance'):
        first = builder_role('tasks', entry_point + '.yml')[0]
        assert first.get('ansible.builtin.import_tasks') == 'render.yml', entry_point


def recorded(name, root, vg='mock', pool='mockpool', basedir='/var/lib/mock'):
    return {'name': name, 'root': root, 'vg': vg, 'pool': pool, 'basedir': basedir, 'collection_version': '1.0.0',
            'path': '/etc/mock/%s.cfg' % name}


REMOVAL_CASES = [
    # id, configs, recorded configs, unmanaged, expected [(name, root, other_roots)]
    ('rename-keeps-the-root', [{'name': 'f43-old', 'state': 'absent'}, config(name='f43-new', root='fedora-43-x86_64')],
     [recorded('f43-old', 'fedora-43-x86_64')], [], []),
    ('plain-removal', [{'name': 'gone', 'state': 'absent'}, config(name='keep', root='fedora-43-x86_64')],
     [recorded('gone', 'fedora-42-x86_64'), recorded('keep', 'fedora-43-x86_64')], [],
     [('gone', 'fedora-42-x86_64', ['fedora-43-x86_64'])]),
    ('absent-without-file', [{'name': 'gone', 'state': 'absent'}], [], [], []),
    ('root-kept-by-a-file-outside-the-inventory', [{'name': 'gone', 'state': 'absent'}],
     [recorded('gone', 'shared-root'), recorded('elsewhere', 'shared-root')], [], []),
    ('two-absent-one-root', [{'name': 'a', 'state': 'absent'}, {'name': 'b', 'state': 'absent'}],
     [recorded('a', 'r'), recorded('b', 'r')], [], [('a', 'r', [])]),
    ('other-roots-include-recorded-ones', [{'name': 'gone', 'state': 'absent'}, config(name='p', root='foo')],
     [recorded('gone', 'foo.bar'), recorded('legacy', 'foo-x')], [], [('gone', 'foo.bar', ['foo', 'foo-x'])]),
]


@pytest.mark.parametrize('configs, records, unmanaged, expected', [c[1:] for c in REMOVAL_CASES],
                         ids=[c[0] for c in REMOVAL_CASES])
def test_removals(configs, records, unmanaged, expected):
    items = mock_lvm_configs(configs, POOLS)
    rows = mock_lvm_removals(items, {'configs': records, 'unmanaged': unmanaged})
    assert [(r['name'], r['root'], r['other_roots']) for r in rows] == expected
    for row in rows:
        old = [r for r in records if r['name'] == row['name']][0]
        assert (row['vg'], row['pool'], row['basedir']) == (old['vg'], old['pool'], old['basedir'])


def test_absent_packaged_config_is_refused_before_anything_changes():
    items = mock_lvm_configs([{'name': 'centos-stream-9-x86_64', 'state': 'absent'}, config(name='k')], POOLS)
    with pytest.raises(AnsibleFilterError) as err:
        mock_lvm_removals(items, {'configs': [], 'unmanaged': ['centos-stream-9-x86_64']})
    assert 'centos-stream-9-x86_64 (/etc/mock/centos-stream-9-x86_64.cfg)' in str(err.value)
    assert 'did not write (no marker line)' in str(err.value)


# --------------------------------------------------------------------------- mock_lvm_layout

def test_layout_gives_the_group_and_directories_as_mock_makes_them():
    layout = mock_lvm_layout('/srv/etc/mock', '/srv/mock')
    assert layout == {'group': 'mock', 'directories': [
        {'path': '/srv/etc/mock', 'owner': 'root', 'group': 'mock', 'mode': '0755'},
        # mock.spec: %defattr(0775, root, mock, 02775) %dir /var/lib/mock
        {'path': '/srv/mock', 'owner': 'root', 'group': 'mock', 'mode': '2775'}]}
    assert mock_lvm_layout()['directories'][1]['path'] == '/var/lib/mock'


def test_layout_refuses_a_path_mock_could_not_use():
    with pytest.raises(AnsibleFilterError) as err:
        mock_lvm_layout('/etc/mock', 'relative/mock')
    assert "builder_mock_basedir 'relative/mock' must be an absolute path" in str(err.value)


# --------------------------------------------------------------------------- package names

@pytest.fixture
def family(builder_role):
    return lambda name: builder_role('vars', 'main.yml')['builder_families'][name]


def test_redhat_packages(family):
    data = family('RedHat')
    assert set(data['mock_packages']) == set(['mock', 'mock-lvm'])  # mock-lvm ships the lvm_root plugin
    assert set(['lvm2', 'device-mapper-persistent-data']) <= set(data['os_packages'])
    assert 'mock' not in data['os_packages']


def test_debian_packages(family):
    data = family('Debian')
    assert set(['lvm2', 'thin-provisioning-tools', 'dmeventd']) <= set(data['os_packages'])
    assert data['mock_packages'] == []
    every = set(data['os_packages']) | set(data['mock_packages'])
    assert not any(name.startswith('mock') for name in every)


@pytest.mark.parametrize('name', ['RedHat', 'Debian'])
def test_os_families_define_the_same_keys(family, name):
    data = family(name)
    assert set(data) == set(['os_packages', 'mock_packages', 'monitor_units'])
    assert all(isinstance(v, list) and all(isinstance(p, str) and p for p in v) for v in data.values())
