# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""mock's LVM layout, in one place: volume names, exact ownership, lock files,
bookkeeping files, mount points and safe roots.

Follows mock's lvm_root plugin (mock 5.x/6.x, requires_api_version 1.1):
``conf_id = 'mock.<root>'``, working volumes ``+mock.<root>.<uniqueext or head>``,
snapshots ``mock.<root>.<name>``, lock files ``<basedir>/.lvm-mock.<root>.lock``
and ``<basedir>/.lvm-pool-mock.<root>.lock``, bookkeeping
``<basedir>/.snapinfo-mock.<root>.<ext>`` holding the current snapshot's LV name.
Used by the modules and by the role's filter plugin, so there is one rule.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

PREFIX = 'mock'
DEFAULT_BASEDIR = '/var/lib/mock'
HEAD = 'head'
POSTINIT = 'postinit'
UPDATED_SUFFIX = '_updated_'
BOOTSTRAP_SUFFIX = '-bootstrap'

_LOCK_RE = re.compile(r'^\.lvm-mock\.(.+)\.lock$')


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


def mount_point(basedir, root, ext=HEAD):
    chroot = root if ext == HEAD else '%s-%s' % (root, ext)
    return os.path.join(basedir, chroot, 'root')


def roots_with_lock_files(basedir):
    """Every root mock has run on this host, known from the lock files it never removes."""
    try:
        names = os.listdir(basedir)
    except OSError:
        return set()
    return set(m.group(1) for m in (_LOCK_RE.match(n) for n in names) if m)


def roots_with_postinit(names):
    """Roots that have a postinit snapshot among the volume names."""
    start, end = PREFIX + '.', '.' + POSTINIT
    return set(n[len(start):-len(end)] for n in names if n.startswith(start) and n.endswith(end))


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


def map_roots(roots):
    """Map each root to one mock's LVM plugin handles, without checking the result (see safe_roots)."""
    roots = list(roots)
    mapped = dict((root, root.replace('+', '_')) for root in roots)
    values = set(mapped.values())
    for root, value in mapped.items():
        if any(value != other and value.startswith(other + '.') for other in values):
            mapped[root] = value.replace('.', '_')
    return mapped


def safe_roots(roots):
    """Map each root to one mock's LVM plugin handles, or raise ValueError.

    The plugin strips every '+' when it tests ownership, so a root with '+'
    never owns its volumes: '+' becomes '_'. A root that has another root of
    the same pool as dotted prefix ('foo.bar' beside 'foo') would be scrubbed
    with it: its dots become '_'. The mapping is deterministic for a given set
    of roots; what still collides is an error naming both roots.
    """
    mapped = map_roots(roots)
    check_roots(mapped.values(), mapped)
    return mapped


def check_roots(roots, origins=None):
    """Raise ValueError when two roots collide or one is the dotted prefix of another."""
    origins = origins or dict((r, r) for r in roots)
    seen = {}
    for source, value in origins.items():
        if value in seen:
            raise ValueError('roots %r and %r both become %r: give one of them an explicit, different root.'
                             % (seen[value], source, value))
        seen[value] = source
    for value, source in seen.items():
        if '+' in value:
            raise ValueError('root %r contains "+": mock\'s LVM plugin never finds the volumes of such a root '
                             '(its builds fail after the first); use a root without "+".' % (value,))
        for other, other_source in seen.items():
            if value != other and other.startswith(value + '.'):
                raise ValueError('root %r (config %r) is a dotted prefix of root %r (config %r) on the same pool: '
                                 'mock would count the second root\'s volumes as the first\'s and remove them on '
                                 'scrub; rename one of them.' % (value, source, other, other_source))
