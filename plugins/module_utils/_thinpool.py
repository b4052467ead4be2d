# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Deciding the state of one LVM thin pool, and its autoextend profile.

``plan_present`` and ``plan_absent`` only read a ``VolumeGroupReport``, the
profile file and the requested options; they return a ``_plan.Plan`` (the
profile write and the LVM commands, and the predicted pool facts), so check
mode runs the same decisions as a real run. ``read_pool`` and ``wanted_pools``
read pools from a ``HostReport`` for thinpool_info.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import (
    LvmError,
    extents_for,
    human_size,
    lvchange,
    lvcreate_thin_pool,
    lvextend_extents,
    lvextend_metadata,
    lv_path,
    lvremove,
    parse_size,
    parse_size_or_percent,
    validate_name,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._plan import Plan, WriteFile

# mock's check_size: a warning above 75 %, refusal to build above 90 %.
WARN_PERCENT = 75.0
REFUSE_PERCENT = 90.0

PROFILE_PREFIX = 'mock_lvm-'
_PROFILE_HEADER = '# Managed by buildfleet.mock_lvm.thinpool: autoextend for %s/%s\n'
_PROFILE_KEY_RE = re.compile(r'^\s*(thin_pool_autoextend_threshold|thin_pool_autoextend_percent)\s*=\s*(\d+)', re.MULTILINE)

CHUNK_MIN = 64 * 1024
CHUNK_MAX = 1024 ** 3

# The options that declare a pool: the thinpool module's, and those of each pool given to builder_info,
# so a pool is read with the same types in both.
POOL_OPTIONS = dict(
    vg=dict(type='str', required=True),
    name=dict(type='str', required=True, aliases=['pool']),
    size=dict(type='str'),
    metadata_size=dict(type='str'),
    chunk_size=dict(type='str'),
    zeroing=dict(type='bool'),
    discards=dict(type='str', choices=['ignore', 'nopassdown', 'passdown']),
    autoextend_threshold=dict(type='int'),
    autoextend_percent=dict(type='int'),
    monitor=dict(type='bool'),
)
DEFAULT_PROFILE_DIR = '/etc/lvm/profile'
# What --diff shows of the pool facts.
DIFF_KEYS = ('exists', 'size', 'metadata_size', 'chunk_size', 'zeroing', 'discards', 'profile',
             'autoextend_threshold', 'autoextend_percent', 'monitored', 'thin_volumes')


def check_pool_params(params):
    """Raise LvmError for pool options the planner cannot take: names, autoextend ranges."""
    validate_name(params['vg'], 'vg', lv=False)
    validate_name(params['name'], 'name')
    threshold = params.get('autoextend_threshold')
    if threshold is not None and not 50 <= threshold <= 100:
        raise LvmError('autoextend_threshold %d is out of range: use 50 to 99 to extend at that use, or 100 to '
                       'disable autoextend.' % threshold)
    percent = params.get('autoextend_percent')
    if percent is not None and percent < 1:
        raise LvmError('autoextend_percent %d must be at least 1.' % percent)


def profile_name(vg, pool):
    return '%s%s-%s' % (PROFILE_PREFIX, vg, pool)


def profile_text(vg, pool, threshold, percent):
    return (_PROFILE_HEADER % (vg, pool)
            + 'activation {\n'
            + '\tthin_pool_autoextend_threshold = %d\n' % threshold
            + '\tthin_pool_autoextend_percent = %d\n' % percent
            + '}\n')


def read_profile(profile_dir, name):
    """Autoextend settings of an LVM profile file, or Nones when absent."""
    settings = {'autoextend_threshold': None, 'autoextend_percent': None}
    if not name:
        return settings
    path = os.path.join(profile_dir, name + '.profile')
    try:
        with open(path) as handle:
            text = handle.read()
    except (IOError, OSError):
        return settings
    for key, value in _PROFILE_KEY_RE.findall(text):
        settings[key.replace('thin_pool_', '')] = int(value)
    return settings


def pool_facts(report, lv, profile_dir):
    """The `pool` dict the module returns, from the report."""
    if lv is None:
        return {'vg': report.vg, 'exists': False}
    facts = {
        'vg': report.vg,
        'name': lv.name,
        'exists': True,
        'size': lv.size,
        'metadata_size': lv.metadata_size,
        'chunk_size': lv.chunk_size,
        'data_percent': lv.data_percent,
        'metadata_percent': lv.metadata_percent,
        'zeroing': lv.zeroing,
        'discards': lv.discards,
        'profile': lv.profile,
        'monitored': lv.monitored,
        'active': lv.active,
        'health': (lv.problem() or ('ok', None))[0],
        'health_problem': pool_problem(report.vg, lv),
        'thin_volumes': [v.name for v in report.thin_volumes(lv.name)],
    }
    facts.update(read_profile(profile_dir, lv.profile))
    return facts


def pool_problem(vg, lv):
    """What is wrong with a thin pool, from lv_attr's health and state, as one sentence; None when nothing is."""
    problem = lv.problem()
    if problem is None:
        return None
    return 'Thin pool %s/%s %s (lv_attr %s).' % (vg, lv.name, problem[1], lv.attr)


def read_pool(host, vg, name, profile_dir):
    """The facts of one pool, with `problem` saying why it cannot be read (None when it exists)."""
    report = host.vg(vg)
    if report is None:
        return {'vg': vg, 'name': name, 'exists': False, 'problem': 'volume group %s does not exist' % vg}
    lv = report.get(name)
    if lv is None or not lv.is_thin_pool:
        problem = ('thin pool %s/%s does not exist' % (vg, name) if lv is None
                   else '%s/%s is a %s, not a thin pool' % (vg, name, lv.kind()))
        return {'vg': vg, 'name': name, 'exists': False, 'problem': problem}
    return dict(pool_facts(report, lv, profile_dir), problem=None)


def wanted_pools(host, pools):
    """(vg, name) of the pools to read: those given, or every thin pool of the host."""
    if pools:
        return [(p['vg'], p['name']) for p in pools]
    return sorted((vg, lv.name) for vg, report in host.vgs.items() for lv in report.volumes if lv.is_thin_pool)


def usage_warnings(facts):
    """What is wrong with the pool, then mock's check_size thresholds, as Ansible warnings."""
    warnings = [facts['health_problem']] if facts.get('health_problem') else []
    for key, what in (('data_percent', 'data'), ('metadata_percent', 'metadata')):
        value = facts.get(key)
        if value is None:
            continue
        where = '%s/%s' % (facts['vg'], facts['name'])
        if value > REFUSE_PERCENT:
            warnings.append('Thin pool %s %s use is %.2f %%, above %d %%: mock (check_size) refuses to build '
                            'until the pool is grown.' % (where, what, value, REFUSE_PERCENT))
        elif value > WARN_PERCENT:
            warnings.append('Thin pool %s %s use is %.2f %%, above %d %%: mock warns, grow the pool or set '
                            'autoextend.' % (where, what, value, WARN_PERCENT))
    return warnings


def _target_extents(kind, value, report, current_extents, what):
    """Extents for a requested size; None when it applies only at creation."""
    if kind == 'bytes':
        return extents_for(value, report.extent_size)
    if kind == 'VG':
        return int(report.extent_count * value / 100)
    if current_extents is not None:
        return None  # N%FREE applies at creation only
    return int(report.free_extents * value / 100)


def _validate_chunk(chunk_size):
    if chunk_size is None:
        return None
    size = parse_size(chunk_size, 'chunk_size', default_unit='k')
    if size % CHUNK_MIN or not CHUNK_MIN <= size <= CHUNK_MAX:
        raise LvmError('chunk_size %r must be a multiple of 64 KiB between 64 KiB and 1 GiB.' % (chunk_size,))
    return size


def _requested(params):
    """The pool settings params ask for, parsed (None where a setting is not asked for)."""
    size = params.get('size')
    size_kind, size_value = parse_size_or_percent(size, 'size') if size else (None, None)
    return {
        'size_kind': size_kind, 'size_value': size_value,
        'chunk_size': _validate_chunk(params.get('chunk_size')),
        'metadata_size': parse_size(params['metadata_size'], 'metadata_size') if params.get('metadata_size') else None,
        'profile': profile_name(params['vg'], params['name']) if params.get('autoextend_threshold') is not None else None,
    }


def plan_present(report, params, profile_dir):
    """Decide what makes the pool match params. Raises LvmError for what cannot be done."""
    vg, name = params['vg'], params['name']
    lv = report.get(name)
    if lv is not None and not lv.is_thin_pool:
        raise LvmError('%s/%s exists but is a %s (lv_attr %s), not a thin pool: choose another pool name; '
                       'this module never replaces an existing volume.' % (vg, name, lv.kind(), lv.attr))
    wanted = _requested(params)
    plan = Plan(pool_facts(report, lv, profile_dir), diff_keys=DIFF_KEYS)
    if wanted['profile']:
        _plan_profile(plan, params, profile_dir)
    if lv is None:
        _plan_create(plan, report, params, wanted)
    else:
        _plan_modify(plan, report, lv, params, wanted)
    return plan


def _plan_profile(plan, params, profile_dir):
    """The autoextend profile file, written before any command when its text differs."""
    vg, name, threshold, percent = params['vg'], params['name'], params['autoextend_threshold'], params['autoextend_percent']
    text = profile_text(vg, name, threshold, percent)
    path = os.path.join(profile_dir, profile_name(vg, name) + '.profile')
    current = None
    if os.path.exists(path):
        with open(path) as handle:
            current = handle.read()
    if current != text:
        plan.steps.append(WriteFile(path, text))
    plan.after.update({'profile': profile_name(vg, name), 'autoextend_threshold': threshold,
                       'autoextend_percent': percent})


def _plan_create(plan, report, params, wanted):
    vg, name = params['vg'], params['name']
    target = lv_path(vg, name)
    if wanted['size_kind'] is None:
        raise LvmError('Thin pool %s does not exist and no size was given: set size (for example 20G, 80%%VG '
                       'or 90%%FREE) to create it.' % target)
    extent = report.extent_size
    extents = _target_extents(wanted['size_kind'], wanted['size_value'], report, None, 'size')
    meta_bytes = extents_for(wanted['metadata_size'], extent) * extent if wanted['metadata_size'] else None
    # The pool also needs its metadata and an equal spare: check with the numbers.
    reserve = 2 * (extents_for(meta_bytes, extent) if meta_bytes else 1)
    if wanted['size_kind'] == 'FREE':
        # N%FREE means "of what is free": leave room for the metadata and its spare, as lvcreate does.
        extents = min(extents, report.free_extents - reserve)
    needed = extents + reserve
    if extents < 1:
        raise LvmError('size %s of thin pool %s is less than one extent (%s) of volume group %s: request a '
                       'larger size.' % (params['size'], target, human_size(extent), vg))
    if needed > report.free_extents:
        raise LvmError('Not enough free space in volume group %s to create thin pool %s: it needs %s (%d extents '
                       'of %s, data plus metadata and its spare) and %s (%d extents) are free. Add a physical '
                       'volume or request a smaller size.'
                       % (vg, name, human_size(needed * extent), needed,
                          human_size(extent), human_size(report.free_bytes), report.free_extents))
    plan.steps.append(lvcreate_thin_pool(vg, name, extents, meta_bytes, wanted['chunk_size'],
                                         zeroing=params.get('zeroing'), discards=params.get('discards') or None,
                                         profile=wanted['profile'], monitor=params.get('monitor')))
    plan.after.update({'name': name, 'exists': True, 'size': extents * extent,
                       'metadata_size': meta_bytes, 'chunk_size': wanted['chunk_size'],
                       'zeroing': params.get('zeroing'), 'discards': params.get('discards'),
                       'monitored': params.get('monitor'), 'thin_volumes': []})


def _plan_modify(plan, report, lv, params, wanted):
    """Grow and change an existing pool; every refusal is collected, and any refusal changes nothing."""
    errors = []
    free = _plan_growth(plan, report, lv, params, wanted, errors)
    _plan_metadata_growth(plan, report, lv, params, wanted, free, errors)
    if wanted['chunk_size'] is not None and wanted['chunk_size'] != lv.chunk_size:
        errors.append('chunk_size %s differs from the pool\'s %s and cannot be changed on an existing pool; '
                      'remove chunk_size from the task or recreate the pool.'
                      % (params['chunk_size'], human_size(lv.chunk_size)))
    _plan_settings(plan, lv, params, wanted, errors)
    if errors:
        raise LvmError('Cannot bring thin pool %s/%s to the requested state, nothing was changed: %s'
                       % (params['vg'], params['name'], ' '.join(errors)))


def _plan_growth(plan, report, lv, params, wanted, errors):
    """lvextend to the requested size; returns the extents left free after it."""
    vg, target, extent = params['vg'], lv_path(params['vg'], params['name']), report.extent_size
    current = lv.size // extent
    free = report.free_extents
    if wanted['size_kind'] is None:
        return free
    size = _target_extents(wanted['size_kind'], wanted['size_value'], report, current, 'size')
    if size is not None and size < current:
        errors.append('size %s is %s, smaller than the pool\'s %s: thin pools cannot shrink; keep the size or '
                      'remove and recreate the pool.' % (params['size'], human_size(size * extent), human_size(lv.size)))
    elif size is not None and size > current:
        if size - current > free:
            errors.append('Not enough free space in volume group %s to grow %s from %s to %s: it needs %d more '
                          'extents (%s) and %d (%s) are free.'
                          % (vg, target, human_size(lv.size), human_size(size * extent), size - current,
                             human_size((size - current) * extent), free, human_size(free * extent)))
        else:
            free -= size - current
            plan.steps.append(lvextend_extents(vg, params['name'], size))
            plan.after['size'] = size * extent
    return free


def _plan_metadata_growth(plan, report, lv, params, wanted, free, errors):
    if wanted['metadata_size'] is None:
        return
    extent, target = report.extent_size, lv_path(params['vg'], params['name'])
    size = extents_for(wanted['metadata_size'], extent) * extent
    if size < lv.metadata_size:
        errors.append('metadata_size %s is smaller than the pool\'s %s: pool metadata cannot shrink.'
                      % (params['metadata_size'], human_size(lv.metadata_size)))
    elif size > lv.metadata_size:
        grow = (size - lv.metadata_size) // extent
        if grow > free:
            errors.append('Not enough free space in volume group %s to grow the metadata of %s by %s.'
                          % (params['vg'], target, human_size(grow * extent)))
        else:
            plan.steps.append(lvextend_metadata(params['vg'], params['name'], size))
            plan.after['metadata_size'] = size


def _plan_settings(plan, lv, params, wanted, errors):
    """lvchange of zeroing, discards, the profile and monitoring, one command each, where they differ."""
    vg, name = params['vg'], params['name']
    target = lv_path(vg, name)
    if params.get('zeroing') is not None and params['zeroing'] != lv.zeroing:
        plan.steps.append(lvchange(vg, name, zeroing=params['zeroing']))
        plan.after['zeroing'] = params['zeroing']
    discards = params.get('discards')
    if discards and discards != lv.discards:
        if lv.active and 'ignore' in (discards, lv.discards):
            errors.append('discards cannot change from %s to %s while %s is active (LVM allows that only on an '
                          'inactive pool): deactivate the pool and its thin volumes first.'
                          % (lv.discards, discards, target))
        else:
            plan.steps.append(lvchange(vg, name, discards=discards))
            plan.after['discards'] = discards
    if wanted['profile'] and lv.profile != wanted['profile']:
        plan.steps.append(lvchange(vg, name, profile=wanted['profile']))
    if params.get('monitor') is not None and params['monitor'] != lv.monitored:
        if not lv.active:
            errors.append('monitoring of %s cannot change while the pool is inactive: activate it first.' % target)
        else:
            plan.steps.append(lvchange(vg, name, monitor=params['monitor']))
            plan.after['monitored'] = params['monitor']


def plan_absent(report, params, profile_dir):
    """Decide the removal of a pool; raise LvmError when it is not allowed."""
    vg, name = params['vg'], params['name']
    lv = report.get(name)
    before = pool_facts(report, lv, profile_dir)
    if lv is None:
        return Plan(before, diff_keys=DIFF_KEYS)
    if not lv.is_thin_pool:
        raise LvmError('%s/%s is a %s (lv_attr %s), not a thin pool: this module removes only thin pools.'
                       % (vg, name, lv.kind(), lv.attr))
    volumes = report.thin_volumes(name)
    if volumes and not params.get('force'):
        raise LvmError('Thin pool %s/%s still holds %d thin volume(s): %s. Remove them first, or set force: true '
                       'to remove them with the pool.' % (vg, name, len(volumes), ', '.join(v.name for v in volumes)))
    in_use = [v.name for v in volumes if v.open]
    if in_use:
        raise LvmError('Thin pool %s/%s has thin volumes that are open (mounted or in use): %s. Nothing was '
                       'removed; unmount them first.' % (vg, name, ', '.join(in_use)))
    return Plan(before, {'vg': vg, 'exists': False}, [lvremove(vg, [v.name for v in volumes] + [name])],
                diff_keys=DIFF_KEYS)
