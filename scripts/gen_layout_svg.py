# Copyright (c) buildfleet.mock_lvm contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Write docs/images/volume-layout.svg: the LVM layout on one builder and what each playbook touches.

The picture is data below (boxes, arrows, the playbook legend), so it changes in review like code.

  python scripts/gen_layout_svg.py           write the SVG
  python scripts/gen_layout_svg.py --check   change nothing; exit 1 when the SVG differs (the docs gate)
"""
import argparse
import os
import sys
from xml.sax.saxutils import escape

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join('docs', 'images', 'volume-layout.svg')
WIDTH, HEIGHT = 1010, 560
LINE = 15

# Colours of the playbooks; a box lists the playbooks that change it (pool_report reads everything).
PLAYBOOKS = [
    ('P', 'provision_builders', '#1f77b4',
     'packages, EPEL, volume group, thin pool, autoextend profile, config files, pre-warm (postinit)'),
    ('R', 'pool_report', '#2ca02c', 'reads pools and build roots; changes nothing'),
    ('S', 'prune_snapshots', '#ff7f0e',
     'postinit_updated_* beyond prune_keep; with prune_reap, working volumes killed builds left'),
    ('X', 'scrub_build_roots', '#d62728', "every volume of the named configs' families; the pool stays"),
]

# (x, y, w, h, fill, lines, playbook letters); the right 40 px of a box hold its playbook badges.
BOXES = [
    (20, 20, 330, 64, '#f2f2f2', ['/etc/mock/fedora-43-x86_64-lvm.cfg', "include('fedora-43-x86_64.cfg')",
                                  'root fedora-43-x86_64-lvm, pool_name shared'], 'P'),
    (20, 96, 330, 64, '#f2f2f2', ['/etc/mock/alma-epel-10-lvm.cfg', "include('alma+epel-10-x86_64.cfg')",
                                  'root alma-epel-10-lvm, pool_name shared'], 'P'),
    (20, 172, 330, 64, '#f2f2f2', ['/var/lib/mock (basedir): lock files,', '.snapinfo-mock.<root>.<ext>,',
                                   'chroot dirs'], 'SX'),
    (370, 20, 620, 40, '#dde8f5', ['volume group mock on /dev/disk/by-id/nvme-... (one or more PVs)'], 'P'),
    (390, 72, 580, 40, '#dde8f5', ['thin pool shared: size, metadata, chunk size; autoextend 80 % + 20 %',
                                   'through an LVM profile, watched by dmeventd'], 'P'),
    # the fedora-43 family
    (400, 124, 290, 22, '#fff6d5', ['mock.fedora-43-x86_64-lvm.postinit'], 'PX'),
    (400, 154, 290, 36, '#fff6d5', ['mock.fedora-43-x86_64-lvm.postinit_', 'updated_2026-12-01_10-00'], 'SX'),
    (400, 198, 290, 22, '#fde2e2', ['+mock.fedora-43-x86_64-lvm.head'], 'SX'),
    (400, 228, 290, 36, '#fde2e2', ['+mock.fedora-43-x86_64-lvm.ABC', '(mock --uniqueext=ABC)'], 'SX'),
    (400, 272, 290, 36, '#eeeeee', ['mock.fedora-43-x86_64-lvm-bootstrap.*', '(bootstrap chroot, same rules)'], 'SX'),
    # the alma family
    (700, 124, 280, 22, '#fff6d5', ['mock.alma-epel-10-lvm.postinit'], 'PX'),
    (700, 154, 280, 22, '#fde2e2', ['+mock.alma-epel-10-lvm.head'], 'SX'),
    (700, 184, 280, 36, '#eeeeee', ['mock.alma-epel-10-lvm-', 'bootstrap.* (bootstrap chroot)'], 'SX'),
]

# (from x, from y, to x, to y, label)
ARROWS = [
    (350, 52, 390, 88, 'pool_name'),
    (350, 128, 390, 100, ''),
]

NOTES = [
    'Working volumes (+mock.<root>.<ext>) are thin snapshots of the snapshot .snapinfo names (postinit or the newest',
    'postinit_updated_*): every build root of a config shares its blocks. Snapshots belong to one config only;',
    'configs share the pool. mock itself makes and mounts the volumes at build time, under its own locks.',
]


def text(x, y, lines, size=12, weight='normal', anchor='start'):
    out = []
    for index, line in enumerate(lines):
        out.append('<text x="%d" y="%d" font-size="%d" font-weight="%s" text-anchor="%s">%s</text>'
                   % (x, y + index * LINE, size, weight, anchor, escape(line)))
    return out


def box(x, y, w, h, fill, lines, letters):
    colours = dict((entry[0], entry[2]) for entry in PLAYBOOKS)
    out = ['<rect x="%d" y="%d" width="%d" height="%d" rx="4" fill="%s" stroke="#555"/>' % (x, y, w, h, fill)]
    out += text(x + 6, y + 15, lines, size=12)
    for index, letter in enumerate(reversed(letters)):
        cx = x + w - 9 - index * 16
        out.append('<circle cx="%d" cy="%d" r="7" fill="%s"/>' % (cx, y + 10, colours[letter]))
        out.append('<text x="%d" y="%d" font-size="9" fill="#fff" text-anchor="middle">%s</text>' % (cx, y + 13, letter))
    return out


def svg():
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<!-- Written by scripts/gen_layout_svg.py: edit that, then run it. -->',
           '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
           'font-family="DejaVu Sans, Arial, sans-serif">' % (WIDTH, HEIGHT, WIDTH, HEIGHT),
           '<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="7" refY="3" orient="auto">'
           '<path d="M0,0 L7,3 L0,6 z" fill="#555"/></marker></defs>',
           '<rect width="100%" height="100%" fill="#ffffff"/>']
    out += ['<rect x="380" y="66" width="600" height="252" rx="6" fill="none" stroke="#1f77b4" '
            'stroke-dasharray="4 3"/>']
    out += text(700, 300, ['thin volumes in the pool,', 'one family per config root'], size=11)
    for entry in BOXES:
        out += box(*entry)
    for x1, y1, x2, y2, label in ARROWS:
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#555" marker-end="url(#arrow)"/>' % (x1, y1, x2, y2))
        if label:
            out += text((x1 + x2) // 2, (y1 + y2) // 2 - 4, [label], size=10, anchor='middle')
    y = 350
    out += text(20, y, ['What each playbook changes (pool_report reads all of it):'], size=13, weight='bold')
    for index, (letter, name, colour, what) in enumerate(PLAYBOOKS):
        row = y + 26 + index * 26
        out.append('<circle cx="30" cy="%d" r="8" fill="%s"/>' % (row - 4, colour))
        out.append('<text x="30" y="%d" font-size="10" fill="#fff" text-anchor="middle">%s</text>' % (row, letter))
        out += text(46, row, ['buildfleet.mock_lvm.%s: %s' % (name, what)])
    out += text(20, y + 150, NOTES, size=12)
    out.append('</svg>')
    return '\n'.join(out) + '\n'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--check', action='store_true')
    args = parser.parse_args()
    path = os.path.join(ROOT, OUTPUT)
    wanted = svg()
    current = open(path).read() if os.path.isfile(path) else None
    if current == wanted:
        print('%s is what scripts/gen_layout_svg.py writes' % OUTPUT)
        return 0
    if args.check:
        print('%s differs from what scripts/gen_layout_svg.py writes: run it' % OUTPUT)
        return 1
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as handle:
        handle.write(wanted)
    print('wrote %s' % OUTPUT)
    return 0


if __name__ == '__main__':
    sys.exit(main())
