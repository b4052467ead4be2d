# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Attributes every module of this collection shares: full check and diff mode on POSIX hosts."""

    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
"""

    # For the read-only _info modules: they change nothing, so there is no diff to show.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying target.
    support: full
    details: This module changes nothing, in check mode or not.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
"""

    # The `pools` option of builder_info and thinpool_info: declared pools as the thinpool module takes them.
    POOLS = r"""
options:
  pools:
    description:
      - Thin pools, each with the options of M(buildfleet.mock_lvm.thinpool) for O(buildfleet.mock_lvm.thinpool#module:state=present),
        so the builder role's C(builder_thin_pools) can be passed as they are.
    type: list
    elements: dict
    default: []
    suboptions:
      vg: {description: "Volume group.", type: str, required: true}
      name: {description: "Pool name.", type: str, required: true, aliases: [pool]}
      size: {description: "Data size.", type: str}
      metadata_size: {description: "Metadata size.", type: str}
      chunk_size: {description: "Chunk size.", type: str}
      zeroing: {description: "Zero new blocks.", type: bool}
      discards: {description: "Discards mode.", type: str, choices: [ignore, nopassdown, passdown]}
      autoextend_threshold: {description: "Autoextend threshold in percent; requires C(autoextend_percent).", type: int}
      autoextend_percent: {description: "Autoextend step in percent; requires C(autoextend_threshold).", type: int}
      monitor: {description: "dmeventd monitoring.", type: bool}
  profile_dir:
    description: Directory of LVM profiles (LVM's C(config/profile_dir)), where a pool's autoextend profile is read.
    type: path
    default: /etc/lvm/profile
"""

    # The options that name one mock root's family: build_root and build_root_info (FAMILY_OPTIONS in _build_root).
    FAMILY = r"""
options:
  root:
    description: The config's C(config_opts['root']), for example C(fedora-43-x86_64).
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
  basedir:
    description: mock's C(config_opts['basedir']), where its lock and bookkeeping files live.
    type: path
    default: /var/lib/mock
  other_roots:
    description: More roots that share the pool, so that their volumes are never counted as this root's.
    type: list
    elements: str
    default: []
"""
