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
    cannot do (shrinking, changing the chunk size) with an error instead of recreating the pool.
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
      - Sizes are rounded up to whole extents, so a repeated run is a no-op. A size smaller than the pool fails,
        as thin pools cannot shrink.
      - Required to create the pool.
    type: str
  metadata_size:
    description:
      - Size of the pool's metadata volume. Grown when larger than the current one, never shrunk.
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
      - Written to the metadata profile C(mock_lvm-<vg>-<name>) in O(profile_dir), which is attached to the pool.
    type: int
  autoextend_percent:
    description: By how many percent the pool grows each time the threshold is passed (C(thin_pool_autoextend_percent)).
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
  - The profile file is left in place when the pool is removed; it is reused if the pool is created again.
seealso:
  - module: buildfleet.mock_lvm.thin_snapshot
  - module: buildfleet.mock_lvm.build_root
  - module: community.general.lvol
"""

EXAMPLES = r"""
- name: Shared pool for every mock config on the builder, growing itself at 80 %
  buildfleet.mock_lvm.thinpool:
    vg: mock
    name: mockpool
    size: 80%VG
    metadata_size: 1G
    chunk_size: 256K
    zeroing: false
    discards: passdown
    autoextend_threshold: 80
    autoextend_percent: 20
    monitor: true

- name: Grow the pool to 500 GiB (a no-op when it is that large already)
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
      description: Data use in percent.
      type: float
      sample: 12.5
    metadata_percent:
      description: Metadata use in percent.
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
      description: Whether dmeventd monitors the pool.
      type: bool
    active:
      description: Whether the pool is active.
      type: bool
    thin_volumes:
      description: Names of the thin volumes in the pool.
      type: list
      elements: str
      sample: ["+mock.fedora-40-x86_64.head", "mock.fedora-40-x86_64.postinit"]
commands:
  description: LVM commands run (in check mode, those that would run), reads included.
  returned: always
  type: list
  elements: list
  sample: [["lvs", "--reportformat", "json", "..."]]
"""

import copy

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._plan import apply, run_and_exit
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._thinpool import (
    DEFAULT_PROFILE_DIR,
    POOL_OPTIONS,
    check_pool_params,
    plan_absent,
    plan_present,
    pool_facts,
    usage_warnings,
)


def run_module(module, lvm):
    params = module.params
    check_pool_params(params)
    report = lvm.read_vg(params['vg'])
    if params['state'] == 'present' and params['name'] not in report.by_name:
        lvm.fill_vg_fields(report)
    planner = plan_present if params['state'] == 'present' else plan_absent

    def reread():
        report = lvm.read_vg(params['vg'])
        return pool_facts(report, report.get(params['name']), params['profile_dir'])

    plan = apply(module, lvm, planner(report, params, params['profile_dir']), reread)
    for warning in usage_warnings(plan.after) if plan.after.get('exists') else []:
        module.warn(warning)
    return plan.result(module, pool=plan.after)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type='str', default='present', choices=['present', 'absent']),
            force=dict(type='bool', default=False),
            profile_dir=dict(type='path', default=DEFAULT_PROFILE_DIR),
            **copy.deepcopy(POOL_OPTIONS)
        ),
        required_together=[('autoextend_threshold', 'autoextend_percent')],
        supports_check_mode=True,
    )
    run_and_exit(module, run_module)


if __name__ == '__main__':
    main()
