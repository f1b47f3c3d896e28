//! WASI calls that take a path relative to a directory descriptor. Every one
//! resolves through cap-std, so no path (`..`, absolute, or through a symbolic
//! link) can reach outside the directory it starts from.

use super::fs::{self, read_path};
use super::types::*;
use super::{Cx, WasiResult};
use crate::abis::call::CallContext;
use crate::sandbox::blocking;
use crate::sandbox::fdtable::{Descriptor, Handle, Rights};
use crate::sandbox::process::Process;
use cap_fs_ext::{DirExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsMaybeDirExt};
use cap_std::fs::Dir;

/// The directory behind descriptor `fd`, which must have the rights in `need`.
/// A descriptor that is not a directory is ENOTDIR whatever its rights.
fn dir_of(process: &Process, fd: u64, need: u64) -> Result<&Dir, Errno> {
    let d = process.fds.get(fd as u32).ok_or(Errno::BADF)?;
    let Handle::Dir(dir) = &d.handle else {
        return Err(Errno::NOTDIR);
    };
    if d.rights.base & need != need {
        return Err(Errno::NOTCAPABLE);
    }
    Ok(dir)
}

/// Reads the path at (ptr, len), refusing the empty path.
fn path_arg(cx: &mut CallContext, ptr: u64, len: u64) -> Result<String, Errno> {
    let p = read_path(&mut cx.mem, ptr, len)?;
    if p.is_empty() {
        return Err(Errno::NOENT);
    }
    Ok(p)
}

fn follow(flags: u64) -> bool {
    flags & LOOKUP_SYMLINK_FOLLOW != 0
}

pub(crate) fn path_open(cx: Cx, a: &[u64]) -> WasiResult {
    let (dirfd, lookup, oflags, base, inheriting, fdflags) = (a[0], a[1], a[4], a[5], a[6], a[7]);
    let path = path_arg(cx, a[2], a[3])?;
    // Nothing is opened or created unless the new number can be reported.
    cx.mem.check(a[8] as u32, 4)?;
    let mut need = RIGHT_PATH_OPEN;
    if oflags & OFLAGS_CREAT != 0 {
        need |= RIGHT_PATH_CREATE_FILE;
    }
    if oflags & OFLAGS_TRUNC != 0 {
        need |= RIGHT_PATH_FILESTAT_SET_SIZE;
    }
    let parent_inheriting = cx
        .process
        .fds
        .get(dirfd as u32)
        .map(|d| d.rights.inheriting)
        .unwrap_or(0);
    let dir = dir_of(cx.process, dirfd, need)?;
    let follow = if follow(lookup) {
        FollowSymlinks::Yes
    } else {
        FollowSymlinks::No
    };
    let handle = if oflags & OFLAGS_DIRECTORY != 0 {
        if oflags & (OFLAGS_CREAT | OFLAGS_EXCL | OFLAGS_TRUNC) != 0 {
            return Err(Errno::INVAL.into());
        }
        if base & (RIGHT_FD_WRITE | RIGHT_FD_ALLOCATE | RIGHT_FD_FILESTAT_SET_SIZE) != 0 {
            // A directory can never be opened for writing.
            return Err(Errno::ISDIR.into());
        }
        let d = match follow {
            FollowSymlinks::Yes => dir.open_dir(&path)?,
            FollowSymlinks::No => dir.open_dir_nofollow(&path)?,
        };
        Handle::Dir(d)
    } else {
        let read = base & (RIGHT_FD_READ | RIGHT_FD_READDIR) != 0;
        let write = base & (RIGHT_FD_WRITE | RIGHT_FD_ALLOCATE | RIGHT_FD_FILESTAT_SET_SIZE) != 0
            || fdflags & FDFLAGS_APPEND != 0;
        let creating = oflags & (OFLAGS_CREAT | OFLAGS_TRUNC) != 0;
        let mut opts = cap_std::fs::OpenOptions::new();
        opts.read(read || !write)
            .write(write || creating)
            .truncate(oflags & OFLAGS_TRUNC != 0)
            .follow(follow)
            .maybe_dir(true);
        if oflags & OFLAGS_CREAT != 0 {
            if oflags & OFLAGS_EXCL != 0 {
                opts.create_new(true);
            } else {
                opts.create(true);
            }
        }
        {
            use cap_fs_ext::OpenOptionsSyncExt;
            opts.dsync(fdflags & FDFLAGS_DSYNC != 0)
                .rsync(fdflags & FDFLAGS_RSYNC != 0)
                .sync(fdflags & FDFLAGS_SYNC != 0);
        }
        let file = blocking::open_file(dir, &path, &opts, cx.process.deadline_handle(), &path)?;
        if fdflags & FDFLAGS_APPEND != 0 {
            // Set after opening: the OS allows append with truncate, the
            // open options do not.
            let flags = rustix::fs::fcntl_getfl(&file).map_err(std::io::Error::from)?;
            rustix::fs::fcntl_setfl(&file, flags | rustix::fs::OFlags::APPEND)
                .map_err(std::io::Error::from)?;
        }
        if file.metadata()?.is_dir() {
            if write || creating {
                return Err(Errno::ISDIR.into());
            }
            Handle::Dir(Dir::from_std_file(file.into_std()))
        } else {
            Handle::File(file)
        }
    };
    let type_mask = match handle {
        Handle::Dir(_) => RIGHTS_DIR,
        _ => RIGHTS_FILE,
    };
    let parent_name = cx.process.fds.label(dirfd as u32).unwrap_or("").to_string();
    let name = if parent_name.is_empty() || parent_name == "." {
        path.clone()
    } else {
        format!("{}/{}", parent_name.trim_end_matches('/'), path)
    };
    let shown = name.clone();
    let fd = cx
        .process
        .fds
        .insert(Descriptor {
            handle,
            name,
            rights: Rights {
                base: base & parent_inheriting & type_mask,
                inheriting: inheriting & parent_inheriting,
            },
            flags: fdflags as u16,
            preopen: None,
        })
        .inspect_err(|full| {
            cx.process
                .note(&format!("path_open: cannot open `{shown}`: {full}"))
        })?;
    cx.mem.write_u32(a[8] as u32, fd)?;
    Ok(())
}

pub(crate) fn path_create_directory(cx: Cx, a: &[u64]) -> WasiResult {
    let path = path_arg(cx, a[1], a[2])?;
    dir_of(cx.process, a[0], RIGHT_PATH_CREATE_DIRECTORY)?.create_dir(path)?;
    Ok(())
}

pub(crate) fn path_remove_directory(cx: Cx, a: &[u64]) -> WasiResult {
    let path = path_arg(cx, a[1], a[2])?;
    // `dir/` names the same directory as `dir`; the host call wants no slash.
    let trimmed = path.trim_end_matches('/');
    let path = if trimmed.is_empty() { "/" } else { trimmed };
    dir_of(cx.process, a[0], RIGHT_PATH_REMOVE_DIRECTORY)?.remove_dir(path)?;
    Ok(())
}

pub(crate) fn path_unlink_file(cx: Cx, a: &[u64]) -> WasiResult {
    let path = path_arg(cx, a[1], a[2])?;
    dir_of(cx.process, a[0], RIGHT_PATH_UNLINK_FILE)?.remove_file_or_symlink(path)?;
    Ok(())
}

pub(crate) fn path_filestat_get(cx: Cx, a: &[u64]) -> WasiResult {
    let path = path_arg(cx, a[2], a[3])?;
    let dir = dir_of(cx.process, a[0], RIGHT_PATH_FILESTAT_GET)?;
    let meta = if follow(a[1]) {
        dir.metadata(&path)?
    } else {
        dir.symlink_metadata(&path)?
    };
    cx.mem.write(a[4] as u32, &fs::filestat_bytes(&meta))?;
    Ok(())
}

pub(crate) fn path_filestat_set_times(cx: Cx, a: &[u64]) -> WasiResult {
    let path = path_arg(cx, a[2], a[3])?;
    let (atime, mtime) = fs::time_specs(a[4], a[5], a[6])?;
    let dir = dir_of(cx.process, a[0], RIGHT_PATH_FILESTAT_SET_TIMES)?;
    if follow(a[1]) {
        dir.set_times(&path, atime, mtime)?;
    } else {
        dir.set_symlink_times(&path, atime, mtime)?;
    }
    Ok(())
}

pub(crate) fn path_link(cx: Cx, a: &[u64]) -> WasiResult {
    let old_path = path_arg(cx, a[2], a[3])?;
    let new_path = path_arg(cx, a[5], a[6])?;
    if follow(a[1]) {
        // Linking through a symbolic link would need the host to resolve it
        // outside cap-std; refuse rather than guess.
        return Err(Errno::INVAL.into());
    }
    let old_dir = dir_of(cx.process, a[0], RIGHT_PATH_LINK_SOURCE)?;
    let new_dir = dir_of(cx.process, a[4], RIGHT_PATH_LINK_TARGET)?;
    old_dir.hard_link(&old_path, new_dir, &new_path)?;
    Ok(())
}

pub(crate) fn path_readlink(cx: Cx, a: &[u64]) -> WasiResult {
    let path = path_arg(cx, a[1], a[2])?;
    let target = dir_of(cx.process, a[0], RIGHT_PATH_READLINK)?.read_link(&path)?;
    use std::os::unix::ffi::OsStrExt;
    let bytes = target.as_os_str().as_bytes();
    let n = bytes.len().min(a[4] as usize);
    cx.mem.write(a[3] as u32, &bytes[..n])?;
    cx.mem.write_u32(a[5] as u32, n as u32)?;
    Ok(())
}

pub(crate) fn path_rename(cx: Cx, a: &[u64]) -> WasiResult {
    let old_path = path_arg(cx, a[1], a[2])?;
    let new_path = path_arg(cx, a[4], a[5])?;
    let old_dir = dir_of(cx.process, a[0], RIGHT_PATH_RENAME_SOURCE)?;
    let new_dir = dir_of(cx.process, a[3], RIGHT_PATH_RENAME_TARGET)?;
    old_dir.rename(&old_path, new_dir, &new_path)?;
    Ok(())
}

pub(crate) fn path_symlink(cx: Cx, a: &[u64]) -> WasiResult {
    let old_path = read_path(&mut cx.mem, a[0], a[1])?;
    let new_path = path_arg(cx, a[3], a[4])?;
    dir_of(cx.process, a[2], RIGHT_PATH_SYMLINK)?.symlink(&old_path, &new_path)?;
    Ok(())
}
