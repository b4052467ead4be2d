#!/usr/bin/env bash
# STAND-IN for `mock -r CONFIG --init` in tests (mock is not packaged for Debian).
# It does to LVM what mock's lvm_root plugin does on a first init, and nothing else:
#   mock_standin.sh MODE -r CONFIG --init
# MODE=full      base volume + mkfs + postinit snapshot (a working plugin)
# MODE=noplugin  nothing (mock-lvm missing or lvm_root disabled: mock builds without LVM)
# MODE=rootcache base volume only (root_cache marked the root initialised: no postinit)
# VG, POOL and the root (= CONFIG) come from the environment-free convention of the scenario.
set -euo pipefail
mode=$1 root=$3 vg=br pool=pool id=mock.$3
[ "$4" = --init ] || { echo "stand-in supports only -r CONFIG --init" >&2; exit 2; }
mkdir -p /var/lib/mock
: >>"/var/lib/mock/.lvm-pool-$id.lock"; : >>"/var/lib/mock/.lvm-$id.lock"
case $mode in
  noplugin) echo "WARNING: lvm_root plugin not found, building without LVM" ;;
  rootcache) lvcreate -q -T "$vg/$pool" -V 64M -n "+$id.head" >/dev/null ;;
  full)
    lvcreate -q -T "$vg/$pool" -V 64M -n "+$id.head" >/dev/null
    mkfs.ext4 -q "/dev/$vg/+$id.head"
    lvcreate -q -s "$vg/+$id.head" -n "$id.postinit" >/dev/null
    printf '%s' "$id.postinit" >"/var/lib/mock/.snapinfo-$id.head" ;;
esac
echo "Finish: chroot init ($root)"
