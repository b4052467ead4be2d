# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared pytest fixtures for the unit tests of the collection's modules.

Everything is reached through fixtures, so test files never import this file:

``lvm_reports``
    The real ``lvs``/``vgs`` JSON reports captured from lvm2 (see
    ``fixtures/capture_lvm_reports.sh``), as text, as rows, or edited.
``fake_lvm``
    A stand-in for ``AnsibleModule.run_command`` (and ``get_bin_path``, which
    answers ``/usr/sbin/<name>``). It answers each command from a dict keyed by
    tool name or from a scripted, ordered list, and records every call.
``fake_module``
    A minimal module object (run_command, get_bin_path, check_mode, warn) for
    testing ``LvmClient`` without ``AnsibleModule``.
``run_module``
    Runs a module's ``main()`` with the given args (check and diff mode as
    flags) and returns what ``exit_json``/``fail_json`` received, the warnings
    and the LVM calls.
``builder_role``
    Reads a file of the builder role (its tasks, argument specs, defaults,
    vars) as YAML, for the tests that check the role against the code.
``lock_holder``
    Holds POSIX ``lockf`` locks from separate processes (lockf locks belong to
    a process, so a lock taken by the test process itself never blocks it),
    and probes from another process whether a file is locked.
``foo_basedir``, ``foo_config``
    mock's basedir of root ``foo`` (the root of the ``mock_family`` capture)
    with the lock files mock keeps for it and its bootstrap
    (``FOO_LOCK_FILES``, also the fixture ``foo_lock_files``), and its config
    file, for the tests of a renewal (build_root refresh and the maintenance
    timer's program).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import copy
import json
import os
import subprocess
import sys

import pytest
import yaml

from ansible.module_utils import basic
from ansible.module_utils.basic import AnsibleModule

try:
    from ansible.module_utils.testing import patch_module_args as _patch_module_args
except ImportError:  # ansible-core before 2.19
    _patch_module_args = None

LVM_VERSION = '2.03.16'
FIXTURE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'lvm-' + LVM_VERSION)

# Tools that only read; everything else changes the system.
READ_TOOLS = frozenset(('lvs', 'vgs', 'pvs', 'lvm', 'findmnt'))


@contextlib.contextmanager
def set_module_args(args):
    """Expose args to AnsibleModule: patch_module_args on 2.19+, _ANSIBLE_ARGS before."""
    if _patch_module_args is not None:
        with _patch_module_args(args):
            yield
        return
    old_args = basic._ANSIBLE_ARGS
    basic._ANSIBLE_ARGS = json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode('utf-8')
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = old_args


# --------------------------------------------------------------------------- reports

class LvmReports(object):
    """Access to the captured reports: raw text, rows, and edited copies as JSON text."""

    directory = FIXTURE_DIR

    def names(self):
        return sorted(name[:-5] for name in os.listdir(self.directory) if name.endswith('.json'))

    def text(self, name):
        with open(os.path.join(self.directory, name + '.json')) as handle:
            return handle.read()

    def report(self, name):
        return json.loads(self.text(name))

    def rows(self, name):
        """The rows of a report: its `lv` list, or its `vg` list for a vgs report."""
        section = self.report(name)['report'][0]
        return copy.deepcopy(section['lv'] if 'lv' in section else section['vg'])

    def row(self, name, lv_name):
        for row in self.rows(name):
            if row.get('lv_name') == lv_name:
                return row
        raise KeyError('%s has no LV %r' % (name, lv_name))

    @staticmethod
    def lvs_json(rows):
        return json.dumps({'report': [{'lv': rows}]}, indent=1)

    @staticmethod
    def vgs_json(rows):
        return json.dumps({'report': [{'vg': rows}]}, indent=1)

    def edited(self, name, changes=None, drop=(), add=()):
        """A copy of an lvs report as JSON text.

        changes: {lv_name: {field: value}} applied to those rows (each must exist);
        drop: LV names to leave out; add: extra rows appended.
        """
        rows = self.rows(name)
        changes = dict(changes or {})
        missing = (set(changes) | set(drop)) - set(row['lv_name'] for row in rows)
        if missing:
            raise KeyError('%s has no LV(s) %s' % (name, ', '.join(sorted(missing))))
        out = []
        for row in rows:
            if row['lv_name'] in drop:
                continue
            row.update(changes.get(row['lv_name'], {}))
            out.append(row)
        out.extend(copy.deepcopy(list(add)))
        return self.lvs_json(out)

    def copied_rows(self, name, copies):
        """New rows copied from rows of report `name`: copies are (source LV, new name, field changes).

        The copy gets the new name in lv_name, lv_path and lv_uuid, then the changes.
        """
        rows = []
        for source, new_name, changes in copies:
            row = self.row(name, source)
            row.update(lv_name=new_name, lv_path='/dev/%s/%s' % (row['vg_name'], new_name), lv_uuid='copy-' + new_name)
            row.update(changes or {})
            rows.append(row)
        return rows

    def resolve(self, spec):
        """Turn a table spec into lvs/vgs output text.

        A spec is a report name ('pool_only'), a tuple (name, changes) or
        (name, changes, drop) as for edited(), JSON text (starting with '{'),
        or a dict: base (report name), and optional changes and drop as for
        edited(), add (copies as for copied_rows(), taken from the report named
        by source, default base).
        """
        if isinstance(spec, dict):
            add = self.copied_rows(spec.get('source', spec['base']), spec.get('add', ()))
            return self.edited(spec['base'], spec.get('changes'), spec.get('drop', ()), add)
        if isinstance(spec, tuple):
            return self.edited(*spec)
        if spec.lstrip().startswith('{'):
            return spec
        return self.text(spec)


@pytest.fixture(scope='session')
def lvm_reports():
    return LvmReports()


# --------------------------------------------------------------------------- the builder role's files

ROLE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'roles', 'builder')


@pytest.fixture(scope='session')
def builder_role():
    """Reads a file of the builder role as YAML: builder_role('tasks', 'configs.yml')."""
    def read(*parts):
        with open(os.path.join(ROLE_DIR, *parts)) as handle:
            return yaml.safe_load(handle)
    return read


# --------------------------------------------------------------------------- fake run_command

class Call(object):
    """One recorded command."""

    def __init__(self, argv, kwargs):
        self.argv = [str(a) for a in argv]
        self.kwargs = kwargs
        self.tool = os.path.basename(self.argv[0])
        self.args = self.argv[1:]
        self.environ_update = kwargs.get('environ_update') or {}

    @property
    def command(self):
        """[tool] + args, the shape modules return in `commands`."""
        return [self.tool] + self.args

    @property
    def mutating(self):
        return self.tool not in READ_TOOLS

    def __repr__(self):
        return 'Call(%r)' % (self.command,)


def _normalize(response, argv):
    """A response is (rc, out, err), stdout text, a dict (JSON), None (rc 0) or a callable(argv)."""
    if callable(response):
        response = response(argv)
    if response is None:
        return 0, '', ''
    if isinstance(response, dict):
        return 0, json.dumps(response), ''
    if isinstance(response, str):
        return 0, response, ''
    rc, out, err = response
    return rc, out, err


class FakeRunCommand(object):
    """Answers commands by tool name or from a script, recording each one.

    by tool:  fake.set(lvs=[first_read, reread], lvcreate=OK)
              A list is consumed in order (one more call fails the test); any
              other response is returned for every call.
    script:   fake.script(('lvs', text), ('lvcreate', (5, '', 'error')), ...)
              Each call must match the next step's tool; fake.script_done()
              tells whether every step was used.
    A command with no answer fails the test (AssertionError with the command).
    """

    OK = (0, '', '')

    def __init__(self):
        self.calls = []
        self._by_tool = {}
        self._script = None

    # configuring
    def set(self, responses=None, **by_tool):
        """Answers keyed by tool name; a list is consumed call by call."""
        merged = dict(responses or {})
        merged.update(by_tool)
        for tool, response in merged.items():
            self._by_tool[tool] = list(response) if isinstance(response, list) else response
        return self

    def ok(self, *tools):
        """Answer rc 0 with no output for these tools, every time."""
        return self.set(dict((tool, self.OK) for tool in tools))

    def script(self, *steps):
        """An ordered list of (tool, response); replaces the by-tool answers."""
        self._script = list(steps)
        return self

    def script_done(self):
        return not self._script

    # answering
    def __call__(self, args, **kwargs):
        if isinstance(args, (str, bytes)):
            raise AssertionError('run_command got a string, the LVM client must pass a list: %r' % (args,))
        call = Call(args, kwargs)
        self.calls.append(call)
        if self._script is not None:
            if not self._script:
                raise AssertionError('unexpected command after the end of the script: %r' % (call.command,))
            tool, response = self._script.pop(0)
            if tool != call.tool:
                raise AssertionError('expected a %s command, got %r' % (tool, call.command))
            return _normalize(response, call.argv)
        if call.tool not in self._by_tool:
            raise AssertionError('no answer configured for %r' % (call.command,))
        response = self._by_tool[call.tool]
        if isinstance(response, list):
            if not response:
                raise AssertionError('one %s call more than scripted: %r' % (call.tool, call.command))
            response = response.pop(0)
        return _normalize(response, call.argv)

    # inspecting
    @property
    def commands(self):
        return [call.command for call in self.calls]

    @property
    def tools(self):
        return [call.tool for call in self.calls]

    def count(self, tool):
        return self.tools.count(tool)

    @property
    def mutating(self):
        return [call for call in self.calls if call.mutating]


class FakeModule(object):
    """What LvmClient needs from AnsibleModule."""

    def __init__(self, run_command, check_mode=False):
        self.run_command = run_command
        self.check_mode = check_mode
        self.warnings = []

    @staticmethod
    def get_bin_path(arg, required=False, opt_dirs=None):
        return '/usr/sbin/%s' % arg

    def warn(self, warning, **kwargs):
        self.warnings.append(warning)


class AnsibleExitJson(Exception):
    """exit_json was called; .result holds its arguments."""

    def __init__(self, result):
        super(AnsibleExitJson, self).__init__(result)
        self.result = result


class AnsibleFailJson(Exception):
    """fail_json was called; .result holds its arguments."""

    def __init__(self, result):
        super(AnsibleFailJson, self).__init__(result)
        self.result = result


@pytest.fixture
def fake_lvm(monkeypatch):
    """Patch AnsibleModule so commands, exits and warnings are captured."""
    fake = FakeRunCommand()
    fake.warnings = []

    def run_command(self, args, **kwargs):
        return fake(args, **kwargs)

    def get_bin_path(self, arg, required=False, opt_dirs=None):
        return '/usr/sbin/%s' % arg

    def exit_json(self, **kwargs):
        kwargs.setdefault('changed', False)
        json.dumps(kwargs)  # the real exit_json must be able to serialize the result
        raise AnsibleExitJson(kwargs)

    def fail_json(self, msg=None, **kwargs):
        kwargs['msg'] = msg
        kwargs['failed'] = True
        raise AnsibleFailJson(kwargs)

    def warn(self, warning, **kwargs):
        assert isinstance(warning, str), 'module.warn() needs a string, got %r' % (warning,)
        fake.warnings.append(warning)

    monkeypatch.setattr(AnsibleModule, 'run_command', run_command)
    monkeypatch.setattr(AnsibleModule, 'get_bin_path', get_bin_path)
    monkeypatch.setattr(AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(AnsibleModule, 'fail_json', fail_json)
    monkeypatch.setattr(AnsibleModule, 'warn', warn)
    return fake


@pytest.fixture
def fake_module(fake_lvm):
    """A FakeModule whose run_command is fake_lvm."""
    return FakeModule(fake_lvm)


# --------------------------------------------------------------------------- running a module

class ModuleResult(object):
    """The outcome of one main() run."""

    def __init__(self, failed, result, warnings, calls):
        self.failed = failed
        self.result = result
        self.warnings = warnings
        self.calls = calls

    @property
    def changed(self):
        return self.result.get('changed')

    @property
    def msg(self):
        return self.result.get('msg', '')

    @property
    def commands(self):
        """Commands that really ran (the fake's record), as [tool] + args."""
        return [call.command for call in self.calls]

    @property
    def tools(self):
        return [call.tool for call in self.calls]

    @property
    def mutating(self):
        return [call.command for call in self.calls if call.mutating]

    def __repr__(self):
        return 'ModuleResult(failed=%r, result=%r, warnings=%r, commands=%r)' % (
            self.failed, self.result, self.warnings, self.commands)


@pytest.fixture
def run_module(fake_lvm):
    """run_module(module, args, check_mode=False, diff=False) -> ModuleResult.

    `module` is the imported module (its main() is called). Configure the
    answers on the fake_lvm fixture first.
    """

    def _run(module, args, check_mode=False, diff=False):
        module_args = dict(args)
        if check_mode:
            module_args['_ansible_check_mode'] = True
        if diff:
            module_args['_ansible_diff'] = True
        start_calls, start_warnings = len(fake_lvm.calls), len(fake_lvm.warnings)
        outcome = None
        with set_module_args(module_args):
            try:
                module.main()
            except AnsibleExitJson as exc:
                outcome = (False, exc.result)
            except AnsibleFailJson as exc:
                outcome = (True, exc.result)
        if outcome is None:
            raise AssertionError('%s.main() returned without calling exit_json or fail_json' % module.__name__)
        failed, result = outcome
        return ModuleResult(failed, result, fake_lvm.warnings[start_warnings:], fake_lvm.calls[start_calls:])

    return _run


# --------------------------------------------------------------------------- locks held by other processes

_HOLD_LOCK = (
    'import fcntl, os, sys\n'
    'fd = os.open(sys.argv[1], os.O_RDWR | os.O_APPEND)\n'
    'fcntl.lockf(fd, fcntl.LOCK_SH if sys.argv[2] == "shared" else fcntl.LOCK_EX)\n'
    'sys.stdout.write("locked\\n")\n'
    'sys.stdout.flush()\n'
    'sys.stdin.read()\n'
)

_PROBE_LOCK = (
    'import errno, fcntl, os, sys\n'
    'fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)\n'
    'try:\n'
    '    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n'
    'except (IOError, OSError) as exc:\n'
    '    sys.exit(3 if exc.errno in (errno.EACCES, errno.EAGAIN) else 4)\n'
    'sys.exit(0)\n'
)


class LockHolder(object):
    """Other processes that hold lockf locks until released (or until the test ends)."""

    def __init__(self):
        self.processes = {}

    def hold(self, path, shared=False):
        """Start a process that locks the existing file `path` (exclusive, or shared as a running build does);
        return once it holds the lock."""
        path = str(path)
        process = subprocess.Popen([sys.executable, '-c', _HOLD_LOCK, path, 'shared' if shared else 'exclusive'],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = process.stdout.readline()
        if line.strip() != b'locked':
            process.kill()
            process.wait()
            raise AssertionError('the lock holder for %s did not start: %r' % (path, line))
        self.processes[path] = process
        return process

    def release(self, path):
        process = self.processes.pop(str(path))
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            process.kill()
            process.wait()
        process.stdout.close()

    def release_all(self):
        for path in list(self.processes):
            self.release(path)

    @staticmethod
    def locked_elsewhere(path):
        """Whether a fresh process finds `path` locked (it takes and drops the lock when free)."""
        rc = subprocess.call([sys.executable, '-c', _PROBE_LOCK, str(path)])
        if rc not in (0, 3):
            raise AssertionError('probing the lock on %s failed (rc=%d)' % (path, rc))
        return rc == 3


@pytest.fixture
def lock_holder():
    holder = LockHolder()
    try:
        yield holder
    finally:
        holder.release_all()


# --------------------------------------------------------------------------- mock's files of root foo

# The lock files mock's lvm_root plugin keeps in its basedir for root foo and its bootstrap.
FOO_LOCK_FILES = ('.lvm-mock.foo.lock', '.lvm-pool-mock.foo.lock', '.lvm-mock.foo-bootstrap.lock',
                  '.lvm-pool-mock.foo-bootstrap.lock')


@pytest.fixture
def foo_lock_files():
    return list(FOO_LOCK_FILES)


@pytest.fixture
def foo_basedir(tmp_path):
    """tmp_path/mock holding the lock files of root foo and of its bootstrap, as mock leaves them."""
    path = tmp_path / 'mock'
    path.mkdir()
    for name in FOO_LOCK_FILES:
        (path / name).write_text(u'')
    return path


@pytest.fixture
def foo_config(tmp_path):
    """tmp_path/foo.cfg, a config of root foo (its modification time is what a renewal compares)."""
    path = tmp_path / 'foo.cfg'
    path.write_text(u"config_opts['root'] = 'foo'\n")
    return path
