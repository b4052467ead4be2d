#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: mock_config
short_description: One mock config file on LVM, with recorded identity, owned for its whole life
version_added: 1.0.0
description:
  - Writes or removes C(<config_dir>/<name>.cfg), a mock config that includes a base config and puts its chroot on
    an LVM thin volume through mock's C(lvm_root) plugin with the complete C(lvm_root_opts) (C(pool_name) included),
    C(root_cache) and C(tmpfs) off, and C(config_opts['basedir']) always written.
  - Every value is validated and rendered as a Python literal, so no input can inject code into a file mock executes
    as root. Unknown keys are refused, as mock would silently ignore a mis-spelt setting.
  - B(Recorded identity.) The file carries a marker, a comment line that starts with C(# buildfleet.mock_lvm config)
    and holds JSON with C(name), C(root), C(vg), C(pool), C(basedir) and C(collection_version). The module reads it
    back with a JSON parser, wherever it is in the file. Only a file with the marker is overwritten or removed; any other
    file (a packaged config, a hand-written one) is refused unless O(force=true).
  - B(Marker and content agree.) The statements that set C(root), C(basedir) and C(lvm_root_opts) (C(volume_group),
    C(pool_name)) are read with Python's parser; when they differ from the marker (a hand edit), the file is neither
    rewritten nor removed, and the error names both values and the way out.
  - B(Roots from each config alone.) The root is O(root); else, when the file exists and records a root, that root,
    kept as recorded (its volumes, chroot dirs and lock files carry it); else the config's own O(name) (not the
    base's root, which the packaged base config uses itself), with C(+) and C(.) mapped to C(_) (O(safe_root)),
    whatever other configs exist. Refused, naming both configs, is a root that another marked file in O(config_dir) already records,
    one that starts with another root's bootstrap name (C(<root>-bootstrap)), or one ending in C(-bootstrap).
  - B(No chroot dir shared with a config this collection did not write.) The root of every other config in
    O(config_dir) and its C(eol/) directory (packaged, hand-written) is read with Python's parser, with mock's
    C({{ name }}) templates expanded from the values the config sets (its file name when it cannot be read so). A root
    equal to one of them, or to its C(-bootstrap), is refused naming the file, unless O(share_root=true), as the two
    configs would share C(<basedir>/<root>) (chroot, C(buildroot.lock), caches), and a plain build of the other one
    would clean into the mounted LVM volume.
  - B(Name lengths.) A root is refused up front when the longest volume name mock makes for it,
    C(mock.<root>-bootstrap.postinit_updated_YYYY-MM-DD_HH-MM), is longer than LVM's 127 characters.
  - B(Root changes.) When the recorded root, volume group or pool differ from the new ones and the old root still has
    volumes in the old pool, the module refuses and names both; the way out is to remove the old build roots first
    (M(buildfleet.mock_lvm.build_root) with O(buildfleet.mock_lvm.build_root#module:state=absent)), or to keep the old
    root (leave O(root) unset, or set it to the recorded root). A kept root that a config this collection did not
    write also has (a packaged config, for a file of a version whose default was the base's root) is refused as
    any such root, unless O(share_root=true). A new O(basedir) is refused likewise while the recorded one still holds the root's chroot
    dir, C(.snapinfo) or lock files and the root has volumes.
  - B(Upgrades.) The marker's C(collection_version) is left out of the comparison, so a new collection version alone
    rewrites no file; the version moves with the next change made for another reason.
  - Refused too is a name that is its own base (the file would include itself, which mock skips) and a base that does
    not exist in O(config_dir) (with a hint when mock-core-configs moved it to C(eol/)).
  - The new file is written to a temporary file in O(config_dir), parsed as Python, loaded with mock's own config
    loader when mock is installed (O(validate_with_mock)), every option value expanded as mock expands it, and only then
    moved over the live file, atomically. Owner, group and mode are enforced; drift is repaired and reported as a
    change, and the diff shows the mode the file gets.
  - A run that changes nothing reads files only; no LVM command runs unless the recorded identity changes.
author:
  - buildfleet maintainers (@buildfleet)
extends_documentation_fragment:
  - buildfleet.mock_lvm.attributes
options:
  name:
    description: The config name, as given to C(mock -r); the file is C(<config_dir>/<name>.cfg).
    type: str
    required: true
  state:
    description:
      - V(present) writes the file (or repairs its content, owner, group and mode).
      - V(absent) removes it when it carries the marker, and returns the identity it recorded, so that the caller can
        remove that root's build roots. Build roots are not touched by this module.
    type: str
    choices: [present, absent]
    default: present
  base:
    description:
      - The config to include, by name (V(fedora-43-x86_64), V(eol/fedora-41-x86_64)) or a template path ending in
        C(.tpl). It must exist in O(config_dir).
      - Required with O(state=present).
    type: str
  root:
    description:
      - The chroot's C(config_opts['root']). Defaults to the root the existing file records (kept as recorded, so a
        file written by a version whose default was the base's root keeps it), and for a new file to O(name) (made
        safe, see O(safe_root)).
      - A root other than the recorded one is a root change (see the description).
    type: str
  share_root:
    description:
      - Accept a root that a config this collection did not write also has (a packaged config such as the base); the
        two then share the chroot dir C(<basedir>/<root>), its C(buildroot.lock) and caches.
    type: bool
    default: false
  safe_root:
    description:
      - Map C(+) and C(.) in the root to C(_). mock's LVM plugin never finds the volumes of a root with C(+), and
        treats the volumes of C(foo.bar) as those of C(foo) on a shared pool.
      - With V(false) the root is taken as given and a root with C(+) is refused.
    type: bool
    default: true
  vg:
    description: The volume group of the pool (C(lvm_root_opts['volume_group'])). Required with O(state=present).
    type: str
  pool:
    description: The thin pool (C(lvm_root_opts['pool_name'])). Required with O(state=present).
    type: str
  size:
    description: Virtual size of each build root volume (C(lvm_root_opts['size'])), for example V(8G).
    type: str
  filesystem:
    description: File system of the build root volumes.
    type: str
    default: ext4
  mkfs_args:
    description: Extra arguments for mkfs.
    type: list
    elements: str
    default: []
  mount_options:
    description: Comma-separated mount options (mock reads C(mount_options); the documented C(mount_opts) is ignored).
    type: str
    default: ''
  check_size:
    description: Let mock refuse to start a build when the pool's data or metadata use is above 90 %.
    type: bool
    default: true
  sleep_time:
    description: Seconds mock waits between polls.
    type: raw
    default: 1
  poolmetadatasize:
    description: Metadata size mock uses if it ever creates the pool itself.
    type: str
  umount_root:
    description: Whether mock unmounts the build root after each run. Omitted, mock's default applies.
    type: bool
  options:
    description:
      - Further C(config_opts) keys, each rendered as C(config_opts[KEY] = VALUE) with the value as a Python literal
        (strings, numbers, booleans, null, lists and mappings).
      - The keys the collection sets are refused (C(root), C(basedir), C(plugin_conf)).
    type: dict
    default: {}
  plugin_options:
    description:
      - Further C(config_opts['plugin_conf']) keys, for example C(ccache_enable).
      - Keys of the C(lvm_root), C(root_cache) and C(tmpfs) plugins are refused.
    type: dict
    default: {}
  basedir:
    description: mock's C(basedir), always written into the file, so that mock and the modules look in one place.
    type: path
    default: /var/lib/mock
  config_dir:
    description: mock's config directory, where the file, its base and the other configs are.
    type: path
    default: /etc/mock
  owner:
    description: Owner of the file.
    type: str
    default: root
  group:
    description: Group of the file. The C(mock) group exists wherever mock is installed.
    type: str
    default: mock
  mode:
    description:
      - Mode of the file, read as M(ansible.builtin.file) reads it; an octal string (V('0644'), V('644')), an integer
        (an unquoted V(0644) in YAML is the integer 420, mode 0644), or a symbolic mode (V(u=rw,g=r,o=r); relative
        symbolic modes start from 0000).
      - A mode that lets the group or others write the file, or sets setuid, setgid or sticky bits, is refused, as mock
        executes the file as root.
    type: raw
    default: '0644'
  force:
    description:
      - Overwrite or remove a file that does not carry the marker (for example to take over a config written by hand)
        or whose statements disagree with its marker, and skip the root-change and basedir-change checks. A packaged
        config is never a good candidate.
    type: bool
    default: false
  absent_configs:
    description:
      - Names of configs whose files the same run removes (state V(absent)) before this one is written. Their recorded
        roots do not count as taken, so that check mode, where those files still exist, predicts what the real run
        does (a rename in one run).
    type: list
    elements: str
    default: []
  validate_with_mock:
    description:
      - Where mock is installed, load the candidate file with mock's own config loader
        (C(mockbuild.config.simple_load_config), with includes resolved against O(config_dir)) before it replaces the
        live file, read every option value through it (which expands mock's C({{ }}) templates, so a template error is
        a refusal), and require the root it loads with to be this config's. mock itself is not run (it refuses to run
        from the root account). Without mock, the Python parse check alone runs.
    type: bool
    default: true
notes:
  - mock reads C(~/.config/mock/<name>.cfg) before C(<config_dir>/<name>.cfg), and needs C(--configdir) for a config
    directory other than C(/etc/mock).
seealso:
  - module: buildfleet.mock_lvm.mock_config_info
  - module: buildfleet.mock_lvm.build_root
  - module: buildfleet.mock_lvm.thinpool
"""

EXAMPLES = r"""
- name: A Fedora 43 config on the shared pool
  buildfleet.mock_lvm.mock_config:
    name: fedora-43-x86_64-lvm
    base: fedora-43-x86_64
    vg: mock
    pool: shared
    size: 8G
    plugin_options:
      ccache_enable: true

- name: An EPEL-layered config (its root is its name, alma-epel-10-lvm)
  buildfleet.mock_lvm.mock_config:
    name: alma-epel-10-lvm
    base: alma+epel-10-x86_64
    vg: mock
    pool: shared
    size: 8G
    options:
      rpmbuild_networking: false

- name: Remove a config this collection wrote, keeping what it recorded
  buildfleet.mock_lvm.mock_config:
    name: fedora-42-x86_64-lvm
    state: absent
  register: removed

- name: Then remove its build roots (the pool stays)
  buildfleet.mock_lvm.build_root:
    root: "{{ removed.recorded.root }}"
    vg: "{{ removed.recorded.vg }}"
    pool: "{{ removed.recorded.pool }}"
    state: absent
  when: removed.recorded is not none
"""

RETURN = r"""
path:
  description: The config file.
  returned: always
  type: str
  sample: /etc/mock/fedora-43-x86_64-lvm.cfg
root:
  description: The root the file gives mock (with O(state=present)).
  returned: success
  type: str
  sample: fedora-43-x86_64-lvm
recorded:
  description: The identity the file recorded before the run (its marker), or null when it had none or did not exist.
  returned: always
  type: dict
  sample: {name: fedora-43-x86_64-lvm, root: fedora-43-x86_64-lvm, vg: mock, pool: shared, basedir: /var/lib/mock,
           collection_version: 1.0.0}
marker:
  description: The identity the file records after the run (null once removed; the recorded one, version included, when
    the file was not rewritten).
  returned: always
  type: dict
validated_with:
  description: How the new content was checked before it replaced the live file (C(python), or C(mock) for mock's loader).
  returned: when the file was written (not in check mode)
  type: str
commands:
  description: Commands run (in check mode, those that would run).
  returned: always
  type: list
  elements: list
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_config_file import argument_spec, plan_config
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._plan import apply, run_and_exit


def run_module(module, lvm):
    return apply(module, lvm, plan_config(lvm, module.params)).result(module)


def main():
    module = AnsibleModule(
        argument_spec=argument_spec(),
        required_if=[('state', 'present', ('base', 'vg', 'pool', 'size'))],
        supports_check_mode=True,
    )
    run_and_exit(module, run_module)


if __name__ == '__main__':
    main()
