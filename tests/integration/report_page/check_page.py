# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Render pool-report.html in headless Chromium and compare what the browser built with pool-report.json.

Checks: Chromium renders the page (its DOM, from --dump-dom); the DOM's pool and build root rows are the
JSON's rows in the same order (host and pool, host and config); the findings list has one item per finding
the JSON implies; the browser logged no console message (errors, failed loads); the file names no external
asset. A page with a script error is rendered first and must be caught, so the console check can fail.
Writes a screenshot when asked.

  python check_page.py DIR [SCREENSHOT]     (DIR holds pool-report.html and pool-report.json)
"""
import json
import os
import re
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

CHROMIUM = ['chromium', '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--enable-logging=stderr',
            '--v=0']


class Rows(HTMLParser):
    """Cell texts of each element with data-kind (tr or li), by kind."""

    def __init__(self):
        HTMLParser.__init__(self)
        self.rows = {}
        self.current = None
        self.assets = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if 'data-kind' in attrs:
            self.current = {'kind': attrs['data-kind'], 'cells': [], 'text': ''}
            self.rows.setdefault(attrs['data-kind'], []).append(self.current)
        if tag == 'td' and self.current is not None:
            self.current['cells'].append('')
        for name in ('src', 'href'):
            if attrs.get(name):
                self.assets.append('<%s %s=%s>' % (tag, name, attrs[name]))

    def handle_data(self, data):
        if self.current is not None:
            self.current['text'] += data
            if self.current['cells']:
                self.current['cells'][-1] += data

    def handle_endtag(self, tag):
        if tag in ('tr', 'li'):
            self.current = None


def render(path):
    """The DOM Chromium built for path, and the console messages it logged."""
    result = subprocess.run(CHROMIUM + ['--dump-dom', 'file://' + os.path.abspath(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True, timeout=120, check=False)
    if result.returncode != 0 or '<html' not in result.stdout:
        raise SystemExit('chromium did not render %s (rc %d): %s' % (path, result.returncode, result.stderr[-2000:]))
    console = [line for line in result.stderr.splitlines() if ':CONSOLE' in line]
    return result.stdout, console


def expected_findings(report):
    count = len([p for p in report['pools'] if p['status'] != 'ok'])
    count += len([r for r in report['build_roots']
                  if r['status'] not in ('ok', 'building', 'refreshed') or r.get('stale') or r.get('config_newer')])
    return count + len(report.get('unreachable_or_failed') or [])


def check(directory):
    problems = []
    # The console check must be able to fail: a page with a script error is caught.
    with tempfile.NamedTemporaryFile('w', suffix='.html', delete=False) as bad:
        bad.write('<!DOCTYPE html><html><body><script>notDefined();</script></body></html>')
    try:
        if not render(bad.name)[1]:
            problems.append('a page with a script error logged nothing: the console check cannot see errors')
    finally:
        os.unlink(bad.name)
    with open(os.path.join(directory, 'pool-report.json')) as handle:
        report = json.load(handle)
    page = os.path.join(directory, 'pool-report.html')
    with open(page) as handle:
        text = handle.read()
    dom, console = render(page)
    problems += ['console: %s' % line for line in console]
    parsed = Rows()
    parsed.feed(dom)
    problems += ['external asset: %s' % asset for asset in parsed.assets]
    if re.search(r'url\(|@import', text):
        problems.append('the page loads something through CSS (url() or @import)')
    pools = [(r['cells'][0], r['cells'][1]) for r in parsed.rows.get('pool', [])]
    want = [(p['host'], '%s/%s' % (p['vg'], p['pool'])) for p in report['pools']]
    if pools != want:
        problems.append('pool rows %r, the JSON has %r' % (pools, want))
    roots = [(r['cells'][0], r['cells'][1]) for r in parsed.rows.get('root', [])]
    want = [(r['host'], r['config']) for r in report['build_roots']]
    if roots != want:
        problems.append('build root rows %r, the JSON has %r' % (roots, want))
    findings = len(parsed.rows.get('finding', []))
    if findings != expected_findings(report):
        problems.append('%d findings shown, the JSON implies %d' % (findings, expected_findings(report)))
    for problem in problems:
        print('FAILED: ' + problem)
    if not problems:
        print('page rendered by Chromium: %d pool rows and %d build root rows equal the JSON, %d findings, no console '
              'message, no external asset' % (len(pools), len(roots), findings))
    return problems


def screenshot(directory, path):
    subprocess.run(CHROMIUM + ['--window-size=1400,900', '--screenshot=%s' % os.path.abspath(path),
                               'file://' + os.path.abspath(os.path.join(directory, 'pool-report.html'))],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=True)
    print('screenshot: %s' % path)


if __name__ == '__main__':
    failed = check(sys.argv[1])
    if len(sys.argv) > 2 and not failed:
        screenshot(sys.argv[1], sys.argv[2])
    sys.exit(1 if failed else 0)
