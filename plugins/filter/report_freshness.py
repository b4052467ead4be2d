# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Freshness of the build roots in the fleet's rows and metrics (pool_report, refresh_build_roots)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

# The columns with_freshness adds to a build root row, in the order the tables show them.
FRESHNESS_COLUMNS = ('postinit_age_days', 'newest_update', 'newest_update_age_days', 'start_age_days',
                     'config_newer', 'refreshed', 'refresh_reasons')


def _by_config(registered):
    if isinstance(registered, dict):
        registered = registered.get('results', [])
    if not isinstance(registered, list):
        raise AnsibleFilterError('with_freshness: expected a registered loop result, got %r.' % (registered,))
    return dict(((r.get('item') or {}).get('name'), r) for r in registered
                if isinstance(r, dict) and not r.get('skipped'))


def with_freshness(rows, registered):
    """The build root rows (root_rows) with the freshness of each config from the same registered loop of
    build_root or build_root_info runs: ages in days, the newest update snapshot, whether the config file is
    newer than postinit, and whether (and why) a refresh renewed it. A run that failed has no freshness (None)."""
    results = _by_config(registered)
    out = []
    for row in rows:
        result = results.get(row.get('config')) or {}
        fresh = result.get('freshness') or {}
        reasons = result.get('refresh_reasons') or []
        out.append(dict(row, postinit_age_days=fresh.get('postinit_age_days'),
                        postinit_created=fresh.get('postinit_created'),
                        newest_update=fresh.get('newest_update'),
                        newest_update_age_days=fresh.get('newest_update_age_days'),
                        newest_update_created=fresh.get('newest_update_created'),
                        start_snapshot=fresh.get('start_snapshot'),
                        start_age_days=fresh.get('start_age_days'),
                        start_created=fresh.get('start_created'),
                        config_newer=fresh.get('config_newer'),
                        refreshed=bool(result.get('refreshed')),
                        refresh_reasons='; '.join(reasons),
                        status='refreshed' if result.get('refreshed') else row.get('status')))
    return out


class FilterModule(object):
    def filters(self):
        return {'with_freshness': with_freshness}
