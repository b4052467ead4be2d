# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How fresh a config's build roots are, and the plan that renews them (build_root refresh=true).

mock's root_cache plugin rebuilds its tarball when it is older than ``max_age_days`` or older than the
config file; lvm_root has no such rule: ``postinit`` is made once, and ``postinit_updated_*`` snapshots
only by builds. A renewal removes the family under mock's locks (the pool stays) and lets ``mock --init``
make a new ``postinit``.

Why a build starting meanwhile never finds the family half-removed (mock 6.7, ``plugins/lvm_root.py``):

- ``hook_mount_root`` (lines 290-324) asks ``get_current_snapshot()`` (149-160: the ``.snapinfo`` file's
  snapshot, else ``postinit``). With a snapshot it takes the init lock ``.lvm-mock.<root>.lock`` shared and
  blocking (307-308) and makes its working volume from that snapshot (319-320). Without one it polls for
  the init lock exclusive and non-blocking (``Lock.cond_lock``, 50-64) and initialises the root itself
  (291-303), exactly as on the first build.
- The removal holds every lock file of the family exclusively (the init and pool locks of the root and of
  its bootstrap, and each chroot's ``buildroot.lock``), reads the family again under them, and removes all
  volumes in one ``lvremove`` (one LVM VG lock: another ``lvs`` sees all of them or none).
- A run that read a snapshot before the removal and then blocked on the shared init lock would, once the
  lock is free, make its working volume from a snapshot that is gone (``create_head(None)``, line 320).
  The kernel lists such blocked requests in /proc/locks: under the locks, after the second read, a waiter
  on any of the family's lock files makes the renewal stop as busy before anything is removed.
- After the release, ``mock --init`` takes the init lock exclusively for the whole init (cond_lock,
  291-303) and turns it shared only after the new ``postinit`` exists (``hook_postinit``, 333-340). A build
  that starts in between finds no snapshot and waits for that init, or does it itself (mock's own rule).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import time

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._build_root import (
    Family,
    MockInit,
    change_absent,
    check_free,
    plan_of_change,
    volume_names,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._errors import ModuleError
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._locks import LockBusy, lock_waiters
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_layout import (
    POSTINIT,
    snapshot_volume,
    updates_prefix,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._plan import Plan

DAY = 86400.0


def _age_days(created, now):
    return None if created is None else round((now - created) / DAY, 3)


def _modified(path, missing_ok):
    if not path:
        return None
    try:
        return int(os.stat(path).st_mtime)
    except OSError as exc:
        if missing_ok and exc.errno == errno.ENOENT:
            return None
        raise ModuleError('Cannot read the modification time of config_file %s: %s. Give the config file mock '
                          'reads for this root (the role passes /etc/mock/<name>.cfg).' % (path, exc))


def freshness(family, config_file=None, now=None, missing_ok=False):
    """The age of the snapshots mock starts the config's builds from, and whether the config changed after
    postinit (the config file itself; files it includes are not followed). missing_ok: a missing config file is
    not an error (a report on a host not provisioned yet); config_newer is then None."""
    now = time.time() if now is None else now
    snapshots = dict((m.lv.name, m.lv) for m in family.members if m.chroot == 'main' and m.role == 'snapshot')
    postinit = snapshots.get(snapshot_volume(family.root, POSTINIT))
    updates = [lv for name, lv in snapshots.items() if name.startswith(updates_prefix(family.root))]
    newest_update = max(updates, key=lambda lv: lv.creation_time or 0) if updates else None
    # A chroot starts from the snapshot its .snapinfo file names; a new chroot from postinit.
    starts = [snapshots[name] for (root, ext), name in family.snapinfo.items()
              if root == family.root and name in snapshots]
    starts += [postinit] if postinit is not None else []
    start = max(starts, key=lambda lv: lv.creation_time or 0) if starts else None
    postinit_created = postinit.creation_time if postinit is not None else None
    # Without postinit there is nothing to compare with: a config file not written yet is no error then.
    modified = _modified(config_file, missing_ok or postinit_created is None)
    return {
        'postinit_created': postinit_created,
        'postinit_age_days': _age_days(postinit_created, now),
        'newest_update': newest_update.name if newest_update else None,
        'newest_update_created': newest_update.creation_time if newest_update else None,
        'newest_update_age_days': _age_days(newest_update.creation_time if newest_update else None, now),
        'start_snapshot': start.name if start else None,
        'start_created': start.creation_time if start else None,
        'start_age_days': _age_days(start.creation_time if start else None, now),
        'config_file': config_file,
        'config_modified': modified,
        'config_newer': (None if modified is None or postinit_created is None else modified > postinit_created),
    }


def refresh_reasons(fresh, max_age_days):
    """Why the family needs a new postinit (empty: it does not); only a family that has one is renewed."""
    if fresh['postinit_created'] is None:
        return []
    reasons = []
    if fresh['config_newer']:
        reasons.append('config file %s changed after %s was made'
                       % (fresh['config_file'], 'postinit'))
    if max_age_days is not None and fresh['start_age_days'] is not None and fresh['start_age_days'] > max_age_days:
        reasons.append('the newest snapshot builds start from, %s, is %.1f days old (max_age_days %g)'
                       % (fresh['start_snapshot'], fresh['start_age_days'], max_age_days))
    return reasons


def check_refresh_params(params):
    if params['max_age_days'] is not None and params['max_age_days'] <= 0:
        raise ModuleError('max_age_days %g must be above 0 (a fraction of a day is fine).' % params['max_age_days'])
    if params['refresh'] and params['state'] == 'absent':
        raise ModuleError('refresh renews the postinit snapshot with mock --init, state=absent removes the family: '
                          'set state=initialized or present, or leave out refresh.')
    if params['refresh'] and params['max_age_days'] is None and not params['config_file']:
        raise ModuleError('refresh needs a reason to renew: set max_age_days, config_file or both.')


def _removal_params(params):
    """The family's removal as build_root state=absent does it (no retention, no reaping)."""
    return dict(params, state='absent', keep_updates=None, reap_stale=False, declared_roots=[])


class BuildStarting(LockBusy):
    """A process waits for one of the family's locks we hold."""


def check_no_waiters(locks, root):
    """Stop before removing when a process waits for one of the held locks: it read the family before."""
    waiting = lock_waiters(locks.held_paths)
    if waiting:
        path = sorted(waiting)[0]
        raise BuildStarting('Build starting: process %s waits for %s (it read the build roots of %s before they were '
                            'locked, and would start from a snapshot the renewal removes); nothing was removed. Run '
                            'again when the build has started or finished.'
                            % (', '.join(str(pid) for pid in waiting[path]), path, root), path)


def plan_renewal(lvm, family, params, reasons):
    """The Plan that removes the family for a renewal, confirmed under the locks: the family read again, the
    reasons asked again, and no process waiting for one of the locks, before anything is removed."""
    if not (params['refresh'] and reasons):
        return Plan(volume_names(family))
    removal = _removal_params(params)
    change = change_absent(family, removal)
    check_free(family, change)

    def confirm(locks):
        again = Family(lvm.read_vg(params['vg']), removal, held=locks.held_paths)
        if not refresh_reasons(freshness(again, params['config_file']), params['max_age_days']):
            return Plan(volume_names(again))
        confirmed = change_absent(again, removal)
        locks.extend(confirmed.locks)
        check_free(again, confirmed)
        check_no_waiters(locks, params['root'])
        return plan_of_change(again, confirmed, removal)

    plan = plan_of_change(family, change, removal)
    plan.confirm = confirm
    return plan


def plan_renewed_init(family, params):
    """Check mode after a planned renewal: the family is still there, so plan_init would see postinit."""
    before = volume_names(family)
    return Plan(before, {'volumes': sorted(set(before['volumes']) | set([snapshot_volume(params['root'])]))},
                [MockInit(params)])
