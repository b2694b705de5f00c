#!/usr/bin/env bash
# Every command `qjobctl --help` lists (and batch's subcommands) prints its
# options and an "Examples:" section that uses it.
set -euo pipefail
qjobctl=$1

top=$("$qjobctl" --help)
grep -q '^Examples:' <<<"$top" || { echo "FAIL: qjobctl --help has no examples"; exit 1; }
commands=$(sed -n '/^[Ss][Uu][Bb][Cc][Oo][Mm][Mm][Aa][Nn][Dd][Ss]:/,/^$/p' <<<"$top" | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p')
[[ -n $commands ]] || { echo "FAIL: no commands found in qjobctl --help:"; echo "$top"; exit 1; }

failures=0
check() {
    local help
    help=$("$qjobctl" "$@" --help) || { echo "FAIL: qjobctl $* --help exits $?"; failures=$((failures + 1)); return; }
    if ! sed -n '/^Examples:/,/^$/p' <<<"$help" | grep -q "qjobctl $*"; then
        echo "FAIL: qjobctl $* --help shows no example of it:"
        echo "$help"
        failures=$((failures + 1))
    else
        echo "ok: qjobctl $* --help"
    fi
}
for command in $commands; do
    check "$command"
done
check batch status
check batch cancel

if ((failures > 0)); then exit 1; fi
