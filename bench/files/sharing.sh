#!/usr/bin/env bash
# Disk sharing benchmark, run inside the guest by bench/sharing.yml. Prints one
# JSON object per line (the "payload" line first, then one "row" per N).
#
#   sharing.sh DEV_SHARED DEV_INDEPENDENT DEV_SEPARATE
#
# Environment: SIZES ("1 4 16", ascending), PAYLOAD_DIRS (guest directories copied
# into the origin: the payload), VSIZE (virtual size of each thin volume, 384M).
#
# Three layouts of N build roots with the same content, each on its own disk:
#   shared       one pool; the config's head volume holds the payload, its postinit
#                snapshot is taken, and every build root is a thin snapshot of
#                postinit activated and mounted, as mock's lvm_root plugin does
#   independent  one pool; every build root is a thin volume of its own holding a
#                block copy of the origin's written blocks
#   separate     one pool per config (mock configs without a shared pool_name): each
#                pool gets its own head volume (block copy), postinit snapshot and
#                one mounted build root
# Roots are added up to each N, so N=16 includes the first 4; pool data use is read
# after a sync at each N. Creation times are per new build root, over the first
# TIMED (4) roots, each added alone.
set -euo pipefail
DEV_SHARED=$1 DEV_INDEP=$2 DEV_SEP=$3
SIZES=${SIZES:-1 4 16}
PAYLOAD_DIRS=${PAYLOAD_DIRS:-/usr/bin /usr/sbin /usr/lib/x86_64-linux-gnu}
VSIZE=${VSIZE:-384M}
ROOT=bench-9-x86_64 BASE=/run/bench-sharing
export LC_ALL=C.UTF-8

q() { "$@" >/dev/null 2>&1; }
now() { date +%s.%N; }
pool_bytes() {  # pool_bytes VG/POOL: bytes of pool data in use
  lvs --noheadings --units b --nosuffix -o lv_size,data_percent "$1" | awk '{printf "%.0f", $1 * $2 / 100}'
}
vg_alloc() {  # vg_alloc VG: bytes of the volume group allocated to logical volumes (pools, metadata, spare)
  vgs --noheadings --units b --nosuffix -o vg_size,vg_free "$1" | awk '{printf "%.0f", $1 - $2}'
}
mnt() {  # mnt LV_PATH DIR
  mkdir -p "$2" && mount -n -t ext4 "$1" "$2"
}
copy_blocks() {  # copy_blocks SRC DST: every 1 MiB block holding data; all-zero blocks stay unprovisioned
  # Direct reads too: through the page cache the same copy took 6 to 11 s instead of 2.5 s in the guest.
  dd if="$1" of="$2" bs=1M conv=sparse iflag=direct oflag=direct status=none
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {if (NR % 2) printf "%.2f", a[(NR+1)/2]; else printf "%.2f", (a[NR/2]+a[NR/2+1])/2}'; }
cleanup() {
  umount -n -l "$BASE"/*/root 2>/dev/null || true
  vgremove -ff -y bsh bin bsp >/dev/null 2>&1 || true
  for dev in "$DEV_SHARED" "$DEV_INDEP" "$DEV_SEP"; do pvremove -ff -y "$dev" >/dev/null 2>&1 || true; done
  rm -rf "$BASE"
}
cleanup
trap cleanup EXIT
new_vg() { wipefs -a -q "$2" && q vgcreate -y "$1" "$2"; }
new_vg bsh "$DEV_SHARED"
new_vg bin "$DEV_INDEP"
new_vg bsp "$DEV_SEP"
q lvcreate -T bsh/pool -l 90%FREE
q lvcreate -T bin/pool -l 90%FREE

# The config's origin: head volume, file system, payload, postinit snapshot.
id=mock.$ROOT
q lvcreate -T bsh/pool -V "$VSIZE" -n "+$id.head"
mkfs.ext4 -q "/dev/bsh/+$id.head"
mnt "/dev/bsh/+$id.head" "$BASE/head/root"
t0=$(now)
for dir in $PAYLOAD_DIRS; do mkdir -p "$BASE/head/root$(dirname "$dir")"; cp -a "$dir" "$BASE/head/root$dir"; done
sync
t1=$(now)
payload_bytes=$(du -sb "$BASE/head/root" | awk '{print $1}')
files=$(find "$BASE/head/root" -type f | wc -l)
umount -n "$BASE/head/root"
q lvcreate -s "bsh/+$id.head" -n "$id.postinit"
origin_bytes=$(pool_bytes bsh/pool)
# A pool per config sized like the shared one's need: the origin's use plus a tenth, whole 4 MiB extents.
sep_size=$(awk -v b="$origin_bytes" 'BEGIN {m = int(b * 1.1 / 4194304) + 2; printf "%dm", m * 4}')
printf '{"kind": "payload", "dirs": "%s", "bytes": %s, "files": %s, "copy_s": %s, "origin_pool_bytes": %s, "vsize": "%s", "separate_pool_size": "%s"}\n' \
  "$PAYLOAD_DIRS" "$payload_bytes" "$files" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')" "$origin_bytes" "$VSIZE" "$sep_size"

elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.3f", b - a}'; }
add_shared() {  # add_shared K: a working volume as mock makes it for --uniqueext=bK, from postinit, mounted
  local t0; t0=$(now)
  q lvcreate -s "bsh/$id.postinit" -n "+$id.b$1" --setactivationskip n
  mnt "/dev/bsh/+$id.b$1" "$BASE/$ROOT-b$1/root"
  elapsed "$t0"
}
add_independent() {  # add_independent K: a thin volume of its own with the same content
  local t0; t0=$(now)
  q lvcreate -T bin/pool -V "$VSIZE" -n "+$id.b$1"
  copy_blocks "/dev/bsh/+$id.head" "/dev/bin/+$id.b$1"
  mnt "/dev/bin/+$id.b$1" "$BASE/indep-b$1/root"
  elapsed "$t0"
}
add_separate() {  # add_separate K: a config with a pool of its own, its own origin and postinit, one build root
  local t0 sid=mock.$ROOT-$1; t0=$(now)
  q lvcreate -T "bsp/pool$1" -L "$sep_size"
  q lvcreate -T "bsp/pool$1" -V "$VSIZE" -n "+$sid.head"
  copy_blocks "/dev/bsh/+$id.head" "/dev/bsp/+$sid.head"
  q lvcreate -s "bsp/+$sid.head" -n "$sid.postinit"
  q lvcreate -s "bsp/$sid.postinit" -n "+$sid.b$1" --setactivationskip n
  mnt "/dev/bsp/+$sid.b$1" "$BASE/sep-b$1/root"
  elapsed "$t0"
}

# The first TIMED roots are added one at a time and timed; the later ones (N=16 is mostly
# block copies) are added with the independent and separate copies side by side, untimed,
# which keeps the whole bench under 20 minutes. Bytes are measured at every N either way.
TIMED=${TIMED:-4}
made=0 shared_t='' indep_t='' sep_t=''
for n in $SIZES; do
  while [ "$made" -lt "$n" ]; do
    made=$((made + 1))
    if [ "$made" -le "$TIMED" ]; then
      shared_t="$shared_t $(add_shared "$made")"
      indep_t="$indep_t $(add_independent "$made")"
      sep_t="$sep_t $(add_separate "$made")"
    else
      add_shared "$made" >/dev/null
      add_independent "$made" >/dev/null & indep_pid=$!
      add_separate "$made" >/dev/null
      wait "$indep_pid"
    fi
  done
  sync
  sep_used=0
  for k in $(seq 1 "$made"); do sep_used=$((sep_used + $(pool_bytes "bsp/pool$k"))); done
  printf '{"kind": "row", "n": %s, "shared_bytes": %s, "independent_bytes": %s, "separate_bytes": %s, "shared_vg_bytes": %s, "independent_vg_bytes": %s, "separate_vg_bytes": %s, "timed_roots": %s, "shared_s": %s, "independent_s": %s, "separate_s": %s}\n' \
    "$n" "$(pool_bytes bsh/pool)" "$(pool_bytes bin/pool)" "$sep_used" \
    "$(vg_alloc bsh)" "$(vg_alloc bin)" "$(vg_alloc bsp)" "$(( made < TIMED ? made : TIMED ))" \
    "$(echo "$shared_t" | median)" "$(echo "$indep_t" | median)" "$(echo "$sep_t" | median)"
done
