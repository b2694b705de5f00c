#!/usr/bin/env bash
# systemd-analyze verify on the units as `cmake --install` lays them out, in a
# scratch root (so that ExecStart's /usr/sbin/qjobd and the man pages named in
# Documentation= exist), then the same check on broken copies, which it must
# reject; and the exposure score of the service stays where the README says.
set -euo pipefail
cmake=$1
build=$2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
DESTDIR=$root "$cmake" --install "$build" --prefix /usr >"$work/install.log" 2>&1 || {
    cat "$work/install.log"
    exit 1
}
unit_dir=$root/usr/lib/systemd/system
# What the units refer to on a real system: systemd's own units (sysinit.target,
# sockets.target, ...) and ExecReload's /bin/kill.
mkdir -p "$root/lib/systemd" "$root/bin"
cp -a /lib/systemd/system "$root/lib/systemd/"
cp /bin/kill "$root/bin/kill"
service=$unit_dir/qjobd.service
socket=$unit_dir/qjobd.socket

# Prints systemd-analyze's complaints; fails if there are any.
verify() {
    local out
    out=$(MANPATH=$root/usr/share/man SYSTEMD_LOG_LEVEL=notice \
          systemd-analyze verify --root="$root" --generators=no --man=yes "$@" 2>&1) || {
        echo "$out"
        return 1
    }
    # verify exits 0 for some problems (unknown keys, bad values): those count too.
    if [[ -n $out ]]; then
        echo "$out"
        return 1
    fi
}

failures=0
if out=$(verify "$socket" "$service"); then
    echo "ok: qjobd.socket and qjobd.service verify cleanly"
else
    echo "FAIL: systemd-analyze verify:"
    echo "$out"
    failures=$((failures + 1))
fi

# The check must catch what a broken unit looks like.
broken() {
    local what=$1 sed_script=$2 reason=$3
    local copy=$unit_dir/qjobd-broken.service
    sed "$sed_script" "$service" >"$copy"
    if out=$(verify "$copy"); then
        echo "FAIL: a unit with $what passes verify"
        failures=$((failures + 1))
    elif ! grep -q -- "$reason" <<<"$out"; then
        echo "FAIL: a unit with $what is rejected, but not for it:"
        echo "$out"
        failures=$((failures + 1))
    else
        echo "ok: a unit with $what is rejected: $(head -n 1 <<<"$out")"
    fi
    rm -f "$copy"
}
broken "a missing binary" 's|^ExecStart=/usr/sbin/qjobd|ExecStart=/usr/sbin/qjobd-missing|' 'qjobd-missing'
broken "a misspelt directive" 's|^ProtectHome=|ProtectHomes=|' "Unknown key 'ProtectHomes'"
broken "an invalid value" 's|^Restart=on-failure|Restart=sometimes|' 'sometimes'
broken "an unknown man page" 's|^Documentation=man:qjobd(8)|Documentation=man:qjobd-missing(8)|' 'qjobd-missing'
broken "a dependency on a missing unit" 's|^Requires=qjobd.socket|Requires=qjobd-missing.socket|' 'qjobd-missing.socket'

# The exposure score the README quotes (systemd 252's scale: lower is better).
score=$(systemd-analyze security --offline=yes --root="$root" "$service" 2>/dev/null |
        sed -n 's/.*Overall exposure level for qjobd.service: \([0-9.]*\).*/\1/p')
if [[ -z $score ]] || awk -v s="$score" 'BEGIN { exit !(s > 1.2) }'; then
    echo "FAIL: exposure score '$score' is worse than the README's 1.2"
    failures=$((failures + 1))
else
    echo "ok: exposure score $score"
fi

if ((failures > 0)); then exit 1; fi
