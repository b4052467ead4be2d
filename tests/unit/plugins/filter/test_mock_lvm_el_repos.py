# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The builder role's EL path per OS family and release: EPEL and CRB/PowerTools only on EL hosts that still
miss mock, with the role's own defaults; the tasks that act on it are modules, not commands."""
from __future__ import absolute_import, division, print_function

import os

import pytest
import yaml

from ansible.errors import AnsibleFilterError
from ansible_collections.buildfleet.mock_lvm.plugins.filter.mock_lvm_el_repos import mock_lvm_el_repos

__metaclass__ = type

ROLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'roles', 'builder')


def role_file(*parts):
    with open(os.path.join(ROLE, *parts)) as handle:
        return yaml.safe_load(handle)


DEFAULTS = role_file('defaults', 'main.yml')
FAMILIES = role_file('vars', 'main.yml')['builder_families']


def state(os_family, distribution, version, installed=()):
    """builder_info's result as far as the filter reads it, with the role's own package lists."""
    family = FAMILIES.get(os_family, {'os_packages': [], 'mock_packages': []})
    wanted = family['os_packages'] + family['mock_packages']
    return {'os_family': os_family, 'distribution': distribution, 'distribution_version': version, 'family': family,
            'missing_packages': [p for p in wanted if p not in installed]}


def repos(host, **settings):
    args = dict(enable_epel=DEFAULTS['builder_enable_epel'], enable_crb=DEFAULTS['builder_enable_crb'],
                repositories=DEFAULTS['builder_el_repositories'],
                release_package=DEFAULTS['builder_epel_release_package'])
    args.update(settings)
    return mock_lvm_el_repos(host, **args)


NOTHING = {'epel_release_package': '', 'crb_repository': ''}


@pytest.mark.parametrize('host, wanted', [
    (state('RedHat', 'CentOS', '9'), {'epel_release_package': 'epel-release', 'crb_repository': 'crb'}),
    (state('RedHat', 'AlmaLinux', '9.6'), {'epel_release_package': 'epel-release', 'crb_repository': 'crb'}),
    (state('RedHat', 'Rocky', '8.10'), {'epel_release_package': 'epel-release', 'crb_repository': 'powertools'}),
    (state('RedHat', 'AlmaLinux', '10.0'), {'epel_release_package': 'epel-release', 'crb_repository': 'crb'}),
    (state('RedHat', 'RedHat', '9.4'), {'epel_release_package': 'epel-release', 'crb_repository': 'crb'}),
    # only mock-lvm missing: EPEL is still where it comes from
    (state('RedHat', 'CentOS', '9', installed=('mock',)), {'epel_release_package': 'epel-release',
                                                           'crb_repository': 'crb'}),
], ids=['centos-stream-9', 'alma-9', 'rocky-8', 'alma-10', 'rhel-9', 'el9-mock-lvm-missing'])
def test_el_hosts_without_mock_get_epel_and_crb_or_powertools(host, wanted):
    assert repos(host) == wanted


@pytest.mark.parametrize('host', [
    state('RedHat', 'Fedora', '43'),
    state('Debian', 'Debian', '12.8'),
    state('RedHat', 'CentOS', '9', installed=('mock', 'mock-lvm')),
    # the OS packages missing, mock there: no repository task
    state('RedHat', 'Rocky', '8.10', installed=('mock', 'mock-lvm')),
], ids=['fedora', 'debian', 'el9-mock-installed', 'el8-mock-installed-lvm-missing'])
def test_nothing_on_fedora_debian_or_where_mock_is_installed(host):
    assert repos(host) == NOTHING


def test_turned_off_enables_nothing_and_crb_alone_can_be_left_out():
    host = state('RedHat', 'CentOS', '9')
    assert repos(host, enable_epel=False) == NOTHING
    # RHEL: CodeReady Builder belongs to subscription-manager; a release package URL instead of the name
    url = 'https://dl.fedoraproject.org/pub/epel/epel-release-latest-9.noarch.rpm'
    assert repos(state('RedHat', 'RedHat', '9.4'), enable_crb=False, release_package=url) == {
        'epel_release_package': url, 'crb_repository': ''}


def test_string_keys_from_an_inventory_work_as_well():
    assert repos(state('RedHat', 'Rocky', '8.10'), repositories={'8': 'powertools'})['crb_repository'] == 'powertools'


@pytest.mark.parametrize('host, settings, message', [
    (state('RedHat', 'CentOS', '7.9'), {},
     'EL 7 has no CRB/PowerTools repository in builder_el_repositories (known: 8, 9, 10): add it, or set '
     'builder_enable_crb: false'),
    (state('RedHat', 'CentOS', 'stream'), {},
     "cannot tell the EL major version of CentOS from distribution_version 'stream': set builder_enable_epel: false"),
    (state('RedHat', 'CentOS', '9'), {'release_package': ''}, 'builder_epel_release_package is empty'),
    ('not a result', {}, "mock_lvm_el_repos takes builder_info's result, got 'not a result'"),
], ids=['el7', 'no-version', 'no-package', 'not-a-dict'])
def test_refusals_name_the_value_and_the_fix(host, settings, message):
    with pytest.raises(AnsibleFilterError) as err:
        repos(host, **settings)
    assert message in str(err.value)


def test_role_defaults_and_argument_spec_agree():
    spec = role_file('meta', 'argument_specs.yml')['argument_specs']['main']['options']
    for name in ('builder_enable_epel', 'builder_enable_crb', 'builder_epel_release_package',
                 'builder_el_repositories'):
        assert spec[name]['default'] == DEFAULTS[name], name
    assert DEFAULTS['builder_el_repositories'] == {8: 'powertools', 9: 'crb', 10: 'crb'}


def test_the_repository_tasks_are_modules_and_run_before_the_install():
    tasks = role_file('tasks', 'packages.yml')
    block = tasks[0]
    assert block['when'] == 'builder_el_repos.epel_release_package | length > 0'
    modules = [next(k for k in task if '.' in k) for task in block['block']]
    assert modules == ['ansible.builtin.dnf', 'community.general.dnf_config_manager']
    assert 'ansible.builtin.package' in tasks[1]


def test_an_existing_volume_group_keeps_devices_the_inventory_does_not_list():
    lvg = [task for task in role_file('tasks', 'storage.yml') if 'community.general.lvg' in task]
    assert len(lvg) == 1 and lvg[0]['community.general.lvg']['remove_extra_pvs'] is False
