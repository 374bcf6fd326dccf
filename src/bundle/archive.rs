//! The tar stream reader: entries in stream order, nested archives opened in place, every
//! failure and every limit reached turned into an input problem.

use std::io::{self, Cursor, Read};
use std::path::PathBuf;
use std::sync::Arc;

use flate2::read::MultiGzDecoder;

use super::watch::{Watch, short_error};
use super::{Budget, Entry, EntryKind, HEAD_BYTES, Limits, Visitor, inflate, is_gzip, is_tar, names, xz};
use crate::artifact::InputProblem;

/// State of one read: limits, counters, problems and the visitor.
pub struct Cx<'a, 'v> {
    limits: &'a Limits,
    pub(super) budget: Arc<Budget>,
    problems: Vec<InputProblem>,
    entries: u64,
    stopped: bool,
    visit: &'a mut Visitor<'v>,
}

impl<'a, 'v> Cx<'a, 'v> {
    /// A fresh read.
    pub fn new(limits: &'a Limits, budget: Arc<Budget>, visit: &'a mut Visitor<'v>) -> Self {
        Cx {
            limits,
            budget,
            problems: Vec::new(),
            entries: 0,
            stopped: false,
            visit,
        }
    }

    /// The problems met and the number of entries handed over.
    pub fn finish(self) -> (Vec<InputProblem>, u64) {
        (self.problems, self.entries)
    }

    /// Whether reading must stop (a whole-source limit was reached).
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// Records a problem.
    pub fn problem(&mut self, path: &str, error: impl Into<String>) {
        self.problems.push(InputProblem::new(path, error));
    }

    /// Stops the read once the total-bytes cap was reached, reporting it once.
    fn check_budget(&mut self, path: &str) -> bool {
        if self.budget.exhausted() && !self.stopped {
            self.stopped = true;
            let limit = self.budget.limit();
            self.problem(
                path,
                format!("max_total_bytes ({limit} bytes) reached here; the rest of the source was not read"),
            );
        }
        self.stopped
    }

    /// Hands a symlink or hard link to the visitor. `root` is the bundle-path prefix the link
    /// must stay under (the directory input's or the archive's), named `scope` in problems;
    /// a symlink that climbs out of it is reported (it is never followed there).
    pub fn link(&mut self, path: String, kind: EntryKind, mtime: Option<i64>, root: &str, scope: &str) {
        if !self.count(&path) {
            return;
        }
        if let EntryKind::Symlink(target) = &kind {
            if names::link_climbs_out(root, &path, target) {
                self.problem(
                    &path,
                    format!("link target `{target}` points outside {scope}; never followed there"),
                );
            }
        }
        let mut empty = io::empty();
        let entry = Entry {
            path: path.clone(),
            size: 0,
            mtime,
            kind,
            head: Vec::new(),
            body: &mut empty,
            disk_path: None,
        };
        if let Err(e) = (self.visit)(entry) {
            self.problem(&path, short_error(&e));
        }
    }

    /// Counts an entry against `max_entries`; false (and the read stops) past it.
    fn count(&mut self, path: &str) -> bool {
        if self.stopped {
            return false;
        }
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            self.stopped = true;
            let limit = self.limits.max_entries;
            self.problem(
                path,
                format!("max_entries ({limit}) reached here; the rest of the source was not read"),
            );
            return false;
        }
        true
    }

    /// Hands a regular file to the visitor, or opens it as an archive when it is one
    /// (gzip-compressed files that are not archives are handed over decompressed).
    pub fn file(
        &mut self,
        path: &str,
        size: u64,
        mtime: Option<i64>,
        body: &mut dyn Read,
        depth: u32,
        disk_path: Option<PathBuf>,
    ) {
        if !self.count(path) {
            return;
        }
        let head = match read_head(body, HEAD_BYTES) {
            Ok(h) => h,
            Err(e) => {
                if !self.check_budget(path) {
                    self.problem(path, format!("read failed: {}", short_error(&e)));
                }
                return;
            }
        };
        if is_gzip(&head) || xz::is_xz(&head) {
            let budget = self.budget.clone();
            let kind = if is_gzip(&head) { "gzip" } else { "xz" };
            let compressed = Cursor::new(head).chain(&mut *body);
            let decoder: Box<dyn Read + '_> = if kind == "gzip" {
                Box::new(MultiGzDecoder::new(compressed))
            } else {
                Box::new(xz::decoder(compressed))
            };
            let mut gz = Watch::new(budget.meter(decoder));
            let tripped = gz.tripped.clone();
            let inner = match read_head(&mut gz, HEAD_BYTES) {
                Ok(h) => h,
                Err(e) => {
                    if !self.check_budget(path) {
                        self.problem(path, format!("corrupt {kind} data: {}", short_error(&e)));
                    }
                    return;
                }
            };
            if is_tar(&inner) && depth < self.limits.max_nesting {
                let mut stream = Cursor::new(inner).chain(gz);
                self.tar(path, path, &mut stream, depth + 1);
                return;
            }
            if is_tar(&inner) {
                self.nesting_problem(path);
            }
            // Handed over decompressed: the file on disk is not what the visitor reads.
            self.hand_over(path, size, mtime, inner, &mut gz, None);
            if let Some(e) = tripped.borrow().clone() {
                if !self.check_budget(path) {
                    self.problem(path, format!("{kind} data ends early or is corrupt: {e}"));
                }
            }
            return;
        }
        if is_tar(&head) && depth < self.limits.max_nesting {
            let mut stream = Cursor::new(head).chain(body);
            self.tar(path, path, &mut stream, depth + 1);
            return;
        }
        if is_tar(&head) {
            self.nesting_problem(path);
        }
        self.hand_over(path, size, mtime, head, body, disk_path);
    }

    fn nesting_problem(&mut self, path: &str) {
        let limit = self.limits.max_nesting;
        self.problem(
            path,
            format!("archive nested deeper than max_nesting ({limit}); not opened"),
        );
    }

    fn hand_over(
        &mut self,
        path: &str,
        size: u64,
        mtime: Option<i64>,
        head: Vec<u8>,
        body: &mut dyn Read,
        disk_path: Option<PathBuf>,
    ) {
        let entry = Entry {
            path: path.to_string(),
            size,
            mtime,
            kind: EntryKind::File,
            head,
            body,
            disk_path,
        };
        if let Err(e) = (self.visit)(entry) {
            self.problem(path, short_error(&e));
        }
        self.check_budget(path);
    }

    /// Reads a tar stream whose entries are named `prefix/<name>`; `label` names the
    /// archive in problems. `depth` is this archive's nesting depth (0 = the input itself).
    pub fn tar(&mut self, label: &str, prefix: &str, stream: &mut dyn Read, depth: u32) {
        let inner_scope = format!("archive `{prefix}`");
        let scope = if depth == 0 {
            "the bundle"
        } else {
            inner_scope.as_str()
        };
        let watch = Watch::new(stream);
        let tripped = watch.tripped.clone();
        let offset = watch.offset.clone();
        let mut archive = tar::Archive::new(watch);
        let mut last = String::new();
        let mut broken = false;
        match archive.entries() {
            Err(e) => {
                self.problem(label, format!("not a readable tar archive: {}", short_error(&e)));
                return;
            }
            Ok(entries) => {
                for item in entries {
                    if self.stopped {
                        return;
                    }
                    let mut entry = match item {
                        Ok(e) => e,
                        Err(e) => {
                            if !self.check_budget(label) {
                                let why = tripped.borrow().clone().unwrap_or_else(|| short_error(&e));
                                let at = *offset.borrow();
                                self.problem(label, stopped_at(at, &last, &why));
                            }
                            broken = true;
                            break;
                        }
                    };
                    let raw = entry.path_bytes().into_owned();
                    let (path, renamed) = names::entry_path(prefix, &raw);
                    let shown = path.clone().unwrap_or_else(|| label.to_string());
                    if let Some(why) = renamed {
                        self.problem(&shown, why);
                    }
                    let header = entry.header();
                    let kind = header.entry_type();
                    let mtime = header.mtime().ok().and_then(|m| i64::try_from(m).ok());
                    let link = entry
                        .link_name_bytes()
                        .map(|l| String::from_utf8_lossy(&l).replace('\0', "\u{fffd}"));
                    if let Some(path) = path {
                        if kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse() {
                            let size = entry.size();
                            self.file(&path, size, mtime, &mut entry, depth, None);
                        } else if kind.is_symlink() {
                            let target = EntryKind::Symlink(link.unwrap_or_default());
                            self.link(path.clone(), target, mtime, prefix, scope);
                        } else if kind.is_hard_link() {
                            let raw = link.unwrap_or_default();
                            if raw.starts_with('/') || names::link_climbs_out("", "", &raw) {
                                self.problem(
                                    &path,
                                    format!(
                                        "hard link target `{raw}` points outside {scope}; read inside it"
                                    ),
                                );
                            }
                            let target = names::entry_path(prefix, raw.as_bytes()).0;
                            let target = target
                                .map(|t| names::relative_link(&path, &t))
                                .unwrap_or_default();
                            self.link(path.clone(), EntryKind::Hardlink(target), mtime, prefix, scope);
                        } else if kind.is_character_special() || kind.is_block_special() || kind.is_fifo() {
                            self.problem(&path, "device or fifo entry skipped");
                        }
                        last = path;
                    }
                    if tripped.borrow().is_some() {
                        if !self.check_budget(&last) {
                            let why = tripped.borrow().clone().unwrap_or_default();
                            let at = *offset.borrow();
                            self.problem(label, stopped_at(at, &last, &why));
                        }
                        broken = true;
                        break;
                    }
                    if self.check_budget(&last) {
                        return;
                    }
                }
            }
        }
        if broken || self.stopped {
            return;
        }
        // After the end-of-archive marker: only zero padding may follow.
        let mut rest = archive.into_inner();
        let mut buf = vec![0u8; 64 << 10];
        let mut junk = 0u64;
        loop {
            match rest.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    junk += buf
                        .get(..n)
                        .unwrap_or_default()
                        .iter()
                        .filter(|&&b| b != 0)
                        .count() as u64
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    if !self.check_budget(label) {
                        let at = *offset.borrow();
                        self.problem(label, stopped_at(at, &last, &short_error(&e)));
                    }
                    return;
                }
            }
        }
        if junk > 0 {
            self.problem(label, "trailing data after the end of the tar archive ignored");
        }
    }
}

fn stopped_at(offset: u64, last: &str, why: &str) -> String {
    let after = if last.is_empty() {
        "before the first entry".to_string()
    } else {
        format!("after entry `{last}`")
    };
    format!(
        "archive ends early or is corrupt at unpacked byte {offset}, {after}: {why}; entries before it were read"
    )
}

/// Reads up to `max` bytes (fewer only at the end of the stream). When the stream fails
/// after some bytes, those bytes are returned: every stream here is wrapped in a [`Watch`]
/// that repeats its error on the next read, so the failure is still seen and reported, and
/// what came before it is still read.
pub fn read_head(r: &mut dyn Read, max: usize) -> io::Result<Vec<u8>> {
    let mut head = vec![0u8; max];
    let mut filled = 0;
    while filled < max {
        match r.read(head.get_mut(filled..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if filled == 0 => return Err(e),
            Err(_) => break,
        }
    }
    head.truncate(filled);
    Ok(head)
}

/// Reads the input file: a gzip or xz stream (decompressed on its own thread), a tar, or a
/// single file.
pub fn top_level<R: Read + Send + 'static>(
    cx: &mut Cx<'_, '_>,
    label: &str,
    name: &str,
    size: u64,
    mtime: Option<i64>,
    mut file: R,
) {
    let head = match read_head(&mut file, 512) {
        Ok(h) => h,
        Err(e) => {
            cx.problem(label, format!("read failed: {}", short_error(&e)));
            return;
        }
    };
    let budget = cx.budget.clone();
    if xz::is_xz(&head) {
        let decoded = inflate::spawn_decoder(Cursor::new(head).chain(file), budget.clone(), |disk| {
            Box::new(xz::decoder(disk))
        });
        let mut stream = Watch::new(budget.meter(decoded));
        decompressed(cx, label, name, size, mtime, "xz", &mut stream);
        return;
    }
    if !is_gzip(&head) {
        let mut stream = budget.meter(budget.disk(Cursor::new(head).chain(file)));
        if let Ok(head) = read_head(&mut stream, HEAD_BYTES) {
            if is_tar(&head) {
                let mut stream = Cursor::new(head).chain(stream);
                cx.tar(label, "", &mut stream, 0);
                return;
            }
            let lower = name.to_ascii_lowercase();
            if [".tar", ".tgz", ".gz"].iter().any(|x| lower.ends_with(x)) {
                cx.problem(
                    label,
                    "neither a tar archive nor gzip data despite its name; read as a single file",
                );
            }
            let mut stream = Cursor::new(head).chain(stream);
            cx.file(name, size, mtime, &mut stream, 0, None);
        } else {
            cx.problem(label, "read failed");
        }
        return;
    }
    let inflated = inflate::spawn(Cursor::new(head).chain(file), budget.clone());
    let mut stream = Watch::new(budget.meter(inflated));
    decompressed(cx, label, name, size, mtime, "gzip", &mut stream);
}

/// Reads a decompressed top-level stream: a tar, or a single compressed file.
fn decompressed<R: Read>(
    cx: &mut Cx<'_, '_>,
    label: &str,
    name: &str,
    size: u64,
    mtime: Option<i64>,
    kind: &str,
    stream: &mut Watch<R>,
) {
    let inner = match read_head(stream, HEAD_BYTES) {
        Ok(h) => h,
        Err(e) => {
            if !cx.check_budget(label) {
                cx.problem(label, format!("corrupt {kind} data: {}", short_error(&e)));
            }
            return;
        }
    };
    if is_tar(&inner) {
        let mut stream = Cursor::new(inner).chain(stream);
        cx.tar(label, "", &mut stream, 0);
        return;
    }
    if !cx.count(name) {
        return;
    }
    let tripped = stream.tripped.clone();
    cx.hand_over(name, size, mtime, inner, stream, None);
    if let Some(e) = tripped.borrow().clone() {
        if !cx.check_budget(name) {
            cx.problem(label, format!("{kind} data ends early or is corrupt: {e}"));
        }
    }
}
