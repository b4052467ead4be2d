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
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
from collections import namedtuple

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
    lock_files,
    member_of,
    mount_point,
    other_known_roots,
    roots_with_lock_files,
    snapinfo_file,
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
        self.snapinfo = self._snapinfo_files()
        held = set(held)
        self.holders = lock_holders(path for path in self.lock_files() if path not in held)

    def _snapinfo_files(self):
        """{(root, ext): current snapshot LV name, or None when unreadable} of the family's .snapinfo files."""
        found = {}
        try:
            names = sorted(os.listdir(self.basedir))
        except OSError:
            return found
        for name in names:
            for chroot, root in self.chroots:
                # '.snapinfo-mock.R.ext' matches exactly as a volume 'mock.R.ext' would.
                if name.startswith(snapinfo_prefix(root)) and member_of(name[len('.snapinfo-'):], root, self.other_roots):
                    found[(root, name[len(snapinfo_prefix(root)):])] = _read_snapinfo(os.path.join(self.basedir, name))
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

    def stale(self, member):
        """A working volume no mock run uses: its chroot dir's buildroot.lock exists and nobody holds it, and
        no process has it open without a mount."""
        if member.role != 'working':
            return False
        lock = buildroot_lock(self.basedir, member.root, member.suffix)
        if lock in self.holders or not os.path.exists(lock):
            return False
        return not (member.lv.open and not self.mounts[member.lv.name])

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
            'stale': self.stale(member),
            'creation_time': lv.creation_time,
        }

    def current_snapshots(self):
        """mock's current snapshot per chroot dir, from the .snapinfo files."""
        names = set(m.lv.name for m in self.members)
        return [{'chroot': 'main' if root == self.root else 'bootstrap', 'uniqueext': ext, 'snapshot': snapshot,
                 'exists': snapshot in names, 'file': self.snapinfo_path(root, ext)}
                for (root, ext), snapshot in sorted(self.snapinfo.items())]


def _read_snapinfo(path):
    try:
        with open(path) as handle:
            return handle.read().strip()
    except (IOError, OSError):
        return None


class Change(object):
    """What a change of the family does: the volumes it removes (unmounting the mount points listed first, and
    every mount below them), the files it removes, the update snapshots it keeps although asked to prune them,
    and the locks it must hold. plan_family_change() turns it into a _plan.Plan."""

    def __init__(self, removed=(), unmount=(), removed_files=(), skipped=(), locks=()):
        self.removed = list(removed)
        self.unmount = list(unmount)
        self.removed_files = list(removed_files)
        self.skipped = list(skipped)
        self.locks = list(locks)

    @property
    def changes(self):
        return bool(self.removed or self.removed_files)

    def steps(self, vg):
        """Every unmount, deepest first, then one lvremove, then the files."""
        remove = lvremove(vg, self.removed)
        return (unmount_commands(self.unmount) + ([remove] if remove else [])
                + [RemoveFile(path) for path in self.removed_files])

    def details(self):
        return {'removed': self.removed, 'removed_files': self.removed_files, 'skipped': self.skipped}


def merge(changes):
    """One change doing what each of changes does, in their order, each volume, file and lock once."""
    merged = Change()
    for change in changes:
        for field in ('removed', 'unmount', 'removed_files', 'skipped', 'locks'):
            mine = getattr(merged, field)
            mine.extend(item for item in getattr(change, field) if item not in mine)
    return merged


def unmount_commands(points):
    """umount commands for every mount point and every mount below those, deepest first."""
    points = set(points)
    if not points:
        return []
    with open(MOUNTS_FILE) as handle:
        targets = [line.split()[1].replace('\\040', ' ') for line in handle if len(line.split()) >= 2]
    nested = set(t for t in targets for p in points if t == p or t.startswith(p.rstrip('/') + '/'))
    return [umount(target) for target in sorted(nested, key=lambda t: (-t.count('/'), t))]


def change_absent(family, params):
    busy = [m.lv.name for m in family.members if m.lv.open and not family.mounts[m.lv.name]]
    if busy:
        raise LvmError('Volumes of root %s are open but not mounted (in use by a process): %s. Nothing was '
                       'removed.' % (params['root'], ', '.join(busy)))
    files = sorted(family.snapinfo_path(root, ext) for root, ext in family.snapinfo)
    return Change([m.lv.name for m in family.members], family.mount_points(family.members), files,
                  locks=family.lock_files())


def change_keep_updates(family, params):
    removed, skipped = [], []
    protected = set(v for v in family.snapinfo.values() if v)
    volumes = [m.lv for m in family.members]
    for chroot, root in family.chroots:
        retention = plan_retention(volumes, updates_prefix(root), params['keep_updates'], protected)
        removed += [lv.name for lv in retention.removed]
        skipped += [lv.name for lv in retention.skipped]
    return Change(removed, skipped=skipped, locks=family.lock_files() if removed else ())


def change_reap(family, params):
    """Stale working volumes, and .snapinfo files that say no more than their absence would."""
    stale = [m for m in family.members if family.stale(m)]
    gone = set((m.root, m.suffix) for m in stale)
    working = set((m.root, m.suffix) for m in family.members if m.role == 'working') - gone
    names = set(m.lv.name for m in family.members)
    files = []
    for (root, ext), snapshot in sorted(family.snapinfo.items()):
        # Without the file mock starts from postinit, so a file naming postinit or a missing snapshot is idle.
        idle = snapshot not in names or snapshot == snapshot_volume(root, POSTINIT)
        if (root, ext) not in working and idle and buildroot_lock(family.basedir, root, ext) not in family.holders:
            files.append(family.snapinfo_path(root, ext))
            gone.add((root, ext))
    return Change([m.lv.name for m in stale], family.mount_points(stale), files, locks=family.buildroot_locks(sorted(gone)))


def free_leftover_roots(family, params):
    """Roots nothing declares (bootstraps included) whose lock files are in basedir and nobody holds."""
    declared = set(params['declared_roots']) | set(params['other_roots']) | set(r for c, r in family.chroots)
    declared |= set(bootstrap_root(root) for root in declared)
    roots = []
    for root in sorted(roots_with_lock_files(family.basedir) - declared):
        if not lock_holders(lock_files(family.basedir, root)):
            roots.append(root)
    return roots


def change_leftover_locks(family, roots, volume_names):
    """The lock files of those roots that have no volume in any VG (volume_names)."""
    files = []
    for root in roots:
        prefix = snapshot_volume(root, '')
        if not any(name.lstrip('+').startswith(prefix) for name in volume_names):
            files += [path for path in lock_files(family.basedir, root) if os.path.exists(path)]
    return Change(removed_files=files, locks=files)


def check_params(params):
    """What the argument spec cannot check: names, keep_updates, and options that contradict state=absent."""
    validate_names(params)
    if params['keep_updates'] is not None and params['keep_updates'] < 0:
        raise ModuleError('keep_updates %d must be 0 or more.' % params['keep_updates'])
    if params['state'] == 'absent' and (params['reap_stale'] or params['keep_updates'] is not None):
        raise ModuleError('state=absent removes every volume of the family: leave out keep_updates and reap_stale.')


def family_change(family, params):
    """The change of the family's own volumes and files that params ask for."""
    if params['state'] == 'absent':
        return change_absent(family, params)
    changes = []
    if params['keep_updates'] is not None:
        changes.append(change_keep_updates(family, params))
    if params['reap_stale']:
        changes.append(change_reap(family, params))
    return merge(changes)


def leftovers_change(lvm, family, params):
    """Lock files of undeclared roots without volumes; one more lvs (all VGs), only when such files are free."""
    if not (params['reap_stale'] and params['declared_roots']):
        return merge([])
    roots = free_leftover_roots(family, params)
    if not roots:
        return merge([])
    names = [lv for vg, lv in lvm.read_all_lv_names()]
    return change_leftover_locks(family, roots, names)


def volume_names(family):
    return {'volumes': sorted(m.lv.name for m in family.members)}


def plan_family_change(lvm, family, params):
    """The Plan of what params change in the family, refused when its locks are held.

    It confirms under its locks: the family is read again while they are held, planned again, the locks of
    chroot dirs that appeared meanwhile are taken too, and the check repeated, before anything changes.
    """
    leftovers = leftovers_change(lvm, family, params)
    change = merge([family_change(family, params), leftovers])
    check_free(family, change)

    def confirm(locks):
        again = Family(lvm.read_vg(params['vg']), params, held=locks.held_paths)
        confirmed = merge([family_change(again, params), leftovers])
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
