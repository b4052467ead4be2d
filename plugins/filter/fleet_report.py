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
import time

from ansible.errors import AnsibleFilterError

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_config import COLLECTION_VERSION
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_layout import updates_prefix
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._textfile import STAMP as _STAMP, fleet_textfile

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
    return {'host': host, 'vg': vg, 'pool': name, 'size_gib': None, 'data_percent': None, 'metadata_percent': None,
            'fullness': -1.0, 'thin_volumes': None, 'autoextend': '', 'monitored': None, 'status': 'ok',
            'message': ''}


def _pool_row(host, pool, threshold):
    row = _empty_pool_row(host, pool.get('vg'), pool.get('name'))
    if not pool.get('exists', False):
        row.update(status='missing', message=pool.get('problem') or 'the pool does not exist')
        return row
    data = float(pool.get('data_percent') or 0.0)
    metadata = float(pool.get('metadata_percent') or 0.0)
    threshold_at = pool.get('autoextend_threshold')
    row.update(size_gib=round(pool.get('size', 0) / GIB, 2), data_percent=data, metadata_percent=metadata,
               fullness=max(data, metadata), thin_volumes=len(pool.get('thin_volumes') or []),
               autoextend=('%s%%+%s%%' % (threshold_at, pool.get('autoextend_percent'))
                           if threshold_at and threshold_at < 100 else 'off'),
               monitored=bool(pool.get('monitored')))
    if row['fullness'] >= threshold:
        row.update(status='over', message='%s above the %g %% threshold' % (
            'data and metadata' if min(data, metadata) >= threshold
            else 'data' if data >= threshold else 'metadata', threshold))
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
               'stale': len(result.get('stale') or []),
               'build_running': bool(result.get('build_running')), 'busy_locks': result.get('busy_locks') or [],
               'removed': sorted(result.get('removed') or []), 'kept_open': sorted(result.get('skipped') or []),
               'removed_files': sorted(result.get('removed_files') or []),
               'current_snapshots': result.get('current_snapshots') or [],
               'basedir_mismatch': bool(result.get('basedir_mismatch')), 'status': 'ok', 'message': ''}
        if _module_failed(result, 'volumes'):
            # Nothing was read: no counts rather than zeros.
            row.update(dict.fromkeys(('volumes', 'working', 'snapshots', 'updates', 'stale')),
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
                'stale': bool(volume.get('stale')), 'current': bool(volume.get('current')),
                'starts_from': volume.get('starts_from'),
            })
    return rows


def pool_finding(row):
    """One line for a pool row that is not ok."""
    use = ''
    if row.get('data_percent') is not None:
        use = ' (data %.2f %%, metadata %.2f %%)' % (row['data_percent'], row['metadata_percent'])
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
        }
