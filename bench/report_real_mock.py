# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Markdown tables from the raw output of bench/real_mock.sh.

    report_real_mock.py OUT_DIR TOTAL_SECONDS

Reads OUT_DIR/env.json, real_mock.jsonl (the JSON lines of bench/files/real_mock.sh) and
load.txt (the host's load average every 10 s: epoch, 1, 5 and 15 minute averages).
"""
import json
import os
import statistics
import sys

MIB = 1024.0 ** 2
CONFIGS = [('bench-lvm', 'lvm_root (collection config)', 'thin snapshot of `postinit` mounted'),
           ('bench-rootcache', 'root_cache (tarball)', 'cache tarball unpacked'),
           ('bench-plain', 'plain chroot (no cache plugin)', 'packages installed again')]


def records(out):
    with open(os.path.join(out, 'real_mock.jsonl')) as handle:
        return [json.loads(line) for line in handle if line.strip().startswith('{')]


def of_kind(rows, kind):
    return [row for row in rows if row['kind'] == kind]


def spread(values):
    """'median (min-max)' of a list of seconds."""
    if len(values) == 1:
        return '%.1f' % values[0]
    return '%.1f (%.1f-%.1f)' % (statistics.median(values), min(values), max(values))


def mib(value):
    return '%.0f' % (value / MIB)


def load_summary(out):
    """Host load: the 1-minute average's mean and maximum over the samples, and their count."""
    path = os.path.join(out, 'load.txt')
    if not os.path.exists(path):
        return None
    with open(path) as handle:
        ones = [float(line.split()[1]) for line in handle if len(line.split()) == 4]
    if not ones:
        return None
    return statistics.mean(ones), max(ones), len(ones)


def file_count(payload):
    """'3424 regular files of 4137 paths'; older output counted paths only (files, directories, links)."""
    if 'paths' in payload:
        return '%s regular files of %s paths' % (payload['files'], payload['paths'])
    return '%s paths: files, directories and links' % payload['files']


def environment(env, payload, out, total):
    load = load_summary(out)
    during = ('1-minute load average %.2f on average, %.2f at most (%d samples, every 10 s)' % load) if load else 'not sampled'
    return [
        '# Real mock on the test guest: %s' % env['date'],
        '',
        '- controller: %s, %s cores, %s GB; load average before the run %s (1, 5, 15 min); during it: %s; '
        'QEMU guests on the machine when the measurements began, this one included: %s'
        % (env['cpu'], env['nproc'], env['mem_gb'], env['load_before'], during, env['qemu_processes_before']),
        '- guest: %s, %s, lvm2 %s' % (env['guest'], env['accel'].upper(), env['lvm2']),
        '- mock %s from `%s` (run as `runuser -u mockbuild -- mock`), dnf %s, rpm %s; root_cache compresses with %s'
        % (payload['mock'], env['tarball'], payload['dnf'], payload['rpm'], payload['compress']),
        '- chroot: busybox-root and `bench-payload`, an RPM of the guest\'s `%s` (%s, %s MiB installed, '
        'RPM %s MiB with an uncompressed payload, built in the guest in %.0f s)'
        % (payload['dirs'], file_count(payload), mib(payload['installed_bytes']), mib(payload['rpm_bytes']),
           payload['rpmbuild_s']),
        '- runs from a ready root: %s per config; whole command %d min %02d s' % (env['runs'], total // 60, total % 60),
        '',
    ]


def ready_table(rows):
    ready = of_kind(rows, 'ready')
    disk = {row['config']: row for row in of_kind(rows, 'ready_disk')}
    lines = ['## 1. Time to a ready build root', '',
             '`mock --init` on an empty pool or cache (once), then per run `mock --clean` and `mock --chroot true`,'
             ' which starts from the ready root; after the first run, once more `mock --chroot true` on the root it'
             ' kept (mock\'s own cost: the floor). Seconds, median (min-max).', '',
             '| config | init on empty pool/cache (s) | clean (s) | run from the ready root (s) | how the root is made ready'
             ' | run on the kept root, floor (s) | above the floor (s) | chroot (MiB) | cache tarball (MiB) |',
             '| --- | --- | --- | --- | --- | --- | --- | --- | --- |']
    for config, label, how in CONFIGS:
        runs = [row for row in ready if row['config'] == config]
        if not runs:
            continue
        from_ready = [row['from_ready_s'] for row in runs]
        floor = [row['kept_root_s'] for row in runs if row['kept_root_s'] is not None]
        tarball = disk.get(config, {}).get('cache_tarball_bytes', 0)
        lines.append('| %s | %.1f | %s | %s | %s | %s | %.1f | %s | %s |' % (
            label, runs[0]['init_s'], spread([row['clean_s'] for row in runs]), spread(from_ready), how,
            spread(floor), statistics.median(from_ready) - statistics.median(floor),
            mib(disk[config]['chroot_bytes']) if config in disk else '-', mib(tarball) if tarball else '-'))
    return lines + ['']


def sharing_table(rows, sizes):
    shared = {row['n']: row for row in of_kind(rows, 'shared')}
    base = of_kind(rows, 'shared_base')
    indep = of_kind(rows, 'independent_init')
    held = of_kind(rows, 'independent')
    if not shared or not base or not indep:
        return []
    one = indep[0]['pool_bytes']
    measured = {row['k']: row['pool_bytes'] for row in indep}
    if held:
        measured[held[0]['n']] = held[0]['pool_bytes']
    lines = ['## 2. Pool data of N build roots', '',
             'Pool data in use (`lvs` data_percent x pool size, after a sync), MiB. Shared: one `postinit` of the'
             ' lvm_root config (%s MiB alone) and N `mock --uniqueext bK --chroot` runs started from it (N=16 adds 12 to the running 4),'
             ' measured while all N hold their roots open. Independent: N configs of the same base on one pool,'
             ' each with its own `mock --init` (head volume and `postinit`), measured after the inits and again'
             ' with all N roots held open by `mock --chroot`. Rows marked computed are N x the measured'
             ' single independent root.' % mib(base[0]['pool_bytes']), '',
             '| N | shared: pool data (MiB) | shared: above postinit, per root (MiB) | roots added, all ready after (s)'
             ' | independent: pool data (MiB) | independent / shared |',
             '| --- | --- | --- | --- | --- | --- |']
    for n in sizes:
        row = shared.get(n)
        if row is None:
            continue
        if n in measured:
            indep_bytes, how = measured[n], 'measured'
        else:
            indep_bytes, how = n * one, 'computed (%d x %s)' % (n, mib(one))
        lines.append('| %d | %s | %.1f | %.0f | %s %s | %.1f |' % (
            n, mib(row['pool_bytes']), (row['pool_bytes'] - row['base_bytes']) / n / MIB, row['ready_s'],
            mib(indep_bytes), how, indep_bytes / float(row['pool_bytes'])))
    inits = ', '.join('%.0f s' % row['init_s'] for row in indep)
    lines += ['', 'Independent inits, one after another: %s; pool data after each: %s MiB.' % (
        inits, ', '.join(mib(row['pool_bytes']) for row in indep)), '']
    return lines


def main():
    out, total = sys.argv[1], int(sys.argv[2])
    with open(os.path.join(out, 'env.json')) as handle:
        env = json.load(handle)
    rows = records(out)
    payload = of_kind(rows, 'payload')[0]
    sizes = [int(n) for n in env['sizes'].split()]
    print('\n'.join(environment(env, payload, out, total) + ready_table(rows) + sharing_table(rows, sizes)))


if __name__ == '__main__':
    main()
