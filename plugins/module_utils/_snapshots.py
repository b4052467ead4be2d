# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Thin snapshot facts and retention, shared by the thin_snapshot and build_root modules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import LvmError


def snapshot_facts(lv):
    """What the modules return for one thin volume."""
    return {
        'name': lv.name,
        'vg': lv.vg,
        'origin': lv.origin,
        'pool': lv.pool,
        'size': lv.size,
        'creation_time': lv.creation_time,
        'data_percent': lv.data_percent,
        'active': lv.active,
        'open': lv.open,
        'activation_skip': lv.activation_skip,
    }


class Retention(object):
    """Which snapshots matching a prefix to keep, remove, or skip."""

    def __init__(self, kept, removed, skipped):
        self.kept = kept
        self.removed = removed
        self.skipped = skipped

    def as_result(self):
        return {
            'kept': [snapshot_facts(lv) for lv in self.kept],
            'removed': [snapshot_facts(lv) for lv in self.removed],
            'skipped': [snapshot_facts(lv) for lv in self.skipped],
        }


def plan_retention(volumes, prefix, keep, protected=()):
    """Keep the newest `keep` thin volumes whose name starts with prefix.

    Ordered by LVM's creation time (newest first; the name breaks ties), never
    by name alone. Volumes in `protected` and open volumes are never removed:
    protected ones count as kept, open ones are skipped.
    """
    if keep < 0:
        raise LvmError('keep %d must be 0 or more.' % keep)
    candidates = [lv for lv in volumes if lv.is_thin_volume and lv.name.startswith(prefix)]
    candidates.sort(key=lambda lv: (lv.creation_time or 0, lv.name), reverse=True)
    kept, removed, skipped = [], [], []
    for index, lv in enumerate(candidates):
        if index < keep or lv.name in protected:
            kept.append(lv)
        elif lv.open:
            skipped.append(lv)
        else:
            removed.append(lv)
    return Retention(kept, removed, skipped)
