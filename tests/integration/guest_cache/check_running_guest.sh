#!/usr/bin/env bash
# Checks, on the real guest that scripts/test booted for the molecule gate, what
# tests/unit/test_guest_script.py proves with stand-ins: the guest's SSH key is
# its own copy in its run directory (and the inventory points at it), and two
# image builds started at once on the real cache while the guest is up reuse
# the finished image without replacing it, after which the guest still answers.
#
#   check_running_guest.sh RUN_DIR HOST_VARS_FILE
set -euo pipefail
run=${1:?RUN_DIR}
host_vars=${2:?HOST_VARS_FILE}
script=$(cd "$(dirname "$0")/../../../playbooks/files" && pwd)/test_guest.sh
fail() { echo "guest check FAILED: $*" >&2; exit 1; }

# shellcheck disable=SC1091
. "$run/guest.env"
run=$(cd "$run" && pwd)
[ "$GUEST_KEY" = "$run/id_ed25519" ] || fail "GUEST_KEY is $GUEST_KEY, not the run directory's copy $run/id_ed25519"
[ "$(stat -c %a "$GUEST_KEY")" = 600 ] || fail "$GUEST_KEY has mode $(stat -c %a "$GUEST_KEY"), not 600"
cmp -s "$GUEST_KEY" "$GUEST_IMAGE/id_ed25519" || fail "$GUEST_KEY differs from the image's key"
grep -qx "ansible_ssh_private_key_file: $GUEST_KEY" "$host_vars" \
  || fail "$host_vars does not point ansible_ssh_private_key_file at $GUEST_KEY"

identity() { stat -c '%d:%i:%Y' "$1"; }
before="$(identity "$GUEST_IMAGE") $(identity "$GUEST_IMAGE/root.img") $(identity "$GUEST_IMAGE/id_ed25519")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The image of a run with real mock is named by the mock tarball as well (scripts/test exports it).
for i in 1 2; do GUEST_CACHE_DIR=$(dirname "$GUEST_IMAGE") GUEST_MOCK_TARBALL=${BUILDFLEET_GUEST_MOCK_TARBALL:-} "$script" build >"$tmp/out$i" 2>"$tmp/err$i" & done
status=0
wait %1 || status=1
wait %2 || status=1
[ $status -eq 0 ] || fail "a build while the guest is up failed: $(cat "$tmp"/err*)"
for i in 1 2; do
  [ "$(cat "$tmp/out$i")" = "$GUEST_IMAGE" ] || fail "build $i printed '$(cat "$tmp/out$i")', not $GUEST_IMAGE"
  ! grep -q 'image built in' "$tmp/err$i" || fail "build $i rebuilt the image while a guest uses it"
done
after="$(identity "$GUEST_IMAGE") $(identity "$GUEST_IMAGE/root.img") $(identity "$GUEST_IMAGE/id_ed25519")"
[ "$before" = "$after" ] || fail "the image directory changed while the guest was up ($before -> $after)"
"$script" status "$run" || fail "the guest no longer answers SSH with $GUEST_KEY"
echo "guest check passed: key $GUEST_KEY is the run directory's copy; two builds at once reused $GUEST_IMAGE unchanged; the guest still answers"
