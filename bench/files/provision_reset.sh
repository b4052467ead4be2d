#!/bin/sh
# Return a guest to the state before the builder role's first run (bench/run.sh,
# table 2): no mock configs of ours, volume groups, LVM profiles, mock group or basedir.
# Devices as in docs/examples/builders.yml.
set -u
rm -rf /etc/mock /var/lib/mock
# What mock-core-configs leaves on a Fedora/EL builder (not packaged for Debian): stand-ins for
# the bases of docs/examples/builders.yml, without the marker of buildfleet.mock_lvm.mock_config.
mkdir -p /etc/mock
for base in fedora-43-x86_64 alma+epel-10-x86_64 rhel-10-x86_64; do
  printf "# Stand-in for mock-core-configs' %s.cfg.\nconfig_opts['root'] = '%s'\n" "$base" "$base" >"/etc/mock/$base.cfg"
done
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
