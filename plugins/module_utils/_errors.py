# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The base of every error the collection's modules report.

Each layer raises its own kind (``LvmError`` in ``_lvm``, ``LockError`` and
``LockBusy`` in ``_locks``, ``MockRunError`` in ``_build_root``,
``MockConfigError`` in ``_mock_config``, ``BuilderStateError`` in
``_builder_state``); a module turns any of them into ``fail_json`` once, in
``main()``, with ``fail_kwargs()``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleError(Exception):
    """A failure a module reports: msg names the value and the fix, details (cmd, rc, ...) go beside it."""

    def __init__(self, msg, **details):
        super(ModuleError, self).__init__(msg)
        self.msg = msg
        self.details = details

    def fail_kwargs(self):
        """The keyword arguments for module.fail_json(): msg and every detail that is set."""
        kwargs = dict((key, value) for key, value in self.details.items() if value is not None)
        kwargs['msg'] = self.msg
        return kwargs
