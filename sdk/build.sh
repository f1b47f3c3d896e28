#!/usr/bin/env bash
# Builds every C guest in the repository with Debian's clang for wasm32 and
# leaves each .wasm beside its source (they are committed, so running and
# testing them needs no clang):
#   - the SDK samples: Dagger and Olin with no libc at all, WASI with wasi-libc;
#   - the C test guests.
# Needs: apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-clang-14}

# A WASI command: wasi-libc, _start, memory exported.
wasi() {
  "$CC" --target=wasm32-wasi -O2 -fuse-ld=lld -o "${1%.c}.wasm" "$1"
}

wasi app/tests/guests/stdio_probe.c
