# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Table-driven tests of buildfleet.mock_lvm.thinpool, fed by lvs/vgs reports captured from lvm2 2.03.16.

The captured states (see tests/unit/fixtures/capture_lvm_reports.sh): VG "fixture" of 1023 extents of 4 MiB;
pool "mockpool" 512 MiB (128 extents), metadata 8 MiB, chunk 128 KiB, zeroing off, discards passdown.
  empty_vg           no LV (the module then reads vgs: empty_vg_vgs, 1023 free extents)
  pool_only          the pool, monitored, no profile, 891 free extents
  pool_with_volumes  + profile mock_lvm-fixture-mockpool attached, a linear LV "linear", thin volumes
                     thin1 (open: mounted), snap_active, snap_default (activation skip); 875 free extents
  pool_unmonitored   the same with thin1 unmounted and the pool no longer monitored
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.buildfleet.mock_lvm.plugins.modules import thinpool

MIB, GIB = 1024 ** 2, 1024 ** 3
POOL = 'fixture/mockpool'
PROFILE_FILE = 'mock_lvm-fixture-mockpool.profile'
DIFF_KEYS = set(['exists', 'size', 'metadata_size', 'chunk_size', 'zeroing', 'discards', 'profile',
                 'autoextend_threshold', 'autoextend_percent', 'monitored', 'thin_volumes'])
CREATE = ['lvcreate', '--type', 'thin-pool']


def profile_text(threshold, percent):
    """What the module writes, spelled out independently of the module."""
    return ('# Managed by buildfleet.mock_lvm.thinpool: autoextend for fixture/mockpool\n'
            'activation {\n'
            '\tthin_pool_autoextend_threshold = %d\n'
            '\tthin_pool_autoextend_percent = %d\n'
            '}\n' % (threshold, percent))


# The file capture_lvm_reports.sh writes by hand: same values, no header line.
HAND_WRITTEN_PROFILE = 'activation {\n\tthin_pool_autoextend_threshold = 80\n\tthin_pool_autoextend_percent = 20\n}\n'

INACTIVE_POOL = {'mockpool': {'lv_attr': 'twi---t---', 'data_percent': '', 'metadata_percent': '',
                              'seg_monitor': ''}}
ALL_VOLUMES = ('mockpool', 'thin1', 'snap_active', 'snap_default')
CREATED = {'exists', 'size', 'thin_volumes'}
REMOVED = {'exists', 'size', 'metadata_size', 'chunk_size', 'zeroing', 'discards', 'monitored', 'thin_volumes'}

# Each case:
#   id, fixture (lvs output: a report name or (name, changes[, drop])), vgs (vgs output, when the module reads it),
#   reread (lvs output after a change; default: fixture), args (added to vg=fixture name=mockpool),
#   profile (text of an existing profile file), and either
#     error: substrings of the failure message; reads: tools run before failing (default lvs[, vgs])
#   or
#     changed, commands: the mutating commands in order; diff: the keys whose before/after differ;
#     after: a subset of the predicted `pool`; profile_after: the profile file's text after the run.
CASES = [
    # ---- create
    dict(id='create-absolute-all-options', fixture='empty_vg', vgs='empty_vg_vgs', reread='pool_only',
         args=dict(size='512M', metadata_size='8M', chunk_size='128K', zeroing=False, discards='passdown', monitor=True),
         changed=True,
         commands=[CREATE + ['-l', '128', '-n', 'mockpool', '--poolmetadatasize', '8388608b', '--chunksize', '131072b',
                             '-Z', 'n', '--discards', 'passdown', '--monitor', 'y', 'fixture']],
         diff=CREATED | {'metadata_size', 'chunk_size', 'zeroing', 'discards', 'monitored'},
         after=dict(exists=True, name='mockpool', size=512 * MIB, metadata_size=8 * MIB, chunk_size=128 * 1024,
                    zeroing=False, discards='passdown', monitored=True, thin_volumes=[])),
    dict(id='create-size-only', fixture='empty_vg', vgs='empty_vg_vgs', reread='pool_only',
         args=dict(size='1G'), changed=True,
         commands=[CREATE + ['-l', '256', '-n', 'mockpool', 'fixture']], diff=CREATED,
         after=dict(exists=True, size=GIB, metadata_size=None)),
    dict(id='create-bare-number-is-mib', fixture='empty_vg', vgs='empty_vg_vgs', args=dict(size='100'), changed=True,
         commands=[CREATE + ['-l', '25', '-n', 'mockpool', 'fixture']], diff=CREATED),
    dict(id='create-rounds-up-to-extents', fixture='empty_vg', vgs='empty_vg_vgs',
         args=dict(size='10M', metadata_size='5M'), changed=True,
         commands=[CREATE + ['-l', '3', '-n', 'mockpool', '--poolmetadatasize', '8388608b', 'fixture']],
         diff=CREATED | {'metadata_size'}, after=dict(size=12 * MIB, metadata_size=8 * MIB)),
    dict(id='create-percent-vg', fixture='empty_vg', vgs='empty_vg_vgs', args=dict(size='80%VG'), changed=True,
         commands=[CREATE + ['-l', '818', '-n', 'mockpool', 'fixture']], diff=CREATED),
    dict(id='create-percent-free', fixture='empty_vg', vgs='empty_vg_vgs', args=dict(size='50%FREE'), changed=True,
         commands=[CREATE + ['-l', '511', '-n', 'mockpool', 'fixture']], diff=CREATED),
    dict(id='create-percent-free-in-used-vg', fixture='pool_with_volumes', args=dict(name='pool2', size='50%FREE'),
         changed=True, commands=[CREATE + ['-l', '437', '-n', 'pool2', 'fixture']], diff=CREATED),
    dict(id='create-percent-vg-in-used-vg', fixture='pool_with_volumes', args=dict(name='pool2', size='10%VG'),
         changed=True, commands=[CREATE + ['-l', '102', '-n', 'pool2', 'fixture']], diff=CREATED),
    dict(id='create-zeroing-ignore-unmonitored', fixture='empty_vg', vgs='empty_vg_vgs',
         args=dict(size='512M', zeroing=True, discards='ignore', monitor=False), changed=True,
         commands=[CREATE + ['-l', '128', '-n', 'mockpool', '-Z', 'y', '--discards', 'ignore', '--monitor', 'n',
                             'fixture']],
         diff=CREATED | {'zeroing', 'discards', 'monitored'}),
    dict(id='create-chunk-bounds', fixture='empty_vg', vgs='empty_vg_vgs', args=dict(size='512M', chunk_size='1G'),
         changed=True, commands=[CREATE + ['-l', '128', '-n', 'mockpool', '--chunksize', '1073741824b', 'fixture']],
         diff=CREATED | {'chunk_size'}),
    dict(id='create-with-profile', fixture='empty_vg', vgs='empty_vg_vgs',
         args=dict(size='512M', autoextend_threshold=80, autoextend_percent=20), changed=True,
         commands=[CREATE + ['-l', '128', '-n', 'mockpool', '--metadataprofile', 'mock_lvm-fixture-mockpool',
                             'fixture']],
         profile_after=profile_text(80, 20),
         diff=CREATED | {'profile', 'autoextend_threshold', 'autoextend_percent'},
         after=dict(profile='mock_lvm-fixture-mockpool', autoextend_threshold=80, autoextend_percent=20)),
    dict(id='create-via-pool-alias', fixture='empty_vg', vgs='empty_vg_vgs', args=dict(pool='mockpool', size='1G'),
         changed=True, commands=[CREATE + ['-l', '256', '-n', 'mockpool', 'fixture']], diff=CREATED),
    dict(id='create-without-size', fixture='empty_vg', vgs='empty_vg_vgs', args=dict(metadata_size='8M'),
         error=['Thin pool fixture/mockpool does not exist and no size was given: set size']),
    dict(id='create-too-big', fixture='empty_vg', vgs='empty_vg_vgs', args=dict(size='4G'),
         error=['Not enough free space in volume group fixture to create thin pool mockpool: it needs 4.01 GiB '
                '(1026 extents of 4.00 MiB, data plus metadata and its spare) and 4.00 GiB (1023 extents) are free.']),
    dict(id='create-too-big-with-metadata', fixture='empty_vg', vgs='empty_vg_vgs',
         args=dict(size='4000M', metadata_size='64M'),
         error=['it needs 4.03 GiB (1032 extents of 4.00 MiB', '(1023 extents) are free']),
    dict(id='create-all-free-leaves-room-for-metadata-and-spare', fixture='empty_vg', vgs='empty_vg_vgs',
         args=dict(size='100%FREE'), changed=True, commands=[CREATE + ['-l', '1021', '-n', 'mockpool', 'fixture']],
         diff=CREATED),
    dict(id='create-too-big-in-used-vg', fixture='pool_with_volumes', args=dict(name='pool2', size='4G'),
         error=['to create thin pool pool2: it needs 4.01 GiB (1026 extents', 'and 3.42 GiB (875 extents) are free']),
    dict(id='create-less-than-one-extent', fixture='empty_vg', vgs='empty_vg_vgs', args=dict(size='0.01%FREE'),
         error=['size 0.01%FREE of thin pool fixture/mockpool is less than one extent (4.00 MiB) of volume group '
                'fixture']),
    dict(id='create-invalid-chunk', fixture='empty_vg', vgs='empty_vg_vgs', args=dict(size='1G', chunk_size='96K'),
         error=["chunk_size '96K' must be a multiple of 64 KiB between 64 KiB and 1 GiB."]),

    # ---- the name is taken by something else
    dict(id='present-on-linear-lv', fixture='pool_with_volumes', args=dict(name='linear', size='64M'),
         error=['fixture/linear exists but is a linear or striped volume (lv_attr -wi-a-----), not a thin pool',
                'this module never replaces an existing volume']),
    dict(id='present-on-thin-volume', fixture='pool_with_volumes', args=dict(name='thin1'),
         error=['fixture/thin1 exists but is a thin volume (lv_attr Vwi-aot---), not a thin pool']),

    # ---- no change: exactly one lvs
    dict(id='noop-no-options', fixture='pool_only', args={}, changed=False, commands=[], diff=set()),
    dict(id='noop-same-size', fixture='pool_only', args=dict(size='512M'), changed=False, commands=[], diff=set()),
    dict(id='noop-same-size-in-bytes', fixture='pool_only', args=dict(size='536870912b'), changed=False,
         commands=[], diff=set()),
    dict(id='noop-size-rounds-to-same-extents', fixture='pool_only', args=dict(size='510M'), changed=False,
         commands=[], diff=set(), after=dict(size=512 * MIB)),
    dict(id='noop-percent-free-ignored-on-existing', fixture='pool_only', args=dict(size='100%FREE'), changed=False,
         commands=[], diff=set()),
    dict(id='noop-metadata-rounds-to-same-extents', fixture='pool_only', args=dict(metadata_size='7M'),
         changed=False, commands=[], diff=set()),
    dict(id='noop-same-chunk-other-unit', fixture='pool_only', args=dict(chunk_size='0.125M'), changed=False,
         commands=[], diff=set()),
    dict(id='noop-everything-matches', fixture='pool_with_volumes',
         args=dict(size='512M', metadata_size='8M', chunk_size='128K', zeroing=False, discards='passdown',
                   monitor=True, autoextend_threshold=80, autoextend_percent=20),
         profile=profile_text(80, 20), changed=False, commands=[], diff=set(), profile_after=profile_text(80, 20),
         after=dict(autoextend_threshold=80, autoextend_percent=20, thin_volumes=['snap_active', 'snap_default',
                                                                                  'thin1'])),
    dict(id='noop-unmonitored-stays-unmonitored', fixture='pool_unmonitored', args=dict(monitor=False),
         changed=False, commands=[], diff=set()),

    # ---- grow
    dict(id='grow-data', fixture='pool_only', args=dict(size='1G'), changed=True,
         commands=[['lvextend', '-l', '256', POOL]], diff={'size'}, after=dict(size=GIB)),
    dict(id='grow-data-percent-vg', fixture='pool_only', args=dict(size='50%VG'), changed=True,
         commands=[['lvextend', '-l', '511', POOL]], diff={'size'}),
    dict(id='grow-data-to-all-free-extents', fixture='pool_only', args=dict(size='4076M'), changed=True,
         commands=[['lvextend', '-l', '1019', POOL]], diff={'size'}),
    dict(id='grow-data-one-extent-too-many', fixture='pool_only', args=dict(size='4080M'),
         error=['it needs 892 more extents (3.48 GiB) and 891 (3.48 GiB) are free.']),
    dict(id='grow-data-too-much', fixture='pool_only', args=dict(size='4G'),
         error=['Not enough free space in volume group fixture to grow fixture/mockpool from 512.00 MiB to 4.00 GiB: '
                'it needs 896 more extents (3.50 GiB) and 891 (3.48 GiB) are free.']),
    dict(id='grow-metadata', fixture='pool_only', args=dict(metadata_size='16M'), changed=True,
         commands=[['lvextend', '--poolmetadatasize', '16777216b', POOL]], diff={'metadata_size'},
         after=dict(metadata_size=16 * MIB, size=512 * MIB)),
    dict(id='grow-data-and-metadata', fixture='pool_only', args=dict(size='1G', metadata_size='16M'), changed=True,
         commands=[['lvextend', '-l', '256', POOL], ['lvextend', '--poolmetadatasize', '16777216b', POOL]],
         diff={'size', 'metadata_size'}),
    dict(id='grow-metadata-after-data-leaves-too-little', fixture='pool_only',
         args=dict(size='4000M', metadata_size='100M'),
         error=['Not enough free space in volume group fixture to grow the metadata of fixture/mockpool by '
                '92.00 MiB.']),

    # ---- sizes are floors: a declared size below the pool's is met, nothing runs, `floors` says why
    dict(id='floor-data', fixture='pool_only', args=dict(size='256M'), changed=False, commands=[], diff=set(),
         after=dict(size=512 * MIB),
         floors=[('size', '256M', 256 * MIB, 512 * MIB, 'grown beyond the declared size earlier')]),
    dict(id='floor-data-by-one-extent', fixture='pool_only', args=dict(size='508M'), changed=False, commands=[],
         diff=set(), floors=[('size', '508M', 508 * MIB, 512 * MIB,
                              "size 508M is 508.00 MiB and the pool's is 512.00 MiB")]),
    dict(id='floor-data-percent-vg', fixture='pool_only', args=dict(size='10%VG'), changed=False, commands=[],
         diff=set(), floors=[('size', '10%VG', 408 * MIB, 512 * MIB, 'a declared size is a minimum')]),
    dict(id='floor-data-percent-free-is-creation-only', fixture='pool_only', args=dict(size='1%FREE'), changed=False,
         commands=[], diff=set(), floors=[]),
    dict(id='floor-metadata', fixture='pool_only', args=dict(metadata_size='4M'), changed=False, commands=[],
         diff=set(), floors=[('metadata_size', '4M', 4 * MIB, 8 * MIB, 'thin pools never shrink')]),
    dict(id='floor-data-grown-by-autoextend', fixture='pool_with_volumes', profile=profile_text(80, 20),
         args=dict(size='256M', metadata_size='4M', autoextend_threshold=80, autoextend_percent=20, monitor=True),
         changed=False, commands=[], diff=set(), profile_after=profile_text(80, 20),
         floors=[('size', '256M', 256 * MIB, 512 * MIB,
                  'autoextend grew it (dmeventd grows the pool by 20 % at 80 % use)'),
                 ('metadata_size', '4M', 4 * MIB, 8 * MIB, 'autoextend grew it')]),
    dict(id='floor-data-but-metadata-grows', fixture='pool_only', args=dict(size='256M', metadata_size='16M'),
         changed=True, commands=[['lvextend', '--poolmetadatasize', '16777216b', POOL]], diff={'metadata_size'},
         after=dict(size=512 * MIB, metadata_size=16 * MIB),
         floors=[('size', '256M', 256 * MIB, 512 * MIB, 'a declared size is a minimum')]),
    dict(id='floor-metadata-but-data-grows', fixture='pool_only', args=dict(size='1G', metadata_size='4M'),
         changed=True, commands=[['lvextend', '-l', '256', POOL]], diff={'size'}, after=dict(size=GIB),
         floors=[('metadata_size', '4M', 4 * MIB, 8 * MIB, 'a declared size is a minimum')]),
    dict(id='floor-does-not-hide-other-refusals', fixture='pool_only',
         args=dict(size='256M', metadata_size='4000M', chunk_size='256K', discards='ignore'),
         error=['Cannot bring thin pool fixture/mockpool to the requested state, nothing was changed: ',
                'Not enough free space in volume group fixture to grow the metadata of fixture/mockpool',
                "chunk_size 256K differs from the pool's 128.00 KiB",
                'discards cannot change from passdown to ignore'],
         absent=['shrink', 'floor', 'minimum']),

    # ---- chunk size
    dict(id='chunk-size-differs', fixture='pool_only', args=dict(chunk_size='256K'),
         error=["chunk_size 256K differs from the pool's 128.00 KiB and cannot be changed on an existing pool"]),
    dict(id='chunk-size-not-multiple-of-64k', fixture='pool_only', args=dict(chunk_size='100K'),
         error=["chunk_size '100K' must be a multiple of 64 KiB between 64 KiB and 1 GiB."]),
    dict(id='chunk-size-below-64k', fixture='pool_only', args=dict(chunk_size='32K'),
         error=["chunk_size '32K' must be a multiple of 64 KiB"]),
    dict(id='chunk-size-above-1g', fixture='pool_only', args=dict(chunk_size='2G'),
         error=["chunk_size '2G' must be a multiple of 64 KiB"]),
    dict(id='chunk-size-not-a-size', fixture='pool_only', args=dict(chunk_size='big'),
         error=["chunk_size 'big' is not a size"]),
    dict(id='chunk-size-zero', fixture='pool_only', args=dict(chunk_size='0K'),
         error=["chunk_size '0K' must be larger than zero."]),

    # ---- zeroing
    dict(id='zeroing-on', fixture='pool_only', args=dict(zeroing=True), changed=True,
         commands=[['lvchange', '-Z', 'y', POOL]], diff={'zeroing'}, after=dict(zeroing=True)),
    dict(id='zeroing-off', fixture=('pool_only', {'mockpool': {'lv_attr': 'twi-a-tz--', 'zero': 'zero'}}),
         args=dict(zeroing=False), changed=True, commands=[['lvchange', '-Z', 'n', POOL]], diff={'zeroing'}),
    dict(id='zeroing-already-off', fixture='pool_only', args=dict(zeroing=False), changed=False, commands=[],
         diff=set()),

    # ---- discards
    dict(id='discards-passdown-to-nopassdown', fixture='pool_only', args=dict(discards='nopassdown'), changed=True,
         commands=[['lvchange', '--discards', 'nopassdown', POOL]], diff={'discards'}),
    dict(id='discards-nopassdown-to-passdown', fixture=('pool_only', {'mockpool': {'discards': 'nopassdown'}}),
         args=dict(discards='passdown'), changed=True, commands=[['lvchange', '--discards', 'passdown', POOL]],
         diff={'discards'}),
    dict(id='discards-to-ignore-on-active-pool', fixture='pool_only', args=dict(discards='ignore'),
         error=['discards cannot change from passdown to ignore while fixture/mockpool is active',
                'deactivate the pool and its thin volumes first']),
    dict(id='discards-from-ignore-on-active-pool', fixture=('pool_only', {'mockpool': {'discards': 'ignore'}}),
         args=dict(discards='passdown'),
         error=['discards cannot change from ignore to passdown while fixture/mockpool is active']),
    dict(id='discards-to-ignore-on-inactive-pool', fixture=('pool_only', INACTIVE_POOL), args=dict(discards='ignore'),
         changed=True, commands=[['lvchange', '--discards', 'ignore', POOL]], diff={'discards'}),
    dict(id='discards-unchanged', fixture='pool_only', args=dict(discards='passdown'), changed=False, commands=[],
         diff=set()),

    # ---- autoextend profile
    dict(id='profile-write-and-attach', fixture='pool_only', args=dict(autoextend_threshold=80, autoextend_percent=20),
         changed=True, commands=[['lvchange', '--metadataprofile', 'mock_lvm-fixture-mockpool', POOL]],
         profile_after=profile_text(80, 20), diff={'profile', 'autoextend_threshold', 'autoextend_percent'},
         after=dict(profile='mock_lvm-fixture-mockpool', autoextend_threshold=80, autoextend_percent=20)),
    dict(id='profile-file-present-not-attached', fixture='pool_only', profile=profile_text(80, 20),
         args=dict(autoextend_threshold=80, autoextend_percent=20), changed=True,
         commands=[['lvchange', '--metadataprofile', 'mock_lvm-fixture-mockpool', POOL]],
         profile_after=profile_text(80, 20), diff={'profile', 'autoextend_threshold', 'autoextend_percent'}),
    dict(id='profile-identical-and-attached', fixture='pool_with_volumes', profile=profile_text(80, 20),
         args=dict(autoextend_threshold=80, autoextend_percent=20), changed=False, commands=[],
         profile_after=profile_text(80, 20), diff=set()),
    dict(id='profile-new-threshold-rewrites-file-only', fixture='pool_with_volumes', profile=HAND_WRITTEN_PROFILE,
         args=dict(autoextend_threshold=70, autoextend_percent=20), changed=True, commands=[],
         profile_after=profile_text(70, 20), diff={'autoextend_threshold'},
         after=dict(autoextend_threshold=70, autoextend_percent=20)),
    dict(id='profile-hand-written-same-values-is-taken-over', fixture='pool_with_volumes',
         profile=HAND_WRITTEN_PROFILE, args=dict(autoextend_threshold=80, autoextend_percent=20), changed=True,
         commands=[], profile_after=profile_text(80, 20), diff=set()),
    dict(id='profile-threshold-100-disables', fixture='pool_only',
         args=dict(autoextend_threshold=100, autoextend_percent=1), changed=True,
         commands=[['lvchange', '--metadataprofile', 'mock_lvm-fixture-mockpool', POOL]],
         profile_after=profile_text(100, 1), diff={'profile', 'autoextend_threshold', 'autoextend_percent'}),
    dict(id='profile-threshold-49', fixture='pool_only', args=dict(autoextend_threshold=49, autoextend_percent=20),
         reads=[], error=['autoextend_threshold 49 is out of range: use 50 to 99 to extend at that use, or 100 to '
                          'disable autoextend.']),
    dict(id='profile-threshold-101', fixture='pool_only', args=dict(autoextend_threshold=101, autoextend_percent=20),
         reads=[], error=['autoextend_threshold 101 is out of range']),
    dict(id='profile-percent-0', fixture='pool_only', args=dict(autoextend_threshold=80, autoextend_percent=0),
         reads=[], error=['autoextend_percent 0 must be at least 1.']),
    dict(id='profile-threshold-without-percent', fixture='pool_only', args=dict(autoextend_threshold=80),
         reads=[], error=['parameters are required together: autoextend_threshold, autoextend_percent']),
    dict(id='profile-percent-without-threshold', fixture='pool_only', args=dict(autoextend_percent=20),
         reads=[], error=['parameters are required together: autoextend_threshold, autoextend_percent']),

    # ---- monitoring
    dict(id='monitor-on', fixture='pool_unmonitored', args=dict(monitor=True), changed=True,
         commands=[['lvchange', '--monitor', 'y', POOL]], diff={'monitored'}, after=dict(monitored=True)),
    dict(id='monitor-off', fixture='pool_only', args=dict(monitor=False), changed=True,
         commands=[['lvchange', '--monitor', 'n', POOL]], diff={'monitored'}, after=dict(monitored=False)),
    dict(id='monitor-unchanged', fixture='pool_only', args=dict(monitor=True), changed=False, commands=[],
         diff=set()),
    # 'pending': dmeventd registers or unregisters the pool, lvs cannot tell which. It reads as not
    # monitored: monitor=true registers it again (autoextend never left off), monitor=false sees no change.
    dict(id='monitor-on-while-pending', fixture=('pool_only', {'mockpool': {'seg_monitor': 'pending'}}),
         args=dict(monitor=True), changed=True,
         commands=[['lvchange', '--monitor', 'y', POOL]], diff={'monitored'}, after=dict(monitored=True)),
    dict(id='monitor-off-while-pending', fixture=('pool_only', {'mockpool': {'seg_monitor': 'pending'}}),
         args=dict(monitor=False), changed=False, commands=[], diff=set()),
    dict(id='monitor-on-inactive-pool', fixture=('pool_only', INACTIVE_POOL), args=dict(monitor=True),
         error=['monitoring of fixture/mockpool cannot change while the pool is inactive: activate it first.']),

    # ---- several changes, in the module's order
    dict(id='grow-zero-discards-monitor-rewrite-profile', fixture='pool_unmonitored',
         args=dict(size='1G', zeroing=True, discards='nopassdown', monitor=True, autoextend_threshold=85,
                   autoextend_percent=10),
         changed=True,
         commands=[['lvextend', '-l', '256', POOL], ['lvchange', '-Z', 'y', POOL],
                   ['lvchange', '--discards', 'nopassdown', POOL], ['lvchange', '--monitor', 'y', POOL]],
         profile_after=profile_text(85, 10),
         diff={'size', 'zeroing', 'discards', 'monitored', 'autoextend_threshold', 'autoextend_percent'}),

    # ---- absent
    dict(id='absent-missing-pool', fixture='pool_only', args=dict(name='otherpool', state='absent'), changed=False,
         commands=[], diff=set(), after=dict(vg='fixture', exists=False)),
    dict(id='absent-in-empty-vg-reads-no-vgs', fixture='empty_vg', args=dict(state='absent'), changed=False,
         commands=[], diff=set()),
    dict(id='absent-empty-pool', fixture='pool_only', reread='empty_vg', args=dict(state='absent'), changed=True,
         commands=[['lvremove', '-y', '-f', POOL]], diff=REMOVED, after=dict(vg='fixture', exists=False)),
    dict(id='absent-with-volumes-without-force', fixture='pool_unmonitored', args=dict(state='absent'),
         error=['Thin pool fixture/mockpool still holds 3 thin volume(s): snap_active, snap_default, thin1. '
                'Remove them first, or set force: true']),
    dict(id='absent-open-volume-without-force', fixture='pool_with_volumes', args=dict(state='absent'),
         error=['still holds 3 thin volume(s): snap_active, snap_default, thin1.']),
    dict(id='absent-force-with-open-volume', fixture='pool_with_volumes', args=dict(state='absent', force=True),
         error=['Thin pool fixture/mockpool has thin volumes that are open (mounted or in use): thin1. Nothing was '
                'removed; unmount them first.']),
    dict(id='absent-force-removes-volumes-and-pool', fixture='pool_unmonitored',
         reread=('pool_unmonitored', {}, ALL_VOLUMES), args=dict(state='absent', force=True), changed=True,
         commands=[['lvremove', '-y', '-f', 'fixture/snap_active', 'fixture/snap_default', 'fixture/thin1', POOL]],
         diff=REMOVED | {'profile'}, after=dict(vg='fixture', exists=False)),
    dict(id='absent-on-linear-lv', fixture='pool_with_volumes', args=dict(name='linear', state='absent'),
         error=['fixture/linear is a linear or striped volume (lv_attr -wi-a-----), not a thin pool: this module '
                'removes only thin pools.']),

    # ---- invalid input
    dict(id='invalid-vg-name', fixture='pool_only', args=dict(vg='my vg'), reads=[],
         error=["vg 'my vg' is not a valid LVM name: only A-Z a-z 0-9 + _ . - are allowed"]),
    dict(id='invalid-pool-name', fixture='pool_only', args=dict(name='snapshot-pool', size='1G'), reads=[],
         error=["name 'snapshot-pool' is not a valid LVM name: LVM reserves names starting with"]),
    dict(id='invalid-size', fixture='pool_only', args=dict(size='lots'), error=["size 'lots' is not a size"]),
    dict(id='invalid-size-percent', fixture='pool_only', args=dict(size='0%VG'),
         error=["size '0%VG': a percentage must be above 0 and at most 100."]),
    dict(id='invalid-metadata-size', fixture='pool_only', args=dict(metadata_size='0'),
         error=["metadata_size '0' must be larger than zero."]),
    dict(id='invalid-discards-choice', fixture='pool_only', args=dict(discards='sometimes'), reads=[],
         error=['discards', 'sometimes']),
]

SUCCESS_CASES = [case for case in CASES if 'error' not in case]
ERROR_CASES = [case for case in CASES if 'error' in case]


def _ids(cases):
    return [case['id'] for case in cases]


def _reads(case):
    if 'reads' in case:
        return case['reads']
    return ['lvs', 'vgs'] if case.get('vgs') else ['lvs']


@pytest.fixture
def profile_dir(tmp_path):
    """A profile directory that does not exist yet: the module creates it when it writes a profile."""
    return tmp_path / 'etc' / 'lvm' / 'profile'


@pytest.fixture
def run_case(fake_lvm, run_module, lvm_reports, profile_dir):
    """Configure the fake LVM for a table case and run the module."""

    def _run(case, check_mode=False, diff=False):
        first = lvm_reports.resolve(case['fixture'])
        reread = lvm_reports.resolve(case.get('reread', case['fixture']))
        fake_lvm.set(lvs=[first, reread])
        if case.get('vgs'):
            fake_lvm.set(vgs=[lvm_reports.resolve(case['vgs'])])
        fake_lvm.ok('lvcreate', 'lvextend', 'lvchange', 'lvremove')
        if case.get('profile') is not None:
            profile_dir.mkdir(parents=True)
            (profile_dir / PROFILE_FILE).write_text(case['profile'])
        args = {'vg': 'fixture', 'name': 'mockpool', 'profile_dir': str(profile_dir)}
        args.update(case['args'])
        if 'pool' in args:
            del args['name']
        return run_module(thinpool, args, check_mode=check_mode, diff=diff)

    return _run


def _profile_now(profile_dir):
    path = profile_dir / PROFILE_FILE
    return path.read_text() if path.exists() else None


def test_case_table_is_consistent():
    assert len(set(_ids(CASES))) == len(CASES)
    for case in SUCCESS_CASES:
        assert set(case) >= {'changed', 'commands', 'diff'}, case['id']
        assert case['changed'] == bool(case['commands'] or case.get('profile_after', case.get('profile'))
                                       != case.get('profile')), case['id']


@pytest.mark.parametrize('case', SUCCESS_CASES, ids=_ids(SUCCESS_CASES))
def test_thinpool(case, run_case, profile_dir):
    res = run_case(case)
    assert not res.failed, res
    assert res.changed is case['changed']
    reads = _reads(case)
    # The mutating commands, exactly and in order; a change is followed by exactly one re-read.
    assert res.mutating == case['commands']
    expected_tools = reads + [command[0] for command in case['commands']] + (['lvs'] if case['changed'] else [])
    assert res.tools == expected_tools
    assert res.tools.count('lvs') == (2 if case['changed'] else 1)
    # `commands` returns what really ran, reads included.
    assert res.result['commands'] == res.commands
    assert _profile_now(profile_dir) == case.get('profile_after')
    assert set(res.result['pool']) >= {'vg', 'exists'}
    assert 'diff' not in res.result
    _assert_floors(case, res)


@pytest.mark.parametrize('case', SUCCESS_CASES, ids=_ids(SUCCESS_CASES))
def test_thinpool_check_mode(case, run_case, profile_dir):
    res = run_case(case, check_mode=True)
    assert not res.failed, res
    assert res.changed is case['changed']
    reads = _reads(case)
    # Only the reads ran; nothing mutating, no re-read, no profile written.
    assert res.tools == reads
    assert res.mutating == []
    assert _profile_now(profile_dir) == case.get('profile')
    # `commands` lists the reads, then what would run.
    assert [command[0] for command in res.result['commands'][:len(reads)]] == reads
    assert res.result['commands'][len(reads):] == case['commands']
    for key, value in case.get('after', {}).items():
        assert res.result['pool'].get(key) == value, key
    _assert_floors(case, res)


def _assert_floors(case, res):
    """The declared sizes the pool is above: option, as declared, in bytes, the pool's size, and why."""
    floors = res.result.get('floors', [])
    assert [(f['option'], f['declared'], f['declared_size'], f['size']) for f in floors] == \
        [expected[:4] for expected in case.get('floors', [])]
    for found, expected in zip(floors, case.get('floors', [])):
        assert expected[4] in found['reason'], found['reason']


@pytest.mark.parametrize('case', SUCCESS_CASES, ids=_ids(SUCCESS_CASES))
def test_thinpool_diff(case, run_case):
    res = run_case(case, check_mode=True, diff=True)
    assert not res.failed, res
    diff = res.result['diff']
    assert set(diff['before']) == DIFF_KEYS
    assert set(diff['after']) == DIFF_KEYS
    changed_keys = set(key for key in DIFF_KEYS if diff['before'][key] != diff['after'][key])
    assert changed_keys == case['diff']


@pytest.mark.parametrize('case', ERROR_CASES, ids=_ids(ERROR_CASES))
@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_thinpool_errors(case, check_mode, run_case, profile_dir):
    res = run_case(case, check_mode=check_mode)
    assert res.failed, res
    for fragment in case['error']:
        assert fragment in res.msg
    for fragment in case.get('absent', ()):
        assert fragment not in res.msg
    assert not res.changed
    # Nothing was changed: only the reads ran (none for invalid arguments), and no profile was written.
    assert res.tools == _reads(case)
    assert _profile_now(profile_dir) == case.get('profile')


# --------------------------------------------------------------------------- real runs

def test_real_change_rereads_once_and_reports_the_new_state(fake_lvm, run_module, lvm_reports, tmp_path):
    grown = lvm_reports.edited('pool_only', {'mockpool': {'lv_size': str(GIB), 'vg_free_count': '763'}})
    fake_lvm.set(lvs=[lvm_reports.text('pool_only'), grown]).ok('lvextend')
    res = run_module(thinpool, dict(vg='fixture', name='mockpool', size='1G', profile_dir=str(tmp_path)), diff=True)
    assert res.changed is True
    assert res.tools == ['lvs', 'lvextend', 'lvs']
    assert res.calls[0].args == res.calls[2].args  # the same read, twice
    assert res.result['pool']['size'] == GIB
    assert res.result['diff']['before']['size'] == 512 * MIB
    assert res.result['diff']['after']['size'] == GIB
    assert all(call.environ_update == {'LC_ALL': 'C'} for call in res.calls)
    assert [call.argv[0] for call in res.calls] == ['/usr/sbin/lvs', '/usr/sbin/lvextend', '/usr/sbin/lvs']


def test_real_create_reports_the_created_pool(fake_lvm, run_module, lvm_reports, tmp_path):
    fake_lvm.set(lvs=[lvm_reports.text('empty_vg'), lvm_reports.text('pool_only')],
                 vgs=[lvm_reports.text('empty_vg_vgs')]).ok('lvcreate')
    res = run_module(thinpool, dict(vg='fixture', name='mockpool', size='512M', metadata_size='8M',
                                    chunk_size='128K', zeroing=False, profile_dir=str(tmp_path)))
    assert res.changed is True
    assert res.tools == ['lvs', 'vgs', 'lvcreate', 'lvs']
    pool = res.result['pool']
    assert pool['exists'] is True
    assert (pool['size'], pool['metadata_size'], pool['chunk_size']) == (512 * MIB, 8 * MIB, 128 * 1024)
    assert (pool['zeroing'], pool['discards'], pool['monitored'], pool['active']) == (False, 'passdown', True, True)
    assert pool['thin_volumes'] == []
    assert pool['data_percent'] == 0.0 and pool['metadata_percent'] == 10.4


def test_real_force_removal_reports_the_pool_gone(fake_lvm, run_module, lvm_reports, tmp_path):
    fake_lvm.set(lvs=[lvm_reports.text('pool_unmonitored'), lvm_reports.edited('pool_unmonitored', drop=ALL_VOLUMES)])
    fake_lvm.ok('lvremove')
    res = run_module(thinpool, dict(vg='fixture', name='mockpool', state='absent', force=True,
                                    profile_dir=str(tmp_path)))
    assert res.changed is True
    assert res.tools == ['lvs', 'lvremove', 'lvs']
    assert res.result['pool'] == {'vg': 'fixture', 'exists': False}


def test_force_removal_of_a_mock_family_in_one_lvremove(fake_lvm, run_module, lvm_reports, tmp_path):
    rows = lvm_reports.rows('mock_family')
    volumes = [row['lv_name'] for row in rows if row['lv_attr'].startswith('V')]
    assert len(volumes) == 17
    fake_lvm.set(lvs=lvm_reports.text('mock_family')).ok('lvremove')
    res = run_module(thinpool, dict(vg='fixture', name='mockpool', state='absent', force=True,
                                    profile_dir=str(tmp_path)), check_mode=True)
    assert res.changed is True
    assert res.mutating == []
    assert res.result['commands'][1:] == [['lvremove', '-y', '-f'] + ['fixture/%s' % name for name in volumes]
                                          + [POOL]]
    assert 'fixture/linear' not in res.result['commands'][1]


def test_profile_written_in_an_existing_directory_keeps_other_files(fake_lvm, run_module, lvm_reports, tmp_path):
    other = tmp_path / 'other.profile'
    other.write_text(u'activation {}\n')
    fake_lvm.set(lvs=lvm_reports.text('pool_only')).ok('lvchange')
    res = run_module(thinpool, dict(vg='fixture', name='mockpool', autoextend_threshold=90, autoextend_percent=50,
                                    profile_dir=str(tmp_path)))
    assert res.changed is True
    assert (tmp_path / PROFILE_FILE).read_text() == profile_text(90, 50)
    assert other.read_text() == u'activation {}\n'
    assert sorted(os.listdir(str(tmp_path))) == ['mock_lvm-fixture-mockpool.profile', 'other.profile']  # no .tmp


# --------------------------------------------------------------------------- failures of LVM itself

def test_failing_command_fails_with_its_details_and_stops(fake_lvm, run_module, lvm_reports, tmp_path):
    stderr = '  Insufficient free space: 128 extents needed, but only 100 available\n'
    fake_lvm.set(lvs=lvm_reports.text('pool_only'), lvextend=(5, '', stderr)).ok('lvchange')
    res = run_module(thinpool, dict(vg='fixture', name='mockpool', size='1G', zeroing=True,
                                    profile_dir=str(tmp_path)))
    assert res.failed
    assert res.msg == 'lvextend failed (rc=5): Insufficient free space: 128 extents needed, but only 100 available'
    assert res.result['rc'] == 5
    assert res.result['stderr'] == stderr
    assert res.result['cmd'] == ['/usr/sbin/lvextend', '-l', '256', POOL]
    # The zeroing change after it never ran, and nothing was re-read.
    assert res.tools == ['lvs', 'lvextend']


def test_missing_vg(fake_lvm, run_module, tmp_path):
    stderr = '  Volume group "fixture" not found\n  Cannot process volume group fixture\n'
    fake_lvm.set(lvs=(5, '', stderr))
    res = run_module(thinpool, dict(vg='fixture', name='mockpool', size='1G', profile_dir=str(tmp_path)))
    assert res.failed
    assert res.msg.startswith("Volume group 'fixture' not found: create it first")
    assert (res.result['rc'], res.result['stderr']) == (5, stderr)
    assert res.tools == ['lvs']


def test_lvs_output_that_is_not_json(fake_lvm, run_module, tmp_path):
    fake_lvm.set(lvs=(0, '  fixture mockpool twi-a-t--- 512.00m\n', ''))
    res = run_module(thinpool, dict(vg='fixture', name='mockpool', profile_dir=str(tmp_path)))
    assert res.failed
    assert res.msg.startswith('lvs returned output that is not an LVM JSON report')


# --------------------------------------------------------------------------- usage warnings

WARNING_CASES = [
    ('0.00', '10.40', []),
    ('75.00', '75.00', []),
    ('75.01', '10.40', ['Thin pool fixture/mockpool data use is 75.01 %, above 75 %: mock warns, grow the pool or '
                        'set autoextend.']),
    ('90.00', '10.40', ['Thin pool fixture/mockpool data use is 90.00 %, above 75 %: mock warns, grow the pool or '
                        'set autoextend.']),
    ('90.01', '10.40', ['Thin pool fixture/mockpool data use is 90.01 %, above 90 %: mock (check_size) refuses to '
                        'build until the pool is grown.']),
    ('10.00', '80.00', ['Thin pool fixture/mockpool metadata use is 80.00 %, above 75 %: mock warns, grow the pool '
                        'or set autoextend.']),
    ('95.50', '91.00', ['Thin pool fixture/mockpool data use is 95.50 %, above 90 %: mock (check_size) refuses to '
                        'build until the pool is grown.',
                        'Thin pool fixture/mockpool metadata use is 91.00 %, above 90 %: mock (check_size) refuses '
                        'to build until the pool is grown.']),
    ('', '', []),  # an inactive pool reports no use
]


@pytest.mark.parametrize('data_percent, metadata_percent, warnings', WARNING_CASES,
                         ids=['data=%s,meta=%s' % (c[0] or 'none', c[1] or 'none') for c in WARNING_CASES])
@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_usage_warnings(fake_lvm, run_module, lvm_reports, tmp_path, data_percent, metadata_percent, warnings,
                        check_mode):
    report = lvm_reports.edited('pool_only', {'mockpool': {'data_percent': data_percent,
                                                           'metadata_percent': metadata_percent}})
    fake_lvm.set(lvs=report)
    res = run_module(thinpool, dict(vg='fixture', name='mockpool', size='512M', profile_dir=str(tmp_path)),
                     check_mode=check_mode)
    assert not res.failed and res.changed is False
    assert res.warnings == warnings
    assert res.result['pool']['data_percent'] == (float(data_percent) if data_percent else None)


def test_usage_warning_after_growing_uses_the_reread(fake_lvm, run_module, lvm_reports, tmp_path):
    full = lvm_reports.edited('pool_only', {'mockpool': {'data_percent': '95.00'}})
    grown = lvm_reports.edited('pool_only', {'mockpool': {'data_percent': '47.50', 'lv_size': str(GIB)}})
    fake_lvm.set(lvs=[full, grown]).ok('lvextend')
    res = run_module(thinpool, dict(vg='fixture', name='mockpool', size='1G', profile_dir=str(tmp_path)))
    assert res.changed is True
    assert res.warnings == []


def test_no_usage_warning_when_removing_a_full_pool(fake_lvm, run_module, lvm_reports, tmp_path):
    full = lvm_reports.edited('pool_only', {'mockpool': {'data_percent': '99.00'}})
    fake_lvm.set(lvs=full)
    res = run_module(thinpool, dict(vg='fixture', name='mockpool', state='absent', profile_dir=str(tmp_path)),
                     check_mode=True)
    assert res.changed is True
    assert res.warnings == []
    assert res.result['commands'][1:] == [['lvremove', '-y', '-f', POOL]]


# --------------------------------------------------------------------------- headroom for autoextend

MONITORED_8020 = dict(vg='fixture', name='mockpool', autoextend_threshold=80, autoextend_percent=20, monitor=True)
EXTENT = 4 * MIB


def _with_profile(tmp_path, threshold=80, percent=20):
    (tmp_path / PROFILE_FILE).write_text(profile_text(threshold, percent))
    return str(tmp_path)


@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_headroom_of_a_pool_with_room(fake_lvm, run_module, lvm_reports, tmp_path, check_mode):
    fake_lvm.set(lvs=lvm_reports.text('pool_with_volumes'))
    res = run_module(thinpool, dict(MONITORED_8020, profile_dir=_with_profile(tmp_path)), check_mode=check_mode)
    assert not res.failed and res.changed is False
    assert res.tools == ['lvs']
    # 128 data extents and 2 metadata extents at 20 %: 26 + 2 x 1 (the spare grows with the metadata).
    # 875 free extents hold 11 successive steps (each 20 % larger than the one before).
    assert res.result['pool']['headroom'] == {
        'vg_size': 1023 * EXTENT, 'vg_free': 875 * EXTENT, 'autoextend_step': 28 * EXTENT,
        'autoextend_steps_left': 11, 'vg_next_steps': 28 * EXTENT, 'vg_missing': 0}
    assert res.warnings == []


@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_a_vg_without_room_for_the_next_step_is_a_warning_naming_what_is_missing(
        fake_lvm, run_module, lvm_reports, tmp_path, check_mode):
    rows = ('mockpool', 'linear', 'thin1', 'snap_active', 'snap_default')
    fake_lvm.set(lvs=lvm_reports.edited('pool_with_volumes', dict((name, {'vg_free_count': '20'}) for name in rows)))
    res = run_module(thinpool, dict(MONITORED_8020, profile_dir=_with_profile(tmp_path)), check_mode=check_mode)
    assert not res.failed and res.changed is False
    assert res.tools == ['lvs']
    headroom = res.result['pool']['headroom']
    assert (headroom['vg_free'], headroom['vg_missing'], headroom['autoextend_steps_left']) == \
        (20 * EXTENT, 8 * EXTENT, 0)
    assert res.warnings == [
        'Volume group fixture has 80.00 MiB free, less than the next autoextend step of its thin pools together '
        '(mockpool 112.00 MiB; 112.00 MiB in all): 32.00 MiB missing, so dmeventd cannot grow them when they pass '
        'their threshold and mock refuses to build above 90 %. Add a physical volume (vgextend), remove volumes the '
        'group does not need, or lower autoextend_percent.']


def test_a_pool_without_autoextend_needs_no_room(fake_lvm, run_module, lvm_reports, tmp_path):
    fake_lvm.set(lvs=lvm_reports.edited('pool_only', {'mockpool': {'vg_free_count': '0'}}))
    res = run_module(thinpool, dict(vg='fixture', name='mockpool', profile_dir=str(tmp_path)))
    headroom = res.result['pool']['headroom']
    assert (headroom['autoextend_step'], headroom['autoextend_steps_left'], headroom['vg_missing']) == (0, None, 0)
    assert res.warnings == []


def test_growing_past_the_room_warns_in_check_mode_from_the_plan_and_for_real_from_the_reread(
        fake_lvm, run_module, lvm_reports, tmp_path):
    rows = ('mockpool', 'linear', 'thin1', 'snap_active', 'snap_default')
    before = lvm_reports.edited('pool_with_volumes', {name: {'vg_free_count': '150'} for name in rows})
    after = dict((name, {'vg_free_count': '22'}) for name in rows)
    after['mockpool'] = {'vg_free_count': '22', 'lv_size': str(GIB)}
    args = dict(MONITORED_8020, size='1G', profile_dir=_with_profile(tmp_path))
    # 1 GiB at 20 %: 52 data extents + 2 x 1 metadata extent = 54; 150 - 128 = 22 are left: 32 extents missing.
    fake_lvm.set(lvs=[before])
    checked = run_module(thinpool, args, check_mode=True)
    assert checked.changed is True and checked.tools == ['lvs']
    assert checked.result['pool']['headroom']['vg_missing'] == 32 * EXTENT
    assert '128.00 MiB missing' in checked.warnings[0]
    fake_lvm.set(lvs=[before, lvm_reports.edited('pool_with_volumes', after)]).ok('lvextend')
    real = run_module(thinpool, args)
    assert real.tools == ['lvs', 'lvextend', 'lvs']
    assert real.result['pool']['headroom'] == checked.result['pool']['headroom']
    assert real.warnings == checked.warnings


# --------------------------------------------------------------------------- profile names

def test_profile_names_of_pairs_that_joined_alike_differ():
    from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._thinpool import (
        legacy_profile_name, profile_name)
    assert legacy_profile_name('a-b', 'c') == legacy_profile_name('a', 'b-c') == 'mock_lvm-a-b-c'
    assert profile_name('a-b', 'c') == 'mock_lvm-a--b-c'
    assert profile_name('a', 'b-c') == 'mock_lvm-a-b--c'
    assert profile_name('fixture', 'mockpool') == legacy_profile_name('fixture', 'mockpool')


def test_no_two_pairs_of_names_share_a_profile():
    import itertools
    from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._thinpool import profile_name
    # Every name of up to 4 characters from an alphabet with the separator and LVM's other characters.
    names = [''.join(chars) for n in range(1, 5) for chars in itertools.product('a-+_', repeat=n)
             if not chars[0] == '-']
    seen = {}
    for vg, pool in itertools.product(names, names):
        name = profile_name(vg, pool)
        assert seen.setdefault(name, (vg, pool)) == (vg, pool), name
    assert len(seen) == len(names) ** 2


DASHED = 'mock-pool'
LEGACY = 'mock_lvm-fixture-mock-pool'
NEW = 'mock_lvm-fixture-mock--pool'


def _legacy_profile(vg, pool):
    return profile_text(80, 20).replace('fixture/mockpool', '%s/%s' % (vg, pool))


def _dashed_pool(lvm_reports, profile):
    return lvm_reports.edited('pool_only', {'mockpool': {'lv_name': DASHED, 'lv_profile': profile,
                                                         'lv_path': '/dev/fixture/' + DASHED}})


def _users(*pairs):
    return json.dumps({'report': [{'lv': [{'vg_name': vg, 'lv_name': lv, 'lv_profile': profile, 'vg_profile': ''}
                                          for vg, lv, profile in pairs]}]})


@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_upgrade_moves_the_pool_to_its_new_profile_and_removes_the_legacy_one(
        fake_lvm, run_module, lvm_reports, tmp_path, check_mode):
    (tmp_path / (LEGACY + '.profile')).write_text(_legacy_profile('fixture', DASHED))
    fake_lvm.set(lvs=[_dashed_pool(lvm_reports, LEGACY), _users(('fixture', DASHED, LEGACY)),
                      _dashed_pool(lvm_reports, NEW)]).ok('lvchange')
    res = run_module(thinpool, dict(MONITORED_8020, name=DASHED, profile_dir=str(tmp_path)), check_mode=check_mode)
    assert not res.failed, res.msg
    assert res.changed is True
    assert res.result['legacy_profile_removed'] == LEGACY
    users_read = ['lvs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '--config',
                  'report/time_format="%s"', '-o', 'vg_name,lv_name,lv_profile,vg_profile']
    assert res.result['commands'][1] == users_read  # one more read, of every VG
    assert res.result['commands'][2] == ['lvchange', '--metadataprofile', NEW, 'fixture/' + DASHED]
    files = sorted(os.listdir(str(tmp_path)))
    if check_mode:
        assert res.tools == ['lvs', 'lvs']
        assert files == [LEGACY + '.profile']
    else:
        assert res.tools == ['lvs', 'lvs', 'lvchange', 'lvs']
        assert files == [NEW + '.profile']
        assert (tmp_path / (NEW + '.profile')).read_text() == _legacy_profile('fixture', DASHED)


def test_a_legacy_profile_another_pool_still_uses_stays(fake_lvm, run_module, lvm_reports, tmp_path):
    # vg fixture-mock, pool pool had the same legacy name; it still has the file attached.
    (tmp_path / (LEGACY + '.profile')).write_text(_legacy_profile('fixture', DASHED))
    fake_lvm.set(lvs=[_dashed_pool(lvm_reports, LEGACY),
                      _users(('fixture', DASHED, LEGACY), ('fixture-mock', 'pool', LEGACY)),
                      _dashed_pool(lvm_reports, NEW)]).ok('lvchange')
    res = run_module(thinpool, dict(MONITORED_8020, name=DASHED, profile_dir=str(tmp_path)))
    assert res.changed is True
    assert res.result['legacy_profile_kept'] == {'profile': LEGACY, 'used_by': ['fixture-mock/pool']}
    assert 'legacy_profile_removed' not in res.result
    assert sorted(os.listdir(str(tmp_path))) == sorted([LEGACY + '.profile', NEW + '.profile'])
    assert res.mutating == [['lvchange', '--metadataprofile', NEW, 'fixture/' + DASHED]]


def test_a_legacy_profile_written_for_the_other_pool_is_not_ours_and_stays(
        fake_lvm, run_module, lvm_reports, tmp_path):
    other = _legacy_profile('fixture-mock', 'pool')
    (tmp_path / (LEGACY + '.profile')).write_text(other)
    fake_lvm.set(lvs=[_dashed_pool(lvm_reports, LEGACY), _dashed_pool(lvm_reports, NEW)]).ok('lvchange')
    res = run_module(thinpool, dict(MONITORED_8020, name=DASHED, profile_dir=str(tmp_path)))
    assert res.changed is True
    assert res.tools == ['lvs', 'lvchange', 'lvs']  # the users are not even asked: the file is not this pool's
    assert (tmp_path / (LEGACY + '.profile')).read_text() == other
    assert 'legacy_profile_removed' not in res.result and 'legacy_profile_kept' not in res.result


def test_a_pool_on_its_new_profile_reads_once(fake_lvm, run_module, lvm_reports, tmp_path):
    (tmp_path / (NEW + '.profile')).write_text(_legacy_profile('fixture', DASHED))
    fake_lvm.set(lvs=[_dashed_pool(lvm_reports, NEW)])
    res = run_module(thinpool, dict(MONITORED_8020, name=DASHED, profile_dir=str(tmp_path)))
    assert res.changed is False
    assert res.tools == ['lvs']


# A hand-edited copy of pool_only (captured lv_attr twi-a-t---): the state or health character of lv_attr, and the
# percentages LVM leaves empty where it cannot read the pool's status.
HEALTH_CASES = [
    ('inactive', dict(lv_attr='twi---t---', data_percent='', metadata_percent=''), 'inactive',
     'Thin pool fixture/mockpool is not active: its use cannot be read and mock cannot use it (lv_attr twi---t---).'),
    ('out-of-data-space', dict(lv_attr='twi-a-t-D-', data_percent='100.00'), 'out_of_data_space',
     'Thin pool fixture/mockpool is out of data space: writes to its thin volumes fail or wait until it is grown '
     '(lv_attr twi-a-t-D-).'),
]


@pytest.mark.parametrize('fields, health, warning', [c[1:] for c in HEALTH_CASES], ids=[c[0] for c in HEALTH_CASES])
@pytest.mark.parametrize('check_mode', [False, True], ids=['run', 'check'])
def test_an_unhealthy_pool_is_reported_and_warned_about(fake_lvm, run_module, lvm_reports, tmp_path, fields, health,
                                                        warning, check_mode):
    fake_lvm.set(lvs=lvm_reports.edited('pool_only', {'mockpool': fields}))
    res = run_module(thinpool, dict(vg='fixture', name='mockpool', size='512M', profile_dir=str(tmp_path)),
                     check_mode=check_mode)
    assert not res.failed and res.changed is False
    assert (res.result['pool']['health'], res.result['pool']['health_problem']) == (health, warning)
    assert res.warnings[0] == warning
    assert res.tools == ['lvs'] and res.mutating == []
