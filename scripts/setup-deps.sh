#!/usr/bin/env bash
# Installs every Debian 12 package qjob needs to build, test and run.
# Safe to run again: apt-get skips what is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache
  libboost1.81-dev libboost-json1.81-dev libboost-test1.81-dev
  libboost-url1.81-dev libboost-program-options1.81-dev
  libsqlite3-dev libspdlog-dev libfmt-dev libtomlplusplus-dev
  libsystemd-dev libssl-dev libcli11-dev
  ca-certificates curl util-linux procps
  dpkg-dev lintian systemd man-db groff-base bash-completion file
  prometheus  # promtool, which checks GET /metrics in the e2e tests
  clang-14 libclang-rt-14-dev  # the fuzz preset: libFuzzer, ASan and UBSan runtimes
)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
