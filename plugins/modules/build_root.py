#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: build_root
short_description: The LVM-backed build roots of one mock config, as a declared state
version_added: 0.1.0
description:
  - A mock config on LVM owns a family of thin volumes in a (possibly shared) pool. For config root C(R) these are
    the working volumes C(+mock.R.head) and C(+mock.R.<uniqueext>), the snapshots C(mock.R.postinit),
    C(mock.R.<user snapshot>) and C(mock.R.postinit_updated_<date>), and the same for the bootstrap root
    C(R-bootstrap), plus mount points and C(.snapinfo-mock.R.<ext>) bookkeeping files under O(basedir).
  - This module pre-warms (O(state=initialized)), reports, prunes update snapshots (O(keep_updates)) and removes
    (O(state=absent)) that family, while mock keeps its own run-time locking.
  - Ownership is exact. A volume belongs to the root when its name, less a single leading C(+), starts with
    C(mock.R.) and it lies in O(pool). A volume that also matches a longer root known on the host (for C(foo),
    the root C(foo.bar)) belongs to that root. Roots are known from mock's lock files in O(basedir), from the
    C(postinit) snapshots in the pool, and from O(other_roots). Roots containing C(+) are handled, which mock's own
    scrub cannot do.
  - Nothing changes while a build of the config (or its bootstrap) runs. mock's lock files are probed with an
    exclusive, non-blocking C(lockf); during a removal or pruning they are held, so no build can start meanwhile.
    They are never created, rewritten or removed.
  - The pool is never removed, unlike C(mock --scrub=lvm).
  - A run that changes nothing issues exactly one LVM command, a JSON C(lvs) read of the volume group.
  - The layout follows mock's C(lvm_root) plugin as of mock 5.x and 6.x (plugin API 1.1).
author:
  - buildfleet maintainers (@buildfleet)
extends_documentation_fragment:
  - buildfleet.mock_lvm.attributes
options:
  root:
    description: The config's C(config_opts['root']), for example C(fedora-40-x86_64).
    type: str
    required: true
  vg:
    description: The C(volume_group) of the config's C(lvm_root_opts).
    type: str
    required: true
  pool:
    description: The C(pool_name) of the config's C(lvm_root_opts).
    type: str
    required: true
  config:
    description: The config name passed to mock as C(-r), when it differs from O(root).
    type: str
  state:
    description:
      - V(initialized) makes sure the C(postinit) snapshot exists, running O(mock_command) C(-r <config> --init)
        when it is missing, and fails with a diagnosis when mock ran but made no LVM volume.
      - V(present) leaves the family as it is; only O(keep_updates) applies. Use it to report.
      - V(absent) unmounts and removes every volume of the family and its bookkeeping files; the pool stays.
    type: str
    choices: [initialized, present, absent]
    default: present
  keep_updates:
    description:
      - Prune C(postinit_updated_*) snapshots of the config and of its bootstrap down to the newest N, by LVM
        creation time. The snapshot a C(.snapinfo) file names as current is never removed, nor an open one.
    type: int
  mock_command:
    description: The command that runs mock, for wrappers (for example C([sudo, -u, builder, mock])).
    type: list
    elements: str
    default: [mock]
  basedir:
    description: mock's C(config_opts['basedir']), where its lock and bookkeeping files live.
    type: path
    default: /var/lib/mock
  other_roots:
    description: More roots that share the pool, so that their volumes are never counted as this root's.
    type: list
    elements: str
    default: []
seealso:
  - module: buildfleet.mock_lvm.thin_snapshot
  - module: buildfleet.mock_lvm.thinpool
"""

EXAMPLES = r"""
- name: Pre-warm the Fedora 40 build root, keeping two update snapshots
  buildfleet.mock_lvm.build_root:
    root: fedora-40-x86_64
    vg: mock
    pool: mockpool
    state: initialized
    keep_updates: 2

- name: Report a config's build roots
  buildfleet.mock_lvm.build_root:
    root: fedora-40-x86_64
    vg: mock
    pool: mockpool
  register: fedora40

- name: Remove every build root of a config, keeping the shared pool
  buildfleet.mock_lvm.build_root:
    root: alma+epel-9-x86_64
    vg: mock
    pool: mockpool
    state: absent
"""

RETURN = r"""
volumes:
  description: Every volume of the family after the run (predicted in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    name: {description: "LV name.", type: str}
    chroot: {description: "C(main) or C(bootstrap).", type: str}
    role: {description: "C(working) (a mounted build root) or C(snapshot).", type: str}
    uniqueext: {description: "The uniqueext of a working volume (C(head) without one).", type: str}
    snapshot: {description: "The snapshot name as mock shows it (C(postinit), ...).", type: str}
    current: {description: "Whether a C(.snapinfo) file names this snapshot as current.", type: bool}
    size: {description: "Virtual size in bytes.", type: int}
    data_percent: {description: "Data use in percent (only when active).", type: float}
    active: {description: "Whether it is active.", type: bool}
    open: {description: "Whether it is open.", type: bool}
    mounts: {description: "Where it is mounted.", type: list, elements: str}
    creation_time: {description: "LVM creation time, seconds since the epoch.", type: int}
pool:
  description: The pool's data and metadata use.
  returned: always
  type: dict
  sample: {name: mockpool, exists: true, data_percent: 12.5, metadata_percent: 3.1}
build_running:
  description: Whether a build of the config or its bootstrap holds mock's locks.
  returned: always
  type: bool
busy_locks:
  description: mock's lock files held by a running build.
  returned: always
  type: list
  elements: str
removed:
  description: Volumes removed (or that would be removed in check mode).
  returned: always
  type: list
  elements: str
removed_files:
  description: Bookkeeping files removed (or that would be).
  returned: always
  type: list
  elements: str
skipped:
  description: Update snapshots kept beyond O(keep_updates) because they are open.
  returned: always
  type: list
  elements: str
commands:
  description: Commands run (in check mode, those that would run), LVM reads included.
  returned: always
  type: list
  elements: list
"""

import os
from collections import namedtuple

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import (
    LvmClient,
    LvmError,
    mounts_of,
    validate_name,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_layout import (
    POSTINIT,
    bootstrap_root,
    lock_files,
    member_of,
    other_known_roots,
    snapinfo_prefix,
    snapshot_volume,
    updates_prefix,
    working_volume,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._snapshots import (
    HeldLocks,
    LockBusy,
    busy_lock_files,
    plan_retention,
)


Member = namedtuple('Member', 'lv chroot role suffix')


class Family(object):
    """The volumes and bookkeeping files of one root and its bootstrap, from one lvs read."""

    def __init__(self, report, params):
        self.report = report
        self.root = params['root']
        self.pool = params['pool']
        self.basedir = params['basedir']
        self.chroots = (('main', self.root), ('bootstrap', bootstrap_root(self.root)))
        pool_volumes = report.thin_volumes(self.pool)
        self.other_roots = other_known_roots(self.basedir, [lv.name for lv in pool_volumes],
                                             [root for chroot, root in self.chroots], params['other_roots'])
        self.members = []
        for lv in pool_volumes:
            for chroot, root in self.chroots:
                member = member_of(lv.name, root, self.other_roots)
                if member:
                    self.members.append(Member(lv, chroot, member[0], member[1]))
        self.snapinfo = self._snapinfo_files()

    def _snapinfo_files(self):
        """{path: current snapshot LV name} of the family's .snapinfo files."""
        found = {}
        try:
            names = os.listdir(self.basedir)
        except OSError:
            return found
        for name in sorted(names):
            for chroot, root in self.chroots:
                # '.snapinfo-mock.R.ext' matches exactly as a volume 'mock.R.ext' would.
                if name.startswith(snapinfo_prefix(root)) and member_of(name[len('.snapinfo-'):], root, self.other_roots):
                    try:
                        with open(os.path.join(self.basedir, name)) as handle:
                            found[os.path.join(self.basedir, name)] = handle.read().strip()
                    except (IOError, OSError):
                        found[os.path.join(self.basedir, name)] = None
        return found

    def lock_files(self):
        return [path for chroot, root in self.chroots for path in lock_files(self.basedir, root)]

    def volume_facts(self, mounts_file='/proc/self/mounts'):
        current = set(self.snapinfo.values())
        facts = []
        for member in self.members:
            lv = member.lv
            facts.append({
                'name': lv.name, 'chroot': member.chroot, 'role': member.role,
                'uniqueext': member.suffix if member.role == 'working' else None,
                'snapshot': member.suffix if member.role == 'snapshot' else None,
                'current': lv.name in current,
                'size': lv.size, 'data_percent': lv.data_percent, 'active': lv.active, 'open': lv.open,
                'mounts': mounts_of(lv.path, mounts_file) if lv.active else [],
                'creation_time': lv.creation_time,
            })
        return facts

    def has_postinit(self):
        return snapshot_volume(self.root, POSTINIT) in set(m.lv.name for m in self.members)


def _pool_facts(report, pool):
    lv = report.get(pool)
    if lv is None:
        return {'name': pool, 'exists': False}
    return {'name': pool, 'exists': True, 'is_thin_pool': lv.is_thin_pool, 'size': lv.size,
            'data_percent': lv.data_percent, 'metadata_percent': lv.metadata_percent}


def _require_pool(report, params):
    lv = report.get(params['pool'])
    if lv is None:
        raise LvmError('Thin pool %s/%s does not exist: create it first (buildfleet.mock_lvm.thinpool) so that mock '
                       'does not create an unmanaged one.' % (params['vg'], params['pool']))
    if not lv.is_thin_pool:
        raise LvmError('%s/%s is a %s, not a thin pool: check pool_name in the config.'
                       % (params['vg'], params['pool'], lv.kind()))


def _unmount_commands(volumes, mounts_file='/proc/self/mounts'):
    """umount commands for every mount of the volumes and every mount below those, deepest first."""
    points = set()
    for volume in volumes:
        points.update(volume['mounts'])
    if not points:
        return []
    with open(mounts_file) as handle:
        targets = [line.split()[1].replace('\\040', ' ') for line in handle if len(line.split()) >= 2]
    nested = set(t for t in targets for p in points if t == p or t.startswith(p.rstrip('/') + '/'))
    return [('umount', [target]) for target in sorted(nested, key=lambda t: (-t.count('/'), t))]


def plan(family, params):
    """(commands, removed volume names, removed files, skipped names) for the requested state."""
    vg = params['vg']
    if params['state'] == 'absent':
        volumes = family.volume_facts()
        busy = [v['name'] for v in volumes if v['open'] and not v['mounts']]
        if busy:
            raise LvmError('Volumes of root %s are open but not mounted (in use by a process): %s. Nothing was '
                           'removed.' % (params['root'], ', '.join(busy)))
        commands = _unmount_commands(volumes)
        names = [v['name'] for v in volumes]
        if names:
            commands.append(('lvremove', ['-y', '-f'] + ['%s/%s' % (vg, n) for n in names]))
        return commands, names, sorted(family.snapinfo), []
    if params['keep_updates'] is None:
        return [], [], [], []
    removed, skipped = [], []
    protected = set(v for v in family.snapinfo.values() if v)
    volumes = [m.lv for m in family.members]
    for chroot, root in family.chroots:
        retention = plan_retention(volumes, updates_prefix(root), params['keep_updates'], protected)
        removed += [lv.name for lv in retention.removed]
        skipped += [lv.name for lv in retention.skipped]
    commands = [('lvremove', ['-y', '-f'] + ['%s/%s' % (vg, n) for n in removed])] if removed else []
    return commands, removed, [], skipped


def _diagnose_init(family, params):
    config = params['config'] or params['root']
    if not family.members:
        return ('mock ran for config %s but no LVM volume of root %s appeared in %s/%s: the lvm_root plugin is not '
                'active. Install the mock-lvm package (Fedora/EL ship the plugin only there; without it mock builds '
                'without LVM), and check that the config sets config_opts[\'plugin_conf\'][\'lvm_root_enable\'] = '
                'True with lvm_root_opts volume_group %r and pool_name %r, and that config_opts[\'root\'] is %r.'
                % (config, params['root'], params['vg'], params['pool'], params['vg'], params['pool'], params['root']))
    return ('mock ran for config %s and created %s but no %s snapshot: root_cache is probably enabled (a root cache '
            'unpacked into a fresh volume marks it initialised, so the snapshot is never taken). Set '
            'config_opts[\'plugin_conf\'][\'root_cache_enable\'] = False, then remove the half-made volumes with '
            'state: absent and run again.'
            % (config, ', '.join(m.lv.name for m in family.members), snapshot_volume(params['root'])))


def _build_in_progress(path, root):
    return LockBusy('Build in progress: %s is locked by a running mock build of root %s; nothing was changed. '
                    'Run again when the build has finished.' % (path, root), path)


def run_module(module, lvm):
    params = module.params
    validate_name(params['vg'], 'vg', lv=False)
    validate_name(params['pool'], 'pool')
    validate_name(working_volume(bootstrap_root(params['root']), 'head')[1:], 'root (as part of a volume name)')
    if params['keep_updates'] is not None and params['keep_updates'] < 0:
        raise LvmError('keep_updates %d must be 0 or more.' % params['keep_updates'])

    report = lvm.read_vg(params['vg'])
    if params['state'] != 'absent':
        _require_pool(report, params)
    family = Family(report, params)
    before = sorted(m.lv.name for m in family.members)
    busy = busy_lock_files(family.lock_files())
    result = {'busy_locks': busy, 'build_running': bool(busy), 'removed': [], 'removed_files': [], 'skipped': []}
    changed = False

    if params['state'] == 'initialized' and not family.has_postinit():
        changed = True
        if busy:
            raise _build_in_progress(busy[0], params['root'])
        cmd = list(params['mock_command']) + ['-r', params['config'] or params['root'], '--init']
        lvm.commands.append(cmd)
        if not module.check_mode:
            rc, out, err = module.run_command(cmd)
            if rc != 0:
                raise LvmError('%s failed (rc=%d): %s' % (' '.join(cmd), rc, (err or out).strip()[-2000:]),
                               cmd=cmd, rc=rc, stdout=out, stderr=err)
            report = lvm.read_vg(params['vg'])
            family = Family(report, params)
            if not family.has_postinit():
                raise LvmError(_diagnose_init(family, params), cmd=cmd, rc=rc, stdout=out, stderr=err)

    commands, removed, removed_files, skipped = plan(family, params)
    if commands or removed_files:
        changed = True
        if module.check_mode:
            if busy:
                # As the real run would, when it cannot take the locks.
                raise _build_in_progress(busy[0], params['root'])
            lvm.commands.extend([tool] + args for tool, args in commands)
        else:
            try:
                with HeldLocks(family.lock_files()):
                    # Read again under the locks: a build may have finished or started meanwhile.
                    report = lvm.read_vg(params['vg'])
                    family = Family(report, params)
                    commands, removed, removed_files, skipped = plan(family, params)
                    for tool, args in commands:
                        lvm.run(tool, args)
                    for path in removed_files:
                        os.remove(path)
            except LockBusy as exc:
                raise _build_in_progress(exc.path, params['root'])
            report = lvm.read_vg(params['vg'])
            family = Family(report, params)
    for name in skipped:
        module.warn('Kept update snapshot %s beyond keep_updates=%d: it is open or mounted.'
                    % (name, params['keep_updates']))

    volumes = family.volume_facts()
    if module.check_mode:
        volumes = [v for v in volumes if v['name'] not in set(removed)]
    result.update(changed=changed, volumes=volumes, pool=_pool_facts(report, params['pool']),
                  removed=removed, removed_files=removed_files, skipped=skipped)
    if module._diff:
        after = sorted(v['name'] for v in volumes)
        if module.check_mode and params['state'] == 'initialized' and not family.has_postinit():
            after = sorted(after + [snapshot_volume(params['root'])])
        result['diff'] = {'before': {'volumes': before}, 'after': {'volumes': after}}
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            root=dict(type='str', required=True),
            vg=dict(type='str', required=True),
            pool=dict(type='str', required=True),
            config=dict(type='str'),
            state=dict(type='str', default='present', choices=['initialized', 'present', 'absent']),
            keep_updates=dict(type='int'),
            mock_command=dict(type='list', elements='str', default=['mock']),
            basedir=dict(type='path', default='/var/lib/mock'),
            other_roots=dict(type='list', elements='str', default=[]),
        ),
        supports_check_mode=True,
    )
    lvm = LvmClient(module)
    try:
        result = run_module(module, lvm)
    except LvmError as exc:
        module.fail_json(commands=lvm.commands, **exc.fail_kwargs())
    result['commands'] = lvm.commands
    module.exit_json(**result)


if __name__ == '__main__':
    main()
