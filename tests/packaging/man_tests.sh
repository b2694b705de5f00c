#!/usr/bin/env bash
# The man pages format without a warning (as lintian checks them), and
# qjobctl.1 documents every command `qjobctl --help` lists.
set -euo pipefail
man_dir=$1
qjobctl=$2

failures=0
for page in "$man_dir"/*.[1-8]; do
    warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
    if [[ -n $warnings ]]; then
        echo "FAIL: $(basename "$page"):"
        echo "$warnings"
        failures=$((failures + 1))
    else
        echo "ok: $(basename "$page") formats cleanly"
    fi
done

commands=$("$qjobctl" --help | sed -n '/^[Ss][Uu][Bb][Cc][Oo][Mm][Mm][Aa][Nn][Dd][Ss]:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p')
[[ -n $commands ]] || { echo "FAIL: no commands found in qjobctl --help"; exit 1; }
for command in $commands; do
    if ! grep -Eq "^\.(B|BI|TP) \"?$command( |\"|$)" "$man_dir/qjobctl.1"; then
        echo "FAIL: qjobctl.1 does not document the command $command"
        failures=$((failures + 1))
    fi
done

if ((failures > 0)); then exit 1; fi
