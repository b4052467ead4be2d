# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write a pool report of three builders through the collection's own filters: pool-report.json,
pool-report.html (report_html), mock_lvm.prom (prometheus_textfile of the whole fleet) and
builder-a.prom (the part host_report gives one builder, as node_exporter reads it there).

The module results fed to the filters have the shape thinpool_info and build_root_info return (the unit
tests assert those shapes); one pool is over the threshold, one host failed, one config is in use, one has
stale volumes and one a config newer than its postinit.

  python sample_report.py OUT_DIR      (PYTHONPATH must reach ansible_collections/)
"""
import json
import os
import sys
import time

from ansible_collections.buildfleet.mock_lvm.plugins.filter import fleet_report, report_freshness, report_host, report_html

GIB = 1024 ** 3
NOW = int(time.time())


def pool(vg, name, size_gib, data, metadata, volumes):
    return {'vg': vg, 'name': name, 'exists': True, 'size': size_gib * GIB, 'data_percent': data,
            'metadata_percent': metadata, 'thin_volumes': ['v%d' % i for i in range(volumes)],
            'autoextend_threshold': 80, 'autoextend_percent': 20, 'monitored': True}


def root_read(name, root, vg, pool_name, postinit_days, update_days=None, stale=(), running=False, newer=False):
    postinit = NOW - int(postinit_days * 86400)
    update = NOW - int(update_days * 86400) if update_days is not None else None
    volumes = [{'name': 'mock.%s.postinit' % root, 'role': 'snapshot', 'chroot': 'main', 'kind': 'postinit',
                'creation_time': postinit, 'size': 8 * GIB}]
    if update:
        volumes.append({'name': 'mock.%s.postinit_updated_2026-12-01_10-00' % root, 'role': 'snapshot',
                        'chroot': 'main', 'kind': 'update', 'creation_time': update, 'size': 8 * GIB})
    volumes += [{'name': name_, 'role': 'working', 'chroot': 'main', 'kind': 'working', 'stale': True,
                 'creation_time': postinit, 'size': 8 * GIB} for name_ in stale]
    start = update or postinit
    return {'item': {'name': name, 'root': root, 'vg': vg, 'pool': pool_name}, 'volumes': volumes,
            'stale': list(stale), 'build_running': running, 'busy_locks': ['/var/lib/mock/.lvm-mock.%s.lock' % root]
            if running else [], 'current_snapshots': [], 'basedir_mismatch': False,
            'freshness': {'postinit_created': postinit, 'postinit_age_days': round((NOW - postinit) / 86400.0, 3),
                          'newest_update': volumes[1]['name'] if update else None, 'newest_update_created': update,
                          'newest_update_age_days': round((NOW - update) / 86400.0, 3) if update else None,
                          'start_snapshot': volumes[1]['name'] if update else volumes[0]['name'], 'start_created': start,
                          'start_age_days': round((NOW - start) / 86400.0, 3),
                          'config_file': '/etc/mock/%s.cfg' % name, 'config_modified': postinit + (60 if newer else -60),
                          'config_newer': newer}}


def host_rows(host, pools, roots, threshold):
    registered = {'results': roots}
    return (fleet_report.pool_rows({'pools': pools}, host, threshold),
            report_freshness.with_freshness(fleet_report.root_rows(registered, host), registered))


def main(out):
    threshold = 80
    fleet = {
        'builder-a': ([pool('mock', 'mockpool', 200, 91.5, 40.2, 14), pool('fast', 'nvmepool', 50, 12.0, 3.5, 4)],
                      [root_read('fedora-43-x86_64-lvm', 'fedora-43-x86_64', 'mock', 'mockpool', 21.5, 2.0,
                                 stale=['+mock.fedora-43-x86_64.u1']),
                       root_read('centos-stream-10-lvm', 'centos-stream-10-x86_64', 'mock', 'mockpool', 3.0,
                                 running=True)]),
        'builder-b': ([pool('mock', 'mockpool', 100, 55.0, 81.0, 6)],
                      [root_read('fedora-43-x86_64-lvm', 'fedora-43-x86_64', 'mock', 'mockpool', 1.0, newer=True)]),
    }
    pools, roots = [], []
    for host, (host_pools, host_roots) in sorted(fleet.items()):
        p, r = host_rows(host, host_pools, host_roots, threshold)
        pools += p
        roots += r
    pools.sort(key=lambda row: row['fullness'], reverse=True)
    report = fleet_report.report_document(pools, roots, threshold, ['builder-c'])
    report['volumes'] = []
    files = {
        'pool-report.json': json.dumps(report, indent=2, sort_keys=True) + '\n',
        'pool-report.html': report_html.report_html(report),
        'mock_lvm.prom': fleet_report.prometheus_textfile(report),
        'builder-a.prom': fleet_report.prometheus_textfile(report_host.host_report(report, 'builder-a')),
    }
    for name, text in files.items():
        with open(os.path.join(out, name), 'w') as handle:
            handle.write(text)
    print('wrote %s to %s' % (', '.join(sorted(files)), out))


if __name__ == '__main__':
    main(sys.argv[1])
