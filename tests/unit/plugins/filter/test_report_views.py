# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The freshness columns and gauges, one builder's part of the report, and the HTML page."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.buildfleet.mock_lvm.plugins.filter.fleet_report import (
    pool_rows,
    prometheus_textfile,
    report_document,
    root_rows,
)
from ansible_collections.buildfleet.mock_lvm.plugins.filter.report_freshness import with_freshness
from ansible_collections.buildfleet.mock_lvm.plugins.filter.report_host import host_report
from ansible_collections.buildfleet.mock_lvm.plugins.filter.report_html import findings, pool_headroom, report_html

GIB = 1024 ** 3
FRESH = {'postinit_created': 1796000000, 'postinit_age_days': 5.0, 'newest_update': 'mock.f43.postinit_updated_x',
         'newest_update_created': 1796300000, 'newest_update_age_days': 1.5, 'start_snapshot': 'mock.f43.postinit_updated_x',
         'start_created': 1796300000, 'start_age_days': 1.5, 'config_file': '/etc/mock/f43.cfg',
         'config_modified': 1796100000, 'config_newer': True}


def read(name, root, freshness=None, **extra):
    return dict({'item': {'name': name, 'root': root, 'vg': 'mock', 'pool': 'shared'}, 'volumes': [], 'stale': [],
                 'build_running': False, 'freshness': freshness}, **extra)


def registered():
    return {'results': [read('f43', 'f43', FRESH, refreshed=True, refresh_reasons=['config file changed', 'old']),
                        read('el9', 'el9', {'postinit_created': None, 'config_newer': None}),
                        {'item': {'name': 'gone', 'root': 'gone'}, 'failed': True, 'msg': 'lvs failed'}]}


def test_with_freshness_adds_the_columns_by_config():
    rows = with_freshness(root_rows(registered(), 'b1'), registered())
    f43, el9, gone = rows
    assert (f43['postinit_age_days'], f43['newest_update_age_days'], f43['config_newer']) == (5.0, 1.5, True)
    assert (f43['refreshed'], f43['status'], f43['refresh_reasons']) == (True, 'refreshed', 'config file changed; old')
    assert (el9['postinit_age_days'], el9['config_newer'], el9['refreshed'], el9['status']) == (None, None, False, 'ok')
    # A failed read has no freshness and keeps its status.
    assert (gone['postinit_created'], gone['status']) == (None, 'error')
    with pytest.raises(AnsibleFilterError, match='expected a registered loop result'):
        with_freshness([], 'nope')


def document():
    pools = pool_rows({'pools': [{'vg': 'mock', 'name': 'shared', 'exists': True, 'size': 100 * GIB,
                                  'data_percent': 90.0, 'metadata_percent': 20.0, 'thin_volumes': []}]}, 'b1', 80)
    pools += pool_rows({'pools': [{'vg': 'mock', 'name': 'shared', 'exists': True, 'size': 10 * GIB,
                                   'data_percent': 10.0, 'metadata_percent': 5.0, 'thin_volumes': []}]}, 'b<2>', 80)
    roots = with_freshness(root_rows(registered(), 'b1'), registered())
    return dict(report_document(pools, roots, 80, ['b3']), generated='2026-12-01T10:00:00Z')


def test_textfile_has_the_freshness_gauges():
    from prometheus_client.parser import text_string_to_metric_families

    samples = dict(((s.name, dict(s.labels)['config']), s.value)
                   for family in text_string_to_metric_families(prometheus_textfile(document()))
                   for s in family.samples if 'config' in s.labels)
    assert samples[('mock_lvm_postinit_timestamp_seconds', 'f43')] == 1796000000
    assert samples[('mock_lvm_start_snapshot_timestamp_seconds', 'f43')] == 1796300000
    assert samples[('mock_lvm_newest_update_timestamp_seconds', 'f43')] == 1796300000
    assert samples[('mock_lvm_config_newer_than_postinit', 'f43')] == 1
    # el9 has no postinit: no timestamp sample rather than a zero (an age of 56 years).
    assert ('mock_lvm_postinit_timestamp_seconds', 'el9') not in samples
    assert ('mock_lvm_config_newer_than_postinit', 'el9') not in samples


def test_host_report_keeps_one_builders_rows():
    mine = host_report(document(), 'b<2>')
    assert [p['host'] for p in mine['pools']] == ['b<2>'] and mine['build_roots'] == []
    assert mine['unreachable_or_failed'] == [] and mine['generated'] == '2026-12-01T10:00:00Z'
    assert [r['config'] for r in host_report(document(), 'b1')['build_roots']] == ['f43', 'el9', 'gone']
    with pytest.raises(AnsibleFilterError, match='expected the pool report'):
        host_report([], 'b1')


def test_html_page_has_findings_first_rows_in_order_and_no_asset():
    page = report_html(document())
    assert page.startswith('<!DOCTYPE html>') and page.count('data-kind="pool"') == 2
    assert page.count('data-kind="root"') == 3
    # Escaped host names; findings before the pools table.
    assert 'b&lt;2&gt;' in page and 'b<2>' not in page
    assert page.index('id="findings"') < page.index('id="pools"') < page.index('id="build_roots"')
    assert page.count('data-kind="finding"') == len(findings(document())) == 4
    for asset in ('src=', 'href=', 'url(', '@import', '<script'):
        assert asset not in page
    assert 'class="mark newer"' in page and 'style="width:90.0%"' in page
    with pytest.raises(AnsibleFilterError, match='expected the pool report'):
        report_html({'pools': []})


def test_findings_name_what_needs_a_look():
    assert findings(document()) == [
        'pool b1 mock/shared: data above the 80 % threshold',
        'build roots b1 f43: config changed after postinit',
        'build roots b1 gone: error: lvs failed',
        'host b3: unreachable or failed',
    ]


def test_pool_headroom():
    assert pool_headroom({'size_gib': 100.0, 'data_percent': 90.0, 'metadata_percent': 20.0}, 80) == (10.0, -10.0)
    assert pool_headroom({'size_gib': None, 'data_percent': None}, 80) == (None, None)
