# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Markdown tables from the raw output of bench/run.sh.

    report.py OUT_DIR PROVISION_PLAYBOOK TOTAL_SECONDS

Reads OUT_DIR/env.json, per_task.json (JSON callback), provision.jsonl with
prov-<run>.json / .log / .<host>.lvm / .<host>.py, and sharing.jsonl; prints
only what is there (a section that did not run prints nothing).
"""
import collections
import datetime
import json
import os
import re
import statistics
import sys

OURS = {'thinpool': 'buildfleet.mock_lvm.thinpool', 'thin_snapshot': 'buildfleet.mock_lvm.thin_snapshot',
        'build_root': 'buildfleet.mock_lvm.build_root', 'thinpool_info': 'buildfleet.mock_lvm.thinpool_info'}
EQUIVALENT = {'thinpool': ('lvol_thinpool', 'community.general.lvol (thinpool)'),
              'thinpool_info': ('lvol_thinpool', 'community.general.lvol (thinpool)'),
              'thin_snapshot': ('lvol_snapshot', 'community.general.lvol (snapshot)'),
              'build_root': ('commands_family', 'shell: lvs -S (report); lvs -S, then lvremove (remove)')}
CASES = [('thinpool', 'change', 'create'), ('thinpool', 'no-op', 'no-op'),
         ('thin_snapshot', 'change', 'create'), ('thin_snapshot', 'no-op', 'no-op'),
         ('build_root', 'no-op', 'report (present)'), ('build_root', 'change', 'remove a family (absent)'),
         ('thinpool_info', 'no-op', 'read')]
FLOORS = [('ping', 'ansible.builtin.ping'), ('command_lvs', 'ansible.builtin.command: lvs')]
# Goal of issue 17: a module's no-op time above the ping floor at most this share of lvol's.
ABOVE_FLOOR_GOAL = 0.6
GOAL_MODULES = ('thinpool', 'thin_snapshot')
# Table 2 of bench/results/2026-11-26T0435.md (before builder_info): module executions, LVM commands,
# wall time per host in seconds, by run and number of hosts.
PREVIOUS = {('first run', 1): (15, 19, 113), ('no-op run', 1): (4, 3, 30),
            ('first run', 2): (15, 19, 84), ('no-op run', 2): (4, 3, 19)}
PREVIOUS_SOURCE = 'bench/results/2026-11-26T0435.md'
MIB = 1024.0 ** 2


def load(path):
    with open(path) as handle:
        return json.load(handle)


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        return [line.strip() for line in handle if line.strip()]


def tools(commands):
    """'lvs vgs lvcreate' from full command lines."""
    return ' '.join(c.split()[0] for c in commands)


def by_tool(commands):
    counts = collections.Counter(c.split()[0] for c in commands)
    return ', '.join('%s %d' % kv for kv in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _when(stamp):
    return datetime.datetime.strptime(stamp, '%Y-%m-%dT%H:%M:%S.%fZ').timestamp()


def table(header, rows):
    out = ['| ' + ' | '.join(header) + ' |', '|' + ' --- |' * len(header)]
    out += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return '\n'.join(out)


def per_task(out_dir, env):
    path = os.path.join(out_dir, 'per_task.json')
    if not os.path.exists(path):
        return None
    rows = []
    try:
        plays = load(path)['plays']
    except ValueError:
        return '## 1. Per task\n\nThe per-task playbook left no JSON output: it did not run to the end.'
    for play in plays:
        for task in play['tasks']:
            for result in task['hosts'].values():
                facts = result.get('ansible_facts', {})
                if 'bench_rows' in facts:
                    rows = facts['bench_rows']
    groups = collections.defaultdict(list)
    for row in rows:
        groups[(row['file'], row['path'])].append(row)
    body, notes, goals = [], [], []
    floor = dict((name, statistics.median(r['seconds'] for r in groups[(name, 'no-op')]))
                 for name, what in FLOORS if groups.get((name, 'no-op')))
    ping = floor.get('ping')
    for module, path, label in CASES:
        mine = groups.get((module, path), [])
        theirs = groups.get((EQUIVALENT[module][0], path), [])
        if not mine or not theirs:
            continue
        for runs, name in ((mine, OURS[module]), (theirs, EQUIVALENT[module][1])):
            bad = [r for r in runs if r['failed'] or r['changed'] != (path == 'change')]
            if bad:
                notes.append('%s, %s: %d of %d runs reported %s' % (
                    name, label, len(bad), len(runs), 'a failure' if bad[0]['failed'] else 'changed=%s' % bad[0]['changed']))
        m = statistics.median(r['seconds'] for r in mine)
        t = statistics.median(r['seconds'] for r in theirs)
        mc, tc = mine[-1]['commands'], theirs[-1]['commands']
        above = _above(m, t, ping)
        body.append([module, label, '%.2f' % m, '%d (%s)' % (len(mc), tools(mc)), EQUIVALENT[module][1], '%.2f' % t,
                     '%d (%s)' % (len(tc), tools(tc)), '%.2f' % (m / t)] + above[:3])
        if path == 'no-op' and module in GOAL_MODULES and above[3] is not None:
            goals.append('%s no-op above the ping floor: %s of lvol\'s (goal at most %.1f): %s' % (
                module, above[2], ABOVE_FLOOR_GOAL, 'met' if above[3] <= ABOVE_FLOOR_GOAL else 'NOT met'))
    for name, what in FLOORS:
        runs = groups.get((name, 'no-op'), [])
        if runs:
            c = runs[-1]['commands']
            body.append(['floor', what, '%.2f' % floor[name], '%d (%s)' % (len(c), tools(c)) if c else '0', '', '', '',
                         '', '', '', ''])
    text = ['## 1. Per task: buildfleet.mock_lvm against the nearest equivalent', '',
            'Median wall time of the task seen from the controller over %d run(s), both tools alternating in the same '
            'run on two volume groups of one guest; LVM commands counted by wrappers in the guest (last run). The '
            'floor rows are an ansible.builtin.ping task and a command task running one lvs, in the same run; "above '
            'ping" is a median minus the ping floor, what the module itself costs beyond starting Python in the guest.'
            % env['runs'], '',
            table(['module', 'path', 'time (s)', 'LVM commands', 'equivalent', 'time (s)', 'LVM commands',
                   'time ratio', 'above ping (s)', 'equivalent above ping (s)', 'ratio above ping'], body)]
    if goals:
        text += [''] + ['Goal: %s.' % g for g in goals]
    if notes:
        text += [''] + ['Note: %s.' % n for n in notes]
    return '\n'.join(text)


def _above(mine, theirs, ping):
    """[mine - ping, theirs - ping, their ratio] as cells, and the ratio as a number (None without a floor)."""
    if ping is None:
        return ['', '', '', None]
    m, t = mine - ping, theirs - ping
    ratio = m / t if t > 0 else None
    return ['%.2f' % m, '%.2f' % t, '%.2f' % ratio if ratio is not None else '-', ratio]


def provisioning(out_dir, playbook):
    path = os.path.join(out_dir, 'provision.jsonl')
    if not os.path.exists(path):
        return None
    records = [json.loads(line) for line in lines(path)]
    labels = {'one-first': 'first run', 'one-noop': 'no-op run', 'two-first': 'first run', 'two-noop': 'no-op run'}
    body, details, goals = [], [], []
    for label in [lb for lb in labels if any(r['label'] == lb for r in records)]:
        recs = [r for r in records if r['label'] == label]
        wall = recs[0]['end'] - recs[0]['start']
        log = lines(os.path.join(out_dir, 'prov-%s.log' % label))
        try:
            data = load(os.path.join(out_dir, 'prov-%s.json' % label))
        except ValueError:
            data = {'plays': [], 'stats': {}}
        per_host = []
        for rec in recs:
            host = rec['host']
            ran = skipped = 0
            for play in data['plays']:
                for task in play['tasks']:
                    res = task['hosts'].get(host)
                    if res is None:
                        continue
                    if res.get('skipped') or (res.get('results') and all(i.get('skipped') for i in res['results'])):
                        skipped += 1
                    else:
                        ran += 1
            stats = data.get('stats', {}).get(host, {})
            lvm = lines(os.path.join(out_dir, 'prov-%s.%s.lvm' % (label, host)))
            py = lines(os.path.join(out_dir, 'prov-%s.%s.py' % (label, host)))
            ssh = sum(1 for line in log if 'SSH: EXEC' in line and re.search(r'\bPort=%d\b' % rec['port'], line))
            per_host.append((host, ran, skipped, stats.get('changed', '?'), stats.get('failures', 0) + stats.get(
                'unreachable', 0), len(py), ssh, lvm))
        first = per_host[0]
        # Tasks may differ by a run_once task, device names by guest: compare what reached each host.
        same = all(h[3:7] == first[3:7] and by_tool(h[7]) == by_tool(first[7]) for h in per_host)
        hosts = len(recs)
        before = PREVIOUS.get((labels[label], hosts))
        goals.append(_provision_goal(labels[label], hosts, first[5], len(first[7])))
        body.append([labels[label], hosts, '%.0f' % wall, '%.0f' % (wall / hosts),
                     '%.0f' % before[2] if before else '-', '%d (%d skipped)' % first[1:3],
                     first[3], first[5], before[0] if before else '-', first[6],
                     '%d (%s)' % (len(first[7]), by_tool(first[7])) if first[7] else '0', before[1] if before else '-',
                     'yes' if same else 'no: ' + '; '.join('%s changed %s, modules %s, SSH %s, LVM %d' % (
                         h[0], h[3], h[5], h[6], len(h[7])) for h in per_host)])
        if any(h[4] for h in per_host):
            body[-1][0] += ' (FAILED on %d host(s))' % sum(1 for h in per_host if h[4])
        if label == 'one-noop':
            details.append('The no-op run on one host, task by task (tasks that did something for the host; time from '
                           'the JSON callback):')
            details.append('')
            task_rows = []
            for play in data['plays']:
                for task in play['tasks']:
                    res = task['hosts'].get(recs[0]['host'])
                    if res is None or res.get('skipped'):
                        continue
                    dur = task['task'].get('duration', {})
                    secs = (_when(dur['end']) - _when(dur['start'])) if 'end' in dur else 0.0
                    items = len([i for i in res.get('results', []) if not i.get('skipped')]) if 'results' in res else 1
                    task_rows.append([task['task']['name'].replace('|', '/'), res.get('action', '?'), items,
                                      '%.1f' % secs])
            details.append(table(['task', 'action', 'items', 'time (s)'], task_rows))
            details.append('')
            modules = collections.Counter(
                os.path.basename(m.group(1))[:-3] for m in (re.search(r'Using module file (\S+)', x) for x in log) if m)
            details.append('Module executions of the no-op run on one host, by module: %s.' % ', '.join(
                '%s %d' % kv for kv in sorted(modules.items(), key=lambda kv: (-kv[1], kv[0]))))
            details.append('')
            details.append('LVM commands of that run, in order:')
            details.append('')
            details += ['    %s' % c for c in first[7]]
    text = ['## 2. Provisioning cost per host', '',
            '`%s` with the inventory of docs/examples/builders.yml (two volume groups, two pools, three configs) on '
            'fresh guests, then again with nothing to do. Tasks are those that ran for a host (from the JSON '
            'callback), module executions are Python starts in the guest (one per module run, pipelining on), SSH '
            'round trips are the controller\'s SSH executions for the host (-vvv), LVM commands are counted by '
            'wrappers in the guest; the counts are per host. The "before" columns are table 2 of %s, the same '
            'inventory before builder_info (setup, a state script through command, one thinpool run per pool).'
            % (playbook, PREVIOUS_SOURCE), '',
            table(['run', 'hosts', 'wall time (s)', 'per host (s)', 'before: per host (s)', 'tasks run (first host)',
                   'changed', 'module executions', 'before', 'SSH round trips', 'LVM commands', 'before',
                   'hosts identical'], body)]
    text += [''] + ['Goal: %s.' % g for g in goals if g]
    if details:
        text += [''] + details
    return '\n'.join(text)


def _provision_goal(run, hosts, executions, commands):
    """The goal of issue 17 for one row of table 2, as a sentence (None for rows without a goal)."""
    if run == 'no-op run':
        # Two since issue 27: the roots the config files record are read (mock_config_info, no command)
        # before the roots are decided, then builder_info reads everything else.
        met = executions <= 2 and commands <= 1
        return ('no-op run on %d host(s): %d module execution(s) and %d LVM command(s) per host (goal at most 2 and '
                'at most 1): %s' % (hosts, executions, commands, 'met' if met else 'NOT met'))
    if run == 'first run':
        return ('first run on %d host(s): %d module executions per host (goal at most 15, as before): %s'
                % (hosts, executions, 'met' if executions <= 15 else 'NOT met'))
    return None


def sharing(out_dir):
    rows = [json.loads(line) for line in lines(os.path.join(out_dir, 'sharing.jsonl')) if line.startswith('{')]
    payload = [r for r in rows if r['kind'] == 'payload']
    rows = [r for r in rows if r['kind'] == 'row']
    if not payload or not rows:
        return None
    p = payload[0]
    body = [[r['n'], '%.0f' % (r['shared_bytes'] / MIB), '%.0f' % (r['independent_bytes'] / MIB),
             '%.0f' % (r['separate_bytes'] / MIB), '%.0f' % (r['separate_vg_bytes'] / MIB),
             '%.1f' % (r['independent_bytes'] / float(r['shared_bytes'])),
             '%.2f' % r['shared_s'], '%.2f' % r['independent_s'], '%.2f' % r['separate_s']] for r in rows]
    return '\n'.join([
        '## 3. Disk sharing: N build roots of one config', '',
        'Payload: %s of the guest (%d files, %.0f MiB) copied into the config\'s head volume (virtual size %s, ext4), '
        'which then holds %.0f MiB of pool data; copied in %s s. shared: one pool, a postinit snapshot, N working '
        'volumes as thin snapshots of it (activated, mounted), as mock\'s lvm_root does. independent: N thin '
        'volumes in one pool, each a block copy of the origin (all-zero 1 MiB blocks skipped). separate: one pool '
        'per config (%s each) with its own head, postinit and one mounted root. Pool data in use after sync; time '
        'to add one build root measured inside the guest, median over the first min(N, %s) roots, each added alone '
        '(later roots are added with the independent and separate copies side by side, not timed).'
        % (p['dirs'], p['files'], p['bytes'] / MIB, p['vsize'], p['origin_pool_bytes'] / MIB, p['copy_s'],
           p['separate_pool_size'], max(r.get('timed_roots', r['n']) for r in rows)), '',
        table(['N', 'shared: pool data (MiB)', 'independent (MiB)', 'separate pools: data (MiB)',
               'separate pools: VG space taken (MiB)', 'independent / shared', 'new root, shared (s)',
               'new root, independent (s)', 'new root, separate pool (s)'], body)])


def main():
    out_dir, playbook, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
    env = load(os.path.join(out_dir, 'env.json'))
    print('# Benchmark results, %s' % env['date'])
    print()
    print('Controller: %s cores (%s), %s GB RAM; ansible-core %s, community.general %s. Guest: %s, lvm2 %s, under '
          'QEMU/TCG (software emulation). Sections: %s; repetitions per case: %s; bench time %d min %02d s.' % (
              env['nproc'], env['cpu'], env['mem_gb'], env['ansible_core'], env['community_general'], env['guest'],
              env['lvm2'], env['sections'], env['runs'], total // 60, total % 60))
    for section in (per_task(out_dir, env), provisioning(out_dir, playbook), sharing(out_dir)):
        if section:
            print()
            print(section)


if __name__ == '__main__':
    main()
