#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what qjob needs, then builds and
# runs every suite (unit and end to end) three ways: the optimised build with
# warnings as errors, AddressSanitizer + UndefinedBehaviorSanitizer, and
# ThreadSanitizer over the suites where several threads meet.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup-deps.sh
jobs=$(nproc)

for preset in ci asan; do
  echo "== $preset =="
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j"$jobs"
  ctest --preset "$preset"
done

# ThreadSanitizer: only the executables whose suites carry the tsan label (actor
# runtime, storage thread, simulator workers, HTTP client); the test preset selects
# that label.
echo "== tsan =="
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j"$jobs" --target actors_tests adapters_tests http_tests
ctest --preset tsan

# Fuzzing: the libFuzzer targets of tests/fuzz (clang 14), each run for 15 seconds
# from its seed corpus; a crash, leak, UB report or timeout fails the step.
echo "== fuzz =="
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$jobs"
ctest --preset fuzz
