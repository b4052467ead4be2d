# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Thin snapshots: their facts, retention (shared with build_root), and the thin_snapshot module's planner."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import (
    LvmError,
    lvchange,
    lvchange_activate,
    lvcreate_thin_snapshot,
    lvremove,
    validate_name,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_layout import PREFIX, snapinfo_names
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
    """Which snapshots matching a prefix to keep, remove, or skip, and why each kept one beyond keep stays."""

    def __init__(self, kept, removed, skipped, reasons=None):
        self.kept = kept
        self.removed = removed
        self.skipped = skipped
        self.reasons = reasons or {}

    def as_result(self):
        return {
            'kept': [snapshot_facts(lv) for lv in self.kept],
            'removed': [snapshot_facts(lv) for lv in self.removed],
            'skipped': [snapshot_facts(lv) for lv in self.skipped],
            'kept_because': dict(self.reasons),
        }


def plan_retention(volumes, prefix, keep, protected=(), current=(), everyone=None):
    """The one retention rule of build_root (keep_updates) and thin_snapshot (state=pruned).

    Keep the newest `keep` thin volumes whose name starts with prefix, ordered by LVM's creation time (newest
    first; the name breaks ties), never by name alone. Beyond those, never remove:
    - a snapshot a mock .snapinfo file names (`current`): mock starts that chroot from it, and without it falls
      back to postinit silently (lvm_root.py get_current_snapshot);
    - a volume in `protected` (an option's names, the origin given);
    - the origin of another volume of the VG (a working volume or snapshot was made from it);
    those count as kept, with the reason in Retention.reasons; and
    - an open volume (mounted or in use): skipped.
    Origins are looked up among `everyone` (every volume of the VG; default `volumes`).
    """
    if keep < 0:
        raise LvmError('keep %d must be 0 or more.' % keep)
    candidates = [lv for lv in volumes if lv.is_thin_volume and lv.name.startswith(prefix)]
    candidates.sort(key=lambda lv: (lv.creation_time or 0, lv.name), reverse=True)
    origins = {}
    for lv in sorted(everyone if everyone is not None else volumes, key=lambda lv: lv.name):
        if lv.origin:
            origins.setdefault(lv.origin, lv.name)
    kept, removed, skipped, reasons = [], [], [], {}
    for index, lv in enumerate(candidates):
        reason = None if index < keep else _kept_because(lv, set(current), set(protected), origins)
        if index < keep or reason:
            kept.append(lv)
            if reason:
                reasons[lv.name] = reason
        elif lv.open:
            skipped.append(lv)
        else:
            removed.append(lv)
    return Retention(kept, removed, skipped, reasons)


def _kept_because(lv, current, protected, origins):
    if lv.name in current:
        return 'current: a mock .snapinfo file names it'
    if lv.name in protected:
        return 'protected'
    if lv.name in origins:
        return 'origin of %s' % origins[lv.name]
    return None


def remove_each(vg, names):
    """One lvremove per volume, so a failure leaves no doubt which went (apply names the steps done)."""
    return [lvremove(vg, [name]) for name in names]


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
    basedir = mock_basedir(params)
    current = snapinfo_names(basedir) if basedir else {}
    retention = plan_retention(report.volumes, params['prefix'], keep, protected, [v for v in current.values() if v])
    if retention.skipped and params['strict']:
        raise LvmError('Snapshots to prune are open or mounted: %s. Nothing was removed (strict: true).'
                       % ', '.join(lv.name for lv in retention.skipped))
    staying = retention.kept + retention.skipped
    plan = Plan({'snapshots': sorted(lv.name for lv in staying + retention.removed)},
                {'snapshots': sorted(lv.name for lv in staying)})
    plan.steps += remove_each(vg, [lv.name for lv in retention.removed])
    plan.details = retention.as_result()
    plan.details['snapinfo_files'] = sorted(current)
    plan.warnings = ['Kept %s/%s although it is beyond keep=%d: it is open or mounted.' % (vg, lv.name, keep)
                     for lv in retention.skipped]
    if basedir is None and params['prefix'].startswith(PREFIX + '.'):
        plan.warnings.append('No mock .snapinfo file was read (set mock_basedir, or lock_file in mock\'s basedir): '
                             'a snapshot mock starts a chroot from is not known and may be removed.')
    return plan


def mock_basedir(params):
    """Where thin_snapshot reads mock's .snapinfo files: mock_basedir, else the directory of lock_file (mock keeps
    its lock files in its basedir), else nowhere."""
    if params.get('mock_basedir'):
        if not os.path.isdir(params['mock_basedir']):
            raise LvmError('mock_basedir %s is not a directory: give mock\'s basedir (config_opts[\'basedir\'], '
                           'default /var/lib/mock), where its .snapinfo files are.' % params['mock_basedir'])
        return params['mock_basedir']
    if params.get('lock_file'):
        return os.path.dirname(params['lock_file'])
    return None
