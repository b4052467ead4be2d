#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: thinpool
short_description: Create, grow, tune, monitor and safely remove an LVM thin pool
version_added: 1.0.0
description:
  - Manages one LVM thin pool, typically the pool that several mock configurations share through
    C(lvm_root_opts['pool_name']).
  - Creates the pool when missing, grows its data and metadata when a larger size is requested,
    changes zeroing, discards, monitoring and the autoextend profile in place, and refuses what LVM
    cannot do (changing the chunk size, growing past the free space) with an error instead of recreating the pool.
  - Sizes are floors. Thin pools never shrink, and dmeventd grows a pool with autoextend past the size it was
    declared with, so a declared O(size) or O(metadata_size) (absolute or V(N%VG)) smaller than the pool is met;
    the pool is left as it is, the run reports no change, and RV(floors) says for each such size the pool's size
    and why it is larger. A declared size larger than the pool still grows it, in check mode too.
  - Warns when the volume group's free space is less than the next autoextend step of all its monitored pools
    with autoextend together (dmeventd could not grow them), naming how much is missing; RV(pool.headroom) gives
    the numbers.
  - Autoextend is set through an LVM metadata profile written by this module and attached to the pool,
    so no global C(lvm.conf) edit is needed. dmeventd must monitor the pool for autoextend to act.
  - A run that changes nothing issues exactly one LVM command, a JSON C(lvs) read of the volume group.
author:
  - buildfleet maintainers (@buildfleet)
extends_documentation_fragment:
  - buildfleet.mock_lvm.attributes
options:
  vg:
    description: Volume group that holds the pool. It must exist.
    type: str
    required: true
  name:
    description: Name of the thin pool, the C(pool_name) that mock configurations use.
    type: str
    required: true
    aliases: [pool]
  state:
    description:
      - V(present) creates or adjusts the pool.
      - V(absent) removes it, only when it holds no thin volumes unless O(force=true).
    type: str
    choices: [present, absent]
    default: present
  size:
    description:
      - Data size of the pool. An absolute size with a unit (V(512M), V(20G), V(1.5T); a bare number is MiB),
        or a percentage V(N%VG) of the volume group.
      - V(N%FREE) is a percentage of the free space and applies only when the pool is created; it is
        ignored for an existing pool. Room for the metadata and its spare is left, so V(100%FREE) works.
      - Sizes are rounded up to whole extents, so a repeated run is a no-op. A size smaller than the pool is a floor
        the pool has passed (autoextend grew it, or an earlier run did), so nothing changes and RV(floors) says so.
      - Required to create the pool.
    type: str
  metadata_size:
    description:
      - Size of the pool's metadata volume. Grown when larger than the current one; a smaller size is a floor
        the pool has passed (autoextend grows the metadata too), reported in RV(floors).
      - When omitted at creation LVM chooses it.
    type: str
  chunk_size:
    description:
      - Chunk size, a multiple of 64 KiB between 64 KiB and 1 GiB; a bare number is in KiB, as with
        C(lvcreate --chunksize). Set only at creation; a different value on an existing pool is an error.
    type: str
  zeroing:
    description: Whether newly provisioned blocks are zeroed. Changed in place on an existing pool.
    type: bool
  discards:
    description:
      - How discards are handled. Changing to or from V(ignore) needs an inactive pool; that is reported as an error
        on an active pool.
    type: str
    choices: [ignore, nopassdown, passdown]
  autoextend_threshold:
    description:
      - Data or metadata use, in percent, at which dmeventd grows the pool (LVM's
        C(thin_pool_autoextend_threshold)). V(100) disables autoextend.
      - Written to the metadata profile C(mock_lvm-<vg>-<name>) in O(profile_dir), which is attached to the pool;
        a C(-) in O(vg) or O(name) is doubled there (as device-mapper does), so no two pools share a profile
        (vg C(a-b) pool C(c) gives C(mock_lvm-a--b-c), vg C(a) pool C(b-c) gives C(mock_lvm-a-b--c)).
      - A profile this module wrote for this pool under the name earlier releases used (C(-) not doubled) is
        removed once the pool has its new profile, unless another volume still has it attached.
      - Requires O(autoextend_percent), and the other way round.
    type: int
  autoextend_percent:
    description:
      - By how many percent the pool grows each time the threshold is passed (C(thin_pool_autoextend_percent)).
      - Requires O(autoextend_threshold).
    type: int
  monitor:
    description: Whether dmeventd monitors the pool. Autoextend acts only on a monitored pool.
    type: bool
  force:
    description:
      - With O(state=absent), remove the pool together with its thin volumes. Never removes anything while any
        of those volumes is open or mounted.
    type: bool
    default: false
  profile_dir:
    description: Directory of LVM profiles (LVM's C(config/profile_dir)).
    type: path
    default: /etc/lvm/profile
requirements:
  - lvm2 2.02.105 or later (JSON reports need 2.02.158 or later)
notes:
  - Returns RV(commands), the LVM commands that ran (or would run in check mode), so their number can be audited.
  - A run that changes nothing, and any run in check mode, reads the volume group once; a run that finds a profile
    under the pool's legacy name reads every volume group once more, to learn who still uses that profile.
  - The profile file is left in place when the pool is removed; it is reused if the pool is created again.
seealso:
  - module: buildfleet.mock_lvm.thin_snapshot
  - module: buildfleet.mock_lvm.build_root
  - module: community.general.lvol
"""

EXAMPLES = r"""
- name: Shared pool for every mock config on the builder, growing itself at 80 % (half the VG left for autoextend)
  buildfleet.mock_lvm.thinpool:
    vg: mock
    name: mockpool
    size: 50%VG
    metadata_size: 1G
    chunk_size: 256K
    zeroing: false
    discards: passdown
    autoextend_threshold: 80
    autoextend_percent: 20
    monitor: true

- name: Grow the pool to 500 GiB (a no-op when it is that large already, also after autoextend grew it further)
  buildfleet.mock_lvm.thinpool:
    vg: mock
    name: mockpool
    size: 500G

- name: Remove an empty pool
  buildfleet.mock_lvm.thinpool:
    vg: mock
    name: oldpool
    state: absent
"""

RETURN = r"""
pool:
  description: The pool after the run (predicted in check mode).
  returned: always
  type: dict
  contains:
    vg:
      description: Volume group.
      type: str
      sample: mock
    name:
      description: Pool name.
      type: str
      sample: mockpool
    exists:
      description: Whether the pool exists.
      type: bool
      sample: true
    size:
      description: Data size in bytes.
      type: int
      sample: 21474836480
    metadata_size:
      description: Metadata size in bytes.
      type: int
      sample: 1073741824
    chunk_size:
      description: Chunk size in bytes.
      type: int
      sample: 262144
    data_percent:
      description: Data use in percent; null when LVM does not report it (an inactive pool), never read as 0.
      type: float
      sample: 12.5
    metadata_percent:
      description: Metadata use in percent; null when LVM does not report it (an inactive pool), never read as 0.
      type: float
      sample: 3.1
    zeroing:
      description: Whether new blocks are zeroed.
      type: bool
    discards:
      description: Discards mode.
      type: str
      sample: passdown
    profile:
      description: Attached metadata profile, if any.
      type: str
      sample: mock_lvm-mock-mockpool
    autoextend_threshold:
      description: Autoextend threshold from the attached profile, if set there.
      type: int
      sample: 80
    autoextend_percent:
      description: Autoextend percent from the attached profile, if set there.
      type: int
      sample: 20
    monitored:
      description:
        - Whether dmeventd monitors the pool.
        - V(false) while dmeventd registers or unregisters it (C(lvs) reads C(pending)), because C(lvs)
          cannot tell which; O(monitor=true) then registers it again.
      type: bool
    active:
      description: Whether the pool is active.
      type: bool
    health:
      description:
        - C(ok), or what C(lv_attr) says is wrong - its health character first (C(failed), C(out_of_data_space),
          C(metadata_read_only), C(health_unknown), C(partial), C(error)), then its state character (C(inactive),
          C(suspended), C(check_needed), C(no_table), C(inactive_table), C(state_unknown)).
        - Read from C(lv_attr), which lvm2 2.03.16 reports (its thin pool health characters F, D and M are what
          C(lv_health_status) spells C(failed), C(out_of_data) and C(metadata_read_only)).
      type: str
      sample: ok
    health_problem:
      description: The cause in a sentence, with the pool's C(lv_attr), when RV(pool.health) is not C(ok); the module warns with it.
      type: str
      sample: "Thin pool mock/mockpool is out of data space: writes to its thin volumes fail or wait until it is grown (lv_attr twi-aotzD-)."
    thin_volumes:
      description: Names of the thin volumes in the pool.
      type: list
      elements: str
      sample: ["+mock.fedora-40-x86_64.head", "mock.fedora-40-x86_64.postinit"]
    headroom:
      description:
        - Room for autoextend in the pool's volume group (after the run; predicted in check mode). Absent when the
          pool does not exist.
        - C(vg_size) and C(vg_free) in bytes; C(autoextend_step) the bytes the pool's next autoextend step takes (its
          data and metadata by O(autoextend_percent), the metadata twice for its spare; 0 when dmeventd does not grow
          it); C(autoextend_steps_left) how many successive steps of this pool alone the free space holds (null when
          dmeventd does not grow it); C(vg_next_steps) the next step of every such pool of the group together and
          C(vg_missing) by how much the free space falls short of it (0 when it suffices).
      type: dict
      sample: {vg_size: 21470642176, vg_free: 6438256640, autoextend_step: 2147483648, autoextend_steps_left: 2,
               vg_next_steps: 2147483648, vg_missing: 0}
floors:
  description:
    - Each declared size the pool is already larger than (C(option) V(size) or V(metadata_size)), left as it
      is, with the pool's size and why it is larger (autoextend grew it).
  returned: when a declared size is smaller than the pool
  type: list
  elements: dict
  sample: [{option: size, declared: 3G, declared_size: 3221225472, size: 3862953984,
            reason: "size 3G is 3.00 GiB and the pool's is 3.60 GiB: autoextend grew it ..."}]
legacy_profile_removed:
  description: The profile under the pool's legacy name that was removed (would be, in check mode).
  returned: when such a profile was removed
  type: str
  sample: mock_lvm-a-b-c
legacy_profile_kept:
  description: The profile under the pool's legacy name that stays because other volumes have it attached.
  returned: when such a profile stays for other volumes
  type: dict
  sample: {profile: mock_lvm-a-b-c, used_by: [a/b-c]}
commands:
  description: LVM commands run (in check mode, those that would run), reads included.
  returned: always
  type: list
  elements: list
  sample: [["lvs", "--reportformat", "json", "..."]]
"""

import copy
import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._headroom import (
    pool_headroom,
    predicted_free_extents,
    room_warning,
    vg_headroom,
    vg_pools,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._plan import apply, run_and_exit
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._thinpool import (
    AUTOEXTEND_TOGETHER,
    DEFAULT_PROFILE_DIR,
    POOL_OPTIONS,
    check_pool_params,
    legacy_profile_name,
    plan_absent,
    plan_present,
    pool_facts,
    profile_name,
    profile_path,
    usage_warnings,
)


def run_module(module, lvm):
    params = module.params
    check_pool_params(params)
    report = lvm.read_vg(params['vg'])
    present = params['state'] == 'present'
    if present and params['name'] not in report.by_name:
        lvm.fill_vg_fields(report)
    reports = [report]

    def reread():
        reports.append(lvm.read_vg(params['vg']))
        return pool_facts(reports[-1], reports[-1].get(params['name']), params['profile_dir'])

    if present:
        plan = plan_present(report, params, params['profile_dir'], legacy_profile_users(lvm, params))
    else:
        plan = plan_absent(report, params, params['profile_dir'])
    plan = apply(module, lvm, plan, reread)
    if plan.after.get('exists'):
        for warning in usage_warnings(plan.after):
            module.warn(warning)
        add_headroom(module, reports[-1], plan, reread_done=len(reports) > 1)
    return plan.result(module, pool=plan.after)


def legacy_profile_users(lvm, params):
    """Who uses the pool's legacy-named profile: one lvs of every VG, run only when that file exists."""
    legacy = legacy_profile_name(params['vg'], params['name'])
    if legacy == profile_name(params['vg'], params['name']) or params.get('autoextend_threshold') is None:
        return None
    if not os.path.exists(profile_path(params['profile_dir'], legacy)):
        return None
    return lvm.read_profile_users


def add_headroom(module, report, plan, reread_done):
    """The pool's `headroom`, and a warning when its VG cannot take the next autoextend step of its pools.

    After a real change the re-read report is used; in check mode the VG's free space is predicted from the plan.
    """
    profile_dir = module.params['profile_dir']
    free = None
    if plan.changed and not reread_done:
        free = predicted_free_extents(report, plan.before, plan.after)
    vg_room = vg_headroom(report, vg_pools(report, profile_dir, plan.after), free)
    plan.after['headroom'] = pool_headroom(vg_room, plan.after)
    warning = room_warning(vg_room)
    if warning:
        module.warn(warning)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type='str', default='present', choices=['present', 'absent']),
            force=dict(type='bool', default=False),
            profile_dir=dict(type='path', default=DEFAULT_PROFILE_DIR),
            **copy.deepcopy(POOL_OPTIONS)
        ),
        required_together=[AUTOEXTEND_TOGETHER],
        supports_check_mode=True,
    )
    run_and_exit(module, run_module)


if __name__ == '__main__':
    main()
