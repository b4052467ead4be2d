# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The mock_config module's planner: one config file, written or removed only when it is ours.

Reads the file, its neighbours' markers and (when the recorded root changes)
the old root's volumes, and returns a ``_plan.Plan``: a validated write or a
removal, then owner, group and mode, with text diffs. Rendering, validation and
the marker are in ``_mock_config``; names of mock's layout in ``_mock_layout``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import grp
import os
import pwd
import sys
import tempfile

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import RC_NOT_FOUND, LvmError
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_config import (
    MockConfigError,
    base_problem,
    check_path,
    config_root,
    marker,
    octal_mode,
    parse_marker,
    read_text,
    recorded_configs,
    render,
    validate_entry,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_layout import (
    bootstrap_root,
    member_of,
    other_known_roots,
    roots_conflict,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._plan import FileStep, Plan, RemoveFile

ENTRY_OPTIONS = ('name', 'state', 'base', 'root', 'vg', 'pool', 'size', 'filesystem', 'mkfs_args', 'mount_options',
                 'check_size', 'sleep_time', 'poolmetadatasize', 'umount_root', 'options', 'plugin_options')


def plan_config(lvm, params):
    """The Plan for the config file of params; plan.details holds path, recorded, marker (and root)."""
    params['config_dir'] = check_path('config_dir', params['config_dir'])
    params['basedir'] = check_path('basedir', params['basedir'])
    params['mode'] = octal_mode('mode', params['mode'])
    validate_entry({'name': params['name'], 'state': 'absent'})
    plan = Plan()
    plan.text_diff = True
    plan.details = {'path': os.path.join(params['config_dir'], params['name'] + '.cfg'), 'recorded': None,
                    'marker': None}
    (_plan_present if params['state'] == 'present' else _plan_absent)(lvm, params, plan)
    return plan


def _refuse_foreign(path, recorded, params):
    if recorded is None and not params['force']:
        raise MockConfigError(
            '%s exists but was not written by buildfleet.mock_lvm for config %r (it has no marker line naming it): it '
            'is probably a packaged or hand-written config, and is left as it is. Choose another name, or set '
            'force: true to take it over.' % (path, params['name']))


def _check_neighbours(entry, root, params, neighbours):
    """Refuse a root that another marked file in config_dir records, or that collides with one."""
    mine = dict(name=entry['name'], root=root, vg=entry['vg'], pool=entry['pool'])
    for name, other in sorted(neighbours.items()):
        if name == entry['name'] or name in params['absent_configs']:
            continue
        conflict = roots_conflict(mine, other)
        if conflict:
            raise MockConfigError('%s (recorded in %s.cfg in %s)' % (conflict, name, params['config_dir']))


def _old_root_volumes(lvm, recorded, neighbours):
    """Volumes of the recorded root (and its bootstrap) still in the recorded pool, exactly as build_root counts them."""
    try:
        report = lvm.read_vg(recorded['vg'])
    except LvmError as exc:
        if exc.rc == RC_NOT_FOUND:
            return []  # no such volume group any more: nothing is left behind
        raise
    roots = (recorded['root'], bootstrap_root(recorded['root']))
    pool_names = [lv.name for lv in report.thin_volumes(recorded['pool'])]
    others = other_known_roots(recorded['basedir'], pool_names, roots, [r['root'] for r in neighbours.values()])
    return [name for name in pool_names if any(member_of(name, root, others) for root in roots)]


def _check_root_change(lvm, recorded, new, params, neighbours):
    """Refuse a new root, vg or pool while the recorded root still has volumes (one lvs, only on such a change)."""
    if recorded is None or params['force']:
        return
    old = tuple(recorded[k] for k in ('root', 'vg', 'pool'))
    if old == tuple(new[k] for k in ('root', 'vg', 'pool')):
        return
    volumes = _old_root_volumes(lvm, recorded, neighbours)
    if volumes:
        raise MockConfigError(
            'config %r recorded root %r in %s/%s, and that root still has volumes (%s); the new settings give root %r '
            'in %s/%s, which would leave them to nobody. Remove the old build roots first (buildfleet.mock_lvm.'
            'build_root root=%s vg=%s pool=%s state=absent), or keep the old root, vg and pool.'
            % (new['name'], old[0], old[1], old[2], ', '.join(sorted(volumes)), new['root'], new['vg'], new['pool'],
               old[0], old[1], old[2]))


# mock's own loader, run as a separate process: mock.py itself refuses to run from the root
# account (rootcheck), while mockbuild.config.simple_load_config, "intended for use by 3rd party
# software", loads a config file (includes resolved against config_dir) and only warns as root.
_LOAD_WITH_MOCK = """
import sys, warnings
warnings.simplefilter('ignore')
try:
    from mockbuild.config import simple_load_config
except ImportError:
    raise SystemExit(3)
try:
    opts = simple_load_config(sys.argv[1], sys.argv[2])
except Exception as exc:
    sys.stderr.write('%s: %s' % (type(exc).__name__, exc))
    raise SystemExit(1)
sys.stdout.write(str(opts['root']))
"""


def _check_with_mock(module, params, tmp, root):
    """'mock' when mock's loader loaded the candidate with our root, 'python' when it is not installed here."""
    if not params['validate_with_mock'] or not module.get_bin_path('mock'):
        return 'python'
    cmd = [sys.executable, '-c', _LOAD_WITH_MOCK, tmp, params['config_dir']]
    rc, out, err = module.run_command(cmd)
    if rc == 3:
        module.warn('mock is installed but its Python package (mockbuild) cannot be imported by %s: %s was checked '
                    'as Python only.' % (sys.executable, tmp))
        return 'python'
    if rc != 0 or out.strip() != root:
        detail = (err or out).strip()[-2000:] if rc != 0 else 'it loads with root %r, not %r' % (out.strip(), root)
        raise MockConfigError('mock cannot load the new config for %s, so the live file was left as it is: %s'
                              % (params['name'], detail))
    return 'mock'


def _validate_candidate(module, params, path, content, root):
    """Write content next to the live file and check it; returns (temp path, how it was checked)."""
    try:
        ast.parse(content, path)
    except SyntaxError as exc:
        raise MockConfigError('the rendered config for %s does not parse as Python: %s' % (path, exc))
    fd, tmp = tempfile.mkstemp(prefix='.%s.' % params['name'], suffix='.cfg', dir=params['config_dir'])
    with os.fdopen(fd, 'w') as handle:
        handle.write(content)
    try:
        return tmp, _check_with_mock(module, params, tmp, root)
    except Exception:
        os.remove(tmp)
        raise


class ValidatedWrite(FileStep):
    """Write a config: the candidate beside the live file, checked (Python, then mock's loader), then renamed."""

    verb = 'write'

    def __init__(self, params, path, content, details):
        super(ValidatedWrite, self).__init__(path)
        self.params = params
        self.content = content
        self.details = details

    def run(self, module, lvm):
        tmp, how = _validate_candidate(module, self.params, self.path, self.content, self.details['root'])
        self.details['validated_with'] = how
        module.atomic_move(tmp, self.path)


class FileAttributes(FileStep):
    """Owner, group and mode of a file; report_to gets the diff when no prediction was made (a new file)."""

    verb = 'set owner, group and mode of'

    def __init__(self, params, path, report_to=None):
        super(FileAttributes, self).__init__(path)
        self.params = params
        self.report_to = report_to

    def run(self, module, lvm):
        diff = attributes_diff_headers(self.path)
        changed = module.set_owner_if_different(self.path, self.params['owner'], False, diff)
        changed = module.set_group_if_different(self.path, self.params['group'], changed, diff)
        if module.set_mode_if_different(self.path, self.params['mode'], changed, diff) and self.report_to is not None:
            self.report_to.append(diff)


def attributes_diff_headers(path):
    return {'before_header': path + ' (owner, group, mode)', 'after_header': path + ' (owner, group, mode)'}


def attribute_changes(path, owner, group, mode):
    """The diff (as AnsibleModule's set_*_if_different fill it) that enforcing owner, group, mode makes; None if none."""
    st = os.stat(path)
    wanted = {'owner': _id('owner', owner, pwd.getpwnam, 'pw_uid'), 'group': _id('group', group, grp.getgrnam, 'gr_gid')}
    current = {'owner': st.st_uid, 'group': st.st_gid}
    diff = attributes_diff_headers(path)
    diff.update(before={}, after={})
    for key in ('owner', 'group'):
        if current[key] != wanted[key]:
            diff['before'][key], diff['after'][key] = current[key], wanted[key]
    if st.st_mode & 0o7777 != int(mode, 8):
        diff['before']['mode'], diff['after']['mode'] = '0%03o' % (st.st_mode & 0o7777), '0%03o' % int(mode, 8)
    return diff if diff['before'] else None


def _id(what, name, lookup, field):
    """The uid or gid of a name (or of a number), as chown takes it."""
    try:
        return int(name)
    except ValueError:
        pass
    try:
        return getattr(lookup(name), field)
    except KeyError:
        raise MockConfigError('%s %r does not exist on this host: create it first (the mock package creates the '
                              'group mock) or set %s to an existing one.' % (what, name, what))


def _own_marker(text, name):
    """The marker of a file's text when it records this config; None for a file that is not ours."""
    recorded = parse_marker(text) if text is not None else None
    return recorded if recorded and recorded['name'] == name else None


def _plan_present(lvm, params, plan):
    entry = dict((k, params[k]) for k in ENTRY_OPTIONS)
    validate_entry(entry)
    root = config_root(entry, params['safe_root'])
    problem = base_problem(params['config_dir'], entry['base'])
    if problem:
        raise MockConfigError('mock config %r: %s' % (entry['name'], problem))
    path = plan.details['path']
    current = read_text(path)
    recorded = _own_marker(current, entry['name'])
    if current is not None:
        _refuse_foreign(path, recorded, params)
    neighbours = recorded_configs(params['config_dir'])  # read once, for both checks
    _check_neighbours(entry, root, params, neighbours)
    new = marker(entry, root, params['basedir'])
    _check_root_change(lvm, recorded, new, params, neighbours)
    content = render(entry, root, params['basedir'])
    plan.details.update(recorded=recorded, root=root, marker=new)
    if content != current:
        plan.file_diffs.append({'before': current or '', 'after': content, 'before_header': path,
                                'after_header': path})
        plan.steps.append(ValidatedWrite(params, path, content, plan.details))
    _plan_attributes(plan, params, path, written=content != current)


def _plan_attributes(plan, params, path, written):
    """An existing file's attributes are predicted; those of a file yet to be written are set and reported after."""
    if not os.path.exists(path):
        if written:
            plan.steps.append(FileAttributes(params, path, report_to=plan.file_diffs))
        return
    predicted = attribute_changes(path, params['owner'], params['group'], params['mode'])
    if predicted:
        plan.file_diffs.append(predicted)
        plan.steps.append(FileAttributes(params, path))


def _plan_absent(lvm, params, plan):
    path = plan.details['path']
    current = read_text(path)
    if current is None:
        return
    recorded = _own_marker(current, params['name'])
    _refuse_foreign(path, recorded, params)
    plan.details['recorded'] = recorded
    plan.file_diffs.append({'before': current, 'after': '', 'before_header': path, 'after_header': path})
    plan.steps.append(RemoveFile(path))
