# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""mock config files on LVM: validation, rendering and the identity marker, in one place.

Used by the mock_config and mock_config_info modules on the host and by the
mock_lvm_configs filter on the controller, so a value is judged the same way
everywhere. mock executes its config files as Python, as root: every value is
validated here and rendered as a Python literal, so no input can inject code.

A file this collection writes carries one marker line, a comment holding JSON
(name, root, vg, pool, basedir, collection version). It is read back with a
JSON parser, never by matching the Python statements, and a file without it is
never overwritten or removed unless the caller forces it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import grp
import json
import math
import os
import pwd
import re

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._errors import ModuleError
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import LvmError, parse_size, validate_name
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_layout import (
    DEFAULT_BASEDIR,
    bootstrap_root,
    root_problem,
    safe_root,
    working_volume,
)

COLLECTION_VERSION = '1.0.0'
MARKER_PREFIX = '# buildfleet.mock_lvm config: '
MARKER_FIELDS = ('name', 'root', 'vg', 'pool', 'basedir')
# How much of a file is read to find the marker: it is the third line of what we write.
MARKER_SEARCH_BYTES = 4096

# \Z, not $: $ also matches before a trailing newline.
NAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9+_.-]*\Z')
_BASE_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9+_./-]*\Z')
_FS_RE = re.compile(r'^[a-z0-9]+\Z')
_MOUNT_RE = re.compile(r'^[A-Za-z0-9,=_.:/+-]*\Z')
_PATH_RE = re.compile(r'^/[A-Za-z0-9/_.+-]*\Z')
_OPTION_KEY_RE = re.compile(r'^[A-Za-z][A-Za-z0-9_.-]*\Z')

# config_opts keys and plugin_conf keys the collection writes itself.
OWNED_OPTIONS = ('root', 'basedir', 'plugin_conf')
OWNED_PLUGIN_PREFIXES = ('lvm_root_', 'root_cache_', 'tmpfs_')

ENTRY_KEYS = ('name', 'state', 'base', 'root', 'vg', 'pool', 'size', 'filesystem', 'mkfs_args', 'mount_options',
              'check_size', 'sleep_time', 'poolmetadatasize', 'umount_root', 'prewarm', 'options', 'plugin_options')


class MockConfigError(ModuleError):
    """A config value or file that cannot be used; the message names it and the fix."""


def _fail(entry, message):
    raise MockConfigError('mock config %r: %s' % (entry.get('name', '?'), message))


def _string(entry, key, pattern=None, hint=''):
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        _fail(entry, '%s must be a non-empty string, got %r.' % (key, value))
    if (pattern and not pattern.match(value)) or '..' in value:
        _fail(entry, '%s %r is not allowed%s.' % (key, value, hint))
    return value


_OCTAL_MODE_RE = re.compile(r'^0?[0-7]{3,4}\Z')


def octal_mode(what, mode):
    """A mode as four octal digits, as os.stat gives it; refuses symbolic modes."""
    if not isinstance(mode, str) or not _OCTAL_MODE_RE.match(mode):
        raise MockConfigError('%s %r must be an octal mode such as 0644 or 2775.' % (what, mode))
    return '%04o' % int(mode, 8)


def check_path(what, path):
    if not isinstance(path, str) or not _PATH_RE.match(path) or '..' in path:
        raise MockConfigError('%s %r must be an absolute path of letters, digits and / _ . + -.' % (what, path))
    return path.rstrip('/') or '/'


def base_include(base):
    """mock's include() resolves relative paths against its config dir: configs by name, templates by path."""
    return base if base.endswith(('.cfg', '.tpl')) else base + '.cfg'


def requested_root(entry):
    """The root asked for: explicit, or the base config's name (mock's own configs use it as root)."""
    if entry.get('root'):
        return _string(entry, 'root', NAME_RE, ': use letters, digits and + _ . -')
    base = entry['base']
    if base.endswith('.tpl'):
        _fail(entry, 'base %r is a template: set root explicitly.' % base)
    name = base.rsplit('/', 1)[-1]
    root = name[:-len('.cfg')] if name.endswith('.cfg') else name
    if not NAME_RE.match(root):
        _fail(entry, 'base %r gives root %r, which is not allowed: set root explicitly.' % (base, root))
    return root


def config_root(entry, safe=True):
    """The root of one config, derived from that config alone; raises when mock could not use it."""
    root = requested_root(entry)
    if safe:
        root = safe_root(root)
    problem = root_problem(root)
    if problem:
        hint = '' if safe else ' (or leave safe roots on, which maps "+" and "." to "_")'
        _fail(entry, problem + hint)
    try:
        validate_name(working_volume(bootstrap_root(root))[1:], 'root %r of config %r' % (root, entry['name']))
    except LvmError as exc:
        _fail(entry, exc.msg)
    return root


def _literal_problem(value, depth=0):
    """Why a value cannot be written as a plain Python literal, or None."""
    if depth > 8:
        return 'nests too deep'
    if value is None or isinstance(value, (bool, str, int)):
        return None
    if isinstance(value, float):
        return None if not (math.isnan(value) or math.isinf(value)) else 'is not a finite number'
    if isinstance(value, (list, tuple)):
        return next((p for p in (_literal_problem(v, depth + 1) for v in value) if p), None)
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            return 'has a key that is not a string'
        return next((p for p in (_literal_problem(v, depth + 1) for v in value.values()) if p), None)
    return 'has a value of type %s' % type(value).__name__


def literal(value):
    """Python source for a validated value; dict keys sorted, so the text is stable."""
    if isinstance(value, dict):
        return '{%s}' % ', '.join('%r: %s' % (k, literal(value[k])) for k in sorted(value))
    if isinstance(value, (list, tuple)):
        return '[%s]' % ', '.join(literal(v) for v in value)
    return repr(value)


def _check_mapping(entry, key, owned_keys=(), owned_prefixes=(), where="config_opts"):
    mapping = entry.get(key) or {}
    if not isinstance(mapping, dict):
        _fail(entry, '%s must be a mapping of %s keys to values, got %r.' % (key, where, mapping))
    for name, value in mapping.items():
        if not isinstance(name, str) or not _OPTION_KEY_RE.match(name):
            _fail(entry, '%s key %r is not a %s key: use letters, digits and _ . -.' % (key, name, where))
        if name in owned_keys or name.startswith(tuple(owned_prefixes)):
            _fail(entry, '%s key %r is set by this collection (root, basedir and the lvm_root, root_cache and '
                         'tmpfs plugin settings): use the config entry\'s own keys instead.' % (key, name))
        problem = _literal_problem(value)
        if problem:
            _fail(entry, '%s[%r] %s: use strings, numbers, booleans, null, lists and mappings.' % (key, name, problem))
    return mapping


def _check_number(entry, key, default):
    value = entry.get(key, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0 \
            or math.isnan(value) or math.isinf(value):
        _fail(entry, '%s %r must be a number of seconds above 0.' % (key, value))
    return value


def _check_lvm_settings(entry):
    try:
        parse_size(_string(entry, 'size'), 'size')
        if entry.get('poolmetadatasize'):
            parse_size(_string(entry, 'poolmetadatasize'), 'poolmetadatasize')
    except LvmError as exc:
        _fail(entry, exc.msg)
    if entry.get('filesystem') is not None:
        _string(entry, 'filesystem', _FS_RE, ': a file system type such as ext4 or xfs')
    args = entry.get('mkfs_args') or []
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        _fail(entry, 'mkfs_args must be a list of strings, got %r.' % (args,))
    options = entry.get('mount_options') or ''
    if not isinstance(options, str) or not _MOUNT_RE.match(options):
        _fail(entry, 'mount_options %r must be a comma-separated option string such as "discard,noatime".'
              % (options,))
    _check_number(entry, 'sleep_time', 1)
    for key in ('check_size', 'umount_root', 'prewarm'):
        if entry.get(key) is not None and not isinstance(entry[key], bool):
            _fail(entry, '%s must be true or false, got %r.' % (key, entry[key]))


def validate_entry(entry):
    """Check one config entry (the role's keys, the module's options); raise MockConfigError naming the value."""
    if not isinstance(entry, dict):
        raise MockConfigError('every mock config must be a dict, got %r.' % (entry,))
    unknown = set(k for k, v in entry.items() if v is not None) - set(ENTRY_KEYS)
    if unknown:
        _fail(entry, 'unknown keys %s (mock would silently ignore mis-spelt settings; this collection refuses them). '
                     'Known keys: %s.' % (', '.join(sorted(unknown)), ', '.join(ENTRY_KEYS)))
    name = _string(entry, 'name', NAME_RE, ': use letters, digits and + _ . -')
    if 'state' in entry and entry['state'] not in ('present', 'absent'):
        _fail(entry, 'state %r must be present or absent.' % (entry.get('state'),))
    for key in ('vg', 'pool'):
        if entry.get(key) is not None:
            try:
                validate_name(_string(entry, key), 'volume group' if key == 'vg' else 'thin pool', lv=key == 'pool')
            except LvmError as exc:
                _fail(entry, exc.msg)
    if entry.get('state') == 'absent':
        return
    _string(entry, 'pool')
    base = _string(entry, 'base', _BASE_RE, ': use a config name such as fedora-43-x86_64, eol/fedora-41-x86_64, '
                                            'or a template path such as templates/fedora-branched.tpl')
    if base_include(base) == name + '.cfg':
        _fail(entry, 'the name is its own base %r: the file would include itself, which mock skips ("Multiple '
                     'inclusion"), leaving a config with no repositories. Give the config another name, such as '
                     '%s-lvm.' % (base, name))
    _check_lvm_settings(entry)
    _check_mapping(entry, 'options', OWNED_OPTIONS)
    _check_mapping(entry, 'plugin_options', (), OWNED_PLUGIN_PREFIXES, where='plugin_conf')


def lvm_root_opts(entry):
    """The complete lvm_root_opts dict: assigning it replaces mock's defaults, so every key is written."""
    opts = {
        'volume_group': entry['vg'],
        'pool_name': entry['pool'],
        'size': entry['size'],
        'filesystem': entry.get('filesystem') or 'ext4',
        'mkfs_args': list(entry.get('mkfs_args') or []),
        # mock reads 'mount_options'; the documented 'mount_opts' is silently ignored.
        'mount_options': entry.get('mount_options') or '',
        'check_size': entry.get('check_size') is not False,  # unset or null: mock's default, on
        'sleep_time': _check_number(entry, 'sleep_time', 1),
    }
    if entry.get('poolmetadatasize'):
        opts['poolmetadatasize'] = entry['poolmetadatasize']
    if entry.get('umount_root') is not None:
        opts['umount_root'] = bool(entry['umount_root'])
    return opts


def marker(entry, root, basedir):
    return dict(name=entry['name'], root=root, vg=entry['vg'], pool=entry['pool'], basedir=basedir,
                collection_version=COLLECTION_VERSION)


def render(entry, root, basedir=DEFAULT_BASEDIR):
    """The whole file for a validated entry, marker first."""
    lines = [
        '# Written by buildfleet.mock_lvm (module mock_config): edits here are replaced on its next run.',
        '# The next line records which config, root and pool this file is, for the collection to read back.',
        MARKER_PREFIX + json.dumps(marker(entry, root, basedir), sort_keys=True),
        'include(%r)' % base_include(entry['base']),
    ]
    for key, value in sorted((entry.get('options') or {}).items()):
        lines.append('config_opts[%r] = %s' % (key, literal(value)))
    for key, value in sorted((entry.get('plugin_options') or {}).items()):
        lines.append("config_opts['plugin_conf'][%r] = %s" % (key, literal(value)))
    lines += [
        "config_opts['root'] = %r" % root,
        # Always written, so that mock and the modules look for lock files in one place.
        "config_opts['basedir'] = %r" % basedir,
        # root_cache would mark a fresh volume initialised, so postinit would never be taken.
        "config_opts['plugin_conf']['root_cache_enable'] = False",
        "config_opts['plugin_conf']['tmpfs_enable'] = False",
        "config_opts['plugin_conf']['lvm_root_enable'] = True",
        "config_opts['plugin_conf']['lvm_root_opts'] = %s" % literal(lvm_root_opts(entry)),
    ]
    return '\n'.join(lines) + '\n'


def parse_marker(text):
    """The recorded identity of a file's text, or None when it has no single, well-formed marker."""
    found = [line[len(MARKER_PREFIX):] for line in text.splitlines() if line.startswith(MARKER_PREFIX)]
    if len(found) != 1:
        return None
    try:
        recorded = json.loads(found[0])
    except ValueError:
        return None
    if not isinstance(recorded, dict) or not all(isinstance(recorded.get(k), str) for k in MARKER_FIELDS):
        return None
    return recorded


def read_text(path, limit=None):
    """A file's text, or None when it does not exist."""
    try:
        with open(path, 'rb') as handle:
            data = handle.read() if limit is None else handle.read(limit)
    except (IOError, OSError) as exc:
        if not os.path.exists(path):
            return None
        raise MockConfigError('Cannot read %s: %s' % (path, exc))
    return data.decode('utf-8', 'replace')


def read_marker(path):
    """The recorded identity of the file at path, None without a marker; raises when it cannot be read."""
    text = read_text(path, MARKER_SEARCH_BYTES)
    return parse_marker(text) if text is not None else None


def recorded_configs(config_dir):
    """{config name: recorded identity} of every file in config_dir this collection wrote (its marker names it)."""
    found = {}
    try:
        names = sorted(os.listdir(config_dir))
    except OSError:
        return found
    for filename in names:
        if not filename.endswith('.cfg') or filename.startswith('.'):
            continue
        recorded = read_marker(os.path.join(config_dir, filename))
        if recorded and recorded['name'] + '.cfg' == filename:
            found[recorded['name']] = recorded
    return found


def base_problem(config_dir, base):
    """Why the base cannot be included from config_dir, or None."""
    include = base_include(base)
    if os.path.isfile(os.path.join(config_dir, include)):
        return None
    if os.path.isfile(os.path.join(config_dir, 'eol', include)):
        return ('base %r is not in %s any more: mock-core-configs moved it to eol/. Use base %r (or a config that '
                'is still maintained).' % (base, config_dir, 'eol/' + base))
    return ('base %r does not exist: %s is missing, so mock could not load the config. Install the package that '
            'provides it (mock-core-configs) or name an existing config or template.'
            % (base, os.path.join(config_dir, include)))


def file_attributes(path):
    """(owner, group, mode) of a file by name and octal mode; None for an owner or group without a name."""
    st = os.stat(path)
    try:
        owner = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        owner = None
    try:
        group = grp.getgrgid(st.st_gid).gr_name
    except KeyError:
        group = None
    return owner, group, '%04o' % (st.st_mode & 0o7777)


def config_file_state(entry, config_dir, basedir, owner, group, mode):
    """A config file against what mock_config writes (present) or removes (absent), read only.

    ``matches`` is true exactly when mock_config would change nothing: the content equals
    ``render()`` with the root mock_config gives it, owner, group and mode are those asked,
    and the base it includes exists (mock_config refuses a missing base, so it must run and say so).
    """
    path = os.path.join(config_dir, entry['name'] + '.cfg')
    current = read_text(path)
    state = {'name': entry['name'], 'path': path, 'exists': current is not None, 'marker': None, 'root': None,
             'owner': None, 'group': None, 'mode': None, 'matches': False, 'difference': None}
    if current is not None:
        state['marker'] = parse_marker(current)
        state['owner'], state['group'], state['mode'] = file_attributes(path)
    if entry.get('state') == 'absent':
        state['matches'] = current is None
        state['difference'] = 'the file exists' if current is not None else None
        return state
    state['root'] = config_root(entry)  # mock_config derives it the same way (safe_root on)
    wanted = {'owner': owner, 'group': group, 'mode': mode}
    differs = [key for key in ('owner', 'group', 'mode') if current is not None and state[key] != wanted[key]]
    if current is None:
        state['difference'] = 'the file does not exist'
    elif base_problem(config_dir, entry['base']):
        state['difference'] = base_problem(config_dir, entry['base'])
    elif current != render(entry, state['root'], basedir):
        state['difference'] = 'its content differs from what mock_config writes'
    elif differs:
        state['difference'] = 'its %s differ%s' % (', '.join(differs), 's' if len(differs) == 1 else '')
    state['matches'] = state['difference'] is None
    return state
