"""STAND-IN for one mock run in tests (mock is not packaged for Debian): it takes exactly the locks, makes exactly
the volume and mounts what a mock run does for a root whose postinit snapshot exists, then sleeps as a build or a
shell would, and exits without unmounting (mock's default, umount_root off).

    python3 mock_run_standin.py BASEDIR VG POOL ROOT EXT SECONDS

Followed from mock's code (mock 5.x/6.x):
- buildroot.py Buildroot: chroot dir <basedir>/<root>[-<uniqueext>]; initialize() calls _lock_buildroot(exclusive=True),
  lockf(LOCK_EX | LOCK_NB) on <chroot dir>/buildroot.lock opened 'a+'; when that fails (BuildRootLocked: another run
  holds it, as when a --shell starts during a build) it runs _init_locked(), which mounts nothing and takes no LVM
  lock; either way `finally` relocks shared (LOCK_SH | LOCK_NB), held until the process ends.
- plugins/lvm_root.py LvmPlugin: Lock('.lvm-mock.<root>.lock') and Lock('.lvm-pool-mock.<root>.lock') in basedir,
  opened 'a+' at plugin init; hook_mount_root with a current snapshot: the init lock shared (blocking), the pool lock
  shared (blocking); create_head(current) when +mock.<root>.<ext> is missing (lvcreate -s VG/<current>
  -n +mock.<root>.<ext> --setactivationskip n); get_current_snapshot() reads .snapinfo-mock.<root>.<ext>, else
  takes postinit and writes the file; mount -n -t ext4 <lv> <chroot dir>/root. Then mock's own mounts (/proc here).
Prints 'mounted' or 'shell' once it holds its locks.
"""
import fcntl
import os
import subprocess
import sys
import time

basedir, vg, pool, root, ext, seconds = sys.argv[1:7]
conf_id = 'mock.' + root
chroot = os.path.join(basedir, root if ext == 'head' else '%s-%s' % (root, ext))
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


os.makedirs(chroot, exist_ok=True)
buildroot_lock = open(os.path.join(chroot, 'buildroot.lock'), 'a+')
init_lock = open(os.path.join(basedir, '.lvm-%s.lock' % conf_id), 'a+')
pool_lock = open(os.path.join(basedir, '.lvm-pool-%s.lock' % conf_id), 'a+')
try:
    fcntl.lockf(buildroot_lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
except IOError:
    what = 'shell'
else:
    what = 'mounted'
    fcntl.lockf(init_lock.fileno(), fcntl.LOCK_SH)
    fcntl.lockf(pool_lock.fileno(), fcntl.LOCK_SH)
    head = '+%s.%s' % (conf_id, ext)
    if head not in lv_names():
        lvm('lvcreate', '-s', '%s/%s' % (vg, current_snapshot()), '-n', head, '--setactivationskip', 'n')
    else:
        current_snapshot()
    rootdir = os.path.join(chroot, 'root')
    os.makedirs(rootdir, exist_ok=True)
    if not os.path.ismount(rootdir):
        subprocess.check_call(['mount', '-n', '-t', 'ext4', '/dev/%s/%s' % (vg, head), rootdir])
    os.makedirs(os.path.join(rootdir, 'proc'), exist_ok=True)
    if not os.path.ismount(os.path.join(rootdir, 'proc')):
        subprocess.check_call(['mount', '-n', '-t', 'proc', 'proc', os.path.join(rootdir, 'proc')])
fcntl.lockf(buildroot_lock.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
print(what, flush=True)
time.sleep(float(seconds))
