//! WASI calls on open descriptors: reading, writing, seeking, stat, flags,
//! rights, preopens, directory listing, renumbering and closing.

use super::fs::{self, desc};
use super::types::*;
use super::{Cx, Fail, WasiResult};
use crate::abis::call::CallContext;
use crate::sandbox::blocking;
use crate::sandbox::fdtable::Handle;
use crate::sandbox::guest_memory::GuestMemory;
use crate::sandbox::process::Process;
use cap_std::fs::FileExt as _;
use std::io::{Seek, SeekFrom};

/// Reads into the guest's iovecs with `read(buf, bytes_so_far)`, stopping at
/// the first short read. Every iovec is checked before anything is read.
fn read_into_iovecs(
    mem: &mut GuestMemory,
    iovs: u64,
    count: u64,
    mut read: impl FnMut(&mut [u8], u64) -> std::io::Result<usize>,
) -> Result<u32, Fail> {
    let (iovs, count) = (iovs as u32, count as u32);
    mem.check_iovecs(iovs, count)?;
    let mut total: u32 = 0;
    for i in 0..count {
        let (p, l) = mem.iovec(iovs, i)?;
        // The count is reported in 32 bits: never read more than it can say.
        let l = l.min(u32::MAX - total);
        if l == 0 {
            break;
        }
        let buf = mem.buffer_mut(p, l)?;
        let n = read(buf, total as u64)?;
        mem.note_write(p, n as u32);
        total += n as u32;
        if n < l as usize {
            break;
        }
    }
    Ok(total)
}

/// How many bytes a write through these iovecs takes: their total, but at
/// most `u32::MAX`, the most a 32-bit count can report.
fn iovecs_write_len(mem: &GuestMemory, iovs: u64, count: u64) -> Result<u32, Fail> {
    let total = mem.check_iovecs(iovs as u32, count as u32)?;
    Ok(total.min(u32::MAX as u64) as u32)
}

/// Hands each of the guest's iovec buffers to `write`, after checking them
/// all; stops after `u32::MAX` bytes, so the count reported is the count
/// written.
fn write_from_iovecs(
    mem: &mut GuestMemory,
    iovs: u64,
    count: u64,
    mut write: impl FnMut(&[u8]) -> std::io::Result<()>,
) -> Result<u32, Fail> {
    let total = iovecs_write_len(mem, iovs, count)?;
    let mut left = total;
    for i in 0..count as u32 {
        let (p, l) = mem.iovec(iovs as u32, i)?;
        let l = l.min(left);
        if l == 0 {
            continue;
        }
        write(mem.read(p, l)?)?;
        left -= l;
    }
    Ok(total)
}

/// Reading standard output or writing standard input is EBADF, as for a
/// host descriptor opened the other way (and as under wasmtime), rather
/// than a missing right.
fn refuse_wrong_direction(process: &Process, fd: u64, reading: bool) -> Result<(), Errno> {
    match process.fds.get(fd as u32).map(|d| &d.handle) {
        Some(Handle::Output(..)) if reading => Err(Errno::BADF),
        Some(Handle::Input(_)) if !reading => Err(Errno::BADF),
        _ => Ok(()),
    }
}

/// Writes the guest's iovec buffers with `write`, which may take less than
/// it is given (a non-blocking file); stops at the first short write and
/// returns the count written.
fn write_some_from_iovecs(
    mem: &mut GuestMemory,
    iovs: u64,
    count: u64,
    mut write: impl FnMut(&[u8]) -> std::io::Result<usize>,
) -> Result<u32, Fail> {
    let mut left = iovecs_write_len(mem, iovs, count)?;
    let mut done = 0u32;
    for i in 0..count as u32 {
        let (p, l) = mem.iovec(iovs as u32, i)?;
        let l = l.min(left);
        if l == 0 {
            continue;
        }
        let n = match write(mem.read(p, l)?) {
            Ok(n) => n as u32,
            Err(e) if done > 0 && e.kind() == std::io::ErrorKind::WouldBlock => 0,
            Err(e) => return Err(e.into()),
        };
        done += n;
        left -= n;
        if n < l {
            break;
        }
    }
    Ok(done)
}

pub(crate) fn fd_read(cx: Cx, a: &[u64]) -> WasiResult {
    let CallContext { mem, process } = cx;
    refuse_wrong_direction(process, a[0], true)?;
    let deadline = process.deadline_handle().clone();
    let d = desc(process, a[0], RIGHT_FD_READ)?;
    // Input is consumed only if the count can be reported.
    mem.check(a[3] as u32, 4)?;
    let nonblock = d.flags as u64 & FDFLAGS_NONBLOCK != 0;
    let name = &d.name;
    let waiting = || format!("waiting to read from {name}");
    let n = match &mut d.handle {
        // A non-blocking standard input answers EAGAIN when nothing has
        // come yet, so a guest (Go's runtime) goes on with its other work
        // and polls for it.
        Handle::Input(input) if nonblock && !input.ready_now() => {
            return Err(Errno::AGAIN.into());
        }
        Handle::Input(input) => read_into_iovecs(mem, a[1], a[2], |b, _| input.read(b))?,
        Handle::Stream(s) => read_into_iovecs(mem, a[1], a[2], |b, _| s.read(b))?,
        Handle::File(f) => read_into_iovecs(mem, a[1], a[2], |b, _| {
            blocking::read(f, b, nonblock, &deadline, &waiting)
        })?,
        Handle::Dir(_) => return Err(Errno::BADF.into()),
        Handle::Output(..) => return Err(Errno::BADF.into()),
    };
    mem.write_u32(a[3] as u32, n)?;
    Ok(())
}

pub(crate) fn fd_pread(cx: Cx, a: &[u64]) -> WasiResult {
    let CallContext { mem, process } = cx;
    let d = desc(process, a[0], RIGHT_FD_READ)?;
    let offset = a[3];
    let n = match &mut d.handle {
        Handle::File(f) => read_into_iovecs(mem, a[1], a[2], |b, done| {
            f.read_at(b, offset.saturating_add(done))
        })?,
        Handle::Dir(_) => return Err(Errno::BADF.into()),
        Handle::Input(_) | Handle::Output(..) | Handle::Stream(_) => {
            return Err(Errno::SPIPE.into());
        }
    };
    mem.write_u32(a[4] as u32, n)?;
    Ok(())
}

pub(crate) fn fd_write(cx: Cx, a: &[u64]) -> WasiResult {
    let CallContext { mem, process } = cx;
    refuse_wrong_direction(process, a[0], false)?;
    let d = desc(process, a[0], RIGHT_FD_WRITE)?;
    // Nothing is written unless the count can be reported.
    mem.check(a[3] as u32, 4)?;
    if let Handle::Output(..) = d.handle {
        let total = iovecs_write_len(mem, a[1], a[2])?;
        process.charge_output("fd_write", total as usize)?;
    }
    let deadline = process.deadline_handle().clone();
    let d = desc(process, a[0], RIGHT_FD_WRITE)?;
    let nonblock = d.flags as u64 & FDFLAGS_NONBLOCK != 0;
    let name = &d.name;
    let waiting = || format!("waiting to write to {name} (nobody was reading it)");
    let n = match &mut d.handle {
        Handle::Output(out, _) => write_from_iovecs(mem, a[1], a[2], |b| out.write(b).map(drop))?,
        Handle::File(f) if nonblock => write_some_from_iovecs(mem, a[1], a[2], |b| {
            blocking::write_all(f, b, true, &deadline, &waiting)
        })?,
        Handle::File(f) => write_from_iovecs(mem, a[1], a[2], |b| {
            blocking::write_all(f, b, false, &deadline, &waiting).map(drop)
        })?,
        Handle::Stream(s) => write_from_iovecs(mem, a[1], a[2], |b| s.write(b).map(drop))?,
        Handle::Dir(_) => return Err(Errno::BADF.into()),
        Handle::Input(_) => return Err(Errno::BADF.into()),
    };
    mem.write_u32(a[3] as u32, n)?;
    Ok(())
}

pub(crate) fn fd_pwrite(cx: Cx, a: &[u64]) -> WasiResult {
    let CallContext { mem, process } = cx;
    let d = desc(process, a[0], RIGHT_FD_WRITE)?;
    mem.check(a[4] as u32, 4)?;
    let mut offset = a[3];
    let n = match &mut d.handle {
        Handle::File(f) => write_from_iovecs(mem, a[1], a[2], |b| {
            f.write_all_at(b, offset)?;
            offset = offset.saturating_add(b.len() as u64);
            Ok(())
        })?,
        Handle::Dir(_) => return Err(Errno::BADF.into()),
        Handle::Input(_) | Handle::Output(..) | Handle::Stream(_) => {
            return Err(Errno::SPIPE.into());
        }
    };
    mem.write_u32(a[4] as u32, n)?;
    Ok(())
}

/// The standard streams can never seek: ESPIPE, whatever their rights.
fn refuse_stdio_seek(process: &Process, fd: u64) -> Result<(), Errno> {
    match process.fds.get(fd as u32).map(|d| &d.handle) {
        Some(Handle::Input(_) | Handle::Output(..) | Handle::Stream(_)) => Err(Errno::SPIPE),
        _ => Ok(()),
    }
}

pub(crate) fn fd_seek(cx: Cx, a: &[u64]) -> WasiResult {
    let (offset, whence) = (a[1] as i64, a[2]);
    refuse_stdio_seek(cx.process, a[0])?;
    let need = if offset == 0 && whence == 1 {
        RIGHT_FD_TELL
    } else {
        RIGHT_FD_SEEK
    };
    let d = desc(cx.process, a[0], need)?;
    let pos = match whence {
        0 => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::INVAL)?),
        1 => SeekFrom::Current(offset),
        2 => SeekFrom::End(offset),
        _ => return Err(Errno::INVAL.into()),
    };
    // The offset moves only if the new one can be reported.
    cx.mem.check(a[3] as u32, 8)?;
    let new = match &mut d.handle {
        Handle::File(f) => f.seek(pos)?,
        Handle::Dir(_) => return Err(Errno::BADF.into()),
        Handle::Input(_) | Handle::Output(..) | Handle::Stream(_) => {
            return Err(Errno::SPIPE.into());
        }
    };
    cx.mem.write_u64(a[3] as u32, new)?;
    Ok(())
}

pub(crate) fn fd_tell(cx: Cx, a: &[u64]) -> WasiResult {
    refuse_stdio_seek(cx.process, a[0])?;
    let d = desc(cx.process, a[0], RIGHT_FD_TELL)?;
    let pos = match &mut d.handle {
        Handle::File(f) => f.stream_position()?,
        Handle::Dir(_) => return Err(Errno::BADF.into()),
        Handle::Input(_) | Handle::Output(..) | Handle::Stream(_) => {
            return Err(Errno::SPIPE.into());
        }
    };
    cx.mem.write_u64(a[1] as u32, pos)?;
    Ok(())
}

pub(crate) fn fd_close(cx: Cx, a: &[u64]) -> WasiResult {
    cx.process.fds.remove(a[0] as u32).ok_or(Errno::BADF)?;
    Ok(())
}

fn sync(cx: Cx, a: &[u64], right: u64, data_only: bool) -> WasiResult {
    let d = desc(cx.process, a[0], right)?;
    match &d.handle {
        Handle::File(f) if data_only => f.sync_data()?,
        Handle::File(f) => f.sync_all()?,
        // A granted directory may be open only as a path (O_PATH), which
        // cannot be synced; its opened self can.
        Handle::Dir(dir) => dir.open(".")?.sync_all()?,
        Handle::Input(_) | Handle::Output(..) | Handle::Stream(_) => {
            return Err(Errno::INVAL.into());
        }
    }
    Ok(())
}

pub(crate) fn fd_sync(cx: Cx, a: &[u64]) -> WasiResult {
    sync(cx, a, RIGHT_FD_SYNC, false)
}

pub(crate) fn fd_datasync(cx: Cx, a: &[u64]) -> WasiResult {
    sync(cx, a, RIGHT_FD_DATASYNC, true)
}

pub(crate) fn fd_advise(cx: Cx, a: &[u64]) -> WasiResult {
    use rustix::fs::Advice;
    let d = desc(cx.process, a[0], RIGHT_FD_ADVISE)?;
    let advice = match a[3] {
        0 => Advice::Normal,
        1 => Advice::Sequential,
        2 => Advice::Random,
        3 => Advice::WillNeed,
        4 => Advice::DontNeed,
        5 => Advice::NoReuse,
        _ => return Err(Errno::INVAL.into()),
    };
    match &d.handle {
        Handle::File(f) => {
            rustix::fs::fadvise(f, a[1], std::num::NonZeroU64::new(a[2]), advice)
                .map_err(std::io::Error::from)?;
        }
        Handle::Dir(_) => return Err(Errno::BADF.into()),
        Handle::Input(_) | Handle::Output(..) | Handle::Stream(_) => {
            return Err(Errno::SPIPE.into());
        }
    }
    Ok(())
}

pub(crate) fn fd_allocate(cx: Cx, a: &[u64]) -> WasiResult {
    let d = desc(cx.process, a[0], RIGHT_FD_ALLOCATE)?;
    let (offset, len) = (a[1], a[2]);
    match &d.handle {
        Handle::File(f) => {
            let end = offset.checked_add(len).ok_or(Errno::FBIG)?;
            if end > i64::MAX as u64 {
                return Err(Errno::FBIG.into());
            }
            if f.metadata()?.len() < end {
                f.set_len(end)?;
            }
        }
        Handle::Dir(_) => return Err(Errno::BADF.into()),
        Handle::Input(_) | Handle::Output(..) | Handle::Stream(_) => return Err(Errno::BADF.into()),
    }
    Ok(())
}

pub(crate) fn fd_fdstat_get(cx: Cx, a: &[u64]) -> WasiResult {
    let d = cx.process.fds.get(a[0] as u32).ok_or(Errno::BADF)?;
    let mut b = [0u8; 24];
    b[0] = fs::filetype_of_handle(&d.handle);
    b[2..4].copy_from_slice(&d.flags.to_le_bytes());
    b[8..16].copy_from_slice(&d.rights.base.to_le_bytes());
    b[16..24].copy_from_slice(&d.rights.inheriting.to_le_bytes());
    cx.mem.write(a[1] as u32, &b)?;
    Ok(())
}

pub(crate) fn fd_fdstat_set_flags(cx: Cx, a: &[u64]) -> WasiResult {
    use rustix::fs::OFlags;
    let flags = a[1] as u16;
    let d = desc(cx.process, a[0], RIGHT_FD_FDSTAT_SET_FLAGS)?;
    if flags as u64
        & !(FDFLAGS_APPEND | FDFLAGS_NONBLOCK | FDFLAGS_DSYNC | FDFLAGS_RSYNC | FDFLAGS_SYNC)
        != 0
    {
        return Err(Errno::INVAL.into());
    }
    if flags as u64 & (FDFLAGS_DSYNC | FDFLAGS_RSYNC | FDFLAGS_SYNC)
        != d.flags as u64 & (FDFLAGS_DSYNC | FDFLAGS_RSYNC | FDFLAGS_SYNC)
    {
        // The host cannot change synchronisation after opening.
        return Err(Errno::NOTSUP.into());
    }
    if let Handle::File(f) = &d.handle {
        // Files stay non-blocking on the host; the guest's NONBLOCK flag
        // decides whether a read or write that would block waits.
        let mut o = rustix::fs::fcntl_getfl(f).map_err(std::io::Error::from)?;
        o.set(OFlags::APPEND, flags as u64 & FDFLAGS_APPEND != 0);
        rustix::fs::fcntl_setfl(f, o).map_err(std::io::Error::from)?;
    }
    d.flags = flags;
    Ok(())
}

pub(crate) fn fd_fdstat_set_rights(cx: Cx, a: &[u64]) -> WasiResult {
    let d = cx.process.fds.get_mut(a[0] as u32).ok_or(Errno::BADF)?;
    let (base, inheriting) = (a[1], a[2]);
    if base & !d.rights.base != 0 || inheriting & !d.rights.inheriting != 0 {
        return Err(Errno::NOTCAPABLE.into());
    }
    d.rights.base = base;
    d.rights.inheriting = inheriting;
    Ok(())
}

pub(crate) fn fd_filestat_get(cx: Cx, a: &[u64]) -> WasiResult {
    let d = desc(cx.process, a[0], RIGHT_FD_FILESTAT_GET)?;
    let stat = match &d.handle {
        Handle::File(f) => fs::filestat_bytes(&f.metadata()?),
        Handle::Dir(dir) => fs::filestat_bytes(&dir.dir_metadata()?),
        Handle::Input(_) | Handle::Output(..) | Handle::Stream(_) => fs::stream_filestat(&d.handle),
    };
    cx.mem.write(a[1] as u32, &stat)?;
    Ok(())
}

pub(crate) fn fd_filestat_set_size(cx: Cx, a: &[u64]) -> WasiResult {
    let d = desc(cx.process, a[0], RIGHT_FD_FILESTAT_SET_SIZE)?;
    match &d.handle {
        Handle::File(f) => {
            if a[1] > i64::MAX as u64 {
                return Err(Errno::FBIG.into());
            }
            f.set_len(a[1])?
        }
        Handle::Dir(_) | Handle::Input(_) | Handle::Output(..) | Handle::Stream(_) => {
            return Err(Errno::BADF.into());
        }
    }
    Ok(())
}

pub(crate) fn fd_filestat_set_times(cx: Cx, a: &[u64]) -> WasiResult {
    use cap_fs_ext::SystemTimeSpec;
    use rustix::fs::{Timestamps, UTIME_NOW, UTIME_OMIT};
    use rustix::time::Timespec;
    let d = desc(cx.process, a[0], RIGHT_FD_FILESTAT_SET_TIMES)?;
    let (atime, mtime) = fs::time_specs(a[1], a[2], a[3])?;
    let spec = |t: Option<SystemTimeSpec>| match t {
        None => Timespec {
            tv_sec: 0,
            tv_nsec: UTIME_OMIT,
        },
        Some(SystemTimeSpec::SymbolicNow) => Timespec {
            tv_sec: 0,
            tv_nsec: UTIME_NOW,
        },
        Some(SystemTimeSpec::Absolute(t)) => {
            let d = t
                .into_std()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            Timespec {
                tv_sec: d.as_secs() as i64,
                tv_nsec: d.subsec_nanos() as _,
            }
        }
    };
    let times = Timestamps {
        last_access: spec(atime),
        last_modification: spec(mtime),
    };
    let r = match &d.handle {
        Handle::File(f) => rustix::fs::futimens(f, &times),
        // Through the path, as the directory may be open only as a path (O_PATH).
        Handle::Dir(dir) => rustix::fs::utimensat(dir, ".", &times, rustix::fs::AtFlags::empty()),
        Handle::Input(_) | Handle::Output(..) | Handle::Stream(_) => return Err(Errno::BADF.into()),
    };
    r.map_err(std::io::Error::from)?;
    Ok(())
}

pub(crate) fn fd_prestat_get(cx: Cx, a: &[u64]) -> WasiResult {
    let d = cx.process.fds.get(a[0] as u32).ok_or(Errno::BADF)?;
    let name = d.preopen.as_ref().ok_or(Errno::BADF)?;
    let mut b = [0u8; 8];
    b[4..8].copy_from_slice(&(name.len() as u32).to_le_bytes());
    cx.mem.write(a[1] as u32, &b)?;
    Ok(())
}

pub(crate) fn fd_prestat_dir_name(cx: Cx, a: &[u64]) -> WasiResult {
    let d = cx.process.fds.get(a[0] as u32).ok_or(Errno::BADF)?;
    let name = d.preopen.as_ref().ok_or(Errno::BADF)?;
    if (a[2] as usize) < name.len() {
        return Err(Errno::NAMETOOLONG.into());
    }
    cx.mem.write(a[1] as u32, name.as_bytes())?;
    Ok(())
}

pub(crate) fn fd_renumber(cx: Cx, a: &[u64]) -> WasiResult {
    let (from, to) = (a[0] as u32, a[1] as u32);
    if cx.process.fds.get(from).is_none() || cx.process.fds.get(to).is_none() {
        return Err(Errno::BADF.into());
    }
    if from == to {
        return Ok(());
    }
    cx.process.fds.renumber(from, to)?;
    Ok(())
}

/// One directory entry as `fd_readdir` lists it.
struct Entry {
    name: Vec<u8>,
    ino: u64,
    filetype: u8,
}

/// A directory's entries as `fd_readdir` gives them, listed afresh at every
/// call (a cookie is an index into this list, as under wasmtime): `.` and
/// `..` first, then the entries in the host's own order, the order a
/// native program and wasmtime see (a program that deletes while it lists
/// meets the same entries). `..` of a granted directory, whose parent is
/// outside the grant, is numbered as the directory itself.
fn list_dir(dir: &cap_std::fs::Dir) -> Result<Vec<Entry>, Fail> {
    use cap_fs_ext::OsMetadataExt;
    use rustix::fs::DirEntryExt;
    use std::os::unix::ffi::OsStrExt;
    let meta = dir.dir_metadata()?;
    let mut entries = vec![
        Entry {
            name: b".".to_vec(),
            ino: meta.ino(),
            filetype: FILETYPE_DIRECTORY as u8,
        },
        Entry {
            name: b"..".to_vec(),
            ino: dir.metadata("..").map(|m| m.ino()).unwrap_or(meta.ino()),
            filetype: FILETYPE_DIRECTORY as u8,
        },
    ];
    for e in dir.entries()? {
        let e = e?;
        entries.push(Entry {
            name: e.file_name().as_bytes().to_vec(),
            ino: e.ino(),
            filetype: e
                .file_type()
                .map(fs::filetype_of)
                .unwrap_or(FILETYPE_UNKNOWN as u8),
        });
    }
    Ok(entries)
}

pub(crate) fn fd_readdir(cx: Cx, a: &[u64]) -> WasiResult {
    let CallContext { mem, process } = cx;
    let d = desc(process, a[0], RIGHT_FD_READDIR)?;
    let Handle::Dir(dir) = &d.handle else {
        return Err(Errno::BADF.into());
    };
    let (buf, buf_len, cookie) = (a[1] as u32, a[2] as u32, a[3]);
    mem.check(buf, buf_len)?;
    let entries = list_dir(dir)?;
    let mut out = Vec::with_capacity(buf_len as usize);
    for (i, e) in entries
        .iter()
        .enumerate()
        .skip(cookie.min(usize::MAX as u64) as usize)
    {
        if out.len() >= buf_len as usize {
            break;
        }
        let mut rec = Vec::with_capacity(24 + e.name.len());
        rec.extend_from_slice(&(i as u64 + 1).to_le_bytes());
        rec.extend_from_slice(&e.ino.to_le_bytes());
        rec.extend_from_slice(&(e.name.len() as u32).to_le_bytes());
        rec.extend_from_slice(&[e.filetype, 0, 0, 0]);
        rec.extend_from_slice(&e.name);
        out.extend_from_slice(&rec);
    }
    out.truncate(buf_len as usize);
    mem.write(buf, &out)?;
    mem.write_u32(a[4] as u32, out.len() as u32)?;
    Ok(())
}
