#!/usr/bin/env bash
# Checks the execution environment material without a container engine or registry:
#   1. `ansible-builder create` turns execution-environment.yml into a build context whose Containerfile
#      starts FROM the declared base image, installs the pinned ansible-core (tested, and within
#      requires_ansible of meta/runtime.yml) and ansible-runner with the declared package manager, and
#      whose galaxy requirements name buildfleet.mock_lvm and community.general (as galaxy.yml does);
#   2. the collection built and installed from a tarball ships meta/execution-environment.yml,
#      meta/bindep.txt and the root execution-environment.yml (the file the AWX README builds the
#      execution environment from), and `ansible-builder introspect`
#      on it reports every line of meta/bindep.txt as a system need of buildfleet.mock_lvm.
# Needs ansible-builder and ansible-galaxy: scripts/test provides them (gate ee); run alone, it uses
# .tmp/venv-main, or sets it up through scripts/lib.sh when there is none.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
if ! command -v ansible-builder >/dev/null 2>&1; then
  venv=${BUILDFLEET_WORK_DIR:-$ROOT/.tmp}/venv-main
  if [ -x "$venv/bin/ansible-builder" ]; then
    export PATH="$venv/bin:$PATH"  # the existing venv as it is: setup_main would rebuild it for another python3.11
  else
    # shellcheck source=scripts/lib.sh
    . "$ROOT/scripts/lib.sh"
    setup_main
  fi
fi
PYTHON=$(dirname "$(command -v ansible-builder)")/python  # has PyYAML and packaging, as ansible-builder needs them
[ -x "$PYTHON" ] || PYTHON=python3

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "ee: FAILED: $*" >&2; exit 1; }

echo "== ansible-builder create"
ansible-builder create -f "$ROOT/execution-environment.yml" -c "$tmp/context" --output-filename Containerfile -v1 \
  || fail "ansible-builder create refused execution-environment.yml"
[ -f "$tmp/context/Containerfile" ] || fail "no Containerfile in the build context"
[ -f "$tmp/context/_build/requirements.yml" ] || fail "no _build/requirements.yml (galaxy requirements) in the build context"

"$PYTHON" - "$ROOT" "$tmp/context" <<'PY' || fail "the build context does not match execution-environment.yml"
import os
import re
import sys

import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

root, context = sys.argv[1:3]


def load(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


ee = load(os.path.join(root, 'execution-environment.yml'))
galaxy = load(os.path.join(root, 'galaxy.yml'))
runtime = load(os.path.join(root, 'meta', 'runtime.yml'))
with open(os.path.join(context, 'Containerfile')) as handle:
    containerfile = handle.read()
requirements = load(os.path.join(context, '_build', 'requirements.yml'))
problems = []


def arg(name):
    match = re.search(r'^ARG %s="([^"]*)"$' % name, containerfile, re.M)
    return match.group(1) if match else None


base = ee['images']['base_image']['name']
if not re.match(r'^(quay\.io/fedora/fedora(-minimal)?|quay\.io/centos/centos):(stream9|[0-9]+)$', base):
    problems.append('base image %s is neither a Fedora nor a CentOS Stream 9 image' % base)
if arg('EE_BASE_IMAGE') != base:
    problems.append('Containerfile: ARG EE_BASE_IMAGE is %r, not the base image %s' % (arg('EE_BASE_IMAGE'), base))
if not re.search(r'^FROM \$EE_BASE_IMAGE AS base$', containerfile, re.M):
    problems.append('Containerfile: the base stage does not start FROM $EE_BASE_IMAGE')
if arg('PKGMGR') != ee['options']['package_manager_path']:
    problems.append('Containerfile: PKGMGR is %r, not %s' % (arg('PKGMGR'), ee['options']['package_manager_path']))
if arg('PYCMD') != ee['dependencies']['python_interpreter']['python_path']:
    problems.append('Containerfile: PYCMD is %r' % arg('PYCMD'))

refs = (arg('ANSIBLE_INSTALL_REFS') or '').split()
core = [ref for ref in refs if ref.startswith('ansible-core==')]
if not core:
    problems.append('Containerfile: ansible-core is not pinned with == (ANSIBLE_INSTALL_REFS %r)' % refs)
else:
    version = core[0].split('==', 1)[1]
    requires = runtime['requires_ansible']
    if Version(version) not in SpecifierSet(requires):
        problems.append('ansible-core %s does not satisfy requires_ansible %s (meta/runtime.yml)' % (version, requires))
    with open(os.path.join(root, 'tests', 'requirements.txt')) as handle:
        tested = re.findall(r'^ansible-core==([0-9.]+)\s*;\s*python_version\s*<\s*"3\.12"', handle.read(), re.M)
    if tested and tested[0] != version:
        problems.append('ansible-core %s in the EE, %s in tests/requirements.txt (the tested line)' % (version, tested[0]))
if not any(re.match(r'^ansible-runner==[0-9]', ref) for ref in refs):
    problems.append('Containerfile: ansible-runner is not pinned with == (ANSIBLE_INSTALL_REFS %r)' % refs)

collections = dict((entry['name'], str(entry.get('version', '*'))) for entry in requirements.get('collections', []))
name = '%s.%s' % (galaxy['namespace'], galaxy['name'])
if name not in collections:
    problems.append('_build/requirements.yml does not name %s: %s' % (name, sorted(collections)))
elif collections[name] != '*' and Version(galaxy['version']) not in SpecifierSet(collections[name]):
    problems.append('%s %s is outside the requested %s' % (name, galaxy['version'], collections[name]))
for dependency, wanted in galaxy.get('dependencies', {}).items():
    if collections.get(dependency) != wanted:
        problems.append('_build/requirements.yml: %s is %r, galaxy.yml depends on %r'
                        % (dependency, collections.get(dependency), wanted))
if 'community.general' not in collections:
    problems.append('_build/requirements.yml does not name community.general')

for problem in problems:
    print('  ' + problem, file=sys.stderr)
if problems:
    sys.exit(1)
print('build context: FROM %s, %s, collections %s' % (base, ' '.join(refs), ', '.join(sorted(collections))))
PY

echo "== the collection tarball, installed, introspected"
ansible-galaxy collection build --output-path "$tmp/build" "$ROOT" >/dev/null
tarball=$(ls "$tmp"/build/*.tar.gz)
listing=$(tar -tzf "$tarball")
for file in meta/execution-environment.yml meta/bindep.txt execution-environment.yml; do
  grep -qx "$file" <<<"$listing" || fail "$file is not in $(basename "$tarball")"
done
ansible-galaxy collection install --force --no-deps -p "$tmp/collections" "$tarball" >/dev/null 2>&1 \
  || fail "ansible-galaxy could not install $(basename "$tarball")"
ansible-builder introspect --sanitize "$tmp/collections" >"$tmp/introspect.out" || fail "ansible-builder introspect failed"
cat "$tmp/introspect.out"

"$PYTHON" - "$ROOT/meta/bindep.txt" "$tmp/introspect.out" <<'PY' || fail "introspect does not report meta/bindep.txt for buildfleet.mock_lvm"
import sys

import yaml

bindep, out = sys.argv[1:3]
with open(bindep) as handle:
    wanted = [line.strip() for line in handle if line.strip() and not line.startswith('#')]
with open(out) as handle:
    data = yaml.safe_load(handle)
system, python = data.get('system') or [], data.get('python') or []
missing = [line for line in wanted if '%s  # from collection buildfleet.mock_lvm' % line not in system]
stray = [line for line in python if line.endswith('# from collection buildfleet.mock_lvm')]
if not wanted:
    print('  meta/bindep.txt lists nothing', file=sys.stderr)
for line in missing:
    print('  not reported for buildfleet.mock_lvm: %s' % line, file=sys.stderr)
for line in stray:
    print('  a Python requirement the collection does not declare: %s' % line, file=sys.stderr)
if missing or stray or not wanted:
    sys.exit(1)
print('introspect: %d system requirement(s) of buildfleet.mock_lvm, no Python ones' % len(wanted))
PY
echo "ee: passed"
