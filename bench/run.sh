#!/usr/bin/env bash
# Prints a markdown table: wall time (median of 5) and LVM commands for a thin
# pool create and no-op, buildfleet.mock_lvm.thinpool against
# community.general.lvol, measured in one run on the real-LVM guest.
# Run after scripts/test has set up .tmp/ (or scripts/main-job): bench/run.sh
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"
setup_main
RUN=$WORK/bench
mkdir -p "$RUN/inventory/host_vars"
printf 'all:\n  hosts:\n    guest:\n' >"$RUN/inventory/hosts.yml"
ansible-playbook buildfleet.mock_lvm.test_guest_create -e test_guest_run_dir="$RUN/guest" \
  -e test_guest_host_vars_file="$RUN/inventory/host_vars/guest.yml" >/dev/null
ANSIBLE_STDOUT_CALLBACK=json ansible-playbook -i "$RUN/inventory" "$ROOT/bench/thinpool_vs_lvol.yml" >"$RUN/out.json"
ansible-playbook buildfleet.mock_lvm.test_guest_destroy -e test_guest_run_dir="$RUN/guest" >/dev/null
python3 - "$RUN/out.json" <<'PY'
import json, statistics, sys
data = json.load(open(sys.argv[1]))
rows = data['plays'][0]['tasks'][-2]['hosts']['guest'] if False else None
facts = None
for task in data['plays'][0]['tasks']:
    res = task['hosts'].get('guest', {})
    if 'ansible_facts' in res and 'bench_rows' in res['ansible_facts']:
        facts = res['ansible_facts']['bench_rows']
table = {}
for row in facts:
    table.setdefault((row['tool'], row['case']), []).append(row)
print('| module | case | median wall time (s) | LVM commands | commands |')
print('| --- | --- | --- | --- | --- |')
for (tool, case), runs in sorted(table.items(), key=lambda kv: (kv[0][1], kv[0][0])):
    secs = statistics.median(r['seconds'] for r in runs)
    cmds = runs[-1]['commands']
    name = 'buildfleet.mock_lvm.thinpool' if tool == 'thinpool' else 'community.general.lvol'
    print('| %s | %s | %.2f | %d | %s |' % (name, case, secs, len(cmds), ' '.join(cmds)))
PY
