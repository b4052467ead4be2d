# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One schema for a mock config (_mock_config.CONFIG_OPTIONS): every other place that spells a config's keys
derives from it or is checked here against it: the mock_config argument spec and DOCUMENTATION, the filter's
defaults, builder_info's reading, the role's meta/argument_specs.yml and the mock_config task of
roles/builder/tasks/configs.yml."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import yaml

from ansible_collections.buildfleet.mock_lvm.plugins.filter.mock_lvm_configs import mock_lvm_configs
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils import _builder_state
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_config import (
    CONFIG_OPTIONS,
    ENTRY_KEYS,
    ROLE_OPTIONS,
    entry_defaults,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_config_file import FILE_OPTIONS, argument_spec
from ansible_collections.buildfleet.mock_lvm.plugins.modules import mock_config

SPEC_FIELDS = ('type', 'default', 'choices', 'elements', 'required')


def fields(spec):
    """The fields a spec and a documentation entry must agree on (required false and absent are one)."""
    return dict((key, spec[key]) for key in SPEC_FIELDS if key in spec and spec[key] not in (False, None))


def test_the_module_spec_is_the_schema_and_the_file_options():
    spec = argument_spec()
    assert list(spec) == list(CONFIG_OPTIONS) + list(FILE_OPTIONS)
    assert not set(CONFIG_OPTIONS) & set(FILE_OPTIONS)
    for key, option in CONFIG_OPTIONS.items():
        assert spec[key] == option and spec[key] is not option  # a copy: AnsibleModule may not change the schema


def test_the_module_documentation_matches_its_spec():
    documented = yaml.safe_load(mock_config.DOCUMENTATION)['options']
    spec = argument_spec()
    assert set(documented) == set(spec)
    for key, option in spec.items():
        assert fields(documented[key]) == fields(option), key


def test_the_role_spec_of_a_config_is_the_schema(builder_role):
    """Every entry point of the role (main and each tasks_from) describes a config as the schema does."""
    entry_points = builder_role('meta', 'argument_specs.yml')['argument_specs']
    assert set(['main', 'report', 'prune', 'scrub', 'refresh']) <= set(entry_points)
    schema = dict(CONFIG_OPTIONS, **ROLE_OPTIONS)
    assert set(schema) == set(ENTRY_KEYS)
    for entry_point, spec in entry_points.items():
        role = spec['options']['builder_mock_configs']['options']
        assert set(role) == set(schema), entry_point
        for key, option in schema.items():
            assert fields(role[key]) == fields(option), (entry_point, key)


def test_the_configs_task_passes_every_key_of_the_schema(builder_role):
    tasks = builder_role('tasks', 'configs.yml')
    writes = [t for t in tasks if 'buildfleet.mock_lvm.mock_config' in t and t['buildfleet.mock_lvm.mock_config']
              .get('base')]
    assert len(writes) == 1
    passed = set(writes[0]['buildfleet.mock_lvm.mock_config'])
    # state is present by default; everything else of the schema is passed, with the file options the role sets.
    assert set(CONFIG_OPTIONS) - set(['state']) <= passed
    assert passed - set(CONFIG_OPTIONS) <= set(FILE_OPTIONS)
    # The root was decided by the filter: the module takes it as given.
    assert writes[0]['buildfleet.mock_lvm.mock_config']['safe_root'] is False


def test_the_filter_fills_in_the_schema_defaults():
    item = mock_lvm_configs([{'name': 'c', 'base': 'b', 'pool': 'p', 'size': '1G'}], [{'vg': 'v', 'name': 'p'}])[0]
    for key, default in entry_defaults([k for k in CONFIG_OPTIONS if k not in ('name', 'state')]).items():
        assert item[key] == default, key
    assert item['prewarm'] is ROLE_OPTIONS['prewarm']['default']


def test_defaults_are_fresh_copies():
    first = entry_defaults()
    first['mkfs_args'].append('-x')
    first['options']['k'] = 1
    assert entry_defaults()['mkfs_args'] == [] and entry_defaults()['options'] == {}
    assert CONFIG_OPTIONS['mkfs_args']['default'] == []


def test_builder_info_reads_the_schemas_keys():
    item = dict((key, None) for key in ENTRY_KEYS)
    item.update(name='c', state='absent', path='ignored', other_roots=['x'])
    assert _builder_state._entry(item) == {'name': 'c', 'state': 'absent'}
