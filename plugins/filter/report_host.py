# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One builder's part of the pool report, for the textfile node_exporter reads on that builder."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError


def host_report(report, host):
    """The report (report_document) with only the pools, build roots and volumes of host."""
    if not isinstance(report, dict) or 'pools' not in report:
        raise AnsibleFilterError('host_report: expected the pool report (report_document), got %r.' % (report,))
    mine = dict(report)
    for key in ('pools', 'build_roots', 'volumes'):
        mine[key] = [row for row in report.get(key) or [] if row.get('host') == host]
    mine['unreachable_or_failed'] = [name for name in report.get('unreachable_or_failed') or [] if name == host]
    return mine


class FilterModule(object):
    def filters(self):
        return {'host_report': host_report}
