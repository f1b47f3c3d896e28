//! dagger.zig: the Dagger host ABI for Zig guests built for
//! wasm32-freestanding (no libc, no operating system), the Zig twin of
//! sdk/include/dagger.h.
//!
//! Dagger is the smallest of the three: everything is a stream opened by
//! URL. A descriptor is a small non-negative i32; calls return a negative
//! error code when they fail. No stream is open at start: open "fd://0",
//! "fd://1" and "fd://2" for the standard streams.
//!
//! Each call is imported from module `dagger` under its own name, so
//! `dagger.open` here is `dagger_open` in C. Build a guest (see
//! sdk/build.sh) with the directory of this file as a module:
//!
//!   zig build-exe -target wasm32-freestanding -O ReleaseSmall -fno-entry \
//!     -fstrip --export=main --dep dagger -Mroot=hello.zig \
//!     -Mdagger=sdk/zig/dagger.zig
//!
//! and start it with `comptime { dagger.exportMain(run); }`, which exports
//! `run` as `main`; what it returns is the exit status. (`--export=main`
//! makes the linker keep that export in the module.)

/// The call failed, or the URL is malformed.
pub const EFAIL: i32 = -1;
/// The URL could not be read from memory.
pub const EBADURLINPUT: i32 = -2;
/// No stream has this URL's scheme.
pub const EUNKNOWNSCHEME: i32 = -3;

/// Opens the NUL-terminated URL; returns a descriptor or an error. URLs:
/// fd://0, fd://1, fd://2, log://?prefix=P, file://PATH (inside a granted
/// directory, ?mode=r|w|a|rw), http://..., https://..., random://.
pub extern "dagger" fn open(url: [*:0]const u8, flags: i32) i32;
/// Closes a descriptor: 0 or an error.
pub extern "dagger" fn close(fd: i32) i32;
/// Reads at most len bytes into buf: the count, 0 at the end, or an error.
pub extern "dagger" fn read(fd: i32, buf: [*]u8, len: i32) i32;
/// Writes len bytes from buf: the count written, or an error.
pub extern "dagger" fn write(fd: i32, buf: [*]const u8, len: i32) i32;
/// Pushes buffered data out; for http(s) streams, sends the request, after
/// which reads return the raw response. 0 or an error.
pub extern "dagger" fn flush(fd: i32) i32;

/// The entry point, as DAGGER_MAIN is in C: `comptime { exportMain(run); }`
/// exports `run` under the name `main`, which the host calls; what it
/// returns is the exit status. (A Zig function cannot simply be called
/// `main` here: in an executable, Zig's start code would claim it.)
pub fn exportMain(comptime run: fn () i32) void {
    const entry = struct {
        fn main() callconv(.c) i32 {
            return run();
        }
    };
    @export(&entry.main, .{ .name = "main" });
}

// Small helpers, as in dagger.h. Zig slices carry their length, so there
// is no strlen.

/// Writes a string (a slice); returns what `write` returned.
pub fn puts(fd: i32, s: []const u8) i32 {
    return write(fd, s.ptr, @intCast(s.len));
}

/// Writes all of buf, however many writes it takes: its length, or an
/// error.
pub fn writeAll(fd: i32, buf: []const u8) i32 {
    var done: usize = 0;
    while (done < buf.len) {
        const n = write(fd, buf[done..].ptr, @intCast(buf.len - done));
        if (n <= 0) return if (n < 0) n else EFAIL;
        done += @intCast(n);
    }
    return @intCast(done);
}
