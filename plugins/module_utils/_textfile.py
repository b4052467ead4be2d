# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pool report as a Prometheus textfile (node_exporter's textfile collector), in one place.

Used on the controller by the prometheus_textfile filter (pool_report) and on a builder by its maintenance
timer (roles/builder/files/mock_lvm_maintenance.py), so both write the same metrics; docs/metrics.md lists
them. Plain Python: no Ansible import, so the timer runs without Ansible on the builder.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import collections
import os
import time

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._plan import write_beside

# Every time in the report: UTC, to the second.
STAMP = '%Y-%m-%dT%H:%M:%SZ'


def _label_value(value):
    return str(value).replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')


def _sample(name, labels, value):
    text = ','.join('%s="%s"' % (key, _label_value(labels[key])) for key in sorted(labels))
    return '%s{%s} %s' % (name, text, repr(float(value)) if isinstance(value, float) else int(value))


def add_gauge(lines, name, help_text, samples):
    lines += ['# HELP %s %s' % (name, help_text), '# TYPE %s gauge' % name]
    lines += [_sample(name, labels, value) for labels, value in samples]


def _count(value):
    """A gauge from a row key that may be absent (0), a count, a flag or a list of names."""
    if isinstance(value, (list, tuple)):
        return len(value)
    return int(value or 0)


def epoch(stamp):
    """Seconds since the epoch of a report time (STAMP); ValueError for anything else."""
    try:
        return calendar.timegm(time.strptime(stamp, STAMP))
    except (TypeError, ValueError):
        raise ValueError('the report has no generated time (got %r).' % (stamp,))


def freshness_gauges(labelled_roots):
    """(name, help, samples) of the freshness gauges, from [(labels, root row)]; a row without the fact gives no
    sample (a config without postinit has no postinit time)."""

    def samples(key, convert=int):
        return [(labels, convert(row[key])) for labels, row in labelled_roots if row.get(key) is not None]

    return [
        ('mock_lvm_postinit_timestamp_seconds', 'When the config\'s postinit snapshot was made, in seconds since '
         'the epoch.', samples('postinit_created')),
        ('mock_lvm_start_snapshot_timestamp_seconds', 'When the newest snapshot builds of the config start from '
         '(postinit or a current update snapshot) was made, in seconds since the epoch.', samples('start_created')),
        ('mock_lvm_newest_update_timestamp_seconds', 'When the config\'s newest postinit_updated_* snapshot was made, '
         'in seconds since the epoch.', samples('newest_update_created')),
        ('mock_lvm_config_newer_than_postinit', 'Whether the config file was modified after its postinit snapshot '
         'was made (1) or not (0).', samples('config_newer', lambda value: 1 if value else 0)),
    ]


def fleet_textfile(report):
    """The report (pools and build_roots rows, generated) as gauges, one sample per pool or config; pools that
    could not be read have mock_lvm_pool_read_ok 0 and no use samples. ValueError without a generated time."""
    pools, roots = report.get('pools') or [], report.get('build_roots') or []
    pool_labels = [({'host': p['host'], 'vg': p['vg'] or '', 'pool': p['pool'] or ''}, p) for p in pools]
    readable = [(labels, p) for labels, p in pool_labels if p.get('data_percent') is not None]
    root_labels = [({'host': r['host'], 'config': r['config'] or '', 'root': r['root'] or ''}, r) for r in roots]
    existing = [(labels, p) for labels, p in pool_labels if p.get('health')]
    lines = []
    add_gauge(lines, 'mock_lvm_pool_read_ok', 'Whether the thin pool was read (1) or is missing or unreadable (0).',
              [(labels, 1 if p.get('data_percent') is not None else 0) for labels, p in pool_labels])
    add_gauge(lines, 'mock_lvm_pool_healthy', 'Whether the thin pool exists, is active and LVM reports it healthy (1), '
              'or not (0: inactive, failed, out of data space, read-only metadata, missing, unreadable).',
              [(labels, 1 if p.get('health') == 'ok' else 0) for labels, p in pool_labels])
    add_gauge(lines, 'mock_lvm_pool_problem', 'What LVM reports wrong with an existing thin pool (1 per pool, cause in '
              'the label: inactive, failed, out_of_data_space, metadata_read_only, check_needed, ...).',
              [(dict(labels, cause=p['health']), 1) for labels, p in existing if p['health'] != 'ok'])
    add_gauge(lines, 'mock_lvm_pool_data_percent', 'Thin pool data use in percent.',
              [(labels, float(p['data_percent'])) for labels, p in readable])
    add_gauge(lines, 'mock_lvm_pool_metadata_percent', 'Thin pool metadata use in percent.',
              [(labels, float(p['metadata_percent'])) for labels, p in readable
               if p.get('metadata_percent') is not None])
    add_gauge(lines, 'mock_lvm_pool_thin_volumes', 'Thin volumes in the pool.',
              [(labels, p['thin_volumes'] or 0) for labels, p in readable])
    _headroom_gauges(lines, pools)
    add_gauge(lines, 'mock_lvm_build_root_stale_volumes', 'Working volumes of the config whose mock run died (mock\'s '
              'mounts left below the root, nobody holding its buildroot.lock).',
              [(labels, _count(r.get('stale'))) for labels, r in root_labels])
    add_gauge(lines, 'mock_lvm_build_root_idle_volumes', 'Working volumes of the config mock keeps for the next run of '
              'their chroot (ended normally, or mock --mount).',
              [(labels, _count(r.get('idle'))) for labels, r in root_labels])
    add_gauge(lines, 'mock_lvm_build_running', 'Whether a build of the config is running (1) or not (0).',
              [(labels, _count(bool(r.get('build_running')))) for labels, r in root_labels])
    for name, help_text, samples in freshness_gauges(root_labels):
        add_gauge(lines, name, help_text, samples)
    add_gauge(lines, 'mock_lvm_report_timestamp_seconds', 'When the pool report was made, in seconds since the epoch.',
              [({}, epoch(report.get('generated')))])
    return '\n'.join(lines) + '\n'


def _headroom_gauges(lines, pools):
    """Room for autoextend per VG (free bytes, bytes missing for the next step of its pools, days until full) and
    per pool (steps left, days until full); a value that is not known has no sample."""
    vgs = collections.OrderedDict()
    for row in pools:
        if row.get('vg_free_bytes') is not None:
            vgs.setdefault((row['host'], row['vg']), row)
    vg_labels = [({'host': host, 'vg': vg}, row) for (host, vg), row in vgs.items()]
    pool_labels = [({'host': p['host'], 'vg': p['vg'] or '', 'pool': p['pool'] or ''}, p) for p in pools]
    add_gauge(lines, 'mock_lvm_vg_free_bytes', 'Free space of the volume group, in bytes.',
              [(labels, row['vg_free_bytes']) for labels, row in vg_labels])
    add_gauge(lines, 'mock_lvm_vg_autoextend_missing_bytes',
              'Bytes the volume group lacks for the next autoextend step of its pools together (0: enough).',
              [(labels, row.get('vg_missing_bytes') or 0) for labels, row in vg_labels])
    add_gauge(lines, 'mock_lvm_vg_days_to_full', 'Days until the pools of the volume group have used it all, at the '
              'rate of the report history.',
              [(labels, float(row['days_to_vg_full'])) for labels, row in vg_labels
               if row.get('days_to_vg_full') is not None])
    add_gauge(lines, 'mock_lvm_pool_autoextend_steps_left',
              'Autoextend steps of the pool the free space of its volume group holds.',
              [(labels, p['autoextend_steps_left']) for labels, p in pool_labels
               if p.get('autoextend_steps_left') is not None])
    add_gauge(lines, 'mock_lvm_pool_days_to_full', 'Days until the pool data fills its present size, at the rate of '
              'the report history.',
              [(labels, float(p['days_to_pool_full'])) for labels, p in pool_labels
               if p.get('days_to_pool_full') is not None])


def write_whole(path, text, mode=0o644):
    """Write path through a temporary file beside it, then rename it: a reader sees the old file or the new one.
    The temporary name does not end in .prom, so node_exporter's collector never reads it."""
    def chmod_and_rename(temporary, target):
        os.chmod(temporary, mode)
        os.rename(temporary, target)

    write_beside(path, text, chmod_and_rename)
