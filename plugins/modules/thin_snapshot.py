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
version_added: 1.0.0
description:
  - Manages thin snapshots of a thin volume, such as the C(postinit) and C(postinit_updated_*) snapshots that
    mock's LVM root plugin takes of each build root.
  - O(state=present) takes a thin snapshot of O(origin) when missing. An existing volume of that name that is not a
    thin snapshot of O(origin) is an error, never replaced.
  - O(state=absent) removes the snapshot O(name), never while it is open or mounted.
  - O(state=pruned) keeps the newest O(keep) thin volumes whose name starts with O(prefix), ordered by LVM's
    creation time, and removes the rest, one C(lvremove) per volume. It never removes a volume that does not match,
    the O(origin), a volume listed in O(protect), the origin of another volume of the VG, a snapshot one of mock's
    C(.snapinfo) files in O(mock_basedir) names (mock starts that chroot from it, for example after
    C(mock --rollback-to); without it mock falls back to C(postinit) silently), nor an open or mounted volume (those
    are reported as skipped, or fail with O(strict=true)). M(buildfleet.mock_lvm.build_root)'s O(buildfleet.mock_lvm.build_root#module:keep_updates)
    follows the same rule, from the same code.
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
    description: With O(state=pruned), the name prefix of the snapshots to prune, for example C(mock.fedora-43-x86_64-lvm.postinit_updated_).
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
  mock_basedir:
    description:
      - With O(state=pruned), mock's basedir (C(config_opts['basedir']), default C(/var/lib/mock)), where its
        C(.snapinfo-mock.<root>.<ext>) files name the snapshot each chroot starts from; those snapshots are never
        removed.
      - Unset, the directory of O(lock_file) is read (mock keeps its lock files in its basedir); without either no
        C(.snapinfo) file is read, and a O(prefix) starting with C(mock.) draws a warning.
      - A path that is not a directory is an error.
    type: path
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
    origin: mock.fedora-43-x86_64-lvm.postinit
    name: mock.fedora-43-x86_64-lvm.before-gcc15

- name: Keep the two newest update snapshots of a config, while no build of it runs (and what mock starts from)
  buildfleet.mock_lvm.thin_snapshot:
    vg: mock
    state: pruned
    prefix: mock.fedora-43-x86_64-lvm.postinit_updated_
    keep: 2
    lock_file: /var/lib/mock/.lvm-mock.fedora-43-x86_64-lvm.lock
    mock_basedir: /var/lib/mock

- name: Remove a snapshot
  buildfleet.mock_lvm.thin_snapshot:
    vg: mock
    origin: mock.fedora-43-x86_64-lvm.postinit
    name: mock.fedora-43-x86_64-lvm.before-gcc15
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
kept_because:
  description: Why each snapshot kept beyond O(keep) stays - C(current) (a C(.snapinfo) file names it), C(protected), or C(origin of <volume>).
  returned: with state=pruned
  type: dict
  sample: {mock.fedora-43-x86_64-lvm.postinit_updated_2026-01-01_10-00: "current: a mock .snapinfo file names it"}
snapinfo_files:
  description: The C(.snapinfo) files read (see O(mock_basedir)).
  returned: with state=pruned
  type: list
  elements: str
lock_file:
  description: The lock file held during the run, and whether it existed.
  returned: when O(lock_file) is set
  type: dict
  sample: {path: /var/lib/mock/.lvm-mock.fedora-43-x86_64-lvm.lock, existed: true}
commands:
  description: LVM commands run (in check mode, those that would run), reads included.
  returned: always
  type: list
  elements: list
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._locks import HeldLocks
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._plan import apply, run_and_exit
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._snapshots import (
    check_snapshot_params,
    plan_snapshot,
    snapshot_state,
)


def run_module(module, lvm):
    """The whole run under lock_file, when given, so a mock run of the same root waits or fails meanwhile."""
    lock_file = module.params['lock_file']
    with HeldLocks([lock_file] if lock_file else []) as locks:
        result = change_snapshots(module, lvm)
    if lock_file:
        result['lock_file'] = {'path': lock_file, 'existed': not locks.missing}
    return result


def change_snapshots(module, lvm):
    params = module.params
    check_snapshot_params(params)
    plan = plan_snapshot(lvm.read_vg(params['vg']), params)
    for warning in plan.warnings:
        module.warn(warning)
    reread = None if params['state'] == 'pruned' else lambda: snapshot_state(lvm.read_vg(params['vg']), params['name'])
    plan = apply(module, lvm, plan, reread)
    facts = {} if params['state'] == 'pruned' else {'snapshot': plan.after}
    return plan.result(module, **facts)


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
            mock_basedir=dict(type='path'),
        ),
        required_if=[
            ('state', 'present', ('origin', 'name')),
            ('state', 'absent', ('name',)),
            ('state', 'pruned', ('prefix', 'keep')),
        ],
        supports_check_mode=True,
    )
    run_and_exit(module, run_module)


if __name__ == '__main__':
    main()
