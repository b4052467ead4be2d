# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Compare the commands every module unit test runs, between a git revision and the working tree.

    .tmp/venv-main/bin/python scripts/command_counts.py REV

Runs tests/unit/plugins/modules of both trees with a recording plugin (each test's fake run_command
calls, temporary paths folded), then prints a table per module: tests, commands run at REV and now,
the LVM commands among them, and the tests whose command lists differ (listed after the table).
A refactoring that keeps behaviour shows 0 in the last column.
"""

import collections
import json
import os
import re
import subprocess
import sys
import tempfile

PLUGIN = r'''
import json, os, re
RECORD = {}
TMP = re.compile(r'/tmp/pytest-of-[^/]+/pytest-\d+/[^/ ]+')
TEMP_NAME = re.compile(r'\.[a-z0-9_]{8}\.cfg')  # mkstemp's candidate names
def pytest_runtest_teardown(item, nextitem):
    fake = getattr(item, 'funcargs', {}).get('fake_lvm')
    if fake is not None:
        RECORD[item.nodeid] = [TEMP_NAME.sub('.XXXXXXXX.cfg', TMP.sub('TMP', ' '.join(c.command))) for c in fake.calls]
def pytest_sessionfinish(session, exitstatus):
    with open(os.environ['COMMAND_RECORD'], 'w') as handle:
        json.dump(RECORD, handle)
'''
LVM_TOOLS = ('lvs', 'vgs', 'pvs', 'lvm', 'lvcreate', 'lvextend', 'lvchange', 'lvremove')


def record(tree, work):
    """{test id: [command, ...]} of tree's module unit tests."""
    collections_dir = os.path.join(work, os.path.basename(tree) + '-collections')
    link = os.path.join(collections_dir, 'ansible_collections', 'buildfleet', 'mock_lvm')
    os.makedirs(os.path.dirname(link))
    os.symlink(tree, link)
    out = os.path.join(work, os.path.basename(tree) + '.json')
    env = dict(os.environ, COMMAND_RECORD=out, PYTHONPATH=collections_dir + os.pathsep + work)
    subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-p', 'record_commands',
                    'tests/unit/plugins/modules'], cwd=link, env=env, check=True, stdout=subprocess.DEVNULL)
    with open(out) as handle:
        return json.load(handle)


def lvm_count(commands):
    return sum(1 for command in commands if command.split(' ', 1)[0] in LVM_TOOLS)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    work = tempfile.mkdtemp(prefix='command-counts.')
    with open(os.path.join(work, 'record_commands.py'), 'w') as handle:
        handle.write(PLUGIN)
    old_tree = os.path.join(work, 'at-rev')
    subprocess.run(['git', '-C', root, 'worktree', 'add', '-q', '--detach', old_tree, sys.argv[1]], check=True)
    try:
        old, new = record(old_tree, work), record(root, work)
    finally:
        subprocess.run(['git', '-C', root, 'worktree', 'remove', '--force', old_tree], check=True)
    rows = collections.OrderedDict()
    differing = []
    for test in sorted(set(old) & set(new)):
        module = re.sub(r'^.*/test_(\w+)\.py::.*$', r'\1', test)
        row = rows.setdefault(module, [0, 0, 0, 0, 0, 0])
        row[0] += 1
        row[1] += len(old[test])
        row[2] += len(new[test])
        row[3] += lvm_count(old[test])
        row[4] += lvm_count(new[test])
        if old[test] != new[test]:
            row[5] += 1
            differing.append(test)
    print('| tests of | tests | commands at %s | now | LVM commands at %s | now | tests that differ |'
          % (sys.argv[1], sys.argv[1]))
    print('|---|---|---|---|---|---|---|')
    for module, row in rows.items():
        print('| %s | %s |' % (module, ' | '.join(str(n) for n in row)))
    print('\ntests only at %s: %d; only now: %d' % (sys.argv[1], len(set(old) - set(new)), len(set(new) - set(old))))
    for test in differing:
        print('differs: %s\n  at %s: %s\n  now: %s' % (test, sys.argv[1], old[test], new[test]))
    return 1 if differing else 0


if __name__ == '__main__':
    sys.exit(main())
