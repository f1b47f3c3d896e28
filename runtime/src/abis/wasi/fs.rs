//! Shared pieces of the WASI filesystem calls: errno from host errors,
//! descriptor lookup with rights checks, filestat encoding, path checks.

use super::types::*;
use crate::sandbox::fdtable::{Descriptor, Handle};
use crate::sandbox::guest_memory::GuestMemory;
use crate::sandbox::process::Process;
use cap_fs_ext::OsMetadataExt;
use std::io;

/// The WASI errno for a host I/O error.
pub(crate) fn errno_of(e: &io::Error) -> Errno {
    use rustix::io::Errno as E;
    if let Some(os) = rustix::io::Errno::from_io_error(e) {
        return match os {
            E::PERM => Errno::PERM,
            E::NOENT => Errno::NOENT,
            E::BADF => Errno::BADF,
            E::ACCESS => Errno::ACCES,
            E::EXIST => Errno::EXIST,
            E::XDEV => Errno::XDEV,
            E::NOTDIR => Errno::NOTDIR,
            E::ISDIR => Errno::ISDIR,
            E::INVAL => Errno::INVAL,
            E::MFILE | E::NFILE => Errno::MFILE,
            E::FBIG => Errno::FBIG,
            E::NOSPC => Errno(51),
            E::SPIPE => Errno::SPIPE,
            E::ROFS => Errno(69),
            E::MLINK => Errno(34),
            E::PIPE => Errno(64),
            E::NAMETOOLONG => Errno::NAMETOOLONG,
            E::NOTEMPTY => Errno::NOTEMPTY,
            E::LOOP => Errno::LOOP,
            E::AGAIN => Errno::AGAIN,
            E::NOSYS => Errno::NOSYS,
            E::OPNOTSUPP => Errno::NOTSUP,
            E::OVERFLOW => Errno::OVERFLOW,
            E::BUSY => Errno(10),
            E::INTR => Errno(27),
            E::IO => Errno::IO,
            E::NOMEM => Errno::NOMEM,
            E::TXTBSY => Errno(74),
            E::NOTTY => Errno(59),
            E::NXIO => Errno(60),
            E::NODEV => Errno(43),
            E::DQUOT => Errno(19),
            E::ILSEQ => Errno::ILSEQ,
            E::NOTSOCK => Errno::NOTSOCK,
            E::RANGE => Errno(68),
            _ => Errno::IO,
        };
    }
    match e.kind() {
        io::ErrorKind::NotFound => Errno::NOENT,
        // cap-std refuses paths that would leave the granted directory.
        io::ErrorKind::PermissionDenied => Errno::PERM,
        io::ErrorKind::AlreadyExists => Errno::EXIST,
        io::ErrorKind::InvalidInput => Errno::INVAL,
        io::ErrorKind::Unsupported => Errno::NOTSUP,
        io::ErrorKind::NotADirectory => Errno::NOTDIR,
        io::ErrorKind::IsADirectory => Errno::ISDIR,
        io::ErrorKind::DirectoryNotEmpty => Errno::NOTEMPTY,
        io::ErrorKind::InvalidFilename => Errno::INVAL,
        _ => Errno::IO,
    }
}

/// The descriptor `fd`, which must have every right in `need`.
pub(crate) fn desc(process: &mut Process, fd: u64, need: u64) -> Result<&mut Descriptor, Errno> {
    let d = process.fds.get_mut(fd as u32).ok_or(Errno::BADF)?;
    check_rights(d, need)?;
    Ok(d)
}

/// What a descriptor of this kind can do, and the rights it reports when
/// nothing was given up.
fn kind_rights(handle: &Handle) -> (u64, u64) {
    match handle {
        Handle::Dir(_) => (RIGHTS_DIR, RIGHTS_DIR),
        Handle::File(_) => (RIGHTS_FILE, RIGHTS_FILE),
        Handle::Input(_) => (STDIN_CAN, RIGHTS_STDIN),
        Handle::Output(..) => (STDOUT_CAN, RIGHTS_STDOUT),
        Handle::Stream(_) => (RIGHTS_ALL, RIGHTS_ALL),
    }
}

/// Whether descriptor `d` may do what needs `need`: what its kind can
/// never do (reading a directory, listing a file, writing standard input)
/// is EBADF, as wasmtime and the host answer it; a right it reported and
/// gave up (`fd_fdstat_set_rights`, or fewer asked at `path_open`) is
/// ENOTCAPABLE. Standard streams report only FD_READ or FD_WRITE, as under
/// wasmtime, yet may do the rest of what their kind can.
pub(crate) fn check_rights(d: &Descriptor, need: u64) -> Result<(), Errno> {
    let missing = need & !d.rights.base;
    if missing == 0 {
        return Ok(());
    }
    let (can, reported) = kind_rights(&d.handle);
    if missing & !can != 0 {
        return Err(Errno::BADF);
    }
    if missing & reported != 0 {
        return Err(Errno::NOTCAPABLE);
    }
    Ok(())
}

/// The WASI filetype of host metadata.
pub(crate) fn filetype_of(ft: cap_std::fs::FileType) -> u8 {
    use cap_fs_ext::FileTypeExt;
    (if ft.is_dir() {
        FILETYPE_DIRECTORY
    } else if ft.is_symlink() {
        FILETYPE_SYMBOLIC_LINK
    } else if ft.is_file() {
        FILETYPE_REGULAR_FILE
    } else if ft.is_block_device() {
        FILETYPE_BLOCK_DEVICE
    } else if ft.is_char_device() {
        FILETYPE_CHARACTER_DEVICE
    } else if ft.is_socket() {
        FILETYPE_SOCKET_STREAM
    } else {
        FILETYPE_UNKNOWN
    }) as u8
}

fn ns(secs: i64, nsec: i64) -> u64 {
    (secs as i128 * 1_000_000_000 + nsec as i128).max(0) as u64
}

/// Encodes a filestat (64 bytes) from host metadata.
pub(crate) fn filestat_bytes(m: &cap_std::fs::Metadata) -> [u8; 64] {
    let mut b = [0u8; 64];
    b[0..8].copy_from_slice(&m.dev().to_le_bytes());
    b[8..16].copy_from_slice(&m.ino().to_le_bytes());
    b[16] = filetype_of(m.file_type());
    b[24..32].copy_from_slice(&m.nlink().to_le_bytes());
    b[32..40].copy_from_slice(&m.len().to_le_bytes());
    b[40..48].copy_from_slice(&ns(m.atime(), m.atime_nsec()).to_le_bytes());
    b[48..56].copy_from_slice(&ns(m.mtime(), m.mtime_nsec()).to_le_bytes());
    b[56..64].copy_from_slice(&ns(m.ctime(), m.ctime_nsec()).to_le_bytes());
    b
}

/// A filestat for a stream: its filetype, and zeros for everything a
/// stream does not have (device, inode, links, size, times), as wasmtime
/// reports the standard streams.
pub(crate) fn stream_filestat(h: &Handle) -> [u8; 64] {
    let mut b = [0u8; 64];
    b[16] = filetype_of_handle(h);
    b
}

/// The WASI filetype of an open descriptor. A standard stream is a
/// character device when it is a terminal on the host, and UNKNOWN
/// otherwise (a pipe, a file, /dev/null, a buffer), as `wasmtime run`
/// reports it: wasi-libc's `isatty()` is true exactly for character devices.
pub(crate) fn filetype_of_handle(h: &Handle) -> u8 {
    let terminal = |yes: bool| {
        if yes {
            FILETYPE_CHARACTER_DEVICE as u8
        } else {
            FILETYPE_UNKNOWN as u8
        }
    };
    match h {
        Handle::Input(input) => terminal(input.is_terminal()),
        Handle::Output(output, _) => terminal(output.is_terminal()),
        Handle::Stream(_) => FILETYPE_CHARACTER_DEVICE as u8,
        Handle::Dir(_) => FILETYPE_DIRECTORY as u8,
        Handle::File(f) => f
            .metadata()
            .map(|m| filetype_of(m.file_type()))
            .unwrap_or(FILETYPE_REGULAR_FILE as u8),
    }
}

/// Reads a guest path: it must be in bounds and UTF-8, and must not contain NUL.
pub(crate) fn read_path(mem: &mut GuestMemory, ptr: u64, len: u64) -> Result<String, Errno> {
    let s = mem
        .read_str(ptr as u32, len as u32)
        .map_err(|_| Errno::FAULT)?
        .map_err(|_| Errno::ILSEQ)?;
    if s.contains('\0') {
        return Err(Errno::INVAL);
    }
    Ok(s.to_string())
}

/// Converts WASI time arguments and flags into cap-std's time specs.
pub(crate) fn time_specs(
    atim: u64,
    mtim: u64,
    flags: u64,
) -> Result<
    (
        Option<cap_fs_ext::SystemTimeSpec>,
        Option<cap_fs_ext::SystemTimeSpec>,
    ),
    Errno,
> {
    use cap_fs_ext::SystemTimeSpec;
    if flags & !(FSTFLAGS_ATIM | FSTFLAGS_ATIM_NOW | FSTFLAGS_MTIM | FSTFLAGS_MTIM_NOW) != 0 {
        return Err(Errno::INVAL);
    }
    let pick = |set: u64, now: u64, value: u64| -> Result<Option<SystemTimeSpec>, Errno> {
        match (flags & set != 0, flags & now != 0) {
            (true, true) => Err(Errno::INVAL),
            (true, false) => Ok(Some(SystemTimeSpec::Absolute(
                cap_std::time::SystemTime::from_std(
                    std::time::UNIX_EPOCH + std::time::Duration::from_nanos(value),
                ),
            ))),
            (false, true) => Ok(Some(SystemTimeSpec::SymbolicNow)),
            (false, false) => Ok(None),
        }
    };
    Ok((
        pick(FSTFLAGS_ATIM, FSTFLAGS_ATIM_NOW, atim)?,
        pick(FSTFLAGS_MTIM, FSTFLAGS_MTIM_NOW, mtim)?,
    ))
}
