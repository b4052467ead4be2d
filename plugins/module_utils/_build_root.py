# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One mock root's family of volumes and files, what of it is in use, and the plans that change it.

Used by the build_root and build_root_info modules. "In use" has one meaning
here: another process holds a lock on one of the family's lock files, that is
mock's LVM init and pool locks of the root and of its bootstrap, or the
``buildroot.lock`` of any of the family's chroot dirs (every mock run holds the
one of its chroot dir, mounted or not). Asking takes nothing (F_GETLK); a change
holds the locks it depends on.

Each working volume has a state, from what mock leaves behind (mock 6.7):

- ``in_use``: another process holds its chroot dir's ``buildroot.lock`` (``buildroot.py`` ``initialize``
  takes it and keeps it shared until the run exits).
- ``open``: the device is open without a mount (a process uses it directly).
- ``died``: mock's own mounts (``proc``, ``sys``, ``dev/pts``, ``dev/shm``, bind mounts) are still below the
  chroot's root while nobody holds ``buildroot.lock``. A run that ends normally unmounts them
  (``buildroot.py`` ``finalize``: ``_lock_buildroot(exclusive=True)``, ``util.orphansKill``,
  ``mounts.umountall()``, then the ``postumount`` hooks); only a killed run leaves them.
- ``idle``: kept by a run that ended normally, or mounted by ``mock --mount`` (``mock.py`` mode ``mount`` calls
  only the ``mount_root`` hooks and takes no ``buildroot.lock`` while it mounts): the volume, mounted or not,
  without mock's mounts below it. mock reuses it at the next run of that chroot (``lvm_root.py``
  ``hook_mount_root`` creates a head only when none exists) and removes it only at clean
  (``hook_postclean`` -> ``delete_head``) or ``--rollback-to``: it is never reaped by default.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time
from collections import namedtuple

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._chroot_use import (
    KillProcesses,
    describe as describe_processes,
    mount_targets,
    mounts_below,
    processes_inside,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._errors import ModuleError
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._locks import LockBusy, lock_holders
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import (
    LvmError,
    lvremove,
    mounts_of,
    umount,
    validate_name,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_layout import (
    DEFAULT_BASEDIR,
    HEAD,
    POSTINIT,
    bootstrap_root,
    buildroot_lock,
    chroot_dir,
    lock_files,
    member_of,
    mount_point,
    other_known_roots,
    roots_with_lock_files,
    snapinfo_file,
    snapinfo_names,
    snapinfo_prefix,
    snapshot_volume,
    updates_prefix,
    volume_kind,
    working_volume,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._plan import Plan, RemoveFile
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._snapshots import plan_retention

MOUNTS_FILE = '/proc/self/mounts'

# The options that name one root's family, for build_root and build_root_info (doc fragment attributes.family).
FAMILY_OPTIONS = dict(
    root=dict(type='str', required=True),
    vg=dict(type='str', required=True),
    pool=dict(type='str', required=True),
    basedir=dict(type='path', default=DEFAULT_BASEDIR),
    other_roots=dict(type='list', elements='str', default=[]),
)

Member = namedtuple('Member', 'lv chroot root role suffix')

DAY = 86400


class MockRunError(ModuleError):
    """mock ran and failed, or did not make what it should have."""


class Family(object):
    """The volumes and bookkeeping files of one root and its bootstrap, from one lvs read, and who uses them."""

    def __init__(self, report, params, held=()):
        """held: lock files this process holds; they are not asked about (closing any descriptor of a file
        would drop our lock on it)."""
        self.report = report
        self.root = params['root']
        self.pool = params['pool']
        self.basedir = params['basedir']
        self.chroots = (('main', self.root), ('bootstrap', bootstrap_root(self.root)))
        pool_volumes = report.thin_volumes(self.pool)
        self.other_roots = other_known_roots(self.basedir, [lv.name for lv in pool_volumes],
                                             [root for chroot, root in self.chroots], params['other_roots'])
        self.members = []
        for lv in pool_volumes:
            for chroot, root in self.chroots:
                member = member_of(lv.name, root, self.other_roots)
                if member:
                    self.members.append(Member(lv, chroot, root, member[0], member[1]))
        # Read once: every fact and plan below asks where a volume is mounted.
        self.mounts = dict((m.lv.name, mounts_of(m.lv.path, MOUNTS_FILE) if m.lv.active else []) for m in self.members)
        targets = mount_targets(MOUNTS_FILE) if any(self.mounts.values()) else []
        # Mounts below each mount point (mock's own: proc, sys, dev/pts, ... and bind mounts), deepest first.
        self.inner = dict((name, [t for point in points for t in mounts_below(point, targets)])
                          for name, points in self.mounts.items())
        # Processes whose root, cwd or open files are inside a mounted volume of the family: one pass over /proc.
        users = processes_inside(sorted(set(p for points in self.mounts.values() for p in points)))
        self.processes = dict((name, [proc for point in points for proc in users[point]])
                              for name, points in self.mounts.items())
        self.snapinfo = self._snapinfo_files()
        held = set(held)
        self.holders = lock_holders(path for path in self.lock_files() if path not in held)

    def _snapinfo_files(self):
        """{(root, ext): current snapshot LV name, or None when unreadable} of the family's .snapinfo files."""
        found = {}
        for path, snapshot in snapinfo_names(self.basedir).items():
            name = os.path.basename(path)
            for chroot, root in self.chroots:
                # '.snapinfo-mock.R.ext' matches exactly as a volume 'mock.R.ext' would.
                if name.startswith(snapinfo_prefix(root)) and member_of(name[len('.snapinfo-'):], root, self.other_roots):
                    found[(root, name[len(snapinfo_prefix(root)):])] = snapshot
        return found

    # ---- files and locks

    def chroot_exts(self):
        """(root, ext) of every chroot dir the family may have: head, each working volume's and snapinfo's ext."""
        exts = set((root, HEAD) for chroot, root in self.chroots)
        exts.update((m.root, m.suffix) for m in self.members if m.role == 'working')
        exts.update(self.snapinfo)
        return sorted(exts)

    def buildroot_locks(self, exts=None):
        return [buildroot_lock(self.basedir, root, ext) for root, ext in (self.chroot_exts() if exts is None else exts)]

    def lock_files(self):
        """Every lock file of the family, in the order mock takes them: buildroot.lock, then the LVM locks."""
        return self.buildroot_locks() + [path for chroot, root in self.chroots for path in lock_files(self.basedir, root)]

    def snapinfo_path(self, root, ext):
        return snapinfo_file(self.basedir, root, ext)

    @property
    def in_use(self):
        return bool(self.holders)

    def busy_locks(self):
        return [path for path in self.lock_files() if path in self.holders]

    def basedir_mismatch(self):
        """Why the lock files cannot be trusted, or None: mock makes them on every run, so volumes without any
        of them mean mock keeps them elsewhere."""
        if not self.members or any(os.path.exists(path) for path in self.lock_files()):
            return None
        return ('root %s has %d volumes in %s/%s but none of mock\'s lock files is in basedir %s (%s, ...): mock '
                'keeps them in another basedir (config_opts[\'basedir\'] in site-defaults.cfg or the config), so a '
                'running build cannot be seen here. Set basedir (builder_mock_basedir in the role) to mock\'s '
                'basedir. If this is mock\'s basedir and the lock files were deleted, create them empty again '
                '(touch %s); mock recreates them on every run.'
                % (self.root, len(self.members), self.report.vg, self.pool, self.basedir,
                   lock_files(self.basedir, self.root)[0], ' '.join(lock_files(self.basedir, self.root))))

    # ---- volumes

    def mount_points(self, members):
        """Where the members' volumes are mounted, as read with the family."""
        return [point for m in members for point in self.mounts[m.lv.name]]

    def has_postinit(self):
        return snapshot_volume(self.root, POSTINIT) in set(m.lv.name for m in self.members)

    def state(self, member):
        """in_use, open, died or idle for a working volume (see the module's docstring); None for a snapshot."""
        if member.role != 'working':
            return None
        lock = buildroot_lock(self.basedir, member.root, member.suffix)
        if lock in self.holders:
            return 'in_use'
        if member.lv.open and not self.mounts[member.lv.name]:
            return 'open'
        # mock makes buildroot.lock before it mounts anything (buildroot.py initialize -> _lock_buildroot): mounts
        # below a root without it are not what a killed run of this basedir leaves.
        if self.inner[member.lv.name] and os.path.exists(lock):
            return 'died'
        return 'idle'

    def stale(self, member):
        """A working volume whose run died: mock's mounts are left below its root and nobody holds its lock."""
        return self.state(member) == 'died'

    def lvm_locks_held(self, root):
        """mock's LVM lock files of root that another process holds: a run of root is mounting or running."""
        return [path for path in lock_files(self.basedir, root) if path in self.holders]

    def idle_since(self, member):
        """When a working volume was last used, as far as the host tells: the newest modification time of its
        chroot dir, buildroot.lock, result dir and mount point (mock writes logs and results there, and a run's
        changes show on the mounted root), and not before the volume was created."""
        times = [member.lv.creation_time or 0]
        base = chroot_dir(self.basedir, member.root, member.suffix)
        for path in (base, os.path.join(base, 'buildroot.lock'), os.path.join(base, 'result'),
                     mount_point(self.basedir, member.root, member.suffix)):
            try:
                times.append(int(os.stat(path).st_mtime))
            except OSError:
                pass
        return max(times) or None

    def unmount_order(self, member):
        """Every mount point of a member and every mount below those, deepest first."""
        points = self.mounts[member.lv.name]
        return self.inner[member.lv.name] + sorted(points, key=lambda p: (-p.count('/'), p))

    def volume_facts(self):
        current = set(self.snapinfo.values())
        return [self._facts(member, current) for member in self.members]

    def _facts(self, member, current):
        lv = member.lv
        working = member.role == 'working'
        mounts = self.mounts[lv.name]
        return {
            'name': lv.name, 'chroot': member.chroot, 'role': member.role,
            'kind': volume_kind(member.chroot, member.role, member.suffix),
            'uniqueext': member.suffix if working else None,
            'snapshot': None if working else member.suffix,
            'current': lv.name in current,
            'starts_from': self.snapinfo.get((member.root, member.suffix)) if working else None,
            'mount_point': mount_point(self.basedir, member.root, member.suffix) if working else None,
            'size': lv.size, 'data_percent': lv.data_percent, 'active': lv.active, 'open': lv.open,
            'mounts': mounts, 'mounted': bool(mounts),
            'in_use': working and buildroot_lock(self.basedir, member.root, member.suffix) in self.holders,
            'state': self.state(member),
            'stale': self.stale(member),
            'idle': self.state(member) == 'idle',
            'idle_since': self.idle_since(member) if working else None,
            'inner_mounts': self.inner[lv.name],
            'processes': self.processes[lv.name],
            'creation_time': lv.creation_time,
        }

    def current_snapshots(self):
        """mock's current snapshot per chroot dir, from the .snapinfo files."""
        names = set(m.lv.name for m in self.members)
        return [{'chroot': 'main' if root == self.root else 'bootstrap', 'uniqueext': ext, 'snapshot': snapshot,
                 'exists': snapshot in names, 'file': self.snapinfo_path(root, ext)}
                for (root, ext), snapshot in sorted(self.snapinfo.items())]


class Change(object):
    """What a change of the family does: the volumes it removes, one at a time, each after ending the processes
    named in kills and unmounting its mount points (and every mount below them); the files it removes; the
    update snapshots it keeps although asked to prune them; the volumes it leaves although asked to reap them,
    with why; and the locks it must hold. plan_family_change() turns it into a _plan.Plan."""

    def __init__(self, removed=(), unmount=None, removed_files=(), skipped=(), locks=(), kills=None,
                 not_removed=()):
        self.removed = list(removed)
        self.unmount = dict(unmount or {})
        self.kills = dict(kills or {})
        self.removed_files = list(removed_files)
        self.skipped = list(skipped)
        self.not_removed = list(not_removed)
        self.locks = list(locks)

    @property
    def changes(self):
        return bool(self.removed or self.removed_files)

    def steps(self, vg):
        """Per volume: its processes ended, its mounts unmounted (deepest first), one lvremove; then the files.
        One lvremove per volume, so a failure leaves no doubt which volumes went (apply names the steps done)."""
        steps = []
        for name in self.removed:
            if name in self.kills:
                steps.append(KillProcesses(*self.kills[name]))
            steps += [umount(point) for point in self.unmount.get(name, [])]
            steps.append(lvremove(vg, [name]))
        return steps + [RemoveFile(path) for path in self.removed_files]

    def details(self):
        return {'removed': self.removed, 'removed_files': self.removed_files, 'skipped': self.skipped,
                'not_removed': self.not_removed}


def merge(changes):
    """One change doing what each of changes does, in their order, each volume, file and lock once."""
    merged = Change()
    for change in changes:
        for field in ('removed', 'removed_files', 'skipped', 'not_removed', 'locks'):
            mine = getattr(merged, field)
            mine.extend(item for item in getattr(change, field) if item not in mine)
        merged.unmount.update(change.unmount)
        merged.kills.update(change.kills)
    return merged


def _kills(family, members):
    """{volume: (its mount point, processes inside)} of the members that have processes inside."""
    return dict((m.lv.name, (family.mounts[m.lv.name][0], family.processes[m.lv.name]))
                for m in members if family.processes[m.lv.name])


def change_absent(family, params):
    busy = [m.lv.name for m in family.members if m.lv.open and not family.mounts[m.lv.name]]
    if busy:
        raise LvmError('Volumes of root %s are open but not mounted (in use by a process): %s. Nothing was '
                       'removed.' % (params['root'], ', '.join(busy)))
    inside = [m for m in family.members if family.processes[m.lv.name]]
    held = [path for path in family.lock_files() if path in family.holders]
    if inside and held:
        # A running build's own processes are inside its root (seen with real mock): it is busy, not orphaned.
        raise build_in_progress(held[0], params['root'])
    if inside and not params['kill_orphans']:
        raise ModuleError('Processes are inside build roots of root %s: %s. Nothing was removed. End them, or set '
                          'kill_orphans to end them (SIGTERM, then SIGKILL) as mock\'s orphansKill does.'
                          % (params['root'], '; '.join('%s: %s' % (m.lv.name, describe_processes(family.processes[
                              m.lv.name])) for m in inside)), processes=_processes_of(family, inside))
    files = sorted(family.snapinfo_path(root, ext) for root, ext in family.snapinfo)
    return Change([m.lv.name for m in family.members], dict((m.lv.name, family.unmount_order(m)) for m in family.members),
                  files, locks=family.lock_files(), kills=_kills(family, inside))


def _processes_of(family, members):
    return dict((m.lv.name, family.processes[m.lv.name]) for m in members)


def change_keep_updates(family, params):
    """The retention rule thin_snapshot's state=pruned follows too (_snapshots.plan_retention): the newest
    keep_updates, and never a snapshot a .snapinfo file names, an origin or an open one."""
    removed, skipped = [], []
    current = set(v for v in family.snapinfo.values() if v)
    volumes = [m.lv for m in family.members]
    for chroot, root in family.chroots:
        retention = plan_retention(volumes, updates_prefix(root), params['keep_updates'], current=current,
                                   everyone=family.report.volumes)
        removed += [lv.name for lv in retention.removed]
        skipped += [lv.name for lv in retention.skipped]
    return Change(removed, skipped=skipped, locks=family.lock_files() if removed else ())


def reap_candidate(family, member, params, now):
    """Whether params ask to reap this working volume: reap_stale for a run that died, reap_idle_older_than for
    one idle that long (the head only with reap_idle_head)."""
    state = family.state(member)
    if state == 'died':
        return params['reap_stale']
    if state != 'idle' or params['reap_idle_older_than'] is None:
        return False
    if member.suffix == HEAD and not params['reap_idle_head']:
        return False
    since = family.idle_since(member)
    # An unknown age is no age: the volume stays.
    return since is not None and since <= now - params['reap_idle_older_than'] * DAY


def reap_obstacle(family, member, params):
    """Why a volume params ask to reap must stay, or None."""
    held = family.lvm_locks_held(member.root)
    if held:
        return ('a mock run of root %s holds %s (it may be mounting this volume); run again when it has finished'
                % (member.root, held[0]))
    processes = family.processes[member.lv.name]
    if processes and not (params['kill_orphans'] and family.state(member) == 'died'):
        if family.state(member) == 'died':
            return ('processes are still inside the chroot of the run that died: %s; end them, or set kill_orphans '
                    'to end them (SIGTERM, then SIGKILL) as mock\'s orphansKill does' % describe_processes(processes))
        return 'processes are inside it (for example a shell in a mock --mount): %s' % describe_processes(processes)
    return None


def change_reap(family, params, now=None):
    """Working volumes whose run died (reap_stale) or idle past the age limit (reap_idle_older_than), each
    checked first, and .snapinfo files that say no more than their absence would (reap_stale)."""
    now = time.time() if now is None else now
    removed, not_removed = [], []
    for member in family.members:
        if member.role != 'working' or not reap_candidate(family, member, params, now):
            continue
        obstacle = reap_obstacle(family, member, params)
        if obstacle:
            not_removed.append({'name': member.lv.name, 'state': family.state(member), 'reason': obstacle,
                                'processes': family.processes[member.lv.name]})
        else:
            removed.append(member)
    gone = set((m.root, m.suffix) for m in removed)
    files = snapinfo_leftovers(family, gone) if params['reap_stale'] else []
    gone.update(family_key for family_key, path in files)
    locks = family.buildroot_locks(sorted(gone))
    locks += [path for root in sorted(set(m.root for m in removed)) for path in lock_files(family.basedir, root)]
    return Change([m.lv.name for m in removed], dict((m.lv.name, family.unmount_order(m)) for m in removed),
                  [path for key, path in files], locks=locks, kills=_kills(family, removed), not_removed=not_removed)


def snapinfo_leftovers(family, gone):
    """((root, ext), path) of the .snapinfo files whose chroot has no working volume left (gone: those being
    removed) and that name postinit or a snapshot that no longer exists: without the file mock starts from
    postinit (lvm_root.py get_current_snapshot), so such a file says nothing. Not while its chroot is in use."""
    working = set((m.root, m.suffix) for m in family.members if m.role == 'working') - gone
    names = set(m.lv.name for m in family.members)
    files = []
    for (root, ext), snapshot in sorted(family.snapinfo.items()):
        idle = snapshot not in names or snapshot == snapshot_volume(root, POSTINIT)
        if (root, ext) not in working and idle and buildroot_lock(family.basedir, root, ext) not in family.holders:
            files.append(((root, ext), family.snapinfo_path(root, ext)))
    return files


def undeclared_lock_files(family, params):
    """mock's lock files in basedir of roots nothing declares (bootstraps included), reported and never removed.

    mock opens both lock files when its plugin starts (lvm_root.py LvmPlugin.__init__ -> create_lock -> Lock:
    open(path, 'a+')) and locks them only later, in hook_mount_root (cond_lock, lock(exclusive=False,
    block=True)). In between nobody holds them, so no probe can tell a free file from one a starting run has
    open: removing it would let that run lock an unlinked inode and the next run a new one, two runs of one root
    without mutual exclusion. Empty without declared_roots.
    """
    if not params.get('declared_roots'):
        return []
    declared = set(params['declared_roots']) | set(params['other_roots']) | set(r for c, r in family.chroots)
    declared |= set(bootstrap_root(root) for root in declared)
    return [path for root in sorted(roots_with_lock_files(family.basedir) - declared)
            for path in lock_files(family.basedir, root) if os.path.exists(path)]


def check_params(params):
    """What the argument spec cannot check: names, numbers, and options that contradict state=absent."""
    validate_names(params)
    for key in ('keep_updates', 'reap_idle_older_than'):
        if params.get(key) is not None and params[key] < 0:
            raise ModuleError('%s %d must be 0 or more.' % (key, params[key]))
    if params['state'] == 'absent' and (params['reap_stale'] or params['keep_updates'] is not None
                                        or params['reap_idle_older_than'] is not None):
        raise ModuleError('state=absent removes every volume of the family: leave out keep_updates, reap_stale and '
                          'reap_idle_older_than.')
    if params['reap_idle_head'] and params['reap_idle_older_than'] is None:
        raise ModuleError('reap_idle_head only widens reap_idle_older_than: set reap_idle_older_than (days) too.')


def family_change(family, params):
    """The change of the family's own volumes and files that params ask for."""
    if params['state'] == 'absent':
        return change_absent(family, params)
    changes = []
    if params['keep_updates'] is not None:
        changes.append(change_keep_updates(family, params))
    if params['reap_stale'] or params['reap_idle_older_than'] is not None:
        changes.append(change_reap(family, params))
    return merge(changes)


def volume_names(family):
    return {'volumes': sorted(m.lv.name for m in family.members)}


def plan_family_change(lvm, family, params):
    """The Plan of what params change in the family, refused when its locks are held.

    It confirms under its locks: the family is read again while they are held, planned again, the locks of
    chroot dirs that appeared meanwhile are taken too, and the check repeated, before anything changes.
    """
    change = family_change(family, params)
    check_free(family, change)

    def confirm(locks):
        again = Family(lvm.read_vg(params['vg']), params, held=locks.held_paths)
        confirmed = family_change(again, params)
        locks.extend(confirmed.locks)
        check_free(again, confirmed)
        return plan_of_change(again, confirmed, params)

    plan = plan_of_change(family, change, params)
    plan.confirm = confirm
    return plan


def plan_of_change(family, change, params):
    before = volume_names(family)
    after = {'volumes': [name for name in before['volumes'] if name not in set(change.removed)]}
    plan = Plan(before, after, change.steps(params['vg']) if change.changes else (), change.locks)
    plan.details = change.details()
    plan.warnings = ['Kept update snapshot %s beyond keep_updates=%d: it is open or mounted.'
                     % (name, params['keep_updates']) for name in change.skipped]
    plan.warnings += ['Not reaped: %s: %s.' % (item['name'], item['reason']) for item in change.not_removed]
    return plan


class MockInit(object):
    """The step `<mock_command> -r <config> --init`, keeping its output for the checks after it."""

    def __init__(self, params):
        self.params = params
        self.line = list(params['mock_command']) + ['-r', params['config'] or params['root'], '--init']
        self.output = {}

    def describe(self):
        return ' '.join(self.line)

    def run(self, module, lvm):
        lvm.commands.append(self.line)
        rc, out, err = module.run_command(self.line)
        self.output = dict(cmd=self.line, rc=rc, stdout=out, stderr=err)
        if rc != 0:
            raise MockRunError('%s failed (rc=%d): %s%s' % (' '.join(self.line), rc, (err or out).strip()[-2000:],
                                                            root_refusal_hint(out + err)), **self.output)


def plan_init(family, params):
    """The Plan that runs mock --init when state=initialized and the root has no postinit snapshot."""
    before = volume_names(family)
    if params['state'] != 'initialized' or family.has_postinit():
        return Plan(before)
    if family.in_use:
        raise build_in_progress(family.busy_locks()[0], params['root'])
    return Plan(before, {'volumes': sorted(before['volumes'] + [snapshot_volume(params['root'])])},
                [MockInit(params)])


class FamilyReader(object):
    """Reads the family with one lvs per call, for apply's re-read; keeps the last read for the result."""

    def __init__(self, lvm, params):
        self.lvm = lvm
        self.params = params
        self.family = None

    def first(self):
        """The first read: the pool must exist unless the family is being removed."""
        report = self.lvm.read_vg(self.params['vg'])
        if self.params['state'] != 'absent':
            require_pool(report, self.params)
        self.family = Family(report, self.params)
        return self.family

    def __call__(self):
        self.family = Family(self.lvm.read_vg(self.params['vg']), self.params)
        return volume_names(self.family)


def check_initialized(family, init, check_mode):
    """After init's mock run the root must have its postinit snapshot."""
    if init.changed and not check_mode and not family.has_postinit():
        raise MockRunError(diagnose_init(family, init.steps[0].params), **init.steps[0].output)


def build_root_result(module, family, init, change):
    """What build_root returns: the family's rows (without what check mode would remove), what changed, the diff."""
    params, check_mode = module.params, module.check_mode
    result = family_result(family, family.report, params)
    removed = set(change.details['removed'])
    if check_mode:
        result['volumes'] = [v for v in result['volumes'] if v['name'] not in removed]
        result['stale'] = [name for name in result['stale'] if name not in removed]
        result['idle'] = [name for name in result['idle'] if name not in removed]
    result.update(change.details, changed=init.changed or change.changed)
    if module._diff:
        # Check mode's after: what init would add (read after the run otherwise), less what the change removes.
        added = set(init.after['volumes']) - set(init.before['volumes']) if check_mode else set()
        result['diff'] = {'before': init.before, 'after': {'volumes': sorted(set(change.after['volumes']) | added)}}
    return result


def root_refusal_hint(output):
    """mock.py's rootcheck() refuses uid 0 without SUDO_UID or USERHELPER_UID; consolehelper without a console
    says 'Insufficient rights'."""
    if 'will not run from the root account' in output or 'Insufficient rights' in output:
        return (' -- mock must run as a user of the mock group: set mock_command to, for example, '
                '[runuser, -u, mockbuild, --, mock] (builder_mock_command in the role).')
    return ''


def build_in_progress(path, root):
    return LockBusy('Build in progress: %s is locked by a running mock build of root %s; nothing was changed. '
                    'Run again when the build has finished.' % (path, root), path)


def validate_names(params):
    """The vg, pool and root (as part of every volume name of the family) are valid LVM names."""
    validate_name(params['vg'], 'vg', lv=False)
    validate_name(params['pool'], 'pool')
    validate_name(working_volume(bootstrap_root(params['root']))[1:], 'root (as part of a volume name)')


def check_free(family, change):
    """Refuse a change whose locks are held, or whose family's lock files are not where mock keeps them."""
    if not change.changes:
        return
    problem = family.basedir_mismatch()
    if problem:
        raise ModuleError('Refusing to change the build roots: ' + problem)
    busy = [path for path in change.locks if path in family.holders]
    if busy:
        raise build_in_progress(busy[0], family.root)


def pool_use(report, pool):
    """The pool's existence and data and metadata use, for build_root's result (not _thinpool's pool facts)."""
    lv = report.get(pool)
    if lv is None:
        return {'name': pool, 'exists': False}
    return {'name': pool, 'exists': True, 'is_thin_pool': lv.is_thin_pool, 'size': lv.size,
            'data_percent': lv.data_percent, 'metadata_percent': lv.metadata_percent}


def require_pool(report, params):
    lv = report.get(params['pool'])
    if lv is None:
        raise LvmError('Thin pool %s/%s does not exist: create it first (buildfleet.mock_lvm.thinpool) so that mock '
                       'does not create an unmanaged one.' % (params['vg'], params['pool']))
    if not lv.is_thin_pool:
        raise LvmError('%s/%s is a %s, not a thin pool: check pool_name in the config.'
                       % (params['vg'], params['pool'], lv.kind()))


def family_result(family, report, params):
    """What both modules return about the family."""
    mismatch = family.basedir_mismatch()
    volumes = family.volume_facts()
    return {
        'volumes': volumes,
        'pool': pool_use(report, params['pool']),
        'build_running': family.in_use,
        'in_use': family.in_use,
        'busy_locks': family.busy_locks(),
        'lock_holders': dict((path, pid) for path, pid in family.holders.items()),
        'current_snapshots': family.current_snapshots(),
        'stale': sorted(v['name'] for v in volumes if v['stale']),
        'idle': sorted(v['name'] for v in volumes if v['idle']),
        'undeclared_lock_files': undeclared_lock_files(family, params),
        'basedir_mismatch': bool(mismatch),
        'basedir_problem': mismatch,
    }


def diagnose_init(family, params):
    config = params['config'] or params['root']
    if not family.members:
        return ('mock ran for config %s but no LVM volume of root %s appeared in %s/%s: the lvm_root plugin is not '
                'active. Install the mock-lvm package (Fedora/EL ship the plugin only there; without it mock builds '
                'without LVM), and check that the config sets config_opts[\'plugin_conf\'][\'lvm_root_enable\'] = '
                'True with lvm_root_opts volume_group %r and pool_name %r, and that config_opts[\'root\'] is %r.'
                % (config, params['root'], params['vg'], params['pool'], params['vg'], params['pool'], params['root']))
    return ('mock ran for config %s and created %s but no %s snapshot: root_cache is probably enabled (a root cache '
            'unpacked into a fresh volume marks it initialised, so the snapshot is never taken). Set '
            'config_opts[\'plugin_conf\'][\'root_cache_enable\'] = False, then remove the half-made volumes with '
            'state: absent and run again.'
            % (config, ', '.join(m.lv.name for m in family.members), snapshot_volume(params['root'])))
