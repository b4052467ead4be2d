#!/usr/bin/env bash
# STAND-IN for `mock -r CONFIG --init` in tests (mock is not packaged for Debian).
# It does to LVM what mock's lvm_root plugin does on a first init, and nothing else:
#   mock_standin.sh MODE BASEDIR -r CONFIG --init
# MODE=full      base volume + mkfs + postinit snapshot (a working plugin)
# MODE=noplugin  nothing (mock-lvm missing or lvm_root disabled: mock builds without LVM)
# MODE=rootcache base volume only (root_cache marked the root initialised: no postinit)
# BASEDIR is the config's config_opts['basedir']; VG and POOL follow the scenario (br/pool)
# and the root is the config's name.
set -euo pipefail
mode=$1 basedir=$2 root=$4 vg=br pool=pool id=mock.$4
if [ "$3" != -r ] || [ "$5" != --init ]; then echo "stand-in supports only MODE BASEDIR -r CONFIG --init" >&2; exit 2; fi
mkdir -p "$basedir"
: >>"$basedir/.lvm-pool-$id.lock"; : >>"$basedir/.lvm-$id.lock"
case $mode in
  noplugin) echo "WARNING: lvm_root plugin not found, building without LVM" ;;
  rootcache) lvcreate -q -T "$vg/$pool" -V 64M -n "+$id.head" >/dev/null ;;
  full)
    lvcreate -q -T "$vg/$pool" -V 64M -n "+$id.head" >/dev/null
    mkfs.ext4 -q "/dev/$vg/+$id.head"
    lvcreate -q -s "$vg/+$id.head" -n "$id.postinit" >/dev/null
    printf '%s' "$id.postinit" >"$basedir/.snapinfo-$id.head" ;;
esac
echo "Finish: chroot init ($root)"
