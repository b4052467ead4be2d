#!/usr/bin/env bash
# Benchmarks on the real-LVM test guest; prints markdown tables and writes them,
# with the environment, to bench/results/<UTC date and time>.md.
#
#   bench/run.sh
#   bench/run.sh real_mock    the lvm_root plugin with real mock instead (bench/real_mock.sh: time to a
#                             ready build root against root_cache and a plain chroot, pool data of
#                             --uniqueext roots against independent roots), its own guest and results file
#
#   1 per task: thinpool, thin_snapshot, build_root in change and no-op paths, median
#     wall time and LVM commands, against community.general.lvol or plain commands
#   2 provisioning: provision_builders first run and no-op run, tasks, module
#     executions, SSH round trips and LVM commands per host, on one guest and on two
#   3 disk sharing: pool data use of N build roots from one postinit snapshot, against
#     N independent thin volumes and N separate pools, and the time to add a root
#
# Settings (environment):
#   BENCH_RUNS=3           repetitions per case in table 1
#   BENCH_SECTIONS="tasks provision sharing"
#   BENCH_FLEET=2          guests for the fleet rows of table 2 (1: no second guest)
#   BENCH_SIZES="1 4 16"   N for table 3, ascending
#   BENCH_PAYLOAD_DIRS="/usr/bin /usr/sbin /usr/lib/x86_64-linux-gnu"  guest directories copied as the chroot payload
#   BENCH_KEEP=1           leave the guests running (they are reused by the next run)
# Guests run in .tmp/bench/guest1 and .tmp/bench/guest2 (8 data disks of 8G each,
# sparse); LVM commands and module executions are counted inside the guest by
# bench/files/counters.sh. Run after scripts/test or scripts/main-job set up .tmp/.
case "${1:-}" in
  '') ;;
  real_mock) exec "$(dirname "$0")/real_mock.sh" ;;
  *) echo "usage: $0 [real_mock]" >&2; exit 2 ;;
esac
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"
setup_main

RUNS=${BENCH_RUNS:-3}
SECTIONS=${BENCH_SECTIONS:-tasks provision sharing}
FLEET=${BENCH_FLEET:-2}
SIZES=${BENCH_SIZES:-1 4 16}
PAYLOAD_DIRS=${BENCH_PAYLOAD_DIRS:-/usr/bin /usr/sbin /usr/lib/x86_64-linux-gnu}
RUN=$WORK/bench
OUT=$RUN/out
STAMP=$(date -u +%Y-%m-%dT%H%M)
RESULTS=$ROOT/bench/results/$STAMP.md
INV=$RUN/inventory
BENCH_START=$SECONDS
rm -rf "$OUT"; mkdir -p "$OUT" "$INV/host_vars" "$ROOT/bench/results"
cat >"$INV/hosts.yml" <<'YAML'
# Written by bench/run.sh. The builder settings come from docs/examples/builders.yml
# (group builders), given as a second inventory source.
builders:
  hosts:
    guest1:
    guest2:
bench_one:
  hosts:
    guest1:
bench_two:
  hosts:
    guest1:
    guest2:
YAML
HOSTS=(guest1)
[ "$FLEET" -ge 2 ] && [[ " $SECTIONS " == *" provision "* ]] && HOSTS+=(guest2)

guest_up() {  # guest_up NAME
  say "booting (or reusing) $1"
  ansible-playbook buildfleet.mock_lvm.test_guest_create -e "test_guest_run_dir=$RUN/$1" \
    -e "test_guest_host_vars_file=$INV/host_vars/$1.yml" -e test_guest_disk_size=8G >/dev/null
}
guest_down() {
  local name
  for name in "${HOSTS[@]}"; do
    ansible-playbook buildfleet.mock_lvm.test_guest_destroy -e "test_guest_run_dir=$RUN/$name" >/dev/null || true
  done
}
genv() {  # genv NAME KEY: a value from the guest's guest.env
  sed -n "s/^$2=//p" "$RUN/$1/guest.env"
}
on() {  # on NAME COMMAND...: run a command in the guest as root
  local name=$1; shift
  ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
    -i "$(genv "$name" GUEST_KEY)" -p "$(genv "$name" GUEST_PORT)" root@127.0.0.1 "$@"
}
counters() {  # counters NAME install|reset|remove
  on "$1" sh -s -- "$2" <"$ROOT/bench/files/counters.sh"
}
if [ "${BENCH_KEEP:-0}" != 1 ]; then trap guest_down EXIT; fi

# Both guests boot at once, before anything is measured (the image is built first, once);
# guest2 then idles until the two-guest rows of table 2.
GUEST_SUITE=bookworm "$ROOT/playbooks/files/test_guest.sh" build >/dev/null
for host in "${HOSTS[@]}"; do guest_up "$host" & done
for host in "${HOSTS[@]}"; do wait -n || { echo "a guest did not boot" >&2; exit 1; }; done
for host in "${HOSTS[@]}"; do counters "$host" install; done
{
  printf '{"date": "%s", "nproc": %s, "cpu": "%s", "mem_gb": %s, ' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" \
    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)" "$(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)"
  printf '"ansible_core": "%s", ' "$(python -c 'import ansible.release as r; print(r.__version__)')"
  printf '"community_general": "%s", ' "$(ansible-galaxy collection list community.general 2>/dev/null | awk '$1 == "community.general" {print $2}' | head -n1)"
  printf '"lvm2": "%s", ' "$(on guest1 lvm version | sed -n 's/^ *LVM version: *//p')"
  # shellcheck disable=SC2016
  printf '"guest": "%s", ' "$(on guest1 '. /etc/os-release; echo "$PRETTY_NAME, kernel $(uname -r), $(nproc) vCPUs, $(free -m | awk "/Mem:/ {print \$2}") MiB"')"
  printf '"runs": %s, "sections": "%s", "fleet": %s, "sizes": "%s"}\n' "$RUNS" "$SECTIONS" "$FLEET" "$SIZES"
} >"$OUT/env.json"

provision() {  # provision LABEL GROUP HOST...: one timed provisioning run, then each host's counters
  local label=$1 group=$2 start end host; shift 2
  start=$(date +%s.%N)
  ANSIBLE_STDOUT_CALLBACK=json ANSIBLE_VERBOSE_TO_STDERR=True \
    ansible-playbook -vvv -i "$ROOT/docs/examples/builders.yml" -i "$INV" "$PROVISION" -e "fleet_hosts=$group" \
    -e ansible_python_interpreter=/usr/local/bin/bench-python3 >"$OUT/prov-$label.json" 2>"$OUT/prov-$label.log" \
    || { tail -n 20 "$OUT/prov-$label.log" >&2; echo "provisioning run $label failed: $OUT/prov-$label.json" >&2; }
  end=$(date +%s.%N)
  for host in "$@"; do
    on "$host" cat /run/lvm-bench.log >"$OUT/prov-$label.$host.lvm"
    on "$host" cat /run/bench-python.log >"$OUT/prov-$label.$host.py"
    counters "$host" reset
    port=$(genv "$host" GUEST_PORT)
    printf '{"label": "%s", "group": "%s", "host": "%s", "port": %s, "hosts": %s, "start": %s, "end": %s}\n' \
      "$label" "$group" "$host" "$port" "$#" "$start" "$end" >>"$OUT/provision.jsonl"
  done
}
PROVISION=buildfleet.mock_lvm.provision_builders

if [[ " $SECTIONS " == *" provision "* ]]; then
  say "table 2: provisioning one guest (first run, no-op run)"
  on guest1 sh -s <"$ROOT/bench/files/provision_reset.sh"
  provision one-first bench_one guest1
  provision one-noop bench_one guest1
fi

if [[ " $SECTIONS " == *" tasks "* ]]; then
  say "table 1: per task, $RUNS repetitions"
  counters guest1 reset
  # The mock family fixture, installed over the open SSH connection (a copy task costs a module run).
  on guest1 'cat >/usr/local/sbin/bench-make-family && chmod 0755 /usr/local/sbin/bench-make-family' \
    <"$ROOT/molecule/shared/files/make_family.sh"
  ANSIBLE_STDOUT_CALLBACK=json ansible-playbook -i "$INV" "$ROOT/bench/per_task.yml" -e bench_host=guest1 \
    -e "bench_runs=$RUNS" >"$OUT/per_task.json" || echo "per-task playbook failed: $OUT/per_task.json" >&2
fi

if [[ " $SECTIONS " == *" sharing "* ]]; then
  say "table 3: disk sharing for N = $SIZES"
  on guest1 "SIZES='$SIZES' PAYLOAD_DIRS='$PAYLOAD_DIRS' bash -s -- /dev/disk/by-id/virtio-data3 /dev/disk/by-id/virtio-data4 /dev/disk/by-id/virtio-data5" \
    <"$ROOT/bench/files/sharing.sh" >"$OUT/sharing.jsonl" || echo "sharing benchmark failed" >&2
fi

if [[ " ${HOSTS[*]} " == *" guest2 "* ]]; then
  say "table 2: provisioning two guests at once"
  for host in guest1 guest2; do on "$host" sh -s <"$ROOT/bench/files/provision_reset.sh"; done
  provision two-first bench_two guest1 guest2
  provision two-noop bench_two guest1 guest2
fi

for host in "${HOSTS[@]}"; do counters "$host" remove || true; done
python3 "$ROOT/bench/report.py" "$OUT" "$PROVISION" "$((SECONDS - BENCH_START))" | tee "$RESULTS"
echo "results written to ${RESULTS#"$ROOT"/}" >&2
