#!/usr/bin/env bash
# Disposable Debian guest with real LVM (device-mapper, dm-thin, dmeventd) under
# QEMU/TCG, for hosts whose own kernel has no device-mapper.
#
#   test_guest.sh build              build (or reuse) the cached base image
#   test_guest.sh up    RUN_DIR      boot a guest (reuse it when already up), write RUN_DIR/guest.env
#   test_guest.sh down  RUN_DIR      stop the guest by its pid file and remove RUN_DIR
#   test_guest.sh status RUN_DIR     exit 0 when the guest answers over SSH
#
# Settings (environment):
#   GUEST_SUITE        Debian suite (bookworm)
#   GUEST_CACHE_DIR    image cache (${XDG_CACHE_HOME:-~/.cache}/buildfleet-mock-lvm/guest)
#   GUEST_MIRROR       Debian mirror (default: read from the host's apt sources)
#   GUEST_DISKS        number of data disks (4), serials data1..dataN
#   GUEST_DISK_SIZE    size of each data disk (4G, sparse qcow2)
#   GUEST_MEMORY       memory in MiB (2048)
#   GUEST_CPUS         vCPUs (2)
#   GUEST_SSH_TIMEOUT  seconds to wait for SSH (420)
set -euo pipefail

die() { echo "test_guest: error: $*" >&2; exit 1; }
log() { echo "test_guest: $*" >&2; }

SUITE=${GUEST_SUITE:-bookworm}
CACHE_ROOT=${GUEST_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/buildfleet-mock-lvm/guest}
DISKS=${GUEST_DISKS:-4}
DISK_SIZE=${GUEST_DISK_SIZE:-4G}
MEMORY=${GUEST_MEMORY:-2048}
CPUS=${GUEST_CPUS:-2}
SSH_TIMEOUT=${GUEST_SSH_TIMEOUT:-420}
LABEL=bfguestroot
PACKAGES=linux-image-amd64,lvm2,dmeventd,thin-provisioning-tools,openssh-server,python3,systemd-sysv,udev,initramfs-tools,iproute2,ifupdown,isc-dhcp-client,e2fsprogs,xfsprogs,util-linux,procps,kmod

need() {  # need COMMAND DEBIAN_PACKAGE
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found: install the Debian package '$2' (apt-get install $2)"
}

# The image depends only on this recipe: hash the build function, suite and package list.
recipe_hash() {
  { declare -f build_rootfs; echo "$SUITE $PACKAGES $LABEL"; } | sha256sum | cut -c1-16
}

host_mirror() {
  if [ -n "${GUEST_MIRROR:-}" ]; then echo "$GUEST_MIRROR"; return; fi
  local m
  m=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n1 || true)
  [ -n "$m" ] || m=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}' | grep -v security | head -n1 || true)
  [ -n "$m" ] || die "no Debian mirror found in /etc/apt/sources*: set GUEST_MIRROR"
  echo "$m"
}

build_rootfs() {  # build_rootfs ROOTFS KEYFILE
  local rootfs=$1 key=$2
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$rootfs" "$(host_mirror)" >"$rootfs.log" 2>&1 \
    || { tail -n 30 "$rootfs.log" >&2; die "debootstrap failed, full log: $rootfs.log"; }
  echo "LABEL=$LABEL / ext4 defaults 0 1" >"$rootfs/etc/fstab"
  printf 'auto lo\niface lo inet loopback\nauto eth0\niface eth0 inet dhcp\n' >"$rootfs/etc/network/interfaces"
  echo buildfleet-guest >"$rootfs/etc/hostname"
  install -d -m 700 "$rootfs/root/.ssh"
  install -m 600 "$key.pub" "$rootfs/root/.ssh/authorized_keys"
  chroot "$rootfs" passwd -d root >/dev/null
  # Guests are throwaway: DNS and time sync are not needed, a fast boot is.
  printf 'UseDNS no\n' >"$rootfs/etc/ssh/sshd_config.d/buildfleet.conf"
  rm -f "$rootfs"/var/cache/apt/archives/*.deb
}

cmd_build() {
  [ "$(id -u)" = 0 ] || die "building the image needs root (debootstrap, chroot): run as root"
  need debootstrap debootstrap; need mke2fs e2fsprogs; need ssh-keygen openssh-client
  local dir; dir="$CACHE_ROOT/$(recipe_hash)"
  if [ -f "$dir/root.img" ] && [ -f "$dir/vmlinuz" ] && [ -f "$dir/initrd.img" ]; then
    echo "$dir"; return
  fi
  local start=$SECONDS tmp
  log "building the $SUITE image in $dir (about 2-3 minutes)"
  mkdir -p "$CACHE_ROOT"
  tmp=$(mktemp -d "$CACHE_ROOT/build.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  ssh-keygen -q -t ed25519 -N '' -C buildfleet-guest -f "$tmp/id_ed25519"
  build_rootfs "$tmp/rootfs" "$tmp/id_ed25519"
  cp "$tmp"/rootfs/boot/vmlinuz-* "$tmp/vmlinuz"
  cp "$tmp"/rootfs/boot/initrd.img-* "$tmp/initrd.img"
  mke2fs -q -t ext4 -L "$LABEL" -d "$tmp/rootfs" "$tmp/root.img" 3G >&2
  rm -rf "$tmp/rootfs" "$tmp/rootfs.log"
  rm -rf "$dir"; mv "$tmp" "$dir"
  log "image built in $((SECONDS - start)) s"
  echo "$dir"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

ssh_opts() {  # ssh_opts RUN_DIR
  # shellcheck disable=SC1091
  . "$1/guest.env"
  echo "-o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=5 -i $GUEST_KEY -p $GUEST_PORT root@127.0.0.1"
}

running() {  # running RUN_DIR
  [ -f "$1/qemu.pid" ] && kill -0 "$(cat "$1/qemu.pid")" 2>/dev/null
}

cmd_status() {
  local run=${1:?RUN_DIR}
  running "$run" || return 1
  # shellcheck disable=SC2046
  ssh $(ssh_opts "$run") true 2>/dev/null
}

cmd_up() {
  local run=${1:?RUN_DIR}
  if cmd_status "$run"; then log "guest in $run is already up, reusing it"; cat "$run/guest.env"; return; fi
  running "$run" && die "a guest process runs for $run but does not answer SSH: run '$0 down $run' first (console: $run/console.log)"
  need qemu-system-x86_64 qemu-system-x86; need qemu-img qemu-utils; need ssh openssh-client
  local image; image=$(cmd_build)
  rm -rf "$run"; mkdir -p "$run"; run=$(cd "$run" && pwd)
  qemu-img create -q -f qcow2 -b "$image/root.img" -F raw "$run/root.qcow2"
  local drives=() i port
  for i in $(seq 1 "$DISKS"); do
    qemu-img create -q -f qcow2 "$run/data$i.qcow2" "$DISK_SIZE"
    drives+=(-drive "file=$run/data$i.qcow2,if=none,id=d$i,format=qcow2,cache=unsafe"
             -device "virtio-blk-pci,drive=d$i,serial=data$i")
  done
  port=$(free_port) || die "no free TCP port on 127.0.0.1"
  cat >"$run/guest.env" <<ENV
GUEST_HOST=127.0.0.1
GUEST_PORT=$port
GUEST_USER=root
GUEST_KEY=$image/id_ed25519
GUEST_DISKS=$DISKS
GUEST_IMAGE=$image
ENV
  local start=$SECONDS
  # KVM is not available here (nested "kvm-pvm"): software emulation, multi-threaded.
  qemu-system-x86_64 -accel tcg,thread=multi -cpu max -m "$MEMORY" -smp "$CPUS" \
    -display none -daemonize -pidfile "$run/qemu.pid" -serial "file:$run/console.log" \
    -kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
    -append "root=LABEL=$LABEL rw console=ttyS0 net.ifnames=0 quiet" \
    -drive "file=$run/root.qcow2,if=virtio,format=qcow2,cache=unsafe" "${drives[@]}" \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:22" -device virtio-net-pci,netdev=n0 \
    || die "qemu failed to start (port $port may have been taken: run again)"
  until cmd_status "$run"; do
    running "$run" || die "the guest stopped while booting: see the console log $run/console.log"
    if [ $((SECONDS - start)) -ge "$SSH_TIMEOUT" ]; then
      die "SSH did not answer on 127.0.0.1:$port within $SSH_TIMEOUT s: see the console log $run/console.log"
    fi
    sleep 3
  done
  log "guest up in $((SECONDS - start)) s (ssh root@127.0.0.1 -p $port -i $image/id_ed25519)"
  cat "$run/guest.env"
}

cmd_down() {
  local run=${1:?RUN_DIR} pid i
  if [ -f "$run/qemu.pid" ]; then
    pid=$(cat "$run/qemu.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$run"
}

case "${1:-}" in
  build) cmd_build ;;
  up) cmd_up "${2:-}" ;;
  down) cmd_down "${2:-}" ;;
  status) cmd_status "${2:-}" ;;
  *) echo "usage: $0 build | up RUN_DIR | down RUN_DIR | status RUN_DIR" >&2; exit 2 ;;
esac
