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

use crate::abis::call::{
    CallContext, CallSpec, ErrorCase, Fatal, Filled, Kind::*, Param, Purpose, Ret, WAIT_TIME_LIMIT,
    fails, p32, p64,
};
use crate::module::abi::Abi;
use crate::sandbox::fdtable::{Descriptor, Handle, Rights, TableFull};
use crate::sandbox::guest_memory::OutOfBounds;
use crate::sandbox::process::Process;
use crate::sandbox::stdio::StdStream;
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
        match crate::sandbox::blocking::as_deadline_passed(&e) {
            Some(passed) => Fail::Fatal(Fatal::time_limit("", passed.waiting.clone())),
            None => Fail::Errno(fs::errno_of(&e)),
        }
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
    imp: crate::abis::call::CallImpl,
) -> CallSpec {
    CallSpec {
        abi: Abi::Wasi,
        name,
        aliases: &[],
        params,
        ret: Ret::Errno(&ERRNO),
        explain,
        errors: &[],
        kills: &[],
        purpose: None,
        config_only: false,
        imp,
    }
}

// Errors many calls share, with when the host returns them.
const BADF: ErrorCase = fails("EBADF", "fd is not an open descriptor");
const NOTCAPABLE: ErrorCase = fails(
    "ENOTCAPABLE",
    "the descriptor lacks the right this call needs (see its rights in the Descriptors panel)",
);
const FAULT: ErrorCase = fails(
    "EFAULT",
    "a pointer, or a pointer plus its length, reaches outside the guest's memory",
);
const IO: ErrorCase = fails(
    "EIO",
    "the host's operating system reported an error with no closer WASI name",
);
const SPIPE: ErrorCase = fails("ESPIPE", "fd is a standard stream, which has no offset");
const OVERFLOW: ErrorCase = fails(
    "EOVERFLOW",
    "the byte count would not fit in the 32-bit result",
);
const NOSPC: ErrorCase = fails("ENOSPC", "the host's disk is full");
const ACCES: ErrorCase = fails("EACCES", "the host's file permissions refuse it");
const ROFS: ErrorCase = fails(
    "EROFS",
    "the granted directory is on a read-only filesystem",
);
const EXIST: ErrorCase = fails("EEXIST", "something already exists at the path");
const LOOP: ErrorCase = fails(
    "ELOOP",
    "too many symbolic links, or the path ends in one and SYMLINK_FOLLOW is off where it must be followed",
);
const NAMETOOLONG: ErrorCase = fails(
    "ENAMETOOLONG",
    "a part of the path is longer than the host allows",
);
const BAD_CLOCK: ErrorCase = fails("EINVAL", "id is not one of the four clocks");
const BAD_TIME_FLAGS: ErrorCase = fails(
    "EINVAL",
    "fst_flags has unknown bits, or asks for both a given time and now for the same timestamp",
);
const DIR_FD: ErrorCase = fails(
    "ENOTDIR",
    "fd, or a directory along the path, is not a directory",
);
const PATH_ILSEQ: ErrorCase = fails("EILSEQ", "the path is not valid UTF-8");
const PATH_NUL: ErrorCase = fails("EINVAL", "the path contains a NUL byte");
const PATH_NOENT: ErrorCase = fails(
    "ENOENT",
    "the path is empty, or nothing exists at it (or at a directory along it)",
);
const PATH_ESCAPE: ErrorCase = fails(
    "EPERM",
    "the path would lead outside the granted directory: through .., from /, or along a symbolic link pointing out",
);
const PATH_ERRORS_LOOKUP: &[ErrorCase] = &[
    BADF,
    DIR_FD,
    NOTCAPABLE,
    FAULT,
    PATH_ILSEQ,
    PATH_NUL,
    PATH_NOENT,
    PATH_ESCAPE,
    ACCES,
    LOOP,
    NAMETOOLONG,
    IO,
];
const PATH_ERRORS_CREATE: &[ErrorCase] = &[
    BADF,
    DIR_FD,
    NOTCAPABLE,
    FAULT,
    PATH_ILSEQ,
    PATH_NUL,
    PATH_NOENT,
    EXIST,
    PATH_ESCAPE,
    ACCES,
    NAMETOOLONG,
    NOSPC,
    ROFS,
    IO,
];
const SOCKET_ERRORS: &[ErrorCase] = &[
    BADF,
    fails(
        "ENOTSOCK",
        "fd is not a socket: wasmhole grants no sockets, so every open descriptor gets this",
    ),
];

/// Every WASI preview 1 call.
pub static CALLS: &[CallSpec] = &[
    call(
        "args_get",
        &[p32("argv", Ptr).doc("where the host writes one 4-byte pointer per argument, each pointing into argv_buf"), p32("argv_buf", OutCStrings)],
        "Copies the command-line arguments into guest memory: `argv` receives one pointer per argument, each pointing at a NUL-terminated string stored in `argv_buf`. Call `args_sizes_get` first to learn how much room they need.",
        imp!(env::args_get),
    )
    .errors(&[FAULT])
    .purpose(Purpose::Args)
    .config_only(),
    call(
        "args_sizes_get",
        &[p32("argc", OutU32), p32("argv_buf_size", OutU32)],
        "Writes the number of command-line arguments and the total size of their NUL-terminated strings, so the guest can allocate space before `args_get`.",
        imp!(env::args_sizes_get),
    )
    .errors(&[FAULT, fails("E2BIG", "the arguments need more than 4 GiB of memory")])
    .purpose(Purpose::Args)
    .config_only(),
    call(
        "environ_get",
        &[p32("environ", Ptr).doc("where the host writes one 4-byte pointer per variable, each pointing into environ_buf"), p32("environ_buf", OutCStrings)],
        "Copies the environment variables into guest memory as `KEY=VALUE` NUL-terminated strings, with a pointer to each in `environ`. Only variables the host granted are visible.",
        imp!(env::environ_get),
    )
    .errors(&[FAULT])
    .purpose(Purpose::Environment)
    .config_only(),
    call(
        "environ_sizes_get",
        &[
            p32("environ_count", OutU32),
            p32("environ_buf_size", OutU32),
        ],
        "Writes how many environment variables there are and how many bytes their strings need.",
        imp!(env::environ_sizes_get),
    )
    .errors(&[FAULT, fails("E2BIG", "the variables need more than 4 GiB of memory")])
    .purpose(Purpose::Environment)
    .config_only(),
    call(
        "clock_res_get",
        &[p32("id", Enum(&CLOCKID)), p32("resolution", OutU64)],
        "Writes the resolution of a clock, in nanoseconds.",
        imp!(env::clock_res_get),
    )
    .errors(&[BAD_CLOCK, FAULT])
    .purpose(Purpose::Clock),
    call(
        "clock_time_get",
        &[
            p32("id", Enum(&CLOCKID)),
            p64("precision", Nanos).doc("how precise the guest needs the time to be, in nanoseconds; the host reads the clock as precisely as it can whatever this says"),
            p32("time", OutU64),
        ],
        "Writes the current time of a clock in nanoseconds: REALTIME counts from 1970-01-01 UTC, MONOTONIC from an arbitrary point and never goes backwards.",
        imp!(env::clock_time_get),
    )
    .errors(&[BAD_CLOCK, FAULT])
    .purpose(Purpose::Clock),
    call(
        "fd_advise",
        &[
            p32("fd", Fd),
            p64("offset", Int).doc("where the range starts in the file, in bytes"),
            p64("len", Len).doc("how many bytes the range covers (0: to the end of the file)"),
            p32("advice", Enum(&ADVICE)),
        ],
        "Tells the host how the guest intends to access part of a file (sequentially, randomly, soon, not again) so it can optimise caching. It changes no data.",
        imp!(fd::fd_advise),
    )
    .errors(&[fails("EBADF", "fd is not open, or is a directory"), NOTCAPABLE, fails("EINVAL", "advice is not one of the six values"), SPIPE, IO]),
    call(
        "fd_allocate",
        &[
            p32("fd", Fd),
            p64("offset", Int).doc("where the range starts in the file, in bytes"),
            p64("len", Len).doc("how many bytes the range covers; the file grows to offset + len if it is shorter"),
        ],
        "Makes sure space is allocated on storage for the given range of a file, growing it if needed.",
        imp!(fd::fd_allocate),
    )
    .errors(&[fails("EBADF", "fd is not open, or is not a file"), NOTCAPABLE, fails("EFBIG", "offset + len is past the largest file size"), NOSPC, IO]),
    call(
        "fd_close",
        &[p32("fd", Fd)],
        "Closes a descriptor. Its number becomes free and may be handed out by the next open.",
        imp!(fd::fd_close),
    )
    .errors(&[BADF])
    .purpose(Purpose::Close),
    call(
        "fd_datasync",
        &[p32("fd", Fd)],
        "Waits until a file's data has reached storage.",
        imp!(fd::fd_datasync),
    )
    .errors(&[BADF, NOTCAPABLE, fails("EINVAL", "fd is a standard stream, which has no storage to reach"), IO])
    .purpose(Purpose::Flush),
    call(
        "fd_fdstat_get",
        &[p32("fd", Fd), p32("stat", OutStruct(&FDSTAT))],
        "Describes a descriptor: what kind of file it is, its flags (append, nonblock…), and its rights, the operations it may be used for.",
        imp!(fd::fd_fdstat_get),
    )
    .errors(&[BADF, FAULT]),
    call(
        "fd_fdstat_set_flags",
        &[p32("fd", Fd), p32("flags", Flags(&FDFLAGS))],
        "Changes a descriptor's flags, such as APPEND or NONBLOCK.",
        imp!(fd::fd_fdstat_set_flags),
    )
    .errors(&[BADF, NOTCAPABLE, fails("EINVAL", "flags has bits that are not descriptor flags"), fails("ENOTSUP", "it would change DSYNC, RSYNC or SYNC, which are fixed when a file is opened"), IO]),
    call(
        "fd_fdstat_set_rights",
        &[
            p32("fd", Fd),
            p64("fs_rights_base", Flags(&RIGHTS)),
            p64("fs_rights_inheriting", Flags(&RIGHTS)),
        ],
        "Drops rights from a descriptor. Rights can only be taken away, never added: asking for more fails with ENOTCAPABLE.",
        imp!(fd::fd_fdstat_set_rights),
    )
    .errors(&[BADF, fails("ENOTCAPABLE", "it asks for a right the descriptor does not have: rights can only be dropped")]),
    call(
        "fd_filestat_get",
        &[p32("fd", Fd), p32("buf", OutStruct(&FILESTAT))],
        "Writes a file's attributes: device and inode numbers, type, link count, size and timestamps.",
        imp!(fd::fd_filestat_get),
    )
    .errors(&[BADF, NOTCAPABLE, FAULT, IO]),
    call(
        "fd_filestat_set_size",
        &[
            p32("fd", Fd),
            p64("size", Len).doc("the file's new size in bytes"),
        ],
        "Truncates or extends a file to the given size; new bytes read as zeros.",
        imp!(fd::fd_filestat_set_size),
    )
    .errors(&[fails("EBADF", "fd is not open, or is a directory or a standard stream"), NOTCAPABLE, fails("EFBIG", "size is past the largest file size"), NOSPC, IO]),
    call(
        "fd_filestat_set_times",
        &[
            p32("fd", Fd),
            p64("atim", Nanos).doc("the new access time, in nanoseconds since 1970, used when fst_flags has ATIM"),
            p64("mtim", Nanos).doc("the new modification time, in nanoseconds since 1970, used when fst_flags has MTIM"),
            p32("fst_flags", Flags(&FSTFLAGS)),
        ],
        "Sets a file's access and/or modification time, either to the given nanosecond timestamps or to now, as the flags say.",
        imp!(fd::fd_filestat_set_times),
    )
    .errors(&[fails("EBADF", "fd is not open, or is a standard stream"), NOTCAPABLE, BAD_TIME_FLAGS, ACCES, fails("EPERM", "the host does not let this user change the file's times"), IO]),
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
            p64("offset", Int).doc("where in the file to start, in bytes; the file's own offset does not move"),
            p32("nread", OutU32),
        ],
        "Reads from a file at a given offset into a list of buffers, without moving the file's current offset.",
        imp!(fd::fd_pread),
    )
    .errors(&[fails("EBADF", "fd is not open, or is a directory or standard output or error"), NOTCAPABLE, FAULT, SPIPE, IO, OVERFLOW])
    .purpose(Purpose::Read),
    call(
        "fd_prestat_get",
        &[p32("fd", Fd), p32("buf", OutStruct(&PRESTAT))],
        "Tells whether a descriptor is a preopened directory and how long its name is. A guest's startup code calls it on 3, 4, 5… until EBADF to discover what it was granted.",
        imp!(fd::fd_prestat_get),
    )
    .errors(&[fails("EBADF", "fd is not open, or is not a preopened directory: the end of the list of grants"), FAULT])
    .config_only(),
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
    )
    .errors(&[fails("EBADF", "fd is not open, or is not a preopened directory"), fails("ENAMETOOLONG", "path_len is shorter than the name"), FAULT])
    .config_only(),
    call(
        "fd_pwrite",
        &[
            p32("fd", Fd),
            p32("iovs", IovsIn { count: 2 }),
            p32("iovs_len", Len),
            p64("offset", Int).doc("where in the file to start, in bytes; the file's own offset does not move"),
            p32("nwritten", OutU32),
        ],
        "Writes a list of buffers to a file at a given offset, without moving the file's current offset.",
        imp!(fd::fd_pwrite),
    )
    .errors(&[fails("EBADF", "fd is not open, or is a directory or standard input"), NOTCAPABLE, FAULT, SPIPE, NOSPC, fails("EFBIG", "the write would pass the largest file size"), IO])
    .purpose(Purpose::Write),
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
    )
    .errors(&[fails("EBADF", "fd is not open, or is standard output or error, or a directory"), NOTCAPABLE, fails("EAGAIN", "fd is standard input made NONBLOCK and nothing has come yet: poll_oneoff tells when something has"), FAULT, IO, OVERFLOW])
    .kills(&[WAIT_TIME_LIMIT])
    .purpose(Purpose::Read),
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
            p64("cookie", Int).doc("where to continue the listing: 0 for the start, else the d_next of the last entry received"),
            p32("bufused", OutU32),
        ],
        "Lists a directory: fills the buffer with dirent records (next cookie, inode, name length, type) each followed by its name, starting after `cookie`. A full buffer means there may be more: call again with the last cookie.",
        imp!(fd::fd_readdir),
    )
    .errors(&[fails("EBADF", "fd is not open, or is not a directory"), NOTCAPABLE, FAULT, IO]),
    call(
        "fd_renumber",
        &[p32("fd", Fd), p32("to", Fd)],
        "Moves descriptor `fd` to number `to`, closing what `to` was, so `fd` is free afterwards.",
        imp!(fd::fd_renumber),
    )
    .errors(&[fails("EBADF", "fd or to is not open")]),
    call(
        "fd_seek",
        &[
            p32("fd", Fd),
            p64("offset", Int).doc("how far to move, in bytes (signed), from the place whence names"),
            p32("whence", Enum(&WHENCE)),
            p32("newoffset", OutU64),
        ],
        "Moves a file's current offset relative to the start, the current offset or the end, and writes the new offset.",
        imp!(fd::fd_seek),
    )
    .errors(&[fails("EBADF", "fd is not open, or is a directory"), fails("ENOTCAPABLE", "fd lacks FD_SEEK (FD_TELL for a move of 0 from the current offset)"), fails("EINVAL", "whence is not 0, 1 or 2, or the new offset would be before the start"), SPIPE, FAULT, IO]),
    call(
        "fd_sync",
        &[p32("fd", Fd)],
        "Waits until a file's data and metadata have reached storage.",
        imp!(fd::fd_sync),
    )
    .errors(&[BADF, NOTCAPABLE, fails("EINVAL", "fd is a standard stream, which has no storage to reach"), IO])
    .purpose(Purpose::Flush),
    call(
        "fd_tell",
        &[p32("fd", Fd), p32("offset", OutU64)],
        "Writes a file's current offset.",
        imp!(fd::fd_tell),
    )
    .errors(&[fails("EBADF", "fd is not open, or is a directory"), NOTCAPABLE, SPIPE, FAULT, IO]),
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
    )
    .errors(&[fails("EBADF", "fd is not open, or is standard input, or a directory"), NOTCAPABLE, FAULT, fails("EPIPE", "fd is a pipe nobody reads any more"), NOSPC, fails("EFBIG", "the write would pass the largest file size"), IO])
    .kills(&["it would take the guest's standard output and error past the run's output limit", WAIT_TIME_LIMIT])
    .purpose(Purpose::Write),
    call(
        "path_create_directory",
        &[
            p32("fd", Fd),
            p32("path", Str { len: 2 }),
            p32("path_len", Len),
        ],
        "Creates a directory at a path relative to a directory descriptor.",
        imp!(path::path_create_directory),
    )
    .errors(PATH_ERRORS_CREATE),
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
    )
    .errors(PATH_ERRORS_LOOKUP),
    call(
        "path_filestat_set_times",
        &[
            p32("fd", Fd),
            p32("flags", Flags(&LOOKUPFLAGS)),
            p32("path", Str { len: 3 }),
            p32("path_len", Len),
            p64("atim", Nanos).doc("the new access time, in nanoseconds since 1970, used when fst_flags has ATIM"),
            p64("mtim", Nanos).doc("the new modification time, in nanoseconds since 1970, used when fst_flags has MTIM"),
            p32("fst_flags", Flags(&FSTFLAGS)),
        ],
        "Sets the access and/or modification time of the file at a path.",
        imp!(path::path_filestat_set_times),
    )
    .errors(&[BADF, DIR_FD, NOTCAPABLE, FAULT, PATH_ILSEQ, PATH_NUL, PATH_NOENT, PATH_ESCAPE, ACCES, BAD_TIME_FLAGS, LOOP, NAMETOOLONG, IO]),
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
    )
    .errors(&[BADF, DIR_FD, NOTCAPABLE, FAULT, PATH_ILSEQ, fails("EINVAL", "a path contains a NUL byte, or old_flags has SYMLINK_FOLLOW: wasmhole does not link through symbolic links"), PATH_NOENT, EXIST, PATH_ESCAPE, ACCES, fails("EXDEV", "the two paths are on different filesystems"), fails("EMLINK", "the file has as many links as the host allows"), NAMETOOLONG, NOSPC, ROFS, IO]),
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
    )
    .errors(&[BADF, fails("ENOTDIR", "fd is not a directory, or DIRECTORY was asked for and the path is not one"), fails("ENOTCAPABLE", "fd lacks PATH_OPEN (PATH_CREATE_FILE with CREAT, PATH_FILESTAT_SET_SIZE with TRUNC)"), FAULT, PATH_ILSEQ, fails("EINVAL", "DIRECTORY with CREAT, EXCL or TRUNC, or a NUL byte in the path"), PATH_NOENT, fails("EEXIST", "CREAT and EXCL were asked for and the file exists"), fails("EISDIR", "the path is a directory and it was asked for writing, creating or truncating"), PATH_ESCAPE, ACCES, LOOP, fails("EMFILE", "the descriptor table is full"), NAMETOOLONG, NOSPC, ROFS, IO])
    .kills(&[WAIT_TIME_LIMIT])
    .purpose(Purpose::Open),
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
    )
    .errors(&[BADF, DIR_FD, NOTCAPABLE, FAULT, PATH_ILSEQ, fails("EINVAL", "the path is not a symbolic link, or contains a NUL byte"), PATH_NOENT, PATH_ESCAPE, ACCES, IO]),
    call(
        "path_remove_directory",
        &[
            p32("fd", Fd),
            p32("path", Str { len: 2 }),
            p32("path_len", Len),
        ],
        "Removes an empty directory.",
        imp!(path::path_remove_directory),
    )
    .errors(&[BADF, DIR_FD, NOTCAPABLE, FAULT, PATH_ILSEQ, PATH_NUL, PATH_NOENT, fails("ENOTDIR", "the path is not a directory"), fails("ENOTEMPTY", "the directory is not empty"), PATH_ESCAPE, ACCES, fails("EBUSY", "the directory is in use by the host"), ROFS, IO]),
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
    )
    .errors(&[BADF, DIR_FD, NOTCAPABLE, FAULT, PATH_ILSEQ, PATH_NUL, PATH_NOENT, fails("EISDIR", "new_path is a directory and old_path is not"), fails("ENOTEMPTY", "new_path is a directory that is not empty"), PATH_ESCAPE, ACCES, fails("EXDEV", "the two paths are on different filesystems"), fails("EINVAL", "a directory would be moved inside itself"), NAMETOOLONG, NOSPC, ROFS, IO]),
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
    )
    .errors(&[BADF, DIR_FD, NOTCAPABLE, FAULT, PATH_ILSEQ, PATH_NUL, PATH_NOENT, EXIST, fails("EPERM", "the link would be created outside the granted directory, or its target is an absolute path"), ACCES, NAMETOOLONG, NOSPC, ROFS, IO]),
    call(
        "path_unlink_file",
        &[
            p32("fd", Fd),
            p32("path", Str { len: 2 }),
            p32("path_len", Len),
        ],
        "Removes a file or symbolic link (not a directory).",
        imp!(path::path_unlink_file),
    )
    .errors(&[BADF, DIR_FD, NOTCAPABLE, FAULT, PATH_ILSEQ, PATH_NUL, PATH_NOENT, fails("EISDIR", "the path is a directory: use path_remove_directory"), PATH_ESCAPE, ACCES, ROFS, IO]),
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
    )
    .errors(&[
        fails(
            "EINVAL",
            "nsubscriptions is 0, or a subscription has an unknown type",
        ),
        FAULT,
    ])
    .kills(&["the run's time limit passes while the guest waits"])
    .purpose(Purpose::Sleep),
    CallSpec {
        abi: Abi::Wasi,
        name: "proc_exit",
        aliases: &[],
        params: &[p32("rval", Int).doc("the exit status: 0 for success, anything else for failure")],
        ret: Ret::Never,
        explain: "Ends the guest with an exit status: 0 for success. It never returns.",
        errors: &[],
        kills: &[],
        purpose: Some(Purpose::Exit),
        config_only: false,
        imp: env::proc_exit,
    },
    call(
        "proc_raise",
        &[p32("sig", Enum(&SIGNAL))],
        "Sends a signal to the guest itself. There are no signal handlers in WASI, so the host refuses with ENOSYS.",
        imp!(env::proc_raise),
    )
    .errors(&[fails("ENOSYS", "always: WASI has no signal handlers")]),
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
    )
    .errors(&[FAULT, fails("EIO", "the host's random source failed")])
    .purpose(Purpose::Random),
    call(
        "sched_yield",
        &[],
        "Lets other threads of the host run before the guest continues.",
        imp!(env::sched_yield),
    )
    .errors(&[]),
    call(
        "sock_accept",
        &[
            p32("fd", Fd),
            p32("flags", Flags(&FDFLAGS)),
            p32("ro_fd", OutFd),
        ],
        "Accepts a connection on a listening socket. Only sockets the host preopened could be used; on anything else it fails with ENOTSOCK.",
        imp!(sock::sock_accept),
    )
    .errors(SOCKET_ERRORS),
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
    )
    .errors(SOCKET_ERRORS),
    call(
        "sock_send",
        &[
            p32("fd", Fd),
            p32("si_data", IovsIn { count: 2 }),
            p32("si_data_len", Len),
            p32("si_flags", Int).doc("send flags; WASI defines none"),
            p32("so_datalen", OutU32),
        ],
        "Sends a list of buffers on a socket.",
        imp!(sock::sock_send),
    )
    .errors(SOCKET_ERRORS),
    call(
        "sock_shutdown",
        &[p32("fd", Fd), p32("how", Flags(&SDFLAGS))],
        "Shuts down the reading and/or writing side of a socket.",
        imp!(sock::sock_shutdown),
    )
    .errors(SOCKET_ERRORS),
];

/// Lays out the table WASI guests expect: 0, 1, 2 the standard streams, then
/// one descriptor per granted directory, in the order granted.
pub(crate) fn setup_descriptors(process: &mut Process) {
    let stdin = process.std_input();
    let stdout = process.std_output(StdStream::Stdout);
    let stderr = process.std_output(StdStream::Stderr);
    let handles = [
        (Handle::Input(stdin), "stdin", RIGHTS_STDIN),
        (
            Handle::Output(stdout, StdStream::Stdout),
            "stdout",
            RIGHTS_STDOUT,
        ),
        (
            Handle::Output(stderr, StdStream::Stderr),
            "stderr",
            RIGHTS_STDOUT,
        ),
    ];
    for (handle, name, base) in handles {
        let _ = process.fds.insert(Descriptor {
            handle,
            name: name.into(),
            rights: Rights {
                base,
                inheriting: base,
            },
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
/// A descriptor's rights by name (`FD_READ|FD_WRITE`), `-` for none (the
/// stream ABIs' descriptors have none).
pub fn rights_text(rights: u64) -> String {
    match rights {
        0 => "-".into(),
        r => types::RIGHTS.flags_text(r),
    }
}

/// A descriptor's flags by name (`APPEND|NONBLOCK`, `0` for none).
pub fn fdflags_text(flags: u16) -> String {
    types::FDFLAGS.flags_text(flags as u64)
}
