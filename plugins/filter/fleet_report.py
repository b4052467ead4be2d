# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Rows and tables for the fleet playbooks (pool_report, prune_snapshots, scrub_build_roots)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import collections
import csv
import io
import time

from ansible.errors import AnsibleFilterError

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_config import COLLECTION_VERSION
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


def _threshold(threshold):
    try:
        return float(threshold)
    except (TypeError, ValueError):
        raise AnsibleFilterError('pool_rows: threshold %r is not a number.' % (threshold,))


def _empty_pool_row(host, vg, name):
    return {'host': host, 'vg': vg, 'pool': name, 'size_gib': None, 'data_percent': None, 'metadata_percent': None,
            'fullness': -1.0, 'thin_volumes': None, 'autoextend': '', 'monitored': None, 'health': None,
            'status': 'ok', 'message': ''}


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


# Every time in the report: UTC, to the second.
_STAMP = '%Y-%m-%dT%H:%M:%SZ'


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


def _label_value(value):
    return str(value).replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')


def _sample(name, labels, value):
    text = ','.join('%s="%s"' % (key, _label_value(labels[key])) for key in sorted(labels))
    return '%s{%s} %s' % (name, text, repr(float(value)) if isinstance(value, float) else int(value))


def _metric(lines, name, help_text, samples):
    lines += ['# HELP %s %s' % (name, help_text), '# TYPE %s gauge' % name]
    lines += [_sample(name, labels, value) for labels, value in samples]


def prometheus_textfile(report):
    """The report in the text format node_exporter's textfile collector reads (gauges, one sample per pool
    or config); pools that could not be read have mock_lvm_pool_read_ok 0 and no use samples."""
    pools, roots = report.get('pools') or [], report.get('build_roots') or []
    pool_labels = [({'host': p['host'], 'vg': p['vg'] or '', 'pool': p['pool'] or ''}, p) for p in pools]
    readable = [(labels, p) for labels, p in pool_labels if p.get('data_percent') is not None]
    existing = [(labels, p) for labels, p in pool_labels if p.get('health')]
    root_labels = [({'host': r['host'], 'config': r['config'] or '', 'root': r['root'] or ''}, r) for r in roots]
    lines = []
    _metric(lines, 'mock_lvm_pool_read_ok', 'Whether the thin pool was read (1) or is missing or unreadable (0).',
            [(labels, 1 if p.get('data_percent') is not None else 0) for labels, p in pool_labels])
    _metric(lines, 'mock_lvm_pool_healthy', 'Whether the thin pool exists, is active and LVM reports it healthy (1), '
            'or not (0: inactive, failed, out of data space, read-only metadata, missing, unreadable).',
            [(labels, 1 if p.get('health') == 'ok' else 0) for labels, p in pool_labels])
    _metric(lines, 'mock_lvm_pool_problem', 'What LVM reports wrong with an existing thin pool (1 per pool, cause in '
            'the label: inactive, failed, out_of_data_space, metadata_read_only, check_needed, ...).',
            [(dict(labels, cause=p['health']), 1) for labels, p in existing if p['health'] != 'ok'])
    _metric(lines, 'mock_lvm_pool_data_percent', 'Thin pool data use in percent.',
            [(labels, float(p['data_percent'])) for labels, p in readable])
    _metric(lines, 'mock_lvm_pool_metadata_percent', 'Thin pool metadata use in percent.',
            [(labels, float(p['metadata_percent'])) for labels, p in readable if p.get('metadata_percent') is not None])
    _metric(lines, 'mock_lvm_pool_thin_volumes', 'Thin volumes in the pool.',
            [(labels, p['thin_volumes'] or 0) for labels, p in readable])
    _metric(lines, 'mock_lvm_build_root_stale_volumes', 'Working volumes of the config whose mock run died (mock\'s '
            'mounts left below the root, nobody holding its buildroot.lock).',
            [(labels, _count(r.get('stale'))) for labels, r in root_labels])
    _metric(lines, 'mock_lvm_build_root_idle_volumes', 'Working volumes of the config mock keeps for the next run of '
            'their chroot (ended normally, or mock --mount).',
            [(labels, _count(r.get('idle'))) for labels, r in root_labels])
    _metric(lines, 'mock_lvm_build_running', 'Whether a build of the config is running (1) or not (0).',
            [(labels, _count(bool(r.get('build_running')))) for labels, r in root_labels])
    _metric(lines, 'mock_lvm_report_timestamp_seconds', 'When the pool report was made, in seconds since the epoch.',
            [({}, _epoch(report.get('generated')))])
    return '\n'.join(lines) + '\n'


def _count(value):
    """A gauge from a row key that may be absent (0), a count, a flag or a list of names."""
    if isinstance(value, (list, tuple)):
        return len(value)
    return int(value or 0)


def _epoch(stamp):
    try:
        return calendar.timegm(time.strptime(stamp, _STAMP))
    except (TypeError, ValueError):
        raise AnsibleFilterError('prometheus_textfile: the report has no generated time (got %r).' % (stamp,))


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
