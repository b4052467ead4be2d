# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""scripts/gen_playbook_docs.py: what it writes from the fleet playbooks' argument specs, and that
its --check (the docs gate) fails on each kind of drift. The files themselves are checked by the
docs gate of scripts/test; here the check runs on a copy of the tree that each test breaks."""
from __future__ import absolute_import, division, print_function

import importlib.util
import io
import json
import os
import shutil

import pytest
import yaml

__metaclass__ = type

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, 'scripts', 'gen_playbook_docs.py')
PLAYBOOKS = ['pool_report', 'provision_builders', 'prune_snapshots', 'refresh_build_roots', 'scrub_build_roots']


def _load():
    spec = importlib.util.spec_from_file_location('gen_playbook_docs', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load()


@pytest.fixture
def tree(tmp_path):
    """A copy of the files the script reads and writes."""
    for relative in ('playbooks', os.path.join('extensions', 'awx')):
        shutil.copytree(os.path.join(ROOT, relative), str(tmp_path / relative))
    return tmp_path


def check(root):
    out = io.StringIO()
    problems = gen.run(str(root), check=True, out=out)
    return problems, out.getvalue()


def edit(path, old, new):
    text = path.read_text()
    assert old in text, '%r not in %s' % (old, path)
    path.write_text(text.replace(old, new, 1))


def test_the_copy_is_in_sync(tree):
    assert check(tree) == (0, '5 playbook specs: headers, surveys and AWX configuration in sync\n')


def test_every_fleet_playbook_has_a_spec():
    assert sorted(gen.load_specs(ROOT)) == PLAYBOOKS


def test_a_changed_spec_default_is_reported_in_the_playbook_header_survey_and_play(tree):
    edit(tree / 'playbooks' / 'meta' / 'pool_report.yml', 'default: 80\n', 'default: 90\n')
    problems, out = check(tree)
    assert 'playbooks/pool_report.yml: pool_report_threshold defaults to 80 in the play, 90 in playbooks/meta/pool_report.yml' in out
    assert 'playbooks/pool_report.yml is not what playbooks/meta/*.yml give' in out
    assert '+#                             counts as full, a whole number from 1 to 100 (default: 90)' in out
    assert 'extensions/awx/surveys/pool_report.json is not what playbooks/meta/*.yml give' in out
    assert '+      "default": 90,' in out
    assert problems == 3


def test_a_hand_edited_survey_is_reported_and_rewritten(tree):
    survey = tree / 'extensions' / 'awx' / 'surveys' / 'prune_snapshots.json'
    edit(survey, '"max": 100', '"max": 5')
    problems, out = check(tree)
    assert problems == 1 and '-      "max": 5' in out and '+      "max": 100' in out
    out = io.StringIO()
    assert gen.run(str(tree), check=False, out=out) == 0
    assert 'wrote extensions/awx/surveys/prune_snapshots.json' in out.getvalue()
    assert check(tree)[0] == 0


def test_a_hand_edited_header_is_reported(tree):
    edit(tree / 'playbooks' / 'scrub_build_roots.yml', '#   scrub_confirm', '#   scrub_confirmed')
    problems, out = check(tree)
    assert problems == 1 and out.startswith('playbooks/scrub_build_roots.yml is not what')


def test_a_playbook_that_does_not_validate_its_inputs_is_reported(tree):
    edit(tree / 'playbooks' / 'prune_snapshots.yml', 'fleet_playbook: prune_snapshots', 'fleet_playbook: pool_report')
    problems, out = check(tree)
    assert problems == 1
    assert 'playbooks/prune_snapshots.yml: its first play must be on localhost and import tasks/check_inputs.yml' in out


def test_a_default_for_a_required_input_and_a_missing_default_are_reported(tree):
    edit(tree / 'playbooks' / 'scrub_build_roots.yml', '    scrub_confirm: ""\n', '    scrub_configs: ""\n')
    problems, out = check(tree)
    assert 'scrub_configs is required by the spec, the play gives it a default' in out
    assert "the play has no default for scrub_confirm (spec: '')" in out
    assert problems == 2


def test_a_wrapper_importing_another_playbook_is_reported(tree):
    edit(tree / 'extensions' / 'awx' / 'pool_report.yml', 'import_playbook: buildfleet.mock_lvm.pool_report',
         'ansible.builtin.import_playbook: buildfleet.mock_lvm.prune_snapshots')
    problems, out = check(tree)
    assert "extensions/awx/pool_report.yml: must import only buildfleet.mock_lvm.pool_report, imports [None]" in out
    assert 'extensions/awx/pool_report.yml: AWX would not offer it as a playbook' in out
    assert problems == 2


def test_a_survey_without_a_spec_is_reported(tree):
    (tree / 'extensions' / 'awx' / 'surveys' / 'old_playbook.json').write_text('{}')
    problems, out = check(tree)
    assert problems == 1 and 'surveys/old_playbook.json: no playbook spec playbooks/meta/old_playbook.yml' in out


@pytest.mark.parametrize('name', PLAYBOOKS)
def test_survey_questions_follow_the_spec(name):
    spec = gen.load_specs(ROOT)[name]
    survey = gen.survey(name, spec)
    questions = {item['variable']: item for item in survey['spec']}
    assert list(questions) == list(spec['options'])
    for variable, option in spec['options'].items():
        item = questions[variable]
        assert item['question_description'].endswith('(%s).' % variable)
        if option['type'] in ('int', 'float'):
            wanted = (gen.SURVEY_TYPES[option['type']], option['minimum'], option['maximum'])
            assert (item['type'], item['min'], item['max']) == wanted
            assert item['min'] <= item['default'] <= item['max']
        elif option.get('choices'):
            assert item['type'] == 'multiplechoice' and item['choices'] == option['choices']
            assert item['default'] in item['choices']
        else:
            assert item['type'] == 'text' and isinstance(item['default'], str)
            if item['default']:
                assert item['min'] <= len(item['default']) <= item['max']


def test_aap_configuration_has_every_job_template_with_its_survey_and_the_report_schedule():
    with open(os.path.join(ROOT, 'extensions', 'awx', 'configuration', 'aap_configuration.yml')) as handle:
        data = yaml.safe_load(handle)
    templates = {item['name'].replace('{{ fleet_awx_name_prefix }}', ''): item for item in data['controller_templates']}
    assert sorted(templates) == PLAYBOOKS
    for name, template in templates.items():
        assert template['playbook'] == '{{ fleet_awx_playbook_prefix }}%s.yml' % name
        assert 'surveys/%s.json' % name in template['survey_spec'] and template['survey_enabled'] is True
        assert os.path.isfile(os.path.join(ROOT, 'extensions', 'awx', 'surveys', name + '.json'))
        with open(os.path.join(ROOT, 'extensions', 'awx', 'surveys', name + '.json')) as handle:
            assert json.load(handle)['spec']
    sliced = sorted(name for name, template in templates.items() if 'job_slice_count' in template)
    assert sliced == ['pool_report', 'provision_builders', 'refresh_build_roots']
    assert [item['unified_job_template'] for item in data['controller_schedules']] == [
        '{{ fleet_awx_name_prefix }}%s' % name for name in ('pool_report', 'prune_snapshots', 'refresh_build_roots')]
    assert [item['rrule'] for item in data['controller_schedules']] == [
        '{{ fleet_awx_%s_rrule }}' % name for name in ('pool_report', 'prune_snapshots', 'refresh_build_roots')]
    assert data['controller_schedules'][1]['extra_data'] == {'prune_reap': 'yes'}


def test_a_survey_question_missing_from_the_awx_readme_table_is_reported(tree):
    edit(tree / 'extensions' / 'awx' / 'README.md', '; Reap working volumes of killed runs (`prune_reap`)', '')
    problems, out = check(tree)
    assert problems == 1 and 'extensions/awx/README.md is not what playbooks/meta/*.yml give' in out
    assert '+| `mock_lvm prune_snapshots` |' in out and 'Reap working volumes of killed runs (`prune_reap`)' in out


def test_the_awx_readme_table_names_every_survey_question():
    with open(os.path.join(ROOT, 'extensions', 'awx', 'README.md')) as handle:
        readme = handle.read()
    table = readme[readme.index(gen.TABLE_BEGIN):readme.index(gen.TABLE_END)]
    for name, spec in gen.load_specs(ROOT).items():
        row = [line for line in table.splitlines() if line.startswith('| `mock_lvm %s` |' % name)]
        assert len(row) == 1, name
        for question in gen.survey(name, spec)['spec']:
            assert '%s (`%s`' % (question['question_name'], question['variable']) in row[0], (name, question['variable'])
