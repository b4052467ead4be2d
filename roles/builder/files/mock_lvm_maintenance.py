# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A builder's own maintenance, for fleets without a controller (the role's systemd timer runs it).

    mock_lvm_maintenance.py SETTINGS.json [--check]

For each config of SETTINGS (written by the builder role from its variables) it runs what the build_root module
runs, through the same code (the collection's module_utils, installed beside this file by the role): renew a
stale postinit (refresh_build_roots), keep the newest update snapshots and reap stale working volumes
(prune_snapshots with prune_reap). A config in use is skipped and named. Then it reads the declared pools and,
when SETTINGS names node_exporter's textfile directory, writes the builder's metrics there (mock_lvm.prom,
written whole and renamed, the same metrics as pool_report's textfile: pool use and health, VG headroom,
freshness). It prints one JSON line per config and one summary line, and exits 1 when a config failed for
another reason than being in use. --check changes nothing and prints what would run. No Ansible is needed on
the builder.
"""

from __future__ import absolute_import, division, print_function

import json
import os
import shutil
import subprocess
import sys
import time

LIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib')
sys.path.insert(0, LIB)

# pylint: disable=wrong-import-position
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._build_root_flow import run_build_root  # noqa: E402
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._errors import ModuleError  # noqa: E402
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._headroom import host_headroom  # noqa: E402
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import LvmClient  # noqa: E402
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._textfile import (  # noqa: E402
    STAMP,
    fleet_textfile,
    write_whole,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._thinpool import read_pool  # noqa: E402

SBIN = ['/usr/sbin', '/sbin', '/usr/bin', '/bin']


class Runner(object):
    """What the collection's module_utils ask of an AnsibleModule: params, check mode, commands, warnings."""

    def __init__(self, params, check_mode):
        self.params = params
        self.check_mode = check_mode
        self._diff = False
        self.warnings = []

    def run_command(self, args, environ_update=None):
        env = dict(os.environ, **(environ_update or {}))
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                   universal_newlines=True)
        out, err = process.communicate()
        return process.returncode, out, err

    @staticmethod
    def get_bin_path(name, required=False, opt_dirs=None):
        found = shutil.which(name, path=os.pathsep.join(os.environ.get('PATH', '').split(os.pathsep) + SBIN))
        if found is None and required:
            raise ModuleError('%s not found in PATH or %s' % (name, ' '.join(SBIN)))
        return found

    def warn(self, warning):
        self.warnings.append(warning)


def config_params(settings, config):
    """build_root's options for one config, as the role's refresh and prune entry points pass them."""
    return {
        'root': config['root'], 'vg': config['vg'], 'pool': config['pool'], 'config': config['name'],
        'basedir': settings['basedir'], 'other_roots': config.get('other_roots', []),
        'state': 'initialized' if config.get('prewarm') else 'present',
        'keep_updates': settings['keep_updates'], 'reap_stale': settings['reap'],
        # Idle chroots only past the role's age limit (0: never), and never a head: as the prune entry point.
        'reap_idle_older_than': settings.get('reap_idle_days') or None, 'reap_idle_head': False,
        'kill_orphans': bool(settings.get('kill_orphans')),
        'declared_roots': [c['root'] for c in settings['configs']], 'mock_command': settings['mock_command'],
        'refresh': settings['refresh'], 'max_age_days': settings['max_age_days'], 'config_file': config['path'],
    }


def maintain(settings, config, check_mode):
    """One config: the build_root result, or the error (busy when a build holds its locks)."""
    runner = Runner(config_params(settings, config), check_mode)
    lvm = LvmClient(runner)
    row = {'config': config['name'], 'root': config['root']}
    try:
        result = run_build_root(runner, lvm)
    except ModuleError as exc:
        details = exc.fail_kwargs()
        row.update(status='busy' if details.get('build_running') else 'error', message=details['msg'],
                   build_running=bool(details.get('build_running')), commands=lvm.commands)
        return row, None
    row.update(status='changed' if result['changed'] else 'ok', refreshed=result['refreshed'],
               refresh_reasons=result['refresh_reasons'], removed=result['removed'], commands=lvm.commands[1:],
               build_running=result['build_running'], warnings=runner.warnings)
    return row, result


def root_row(host, config, result):
    """The fleet report's build root row, with what the textfile needs."""
    fresh = (result or {}).get('freshness') or {}
    row = {'host': host, 'config': config['name'], 'root': config['root'],
           'stale': len((result or {}).get('stale') or []), 'build_running': bool((result or {}).get('build_running'))}
    for key in ('postinit_created', 'start_created', 'newest_update_created', 'config_newer'):
        row[key] = fresh.get(key)
    return row


def pool_rows(host, settings, runner):
    """The fleet report's pool rows, from one lvm fullreport: use, health and the VG's headroom, as pool_report's."""
    report = LvmClient(runner).read_host()
    profile_dir = settings.get('profile_dir', '/etc/lvm/profile')
    pools = [read_pool(report, pool['vg'], pool['name'], profile_dir) for pool in settings['pools']]
    host_headroom(report, pools, profile_dir)
    rows = []
    for facts in pools:
        row = {'host': host, 'vg': facts['vg'], 'pool': facts['name'], 'data_percent': None,
               'metadata_percent': None, 'thin_volumes': None, 'health': None}
        if facts.get('exists'):
            headroom = facts.get('headroom') or {}
            row.update(data_percent=facts['data_percent'] or 0.0, metadata_percent=facts['metadata_percent'] or 0.0,
                       thin_volumes=len(facts['thin_volumes']), health=facts['health'],
                       vg_free_bytes=headroom.get('vg_free'), vg_missing_bytes=headroom.get('vg_missing'),
                       autoextend_steps_left=headroom.get('autoextend_steps_left'))
        rows.append(row)
    return rows


def main(argv):
    if not argv or argv[0].startswith('-'):
        sys.stderr.write(__doc__)
        return 2
    with open(argv[0]) as handle:
        settings = json.load(handle)
    check_mode = '--check' in argv[1:]
    started = time.time()
    roots, failed = [], 0
    for config in settings['configs']:
        row, result = maintain(settings, config, check_mode)
        failed += row['status'] == 'error'
        print(json.dumps(row, sort_keys=True))
        roots.append(root_row(settings['host'], config, result))
    textfile = None
    if settings.get('textfile_dir'):
        pools = pool_rows(settings['host'], settings, Runner({}, check_mode))
        report = {'pools': pools, 'build_roots': roots,
                  'generated': time.strftime(STAMP, time.gmtime())}
        textfile = os.path.join(settings['textfile_dir'], 'mock_lvm.prom')
        if not check_mode:
            write_whole(textfile, fleet_textfile(report))
    print(json.dumps({'summary': True, 'configs': len(roots), 'failed': failed, 'check_mode': check_mode,
                      'textfile': textfile, 'seconds': round(time.time() - started, 2)}, sort_keys=True))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
