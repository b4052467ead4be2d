# shellcheck shell=bash
# Real mock for the test guest, sourced by test_guest.sh when GUEST_MOCK_TARBALL names a mock
# source tarball (an extract of rpm-software-management/mock: mock/ and mock-core-configs/).
#
# Everything expensive runs natively while the image is built (debootstrap packages, RPM builds
# in a chroot of the new root file system), never under TCG in the guest. The image then holds:
#   /opt/buildfleet-mock/root/   mock installed the way Fedora's mock.spec and
#                                mock-core-configs.spec install it, as a tree to copy onto /
#   /opt/buildfleet-mock/repo/   a local RPM repository: busybox-root 1.0 (busybox-static's
#                                shell and coreutils, /etc/passwd, /etc/group), rpm-build-chroot 1.0
#                                (this image's bash, rpm, rpmbuild, rpm2cpio, their libraries and
#                                /usr/lib/rpm: what a mock --rebuild runs in the chroot),
#                                createrepo_c metadata
#   /opt/buildfleet-mock/next/   busybox-root 1.1, kept out of the repository so a test can
#                                publish a newer package later
#   /usr/local/sbin/buildfleet-mock-install   puts mock in place (run once per guest, seconds):
#                                the tree above onto /, group mock (gid 135 unless the group
#                                exists), user mockbuild (not in the group: that is the
#                                builder role's job), /var/lib/mock and /var/cache/mock 2775
# mock stays out of the guest's system until that command runs, so scenarios that test the
# collection without mock see no mock on the same guest.

# Debian's packages mock needs (rpmbuild comes with rpm; dnf-plugins-core gives `dnf builddep`,
# which a build calls on the host, backend.py installSrpmDeps), and the one PyPI package.
MOCK_PACKAGES=dnf,python3-dnf,rpm,createrepo-c,python3-distro,python3-jinja2,python3-requests,python3-rpm,python3-pyroute2,python3-backoff,usermode,busybox-static,dnf-plugins-core
MOCK_PYPI=templated-dictionary==1.2
MOCK_PYTHONDIR=/usr/lib/python3/dist-packages
MOCK_STAGE=/opt/buildfleet-mock

mock_recipe() {  # what the image depends on besides the base recipe: the tarball and this file's functions
  [ -f "$MOCK_TARBALL" ] || die "mock source tarball '$MOCK_TARBALL' (GUEST_MOCK_TARBALL) does not exist"
  sha256sum <"$MOCK_TARBALL" | cut -d' ' -f1
  declare -f mock_into_rootfs mock_install_tree mock_pypi mock_pam mock_local_repo mock_repo_spec mock_build_tools_spec mock_install_command
  echo "$MOCK_PACKAGES $MOCK_PYPI $MOCK_PYTHONDIR $MOCK_STAGE"
}

mock_into_rootfs() {  # mock_into_rootfs ROOTFS WORKDIR
  local rootfs=$1 work=$2 src
  mkdir -p "$work/mock-src"
  tar -xzf "$MOCK_TARBALL" -C "$work/mock-src" || die "cannot unpack $MOCK_TARBALL"
  src=$(find "$work/mock-src" -maxdepth 3 -path '*/mock/mock.spec' | head -n1)
  src=${src%/mock/mock.spec}
  # shellcheck disable=SC2015  # die exits: C never runs after a true A && B
  [ -f "$src/mock/mock.spec" ] && [ -d "$src/mock-core-configs/etc/mock" ] \
    || die "$MOCK_TARBALL does not hold mock/mock.spec and mock-core-configs/etc/mock (an extract of rpm-software-management/mock)"
  mock_install_tree "$src" "$rootfs$MOCK_STAGE/root"
  mock_pypi "$work" "$rootfs$MOCK_STAGE/root$MOCK_PYTHONDIR"
  mock_pam "$rootfs$MOCK_STAGE/root/etc/pam.d/mock"
  mock_local_repo "$rootfs"
  mock_install_command >"$rootfs/usr/local/sbin/buildfleet-mock-install"
  chmod 755 "$rootfs/usr/local/sbin/buildfleet-mock-install"
}

mock_install_tree() {  # mock_install_tree SRC DEST: mock.spec's %build substitutions and %install, into DEST
  local src=$1 dest=$2 version
  version=$(sed -n 's/^Version:[[:space:]]*//p' "$src/mock/mock.spec" | head -n1)
  [ -n "$version" ] || die "no Version: line in $src/mock/mock.spec"
  install -d "$dest/usr/bin" "$dest/usr/libexec/mock" "$dest$MOCK_PYTHONDIR" "$dest/etc/pam.d" \
    "$dest/etc/security/console.apps" "$dest/etc/pki/mock" "$dest/etc/mock/templates" "$dest/etc/mock/eol/templates"
  cp -a "$src/mock/py/mockbuild" "$dest$MOCK_PYTHONDIR/"
  sed -i -e "s|^VERSION\s*=.*|VERSION=\"$version\"|" -e 's|^SYSCONFDIR\s*=.*|SYSCONFDIR="/etc"|' \
    -e "s|^PYTHONDIR\s*=.*|PYTHONDIR=\"$MOCK_PYTHONDIR\"|" -e "s|^PKGPYTHONDIR\s*=.*|PKGPYTHONDIR=\"$MOCK_PYTHONDIR/mockbuild\"|" \
    "$dest$MOCK_PYTHONDIR/mockbuild/constants.py"
  install -m 755 "$src/mock/py/mock.py" "$dest/usr/libexec/mock/mock"
  sed -i "s/^_MOCK_NVR = None\$/_MOCK_NVR = \"mock-$version-0.buildfleet\"/" "$dest/usr/libexec/mock/mock"
  ln -sfn consolehelper "$dest/usr/bin/mock"
  cp -a "$src/mock/etc/pam/." "$dest/etc/pam.d/"
  cp -a "$src/mock/etc/consolehelper/mock" "$dest/etc/security/console.apps/mock"
  cp -a "$src/mock/etc/pki/." "$dest/etc/pki/mock/"
  cp -a "$src/mock/etc/mock/." "$dest/etc/mock/"
  # mock-core-configs.spec: configs, templates, end-of-life configs and their templates.
  cp -a "$src"/mock-core-configs/etc/mock/*.cfg "$dest/etc/mock/"
  cp -a "$src"/mock-core-configs/etc/mock/templates/*.tpl "$dest/etc/mock/templates/"
  cp -a "$src"/mock-core-configs/etc/mock/eol/*.cfg "$dest/etc/mock/eol/"
  cp -a "$src"/mock-core-configs/etc/mock/eol/templates/*.tpl "$dest/etc/mock/eol/templates/"
  ln -sfn fedora-rawhide-x86_64.cfg "$dest/etc/mock/default.cfg"
  # Debian's rpm keeps its database in the caller's ~/.rpmdb (%_dbpath is %(bash -c 'echo ~/.rpmdb')):
  # mock's dnf (HOME=<root>/installation-homedir) and mock's `rpm -qa --root` (HOME=/builddir) would
  # use two databases, and mock would never see a package change (buildroot.py, postupdate hooks).
  install -d "$dest/etc/rpm"
  printf '%s\n' '# One rpm database path, as on Fedora (test_guest_mock.sh)' '%_dbpath /var/lib/rpm' \
    >"$dest/etc/rpm/macros.mock-dbpath"
  echo "$version" >"$dest/etc/mock/.buildfleet-mock-version"
}

mock_pypi() {  # mock_pypi WORKDIR SITEDIR: the PyPI package mock imports and Debian lacks
  local work=$1 site=$2 wheel
  python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$work/wheels" "$MOCK_PYPI" >&2 \
    || die "pip could not download $MOCK_PYPI from PyPI (needed by mock)"
  wheel=$(ls "$work"/wheels/*.whl)
  python3 -m zipfile -e "$wheel" "$site" || die "cannot unpack $wheel"
}

mock_pam() {  # mock_pam FILE: Fedora's PAM file for mock with Debian's stacks in place of system-auth
  sed -i -e 's/^\(auth\s\+include\s\+\)system-auth/\1common-auth/' \
    -e 's/^\(account\s\+include\s\+\)system-auth/\1common-account/' \
    -e 's/^\(password\s\+include\s\+\)system-auth/\1common-password/' \
    -e 's/^\(session\s\+include\s\+\)system-auth/\1common-session/' \
    -e '/pam_xauth/d' "$1"
  ! grep -q system-auth "$1" || die "$1 still includes system-auth"
}

mock_repo_spec() {  # mock_repo_spec VERSION: busybox-root, the chroot's shell and coreutils
  cat <<SPEC
%global debug_package %{nil}
%global __os_install_post %{nil}
%global _build_id_links none
Name: busybox-root
Version: $1
Release: 1
Summary: Shell and coreutils from busybox-static, for test chroots
License: GPL-2.0-only
AutoReqProv: no
Provides: /bin/sh

%description
busybox with links for the commands mock runs in a chroot, a root user and group, /tmp and /var/tmp.

%install
mkdir -p %{buildroot}/usr/bin %{buildroot}/usr/sbin %{buildroot}/etc %{buildroot}/root %{buildroot}/tmp %{buildroot}/var/tmp
install -m 755 /usr/bin/busybox %{buildroot}/usr/bin/busybox
for cmd in sh ls cat echo true false sleep mkdir rm cp mv id ln touch env date test chmod chown grep sed head tail wc ps kill stat find xargs; do
  ln -s busybox %{buildroot}/usr/bin/\$cmd
done
ln -s usr/bin %{buildroot}/bin
ln -s usr/sbin %{buildroot}/sbin
echo 'root:x:0:0:root:/root:/bin/sh' >%{buildroot}/etc/passwd
echo 'root:x:0:' >%{buildroot}/etc/group
echo 'busybox-root $1' >%{buildroot}/etc/busybox-root-release

%files
/usr/bin/*
/bin
/sbin
/etc/passwd
/etc/group
/etc/busybox-root-release
%dir /usr/sbin
%dir /root
# Sticky and world-writable as Fedora's filesystem package makes them: the build user's rpmbuild
# writes its scripts to /var/tmp and check-files its list to /tmp (mock creates both 0755).
%attr(1777,root,root) %dir /tmp
%attr(1777,root,root) %dir /var/tmp
SPEC
}

mock_build_tools_spec() {  # rpm-build-chroot: what mock --rebuild runs inside the chroot
  # mock runs there, as the build user (backend.py): `rpm -Uvh --nodeps` of the source RPM and
  # `rpm -qpl` of it, then `bash --login -c 'rpmbuild -bs ...'` and `bash --login -c 'rpmbuild -bb
  # ...'`. The programs come from this image with every library ldd names and every symlink on the
  # way to a file, each under its /usr path (the package's /lib and /lib64 are links into /usr, as
  # in Debian). bash because mock runs rpmbuild through `bash --login -c`.
  # rpmbuild reads /usr/lib/rpm (macros, rpmrc, platform/, the check-files script it runs with
  # busybox's applets) and libmagic's database. No perl or python. Debian's post-install
  # scripts (brp-strip-static-archive, brp-remove-la-files) call `xargs -d`, `xargs --null`,
  # `rm --force`, which busybox lacks: /etc/rpm/macros.rpm-build-chroot (read after the platform
  # macros that define it) empties %__os_install_post, as `%global __os_install_post %{nil}` in a
  # spec would, so a spec builds unchanged. It also sets %_dbpath to /var/lib/rpm, where mock's dnf
  # wrote the chroot's packages (the same macro in the staged tree, see mock_install_tree).
  cat <<'SPEC'
%global debug_package %{nil}
%global __os_install_post %{nil}
%global _build_id_links none
Name: rpm-build-chroot
Version: 1.0
Release: 1
Summary: bash, rpm and rpmbuild from Debian with their libraries and files, for test chroots
License: GPL-2.0-or-later
AutoReqProv: no
Requires: busybox-root
Provides: /usr/bin/bash /usr/bin/rpm /usr/bin/rpmbuild

%description
What mock runs inside a build chroot for --rebuild, copied from a Debian system.

%install
add() {  # add PATH: PATH under its /usr name, and each symlink on the way to the file it names
  p=$1
  while :; do
    dir=$(readlink -f "$(dirname "$p")")
    p=$dir/$(basename "$p")
    mkdir -p "%{buildroot}$dir"
    cp -a "$p" "%{buildroot}$p"
    echo "$p" >>paths
    [ -L "$p" ] || return 0
    target=$(readlink "$p")
    case $target in /*) p=$target ;; *) p=$dir/$target ;; esac
  done
}
libs() {  # libs PROGRAM...: the shared libraries ldd names, the dynamic loader included
  for prog in "$@"; do ldd "$prog"; done | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'
}
: >paths
for prog in /usr/bin/bash /usr/bin/rpm /usr/bin/rpmbuild /usr/bin/rpm2cpio /usr/share/misc/magic.mgc /etc/magic \
    $(libs /usr/bin/bash /usr/bin/rpm /usr/bin/rpmbuild /usr/bin/rpm2cpio /usr/lib/rpm/rpmdeps /usr/lib/rpm/elfdeps /usr/lib/rpm/rpmuncompress | sort -u); do
  add "$prog"
done
cp -a /usr/lib/rpm %{buildroot}/usr/lib/rpm
echo /usr/lib/rpm >>paths
mkdir -p %{buildroot}/etc/rpm
printf '%s\n' '# busybox cannot run the brp-* scripts; one database path (see test_guest_mock.sh)' \
  '%%__os_install_post %%{nil}' '%%_dbpath /var/lib/rpm' >%{buildroot}/etc/rpm/macros.rpm-build-chroot
ln -s usr/lib %{buildroot}/lib
ln -s usr/lib64 %{buildroot}/lib64
# Commands rpmbuild's check-files and simple %%install sections call, not in busybox-root.
for cmd in sort diff mktemp uname gzip gunzip dirname basename tr awk cut tee readlink cmp od expr uniq; do
  ln -s busybox %{buildroot}/usr/bin/$cmd
  echo /usr/bin/$cmd >>paths
done
sort -u paths >files.list

%files -f files.list
/etc/rpm/macros.rpm-build-chroot
/lib
/lib64
SPEC
}

mock_local_repo() {  # mock_local_repo ROOTFS: RPMs built with the new system's rpmbuild, in a chroot (native speed)
  local rootfs=$1 version dir
  [ -x "$rootfs/usr/bin/busybox" ] || die "busybox-static is not in the image ($rootfs/usr/bin/busybox)"
  for version in 1.0 1.1; do
    mock_repo_spec "$version" >"$rootfs/tmp/busybox-root.spec"
    chroot "$rootfs" rpmbuild -bb --define '_topdir /tmp/rpmbuild' /tmp/busybox-root.spec >"$rootfs/tmp/rpmbuild.log" 2>&1 \
      || { tail -n 30 "$rootfs/tmp/rpmbuild.log" >&2; die "rpmbuild of busybox-root $version failed"; }
    dir=$rootfs$MOCK_STAGE/next
    [ "$version" = 1.0 ] && dir=$rootfs$MOCK_STAGE/repo
    install -d "$dir"
    mv "$rootfs"/tmp/rpmbuild/RPMS/*/busybox-root-"$version"-1.*.rpm "$dir/"
  done
  mock_build_tools_spec >"$rootfs/tmp/rpm-build-chroot.spec"
  chroot "$rootfs" rpmbuild -bb --define '_topdir /tmp/rpmbuild' /tmp/rpm-build-chroot.spec >"$rootfs/tmp/rpmbuild.log" 2>&1 \
    || { tail -n 30 "$rootfs/tmp/rpmbuild.log" >&2; die "rpmbuild of rpm-build-chroot failed"; }
  mv "$rootfs"/tmp/rpmbuild/RPMS/*/rpm-build-chroot-1.0-1.*.rpm "$rootfs$MOCK_STAGE/repo/"
  chroot "$rootfs" createrepo_c --quiet "$MOCK_STAGE/repo" >&2 || die "createrepo_c failed on $MOCK_STAGE/repo"
  rm -rf "$rootfs/tmp/rpmbuild" "$rootfs"/tmp/*.spec "$rootfs/tmp/rpmbuild.log"
}

mock_install_command() {  # the guest's buildfleet-mock-install
  cat <<SCRIPT
#!/bin/sh
# Puts the mock staged in $MOCK_STAGE/root in place, as mock's packages would (see test_guest_mock.sh).
set -eu
cp -a $MOCK_STAGE/root/. /
getent group mock >/dev/null || groupadd -r -g 135 mock
getent passwd mockbuild >/dev/null || useradd -r -m -d /var/lib/mockbuild -s /bin/sh mockbuild
install -d -g mock -m 2775 /var/lib/mock /var/cache/mock
echo "mock \$(cat /etc/mock/.buildfleet-mock-version) installed; local repository: file://$MOCK_STAGE/repo"
SCRIPT
}
