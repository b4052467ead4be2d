#!/usr/bin/env bash
# Copies the user role above into a throwaway directory outside the collection
# tree and runs its molecule scenario there, as a team adopting the collection
# would. Needs the collection and community.general on ANSIBLE_COLLECTIONS_PATH
# (scripts/test provides both); BUILDFLEET_GUEST_RUN_DIR/BUILDFLEET_GUEST_KEEP
# let it reuse the test run's guest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$here/site_pools" "$tmp/"
cd "$tmp/site_pools"
molecule test
