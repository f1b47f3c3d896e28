//! The static gopherhole: selectors resolved inside the root folder through
//! a `cap-std` directory (so neither `..` nor a symbolic link can leave it),
//! folders answered with their gophermap (Gophernicus's syntax), their
//! `index.gph` (Geomyidae's) or a listing, `.gph` files as menus, other
//! files sent as text or binary according to their item type, large ones
//! streamed rather than read into memory. Only regular files and folders
//! are served or listed (never a FIFO or a device), and files are opened
//! without blocking. Names need not be UTF-8: they are listed escaped,
//! with their bytes as the selector. Every request reads the disk afresh,
//! so changed files take effect at once.

use crate::config::TextFraming;
use crate::framing;
use crate::framing::Body;
use crate::gophermap::{self, ListingRules, MapFolder, Site};
use crate::request::escape_bytes;
use cap_fs_ext::OpenOptionsSyncExt;
use cap_std::fs::{Dir, File, OpenOptions};
use std::ffi::OsStr;
use std::io::{self, Read, Seek};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The file that turns a folder into a hand-written menu.
pub const GOPHERMAP: &str = "gophermap";
/// Geomyidae's menu file for a folder, used when it has no gophermap.
pub const INDEX_GPH: &str = "index.gph";
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

/// What a static selector names, for Gopher+ attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemInfo {
    /// Its item type (`1` for folders and `.gph` menus).
    pub kind: u8,
    /// Its size in bytes (files only).
    pub size: Option<u64>,
    /// When it last changed.
    pub modified: Option<SystemTime>,
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

    /// The complete response for `selector` (its bytes as sent).
    pub fn serve(&self, selector: &[u8], site: &Site) -> Result<Body, StaticError> {
        let parts = selector_parts(selector)?;
        let rel = relative_path(&parts);
        let meta = self.dir.metadata(&rel)?;
        if !meta.is_dir() && !meta.is_file() {
            return Err(StaticError::NotFound);
        }
        let name = parts.last().copied().unwrap_or_default();
        if meta.is_dir() {
            let folder = self.dir.open_dir(&rel)?;
            let base = folder_selector(&parts);
            return Ok(Body::Bytes(self.folder_menu(&folder, &rel, &base, site)?));
        }
        let mut file = open_regular(&self.dir, &rel)?;
        let len = file.metadata()?.len();
        if is_gph(name) {
            let mut gph = Vec::new();
            file.take(MAX_GOPHERMAP).read_to_end(&mut gph)?;
            let base = folder_selector(&parts[..parts.len() - 1]);
            let mut out = Vec::new();
            crate::gph::render(&gph, site, &base, &mut out);
            out.extend_from_slice(framing::TERMINATOR);
            return Ok(Body::Bytes(out));
        }
        let kind = file_type(&mut file, name, &ListingRules::default())?;
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

    /// What `selector` names: its item type, size and time.
    pub fn item(&self, selector: &[u8]) -> Result<ItemInfo, StaticError> {
        let parts = selector_parts(selector)?;
        let rel = relative_path(&parts);
        let meta = self.dir.metadata(&rel)?;
        let modified = meta
            .modified()
            .ok()
            .map(cap_std::time::SystemTime::into_std);
        let name = parts.last().copied().unwrap_or_default();
        if meta.is_dir() || (meta.is_file() && is_gph(name)) {
            return Ok(ItemInfo {
                kind: b'1',
                size: None,
                modified,
            });
        }
        if !meta.is_file() {
            return Err(StaticError::NotFound);
        }
        let mut file = open_regular(&self.dir, &rel)?;
        Ok(ItemInfo {
            kind: file_type(&mut file, name, &ListingRules::default())?,
            size: Some(meta.len()),
            modified,
        })
    }

    /// Whether the hole has a file at `name` (in its root).
    pub fn has_file(&self, name: &str) -> bool {
        self.dir.metadata(name).is_ok_and(|m| m.is_file())
    }

    fn folder_menu(
        &self,
        folder: &Dir,
        rel: &Path,
        base: &[u8],
        site: &Site,
    ) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let read_map = |name: &str| {
            open_regular(folder, Path::new(name)).and_then(|f| {
                let mut map = Vec::new();
                f.take(MAX_GOPHERMAP).read_to_end(&mut map)?;
                Ok(map)
            })
        };
        let map = read_map(GOPHERMAP);
        let map = match map {
            Err(StaticError::NotFound) => match read_map(INDEX_GPH) {
                Ok(gph) => {
                    crate::gph::render(&gph, site, base, &mut out);
                    out.extend_from_slice(framing::TERMINATOR);
                    return Ok(out);
                }
                Err(_) => Err(StaticError::NotFound),
            },
            other => other,
        };
        match map {
            Ok(map) => {
                let mut context = FolderMaps {
                    root: &self.dir,
                    folder,
                    rel,
                    base,
                    site,
                };
                gophermap::render(&map, site, base, Some(&mut context), &mut out);
            }
            Err(StaticError::NotFound) => {
                let title = format!("Index of {}", escape_bytes(base));
                gophermap::info_line(&mut out, site, title.as_bytes());
                gophermap::info_line(&mut out, site, b"");
                if base != b"/" {
                    let parent = parent_selector(base);
                    let port = site.port.to_string();
                    gophermap::menu_line(
                        &mut out,
                        b'1',
                        b"..",
                        &parent,
                        site.host.as_bytes(),
                        port.as_bytes(),
                    );
                }
                list_entries(folder, base, site, &ListingRules::default(), &mut out);
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

/// A gophermap's folder: its includes (read through the root, so never
/// outside it), its listing, and where its unhonoured lines are logged.
struct FolderMaps<'a> {
    root: &'a Dir,
    folder: &'a Dir,
    rel: &'a Path,
    base: &'a [u8],
    site: &'a Site,
}

impl MapFolder for FolderMaps<'_> {
    fn include(&mut self, path: &[u8]) -> Option<Vec<u8>> {
        let mut parts: Vec<&[u8]> = self
            .rel
            .components()
            .filter_map(|c| match c {
                std::path::Component::Normal(p) => Some(p.as_bytes()),
                _ => None,
            })
            .collect();
        for part in path.split(|&b| b == b'/') {
            match part {
                b"" | b"." => {}
                b".." => {
                    parts.pop()?;
                }
                p => parts.push(p),
            }
        }
        let file = open_regular(self.root, &relative_path(&parts)).ok()?;
        let mut map = Vec::new();
        file.take(MAX_GOPHERMAP).read_to_end(&mut map).ok()?;
        Some(map)
    }

    fn list(&mut self, rules: &ListingRules, out: &mut Vec<u8>) {
        list_entries(self.folder, self.base, self.site, rules, out);
    }

    fn warn(&mut self, line: &[u8], why: &str) {
        let map = format!("{}{GOPHERMAP}", escape_bytes(self.base));
        crate::throttle::warn_once(format!(
            "{map}: `{}` shows nothing: {why}",
            escape_bytes(line)
        ));
    }
}

/// The path of `parts` under the root (`.` for none).
fn relative_path(parts: &[&[u8]]) -> PathBuf {
    if parts.is_empty() {
        PathBuf::from(".")
    } else {
        parts.iter().map(|p| OsStr::from_bytes(p)).collect()
    }
}

/// The selector of the folder `parts` names, ending in `/`.
fn folder_selector(parts: &[&[u8]]) -> Vec<u8> {
    let mut base = b"/".to_vec();
    for p in parts {
        base.extend_from_slice(p);
        base.push(b'/');
    }
    base
}

fn is_gph(name: &[u8]) -> bool {
    name.len() > 4 && name.to_ascii_lowercase().ends_with(b".gph")
}

/// The item type the map's `:EXT=T` rules or the name's extension give
/// `name`, if they do.
fn known_type(name: &[u8], rules: &ListingRules) -> Option<u8> {
    if let Some(kind) = rules.type_of(name) {
        return Some(kind);
    }
    if is_gph(name) {
        return Some(b'1');
    }
    let name = String::from_utf8_lossy(name);
    has_known_extension(&name).then(|| item_type(&name, None))
}

/// The item type of an open file named `name`: the map's `:EXT=T` rules,
/// then its extension, then its first bytes.
fn file_type(file: &mut File, name: &[u8], rules: &ListingRules) -> io::Result<u8> {
    if let Some(kind) = known_type(name, rules) {
        return Ok(kind);
    }
    let name = String::from_utf8_lossy(name);
    let mut head = Vec::with_capacity(1024);
    file.take(1024).read_to_end(&mut head)?;
    file.rewind()?;
    Ok(item_type(&name, Some(&head)))
}

/// Splits a selector into path components, refusing `..` and hiding
/// dotfiles. Empty and `.` components are dropped.
fn selector_parts(selector: &[u8]) -> Result<Vec<&[u8]>, StaticError> {
    let mut parts = Vec::new();
    for part in selector.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => return Err(StaticError::Refused("`..` is not allowed in selectors")),
            p if p.starts_with(b".") => return Err(StaticError::NotFound),
            p if p.contains(&b'\\') || p.len() > MAX_NAME => return Err(StaticError::NotFound),
            p => parts.push(p),
        }
    }
    Ok(parts)
}

fn parent_selector(base: &[u8]) -> Vec<u8> {
    let end = base.len() - base.iter().rev().take_while(|&&b| b == b'/').count();
    let trimmed = &base[..end];
    match trimmed.iter().rposition(|&b| b == b'/') {
        Some(0) | None => b"/".to_vec(),
        Some(i) => trimmed[..i].to_vec(),
    }
}

/// Writes one menu line per visible entry of `folder`, folders first, each
/// group in byte order: regular files and folders only (symbolic links are
/// followed, inside the root), never a FIFO, socket or device, and none
/// the map's `rules` hide. Folders are shown by name alone; a name that is
/// not UTF-8 is shown escaped, its bytes the selector.
fn list_entries(folder: &Dir, base: &[u8], site: &Site, rules: &ListingRules, out: &mut Vec<u8>) {
    let Ok(entries) = folder.entries() else {
        return;
    };
    let mut rows: Vec<(bool, Vec<u8>)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_vec();
            if name.starts_with(b".") || name == GOPHERMAP.as_bytes() || rules.hides(&name) {
                return None;
            }
            let file_type = e.file_type().ok()?;
            let file_type = if file_type.is_symlink() {
                folder.metadata(OsStr::from_bytes(&name)).ok()?.file_type()
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
        } else {
            // Opened only when neither the map nor the name says.
            known_type(&name, rules).unwrap_or_else(|| {
                open_regular(folder, Path::new(OsStr::from_bytes(&name)))
                    .ok()
                    .and_then(|mut f| file_type(&mut f, &name, rules).ok())
                    .unwrap_or(b'9')
            })
        };
        let mut selector = base.to_vec();
        selector.extend_from_slice(&name);
        let display = escape_bytes(&name);
        gophermap::menu_line(
            out,
            kind,
            display.as_bytes(),
            &selector,
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
            selector_parts(b"/docs/a.txt").unwrap(),
            vec![&b"docs"[..], b"a.txt"]
        );
        assert_eq!(
            selector_parts(b"docs//./a.txt/").unwrap(),
            vec![&b"docs"[..], b"a.txt"]
        );
        assert!(selector_parts(b"").unwrap().is_empty());
        assert!(matches!(
            selector_parts(b"/docs/../../etc/passwd"),
            Err(StaticError::Refused(_))
        ));
        assert!(matches!(
            selector_parts(b"/.git/config"),
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
        assert_eq!(parent_selector(b"/docs/"), b"/");
        assert_eq!(parent_selector(b"/docs/deep/"), b"/docs");
    }
}
