//! Directory inputs: a sorted walk that never follows a symlink and cannot be raced.
//!
//! Every entry is opened relative to its folder's open handle (`openat`) with `O_NOFOLLOW`
//! and `O_NONBLOCK`, and judged by `fstat` of what was opened, never by an earlier `lstat`
//! of the name: swapping a file for a symlink while the walk runs makes the open fail (the
//! entry is then read as the link it now is), swapping it for a FIFO or device yields a
//! handle that is reported and closed without a read, and a folder swapped for a symlink is
//! never entered. Links are recorded with their target, so a link out of the root or a link
//! loop is never followed. A log read later (several at once, after the walk) is reopened
//! through [`DiskFile::open`], which checks that it is still the very file the walk saw.

use std::ffi::{CStr, OsStr};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use rustix::fs::{Dir, FileType, Mode, OFlags, Stat};
use rustix::io::Errno;
use walkdir::WalkDir;

use super::archive::Cx;
use super::watch::Watch;
use super::{EntryKind, names};

/// Folders nested deeper than this are reported and not entered (each level holds an open
/// handle while the walk is below it).
const MAX_DEPTH: usize = 200;

/// Flags every entry is opened with: read only, the last component never followed, no
/// blocking on a FIFO, no controlling terminal.
fn entry_flags() -> OFlags {
    OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC
}

/// A regular file of a directory input, for a deferred read: its path and the identity
/// (device, inode) the walk saw.
#[derive(Clone, Debug)]
pub struct DiskFile {
    /// The path on disk.
    pub path: PathBuf,
    dev: u64,
    ino: u64,
}

impl DiskFile {
    /// Opens the file again without following a link, and only if it is still the regular
    /// file the walk read (same device and inode); anything else is an error, never a read.
    pub fn open(&self) -> io::Result<File> {
        let fd = rustix::fs::open(&self.path, entry_flags(), Mode::empty())?;
        let st = rustix::fs::fstat(&fd)?;
        if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile
            || st.st_dev != self.dev
            || st.st_ino != self.ino
        {
            return Err(io::Error::other("changed while the bundle was read; not read"));
        }
        Ok(File::from(fd))
    }
}

/// The bundle-path prefix of a directory input: the directory's own name.
pub fn root_name(root: &Path) -> String {
    let canon = root.canonicalize().ok();
    canon
        .as_deref()
        .unwrap_or(root)
        .file_name()
        .map_or_else(|| "bundle".to_string(), |n| n.to_string_lossy().into_owned())
}

/// Sum of the sizes of the regular files under `root` (for the progress bar only).
pub fn total_size(root: &Path) -> u64 {
    WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// Walks `root` in file-name order and hands every file and symlink to the visitor.
/// `Err` when the folder itself cannot be opened or listed.
pub fn walk(root: &Path, cx: &mut Cx<'_, '_>) -> io::Result<()> {
    let prefix = root_name(root);
    let fd = rustix::fs::open(
        root,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::NONBLOCK,
        Mode::empty(),
    )?;
    let names = list(&fd)?;
    let mut walker = Walker { cx, prefix };
    walker.children(&fd, root, "", names, 0);
    Ok(())
}

/// The entry names of an open folder, sorted bytewise, without `.` and `..`.
fn list(fd: &OwnedFd) -> io::Result<Vec<Vec<u8>>> {
    let dir = Dir::read_from(fd)?;
    let mut names = Vec::new();
    for item in dir {
        let item = item?;
        let name = item.file_name().to_bytes();
        if name != b"." && name != b".." {
            names.push(name.to_vec());
        }
    }
    names.sort();
    Ok(names)
}

struct Walker<'c, 'a, 'v> {
    cx: &'c mut Cx<'a, 'v>,
    prefix: String,
}

impl Walker<'_, '_, '_> {
    /// Visits the entries `names` of the open folder `dir` (at `disk` on disk, `rel` inside
    /// the bundle).
    fn children(&mut self, dir: &OwnedFd, disk: &Path, rel: &str, names: Vec<Vec<u8>>, depth: usize) {
        for name in names {
            if self.cx.stopped() {
                return;
            }
            let shown = String::from_utf8_lossy(&name).into_owned();
            let rel = if rel.is_empty() {
                shown
            } else {
                format!("{rel}/{shown}")
            };
            let path = names::join(&self.prefix, &rel);
            let on_disk = disk.join(OsStr::from_bytes(&name));
            self.one(dir, &name, &on_disk, &rel, path, depth);
        }
    }

    fn one(&mut self, dir: &OwnedFd, name: &[u8], on_disk: &Path, rel: &str, path: String, depth: usize) {
        let fd = match rustix::fs::openat(dir, name, entry_flags(), Mode::empty()) {
            Ok(fd) => fd,
            // O_NOFOLLOW on a symlink: ELOOP (Linux), EMLINK (FreeBSD), EFTYPE (NetBSD).
            Err(e) if e == Errno::LOOP || e == Errno::MLINK => {
                self.link(dir, name, path);
                return;
            }
            // A socket cannot be opened at all.
            Err(e) if e == Errno::NXIO || e == Errno::OPNOTSUPP => {
                self.cx.problem(&path, "device, socket or fifo skipped");
                return;
            }
            Err(e) => {
                let e = io::Error::from(e);
                self.cx
                    .problem(&path, format!("cannot open: {}", e.to_string().to_lowercase()));
                return;
            }
        };
        let st = match rustix::fs::fstat(&fd) {
            Ok(st) => st,
            Err(e) => {
                let e = io::Error::from(e);
                self.cx
                    .problem(&path, format!("cannot stat: {}", e.to_string().to_lowercase()));
                return;
            }
        };
        match FileType::from_raw_mode(st.st_mode) {
            FileType::Directory => {
                if depth + 1 >= MAX_DEPTH {
                    self.cx.problem(
                        &path,
                        format!("folder nested deeper than {MAX_DEPTH} levels; not read"),
                    );
                    return;
                }
                match list(&fd) {
                    Ok(names) => self.children(&fd, on_disk, rel, names, depth + 1),
                    Err(e) => self
                        .cx
                        .problem(&path, format!("cannot read: {}", e.to_string().to_lowercase())),
                }
            }
            FileType::RegularFile => self.file(fd, &st, on_disk, path),
            // O_NOFOLLOW with O_PATH-less opens never yields a link; be safe anyway.
            FileType::Symlink => self.link(dir, name, path),
            _ => self.cx.problem(&path, "device, socket or fifo skipped"),
        }
    }

    fn link(&mut self, dir: &OwnedFd, name: &[u8], path: String) {
        match rustix::fs::readlinkat(dir.as_fd(), name, Vec::new()) {
            Ok(target) => {
                let target = cstr_text(&target);
                let mtime = rustix::fs::statat(dir, name, rustix::fs::AtFlags::SYMLINK_NOFOLLOW)
                    .ok()
                    .map(|st| st.st_mtime);
                let prefix = self.prefix.clone();
                self.cx
                    .link(path, EntryKind::Symlink(target), mtime, &prefix, "the bundle");
            }
            // Swapped again between the open and the readlink: whatever it is now is not
            // read; the change is reported.
            Err(e) => {
                let e = io::Error::from(e);
                self.cx.problem(
                    &path,
                    format!(
                        "changed while the bundle was read: {}",
                        e.to_string().to_lowercase()
                    ),
                );
            }
        }
    }

    fn file(&mut self, fd: OwnedFd, st: &Stat, on_disk: &Path, path: String) {
        let size = u64::try_from(st.st_size).unwrap_or(0);
        let mtime = Some(st.st_mtime);
        let disk = DiskFile {
            path: on_disk.to_path_buf(),
            dev: st.st_dev,
            ino: st.st_ino,
        };
        let budget = self.cx.budget.clone();
        let mut body = Watch::new(budget.meter(budget.disk(File::from(fd))));
        let tripped = body.tripped.clone();
        self.cx.file(&path, size, mtime, &mut body, 0, Some(disk));
        let failed = tripped.borrow().clone();
        if let Some(e) = failed {
            if !budget.exhausted() {
                self.cx.problem(&path, format!("read failed: {e}"));
            }
        }
    }
}

/// A link target as text (lossy UTF-8).
fn cstr_text(c: &CStr) -> String {
    String::from_utf8_lossy(c.to_bytes()).into_owned()
}
