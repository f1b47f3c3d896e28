//! WASI preview 1 constants and struct layouts, with names for every value so
//! traces and the workbench can show them.

use crate::abis::call::{FieldShow, Names, StructSpec};

macro_rules! consts {
    ($($name:ident = $v:expr;)*) => { $(#[allow(missing_docs)] pub const $name: u64 = $v;)* };
}

/// `errno`: what each failure is called and means.
pub static ERRNO: Names = Names {
    name: "errno",
    values: &[
        (0, "SUCCESS", "No error"),
        (1, "E2BIG", "Argument list too long"),
        (2, "EACCES", "Permission denied"),
        (3, "EADDRINUSE", "Address in use"),
        (4, "EADDRNOTAVAIL", "Address not available"),
        (5, "EAFNOSUPPORT", "Address family not supported"),
        (6, "EAGAIN", "Resource unavailable, try again"),
        (7, "EALREADY", "Connection already in progress"),
        (8, "EBADF", "Bad file descriptor"),
        (9, "EBADMSG", "Bad message"),
        (10, "EBUSY", "Device or resource busy"),
        (11, "ECANCELED", "Operation canceled"),
        (12, "ECHILD", "No child processes"),
        (13, "ECONNABORTED", "Connection aborted"),
        (14, "ECONNREFUSED", "Connection refused"),
        (15, "ECONNRESET", "Connection reset"),
        (16, "EDEADLK", "Resource deadlock would occur"),
        (17, "EDESTADDRREQ", "Destination address required"),
        (18, "EDOM", "Mathematics argument out of domain"),
        (19, "EDQUOT", "Reserved"),
        (20, "EEXIST", "File exists"),
        (21, "EFAULT", "Bad address"),
        (22, "EFBIG", "File too large"),
        (23, "EHOSTUNREACH", "Host is unreachable"),
        (24, "EIDRM", "Identifier removed"),
        (25, "EILSEQ", "Illegal byte sequence"),
        (26, "EINPROGRESS", "Operation in progress"),
        (27, "EINTR", "Interrupted function"),
        (28, "EINVAL", "Invalid argument"),
        (29, "EIO", "I/O error"),
        (30, "EISCONN", "Socket is connected"),
        (31, "EISDIR", "Is a directory"),
        (32, "ELOOP", "Too many levels of symbolic links"),
        (33, "EMFILE", "File descriptor value too large"),
        (34, "EMLINK", "Too many links"),
        (35, "EMSGSIZE", "Message too large"),
        (36, "EMULTIHOP", "Reserved"),
        (37, "ENAMETOOLONG", "Filename too long"),
        (38, "ENETDOWN", "Network is down"),
        (39, "ENETRESET", "Connection aborted by network"),
        (40, "ENETUNREACH", "Network unreachable"),
        (41, "ENFILE", "Too many files open in system"),
        (42, "ENOBUFS", "No buffer space available"),
        (43, "ENODEV", "No such device"),
        (44, "ENOENT", "No such file or directory"),
        (45, "ENOEXEC", "Executable file format error"),
        (46, "ENOLCK", "No locks available"),
        (47, "ENOLINK", "Reserved"),
        (48, "ENOMEM", "Not enough space"),
        (49, "ENOMSG", "No message of the desired type"),
        (50, "ENOPROTOOPT", "Protocol not available"),
        (51, "ENOSPC", "No space left on device"),
        (52, "ENOSYS", "Function not supported"),
        (53, "ENOTCONN", "The socket is not connected"),
        (
            54,
            "ENOTDIR",
            "Not a directory or a symbolic link to a directory",
        ),
        (55, "ENOTEMPTY", "Directory not empty"),
        (56, "ENOTRECOVERABLE", "State not recoverable"),
        (57, "ENOTSOCK", "Not a socket"),
        (58, "ENOTSUP", "Not supported"),
        (59, "ENOTTY", "Inappropriate I/O control operation"),
        (60, "ENXIO", "No such device or address"),
        (61, "EOVERFLOW", "Value too large to be stored in data type"),
        (62, "EOWNERDEAD", "Previous owner died"),
        (63, "EPERM", "Operation not permitted"),
        (64, "EPIPE", "Broken pipe"),
        (65, "EPROTO", "Protocol error"),
        (66, "EPROTONOSUPPORT", "Protocol not supported"),
        (67, "EPROTOTYPE", "Protocol wrong type for socket"),
        (68, "ERANGE", "Result too large"),
        (69, "EROFS", "Read-only file system"),
        (70, "ESPIPE", "Invalid seek"),
        (71, "ESRCH", "No such process"),
        (72, "ESTALE", "Reserved"),
        (73, "ETIMEDOUT", "Connection timed out"),
        (74, "ETXTBSY", "Text file busy"),
        (75, "EXDEV", "Cross-device link"),
        (76, "ENOTCAPABLE", "Capabilities insufficient"),
    ],
};

/// An errno value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Errno(pub u16);

#[allow(missing_docs)]
impl Errno {
    pub const TOOBIG: Errno = Errno(1);
    pub const ACCES: Errno = Errno(2);
    pub const AGAIN: Errno = Errno(6);
    pub const BADF: Errno = Errno(8);
    pub const EXIST: Errno = Errno(20);
    pub const FAULT: Errno = Errno(21);
    pub const FBIG: Errno = Errno(22);
    pub const ILSEQ: Errno = Errno(25);
    pub const INVAL: Errno = Errno(28);
    pub const IO: Errno = Errno(29);
    pub const ISDIR: Errno = Errno(31);
    pub const LOOP: Errno = Errno(32);
    pub const MFILE: Errno = Errno(33);
    pub const NAMETOOLONG: Errno = Errno(37);
    pub const NOENT: Errno = Errno(44);
    pub const NOMEM: Errno = Errno(48);
    pub const NOSYS: Errno = Errno(52);
    pub const NOTDIR: Errno = Errno(54);
    pub const NOTEMPTY: Errno = Errno(55);
    pub const NOTSOCK: Errno = Errno(57);
    pub const NOTSUP: Errno = Errno(58);
    pub const OVERFLOW: Errno = Errno(61);
    pub const PERM: Errno = Errno(63);
    pub const SPIPE: Errno = Errno(70);
    pub const XDEV: Errno = Errno(75);
    pub const NOTCAPABLE: Errno = Errno(76);
}

/// `rights`: what a descriptor may be used for.
pub static RIGHTS: Names = Names {
    name: "rights",
    values: &[
        (1 << 0, "FD_DATASYNC", "fd_datasync"),
        (1 << 1, "FD_READ", "fd_read, fd_pread"),
        (1 << 2, "FD_SEEK", "fd_seek (implies FD_TELL)"),
        (1 << 3, "FD_FDSTAT_SET_FLAGS", "fd_fdstat_set_flags"),
        (1 << 4, "FD_SYNC", "fd_sync"),
        (1 << 5, "FD_TELL", "fd_tell, or fd_seek that does not move"),
        (1 << 6, "FD_WRITE", "fd_write, fd_pwrite"),
        (1 << 7, "FD_ADVISE", "fd_advise"),
        (1 << 8, "FD_ALLOCATE", "fd_allocate"),
        (1 << 9, "PATH_CREATE_DIRECTORY", "path_create_directory"),
        (1 << 10, "PATH_CREATE_FILE", "path_open with CREAT"),
        (1 << 11, "PATH_LINK_SOURCE", "path_link source"),
        (1 << 12, "PATH_LINK_TARGET", "path_link target"),
        (1 << 13, "PATH_OPEN", "path_open"),
        (1 << 14, "FD_READDIR", "fd_readdir"),
        (1 << 15, "PATH_READLINK", "path_readlink"),
        (1 << 16, "PATH_RENAME_SOURCE", "path_rename source"),
        (1 << 17, "PATH_RENAME_TARGET", "path_rename target"),
        (1 << 18, "PATH_FILESTAT_GET", "path_filestat_get"),
        (1 << 19, "PATH_FILESTAT_SET_SIZE", "path_open with TRUNC"),
        (
            1 << 20,
            "PATH_FILESTAT_SET_TIMES",
            "path_filestat_set_times",
        ),
        (1 << 21, "FD_FILESTAT_GET", "fd_filestat_get"),
        (1 << 22, "FD_FILESTAT_SET_SIZE", "fd_filestat_set_size"),
        (1 << 23, "FD_FILESTAT_SET_TIMES", "fd_filestat_set_times"),
        (1 << 24, "PATH_SYMLINK", "path_symlink"),
        (1 << 25, "PATH_REMOVE_DIRECTORY", "path_remove_directory"),
        (1 << 26, "PATH_UNLINK_FILE", "path_unlink_file"),
        (
            1 << 27,
            "POLL_FD_READWRITE",
            "poll_oneoff on this descriptor",
        ),
        (1 << 28, "SOCK_SHUTDOWN", "sock_shutdown"),
        (1 << 29, "SOCK_ACCEPT", "sock_accept"),
    ],
};

consts! {
    RIGHT_FD_DATASYNC = 1 << 0; RIGHT_FD_READ = 1 << 1; RIGHT_FD_SEEK = 1 << 2;
    RIGHT_FD_FDSTAT_SET_FLAGS = 1 << 3; RIGHT_FD_SYNC = 1 << 4; RIGHT_FD_TELL = 1 << 5;
    RIGHT_FD_WRITE = 1 << 6; RIGHT_FD_ADVISE = 1 << 7; RIGHT_FD_ALLOCATE = 1 << 8;
    RIGHT_PATH_CREATE_DIRECTORY = 1 << 9; RIGHT_PATH_CREATE_FILE = 1 << 10;
    RIGHT_PATH_LINK_SOURCE = 1 << 11; RIGHT_PATH_LINK_TARGET = 1 << 12; RIGHT_PATH_OPEN = 1 << 13;
    RIGHT_FD_READDIR = 1 << 14; RIGHT_PATH_READLINK = 1 << 15; RIGHT_PATH_RENAME_SOURCE = 1 << 16;
    RIGHT_PATH_RENAME_TARGET = 1 << 17; RIGHT_PATH_FILESTAT_GET = 1 << 18;
    RIGHT_PATH_FILESTAT_SET_SIZE = 1 << 19; RIGHT_PATH_FILESTAT_SET_TIMES = 1 << 20;
    RIGHT_FD_FILESTAT_GET = 1 << 21; RIGHT_FD_FILESTAT_SET_SIZE = 1 << 22;
    RIGHT_FD_FILESTAT_SET_TIMES = 1 << 23; RIGHT_PATH_SYMLINK = 1 << 24;
    RIGHT_PATH_REMOVE_DIRECTORY = 1 << 25; RIGHT_PATH_UNLINK_FILE = 1 << 26;
    RIGHT_POLL_FD_READWRITE = 1 << 27; RIGHT_SOCK_SHUTDOWN = 1 << 28; RIGHT_SOCK_ACCEPT = 1 << 29;
}

/// Every right.
pub const RIGHTS_ALL: u64 = (1 << 30) - 1;
/// Rights that make sense on a regular file.
pub const RIGHTS_FILE: u64 = RIGHT_FD_DATASYNC
    | RIGHT_FD_READ
    | RIGHT_FD_SEEK
    | RIGHT_FD_FDSTAT_SET_FLAGS
    | RIGHT_FD_SYNC
    | RIGHT_FD_TELL
    | RIGHT_FD_WRITE
    | RIGHT_FD_ADVISE
    | RIGHT_FD_ALLOCATE
    | RIGHT_FD_FILESTAT_GET
    | RIGHT_FD_FILESTAT_SET_SIZE
    | RIGHT_FD_FILESTAT_SET_TIMES
    | RIGHT_POLL_FD_READWRITE;
/// Rights that make sense on a directory.
pub const RIGHTS_DIR: u64 = RIGHT_FD_FDSTAT_SET_FLAGS
    | RIGHT_FD_SYNC
    | RIGHT_FD_ADVISE
    | RIGHT_PATH_CREATE_DIRECTORY
    | RIGHT_PATH_CREATE_FILE
    | RIGHT_PATH_LINK_SOURCE
    | RIGHT_PATH_LINK_TARGET
    | RIGHT_PATH_OPEN
    | RIGHT_FD_READDIR
    | RIGHT_PATH_READLINK
    | RIGHT_PATH_RENAME_SOURCE
    | RIGHT_PATH_RENAME_TARGET
    | RIGHT_PATH_FILESTAT_GET
    | RIGHT_PATH_FILESTAT_SET_SIZE
    | RIGHT_PATH_FILESTAT_SET_TIMES
    | RIGHT_FD_FILESTAT_GET
    | RIGHT_FD_FILESTAT_SET_TIMES
    | RIGHT_PATH_SYMLINK
    | RIGHT_PATH_REMOVE_DIRECTORY
    | RIGHT_PATH_UNLINK_FILE
    | RIGHT_POLL_FD_READWRITE;
/// What every standard stream can do besides reading or writing: its flags
/// may be set, it can be described, and it can be polled. None of them
/// seeks or tells: wasi-libc's `isatty()` needs that of a terminal.
const STDIO_COMMON: u64 =
    RIGHT_FD_FDSTAT_SET_FLAGS | RIGHT_FD_FILESTAT_GET | RIGHT_POLL_FD_READWRITE;
/// What standard input can do: be read, never written.
pub const STDIN_CAN: u64 = RIGHT_FD_READ | STDIO_COMMON;
/// What standard output and error can do: be written, never read.
pub const STDOUT_CAN: u64 = RIGHT_FD_WRITE | STDIO_COMMON;
/// The rights standard input reports, as wasmtime reports them: FD_READ
/// alone, base and inheriting (wasi-libc's `fcntl(0, F_GETFL)` then says
/// `O_RDONLY`). The rest of what it can do ([`STDIN_CAN`]) is not checked
/// against them.
pub const RIGHTS_STDIN: u64 = RIGHT_FD_READ;
/// The rights standard output and error report: FD_WRITE alone (`O_WRONLY`).
pub const RIGHTS_STDOUT: u64 = RIGHT_FD_WRITE;

/// `filetype`.
pub static FILETYPE: Names = Names {
    name: "filetype",
    values: &[
        (0, "UNKNOWN", "unknown"),
        (1, "BLOCK_DEVICE", "block device"),
        (2, "CHARACTER_DEVICE", "character device"),
        (3, "DIRECTORY", "directory"),
        (4, "REGULAR_FILE", "regular file"),
        (5, "SOCKET_DGRAM", "datagram socket"),
        (6, "SOCKET_STREAM", "stream socket"),
        (7, "SYMBOLIC_LINK", "symbolic link"),
    ],
};
consts! {
    FILETYPE_UNKNOWN = 0; FILETYPE_BLOCK_DEVICE = 1; FILETYPE_CHARACTER_DEVICE = 2;
    FILETYPE_DIRECTORY = 3; FILETYPE_REGULAR_FILE = 4; FILETYPE_SOCKET_DGRAM = 5;
    FILETYPE_SOCKET_STREAM = 6; FILETYPE_SYMBOLIC_LINK = 7;
}

/// `fdflags`.
pub static FDFLAGS: Names = Names {
    name: "fdflags",
    values: &[
        (1, "APPEND", "writes go to the end"),
        (2, "DSYNC", "writes wait for data to reach storage"),
        (4, "NONBLOCK", "operations do not block"),
        (8, "RSYNC", "reads wait for pending writes"),
        (
            16,
            "SYNC",
            "writes wait for data and metadata to reach storage",
        ),
    ],
};
consts! { FDFLAGS_APPEND = 1; FDFLAGS_DSYNC = 2; FDFLAGS_NONBLOCK = 4; FDFLAGS_RSYNC = 8; FDFLAGS_SYNC = 16; }

/// `oflags`.
pub static OFLAGS: Names = Names {
    name: "oflags",
    values: &[
        (1, "CREAT", "create the file if missing"),
        (2, "DIRECTORY", "fail unless a directory"),
        (4, "EXCL", "fail if it exists"),
        (8, "TRUNC", "truncate to size 0"),
    ],
};
consts! { OFLAGS_CREAT = 1; OFLAGS_DIRECTORY = 2; OFLAGS_EXCL = 4; OFLAGS_TRUNC = 8; }

/// `lookupflags`.
pub static LOOKUPFLAGS: Names = Names {
    name: "lookupflags",
    values: &[(1, "SYMLINK_FOLLOW", "follow a final symbolic link")],
};
consts! { LOOKUP_SYMLINK_FOLLOW = 1; }

/// `fstflags`.
pub static FSTFLAGS: Names = Names {
    name: "fstflags",
    values: &[
        (1, "ATIM", "set access time to the given value"),
        (2, "ATIM_NOW", "set access time to now"),
        (4, "MTIM", "set modification time to the given value"),
        (8, "MTIM_NOW", "set modification time to now"),
    ],
};
consts! { FSTFLAGS_ATIM = 1; FSTFLAGS_ATIM_NOW = 2; FSTFLAGS_MTIM = 4; FSTFLAGS_MTIM_NOW = 8; }

/// `whence`.
pub static WHENCE: Names = Names {
    name: "whence",
    values: &[
        (0, "SET", "from the start"),
        (1, "CUR", "from the current offset"),
        (2, "END", "from the end"),
    ],
};

/// `clockid`.
pub static CLOCKID: Names = Names {
    name: "clockid",
    values: &[
        (0, "REALTIME", "wall-clock time since 1970"),
        (1, "MONOTONIC", "time that only moves forward"),
        (2, "PROCESS_CPUTIME_ID", "CPU time of the process"),
        (3, "THREAD_CPUTIME_ID", "CPU time of the thread"),
    ],
};

/// `advice`.
pub static ADVICE: Names = Names {
    name: "advice",
    values: &[
        (0, "NORMAL", ""),
        (1, "SEQUENTIAL", ""),
        (2, "RANDOM", ""),
        (3, "WILLNEED", ""),
        (4, "DONTNEED", ""),
        (5, "NOREUSE", ""),
    ],
};

/// `signal`.
pub static SIGNAL: Names = Names {
    name: "signal",
    values: &[
        (0, "NONE", ""),
        (1, "HUP", ""),
        (2, "INT", ""),
        (3, "QUIT", ""),
        (4, "ILL", ""),
        (5, "TRAP", ""),
        (6, "ABRT", ""),
        (7, "BUS", ""),
        (8, "FPE", ""),
        (9, "KILL", ""),
        (10, "USR1", ""),
        (11, "SEGV", ""),
        (12, "USR2", ""),
        (13, "PIPE", ""),
        (14, "ALRM", ""),
        (15, "TERM", ""),
        (16, "CHLD", ""),
        (17, "CONT", ""),
        (18, "STOP", ""),
        (19, "TSTP", ""),
        (20, "TTIN", ""),
        (21, "TTOU", ""),
        (22, "URG", ""),
        (23, "XCPU", ""),
        (24, "XFSZ", ""),
        (25, "VTALRM", ""),
        (26, "PROF", ""),
        (27, "WINCH", ""),
        (28, "POLL", ""),
        (29, "PWR", ""),
        (30, "SYS", ""),
    ],
};

/// `riflags` (sock_recv).
pub static RIFLAGS: Names = Names {
    name: "riflags",
    values: &[(1, "RECV_PEEK", ""), (2, "RECV_WAITALL", "")],
};
/// `sdflags` (sock_shutdown).
pub static SDFLAGS: Names = Names {
    name: "sdflags",
    values: &[
        (1, "RD", "shut down reading"),
        (2, "WR", "shut down writing"),
    ],
};
/// `eventtype`.
pub static EVENTTYPE: Names = Names {
    name: "eventtype",
    values: &[(0, "CLOCK", ""), (1, "FD_READ", ""), (2, "FD_WRITE", "")],
};
/// `subclockflags`.
pub static SUBCLOCKFLAGS: Names = Names {
    name: "subclockflags",
    values: &[(1, "ABSTIME", "the timeout is an absolute time")],
};
/// `eventrwflags`.
pub static EVENTRWFLAGS: Names = Names {
    name: "eventrwflags",
    values: &[(1, "FD_READWRITE_HANGUP", "the peer hung up")],
};
/// `preopentype`.
pub static PREOPENTYPE: Names = Names {
    name: "preopentype",
    values: &[(0, "DIR", "a preopened directory")],
};

/// `fdstat`.
pub static FDSTAT: StructSpec = StructSpec {
    name: "fdstat",
    size: 24,
    fields: &[
        ("fs_filetype", 0, 1, FieldShow::Enum(&FILETYPE)),
        ("fs_flags", 2, 2, FieldShow::Flags(&FDFLAGS)),
        ("fs_rights_base", 8, 8, FieldShow::Flags(&RIGHTS)),
        ("fs_rights_inheriting", 16, 8, FieldShow::Flags(&RIGHTS)),
    ],
};

/// `filestat`.
pub static FILESTAT: StructSpec = StructSpec {
    name: "filestat",
    size: 64,
    fields: &[
        ("dev", 0, 8, FieldShow::Int),
        ("ino", 8, 8, FieldShow::Int),
        ("filetype", 16, 1, FieldShow::Enum(&FILETYPE)),
        ("nlink", 24, 8, FieldShow::Int),
        ("size", 32, 8, FieldShow::Int),
        ("atim", 40, 8, FieldShow::Int),
        ("mtim", 48, 8, FieldShow::Int),
        ("ctim", 56, 8, FieldShow::Int),
    ],
};

/// `prestat`.
pub static PRESTAT: StructSpec = StructSpec {
    name: "prestat",
    size: 8,
    fields: &[
        ("tag", 0, 1, FieldShow::Enum(&PREOPENTYPE)),
        ("pr_name_len", 4, 4, FieldShow::Int),
    ],
};

/// `subscription`.
pub static SUBSCRIPTION: StructSpec = StructSpec {
    name: "subscription",
    size: 48,
    fields: &[
        ("userdata", 0, 8, FieldShow::Int),
        ("type", 8, 1, FieldShow::Enum(&EVENTTYPE)),
        ("clock_id_or_fd", 16, 4, FieldShow::Int),
        ("timeout", 24, 8, FieldShow::Int),
        ("precision", 32, 8, FieldShow::Int),
        ("flags", 40, 2, FieldShow::Flags(&SUBCLOCKFLAGS)),
    ],
};

/// `event`.
pub static EVENT: StructSpec = StructSpec {
    name: "event",
    size: 32,
    fields: &[
        ("userdata", 0, 8, FieldShow::Int),
        ("error", 8, 2, FieldShow::Enum(&ERRNO)),
        ("type", 10, 1, FieldShow::Enum(&EVENTTYPE)),
        ("nbytes", 16, 8, FieldShow::Int),
        ("flags", 24, 2, FieldShow::Flags(&EVENTRWFLAGS)),
    ],
};
