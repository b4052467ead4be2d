# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests for the LVM client, fed by lvs/vgs reports captured from lvm2 2.03.16."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import (
    FULL_LV_FIELDS,
    FULL_SEG_FIELDS,
    LV_FIELDS,
    VG_FIELDS,
    LogicalVolume,
    LvmClient,
    LvmError,
    VolumeGroupReport,
    extents_for,
    fullreport_args,
    human_size,
    lvchange,
    lvchange_activate,
    lvcreate_thin_pool,
    lvcreate_thin_snapshot,
    lvextend_extents,
    lvextend_metadata,
    lvremove,
    mounts_of,
    parse_size,
    parse_size_or_percent,
    umount,
    validate_name,
)

KIB, MIB, GIB, TIB = 1024, 1024 ** 2, 1024 ** 3, 1024 ** 4
EXTENT = 4 * MIB  # vg_extent_size of every captured report


# --------------------------------------------------------------------------- parse_size

@pytest.mark.parametrize('value, expected', [
    ('512M', 512 * MIB),
    ('512m', 512 * MIB),
    ('20G', 20 * GIB),
    ('1.5T', int(1.5 * TIB)),
    ('1p', 1024 * TIB),
    ('1E', 1024 ** 6),
    ('128K', 128 * KIB),
    ('4096b', 4096),
    ('4096B', 4096),
    ('8s', 8 * 512),
    ('512', 512 * MIB),           # a bare number is MiB, as with lvcreate -L
    ('1.5', int(1.5 * MIB)),
    (' 64 M ', 64 * MIB),
    ('0.5k', 512),
    ('1.0001b', 2),               # rounded up to whole bytes
    (4096, 4096),                 # an int is bytes
], ids=repr)
def test_parse_size(value, expected):
    assert parse_size(value) == expected


@pytest.mark.parametrize('value, problem', [
    ('', 'is not a size'),
    ('lots', 'is not a size'),
    ('12Q', 'is not a size'),
    ('-1G', 'is not a size'),
    ('1,5G', 'is not a size'),
    ('1GiB', 'is not a size'),
    ('50%VG', 'is not a size'),
    (True, 'is not a size'),      # a bool is not an int size
    ('0', 'must be larger than zero'),
    ('0.0G', 'must be larger than zero'),
    (0, 'must be larger than zero'),
    (-5, 'must be larger than zero'),
], ids=repr)
def test_parse_size_rejects(value, problem):
    with pytest.raises(LvmError) as err:
        parse_size(value, 'metadata_size')
    assert problem in err.value.msg
    assert err.value.msg.startswith('metadata_size %r ' % (value,))


@pytest.mark.parametrize('value, expected', [
    ('80%VG', ('VG', 80.0)),
    ('80%vg', ('VG', 80.0)),
    ('100%VG', ('VG', 100.0)),
    ('12.5 % FREE', ('FREE', 12.5)),
    ('90%free', ('FREE', 90.0)),
    ('512M', ('bytes', 512 * MIB)),
    ('2', ('bytes', 2 * MIB)),
])
def test_parse_size_or_percent(value, expected):
    assert parse_size_or_percent(value) == expected


@pytest.mark.parametrize('value, problem', [
    ('0%VG', 'a percentage must be above 0 and at most 100'),
    ('100.1%FREE', 'a percentage must be above 0 and at most 100'),
    ('150%VG', 'a percentage must be above 0 and at most 100'),
    ('50%PVS', 'is not a size'),   # only VG and FREE are supported
    ('50%ORIGIN', 'is not a size'),
    ('50%', 'is not a size'),
])
def test_parse_size_or_percent_rejects(value, problem):
    with pytest.raises(LvmError) as err:
        parse_size_or_percent(value, 'size')
    assert problem in err.value.msg
    assert repr(value) in err.value.msg


@pytest.mark.parametrize('size, expected', [
    (0, 0),
    (1, 1),
    (EXTENT - 1, 1),
    (EXTENT, 1),
    (EXTENT + 1, 2),
    (510 * MIB, 128),   # rounds up to the 512 MiB pool of the fixtures
    (512 * MIB, 128),
    (513 * MIB, 129),
])
def test_extents_for(size, expected):
    assert extents_for(size, EXTENT) == expected


@pytest.mark.parametrize('size, expected', [
    (0, '0 B'),
    (1023, '1023 B'),
    (1024, '1.00 KiB'),
    (131072, '128.00 KiB'),
    (512 * MIB, '512.00 MiB'),
    (int(1.5 * GIB), '1.50 GiB'),
    (3 * 1024 * TIB, '3072.00 TiB'),
])
def test_human_size(size, expected):
    assert human_size(size) == expected


# --------------------------------------------------------------------------- validate_name

@pytest.mark.parametrize('name, lv', [
    ('mockpool', True),
    ('+mock.fedora-40-x86_64.head', True),
    ('mock.foo-bar.postinit_updated_2026-01-01_10-00', True),
    ('_underscore', True),
    ('.hidden', True),
    ('a' * 127, True),
    ('snapshotter', False),   # reserved LV starts do not apply to VG names
    ('vg_tmeta', False),      # nor the reserved LV parts
])
def test_validate_name_accepts(name, lv):
    assert validate_name(name, 'name', lv=lv) == name


@pytest.mark.parametrize('name, problem', [
    ('', 'it is empty'),
    (None, 'it is empty'),
    ('a' * 128, 'it is longer than 127 characters'),
    ('.', 'it is "." or ".."'),
    ('..', 'it is "." or ".."'),
    ('-pool', 'must not start with -'),
    ('my pool', 'only A-Z a-z 0-9 + _ . - are allowed'),
    ('vg/pool', 'only A-Z a-z 0-9 + _ . - are allowed'),
    ('pool\u00e9', 'only A-Z a-z 0-9 + _ . - are allowed'),
    ('pool\n', 'only A-Z a-z 0-9 + _ . - are allowed'),
    ('pool\nother', 'only A-Z a-z 0-9 + _ . - are allowed'),
    ('snapshot', 'LVM reserves names starting with "snapshot" or "pvmove"'),
    ('snapshot1', 'LVM reserves names starting with "snapshot" or "pvmove"'),
    ('pvmove0', 'LVM reserves names starting with "snapshot" or "pvmove"'),
    ('pool_tdata', 'LVM reserves names containing'),
    ('pool_tmeta', 'LVM reserves names containing'),
    ('x_cdata_y', 'LVM reserves names containing'),
    ('lvol0_pmspare', 'LVM reserves names containing'),
    ('r_rimage_0', 'LVM reserves names containing'),
    ('v_vorigin', 'LVM reserves names containing'),
])
def test_validate_name_rejects(name, problem):
    with pytest.raises(LvmError) as err:
        validate_name(name, 'name')
    msg = err.value.msg
    assert problem in msg
    # The message names the option and the offending value.
    assert msg.startswith('name %r is not a valid LVM name: ' % (name,))


def test_validate_name_message_names_what_for_vg():
    with pytest.raises(LvmError) as err:
        validate_name('my vg', 'vg', lv=False)
    assert err.value.msg.startswith("vg 'my vg' is not a valid LVM name")


# --------------------------------------------------------------------------- LogicalVolume

LV_PROPERTY_CASES = [
    # report, lv_name, is_thin_pool, is_thin_volume, active, open, activation_skip, zeroing, kind
    ('pool_only', 'mockpool', True, False, True, False, False, False, 'thin pool'),
    ('pool_with_volumes', 'mockpool', True, False, True, True, False, False, 'thin pool'),
    ('pool_with_volumes', 'thin1', False, True, True, True, False, False, 'thin volume'),
    ('pool_with_volumes', 'snap_active', False, True, True, False, False, False, 'thin volume'),
    ('pool_with_volumes', 'snap_default', False, True, False, False, True, False, 'thin volume'),
    ('pool_with_volumes', 'linear', False, False, True, False, False, False, 'linear or striped volume'),
    ('pool_unmonitored', 'thin1', False, True, True, False, False, False, 'thin volume'),
    ('mock_family', '+mock.foo.head', False, True, True, False, False, False, 'thin volume'),
    ('mock_family', 'mock.foo.postinit', False, True, False, False, True, False, 'thin volume'),
    ('mock_family', '+mock.foo.ABC', False, True, True, False, False, False, 'thin volume'),
]


@pytest.mark.parametrize('report, lv_name, thin_pool, thin_volume, active, is_open, skip, zeroing, kind',
                         LV_PROPERTY_CASES, ids=['%s-%s' % (c[0], c[1]) for c in LV_PROPERTY_CASES])
def test_logical_volume_properties(lvm_reports, report, lv_name, thin_pool, thin_volume, active, is_open, skip,
                                   zeroing, kind):
    lv = LogicalVolume(lvm_reports.row(report, lv_name))
    assert lv.name == lv_name
    assert lv.vg == 'fixture'
    assert (lv.is_thin_pool, lv.is_thin_volume, lv.active, lv.open, lv.activation_skip, lv.zeroing) == \
        (thin_pool, thin_volume, active, is_open, skip, zeroing)
    assert lv.kind() == kind


def test_logical_volume_typed_fields_of_a_pool(lvm_reports):
    lv = LogicalVolume(lvm_reports.row('pool_with_volumes', 'mockpool'))
    assert lv.size == 512 * MIB
    assert lv.metadata_size == 8 * MIB
    assert lv.chunk_size == 128 * KIB
    assert lv.data_percent == 9.64
    assert lv.metadata_percent == 10.6
    assert lv.discards == 'passdown'
    assert lv.profile == 'mock_lvm-fixture-mockpool'
    assert lv.monitored is True
    assert lv.creation_time == 1795631184
    assert lv.pool is None and lv.origin is None
    assert lv.path is None  # lvs reports no lv_path for a pool
    assert lv.uuid == 'n2udbF-GnIJ-ow1L-EKTr-ooIb-NImD-gc70j1'


def test_logical_volume_typed_fields_of_an_inactive_snapshot(lvm_reports):
    lv = LogicalVolume(lvm_reports.row('pool_with_volumes', 'snap_default'))
    assert lv.pool == 'mockpool'
    assert lv.origin == 'thin1'
    assert lv.size == GIB
    assert lv.data_percent is None          # inactive: lvs reports ""
    assert lv.metadata_size is None
    assert lv.profile is None
    assert lv.monitored is False
    assert lv.path == '/dev/fixture/snap_default'


def test_logical_volume_unmonitored_pool(lvm_reports):
    assert LogicalVolume(lvm_reports.row('pool_unmonitored', 'mockpool')).monitored is False
    assert LogicalVolume(lvm_reports.row('pool_only', 'mockpool')).monitored is True


@pytest.mark.parametrize('changes, zeroing', [
    ({'zero': 'zero'}, True),
    ({'lv_attr': 'twi-a-tz--'}, True),
    ({'zero': '', 'lv_attr': 'twi-a-t---'}, False),
])
def test_logical_volume_zeroing(lvm_reports, changes, zeroing):
    row = lvm_reports.row('pool_only', 'mockpool')
    row.update(changes)
    assert LogicalVolume(row).zeroing is zeroing


@pytest.mark.parametrize('attr, kind', [
    ('swi-a-s---', 'snapshot'),
    ('owi-a-s---', 'origin volume'),
    ('rwi-a-r---', 'RAID volume'),
    ('mwi-a-m---', 'mirror'),
    ('Cwi-a-C---', 'cache volume'),
    ('dwi-------', 'VDO pool'),
    ('ewi-------', 'pool metadata spare'),
    ('Xwi-a-----', 'volume with attributes Xwi-a-----'),
])
def test_logical_volume_kind(lvm_reports, attr, kind):
    row = lvm_reports.row('pool_with_volumes', 'linear')
    row['lv_attr'] = attr
    lv = LogicalVolume(row)
    assert lv.kind() == kind
    assert not lv.is_thin_pool and not lv.is_thin_volume


# --------------------------------------------------------------------------- VolumeGroupReport

def test_report_thin_volumes_in_report_order(lvm_reports):
    report = VolumeGroupReport('fixture', lvm_reports.rows('pool_with_volumes'))
    assert [lv.name for lv in report.thin_volumes('mockpool')] == ['snap_active', 'snap_default', 'thin1']
    assert report.thin_volumes('otherpool') == []
    assert report.thin_volumes('linear') == []


def test_report_thin_volumes_of_a_mock_family(lvm_reports):
    report = VolumeGroupReport('fixture', lvm_reports.rows('mock_family'))
    names = [lv.name for lv in report.thin_volumes('mockpool')]
    assert len(names) == 17  # 3 roots x 5 volumes, plus the bootstrap head and postinit
    assert 'linear' not in names and 'mockpool' not in names
    assert '+mock.foo-bootstrap.head' in names and 'mock.foo.bar.postinit_updated_2026-02-01_10-00' in names


def test_report_vg_fields(lvm_reports):
    report = VolumeGroupReport('fixture', lvm_reports.rows('pool_with_volumes'))
    assert report.has_vg_fields
    assert (report.extent_size, report.extent_count, report.free_extents) == (EXTENT, 1023, 875)
    assert report.free_bytes == 3670016000  # the report's own vg_free
    assert report.get('thin1').name == 'thin1'
    assert report.get('missing') is None
    assert sorted(report.by_name) == ['linear', 'mockpool', 'snap_active', 'snap_default', 'thin1']


def test_report_of_an_empty_vg(lvm_reports):
    report = VolumeGroupReport('fixture', lvm_reports.rows('empty_vg'))
    assert report.volumes == []
    assert not report.has_vg_fields
    assert report.extent_size is None and report.free_extents is None
    assert report.get('mockpool') is None
    assert report.thin_volumes('mockpool') == []
    report.set_vg_fields(lvm_reports.rows('empty_vg_vgs')[0])
    assert report.has_vg_fields
    assert (report.extent_size, report.extent_count, report.free_extents) == (EXTENT, 1023, 1023)
    assert report.free_bytes == 4290772992


# --------------------------------------------------------------------------- LvmClient

LVS_ARGS = ['--reportformat', 'json', '--units', 'b', '--nosuffix', '--config', 'report/time_format="%s"',
            '-o', ','.join(LV_FIELDS), 'fixture']


def test_field_lists_match_the_capture_script():
    """The fixtures are only valid while the client asks for the fields the script captured."""
    script = os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures', 'capture_lvm_reports.sh')
    with open(script) as handle:
        lines = dict(line.split('=', 1) for line in handle.read().splitlines() if line[:3] in ('LV=', 'VG='))
    assert lines['LV'].split(',') == list(LV_FIELDS)
    assert lines['VG'].split(',') == list(VG_FIELDS)


def test_read_vg_runs_one_lvs_with_lc_all_c(fake_module, fake_lvm, lvm_reports):
    fake_lvm.set(lvs=lvm_reports.text('pool_with_volumes'))
    client = LvmClient(fake_module)
    report = client.read_vg('fixture')
    assert [lv.name for lv in report.volumes] == ['linear', 'mockpool', 'snap_active', 'snap_default', 'thin1']
    assert len(fake_lvm.calls) == 1
    call = fake_lvm.calls[0]
    assert call.argv == ['/usr/sbin/lvs'] + LVS_ARGS
    assert call.environ_update == {'LC_ALL': 'C'}
    assert client.commands == [['lvs'] + LVS_ARGS]


def test_read_vg_of_an_empty_vg_then_fill_vg_fields(fake_module, fake_lvm, lvm_reports):
    fake_lvm.set(lvs=lvm_reports.text('empty_vg'), vgs=lvm_reports.text('empty_vg_vgs'))
    client = LvmClient(fake_module)
    report = client.read_vg('fixture')
    assert not report.has_vg_fields
    assert client.fill_vg_fields(report) is report
    assert (report.extent_size, report.free_extents) == (EXTENT, 1023)
    assert fake_lvm.tools == ['lvs', 'vgs']
    vgs = fake_lvm.calls[1]
    assert vgs.args == ['--reportformat', 'json', '--units', 'b', '--nosuffix', '--config',
                        'report/time_format="%s"', '-o', ','.join(VG_FIELDS), 'fixture']
    assert vgs.environ_update == {'LC_ALL': 'C'}


def test_fill_vg_fields_does_not_read_when_lvs_had_rows(fake_module, fake_lvm, lvm_reports):
    fake_lvm.set(lvs=lvm_reports.text('pool_only'))
    client = LvmClient(fake_module)
    report = client.fill_vg_fields(client.read_vg('fixture'))
    assert report.free_extents == 891
    assert fake_lvm.tools == ['lvs']


def test_fill_vg_fields_without_a_vg_row(fake_module, fake_lvm, lvm_reports):
    fake_lvm.set(lvs=lvm_reports.text('empty_vg'), vgs=lvm_reports.vgs_json([]))
    client = LvmClient(fake_module)
    with pytest.raises(LvmError) as err:
        client.fill_vg_fields(client.read_vg('fixture'))
    assert err.value.msg == "Volume group 'fixture' not found."


@pytest.mark.parametrize('tool', ['lvs', 'vgs'])
def test_missing_vg_rc5_names_the_vg(fake_module, fake_lvm, lvm_reports, tool):
    stderr = '  Volume group "fixture" not found\n  Cannot process volume group fixture\n'
    fake_lvm.set(lvs=(5, '', stderr) if tool == 'lvs' else lvm_reports.text('empty_vg'), vgs=(5, '', stderr))
    client = LvmClient(fake_module)
    with pytest.raises(LvmError) as err:
        client.fill_vg_fields(client.read_vg('fixture'))
    exc = err.value
    assert exc.msg.startswith("Volume group 'fixture' not found: create it first")
    assert exc.rc == 5
    assert exc.stderr == stderr
    assert exc.cmd[0] == tool
    assert exc.cmd[-1] == 'fixture'
    assert exc.fail_kwargs() == {'msg': exc.msg, 'cmd': exc.cmd, 'rc': 5, 'stderr': stderr}


@pytest.mark.parametrize('stdout', [
    '',
    'not json at all',
    '  WARNING: something\n{"report": [{"lv": []}]}',
    '{"report": []}',
    '{"something": "else"}',
    '[]',
    'null',
], ids=['empty', 'text', 'warning-before-json', 'empty-report-list', 'no-report-key', 'json-list', 'json-null'])
def test_read_vg_output_that_is_not_a_report(fake_module, fake_lvm, stdout):
    fake_lvm.set(lvs=(0, stdout, 'some stderr'))
    with pytest.raises(LvmError) as err:
        LvmClient(fake_module).read_vg('fixture')
    exc = err.value
    assert exc.msg.startswith('lvs returned output that is not an LVM JSON report: ')
    assert (exc.rc, exc.stdout, exc.stderr) == (0, stdout, 'some stderr')
    assert exc.cmd == ['lvs'] + LVS_ARGS


def test_run_failure_raises_with_command_rc_and_stderr(fake_module, fake_lvm):
    fake_lvm.set(lvcreate=(5, '', '  Volume group "fixture" has insufficient free space (10 extents): 20 required.\n'))
    client = LvmClient(fake_module)
    with pytest.raises(LvmError) as err:
        client.run('lvcreate', ['-l', '20', '-n', 'x', 'fixture'])
    exc = err.value
    assert exc.msg == 'lvcreate failed (rc=5): Volume group "fixture" has insufficient free space (10 extents): 20 required.'
    assert exc.cmd == ['/usr/sbin/lvcreate', '-l', '20', '-n', 'x', 'fixture']
    assert exc.rc == 5
    assert set(exc.fail_kwargs()) == {'msg', 'cmd', 'rc', 'stdout', 'stderr'}
    # A failed command is still recorded.
    assert client.commands == [['lvcreate', '-l', '20', '-n', 'x', 'fixture']]


def test_run_failure_without_stderr_uses_stdout(fake_module, fake_lvm):
    fake_lvm.set(lvchange=(3, 'stdout says why\n', ''))
    with pytest.raises(LvmError) as err:
        LvmClient(fake_module).run('lvchange', ['-an', 'fixture/x'])
    assert err.value.msg == 'lvchange failed (rc=3): stdout says why'


def test_run_accepts_listed_rcs_and_resolves_binaries_once(fake_module, fake_lvm):
    looked_up = []

    def get_bin_path(arg, required=False, opt_dirs=None):
        looked_up.append((arg, required))
        return '/sbin/%s' % arg

    fake_module.get_bin_path = get_bin_path
    fake_lvm.set(lvchange=[(0, 'ok', ''), (5, '', 'gone')])
    client = LvmClient(fake_module)
    assert client.run('lvchange', ['-ay', 'fixture/a']) == (0, 'ok', '')
    assert client.run('lvchange', ['-ay', 'fixture/b'], ok_rcs=(0, 5)) == (5, '', 'gone')
    assert looked_up == [('lvchange', True)]
    assert [call.argv[0] for call in fake_lvm.calls] == ['/sbin/lvchange', '/sbin/lvchange']


def test_remove_in_one_lvremove(fake_module, fake_lvm):
    fake_lvm.ok('lvremove')
    client = LvmClient(fake_module)
    assert lvremove('fixture', []) is None
    assert fake_lvm.calls == []
    lvremove('fixture', ['thin1', 'mockpool']).run(fake_module, client)
    assert fake_lvm.commands == [['lvremove', '-y', '-f', 'fixture/thin1', 'fixture/mockpool']]
    assert fake_lvm.calls[0].environ_update == {'LC_ALL': 'C'}
    assert client.commands == fake_lvm.commands


# Every argument format, spelt out here independently of _lvm.
@pytest.mark.parametrize('command, line', [
    (lvcreate_thin_pool('vg', 'pool', 128), ['lvcreate', '--type', 'thin-pool', '-l', '128', '-n', 'pool', 'vg']),
    (lvcreate_thin_pool('vg', 'pool', 3, 8 * MIB, 128 * KIB, zeroing=False, discards='passdown', profile='p',
                        monitor=True),
     ['lvcreate', '--type', 'thin-pool', '-l', '3', '-n', 'pool', '--poolmetadatasize', '8388608b', '--chunksize',
      '131072b', '-Z', 'n', '--discards', 'passdown', '--metadataprofile', 'p', '--monitor', 'y', 'vg']),
    (lvcreate_thin_snapshot('vg', 'origin', 'snap', True), ['lvcreate', '-s', 'vg/origin', '-n', 'snap', '-k', 'y']),
    (lvcreate_thin_snapshot('vg', 'origin', 'snap', False), ['lvcreate', '-s', 'vg/origin', '-n', 'snap', '-k', 'n']),
    (lvextend_extents('vg', 'pool', 256), ['lvextend', '-l', '256', 'vg/pool']),
    (lvextend_metadata('vg', 'pool', 16 * MIB), ['lvextend', '--poolmetadatasize', '16777216b', 'vg/pool']),
    (lvchange('vg', 'pool', zeroing=True), ['lvchange', '-Z', 'y', 'vg/pool']),
    (lvchange('vg', 'pool', discards='ignore'), ['lvchange', '--discards', 'ignore', 'vg/pool']),
    (lvchange('vg', 'pool', profile='p'), ['lvchange', '--metadataprofile', 'p', 'vg/pool']),
    (lvchange('vg', 'pool', monitor=False), ['lvchange', '--monitor', 'n', 'vg/pool']),
    (lvchange('vg', 'snap', activation_skip=False), ['lvchange', '--setactivationskip', 'n', 'vg/snap']),
    (lvchange_activate('vg', 'snap'), ['lvchange', '-ay', 'vg/snap']),
    (umount('/var/lib/mock/foo/root'), ['umount', '/var/lib/mock/foo/root']),
])
def test_argument_formats(command, line):
    assert command.line == line


def test_lvm_error_fail_kwargs_leave_out_unset_fields():
    assert LvmError('plain').fail_kwargs() == {'msg': 'plain'}
    assert LvmError('x', rc=0, stdout='').fail_kwargs() == {'msg': 'x', 'rc': 0, 'stdout': ''}


# --------------------------------------------------------------------------- mounts_of

def test_mounts_of_ignores_sources_outside_dev(tmp_path):
    device = tmp_path / 'dm-7'
    device.write_text(u'')
    mounts = tmp_path / 'mounts'
    mounts.write_text(u'%s /mnt/fixture ext4 rw 0 0\ntmpfs /tmp tmpfs rw 0 0\n' % device)
    assert mounts_of(str(device), str(mounts)) == []
    assert mounts_of(str(tmp_path / 'missing'), str(mounts)) == []
    assert mounts_of('', str(mounts)) == []
    assert mounts_of(None, str(mounts)) == []


def test_mounts_of_dev_sources(tmp_path):
    """Sources under /dev/ are resolved like the device path, escapes undone."""
    null = os.path.realpath('/dev/null')
    mounts = tmp_path / 'mounts'
    mounts.write_text(u'/dev/null /mnt/a\\040b none rw 0 0\n/dev/zero /mnt/z none rw 0 0\nshort\n')
    assert mounts_of(null, str(mounts)) == ['/mnt/a b']
    assert mounts_of('/dev/zero', str(mounts)) == ['/mnt/z']


def test_reports_are_the_captured_ones(lvm_reports):
    """Guard against an edited fixture: every report is lvm2's JSON shape with the captured fields."""
    assert lvm_reports.names() == ['empty_vg', 'empty_vg_vgs', 'host_fullreport', 'mock_family', 'pool_only',
                                   'pool_unmonitored', 'pool_with_volumes']
    full = lvm_reports.report('host_fullreport')['report']
    assert [list(row) for row in full[0]['lv']] == [list(FULL_LV_FIELDS)] * 5
    assert [list(row) for row in full[0]['seg']] == [list(FULL_SEG_FIELDS)] * 5
    assert [list(row) for row in full[0]['vg']] == [list(VG_FIELDS)]
    for name in [n for n in lvm_reports.names() if n != 'host_fullreport']:
        report = json.loads(lvm_reports.text(name))
        assert list(report) == ['report']
        fields = VG_FIELDS if name.endswith('_vgs') else LV_FIELDS
        for row in lvm_reports.rows(name):
            assert list(row) == list(fields), name
            assert row['vg_extent_size'] == str(EXTENT)


# --------------------------------------------------------------------------- one fullreport for the host

def test_fullreport_asks_every_field_the_lvs_read_has_once():
    args = fullreport_args()
    assert args[0] == 'fullreport' and args.count('--configreport') == 5
    subreports = dict((args[i + 1], args[i + 3].split(',')) for i, a in enumerate(args) if a == '--configreport')
    assert set(subreports) == set(['vg', 'pv', 'lv', 'pvseg', 'seg'])
    # Every lvs field comes from exactly one subreport (LVM refuses fields of another kind in a subreport).
    from_subreports = set(subreports['vg']) | set(subreports['lv']) | set(subreports['seg'])
    assert set(LV_FIELDS) <= from_subreports
    # vg_name is the one VG field LVM takes in the lv subreport.
    assert not set(FULL_LV_FIELDS) & (set(VG_FIELDS[1:]) | set(FULL_SEG_FIELDS[1:]))


def test_read_host_is_one_lvm_command_for_every_vg_and_pv(fake_module, fake_lvm, lvm_reports):
    fake_lvm.set(lvm=lvm_reports.text('host_fullreport'))
    client = LvmClient(fake_module)
    host = client.read_host()
    assert fake_lvm.commands == [['lvm'] + fullreport_args()]
    assert fake_lvm.calls[0].environ_update == {'LC_ALL': 'C'}
    assert sorted(host.vgs) == ['fixture'] and host.vg('missing') is None
    assert host.pvs == {'/dev/vdf': 'fixture', '/dev/vdg': ''}
    report = host.vg('fixture')
    assert (report.extent_size, report.extent_count, report.free_extents) == (4 * 1024 ** 2, 1023, 875)
    pool = report.get('mockpool')
    # Segment fields joined to their LV by uuid.
    assert pool.is_thin_pool and pool.monitored and pool.chunk_size == 128 * 1024 and pool.discards == 'passdown'
    assert not pool.zeroing
    assert [lv.name for lv in report.thin_volumes('mockpool')] == ['snap_active', 'snap_default', 'thin1']


def test_read_host_agrees_with_the_lvs_read_of_the_same_state(fake_module, fake_lvm, lvm_reports):
    fake_lvm.set(lvm=lvm_reports.text('host_fullreport'))
    full = LvmClient(fake_module).read_host().vg('fixture')
    lvs = VolumeGroupReport('fixture', lvm_reports.rows('pool_with_volumes'))
    keys = ('name', 'attr', 'size', 'metadata_size', 'pool', 'origin', 'chunk_size', 'discards', 'profile', 'monitored')
    assert [[getattr(lv, k) for k in keys] for lv in full.volumes] == [[getattr(lv, k) for k in keys] for lv in lvs.volumes]


def test_read_host_without_lvm_is_empty_and_runs_nothing(fake_module, fake_lvm):
    fake_module.get_bin_path = lambda arg, required=False, opt_dirs=None: None
    host = LvmClient(fake_module).read_host()
    assert host.vgs == {} and host.pvs == {} and fake_lvm.calls == []


def test_read_host_refuses_output_that_is_no_report(fake_module, fake_lvm):
    fake_lvm.set(lvm='not json')
    with pytest.raises(LvmError) as err:
        LvmClient(fake_module).read_host()
    assert 'lvm fullreport returned output that is not an LVM JSON report' in err.value.msg
