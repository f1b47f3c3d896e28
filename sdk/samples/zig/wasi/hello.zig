//! hello.zig: a WASI command in Zig, with Zig's own standard library (no
//! libc): prints a greeting, then its arguments.
//! Teaches: `main` takes a std.process.Init, which Zig's start code fills
//! before it runs: it asks the host for the environment and the preopened
//! directories (fd_prestat_get on descriptor 3 answers EBADF when nothing
//! was granted) and, when `args` is turned into a slice, for the arguments
//! (args_sizes_get, then args_get). Output goes through a buffered writer
//! on standard output, so the greeting and every argument leave in one
//! fd_write at `flush`; the exit status reaches the host through proc_exit.
//! (`writerStreaming` writes with fd_write; the plain `writer` would try
//! fd_pwrite at an offset first and fall back when the host answers ESPIPE
//! for a pipe or a terminal.)
//!
//!   python3 -m ziglang build-exe -target wasm32-wasi -O ReleaseSmall -fstrip \
//!     -Mroot=sdk/samples/zig/wasi/hello.zig -femit-bin=sdk/samples/zig/wasi/hello.wasm
//!   wasmhole run --trace sdk/samples/zig/wasi/hello.wasm one "two words"

const std = @import("std");

pub fn main(init: std.process.Init) !void {
    var buffer: [256]u8 = undefined;
    var stdout = std.Io.File.stdout().writerStreaming(init.io, &buffer);
    const out = &stdout.interface;
    try out.writeAll("Hello from Zig on WASI!\n");
    const args = try init.minimal.args.toSlice(init.arena.allocator());
    for (args[1..], 1..) |arg, i| try out.print("argument {d}: {s}\n", .{ i, arg });
    try out.flush();
}
