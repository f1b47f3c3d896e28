//! WASI preview 1 (`wasi_snapshot_preview1`), written in the project: the
//! declarative table of all its calls, and their implementations over the
//! shared `Process` (descriptor table, granted directories through cap-std).

mod env;
mod fd;
mod fs;
mod path;
mod poll;
mod sock;
pub mod types;

use crate::abi::Abi;
use crate::calls::{CallContext, CallSpec, Fatal, Filled, Kind::*, Param, Ret, p32, p64};
use crate::fdtable::{Descriptor, Handle, Rights, TableFull};
use crate::guest_memory::OutOfBounds;
use crate::process::Process;
use crate::stdio::{Input, Output, StdStream};
use types::*;

/// How a WASI call fails: an errno for the guest, or the end of the guest.
pub(crate) enum Fail {
    Errno(Errno),
    Fatal(Fatal),
}

impl From<Errno> for Fail {
    fn from(e: Errno) -> Fail {
        Fail::Errno(e)
    }
}
impl From<OutOfBounds> for Fail {
    fn from(_: OutOfBounds) -> Fail {
        Fail::Errno(Errno::FAULT)
    }
}
impl From<std::io::Error> for Fail {
    fn from(e: std::io::Error) -> Fail {
        Fail::Errno(fs::errno_of(&e))
    }
}
impl From<TableFull> for Fail {
    fn from(_: TableFull) -> Fail {
        Fail::Errno(Errno::MFILE)
    }
}
impl From<Fatal> for Fail {
    fn from(f: Fatal) -> Fail {
        Fail::Fatal(f)
    }
}

pub(crate) type WasiResult = Result<(), Fail>;
pub(crate) type Cx<'a, 'b> = &'a mut CallContext<'b>;

/// Turns a WASI result into the errno the guest sees.
fn finish(r: WasiResult) -> Result<u64, Fatal> {
    match r {
        Ok(()) => Ok(0),
        Err(Fail::Errno(e)) => Ok(e.0 as u64),
        Err(Fail::Fatal(f)) => Err(f),
    }
}

macro_rules! imp {
    ($f:path) => {
        |cx, a| finish($f(cx, a))
    };
}

const fn call(
    name: &'static str,
    params: &'static [Param],
    explain: &'static str,
    imp: crate::calls::CallImpl,
) -> CallSpec {
    CallSpec {
        abi: Abi::Wasi,
        name,
        aliases: &[],
        params,
        ret: Ret::Errno(&ERRNO),
        explain,
        imp,
    }
}

/// Every WASI preview 1 call.
pub static CALLS: &[CallSpec] = &[
    call(
        "args_get",
        &[p32("argv", Ptr), p32("argv_buf", OutCStrings)],
        "Copies the command-line arguments into guest memory: `argv` receives one pointer per argument, each pointing at a NUL-terminated string stored in `argv_buf`. Call `args_sizes_get` first to learn how much room they need.",
        imp!(env::args_get),
    ),
    call(
        "args_sizes_get",
        &[p32("argc", OutU32), p32("argv_buf_size", OutU32)],
        "Writes the number of command-line arguments and the total size of their NUL-terminated strings, so the guest can allocate space before `args_get`.",
        imp!(env::args_sizes_get),
    ),
    call(
        "environ_get",
        &[p32("environ", Ptr), p32("environ_buf", OutCStrings)],
        "Copies the environment variables into guest memory as `KEY=VALUE` NUL-terminated strings, with a pointer to each in `environ`. Only variables the host granted are visible.",
        imp!(env::environ_get),
    ),
    call(
        "environ_sizes_get",
        &[
            p32("environ_count", OutU32),
            p32("environ_buf_size", OutU32),
        ],
        "Writes how many environment variables there are and how many bytes their strings need.",
        imp!(env::environ_sizes_get),
    ),
    call(
        "clock_res_get",
        &[p32("id", Enum(&CLOCKID)), p32("resolution", OutU64)],
        "Writes the resolution of a clock, in nanoseconds.",
        imp!(env::clock_res_get),
    ),
    call(
        "clock_time_get",
        &[
            p32("id", Enum(&CLOCKID)),
            p64("precision", Nanos),
            p32("time", OutU64),
        ],
        "Writes the current time of a clock in nanoseconds: REALTIME counts from 1970-01-01 UTC, MONOTONIC from an arbitrary point and never goes backwards.",
        imp!(env::clock_time_get),
    ),
    call(
        "fd_advise",
        &[
            p32("fd", Fd),
            p64("offset", Int),
            p64("len", Len),
            p32("advice", Enum(&ADVICE)),
        ],
        "Tells the host how the guest intends to access part of a file (sequentially, randomly, soon, not again) so it can optimise caching. It changes no data.",
        imp!(fd::fd_advise),
    ),
    call(
        "fd_allocate",
        &[p32("fd", Fd), p64("offset", Int), p64("len", Len)],
        "Makes sure space is allocated on storage for the given range of a file, growing it if needed.",
        imp!(fd::fd_allocate),
    ),
    call(
        "fd_close",
        &[p32("fd", Fd)],
        "Closes a descriptor. Its number becomes free and may be handed out by the next open.",
        imp!(fd::fd_close),
    ),
    call(
        "fd_datasync",
        &[p32("fd", Fd)],
        "Waits until a file's data has reached storage.",
        imp!(fd::fd_datasync),
    ),
    call(
        "fd_fdstat_get",
        &[p32("fd", Fd), p32("stat", OutStruct(&FDSTAT))],
        "Describes a descriptor: what kind of file it is, its flags (append, nonblock…), and its rights, the operations it may be used for.",
        imp!(fd::fd_fdstat_get),
    ),
    call(
        "fd_fdstat_set_flags",
        &[p32("fd", Fd), p32("flags", Flags(&FDFLAGS))],
        "Changes a descriptor's flags, such as APPEND or NONBLOCK.",
        imp!(fd::fd_fdstat_set_flags),
    ),
    call(
        "fd_fdstat_set_rights",
        &[
            p32("fd", Fd),
            p64("fs_rights_base", Flags(&RIGHTS)),
            p64("fs_rights_inheriting", Flags(&RIGHTS)),
        ],
        "Drops rights from a descriptor. Rights can only be taken away, never added: asking for more fails with ENOTCAPABLE.",
        imp!(fd::fd_fdstat_set_rights),
    ),
    call(
        "fd_filestat_get",
        &[p32("fd", Fd), p32("buf", OutStruct(&FILESTAT))],
        "Writes a file's attributes: device and inode numbers, type, link count, size and timestamps.",
        imp!(fd::fd_filestat_get),
    ),
    call(
        "fd_filestat_set_size",
        &[p32("fd", Fd), p64("size", Len)],
        "Truncates or extends a file to the given size; new bytes read as zeros.",
        imp!(fd::fd_filestat_set_size),
    ),
    call(
        "fd_filestat_set_times",
        &[
            p32("fd", Fd),
            p64("atim", Nanos),
            p64("mtim", Nanos),
            p32("fst_flags", Flags(&FSTFLAGS)),
        ],
        "Sets a file's access and/or modification time, either to the given nanosecond timestamps or to now, as the flags say.",
        imp!(fd::fd_filestat_set_times),
    ),
    call(
        "fd_pread",
        &[
            p32("fd", Fd),
            p32(
                "iovs",
                IovsOut {
                    count: 2,
                    filled: Filled::OutParam(4),
                },
            ),
            p32("iovs_len", Len),
            p64("offset", Int),
            p32("nread", OutU32),
        ],
        "Reads from a file at a given offset into a list of buffers, without moving the file's current offset.",
        imp!(fd::fd_pread),
    ),
    call(
        "fd_prestat_get",
        &[p32("fd", Fd), p32("buf", OutStruct(&PRESTAT))],
        "Tells whether a descriptor is a preopened directory and how long its name is. A guest's startup code calls it on 3, 4, 5… until EBADF to discover what it was granted.",
        imp!(fd::fd_prestat_get),
    ),
    call(
        "fd_prestat_dir_name",
        &[
            p32("fd", Fd),
            p32(
                "path",
                BytesOut {
                    len: 2,
                    filled: Filled::Whole,
                },
            ),
            p32("path_len", Len),
        ],
        "Writes the name under which a directory was preopened (not NUL-terminated).",
        imp!(fd::fd_prestat_dir_name),
    ),
    call(
        "fd_pwrite",
        &[
            p32("fd", Fd),
            p32("iovs", IovsIn { count: 2 }),
            p32("iovs_len", Len),
            p64("offset", Int),
            p32("nwritten", OutU32),
        ],
        "Writes a list of buffers to a file at a given offset, without moving the file's current offset.",
        imp!(fd::fd_pwrite),
    ),
    call(
        "fd_read",
        &[
            p32("fd", Fd),
            p32(
                "iovs",
                IovsOut {
                    count: 2,
                    filled: Filled::OutParam(3),
                },
            ),
            p32("iovs_len", Len),
            p32("nread", OutU32),
        ],
        "Reads from a descriptor into a list of buffers (a scatter read) and writes how many bytes arrived; 0 means end of file.",
        imp!(fd::fd_read),
    ),
    call(
        "fd_readdir",
        &[
            p32("fd", Fd),
            p32(
                "buf",
                BytesOut {
                    len: 2,
                    filled: Filled::OutParam(4),
                },
            ),
            p32("buf_len", Len),
            p64("cookie", Int),
            p32("bufused", OutU32),
        ],
        "Lists a directory: fills the buffer with dirent records (next cookie, inode, name length, type) each followed by its name, starting after `cookie`. A full buffer means there may be more: call again with the last cookie.",
        imp!(fd::fd_readdir),
    ),
    call(
        "fd_renumber",
        &[p32("fd", Fd), p32("to", Fd)],
        "Moves descriptor `fd` to number `to`, closing what `to` was, so `fd` is free afterwards.",
        imp!(fd::fd_renumber),
    ),
    call(
        "fd_seek",
        &[
            p32("fd", Fd),
            p64("offset", Int),
            p32("whence", Enum(&WHENCE)),
            p32("newoffset", OutU64),
        ],
        "Moves a file's current offset relative to the start, the current offset or the end, and writes the new offset.",
        imp!(fd::fd_seek),
    ),
    call(
        "fd_sync",
        &[p32("fd", Fd)],
        "Waits until a file's data and metadata have reached storage.",
        imp!(fd::fd_sync),
    ),
    call(
        "fd_tell",
        &[p32("fd", Fd), p32("offset", OutU64)],
        "Writes a file's current offset.",
        imp!(fd::fd_tell),
    ),
    call(
        "fd_write",
        &[
            p32("fd", Fd),
            p32("iovs", IovsIn { count: 2 }),
            p32("iovs_len", Len),
            p32("nwritten", OutU32),
        ],
        "Writes a list of buffers (a gather write) to a descriptor and writes how many bytes were taken. This is how `printf` reaches the terminal: descriptor 1 is standard output.",
        imp!(fd::fd_write),
    ),
    call(
        "path_create_directory",
        &[
            p32("fd", Fd),
            p32("path", Str { len: 2 }),
            p32("path_len", Len),
        ],
        "Creates a directory at a path relative to a directory descriptor.",
        imp!(path::path_create_directory),
    ),
    call(
        "path_filestat_get",
        &[
            p32("fd", Fd),
            p32("flags", Flags(&LOOKUPFLAGS)),
            p32("path", Str { len: 3 }),
            p32("path_len", Len),
            p32("buf", OutStruct(&FILESTAT)),
        ],
        "Writes the attributes of the file at a path, following a final symbolic link only if SYMLINK_FOLLOW is set.",
        imp!(path::path_filestat_get),
    ),
    call(
        "path_filestat_set_times",
        &[
            p32("fd", Fd),
            p32("flags", Flags(&LOOKUPFLAGS)),
            p32("path", Str { len: 3 }),
            p32("path_len", Len),
            p64("atim", Nanos),
            p64("mtim", Nanos),
            p32("fst_flags", Flags(&FSTFLAGS)),
        ],
        "Sets the access and/or modification time of the file at a path.",
        imp!(path::path_filestat_set_times),
    ),
    call(
        "path_link",
        &[
            p32("old_fd", Fd),
            p32("old_flags", Flags(&LOOKUPFLAGS)),
            p32("old_path", Str { len: 3 }),
            p32("old_path_len", Len),
            p32("new_fd", Fd),
            p32("new_path", Str { len: 6 }),
            p32("new_path_len", Len),
        ],
        "Creates a hard link: a second name for the same file.",
        imp!(path::path_link),
    ),
    call(
        "path_open",
        &[
            p32("fd", Fd),
            p32("dirflags", Flags(&LOOKUPFLAGS)),
            p32("path", Str { len: 3 }),
            p32("path_len", Len),
            p32("oflags", Flags(&OFLAGS)),
            p64("fs_rights_base", Flags(&RIGHTS)),
            p64("fs_rights_inheriting", Flags(&RIGHTS)),
            p32("fdflags", Flags(&FDFLAGS)),
            p32("opened_fd", OutFd),
        ],
        "Opens a file or directory at a path relative to a directory descriptor, the only way a WASI guest reaches the filesystem. The path can never lead outside the granted directory. oflags create, truncate or insist on a directory; the rights say what the new descriptor may do.",
        imp!(path::path_open),
    ),
    call(
        "path_readlink",
        &[
            p32("fd", Fd),
            p32("path", Str { len: 2 }),
            p32("path_len", Len),
            p32(
                "buf",
                BytesOut {
                    len: 4,
                    filled: Filled::OutParam(5),
                },
            ),
            p32("buf_len", Len),
            p32("bufused", OutU32),
        ],
        "Writes the target of a symbolic link (not NUL-terminated) and its length.",
        imp!(path::path_readlink),
    ),
    call(
        "path_remove_directory",
        &[
            p32("fd", Fd),
            p32("path", Str { len: 2 }),
            p32("path_len", Len),
        ],
        "Removes an empty directory.",
        imp!(path::path_remove_directory),
    ),
    call(
        "path_rename",
        &[
            p32("fd", Fd),
            p32("old_path", Str { len: 2 }),
            p32("old_path_len", Len),
            p32("new_fd", Fd),
            p32("new_path", Str { len: 5 }),
            p32("new_path_len", Len),
        ],
        "Renames a file or directory, replacing what the new path named.",
        imp!(path::path_rename),
    ),
    call(
        "path_symlink",
        &[
            p32("old_path", Str { len: 1 }),
            p32("old_path_len", Len),
            p32("fd", Fd),
            p32("new_path", Str { len: 4 }),
            p32("new_path_len", Len),
        ],
        "Creates a symbolic link at `new_path` whose target text is `old_path`.",
        imp!(path::path_symlink),
    ),
    call(
        "path_unlink_file",
        &[
            p32("fd", Fd),
            p32("path", Str { len: 2 }),
            p32("path_len", Len),
        ],
        "Removes a file or symbolic link (not a directory).",
        imp!(path::path_unlink_file),
    ),
    call(
        "poll_oneoff",
        &[
            p32(
                "in",
                StructsIn {
                    spec: &SUBSCRIPTION,
                    count: 2,
                },
            ),
            p32(
                "out",
                StructsOut {
                    spec: &EVENT,
                    filled: Filled::OutParam(3),
                },
            ),
            p32("nsubscriptions", Len),
            p32("nevents", OutU32),
        ],
        "Waits until at least one subscription is ready: a clock reaching its timeout, or a descriptor ready to read or write. Writes an event for each one that is. With only a clock it is how a guest sleeps.",
        imp!(poll::poll_oneoff),
    ),
    CallSpec {
        abi: Abi::Wasi,
        name: "proc_exit",
        aliases: &[],
        params: &[p32("rval", Int)],
        ret: Ret::Never,
        explain: "Ends the guest with an exit status: 0 for success. It never returns.",
        imp: env::proc_exit,
    },
    call(
        "proc_raise",
        &[p32("sig", Enum(&SIGNAL))],
        "Sends a signal to the guest itself. There are no signal handlers in WASI, so the host refuses with ENOSYS.",
        imp!(env::proc_raise),
    ),
    call(
        "random_get",
        &[
            p32(
                "buf",
                BytesOut {
                    len: 1,
                    filled: Filled::Whole,
                },
            ),
            p32("buf_len", Len),
        ],
        "Fills a buffer with cryptographically secure random bytes.",
        imp!(env::random_get),
    ),
    call(
        "sched_yield",
        &[],
        "Lets other threads of the host run before the guest continues.",
        imp!(env::sched_yield),
    ),
    call(
        "sock_accept",
        &[
            p32("fd", Fd),
            p32("flags", Flags(&FDFLAGS)),
            p32("ro_fd", OutFd),
        ],
        "Accepts a connection on a listening socket. Only sockets the host preopened could be used; on anything else it fails with ENOTSOCK.",
        imp!(sock::sock_accept),
    ),
    call(
        "sock_recv",
        &[
            p32("fd", Fd),
            p32(
                "ri_data",
                IovsOut {
                    count: 2,
                    filled: Filled::OutParam(4),
                },
            ),
            p32("ri_data_len", Len),
            p32("ri_flags", Flags(&RIFLAGS)),
            p32("ro_datalen", OutU32),
            p32("ro_flags", OutU32),
        ],
        "Receives data from a socket into a list of buffers.",
        imp!(sock::sock_recv),
    ),
    call(
        "sock_send",
        &[
            p32("fd", Fd),
            p32("si_data", IovsIn { count: 2 }),
            p32("si_data_len", Len),
            p32("si_flags", Int),
            p32("so_datalen", OutU32),
        ],
        "Sends a list of buffers on a socket.",
        imp!(sock::sock_send),
    ),
    call(
        "sock_shutdown",
        &[p32("fd", Fd), p32("how", Flags(&SDFLAGS))],
        "Shuts down the reading and/or writing side of a socket.",
        imp!(sock::sock_shutdown),
    ),
];

/// Lays out the table WASI guests expect: 0, 1, 2 the standard streams, then
/// one descriptor per granted directory, in the order granted.
pub(crate) fn setup_descriptors(process: &mut Process) {
    let stdin = Input::open(&process.config.stdin);
    let stdout = Output::open(&process.config.stdout, StdStream::Stdout);
    let stderr = Output::open(&process.config.stderr, StdStream::Stderr);
    let stdio = Rights {
        base: RIGHTS_STDIO,
        inheriting: 0,
    };
    let handles = [
        (Handle::Input(stdin), "stdin"),
        (Handle::Output(stdout, StdStream::Stdout), "stdout"),
        (Handle::Output(stderr, StdStream::Stderr), "stderr"),
    ];
    for (handle, name) in handles {
        let _ = process.fds.insert(Descriptor {
            handle,
            name: name.into(),
            rights: stdio,
            flags: 0,
            preopen: None,
        });
    }
    for grant in &process.grants {
        let Ok(dir) = grant.dir.try_clone() else {
            continue;
        };
        let _ = process.fds.insert(Descriptor {
            handle: Handle::Dir(dir),
            name: grant.guest.clone(),
            rights: Rights {
                base: RIGHTS_DIR,
                inheriting: RIGHTS_DIR | RIGHTS_FILE,
            },
            flags: 0,
            preopen: Some(grant.guest.clone()),
        });
    }
}
