# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""mock's LVM layout, in one place: volume names, exact ownership, lock files,
bookkeeping files, mount points, and the rule that gives each config a safe root.

Follows mock's lvm_root plugin (mock 5.x/6.x, requires_api_version 1.1):
``conf_id = 'mock.<root>'``, working volumes ``+mock.<root>.<uniqueext or head>``,
snapshots ``mock.<root>.<name>``, lock files ``<basedir>/.lvm-mock.<root>.lock``
and ``<basedir>/.lvm-pool-mock.<root>.lock``, bookkeeping
``<basedir>/.snapinfo-mock.<root>.<ext>`` holding the current snapshot's LV name;
and from mock's Buildroot, the chroot dir ``<basedir>/<root>[-<uniqueext>]`` with
the ``buildroot.lock`` every mock run holds.
Used by the modules and by the role's filter plugin, so there is one rule.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

PREFIX = 'mock'
DEFAULT_BASEDIR = '/var/lib/mock'
DEFAULT_CONFIG_DIR = '/etc/mock'
# The group mock's package creates: its members may run mock, and basedir and the configs belong to it.
MOCK_GROUP = 'mock'
# basedir as mock.spec makes it: %defattr(0775, root, mock, 02775) %dir /var/lib/mock; the config dir
# 0755 (this collection gives it group mock, the group of the config files).
BASEDIR_MODE = '2775'
CONFIG_DIR_MODE = '0755'
HEAD = 'head'
POSTINIT = 'postinit'
UPDATED_SUFFIX = '_updated_'
BOOTSTRAP_SUFFIX = '-bootstrap'

_LOCK_RE = re.compile(r'^\.lvm-mock\.(.+)\.lock$')


def host_directories(config_dir=DEFAULT_CONFIG_DIR, basedir=DEFAULT_BASEDIR):
    """The directories a builder keeps for mock, with the owner, group and mode each must have."""
    return [{'path': config_dir, 'owner': 'root', 'group': MOCK_GROUP, 'mode': CONFIG_DIR_MODE},
            {'path': basedir, 'owner': 'root', 'group': MOCK_GROUP, 'mode': BASEDIR_MODE}]


def conf_id(root):
    return '%s.%s' % (PREFIX, root)


def bootstrap_root(root):
    return root + BOOTSTRAP_SUFFIX


def working_volume(root, ext=HEAD):
    """The volume a build mounts: '+mock.<root>.<ext>' (the only name with a '+')."""
    return '+%s.%s' % (conf_id(root), ext)


def snapshot_volume(root, name=POSTINIT):
    return '%s.%s' % (conf_id(root), name)


def updates_prefix(root):
    """Prefix of the snapshots `mock --update` leaves behind."""
    return snapshot_volume(root, POSTINIT + UPDATED_SUFFIX)


def lock_files(basedir, root):
    """mock's init and pool lock files of one root."""
    return [os.path.join(basedir, '.lvm-%s.lock' % conf_id(root)),
            os.path.join(basedir, '.lvm-pool-%s.lock' % conf_id(root))]


def snapinfo_prefix(root):
    return '.snapinfo-%s.' % conf_id(root)


def snapinfo_file(basedir, root, ext=HEAD):
    return os.path.join(basedir, snapinfo_prefix(root) + ext)


def chroot_dir(basedir, root, ext=HEAD):
    """mock's Buildroot.basedir: '<basedir>/<root>', or '<basedir>/<root>-<uniqueext>'."""
    return os.path.join(basedir, root if ext == HEAD else '%s-%s' % (root, ext))


def buildroot_lock(basedir, root, ext=HEAD):
    """The lock every mock run of the chroot holds (build, --shell, --chroot), mounted or not."""
    return os.path.join(chroot_dir(basedir, root, ext), 'buildroot.lock')


def mount_point(basedir, root, ext=HEAD):
    return os.path.join(chroot_dir(basedir, root, ext), 'root')


def volume_kind(chroot, role, suffix):
    """What an operator calls a volume: working, postinit, update, snapshot (a user's), or bootstrap."""
    if chroot == 'bootstrap':
        return 'bootstrap'
    if role == 'working':
        return 'working'
    if suffix == POSTINIT:
        return 'postinit'
    return 'update' if suffix.startswith(POSTINIT + UPDATED_SUFFIX) else 'snapshot'


def roots_with_lock_files(basedir):
    """Every root mock has run on this host, known from the lock files it never removes."""
    try:
        names = os.listdir(basedir)
    except OSError:
        return set()
    return set(m.group(1) for m in (_LOCK_RE.match(n) for n in names) if m)


def snapinfo_names(basedir):
    """{path: snapshot LV name, None when unreadable} of every .snapinfo file in basedir (lvm_root.py:
    .snapinfo-<conf_id>.<ext> holds the LV name of the snapshot that chroot starts from)."""
    found = {}
    try:
        names = sorted(os.listdir(basedir))
    except OSError:
        return found
    for name in names:
        if name.startswith('.snapinfo-%s.' % PREFIX):
            found[os.path.join(basedir, name)] = _read_text(os.path.join(basedir, name))
    return found


def _read_text(path):
    try:
        with open(path) as handle:
            return handle.read().strip()
    except (IOError, OSError):
        return None


def roots_with_postinit(names):
    """Roots that have a postinit snapshot among the volume names."""
    start, end = PREFIX + '.', '.' + POSTINIT
    return set(n[len(start):-len(end)] for n in names if n.startswith(start) and n.endswith(end))


def other_known_roots(basedir, volume_names, own_roots, extra=()):
    """Roots other than own_roots known on the host, longest first, for member_of.

    Known from mock's lock files in basedir, the postinit snapshots among the
    pool's volume names, and extra; the bootstrap of a known root is known too
    (+mock.foo.bar-bootstrap.head is never foo's).
    """
    known = roots_with_lock_files(basedir) | roots_with_postinit(volume_names) | set(extra)
    known |= set(bootstrap_root(root) for root in known)
    return sorted(known - set(own_roots), key=len, reverse=True)


def member_of(name, root, other_roots=()):
    """How volume `name` belongs to `root`: ('working', ext), ('snapshot', name) or None.

    Exact where mock's own test (``name.replace('+', '')`` starts with
    ``mock.<root>.``) is not: only a single leading '+' is dropped, so roots
    that contain '+' match, and a volume of a longer known root ('foo.bar'
    against 'foo') belongs to that root, not to its dotted prefix.
    """
    working = name.startswith('+')
    bare = name[1:] if working else name
    start = conf_id(root) + '.'
    if not bare.startswith(start) or len(bare) == len(start):
        return None
    for other in other_roots:
        if len(other) > len(root) and bare.startswith(conf_id(other) + '.'):
            return None
    suffix = bare[len(start):]
    return ('working', suffix) if working else ('snapshot', suffix)


def safe_root(root):
    """The root mock's LVM plugin handles, derived from this root alone: '+' and '.' become '_'.

    The plugin strips every '+' when it tests ownership, so a root with '+' never
    owns its volumes. A root with a dot can be the dotted prefix of another
    ('foo' and 'foo.bar'), and mock's scrub of the first removes the second's
    volumes. Mapping each root on its own means adding a config never changes
    the root of another.
    """
    return root.replace('+', '_').replace('.', '_')


def root_problem(root):
    """Why a root is unusable on its own, or None."""
    if '+' in root:
        return ('root %r contains "+": mock\'s LVM plugin never finds the volumes of such a root (its builds fail '
                'after the first); use a root without "+".' % (root,))
    if root.endswith(BOOTSTRAP_SUFFIX):
        return ('root %r ends in %r: mock gives every root a bootstrap chroot named <root>%s, so this root would share '
                'volumes, lock files and mount directories with the bootstrap of root %r; choose another root.'
                % (root, BOOTSTRAP_SUFFIX, BOOTSTRAP_SUFFIX, root[:-len(BOOTSTRAP_SUFFIX)]))
    return None


def roots_conflict(one, other):
    """Why two configs' roots cannot live on one host, or None.

    `one` and `other` are dicts with name, root and pool (vg optional). Lock and
    bookkeeping files are per root in basedir, so one root twice collides even
    on different pools; a root that starts with another's bootstrap name shares
    its bootstrap's volumes; a dotted prefix collides within one pool.
    """
    a, b = one['root'], other['root']
    if a == b:
        return ('configs %r and %r both have root %r: mock keeps lock and bookkeeping files per root, so they would '
                'share build roots; give one of them another root.' % (one['name'], other['name'], a))
    for mine, theirs in ((one, other), (other, one)):
        if mine['root'].startswith(bootstrap_root(theirs['root'])):
            return ('root %r of config %r starts with %r, the bootstrap chroot of config %r: the two would share '
                    'volumes, lock files and mount directories; rename one of them.'
                    % (mine['root'], mine['name'], bootstrap_root(theirs['root']), theirs['name']))
    same_pool = (one.get('vg'), one['pool']) == (other.get('vg'), other['pool'])
    for mine, theirs in ((one, other), (other, one)):
        if same_pool and theirs['root'].startswith(mine['root'] + '.'):
            return ('root %r (config %r) is a dotted prefix of root %r (config %r) on the same pool: mock would count '
                    'the second root\'s volumes as the first\'s and remove them on scrub; rename one of them.'
                    % (mine['root'], mine['name'], theirs['root'], theirs['name']))
    return None


def check_roots(configs):
    """Raise ValueError naming the configs when a root is unusable or two roots collide."""
    configs = list(configs)
    for index, config in enumerate(configs):
        problem = root_problem(config['root'])
        if problem:
            raise ValueError('config %r: %s' % (config['name'], problem))
        for other in configs[index + 1:]:
            conflict = roots_conflict(config, other)
            if conflict:
                raise ValueError(conflict)
