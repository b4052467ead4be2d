# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fleet playbooks refuse bad extra vars in their first play, on localhost, against their
argument specs (playbooks/meta/<name>.yml), with the input, its value and what it must be, on
every ansible-core line (validate_argument_spec words its errors differently across lines).

The playbooks run for real with the ansible-playbook of the running Python, as
buildfleet.mock_lvm.<name> from the collection path scripts/test sets up, against an inventory
whose one builder does not exist: a test that got past the first play would fail on it."""
from __future__ import absolute_import, division, print_function

import os
import subprocess
import sys

import pytest

__metaclass__ = type

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# scripts/test (scripts/lib.sh) exports the collection path that holds this collection.
COLLECTIONS = os.environ.get('ANSIBLE_COLLECTIONS_PATH', '')
CASES = [
    # A choice, and a type the validator cannot convert (ansible-core 2.16 does not name the value,
    # the playbook's message adds each refused input's value and description).
    ('pool_report', ['-e', 'pool_report_on_threshold=page', '-e', 'pool_report_threshold=high'],
     ['value of pool_report_on_threshold must be one of: fail, warn, got: page',
      'pool_report_on_threshold=page: What a full or unhealthy pool does: fail',
      "argument 'pool_report_threshold' is of type",
      'pool_report_threshold=high: A pool whose data or metadata use is at or above this percentage']),
    # A limit beyond types (the spec's maximum), checked after the validator.
    ('prune_snapshots', ['-e', 'prune_keep=500'],
     ['prune_keep=500 is refused: Newest postinit_updated_* snapshots kept per config, a whole number from 0 to 100.']),
    # A required input left out.
    ('scrub_build_roots', ['-e', 'scrub_confirm=yes'],
     ['missing required arguments: scrub_configs', 'scrub_configs=(not set): mock config names']),
]


@pytest.mark.parametrize('name, args, expected', CASES, ids=[case[0] for case in CASES])
def test_bad_input_is_refused_in_the_first_play_naming_value_and_fix(tmp_path, name, args, expected):
    assert COLLECTIONS, 'ANSIBLE_COLLECTIONS_PATH must name a path holding buildfleet.mock_lvm (scripts/test sets it)'
    inventory = tmp_path / 'hosts.yml'
    inventory.write_text('builders:\n  hosts:\n    builder-that-does-not-exist:\n      ansible_host: 192.0.2.1\n')
    env = dict(os.environ, ANSIBLE_NOCOLOR='1', ANSIBLE_PYTHON_INTERPRETER=sys.executable,
               ANSIBLE_COLLECTIONS_PATH=COLLECTIONS)
    result = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', str(inventory),
         'buildfleet.mock_lvm.' + name] + args,
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False, timeout=120)
    assert result.returncode == 2, result.stdout
    # Unescaped, as the default callback prints a msg with quotes and newlines in its JSON.
    output = result.stdout.replace('\\n', '\n').replace('\\"', '"')
    missing = [text for text in expected if text not in output]
    assert not missing, 'not in the output: %s\n%s' % (missing, result.stdout)
    assert 'builder-that-does-not-exist' not in output, 'got past the first play:\n' + result.stdout
