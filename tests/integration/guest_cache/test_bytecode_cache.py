"""The test image's bytecode cache for Ansible's module zips (playbooks/files/test_guest_bytecode_cache.py),
run here with the host's Python in fresh interpreters, the way the guest's Python loads it."""
import os
import pathlib
import subprocess
import sys
import zipfile

import pytest

HOOK_DIR = pathlib.Path(__file__).resolve().parents[3] / 'playbooks' / 'files'
MODULE = 'def f():\n    def g():\n        raise ValueError("boom")\n    g()\n'


def make_zip(directory, name, source=MODULE):
    directory.mkdir(parents=True)
    archive = directory / name
    with zipfile.ZipFile(archive, 'w') as zf:
        zf.writestr('pkg/__init__.py', '')
        zf.writestr('pkg/mod.py', source)
    return archive


def import_from(archive, cache):
    """Import pkg.mod from ARCHIVE with the hook loaded: its loader, file and the traceback of f()."""
    code = (
        'import sys, traceback\n'
        'sys.path.insert(0, %r)\n'
        'import test_guest_bytecode_cache\n'
        'sys.path.insert(0, %r)\n'
        'import pkg.mod\n'
        'print(type(pkg.mod.__loader__).__name__)\n'
        'print(pkg.mod.__file__)\n'
        'try:\n'
        '    pkg.mod.f()\n'
        'except ValueError:\n'
        '    traceback.print_exc(file=sys.stdout)\n' % (str(HOOK_DIR), str(archive)))
    env = dict(os.environ, BUILDFLEET_TEST_BYTECODE_CACHE=str(cache))
    return subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def cache(tmp_path):
    path = tmp_path / 'cache'
    path.mkdir()
    return path


def test_a_payload_is_compiled_once_and_later_runs_load_it_with_their_own_file_names(tmp_path, cache):
    first = make_zip(tmp_path / 'run1', 'ansible_x_payload.zip')
    out = import_from(first, cache)
    assert out.startswith('CachingZipImporter\n%s/pkg/mod.py\n' % first)
    stored = sorted(cache.iterdir())
    assert len(stored) == 2  # pkg/__init__.py and pkg/mod.py
    second = make_zip(tmp_path / 'run2', 'ansible_x_payload.zip')
    out = import_from(second, cache)
    assert sorted(cache.iterdir()) == stored
    assert 'File "%s/pkg/mod.py", line 3, in g' % second in out
    assert str(first) not in out


def test_a_changed_source_is_compiled_again(tmp_path, cache):
    import_from(make_zip(tmp_path / 'run1', 'ansible_x_payload.zip'), cache)
    import_from(make_zip(tmp_path / 'run2', 'ansible_x_payload.zip', MODULE + '\nX = 1\n'), cache)
    assert len(list(cache.iterdir())) == 3


def test_other_zips_take_python_s_own_way(tmp_path, cache):
    out = import_from(make_zip(tmp_path / 'run1', 'library.zip'), cache)
    assert out.startswith('CachingZipImporter\n')  # the hook's importer, but nothing stored
    assert list(cache.iterdir()) == []


def test_a_damaged_cache_entry_is_compiled_again(tmp_path, cache):
    import_from(make_zip(tmp_path / 'run1', 'ansible_x_payload.zip'), cache)
    for entry in cache.iterdir():
        entry.write_bytes(b'not marshal data')
    out = import_from(make_zip(tmp_path / 'run2', 'ansible_x_payload.zip'), cache)
    assert 'ValueError: boom' in out


def test_without_its_cache_directory_the_hook_stays_out(tmp_path):
    out = import_from(make_zip(tmp_path / 'run1', 'ansible_x_payload.zip'), tmp_path / 'missing')
    assert out.startswith('zipimporter\n')
