# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Rows and tables for the fleet playbooks (pool_report, prune_snapshots, scrub_build_roots)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import io
import time

from ansible.errors import AnsibleFilterError

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_layout import updates_prefix

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


def pool_rows(registered, host, threshold):
    """One row per pool from a loop of buildfleet.mock_lvm.thinpool reads (item: vg, name)."""
    try:
        threshold = float(threshold)
    except (TypeError, ValueError):
        raise AnsibleFilterError('pool_rows: threshold %r is not a number.' % (threshold,))
    rows = []
    for result in _results(registered, 'pool_rows'):
        item = result.get('item') or {}
        pool = result.get('pool') or {}
        row = {'host': host, 'vg': item.get('vg'), 'pool': item.get('name'), 'size_gib': None,
               'data_percent': None, 'metadata_percent': None, 'fullness': -1.0, 'thin_volumes': None,
               'autoextend': '', 'monitored': None, 'status': 'ok', 'message': ''}
        failed = _module_failed(result, 'pool')
        if failed or not pool.get('exists', False):
            row.update(status='error', message=_error(result) if failed else 'the pool does not exist')
            rows.append(row)
            continue
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
        rows.append(row)
    return rows


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
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(seconds)) if seconds is not None else None


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


def text_table(rows, columns):
    """Aligned lines: a header, a rule, then one line per row; numbers right-aligned."""
    columns = _columns(columns)
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(line[i]) for line in cells]) for i, c in enumerate(columns)]
    numeric = [all(isinstance(row.get(c), (int, float)) and not isinstance(row.get(c), bool)
                   for row in rows if row.get(c) is not None) and any(row.get(c) is not None for row in rows)
               for c in columns]

    def line(values):
        return '  '.join(v.rjust(w) if num else v.ljust(w)
                         for v, w, num in zip(values, widths, numeric)).rstrip()
    return [line(columns), line(['-' * w for w in widths])] + [line(values) for values in cells]


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
        }
