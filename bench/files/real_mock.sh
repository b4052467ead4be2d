#!/usr/bin/env bash
# Real-mock benchmark, run inside the test guest by bench/real_mock.sh (mock staged in the image
# and put in place by buildfleet-mock-install). Every step prints JSON lines on stdout; mock's own
# output goes to $WORK/logs/.
#
#   real_mock.sh setup DEV_PLAIN DEV...  wipes what an earlier run left (DEV: the pools' devices),
#                                        then writes the payload RPM, the local repository, the base
#                                        config and the root_cache and plain configs (their basedir and
#                                        cache on an ext4 file system on DEV_PLAIN)
#   real_mock.sh ready CONFIG RUNS       mock --init on an empty pool or cache, then RUNS times
#                                        "mock --clean; mock --chroot true" (a run that starts from
#                                        the ready root), and once "mock --chroot true" on the kept
#                                        root (mock's own cost, the floor)
#   real_mock.sh shared CONFIG VG/POOL N...   pool data used by N parallel --uniqueext roots of
#                                        CONFIG, started from its postinit and held open together
#                                        (N ascending: the roots of a smaller N stay, more are added)
#   real_mock.sh independent VG/POOL CONFIG...   pool data after each CONFIG's own mock --init,
#                                        all roots then held open together
#
# Environment: PAYLOAD_DIRS (guest directories packed into the payload RPM), WORK (/root/bench-rm).
set -euo pipefail
export LC_ALL=C.UTF-8
WORK=${WORK:-/root/bench-rm}
PAYLOAD_DIRS=${PAYLOAD_DIRS:-/usr/lib/x86_64-linux-gnu /usr/share}
REPO=/srv/bench/repo
PLAIN_TOP=/srv/bench
LOGS=$WORK/logs
mkdir -p "$WORK" "$LOGS"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.2f", b - a}'; }
mock_as_builder() {  # mock_as_builder LOG ARG...: mock the Fedora way (runuser -> consolehelper -> userhelper)
  local log=$1; shift
  runuser -u mockbuild -- mock "$@" >>"$LOGS/$log.log" 2>&1 \
    || { tail -n 25 "$LOGS/$log.log" >&2; echo "mock $* failed, log: $LOGS/$log.log" >&2; return 1; }
}
timed_mock() {  # timed_mock LOG ARG...: seconds one mock run took
  local t0; t0=$(now)
  mock_as_builder "$@"
  since "$t0"
}
pool_bytes() {  # pool_bytes VG/POOL: bytes of pool data in use (data_percent of the pool size)
  sync
  lvs --noheadings --units b --nosuffix -o lv_size,data_percent "$1" | awk '{printf "%.0f", $1 * $2 / 100}'
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

payload_spec() {  # payload_spec: an RPM of the guest's PAYLOAD_DIRS under /opt/payload, stored uncompressed
  cat <<SPEC
%global debug_package %{nil}
%global __os_install_post %{nil}
%global _build_id_links none
%define _binary_payload w0.ufdio
Name: bench-payload
Version: 1.0
Release: 1
Summary: Files of realistic size and number for the mock benchmark
License: various (copies of Debian files)
AutoReqProv: no

%description
Copies of $PAYLOAD_DIRS, a build root's worth of files.

%install
mkdir -p %{buildroot}/opt/payload
for dir in $PAYLOAD_DIRS; do
  mkdir -p %{buildroot}/opt/payload\$(dirname \$dir)
  cp -a \$dir %{buildroot}/opt/payload\$dir
done

%files
/opt/payload
SPEC
}

write_config() {  # write_config NAME: a config on the bench base with the plugins named in the rest of stdin
  cat >"/etc/mock/$1.cfg"
  chgrp mock "/etc/mock/$1.cfg"
}

write_plain_config() {  # write_plain_config NAME ROOT_CACHE(True|False): a config on the ext4 disk, no lvm_root
  write_config "$1" <<CFG
include('bench-base-x86_64.cfg')
config_opts['root'] = '$1'
config_opts['basedir'] = '$PLAIN_TOP/mock'
config_opts['cache_topdir'] = '$PLAIN_TOP/cache'
config_opts['plugin_conf']['root_cache_enable'] = $2
config_opts['plugin_conf']['lvm_root_enable'] = False
CFG
}

cmd_setup() {
  local dev=$1 t0 rpm_s rpm bytes paths files mp vg pv; shift
  usermod -a -G mock mockbuild
  # What an earlier run in this guest left: mounts, the volume groups on the pool devices, the
  # chroots and configs.
  awk '$2 ~ "^(/srv/bench|/var/lib/mock/)" {print $2}' /proc/mounts | sort -r | while read -r mp; do umount -l "$mp"; done
  for pv in "$@"; do
    vg=$(pvs --noheadings -o vg_name "$pv" 2>/dev/null | tr -d ' ' || true)
    [ -z "$vg" ] || vgremove -ff -y "$vg" >/dev/null
    pvremove -ff -y "$pv" >/dev/null 2>&1 || true
    wipefs -a -q "$pv"
  done
  rm -rf /var/lib/mock/* /var/lib/mock/.[!.]* /etc/mock/bench-*.cfg "$WORK/bench-payload.spec" "${LOGS:?}"/*
  # The plain and root_cache configs' basedir and cache: a file system of their own, as lvm_root has.
  wipefs -a -q "$dev"
  mkfs.ext4 -q -F "$dev"
  mkdir -p "$PLAIN_TOP"
  mount "$dev" "$PLAIN_TOP"
  install -d -g mock -m 2775 "$PLAIN_TOP/mock" "$PLAIN_TOP/cache" "$PLAIN_TOP/lvm-cache"
  cp -a /opt/buildfleet-mock/repo "$REPO"
  payload_spec >"$WORK/bench-payload.spec"
  t0=$(now)
  # _buildhost: without it rpmbuild looks the host name up, which the guest cannot resolve (seconds lost).
  rpmbuild -bb --define "_topdir $WORK/rpmbuild" --define "_buildhost $(hostname)" "$WORK/bench-payload.spec" >"$LOGS/rpmbuild.log" 2>&1 \
    || { tail -n 25 "$LOGS/rpmbuild.log" >&2; echo "rpmbuild of the payload failed" >&2; return 1; }
  rpm_s=$(since "$t0")
  rpm=$(ls "$WORK"/rpmbuild/RPMS/*/bench-payload-1.0-1.*.rpm)
  mv "$rpm" "$REPO/"
  rm -rf "$WORK/rpmbuild"
  createrepo_c --quiet "$REPO"
  bytes=$(rpm -qp --qf '%{SIZE}' "$REPO/$(basename "$rpm")")
  paths=$(rpm -qpl "$REPO/$(basename "$rpm")" | wc -l)
  files=$(rpm -qp --qf '[%{FILEMODES:perms}\n]' "$REPO/$(basename "$rpm")" | grep -c '^-')
  write_config bench-base-x86_64 <<CFG
# Benchmark base config (bench/files/real_mock.sh): custom-1-x86_64 on the local repository $REPO,
# busybox-root and the payload package as the chroot.
include('custom-1-x86_64.cfg')
config_opts['root'] = 'bench-base-x86_64'
config_opts['chroot_setup_cmd'] = 'install busybox-root bench-payload'
config_opts['isolation'] = 'simple'
config_opts['package_manager'] = 'dnf4'
config_opts['cache_topdir'] = '$PLAIN_TOP/lvm-cache'
config_opts['dnf.conf'] += """
[local]
name=local
baseurl=file://$REPO
gpgcheck=0
"""
CFG
  # root_cache as mock ships it (enabled by default; pigz when present, else gzip), no lvm_root.
  write_plain_config bench-rootcache True
  write_plain_config bench-plain False
  printf '{"kind": "payload", "dirs": "%s", "rpm_bytes": %s, "installed_bytes": %s, "paths": %s, "files": %s, "rpmbuild_s": %s, "compress": "%s", "mock": "%s", "dnf": "%s", "rpm": "%s"}\n' \
    "$PAYLOAD_DIRS" "$(stat -c %s "$REPO/$(basename "$rpm")")" "$bytes" "$paths" "$files" "$rpm_s" \
    "$(command -v pigz >/dev/null && echo pigz || echo gzip)" "$(cat /etc/mock/.buildfleet-mock-version)" \
    "$(dnf --version 2>/dev/null | head -n1)" "$(rpm --version | awk '{print $3}')"
}

cmd_ready() {  # cmd_ready CONFIG RUNS
  local cfg=$1 runs=$2 init_s i clean_s run_s floor_s
  init_s=$(timed_mock "$cfg" -r "$cfg" --init)
  for i in $(seq 1 "$runs"); do
    clean_s=$(timed_mock "$cfg" -r "$cfg" --clean)
    run_s=$(timed_mock "$cfg" -r "$cfg" --chroot true)
    # The floor once: mock's own cost hardly changes between runs, and each run costs minutes under TCG.
    floor_s=null
    [ "$i" -gt 1 ] || floor_s=$(timed_mock "$cfg" -r "$cfg" --chroot true)
    printf '{"kind": "ready", "config": "%s", "run": %s, "init_s": %s, "clean_s": %s, "from_ready_s": %s, "kept_root_s": %s, "load": "%s"}\n' \
      "$cfg" "$i" "$init_s" "$clean_s" "$run_s" "$floor_s" "$(loadavg)"
  done
  printf '{"kind": "ready_disk", "config": "%s", "chroot_bytes": %s, "cache_tarball_bytes": %s}\n' "$cfg" \
    "$(du -sbx "$(chroot_dir "$cfg" head)" | cut -f1)" "$(find "$PLAIN_TOP/cache" -path "*/$cfg/root_cache/cache.tar*" -printf '%s\n' | awk '{s += $1} END {print s + 0}')"
}

chroot_dir() {  # chroot_dir CONFIG EXT: the chroot mock uses for CONFIG (EXT head: no --uniqueext)
  local head
  head=$(runuser -u mockbuild -- mock -r "$1" --print-root-path 2>/dev/null | tail -n1)
  head=${head%/}
  if [ "$2" = head ]; then echo "$head"; else echo "${head%/root}-$2/root"; fi
}

hold() {  # hold LOG ARG...: a mock --chroot that marks its root ready and runs until released
  mock_as_builder "$@" --chroot 'touch /bench-ready; while ! test -e /bench-release; do sleep 1; done; rm -f /bench-ready /bench-release' &
}
wait_ready() {  # wait_ready DIR...: until every chroot has its ready marker (or a mock failed)
  local dir left
  while :; do
    left=0
    for dir in "$@"; do test -e "$dir/bench-ready" || left=$((left + 1)); done
    [ "$left" -eq 0 ] && return 0
    [ -n "$(jobs -rp)" ] || { echo "a held mock ended before its root was ready" >&2; return 1; }
    sleep 1
  done
}
release() {  # release DIR...: let the held runs end, and wait for them
  local dir
  for dir in "$@"; do touch "$dir/bench-release"; done
  wait
}

cmd_shared() {  # cmd_shared CONFIG VG/POOL N... (ascending): roots b1..bN, added until each N
  local cfg=$1 pool=$2 n made=0 t0 base dirs=() head; shift 2
  head=$(chroot_dir "$cfg" head)
  mock_as_builder "$cfg" -r "$cfg" --clean   # the working volume goes: postinit alone is the baseline
  base=$(pool_bytes "$pool")
  printf '{"kind": "shared_base", "config": "%s", "pool_bytes": %s, "pool_size": %s}\n' "$cfg" "$base" \
    "$(lvs --noheadings --units b --nosuffix -o lv_size "$pool" | tr -d ' ')"
  t0=$(now)
  for n in "$@"; do
    # The roots of the smaller N keep running: N=16 holds the first 4 too.
    while [ "$made" -lt "$n" ]; do
      made=$((made + 1))
      hold "$cfg-b$made" -r "$cfg" --uniqueext "b$made"
      dirs+=("${head%/root}-b$made/root")
    done
    wait_ready "${dirs[@]}"
    printf '{"kind": "shared", "config": "%s", "n": %s, "pool_bytes": %s, "base_bytes": %s, "ready_s": %s, "volumes": %s, "load": "%s"}\n' \
      "$cfg" "$n" "$(pool_bytes "$pool")" "$base" "$(since "$t0")" \
      "$(lvs --noheadings -o lv_name "${pool%/*}" | grep -c '[.]b[0-9]*[[:space:]]*$')" "$(loadavg)"
    t0=$(now)
  done
  release "${dirs[@]}"
}

cmd_independent() {  # cmd_independent VG/POOL CONFIG...
  local pool=$1 cfg k=0 init_s dirs=(); shift
  for cfg in "$@"; do
    k=$((k + 1))
    init_s=$(timed_mock "$cfg" -r "$cfg" --init)
    printf '{"kind": "independent_init", "config": "%s", "k": %s, "init_s": %s, "pool_bytes": %s, "load": "%s"}\n' \
      "$cfg" "$k" "$init_s" "$(pool_bytes "$pool")" "$(loadavg)"
  done
  for cfg in "$@"; do hold "$cfg" -r "$cfg"; dirs+=("$(chroot_dir "$cfg" head)"); done
  wait_ready "${dirs[@]}"
  printf '{"kind": "independent", "n": %s, "pool_bytes": %s, "load": "%s"}\n' "$#" "$(pool_bytes "$pool")" "$(loadavg)"
  release "${dirs[@]}"
}

case "${1:-}" in
  setup) shift; cmd_setup "$@" ;;
  ready) cmd_ready "$2" "$3" ;;
  shared) shift; cmd_shared "$@" ;;
  independent) shift; cmd_independent "$@" ;;
  *) echo "usage: $0 setup DEV_PLAIN DEV... | ready CONFIG RUNS | shared CONFIG VG/POOL N... | independent VG/POOL CONFIG..." >&2; exit 2 ;;
esac
