# shellcheck shell=bash
# Shared set-up for scripts/test and scripts/main-job: Debian packages, the
# pinned virtual environments, and the collection path ansible needs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${BUILDFLEET_WORK_DIR:-$ROOT/.tmp}
COLLECTIONS=$WORK/collections
COLLECTION_DIR=$COLLECTIONS/ansible_collections/buildfleet/mock_lvm
REQUIREMENTS=$ROOT/tests/requirements.txt
DEBIAN_PACKAGES=(qemu-system-x86 qemu-utils debootstrap openssh-client e2fsprogs)

say() { printf '\n==> %s\n' "$*" >&2; }

# The report gate's tools: promtool (prometheus) and headless Chromium; installed only when that gate runs.
# shellcheck disable=SC2034  # scripts/test, which sources this file, uses it
REPORT_DEBIAN_PACKAGES=(prometheus chromium)

ensure_debian_packages() {  # ensure_debian_packages [PKG...]: the named packages, DEBIAN_PACKAGES without any
  local missing=() pkg wanted=("$@")
  [ ${#wanted[@]} -gt 0 ] || wanted=("${DEBIAN_PACKAGES[@]}")
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  [ "$(id -u)" = 0 ] || { echo "missing Debian packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})" >&2; exit 1; }
  say "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# newest_python MIN_MINOR: the newest python3.N (N >= MIN_MINOR) on PATH or in pyenv.
newest_python() {
  local min=$1 candidate best='' minor best_minor=0
  for candidate in python3 python3.{10..14} "$HOME"/.pyenv/versions/3.*/bin/python3; do
    command -v "$candidate" >/dev/null 2>&1 || continue
    minor=$("$candidate" -c 'import sys; print(sys.version_info[1])' 2>/dev/null) || continue
    if [ "$minor" -ge "$min" ] && [ "$minor" -gt "$best_minor" ]; then best=$(command -v "$candidate"); best_minor=$minor; fi
  done
  [ -n "$best" ] || { echo "no Python 3.$min or newer found (PATH or ~/.pyenv/versions)" >&2; return 1; }
  echo "$best"
}

# ensure_venv DIR PYTHON [REQUIREMENTS]: a venv with the pinned toolchain (tests/requirements.txt
# unless another pinned file is named); rebuilt when the pins change.
ensure_venv() {
  local dir=$1 python=$2 requirements=${3:-$REQUIREMENTS} stamp
  stamp=$(sha256sum <"$requirements" | cut -c1-16)-$("$python" -c 'import sys; print(sys.version.split()[0])')
  if [ "$(cat "$dir/.stamp" 2>/dev/null)" != "$stamp" ]; then
    say "creating $dir with $python"
    rm -rf "$dir"
    "$python" -m venv "$dir"
    "$dir/bin/pip" install -q --disable-pip-version-check -r "$requirements" 2>&1 | grep -v "^WARNING: Location" >&2 || true
    "$dir/bin/python" -c 'import ansible, pytest' || { echo "toolchain install failed in $dir" >&2; exit 1; }
    echo "$stamp" >"$dir/.stamp"
  fi
}

# The collection must live under ansible_collections/<namespace>/<name>/.
ensure_collection_path() {
  mkdir -p "$(dirname "$COLLECTION_DIR")"
  [ -L "$COLLECTION_DIR" ] || { rm -rf "$COLLECTION_DIR"; ln -s "$ROOT" "$COLLECTION_DIR"; }
  export ANSIBLE_COLLECTIONS_PATH=$COLLECTIONS
}

# activate VENV: put its bin/ first on PATH (molecule calls ansible-* by name).
activate() {
  export VIRTUAL_ENV=$1 PATH="$1/bin:$PATH"
}

MAIN_VENV=$WORK/venv-main
# shellcheck disable=SC2034  # used by scripts/test, which sources this file
NEWEST_VENV=$WORK/venv-newest

setup_main() {
  ensure_debian_packages "${DEBIAN_PACKAGES[@]}"
  ensure_venv "$MAIN_VENV" "$(python_for_main_line)"
  ensure_collection_path
  activate "$MAIN_VENV"
}

# The Python of the main controller line, ansible-core 2.19: 3.11, the machine's python3 (2.19 is
# the newest line pip resolves there; 2.20 and 2.21 need 3.12 and have venvs of their own).
python_for_main_line() {
  local py
  py=$(command -v python3.11 || true)
  # shellcheck disable=SC2012  # pyenv's version directories have plain names (3.11.7)
  [ -n "$py" ] || py=$(ls "$HOME"/.pyenv/versions/3.11.*/bin/python3 2>/dev/null | tail -n1)
  [ -n "$py" ] || py=$(command -v python3)
  echo "$py"
}

RELEASE_VENV=$WORK/venv-release

ensure_release_venv() {  # galaxy-importer, antsibull-docs, antsibull-changelog, pinned (tests/requirements-release.txt)
  local py
  py=$(newest_python 12) || return 1
  ensure_venv "$RELEASE_VENV" "$py" "$ROOT/tests/requirements-release.txt"
}

# The collection and community.general (a dependency the docs link to, from the main venv's ansible
# package) for the release tools' ansible-doc.
release_collections_path() { echo "$COLLECTIONS:$(echo "$MAIN_VENV"/lib/python3*/site-packages)"; }

export ANSIBLE_PIPELINING=True ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_NOCOWS=1

# localhost_playbook ARGS...: ansible-playbook for the test guest playbooks, which run on the
# implicit localhost (the controller, with ansible-playbook's own Python) and so parse no
# inventory on purpose: the two warnings about that are off for them only. (`-i localhost,`
# would make localhost an ordinary host, whose Python interpreter discovery picks whatever
# python3 is first on PATH.)
localhost_playbook() {
  ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_LOCALHOST_WARNING=False ansible-playbook "$@"
}
