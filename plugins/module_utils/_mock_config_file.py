# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The mock_config module's planner: one config file, written or removed only when it is ours.

Reads the file, its neighbours' markers, the roots of the configs this collection
did not write and (when the recorded root, vg, pool or basedir changes) the old
root's volumes, and returns a ``_plan.Plan``: a validated write or a removal, then
owner, group and mode, with text diffs. builder_info compares a config through the
same planner (config_finding). The schema, validation, rendering and the marker are
in ``_mock_config``; names of mock's layout in ``_mock_layout``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ast
import copy
import grp
import os
import pwd
import sys
import tempfile

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._errors import ModuleError
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import RC_NOT_FOUND, LvmError
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_config import (
    CONFIG_OPTIONS,
    MockConfigError,
    base_problem,
    check_path,
    comparable,
    config_root,
    content_settings,
    file_attributes,
    file_mode,
    marker,
    parse_marker,
    read_text,
    recorded_configs,
    refuse_disagreement,
    refuse_shared_chroot,
    render,
    unmarked_roots,
    validate_entry,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_layout import (
    DEFAULT_BASEDIR,
    DEFAULT_CONFIG_DIR,
    MOCK_GROUP,
    bootstrap_root,
    chroot_dir,
    lock_files,
    member_of,
    other_known_roots,
    roots_conflict,
    snapinfo_prefix,
)
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._plan import FileStep, Plan, RemoveFile

# The options of mock_config that are about the file, not the config (CONFIG_OPTIONS): the module's
# argument spec is both (argument_spec()), and builder_info passes its own values for these.
FILE_OPTIONS = dict(
    safe_root=dict(type='bool', default=True),
    basedir=dict(type='path', default=DEFAULT_BASEDIR),
    config_dir=dict(type='path', default=DEFAULT_CONFIG_DIR),
    owner=dict(type='str', default='root'),
    group=dict(type='str', default=MOCK_GROUP),
    # raw: an unquoted 0644 in YAML is the integer 420, read as Ansible's file module reads it.
    mode=dict(type='raw', default='0644'),
    force=dict(type='bool', default=False),
    absent_configs=dict(type='list', elements='str', default=[]),
    validate_with_mock=dict(type='bool', default=True),
)


def argument_spec():
    """mock_config's argument spec: the config's options (the one schema) and the file's."""
    spec = copy.deepcopy(CONFIG_OPTIONS)
    spec.update(copy.deepcopy(FILE_OPTIONS))
    return spec


def plan_config(lvm, params):
    """The Plan for the config file of params; plan.details holds path, recorded, marker (and root)."""
    params['config_dir'] = check_path('config_dir', params['config_dir'])
    params['basedir'] = check_path('basedir', params['basedir'])
    params['mode'] = file_mode('mode', params['mode'])
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


def _check_identity_change(lvm, recorded, new, params, neighbours):
    """Refuse a change of root, vg, pool or basedir that would leave the recorded root's volumes to nobody.

    The old root's volumes are read (one lvs) only when one of them changes.
    """
    if recorded is None or params['force']:
        return
    read = []

    def volumes():
        if not read:
            read.append(_old_root_volumes(lvm, recorded, neighbours))
        return read[0]
    _check_root_change(recorded, new, volumes)
    _check_basedir_change(recorded, new, volumes)


def _check_root_change(recorded, new, old_volumes):
    """Refuse a new root, vg or pool while the recorded root still has volumes."""
    old = tuple(recorded[k] for k in ('root', 'vg', 'pool'))
    if old == tuple(new[k] for k in ('root', 'vg', 'pool')):
        return
    volumes = old_volumes()
    if volumes:
        raise MockConfigError(
            'config %r recorded root %r in %s/%s, and that root still has volumes (%s); the new settings give root %r '
            'in %s/%s, which would leave them to nobody. Remove the old build roots first (buildfleet.mock_lvm.'
            'build_root root=%s vg=%s pool=%s state=absent), or keep the old root, vg and pool (root: %s, or no root '
            'at all: a config without root keeps the root its file records).'
            % (new['name'], old[0], old[1], old[2], ', '.join(sorted(volumes)), new['root'], new['vg'], new['pool'],
               old[0], old[1], old[2], old[0]))


def root_files(basedir, root):
    """What mock keeps in basedir for a root and its bootstrap: chroot dir, lock files, .snapinfo files."""
    try:
        names = set(os.listdir(basedir))
    except OSError:
        return []
    found = []
    for each in (root, bootstrap_root(root)):
        wanted = [os.path.basename(chroot_dir(basedir, each))] + [os.path.basename(p) for p in lock_files(basedir, each)]
        found += [n for n in wanted if n in names]
        found += sorted(n for n in names if n.startswith(snapinfo_prefix(each)))
    return [os.path.join(basedir, n) for n in found]


def _check_basedir_change(recorded, new, old_volumes):
    """Refuse a new basedir while the old one holds the root's files and the root has volumes."""
    if recorded['basedir'] == new['basedir']:
        return
    left = root_files(recorded['basedir'], recorded['root'])
    if not left:
        return
    volumes = old_volumes()
    if volumes:
        raise MockConfigError(
            'config %r recorded basedir %r, which still holds what mock keeps for root %r (%s), and the root has '
            'volumes (%s); with basedir %r mock would look for its lock and .snapinfo files there and no longer see '
            'a running build or its current snapshot. Remove the build roots first (buildfleet.mock_lvm.build_root '
            'root=%s vg=%s pool=%s basedir=%s state=absent), or keep basedir %r.'
            % (new['name'], recorded['basedir'], recorded['root'], ', '.join(left), ', '.join(sorted(volumes)),
               new['basedir'], recorded['root'], recorded['vg'], recorded['pool'], recorded['basedir'],
               recorded['basedir']))


# mock's own loader, run as a separate process: mock.py itself refuses to run from the root
# account (rootcheck), while mockbuild.config.simple_load_config, "intended for use by 3rd party
# software", loads a config file (includes resolved against config_dir) and only warns as root.
# load_config turns the templating on at its end (__jinja_expand); mock then expands a value when
# it reads it (TemplatedDictionary.__getitem__, recursively into lists and dicts). Reading every
# key here expands every value, so a template error is found now, not in the middle of a build.
_LOAD_WITH_MOCK = """
import sys, warnings
warnings.simplefilter('ignore')
try:
    from mockbuild.config import simple_load_config
except ImportError:
    raise SystemExit(3)
key = None
try:
    opts = simple_load_config(sys.argv[1], sys.argv[2])
    for key in sorted(opts):
        opts[key]
    key = None
except Exception as exc:
    where = ' (expanding config_opts[%r])' % (key,) if key is not None else ''
    sys.stderr.write('%s%s: %s' % (type(exc).__name__, where, exc))
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
    """Owner, group and mode of a file (the plan's diff says which change)."""

    verb = 'set owner, group and mode of'

    def __init__(self, params, path):
        super(FileAttributes, self).__init__(path)
        self.params = params

    def run(self, module, lvm):
        changed = module.set_owner_if_different(self.path, self.params['owner'], False)
        changed = module.set_group_if_different(self.path, self.params['group'], changed)
        module.set_mode_if_different(self.path, self.params['mode'], changed)


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
        diff['before']['mode'], diff['after']['mode'] = '%04o' % (st.st_mode & 0o7777), mode
    return diff if diff['before'] else None


def new_file_attributes(path, owner, group, mode):
    """The diff of a file yet to be written: the owner, group and mode it will get (checked to exist now)."""
    _id('owner', owner, pwd.getpwnam, 'pw_uid')
    _id('group', group, grp.getgrnam, 'gr_gid')
    diff = attributes_diff_headers(path)
    diff.update(before={}, after={'owner': owner, 'group': group, 'mode': mode})
    return diff


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
    entry = dict((k, params[k]) for k in CONFIG_OPTIONS)
    validate_entry(entry)
    problem = base_problem(params['config_dir'], entry['base'])
    if problem:
        raise MockConfigError('mock config %r: %s' % (entry['name'], problem))
    path = plan.details['path']
    current = read_text(path)
    recorded = _own_marker(current, entry['name'])
    if current is not None:
        _refuse_foreign(path, recorded, params)
    # Without root, the root the file records is kept (the role passes the root its filter decided, by the same rule).
    root = config_root(entry, params['safe_root'], recorded['root'] if recorded else None)
    if recorded is not None and not params['force']:
        refuse_disagreement(path, recorded, content_settings(current), 'rewrite')
    neighbours = recorded_configs(params['config_dir'])  # read once, for both checks
    _check_neighbours(entry, root, params, neighbours)
    # builder_info reads the other configs' roots once for all its configs (params['unmarked']).
    unmarked = params.get('unmarked')
    refuse_shared_chroot(entry['name'], root, unmarked_roots(params['config_dir']) if unmarked is None else unmarked,
                         entry['share_root'], recorded=recorded is not None and recorded['root'] == root)
    new = marker(entry, root, params['basedir'])
    _check_identity_change(lvm, recorded, new, params, neighbours)
    content = render(entry, root, params['basedir'])
    # The version of the collection alone is no change: the marker's version moves with the next real one.
    rewrite = comparable(content) != comparable(current)
    plan.details.update(recorded=recorded, root=root, marker=new if rewrite else recorded)
    if rewrite:
        plan.file_diffs.append({'before': current or '', 'after': content, 'before_header': path,
                                'after_header': path})
        plan.steps.append(ValidatedWrite(params, path, content, plan.details))
    _plan_attributes(plan, params, path, written=rewrite)


def _plan_attributes(plan, params, path, written):
    """Owner, group and mode: predicted for an existing file, and for a new one what it will get."""
    if not os.path.exists(path):
        if written:
            plan.file_diffs.append(new_file_attributes(path, params['owner'], params['group'], params['mode']))
            plan.steps.append(FileAttributes(params, path))
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
    if recorded is not None and not params['force']:
        refuse_disagreement(path, recorded, content_settings(current), 'remove')
    plan.details['recorded'] = recorded
    plan.file_diffs.append({'before': current, 'after': '', 'before_header': path, 'after_header': path})
    plan.steps.append(RemoveFile(path))


class _NoVolumeReads(object):
    """The LVM client builder_info gives the planner: a config whose identity changes differs anyway."""

    def read_vg(self, vg):
        raise _IdentityChanges()


class _IdentityChanges(ModuleError):
    def __init__(self):
        super(_IdentityChanges, self).__init__('its recorded root, vg, pool or basedir changes (mock_config then '
                                               'checks the old root\'s volumes)')


def config_finding(item, file_params):
    """A config file against what mock_config does with it, read only: builder_info's comparison.

    item: a config as the mock_lvm_configs filter gives it (its root decided there, taken as given);
    file_params: config_dir, basedir, owner, group, mode. ``matches`` is true exactly when mock_config
    would change nothing; ``difference`` says what it would do, or why it would refuse.
    """
    params = dict(file_params, safe_root=False, force=False, validate_with_mock=False,
                  absent_configs=file_params.get('absent_configs', []))
    params.update((k, item.get(k, spec.get('default'))) for k, spec in CONFIG_OPTIONS.items())
    path = os.path.join(file_params['config_dir'], '%s.cfg' % item['name'])
    found = {'name': item['name'], 'path': path, 'exists': os.path.exists(path), 'marker': None,
             'root': item.get('root') if params['state'] == 'present' else None, 'owner': None, 'group': None,
             'mode': None, 'matches': False, 'difference': None}
    if found['exists']:
        found['marker'] = parse_marker(read_text(path) or '')
        found['owner'], found['group'], found['mode'] = file_attributes(path)
    try:
        plan = plan_config(_NoVolumeReads(), params)
    except ModuleError as exc:
        found['difference'] = exc.msg
        return found
    if plan.steps:
        found['difference'] = '; '.join(filter(None, (_describe_change(plan, step) for step in plan.steps)))
    found['matches'] = found['difference'] is None
    return found


def _describe_change(plan, step):
    """What one planned step changes, as builder_info reports it."""
    if isinstance(step, ValidatedWrite):
        return 'its content differs from what mock_config writes' if os.path.exists(step.path) \
            else 'the file does not exist'
    if isinstance(step, RemoveFile):
        return 'the file exists'
    keys = [k for diff in plan.file_diffs if isinstance(diff.get('before'), dict) for k in diff['before']]
    if not keys:
        return None  # a new file: that it does not exist says it all
    return 'its %s differ%s' % (', '.join(keys), 's' if len(keys) == 1 else '')
