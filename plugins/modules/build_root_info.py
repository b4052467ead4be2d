#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: build_root_info
short_description: The LVM-backed build roots of one mock config, and what of them is in use
version_added: 0.1.0
description:
  - Reports the family of thin volumes and bookkeeping files of one mock config root C(R) and its bootstrap
    C(R-bootstrap), as M(buildfleet.mock_lvm.build_root) sees it - one row per volume with its kind, size, data use,
    creation time, mounts, and the state of each working volume (in use, open, died, idle); mock's current
    snapshot per chroot dir; whether the family is in use; and whether its lock files are where mock keeps them.
  - A working volume's state follows what mock leaves behind (mock 6.7). C(in_use) - a run holds its chroot's
    C(buildroot.lock). C(open) - the device is open without a mount. C(died) - mock's own mounts (C(proc), C(sys),
    C(dev/pts), ...) are still below its root and nobody holds C(buildroot.lock); a run ending normally unmounts
    them (C(buildroot.py) C(finalize) -> C(mounts.umountall())), so only a killed run leaves them. C(idle) -
    anything else, a volume mock kept after a run that ended normally, mounted or not, or one C(mock --mount)
    mounted; mock reuses it at the next run of that chroot (C(lvm_root.py) C(hook_mount_root)) and removes it
    only at its own clean (C(hook_postclean) -> C(delete_head)) or C(--rollback-to).
  - Processes whose root, working directory or open files are inside a mounted volume are listed with it (one
    pass over C(/proc)).
  - In use means that another process holds a lock on one of the family's lock files (mock's LVM locks of the root
    and of its bootstrap, or the C(buildroot.lock) of any of its chroot dirs). The module only asks
    (C(fcntl F_GETLK)) and takes no lock, so it never disturbs mock, not even a C(mock --scrub=lvm) that starts at
    the same moment.
  - A missing pool is reported (C(exists) false in RV(pool)), not an error. One LVM command, a JSON C(lvs) read.
author:
  - buildfleet maintainers (@buildfleet)
extends_documentation_fragment:
  - buildfleet.mock_lvm.attributes.info_module
  - buildfleet.mock_lvm.attributes.family
options:
  declared_roots:
    description: Every root the host's configs declare; lock files of other roots are listed in RV(undeclared_lock_files).
    type: list
    elements: str
    default: []
seealso:
  - module: buildfleet.mock_lvm.build_root
"""

EXAMPLES = r"""
- name: Read a config's build roots
  buildfleet.mock_lvm.build_root_info:
    root: fedora-43-x86_64
    vg: mock
    pool: mockpool
  register: fedora43

- name: Name the working volumes killed builds left behind, and the idle ones mock keeps
  ansible.builtin.debug:
    msg: "died: {{ fedora43.stale }}, idle: {{ fedora43.idle }}"
"""

RETURN = r"""
volumes:
  description: Every volume of the family, in the order of the lvs report.
  returned: always
  type: list
  elements: dict
  contains:
    name: {description: "LV name.", type: str}
    chroot: {description: "C(main) or C(bootstrap).", type: str}
    role: {description: "C(working) (a build root mock mounts) or C(snapshot).", type: str}
    kind: {description: "C(working), C(postinit), C(update), C(snapshot) (a user's) or C(bootstrap).", type: str}
    uniqueext: {description: "The uniqueext of a working volume (C(head) without one).", type: str}
    snapshot: {description: "The snapshot name as mock shows it (C(postinit), ...).", type: str}
    current: {description: "Whether a C(.snapinfo) file names this snapshot as current.", type: bool}
    starts_from: {description: "For a working volume, the snapshot its chroot's C(.snapinfo) file names.", type: str}
    mount_point: {description: "For a working volume, where mock mounts it.", type: str}
    size: {description: "Virtual size in bytes.", type: int}
    data_percent: {description: "Data use in percent (only when active).", type: float}
    active: {description: "Whether it is active.", type: bool}
    open: {description: "Whether it is open.", type: bool}
    mounts: {description: "Where it is mounted.", type: list, elements: str}
    mounted: {description: "Whether it is mounted anywhere.", type: bool}
    in_use: {description: "For a working volume, whether a mock run holds its chroot's C(buildroot.lock).", type: bool}
    state:
      description:
        - For a working volume, C(in_use), C(open), C(died) or C(idle) (see the description); null for a snapshot.
        - Only C(died) is reaped by O(buildfleet.mock_lvm.build_root#module:reap_stale).
      type: str
    stale: {description: "Whether RV(volumes[].state) is C(died): its mock run died.", type: bool}
    idle: {description: "Whether RV(volumes[].state) is C(idle): kept by mock for the next run of its chroot.", type: bool}
    idle_since:
      description:
        - For a working volume, when it was last used as far as the host tells, seconds since the epoch - the newest
          modification time of its chroot dir, C(buildroot.lock), C(result) dir and mount point, and not before
          its creation.
      type: int
    inner_mounts: {description: "Mounts below the volume's mount points, deepest first (mock's own, when a run died).", type: list, elements: str}
    processes:
      description: Processes whose root, working directory or open files are inside the volume.
      type: list
      elements: dict
      contains:
        pid: {description: "Process id.", type: int}
        command: {description: "Its command line.", type: str}
        uses: {description: "How it is inside - C(root), C(cwd), C(fd).", type: list, elements: str}
    creation_time: {description: "LVM creation time, seconds since the epoch.", type: int}
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
  description: mock's current snapshot of each chroot dir, from its C(.snapinfo) file.
  returned: always
  type: list
  elements: dict
  contains:
    chroot: {description: "C(main) or C(bootstrap).", type: str}
    uniqueext: {description: "The chroot's uniqueext (C(head) without one).", type: str}
    snapshot: {description: "The LV name the file holds (null when it cannot be read).", type: str}
    exists: {description: "Whether that snapshot exists.", type: bool}
    file: {description: "The C(.snapinfo) file.", type: str}
stale:
  description: Names of the working volumes whose run died (state C(died)).
  returned: always
  type: list
  elements: str
idle:
  description: Names of the idle working volumes (kept by mock, or mounted by C(mock --mount)).
  returned: always
  type: list
  elements: str
undeclared_lock_files:
  description: mock's lock files in O(basedir) of roots O(declared_roots) does not name (empty without it).
  returned: always
  type: list
  elements: str
basedir_mismatch:
  description:
    - Whether the family has volumes but none of its lock files is in O(basedir); then mock keeps them elsewhere and
      M(buildfleet.mock_lvm.build_root) refuses changes.
  returned: always
  type: bool
basedir_problem:
  description: The explanation when RV(basedir_mismatch) is true, naming O(basedir) and how to set it.
  returned: always
  type: str
commands:
  description: The commands run, the one C(lvs) read.
  returned: always
  type: list
  elements: list
"""

import copy

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._build_root import (
    FAMILY_OPTIONS,
    Family,
    family_result,
    validate_names,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._plan import run_and_exit


def read_family(module, lvm):
    """The family's rows from one lvs; no lock is taken, nothing changes."""
    params = module.params
    validate_names(params)
    report = lvm.read_vg(params['vg'])
    return dict(family_result(Family(report, params), report, params), changed=False)


def main():
    module = AnsibleModule(
        argument_spec=dict(declared_roots=dict(type='list', elements='str', default=[]), **copy.deepcopy(FAMILY_OPTIONS)),
        supports_check_mode=True,
    )
    run_and_exit(module, read_family)


if __name__ == '__main__':
    main()
