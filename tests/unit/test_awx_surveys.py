# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AWX material in extensions/awx agrees with the fleet playbooks it launches.

For every survey ``extensions/awx/surveys/<name>.json``:

* the wrapper ``extensions/awx/<name>.yml`` exists, AWX would offer it as a playbook, and it imports
  ``buildfleet.mock_lvm.<name>``, which exists as ``playbooks/<name>.yml``;
* the survey has the shape AWX's API accepts (the checks of its survey_spec endpoint);
* every survey variable is a variable of the playbook's input play (its first play with ``vars:``; a guard
  play without vars may come before it), with the same default, of the Python type the question type
  produces, within the question's min/max and, for a choice, among the choices;
* every variable of that play is asked, unless it is listed in ``NOT_ASKED`` below with the reason,
  and the inputs the playbook's header lists ("Inputs (extra vars; an AWX survey sets the same)") are
  exactly the survey's variables, and any ``var | default(...)`` of an input elsewhere in the playbook
  (a guard play) spells the same default;
* setup_job_templates.yml creates one job template per survey.

``survey_problems`` is a plain function over dicts, so a deliberately wrong survey shows that the checks
report what they should (``test_a_wrong_survey_is_reported``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import json
import os
import re

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
AWX_DIR = os.path.join(ROOT, 'extensions', 'awx')
SURVEY_DIR = os.path.join(AWX_DIR, 'surveys')
PLAYBOOK_DIR = os.path.join(ROOT, 'playbooks')
SETUP_PLAYBOOK = os.path.join(AWX_DIR, 'setup_job_templates.yml')
COLLECTION = 'buildfleet.mock_lvm'

# Question type -> the Python type of the value AWX passes to the playbook (and of the default).
SURVEY_TYPES = {
    'text': str,
    'textarea': str,
    'password': str,
    'multiplechoice': str,
    'multiselect': list,
    'integer': int,
    'float': float,
}
LENGTH_LIMITED = ('text', 'textarea', 'password')
VALUE_LIMITED = ('integer', 'float')

# Variables of a playbook's input play that are not operator inputs, so no survey asks them.
NOT_ASKED = {
    'pool_report': {
        'pool_report_pool_columns': 'column layout of the pool table and CSV, not an input',
        'pool_report_root_columns': 'column layout of the build root table and CSV, not an input',
    },
    'prune_snapshots': {
        'prune_columns': 'column layout of the result table, not an input',
    },
    'scrub_build_roots': {
        'scrub_columns': 'column layout of the result table, not an input',
    },
}

# How AWX decides that a project file is a playbook (awx/main/utils/ansible.py, could_be_playbook).
AWX_PLAYBOOK_LINE = re.compile(r'^\s*?-?\s*?(?:hosts|include|import_playbook):\s*?.*?$')
IMPORT_KEYS = ('import_playbook', 'ansible.builtin.import_playbook')
HEADER_INPUTS = re.compile(r'^# Inputs\b.*$')
HEADER_INPUT_LINE = re.compile(r'^#\s{2,}(\S+)')
INLINE_DEFAULT = re.compile(r"\b([a-z_][a-z0-9_]*)\s*\|\s*default\(\s*('[^']*'|\"[^\"]*\"|-?[0-9.]+)\s*[,)]")


def survey_names():
    if not os.path.isdir(SURVEY_DIR):
        return []
    return sorted(name[:-len('.json')] for name in os.listdir(SURVEY_DIR) if name.endswith('.json'))


def load_survey(name):
    with open(os.path.join(SURVEY_DIR, name + '.json')) as handle:
        return json.load(handle)


def load_yaml(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


def input_play(name):
    """The play of playbooks/<name>.yml that holds the inputs (the first play with vars:), the text of the file,
    and the inputs its header lists (see header_inputs)."""
    path = os.path.join(PLAYBOOK_DIR, name + '.yml')
    data = load_yaml(path)
    assert isinstance(data, list) and data, '%s: not a list of plays' % path
    plays = [play for play in data if isinstance(play, dict) and isinstance(play.get('vars'), dict)]
    assert plays, '%s: no play has a vars: mapping (the inputs and their defaults)' % path
    with open(path) as handle:
        text = handle.read()
    return plays[0], text, header_inputs(text)


def header_inputs(text):
    """The inputs a playbook's header lists after "# Inputs ...", as "#   name   description" lines (None: no block).

    Every input sits at the first one's indentation; deeper lines continue a description.
    """
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if not HEADER_INPUTS.match(line):
            continue
        documented, indent = [], None
        for following in lines[index + 1:]:
            match = HEADER_INPUT_LINE.match(following)
            if not match:
                break
            if indent is None or match.start(1) == indent:
                indent = match.start(1)
                documented.append(match.group(1))
            elif match.start(1) < indent:
                break
        return documented
    return None


def inline_default_problems(name, text, play_vars):
    """Other plays (a guard play, say) spell an input's default as `var | default(...)`: it must be the same."""
    problems = []
    for match in INLINE_DEFAULT.finditer(text):
        variable, literal = match.group(1), match.group(2)
        if variable not in play_vars:
            continue
        try:
            value = ast.literal_eval(literal)
        except (ValueError, SyntaxError):
            continue
        if value != play_vars[variable] or type(value) is not type(play_vars[variable]):  # pylint: disable=unidiomatic-typecheck
            problems.append('%s: playbooks/%s.yml uses %s | default(%s), the input play defaults it to %r'
                            % (name, name, variable, literal, play_vars[variable]))
    return problems


def _type_name(value):
    return type(value).__name__


def _choices(item):
    choices = item.get('choices')
    if isinstance(choices, str):
        choices = [choice for choice in choices.splitlines() if choice.strip()]
    return choices


def _item_problems(where, item, play_vars):
    """Problems of one question, each message starting with `where` (playbook and variable)."""
    problems = []
    for key, expected in (('question_name', str), ('question_description', str), ('variable', str),
                          ('type', str), ('required', bool)):
        if not isinstance(item.get(key), expected):
            problems.append('%s: %s must be a %s, got %r' % (where, key, expected.__name__, item.get(key)))
    qtype = item.get('type')
    if qtype not in SURVEY_TYPES:
        problems.append('%s: type %r is not one of %s' % (where, qtype, ', '.join(sorted(SURVEY_TYPES))))
        return problems
    for key in ('min', 'max'):
        if key in item and item[key] is not None and (not isinstance(item[key], int) or isinstance(item[key], bool)):
            problems.append('%s: %s must be an integer (AWX refuses others), got %r' % (where, key, item[key]))
            return problems
    if 'default' not in item:
        problems.append('%s: no default (the playbook has one)' % where)
        return problems
    default = item['default']
    expected_type = SURVEY_TYPES[qtype]
    if type(default) is not expected_type:  # pylint: disable=unidiomatic-typecheck  # bool is not an int here
        problems.append('%s: a %s question needs a %s default, got %r (%s)'
                        % (where, qtype, expected_type.__name__, default, _type_name(default)))
    variable = item.get('variable')
    if variable in play_vars:
        play_default = play_vars[variable]
        if type(play_default) is not expected_type:  # pylint: disable=unidiomatic-typecheck
            problems.append('%s: the playbook default %r is a %s, a %s question gives a %s'
                            % (where, play_default, _type_name(play_default), qtype, expected_type.__name__))
        elif default != play_default or type(default) is not type(play_default):  # pylint: disable=unidiomatic-typecheck
            problems.append('%s: survey default %r differs from the playbook default %r' % (where, default, play_default))
    low, high = item.get('min'), item.get('max')
    if isinstance(low, int) and isinstance(high, int) and low > high:
        problems.append('%s: min %r is above max %r' % (where, low, high))
    if qtype in VALUE_LIMITED and isinstance(default, (int, float)) and not isinstance(default, bool):
        if isinstance(low, int) and default < low:
            problems.append('%s: default %r is below min %r' % (where, default, low))
        if isinstance(high, int) and default > high:
            problems.append('%s: default %r is above max %r' % (where, default, high))
    if qtype in LENGTH_LIMITED and isinstance(default, str) and default != '':
        # For text, min and max limit the length; an empty default is AWX's "no default".
        if isinstance(low, int) and len(default) < low:
            problems.append('%s: default %r is shorter than min %r' % (where, default, low))
        if isinstance(high, int) and len(default) > high:
            problems.append('%s: default %r is longer than max %r' % (where, default, high))
    if qtype in ('multiplechoice', 'multiselect'):
        choices = _choices(item)
        if not isinstance(choices, list) or not choices or not all(isinstance(c, str) for c in choices):
            problems.append('%s: a %s question needs choices, a non-empty list of strings, got %r'
                            % (where, qtype, item.get('choices')))
        elif len(set(choices)) != len(choices):
            problems.append('%s: duplicate choices in %r' % (where, choices))
        else:
            picked = default if isinstance(default, list) else [default]
            outside = [value for value in picked if value not in choices]
            if outside:
                problems.append('%s: default %r not among the choices %r' % (where, outside, choices))
    return problems


def survey_problems(name, survey, play_vars, documented_inputs=None, not_asked=None):
    """Every disagreement between `survey` (a survey_spec dict) and the input play's `vars` of playbook `name`.

    documented_inputs: the inputs the playbook's header lists (None: not checked).
    not_asked: {variable: reason} of play variables no survey asks.
    """
    problems = []
    not_asked = dict(not_asked or {})
    if not isinstance(survey, dict):
        return ['%s: the survey is not a JSON object' % name]
    for key in ('name', 'description'):
        if not isinstance(survey.get(key), str):
            problems.append('%s: survey %s must be a string, got %r' % (name, key, survey.get(key)))
    spec = survey.get('spec')
    if not isinstance(spec, list) or not spec:
        return problems + ['%s: survey spec must be a non-empty list of questions, got %r' % (name, spec)]
    if not isinstance(play_vars, dict):
        return problems + ['%s: the input play of playbooks/%s.yml has no vars: mapping' % (name, name)]
    asked = []
    for index, item in enumerate(spec):
        if not isinstance(item, dict):
            problems.append('%s: question %d is not a JSON object' % (name, index))
            continue
        variable = item.get('variable')
        where = '%s: question %d (%s)' % (name, index, variable)
        if variable in asked:
            problems.append('%s: variable asked twice' % where)
        asked.append(variable)
        if variable not in play_vars:
            problems.append('%s: not a variable of the input play of playbooks/%s.yml (its vars: %s)'
                            % (where, name, ', '.join(sorted(play_vars))))
        if variable in not_asked:
            problems.append('%s: asked although NOT_ASKED says: %s' % (where, not_asked[variable]))
        problems.extend(_item_problems(where, item, play_vars))
    for variable in sorted(play_vars):
        if variable not in asked and variable not in not_asked:
            problems.append('%s: play variable %s (default %r) is not in the survey' % (name, variable, play_vars[variable]))
    for variable in sorted(not_asked):
        if variable not in play_vars:
            problems.append('%s: NOT_ASKED lists %s, which is no longer a variable of the play' % (name, variable))
    if documented_inputs is not None:
        for variable in documented_inputs:
            if variable not in asked:
                problems.append('%s: the playbook header lists input %s, the survey does not ask it' % (name, variable))
        for variable in asked:
            if variable not in documented_inputs:
                problems.append('%s: the survey asks %s, the playbook header does not list it as an input' % (name, variable))
    return problems


def wrapper_problems(name):
    """Problems of extensions/awx/<name>.yml: missing, not seen by AWX, or importing another playbook."""
    path = os.path.join(AWX_DIR, name + '.yml')
    if not os.path.isfile(path):
        return ['%s: no wrapper playbook %s' % (name, os.path.relpath(path, ROOT))]
    problems = []
    with open(path) as handle:
        if not any(AWX_PLAYBOOK_LINE.match(line) for line in handle):
            problems.append('%s: AWX would not offer %s as a playbook (no line starts with hosts:, include: or '
                            'import_playbook:)' % (name, os.path.relpath(path, ROOT)))
    data = load_yaml(path)
    imports = []
    for entry in data if isinstance(data, list) else []:
        if isinstance(entry, dict):
            imports.extend(entry[key] for key in IMPORT_KEYS if key in entry)
    wanted = '%s.%s' % (COLLECTION, name)
    if imports != [wanted]:
        problems.append('%s: %s must import only %s, imports %r' % (name, os.path.relpath(path, ROOT), wanted, imports))
    if not os.path.isfile(os.path.join(PLAYBOOK_DIR, name + '.yml')):
        problems.append('%s: the collection has no playbook %s (playbooks/%s.yml)' % (name, wanted, name))
    return problems


def setup_job_template_names():
    plays = load_yaml(SETUP_PLAYBOOK)
    return sorted(item['name'] for item in plays[0]['vars']['fleet_awx_job_templates'])


# --------------------------------------------------------------------------- the real files

def test_surveys_wrappers_and_job_templates_are_the_same_set():
    surveys = survey_names()
    assert surveys, 'no survey JSON files in %s' % SURVEY_DIR
    wrappers = sorted(name[:-len('.yml')] for name in os.listdir(AWX_DIR)
                      if name.endswith('.yml') and name != os.path.basename(SETUP_PLAYBOOK))
    job_templates = setup_job_template_names()
    assert surveys == wrappers == job_templates, (
        'surveys/*.json %s, wrapper playbooks %s and the job templates of setup_job_templates.yml %s differ'
        % (surveys, wrappers, job_templates))


@pytest.mark.parametrize('name', survey_names())
def test_wrapper_imports_the_collection_playbook(name):
    problems = wrapper_problems(name)
    assert not problems, '\n' + '\n'.join(problems)


@pytest.mark.parametrize('name', survey_names())
def test_survey_matches_the_playbook(name):
    if not os.path.isfile(os.path.join(PLAYBOOK_DIR, name + '.yml')):
        pytest.fail('%s: surveys/%s.json has no playbook playbooks/%s.yml' % (name, name, name))
    play, text, documented = input_play(name)
    assert documented is not None, (
        '%s: playbooks/%s.yml has no "# Inputs" block in its header listing the inputs a survey sets' % (name, name))
    problems = survey_problems(name, load_survey(name), play['vars'], documented, NOT_ASKED.get(name))
    problems.extend(inline_default_problems(name, text, play['vars']))
    assert not problems, '\n' + '\n'.join(problems)


# --------------------------------------------------------------------------- the checks can fail

PLAY_VARS = {
    'fleet_hosts': 'builders',
    'keep': 1,
    'mode': 'fail',
    'ratio': 0.5,
    'configs': '',
    'columns': ['host'],
}


def _question(variable, qtype, default, **extra):
    item = dict(question_name=variable, question_description='the ' + variable, required=False,
                type=qtype, variable=variable, default=default)
    item.update(extra)
    return item


def test_a_correct_survey_passes():
    survey = dict(name='example', description='', spec=[
        _question('fleet_hosts', 'text', 'builders', min=1, max=1024),
        _question('keep', 'integer', 1, min=0, max=10),
        _question('mode', 'multiplechoice', 'fail', choices=['fail', 'warn']),
        _question('ratio', 'float', 0.5),
        _question('configs', 'text', '', min=1, max=100),
    ])
    assert survey_problems('example', survey, PLAY_VARS, not_asked={'columns': 'layout'}) == []


def test_a_wrong_survey_is_reported():
    survey = dict(name='example', description='', spec=[
        _question('fleet_hosts', 'text', 'all'),                                     # default differs
        _question('keep', 'text', '1'),                                              # integer asked as text
        _question('mode', 'multiplechoice', 'fail', choices=['warn', 'ignore']),     # default not a choice
        _question('ratio', 'integer', 1, min=2, max=1),                              # type, default, min > max
        _question('stray', 'text', 'x'),                                             # not a play variable
        _question('stray', 'text', 'x'),                                             # asked twice
        _question('columns', 'multiselect', ['host'], choices=['host']),             # listed as not asked
        dict(variable='broken', type='checkbox'),                                    # unknown type, no names
    ])
    problems = survey_problems('example', survey, PLAY_VARS, documented_inputs=['fleet_hosts', 'configs'],
                               not_asked={'columns': 'layout', 'gone': 'removed'})
    expected = [
        "question 0 (fleet_hosts): survey default 'all' differs from the playbook default 'builders'",
        "question 1 (keep): the playbook default 1 is a int, a text question gives a str",
        "question 2 (mode): default ['fail'] not among the choices ['warn', 'ignore']",
        "question 3 (ratio): the playbook default 0.5 is a float, a integer question gives a int",
        "question 3 (ratio): min 2 is above max 1",
        "question 3 (ratio): default 1 is below min 2",
        "question 4 (stray): not a variable of the input play of playbooks/example.yml",
        "question 5 (stray): variable asked twice",
        "question 6 (columns): asked although NOT_ASKED says: layout",
        "question 7 (broken): question_name must be a str",
        "question 7 (broken): type 'checkbox' is not one of",
        "example: play variable configs (default '') is not in the survey",
        "example: NOT_ASKED lists gone, which is no longer a variable of the play",
        "example: the playbook header lists input configs, the survey does not ask it",
        "example: the survey asks keep, the playbook header does not list it as an input",
    ]
    missing = [text for text in expected if not any(text in problem for problem in problems)]
    assert not missing, 'not reported: %s\nreported:\n%s' % (missing, '\n'.join(problems))


def test_header_inputs_are_read_with_their_continuation_lines():
    text = ('---\n# Does things.\n#   ansible-playbook x.yml\n#\n# Inputs (extra vars; an AWX survey sets the same):\n'
            '#   fleet_hosts   host pattern (builders)\n#   report_dir    directory for the files, or\n'
            '#                 empty to print only\n#   keep          kept snapshots\n# Other notes.\n- hosts: all\n')
    assert header_inputs(text) == ['fleet_hosts', 'report_dir', 'keep']
    assert header_inputs('---\n# No block.\n- hosts: all\n') is None


def test_a_different_inline_default_is_reported():
    text = "- hosts: localhost\n  tasks:\n    - debug:\n        msg: \"{{ fleet_hosts | default('all') }} {{ keep|default(1) }}\"\n"
    problems = inline_default_problems('example', text, PLAY_VARS)
    assert problems == ["example: playbooks/example.yml uses fleet_hosts | default('all'), the input play defaults it to 'builders'"]


def test_a_wrong_wrapper_is_reported(tmp_path, monkeypatch):
    monkeypatch.setitem(globals(), 'AWX_DIR', str(tmp_path))
    (tmp_path / 'pool_report.yml').write_text(
        '---\n- name: Wrong\n  ansible.builtin.import_playbook: buildfleet.mock_lvm.prune_snapshots\n')
    problems = wrapper_problems('pool_report')
    assert any('AWX would not offer' in problem for problem in problems), problems
    assert any("must import only buildfleet.mock_lvm.pool_report, imports ['buildfleet.mock_lvm.prune_snapshots']"
               in problem for problem in problems), problems
    assert wrapper_problems('no_such_playbook') == ['no_such_playbook: no wrapper playbook %s'
                                                    % os.path.relpath(str(tmp_path / 'no_such_playbook.yml'), ROOT)]
