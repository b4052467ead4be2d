#!/usr/bin/env bash
# The lvm_root plugin measured with real mock on the real-LVM test guest: time to a ready build
# root against root_cache (tarball) and a plain chroot, and the pool data of N parallel
# --uniqueext roots from one postinit against N independent roots. Prints markdown tables and
# writes them, with the environment, to bench/results/<UTC date and time>-real-mock.md.
#
#   bench/run.sh real_mock        (or bench/real_mock.sh)
#
# The guest boots from the image with mock staged (test_guest.sh with GUEST_MOCK_TARBALL, cached
# by the tarball's hash like every image), in .tmp/bench/real_mock, with 3 data disks: data1 the
# lvm_root config's pool, data2 the independent roots' pool, data3 an ext4 file system for the
# root_cache and plain configs. Inside it, bench/files/real_mock.sh builds a payload RPM from guest
# files (uncompressed payload), publishes it with busybox-root in a local repository, and runs
# mock as mockbuild through runuser and consolehelper; bench/real_mock.yml provisions the pools
# and lvm_root configs with the builder role.
#
# Settings (environment):
#   BUILDFLEET_GUEST_MOCK_TARBALL  mock's source tarball (../shared/mock-upstream/mock-6.7-81787520.tar.gz)
#   BENCH_RUNS=3                   runs from a ready root per config (after one init on an empty pool)
#   BENCH_SIZES="1 4 16"           N parallel --uniqueext roots
#   BENCH_RM_INDEPENDENT=4         independent roots initialised one after another (1 to 4); the table
#                                  computes larger N from the measured single root, and says so
#   BENCH_RM_PAYLOAD_DIRS="/usr/lib/x86_64-linux-gnu /usr/share"   guest directories in the payload RPM
#   BENCH_RM_MEMORY=4096           guest memory in MiB (16 mock processes at once); vCPUs: GUEST_CPUS (2)
#   BENCH_KEEP=1                   leave the guest running (the next run reuses it and wipes its disks)
#   BENCH_RM_STEPS="setup ready shared independent"   steps to run; without setup, a kept guest's
#                                  payload and configs are used and earlier results in the output are kept
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/../scripts/lib.sh"
setup_main

RUNS=${BENCH_RUNS:-3}
SIZES=${BENCH_SIZES:-1 4 16}
INDEPENDENT=${BENCH_RM_INDEPENDENT:-4}
PAYLOAD_DIRS=${BENCH_RM_PAYLOAD_DIRS:-/usr/lib/x86_64-linux-gnu /usr/share}
TARBALL=${BUILDFLEET_GUEST_MOCK_TARBALL:-$ROOT/../shared/mock-upstream/mock-6.7-81787520.tar.gz}
[ -f "$TARBALL" ] || { echo "mock's source tarball $TARBALL does not exist: set BUILDFLEET_GUEST_MOCK_TARBALL" >&2; exit 1; }
if [ "$INDEPENDENT" -lt 1 ] || [ "$INDEPENDENT" -gt 4 ]; then
  echo "BENCH_RM_INDEPENDENT must be 1 to 4 (bench/real_mock.yml declares four configs), not '$INDEPENDENT'" >&2; exit 1
fi
RUN=$WORK/bench/real_mock
OUT=$WORK/bench/real_mock-out
STAMP=$(date -u +%Y-%m-%dT%H%M)
RESULTS=$ROOT/bench/results/$STAMP-real-mock.md
GUEST_SH=$ROOT/playbooks/files/test_guest.sh
BENCH_START=$SECONDS
STEPS=" ${BENCH_RM_STEPS:-setup ready shared independent} "
[[ "$STEPS" != *" setup "* ]] || rm -rf "$OUT"
mkdir -p "$OUT" "$ROOT/bench/results"

export GUEST_MOCK_TARBALL GUEST_MEMORY=${BENCH_RM_MEMORY:-4096} GUEST_DISKS=3 GUEST_DISK_SIZE=16G
GUEST_MOCK_TARBALL=$(realpath "$TARBALL")

genv() { sed -n "s/^$1=//p" "$RUN/guest.env"; }
on() {  # on COMMAND...: run a command in the guest as root
  ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
    -o ServerAliveInterval=30 -i "$(genv GUEST_KEY)" -p "$(genv GUEST_PORT)" root@127.0.0.1 "$@"
}
guest_bench() {  # guest_bench ARG...: a step of bench/files/real_mock.sh in the guest, its JSON lines kept
  say "guest: real_mock.sh $*"
  if ! on "PAYLOAD_DIRS='$PAYLOAD_DIRS' bash -s -- $*" <"$ROOT/bench/files/real_mock.sh" | tee -a "$OUT/real_mock.jsonl"; then
    echo "real_mock.sh $* failed in the guest (mock's logs: /root/bench-rm/logs there)" >&2; exit 1
  fi
}
SAMPLER=''
stop() {
  [ -z "$SAMPLER" ] || kill "$SAMPLER" 2>/dev/null || true
  if [ "${BENCH_KEEP:-0}" != 1 ]; then "$GUEST_SH" down "$RUN" || true; fi
}
trap stop EXIT

# The host's load, every 10 s from before the guest boots to the end: another guest may share the cores.
( while :; do echo "$(date +%s) $(cut -d' ' -f1-3 /proc/loadavg)"; sleep 10; done ) >>"$OUT/load.txt" &
SAMPLER=$!
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

say "booting (or reusing) the guest in $RUN, image with mock staged"
"$GUEST_SH" up "$RUN" >/dev/null
"$GUEST_SH" install-mock "$RUN" >&2
mkdir -p "$OUT/inventory"
cat >"$OUT/inventory/hosts.yml" <<YAML
# Written by bench/real_mock.sh for the guest in $RUN
all:
  hosts:
    guest:
      ansible_host: 127.0.0.1
      ansible_port: $(genv GUEST_PORT)
      ansible_user: root
      ansible_ssh_private_key_file: $(genv GUEST_KEY)
      ansible_ssh_common_args: -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
      ansible_python_interpreter: /usr/bin/python3
YAML

if [[ "$STEPS" == *" setup "* ]]; then
  guest_bench setup /dev/disk/by-id/virtio-data3 /dev/disk/by-id/virtio-data1 /dev/disk/by-id/virtio-data2
  say "provisioning the lvm_root pools and configs with the builder role"
  ANSIBLE_PIPELINING=True ansible-playbook -i "$OUT/inventory" "$ROOT/bench/real_mock.yml" >"$OUT/provision.log" \
    || { tail -n 30 "$OUT/provision.log" >&2; echo "provisioning failed: $OUT/provision.log" >&2; exit 1; }
fi

[ -f "$OUT/env.json" ] || {
  printf '{"date": "%s", "nproc": %s, "cpu": "%s", "mem_gb": %s, "load_before": "%s", ' "$(date -u '+%Y-%m-%d %H:%M UTC')" \
    "$(nproc)" "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)" \
    "$(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)" "$LOAD_BEFORE"
  printf '"qemu_processes_before": %s, ' "$(pgrep -c qemu-system || true)"
  printf '"accel": "%s", "lvm2": "%s", ' "$(genv GUEST_ACCEL)" "$(on lvm version | sed -n 's/^ *LVM version: *//p')"
  # shellcheck disable=SC2016
  printf '"guest": "%s", ' "$(on '. /etc/os-release; echo "$PRETTY_NAME, kernel $(uname -r), $(nproc) vCPUs, $(free -m | awk "/Mem:/ {print \$2}") MiB"')"
  printf '"runs": %s, "sizes": "%s", "independent": %s, "tarball": "%s"}\n' "$RUNS" "$SIZES" "$INDEPENDENT" "$(basename "$TARBALL")"
} >"$OUT/env.json"

if [[ "$STEPS" == *" ready "* ]]; then
  for cfg in bench-lvm bench-rootcache bench-plain; do guest_bench ready "$cfg" "$RUNS"; done
fi
# shellcheck disable=SC2086  # SIZES is a list
[[ "$STEPS" != *" shared "* ]] || guest_bench shared bench-lvm bench/benchpool $SIZES
# shellcheck disable=SC2046  # one config name per word
[[ "$STEPS" != *" independent "* ]] || guest_bench independent benchind/indpool $(seq -f 'bench-ind%g' 1 "$INDEPENDENT")

python3 "$ROOT/bench/report_real_mock.py" "$OUT" "$((SECONDS - BENCH_START))" | tee "$RESULTS"
echo "results written to ${RESULTS#"$ROOT"/}" >&2
