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
version_added: 1.0.0
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
  - Nothing of the family changes while it is in use. In use means that another process holds a lock on one of
    its lock files - mock's LVM init and pool locks of the root and of its bootstrap
    (C(.lvm-mock.R.lock), C(.lvm-pool-mock.R.lock)), or the C(buildroot.lock) of any of its chroot dirs
    (C(R), C(R-<uniqueext>), C(R-bootstrap), ...), which every mock run holds, a C(--shell) on an already mounted
    root included. Reports and check mode only ask (C(fcntl F_GETLK)) and take nothing, so a C(mock --scrub=lvm)
    that starts at that moment is not disturbed. A change takes the locks it depends on exclusively and
    non-blocking, in mock's order (C(buildroot.lock) first), reads the family again under them, and releases them
    when it is done. Lock files are never created or rewritten; only O(reap_stale) with O(declared_roots) removes
    lock files, those of roots nothing declares.
  - mock creates its lock files on every run, so volumes of the family without any of its lock files in O(basedir)
    mean mock keeps them elsewhere (a C(basedir) set in C(site-defaults.cfg)). Then every change is refused with a
    message naming O(basedir); reports set RV(basedir_mismatch).
  - The pool is never removed, unlike C(mock --scrub=lvm).
  - A run that changes nothing issues exactly one LVM command, a JSON C(lvs) read of the volume group.
  - The layout follows mock's C(lvm_root) plugin as of mock 5.x and 6.x (plugin API 1.1).
author:
  - buildfleet maintainers (@buildfleet)
extends_documentation_fragment:
  - buildfleet.mock_lvm.attributes
  - buildfleet.mock_lvm.attributes.family
options:
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
  reap_stale:
    description:
      - Remove the family's stale working volumes (unmounting them and every mount below them first, deepest
        first), keeping C(postinit), update and user snapshots. A working volume C(+mock.R.<ext>) is stale when
        the C(buildroot.lock) of its chroot dir exists and no process holds it (no mock run of that chroot is
        alive, for example after C(kill -9) of a build) and no process has it open without a mount. mock makes a
        new one from the current snapshot at the next build, as its default C(clean) does; what a C(--no-clean)
        chroot held goes with it.
      - Also removes the C(.snapinfo) files whose chroot has no working volume left and that name C(postinit) or
        a snapshot that no longer exists (mock then starts from C(postinit), as without the file), unless their
        chroot is in use.
      - Works while other chroots of the family build, as each volume is judged, and locked, by its own chroot.
    type: bool
    default: false
  declared_roots:
    description:
      - With O(reap_stale), every root the host's configs declare. Lock files in O(basedir) of any other root (and
        of its bootstrap) that has no volume in any volume group and whose locks nobody holds are removed (mock
        never removes them). Empty (the default) removes no lock file.
    type: list
    elements: str
    default: []
seealso:
  - module: buildfleet.mock_lvm.build_root_info
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

- name: Remove the working volumes killed builds left behind, and idle bookkeeping files
  buildfleet.mock_lvm.build_root:
    root: fedora-43-x86_64
    vg: mock
    pool: mockpool
    reap_stale: true
    declared_roots: [fedora-43-x86_64, centos-stream-10-x86_64]

- name: Remove every build root of a config, keeping the shared pool
  buildfleet.mock_lvm.build_root:
    root: alma+epel-9-x86_64
    vg: mock
    pool: mockpool
    state: absent
"""

RETURN = r"""
volumes:
  description:
    - Every volume of the family after the run (predicted in check mode), each a dict with the keys
      RV(buildfleet.mock_lvm.build_root_info#module:volumes) lists (name, chroot, role, kind, uniqueext, snapshot,
      current, starts_from, mount_point, size, data_percent, active, open, mounts, mounted, in_use, stale,
      creation_time).
  returned: always
  type: list
  elements: dict
pool:
  description: The pool's data and metadata use, as RV(buildfleet.mock_lvm.build_root_info#module:pool).
  returned: always
  type: dict
  sample: {name: mockpool, exists: true, data_percent: 12.5, metadata_percent: 3.1}
build_running: {description: "The same as RV(in_use).", returned: always, type: bool}
in_use:
  description: Whether another process holds one of the family's lock files (as M(buildfleet.mock_lvm.build_root_info) reads it).
  returned: always
  type: bool
busy_locks: {description: "The family's lock files another process holds, in mock's order.", returned: always, type: list, elements: str}
lock_holders:
  description: The pid that holds each of RV(busy_locks).
  returned: always
  type: dict
  sample: {/var/lib/mock/fedora-43-x86_64/buildroot.lock: 4711}
current_snapshots:
  description:
    - mock's current snapshot of each chroot dir, from its C(.snapinfo) file, with the keys
      RV(buildfleet.mock_lvm.build_root_info#module:current_snapshots) lists (chroot, uniqueext, snapshot, exists,
      file).
  returned: always
  type: list
  elements: dict
stale: {description: "Names of the stale working volumes after the run.", returned: always, type: list, elements: str}
basedir_mismatch: {description: "Whether the family has volumes but no lock file in O(basedir) (then changes are refused).", returned: always, type: bool}
basedir_problem: {description: "Why, when RV(basedir_mismatch) is true, naming O(basedir) and how to set it.", returned: always, type: str}
removed:
  description: Volumes removed (or that would be removed in check mode).
  returned: always
  type: list
  elements: str
removed_files:
  description: Bookkeeping and lock files removed (or that would be).
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

import copy

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._build_root import (
    FAMILY_OPTIONS,
    FamilyReader,
    build_in_progress,
    build_root_result,
    check_initialized,
    check_params,
    plan_family_change,
    plan_init,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._locks import LockBusy
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._plan import apply, run_and_exit


def run_module(module, lvm):
    params = module.params
    check_params(params)
    read = FamilyReader(lvm, params)
    init = apply(module, lvm, plan_init(read.first(), params), read)
    check_initialized(read.family, init, module.check_mode)
    try:
        change = apply(module, lvm, plan_family_change(lvm, read.family, params), read)
    except LockBusy as exc:
        raise build_in_progress(exc.path, params['root'])
    for warning in change.warnings:
        module.warn(warning)
    return build_root_result(module, read.family, init, change)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            config=dict(type='str'),
            state=dict(type='str', default='present', choices=['initialized', 'present', 'absent']),
            keep_updates=dict(type='int'),
            reap_stale=dict(type='bool', default=False),
            declared_roots=dict(type='list', elements='str', default=[]),
            mock_command=dict(type='list', elements='str', default=['mock']),
            **copy.deepcopy(FAMILY_OPTIONS)
        ),
        supports_check_mode=True,
    )
    run_and_exit(module, run_module)


if __name__ == '__main__':
    main()
