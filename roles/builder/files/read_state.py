# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Read, in one round trip, what the builder role manages, so that a run on a provisioned
host only reads: the role acts only on what differs. Changes nothing.

Run by the role as `python -c <this file> <json>`; prints one JSON object.
Input keys: packages, units, volume_groups [{name, devices, force}], directories
[{path, owner, group, mode}], group, users.
Written for every Python a target may have (3.6 on EL8 on).
"""
import grp
import json
import os
import pwd
import subprocess
import sys

ENV = dict(os.environ, LC_ALL='C')


def run(argv):
    """(rc, stdout) of a command; rc 127 when it is not installed."""
    try:
        with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV) as proc:
            out = proc.communicate()[0]
    except OSError:
        return 127, ''
    return proc.returncode, out.decode('utf-8', 'replace')


def missing_packages(packages):
    rpm_host = run(['rpm', '--version'])[0] == 0 and run(['dpkg-query', '--version'])[0] != 0
    missing = []
    for package in packages:
        if rpm_host:
            installed = run(['rpm', '-q', package])[0] == 0
        else:
            rc, out = run(['dpkg-query', '-W', '-f=${db:Status-Abbrev}', package])
            installed = rc == 0 and out.startswith('ii')
        if not installed:
            missing.append(package)
    return missing


def units_to_start(units):
    """Units that are not both enabled and active."""
    pending = []
    for unit in units:
        enabled = run(['systemctl', 'is-enabled', unit])[1].strip() in ('enabled', 'static', 'indirect')
        active = run(['systemctl', 'is-active', unit])[1].strip() == 'active'
        if not (enabled and active):
            pending.append(unit)
    return pending


def physical_volumes():
    """{resolved device: volume group} for every physical volume."""
    rc, out = run(['pvs', '--noheadings', '--separator', '|', '-o', 'pv_name,vg_name'])
    result = {}
    if rc == 0:
        for line in out.splitlines():
            if '|' in line:
                pv, vg = [part.strip() for part in line.split('|', 1)]
                result[os.path.realpath(pv)] = vg
    return result


def signature(device):
    rc, out = run(['blkid', '-p', '-s', 'TYPE', '-o', 'value', device])
    return out.strip() if rc == 0 else ''


def volume_groups(groups):
    """Devices that would destroy something (foreign), and groups that need the lvg module."""
    pvs = physical_volumes()
    foreign, to_change = [], []
    for group in groups:
        devices = [os.path.realpath(d) for d in group['devices']]
        for given, device in zip(group['devices'], devices):
            owner = pvs.get(device)
            if group.get('force'):
                continue
            if owner and owner != group['name']:
                foreign.append('%s (a physical volume of volume group %s)' % (given, owner))
            elif not owner:
                fstype = signature(device)
                if fstype and fstype != 'LVM2_member':
                    foreign.append('%s (carries a %s signature)' % (given, fstype))
        current = sorted(pv for pv, vg in pvs.items() if vg == group['name'])
        if current != sorted(devices):
            to_change.append(group['name'])
    return foreign, to_change


def directories_to_fix(directories):
    pending = []
    for want in directories:
        try:
            st = os.stat(want['path'])
            have = (pwd.getpwuid(st.st_uid).pw_name, grp.getgrgid(st.st_gid).gr_name, '%04o' % (st.st_mode & 0o7777))
        except (OSError, KeyError):
            have = None
        if have != (want['owner'], want['group'], want['mode']) or not os.path.isdir(want['path']):
            pending.append(want['path'])
    return pending


def users_to_add(group, users):
    try:
        entry = grp.getgrnam(group)
    except KeyError:
        return list(users)
    pending = []
    for user in users:
        try:
            primary = pwd.getpwnam(user).pw_gid == entry.gr_gid
        except KeyError:
            primary = False
        if not primary and user not in entry.gr_mem:
            pending.append(user)
    return pending


def main():
    want = json.loads(sys.argv[1])
    foreign, vgs = volume_groups(want.get('volume_groups', []))
    try:
        grp.getgrnam(want.get('group', 'mock'))
        group_exists = True
    except KeyError:
        group_exists = False
    print(json.dumps({
        'missing_packages': missing_packages(want.get('packages', [])),
        'units_to_start': units_to_start(want.get('units', [])),
        'foreign_devices': foreign,
        'volume_groups_to_change': vgs,
        'group_exists': group_exists,
        'directories_to_fix': directories_to_fix(want.get('directories', [])),
        'users_to_add': users_to_add(want.get('group', 'mock'), want.get('users', [])),
    }))


if __name__ == '__main__':
    main()
