#!/usr/bin/env bash
# Installs the Debian packages the build and tests need, when missing. As root it runs
# apt-get; otherwise through sudo; otherwise it stops with the exact command to run.
set -euo pipefail
pkgs=(g++ make libopenblas-openmp-dev libstb-dev libjpeg62-turbo-dev catch2 pkg-config)
pkgs+=(python3 python3-numpy python3-pytest python3-setuptools python3-wheel python3-pip)  # python/ and its tests
pkgs+=(python3-dask python3-distributed)  # python/darknet_cpu/dask.py and its LocalCluster test
case "${1:-}" in
  --bench) pkgs+=(gnuplot-nox libopencv-dev libdnnl-dev python3) ;;  # make bench, make bench-peers
  --profile) pkgs+=(valgrind python3) ;;                 # make profile: callgrind
  --upstream) pkgs=(darknet) ;;                          # the oracle: /usr/bin/darknet and its cfgs
  --fuzz) pkgs+=(clang libclang-rt-14-dev libomp-dev) ;;  # make fuzz: libFuzzer, sanitizers, OpenMP
  --qemu) pkgs=(qemu-user) ;;                            # make test-qemu-x86: qemu-x86_64 -cpu Nehalem
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
cmd="apt-get install -y --no-install-recommends ${missing[*]}"
echo "install-deps: missing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive $cmd) >&2
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive $cmd) >&2
else
  echo "install-deps: run as root: apt-get update && $cmd" >&2
  exit 1
fi
