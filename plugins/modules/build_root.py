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
  description: The pool's data and metadata use.
  returned: always
  type: dict
  sample: {name: mockpool, exists: true, data_percent: 12.5, metadata_percent: 3.1}
build_running:
  description: Whether the family is in use (another process holds one of its lock files); the same as RV(in_use).
  returned: always
  type: bool
in_use:
  description: Whether another process holds a lock on one of the family's lock files.
  returned: always
  type: bool
busy_locks:
  description: The family's lock files another process holds, in mock's order.
  returned: always
  type: list
  elements: str
lock_holders:
  description: The process id holding each busy lock file (as the kernel reports it).
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
stale:
  description: Names of the stale working volumes after the run.
  returned: always
  type: list
  elements: str
basedir_mismatch:
  description: Whether the family has volumes but none of its lock files is in O(basedir) (changes are refused).
  returned: always
  type: bool
basedir_problem:
  description: The explanation when RV(basedir_mismatch) is true, naming O(basedir) and how to set it.
  returned: always
  type: str
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

import errno
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._build_root import (
    Family,
    build_in_progress,
    check_free,
    diagnose_init,
    family_result,
    free_leftover_roots,
    merge,
    plan_absent,
    plan_keep_updates,
    plan_leftover_locks,
    plan_reap,
    require_pool,
    validate_names,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._locks import HeldLocks, LockBusy
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import LvmClient, LvmError
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_layout import (
    DEFAULT_BASEDIR,
    snapshot_volume,
)


def validate(params):
    validate_names(params)
    if params['keep_updates'] is not None and params['keep_updates'] < 0:
        raise LvmError('keep_updates %d must be 0 or more.' % params['keep_updates'])
    if params['state'] == 'absent' and (params['reap_stale'] or params['keep_updates'] is not None):
        raise LvmError('state=absent removes every volume of the family: leave out keep_updates and reap_stale.')


def family_plan(family, params):
    """The plan for the family's own volumes and files."""
    if params['state'] == 'absent':
        return plan_absent(family, params)
    plans = []
    if params['keep_updates'] is not None:
        plans.append(plan_keep_updates(family, params))
    if params['reap_stale']:
        plans.append(plan_reap(family, params))
    return merge(plans)


def leftovers_plan(family, params, lvm):
    """Lock files of undeclared roots without volumes; one more lvs (all VGs), only when such files are free."""
    if not (params['reap_stale'] and params['declared_roots']):
        return merge([])
    roots = free_leftover_roots(family, params)
    if not roots:
        return merge([])
    names = [lv for vg, lv in lvm.read_all_lv_names()]
    return plan_leftover_locks(family, roots, names)


def initialize(module, lvm, family, params):
    """Run mock --init; return the family read again (unchanged in check mode)."""
    if family.in_use:
        raise build_in_progress(family.busy_locks()[0], params['root'])
    cmd = list(params['mock_command']) + ['-r', params['config'] or params['root'], '--init']
    lvm.commands.append(cmd)
    if module.check_mode:
        return family
    rc, out, err = module.run_command(cmd)
    if rc != 0:
        raise LvmError('%s failed (rc=%d): %s%s' % (' '.join(cmd), rc, (err or out).strip()[-2000:],
                                                    root_refusal_hint(out + err)),
                       cmd=cmd, rc=rc, stdout=out, stderr=err)
    family = Family(lvm.read_vg(params['vg']), params)
    if not family.has_postinit():
        raise LvmError(diagnose_init(family, params), cmd=cmd, rc=rc, stdout=out, stderr=err)
    return family


def root_refusal_hint(output):
    """mock.py's rootcheck() refuses uid 0 without SUDO_UID or USERHELPER_UID; consolehelper without a console
    says 'Insufficient rights'."""
    if 'will not run from the root account' in output or 'Insufficient rights' in output:
        return (' -- mock must run as a user of the mock group: set mock_command to, for example, '
                '[runuser, -u, mockbuild, --, mock] (builder_mock_command in the role).')
    return ''


def apply(lvm, params, plan, leftovers):
    """Hold the plan's locks, read the family again under them, and carry out what is still to do."""
    locks = HeldLocks(plan.locks)
    try:
        with locks:
            family = Family(lvm.read_vg(params['vg']), params, held=locks.held_paths)
            plan = merge([family_plan(family, params), leftovers])
            # Chroot dirs that appeared meanwhile: their locks too, before anything changes.
            locks.extend(plan.locks)
            check_free(family, plan)
            for tool, args in plan.commands(params['vg']):
                lvm.run(tool, args)
            for path in plan.removed_files:
                remove_file(path)
    except LockBusy as exc:
        raise build_in_progress(exc.path, params['root'])
    return plan


def remove_file(path):
    try:
        os.remove(path)
    except OSError as exc:
        if exc.errno != errno.ENOENT:  # gone meanwhile is what was asked
            raise LvmError('Cannot remove %s: %s' % (path, exc))


def run_module(module, lvm):
    params = module.params
    validate(params)
    report = lvm.read_vg(params['vg'])
    if params['state'] != 'absent':
        require_pool(report, params)
    family = Family(report, params)
    before = sorted(m.lv.name for m in family.members)
    changed = False
    if params['state'] == 'initialized' and not family.has_postinit():
        changed = True
        family = initialize(module, lvm, family, params)
    leftovers = leftovers_plan(family, params, lvm)
    plan = merge([family_plan(family, params), leftovers])
    if plan.changes:
        changed = True
        check_free(family, plan)
        if module.check_mode:
            lvm.commands.extend([tool] + args for tool, args in plan.commands(params['vg']))
        else:
            plan = apply(lvm, params, plan, leftovers)
            family = Family(lvm.read_vg(params['vg']), params)
    for name in plan.skipped:
        module.warn('Kept update snapshot %s beyond keep_updates=%d: it is open or mounted.'
                    % (name, params['keep_updates']))
    result = family_result(family, family.report, params)
    if module.check_mode:
        result['volumes'] = [v for v in result['volumes'] if v['name'] not in set(plan.removed)]
        result['stale'] = [name for name in result['stale'] if name not in set(plan.removed)]
    result.update(changed=changed, removed=plan.removed, removed_files=plan.removed_files, skipped=plan.skipped)
    if module._diff:
        after = sorted(v['name'] for v in result['volumes'])
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
            reap_stale=dict(type='bool', default=False),
            declared_roots=dict(type='list', elements='str', default=[]),
            mock_command=dict(type='list', elements='str', default=['mock']),
            basedir=dict(type='path', default=DEFAULT_BASEDIR),
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
