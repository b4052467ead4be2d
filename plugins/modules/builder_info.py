#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: builder_info
short_description: Read in one run what the builder role manages on a host, and what differs from the wanted state
version_added: 1.0.0
description:
  - Reads the OS family and Python, the packages and monitoring units of that family, the given devices with their
    volume group and signature, the volume groups, every given thin pool, the mock config files (content, marker,
    owner, group, mode), whether each pre-warmed config has its C(postinit) snapshot, the directories, and the mock
    group and its users.
  - Compares each with what is wanted and returns the lists of what differs, so that a caller (the
    C(buildfleet.mock_lvm.builder) role) runs the module that owns a thing only when that thing differs.
  - A pool is compared by the planner of M(buildfleet.mock_lvm.thinpool) and a config file by the planner of
    M(buildfleet.mock_lvm.mock_config), so what this module reports as matching, those modules would leave alone,
    and what they would refuse (a hand-edited file whose marker and statements disagree, a root shared with a
    config this collection did not write) is reported as differing, with the reason. A pool larger than its
    declared size (autoextend grew it) matches, as sizes are floors.
  - Warns when a volume group's free space is less than the next autoextend step of its pools together, naming how
    much is missing, and gives each existing pool the C(headroom) M(buildfleet.mock_lvm.thinpool) returns.
  - LVM is read with a single C(lvm fullreport) for the whole host (every volume group, physical and logical
    volume); while LVM is not installed, nothing of it exists. Other reads are one C(rpm) or C(dpkg-query) for all
    packages, one C(systemctl show) for all units, and C(blkid) only for a device that is no physical volume.
  - Changes nothing.
author:
  - buildfleet maintainers (@buildfleet)
extends_documentation_fragment:
  - buildfleet.mock_lvm.attributes.info_module
  - buildfleet.mock_lvm.attributes.pools
options:
  families:
    description:
      - Per OS family (as the setup module names it, for example V(RedHat) or V(Debian)), the lists
        C(os_packages), C(mock_packages) and C(monitor_units). The host's family must be a key.
    type: dict
    required: true
  install_packages:
    description: Compare the family's packages (V(false) leaves C(missing_packages) empty).
    type: bool
    default: true
  volume_groups:
    description: Volume groups wanted, as for C(community.general.lvg).
    type: list
    elements: dict
    default: []
    suboptions:
      name: {description: "Volume group name.", type: str, required: true}
      devices: {description: "Its devices.", type: list, elements: str, required: true}
      force: {description: "Devices may carry another volume group or a signature.", type: bool, default: false}
  configs:
    description:
      - mock configs, as the C(buildfleet.mock_lvm.mock_lvm_configs) filter returns them (the options of
        M(buildfleet.mock_lvm.mock_config) that describe a config, with C(prewarm); its other keys are ignored).
      - The C(root) of each is taken as given, as the filter decided it.
    type: list
    elements: dict
    default: []
  config_dir:
    description: mock's config directory.
    type: path
    default: /etc/mock
  basedir:
    description: mock's basedir the configs set.
    type: path
    default: /var/lib/mock
  config_owner:
    description: Owner of the config files, as for M(buildfleet.mock_lvm.mock_config).
    type: str
    default: root
  config_group:
    description: Group of the config files.
    type: str
    default: mock
  config_mode:
    description:
      - Mode of the config files, as for M(buildfleet.mock_lvm.mock_config) (octal, as an integer or a string, or
        symbolic).
    type: raw
    default: "0644"
  directories:
    description: Directories wanted.
    type: list
    elements: dict
    default: []
    suboptions:
      path: {description: "The directory.", type: path, required: true}
      owner: {description: "Its owner.", type: str, required: true}
      group: {description: "Its group.", type: str, required: true}
      mode: {description: "Its mode, in octal (four digits).", type: str, required: true}
  group:
    description: The group the users must be in.
    type: str
    default: mock
  users:
    description: Users that must be in O(group).
    type: list
    elements: str
    default: []
requirements:
  - lvm2 2.02.158 or later (JSON reports) once installed
notes:
  - Returns RV(commands), the LVM commands that ran, so their number can be audited (one, or none without LVM).
  - Every option of each entry of O(pools) is compared, as M(buildfleet.mock_lvm.thinpool) would.
seealso:
  - module: buildfleet.mock_lvm.thinpool
  - module: buildfleet.mock_lvm.mock_config
  - module: buildfleet.mock_lvm.thinpool_info
"""

EXAMPLES = r"""
- name: What differs on this builder
  buildfleet.mock_lvm.builder_info:
    families:
      RedHat: {os_packages: [lvm2, device-mapper-persistent-data], mock_packages: [mock, mock-lvm],
               monitor_units: [lvm2-monitor.service, dm-event.socket]}
      Debian: {os_packages: [lvm2, thin-provisioning-tools, dmeventd], mock_packages: [],
               monitor_units: [lvm2-monitor.service, dm-event.socket]}
    volume_groups: [{name: mock, devices: [/dev/disk/by-id/virtio-data1]}]
    pools: [{vg: mock, name: shared, size: 50%VG, autoextend_threshold: 80, autoextend_percent: 20, monitor: true}]
  register: builder_state

- name: Grow or tune only the pools that differ
  buildfleet.mock_lvm.thinpool:
    vg: mock
    name: shared
    size: 50%VG
    autoextend_threshold: 80
    autoextend_percent: 20
    monitor: true
  when: "'mock/shared' in builder_state.pools_to_change"
"""

RETURN = r"""
os_family: {description: "OS family, as the setup module names it.", returned: always, type: str, sample: RedHat}
distribution: {description: "Distribution name.", returned: always, type: str, sample: Fedora}
distribution_version: {description: "Distribution version.", returned: always, type: str, sample: "43"}
python: {description: "The Python that ran the module.", returned: always, type: str, sample: /usr/bin/python3}
family:
  description: The package and unit lists of the host's family, from O(families).
  returned: always
  type: dict
  sample: {os_packages: [lvm2], mock_packages: [mock, mock-lvm], monitor_units: [lvm2-monitor.service]}
packages: {description: "Package name to whether it is installed.", returned: always, type: dict,
           sample: {lvm2: true, mock: false}}
missing_packages: {description: "Packages that are not installed.", returned: always, type: list, elements: str}
units:
  description: Unit name to C(enabled) and C(active) booleans.
  returned: always
  type: dict
  sample: {lvm2-monitor.service: {enabled: true, active: true}}
units_to_start: {description: "Units not both enabled and active.", returned: always, type: list, elements: str}
devices:
  description: Each device of O(volume_groups).
  returned: always
  type: list
  elements: dict
  contains:
    device: {description: "The device as given.", type: str}
    resolved: {description: "The device with links resolved.", type: str}
    vg: {description: "Its volume group, an empty string for a physical volume in none, null for no physical volume.",
         type: str}
    signature: {description: "blkid's signature type, read only for a device that is no physical volume.", type: str}
    foreign: {description: "Why the device may not be taken, or null.", type: str}
foreign_devices: {description: "Why devices may not be taken (another group's, or a signature).", returned: always,
                  type: list, elements: str}
volume_groups: {description: "Volume groups on the host.", returned: always, type: list, elements: str}
volume_groups_to_change: {description: "Groups that are missing or have other devices.", returned: always,
                          type: list, elements: str}
pools:
  description:
    - Each pool of O(pools), with the fields M(buildfleet.mock_lvm.thinpool) returns in its C(pool) (when the pool
      exists), and C(matches) and C(difference).
  returned: always
  type: list
  elements: dict
  contains:
    vg: {description: "Volume group.", type: str}
    name: {description: "Pool name.", type: str}
    exists: {description: "Whether the pool exists.", type: bool}
    matches: {description: "Whether the thinpool module would change nothing.", type: bool}
    difference: {description: "What differs, or why the thinpool module must run; null when it matches.", type: str}
    headroom: {description: "Room for autoextend in its volume group, as RV(buildfleet.mock_lvm.thinpool#module:pool.headroom).",
               type: dict}
pools_to_change: {description: "C(vg/name) of the pools that do not match.", returned: always, type: list,
                  elements: str, sample: [mock/shared]}
configs:
  description: Each config of O(configs).
  returned: always
  type: list
  elements: dict
  contains:
    name: {description: "Config name.", type: str}
    path: {description: "Its file.", type: str}
    state: {description: "C(present) or C(absent), as asked.", type: str}
    exists: {description: "Whether the file exists.", type: bool}
    marker: {description: "The identity the file records (its marker), or null.", type: dict}
    root: {description: "Its root, as given (present configs).", type: str}
    owner: {description: "Owner of the file.", type: str}
    group: {description: "Group of the file.", type: str}
    mode: {description: "Mode of the file, in octal.", type: str}
    matches: {description: "Whether mock_config would change nothing.", type: bool}
    difference: {description: "What mock_config would change, or why it would refuse; null when it matches.", type: str}
    prewarm: {description: "Whether the config is pre-warmed.", type: bool}
    postinit: {description: "Whether its pool holds its postinit snapshot (null for absent configs).", type: bool}
configs_to_write: {description: "Present configs whose file does not match.", returned: always, type: list,
                   elements: str}
configs_to_remove: {description: "Absent configs whose file exists.", returned: always, type: list, elements: str}
prewarm_to_run: {description: "Pre-warmed configs without their postinit snapshot.", returned: always, type: list,
                 elements: str}
directories:
  description: Each directory of O(directories) with its C(owner), C(group), C(mode), C(is_dir) and C(matches).
  returned: always
  type: list
  elements: dict
directories_to_fix: {description: "Directories missing or with another owner, group or mode.", returned: always,
                     type: list, elements: str}
group_exists: {description: "Whether O(group) exists.", returned: always, type: bool}
users_to_add: {description: "Users of O(users) not in O(group).", returned: always, type: list, elements: str}
commands:
  description: LVM commands run.
  returned: always
  type: list
  elements: list
  sample: [["lvm", "fullreport", "--reportformat", "json", "..."]]
"""

import copy

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._builder_state import read_builder
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_config import check_path, file_mode, octal_mode
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_layout import (
    DEFAULT_BASEDIR,
    DEFAULT_CONFIG_DIR,
    MOCK_GROUP,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._plan import run_and_exit
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._thinpool import (
    AUTOEXTEND_TOGETHER,
    DEFAULT_PROFILE_DIR,
    POOL_OPTIONS,
)


def run_module(module, lvm):
    params = module.params
    params['config_dir'] = check_path('config_dir', params['config_dir'])
    params['basedir'] = check_path('basedir', params['basedir'])
    params['config_mode'] = file_mode('config_mode', params['config_mode'])
    for directory in params['directories']:
        directory['mode'] = octal_mode('mode of directory %s' % directory['path'], directory['mode'])
    return dict(read_builder(module, lvm, params), changed=False)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            families=dict(type='dict', required=True),
            install_packages=dict(type='bool', default=True),
            volume_groups=dict(type='list', elements='dict', default=[], options=dict(
                name=dict(type='str', required=True),
                devices=dict(type='list', elements='str', required=True),
                force=dict(type='bool', default=False),
            )),
            pools=dict(type='list', elements='dict', default=[], options=copy.deepcopy(POOL_OPTIONS),
                       required_together=[AUTOEXTEND_TOGETHER]),
            profile_dir=dict(type='path', default=DEFAULT_PROFILE_DIR),
            configs=dict(type='list', elements='dict', default=[]),
            config_dir=dict(type='path', default=DEFAULT_CONFIG_DIR),
            basedir=dict(type='path', default=DEFAULT_BASEDIR),
            config_owner=dict(type='str', default='root'),
            config_group=dict(type='str', default=MOCK_GROUP),
            config_mode=dict(type='raw', default='0644'),
            directories=dict(type='list', elements='dict', default=[], options=dict(
                path=dict(type='path', required=True),
                owner=dict(type='str', required=True),
                group=dict(type='str', required=True),
                mode=dict(type='str', required=True),
            )),
            group=dict(type='str', default=MOCK_GROUP),
            users=dict(type='list', elements='str', default=[]),
        ),
        supports_check_mode=True,
    )
    run_and_exit(module, run_module)


if __name__ == '__main__':
    main()
