#!/usr/bin/env bash
# qjobctl's bash completion: each case sets COMP_WORDS/COMP_CWORD as bash does,
# calls the completion function and compares COMPREPLY. Job ids come from a stub
# qjobctl that answers `list --json` as the daemon's client does.
set -euo pipefail
completion=$1
mode=${2:-plain}

# Once as installed, with bash-completion's helpers (_filedir), and once alone.
if [[ $mode == plain && -f /usr/share/bash-completion/bash_completion ]]; then
    bash "$0" "$completion" with-bash-completion
fi
if [[ $mode == with-bash-completion ]]; then
    # shellcheck source=/dev/null
    source /usr/share/bash-completion/bash_completion
    declare -F _filedir >/dev/null
fi
echo "== $mode"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/qjobctl" <<'STUB'
#!/bin/sh
case " $* " in
  *" list "*) printf '[\n  {\n    "id": "job-aa1",\n    "status": "waiting"\n  },\n  {\n    "id": "job-bb2",\n    "status": "succeeded"\n  }\n]\n' ;;
  *) exit 2 ;;
esac
STUB
chmod +x "$work/qjobctl"
touch "$work/bell.json" "$work/sweep.ndjson"

# shellcheck source=/dev/null
source "$completion"
complete -p qjobctl >/dev/null

failures=0
# expect "WORDS..." "EXPECTED REPLY (sorted, space separated)"; the last word is
# the one being completed.
expect() {
    read -r -a COMP_WORDS <<<"$1"
    if [[ $1 == *" " ]]; then COMP_WORDS+=(""); fi
    COMP_WORDS[0]=$work/qjobctl
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    # Interactive shells complete without errexit: compgen finding nothing is 1.
    set +e
    _qjobctl qjobctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    set -e
    local got
    got=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//')
    if [[ $got != "$2" ]]; then
        echo "FAIL: '$1' completed to '$got', expected '$2'"
        failures=$((failures + 1))
    else
        echo "ok: '$1' -> '$got'"
    fi
}

expect "qjobctl " "batch cancel health list query result results status submit targets watch"
expect "qjobctl res" "result results"
expect "qjobctl --" "--help --json --socket"
expect "qjobctl --json st" "status"
expect "qjobctl --socket /tmp/x.sock li" "list"
expect "qjobctl list --" "--all --batch --help --json --limit --name --provider --socket --status --tag --target"
expect "qjobctl list --status s" "succeeded"
expect "qjobctl submit --format " "ionq.circuit.v0 qasm2"
expect "qjobctl submit --priority 9 --w" "--wait"
expect "qjobctl results --format " "csv ndjson"
expect "qjobctl result --no" "--no-wait"
expect "qjobctl batch st" "status"
expect "qjobctl batch status --" "--help --json --socket --wait"
expect "qjobctl watch --job job-b" "job-bb2"
expect "qjobctl status " "job-aa1 job-bb2"
expect "qjobctl cancel job-a" "job-aa1"
expect "qjobctl submit $work/be" "$work/bell.json"
expect "qjobctl batch $work/sw" "$work/sweep.ndjson"
expect "qjobctl --name " ""

if ((failures > 0)); then
    echo "$failures completion case(s) failed"
    exit 1
fi
