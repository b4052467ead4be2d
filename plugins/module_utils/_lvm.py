# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Private LVM client for this collection.

It knows LVM and nothing of mock: one JSON ``lvs`` read returns every logical
volume of a volume group together with the group's own fields, commands are
argument lists run with ``LC_ALL=C``, and every failure raises ``LvmError``
carrying the command, its exit code and its stderr.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import math
import os
import re
from collections import namedtuple

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._errors import ModuleError

# Fields of one `lvs` read: enough for pools, thin volumes, snapshots and the VG.
LV_FIELDS = (
    'lv_name', 'vg_name', 'lv_attr', 'lv_size', 'lv_metadata_size', 'pool_lv',
    'origin', 'data_percent', 'metadata_percent', 'chunk_size', 'zero',
    'discards', 'lv_profile', 'seg_monitor', 'lv_time', 'lv_path', 'lv_uuid',
    'vg_extent_size', 'vg_extent_count', 'vg_free_count', 'vg_size', 'vg_free',
)
VG_FIELDS = ('vg_name', 'vg_extent_size', 'vg_extent_count', 'vg_free_count', 'vg_size', 'vg_free')
# Fields of the one `lvm fullreport` read of the whole host: every VG, PV and LV in one command.
# Each subreport takes its own kind of field only (LVM warns and changes the report type
# otherwise): the VG's fields come from the vg subreport, the segment fields of an LV from the
# seg subreport (joined by lv_uuid; a pool has one segment), pvseg is cut to one field.
FULL_SEG_FIELDS = ('lv_uuid', 'chunk_size', 'zero', 'discards', 'seg_monitor')
FULL_LV_FIELDS = tuple(f for f in LV_FIELDS if f not in VG_FIELDS + FULL_SEG_FIELDS) + ('vg_name', 'lv_uuid')
FULL_PV_FIELDS = ('pv_name', 'vg_name')

# Every report is JSON, sizes in bytes without a suffix, times in seconds since the epoch.
JSON_REPORT_ARGS = ('--reportformat', 'json', '--units', 'b', '--nosuffix', '--config', 'report/time_format="%s"')

# lvs and vgs exit with 5 when the volume group does not exist.
RC_NOT_FOUND = 5

# LVM's rules for VG and LV names (lvm(8) "VALID NAMES").
_NAME_CHARS = re.compile(r'^[A-Za-z0-9+_.][A-Za-z0-9+_.-]*\Z')
_RESERVED_LV_PARTS = ('_cdata', '_cmeta', '_corig', '_mlog', '_mimage', '_pmspare',
                      '_rimage', '_rmeta', '_tdata', '_tmeta', '_vorigin', '_vdata')
_RESERVED_LV_STARTS = ('snapshot', 'pvmove')

_SIZE_UNITS = {'b': 1, 's': 512, 'k': 1024, 'm': 1024 ** 2, 'g': 1024 ** 3,
               't': 1024 ** 4, 'p': 1024 ** 5, 'e': 1024 ** 6}
_SIZE_RE = re.compile(r'^\s*(\d+(?:\.\d+)?)\s*([bBsSkKmMgGtTpPeE])?\s*$')
_PERCENT_RE = re.compile(r'^\s*(\d+(?:\.\d+)?)\s*%\s*(VG|FREE)\s*$', re.IGNORECASE)


class LvmError(ModuleError):
    """A failed LVM command or an LVM state the caller cannot act on."""

    def __init__(self, msg, cmd=None, rc=None, stdout=None, stderr=None):
        super(LvmError, self).__init__(msg, cmd=cmd, rc=rc, stdout=stdout, stderr=stderr)
        self.cmd = cmd
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr


# LVM's limit on a volume group or logical volume name (NAME_LEN 128, with the terminating NUL).
LV_NAME_MAX = 127


def validate_name(name, what, lv=True):
    """Raise LvmError unless name is a valid LVM VG or LV name."""
    problem = None
    if not name:
        problem = 'it is empty'
    elif len(name) > LV_NAME_MAX:
        problem = 'it is longer than %d characters' % LV_NAME_MAX
    elif name in ('.', '..'):
        problem = 'it is "." or ".."'
    elif not _NAME_CHARS.match(name):
        problem = 'only A-Z a-z 0-9 + _ . - are allowed, and it must not start with -'
    elif lv and name.startswith(_RESERVED_LV_STARTS):
        problem = 'LVM reserves names starting with "snapshot" or "pvmove"'
    elif lv and any(part in name for part in _RESERVED_LV_PARTS):
        problem = 'LVM reserves names containing %s' % ', '.join(_RESERVED_LV_PARTS)
    if problem:
        raise LvmError('%s %r is not a valid LVM name: %s.' % (what, name, problem))
    return name


def parse_size(value, what='size', default_unit='m'):
    """Parse an absolute LVM size into bytes.

    Accepts an integer (bytes) or a string with an optional unit
    (b, s = 512-byte sectors, k, m, g, t, p, e; binary multiples, case does not
    matter); a bare number is in default_unit, MiB as with lvcreate -L (KiB for
    chunk sizes, as with --chunksize).
    """
    if isinstance(value, int) and not isinstance(value, bool):
        number, unit = value, 'b'
    else:
        match = _SIZE_RE.match(str(value))
        if not match:
            raise LvmError('%s %r is not a size: use a number with a unit such as 512M, 20G or 1.5T.' % (what, value))
        number, unit = float(match.group(1)), (match.group(2) or default_unit).lower()
    size = int(math.ceil(number * _SIZE_UNITS[unit]))
    if size <= 0:
        raise LvmError('%s %r must be larger than zero.' % (what, value))
    return size


def parse_size_or_percent(value, what='size'):
    """Return ('bytes', n) for an absolute size or ('VG'|'FREE', percent)."""
    match = _PERCENT_RE.match(str(value))
    if match:
        percent = float(match.group(1))
        if not 0 < percent <= 100:
            raise LvmError('%s %r: a percentage must be above 0 and at most 100.' % (what, value))
        return match.group(2).upper(), percent
    return 'bytes', parse_size(value, what)


def extents_for(size_bytes, extent_size):
    """Whole extents that hold size_bytes, rounded up as LVM does."""
    return int(math.ceil(float(size_bytes) / extent_size))


def human_size(size_bytes):
    """A short binary size for messages, e.g. 1.50 GiB."""
    size = float(size_bytes)
    for unit in ('B', 'KiB', 'MiB', 'GiB', 'TiB'):
        if abs(size) < 1024 or unit == 'TiB':
            return '%d B' % size if unit == 'B' else '%.2f %s' % (size, unit)
        size /= 1024
    return '%d B' % size_bytes  # pragma: no cover


def _to_int(value):
    return int(value) if value not in (None, '') else None


def _to_float(value):
    return float(value) if value not in (None, '') else None


# What lv_attr says is wrong with a volume (lvs(8), "lv_attr bits"): the 9th character, health, first (for thin
# pools F, D and M are what lv_health_status spells failed, out_of_data and metadata_read_only), then the 5th,
# state. (code, what it means) for the messages.
_HEALTH_PROBLEMS = {
    'F': ('failed', 'has failed (a device or its metadata failed): writes to its thin volumes fail'),
    'D': ('out_of_data_space', 'is out of data space: writes to its thin volumes fail or wait until it is grown'),
    'M': ('metadata_read_only', 'has read-only metadata (metadata space exhausted or a metadata error): no thin '
                                'volume or snapshot can be made or written until it is repaired'),
    'X': ('health_unknown', 'has a health LVM cannot determine'),
    'p': ('partial', 'is missing a physical volume'),
    'E': ('error', 'reports an error'),
}
_STATE_PROBLEMS = {
    '-': ('inactive', 'is not active: its use cannot be read and mock cannot use it'),
    's': ('suspended', 'is suspended'),
    'c': ('check_needed', 'needs a metadata check (thin_check); lvconvert --repair'),
    'C': ('check_needed', 'is suspended and needs a metadata check (thin_check); lvconvert --repair'),
    'd': ('no_table', 'has a device-mapper device without tables'),
    'i': ('inactive_table', 'has a device-mapper device with an inactive table'),
    'X': ('state_unknown', 'has a state LVM cannot determine'),
}


class LogicalVolume(object):
    """One row of the lvs report, typed."""

    def __init__(self, row):
        self.row = row
        self.name = row['lv_name']
        self.vg = row['vg_name']
        self.attr = row.get('lv_attr', '')
        self.size = _to_int(row.get('lv_size'))
        self.metadata_size = _to_int(row.get('lv_metadata_size'))
        self.pool = row.get('pool_lv') or None
        self.origin = row.get('origin') or None
        self.data_percent = _to_float(row.get('data_percent'))
        self.metadata_percent = _to_float(row.get('metadata_percent'))
        self.chunk_size = _to_int(row.get('chunk_size'))
        self.discards = row.get('discards') or None
        self.profile = row.get('lv_profile') or None
        # Only 'monitored' counts. lvm2 reports 'pending' while dmeventd registers or unregisters the pool
        # (lib/metadata/lv.c, lvseg_monitor_dup), and lvs cannot tell which: read as not monitored,
        # monitor=true registers it again, always safe, where trusting it could leave autoextend off.
        self.monitored = row.get('seg_monitor') == 'monitored'
        self.creation_time = _to_int(row.get('lv_time'))
        self.path = row.get('lv_path') or None
        self.uuid = row.get('lv_uuid')

    # lv_attr: [0] type, [4] state, [5] open, [6] target, [7] zero, [8] health, [9] skip activation
    @property
    def is_thin_pool(self):
        return self.attr[:1] == 't'

    @property
    def is_thin_volume(self):
        return self.attr[:1] == 'V'

    @property
    def active(self):
        return self.attr[4:5] == 'a'

    @property
    def open(self):
        return self.attr[5:6] == 'o'

    def problem(self):
        """(code, what it means) of what lv_attr says is wrong with the volume, or None: health, then state."""
        return _HEALTH_PROBLEMS.get(self.attr[8:9]) or _STATE_PROBLEMS.get(self.attr[4:5])

    @property
    def zeroing(self):
        return self.row.get('zero') == 'zero' or self.attr[7:8] == 'z'

    @property
    def activation_skip(self):
        return self.attr[9:10] == 'k'

    def kind(self):
        """What this LV is, in words, for error messages."""
        kinds = {'t': 'thin pool', 'V': 'thin volume', 's': 'snapshot', 'o': 'origin volume',
                 'm': 'mirror', 'r': 'RAID volume', 'C': 'cache volume', 'v': 'virtual volume',
                 '-': 'linear or striped volume', 'd': 'VDO pool', 'e': 'pool metadata spare'}
        return kinds.get(self.attr[:1], 'volume with attributes %s' % self.attr)


class VolumeGroupReport(object):
    """Every LV of one VG and the VG's size fields, from a single lvs read."""

    def __init__(self, vg, rows, vg_row=None):
        self.vg = vg
        self.volumes = [LogicalVolume(row) for row in rows]
        self.by_name = dict((lv.name, lv) for lv in self.volumes)
        self.extent_size = self.extent_count = self.free_extents = None
        # lvs rows carry the VG's fields; fullreport gives them in a row of their own.
        if vg_row or rows:
            self.set_vg_fields(vg_row or rows[0])

    def set_vg_fields(self, row):
        self.extent_size = int(row['vg_extent_size'])
        self.extent_count = int(row['vg_extent_count'])
        self.free_extents = int(row['vg_free_count'])

    @property
    def has_vg_fields(self):
        return self.extent_size is not None

    @property
    def free_bytes(self):
        return self.free_extents * self.extent_size

    def get(self, name):
        return self.by_name.get(name)

    def thin_volumes(self, pool):
        """Thin volumes whose pool is `pool`, in report order."""
        return [lv for lv in self.volumes if lv.is_thin_volume and lv.pool == pool]


def profile_users(rows, profile):
    """'vg/lv' of the rows (lvs rows, or fullreport lv rows with vg_name) whose LV has the profile attached, and
    'vg' where the VG itself has it (rows that carry vg_profile)."""
    users = set()
    for row in rows:
        if row.get('lv_profile') == profile:
            users.add(lv_path(row['vg_name'], row['lv_name']))
        if row.get('vg_profile') == profile:
            users.add(row['vg_name'])
    return sorted(users)


def fullreport_args():
    """Arguments of `lvm fullreport` for HostReport: JSON, sizes in bytes, explicit fields per subreport."""
    args = ['fullreport'] + list(JSON_REPORT_ARGS)
    for subreport, fields in (('vg', VG_FIELDS), ('pv', FULL_PV_FIELDS), ('lv', FULL_LV_FIELDS),
                              ('pvseg', ('pvseg_start',)), ('seg', FULL_SEG_FIELDS)):
        args += ['--configreport', subreport, '-o', ','.join(fields)]
    return args


def _with_segments(report):
    """The lv rows of one fullreport VG, each with the fields of its first segment."""
    segments = {}
    for seg in report.get('seg', []):
        segments.setdefault(seg['lv_uuid'], seg)
    return [dict(segments.get(row['lv_uuid'], {}), **row) for row in report.get('lv', [])]


class HostReport(object):
    """Every VG (as a VolumeGroupReport) and every PV of the host, from one fullreport."""

    def __init__(self, reports):
        self.vgs = {}
        self.pvs = {}  # resolved device path: VG name ('' for a PV in no VG)
        for report in reports:
            for pv in report.get('pv', []):
                self.pvs[os.path.realpath(pv['pv_name'])] = pv.get('vg_name') or ''
            for vg_row in report.get('vg', []):
                group = VolumeGroupReport(vg_row['vg_name'], _with_segments(report), vg_row)
                self.vgs[group.vg] = group

    def vg(self, name):
        """The VolumeGroupReport of a VG, None when it does not exist."""
        return self.vgs.get(name)


class Command(namedtuple('Command', 'tool args')):
    """One command as an argument list: a step of a plan, run through LvmClient.run (LC_ALL=C, recorded)."""

    @property
    def line(self):
        """What a module's `commands` list shows for it."""
        return [self.tool] + list(self.args)

    def run(self, module, lvm):
        lvm.run(self.tool, self.args)


def _yes_no(on):
    return 'y' if on else 'n'


# The settings lvcreate and lvchange take alike: option and how the value is spelt, in lvcreate's order.
_SETTING_ARGS = (
    ('zeroing', '-Z', _yes_no),
    ('discards', '--discards', str),
    ('profile', '--metadataprofile', str),
    ('monitor', '--monitor', _yes_no),
    ('activation_skip', '--setactivationskip', _yes_no),
)


def _setting_args(settings):
    args = []
    for key, option, spell in _SETTING_ARGS:
        if settings.get(key) is not None:
            args += [option, spell(settings[key])]
    return args


def lv_path(vg, name):
    return '%s/%s' % (vg, name)


def lvcreate_thin_pool(vg, name, extents, metadata_bytes=None, chunk_bytes=None, **settings):
    """A thin pool of `extents` extents; settings: zeroing, discards, profile, monitor (None = LVM's default)."""
    args = ['--type', 'thin-pool', '-l', str(extents), '-n', name]
    if metadata_bytes:
        args += ['--poolmetadatasize', '%db' % metadata_bytes]
    if chunk_bytes:
        args += ['--chunksize', '%db' % chunk_bytes]
    return Command('lvcreate', args + _setting_args(settings) + [vg])


def lvcreate_thin_snapshot(vg, origin, name, activation_skip):
    return Command('lvcreate', ['-s', lv_path(vg, origin), '-n', name, '-k', _yes_no(activation_skip)])


def lvextend_extents(vg, name, extents):
    return Command('lvextend', ['-l', str(extents), lv_path(vg, name)])


def lvextend_metadata(vg, name, metadata_bytes):
    return Command('lvextend', ['--poolmetadatasize', '%db' % metadata_bytes, lv_path(vg, name)])


def lvchange(vg, name, **settings):
    """One lvchange of the settings given (see _SETTING_ARGS)."""
    return Command('lvchange', _setting_args(settings) + [lv_path(vg, name)])


def lvchange_activate(vg, name):
    return Command('lvchange', ['-ay', lv_path(vg, name)])


def lvremove(vg, names):
    """Every named LV of vg in one lvremove; None when there is none to remove."""
    if not names:
        return None
    return Command('lvremove', ['-y', '-f'] + [lv_path(vg, name) for name in names])


def umount(point):
    return Command('umount', [point])


class LvmClient(object):
    """Runs LVM commands for a module and keeps the list it ran."""

    def __init__(self, module):
        self.module = module
        self.commands = []
        self._bins = {}

    def _bin(self, name):
        if name not in self._bins:
            self._bins[name] = self.module.get_bin_path(name, required=True)
        return self._bins[name]

    def run(self, tool, args, ok_rcs=(0,)):
        """Run an LVM tool with args; return (rc, stdout, stderr) or raise LvmError."""
        cmd = [self._bin(tool)] + list(args)
        self.commands.append([tool] + list(args))
        rc, out, err = self.module.run_command(cmd, environ_update={'LC_ALL': 'C'})
        if rc not in ok_rcs:
            raise LvmError('%s failed (rc=%d): %s' % (tool, rc, (err or out).strip()),
                           cmd=cmd, rc=rc, stdout=out, stderr=err)
        return rc, out, err

    def _report(self, tool, fields, vg=None, extra=()):
        """One JSON report of vg, or of every VG when vg is None."""
        args = list(JSON_REPORT_ARGS) + ['-o', ','.join(fields)] + list(extra) + ([vg] if vg else [])
        rc, out, err = self.run(tool, args, ok_rcs=(0, RC_NOT_FOUND) if vg else (0,))
        if rc == RC_NOT_FOUND:
            raise LvmError('Volume group %r not found: create it first (for example with community.general.lvg).' % vg,
                           cmd=[tool] + args, rc=rc, stderr=err)
        try:
            report = json.loads(out)['report'][0]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LvmError('%s returned output that is not an LVM JSON report: %s' % (tool, exc),
                           cmd=[tool] + args, rc=rc, stdout=out, stderr=err)
        return report

    def read_vg(self, vg):
        """One lvs read: every LV of vg, plus the VG's fields (None for an empty VG)."""
        report = self._report('lvs', LV_FIELDS, vg)
        return VolumeGroupReport(vg, report.get('lv', []))

    def read_all_lv_names(self):
        """One lvs read of every VG: the set of (vg, lv) names on the host."""
        rows = self._report('lvs', ('vg_name', 'lv_name')).get('lv', [])
        return set((row['vg_name'], row['lv_name']) for row in rows)

    def read_profile_users(self, profile):
        """One lvs read of every VG: 'vg/lv' of each LV with the metadata profile attached, 'vg' for a VG's own."""
        rows = self._report('lvs', ('vg_name', 'lv_name', 'lv_profile', 'vg_profile')).get('lv', [])
        return profile_users(rows, profile)

    def fill_vg_fields(self, state):
        """Read the VG's size fields with vgs when lvs had no row to carry them."""
        if not state.has_vg_fields:
            rows = self._report('vgs', VG_FIELDS, state.vg).get('vg', [])
            if not rows:
                raise LvmError('Volume group %r not found.' % state.vg)
            state.set_vg_fields(rows[0])
        return state

    def read_host(self):
        """One `lvm fullreport`: every VG with its LVs, and every PV; an empty HostReport without lvm."""
        if not self.module.get_bin_path('lvm'):
            return HostReport([])  # LVM is not installed yet: nothing of it exists
        rc, out, err = self.run('lvm', fullreport_args())
        try:
            return HostReport(json.loads(out)['report'])
        except (ValueError, KeyError, TypeError) as exc:
            raise LvmError('lvm fullreport returned output that is not an LVM JSON report: %s' % exc,
                           cmd=['lvm'] + fullreport_args(), rc=rc, stdout=out, stderr=err)


def mounts_of(device_path, mounts_file='/proc/self/mounts'):
    """Mount points whose source is the block device behind device_path."""
    if not device_path or not os.path.exists(device_path):
        return []
    target = os.path.realpath(device_path)
    points = []
    with open(mounts_file) as mounts:
        for line in mounts:
            fields = line.split()
            if len(fields) >= 2 and fields[0].startswith('/dev/') and os.path.realpath(fields[0]) == target:
                points.append(fields[1].replace('\\040', ' '))
    return points
