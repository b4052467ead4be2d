# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""extensions/awx/setup_job_templates.yml hands infra.aap_configuration's roles the objects of
configuration/aap_configuration.yml with the site's names filled in. No controller is reachable here, so the
three roles are stand-ins (a stub collection infra.aap_configuration) that print the variables they
get; the playbook itself runs for real with the ansible-playbook of the running Python."""
from __future__ import absolute_import, division, print_function

import json
import os
import subprocess
import sys

import pytest

__metaclass__ = type

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AWX_DIR = os.path.join(ROOT, 'extensions', 'awx')
ROLES = {
    'controller_projects': 'controller_projects',
    'controller_job_templates': 'controller_templates',
    'controller_schedules': 'controller_schedules',
}
SITE = ['-e', 'fleet_awx_scm_url=https://git.example.com/builders.git', '-e', 'fleet_awx_inventory=builders',
        '-e', 'fleet_awx_machine_credential=builders-ssh', '-e', 'fleet_awx_organization=Builders']


@pytest.fixture
def stub_collections(tmp_path):
    """A collection infra.aap_configuration whose roles print their variable (debug: no module runs)."""
    collection = tmp_path / 'ansible_collections' / 'infra' / 'aap_configuration'
    (collection / 'meta').mkdir(parents=True)
    (collection / 'galaxy.yml').write_text('namespace: infra\nname: aap_configuration\nversion: 3.0.0\n')
    (collection / 'meta' / 'runtime.yml').write_text('requires_ansible: ">=2.16.0"\n')
    for role, variable in ROLES.items():
        tasks = collection / 'roles' / role / 'tasks'
        tasks.mkdir(parents=True)
        (tasks / 'main.yml').write_text(
            '- ansible.builtin.debug:\n    msg: "STUB {{ {\'%s\': %s} | to_json }}"\n' % (variable, variable))
    return tmp_path


def run_setup(collections, *args):
    playbook = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_NOCOLOR='1',
               ANSIBLE_LOCALHOST_WARNING='0', ANSIBLE_INVENTORY_UNPARSED_WARNING='0', ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    return subprocess.run([playbook, '-i', 'localhost,', os.path.join(AWX_DIR, 'setup_job_templates.yml')] + list(args),
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          check=False, timeout=120)


def printed(result):
    """{variable: value} of what the stub roles printed."""
    seen = {}
    for line in result.stdout.splitlines():
        if line.strip().startswith('"msg": "STUB '):
            seen.update(json.loads(json.loads('{%s}' % line)['msg'][len('STUB '):]))
    return seen


def test_the_roles_get_the_objects_with_the_site_filled_in(stub_collections):
    result = run_setup(stub_collections, *(SITE + ['-e', 'fleet_awx_playbook_dir=extensions/awx/', '-e', 'fleet_awx_job_slice_count=3']))
    assert result.returncode == 0, result.stdout
    seen = printed(result)
    assert sorted(seen) == sorted(ROLES.values())
    projects, templates, schedules = seen['controller_projects'], seen['controller_templates'], seen['controller_schedules']
    assert [(p['name'], p['organization'], p['scm_url'], p['credential']) for p in projects] == [
        ('buildfleet.mock_lvm fleet', 'Builders', 'https://git.example.com/builders.git', '')]
    by_name = {template['name']: template for template in templates}
    assert sorted(by_name) == ['mock_lvm pool_report', 'mock_lvm provision_builders', 'mock_lvm prune_snapshots',
                               'mock_lvm refresh_build_roots', 'mock_lvm scrub_build_roots']
    for name, template in by_name.items():
        short = name[len('mock_lvm '):]
        assert template['playbook'] == 'extensions/awx/%s.yml' % short
        assert (template['inventory'], template['credentials'], template['project']) == (
            'builders', ['builders-ssh'], 'buildfleet.mock_lvm fleet')
        with open(os.path.join(AWX_DIR, 'surveys', short + '.json')) as handle:
            assert template['survey_spec'] == json.load(handle)
        assert template['become_enabled'] in (True, 'True')
    slices = {name: template.get('job_slice_count') for name, template in by_name.items()}
    assert {name: int(count) for name, count in slices.items() if count is not None} == {
        'mock_lvm pool_report': 3, 'mock_lvm provision_builders': 3, 'mock_lvm refresh_build_roots': 3}
    assert [(s['name'], s['unified_job_template'], s['rrule'], s['enabled']) for s in schedules] == [
        ('mock_lvm pool_report hourly', 'mock_lvm pool_report', 'DTSTART:20260101T000000Z RRULE:FREQ=HOURLY;INTERVAL=1',
         True),
        ('mock_lvm prune_snapshots nightly', 'mock_lvm prune_snapshots',
         'DTSTART:20260101T020000Z RRULE:FREQ=DAILY;INTERVAL=1', True),
        ('mock_lvm refresh_build_roots weekly', 'mock_lvm refresh_build_roots',
         'DTSTART:20260104T030000Z RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=SU', True)]
    # The nightly prune also reaps what killed builds left.
    assert [s.get('extra_data') for s in schedules] == [None, {'prune_reap': 'yes'}, None]


STUB_MODULE = '''#!/usr/bin/python
# WANT_JSON
# A stand-in for an awx.awx module: it appends its name and the parameters it was given to a file,
# and changes nothing.
import json
import sys

with open(sys.argv[1]) as handle:
    args = json.load(handle)
with open(%r, 'a') as log:
    log.write(json.dumps([%r, dict((k, v) for k, v in args.items() if not k.startswith('_ansible'))]) + '\\n')
print(json.dumps({'changed': False}))
'''
MODULES = ('project', 'job_template', 'schedule')


@pytest.fixture
def stub_awx(tmp_path):
    """A collection awx.awx whose project, job_template and schedule modules record what they get."""
    collection = tmp_path / 'ansible_collections' / 'awx' / 'awx'
    modules = collection / 'plugins' / 'modules'
    modules.mkdir(parents=True)
    (collection / 'galaxy.yml').write_text('namespace: awx\nname: awx\nversion: 24.6.1\n')
    (collection / 'meta').mkdir()
    (collection / 'meta' / 'runtime.yml').write_text('requires_ansible: ">=2.16.0"\n')
    for name in MODULES:
        (modules / (name + '.py')).write_text(STUB_MODULE % (str(tmp_path / 'calls.jsonl'), name))
    return tmp_path


def received(collections):
    """{module: [parameters of each call]}, in call order."""
    calls = dict((name, []) for name in MODULES)
    path = collections / 'calls.jsonl'
    for line in (path.read_text().splitlines() if path.exists() else []):
        name, params = json.loads(line)
        calls[name].append(params)
    return calls


def test_awx_awx_gets_the_same_objects_with_empty_values_left_unset(stub_awx):
    result = run_setup(stub_awx, *(SITE + ['-e', 'fleet_awx_apply_with=awx.awx', '-e', 'fleet_awx_job_slice_count=2']))
    assert result.returncode == 0, result.stdout
    calls = received(stub_awx)
    project = calls['project']
    assert [(p['name'], p['organization'], p['scm_url']) for p in project] == [
        ('buildfleet.mock_lvm fleet', 'Builders', 'https://git.example.com/builders.git')]
    assert 'credential' not in project[0] and 'default_environment' not in project[0]  # '' is left unset
    templates = calls['job_template']
    assert sorted(t['name'] for t in templates) == ['mock_lvm pool_report', 'mock_lvm provision_builders',
                                                    'mock_lvm prune_snapshots', 'mock_lvm refresh_build_roots',
                                                    'mock_lvm scrub_build_roots']
    for template in templates:
        short = template['name'][len('mock_lvm '):]
        assert template['playbook'] == '%s.yml' % short and template['credentials'] == ['builders-ssh']
        with open(os.path.join(AWX_DIR, 'surveys', short + '.json')) as handle:
            assert template['survey_spec'] == json.load(handle)
        assert template['become_enabled'] is True and 'execution_environment' not in template
    assert sorted((t['name'], int(t['job_slice_count'])) for t in templates if 'job_slice_count' in t) == [
        ('mock_lvm pool_report', 2), ('mock_lvm provision_builders', 2), ('mock_lvm refresh_build_roots', 2)]
    assert [(s['name'], s['unified_job_template'], s['enabled']) for s in calls['schedule']] == [
        ('mock_lvm pool_report hourly', 'mock_lvm pool_report', True),
        ('mock_lvm prune_snapshots nightly', 'mock_lvm prune_snapshots', True),
        ('mock_lvm refresh_build_roots weekly', 'mock_lvm refresh_build_roots', True)]


def test_an_unknown_way_to_apply_is_refused(stub_awx):
    result = run_setup(stub_awx, *(SITE + ['-e', 'fleet_awx_apply_with=tower']))
    assert result.returncode != 0 and 'fleet_awx_apply_with infra.aap_configuration or awx.awx (got tower)' in result.stdout
    assert received(stub_awx) == {'project': [], 'job_template': [], 'schedule': []}
