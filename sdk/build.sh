#!/usr/bin/env bash
# Builds every C guest in the repository with Debian's clang for wasm32 and
# leaves each .wasm beside its source (they are committed, so running and
# testing them needs no clang):
#   - the SDK samples: Dagger and Olin with no libc at all (the headers in
#     sdk/include declare the imports), WASI with wasi-libc;
#   - the C test guests.
# Needs: apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-clang-14}

# A guest with no libc: the ABI's imports only, entry point exported by the
# header's DAGGER_MAIN / CWA_MAIN, extra link flags after the source.
nolibc() {
  local src=$1
  shift
  "$CC" --target=wasm32 -O2 -ffreestanding -nostdlib -fno-builtin -Isdk/include \
    -Wl,--no-entry -Wl,--strip-debug "$@" -o "${src%.c}.wasm" "$src"
}

# A WASI command: wasi-libc, _start, memory exported.
wasi() {
  "$CC" --target=wasm32-wasi -O2 -fuse-ld=lld -Wl,--strip-debug -o "${1%.c}.wasm" "$1"
}

for src in sdk/samples/dagger/*.c; do nolibc "$src"; done
# The Olin samples import their memory (as some toolchains link guests):
# the host provides it.
for src in sdk/samples/olin/*.c; do nolibc "$src" -Wl,--import-memory; done
for src in sdk/samples/wasi/*.c; do wasi "$src"; done

wasi app/tests/guests/stdio_probe.c
