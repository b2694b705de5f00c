#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what qjob needs, then builds and
# runs every suite (unit and end to end) three ways: the optimised build with
# warnings as errors, AddressSanitizer + UndefinedBehaviorSanitizer, and
# ThreadSanitizer over the suites where several threads meet.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup-deps.sh
jobs=$(nproc)

for preset in ci asan tsan; do
  echo "== $preset =="
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j"$jobs"
  ctest --preset "$preset"
done
