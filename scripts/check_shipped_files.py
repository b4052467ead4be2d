# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every repository file the operator docs tell users to use is in the built collection tarball.

The operator docs are README.md up to its development section, docs/*.md (but the test suite's own
docs/testing.md and the benchmark's docs/performance.md), extensions/awx/README.md and the roles'
READMEs. A reference is a markdown link to a relative path or a `backticked` path; it counts when it
names a file or directory the repository tracks outside its development tree (DEVELOPMENT_TREE). The build gate of scripts/test runs it on the tarball.

  python scripts/check_shipped_files.py TARBALL
"""
import glob
import os
import re
import subprocess
import sys
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEVELOPER_DOCS = ('docs/testing.md', 'docs/performance.md')
# The development tree, which never ships: docs may name it for people who work on the collection.
DEVELOPMENT_TREE = ('.ci', 'bench', 'molecule', 'scripts', 'tests')
# README.md's sections from this heading on are for people who work on the collection.
DEVELOPMENT_HEADING = re.compile(r'^## (Development|Contributing)', re.MULTILINE)
REFERENCE = re.compile(r'\]\(([^)#\s]+)|`([A-Za-z0-9_.][A-Za-z0-9_./+-]*)`')


def operator_docs():
    """{repository path: the text operators read}."""
    docs = {}
    with open(os.path.join(ROOT, 'README.md')) as handle:
        text = handle.read()
    found = DEVELOPMENT_HEADING.search(text)
    docs['README.md'] = text[:found.start()] if found else text
    paths = sorted(glob.glob(os.path.join(ROOT, 'docs', '*.md'))) + [os.path.join(ROOT, 'extensions', 'awx', 'README.md')]
    paths += sorted(glob.glob(os.path.join(ROOT, 'roles', '*', 'README.md')))
    for path in paths:
        relative = os.path.relpath(path, ROOT)
        if relative not in DEVELOPER_DOCS:
            with open(path) as handle:
                docs[relative] = handle.read()
    return docs


def tracked():
    """Tracked files and the directories that hold them."""
    files = subprocess.check_output(['git', 'ls-files'], cwd=ROOT, universal_newlines=True).split('\n')
    paths = set(f for f in files if f)
    for path in list(paths):
        while '/' in path:
            path = path.rsplit('/', 1)[0]
            paths.add(path)
    return paths


def references(doc, text, known):
    """Repository paths the doc names, resolved against the doc's own directory for links."""
    found = set()
    for link, code in REFERENCE.findall(text):
        candidates = []
        if link and not re.match(r'^[a-z]+:', link):
            candidates.append(os.path.normpath(os.path.join(os.path.dirname(doc), link)))
        if code:
            candidates += [code.rstrip('/'), os.path.normpath(os.path.join(os.path.dirname(doc), code))]
        found.update(c for c in candidates if c in known and c.split('/')[0] not in DEVELOPMENT_TREE)
    return found


def main(tarball):
    known = tracked()
    with tarfile.open(tarball) as archive:
        shipped = set(name.rstrip('/') for name in archive.getnames())
    for name in list(shipped):
        while '/' in name:
            name = name.rsplit('/', 1)[0]
            shipped.add(name)
    missing, checked = [], set()
    for doc, text in operator_docs().items():
        for path in sorted(references(doc, text, known)):
            checked.add(path)
            if path not in shipped:
                missing.append('%s names %s, which is not in the tarball' % (doc, path))
    for line in missing:
        print(line)
    if not checked:
        print('no file references found in the operator docs: the check found nothing to check')
        return 1
    print('%d files and directories the operator docs name, %d missing from %s'
          % (len(checked), len(missing), os.path.basename(tarball)))
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
