# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: mock_lvm_configs
short_description: Validate mock config entries and render their lvm_root settings as safe Python literals
version_added: 0.1.0
description:
  - Takes the builder role's list of mock configs and its list of thin pools, validates every value (LVM name rules,
    sizes, file system, options), gives each config a root that mock's LVM plugin handles (see O(safe_roots)), and
    returns the configs with C(lines), the Python statements of the config file, every value rendered with
    C(repr()) so that no input can inject code into a file mock executes as root.
  - Fails, naming the config and the value, before anything is written.
options:
  _input:
    description: The configs (the role's C(builder_mock_configs)).
    type: list
    elements: dict
    required: true
  pools:
    description: The declared thin pools (the role's C(builder_thin_pools)), each with C(vg) and C(name).
    type: list
    elements: dict
    required: true
  safe_roots:
    description:
      - Map roots mock's LVM plugin mishandles to ones it handles, deterministically, C(+) to C(_), and the dots of a
        root that has another root on the same pool as dotted prefix to C(_).
      - With V(false), such roots are an error instead.
    type: bool
    default: true
  config_dir:
    description: Where the config files go (the role's C(builder_mock_config_dir)).
    type: path
    default: /etc/mock
  basedir:
    description:
      - mock's C(basedir) (the role's C(builder_mock_basedir)). Any other value than mock's default
        C(/var/lib/mock) is written into every config, so that mock keeps its locks where the modules look.
    type: path
    default: /var/lib/mock
"""

EXAMPLES = r"""
- name: Render the configs
  ansible.builtin.set_fact:
    rendered: "{{ builder_mock_configs | buildfleet.mock_lvm.mock_lvm_configs(builder_thin_pools) }}"
"""

RETURN = r"""
_value:
  description: The configs, each with C(name), C(state), C(root), C(vg), C(pool), C(path) and C(lines).
  type: list
  elements: dict
"""

import math
import re

from ansible.errors import AnsibleFilterError

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import LvmError, parse_size, validate_name
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_layout import DEFAULT_BASEDIR, check_roots, map_roots

# \Z, not $: $ also matches before a trailing newline.
_CONFIG_NAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9+_.-]*\Z')
_BASE_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9+_./-]*\Z')
_FS_RE = re.compile(r'^[a-z0-9]+\Z')
_MOUNT_RE = re.compile(r'^[A-Za-z0-9,=_.:/+-]*\Z')
_PATH_RE = re.compile(r'^/[A-Za-z0-9/_.+-]*\Z')
_KEYS = set(['name', 'state', 'base', 'root', 'pool', 'size', 'filesystem', 'mkfs_args', 'mount_options',
             'check_size', 'sleep_time', 'poolmetadatasize', 'umount_root', 'prewarm'])


def _fail(config, message):
    raise AnsibleFilterError('mock config %r: %s' % (config.get('name', '?'), message))


def _string(config, key, pattern=None, hint=''):
    value = config.get(key)
    if not isinstance(value, str) or not value:
        _fail(config, '%s must be a non-empty string, got %r.' % (key, value))
    if (pattern and not pattern.match(value)) or '..' in value:
        _fail(config, '%s %r is not allowed%s.' % (key, value, hint))
    return value


def _base_include(base):
    """mock's include() resolves relative paths against /etc/mock: configs by name, templates by path."""
    return base if base.endswith(('.cfg', '.tpl')) else base + '.cfg'


def _requested_root(config):
    """The root the user asked for: explicit, or the base config's name (mock's configs use it as root)."""
    if config.get('root'):
        return _string(config, 'root', _CONFIG_NAME_RE, ': use letters, digits and + _ . -')
    base = config['base']
    if base.endswith('.tpl'):
        _fail(config, 'base %r is a template: set root explicitly.' % base)
    name = base.rsplit('/', 1)[-1]
    root = name[:-len('.cfg')] if name.endswith('.cfg') else name
    if not _CONFIG_NAME_RE.match(root):
        _fail(config, 'base %r gives root %r, which is not allowed: set root explicitly.' % (base, root))
    return root


def _lvm_root_opts(config, vg, pool):
    opts = {
        'volume_group': vg,
        'pool_name': pool,
        'size': config['size'],
        'filesystem': config.get('filesystem', 'ext4'),
        'mkfs_args': list(config.get('mkfs_args', [])),
        # mock reads 'mount_options'; the documented 'mount_opts' is silently ignored.
        'mount_options': config.get('mount_options', ''),
        'check_size': config.get('check_size') is not False,  # unset or null: mock's default, on
        'sleep_time': config.get('sleep_time', 1),
    }
    if config.get('poolmetadatasize'):
        opts['poolmetadatasize'] = config['poolmetadatasize']
    if config.get('umount_root') is not None:
        opts['umount_root'] = bool(config['umount_root'])
    return opts


def _validate(config, pools_by_name):
    if not isinstance(config, dict):
        raise AnsibleFilterError('every mock config must be a dict, got %r.' % (config,))
    unknown = set(config) - _KEYS
    if unknown:
        _fail(config, 'unknown keys %s (mock would silently ignore mis-spelt settings; this role refuses them). '
                      'Known keys: %s.' % (', '.join(sorted(unknown)), ', '.join(sorted(_KEYS))))
    _string(config, 'name', _CONFIG_NAME_RE, ': use letters, digits and + _ . -')
    if config.get('state', 'present') not in ('present', 'absent'):
        _fail(config, 'state %r must be present or absent.' % (config.get('state'),))
    pool = _string(config, 'pool')
    if pool not in pools_by_name:
        _fail(config, 'pool %r is not among the declared thin pools (%s): declare it in builder_thin_pools.'
              % (pool, ', '.join(sorted(pools_by_name)) or 'none'))
    if config.get('state', 'present') == 'absent':
        return
    _string(config, 'base', _BASE_RE, ': use a config name such as fedora-40-x86_64 or a template path such as '
                                      'templates/fedora-branched.tpl')
    try:
        parse_size(_string(config, 'size'), 'size')
        if config.get('poolmetadatasize'):
            parse_size(_string(config, 'poolmetadatasize'), 'poolmetadatasize')
    except LvmError as exc:
        _fail(config, exc.msg)
    if 'filesystem' in config:
        _string(config, 'filesystem', _FS_RE, ': a file system type such as ext4 or xfs')
    args = config.get('mkfs_args', [])
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        _fail(config, 'mkfs_args must be a list of strings, got %r.' % (args,))
    options = config.get('mount_options', '')
    if not isinstance(options, str) or not _MOUNT_RE.match(options):
        _fail(config, 'mount_options %r must be a comma-separated option string such as "discard,noatime".'
              % (options,))
    sleep = config.get('sleep_time', 1)
    if isinstance(sleep, bool) or not isinstance(sleep, (int, float)) or sleep <= 0 \
            or math.isnan(sleep) or math.isinf(sleep):
        _fail(config, 'sleep_time %r must be a number of seconds above 0.' % (sleep,))
    for key in ('check_size', 'umount_root', 'prewarm'):
        if config.get(key) is not None and not isinstance(config[key], bool):
            _fail(config, '%s must be true or false, got %r.' % (key, config[key]))


def mock_lvm_configs(configs, pools, safe_roots_enabled=True, config_dir='/etc/mock', basedir=DEFAULT_BASEDIR):
    if not isinstance(configs, list):
        raise AnsibleFilterError('builder_mock_configs must be a list, got %r.' % (configs,))
    for what, path in (('builder_mock_config_dir', config_dir), ('builder_mock_basedir', basedir)):
        if not isinstance(path, str) or not _PATH_RE.match(path) or '..' in path:
            raise AnsibleFilterError('%s %r must be an absolute path of letters, digits and / _ . + -.' % (what, path))
    pools_by_name = {}
    for pool in pools or []:
        # The names are written into the config file's comment: they must be LVM names, not any text.
        try:
            if not isinstance(pool, dict) or not isinstance(pool.get('name'), str) \
                    or not isinstance(pool.get('vg'), str):
                raise LvmError('every thin pool needs a vg and a name')
            validate_name(pool['vg'], 'volume group')
            validate_name(pool['name'], 'thin pool')
        except LvmError as exc:
            raise AnsibleFilterError('builder_thin_pools entry %r: %s' % (pool, exc.msg))
        pools_by_name[pool['name']] = pool['vg']
    names = set()
    for config in configs:
        _validate(config, pools_by_name)
        if config['name'] in names:
            _fail(config, 'the name is used by more than one config.')
        names.add(config['name'])

    present = [c for c in configs if c.get('state', 'present') == 'present']
    wanted = dict((c['name'], _requested_root(c)) for c in present)
    try:
        if safe_roots_enabled:
            by_root = map_roots(set(wanted.values()))
            roots = dict((name, by_root[root]) for name, root in wanted.items())
        else:
            roots = wanted
        # Checked per config, so that a collision names both configs.
        check_roots(list(roots.values()), roots)
    except ValueError as exc:
        raise AnsibleFilterError('mock configs: %s' % exc)
    for name, root in roots.items():
        try:
            validate_name('%s.%s-bootstrap.head' % ('mock', root), 'root %r of config %r' % (root, name))
        except LvmError as exc:
            raise AnsibleFilterError(exc.msg)

    rendered = []
    for config in configs:
        vg = pools_by_name[config['pool']]
        item = {'name': config['name'], 'state': config.get('state', 'present'), 'vg': vg, 'pool': config['pool'],
                'path': '%s/%s.cfg' % (config_dir.rstrip('/'), config['name']), 'prewarm': bool(config.get('prewarm'))}
        if item['state'] == 'present':
            item['root'] = roots[config['name']]
            item['lines'] = [
                'include(%r)' % _base_include(config['base']),
                "config_opts['root'] = %r" % item['root'],
                # root_cache would mark a fresh volume initialised, so postinit would never be taken.
                "config_opts['plugin_conf']['root_cache_enable'] = False",
                "config_opts['plugin_conf']['tmpfs_enable'] = False",
                "config_opts['plugin_conf']['lvm_root_enable'] = True",
                # A dict replaces mock's defaults: every key is written, pool_name included.
                "config_opts['plugin_conf']['lvm_root_opts'] = %r" % _lvm_root_opts(config, vg, config['pool']),
            ]
            if basedir.rstrip('/') != DEFAULT_BASEDIR:
                item['lines'].append("config_opts['basedir'] = %r" % basedir.rstrip('/'))
        rendered.append(item)
    return rendered


class FilterModule(object):
    def filters(self):
        return {'mock_lvm_configs': mock_lvm_configs}
