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
    when it is done. Lock files are never created, rewritten or removed (see O(declared_roots) for why).
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
      - Remove the family's working volumes whose mock run died (state C(died) in RV(volumes)), unmounting them and
        every mount below them first, deepest first, one volume at a time; C(postinit), update and user snapshots
        stay. A working volume C(+mock.R.<ext>) is taken for a run that died when mock's own mounts (C(proc),
        C(sys), C(dev/pts), C(dev/shm), bind mounts) are still below its root and nobody holds the
        C(buildroot.lock) of its chroot dir. A run that ends normally unmounts them (mock's C(buildroot.py)
        C(finalize) -> C(mounts.umountall())); only C(kill -9) or a crash leaves them.
      - Never removed by this option, as mock keeps and reuses them - a working volume of a run that ended normally,
        mounted or not (state C(idle); mock removes it only at its own clean, C(lvm_root.py) C(hook_postclean) ->
        C(delete_head), or at C(--rollback-to)), a volume C(mock --mount) mounted (it leaves no mock mounts below
        the root), one whose C(buildroot.lock) is held (C(in_use)), one open without a mount (C(open)).
      - A volume to reap stays, and is listed in RV(not_removed) with why, while a mock run of its root holds
        mock's LVM lock files (that run may be mounting it), or while processes have their root, working directory
        or open files inside it (a killed run's orphans; see O(kill_orphans)). The others are still reaped.
      - Also removes the C(.snapinfo) files whose chroot has no working volume left and that name C(postinit) or
        a snapshot that no longer exists (mock then starts from C(postinit), as without the file), unless their
        chroot is in use.
      - Works while other chroots of the family build, as each volume is judged, and locked, by its own chroot;
        the reap of a volume also holds its root's LVM lock files.
    type: bool
    default: false
  reap_idle_older_than:
    description:
      - Opt-in. Also remove idle working volumes (state C(idle) - kept by a run that ended normally, or mounted by
        C(mock --mount)) whose C(idle_since) in M(buildfleet.mock_lvm.build_root_info) is at least this many
        days ago. Meant for C(--uniqueext) chroots that are never reused, as build systems make them; the config's C(+mock.R.head) (and its
        bootstrap's) only with O(reap_idle_head).
      - mock leaves no mark that tells a C(mock --mount) from a run that ended; the age is what protects it, and a
        volume with processes inside (a shell in it, files open) is never removed.
      - Unset (the default), no idle volume is removed.
    type: int
  reap_idle_head:
    description:
      - With O(reap_idle_older_than), the config's C(+mock.R.head) working volumes (main and bootstrap) count too.
        mock's C(--init), C(--install), C(--shell), C(--chroot), C(--no-clean) and C(--short-circuit) chains rely
        on that kept volume.
    type: bool
    default: false
  kill_orphans:
    description:
      - End the processes inside a volume that is removed (with O(reap_stale), only volumes whose run died; with
        O(state=absent), every volume of the family) before unmounting it, as mock's own C(util.orphansKill) does
        when a run ends normally (SIGTERM, then SIGKILL to those left, a few seconds apart).
      - Without it such processes keep the volume (reap) or refuse the removal (absent), named with their PIDs and
        command lines.
    type: bool
    default: false
  declared_roots:
    description:
      - Every root the host's configs declare. Lock files in O(basedir) of any other root (and of its bootstrap)
        are reported in RV(undeclared_lock_files), never removed.
      - mock opens C(.lvm-mock.R.lock) and C(.lvm-pool-mock.R.lock) when its plugin starts (C(lvm_root.py)
        C(LvmPlugin.__init__) -> C(create_lock) -> C(Lock) - C(open(path, 'a+'))) and locks them only in
        C(hook_mount_root). In between nobody holds them, so no probe can tell a leftover from a file a starting
        run has open, and removing it would hand that run and the next one different inodes, two runs of one root
        without mutual exclusion.
    type: list
    elements: str
    default: []
  refresh:
    description:
      - With O(state=initialized) or O(state=present), renew the C(postinit) snapshot of a family that has one when
        O(config_file) was modified after it was made,
        or when the newest snapshot builds start from (C(postinit), or the C(postinit_updated_*) snapshot a
        C(.snapinfo) file names) is older than O(max_age_days), as mock's C(root_cache) plugin does for its
        tarball. The family is removed under mock's locks, as with O(state=absent) (the pool stays), then
        O(mock_command) C(-r <config> --init) makes a new C(postinit). With O(state=present) a family without
        C(postinit) is left as it is; O(state=initialized) makes it.
      - Nothing is removed while the family is in use, nor while a process waits for one of its locks (a build
        that read the old snapshot a moment before); both fail as a running build (RV(build_running)).
      - The removal holds every lock of the family, mock's init lock C(.lvm-mock.R.lock) included, and is one
        C(lvremove). After it a starting build finds no snapshot and initialises the root or waits for
        C(mock --init), which holds the init lock exclusively until the new C(postinit) exists.
    type: bool
    default: false
  max_age_days:
    description:
      - With O(refresh), the age in days (fractions allowed) above which the newest snapshot builds start from is
        renewed. Above 0.
    type: float
  config_file:
    description:
      - The mock config file of the root (for example C(/etc/mock/fedora-43-x86_64-lvm.cfg)). Reported in
        RV(freshness); with O(refresh), a file modified after C(postinit) was made renews it. Files it includes
        are not followed.
    type: path
seealso:
  - module: buildfleet.mock_lvm.build_root_info
  - module: buildfleet.mock_lvm.thin_snapshot
  - module: buildfleet.mock_lvm.thinpool
"""

EXAMPLES = r"""
- name: Pre-warm the Fedora 40 build root, keeping two update snapshots
  buildfleet.mock_lvm.build_root:
    root: fedora-43-x86_64-lvm
    vg: mock
    pool: mockpool
    state: initialized
    keep_updates: 2

- name: Report a config's build roots
  buildfleet.mock_lvm.build_root:
    root: fedora-43-x86_64-lvm
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

- name: On a build system's builder, also remove --uniqueext chroots idle for a week (the head stays)
  buildfleet.mock_lvm.build_root:
    root: fedora-43-x86_64
    vg: mock
    pool: mockpool
    reap_stale: true
    reap_idle_older_than: 7
    kill_orphans: true

- name: Renew postinit when the config changed or the snapshot builds start from is older than a week
  buildfleet.mock_lvm.build_root:
    root: fedora-43-x86_64
    config: fedora-43-x86_64-lvm
    vg: mock
    pool: mockpool
    state: initialized
    refresh: true
    max_age_days: 7
    config_file: /etc/mock/fedora-43-x86_64-lvm.cfg
    mock_command: [runuser, -u, mockbuild, --, mock]

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
      current, starts_from, mount_point, size, data_percent, active, open, mounts, mounted, in_use, state, stale,
      idle, idle_since, inner_mounts, processes, creation_time).
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
stale: {description: "Names of the working volumes whose run died (state C(died)) after the run.", returned: always, type: list, elements: str}
idle:
  description: Names of the idle working volumes (kept by a run that ended normally, or mounted by C(mock --mount)) after the run.
  returned: always
  type: list
  elements: str
undeclared_lock_files:
  description: mock's lock files in O(basedir) of roots O(declared_roots) does not name (empty without it); never removed.
  returned: always
  type: list
  elements: str
not_removed:
  description:
    - Working volumes O(reap_stale) or O(reap_idle_older_than) asked to reap that stay, each with C(name),
      C(state), C(reason) and the C(processes) inside it (C(pid), C(command), C(uses)).
  returned: always
  type: list
  elements: dict
  sample: [{name: +mock.fedora-43-x86_64.b17, state: died, processes: [{pid: 4711, command: sleep 900, uses: [cwd, root]}],
            reason: "processes are still inside the chroot of the run that died: 4711 (sleep 900); ..."}]
basedir_mismatch: {description: "Whether the family has volumes but no lock file in O(basedir) (then changes are refused).", returned: always, type: bool}
basedir_problem: {description: "Why, when RV(basedir_mismatch) is true, naming O(basedir) and how to set it.", returned: always, type: str}
removed:
  description: Volumes removed (or that would be removed in check mode).
  returned: always
  type: list
  elements: str
removed_files:
  description: C(.snapinfo) bookkeeping files removed (or that would be).
  returned: always
  type: list
  elements: str
skipped:
  description: Update snapshots kept beyond O(keep_updates) because they are open.
  returned: always
  type: list
  elements: str
refreshed:
  description: Whether the family was renewed (in check mode, would be) because of RV(refresh_reasons).
  returned: always
  type: bool
refresh_reasons:
  description: Why the family needs a new C(postinit), read before the run (empty when it does not).
  returned: always
  type: list
  elements: str
freshness:
  description: How old the snapshots of the root are, after the run (before it in check mode).
  returned: always
  type: dict
  contains:
    postinit_created: {description: "When C(postinit) was made, seconds since the epoch (null without one).", type: int}
    postinit_age_days: {description: "Its age in days.", type: float}
    newest_update: {description: "The newest C(postinit_updated_*) snapshot of the root.", type: str}
    newest_update_created: {description: "When it was made, seconds since the epoch.", type: int}
    newest_update_age_days: {description: "Its age in days.", type: float}
    start_snapshot: {description: "The newest snapshot a build starts from (C(postinit) or one a C(.snapinfo) file names).", type: str}
    start_created: {description: "When it was made, seconds since the epoch.", type: int}
    start_age_days: {description: "Its age in days.", type: float}
    config_file: {description: "O(config_file).", type: str}
    config_modified: {description: "When O(config_file) was last modified, seconds since the epoch.", type: int}
    config_newer: {description: "Whether O(config_file) was modified after C(postinit) was made (null when either is unknown).", type: bool}
commands:
  description: Commands run (in check mode, those that would run), LVM reads included.
  returned: always
  type: list
  elements: list
"""

import copy

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._build_root import FAMILY_OPTIONS
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._build_root_flow import run_build_root
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._plan import run_and_exit


def main():
    module = AnsibleModule(
        argument_spec=dict(
            config=dict(type='str'),
            state=dict(type='str', default='present', choices=['initialized', 'present', 'absent']),
            keep_updates=dict(type='int'),
            reap_stale=dict(type='bool', default=False),
            reap_idle_older_than=dict(type='int'),
            reap_idle_head=dict(type='bool', default=False),
            kill_orphans=dict(type='bool', default=False),
            declared_roots=dict(type='list', elements='str', default=[]),
            mock_command=dict(type='list', elements='str', default=['mock']),
            refresh=dict(type='bool', default=False),
            max_age_days=dict(type='float'),
            config_file=dict(type='path'),
            **copy.deepcopy(FAMILY_OPTIONS)
        ),
        supports_check_mode=True,
    )
    run_and_exit(module, run_build_root)


if __name__ == '__main__':
    main()
