//! hello.zig: the "Hello, world" of the Dagger talk, in Zig as the talk's
//! was: open fd://1, write the message, close the stream.
//! Teaches: a Dagger guest has no descriptor open at start; it opens the
//! standard output by URL, writes to the descriptor it got back (the
//! pointer and the length of the message) and closes it. Zig does not let
//! a result be dropped silently, so the count `write` returns is ignored
//! with `_ =`; each negative result becomes a Zig error, and `try` makes
//! the whole program fail at the first one. Built for wasm32-freestanding:
//! the only outside world is the five imports of sdk/zig/dagger.zig.
//!
//!   python3 -m ziglang build-exe -target wasm32-freestanding -O ReleaseSmall -fno-entry -fstrip \
//!     --export=main --dep dagger -Mroot=sdk/samples/zig/dagger/hello.zig -Mdagger=sdk/zig/dagger.zig \
//!     -femit-bin=sdk/samples/zig/dagger/hello.wasm
//!   wasmhole run --trace sdk/samples/zig/dagger/hello.wasm

const dagger = @import("dagger");

comptime {
    dagger.exportMain(run);
}

/// The exit status: 0, or 1 if any call failed.
fn run() i32 {
    hello() catch return 1;
    return 0;
}

fn hello() !void {
    const out = try check(dagger.open("fd://1", 0));
    const message = "Hello, world!\n";
    _ = try check(dagger.write(out, message, message.len));
    _ = try check(dagger.close(out));
}

/// A Dagger result as a Zig error union: negative numbers are errors.
fn check(result: i32) error{DaggerFailed}!i32 {
    if (result < 0) return error.DaggerFailed;
    return result;
}
