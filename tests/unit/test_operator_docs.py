# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What an operator reads and copies agrees with the collection: the action group names every module,
every config name a doc or playbook header uses is declared in an example inventory, every Fedora
release named is a current one, every documented ansible-playbook command passes only inputs its
playbook's spec knows, and the version is the same in galaxy.yml, the config marker, the AWX
requirements, the execution environment and the changelog."""
from __future__ import absolute_import, division, print_function

import glob
import os
import re

import pytest
import yaml

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_config import COLLECTION_VERSION

__metaclass__ = type

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTION = 'buildfleet.mock_lvm'
# Extra vars a documented command may pass beside its playbook's inputs: Ansible's own switch for
# privilege escalation, which the fleet playbooks turn on with `become: true`.
CONNECTION_VARS = ('ansible_become',)


def read(relative):
    with open(os.path.join(ROOT, relative)) as handle:
        return handle.read()


def load(relative):
    return yaml.safe_load(read(relative))


def operator_texts():
    """{path: text} of what operators read: READMEs, docs, playbook headers and specs, the AWX files."""
    paths = ['README.md', 'CONTRIBUTING.md', 'extensions/awx/README.md', 'execution-environment.yml',
             'extensions/awx/collections/requirements.yml']
    paths += sorted(glob.glob(os.path.join(ROOT, 'docs', '*.md')))
    paths += sorted(glob.glob(os.path.join(ROOT, 'roles', '*', 'README.md')))
    paths += sorted(glob.glob(os.path.join(ROOT, 'roles', '*', 'meta', 'argument_specs.yml')))
    paths += sorted(glob.glob(os.path.join(ROOT, 'playbooks', '*.yml')))
    paths += sorted(glob.glob(os.path.join(ROOT, 'playbooks', 'meta', '*.yml')))
    texts = {}
    for path in paths:
        relative = os.path.relpath(os.path.join(ROOT, path), ROOT)
        texts[relative] = read(relative)
    return texts


def example_inventories():
    """Every YAML file under docs/examples/ (the example inventories), parsed."""
    found = {}
    for path in sorted(glob.glob(os.path.join(ROOT, 'docs', 'examples', '**', '*.yml'), recursive=True)):
        with open(path) as handle:
            found[os.path.relpath(path, ROOT)] = yaml.safe_load(handle)
    return found


def _walk(node, key):
    """Every value of `key` anywhere in a parsed YAML tree."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name == key:
                yield value
            yield from _walk(value, key)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, key)


def declared_configs():
    """{config name: base} of every builder_mock_configs entry of the example inventories."""
    configs = {}
    for data in example_inventories().values():
        for entries in _walk(data, 'builder_mock_configs'):
            for entry in entries:
                configs[entry['name']] = entry['base']
    return configs


def documented_commands():
    """(path, command) of every ansible-playbook command in the operator texts, continuation lines joined
    (comment markers of playbook headers removed)."""
    commands = []
    for path, text in operator_texts().items():
        lines = [re.sub(r'^\s*#\s?', '', line) if path.endswith('.yml') else line for line in text.splitlines()]
        joined = re.sub(r'\\\s*\n\s*', ' ', '\n'.join(lines))
        for match in re.finditer(r'ansible-playbook [^\n`]*', joined):
            commands.append((path, match.group(0)))
    return commands


def test_the_action_group_names_every_module():
    modules = sorted(os.path.basename(path)[:-3] for path in glob.glob(os.path.join(ROOT, 'plugins', 'modules', '*.py'))
                     if not os.path.basename(path).startswith('_'))
    group = load('meta/runtime.yml')['action_groups']['mock_lvm']
    assert len(modules) == 8
    assert sorted(group) == modules


def test_the_example_inventories_declare_configs():
    configs = declared_configs()
    assert 'fedora-43-x86_64-lvm' in configs and len(configs) >= 3


def test_every_config_name_the_docs_pass_is_declared_in_an_example_inventory():
    declared = declared_configs()
    used = []
    for path, command in documented_commands():
        for match in re.finditer(r'-e (?:scrub|prune)_configs=([^\s]+)', command):
            used += [(path, name) for name in match.group(1).split(',')]
    assert len(used) >= 3
    undeclared = [(path, name) for path, name in used if name not in declared]
    assert not undeclared, 'config names used in docs but declared in no docs/examples inventory: %r' % undeclared


def test_every_fedora_release_named_is_one_the_example_inventory_uses_or_newer():
    """A Fedora release older than the example inventory's oldest is end of life (its base config moved
    to eol/); lines that speak of eol/ may name one."""
    releases = [int(m.group(1)) for base in declared_configs().values() for m in [re.match(r'fedora-(\d+)-', base)] if m]
    oldest = min(releases)
    stale = []
    for path, text in operator_texts().items():
        for number, line in enumerate(text.splitlines(), 1):
            if 'eol' in line:
                continue
            stale += ['%s:%d: fedora-%s' % (path, number, n) for n in re.findall(r'fedora-(\d+)', line) if int(n) < oldest]
    assert not stale, 'end-of-life Fedora releases in operator docs (oldest current: %d): %r' % (oldest, stale)


@pytest.mark.parametrize('playbook', ['provision_builders', 'pool_report', 'prune_snapshots', 'scrub_build_roots'])
def test_documented_commands_pass_only_inputs_of_their_playbook(playbook):
    spec = load('playbooks/meta/%s.yml' % playbook)['argument_specs'][playbook]['options']
    commands = [(path, c) for path, c in documented_commands() if re.search(r'%s\.%s\b' % (COLLECTION, playbook), c)]
    assert commands, 'no documented command runs %s' % playbook
    for path, command in commands:
        for name, value in re.findall(r'-e ([a-z_]+)=([^\s]*)', command):
            assert name in spec or name in CONNECTION_VARS, '%s: %s passes %s, not an input of %s' % (path, command, name, playbook)
            choices = (spec.get(name) or {}).get('choices')
            assert not choices or value in [str(c) for c in choices], '%s: %s=%s is not one of %r' % (path, name, value, choices)


def test_the_version_is_the_same_everywhere():
    version = load('galaxy.yml')['version']
    assert COLLECTION_VERSION == version
    pins = [entry for entry in load('extensions/awx/collections/requirements.yml')['collections']
            if entry['name'] == COLLECTION]
    assert [entry['version'] for entry in pins] == ['==%s' % version]
    ee = load('execution-environment.yml')
    assert [c['version'] for c in ee['dependencies']['galaxy']['collections'] if c['name'] == COLLECTION] == ['==%s' % version]
    assert ee['options']['tags'] == ['buildfleet-mock-lvm-ee:%s' % version]


def _fleet_play_vars():
    plays = load('playbooks/pool_report.yml')
    return [play for play in plays if play.get('hosts') == '{{ fleet_hosts }}'][0]['vars']


def test_the_sample_report_has_the_columns_pool_report_prints():
    from ansible_collections.buildfleet.mock_lvm.plugins.filter.fleet_report import text_table
    play_vars = _fleet_play_vars()
    sample = read('docs/reports.md')
    for columns in ('pool_report_pool_columns', 'pool_report_root_columns'):
        header = text_table([], play_vars[columns])[0]
        lines = [line for line in sample.splitlines() if line.split() == header.split()]
        assert len(lines) == 1, 'docs/reports.md has no sample table with the header %r' % header


def test_the_metrics_table_names_every_metric_the_textfile_has():
    from ansible_collections.buildfleet.mock_lvm.plugins.filter.fleet_report import prometheus_textfile
    report = {'generated': '2026-12-06T08:00:00Z',
              'pools': [{'host': 'h', 'vg': 'mock', 'pool': 'shared', 'data_percent': 1.0, 'metadata_percent': 1.0,
                         'thin_volumes': 1, 'health': 'inactive', 'vg_free_bytes': 1, 'vg_missing_bytes': 0,
                         'autoextend_steps_left': 1, 'days_to_pool_full': 1.0, 'days_to_vg_full': 1.0}],
              'build_roots': [{'host': 'h', 'config': 'c', 'root': 'r', 'stale': 0, 'build_running': False,
                               'postinit_created': 1, 'start_created': 1, 'newest_update_created': 1,
                               'config_newer': True}]}
    emitted = sorted(set(line.split()[2] for line in prometheus_textfile(report).splitlines() if line.startswith('# TYPE')))
    documented = sorted(re.findall(r'^\| `(mock_lvm_[a-z_]+)` \|', read('docs/metrics.md'), re.MULTILINE))
    assert len(emitted) >= 7 and documented == emitted


def test_the_example_inventories_pass_the_role_validation():
    from ansible_collections.buildfleet.mock_lvm.plugins.filter.mock_lvm_configs import mock_lvm_configs
    guest = load('docs/examples/builders.yml')['builders']['vars']
    fleet = load('docs/examples/fleet/group_vars/builders.yml')
    for settings in (guest, fleet):
        rendered = mock_lvm_configs(settings['builder_mock_configs'], settings['builder_thin_pools'])
        assert [c['name'] for c in rendered] == [c['name'] for c in settings['builder_mock_configs']]
        pool_vgs = set(p['vg'] for p in settings['builder_thin_pools'])
        assert pool_vgs  # every pool names a volume group


def test_every_fleet_example_host_names_its_disks_by_id():
    hosts = load('docs/examples/fleet/hosts.yml')
    names = [h for group in hosts['builders']['children'].values() for h in group['hosts']]
    assert len(names) == 3
    for name in names:
        groups = load('docs/examples/fleet/host_vars/%s.yml' % name)['builder_volume_groups']
        devices = [d for g in groups for d in g['devices']]
        assert devices and all(d.startswith('/dev/disk/by-id/') for d in devices), (name, devices)
        assert set(g['name'] for g in groups) == set(
            p['vg'] for p in load('docs/examples/fleet/group_vars/builders.yml')['builder_thin_pools'])


def test_the_readme_links_a_changelog_with_this_release():
    version = load('galaxy.yml')['version']
    assert '[CHANGELOG.md](CHANGELOG.md)' in read('README.md')
    assert version in (load('changelogs/changelog.yaml').get('releases') or {}), \
        'changelogs/changelog.yaml has no release %s: run scripts/release_changelog' % version
    assert '## v%s' % version.replace('.', '\\.') in read('CHANGELOG.md')
    assert 'v%s\n' % version in read('CHANGELOG.rst')
