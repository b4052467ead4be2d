# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write what follows from the fleet playbooks' argument specs (playbooks/meta/<name>.yml).

From each spec: the header comment of playbooks/<name>.yml, the AWX survey
extensions/awx/surveys/<name>.json, one entry of extensions/awx/configuration/aap_configuration.yml (the
job templates and the schedule in infra.aap_configuration's variable format), and one row of the job
template table in extensions/awx/README.md (between its TABLE_BEGIN and TABLE_END lines). It also checks what
it does not write: the playbook's defaults (the vars of its fleet play) equal the spec's, its first
play validates the extra vars against its own spec file, and the AWX wrapper
extensions/awx/<name>.yml imports the collection playbook.

  python scripts/gen_playbook_docs.py           write the files
  python scripts/gen_playbook_docs.py --check   change nothing; print each difference; exit 1 if any
(a Python with PyYAML: scripts/test's .tmp/venv-main/bin/python has it; the docs gate runs --check)
"""
import argparse
import difflib
import json
import os
import re
import sys
import textwrap

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTION = 'buildfleet.mock_lvm'
WIDTH = 100
GENERATED = 'Written by scripts/gen_playbook_docs.py from playbooks/meta/*.yml: edit those, then run it.'
# AWX offers a project file as a playbook only when a line starts with one of these.
AWX_PLAYBOOK_LINE = re.compile(r'^\s*-?\s*(hosts|include|import_playbook)\s*:')
# The tasks that validate a playbook's inputs against its spec, imported by its first play.
CHECK_TASKS = 'tasks/check_inputs.yml'
SURVEY_TYPES = {'int': 'integer', 'float': 'float', 'str': 'text', 'list': 'text'}
# Every fleet play runs with privilege escalation (LVM, packages and /etc/mock need root); the header says so.
BECOME_NOTE = ('Runs on the builders with become: true (sudo by default; the SSH user needs it). Log in as root '
               'instead and pass -e ansible_become=false (or set it in the inventory) to turn it off.')


def load_specs(root):
    """{playbook name: its argument spec entry}, from playbooks/meta/*.yml."""
    specs = {}
    meta = os.path.join(root, 'playbooks', 'meta')
    for filename in sorted(os.listdir(meta)):
        if not filename.endswith('.yml'):
            continue
        name = filename[:-len('.yml')]
        with open(os.path.join(meta, filename)) as handle:
            data = yaml.safe_load(handle)
        specs[name] = data['argument_specs'][name]
    return specs


def _wrap(text, first, rest):
    return textwrap.wrap(' '.join(text.split()), WIDTH, initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False)


def _shown_default(option):
    if option.get('required'):
        return 'required'
    default = option.get('default')
    if default in ('', [], None):
        return 'default: empty'
    if isinstance(default, list):
        return 'default: %s' % ','.join(str(item) for item in default)
    return 'default: %s' % default


def header(name, spec):
    """The playbook's header comment, '---' included."""
    lines = ['---']
    for paragraph in spec.get('description', []):
        lines.extend(_wrap(paragraph, '# ', '# '))
    lines.append('#')
    for example in spec.get('examples', []):
        lines.extend('#   ' + line.rstrip() for line in example.strip().splitlines())
    lines.append('#')
    lines.append('# Inputs (extra vars; an AWX survey sets the same), checked against playbooks/meta/%s.yml:' % name)
    options = spec['options']
    pad = max(len(variable) for variable in options) + 2
    for variable, option in options.items():
        text = '%s (%s)' % (option['description'].rstrip().rstrip('.'), _shown_default(option))
        lines.extend(_wrap(text, '#   ' + variable.ljust(pad), '#   ' + ' ' * pad))
    for note in spec.get('notes', []) + [BECOME_NOTE]:
        lines.extend(_wrap(note, '# ', '# '))
    return '\n'.join(lines) + '\n'


def survey(name, spec):
    """The AWX survey_spec of the playbook's job template."""
    questions = []
    for variable, option in spec['options'].items():
        awx = option.get('awx', {})
        default = option.get('default', '')
        if option.get('choices'):
            qtype = 'multiplechoice'
        else:
            qtype = SURVEY_TYPES[option['type']]
        if isinstance(default, list):
            default = ','.join(default)
        required = awx.get('required', bool(option.get('required')) or default not in ('', None))
        question = {
            'question_name': awx['question'],
            'question_description': '%s (%s).' % (' '.join(option['description'].split()).rstrip('.'), variable),
            'required': required,
            'type': qtype,
            'variable': variable,
            'default': default,
        }
        if qtype in ('integer', 'float'):
            question['min'] = option['minimum']
            question['max'] = option['maximum']
        elif qtype == 'text':
            question['min'] = awx.get('min', 1 if required else 0)
            question['max'] = awx.get('max', 4096)
        else:
            question['choices'] = list(option['choices'])
        questions.append(question)
    return {'name': spec['awx']['survey_name'], 'description': ' '.join(spec['awx']['survey_description'].split()),
            'spec': questions}


README_TABLE = os.path.join('extensions', 'awx', 'README.md')
TABLE_BEGIN = '<!-- job template table: written by scripts/gen_playbook_docs.py from playbooks/meta/*.yml -->'
TABLE_END = '<!-- end of job template table -->'


def _launch_options(name, spec):
    """What the job template asks at launch (and its slices and schedule), in words."""
    job = spec['awx']['job_template']
    options = ['limit']
    if job['ask_job_type_on_launch']:
        options.append('job type (check)')
    if job['ask_diff_mode_on_launch']:
        options.append('diff')
    if job['ask_tags_on_launch']:
        options.append('tags')
    if job.get('sliced'):
        options.append('job slices (`fleet_awx_job_slice_count`)')
    if spec['awx'].get('schedule'):
        options.append('schedule `mock_lvm %s %s`' % (name, spec['awx']['schedule']['name']))
    return ', '.join(options)


def readme_table(specs):
    """The job template table of extensions/awx/README.md: every survey question with its variable."""
    lines = [TABLE_BEGIN,
             '| Job template | Playbook | Survey asks (variable) | Launch options |',
             '| --- | --- | --- | --- |']
    for name, spec in specs.items():
        asks = '; '.join('%s (`%s`%s)' % (q['question_name'], q['variable'],
                                          ', required' if q['required'] and q['default'] in ('', None) else '')
                         for q in survey(name, spec)['spec'])
        lines.append('| `mock_lvm %s` | `%s.%s` | %s | %s |' % (name, COLLECTION, name, asks, _launch_options(name, spec)))
    lines.append(TABLE_END)
    return '\n'.join(lines) + '\n'


def readme_text(root, specs):
    """extensions/awx/README.md with its job template table replaced by what the specs give."""
    with open(os.path.join(root, README_TABLE)) as handle:
        text = handle.read()
    start, end = text.find(TABLE_BEGIN), text.find(TABLE_END)
    if start < 0 or end < start:
        raise SystemExit('%s: the lines %r and %r that enclose the job template table are missing'
                         % (README_TABLE, TABLE_BEGIN, TABLE_END))
    return text[:start] + readme_table(specs) + text[end + len(TABLE_END) + 1:]


def survey_text(name, spec):
    return json.dumps(survey(name, spec), indent=2) + '\n'


def aap_configuration(specs):
    """extensions/awx/configuration/aap_configuration.yml: infra.aap_configuration's controller_* variables."""
    lines = [
        '---',
        '# ' + GENERATED,
        '# The AWX objects of the fleet playbooks in the variable format of the infra.aap_configuration',
        '# collection, applied by setup_job_templates.yml (whose header lists the fleet_awx_* inputs).',
        '# Surveys: extensions/awx/surveys/<name>.json, written by the same script. Empty strings are left unset (the',
        "# infra.aap_configuration roles pass each optional value through default(omit, true)).",
    ]
    project = {
        'name': '{{ fleet_awx_project_name }}',
        'description': "Job templates for buildfleet.mock_lvm's fleet playbooks (collections/requirements.yml)",
        'organization': '{{ fleet_awx_organization }}',
        'scm_type': 'git',
        'scm_url': '{{ fleet_awx_scm_url }}',
        'scm_branch': '{{ fleet_awx_scm_branch }}',
        'credential': '{{ fleet_awx_scm_credential }}',
        'default_environment': '{{ fleet_awx_execution_environment }}',
        'scm_update_on_launch': True,
        'wait': True,
    }
    templates = []
    schedules = []
    for name, spec in specs.items():
        job = spec['awx']['job_template']
        template = {
            'name': '{{ fleet_awx_name_prefix }}%s' % name,
            'description': ' '.join(job['description'].split()),
            'organization': '{{ fleet_awx_organization }}',
            'project': '{{ fleet_awx_project_name }}',
            'playbook': '{{ fleet_awx_playbook_prefix }}%s.yml' % name,
            'inventory': '{{ fleet_awx_inventory }}',
            'credentials': ['{{ fleet_awx_machine_credential }}'],
            'execution_environment': '{{ fleet_awx_execution_environment }}',
            'job_type': 'run',
            'become_enabled': '{{ fleet_awx_become | bool }}',
            'ask_limit_on_launch': True,
            'ask_job_type_on_launch': bool(job['ask_job_type_on_launch']),
            'ask_diff_mode_on_launch': bool(job['ask_diff_mode_on_launch']),
            'ask_tags_on_launch': bool(job['ask_tags_on_launch']),
            'survey_enabled': True,
            'survey_spec': "{{ lookup('ansible.builtin.file', playbook_dir ~ '/surveys/%s.json') | from_json }}" % name,
        }
        if job.get('sliced'):
            template['job_slice_count'] = '{{ fleet_awx_job_slice_count | int }}'
        templates.append(template)
        schedule = spec['awx'].get('schedule')
        if schedule:
            schedules.append({
                'name': '{{ fleet_awx_name_prefix }}%s %s' % (name, schedule['name']),
                'description': schedule['description'],
                'unified_job_template': '{{ fleet_awx_name_prefix }}%s' % name,
                'organization': '{{ fleet_awx_organization }}',
                'rrule': '{{ fleet_awx_%s_rrule }}' % name,
                'enabled': '{{ fleet_awx_%s_schedule_enabled | bool }}' % name,
            })
            if schedule.get('extra_data'):
                schedules[-1]['extra_data'] = dict(schedule['extra_data'])
    body = {'controller_projects': [project], 'controller_templates': templates, 'controller_schedules': schedules}
    text = yaml.dump(body, Dumper=_IndentedDumper, sort_keys=False, width=1000, default_flow_style=False)
    return '\n'.join(lines) + '\n' + text


class _IndentedDumper(yaml.SafeDumper):  # pylint: disable=too-many-ancestors
    """Lists indented under their key, as yamllint and ansible-lint want them."""

    def increase_indent(self, flow=False, indentless=False):
        return super(_IndentedDumper, self).increase_indent(flow, False)


def split_header(text):
    """(header, rest) of a playbook: the header is '---' and the comment lines after it."""
    lines = text.splitlines(True)
    end = 1 if lines and lines[0].startswith('---') else 0
    while end < len(lines) and lines[end].startswith('#'):
        end += 1
    return ''.join(lines[:end]), ''.join(lines[end:])


def _plays(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


def consistency_problems(root, name, spec):
    """What the script does not write but checks: defaults, the validation task, the AWX wrapper."""
    problems = []
    path = os.path.join(root, 'playbooks', name + '.yml')
    plays = _plays(path)
    fleet = [play for play in plays if play.get('hosts') == '{{ fleet_hosts }}']
    if len(fleet) != 1:
        return ['playbooks/%s.yml: expected one play on hosts "{{ fleet_hosts }}", found %d' % (name, len(fleet))]
    play_vars = fleet[0].get('vars') or {}
    if fleet[0].get('become') is not True:
        problems.append('playbooks/%s.yml: the play on the builders must have become: true (its header says so; '
                        '-e ansible_become=false turns it off)' % name)
    for variable, option in spec['options'].items():
        if option.get('required'):
            if variable in play_vars:
                problems.append('playbooks/%s.yml: %s is required by the spec, the play gives it a default %r'
                                % (name, variable, play_vars[variable]))
            continue
        if variable not in play_vars:
            problems.append('playbooks/%s.yml: the play has no default for %s (spec: %r)' % (name, variable, option.get('default')))
        elif play_vars[variable] != option.get('default') or type(play_vars[variable]) is not type(option.get('default')):
            problems.append('playbooks/%s.yml: %s defaults to %r in the play, %r in playbooks/meta/%s.yml'
                            % (name, variable, play_vars[variable], option.get('default'), name))
    first = plays[0]
    checks = [task for task in first.get('tasks', []) if task.get('ansible.builtin.import_tasks') == CHECK_TASKS]
    if first.get('hosts') != 'localhost' or len(checks) != 1 or (checks[0].get('vars') or {}).get('fleet_playbook') != name \
            or 'always' not in checks[0].get('tags', []):
        problems.append('playbooks/%s.yml: its first play must be on localhost and import %s with fleet_playbook: %s '
                        'and tags: [always] (it validates the inputs against meta/%s.yml)' % (name, CHECK_TASKS, name, name))
    wrapper = os.path.join(root, 'extensions', 'awx', name + '.yml')
    if not os.path.isfile(wrapper):
        problems.append('extensions/awx/%s.yml: missing (the job template runs it)' % name)
    else:
        with open(wrapper) as handle:
            text = handle.read()
        imports = [entry.get('import_playbook') for entry in yaml.safe_load(text) or []]
        if imports != ['%s.%s' % (COLLECTION, name)]:
            problems.append('extensions/awx/%s.yml: must import only %s.%s, imports %r' % (name, COLLECTION, name, imports))
        if not any(AWX_PLAYBOOK_LINE.match(line) for line in text.splitlines()):
            problems.append('extensions/awx/%s.yml: AWX would not offer it as a playbook (no line starts with '
                            'hosts:, include: or import_playbook:)' % name)
    return problems


def wanted_files(root):
    """{relative path: wanted content} of every generated file."""
    specs = load_specs(root)
    files = {}
    for name, spec in specs.items():
        playbook = os.path.join('playbooks', name + '.yml')
        with open(os.path.join(root, playbook)) as handle:
            rest = split_header(handle.read())[1]
        files[playbook] = header(name, spec) + rest
        files[os.path.join('extensions', 'awx', 'surveys', name + '.json')] = survey_text(name, spec)
    files[os.path.join('extensions', 'awx', 'configuration', 'aap_configuration.yml')] = aap_configuration(specs)
    files[README_TABLE] = readme_text(root, specs)
    return specs, files


def run(root, check, out=sys.stdout):
    """Write (or, with check, compare) the generated files; return the number of problems."""
    specs, files = wanted_files(root)
    problems = 0
    for name, spec in specs.items():
        for problem in consistency_problems(root, name, spec):
            out.write(problem + '\n')
            problems += 1
    for relative, wanted in sorted(files.items()):
        path = os.path.join(root, relative)
        current = None
        if os.path.isfile(path):
            with open(path) as handle:
                current = handle.read()
        if current == wanted:
            continue
        if check:
            out.write('%s is not what playbooks/meta/*.yml give (run scripts/gen_playbook_docs.py):\n' % relative)
            out.writelines(difflib.unified_diff((current or '').splitlines(True), wanted.splitlines(True),
                                                relative + ' (now)', relative + ' (generated)'))
            problems += 1
        else:
            with open(path, 'w') as handle:
                handle.write(wanted)
            out.write('wrote %s\n' % relative)
    surveys = os.path.join(root, 'extensions', 'awx', 'surveys')
    for filename in sorted(os.listdir(surveys)):
        if filename.endswith('.json') and filename[:-len('.json')] not in specs:
            out.write('extensions/awx/surveys/%s: no playbook spec playbooks/meta/%s.yml\n' % (filename, filename[:-5]))
            problems += 1
    if check and not problems:
        out.write('%d playbook specs: headers, surveys and AWX configuration in sync\n' % len(specs))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true', help='change nothing, report differences, exit 1 if any')
    parser.add_argument('--root', default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args()
    return 1 if run(args.root, args.check) else 0


if __name__ == '__main__':
    sys.exit(main())
