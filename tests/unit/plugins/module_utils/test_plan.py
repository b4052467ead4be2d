# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the one Plan type and the one apply() every module uses, and of the error kinds beside them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil

import pytest

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._build_root import MockRunError
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._builder_state import BuilderStateError
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._errors import ModuleError
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._locks import LockBusy, LockError
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import LvmClient, LvmError, lvremove, umount
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_config import MockConfigError
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._plan import (
    Action,
    Plan,
    RemoveFile,
    WriteFile,
    apply,
    run_and_exit,
)


class Exited(Exception):
    def __init__(self, kind, result):
        super(Exited, self).__init__(kind)
        self.kind = kind
        self.result = result


class Module(object):
    """What apply() and run_and_exit() use of AnsibleModule."""

    def __init__(self, run_command, check_mode=False, diff=False):
        self.run_command = run_command
        self.check_mode = check_mode
        self._diff = diff
        self.params = {}

    @staticmethod
    def get_bin_path(arg, required=False, opt_dirs=None):
        return '/usr/sbin/%s' % arg

    @staticmethod
    def atomic_move(src, dest):
        shutil.move(src, dest)

    def exit_json(self, **result):
        raise Exited('exit', result)

    def fail_json(self, **result):
        raise Exited('fail', result)


def four_steps(tmp_path):
    """A write, an lvremove, a umount and a removal: files and commands in one plan."""
    doomed = tmp_path / 'doomed'
    doomed.write_text(u'x')
    return [WriteFile(str(tmp_path / 'profile' / 'p.profile'), 'text\n'), lvremove('vg', ['a', 'b']),
            umount('/mnt/x'), RemoveFile(str(doomed))]


def test_check_mode_lists_the_commands_and_runs_nothing(tmp_path, fake_lvm):
    module = Module(fake_lvm, check_mode=True)
    lvm = LvmClient(module)
    called = []
    plan = Plan({'a': 1}, {'a': 2}, four_steps(tmp_path), confirm=called.append)
    done = apply(module, lvm, plan, reread=lambda: called.append('reread'))
    assert done is plan and done.after == {'a': 2}
    assert lvm.commands == [['lvremove', '-y', '-f', 'vg/a', 'vg/b'], ['umount', '/mnt/x']]
    assert fake_lvm.calls == [] and called == []
    assert not (tmp_path / 'profile').exists() and (tmp_path / 'doomed').exists()


def test_real_run_goes_in_order_and_reads_once(tmp_path, fake_lvm):
    fake_lvm.ok('lvremove', 'umount')
    module = Module(fake_lvm)
    lvm = LvmClient(module)
    reads = []
    plan = apply(module, lvm, Plan({'a': 1}, {'a': 2}, four_steps(tmp_path)), reread=lambda: reads.append(1) or {'a': 3})
    assert fake_lvm.commands == [['lvremove', '-y', '-f', 'vg/a', 'vg/b'], ['umount', '/mnt/x']]
    assert (tmp_path / 'profile' / 'p.profile').read_text() == u'text\n'
    assert not (tmp_path / 'doomed').exists()
    assert reads == [1] and plan.after == {'a': 3} and plan.changed


def test_nothing_to_do_reads_nothing(fake_lvm):
    module = Module(fake_lvm)
    plan = Plan({'a': 1})
    assert apply(module, LvmClient(module), plan, reread=lambda: pytest.fail('no re-read without steps')) is plan
    assert not plan.changed and plan.after == {'a': 1} and fake_lvm.calls == []


def test_the_first_failure_stops_the_rest_and_says_what_ran(tmp_path, fake_lvm):
    fake_lvm.set(lvremove=(5, '', '  Logical volume vg/b in use.'))
    module = Module(fake_lvm)
    with pytest.raises(LvmError) as err:
        apply(module, LvmClient(module), Plan(steps=four_steps(tmp_path)), reread=lambda: pytest.fail('no re-read'))
    details = err.value.fail_kwargs()
    assert details['steps_done'] == ['write %s' % (tmp_path / 'profile' / 'p.profile')]
    assert details['step_failed'] == 'lvremove -y -f vg/a vg/b'
    assert details['steps_not_run'] == ['umount /mnt/x', 'remove %s' % (tmp_path / 'doomed')]
    assert details['rc'] == 5 and 'in use' in details['msg']
    assert fake_lvm.tools == ['lvremove'] and (tmp_path / 'doomed').exists()


def test_a_file_step_that_fails_is_a_module_error_naming_it(tmp_path, fake_lvm):
    (tmp_path / 'profile').write_text(u'a file where the directory should be')
    module = Module(fake_lvm)
    with pytest.raises(ModuleError) as err:
        apply(module, LvmClient(module), Plan(steps=four_steps(tmp_path)))
    assert err.value.msg.startswith('Cannot write %s: ' % (tmp_path / 'profile' / 'p.profile'))
    assert err.value.details['steps_done'] == [] and len(err.value.details['steps_not_run']) == 3
    assert fake_lvm.calls == []


def test_locks_are_held_while_confirm_replans_and_the_steps_run(tmp_path, fake_lvm, lock_holder):
    lock = tmp_path / '.lvm-pool-mock.foo.lock'
    lock.write_text(u'')
    module = Module(fake_lvm)
    seen = []

    def confirm(locks):
        seen.append(list(locks.held_paths))
        return Plan(steps=[Action('look', lambda m, l: seen.append(lock_holder.locked_elsewhere(str(lock))))])

    apply(module, LvmClient(module), Plan(steps=[umount('/never')], locks=[str(lock), str(tmp_path / 'missing')],
                                          confirm=confirm))
    # confirm replaced the steps (the umount never ran); the lock was ours meanwhile, and is free after.
    assert seen == [[str(lock)], True] and fake_lvm.calls == []
    assert not lock_holder.locked_elsewhere(str(lock))


def test_a_held_lock_stops_the_plan_before_any_step(tmp_path, fake_lvm, lock_holder):
    lock = tmp_path / 'buildroot.lock'
    lock.write_text(u'')
    lock_holder.hold(str(lock), shared=True)
    module = Module(fake_lvm)
    with pytest.raises(LockBusy):
        apply(module, LvmClient(module), Plan(steps=[umount('/x')], locks=[str(lock)],
                                              confirm=lambda locks: pytest.fail('not confirmed without the locks')))
    assert fake_lvm.calls == []


def test_diff_views_and_the_result(fake_lvm):
    plan = Plan({'size': 1, 'noise': 'a'}, {'size': 2, 'noise': 'b'}, [umount('/x')], diff_keys=('size',))
    plan.details = {'removed': ['x']}
    assert plan.diff() == {'before': {'size': 1}, 'after': {'size': 2}}
    assert plan.result(Module(fake_lvm, diff=True), pool='p') == {'removed': ['x'], 'pool': 'p', 'changed': True,
                                                                  'diff': plan.diff()}
    assert 'diff' not in plan.result(Module(fake_lvm))
    text = Plan()
    text.text_diff = True
    assert text.diff() is None and 'diff' not in text.result(Module(fake_lvm, diff=True))
    text.file_diffs.append({'before': 'a', 'after': 'b'})
    assert text.diff() == [{'before': 'a', 'after': 'b'}]


def test_run_and_exit_reports_a_failure_with_the_commands_run(fake_lvm):
    fake_lvm.set(lvs=(0, '{"report": [{"lv": []}]}', ''))
    module = Module(fake_lvm)

    def flow(module, lvm):
        lvm.read_vg('vg')
        raise MockRunError('mock -r foo --init failed (rc=1): boom', cmd=['mock'], rc=1, stdout=None)

    with pytest.raises(Exited) as out:
        run_and_exit(module, flow)
    assert out.value.kind == 'fail'
    assert out.value.result['msg'] == 'mock -r foo --init failed (rc=1): boom'
    assert (out.value.result['cmd'], out.value.result['rc']) == (['mock'], 1) and 'stdout' not in out.value.result
    assert [c[0] for c in out.value.result['commands']] == ['lvs']
    with pytest.raises(Exited) as out:
        run_and_exit(module, lambda module, lvm: {'changed': False})
    assert out.value.result == {'changed': False, 'commands': []}


@pytest.mark.parametrize('kind', [LvmError, LockError, MockRunError, MockConfigError, BuilderStateError])
def test_every_error_kind_is_a_module_error_of_its_own(kind):
    assert issubclass(kind, ModuleError)
    others = set([LvmError, LockError, MockRunError, MockConfigError, BuilderStateError]) - set([kind])
    assert not any(issubclass(kind, other) for other in others)


def test_lock_busy_is_a_lock_error_not_an_lvm_error():
    busy = LockBusy('Build in progress: /x is locked', '/x')
    assert isinstance(busy, LockError) and not isinstance(busy, LvmError)
    assert busy.fail_kwargs() == {'msg': 'Build in progress: /x is locked', 'build_running': True, 'busy_locks': ['/x']}


def test_a_written_file_replaces_the_old_one_atomically(tmp_path, fake_lvm):
    path = tmp_path / 'p.profile'
    path.write_text(u'old\n')
    module = Module(fake_lvm)
    apply(module, LvmClient(module), Plan(steps=[WriteFile(str(path), 'new\n')]))
    assert path.read_text() == u'new\n' and os.listdir(str(tmp_path)) == ['p.profile']


def test_a_written_file_is_staged_under_a_hidden_unique_name(tmp_path, fake_lvm):
    path = tmp_path / 'p.profile'
    staged = []

    class Recording(Module):
        @staticmethod
        def atomic_move(src, dest):
            staged.append((os.path.basename(src), sorted(os.listdir(str(tmp_path)))))
            shutil.move(src, dest)

    module = Recording(fake_lvm)
    apply(module, LvmClient(module), Plan(steps=[WriteFile(str(path), 'new\n')]))
    [(name, listing)] = staged
    assert name.startswith('.p.profile.') and name.endswith('.tmp') and listing == [name]
    assert path.read_text() == u'new\n' and os.listdir(str(tmp_path)) == ['p.profile']


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, fake_lvm):
    path = tmp_path / 'p.profile'
    path.write_text(u'old\n')

    class Failing(Module):
        @staticmethod
        def atomic_move(src, dest):
            raise OSError(28, 'No space left on device')

    module = Failing(fake_lvm)
    with pytest.raises(ModuleError, match='Cannot write .*p.profile: .*No space left on device'):
        apply(module, LvmClient(module), Plan(steps=[WriteFile(str(path), 'new\n')]))
    assert path.read_text() == u'old\n' and os.listdir(str(tmp_path)) == ['p.profile']
