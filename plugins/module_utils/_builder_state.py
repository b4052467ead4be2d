# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the builder role manages on one host, read once and compared with what is wanted.

Used by the builder_info module. Every comparison is the one the owning module makes:
pools go through the thinpool planner, config files through mock_config's planner, so a
thing reported as matching is one that its module would leave alone. LVM is read with one
``lvm fullreport`` for the whole host; nothing here changes anything.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import grp
import os
import pwd
import sys

from ansible.module_utils.facts.system.distribution import DistributionFactCollector

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._errors import ModuleError
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._headroom import host_headroom
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import LvmError, lv_path
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_config import (
    ENTRY_KEYS,
    MockConfigError,
    file_attributes,
    unmarked_roots,
    validate_entry,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_config_file import config_finding
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_layout import snapshot_volume
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._thinpool import (
    check_pool_params,
    plan_present,
    pool_facts,
    usage_warnings,
)

# systemctl's UnitFileState values of a unit that starts at boot (as `systemctl is-enabled` counts them).
ENABLED_STATES = ('enabled', 'static', 'indirect')
FAMILY_KEYS = ('os_packages', 'mock_packages', 'monitor_units')


class BuilderStateError(ModuleError):
    """Input the reader cannot use; the message names the value and the fix."""


def os_identity(module):
    """OS family, distribution and version as the setup module reports them, and this Python."""
    facts = DistributionFactCollector().collect(module=module)
    return {'os_family': facts.get('os_family'), 'distribution': facts.get('distribution'),
            'distribution_version': facts.get('distribution_version'), 'python': sys.executable}


def family_settings(families, family):
    """The package and unit lists of the host's family; raises when the family is not declared."""
    settings = families.get(family)
    if not isinstance(settings, dict):
        raise BuilderStateError('OS family %r has no package list (declared: %s): builders must be RedHat (Fedora, '
                                'EL) or Debian hosts.' % (family, ', '.join(sorted(families)) or 'none'))
    for key in FAMILY_KEYS:
        value = settings.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise BuilderStateError('families[%r][%r] must be a list of names, got %r.' % (family, key, value))
    return dict((key, list(settings.get(key, []))) for key in FAMILY_KEYS)


def installed_packages(module, family, packages):
    """{name: installed?} with one rpm or dpkg-query command for all of them."""
    if not packages:
        return {}
    if family == 'RedHat':
        rc, out, err = module.run_command(['rpm', '-q', '--qf', '%{NAME}\n'] + packages, environ_update={'LC_ALL': 'C'})
        found = set(line.strip() for line in out.splitlines())
    else:
        rc, out, err = module.run_command(['dpkg-query', '-W', '-f', '${Package} ${db:Status-Abbrev}\n'] + packages,
                                          environ_update={'LC_ALL': 'C'})
        # '<name> ii ' for an installed package: the status abbreviation starts with i (install) i (installed).
        found = set(line.split(' ', 1)[0] for line in out.splitlines() if line.partition(' ')[2].startswith('ii'))
    return dict((name, name in found) for name in packages)


def unit_states(module, units):
    """{unit: {enabled, active}} from one `systemctl show`; units it does not know are neither."""
    states = dict((unit, {'enabled': False, 'active': False}) for unit in units)
    if not units or not module.get_bin_path('systemctl'):
        return states
    rc, out, err = module.run_command(['systemctl', 'show', '--property=UnitFileState,ActiveState'] + units,
                                      environ_update={'LC_ALL': 'C'})
    # One block of KEY=value lines per unit, in the order asked, separated by blank lines.
    blocks = [dict(line.split('=', 1) for line in block.splitlines() if '=' in line)
              for block in out.strip().split('\n\n')] if rc == 0 else []
    for unit, block in zip(units, blocks):
        states[unit] = {'enabled': block.get('UnitFileState') in ENABLED_STATES,
                        'active': block.get('ActiveState') == 'active'}
    return states


def signature(module, device):
    """The file system or volume signature blkid finds on a device ('' for none)."""
    rc, out, err = module.run_command(['blkid', '-p', '-s', 'TYPE', '-o', 'value', device])
    return out.strip() if rc == 0 else ''


def _device_finding(module, host, group, given):
    device = os.path.realpath(given)
    found = {'device': given, 'resolved': device, 'vg': host.pvs.get(device), 'signature': None, 'foreign': None}
    owner = found['vg']
    if group.get('force'):
        return found
    if owner and owner != group['name']:
        found['foreign'] = '%s (a physical volume of volume group %s)' % (given, owner)
    elif not owner:
        found['signature'] = signature(module, device)
        if found['signature'] and found['signature'] != 'LVM2_member':
            found['foreign'] = '%s (carries a %s signature)' % (given, found['signature'])
    return found


def volume_group_findings(module, host, groups):
    """Devices with their VG and signature, and the groups the lvg module must create or change."""
    devices, to_change = [], []
    for group in groups:
        mine = [_device_finding(module, host, group, given) for given in group['devices']]
        devices.extend(mine)
        current = sorted(pv for pv, vg in host.pvs.items() if vg == group['name'])
        if group['name'] not in host.vgs or current != sorted(d['resolved'] for d in mine):
            to_change.append(group['name'])
    return devices, to_change


def pool_finding(host, pool, profile_dir, changing_vgs):
    """(facts of the pool with `matches` and `difference`, usage warnings) from the thinpool planner."""
    report = host.vg(pool['vg'])
    if report is None:
        return {'vg': pool['vg'], 'name': pool['name'], 'exists': False, 'matches': False,
                'difference': 'volume group %s does not exist' % pool['vg']}, []
    try:
        check_pool_params(pool)
        plan = plan_present(report, pool, profile_dir, lambda name: host_profile_users(host, name))
    except LvmError as exc:
        # The thinpool module runs and reports this itself.
        facts = dict(pool_facts(report, report.get(pool['name']), profile_dir), name=pool['name'])
        return dict(facts, matches=False, difference=exc.msg), []
    facts = dict(plan.before, name=pool['name'])  # the planner's read of the pool and its profile
    difference = None
    if plan.changed:
        tools = [line[0] for line in plan.lines()]
        difference = 'would run %s' % ', '.join(tools) if tools else 'its autoextend profile differs'
    elif pool['vg'] in changing_vgs:
        difference = 'its volume group changes first (a size relative to the group may grow)'
    warnings = usage_warnings(facts) if facts.get('exists') else []
    return dict(facts, matches=difference is None, difference=difference), warnings


def host_profile_users(host, profile):
    """'vg/lv' of every LV of the host with the metadata profile attached (from the one fullreport)."""
    return sorted(lv_path(lv.vg, lv.name) for report in host.vgs.values() for lv in report.volumes
                  if lv.profile == profile)


def _entry(item):
    """The schema's keys of one rendered config (the filter's extra keys left out), validated."""
    entry = dict((key, item[key]) for key in ENTRY_KEYS if item.get(key) is not None)
    try:
        validate_entry(entry)
    except MockConfigError as exc:
        raise BuilderStateError(str(exc))
    return entry


def config_findings(configs, params):
    """Each config file against what mock_config does with it (its planner decides), with its root as given."""
    absent = [c['name'] for c in configs if c.get('state') == 'absent']
    file_params = {'config_dir': params['config_dir'], 'basedir': params['basedir'], 'owner': params['config_owner'],
                   'group': params['config_group'], 'mode': params['config_mode'], 'absent_configs': absent,
                   'unmarked': unmarked_roots(params['config_dir']) if configs else []}
    found = []
    for item in configs:
        entry = _entry(item)
        finding = config_finding(entry, dict(file_params))
        found.append(dict(finding, state=entry.get('state') or 'present', prewarm=bool(entry.get('prewarm'))))
    return found


def has_postinit(host, item):
    """Whether the config's pool holds its postinit snapshot (the pre-warm has been done)."""
    report = host.vg(item.get('vg') or '')
    if report is None or not item.get('root') or not item.get('pool'):
        return False
    names = [lv.name for lv in report.thin_volumes(item['pool'])]
    return snapshot_volume(item['root']) in names


def directory_findings(directories):
    """Each wanted directory with its current owner, group and mode, and whether it matches."""
    found = []
    for want in directories:
        have = {'owner': None, 'group': None, 'mode': None, 'is_dir': os.path.isdir(want['path'])}
        try:
            have['owner'], have['group'], have['mode'] = file_attributes(want['path'])
        except OSError:
            pass
        matches = have['is_dir'] and all(have[k] == want[k] for k in ('owner', 'group', 'mode'))
        found.append(dict(have, path=want['path'], matches=matches))
    return found


def users_to_add(group, users):
    """Users that are not in the group, neither as members nor by their primary group."""
    try:
        entry = grp.getgrnam(group)
    except KeyError:
        return list(users)
    pending = []
    for user in users:
        try:
            primary = pwd.getpwnam(user).pw_gid == entry.gr_gid
        except KeyError:
            primary = False
        if not primary and user not in entry.gr_mem:
            pending.append(user)
    return pending


def group_exists(group):
    try:
        grp.getgrnam(group)
    except KeyError:
        return False
    return True


def read_builder(module, lvm, params):
    """Everything the builder role compares, and what differs, with one LVM command (lvm fullreport)."""
    result = os_identity(module)
    family = family_settings(params['families'], result['os_family'])
    packages = family['os_packages'] + family['mock_packages'] if params['install_packages'] else []
    host = lvm.read_host()
    result.update(family=family, packages=installed_packages(module, result['os_family'], packages),
                  units=unit_states(module, family['monitor_units']))
    result['missing_packages'] = [p for p in packages if not result['packages'][p]]
    result['units_to_start'] = [u for u, s in result['units'].items() if not (s['enabled'] and s['active'])]
    result['devices'], result['volume_groups_to_change'] = volume_group_findings(module, host, params['volume_groups'])
    result['foreign_devices'] = [d['foreign'] for d in result['devices'] if d['foreign']]
    result['volume_groups'] = sorted(host.vgs)
    result['pools'] = []
    for pool in params['pools']:
        facts, warnings = pool_finding(host, pool, params['profile_dir'], result['volume_groups_to_change'])
        result['pools'].append(facts)
        for warning in warnings:
            module.warn(warning)
    for warning in host_headroom(host, result['pools'], params['profile_dir']):
        module.warn(warning)
    result['pools_to_change'] = ['%s/%s' % (p['vg'], p['name']) for p in result['pools'] if not p['matches']]
    _add_configs(result, host, params)
    result['directories'] = directory_findings(params['directories'])
    result['directories_to_fix'] = [d['path'] for d in result['directories'] if not d['matches']]
    result['group_exists'] = group_exists(params['group'])
    result['users_to_add'] = users_to_add(params['group'], params['users'])
    return result


def _add_configs(result, host, params):
    result['configs'] = config_findings(params['configs'], params)
    present = [c for c in result['configs'] if c['state'] == 'present']
    result['configs_to_write'] = [c['name'] for c in present if not c['matches']]
    result['configs_to_remove'] = [c['name'] for c in result['configs'] if c['state'] == 'absent' and c['exists']]
    for config, item in zip(result['configs'], params['configs']):
        config['postinit'] = has_postinit(host, item) if config['state'] == 'present' else None
    result['prewarm_to_run'] = [c['name'] for c in present if c['prewarm'] and not c['postinit']]
