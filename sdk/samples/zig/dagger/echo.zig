//! echo.zig: copies standard input to standard output, in Zig on Dagger.
//! Teaches: no stream is open at start, so the guest opens fd://0 and
//! fd://1 itself; reads return how many bytes arrived and 0 at the end of
//! the stream; a write may take fewer bytes than it was given, so the rest
//! is written again (dagger.writeAll). A slice of the buffer, `buf[0..n]`,
//! carries the count read to the write.
//!
//!   python3 -m ziglang build-exe -target wasm32-freestanding -O ReleaseSmall -fno-entry -fstrip \
//!     --export=main --dep dagger -Mroot=sdk/samples/zig/dagger/echo.zig -Mdagger=sdk/zig/dagger.zig \
//!     -femit-bin=sdk/samples/zig/dagger/echo.wasm
//!   printf 'hi\nthere\n' | wasmhole run --trace sdk/samples/zig/dagger/echo.wasm

const dagger = @import("dagger");

comptime {
    dagger.exportMain(run);
}

/// The exit status: 0 at the end of the input, 1 if a stream would not
/// open, 2 if a read failed, 3 if a write did.
fn run() i32 {
    var buf: [256]u8 = undefined;
    const in = dagger.open("fd://0", 0);
    const out = dagger.open("fd://1", 0);
    if (in < 0 or out < 0) return 1;
    while (true) {
        const n = dagger.read(in, &buf, buf.len);
        if (n == 0) break;
        if (n < 0) return 2;
        if (dagger.writeAll(out, buf[0..@intCast(n)]) < 0) return 3;
    }
    return 0;
}
