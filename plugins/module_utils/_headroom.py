# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How much room autoextend has: the next step of each pool against the free space of its volume group.

dmeventd grows a monitored pool whose data (or metadata) use passes its autoextend threshold by its
autoextend percent, taken from the volume group's free extents. When the free extents are fewer than that
step, nothing grows and mock refuses to build at 90 % (``lvm_root.py`` ``check_pool_size``). The functions
here only compute, from a ``VolumeGroupReport`` and the pool facts ``_thinpool.pool_facts`` reads (the
autoextend settings come from the pool's profile file); thinpool, thinpool_info and builder_info report
their result as each pool's ``headroom`` and warn with ``room_warning``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import extents_for, human_size
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._thinpool import pool_facts

# More steps than this are reported as this many: the count only has to say "plenty".
MAX_STEPS = 99


def autoextend_active(pool):
    """Whether dmeventd grows the pool: it exists, is monitored and its profile sets a threshold below 100."""
    threshold, percent = pool.get('autoextend_threshold'), pool.get('autoextend_percent')
    return bool(pool.get('exists') and pool.get('monitored') and threshold is not None and threshold < 100
                and percent)


def step_extents(size, metadata_size, percent, extent_size):
    """Extents one autoextend step takes: percent of the data, and of the metadata twice (LVM grows the
    metadata spare with it)."""
    data = extents_for(size * percent / 100.0, extent_size)
    metadata = extents_for(metadata_size * percent / 100.0, extent_size) if metadata_size else 0
    return data + 2 * metadata


def steps_left(pool, free_extents, extent_size):
    """How many successive autoextend steps of this pool alone fit in free_extents (None without autoextend)."""
    if not autoextend_active(pool):
        return None
    size, metadata, percent = pool['size'], pool.get('metadata_size') or 0, pool['autoextend_percent']
    steps = 0
    while steps < MAX_STEPS:
        need = step_extents(size, metadata, percent, extent_size)
        if need > free_extents:
            break
        free_extents -= need
        size, metadata = size * (100 + percent) // 100, metadata * (100 + percent) // 100
        steps += 1
    return steps


def vg_pools(report, profile_dir, current=None):
    """The facts of every thin pool of the VG; `current` (facts of one pool) replaces that pool's."""
    pools = [pool_facts(report, lv, profile_dir) for lv in report.volumes if lv.is_thin_pool]
    if current and current.get('exists'):
        pools = [p for p in pools if p['name'] != current['name']] + [current]
    return pools


def vg_headroom(report, pools, free_extents=None):
    """The VG's free space against the next autoextend step of its pools together."""
    extent = report.extent_size
    free = report.free_extents if free_extents is None else free_extents
    growing = [p for p in pools if autoextend_active(p)]
    steps = dict((p['name'], step_extents(p['size'], p.get('metadata_size'), p['autoextend_percent'], extent))
                 for p in growing)
    need = sum(steps.values())
    return {'vg': report.vg, 'vg_size': report.extent_count * extent, 'vg_free': free * extent,
            'next_steps': need * extent, 'missing': max(0, need - free) * extent,
            'steps': dict((name, count * extent) for name, count in steps.items()),
            'free_extents': free, 'extent_size': extent}


def pool_headroom(vg_room, pool):
    """A pool's `headroom`: the VG's free space, this pool's next step and how many fit, and what the VG
    lacks for the next step of all its pools together."""
    return {'vg_size': vg_room['vg_size'], 'vg_free': vg_room['vg_free'],
            'autoextend_step': vg_room['steps'].get(pool.get('name'), 0),
            'autoextend_steps_left': steps_left(pool, vg_room['free_extents'], vg_room['extent_size']),
            'vg_next_steps': vg_room['next_steps'], 'vg_missing': vg_room['missing']}


def host_headroom(host, pools, profile_dir):
    """Give each existing pool of `pools` (facts from one HostReport) its `headroom`; return the room warnings,
    one per volume group that cannot take the next autoextend step of its pools together."""
    rooms = {}
    for pool in pools:
        report = host.vg(pool['vg'])
        if not pool.get('exists') or report is None:
            continue
        if pool['vg'] not in rooms:
            rooms[pool['vg']] = vg_headroom(report, vg_pools(report, profile_dir))
        pool['headroom'] = pool_headroom(rooms[pool['vg']], pool)
    return [warning for warning in (room_warning(rooms[vg]) for vg in sorted(rooms)) if warning]


def room_warning(vg_room):
    """The finding when the VG cannot take the next step of its pools together; None when it can."""
    if not vg_room['missing']:
        return None
    parts = ', '.join('%s %s' % (name, human_size(size)) for name, size in sorted(vg_room['steps'].items()))
    return ('Volume group %s has %s free, less than the next autoextend step of its thin pools together (%s; '
            '%s in all): %s missing, so dmeventd cannot grow them when they pass their threshold and mock refuses '
            'to build above 90 %%. Add a physical volume (vgextend), remove volumes the group does not need, or '
            'lower autoextend_percent.' % (vg_room['vg'], human_size(vg_room['vg_free']), parts,
                                           human_size(vg_room['next_steps']), human_size(vg_room['missing'])))


def predicted_free_extents(report, before, after):
    """The VG's free extents once a plan that turns pool facts `before` into `after` has run (check mode)."""
    extent = report.extent_size

    def extents(facts, key):
        return extents_for(facts.get(key) or 0, extent)

    if not after.get('exists'):
        return report.free_extents  # removals report no headroom
    if not before.get('exists'):
        # lvcreate takes the data, the metadata and its spare (LVM chooses the metadata size when none is given).
        return report.free_extents - extents(after, 'size') - 2 * max(extents(after, 'metadata_size'), 1)
    return (report.free_extents - (extents(after, 'size') - extents(before, 'size'))
            - 2 * (extents(after, 'metadata_size') - extents(before, 'metadata_size')))
