# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Our pool exists on real LVM, with the autoextend profile attached."""
import json


def test_site_pool_is_a_monitored_thin_pool(host):
    out = host.check_output('lvs --reportformat json -o lv_name,lv_attr,lv_profile,seg_monitor site')
    pool = {lv['lv_name']: lv for lv in json.loads(out)['report'][0]['lv']}['sitepool']
    assert pool['lv_attr'].startswith('t')
    assert pool['lv_profile'] == 'mock_lvm-site-sitepool'
    assert pool['seg_monitor'] == 'monitored'
