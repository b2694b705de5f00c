#!/usr/bin/env bash
# The main job, on a fresh Debian 12 machine: install what qjob needs, build it,
# start qjobd on the embedded simulator with no configuration, submit a sample
# batch with qjobctl (a Bell pair, a GHZ state, a QASM file, a multi-circuit job
# and an NDJSON sweep) and show each job's state and results.
#
#   QJOB_RUN_DIR=DIR        where the socket and state directory go (default: a new temp dir)
#   QJOB_KEEP_RUNNING=1     leave qjobd running afterwards (it prints how to stop it)
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup-deps.sh
build_dir=build/quickstart
cmake --preset release -B "$build_dir" -DQJOB_BUILD_TESTS=OFF -DQJOB_BUILD_BENCH=OFF >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target qjobd qjobctl

run_dir=${QJOB_RUN_DIR:-$(mktemp -d -t qjob-quickstart.XXXXXX)}
mkdir -p "$run_dir"
export QJOBD_SOCKET="$run_dir/qjobd.sock"
qjobd=$build_dir/daemon/qjobd
qjobctl=$build_dir/cli/qjobctl

"$qjobd" --socket "$QJOBD_SOCKET" --state-dir "$run_dir/state" 2>"$run_dir/qjobd.log" &
daemon_pid=$!
stop_daemon() {
  if [ "${QJOB_KEEP_RUNNING:-0}" = 1 ]; then
    echo "qjobd is still running (pid $daemon_pid); stop it with: kill $daemon_pid"
    return
  fi
  kill -TERM "$daemon_pid" 2>/dev/null || return 0
  wait "$daemon_pid" && echo "qjobd drained and exited cleanly (log: $run_dir/qjobd.log)"
}
trap stop_daemon EXIT

for _ in $(seq 100); do
  "$qjobctl" health >/dev/null 2>&1 && break
  sleep 0.1
done
"$qjobctl" health

section() { printf '\n== %s ==\n' "$*"; }

section "Submitting the samples (socket $QJOBD_SOCKET)"
bell=$("$qjobctl" submit examples/bell.json)
ghz=$("$qjobctl" submit examples/ghz.json --name ghz-5 --shots 2000 --seed 5 --tag quickstart)
bv=$("$qjobctl" submit examples/bernstein_vazirani.qasm --name bernstein-vazirani --seed 11 --tag quickstart)
multi=$("$qjobctl" submit examples/rotations.multi.json --tag quickstart)
echo "bell=$bell ghz=$ghz bernstein-vazirani=$bv multi-circuit=$multi"

section "Submitting an 8-job sweep as one batch and waiting for it"
"$qjobctl" batch examples/sweep.ndjson --wait

for id in "$bell" "$ghz" "$bv" "$multi"; do
  section "Job $id"
  "$qjobctl" status "$id"
  echo
  "$qjobctl" result "$id"
done

section "All jobs"
"$qjobctl" list
