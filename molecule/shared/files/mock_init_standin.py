"""STAND-IN for `mock [--configdir DIR] -r CONFIG --init` in tests, run as `python3 mock_init_standin.py ...` (mock is not packaged for Debian).

It finds the config file as mock does (CONFIG.cfg in DIR, /etc/mock by default), reads root, volume group,
pool and basedir from the identity line this collection writes into it, and does to LVM what mock's lvm_root
plugin does on a first init (mock 6.7, plugins/lvm_root.py hook_mount_root and hook_postinit): it polls for
the init lock .lvm-mock.ROOT.lock exclusively (Lock.cond_lock, as long as no postinit exists), removes a
working volume a failed init left, creates the base volume (mkfs.ext4), takes the postinit snapshot and
writes .snapinfo-mock.ROOT.head, then turns the lock shared and exits. Packages are not installed: a real
init takes as long as the package manager does.
"""
import fcntl
import json
import os
import subprocess
import sys
import time

MARKER = '# buildfleet.mock_lvm config: '


def lvm(*args):
    subprocess.run(list(args), check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, LC_ALL='C.UTF-8'))


def exists(vg, name):
    out = subprocess.run(['lvs', '--noheadings', '-o', 'lv_name', vg], check=True, stdout=subprocess.PIPE,
                         universal_newlines=True).stdout.split()
    return name in out


def main(argv):
    config_dir = argv[argv.index('--configdir') + 1] if '--configdir' in argv else '/etc/mock'
    if '-r' not in argv or argv[-1] != '--init':
        sys.exit('stand-in supports only [--configdir DIR] -r CONFIG --init')
    path = os.path.join(config_dir, argv[argv.index('-r') + 1] + '.cfg')
    with open(path) as handle:
        marker = json.loads([line for line in handle if line.startswith(MARKER)][0][len(MARKER):])
    root, vg, pool, basedir = marker['root'], marker['vg'], marker['pool'], marker['basedir']
    conf_id = 'mock.' + root
    os.makedirs(basedir, exist_ok=True)
    open(os.path.join(basedir, '.lvm-pool-%s.lock' % conf_id), 'a+').close()
    lock = open(os.path.join(basedir, '.lvm-%s.lock' % conf_id), 'a+')
    while not exists(vg, conf_id + '.postinit'):
        try:
            fcntl.lockf(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            print('Waiting for LVM init lock', flush=True)
            time.sleep(1)
            continue
        head = '+%s.head' % conf_id
        if exists(vg, head):
            lvm('lvremove', '-f', '%s/%s' % (vg, head))
        lvm('lvcreate', '-q', '-T', '%s/%s' % (vg, pool), '-V', '64M', '-n', head)
        lvm('mkfs.ext4', '-q', '/dev/%s/%s' % (vg, head))
        lvm('lvcreate', '-q', '-s', '%s/%s' % (vg, head), '-n', conf_id + '.postinit')
        with open(os.path.join(basedir, '.snapinfo-%s.head' % conf_id), 'w') as handle:
            handle.write(conf_id + '.postinit')
        break
    fcntl.lockf(lock.fileno(), fcntl.LOCK_SH)
    print('Finish: chroot init (%s)' % root)


if __name__ == '__main__':
    main(sys.argv[1:])
