//! echo.zig: copies standard input to standard output, in Zig on Olin.
//! Teaches: the standard streams are open at start (io_get_stdin and
//! io_get_stdout name them); resource_read returns how many bytes arrived,
//! and EOF (-5) at the end; a write may take fewer bytes than it was
//! given, so the rest is written again (cwa.writeAll).
//!
//!   python3 -m ziglang build-exe -target wasm32-freestanding -O ReleaseSmall -fno-entry -fstrip \
//!     --export=cwa_main --dep cwa -Mroot=sdk/samples/zig/olin/echo.zig -Mcwa=sdk/zig/cwa.zig \
//!     -femit-bin=sdk/samples/zig/olin/echo.wasm
//!   printf 'hi\nthere\n' | wasmhole run --trace sdk/samples/zig/olin/echo.wasm

const cwa = @import("cwa");

comptime {
    cwa.exportMain(run);
}

/// The exit status: 0 at the end of the input, 2 if a read failed, 3 if a
/// write did.
fn run() i32 {
    var buf: [256]u8 = undefined;
    const in = cwa.io_get_stdin();
    const out = cwa.io_get_stdout();
    while (true) {
        const n = cwa.resource_read(in, &buf, buf.len);
        if (n == cwa.EOF or n == 0) break;
        if (n < 0) return 2;
        if (cwa.writeAll(out, buf[0..@intCast(n)]) < 0) return 3;
    }
    return 0;
}
