#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: thin_snapshot
short_description: Take, remove and prune LVM thin snapshots, safe with running builds
version_added: 0.1.0
description:
  - Manages thin snapshots of a thin volume, such as the C(postinit) and C(postinit_updated_*) snapshots that
    mock's LVM root plugin takes of each build root.
  - O(state=present) takes a thin snapshot of O(origin) when missing. An existing volume of that name that is not a
    thin snapshot of O(origin) is an error, never replaced.
  - O(state=absent) removes the snapshot O(name), never while it is open or mounted.
  - O(state=pruned) keeps the newest O(keep) thin volumes whose name starts with O(prefix), ordered by LVM's
    creation time, and removes the rest. It never removes a volume that does not match, the O(origin), a volume
    listed in O(protect), or an open or mounted volume (those are reported as skipped, or fail with O(strict=true)).
  - With O(lock_file), the module holds an exclusive, non-blocking POSIX C(lockf) lock on that file for the whole run,
    so it cooperates with mock's own run-time locks; a held lock fails the task as busy and changes nothing.
  - A run that changes nothing issues exactly one LVM command, a JSON C(lvs) read of the volume group.
author:
  - buildfleet maintainers (@buildfleet)
extends_documentation_fragment:
  - buildfleet.mock_lvm.attributes
options:
  vg:
    description: Volume group of the origin and its snapshots.
    type: str
    required: true
  origin:
    description:
      - Thin volume the snapshot is taken of. Required with O(state=present).
      - With O(state=absent) the snapshot must have this origin; with O(state=pruned) this volume is never removed.
    type: str
  name:
    description: Snapshot name. Required with O(state=present) and O(state=absent).
    type: str
  state:
    description: Whether the snapshot should exist, or which snapshots to prune.
    type: str
    choices: [present, absent, pruned]
    default: present
  activation_skip:
    description:
      - Whether the snapshot carries LVM's activation-skip flag. LVM sets it on thin snapshots by default, which
        leaves them inactive; V(false) creates the snapshot active (as mock does for working volumes).
      - Changed in place with C(lvchange --setactivationskip) on an existing snapshot; V(false) also activates it.
        V(true) never deactivates a snapshot (it may be mounted).
    type: bool
    default: true
  prefix:
    description: With O(state=pruned), the name prefix of the snapshots to prune, for example C(mock.fedora-40-x86_64.postinit_updated_).
    type: str
  keep:
    description: With O(state=pruned), how many of the newest matching snapshots to keep.
    type: int
  protect:
    description: With O(state=pruned), names that are never removed (they count as kept).
    type: list
    elements: str
    default: []
  strict:
    description: With O(state=pruned), fail instead of skipping when a snapshot to remove is open or mounted.
    type: bool
    default: false
  lock_file:
    description:
      - Path of a file to hold an exclusive, non-blocking POSIX C(lockf) lock on for the duration of the run,
        for example mock's C(/var/lib/mock/.lvm-mock.<root>.lock). A file that does not exist is not created
        (no process can hold it).
      - The file is only opened, never created, written, truncated or removed.
    type: path
seealso:
  - module: buildfleet.mock_lvm.build_root
  - module: buildfleet.mock_lvm.thinpool
"""

EXAMPLES = r"""
- name: Snapshot a build root before an experiment
  buildfleet.mock_lvm.thin_snapshot:
    vg: mock
    origin: mock.fedora-40-x86_64.postinit
    name: mock.fedora-40-x86_64.before-gcc15

- name: Keep the two newest update snapshots of a config, while no build of it runs
  buildfleet.mock_lvm.thin_snapshot:
    vg: mock
    state: pruned
    prefix: mock.fedora-40-x86_64.postinit_updated_
    keep: 2
    lock_file: /var/lib/mock/.lvm-mock.fedora-40-x86_64.lock

- name: Remove a snapshot
  buildfleet.mock_lvm.thin_snapshot:
    vg: mock
    origin: mock.fedora-40-x86_64.postinit
    name: mock.fedora-40-x86_64.before-gcc15
    state: absent
"""

RETURN = r"""
snapshot:
  description: The snapshot after the run (predicted in check mode); C(exists=false) when it does not exist.
  returned: with state=present and state=absent
  type: dict
  contains:
    name: {description: "Snapshot name.", type: str}
    vg: {description: "Volume group.", type: str}
    exists: {description: "Whether it exists.", type: bool}
    origin: {description: "Origin thin volume.", type: str}
    pool: {description: "Thin pool.", type: str}
    size: {description: "Virtual size in bytes.", type: int}
    creation_time: {description: "LVM creation time, seconds since the epoch.", type: int}
    data_percent: {description: "Data use in percent (only when active).", type: float}
    active: {description: "Whether it is active.", type: bool}
    open: {description: "Whether it is open or mounted.", type: bool}
    activation_skip: {description: "Whether the activation-skip flag is set.", type: bool}
kept:
  description: Matching snapshots kept, newest first, each with the keys of RV(snapshot).
  returned: with state=pruned
  type: list
  elements: dict
removed:
  description: Snapshots removed (would be removed in check mode).
  returned: with state=pruned
  type: list
  elements: dict
skipped:
  description: Snapshots that would have been removed but are open or mounted.
  returned: with state=pruned
  type: list
  elements: dict
lock_file:
  description: The lock file held during the run, and whether it existed.
  returned: when O(lock_file) is set
  type: dict
  sample: {path: /var/lib/mock/.lvm-mock.fedora-40-x86_64.lock, existed: true}
commands:
  description: LVM commands run (in check mode, those that would run), reads included.
  returned: always
  type: list
  elements: list
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import (
    LvmClient,
    LvmError,
    validate_name,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._locks import HeldLocks
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._snapshots import (
    plan_retention,
    snapshot_facts,
)


def _facts(report, name):
    lv = report.get(name)
    if lv is None:
        return {'name': name, 'vg': report.vg, 'exists': False}
    facts = snapshot_facts(lv)
    facts['exists'] = True
    return facts


def _thin_origin(report, params):
    origin = report.get(params['origin'])
    if origin is None:
        raise LvmError('Origin %s/%s does not exist.' % (params['vg'], params['origin']))
    if not origin.is_thin_volume:
        raise LvmError('Origin %s/%s is a %s (lv_attr %s), not a thin volume: this module takes thin snapshots only.'
                       % (params['vg'], params['origin'], origin.kind(), origin.attr))
    return origin


def _check_is_our_snapshot(lv, params):
    if not lv.is_thin_volume or (params['origin'] and lv.origin != params['origin']):
        what = lv.kind() if not lv.is_thin_volume else 'thin volume with origin %s' % (lv.origin or '(none)')
        of = ' of %s' % params['origin'] if params['origin'] else ''
        raise LvmError('%s/%s exists but is a %s, not a thin snapshot%s: it is left alone; choose another name.'
                       % (params['vg'], lv.name, what, of))


def plan_present(report, params):
    vg, name = params['vg'], params['name']
    skip = params['activation_skip']
    lv = report.get(name)
    if lv is None:
        origin = _thin_origin(report, params)
        after = {'name': name, 'vg': vg, 'exists': True, 'origin': origin.name, 'pool': origin.pool,
                 'size': origin.size, 'creation_time': None, 'data_percent': None, 'active': not skip,
                 'open': False, 'activation_skip': skip}
        return [('lvcreate', ['-s', '%s/%s' % (vg, origin.name), '-n', name, '-k', 'y' if skip else 'n'])], after
    _check_is_our_snapshot(lv, params)
    after = _facts(report, name)
    commands = []
    if lv.activation_skip != skip:
        after['activation_skip'] = skip
        commands.append(('lvchange', ['--setactivationskip', 'y' if skip else 'n', '%s/%s' % (vg, name)]))
    if not skip and not lv.active:
        # Without the flag a snapshot is an ordinary volume: active, as when created with it off.
        after['active'] = True
        commands.append(('lvchange', ['-ay', '%s/%s' % (vg, name)]))
    return commands, after


def plan_absent(report, params):
    vg, name = params['vg'], params['name']
    lv = report.get(name)
    if lv is None:
        return [], _facts(report, name)
    _check_is_our_snapshot(lv, params)
    if lv.open:
        raise LvmError('Snapshot %s/%s is open (mounted or in use): nothing was removed; unmount it first.' % (vg, name))
    return [('lvremove', ['-y', '-f', '%s/%s' % (vg, name)])], {'name': name, 'vg': vg, 'exists': False}


def run_module(module, lvm):
    params = module.params
    validate_name(params['vg'], 'vg', lv=False)
    for key in ('origin', 'name'):
        if params[key]:
            validate_name(params[key], key)
    report = lvm.read_vg(params['vg'])
    result = {}
    if params['state'] == 'pruned':
        if not params['prefix']:
            raise LvmError('prefix must not be empty: an empty prefix would match every volume of %s.' % params['vg'])
        protected = set(params['protect'])
        if params['origin']:
            protected.add(params['origin'])
        retention = plan_retention(report.volumes, params['prefix'], params['keep'], protected)
        if retention.skipped and params['strict']:
            raise LvmError('Snapshots to prune are open or mounted: %s. Nothing was removed (strict: true).'
                           % ', '.join(lv.name for lv in retention.skipped))
        for lv in retention.skipped:
            module.warn('Kept %s/%s although it is beyond keep=%d: it is open or mounted.'
                        % (params['vg'], lv.name, params['keep']))
        commands = [('lvremove', ['-y', '-f'] + ['%s/%s' % (params['vg'], lv.name) for lv in retention.removed])]
        commands = commands if retention.removed else []
        result.update(retention.as_result())
        before = {'snapshots': sorted(lv.name for lv in retention.kept + retention.removed + retention.skipped)}
        after = {'snapshots': sorted(lv.name for lv in retention.kept + retention.skipped)}
    else:
        before = _facts(report, params['name'])
        commands, after = (plan_present if params['state'] == 'present' else plan_absent)(report, params)

    if commands and not module.check_mode:
        for tool, args in commands:
            lvm.run(tool, args)
        if params['state'] != 'pruned':
            after = _facts(lvm.read_vg(params['vg']), params['name'])
    elif module.check_mode:
        lvm.commands.extend([tool] + args for tool, args in commands)
    if params['state'] != 'pruned':
        result['snapshot'] = after
    result['changed'] = bool(commands)
    if module._diff:
        result['diff'] = {'before': before, 'after': after}
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            vg=dict(type='str', required=True),
            origin=dict(type='str'),
            name=dict(type='str'),
            state=dict(type='str', default='present', choices=['present', 'absent', 'pruned']),
            activation_skip=dict(type='bool', default=True),
            prefix=dict(type='str'),
            keep=dict(type='int'),
            protect=dict(type='list', elements='str', default=[]),
            strict=dict(type='bool', default=False),
            lock_file=dict(type='path'),
        ),
        required_if=[
            ('state', 'present', ('origin', 'name')),
            ('state', 'absent', ('name',)),
            ('state', 'pruned', ('prefix', 'keep')),
        ],
        supports_check_mode=True,
    )
    lvm = LvmClient(module)
    locks = HeldLocks([module.params['lock_file']] if module.params['lock_file'] else [])
    try:
        with locks:
            result = run_module(module, lvm)
    except LvmError as exc:
        module.fail_json(commands=lvm.commands, **exc.fail_kwargs())
    if module.params['lock_file']:
        result['lock_file'] = {'path': module.params['lock_file'], 'existed': not locks.missing}
    result['commands'] = lvm.commands
    module.exit_json(**result)


if __name__ == '__main__':
    main()
