#!/usr/bin/env bash
# Builds the .deb with cpack from the build tree, then checks its control
# fields, maintainer scripts and contents (unpacked into a scratch root with
# dpkg -x), installs it into a scratch dpkg root (which runs postinst: the qjob
# user is created there), and runs lintian, which must report no error or warning.
set -euo pipefail
cpack=$1
build=$2
version=$3

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

"$cpack" --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1 || {
    cat "$work/cpack.log"
    exit 1
}
deb=$(find "$work/out" -maxdepth 2 -name 'qjob_*.deb' | head -n 1)
[[ -n $deb ]] || { cat "$work/cpack.log"; echo "FAIL: cpack made no qjob_*.deb"; exit 1; }
echo "built $(basename "$deb")"

# Control fields.
field() { dpkg-deb --field "$deb" "$1"; }
[[ $(field Package) == qjob ]] || fail "Package is '$(field Package)'"
[[ $(field Version) == "$version-"* ]] || fail "Version '$(field Version)' is not $version-REVISION"
[[ $(field Section) == science ]] || fail "Section is '$(field Section)'"
[[ $(field Priority) == optional ]] || fail "Priority is '$(field Priority)'"
[[ $(field Maintainer) == *"<"*"@"*">" ]] || fail "Maintainer '$(field Maintainer)' has no address"
[[ $(field Depends) == *libc6* ]] || fail "Depends '$(field Depends)' lacks the shared libraries (shlibdeps)"
[[ $(field Depends) == *systemd* ]] || fail "Depends '$(field Depends)' lacks systemd (sysusers)"
[[ -n $(field Description) ]] || fail "no Description"

# Maintainer scripts and control files, with Debian's permissions.
mkdir "$work/control"
dpkg-deb --control "$deb" "$work/control"
for script in postinst prerm postrm; do
    [[ -x $work/control/$script ]] || fail "control.tar has no executable $script"
done
[[ $(cat "$work/control/conffiles") == /etc/qjobd/qjobd.toml ]] || fail "conffiles: $(cat "$work/control/conffiles")"
grep -q 'systemd-sysusers.*qjobd.conf' "$work/control/postinst" || fail "postinst does not create the user"
grep -q "deb-systemd-helper enable 'qjobd.socket'" "$work/control/postinst" || fail "postinst does not enable the socket"
[[ -s $work/control/md5sums ]] || fail "no md5sums"

# Contents.
root=$work/root
dpkg -x "$deb" "$root"
expected=(
    usr/sbin/qjobd
    usr/bin/qjobctl
    usr/lib/systemd/system/qjobd.service
    usr/lib/systemd/system/qjobd.socket
    usr/lib/sysusers.d/qjobd.conf
    usr/lib/tmpfiles.d/qjobd.conf
    etc/qjobd/qjobd.toml
    usr/share/bash-completion/completions/qjobctl
    usr/share/man/man1/qjobctl.1.gz
    usr/share/man/man5/qjobd.toml.5.gz
    usr/share/man/man8/qjobd.8.gz
    usr/share/doc/qjob/copyright
    usr/share/doc/qjob/changelog.Debian.gz
    usr/share/lintian/overrides/qjob
)
for path in "${expected[@]}"; do
    [[ -f $root/$path ]] || fail "the package lacks /$path"
done
unexpected=$(cd "$root" && find . -type f | sed 's|^\./||' | sort | comm -23 - <(printf '%s\n' "${expected[@]}" | sort))
[[ -z $unexpected ]] || fail "the package ships files it should not: $unexpected"
(cd "$root" && (cd "$work/control" && cat md5sums) | md5sum --check --quiet) || fail "md5sums do not match the contents"
for binary in usr/sbin/qjobd usr/bin/qjobctl; do
    file "$root/$binary" | grep -q 'not stripped' && fail "/$binary is not stripped"
done
gzip -t "$root"/usr/share/man/man*/*.gz || fail "a man page is not valid gzip"
"$root/usr/bin/qjobctl" --help >/dev/null || fail "the packaged qjobctl does not run"
"$root/usr/sbin/qjobd" --version >/dev/null || fail "the packaged qjobd does not run"

echo "ok: control fields, maintainer scripts, contents and md5sums"

# Installed into a scratch dpkg database: postinst runs with DPKG_ROOT and
# creates the qjob user there; removal and purge run too.
if command -v systemd-sysusers >/dev/null; then
    dpkg_root=$work/dpkg-root
    mkdir -p "$dpkg_root/var/lib/dpkg/info" "$dpkg_root/var/lib/dpkg/updates" "$dpkg_root/etc"
    touch "$dpkg_root/var/lib/dpkg/status" "$dpkg_root/etc/passwd" "$dpkg_root/etc/group"
    dpkg_args=(--root="$dpkg_root" --force-script-chrootless --force-depends --force-not-root
               --log=/dev/null)
    if dpkg "${dpkg_args[@]}" --install "$deb" >"$work/dpkg.log" 2>&1; then
        grep -q '^qjob:' "$dpkg_root/etc/passwd" || fail "postinst created no qjob user: $(cat "$dpkg_root/etc/passwd")"
        grep -q '^qjob:' "$dpkg_root/etc/group" || fail "postinst created no qjob group"
        [[ -f $dpkg_root/usr/sbin/qjobd ]] || fail "dpkg --root did not install qjobd"
        dpkg "${dpkg_args[@]}" --purge qjob >>"$work/dpkg.log" 2>&1 || fail "purge failed: $(cat "$work/dpkg.log")"
        [[ ! -e $dpkg_root/usr/sbin/qjobd && ! -e $dpkg_root/etc/qjobd/qjobd.toml ]] ||
            fail "purge left files behind"
        echo "ok: dpkg --root installs it (postinst made the qjob user: $(grep '^qjob:' "$dpkg_root/etc/passwd")) and purges it"
    else
        fail "dpkg --root --install failed: $(cat "$work/dpkg.log")"
    fi
fi

# lintian: no errors and no warnings; the infos are shown.
if command -v lintian >/dev/null; then
    if ! lintian --fail-on error,warning --display-info "$deb" >"$work/lintian.log" 2>&1; then
        fail "lintian reports errors or warnings"
    fi
    cat "$work/lintian.log"
else
    fail "lintian is not installed (scripts/setup-deps.sh installs it)"
fi

if ((failures > 0)); then exit 1; fi
echo "ok: $(basename "$deb")"
