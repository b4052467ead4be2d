#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: thinpool_info
short_description: Read LVM thin pools, their use, settings and thin volumes
version_added: 1.0.0
description:
  - Reads the given thin pools, or every thin pool of the host, with one C(lvm fullreport) for the whole host.
  - Returns for each pool the fields M(buildfleet.mock_lvm.thinpool) returns in its C(pool), and says why a pool
    given in O(pools) cannot be read (its volume group or the pool does not exist, or the volume is no thin pool)
    instead of failing, so that a report lists it.
  - Warns, as M(buildfleet.mock_lvm.thinpool) does, when a pool is not healthy (RV(pools)'s C(health) from C(lv_attr) -
    inactive, failed, out of data space, read-only metadata, ...), when its data or metadata use is above mock's
    thresholds (75 % warns, 90 % refuses to build), and when a volume group's free space is less than the next
    autoextend step of its pools together, naming how much is missing. An inactive pool reports no use (null
    percentages, never 0).
  - Changes nothing.
author:
  - buildfleet maintainers (@buildfleet)
extends_documentation_fragment:
  - buildfleet.mock_lvm.attributes.info_module
  - buildfleet.mock_lvm.attributes.pools
options: {}
requirements:
  - lvm2 2.02.158 or later (JSON reports)
notes:
  - Of each entry of O(pools) only C(vg) and C(name) are read; the other options are accepted and ignored. An empty
    O(pools) reads every thin pool of the host.
seealso:
  - module: buildfleet.mock_lvm.thinpool
  - module: buildfleet.mock_lvm.builder_info
"""

EXAMPLES = r"""
- name: Read every thin pool of the builder
  buildfleet.mock_lvm.thinpool_info:
  register: pools

- name: Pools above 80 % data use
  ansible.builtin.debug:
    msg: "{{ pools.pools | selectattr('exists') | selectattr('data_percent', 'ge', 80) | map(attribute='name') }}"

- name: Read the declared pools
  buildfleet.mock_lvm.thinpool_info:
    pools:
      - {vg: mock, name: shared}
      - {vg: mockslow, name: big}
  register: declared
"""

RETURN = r"""
pools:
  description:
    - One entry per pool of O(pools) in that order, or every thin pool of the host by volume group and name.
    - An existing pool's entry has every key of RV(buildfleet.mock_lvm.thinpool#module:pool) as well (size,
      metadata_size, chunk_size, data_percent, metadata_percent, zeroing, discards, profile, autoextend_threshold,
      autoextend_percent, monitored, active, health, health_problem, thin_volumes, headroom), read the same way; the
      percentages are null for an inactive pool.
  returned: always
  type: list
  elements: dict
  contains:
    vg:
      description: Volume group.
      type: str
      sample: mock
    name:
      description: Pool name.
      type: str
      sample: shared
    exists:
      description: Whether the pool exists as a thin pool.
      type: bool
      sample: true
    problem:
      description: Why the pool cannot be read (missing volume group or pool, or a volume that is no thin pool); null
        for a pool that exists.
      type: str
      sample: volume group mockslow does not exist
commands:
  description: LVM commands run (one, or none where LVM is not installed).
  returned: always
  type: list
  elements: list
  sample: [["lvm", "fullreport", "--reportformat", "json", "..."]]
"""

import copy

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._headroom import host_headroom
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._plan import run_and_exit
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._thinpool import (
    AUTOEXTEND_TOGETHER,
    DEFAULT_PROFILE_DIR,
    POOL_OPTIONS,
    read_pool,
    usage_warnings,
    wanted_pools,
)


def read_pools(module, lvm):
    """The pools asked for (or every pool) from one lvm fullreport, with mock's usage warnings."""
    host = lvm.read_host()
    pools = [read_pool(host, vg, name, module.params['profile_dir'])
             for vg, name in wanted_pools(host, module.params['pools'])]
    for pool in pools:
        for warning in usage_warnings(pool) if pool['exists'] else []:
            module.warn(warning)
    for warning in host_headroom(host, pools, module.params['profile_dir']):
        module.warn(warning)
    return {'changed': False, 'pools': pools}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            pools=dict(type='list', elements='dict', default=[], options=copy.deepcopy(POOL_OPTIONS),
                       required_together=[AUTOEXTEND_TOGETHER]),
            profile_dir=dict(type='path', default=DEFAULT_PROFILE_DIR),
        ),
        supports_check_mode=True,
    )
    run_and_exit(module, read_pools)


if __name__ == '__main__':
    main()
