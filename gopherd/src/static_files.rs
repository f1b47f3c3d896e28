//! The static gopherhole: selectors resolved inside the root folder through
//! a `cap-std` directory (so neither `..` nor a symbolic link can leave it),
//! folders answered with their gophermap or a listing, files sent as text
//! or binary according to their item type, streamed rather than read into
//! memory. Only regular files and folders are served or listed (never a
//! FIFO or a device), and files are opened without blocking. Every request
//! reads the disk afresh, so changed files take effect at once.

use crate::config::TextFraming;
use crate::framing;
use crate::framing::Body;
use crate::gophermap::{self, Site};
use cap_fs_ext::OpenOptionsSyncExt;
use cap_std::fs::{Dir, File, OpenOptions};
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};

/// The file that turns a folder into a hand-written menu.
pub const GOPHERMAP: &str = "gophermap";
/// The largest gophermap read; the rest is ignored.
const MAX_GOPHERMAP: u64 = 1 << 20;
/// Files up to this size are read while the request is worked on, so
/// sending them needs no more reads.
const SMALL_FILE: u64 = 64 * 1024;
/// The longest file name most file systems allow, in bytes.
const MAX_NAME: usize = 255;

/// Why a static selector was not served.
#[derive(Debug, thiserror::Error)]
pub enum StaticError {
    /// Nothing is there (hidden files included).
    #[error("not found")]
    NotFound,
    /// The selector is not allowed.
    #[error("{0}")]
    Refused(&'static str),
    /// The file is there but could not be read.
    #[error("cannot read it: {0}")]
    Io(io::Error),
}

impl From<io::Error> for StaticError {
    fn from(e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::NotFound
            | io::ErrorKind::NotADirectory
            | io::ErrorKind::InvalidFilename => StaticError::NotFound,
            io::ErrorKind::PermissionDenied => StaticError::Refused("access denied"),
            _ => StaticError::Io(e),
        }
    }
}

/// The static folder being served.
pub struct StaticRoot {
    dir: Dir,
    path: PathBuf,
    text_framing: TextFraming,
}

/// Opens `name` in `dir` for reading without ever blocking on the open (a
/// FIFO would), and only if it is a regular file.
fn open_regular(dir: &Dir, name: &Path) -> Result<File, StaticError> {
    let mut options = OpenOptions::new();
    options.read(true).nonblock(true);
    let file = dir.open_with(name, &options)?;
    if !file.metadata()?.is_file() {
        return Err(StaticError::NotFound);
    }
    Ok(file)
}

impl StaticRoot {
    /// Opens the folder; text files go out as `text_framing` says.
    pub fn open(path: &Path, text_framing: TextFraming) -> io::Result<StaticRoot> {
        let dir = Dir::open_ambient_dir(path, cap_std::ambient_authority())?;
        Ok(StaticRoot {
            dir,
            path: path.to_path_buf(),
            text_framing,
        })
    }

    /// The folder on the host.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The complete response for `selector`.
    pub fn serve(&self, selector: &str, site: &Site) -> Result<Body, StaticError> {
        let parts = selector_parts(selector)?;
        let rel: PathBuf = if parts.is_empty() {
            PathBuf::from(".")
        } else {
            parts.iter().collect()
        };
        let meta = self.dir.metadata(&rel)?;
        if !meta.is_dir() && !meta.is_file() {
            return Err(StaticError::NotFound);
        }
        if meta.is_dir() {
            let folder = self.dir.open_dir(&rel)?;
            let mut base = String::from("/");
            for p in &parts {
                base.push_str(p);
                base.push('/');
            }
            return Ok(Body::Bytes(self.folder_menu(&folder, &base, site)?));
        }
        let mut file = open_regular(&self.dir, &rel)?;
        let len = file.metadata()?.len();
        let name = parts.last().copied().unwrap_or_default();
        let kind = if has_known_extension(name) {
            item_type(name, None)
        } else {
            let mut head = Vec::with_capacity(1024);
            (&mut file).take(1024).read_to_end(&mut head)?;
            file.rewind()?;
            item_type(name, Some(&head))
        };
        let text = (kind, self.text_framing) == (b'0', TextFraming::Rfc1436);
        if len <= SMALL_FILE {
            let mut bytes = Vec::with_capacity(len as usize);
            file.take(SMALL_FILE).read_to_end(&mut bytes)?;
            return Ok(Body::Bytes(if text {
                framing::text(&bytes)
            } else {
                bytes
            }));
        }
        let file = file.into_std();
        Ok(match (kind, self.text_framing) {
            (b'0', TextFraming::Rfc1436) => Body::Text { file, len },
            _ => Body::File { file, len },
        })
    }

    fn folder_menu(&self, folder: &Dir, base: &str, site: &Site) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let map = open_regular(folder, Path::new(GOPHERMAP)).and_then(|f| {
            let mut map = Vec::new();
            f.take(MAX_GOPHERMAP).read_to_end(&mut map)?;
            Ok(map)
        });
        match map {
            Ok(map) => {
                let mut listing = |o: &mut Vec<u8>| list_entries(folder, base, site, o);
                gophermap::render(&map, site, base, Some(&mut listing), &mut out);
            }
            Err(StaticError::NotFound) => {
                gophermap::info_line(&mut out, site, format!("Index of {base}").as_bytes());
                gophermap::info_line(&mut out, site, b"");
                if base != "/" {
                    let parent = parent_selector(base);
                    let port = site.port.to_string();
                    gophermap::menu_line(
                        &mut out,
                        b'1',
                        b"..",
                        parent.as_bytes(),
                        site.host.as_bytes(),
                        port.as_bytes(),
                    );
                }
                list_entries(folder, base, site, &mut out);
            }
            Err(StaticError::Io(e)) => return Err(e),
            Err(StaticError::Refused(why)) => {
                return Err(io::Error::new(io::ErrorKind::PermissionDenied, why));
            }
        }
        out.extend_from_slice(framing::TERMINATOR);
        Ok(out)
    }
}

/// Splits a selector into path components, refusing `..` and hiding
/// dotfiles. Empty and `.` components are dropped.
fn selector_parts(selector: &str) -> Result<Vec<&str>, StaticError> {
    let mut parts = Vec::new();
    for part in selector.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(StaticError::Refused("`..` is not allowed in selectors")),
            p if p.starts_with('.') => return Err(StaticError::NotFound),
            p if p.contains('\\') || p.len() > MAX_NAME => return Err(StaticError::NotFound),
            p => parts.push(p),
        }
    }
    Ok(parts)
}

fn parent_selector(base: &str) -> String {
    let trimmed = base.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(0) | None => "/".into(),
        Some(i) => trimmed[..i].to_string(),
    }
}

/// Writes one menu line per visible entry of `folder`, folders first:
/// regular files and folders only (symbolic links are followed, inside
/// the root), never a FIFO, socket or device.
fn list_entries(folder: &Dir, base: &str, site: &Site, out: &mut Vec<u8>) {
    let Ok(entries) = folder.entries() else {
        return;
    };
    let mut rows: Vec<(bool, String)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            if name.starts_with('.') || name == GOPHERMAP {
                return None;
            }
            let file_type = e.file_type().ok()?;
            let file_type = if file_type.is_symlink() {
                folder.metadata(&name).ok()?.file_type()
            } else {
                file_type
            };
            if !file_type.is_dir() && !file_type.is_file() {
                return None;
            }
            Some((file_type.is_dir(), name))
        })
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let port = site.port.to_string();
    for (is_dir, name) in rows {
        let kind = if is_dir {
            b'1'
        } else if has_known_extension(&name) {
            item_type(&name, None)
        } else {
            let mut head = [0u8; 512];
            let n = open_regular(folder, Path::new(&name))
                .ok()
                .and_then(|mut f| f.read(&mut head).ok())
                .unwrap_or(0);
            item_type(&name, Some(&head[..n]))
        };
        let selector = format!("{base}{name}");
        let display = if is_dir { format!("{name}/") } else { name };
        gophermap::menu_line(
            out,
            kind,
            display.as_bytes(),
            selector.as_bytes(),
            site.host.as_bytes(),
            port.as_bytes(),
        );
    }
}

fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty()).then(|| ext.to_ascii_lowercase())
}

fn type_of_extension(ext: &str) -> Option<u8> {
    Some(match ext {
        "txt" | "text" | "md" | "markdown" | "gmi" | "rst" | "org" | "csv" | "tsv" | "log"
        | "nfo" | "asc" | "conf" | "cfg" | "ini" | "toml" | "yaml" | "yml" | "json" | "xml"
        | "wat" | "wast" | "rs" | "c" | "h" | "go" | "py" | "sh" | "diff" | "patch" => b'0',
        "html" | "htm" | "xhtml" => b'h',
        "gif" => b'g',
        "png" | "jpg" | "jpeg" | "bmp" | "webp" | "svg" | "ico" | "tif" | "tiff" => b'I',
        "wav" | "mp3" | "ogg" | "flac" | "au" | "aiff" => b's',
        "hqx" => b'4',
        "uu" | "uue" => b'6',
        "wasm" | "zip" | "gz" | "tgz" | "tar" | "xz" | "zst" | "bz2" | "7z" | "pdf" | "exe"
        | "bin" | "iso" | "mp4" | "webm" | "mkv" | "avi" => b'9',
        _ => return None,
    })
}

fn has_known_extension(name: &str) -> bool {
    extension(name)
        .and_then(|e| type_of_extension(&e))
        .is_some()
}

/// The item type of a file: from its extension, else `0` when its first
/// bytes (`head`) look like text and `9` when they do not.
pub fn item_type(name: &str, head: Option<&[u8]>) -> u8 {
    if let Some(t) = extension(name).and_then(|e| type_of_extension(&e)) {
        return t;
    }
    match head {
        Some(head) if looks_like_text(head) => b'0',
        _ => b'9',
    }
}

fn looks_like_text(head: &[u8]) -> bool {
    let head = &head[..head.len().min(1024)];
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_split_into_safe_parts() {
        assert_eq!(
            selector_parts("/docs/a.txt").unwrap(),
            vec!["docs", "a.txt"]
        );
        assert_eq!(
            selector_parts("docs//./a.txt/").unwrap(),
            vec!["docs", "a.txt"]
        );
        assert!(selector_parts("").unwrap().is_empty());
        assert!(matches!(
            selector_parts("/docs/../../etc/passwd"),
            Err(StaticError::Refused(_))
        ));
        assert!(matches!(
            selector_parts("/.git/config"),
            Err(StaticError::NotFound)
        ));
    }

    #[test]
    fn item_types_come_from_extensions_then_content() {
        assert_eq!(item_type("notes.TXT", None), b'0');
        assert_eq!(item_type("cat.gif", None), b'g');
        assert_eq!(item_type("cat.png", None), b'I');
        assert_eq!(item_type("page.html", None), b'h');
        assert_eq!(item_type("hello.wasm", None), b'9');
        assert_eq!(item_type("README", Some(b"plain words\n")), b'0');
        assert_eq!(item_type("blob", Some(b"\x7fELF\x00\x01")), b'9');
        assert_eq!(item_type(".profile", Some("caf\u{e9}".as_bytes())), b'0');
    }

    #[test]
    fn parents_of_folders() {
        assert_eq!(parent_selector("/docs/"), "/");
        assert_eq!(parent_selector("/docs/deep/"), "/docs");
    }
}
