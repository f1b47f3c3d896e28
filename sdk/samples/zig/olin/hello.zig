//! hello.zig: the smallest Olin program in Zig: write to the standard
//! output resource.
//! Teaches: an Olin guest asks the host for the id of its standard output
//! (io_get_stdout), writes to it as to any resource, and returns its exit
//! status from `cwa_main`, the entry point Olin's own library exports. It
//! also asks the host's name into a buffer and writes back only the bytes
//! the host filled, `name[0..n]`: `olin`, as the original host answered.
//!
//!   python3 -m ziglang build-exe -target wasm32-freestanding -O ReleaseSmall -fno-entry -fstrip \
//!     --export=cwa_main --dep cwa -Mroot=sdk/samples/zig/olin/hello.zig -Mcwa=sdk/zig/cwa.zig \
//!     -femit-bin=sdk/samples/zig/olin/hello.wasm
//!   wasmhole run --trace sdk/samples/zig/olin/hello.wasm

const cwa = @import("cwa");

comptime {
    cwa.exportMain(run);
}

fn run() i32 {
    var name: [32]u8 = undefined;
    const out = cwa.io_get_stdout();
    const n = cwa.runtime_name(&name, name.len);
    _ = cwa.puts(out, "Hello from Zig on Olin, whose host calls itself ");
    if (n > 0) _ = cwa.puts(out, name[0..@intCast(n)]);
    _ = cwa.puts(out, "!\n");
    return 0;
}
