# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The pool report as one self-contained HTML page (pool_report writes it as pool-report.html).

No script, no external asset: styles are inline, use bars are CSS widths. Findings come first, then the
pools in the report's order (fullest first), then the build roots. Every table row carries data-kind (pool,
root or finding) so a browser test can count rows against the JSON.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from html import escape as _escape

from ansible.errors import AnsibleFilterError

# A cell of the page reads as a cell of the text table.
from ansible_collections.buildfleet.mock_lvm.plugins.filter.fleet_report import _cell as _text

STYLE = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em;color:#1d1d1f;background:#fff}
h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.4em 0 .4em}
.meta{color:#555;margin:0 0 1em}
table{border-collapse:collapse;width:100%}th,td{padding:.3em .6em;border-bottom:1px solid #ddd;text-align:left;
vertical-align:middle;white-space:nowrap}td.msg{white-space:normal}th{background:#f3f3f3;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{position:relative;width:10em;height:1.1em;background:#eee;border-radius:3px;overflow:hidden;display:inline-block;
vertical-align:middle}.bar span{position:absolute;left:0;top:0;bottom:0;background:#3a7bd5}
.bar.warn span{background:#e0a100}.bar.over span{background:#d33}
.pct{display:inline-block;width:4.5em;text-align:right;margin-right:.4em;font-variant-numeric:tabular-nums}
.mark{display:inline-block;padding:0 .45em;border-radius:3px;font-size:.85em;font-weight:600;margin-right:.2em}
.stale{background:#fde2cf;color:#8a3b00}.inuse{background:#d8e8ff;color:#0b3d91}.newer{background:#fff0b3;color:#6b5400}
.bad{background:#fbd5d5;color:#8b0000}.ok{background:#dff3e0;color:#1e5e22}
ul.findings{margin:0;padding:0;list-style:none}ul.findings li{padding:.35em .6em;margin:.2em 0;border-left:4px solid #d33;
background:#fff5f5}ul.findings li.none{border-color:#3a3;background:#f4fbf4}
"""


def _e(value):
    return _escape(_text(value), quote=True)


def _bar(percent, threshold):
    if percent is None:
        return '<span class="pct">-</span>'
    level = 'over' if percent >= threshold else 'warn' if percent >= threshold * 0.9 else ''
    width = max(0.0, min(100.0, float(percent)))
    return ('<span class="pct">%.1f %%</span><span class="bar %s" role="img" aria-label="%.1f percent used">'
            '<span style="width:%.1f%%"></span></span>' % (percent, level, percent, width))


def pool_headroom(row, threshold):
    """(GiB of data left in the pool, percentage points left below the threshold), None when unread."""
    if row.get('data_percent') is None or row.get('size_gib') is None:
        return None, None
    free = row['size_gib'] * (100.0 - float(row['data_percent'])) / 100.0
    fullness = max(float(row['data_percent']), float(row.get('metadata_percent') or 0.0))
    return round(free, 2), round(threshold - fullness, 2)


def findings(report):
    """What needs a look, one line each: pools not ok, build roots not ok or stale or older than their config,
    hosts that could not be read."""
    lines = []
    for row in report.get('pools') or []:
        if row.get('status') != 'ok':
            lines.append('pool %s %s/%s: %s' % (row.get('host'), row.get('vg'), row.get('pool'),
                                                row.get('message') or row.get('status')))
    for row in report.get('build_roots') or []:
        what = []
        if row.get('status') not in ('ok', 'building', 'refreshed'):
            what.append('%s: %s' % (row.get('status'), row.get('message') or ''))
        if row.get('stale'):
            what.append('%s stale working volume(s)' % row['stale'])
        if row.get('config_newer'):
            what.append('config changed after postinit')
        if what:
            lines.append('build roots %s %s: %s' % (row.get('host'), row.get('config'), '; '.join(what)))
    for host in report.get('unreachable_or_failed') or []:
        lines.append('host %s: unreachable or failed' % host)
    return lines


def _pool_rows(pools, threshold):
    out = []
    for row in pools:
        free, below = pool_headroom(row, threshold)
        status = row.get('status')
        out.append(
            '<tr data-kind="pool"><td>%s</td><td>%s/%s</td><td class="num">%s</td><td>%s</td><td>%s</td>'
            '<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td>%s</td>'
            '<td class="msg"><span class="mark %s">%s</span> %s</td></tr>'
            % (_e(row.get('host')), _e(row.get('vg')), _e(row.get('pool')), _e(row.get('size_gib')),
               _bar(row.get('data_percent'), threshold), _bar(row.get('metadata_percent'), threshold),
               _e(free), _e(below), _e(row.get('thin_volumes')), _e(row.get('autoextend')),
               'ok' if status == 'ok' else 'bad', _e(status), _e(row.get('message') or '')))
    return out


def _root_marks(row):
    marks = []
    if row.get('stale'):
        marks.append('<span class="mark stale">stale %s</span>' % _e(row['stale']))
    if row.get('build_running'):
        marks.append('<span class="mark inuse">in use</span>')
    if row.get('config_newer'):
        marks.append('<span class="mark newer">config newer</span>')
    return ''.join(marks)


def _short(volume, root):
    """A snapshot's name as mock shows it (without mock.<root>.)."""
    prefix = 'mock.%s.' % root
    return volume[len(prefix):] if volume and volume.startswith(prefix) else volume


def _root_rows(roots):
    out = []
    for row in roots:
        status = row.get('status')
        out.append(
            '<tr data-kind="root"><td>%s</td><td>%s</td><td>%s</td><td>%s/%s</td><td class="num">%s</td>'
            '<td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td>%s</td><td>%s</td>'
            '<td class="msg"><span class="mark %s">%s</span> %s</td></tr>'
            % (_e(row.get('host')), _e(row.get('config')), _e(row.get('root')), _e(row.get('vg')), _e(row.get('pool')),
               _e(row.get('volumes')), _e(row.get('updates')), _e(row.get('postinit_age_days')),
               _e(row.get('newest_update_age_days')), _e(_short(row.get('newest_update'), row.get('root'))),
               _root_marks(row),
               'ok' if status in ('ok', 'building', 'refreshed') else 'bad', _e(status), _e(row.get('message') or '')))
    return out


def report_html(report):
    """The whole page for a report_document (pools in its order, fullest first)."""
    if not isinstance(report, dict) or 'pools' not in report or 'build_roots' not in report:
        raise AnsibleFilterError('report_html: expected the pool report (report_document), got %r.' % (report,))
    threshold = float(report.get('threshold') or 80)
    found = findings(report)
    items = (['<li data-kind="finding">%s</li>' % _escape(line, quote=True) for line in found]
             or ['<li class="none">Nothing needs attention.</li>'])
    parts = [
        '<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<title>Thin pools and build roots</title><style>%s</style></head><body>' % STYLE,
        '<h1>Thin pools and build roots</h1>',
        '<p class="meta">Generated %s by %s %s; a pool at or above %g %% data or metadata use is full.</p>'
        % (_e(report.get('generated')), _e(report.get('collection')), _e(report.get('collection_version')), threshold),
        '<h2>Findings (%d)</h2><ul class="findings" id="findings">%s</ul>' % (len(found), ''.join(items)),
        '<h2>Pools, fullest first</h2><table id="pools"><thead><tr><th>host</th><th>vg/pool</th><th>size GiB</th>'
        '<th>data</th><th>metadata</th><th>free GiB</th><th>points below threshold</th><th>thin volumes</th>'
        '<th>autoextend</th><th>status</th></tr></thead><tbody>',
    ]
    parts += _pool_rows(report['pools'], threshold)
    parts += ['</tbody></table>',
              '<h2>Build roots</h2><table id="build_roots"><thead><tr><th>host</th><th>config</th><th>root</th>'
              '<th>vg/pool</th><th>volumes</th><th>updates</th><th>postinit age (days)</th>'
              '<th>newest update age (days)</th><th>newest update</th><th>marks</th><th>status</th></tr></thead><tbody>']
    parts += _root_rows(report['build_roots'])
    parts += ['</tbody></table>', '</body></html>']
    return '\n'.join(parts) + '\n'


class FilterModule(object):
    def filters(self):
        return {'report_html': report_html}
