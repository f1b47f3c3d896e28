#!/bin/sh
# Rebuilds count_lines.wasm from count_lines.c (needs clang-14, lld-14 and
# wasi-libc: apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32).
set -e
cd "$(dirname "$0")"
clang-14 --target=wasm32-wasi -Os -fuse-ld=lld -Wl,--strip-all -o count_lines.wasm count_lines.c
