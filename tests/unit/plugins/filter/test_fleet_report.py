# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The rows and tables of the fleet playbooks, from registered results shaped as the modules return them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io
import json
import os
import re

import pytest
import yaml

from ansible.errors import AnsibleFilterError

from ansible_collections.buildfleet.mock_lvm.plugins.filter.fleet_report import (
    FilterModule,
    collapse_errors,
    csv_text,
    pool_finding,
    pool_rows,
    pool_trends,
    prometheus_textfile,
    report_document,
    root_rows,
    split_names,
    text_table,
    volume_rows,
)

GIB = 1024 ** 3


def pool(vg, name, data, metadata, volumes=2, threshold=80, step=20, monitored=True):
    """One pool as buildfleet.mock_lvm.thinpool_info returns it."""
    return {'vg': vg, 'name': name, 'exists': True, 'problem': None, 'size': 2 * GIB, 'data_percent': data,
            'metadata_percent': metadata, 'thin_volumes': ['v%d' % i for i in range(volumes)],
            'autoextend_threshold': threshold, 'autoextend_percent': step, 'monitored': monitored}


def info(*pools):
    return {'changed': False, 'pools': list(pools), 'commands': [['lvm', 'fullreport']]}


def failed_with(item, msg, **extra):
    # What failed_when leaves of a failed module run: 'failed' rewritten, the module's keys kept.
    return dict({'failed': False, 'failed_when_result': False, 'item': item, 'msg': msg}, **extra)


CONFIG = {'name': 'f40', 'root': 'fedora-40-x86_64', 'vg': 'mock', 'pool': 'shared'}


def volume(name, role='snapshot', chroot='main'):
    return {'name': name, 'role': role, 'chroot': chroot}


FAMILY = [volume('+mock.fedora-40-x86_64.head', 'working'), volume('+mock.fedora-40-x86_64.ABC', 'working'),
          volume('mock.fedora-40-x86_64.postinit'), volume('mock.fedora-40-x86_64.postinit_updated_2026-01-01_10-00'),
          volume('mock.fedora-40-x86_64.postinit_updated_2026-02-01_10-00'),
          volume('mock.fedora-40-x86_64-bootstrap.postinit_updated_2026-02-01_10-00', chroot='bootstrap')]


@pytest.mark.parametrize('data, metadata, status, message', [
    (12.5, 3.0, 'ok', ''),
    (79.99, 79.99, 'ok', ''),
    (80.0, 3.0, 'over', 'data above the 80 % threshold'),
    (3.0, 91.0, 'over', 'metadata above the 80 % threshold'),
    (85.0, 95.0, 'over', 'data and metadata above the 80 % threshold'),
])
def test_pool_rows_judge_data_and_metadata(data, metadata, status, message):
    row = pool_rows(info(pool('mock', 'shared', data, metadata)), 'b1', 80)[0]
    assert (row['status'], row['message']) == (status, message)
    assert row['fullness'] == max(data, metadata)
    assert (row['host'], row['vg'], row['pool'], row['size_gib'], row['thin_volumes']) == ('b1', 'mock', 'shared', 2.0, 2)
    assert row['autoextend'] == '80%+20%'


def test_pool_rows_autoextend_off_and_string_threshold():
    rows = pool_rows(info(pool('mock', 'a', 1.0, 1.0, threshold=100), pool('mock', 'b', 1.0, 1.0, threshold=None)),
                     'b1', '90')
    assert [r['autoextend'] for r in rows] == ['off', 'off']


def test_pool_rows_say_why_a_pool_is_missing():
    rows = pool_rows(info({'vg': 'mock', 'name': 'gone', 'exists': False, 'problem': 'thin pool mock/gone does not exist'}),
                     'b1', 80)
    assert (rows[0]['status'], rows[0]['message'], rows[0]['data_percent']) == ('missing', 'thin pool mock/gone does not exist',
                                                                                None)


def test_pool_rows_of_a_failed_read_are_failed_for_every_declared_pool():
    declared = [{'vg': 'mock', 'name': 'a', 'size': '1G'}, {'vg': 'mock', 'name': 'b'}]
    rows = pool_rows(failed_with(None, 'lvm fullreport failed (rc=5):\n  locking'), 'b1', 80, declared)
    message = 'lvm fullreport failed (rc=5): locking'
    assert [(r['pool'], r['status'], r['message']) for r in rows] == [('a', 'failed', message), ('b', 'failed', message)]
    assert all(r['fullness'] == -1.0 and r['size_gib'] is None for r in rows)
    assert pool_rows(failed_with(None, 'unreachable'), 'b1', 80)[0]['status'] == 'failed'


def test_pool_rows_refuse_a_bad_threshold():
    with pytest.raises(AnsibleFilterError, match="threshold 'high' is not a number"):
        pool_rows([], 'b1', 'high')


def test_root_rows_count_the_family():
    result = {'item': CONFIG, 'volumes': FAMILY, 'build_running': False, 'removed': [], 'skipped': []}
    row = root_rows({'results': [result]}, 'b1')[0]
    assert (row['volumes'], row['working'], row['snapshots'], row['updates']) == (6, 2, 4, 2)
    assert (row['status'], row['build_running']) == ('ok', False)


def test_root_rows_status_changed_building_busy_error_and_skipped_items():
    results = [
        {'item': CONFIG, 'volumes': FAMILY[:3], 'build_running': False, 'removed': ['b', 'a'], 'skipped': []},
        {'item': CONFIG, 'volumes': FAMILY, 'build_running': True, 'removed': [], 'skipped': []},
        failed_with(CONFIG, 'Build in progress: /var/lib/mock/.lvm-mock.fedora-40-x86_64.lock is locked',
                    build_running=True, busy_locks=['/var/lib/mock/.lvm-mock.fedora-40-x86_64.lock']),
        failed_with(CONFIG, 'Volume group mock not found'),
        {'item': CONFIG, 'skipped': True, 'changed': False},
    ]
    rows = root_rows(results, 'b1')
    assert [r['status'] for r in rows] == ['changed', 'building', 'busy', 'error']
    assert rows[0]['removed'] == ['a', 'b']
    assert rows[2]['volumes'] is None and rows[2]['message'].startswith('Build in progress')
    assert rows[3]['message'] == 'Volume group mock not found'


def test_root_rows_count_stale_volumes_and_mark_another_basedir():
    results = [
        {'item': CONFIG, 'volumes': FAMILY, 'build_running': False, 'removed': [], 'skipped': [],
         'stale': ['+mock.fedora-40-x86_64.head'], 'removed_files': ['/var/lib/mock/.snapinfo-mock.x.ABC']},
        {'item': CONFIG, 'volumes': FAMILY, 'build_running': False, 'removed': [], 'skipped': [], 'stale': [],
         'basedir_mismatch': True, 'basedir_problem': 'root fedora-40-x86_64 has 6 volumes\n but none'},
    ]
    rows = root_rows(results, 'b1')
    assert [(r['stale'], r['status']) for r in rows] == [(1, 'changed'), (0, 'basedir')]
    assert rows[1]['message'] == 'root fedora-40-x86_64 has 6 volumes but none'


def test_root_rows_count_idle_volumes_what_was_not_reaped_and_undeclared_lock_files():
    result = {'item': CONFIG, 'volumes': FAMILY, 'build_running': False, 'removed': [], 'skipped': [], 'stale': [],
              'idle': ['+mock.fedora-40-x86_64.ABC', '+mock.fedora-40-x86_64.head'],
              'not_removed': [{'name': '+mock.fedora-40-x86_64.XYZ', 'state': 'died', 'reason': 'processes ...'}],
              'undeclared_lock_files': ['/var/lib/mock/.lvm-mock.gone.lock', '/var/lib/mock/.lvm-pool-mock.gone.lock']}
    row = root_rows([result], 'b1')[0]
    assert (row['idle'], row['not_reaped'], row['lock_files'], row['status']) == (
        2, ['+mock.fedora-40-x86_64.XYZ'], 2, 'ok')
    failed = root_rows([failed_with(CONFIG, 'Volume group mock not found')], 'b1')[0]
    assert (failed['idle'], failed['lock_files'], failed['not_reaped']) == (None, None, [])


def test_volume_rows_one_per_volume_with_what_an_operator_acts_on():
    volume = {'name': '+mock.fedora-40-x86_64.ABC', 'kind': 'working', 'chroot': 'main', 'uniqueext': 'ABC',
              'size': 8 * GIB, 'data_percent': 12.5, 'creation_time': 1795631204, 'mounts': ['/var/lib/mock/x/root'],
              'in_use': False, 'stale': True, 'state': 'died', 'idle_since': 1795631304, 'current': False,
              'starts_from': 'mock.fedora-40-x86_64.postinit'}
    results = [{'item': CONFIG, 'volumes': [volume, dict(volume, name='mock.fedora-40-x86_64.postinit',
                                                         kind='postinit', mounts=[], stale=False, size=None,
                                                         creation_time=None, state=None, idle_since=None)]},
               failed_with(CONFIG, 'Volume group mock not found'), {'item': CONFIG, 'skipped': True}]
    rows = volume_rows(results, 'b1')
    assert len(rows) == 2
    assert rows[0] == {'host': 'b1', 'config': CONFIG['name'], 'root': CONFIG['root'], 'vg': CONFIG['vg'],
                       'pool': CONFIG['pool'], 'volume': '+mock.fedora-40-x86_64.ABC', 'kind': 'working',
                       'chroot': 'main', 'uniqueext': 'ABC', 'size_gib': 8.0, 'data_percent': 12.5,
                       'created': '2026-11-25T18:26:44Z', 'mounted': True, 'in_use': False, 'stale': True,
                       'state': 'died', 'idle_since': '2026-11-25T18:28:24Z', 'current': False,
                       'starts_from': 'mock.fedora-40-x86_64.postinit'}
    assert (rows[1]['kind'], rows[1]['mounted'], rows[1]['size_gib'], rows[1]['created']) == (
        'postinit', False, None, None)


def test_text_table_aligns_and_marks_missing_values():
    rows = [{'host': 'b1', 'n': 5, 'p': 12.5, 'ok': True, 'l': ['x', 'y']},
            {'host': 'builder-22', 'n': 10, 'p': None, 'ok': False, 'l': []}]
    lines = text_table(rows, ['host', 'n', 'p', 'ok', 'l'])
    assert lines == ['host         n      p  ok   l',
                     '----------  --  -----  ---  ---',
                     'b1           5  12.50  yes  x y',
                     'builder-22  10      -  no   -']


def test_csv_text_round_trips_through_a_csv_reader():
    rows = [{'host': 'b1', 'message': 'data, metadata "full"', 'n': None}]
    parsed = list(csv.reader(io.StringIO(csv_text(rows, ['host', 'message', 'n']))))
    assert parsed == [['host', 'message', 'n'], ['b1', 'data, metadata "full"', '']]


@pytest.mark.parametrize('columns', [[], 'host', [1], None])
def test_tables_refuse_bad_columns(columns):
    with pytest.raises(AnsibleFilterError, match='columns must be a non-empty list'):
        text_table([], columns)


@pytest.mark.parametrize('value, expected', [
    ('', []),
    (None, []),
    ('a, b,,a ', ['a', 'b']),
    (['x', ' y '], ['x', 'y']),
])
def test_split_names(value, expected):
    assert split_names(value, 'scrub_configs') == expected


def test_split_names_refuses_other_types():
    with pytest.raises(AnsibleFilterError, match='scrub_configs must be a list of names'):
        split_names({'a': 1}, 'scrub_configs')


# A pool thinpool_info read with health from lv_attr: (id, changes to the pool, status, message start)
HEALTH_ROWS = [
    ('inactive-no-use-is-not-0', dict(data_percent=None, metadata_percent=None, active=False, health='inactive',
                                      health_problem='Thin pool mock/shared is not active: its use cannot be read and '
                                                     'mock cannot use it (lv_attr twi---t---).'),
     'unhealthy', 'Thin pool mock/shared is not active'),
    ('out-of-data-space-even-below-threshold', dict(data_percent=12.0, health='out_of_data_space',
                                                    health_problem='Thin pool mock/shared is out of data space: ...'),
     'unhealthy', 'Thin pool mock/shared is out of data space'),
    ('metadata-read-only-over-threshold-says-the-cause', dict(metadata_percent=100.0, health='metadata_read_only',
                                                              health_problem='Thin pool mock/shared has read-only '
                                                                             'metadata'),
     'unhealthy', 'Thin pool mock/shared has read-only metadata'),
    ('active-without-a-percentage', dict(metadata_percent=None, health='ok'), 'unhealthy',
     'LVM reported no metadata use for an active pool'),
    ('older-read-without-health-is-judged-by-use', dict(data_percent=85.0), 'over', 'data above the 80 % threshold'),
]


@pytest.mark.parametrize('changes, status, message', [c[1:] for c in HEALTH_ROWS], ids=[c[0] for c in HEALTH_ROWS])
def test_pool_rows_make_a_broken_pool_a_finding_with_its_cause(changes, status, message):
    row = pool_rows(info(dict(pool('mock', 'shared', 12.5, 3.0), **changes)), 'b1', 80)[0]
    assert (row['status'], row['message'][:len(message)]) == (status, message)
    assert row['data_percent'] == changes.get('data_percent', 12.5)
    assert row['metadata_percent'] == changes.get('metadata_percent', 3.0)


def test_pool_finding_of_an_inactive_pool_never_says_0():
    problem = 'Thin pool mock/shared is not active: its use cannot be read and mock cannot use it (lv_attr twi---t---).'
    row = pool_rows(info(dict(pool('mock', 'shared', None, None), health='inactive', health_problem=problem)), 'b1', 80)[0]
    assert (row['data_percent'], row['metadata_percent'], row['fullness']) == (None, None, -1.0)
    assert pool_finding(row) == ('b1 mock/shared: Thin pool mock/shared is not active: its use cannot be read and '
                                 'mock cannot use it (lv_attr twi---t---).')
    partly = dict(row, data_percent=100.0)
    assert pool_finding(partly).endswith('(data 100.00 %, metadata not reported)')


def test_prometheus_textfile_says_a_pool_is_unhealthy():
    from prometheus_client.parser import text_string_to_metric_families

    pools = pool_rows(info(pool('mock', 'shared', 12.5, 3.25, volumes=4),
                           dict(pool('mock', 'dead', None, None), health='inactive', health_problem='inactive'),
                           dict(pool('mock', 'full', 100.0, 5.0), health='out_of_data_space', health_problem='full')),
                      'b1', 80)
    document = dict(report_document(pools, [], 80, []), generated='2026-12-01T10:00:00Z')
    samples = dict(((s.name, tuple(sorted(s.labels.items()))), s.value)
                   for family in text_string_to_metric_families(prometheus_textfile(document)) for s in family.samples)
    labels = dict((name, (('host', 'b1'), ('pool', name), ('vg', 'mock'))) for name in ('shared', 'dead', 'full'))
    assert [samples[('mock_lvm_pool_healthy', labels[n])] for n in ('shared', 'dead', 'full')] == [1, 0, 0]
    assert [samples[('mock_lvm_pool_read_ok', labels[n])] for n in ('shared', 'dead', 'full')] == [1, 0, 1]
    problems = sorted((dict(k[1])['pool'], dict(k[1])['cause']) for k in samples if k[0] == 'mock_lvm_pool_problem')
    assert problems == [('dead', 'inactive'), ('full', 'out_of_data_space')]
    # No use sample for a pool whose use LVM did not report: never a 0.
    assert ('mock_lvm_pool_data_percent', labels['dead']) not in samples
    assert samples[('mock_lvm_pool_data_percent', labels['full'])] == 100.0


def test_pool_finding_names_host_pool_and_use():
    row = pool_rows(info(pool('mock', 'shared', 85.0, 3.0)), 'b1', 80)[0]
    assert pool_finding(row) == 'b1 mock/shared: data above the 80 % threshold (data 85.00 %, metadata 3.00 %)'


def test_filter_module_exposes_every_filter():
    assert set(FilterModule().filters()) == {'pool_rows', 'pool_finding', 'root_rows', 'text_table', 'csv_text',
                                             'split_names', 'collapse_errors', 'report_document',
                                             'prometheus_textfile', 'volume_rows', 'pool_trends'}


def test_text_table_caps_a_column():
    rows = [{'host': 'b1', 'message': 'x' * 50}, {'host': 'b2', 'message': 'short'}]
    lines = text_table(rows, ['host', 'message'], {'message': 12})
    assert lines[2] == 'b1    xxxxxxxxx...'
    assert lines[3] == 'b2    short'
    assert max(len(line) for line in lines) == len('b1    ') + 12
    with pytest.raises(AnsibleFilterError, match='caps must map columns to a width above 3'):
        text_table(rows, ['host'], {'message': 2})


def failed_row(host, pool, message):
    return {'host': host, 'vg': 'mock', 'pool': pool, 'status': 'failed', 'message': message}


def test_collapse_errors_gives_one_row_per_distinct_failure():
    ok = {'host': 'b0', 'vg': 'mock', 'pool': 'shared', 'status': 'ok', 'message': ''}
    over = dict(ok, status='over', message='data above the 80 % threshold')
    rows = [ok, failed_row('b1', 'shared', 'locking failed'), failed_row('b1', 'big', 'locking failed'), over,
            failed_row('b2', 'shared', 'locking failed'), failed_row('b3', 'shared', 'lvm not found')]
    for host in ('b4', 'b5'):
        rows.append(failed_row(host, 'shared', 'locking failed'))
    table = collapse_errors(rows)
    assert table[:2] == [ok, over]
    assert [(r['host'], r['pool'], r['message']) for r in table[2:]] == [
        ('b1, b2, b4 and 1 more', 'mock/big mock/shared', 'locking failed'), ('b3', 'mock/shared', 'lvm not found')]
    assert all(r['status'] == 'failed' for r in table[2:])


def test_report_document_says_when_and_by_which_version():
    document = report_document([], [], 80, ['b9'])
    assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', document['generated'])
    assert document['collection_version'] == galaxy_version()
    assert (document['threshold'], document['unreachable_or_failed']) == (80, ['b9'])


def galaxy_version():
    with open(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'galaxy.yml')) as handle:
        return yaml.safe_load(handle)['version']


def test_prometheus_textfile_parses_with_the_reference_parser():
    from prometheus_client.parser import text_string_to_metric_families

    pools = pool_rows(info(pool('mock', 'shared', 12.5, 3.25, volumes=4)), 'b1', 80)
    pools += pool_rows(failed_with(None, 'lvm fullreport failed'), 'b"2', 80, [{'vg': 'mock', 'name': 'shared'}])
    roots = [{'host': 'b1', 'config': 'f43', 'root': 'fedora-43-x86_64', 'build_running': True, 'stale': 2},
             {'host': 'b1', 'config': 'el9', 'root': 'el9', 'build_running': False}]
    document = dict(report_document(pools, roots, 80, []), generated='2026-12-01T10:00:00Z')
    text = prometheus_textfile(document)
    samples = dict(((s.name, tuple(sorted(s.labels.items()))), s.value)
                   for family in text_string_to_metric_families(text) for s in family.samples)
    b1 = (('host', 'b1'), ('pool', 'shared'), ('vg', 'mock'))
    assert samples[('mock_lvm_pool_data_percent', b1)] == 12.5
    assert samples[('mock_lvm_pool_metadata_percent', b1)] == 3.25
    assert samples[('mock_lvm_pool_thin_volumes', b1)] == 4
    assert samples[('mock_lvm_pool_read_ok', b1)] == 1
    assert samples[('mock_lvm_pool_read_ok', (('host', 'b"2'), ('pool', 'shared'), ('vg', 'mock')))] == 0
    assert not [k for k in samples if k[0] == 'mock_lvm_pool_data_percent' and dict(k[1])['host'] == 'b"2']
    f43 = (('config', 'f43'), ('host', 'b1'), ('root', 'fedora-43-x86_64'))
    el9 = (('config', 'el9'), ('host', 'b1'), ('root', 'el9'))
    assert (samples[('mock_lvm_build_running', f43)], samples[('mock_lvm_build_running', el9)]) == (1, 0)
    assert (samples[('mock_lvm_build_root_stale_volumes', f43)], samples[('mock_lvm_build_root_stale_volumes', el9)]) == (2, 0)
    assert samples[('mock_lvm_report_timestamp_seconds', ())] == 1796119200
    assert text.endswith('\n') and all(f.type == 'gauge' for f in text_string_to_metric_families(text))


def test_prometheus_textfile_needs_the_generated_time():
    with pytest.raises(AnsibleFilterError, match='the report has no generated time'):
        prometheus_textfile({'pools': [], 'build_roots': []})


# --------------------------------------------------------------------------- headroom and days to full

def with_headroom(entry, vg_free, missing=0, steps_left=3, next_steps=None):
    return dict(entry, headroom={'vg_size': 10 * GIB, 'vg_free': vg_free, 'autoextend_step': GIB // 2,
                                 'autoextend_steps_left': steps_left, 'vg_next_steps': next_steps or GIB // 2,
                                 'vg_missing': missing})


def test_pool_rows_carry_the_headroom_columns():
    row = pool_rows(info(with_headroom(pool('mock', 'shared', 25.0, 3.0), 3 * GIB)), 'b1', 80)[0]
    assert (row['vg_free_gib'], row['vg_free_bytes'], row['autoextend_steps_left']) == (3.0, 3 * GIB, 3)
    assert (row['vg_missing_gib'], row['data_used_bytes'], row['status']) == (0.0, GIB // 2, 'ok')


def test_a_vg_without_room_for_the_next_step_is_a_finding_naming_what_is_missing():
    entry = with_headroom(pool('mock', 'shared', 25.0, 3.0), GIB // 4, missing=GIB // 4, steps_left=0)
    row = pool_rows(info(entry), 'b1', 80)[0]
    assert row['status'] == 'no_room'
    assert row['message'] == ('VG free 0.25 GiB is less than the next autoextend step of its pools (0.50 GiB): '
                              '0.25 GiB missing')
    assert pool_finding(row).startswith('b1 mock/shared: VG free 0.25 GiB')
    full = pool_rows(info(dict(entry, data_percent=85.0)), 'b1', 80)[0]
    assert full['status'] == 'over'
    assert full['message'] == 'data above the 80 % threshold; ' + row['message']


def test_missing_and_failed_pools_have_no_headroom():
    rows = pool_rows(info({'vg': 'mock', 'name': 'gone', 'exists': False, 'problem': 'no pool'}), 'b1', 80)
    rows += pool_rows(failed_with(None, 'boom'), 'b2', 80, [{'vg': 'mock', 'name': 'shared'}])
    for row in rows:
        keys = ('vg_free_gib', 'autoextend_steps_left', 'days_to_pool_full', 'days_to_vg_full')
        assert all(row[key] is None for key in keys)


def _history_file(generated, *rows):
    return json.dumps({'generated': generated, 'pools': list(rows)})


def test_pool_trends_give_days_to_full_from_two_earlier_reports():
    # 2 GiB pool, VG free 3 GiB; data use 0.2, 0.4 GiB a day ago and two days ago, 0.6 GiB now: 0.2 GiB a day.
    now = pool_rows(info(with_headroom(pool('mock', 'shared', 30.0, 3.0), 3 * GIB)), 'b1', 80)
    history = {
        'a.json': _history_file('2026-12-01T10:00:00Z', dict(now[0], data_used_bytes=int(0.2 * GIB))),
        # a report made before data_used_bytes: the use comes from size_gib and data_percent
        'b.json': _history_file('2026-12-02T10:00:00Z', dict(now[0], data_used_bytes=None, data_percent=20.0)),
    }
    row = pool_trends(now, history, '2026-12-03T10:00:00Z')[0]
    assert row['days_to_pool_full'] == 7.0  # (2 - 0.6) / 0.2
    assert row['days_to_vg_full'] == 22.0  # (3 + 2 - 0.6) / 0.2
    assert now[0]['days_to_pool_full'] is None  # the rows given are not changed


def test_pool_trends_without_history_or_growth_have_no_days():
    now = pool_rows(info(with_headroom(pool('mock', 'shared', 30.0, 3.0), 3 * GIB)), 'b1', 80)
    assert pool_trends(now, {}, '2026-12-03T10:00:00Z')[0]['days_to_pool_full'] is None
    shrinking = {'a.json': _history_file('2026-12-01T10:00:00Z', dict(now[0], data_used_bytes=GIB))}
    row = pool_trends(now, shrinking, '2026-12-03T10:00:00Z')[0]
    assert (row['days_to_pool_full'], row['days_to_vg_full']) == (None, None)


@pytest.mark.parametrize('text', ['not json', '{"pools": []}', '[]', '{"generated": "yesterday", "pools": []}'])
def test_pool_trends_refuse_a_file_that_is_no_pool_report_by_name(text):
    with pytest.raises(AnsibleFilterError, match='pool_trends: /h/x.json is not a pool report'):
        pool_trends([], {'/h/x.json': text}, '2026-12-03T10:00:00Z')


def test_headroom_in_the_prometheus_textfile():
    from prometheus_client.parser import text_string_to_metric_families

    rows = pool_rows(info(with_headroom(pool('mock', 'shared', 30.0, 3.0), 3 * GIB),
                          with_headroom(pool('mock', 'solo', 30.0, 3.0, threshold=100), 3 * GIB, steps_left=None)),
                     'b1', 80)
    history = {'a.json': _history_file('2026-12-02T10:00:00Z', dict(rows[0], data_used_bytes=int(0.4 * GIB)))}
    rows = pool_trends(rows, history, '2026-12-03T10:00:00Z')
    text = prometheus_textfile(dict(report_document(rows, [], 80, []), generated='2026-12-03T10:00:00Z'))
    samples = dict(((s.name, tuple(sorted(s.labels.items()))), s.value)
                   for family in text_string_to_metric_families(text) for s in family.samples)
    vg = (('host', 'b1'), ('vg', 'mock'))
    shared = (('host', 'b1'), ('pool', 'shared'), ('vg', 'mock'))
    assert samples[('mock_lvm_vg_free_bytes', vg)] == 3 * GIB
    assert samples[('mock_lvm_vg_autoextend_missing_bytes', vg)] == 0
    assert samples[('mock_lvm_pool_autoextend_steps_left', shared)] == 3
    assert samples[('mock_lvm_pool_days_to_full', shared)] == 7.0
    assert ('mock_lvm_pool_autoextend_steps_left', (('host', 'b1'), ('pool', 'solo'), ('vg', 'mock'))) not in samples
    assert ('mock_lvm_vg_days_to_full', vg) not in samples  # solo has no history: the VG's rate is not known
