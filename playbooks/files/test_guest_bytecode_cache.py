# Installed in the test guest image only (test_guest.sh), loaded at Python start-up by a .pth
# file. Ansible sends each module as a zip (AnsiballZ); Python compiles every source in it at
# every run, since zipimport keeps no bytecode. Under software emulation that compile is most of
# a module run (measured: 19.6 s for thinpool_info's run, 7.7 s with its bytecode on disk). This
# keeps the compiled code of those zips' sources, keyed by Python's magic number, the path inside
# the zip and the source's hash, so the same source is compiled once per guest. Nothing else
# changes: other imports, and any error on the cache's path, take Python's own way.
import hashlib
import importlib.util
import marshal
import os
import sys
import tempfile
import types
import zipimport

CACHE_DIR = os.environ.get('BUILDFLEET_TEST_BYTECODE_CACHE', '/var/cache/buildfleet-test-bytecode')


def _is_ansible_payload(archive):
    name = os.path.basename(archive)
    return name.startswith('ansible_') and name.endswith('_payload.zip')


def _cache_path(inner_path, source):
    digest = hashlib.sha256()
    for part in (importlib.util.MAGIC_NUMBER, inner_path.encode(), source.encode('utf-8', 'surrogateescape')):
        digest.update(part)
        digest.update(b'\0')
    return os.path.join(CACHE_DIR, digest.hexdigest())


def _store(path, code):
    fd, tmp = tempfile.mkstemp(dir=CACHE_DIR)
    try:
        with os.fdopen(fd, 'wb') as stream:
            marshal.dump(code, stream)
        os.replace(tmp, path)  # readers see a whole file or none
    except BaseException:
        os.unlink(tmp)
        raise


def _fix_filename(code, filename):
    fix = getattr(sys.modules.get('_imp'), '_fix_co_filename', None)
    if fix is not None:
        fix(code, filename)
    return code


class CachingZipImporter(zipimport.zipimporter):
    def get_code(self, fullname):
        if not _is_ansible_payload(self.archive):
            return super().get_code(fullname)
        try:
            filename = self.get_filename(fullname)
            source = self.get_source(fullname)
        except Exception:  # Python's own path reports it
            return super().get_code(fullname)
        if source is None:
            return super().get_code(fullname)
        path = _cache_path(filename[len(self.archive):], source)
        try:
            with open(path, 'rb') as stream:
                cached = marshal.load(stream)
            if isinstance(cached, types.CodeType):
                return _fix_filename(cached, filename)
        except (OSError, EOFError, ValueError, TypeError):
            pass  # compiled again below, and stored anew
        code = compile(source, filename, 'exec', dont_inherit=True)
        try:
            _store(path, code)
        except OSError:
            pass  # a read-only or foreign cache: compiled anyway
        return code


def install():
    if os.path.isdir(CACHE_DIR) and zipimport.zipimporter in sys.path_hooks:
        sys.path_hooks[sys.path_hooks.index(zipimport.zipimporter)] = CachingZipImporter
        sys.path_importer_cache.clear()


install()
