#!/usr/bin/env bash
# Disposable Debian guest with real LVM (device-mapper, dm-thin, dmeventd) under
# QEMU/TCG, for hosts whose own kernel has no device-mapper.
#
#   test_guest.sh build              build (or reuse) the cached base image, print its directory
#   test_guest.sh up    RUN_DIR      start + wait: boot a guest (reuse it when already up)
#   test_guest.sh start RUN_DIR      start QEMU in the background, write RUN_DIR/guest.env
#   test_guest.sh wait  RUN_DIR [S]  wait for SSH (a line every 15 s); with S, give up after S s
#                                    of this call with exit 3 (still booting), so a caller can poll
#   test_guest.sh down  RUN_DIR      stop the guest by its pid file and remove RUN_DIR
#   test_guest.sh status RUN_DIR     exit 0 when the guest answers over SSH
#   test_guest.sh install-mock RUN_DIR  put the staged mock in place in a running guest booted from
#                                    an image built with GUEST_MOCK_TARBALL (test_guest_mock.sh)
#
# The image cache holds one directory per recipe hash. A build takes a lock
# (flock on CACHE/<hash>.lock), looks for the finished image again once it
# holds it, builds into a temporary directory and renames that into place: a
# finished image directory is never removed or replaced, so guests booted from
# it keep working while other builds run. Each guest gets its own copy of the
# SSH key in its run directory.
#
# Settings (environment):
#   GUEST_SUITE        Debian suite (bookworm)
#   GUEST_CACHE_DIR    image cache (${XDG_CACHE_HOME:-~/.cache}/buildfleet-mock-lvm/guest)
#   GUEST_MIRROR       Debian mirror (default: read from the host's apt sources)
#   GUEST_DISKS        number of data disks (4), serials data1..dataN
#   GUEST_DISK_SIZE    size of each data disk (4G, sparse qcow2)
#   GUEST_MEMORY       memory in MiB (2048)
#   GUEST_CPUS         vCPUs (2)
#   GUEST_SSH_TIMEOUT  seconds to wait for SSH from the start of the guest (420)
#   GUEST_BUILD_LOCK_TIMEOUT  seconds to wait for another process's image build (1200)
#   GUEST_MOCK_TARBALL a mock source tarball (rpm-software-management/mock extract): the image
#                      gets mock staged, Debian's packages for it and a local RPM repository
#                      (test_guest_mock.sh); a separate image, cached by the tarball's hash too
#   BUILDFLEET_GUEST_ACCEL    kvm, tcg or auto (auto: KVM when /dev/kvm is usable and the
#                      image's kernel boots under it within GUEST_KVM_PROBE_TIMEOUT (8) s, else TCG)
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
BUILD_LOCK_TIMEOUT=${GUEST_BUILD_LOCK_TIMEOUT:-1200}
KVM_PROBE_TIMEOUT=${GUEST_KVM_PROBE_TIMEOUT:-8}
PROGRESS_EVERY=15
LABEL=bfguestroot
PACKAGES=linux-image-amd64,lvm2,dmeventd,thin-provisioning-tools,openssh-server,python3,systemd-sysv,udev,initramfs-tools,iproute2,ifupdown,isc-dhcp-client,e2fsprogs,xfsprogs,util-linux,procps,kmod
MASKED_TIMERS='systemd-tmpfiles-clean.timer fstrim.timer e2scrub_all.timer apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer'
BYTECODE_CACHE_HOOK=$(dirname "${BASH_SOURCE[0]}")/test_guest_bytecode_cache.py
MOCK_TARBALL=${GUEST_MOCK_TARBALL:-}
if [ -n "$MOCK_TARBALL" ]; then
  # shellcheck source=playbooks/files/test_guest_mock.sh
  . "$(dirname "${BASH_SOURCE[0]}")/test_guest_mock.sh"
  PACKAGES=$PACKAGES,$MOCK_PACKAGES
fi

need() {  # need COMMAND DEBIAN_PACKAGE
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found: install the Debian package '$2' (apt-get install $2)"
}

# The image depends only on this recipe: hash the build function, suite and package list.
recipe_hash() {
  # With a mock tarball: its hash and the mock recipe too (a separate image; the plain one is unchanged).
  { declare -f build_rootfs; cat "$BYTECODE_CACHE_HOOK"; echo "$SUITE $PACKAGES $LABEL $MASKED_TIMERS"; [ -z "$MOCK_TARBALL" ] || mock_recipe; } | sha256sum | cut -c1-16
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
  # Ansible's modules arrive as zips that Python compiles at every run; under emulation that is
  # most of a module run, so the image keeps their bytecode (test_guest_bytecode_cache.py).
  install -m 644 "$BYTECODE_CACHE_HOOK" "$rootfs/usr/lib/python3/dist-packages/buildfleet_test_bytecode_cache.py"
  echo 'import buildfleet_test_bytecode_cache' >"$rootfs/usr/lib/python3/dist-packages/buildfleet_test_bytecode_cache.pth"
  install -d -m 755 "$rootfs/var/cache/buildfleet-test-bytecode"
  # The guest's own maintenance timers would change, at a time of their own, what tests compare:
  # tmpfiles cleanup 15 min after boot mounts a credentials tmpfs, fstrim discards on the thin
  # volumes, e2scrub_all snapshots ext4 LVs, apt and dpkg backups. A throwaway guest runs none.
  local timer
  install -d "$rootfs/etc/systemd/system"
  for timer in $MASKED_TIMERS; do ln -sfn /dev/null "$rootfs/etc/systemd/system/$timer"; done
  rm -f "$rootfs"/var/cache/apt/archives/*.deb
}

image_complete() {  # image_complete DIR
  [ -f "$1/root.img" ] && [ -f "$1/vmlinuz" ] && [ -f "$1/initrd.img" ] && [ -f "$1/id_ed25519" ]
}

cmd_build() {
  local dir hash
  hash=$(recipe_hash) || exit 1
  dir=$CACHE_ROOT/$hash
  # A directory appears only by the rename below, complete: no lock needed to reuse it.
  if image_complete "$dir"; then echo "$dir"; return; fi
  [ "$(id -u)" = 0 ] || die "building the image needs root (debootstrap, chroot): run as root"
  need debootstrap debootstrap; need mke2fs e2fsprogs; need ssh-keygen openssh-client; need flock util-linux
  mkdir -p "$CACHE_ROOT"
  local lock=$dir.lock fd
  exec {fd}>>"$lock"
  if ! flock -n "$fd"; then
    log "another process is building this image (lock $lock): waiting for it, up to $BUILD_LOCK_TIMEOUT s"
    local waited=$SECONDS
    flock -w "$BUILD_LOCK_TIMEOUT" "$fd" || die "the image build lock $lock was not released within $BUILD_LOCK_TIMEOUT s"
    log "lock acquired after $((SECONDS - waited)) s"
  fi
  # Looked for again under the lock: the build we waited for may have finished the image.
  if image_complete "$dir"; then
    log "image $dir was built by another process while this one waited: reusing it"
    exec {fd}>&-
    echo "$dir"; return
  fi
  [ -e "$dir" ] && die "$dir exists but is not a complete image (root.img, vmlinuz, initrd.img, id_ed25519);" \
    "this script never replaces an image directory (a guest may use it): remove it by hand when no guest runs from it"
  local start=$SECONDS tmp
  log "building the $SUITE image in $dir (debootstrap: about 2.5 min on 2 cores)"
  tmp=$(mktemp -d "$CACHE_ROOT/build.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT
  ssh-keygen -q -t ed25519 -N '' -C buildfleet-guest -f "$tmp/id_ed25519"
  build_rootfs "$tmp/rootfs" "$tmp/id_ed25519"
  if [ -n "$MOCK_TARBALL" ]; then
    log "staging mock from $MOCK_TARBALL and building the local RPM repository (native, in a chroot)"
    mock_into_rootfs "$tmp/rootfs" "$tmp"
    rm -rf "$tmp/mock-src" "$tmp/wheels"
  fi
  cp "$tmp"/rootfs/boot/vmlinuz-* "$tmp/vmlinuz"
  cp "$tmp"/rootfs/boot/initrd.img-* "$tmp/initrd.img"
  mke2fs -q -t ext4 -L "$LABEL" -d "$tmp/rootfs" "$tmp/root.img" 3G >&2
  rm -rf "$tmp/rootfs" "$tmp/rootfs.log"
  # $dir does not exist (checked under the lock): a rename into place, never a replacement.
  mv -T "$tmp" "$dir"
  trap - EXIT
  exec {fd}>&-
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

kvm_boots() {  # kvm_boots IMAGE_DIR: the image's kernel reaches its first panic (no root fs) under KVM
  local probe status=1 i
  probe=$(mktemp -d)
  qemu-system-x86_64 -accel kvm -cpu host -m 256 -smp 1 -nodefaults -display none -no-reboot \
    -serial "file:$probe/console.log" -pidfile "$probe/qemu.pid" -daemonize \
    -kernel "$1/vmlinuz" -append "console=ttyS0 panic=-1" >/dev/null 2>&1 || { rm -rf "$probe"; return 1; }
  for i in $(seq 1 $((KVM_PROBE_TIMEOUT * 4))); do
    if grep -qs 'Kernel panic' "$probe/console.log"; then status=0; break; fi
    if ! [ -f "$probe/qemu.pid" ] || ! kill -0 "$(cat "$probe/qemu.pid")" 2>/dev/null; then break; fi
    sleep 0.25
  done
  if [ -f "$probe/qemu.pid" ]; then kill -9 "$(cat "$probe/qemu.pid")" 2>/dev/null || true; fi
  rm -rf "$probe"
  return $status
}

choose_accel() {  # choose_accel IMAGE_DIR: sets ACCEL_ARGS, ACCEL and ACCEL_WHY
  ACCEL=${BUILDFLEET_GUEST_ACCEL:-auto}
  case $ACCEL in
    kvm) ACCEL_WHY="BUILDFLEET_GUEST_ACCEL=kvm" ;;
    tcg) ACCEL_WHY="BUILDFLEET_GUEST_ACCEL=tcg" ;;
    auto)
      if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
        ACCEL=tcg ACCEL_WHY="no usable /dev/kvm"
      elif kvm_boots "$1"; then
        ACCEL=kvm ACCEL_WHY="/dev/kvm present and the guest kernel booted under KVM"
      else
        ACCEL=tcg ACCEL_WHY="/dev/kvm present, but the guest kernel did not boot under KVM within $KVM_PROBE_TIMEOUT s"
      fi ;;
    *) die "BUILDFLEET_GUEST_ACCEL must be kvm, tcg or auto, not '$ACCEL'" ;;
  esac
  # shellcheck disable=SC2054  # tcg,thread=multi is one argument
  if [ "$ACCEL" = kvm ]; then ACCEL_ARGS=(-accel kvm -cpu host); else ACCEL_ARGS=(-accel tcg,thread=multi -cpu max); fi
}

cmd_start() {
  local run=${1:?RUN_DIR}
  if cmd_status "$run"; then log "guest in $run is already up, reusing it"; cat "$run/guest.env"; return; fi
  running "$run" && die "a guest process runs for $run but does not answer SSH: run '$0 down $run' first (console: $run/console.log)"
  need qemu-system-x86_64 qemu-system-x86; need qemu-img qemu-utils; need ssh openssh-client
  local image; image=$(cmd_build)
  rm -rf "$run"; mkdir -p "$run"; run=$(cd "$run" && pwd)
  # The guest's own copy of the key: the image directory may be shared by many guests.
  install -m 600 "$image/id_ed25519" "$run/id_ed25519"
  install -m 644 "$image/id_ed25519.pub" "$run/id_ed25519.pub"
  qemu-img create -q -f qcow2 -b "$image/root.img" -F raw "$run/root.qcow2"
  local drives=() i port
  for i in $(seq 1 "$DISKS"); do
    qemu-img create -q -f qcow2 "$run/data$i.qcow2" "$DISK_SIZE"
    drives+=(-drive "file=$run/data$i.qcow2,if=none,id=d$i,format=qcow2,cache=unsafe"
             -device "virtio-blk-pci,drive=d$i,serial=data$i")
  done
  choose_accel "$image"
  port=$(free_port) || die "no free TCP port on 127.0.0.1"
  cat >"$run/guest.env" <<ENV
GUEST_HOST=127.0.0.1
GUEST_PORT=$port
GUEST_USER=root
GUEST_KEY=$run/id_ed25519
GUEST_DISKS=$DISKS
GUEST_IMAGE=$image
GUEST_ACCEL=$ACCEL
ENV
  date +%s >"$run/started"
  qemu-system-x86_64 "${ACCEL_ARGS[@]}" -m "$MEMORY" -smp "$CPUS" \
    -display none -daemonize -pidfile "$run/qemu.pid" -serial "file:$run/console.log" \
    -kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
    -append "root=LABEL=$LABEL rw console=ttyS0 net.ifnames=0 quiet" \
    -drive "file=$run/root.qcow2,if=virtio,format=qcow2,cache=unsafe" "${drives[@]}" \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:22" -device virtio-net-pci,netdev=n0 \
    || die "qemu failed to start (port $port may have been taken: run again)"
  local expect="about 1 min"
  [ "$ACCEL" = kvm ] && expect="seconds"
  log "guest started with $ACCEL ($ACCEL_WHY), $DISKS data disks, SSH on 127.0.0.1:$port; boot takes $expect (console: $run/console.log)"
}

cmd_wait() {  # cmd_wait RUN_DIR [SLICE]: exit 0 when up, 3 when SLICE s passed and the guest still boots
  local run=${1:?RUN_DIR} slice=${2:-} began=$SECONDS started now elapsed next
  [ -f "$run/guest.env" ] || die "no guest started in $run (run '$0 start $run' first)"
  started=$(cat "$run/started" 2>/dev/null || date +%s)
  next=$(( $(date +%s) - started + PROGRESS_EVERY ))
  until cmd_status "$run"; do
    running "$run" || die "the guest stopped while booting: see the console log $run/console.log"
    now=$(date +%s); elapsed=$((now - started))
    [ "$elapsed" -ge "$SSH_TIMEOUT" ] \
      && die "SSH did not answer on 127.0.0.1:$(sed -n 's/^GUEST_PORT=//p' "$run/guest.env") within $SSH_TIMEOUT s: see the console log $run/console.log"
    if [ "$elapsed" -ge "$next" ]; then
      log "waiting for SSH: ${elapsed} s since the start (usually about 60 s under TCG; giving up at $SSH_TIMEOUT s)"
      next=$((elapsed + PROGRESS_EVERY))
    fi
    [ -n "$slice" ] && [ $((SECONDS - began)) -ge "$slice" ] && exit 3
    sleep 3
  done
  log "guest up: SSH answers, $(( $(date +%s) - started )) s after the guest's start ($(sed -n 's/^GUEST_ACCEL=//p' "$run/guest.env"))"
  cat "$run/guest.env"
}

cmd_up() {
  local run=${1:?RUN_DIR}
  if cmd_status "$run"; then log "guest in $run is already up, reusing it"; cat "$run/guest.env"; return; fi
  cmd_start "$run" >/dev/null
  cmd_wait "$run"
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

cmd_install_mock() {
  local run=${1:?RUN_DIR}
  cmd_status "$run" || die "no guest answers in $run: start it first"
  # shellcheck disable=SC2046
  ssh $(ssh_opts "$run") 'test -x /usr/local/sbin/buildfleet-mock-install && /usr/local/sbin/buildfleet-mock-install' \
    || die "the guest in $run has no mock staged, or its install failed: build its image with GUEST_MOCK_TARBALL set"
}

case "${1:-}" in
  build) cmd_build ;;
  install-mock) cmd_install_mock "${2:-}" ;;
  up) cmd_up "${2:-}" ;;
  start) cmd_start "${2:-}" ;;
  wait) cmd_wait "${2:-}" "${3:-}" ;;
  down) cmd_down "${2:-}" ;;
  status) cmd_status "${2:-}" ;;
  *) echo "usage: $0 build | up RUN_DIR | start RUN_DIR | wait RUN_DIR [SECONDS] | down RUN_DIR | status RUN_DIR | install-mock RUN_DIR" >&2; exit 2 ;;
esac
