# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The build_root module's flow: renewal, init, retention and reaping of one family, in this order."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._build_root import (
    FamilyReader,
    build_in_progress,
    build_root_result,
    check_initialized,
    check_params,
    plan_family_change,
    plan_init,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._locks import LockBusy
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._plan import apply
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._refresh import (
    BuildStarting,
    check_refresh_params,
    freshness,
    plan_renewal,
    plan_renewed_init,
    refresh_reasons,
)


def renew(module, lvm, read):
    """With refresh: remove a family that needs a new postinit (under its locks); the plan carried out."""
    params = module.params
    reasons = refresh_reasons(freshness(read.family, params['config_file']), params['max_age_days'])
    try:
        renewal = apply(module, lvm, plan_renewal(lvm, read.family, params, reasons), read)
    except BuildStarting:
        raise
    except LockBusy as exc:
        raise build_in_progress(exc.path, params['root'])
    renewal.details.update(reasons=reasons if renewal.changed else [])
    return renewal


def run_build_root(module, lvm):
    """What build_root does with module.params (and check_mode, _diff, warn): renew, initialise, prune and reap the
    family, and the result to return. Also run by the builder's maintenance timer, without Ansible."""
    params = module.params
    check_params(params)
    check_refresh_params(params)
    read = FamilyReader(lvm, params)
    read.first()
    renewal = renew(module, lvm, read)
    if not renewal.changed:
        planned = plan_init(read.family, params)
    elif module.check_mode:
        planned = plan_renewed_init(read.family, params)
    else:
        # A renewed family is initialised again whatever the state: the renewal asked for a new postinit.
        planned = plan_init(read.family, dict(params, state='initialized'))
    init = apply(module, lvm, planned, read)
    check_initialized(read.family, init, module.check_mode)
    try:
        change = apply(module, lvm, plan_family_change(lvm, read.family, params), read)
    except LockBusy as exc:
        raise build_in_progress(exc.path, params['root'])
    for warning in change.warnings:
        module.warn(warning)
    result = build_root_result(module, read.family, init, change)
    result.update(refreshed=renewal.changed, refresh_reasons=renewal.details['reasons'],
                  freshness=freshness(read.family, params['config_file']),
                  changed=result['changed'] or renewal.changed)
    if renewal.changed:
        for key in ('removed', 'removed_files'):
            result[key] = sorted(set(renewal.details.get(key, [])) | set(result[key]))
        if 'diff' in result:
            result['diff']['before'] = renewal.before
    return result
