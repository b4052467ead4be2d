# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""mock config files on LVM: the schema of one config, validation, the root rule, rendering and the
identity marker, in one place.

Used by the mock_config and mock_config_info modules and builder_info on the host and by the
mock_lvm_configs filter on the controller, so a value is judged the same way everywhere. mock
executes its config files as Python, as root: every value is validated here and rendered as a
Python literal, so no input can inject code.

A file this collection writes carries one marker line, a comment holding JSON (name, root, vg,
pool, basedir, collection version). It is read back with a JSON parser, and the statements that
set root, basedir and lvm_root_opts with Python's parser (ast), never by matching text; the two
must agree. A file without the marker is never overwritten or removed unless the caller forces
it, and its root (read the same way, templates expanded) is one no config of ours may share.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import copy
import grp
import json
import math
import os
import pwd
import re
import stat

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._errors import ModuleError
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import (
    LV_NAME_MAX,
    LvmError,
    parse_size,
    validate_name,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_layout import (
    DEFAULT_BASEDIR,
    bootstrap_root,
    longest_volume_names,
    root_problem,
    safe_root,
)

COLLECTION_VERSION = '1.0.0'
MARKER_PREFIX = '# buildfleet.mock_lvm config: '
MARKER_FIELDS = ('name', 'root', 'vg', 'pool', 'basedir')
# Files in a config dir that are no chroot's config (mock's get_global_configs skips them).
NOT_CHROOT_CONFIGS = ('site-defaults.cfg', 'chroot-aliases.cfg')

# \Z, not $: $ also matches before a trailing newline.
NAME_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9+_.-]*\Z')
_BASE_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9+_./-]*\Z')
_FS_RE = re.compile(r'^[a-z0-9]+\Z')
_MOUNT_RE = re.compile(r'^[A-Za-z0-9,=_.:/+-]*\Z')
_PATH_RE = re.compile(r'^/[A-Za-z0-9/_.+-]*\Z')
_OPTION_KEY_RE = re.compile(r'^[A-Za-z][A-Za-z0-9_.-]*\Z')
_OCTAL_DIGITS_RE = re.compile(r'^[0-7]+\Z')

# config_opts keys and plugin_conf keys the collection writes itself.
OWNED_OPTIONS = ('root', 'basedir', 'plugin_conf')
OWNED_PLUGIN_PREFIXES = ('lvm_root_', 'root_cache_', 'tmpfs_')

# One mock config, described once: the options of mock_config that describe the config itself, with their
# types and defaults. The module's argument spec is these plus the file's own options; the role's entries
# (builder_mock_configs) are these plus ROLE_OPTIONS; the filter fills in these defaults; builder_info reads
# these keys of each entry; the role's meta/argument_specs.yml and tasks/configs.yml are checked against it
# by a unit test (tests/unit/plugins/module_utils/test_mock_config_schema.py).
CONFIG_OPTIONS = dict(
    name=dict(type='str', required=True),
    state=dict(type='str', default='present', choices=['present', 'absent']),
    base=dict(type='str'),
    root=dict(type='str'),
    share_root=dict(type='bool', default=False),
    vg=dict(type='str'),
    pool=dict(type='str'),
    size=dict(type='str'),
    filesystem=dict(type='str', default='ext4'),
    mkfs_args=dict(type='list', elements='str', default=[]),
    mount_options=dict(type='str', default=''),
    check_size=dict(type='bool', default=True),
    sleep_time=dict(type='raw', default=1),
    poolmetadatasize=dict(type='str'),
    umount_root=dict(type='bool'),
    options=dict(type='dict', default={}),
    plugin_options=dict(type='dict', default={}),
)
# What only the role's entries have: the pre-warm is the role's step, not the file's.
ROLE_OPTIONS = dict(prewarm=dict(type='bool', default=False))
ENTRY_KEYS = tuple(CONFIG_OPTIONS) + tuple(ROLE_OPTIONS)


def entry_defaults(keys=ENTRY_KEYS):
    """{key: default} of the schema's keys that have one (fresh copies, so no caller shares a list or dict)."""
    spec = dict(CONFIG_OPTIONS, **ROLE_OPTIONS)
    return dict((key, copy.deepcopy(spec[key]['default'])) for key in keys if 'default' in spec[key])


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


class _ModeBase(object):
    """What Ansible's symbolic mode reader needs of a stat result: the mode a relative mode starts from."""

    def __init__(self, mode):
        self.st_mode = stat.S_IFREG | mode


def octal_mode(what, mode):
    """A mode as four octal digits, read as Ansible's file module reads it (octal string or symbolic).

    Used for directories too, so it refuses nothing a directory may have; see file_mode for a config file.
    """
    if isinstance(mode, bool):
        raise MockConfigError('%s %r must be a mode such as 0644, \'0644\' or u=rw,g=r,o=r.' % (what, mode))
    if isinstance(mode, int):
        value = mode  # YAML reads an unquoted 0644 as the integer 420; Ansible's file module takes it as is
    elif isinstance(mode, str) and _OCTAL_DIGITS_RE.match(mode):
        value = int(mode, 8)
    elif isinstance(mode, str) and mode:
        try:
            value = AnsibleModule._symbolic_mode_to_octal(_ModeBase(0), mode)  # pylint: disable=protected-access
        except Exception as exc:  # Ansible's reader raises ValueError and others for a mode it cannot read
            raise MockConfigError('%s %r is neither octal nor a symbolic mode such as u=rw,g=r,o=r: %s'
                                  % (what, mode, exc))
    else:
        raise MockConfigError('%s %r must be a mode such as 0644, \'0644\' or u=rw,g=r,o=r.' % (what, mode))
    if value != stat.S_IMODE(value):
        raise MockConfigError('%s %r is not a permission mode (%o has bits beyond 07777); an unquoted 644 in YAML is '
                              'the decimal number 644: write 0644 or \'0644\'.' % (what, mode, value))
    return '%04o' % value


def file_mode(what, mode):
    """The mode of a file mock executes as root: only its owner may write it, and no special bits."""
    octal = octal_mode(what, mode)
    value = int(octal, 8)
    if value & (stat.S_IWGRP | stat.S_IWOTH | stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX):
        raise MockConfigError(
            '%s %r gives mode %s, which lets %s: mock executes its config files as root, so only the owner may write '
            'one. Use 0644 (or u=rw,g=r,o=r); note that an unquoted 644 in YAML is the decimal number 644, which '
            'Ansible reads as mode 1204.'
            % (what, mode, octal, 'the group or others write the file' if value & (stat.S_IWGRP | stat.S_IWOTH)
               else 'it carry setuid, setgid or sticky bits'))
    return octal


def check_path(what, path):
    if not isinstance(path, str) or not _PATH_RE.match(path) or '..' in path:
        raise MockConfigError('%s %r must be an absolute path of letters, digits and / _ . + -.' % (what, path))
    return path.rstrip('/') or '/'


def base_include(base):
    """mock's include() resolves relative paths against its config dir: configs by name, templates by path."""
    return base if base.endswith(('.cfg', '.tpl')) else base + '.cfg'


def requested_root(entry):
    """The root asked for: explicit, or the config's own name.

    Not the base's root: mock's packaged configs use their own name as root (fedora-43-x86_64.cfg has root
    fedora-43-x86_64), and two configs with one root share the chroot dir <basedir>/<root> (the chroot,
    buildroot.lock, the caches), so a plain build of the packaged config would clean into the mounted LVM
    volume. The config's name is the name of a file this collection writes, which no packaged config has.
    """
    if entry.get('root'):
        return _string(entry, 'root', NAME_RE, ': use letters, digits and + _ . -')
    return _string(entry, 'name', NAME_RE, ': use letters, digits and + _ . -')


def config_root(entry, safe=True, recorded=None):
    """The root of one config: its root, else the root its existing file records, else its name; raises when mock
    could not use it.

    recorded is the root the config's own file (a file this collection wrote) records, None without one. Without
    an explicit root that root is kept as recorded (not made safe again): the file's volumes, chroot dirs and lock
    files carry it, and a new default (another release, builder_safe_roots switched) must not move them. An
    explicit root wins, and the root-change rule of mock_config judges a change from the recorded one.
    """
    if recorded and not entry.get('root'):
        return _kept_root(entry, recorded)
    root = requested_root(entry)
    if safe:
        root = safe_root(root)
    problem = root_problem(root)
    if problem:
        hint = '' if safe else ' (or leave safe roots on, which maps "+" and "." to "_")'
        _fail(entry, problem + hint)
    check_root_length(entry, root)
    return root


def _kept_root(entry, recorded):
    """The recorded root of an existing file, checked as any root is; a root mock cannot use is refused, not moved."""
    if not isinstance(recorded, str) or not NAME_RE.match(recorded) or '..' in recorded:
        _fail(entry, 'the root its file records, %r, is not a root name: set root to the root the file should have.'
              % (recorded,))
    problem = root_problem(recorded)
    if problem:
        _fail(entry, '%s This is the root its file records (kept while root is not set): set root to give the '
                     'config another one (the old root\'s volumes must be removed first).' % problem)
    check_root_length(entry, recorded)
    return recorded


def check_root_length(entry, root):
    """Refuse a root whose longest volume name (mock's, see longest_volume_names) LVM would refuse."""
    for name in longest_volume_names(root):
        if len(name) > LV_NAME_MAX:
            _fail(entry, 'root %r is %d characters long: mock names volumes after it, the longest being %s (%d '
                         'characters, the update snapshots of the bootstrap chroot), and LVM allows %d characters in a '
                         'volume name. Use a root of at most %d characters.'
                  % (root, len(root), name, len(name), LV_NAME_MAX, LV_NAME_MAX - (len(name) - len(root))))
        try:
            validate_name(name.lstrip('+'), 'root %r of config %r gives volume name' % (root, entry['name']))
        except LvmError as exc:
            _fail(entry, exc.msg)


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
    for key in ('check_size', 'umount_root', 'prewarm', 'share_root'):
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
    """The recorded identity of the file at path, None without a marker; raises when it cannot be read.

    The whole file is read: the marker counts wherever it is, as for mock_config.
    """
    text = read_text(path)
    return parse_marker(text) if text is not None else None


def recorded_configs(config_dir):
    """{config name: recorded identity} of every file in config_dir this collection wrote (its marker names it).

    Each identity also carries ``content`` (what the file's statements set, see content_settings) and
    ``disagreement`` (content_disagreement), so that a reader reports a hand edit.
    """
    found = {}
    for filename, text in _config_texts(config_dir):
        recorded = parse_marker(text)
        if recorded and recorded['name'] + '.cfg' == filename:
            content = content_settings(text)
            found[recorded['name']] = dict(recorded, content=content,
                                           disagreement=content_disagreement(recorded, content))
    return found


def _config_texts(config_dir, sub=''):
    """(file name, text) of each chroot config in config_dir (or its sub dir), by name."""
    directory = os.path.join(config_dir, sub)
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    found = []
    for filename in names:
        path = os.path.join(directory, filename)
        if filename.endswith('.cfg') and not filename.startswith('.') and filename not in NOT_CHROOT_CONFIGS \
                and os.path.isfile(path):
            text = read_text(path)
            if text is not None:
                found.append((filename, text))
    return found


# --------------------------------------------------------------------------- reading a config's statements

def _subscript_path(node):
    """('plugin_conf', 'lvm_root_opts') for config_opts['plugin_conf']['lvm_root_opts']; None for other targets."""
    path = []
    while isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, getattr(ast, 'Index', ())):  # Python before 3.9 wraps the key
            key = key.value
        try:
            path.insert(0, ast.literal_eval(key))
        except ValueError:
            return None
        node = node.value
    return tuple(path) if isinstance(node, ast.Name) and node.id == 'config_opts' and path else None


_UNKNOWN = object()


def config_statements(text):
    """A config file's top-level statements that matter here, in order, read with Python's parser.

    ('set', key path, value) for an assignment to config_opts[...] (value _UNKNOWN unless a literal), and
    ('include', name) for include('name'). A file that does not parse gives [].
    """
    try:
        body = ast.parse(text).body
    except (SyntaxError, ValueError):
        return []
    found = []
    for node in body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            path = _subscript_path(node.targets[0])
            if path:
                try:
                    value = ast.literal_eval(node.value)
                except ValueError:
                    value = _UNKNOWN
                found.append(('set', path, value))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) \
                and isinstance(node.value.func, ast.Name) and node.value.func.id == 'include' and node.value.args:
            try:
                found.append(('include', ast.literal_eval(node.value.args[0])))
            except ValueError:
                pass
    return found


def content_settings(text):
    """root, basedir, vg and pool as the file's own statements set them (None for what they do not set)."""
    values = {}
    for statement in config_statements(text):
        if statement[0] == 'set':
            values[statement[1]] = statement[2]
    opts = values.get(('plugin_conf', 'lvm_root_opts'))
    opts = opts if isinstance(opts, dict) else {}

    def known(value):
        return value if isinstance(value, str) else None
    return {'root': known(values.get(('root',))), 'basedir': known(values.get(('basedir',))),
            'vg': known(opts.get('volume_group')), 'pool': known(opts.get('pool_name'))}


def content_disagreement(recorded, content):
    """Why a marked file's statements and its marker disagree (a hand edit), or None."""
    differ = ['%s %r in the marker, %r in the statements' % (key, recorded[key], content[key])
              for key in ('root', 'basedir', 'vg', 'pool') if content[key] != recorded[key]]
    return '; '.join(differ) or None


def refuse_disagreement(path, recorded, content, action):
    """Raise before a marked file whose marker and statements disagree is rewritten or removed."""
    disagreement = content_disagreement(recorded, content)
    if disagreement:
        raise MockConfigError(
            '%s was edited by hand: %s. The volumes, chroot dirs and lock files of the root in its statements may '
            'be in use, and %s the file would leave them to nobody. Put the statements back as the marker records '
            'them, or remove what the edited root left (buildfleet.mock_lvm.build_root state=absent for root %r) and '
            'set force: true to %s it.'
            % (path, disagreement, 'rewriting' if action == 'rewrite' else 'removing', content['root'] or recorded['root'],
               action))


# --------------------------------------------------------------------------- roots of configs we did not write

_TEMPLATE_RE = re.compile(r'\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}')


def _evaluate(config_dir, path, values, seen, cache):
    """Apply a config file's literal assignments to values, following include() as mock does (once per file)."""
    if path in seen or len(seen) > 32:
        return
    seen.add(path)
    if path not in cache:
        text = read_text(path)
        cache[path] = config_statements(text) if text is not None else []
    for statement in cache[path]:
        if statement[0] == 'include':
            if isinstance(statement[1], str):
                _evaluate(config_dir, os.path.join(config_dir, statement[1]), values, seen, cache)
        else:
            values[statement[1]] = statement[2]


def _expand(value, values):
    """A {{ name }} template expanded from the string values set (as mock's templated dictionary does), or None."""
    for dummy in range(5):
        if not isinstance(value, str) or '{' not in value:
            return value if isinstance(value, str) else None
        value = _TEMPLATE_RE.sub(lambda m: values.get((m.group(1),)) if isinstance(values.get((m.group(1),)), str)
                                 else m.group(0), value)
    return None if '{' in value else value


def static_root(config_dir, path, cache=None):
    """The root a config we did not write gives mock, read without running it; the file's name when unreadable.

    mock-core-configs set the root in a template (config_opts['root'] = 'fedora-{{ releasever }}-{{ target_arch }}')
    from literals the config sets; a root computed any other way falls back to the file's name, which is what
    mock's packaged configs use as root.
    """
    values = {}
    _evaluate(config_dir, path, values, set(), {} if cache is None else cache)
    root = _expand(values.get(('root',)), values)
    return root or os.path.basename(path)[:-len('.cfg')]


def unmarked_roots(config_dir):
    """[(root, path)] of every config in config_dir and eol/ that this collection did not write.

    A file counts as ours only with a marker naming it (a copy of one of ours is not ours).
    """
    found, cache = [], {}
    for sub in ('', 'eol'):
        for filename, text in _config_texts(config_dir, sub):
            recorded = parse_marker(text)
            if recorded and recorded['name'] + '.cfg' == filename and not sub:
                continue
            path = os.path.join(config_dir, sub, filename)
            found.append((static_root(config_dir, path, cache), path))
    return found


def shared_chroot(root, unmarked):
    """The unmarked configs whose chroot dirs (<root>, <root>-bootstrap) one of this root's would be."""
    mine = set((root, bootstrap_root(root)))
    return [path for other, path in unmarked if mine & set((other, bootstrap_root(other)))]


def refuse_shared_chroot(name, root, unmarked, share_root, recorded=False):
    """Refuse a root whose chroot dir a config this collection did not write also uses, unless share_root.

    recorded: the root is the one the config's existing file records (kept, see config_root); the way out is
    then to keep sharing knowingly or to move the config once its old root's volumes are gone.
    """
    shared = shared_chroot(root, unmarked)
    if shared and not share_root:
        if recorded:
            way_out = ('Its file records this root (written so by an earlier version, whose default root was the '
                       'base\'s): set share_root: true to keep it, or move the config to a root of its own - remove '
                       'the build roots of %r first (buildfleet.mock_lvm.build_root root=%s state=absent, or the '
                       'scrub_build_roots playbook), then set root (for example root: %s).' % (root, root, name))
        else:
            way_out = ('Choose another root (leave root unset for the config\'s own name), or set share_root: true if '
                       'sharing the chroot dir is what you want.')
        raise MockConfigError(
            'mock config %r: root %r shares its chroot dir (<basedir>/%s or its -bootstrap) with %s, which this '
            'collection did not write: a plain build of that config would clean the chroot, lock file and caches '
            'of this one, even inside its mounted LVM volume. %s' % (name, root, root, ', '.join(shared), way_out))
    return shared


# --------------------------------------------------------------------------- comparing without the version

def comparable(text):
    """A config's text with the marker's collection_version left out: a new collection version alone is no change."""
    if text is None:
        return None
    lines = []
    for line in text.splitlines(True):
        recorded = parse_marker(line) if line.startswith(MARKER_PREFIX) else None
        if recorded is not None:
            recorded.pop('collection_version', None)
            line = MARKER_PREFIX + json.dumps(recorded, sort_keys=True) + '\n'
        lines.append(line)
    return ''.join(lines)


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
