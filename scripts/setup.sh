#!/usr/bin/env bash
# Installs what forecart's build and tests need on a fresh Debian bookworm machine (idempotent:
# only missing packages are installed). Usage: scripts/setup.sh [native|wasm|browser|fuzz|all]
set -euo pipefail
what="${1:-native}"

native_pkgs=(cmake g++ make pkg-config clang-format git catch2 libeigen3-dev libxnnpack-dev libpthreadpool-dev libcli11-dev
  nlohmann-json3-dev libfmt-dev libxxhash-dev zlib1g-dev libbenchmark-dev tzdata)
wasm_pkgs=(emscripten wabt binaryen)
browser_pkgs=(chromium)
fuzz_pkgs=(clang libclang-rt-14-dev)

pkgs=()
case "$what" in
  native) pkgs=("${native_pkgs[@]}") ;;
  wasm) pkgs=("${native_pkgs[@]}" "${wasm_pkgs[@]}") ;;
  browser) pkgs=("${browser_pkgs[@]}") ;;
  fuzz) pkgs=("${native_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
  all) pkgs=("${native_pkgs[@]}" "${wasm_pkgs[@]}" "${browser_pkgs[@]}" "${fuzz_pkgs[@]}") ;;
  *) echo "usage: $0 [native|wasm|browser|fuzz|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
echo "setup: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
