# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Rows and tables for the fleet playbooks (pool_report, prune_snapshots, scrub_build_roots)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import csv
import io
import json
import time

from ansible.errors import AnsibleFilterError

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_config import COLLECTION_VERSION
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_layout import updates_prefix
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._textfile import STAMP as _STAMP, epoch, fleet_textfile

GIB = 1024.0 ** 3


def _results(registered, what):
    if isinstance(registered, dict):
        registered = registered.get('results', [])
    if not isinstance(registered, list):
        raise AnsibleFilterError('%s: expected a registered loop result, got %r.' % (what, registered))
    return [r for r in registered if isinstance(r, dict) and not r.get('skipped')]


def _module_failed(result, success_key):
    # failed_when rewrites 'failed'; a module that failed never returned its success key.
    return bool(result.get('failed')) or success_key not in result


def _error(result):
    return ' '.join(str(result.get('msg', 'failed')).split())


def _threshold(threshold):
    try:
        return float(threshold)
    except (TypeError, ValueError):
        raise AnsibleFilterError('pool_rows: threshold %r is not a number.' % (threshold,))


def _empty_pool_row(host, vg, name):
    return dict({'host': host, 'vg': vg, 'pool': name, 'size_gib': None, 'data_percent': None,
                 'metadata_percent': None, 'fullness': -1.0, 'thin_volumes': None, 'autoextend': '',
                 'monitored': None, 'health': None, 'status': 'ok', 'message': ''}, **_HEADROOM_EMPTY)


# The headroom columns of a pool row: the VG's free space, how many autoextend steps of the pool it holds, what it
# lacks for the next step of all its pools, and (from the report history, see pool_trends) the days until full.
_HEADROOM_EMPTY = {'vg_free_gib': None, 'vg_free_bytes': None, 'autoextend_steps_left': None,
                   'vg_missing_gib': None, 'vg_missing_bytes': None, 'data_used_bytes': None,
                   'days_to_pool_full': None, 'days_to_vg_full': None}


def _headroom_columns(row, pool):
    """The headroom columns from thinpool_info's `headroom`, and the finding of a VG without room for the next
    autoextend step (status no_room, or a second sentence of another finding)."""
    headroom = pool.get('headroom') or {}
    if pool.get('size') is not None and pool.get('data_percent') is not None:
        row['data_used_bytes'] = int(pool['size'] * float(pool['data_percent']) / 100)
    if not headroom:
        return
    row.update(vg_free_bytes=headroom.get('vg_free'), vg_free_gib=_gib(headroom.get('vg_free')),
               autoextend_steps_left=headroom.get('autoextend_steps_left'),
               vg_missing_bytes=headroom.get('vg_missing'), vg_missing_gib=_gib(headroom.get('vg_missing')))
    if headroom.get('vg_missing'):
        finding = ('VG free %.2f GiB is less than the next autoextend step of its pools (%.2f GiB): %.2f GiB '
                   'missing' % (headroom['vg_free'] / GIB, headroom.get('vg_next_steps', 0) / GIB,
                                headroom['vg_missing'] / GIB))
        if row['status'] == 'ok':
            row.update(status='no_room', message=finding)
        else:
            row['message'] = '%s; %s' % (row['message'], finding)


def _gib(size):
    return round(size / GIB, 2) if size is not None else None


def _percent(value):
    """A percentage LVM reported, or None where it reported none (an inactive pool): never 0.0 by default."""
    return None if value in (None, '') else float(value)


def _pool_row(host, pool, threshold):
    row = _empty_pool_row(host, pool.get('vg'), pool.get('name'))
    if not pool.get('exists', False):
        row.update(status='missing', message=pool.get('problem') or 'the pool does not exist')
        return row
    data, metadata = _percent(pool.get('data_percent')), _percent(pool.get('metadata_percent'))
    known = [value for value in (data, metadata) if value is not None]
    threshold_at = pool.get('autoextend_threshold')
    row.update(size_gib=round(pool.get('size', 0) / GIB, 2), data_percent=data, metadata_percent=metadata,
               fullness=max(known) if known else -1.0, thin_volumes=len(pool.get('thin_volumes') or []),
               autoextend=('%s%%+%s%%' % (threshold_at, pool.get('autoextend_percent'))
                           if threshold_at and threshold_at < 100 else 'off'),
               monitored=bool(pool.get('monitored')), health=pool.get('health') or 'ok')
    over = [what for what, value in (('data', data), ('metadata', metadata)) if value is not None and value >= threshold]
    if row['health'] != 'ok':
        # A broken pool is a finding with its cause, whatever its use says (it may say nothing).
        row.update(status='unhealthy', message=' '.join(str(pool.get('health_problem') or row['health']).split()))
    elif len(known) < 2:
        row.update(status='unhealthy', message='LVM reported no %s use for an active pool' % ' or '.join(
            what for what, value in (('data', data), ('metadata', metadata)) if value is None))
    elif over:
        row.update(status='over', message='%s above the %g %% threshold' % (' and '.join(over), threshold))
    _headroom_columns(row, pool)
    return row


def pool_rows(registered, host, threshold, declared=None):
    """One row per pool from a registered buildfleet.mock_lvm.thinpool_info read.

    A read that failed gives one row per declared pool with status failed and the error, so a
    host that could not be read stays in the report and is never shown as ok.
    """
    threshold = _threshold(threshold)
    if not isinstance(registered, dict):
        raise AnsibleFilterError('pool_rows: expected a registered thinpool_info result, got %r.' % (registered,))
    if _module_failed(registered, 'pools'):
        pools = [p for p in (declared or []) if isinstance(p, dict)] or [{}]
        return [dict(_empty_pool_row(host, p.get('vg'), p.get('name')), status='failed', message=_error(registered))
                for p in pools]
    return [_pool_row(host, pool, threshold) for pool in registered['pools']]


_DAY = 86400.0


def pool_trends(rows, history, generated):
    """The pool rows with days_to_pool_full and days_to_vg_full, at the rate the report history shows.

    history: {file name: its text}, the JSON files of earlier pool reports (pool-report.json of earlier runs);
    generated: when the rows were read. A pool's rate is the least-squares slope of its data use over the
    reports that have it, this one included; the pool is full when its data fills its present size (before
    autoextend grows it), the VG when the declared pools of it have used their sizes and the VG's free space.
    A pool or VG whose use does not grow, or that fewer than two reports show, has no days (null).
    """
    points = _history_points(history)
    try:
        now = epoch(generated)
    except ValueError as exc:
        raise AnsibleFilterError('pool_trends: %s' % exc)
    for row in rows:
        if row.get('data_used_bytes') is not None:
            points.setdefault(_pool_key(row), {})[now] = row['data_used_bytes']
    rates = dict((key, _slope(series)) for key, series in points.items())
    by_vg = collections.defaultdict(list)
    for row in rows:
        by_vg[(row.get('host'), row.get('vg'))].append(row)
    out = []
    for row in rows:
        row = dict(row, days_to_pool_full=None, days_to_vg_full=None)
        rate = rates.get(_pool_key(row))
        if row.get('data_used_bytes') is not None and row.get('size_gib') is not None:
            row['days_to_pool_full'] = _days(row['size_gib'] * GIB - row['data_used_bytes'], rate)
        row['days_to_vg_full'] = _vg_days(by_vg[(row.get('host'), row.get('vg'))], rates)
        out.append(row)
    return out


def _pool_key(row):
    return (row.get('host'), row.get('vg'), row.get('pool'))


def _history_points(history):
    """{(host, vg, pool): {time: data bytes used}} from the earlier reports."""
    if not isinstance(history, dict):
        raise AnsibleFilterError('pool_trends: history must map file names to their text, got %r.' % (history,))
    points = {}
    for name in sorted(history):
        try:
            document = json.loads(history[name]) if not isinstance(history[name], dict) else history[name]
            when = epoch(document['generated'])
            rows = [r for r in document['pools'] if isinstance(r, dict)]
        except (ValueError, KeyError, TypeError):
            raise AnsibleFilterError('pool_trends: %s is not a pool report (the pool-report.json of an earlier run, '
                                     'with generated and pools): remove it from the history directory.' % name)
        for row in rows:
            used = row.get('data_used_bytes')
            if used is None and row.get('size_gib') is not None and row.get('data_percent') is not None:
                used = row['size_gib'] * GIB * float(row['data_percent']) / 100  # reports made before data_used_bytes
            if used is not None:
                points.setdefault(_pool_key(row), {})[when] = used
    return points


def _slope(series):
    """Bytes per day, the least-squares slope of {time: bytes}; None for fewer than two times."""
    if len(series) < 2:
        return None
    times = sorted(series)
    mean_t = sum(times) / float(len(times))
    mean_v = sum(series[t] for t in times) / float(len(times))
    spread = sum((t - mean_t) ** 2 for t in times)
    return sum((t - mean_t) * (series[t] - mean_v) for t in times) / spread * _DAY


def _days(room, rate):
    if rate is None or rate <= 0:
        return None
    return round(max(room, 0) / rate, 1)


def _vg_days(rows, rates):
    """Days until the declared pools of one VG have used their sizes and the VG's free space."""
    known = [r for r in rows if r.get('data_used_bytes') is not None and r.get('size_gib') is not None]
    if not known or any(rates.get(_pool_key(r)) is None for r in known) or known[0].get('vg_free_bytes') is None:
        return None
    room = known[0]['vg_free_bytes'] + sum(r['size_gib'] * GIB - r['data_used_bytes'] for r in known)
    return _days(room, sum(rates[_pool_key(r)] for r in known))


def root_rows(registered, host):
    """One row per config from a loop of buildfleet.mock_lvm.build_root runs (item: a rendered config)."""
    rows = []
    for result in _results(registered, 'root_rows'):
        item = result.get('item') or {}
        root = item.get('root', '')
        volumes = result.get('volumes') or []
        updates = [v for v in volumes if v.get('role') == 'snapshot' and v.get('chroot') == 'main'
                   and v['name'].startswith(updates_prefix(root))]
        row = {'host': host, 'config': item.get('name'), 'root': root, 'vg': item.get('vg'),
               'pool': item.get('pool'), 'volumes': len(volumes),
               'working': len([v for v in volumes if v.get('role') == 'working']),
               'snapshots': len([v for v in volumes if v.get('role') == 'snapshot']), 'updates': len(updates),
               'stale': len(result.get('stale') or []), 'idle': len(result.get('idle') or []),
               'not_reaped': sorted(item.get('name') for item in result.get('not_removed') or []),
               'lock_files': len(result.get('undeclared_lock_files') or []),
               'build_running': bool(result.get('build_running')), 'busy_locks': result.get('busy_locks') or [],
               'removed': sorted(result.get('removed') or []), 'kept_open': sorted(result.get('skipped') or []),
               'removed_files': sorted(result.get('removed_files') or []),
               'current_snapshots': result.get('current_snapshots') or [],
               'basedir_mismatch': bool(result.get('basedir_mismatch')), 'status': 'ok', 'message': ''}
        if _module_failed(result, 'volumes'):
            # Nothing was read: no counts rather than zeros.
            row.update(dict.fromkeys(('volumes', 'working', 'snapshots', 'updates', 'stale', 'idle', 'lock_files')),
                       status='busy' if result.get('build_running') else 'error', message=_error(result))
        elif row['basedir_mismatch']:
            row.update(status='basedir', message=' '.join(str(result.get('basedir_problem')).split()))
        elif row['removed'] or row['removed_files']:
            row['status'] = 'changed'
        elif row['build_running']:
            row['status'] = 'building'
        rows.append(row)
    return rows


def _utc(seconds):
    return time.strftime(_STAMP, time.gmtime(seconds)) if seconds is not None else None


def volume_rows(registered, host):
    """One row per volume from a loop of buildfleet.mock_lvm.build_root(_info) reads (item: a rendered config)."""
    rows = []
    for result in _results(registered, 'volume_rows'):
        item = result.get('item') or {}
        if _module_failed(result, 'volumes'):
            continue
        for volume in result['volumes']:
            size = volume.get('size')
            rows.append({
                'host': host, 'config': item.get('name'), 'root': item.get('root'), 'vg': item.get('vg'),
                'pool': item.get('pool'), 'volume': volume.get('name'), 'kind': volume.get('kind'),
                'chroot': volume.get('chroot'), 'uniqueext': volume.get('uniqueext'),
                'size_gib': round(size / GIB, 2) if size is not None else None,
                'data_percent': volume.get('data_percent'), 'created': _utc(volume.get('creation_time')),
                'mounted': bool(volume.get('mounts')), 'in_use': bool(volume.get('in_use')),
                'stale': bool(volume.get('stale')), 'state': volume.get('state'),
                'idle_since': _utc(volume.get('idle_since')), 'current': bool(volume.get('current')),
                'starts_from': volume.get('starts_from'),
            })
    return rows


def pool_finding(row):
    """One line for a pool row that is not ok; a use LVM did not report is 'not reported', never 0."""
    use = ''
    if row.get('data_percent') is not None or row.get('metadata_percent') is not None:
        use = ' (data %s, metadata %s)' % tuple('not reported' if row.get(key) is None else '%.2f %%' % row[key]
                                                for key in ('data_percent', 'metadata_percent'))
    return '%s %s/%s: %s%s' % (row.get('host'), row.get('vg'), row.get('pool'), row.get('message'), use)


def _cell(value):
    if value is None:
        return '-'
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    if isinstance(value, float):
        return '%.2f' % value
    if isinstance(value, (list, tuple)):
        return ' '.join(str(v) for v in value) or '-'
    return str(value)


def _columns(columns):
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns) or not columns:
        raise AnsibleFilterError('columns must be a non-empty list of row keys, got %r.' % (columns,))
    return columns


def _capped(text, width):
    return text if width is None or len(text) <= width else text[:max(width - 3, 1)] + '...'


def text_table(rows, columns, caps=None):
    """Aligned lines: a header, a rule, then one line per row; numbers right-aligned.

    caps: {column: most characters}; a longer cell is cut and ends in '...'.
    """
    columns = _columns(columns)
    caps = caps or {}
    if not isinstance(caps, dict) or not all(isinstance(v, int) and v > 3 for v in caps.values()):
        raise AnsibleFilterError('caps must map columns to a width above 3, got %r.' % (caps,))
    cells = [[_capped(_cell(row.get(c)), caps.get(c)) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(line[i]) for line in cells]) for i, c in enumerate(columns)]
    numeric = [all(isinstance(row.get(c), (int, float)) and not isinstance(row.get(c), bool)
                   for row in rows if row.get(c) is not None) and any(row.get(c) is not None for row in rows)
               for c in columns]

    def line(values):
        return '  '.join(v.rjust(w) if num else v.ljust(w)
                         for v, w, num in zip(values, widths, numeric)).rstrip()
    return [line(columns), line(['-' * w for w in widths])] + [line(values) for values in cells]


def collapse_errors(rows, most_hosts=3):
    """Rows for the table: rows that are not read failures as they are, and one row per distinct failure
    message instead of one per host and pool (hosts named up to most_hosts, then counted)."""
    kept, failures = [], collections.OrderedDict()
    for row in rows:
        if row.get('status') != 'failed':
            kept.append(row)
            continue
        failures.setdefault(row.get('message'), []).append(row)
    for message, same in failures.items():
        hosts = sorted(set(r.get('host') for r in same))
        shown = ', '.join(hosts[:most_hosts]) + (' and %d more' % (len(hosts) - most_hosts)
                                                 if len(hosts) > most_hosts else '')
        pools = sorted(set('%s/%s' % (r.get('vg'), r.get('pool')) for r in same if r.get('pool')))
        kept.append(dict(same[0], host=shown, vg=None, pool=' '.join(pools) or None, message=message))
    return kept


def report_document(pools, build_roots, threshold, unreachable_or_failed):
    """The pool report as one dict (the JSON file and the AWX artifact), with when and by what it was made."""
    return {'generated': _utc(time.time()),
            'collection': 'buildfleet.mock_lvm', 'collection_version': COLLECTION_VERSION,
            'threshold': threshold, 'pools': pools, 'build_roots': build_roots,
            'unreachable_or_failed': unreachable_or_failed}


def prometheus_textfile(report):
    """The report in the text format node_exporter's textfile collector reads (gauges, one sample per pool
    or config); pools that could not be read have mock_lvm_pool_read_ok 0 and no use samples."""
    try:
        return fleet_textfile(report)
    except ValueError as exc:
        raise AnsibleFilterError('prometheus_textfile: %s' % exc)


def csv_text(rows, columns):
    """CSV with a header line; lists are joined with spaces."""
    columns = _columns(columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator='\n')
    writer.writerow(columns)
    for row in rows:
        writer.writerow(['' if row.get(c) is None else _cell(row.get(c)) for c in columns])
    return out.getvalue()


def split_names(value, what):
    """A list of config names from a list or a comma-separated string (AWX surveys send text)."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(',')
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise AnsibleFilterError('%s must be a list of names or a comma-separated string, got %r.' % (what, value))
    names = []
    for name in (v.strip() for v in value):
        if name and name not in names:
            names.append(name)
    return names


class FilterModule(object):
    def filters(self):
        return {
            'pool_rows': pool_rows,
            'pool_finding': pool_finding,
            'root_rows': root_rows,
            'volume_rows': volume_rows,
            'text_table': text_table,
            'csv_text': csv_text,
            'split_names': split_names,
            'collapse_errors': collapse_errors,
            'report_document': report_document,
            'prometheus_textfile': prometheus_textfile,
            'pool_trends': pool_trends,
        }
