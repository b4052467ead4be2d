#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: mock_config_info
short_description: The mock configs this collection wrote, with the identity each records
version_added: 1.0.0
description:
  - Reads every C(*.cfg) file in O(config_dir) and returns those that carry the marker line
    M(buildfleet.mock_lvm.mock_config) writes (name, root, vg, pool, basedir), read with a JSON parser wherever it is
    in the file, together with what the file's statements set (C(root), C(basedir), C(lvm_root_opts)), read with
    Python's parser; where the two disagree (a hand edit) the config is listed in RV(disagreements).
  - Lists, for the names given in O(names), those whose file exists without the marker (packaged or hand-written
    configs), so that a caller can refuse to touch them before it changes anything.
  - Changes nothing and runs no command.
author:
  - buildfleet maintainers (@buildfleet)
extends_documentation_fragment:
  - buildfleet.mock_lvm.attributes.info_module
options:
  config_dir:
    description: mock's config directory.
    type: path
    default: /etc/mock
  names:
    description: Config names to look for among the files without the marker.
    type: list
    elements: str
    default: []
seealso:
  - module: buildfleet.mock_lvm.mock_config
"""

EXAMPLES = r"""
- name: Read which roots the configs on this builder record
  buildfleet.mock_lvm.mock_config_info:
  register: recorded

- name: Show them
  ansible.builtin.debug:
    msg: "{{ recorded.configs | map(attribute='root') }}"
"""

RETURN = r"""
configs:
  description: The files with the marker, by config name order.
  returned: always
  type: list
  elements: dict
  contains:
    name: {description: "Config name (the file is C(<config_dir>/<name>.cfg)).", type: str}
    path: {description: "The file.", type: str}
    root: {description: "The root it gives mock.", type: str}
    vg: {description: "Volume group of its pool.", type: str}
    pool: {description: "Its thin pool.", type: str}
    basedir: {description: "mock's basedir it sets.", type: str}
    collection_version: {description: "Version of the collection that wrote it.", type: str}
    content:
      description: C(root), C(basedir), C(vg) and C(pool) as the file's statements set them (null where they do not).
      type: dict
    disagreement: {description: "How the statements differ from the marker, or null.", type: str}
  sample:
    - {name: fedora-43-x86_64-lvm, path: /etc/mock/fedora-43-x86_64-lvm.cfg, root: fedora-43-x86_64-lvm, vg: mock,
       pool: shared, basedir: /var/lib/mock, collection_version: 1.0.0,
       content: {root: fedora-43-x86_64-lvm, basedir: /var/lib/mock, vg: mock, pool: shared}, disagreement: null}
disagreements:
  description: Names of the configs whose statements differ from their marker (M(buildfleet.mock_lvm.mock_config)
    refuses to rewrite or remove them).
  returned: always
  type: list
  elements: str
unmanaged:
  description: Names from O(names) whose file exists without the marker.
  returned: always
  type: list
  elements: str
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._errors import ModuleError
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_config import check_path, recorded_configs
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_layout import DEFAULT_CONFIG_DIR


def main():
    module = AnsibleModule(
        argument_spec=dict(
            config_dir=dict(type='path', default=DEFAULT_CONFIG_DIR),
            names=dict(type='list', elements='str', default=[]),
        ),
        supports_check_mode=True,
    )
    try:
        config_dir = check_path('config_dir', module.params['config_dir'])
        recorded = recorded_configs(config_dir)
    except ModuleError as exc:
        module.fail_json(**exc.fail_kwargs())
    configs = []
    for name in sorted(recorded):
        item = dict(recorded[name], path=os.path.join(config_dir, name + '.cfg'))
        configs.append(item)
    unmanaged = [name for name in module.params['names']
                 if name not in recorded and os.path.exists(os.path.join(config_dir, name + '.cfg'))]
    disagreements = [c['name'] for c in configs if c['disagreement']]
    module.exit_json(changed=False, configs=configs, disagreements=disagreements, unmanaged=unmanaged)


if __name__ == '__main__':
    main()
