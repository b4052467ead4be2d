# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""One plan type and one apply for every module that changes a host.

A planner (``_thinpool``, ``_snapshots``, ``_build_root``, ``_mock_config``)
reads the host once and returns a ``Plan``: the facts before, the facts it
predicts after, the steps in order, and the lock files the steps need. Every
module then calls ``apply()``, which in check mode only lists the commands and
otherwise holds the locks, lets the planner confirm under them, runs the steps
until the first failure, and re-reads once. Steps are ``_lvm.Command`` (an
argument list), ``WriteFile``, ``RemoveFile`` or a module's own ``Action``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import tempfile

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._errors import ModuleError
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._locks import HeldLocks
from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._lvm import LvmClient


class FileStep(object):
    """A step on one file: it has no command line, and is described as '<verb> <path>'."""

    line = None
    verb = 'change'

    def __init__(self, path):
        self.path = path

    def describe(self):
        return '%s %s' % (self.verb, self.path)


def write_beside(path, text, move):
    """Write text to a hidden temporary file with a unique name beside path, then move(temporary, path): a reader
    or a directory listing never sees a half-written file, and a failed write leaves nothing behind."""
    directory = os.path.dirname(path) or '.'
    fd, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp', dir=directory)
    try:
        with os.fdopen(fd, 'w') as handle:
            handle.write(text)
        move(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


class WriteFile(FileStep):
    """Write text to path through write_beside; the directory is made if missing. atomic_move sets the mode
    (the old file's, or from the umask), the owner and the SELinux context."""

    verb = 'write'

    def __init__(self, path, text, dir_mode=0o755):
        super(WriteFile, self).__init__(path)
        self.text = text
        self.dir_mode = dir_mode

    def run(self, module, lvm):
        directory = os.path.dirname(self.path)
        if not os.path.isdir(directory):
            os.makedirs(directory, self.dir_mode)
        write_beside(self.path, self.text, module.atomic_move)


class RemoveFile(FileStep):
    """Remove path; a file already gone is what was asked."""

    verb = 'remove'

    def run(self, module, lvm):
        try:
            os.remove(self.path)
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                raise ModuleError('Cannot remove %s: %s' % (self.path, exc))


class Action(object):
    """A module's own step: function(module, lvm); line is what `commands` shows for it, if anything."""

    def __init__(self, what, function, line=None):
        self.what = what
        self.function = function
        self.line = line

    def describe(self):
        return ' '.join(self.line) if self.line else self.what

    def run(self, module, lvm):
        self.function(module, lvm)


def describe(step):
    return step.describe() if hasattr(step, 'describe') else ' '.join(step.line)


class Plan(object):
    """What a module does: the steps in order, the facts before and the predicted facts after.

    locks: files held exclusive (non-blocking, in this order) while the steps run.
    confirm: called with the held locks before any step; returns the plan to carry out, read again under them.
    diff_keys: the keys of before/after that --diff shows (all when None).
    file_diffs: text diffs (before/after with headers), shown instead of before/after when text_diff is set.
    details: what the module returns beside the facts (what was removed, kept, skipped).
    warnings: what the module warns about, decided with the plan.
    """

    def __init__(self, before=None, after=None, steps=(), locks=(), confirm=None, diff_keys=None):
        self.before = before if before is not None else {}
        self.after = after if after is not None else dict(self.before)
        self.steps = list(steps)
        self.locks = list(locks)
        self.confirm = confirm
        self.diff_keys = diff_keys
        self.file_diffs = []
        self.text_diff = False
        self.details = {}
        self.warnings = []

    @property
    def changed(self):
        return bool(self.steps)

    def lines(self):
        """The commands of the steps, as a module's `commands` list shows them."""
        return [step.line for step in self.steps if step.line]

    def diff(self):
        """What --diff shows: before/after (diff_keys of them), or the text diffs, None when there is none."""
        if self.text_diff:
            return self.file_diffs or None
        keys = self.diff_keys
        view = (lambda facts: dict((key, facts.get(key)) for key in keys)) if keys else dict
        return {'before': view(self.before), 'after': view(self.after)}

    def result(self, module, **facts):
        """What the module returns: the details, the facts given, changed, and the diff under --diff."""
        result = dict(self.details, changed=self.changed, **facts)
        diff = self.diff() if module._diff else None
        if diff is not None:
            result['diff'] = diff
        return result


def apply(module, lvm, plan, reread=None):
    """Carry out plan and return the plan carried out, its `after` read again (reread()) when anything ran.

    Check mode lists the plan's commands in lvm.commands and runs nothing. Otherwise the plan's locks are
    held while plan.confirm re-plans and the steps run in order; the first failure stops the rest, and its
    error names the steps done and those not run.
    """
    if not plan.changed:
        return plan
    if module.check_mode:
        lvm.commands.extend(plan.lines())
        return plan
    with HeldLocks(plan.locks) as locks:
        if plan.confirm is not None:
            plan = plan.confirm(locks)
        run_steps(module, lvm, plan.steps)
    if reread is not None:
        plan.after = reread()
    return plan


def run_steps(module, lvm, steps):
    for index, step in enumerate(steps):
        try:
            step.run(module, lvm)
        except (IOError, OSError) as exc:
            error = ModuleError('Cannot %s: %s' % (describe(step), exc))
            raise _with_progress(error, steps, index)
        except ModuleError as exc:
            raise _with_progress(exc, steps, index)


def _with_progress(error, steps, index):
    error.details.update(steps_done=[describe(s) for s in steps[:index]], step_failed=describe(steps[index]),
                         steps_not_run=[describe(s) for s in steps[index + 1:]])
    return error


def run_and_exit(module, flow):
    """exit_json with what flow(module, lvm) returns and the commands it ran; fail_json for a ModuleError.

    Every module's main() ends here, so each reports its failures the same way: msg, the error's details
    (cmd, rc, stderr, steps done and not run, ...), and the commands run until then.
    """
    lvm = LvmClient(module)
    try:
        result = flow(module, lvm)
    except ModuleError as exc:
        module.fail_json(commands=lvm.commands, **exc.fail_kwargs())
    result.setdefault('commands', lvm.commands)
    module.exit_json(**result)
