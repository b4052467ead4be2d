# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Thin snapshots: their facts, retention (shared with build_root), and the thin_snapshot module's planner."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import (
    LvmError,
    lvchange,
    lvchange_activate,
    lvcreate_thin_snapshot,
    lvremove,
    validate_name,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._plan import Plan


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


# ---- the thin_snapshot module's planner

def snapshot_state(report, name):
    """The `snapshot` dict thin_snapshot returns: the facts of name in report, or that it does not exist."""
    lv = report.get(name)
    if lv is None:
        return {'name': name, 'vg': report.vg, 'exists': False}
    return dict(snapshot_facts(lv), exists=True)


def check_snapshot_params(params):
    validate_name(params['vg'], 'vg', lv=False)
    for key in ('origin', 'name'):
        if params[key]:
            validate_name(params[key], key)


def plan_snapshot(report, params):
    """The plan for thin_snapshot's state: present, absent or pruned."""
    planner = {'present': _plan_present, 'absent': _plan_absent, 'pruned': _plan_pruned}[params['state']]
    return planner(report, params)


def _thin_origin(report, params):
    origin = report.get(params['origin'])
    if origin is None:
        raise LvmError('Origin %s/%s does not exist.' % (params['vg'], params['origin']))
    if not origin.is_thin_volume:
        raise LvmError('Origin %s/%s is a %s (lv_attr %s), not a thin volume: this module takes thin snapshots only.'
                       % (params['vg'], params['origin'], origin.kind(), origin.attr))
    return origin


def _check_is_our_snapshot(lv, params):
    if not lv.is_thin_volume or (params['origin'] and lv.origin != params['origin']):
        what = lv.kind() if not lv.is_thin_volume else 'thin volume with origin %s' % (lv.origin or '(none)')
        of = ' of %s' % params['origin'] if params['origin'] else ''
        raise LvmError('%s/%s exists but is a %s, not a thin snapshot%s: it is left alone; choose another name.'
                       % (params['vg'], lv.name, what, of))


def _plan_present(report, params):
    vg, name = params['vg'], params['name']
    skip = params['activation_skip']
    lv = report.get(name)
    plan = Plan(snapshot_state(report, name))
    if lv is None:
        origin = _thin_origin(report, params)
        plan.after = {'name': name, 'vg': vg, 'exists': True, 'origin': origin.name, 'pool': origin.pool,
                      'size': origin.size, 'creation_time': None, 'data_percent': None, 'active': not skip,
                      'open': False, 'activation_skip': skip}
        plan.steps.append(lvcreate_thin_snapshot(vg, origin.name, name, skip))
        return plan
    _check_is_our_snapshot(lv, params)
    if lv.activation_skip != skip:
        plan.after['activation_skip'] = skip
        plan.steps.append(lvchange(vg, name, activation_skip=skip))
    if not skip and not lv.active:
        # Without the flag a snapshot is an ordinary volume: active, as when created with it off.
        plan.after['active'] = True
        plan.steps.append(lvchange_activate(vg, name))
    return plan


def _plan_absent(report, params):
    vg, name = params['vg'], params['name']
    lv = report.get(name)
    plan = Plan(snapshot_state(report, name))
    if lv is None:
        return plan
    _check_is_our_snapshot(lv, params)
    if lv.open:
        raise LvmError('Snapshot %s/%s is open (mounted or in use): nothing was removed; unmount it first.' % (vg, name))
    plan.after = {'name': name, 'vg': vg, 'exists': False}
    plan.steps.append(lvremove(vg, [name]))
    return plan


def _plan_pruned(report, params):
    vg, keep = params['vg'], params['keep']
    if not params['prefix']:
        raise LvmError('prefix must not be empty: an empty prefix would match every volume of %s.' % vg)
    protected = set(params['protect']) | (set([params['origin']]) if params['origin'] else set())
    retention = plan_retention(report.volumes, params['prefix'], keep, protected)
    if retention.skipped and params['strict']:
        raise LvmError('Snapshots to prune are open or mounted: %s. Nothing was removed (strict: true).'
                       % ', '.join(lv.name for lv in retention.skipped))
    staying = retention.kept + retention.skipped
    plan = Plan({'snapshots': sorted(lv.name for lv in staying + retention.removed)},
                {'snapshots': sorted(lv.name for lv in staying)})
    if retention.removed:
        plan.steps.append(lvremove(vg, [lv.name for lv in retention.removed]))
    plan.details = retention.as_result()
    plan.warnings = ['Kept %s/%s although it is beyond keep=%d: it is open or mounted.' % (vg, lv.name, keep)
                     for lv in retention.skipped]
    return plan
