#!/usr/bin/env bash
# Builds every C and Zig guest in the repository for wasm32 and leaves each
# .wasm beside its source (they are committed, so running and testing them
# needs neither compiler):
#   - the C SDK samples, with Debian's clang: Dagger and Olin with no libc at
#     all (the headers in sdk/include declare the imports), WASI with
#     wasi-libc; and the C test guests;
#   - the Zig SDK samples in sdk/samples/zig: Dagger and Olin for
#     wasm32-freestanding (sdk/zig/dagger.zig and cwa.zig declare the
#     imports), WASI for wasm32-wasi with Zig's own standard library.
#
#   sdk/build.sh          # both
#   sdk/build.sh c        # only the C guests
#   sdk/build.sh zig      # only the Zig guests
#
# C needs:   apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32
# Zig needs: pip install ziglang==0.17.1   (run as `python3 -m ziglang`; set
#            ZIG=/path/to/zig to use another Zig 0.17 instead)
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-clang-14}
if [[ -n ${ZIG:-} ]]; then zig=("$ZIG"); else zig=(python3 -m ziglang); fi

# A guest with no libc: the ABI's imports only, entry point exported by the
# header's DAGGER_MAIN / CWA_MAIN, extra link flags after the source.
nolibc() {
  local src=$1
  shift
  "$CC" --target=wasm32 -O2 -ffreestanding -nostdlib -fno-builtin -Isdk/include \
    -Wl,--no-entry -Wl,--strip-debug "$@" -o "${src%.c}.wasm" "$src"
}

# A WASI command: wasi-libc, _start, memory exported; extra flags after
# the source (-mexec-model=reactor links a reactor: _initialize, no _start).
wasi() {
  local src=$1
  shift
  "$CC" --target=wasm32-wasi -O2 -fuse-ld=lld -Wl,--strip-debug "$@" -o "${src%.c}.wasm" "$src"
}

# A Zig guest for wasm32-freestanding: the ABI's module (sdk/zig/dagger.zig
# or cwa.zig) imported as `dagger` or `cwa`, and the entry point it exports
# with exportMain kept by --export. No _start: -fno-entry.
zig_freestanding() {
  local src=$1 module=$2 entry=$3
  "${zig[@]}" build-exe -target wasm32-freestanding -O ReleaseSmall -fno-entry -fstrip \
    --export="$entry" --dep "$module" -Mroot="$src" -M"$module=sdk/zig/$module.zig" \
    -femit-bin="${src%.zig}.wasm"
}

# A Zig WASI command: Zig's standard library, _start, memory exported.
zig_wasi() {
  "${zig[@]}" build-exe -target wasm32-wasi -O ReleaseSmall -fstrip \
    -Mroot="$1" -femit-bin="${1%.zig}.wasm"
}

build_c() {
  for src in sdk/samples/dagger/*.c; do nolibc "$src"; done
  # The Olin samples import their memory (as some toolchains link guests):
  # the host provides it.
  for src in sdk/samples/olin/*.c; do nolibc "$src" -Wl,--import-memory; done
  for src in sdk/samples/wasi/*.c; do wasi "$src"; done

  wasi app/tests/guests/stdio_probe.c
  wasi app/tests/guests/c_readdir_order.c
  wasi app/tests/guests/c_stdio_rights.c
  wasi app/tests/guests/c_stdin_poll.c
  wasi app/tests/guests/c_reactor.c -mexec-model=reactor
  wasi sdk/samples/http/wagi_env.c
  nolibc sdk/samples/http/cwagi_echo.c -Wl,--import-memory
  # The Go, Rust and WAT test guests: app/tests/guests/build.sh.
}

build_zig() {
  for src in sdk/samples/zig/dagger/*.zig; do zig_freestanding "$src" dagger main; done
  for src in sdk/samples/zig/olin/*.zig; do zig_freestanding "$src" cwa cwa_main; done
  for src in sdk/samples/zig/wasi/*.zig; do zig_wasi "$src"; done
}

(($#)) || set -- c zig
for what in "$@"; do
  case $what in
    c) build_c ;;
    zig) build_zig ;;
    *) echo "usage: sdk/build.sh [c] [zig]" >&2; exit 2 ;;
  esac
done
