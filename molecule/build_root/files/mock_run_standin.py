"""STAND-IN for one mock run in tests (mock is not packaged for Debian): it takes exactly the locks, makes exactly
the volume and mounts what a mock run does for a root whose postinit snapshot exists, then sleeps as a build or a
shell would. SIGTERM ends it as a run that ends normally; SIGKILL leaves what a killed run leaves.

    python3 mock_run_standin.py BASEDIR VG POOL ROOT EXT SECONDS [run|orphan|mount]

Followed from mock's code (mock 6.7):
- buildroot.py Buildroot: chroot dir <basedir>/<root>[-<uniqueext>]; initialize() calls _lock_buildroot(exclusive=True),
  lockf(LOCK_EX | LOCK_NB) on <chroot dir>/buildroot.lock opened 'a+'; when that fails (BuildRootLocked: another run
  holds it, as when a --shell starts during a build) it runs _init_locked(), which mounts nothing and takes no LVM
  lock; either way `finally` relocks shared (LOCK_SH | LOCK_NB), held until the process ends.
- plugins/lvm_root.py LvmPlugin: Lock('.lvm-mock.<root>.lock') and Lock('.lvm-pool-mock.<root>.lock') in basedir,
  opened 'a+' at plugin init (__init__ -> create_lock), locked only in hook_mount_root: with a current snapshot the
  init lock shared (blocking), the pool lock shared (blocking); create_head(current) when +mock.<root>.<ext> is
  missing (lvcreate -s VG/<current> -n +mock.<root>.<ext> --setactivationskip n); get_current_snapshot() reads
  .snapinfo-mock.<root>.<ext>, else takes postinit and writes the file; mount -n -t ext4 <lv> <chroot dir>/root.
  Then mock's own mounts (mounts.py; /proc here).
- A normal end, buildroot.py finalize(): _lock_buildroot(exclusive=True) (a run that shares the chroot keeps it:
  BuildRootLocked, nothing more), util.orphansKill(chroot) (SIGTERM, then SIGKILL to processes whose root is the
  chroot), mounts.umountall() (mock's own mounts), then the postumount hooks: lvm_root hook_postumount unmounts the
  volume only with umount_root, off by default, so the volume stays mounted.
- MODE orphan: the run also starts a process in the chroot (its working directory inside) in a session of its own,
  as a build's daemon would; killed with -9, mock never runs orphansKill and the process stays. Prints
  'orphan <pid>'.
- MODE mount, mock --mount (mock.py mode 'mount'): only the mount_root hooks (LVM locks, head, mount; no
  buildroot.lock, no mounts of mock's own), then finalize() as above, and the process exits.
Prints 'mounted', 'shell' or 'mount-only' once it holds its locks (or, for mount, has mounted).
"""
import fcntl
import os
import signal
import subprocess
import sys
import time

basedir, vg, pool, root, ext, seconds = sys.argv[1:7]
mode = sys.argv[7] if len(sys.argv) > 7 else 'run'
conf_id = 'mock.' + root
chroot = os.path.join(basedir, root if ext == 'head' else '%s-%s' % (root, ext))
rootdir = os.path.join(chroot, 'root')
inner = [os.path.join(rootdir, 'proc')]
env = dict(os.environ, LC_ALL='C.UTF-8')


def lvm(*args):
    return subprocess.check_output(list(args), env=env, stderr=subprocess.DEVNULL).decode()


def lv_names():
    return set(line.strip() for line in lvm('lvs', '--noheadings', '-o', 'lv_name', vg).splitlines())


def current_snapshot():
    snap_info = os.path.join(basedir, '.snapinfo-%s.%s' % (conf_id, ext))
    if os.path.exists(snap_info):
        with open(snap_info) as record:
            name = record.read().rstrip()
        if name in lv_names():
            return name
    with open(snap_info, 'w') as record:
        record.write(conf_id + '.postinit')
    return conf_id + '.postinit'


def mount_root():
    """hook_mount_root: the LVM locks shared, the head from the current snapshot when missing, the mount."""
    fcntl.lockf(init_lock.fileno(), fcntl.LOCK_SH)
    fcntl.lockf(pool_lock.fileno(), fcntl.LOCK_SH)
    head = '+%s.%s' % (conf_id, ext)
    if head not in lv_names():
        lvm('lvcreate', '-s', '%s/%s' % (vg, current_snapshot()), '-n', head, '--setactivationskip', 'n')
    else:
        current_snapshot()
    os.makedirs(rootdir, exist_ok=True)
    if not os.path.ismount(rootdir):
        subprocess.check_call(['mount', '-n', '-t', 'ext4', '/dev/%s/%s' % (vg, head), rootdir])


def finalize(*_):
    """A normal end: exclusive buildroot.lock or nothing, orphans killed, mock's own mounts unmounted."""
    global buildroot_lock
    if buildroot_lock is None:
        os.makedirs(chroot, exist_ok=True)
        buildroot_lock = open(os.path.join(chroot, 'buildroot.lock'), 'a+')
    try:
        fcntl.lockf(buildroot_lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except IOError:
        sys.exit(0)
    for pid in orphans:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    for point in reversed(inner):
        if os.path.ismount(point):
            subprocess.check_call(['umount', point])
    sys.exit(0)


orphans = []
os.makedirs(basedir, exist_ok=True)
init_lock = open(os.path.join(basedir, '.lvm-%s.lock' % conf_id), 'a+')
pool_lock = open(os.path.join(basedir, '.lvm-pool-%s.lock' % conf_id), 'a+')
buildroot_lock = None
if mode == 'mount':
    mount_root()
    print('mount-only', flush=True)
    finalize()

os.makedirs(chroot, exist_ok=True)
buildroot_lock = open(os.path.join(chroot, 'buildroot.lock'), 'a+')
try:
    fcntl.lockf(buildroot_lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
except IOError:
    what = 'shell'
else:
    what = 'mounted'
    mount_root()
    for point in inner:
        os.makedirs(point, exist_ok=True)
        if not os.path.ismount(point):
            subprocess.check_call(['mount', '-n', '-t', 'proc', 'proc', point])
fcntl.lockf(buildroot_lock.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
signal.signal(signal.SIGTERM, finalize)
if mode == 'orphan':
    child = subprocess.Popen(['sleep', seconds], cwd=rootdir, start_new_session=True,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    orphans.append(child.pid)
    print('orphan %d' % child.pid, flush=True)
print(what, flush=True)
time.sleep(float(seconds))
