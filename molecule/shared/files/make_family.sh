#!/usr/bin/env bash
# Test fixture: lay out one mock config's LVM family exactly as mock's lvm_root
# plugin (mock 5.x/6.x, plugin API 1.1) leaves it, without mock (Debian does not
# package it):
#   pool lock and init lock files   BASEDIR/.lvm-pool-mock.ROOT.lock, BASEDIR/.lvm-mock.ROOT.lock
#   base volume                     lvcreate -T VG/POOL -V SIZE -n +mock.ROOT.head, mkfs.ext4
#   postinit snapshot               lvcreate -s VG/+mock.ROOT.head -n mock.ROOT.postinit
#   bookkeeping                     BASEDIR/.snapinfo-mock.ROOT.head holding the current snapshot's LV name
#   N update snapshots (--update)   lvcreate -s VG/+mock.ROOT.head -n mock.ROOT.postinit_updated_<date>
#   one working volume per ext      lvcreate -s VG/<current> -n +mock.ROOT.EXT --setactivationskip n
#
#   make_family.sh VG POOL ROOT UPDATES "EXT ..." [BASEDIR]
set -euo pipefail
vg=$1 pool=$2 root=$3 updates=$4 exts=$5 basedir=${6:-/var/lib/mock}
id=mock.$root
q() { LC_ALL=C.UTF-8 "$@" >/dev/null 2>&1; }
mkdir -p "$basedir"
: >>"$basedir/.lvm-pool-$id.lock"
: >>"$basedir/.lvm-$id.lock"
q lvcreate -T "$vg/$pool" -V 64M -n "+$id.head"
mkfs.ext4 -q "/dev/$vg/+$id.head"
q lvcreate -s "$vg/+$id.head" -n "$id.postinit"
current=$id.postinit
for i in $(seq 1 "$updates"); do
  sleep 1.1  # LVM's creation time has a resolution of one second
  current=$id.postinit_updated_2026-0$i-01_10-00
  q lvcreate -s "$vg/+$id.head" -n "$current"
done
printf '%s' "$current" >"$basedir/.snapinfo-$id.head"
for ext in $exts; do
  q lvcreate -s "$vg/$current" -n "+$id.$ext" --setactivationskip n
  printf '%s' "$current" >"$basedir/.snapinfo-$id.$ext"
done
