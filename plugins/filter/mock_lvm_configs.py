# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import LvmError, validate_name
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_config import (
    CONFIG_OPTIONS,
    MockConfigError,
    check_path,
    config_root,
    entry_defaults,
    validate_entry,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_layout import (
    DEFAULT_BASEDIR,
    DEFAULT_CONFIG_DIR,
    MOCK_GROUP,
    check_roots,
    host_directories,
)

# What the module gets for a present config: the schema's keys, with the schema's defaults.
_ITEM_KEYS = tuple(k for k in CONFIG_OPTIONS if k not in ('name', 'state'))


def _pool_vgs(pools):
    """{pool name: [vg, ...]} of the declared pools, validated."""
    by_name = {}
    for pool in pools or []:
        # The names end up in files mock executes: they must be LVM names, not any text.
        try:
            if not isinstance(pool, dict) or not isinstance(pool.get('name'), str) \
                    or not isinstance(pool.get('vg'), str):
                raise LvmError('every thin pool needs a vg and a name')
            validate_name(pool['vg'], 'volume group', lv=False)
            validate_name(pool['name'], 'thin pool')
        except LvmError as exc:
            raise AnsibleFilterError('builder_thin_pools entry %r: %s' % (pool, exc.msg))
        by_name.setdefault(pool['name'], []).append(pool['vg'])
    return by_name


def _resolve_vg(config, pool_vgs):
    """The (vg, pool) a config uses: pools are (vg, name), a bare name must be unambiguous."""
    pool, vg = config.get('pool'), config.get('vg')
    vgs = pool_vgs.get(pool, [])
    declared = ', '.join('%s/%s' % (v, p) for p in sorted(pool_vgs) for v in pool_vgs[p]) or 'none'
    if not isinstance(pool, str) or not vgs or (vg is not None and vg not in vgs):
        raise MockConfigError('mock config %r: pool %s is not among the declared thin pools (%s): declare it in '
                              'builder_thin_pools.' % (config['name'], '%s/%s' % (vg, pool) if vg else repr(pool),
                                                       declared))
    if vg is None and len(vgs) > 1:
        raise MockConfigError('mock config %r: pool %r is declared in volume groups %s: set vg on the config to say '
                              'which.' % (config['name'], pool, ' and '.join(sorted(vgs))))
    return vg or vgs[0]


def _present_item(config, pool_vgs, safe, base_item, recorded_root):
    """The config as mock_config takes it; its root decided here, once, and passed as given everywhere else."""
    item = dict(base_item, **entry_defaults(_ITEM_KEYS))
    item.update((k, v) for k, v in config.items() if v is not None and k in _ITEM_KEYS)
    item['vg'] = _resolve_vg(config, pool_vgs)
    item['root'] = config_root(config, safe, recorded_root)
    return item


def _recorded_roots(recorded_roots):
    """{config name: root its existing file records}, as the role reads it with mock_config_info."""
    if recorded_roots is None:
        return {}
    if not isinstance(recorded_roots, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in recorded_roots.items()):
        raise AnsibleFilterError('recorded_roots must map config names to the roots their files record (mock_config_'
                                 'info\'s configs as name: root), got %r.' % (recorded_roots,))
    return recorded_roots


def mock_lvm_configs(configs, pools, safe_roots=True, config_dir=DEFAULT_CONFIG_DIR, basedir=DEFAULT_BASEDIR,
                     recorded_roots=None):
    if not isinstance(configs, list):
        raise AnsibleFilterError('builder_mock_configs must be a list, got %r.' % (configs,))
    recorded_roots = _recorded_roots(recorded_roots)
    try:
        config_dir = check_path('builder_mock_config_dir', config_dir)
        basedir = check_path('builder_mock_basedir', basedir)
        pool_vgs = _pool_vgs(pools)
        items, names = [], set()
        for config in configs:
            validate_entry(config)
            if config['name'] in names:
                raise MockConfigError('mock config %r: the name is used by more than one config.' % config['name'])
            names.add(config['name'])
            item = {'name': config['name'], 'state': config.get('state') or 'present', 'basedir': basedir,
                    'config_dir': config_dir, 'path': '%s/%s.cfg' % (config_dir, config['name']),
                    'prewarm': bool(config.get('prewarm'))}
            items.append(_present_item(config, pool_vgs, safe_roots, item, recorded_roots.get(config['name']))
                         if item['state'] == 'present' else item)
        present = [i for i in items if i['state'] == 'present']
        check_roots(present)
    except (MockConfigError, ValueError) as exc:
        raise AnsibleFilterError(str(exc))
    for item in present:
        item['other_roots'] = sorted(set(i['root'] for i in present) - set([item['root']]))
    return items


def mock_lvm_removals(configs, recorded):
    """The build roots to remove for the configs marked absent: those whose recorded root nothing else claims."""
    recorded_by_name = dict((r['name'], r) for r in recorded.get('configs', []))
    absent = [c for c in configs if c['state'] == 'absent']
    foreign = [c['name'] for c in absent if c['name'] in recorded.get('unmanaged', [])]
    if foreign:
        raise AnsibleFilterError(
            'mock configs marked absent have a file that buildfleet.mock_lvm did not write (no marker line): %s. They '
            'are probably packaged or hand-written configs; nothing was changed. Drop these entries, or remove the '
            'files yourself.' % ', '.join('%s (%s)' % (c['name'], c['path']) for c in absent if c['name'] in foreign))
    leaving = set(c['name'] for c in absent)
    # Roots that stay: every present config's, and every marked file's that this run does not remove.
    staying = set(c['root'] for c in configs if c['state'] == 'present')
    staying |= set(r['root'] for name, r in recorded_by_name.items() if name not in leaving)
    known = staying | set(r['root'] for r in recorded_by_name.values())
    removals = []
    for config in absent:
        old = recorded_by_name.get(config['name'])
        if old and old['root'] not in staying and old['root'] not in [r['root'] for r in removals]:
            removals.append({'name': config['name'], 'root': old['root'], 'vg': old['vg'], 'pool': old['pool'],
                             'basedir': old['basedir'], 'other_roots': sorted(known - set([old['root']]))})
    return removals


def mock_lvm_layout(config_dir=DEFAULT_CONFIG_DIR, basedir=DEFAULT_BASEDIR):
    """mock's group and the builder's directories for mock, from the collection's one copy of mock's layout."""
    try:
        directories = host_directories(check_path('builder_mock_config_dir', config_dir),
                                       check_path('builder_mock_basedir', basedir))
    except MockConfigError as exc:
        raise AnsibleFilterError(str(exc))
    return {'group': MOCK_GROUP, 'directories': directories}


class FilterModule(object):
    def filters(self):
        return {'mock_lvm_configs': mock_lvm_configs, 'mock_lvm_removals': mock_lvm_removals,
                'mock_lvm_layout': mock_lvm_layout}
