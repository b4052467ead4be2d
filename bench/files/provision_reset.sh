#!/bin/sh
# Return a guest to the state before the builder role's first run (bench/run.sh,
# table 2): no mock configs, volume groups, LVM profiles, mock group or basedir.
# Devices as in docs/examples/builders.yml.
set -u
rm -rf /etc/mock /var/lib/mock
vgremove -ff -y mock mockslow >/dev/null 2>&1
for d in /dev/disk/by-id/virtio-data1 /dev/disk/by-id/virtio-data2; do
  pvremove -ff -y "$d" >/dev/null 2>&1
  wipefs -a -q "$d"
done
rm -f /etc/lvm/profile/mock_lvm-*.profile
getent group mock >/dev/null && groupdel mock
: >/run/lvm-bench.log
: >/run/bench-python.log
exit 0
