# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which repositories the builder role enables before it installs mock on an EL host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

NOTHING = {'epel_release_package': '', 'crb_repository': ''}


def _major(state):
    version = str(state.get('distribution_version') or '')
    major = version.split('.', 1)[0]
    if not major.isdigit():
        raise AnsibleFilterError('cannot tell the EL major version of %s from distribution_version %r: set '
                                 'builder_enable_epel: false and enable EPEL yourself.'
                                 % (state.get('distribution'), version))
    return int(major)


def mock_lvm_el_repos(state, enable_epel=True, enable_crb=True, repositories=None,
                      release_package='epel-release'):
    """EPEL's release package and the CRB (EL9, EL10) or PowerTools (EL8) repository to enable, or empty
    strings: only on an EL host (RedHat family, not Fedora) where mock or mock-lvm is still missing, since
    on EL both come from EPEL, and EPEL packages may need CRB/PowerTools."""
    if not isinstance(state, dict):
        raise AnsibleFilterError('mock_lvm_el_repos takes builder_info\'s result, got %r.' % (state,))
    family = state.get('family') or {}
    missing_mock = [p for p in state.get('missing_packages') or [] if p in (family.get('mock_packages') or [])]
    if not enable_epel or state.get('os_family') != 'RedHat' or state.get('distribution') == 'Fedora' \
            or not missing_mock:
        return dict(NOTHING)
    if not release_package:
        raise AnsibleFilterError('builder_epel_release_package is empty while builder_enable_epel is true: name the '
                                 'package (epel-release) or its URL, or set builder_enable_epel: false.')
    major = _major(state)
    repositories = repositories or {}
    if enable_crb and major not in repositories and str(major) not in repositories:
        raise AnsibleFilterError('EL %d has no CRB/PowerTools repository in builder_el_repositories (known: %s): '
                                 'add it, or set builder_enable_crb: false and enable it yourself.'
                                 % (major, ', '.join(str(k) for k in sorted(repositories, key=lambda k: (len(str(k)), str(k)))) or 'none'))
    crb = repositories.get(major, repositories.get(str(major), '')) if enable_crb else ''
    return {'epel_release_package': release_package, 'crb_repository': crb}


class FilterModule(object):
    def filters(self):
        return {'mock_lvm_el_repos': mock_lvm_el_repos}
