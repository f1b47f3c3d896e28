//! cwa.zig: the Olin / CommonWA host ABI for Zig guests built for
//! wasm32-freestanding (no libc, no operating system), the Zig twin of
//! sdk/include/cwa.h.
//!
//! "Everything is a URL", with a few namespaces of helpers: log_, env_,
//! runtime_, startup_, resource_, time_, io_ and random_. Slices are passed
//! as (pointer, length) pairs; calls that can fail return a negative error
//! code. Resources 0, 1 and 2 are the standard streams (ask io_get_stdout()
//! and friends rather than assuming the numbers).
//!
//! Each call is imported from module `cwa` under its own name, so
//! `cwa.resource_write` here is `cwa_resource_write` in C. Build a guest
//! (see sdk/build.sh) with the directory of this file as a module:
//!
//!   zig build-exe -target wasm32-freestanding -O ReleaseSmall -fno-entry \
//!     -fstrip --export=cwa_main --dep cwa -Mroot=hello.zig \
//!     -Mcwa=sdk/zig/cwa.zig
//!
//! and start it with `comptime { cwa.exportMain(run); }`, which exports
//! `run` as `cwa_main`, as Olin's own Rust library does; what it returns
//! is the exit status. (`--export=cwa_main` makes the linker keep that
//! export in the module.)

// Error codes.

/// Anything else that went wrong.
pub const UNKNOWN: i32 = -1;
/// A bad pointer or length, a malformed URL, an id not open.
pub const INVALID_ARGUMENT: i32 = -2;
/// The host does not allow it.
pub const PERMISSION_DENIED: i32 = -3;
/// No such variable, file or scheme.
pub const NOT_FOUND: i32 = -4;
/// The end of a resource.
pub const EOF: i32 = -5;

// Log levels of log_write.

pub const LOG_ERROR: i32 = 1;
pub const LOG_WARNING: i32 = 3;
pub const LOG_INFO: i32 = 6;

// log

/// Writes a message of len bytes (UTF-8) to the host's log at a level.
pub extern "cwa" fn log_write(level: i32, msg: [*]const u8, len: i32) void;

// env

/// Copies the value of `key` into `value`; returns its length, NOT_FOUND,
/// or (when value_len is too small, writing nothing) the length needed.
pub extern "cwa" fn env_get(key: [*]const u8, key_len: i32, value: [*]u8, value_len: i32) i32;

// runtime

/// Ends the guest with this exit status.
pub extern "cwa" fn runtime_exit(status: i32) noreturn;
/// The major version of the specification the host implements (0).
pub extern "cwa" fn runtime_spec_major() i32;
/// The minor version of the specification the host implements (1).
pub extern "cwa" fn runtime_spec_minor() i32;
/// Writes the host's name; returns its length, or INVALID_ARGUMENT if it
/// does not fit.
pub extern "cwa" fn runtime_name(buf: [*]u8, len: i32) i32;
/// Sleeps for ms milliseconds.
pub extern "cwa" fn runtime_msleep(ms: i32) void;

// startup: argument 0 is the program's name.

/// How many arguments there are, the program's name included.
pub extern "cwa" fn startup_arg_len() i32;
/// Copies argument i (cut to fit); returns the bytes written or
/// INVALID_ARGUMENT.
pub extern "cwa" fn startup_arg_at(i: i32, buf: [*]u8, len: i32) i32;

// resource: opened by URL: null://, zero://, log://?prefix=P, random://,
// http(s)://..., file://PATH inside a granted directory.

/// Opens the URL (url_len bytes); returns a resource id or an error.
pub extern "cwa" fn resource_open(url: [*]const u8, url_len: i32) i32;
/// Reads at most len bytes into buf: the count, EOF at the end, or an
/// error.
pub extern "cwa" fn resource_read(id: i32, buf: [*]u8, len: i32) i32;
/// Writes len bytes from buf: the count written, or an error.
pub extern "cwa" fn resource_write(id: i32, buf: [*]const u8, len: i32) i32;
/// Closes a resource. Closing an id that is not open ends the guest.
pub extern "cwa" fn resource_close(id: i32) void;
/// For http(s) resources, sends the request; the response is then
/// readable. 0 or an error.
pub extern "cwa" fn resource_flush(id: i32) i32;

// time

/// Seconds since 1970, UTC.
pub extern "cwa" fn time_now() i64;

// io: the resource ids of the standard streams.

pub extern "cwa" fn io_get_stdin() i32;
pub extern "cwa" fn io_get_stdout() i32;
pub extern "cwa" fn io_get_stderr() i32;

// random: not for cryptography (open random:// for that); never negative.

pub extern "cwa" fn random_i32() i32;
pub extern "cwa" fn random_i64() i64;

/// The entry point, as CWA_MAIN is in C: `comptime { exportMain(run); }`
/// exports `run` under the name `cwa_main`, which the host calls; what it
/// returns is the exit status.
pub fn exportMain(comptime run: fn () i32) void {
    const entry = struct {
        fn cwa_main() callconv(.c) i32 {
            return run();
        }
    };
    @export(&entry.cwa_main, .{ .name = "cwa_main" });
}

// Small helpers, as in cwa.h. Zig slices carry their length, so there is
// no strlen.

/// Writes a string (a slice) to a resource; returns what resource_write
/// returned.
pub fn puts(id: i32, s: []const u8) i32 {
    return resource_write(id, s.ptr, @intCast(s.len));
}

/// Writes all of buf, however many writes it takes: its length, or an
/// error.
pub fn writeAll(id: i32, buf: []const u8) i32 {
    var done: usize = 0;
    while (done < buf.len) {
        const n = resource_write(id, buf[done..].ptr, @intCast(buf.len - done));
        if (n <= 0) return if (n < 0) n else UNKNOWN;
        done += @intCast(n);
    }
    return @intCast(done);
}

/// Logs a message (a slice) at a level.
pub fn log(level: i32, s: []const u8) void {
    log_write(level, s.ptr, @intCast(s.len));
}
