# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test guest's image cache and run directories (playbooks/files/test_guest.sh).

Run once per test run by scripts/test's molecule gate, before it waits for its own guest
(about 25 s, mostly the stand-ins' sleeps; it uses its own cache and no real QEMU).

The script runs unchanged; debootstrap, chroot, mke2fs, qemu-img, qemu-system-x86_64
and ssh are stand-ins on PATH that log their calls (a real image build is 2.5 min of
debootstrap, a real boot a minute). ssh-keygen, flock and the rest are the real
tools. What is proved:

* two builds on one cache: the second waits on the lock while the first builds, then
  reuses its image (debootstrap ran once); builds started at once build one image;
* a finished image directory is never replaced or removed (same inodes after further
  builds, a new recipe gets a new directory, an incomplete directory is refused);
* a guest's key is its own copy in its run directory, and stays usable while other
  builds run;
* the KVM probe falls back to TCG when KVM hangs, and BUILDFLEET_GUEST_ACCEL overrides it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import signal
import stat
import subprocess
import time

import pytest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'playbooks', 'files', 'test_guest.sh')

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which('flock') or not shutil.which('ssh-keygen'),
    reason='test_guest.sh builds need root, flock (util-linux) and ssh-keygen (openssh-client)')

STUBS = {
    'debootstrap': r'''
echo "$$ $*" >>"$STUB_LOG/debootstrap.calls"
touch "$STUB_LOG/debootstrap.started"
rootfs=${*: -2:1}
mkdir -p "$rootfs"/boot "$rootfs"/etc/ssh/sshd_config.d "$rootfs"/etc/network "$rootfs"/root "$rootfs"/var/cache/apt/archives
mkdir -p "$rootfs"/usr/lib/python3/dist-packages
echo kernel >"$rootfs/boot/vmlinuz-6.1.0-stub"
echo initrd >"$rootfs/boot/initrd.img-6.1.0-stub"
sleep "${STUB_DEBOOTSTRAP_SECONDS:-0}"
''',
    'chroot': 'echo "$*" >>"$STUB_LOG/chroot.calls"\n',
    'mke2fs': 'echo "$*" >>"$STUB_LOG/mke2fs.calls"\necho image >"${*: -2:1}"\n',
    'qemu-img': 'for a in "$@"; do case $a in *.qcow2) echo qcow2 >"$a" ;; esac; done\n',
    'qemu-system-x86_64': r'''
echo "$*" >>"$STUB_LOG/qemu.calls"
pidfile='' serial=''
probe=0
case " $* " in *" -nodefaults "*) probe=1 ;; esac
while [ $# -gt 0 ]; do
  case $1 in -pidfile) pidfile=$2; shift ;; -serial) serial=${2#file:}; shift ;; esac
  shift
done
if [ "$probe" = 1 ]; then
  [ "${STUB_KVM:-hang}" = boots ] && echo 'Kernel panic - not syncing: VFS: Unable to mount root fs' >"$serial"
  nohup sleep 120 >/dev/null 2>&1 &
  echo $! >"$pidfile"; echo $! >"$STUB_LOG/probe.pid"
  exit 0
fi
nohup sleep 300 >/dev/null 2>&1 &
echo $! >"$pidfile"
''',
    'ssh': r'''
prev=''
for a in "$@"; do [ "$prev" = -i ] && echo "$a" >>"$STUB_LOG/ssh.keys"; prev=$a; done
[ -f "$STUB_LOG/ssh.ok" ]
''',
}


@pytest.fixture
def guest(tmp_path):
    """An environment in which test_guest.sh finds the stand-ins, with its own cache."""
    bindir = tmp_path / 'bin'
    logdir = tmp_path / 'log'
    bindir.mkdir()
    logdir.mkdir()
    for name, body in STUBS.items():
        path = bindir / name
        path.write_text('#!/usr/bin/env bash\nset -euo pipefail\n' + body)
        path.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if not key.startswith(('GUEST_', 'BUILDFLEET_'))}
    env.update(
        PATH='%s:%s' % (bindir, os.environ['PATH']),
        STUB_LOG=str(logdir),
        GUEST_CACHE_DIR=str(tmp_path / 'cache'),
        GUEST_MIRROR='http://mirror.invalid/debian',
        GUEST_DISKS='2',
        GUEST_SSH_TIMEOUT='30',
        GUEST_KVM_PROBE_TIMEOUT='2',
    )
    (logdir / 'ssh.ok').touch()
    state = {'env': env, 'tmp': tmp_path, 'log': logdir, 'runs': []}
    yield state
    for run in state['runs']:
        subprocess.call(['bash', SCRIPT, 'down', run], env=env)
    probe = logdir / 'probe.pid'
    if probe.exists():
        _kill(int(probe.read_text()))


def _kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def _alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def run(guest, *args, **env):
    full = dict(guest['env'], **env)
    # The exit status is what the tests assert on: never raise for it.
    return subprocess.run(['bash', SCRIPT] + list(args), env=full, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=120, check=False)


def spawn(guest, name, *args, **env):
    """Start test_guest.sh in the background; its stdout/stderr go to NAME.out/NAME.err."""
    full = dict(guest['env'], **env)
    out = open(str(guest['tmp'] / (name + '.out')), 'w')
    err = open(str(guest['tmp'] / (name + '.err')), 'w')
    proc = subprocess.Popen(['bash', SCRIPT] + list(args), env=full, stdout=out, stderr=err)
    out.close()
    err.close()
    return proc


def text(guest, name):
    path = guest['tmp'] / name
    return path.read_text() if path.exists() else ''


def lines(guest, name):
    return text(guest, 'log/' + name).splitlines()


def wait_until(condition, timeout, what):
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, 'timed out after %s s waiting for %s' % (timeout, what)
        time.sleep(0.1)


def identity(path):
    """What replacing or rewriting a file or directory would change."""
    st = os.stat(path)
    return (st.st_dev, st.st_ino, st.st_mtime_ns)


def image_files(image):
    return sorted(os.listdir(image))


def guest_env(run_dir):
    with open(os.path.join(run_dir, 'guest.env')) as handle:
        return dict(line.rstrip('\n').split('=', 1) for line in handle if '=' in line)


def test_second_build_waits_on_the_lock_and_reuses_the_first_builds_image(guest):
    first = spawn(guest, 'first', 'build', STUB_DEBOOTSTRAP_SECONDS='4')
    wait_until((guest['log'] / 'debootstrap.started').exists, 30, 'the first build to start debootstrap')
    second = spawn(guest, 'second', 'build')
    wait_until(lambda: 'another process is building this image' in text(guest, 'second.err'), 10,
               'the second build to report that it waits on the lock')
    assert first.poll() is None, 'the first build should still be running while the second waits'
    assert second.poll() is None, 'the second build must wait, not finish, while the first builds'
    assert first.wait(60) == 0, text(guest, 'first.err')
    assert second.wait(60) == 0, text(guest, 'second.err')

    image = text(guest, 'first.out').strip()
    assert image and text(guest, 'second.out').strip() == image
    assert len(lines(guest, 'debootstrap.calls')) == 1, 'exactly one process may build the image'
    assert 'image built in' in text(guest, 'first.err')
    assert 'built by another process while this one waited: reusing it' in text(guest, 'second.err')
    assert 'image built in' not in text(guest, 'second.err')
    assert image_files(image) == ['id_ed25519', 'id_ed25519.pub', 'initrd.img', 'root.img', 'vmlinuz']
    cache = guest['env']['GUEST_CACHE_DIR']
    assert sorted(os.listdir(cache)) == sorted([os.path.basename(image), os.path.basename(image) + '.lock'])


def test_builds_started_at_once_build_one_image(guest):
    procs = [spawn(guest, 'b%d' % i, 'build', STUB_DEBOOTSTRAP_SECONDS='2') for i in range(3)]
    for i, proc in enumerate(procs):
        assert proc.wait(60) == 0, text(guest, 'b%d.err' % i)
    images = set(text(guest, 'b%d.out' % i).strip() for i in range(3))
    assert len(images) == 1
    assert len(lines(guest, 'debootstrap.calls')) == 1
    assert sum('image built in' in text(guest, 'b%d.err' % i) for i in range(3)) == 1


def test_a_finished_image_directory_is_never_replaced(guest):
    built = run(guest, 'build')
    assert built.returncode == 0, built.stderr
    image = built.stdout.strip()
    before = {name: identity(os.path.join(image, name)) for name in image_files(image)}
    before[''] = identity(image)
    key = open(os.path.join(image, 'id_ed25519')).read()

    again = run(guest, 'build')
    assert again.returncode == 0 and again.stdout.strip() == image
    # A new recipe (another suite) is a new directory; the first one is left as it was.
    other = run(guest, 'build', GUEST_SUITE='trixie')
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() != image
    assert len(lines(guest, 'debootstrap.calls')) == 2

    after = {name: identity(os.path.join(image, name)) for name in image_files(image)}
    after[''] = identity(image)
    assert after == before
    assert open(os.path.join(image, 'id_ed25519')).read() == key

    # A directory that is not a complete image is refused, not removed or rebuilt over.
    os.unlink(os.path.join(image, 'vmlinuz'))
    refused = run(guest, 'build')
    assert refused.returncode != 0
    assert 'is not a complete image' in refused.stderr
    assert identity(os.path.join(image, 'root.img')) == before['root.img']
    assert len(lines(guest, 'debootstrap.calls')) == 2


def test_a_guest_uses_its_own_copy_of_the_key_and_survives_other_builds(guest):
    image = run(guest, 'build').stdout.strip()
    run_dir = str(guest['tmp'] / 'run1')
    guest['runs'].append(run_dir)
    up = run(guest, 'up', run_dir, BUILDFLEET_GUEST_ACCEL='tcg')
    assert up.returncode == 0, up.stderr
    facts = guest_env(run_dir)
    assert facts['GUEST_KEY'] == os.path.join(run_dir, 'id_ed25519')
    assert facts['GUEST_IMAGE'] == image and facts['GUEST_ACCEL'] == 'tcg'
    assert open(facts['GUEST_KEY'], 'rb').read() == open(os.path.join(image, 'id_ed25519'), 'rb').read()
    assert stat.S_IMODE(os.stat(facts['GUEST_KEY']).st_mode) == 0o600
    assert set(lines(guest, 'ssh.keys')) == {facts['GUEST_KEY']}
    boot = [line for line in lines(guest, 'qemu.calls') if '-daemonize' in line and '-nodefaults' not in line]
    assert len(boot) == 1
    assert '-accel tcg,thread=multi -cpu max' in boot[0]
    assert 'file=%s/root.img' % image not in boot[0] and 'file=%s/root.qcow2' % run_dir in boot[0]

    image_id = identity(image)
    pid = int(open(os.path.join(run_dir, 'qemu.pid')).read())
    builds = [spawn(guest, 'while-up%d' % i, 'build') for i in range(2)]
    assert [proc.wait(60) for proc in builds] == [0, 0]
    assert identity(image) == image_id
    assert run(guest, 'status', run_dir).returncode == 0
    assert _alive(pid)

    down = run(guest, 'down', run_dir)
    assert down.returncode == 0
    wait_until(lambda: not _alive(pid), 15, 'the guest process to stop')
    assert not os.path.exists(run_dir)
    assert image_files(image) == ['id_ed25519', 'id_ed25519.pub', 'initrd.img', 'root.img', 'vmlinuz']


def test_kvm_probe_that_hangs_falls_back_to_tcg(guest):
    assert run(guest, 'build').returncode == 0
    run_dir = str(guest['tmp'] / 'run2')
    guest['runs'].append(run_dir)
    t0 = time.time()
    started = run(guest, 'start', run_dir, STUB_KVM='hang')
    took = time.time() - t0
    assert started.returncode == 0, started.stderr
    assert guest_env(run_dir)['GUEST_ACCEL'] == 'tcg'
    boot = [line for line in lines(guest, 'qemu.calls') if '-nodefaults' not in line]
    assert len(boot) == 1 and '-accel tcg,thread=multi' in boot[0]
    assert took < 15
    if os.access('/dev/kvm', os.R_OK | os.W_OK):
        assert 'did not boot under KVM within 2 s' in started.stderr
        probe = int(text(guest, 'log/probe.pid'))
        wait_until(lambda: not _alive(probe), 5, 'the hanging KVM probe to be killed')
    else:
        assert 'no usable /dev/kvm' in started.stderr


@pytest.mark.skipif(not os.access('/dev/kvm', os.R_OK | os.W_OK), reason='no usable /dev/kvm')
def test_kvm_probe_that_boots_selects_kvm(guest):
    assert run(guest, 'build').returncode == 0
    run_dir = str(guest['tmp'] / 'run3')
    guest['runs'].append(run_dir)
    started = run(guest, 'start', run_dir, STUB_KVM='boots')
    assert started.returncode == 0, started.stderr
    assert guest_env(run_dir)['GUEST_ACCEL'] == 'kvm'
    assert '-accel kvm -cpu host' in lines(guest, 'qemu.calls')[-1]


def test_accel_override(guest):
    assert run(guest, 'build').returncode == 0
    run_dir = str(guest['tmp'] / 'run4')
    guest['runs'].append(run_dir)
    started = run(guest, 'start', run_dir, BUILDFLEET_GUEST_ACCEL='kvm', STUB_KVM='hang')
    assert started.returncode == 0, started.stderr
    assert 'BUILDFLEET_GUEST_ACCEL=kvm' in started.stderr
    assert [line for line in lines(guest, 'qemu.calls') if '-nodefaults' in line] == [], 'an override skips the probe'
    assert '-accel kvm -cpu host' in lines(guest, 'qemu.calls')[-1]
    assert run(guest, 'down', run_dir).returncode == 0
    bad = run(guest, 'start', run_dir, BUILDFLEET_GUEST_ACCEL='hvf')
    assert bad.returncode != 0 and "must be kvm, tcg or auto, not 'hvf'" in bad.stderr


def test_wait_gives_up_after_its_slice_and_fails_when_the_guest_dies(guest):
    assert run(guest, 'build').returncode == 0
    run_dir = str(guest['tmp'] / 'run5')
    guest['runs'].append(run_dir)
    (guest['log'] / 'ssh.ok').unlink()
    assert run(guest, 'start', run_dir, BUILDFLEET_GUEST_ACCEL='tcg').returncode == 0
    t0 = time.time()
    sliced = run(guest, 'wait', run_dir, '1')
    assert sliced.returncode == 3, sliced.stderr
    assert time.time() - t0 < 10
    _kill(int(open(os.path.join(run_dir, 'qemu.pid')).read()))
    time.sleep(0.2)
    died = run(guest, 'wait', run_dir, '5')
    assert died.returncode == 1
    assert 'the guest stopped while booting' in died.stderr
