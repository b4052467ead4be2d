# -*- coding: utf-8 -*-
# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of mock's LVM layout: names, exact ownership, lock and bookkeeping files, safe roots.

Names are spelled out here by hand (not with the functions under test), as mock's lvm_root plugin makes them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.buildfleet.mock_lvm.plugins.module_utils._mock_layout import (
    bootstrap_root,
    check_roots,
    conf_id,
    lock_files,
    member_of,
    mount_point,
    roots_with_lock_files,
    roots_with_postinit,
    roots_conflict,
    root_problem,
    safe_root,
    snapinfo_prefix,
    snapshot_volume,
    updates_prefix,
    working_volume,
)

BASEDIR = '/var/lib/mock'
ALMA = 'alma+epel-9-x86_64'


# --------------------------------------------------------------------------- names

NAME_CASES = [
    ('conf_id', lambda: conf_id('foo'), 'mock.foo'),
    ('working-head', lambda: working_volume('foo'), '+mock.foo.head'),
    ('working-uniqueext', lambda: working_volume('foo', 'ABC'), '+mock.foo.ABC'),
    ('working-dotted-root', lambda: working_volume('foo.bar'), '+mock.foo.bar.head'),
    ('working-plus-root', lambda: working_volume(ALMA), '+mock.alma+epel-9-x86_64.head'),
    ('snapshot-postinit', lambda: snapshot_volume('foo'), 'mock.foo.postinit'),
    ('snapshot-named', lambda: snapshot_volume('foo', 'before-gcc15'), 'mock.foo.before-gcc15'),
    ('updates-prefix', lambda: updates_prefix('foo'), 'mock.foo.postinit_updated_'),
    ('updates-prefix-bootstrap', lambda: updates_prefix(bootstrap_root('foo')), 'mock.foo-bootstrap.postinit_updated_'),
    ('lock-files', lambda: lock_files(BASEDIR, 'foo'),
     ['/var/lib/mock/.lvm-mock.foo.lock', '/var/lib/mock/.lvm-pool-mock.foo.lock']),
    ('lock-files-dotted-root', lambda: lock_files('/srv/mock/', 'foo.bar'),
     ['/srv/mock/.lvm-mock.foo.bar.lock', '/srv/mock/.lvm-pool-mock.foo.bar.lock']),
    ('snapinfo-prefix', lambda: snapinfo_prefix('foo'), '.snapinfo-mock.foo.'),
    ('snapinfo-prefix-plus-root', lambda: snapinfo_prefix(ALMA), '.snapinfo-mock.alma+epel-9-x86_64.'),
    ('mount-point-head', lambda: mount_point(BASEDIR, 'foo'), '/var/lib/mock/foo/root'),
    ('mount-point-explicit-head', lambda: mount_point(BASEDIR, 'foo', 'head'), '/var/lib/mock/foo/root'),
    ('mount-point-uniqueext', lambda: mount_point(BASEDIR, 'foo', 'ABC'), '/var/lib/mock/foo-ABC/root'),
    ('mount-point-bootstrap', lambda: mount_point(BASEDIR, bootstrap_root('foo')),
     '/var/lib/mock/foo-bootstrap/root'),
    ('bootstrap-root', lambda: bootstrap_root('foo'), 'foo-bootstrap'),
    ('bootstrap-root-dotted', lambda: bootstrap_root('foo.bar'), 'foo.bar-bootstrap'),
]


@pytest.mark.parametrize('make, expected', [c[1:] for c in NAME_CASES], ids=[c[0] for c in NAME_CASES])
def test_names(make, expected):
    assert make() == expected


# --------------------------------------------------------------------------- member_of

# (volume name, root, other_roots, expected)
MEMBER_CASES = [
    # the plain family
    ('+mock.foo.head', 'foo', (), ('working', 'head')),
    ('+mock.foo.ABC', 'foo', (), ('working', 'ABC')),
    ('mock.foo.postinit', 'foo', (), ('snapshot', 'postinit')),
    ('mock.foo.postinit_updated_2026-01-01_10-00', 'foo', (), ('snapshot', 'postinit_updated_2026-01-01_10-00')),
    # 'foo' vs 'foo.bar': without knowing foo.bar, its volumes look like foo's (mock's own rule) ...
    ('mock.foo.bar.postinit', 'foo', (), ('snapshot', 'bar.postinit')),
    ('+mock.foo.bar.head', 'foo', (), ('working', 'bar.head')),
    # ... and once foo.bar is known, they are foo.bar's only
    ('mock.foo.bar.postinit', 'foo', ('foo.bar',), None),
    ('+mock.foo.bar.head', 'foo', ('foo.bar',), None),
    ('+mock.foo.bar.ABC', 'foo', ('foo-bar', 'foo.bar'), None),
    ('mock.foo.bar.postinit', 'foo.bar', (), ('snapshot', 'postinit')),
    ('mock.foo.bar.postinit', 'foo.bar', ('foo',), ('snapshot', 'postinit')),   # a shorter root never claims
    ('+mock.foo.bar.head', 'foo.bar', ('foo', 'foo-bar'), ('working', 'head')),
    ('mock.foo.postinit', 'foo', ('foo.bar',), ('snapshot', 'postinit')),      # foo's own stay foo's
    ('mock.foo.bar', 'foo', ('foo.bar',), ('snapshot', 'bar')),                 # not 'mock.foo.bar.' + something
    ('mock.foo.barx.postinit', 'foo', ('foo.bar',), ('snapshot', 'barx.postinit')),
    # 'foo' vs 'foo-bar' and the bootstrap: a dash is not the separator
    ('mock.foo-bar.postinit', 'foo', (), None),
    ('+mock.foo-bar.head', 'foo', (), None),
    ('+mock.foo-bootstrap.head', 'foo', (), None),
    ('+mock.foo-bootstrap.head', 'foo-bootstrap', (), ('working', 'head')),
    ('mock.foo.postinit', 'foo-bar', (), None),
    ('mock.foo.postinit', 'fo', (), None),
    # roots containing '+': only a single leading '+' marks a working volume
    ('+mock.alma+epel-9-x86_64.head', ALMA, (), ('working', 'head')),
    ('mock.alma+epel-9-x86_64.postinit', ALMA, (), ('snapshot', 'postinit')),
    ('+mock.alma+epel-9-x86_64.ABC', ALMA, ('alma',), ('working', 'ABC')),
    ('+mock.almaepel-9-x86_64.head', ALMA, (), None),       # mock's '+'-stripping would match this one
    ('mock.almaepel-9-x86_64.postinit', ALMA, (), None),
    ('++mock.foo.head', 'foo', (), None),
    ('+mock.alma+epel-9-x86_64.head', 'alma', (), None),
    # names that are the prefix only, or less
    ('mock.foo.', 'foo', (), None),
    ('+mock.foo.', 'foo', (), None),
    ('mock.foo', 'foo', (), None),
    ('+mock.foo', 'foo', (), None),
    ('mock.alma+epel-9-x86_64.', ALMA, (), None),
    # not mock's at all
    ('thin1', 'foo', (), None),
    ('foo.postinit', 'foo', (), None),
    ('xmock.foo.head', 'foo', (), None),
    ('Mock.foo.head', 'foo', (), None),
]


@pytest.mark.parametrize('name, root, other_roots, expected', MEMBER_CASES,
                         ids=['%s|%s|%s' % (c[0], c[1], ','.join(c[2]) or '-') for c in MEMBER_CASES])
def test_member_of(name, root, other_roots, expected):
    assert member_of(name, root, other_roots) == expected


def test_member_of_over_the_captured_family(lvm_reports):
    """Every thin volume of the captured mock_family belongs to exactly one root, when all roots are known."""
    names = [row['lv_name'] for row in lvm_reports.rows('mock_family') if row['lv_attr'].startswith('V')]
    roots = ['foo', 'foo.bar', 'foo-bar', 'foo-bootstrap']
    owners = {}
    for name in names:
        owners[name] = [root for root in roots if member_of(name, root, [r for r in roots if r != root])]
    assert all(len(found) == 1 for found in owners.values()), owners
    by_root = dict((root, sorted(n for n in names if owners[n] == [root])) for root in roots)
    assert by_root['foo'] == ['+mock.foo.ABC', '+mock.foo.head', 'mock.foo.postinit',
                              'mock.foo.postinit_updated_2026-01-01_10-00',
                              'mock.foo.postinit_updated_2026-02-01_10-00']
    assert by_root['foo-bootstrap'] == ['+mock.foo-bootstrap.head', 'mock.foo-bootstrap.postinit']
    assert len(by_root['foo.bar']) == 5 and all('foo.bar' in n for n in by_root['foo.bar'])
    assert len(by_root['foo-bar']) == 5 and all('foo-bar' in n for n in by_root['foo-bar'])


# --------------------------------------------------------------------------- roots known on the host

def test_roots_with_lock_files(tmp_path):
    for name in ('.lvm-mock.foo.lock', '.lvm-pool-mock.foo.lock', '.lvm-mock.foo.bar.lock',
                 '.lvm-mock.alma+epel-9-x86_64.lock', '.lvm-pool-mock.only-pool.lock',
                 '.snapinfo-mock.foo.head', '.lvm-mock.foo.lock.bak', 'lvm-mock.nodot.lock', '.lvm-mock..lock',
                 'foo', 'README'):
        (tmp_path / name).write_text(u'')
    (tmp_path / 'foo-bootstrap').mkdir()
    assert roots_with_lock_files(str(tmp_path)) == {'foo', 'foo.bar', ALMA}


def test_roots_with_lock_files_empty_and_missing_basedir(tmp_path):
    assert roots_with_lock_files(str(tmp_path)) == set()
    assert roots_with_lock_files(str(tmp_path / 'missing')) == set()
    assert not os.path.exists(str(tmp_path / 'missing'))


@pytest.mark.parametrize('names, expected', [
    ([], set()),
    (['mock.foo.postinit'], {'foo'}),
    (['mock.foo.postinit', '+mock.foo.head', 'mock.foo.postinit_updated_2026-01-01_10-00',
      'mock.foo.ABC'], {'foo'}),
    (['mock.foo.bar.postinit', 'mock.foo-bar.postinit', 'mock.foo-bootstrap.postinit'],
     {'foo.bar', 'foo-bar', 'foo-bootstrap'}),
    (['mock.alma+epel-9-x86_64.postinit'], {ALMA}),
    (['+mock.foo.postinit', 'thin1', 'snap.postinit', 'mock.foo.postinit.old'], set()),
], ids=['none', 'one', 'only-postinit-counts', 'dotted-and-dashed', 'plus', 'not-postinit'])
def test_roots_with_postinit(names, expected):
    assert roots_with_postinit(names) == expected


def test_roots_with_postinit_of_the_captured_family(lvm_reports):
    names = [row['lv_name'] for row in lvm_reports.rows('mock_family')]
    assert roots_with_postinit(names) == {'foo', 'foo.bar', 'foo-bar', 'foo-bootstrap'}


# --------------------------------------------------------------------------- safe_root / check_roots

SAFE_CASES = [
    ('foo', 'foo'),
    ('foo-bar', 'foo-bar'),
    (ALMA, 'alma_epel-9-x86_64'),
    ('a+b+c', 'a_b_c'),
    ('foo.bar', 'foo_bar'),
    ('fedora-40.x86_64', 'fedora-40_x86_64'),
    ('foo.bar.baz', 'foo_bar_baz'),
    ('foo+x.y', 'foo_x_y'),
    ('opensuse-leap-15.6-x86_64', 'opensuse-leap-15_6-x86_64'),
]


@pytest.mark.parametrize('root, expected', SAFE_CASES, ids=[c[0] for c in SAFE_CASES])
def test_safe_root_depends_on_the_root_alone(root, expected):
    assert safe_root(root) == expected
    assert safe_root(expected) == expected  # mapping a safe root again changes nothing
    assert root_problem(expected) is None


def entry(name, root, pool='p', vg='vg'):
    return {'name': name, 'root': root, 'pool': pool, 'vg': vg}


def test_check_roots_accepts_distinct_roots():
    check_roots([entry('a', 'foo'), entry('b', 'foo-bar'), entry('c', 'foo_bar'), entry('d', 'fedora-40-x86_64'),
                 entry('e', 'bootstrap-foo'), entry('f', 'foo.bar', pool='other')])
    check_roots([])


@pytest.mark.parametrize('configs, fragments', [
    ([entry('a', 'foo'), entry('b', 'foo.bar')],
     ["root 'foo' (config 'a') is a dotted prefix of root 'foo.bar' (config 'b') on the same pool",
      'rename one of them']),
    ([entry('b', 'foo.bar'), entry('a', 'foo')], ["root 'foo' (config 'a') is a dotted prefix of root 'foo.bar'"]),
    ([entry('a', ALMA)], ["config 'a': root 'alma+epel-9-x86_64' contains \"+\"", 'use a root without "+"']),
    ([entry('config-a', 'foo'), entry('config-b', 'foo', pool='other')],
     ["configs 'config-a' and 'config-b' both have root 'foo'", 'per root']),
    ([entry('a', 'foo-bootstrap')], ["config 'a': root 'foo-bootstrap' ends in '-bootstrap'"]),
    ([entry('a', 'foo'), entry('b', 'foo-bootstrap.x')],
     ["root 'foo-bootstrap.x' of config 'b' starts with 'foo-bootstrap', the bootstrap chroot of config 'a'"]),
    ([entry('b', 'foo-bootstrapped'), entry('a', 'foo')],
     ["root 'foo-bootstrapped' of config 'b' starts with 'foo-bootstrap'"]),
], ids=['dotted-prefix', 'dotted-prefix-reversed', 'plus', 'same-root-other-pool', 'ends-in-bootstrap',
        'bootstrap-prefix', 'bootstrap-prefix-reversed'])
def test_check_roots_errors(configs, fragments):
    with pytest.raises(ValueError) as err:
        check_roots(configs)
    for fragment in fragments:
        assert fragment in str(err.value)


def test_roots_conflict_is_none_for_neighbours():
    assert roots_conflict(entry('a', 'foo'), entry('b', 'foo_bar')) is None
    assert roots_conflict(entry('a', 'foo'), entry('b', 'foo.bar', vg='other')) is None
