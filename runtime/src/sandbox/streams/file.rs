//! `file://PATH`: a file inside a directory granted with `--dir`, opened
//! through cap-std so `..`, absolute paths and symbolic links can never
//! leave it. `?mode=` chooses how: `r` read (the default), `w` write
//! (created or truncated), `a` append (created if missing), `rw` read and
//! write an existing file.

use super::error::OpenError;
use super::url::StreamUrl;
use crate::sandbox::blocking::{self, Deadline};
use crate::sandbox::process::Grant;
use cap_std::fs::{File, OpenOptions};
use std::io;

fn options(mode: &str) -> Option<OpenOptions> {
    let mut o = OpenOptions::new();
    match mode {
        "r" => o.read(true),
        "w" => o.write(true).create(true).truncate(true),
        "a" => o.append(true).create(true),
        "rw" => o.read(true).write(true),
        _ => return None,
    };
    Some(o)
}

/// The grant a guest path falls under, and the path relative to it.
/// Absolute paths match grants with absolute names; relative paths match
/// the grant named `.` or one with a relative name.
pub(crate) fn resolve<'g>(grants: &'g [Grant], path: &str) -> Option<(&'g Grant, String)> {
    let mut best: Option<(&Grant, String, usize)> = None;
    for grant in grants {
        let name = grant.guest.trim_end_matches('/');
        let rest = if name == "." || (name.is_empty() && grant.guest == "/") {
            if name == "." && path.starts_with('/') {
                continue;
            }
            Some(path)
        } else if let Some(rest) = path.strip_prefix(name) {
            (rest.is_empty() || rest.starts_with('/')).then_some(rest)
        } else {
            None
        };
        let Some(rest) = rest else { continue };
        let rank = name.len();
        if best.as_ref().is_none_or(|(_, _, r)| rank > *r) {
            best = Some((grant, rest.trim_start_matches('/').to_string(), rank));
        }
    }
    best.map(|(g, rest, _)| (g, rest))
}

/// Opens the file a `file://` URL names, waiting for the other end of a
/// FIFO at most until `deadline`.
pub(crate) fn open(
    grants: &[Grant],
    url: &StreamUrl,
    deadline: &Deadline,
) -> Result<File, OpenError> {
    let mode = url.query("mode").unwrap_or_else(|| "r".into());
    let opts = options(&mode).ok_or_else(|| {
        OpenError::BadUrl(format!(
            "`{}`: mode `{mode}` is not r, w, a or rw",
            url.text
        ))
    })?;
    let path = url.path();
    let Some((grant, rest)) = resolve(grants, &path) else {
        return Err(OpenError::Refused(
            "it is outside every granted directory (grant one with --dir)".into(),
        ));
    };
    if rest.is_empty() {
        return Err(OpenError::Io(io::Error::new(
            io::ErrorKind::IsADirectory,
            format!("`{}` names the granted directory itself", url.text),
        )));
    }
    let opened = blocking::open_file(&grant.dir, &rest, &opts, deadline, &path);
    opened.map_err(|e| {
        if let Some(passed) = blocking::as_deadline_passed(&e) {
            return OpenError::TimeLimit(passed.waiting.clone());
        }
        // cap-std's refusal of a path leaving the directory carries no OS error.
        if e.kind() == io::ErrorKind::PermissionDenied && e.raw_os_error().is_none() {
            OpenError::Refused(format!(
                "it leads outside the granted directory {}",
                grant.guest
            ))
        } else {
            OpenError::Io(e)
        }
    })
}
