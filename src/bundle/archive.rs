//! The tar stream reader: entries in stream order, nested archives opened in place, every
//! failure and every limit reached turned into an input problem.

use std::io::{self, Cursor, Read};
use std::sync::Arc;

use super::formats::{Compression, describe, is_zip};
use super::watch::{Watch, short_error};
use super::{
    Budget, DiskFile, Entry, EntryKind, HEAD_BYTES, Limits, Visitor, inflate, is_tar, names, xz, zipped,
};
use crate::model::InputProblem;

/// State of one read: limits, counters, problems and the visitor.
pub struct Cx<'a, 'v> {
    limits: &'a Limits,
    pub(super) budget: Arc<Budget>,
    problems: Vec<InputProblem>,
    entries: u64,
    stopped: bool,
    /// Why the input itself ended early or broke (a cut or corrupt top-level archive).
    cut: Option<String>,
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
            cut: None,
            visit,
        }
    }

    /// The problems met, the number of entries handed over, and why the input itself was
    /// cut short (if it was).
    pub fn finish(self) -> (Vec<InputProblem>, u64, Option<String>) {
        (self.problems, self.entries, self.cut)
    }

    /// The limits of this read.
    pub fn limits(&self) -> &Limits {
        self.limits
    }

    /// Records that the input itself ended early or broke at `depth` 0.
    pub(super) fn cut_at(&mut self, depth: u32, why: &str) {
        if depth == 0 && self.cut.is_none() {
            self.cut = Some(why.to_string());
        }
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
    pub(super) fn check_budget(&mut self, path: &str) -> bool {
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
    pub(super) fn count(&mut self, path: &str) -> bool {
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
        disk_path: Option<DiskFile>,
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
        if let Some(kind) = Compression::sniff(&head) {
            let budget = self.budget.clone();
            let compressed = Cursor::new(head).chain(&mut *body);
            let mut dec = Watch::new(budget.meter(kind.decoder(compressed)));
            let tripped = dec.tripped.clone();
            let name = kind.name();
            let inner = match read_head(&mut dec, HEAD_BYTES) {
                Ok(h) => h,
                Err(e) => {
                    if !self.check_budget(path) {
                        self.problem(path, format!("corrupt {name} data: {}", short_error(&e)));
                    }
                    return;
                }
            };
            if self.archive(path, inner.as_slice(), depth) {
                let mut stream = Cursor::new(inner).chain(dec);
                self.open_archive(path, &mut stream, depth);
                return;
            }
            // Handed over decompressed: the file on disk is not what the visitor reads.
            self.hand_over(path, size, mtime, inner, &mut dec, None);
            if let Some(e) = tripped.borrow().clone() {
                if !self.check_budget(path) {
                    self.problem(path, format!("{name} data ends early or is corrupt: {e}"));
                }
            }
            return;
        }
        if self.archive(path, &head, depth) {
            let mut stream = Cursor::new(head).chain(body);
            self.open_archive(path, &mut stream, depth);
            return;
        }
        if depth < self.limits.max_nesting && super::clusterinfo::is_stdout_dump(path, &head) {
            self.cluster_info_dump(path, mtime, head, body, depth);
            return;
        }
        self.hand_over(path, size, mtime, head, body, disk_path);
    }

    /// A `kubectl cluster-info dump` written to one file: read (up to `max_entry_bytes`) and
    /// its parts handed over as the files `--output-directory` would have written, under the
    /// file's own path (`dump.txt/nodes.json`, `dump.txt/<ns>/<pod>/logs.txt`).
    fn cluster_info_dump(
        &mut self,
        path: &str,
        mtime: Option<i64>,
        head: Vec<u8>,
        body: &mut dyn Read,
        depth: u32,
    ) {
        let cap = self.limits.max_entry_bytes;
        let mut all = head;
        let room = cap.saturating_sub(all.len() as u64).saturating_add(1);
        if let Err(e) = body.take(room).read_to_end(&mut all) {
            self.problem(path, format!("read failed: {}", short_error(&e)));
            return;
        }
        if all.len() as u64 > cap {
            self.problem(
                path,
                format!("cluster-info dump larger than max_entry_bytes ({cap} bytes); only its first {cap} bytes were read"),
            );
            all.truncate(usize::try_from(cap).unwrap_or(usize::MAX));
        }
        let text = String::from_utf8_lossy(&all).into_owned();
        drop(all);
        for (rel, part) in super::clusterinfo::split(&text) {
            let bytes = part.into_bytes();
            let size = bytes.len() as u64;
            self.file(
                &format!("{path}/{rel}"),
                size,
                mtime,
                &mut Cursor::new(bytes),
                depth + 1,
                None,
            );
        }
    }

    /// Whether `head` starts an archive to open in place at `depth` (reporting one that is
    /// nested too deep, which is then handed over as a file).
    fn archive(&mut self, path: &str, head: &[u8], depth: u32) -> bool {
        let archive = is_tar(head) || is_zip(head);
        if archive && depth >= self.limits.max_nesting {
            self.nesting_problem(path);
            return false;
        }
        archive
    }

    /// Opens the tar or zip archive `stream` found at `path` inside the bundle.
    fn open_archive(&mut self, path: &str, stream: &mut dyn Read, depth: u32) {
        let mut head = match read_head(stream, 512) {
            Ok(h) => h,
            Err(e) => {
                self.problem(path, format!("read failed: {}", short_error(&e)));
                return;
            }
        };
        if is_zip(&head) {
            zipped::nested(
                self,
                path,
                Cursor::new(std::mem::take(&mut head)).chain(stream),
                depth + 1,
            );
        } else {
            let mut stream = Cursor::new(head).chain(stream);
            self.tar(path, path, &mut stream, depth + 1);
        }
    }

    fn nesting_problem(&mut self, path: &str) {
        let limit = self.limits.max_nesting;
        self.problem(
            path,
            format!("archive nested deeper than max_nesting ({limit}); not opened"),
        );
    }

    pub(super) fn hand_over(
        &mut self,
        path: &str,
        size: u64,
        mtime: Option<i64>,
        head: Vec<u8>,
        body: &mut dyn Read,
        disk_path: Option<DiskFile>,
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
        // Raw entries: GNU long names and pax headers are read here, under a cap, instead of
        // being buffered whole by the tar crate (a 256 MB long name would be held in memory).
        let entries = match archive.entries() {
            Ok(entries) => entries.raw(true),
            Err(e) => {
                self.problem(label, format!("not a readable tar archive: {}", short_error(&e)));
                return;
            }
        };
        let mut ext = Extensions::default();
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
                        let text = stopped_at(at, &last, &why);
                        self.cut_at(depth, &text);
                        self.problem(label, text);
                    }
                    broken = true;
                    break;
                }
            };
            let header = entry.header();
            let kind = header.entry_type();
            let at = if last.is_empty() {
                label.to_string()
            } else {
                last.clone()
            };
            if kind.is_gnu_longname()
                || kind.is_gnu_longlink()
                || kind.is_pax_local_extensions()
                || kind.is_pax_global_extensions()
            {
                match ext.read(&mut entry, kind, self.limits.max_entry_bytes) {
                    Ok(()) => {}
                    Err(why) => self.problem(&at, why),
                }
            } else if ext.refused.is_some() {
                // The entry a refused long name or pax header describes is not read.
                ext = Extensions::default();
            } else if let Some(size) = ext.size.filter(|&n| n != entry.size()) {
                let text = format!(
                    "entry size {size} given only in a pax header (entries over 8 GiB) is not supported; the rest of the archive was not read"
                );
                self.cut_at(depth, &text);
                self.problem(&at, text);
                broken = true;
                break;
            } else {
                let done = std::mem::take(&mut ext);
                let raw = done.name.unwrap_or_else(|| entry.path_bytes().into_owned());
                let link = done
                    .link
                    .or_else(|| entry.link_name_bytes().map(std::borrow::Cow::into_owned))
                    .map(|l| String::from_utf8_lossy(&l).replace('\0', "\u{fffd}"));
                if let Some(path) = self.tar_entry(&mut entry, &raw, link, label, prefix, scope, depth) {
                    last = path;
                }
            }
            if tripped.borrow().is_some() {
                if !self.check_budget(&last) {
                    let why = tripped.borrow().clone().unwrap_or_default();
                    let at = *offset.borrow();
                    let text = stopped_at(at, &last, &why);
                    self.cut_at(depth, &text);
                    self.problem(label, text);
                }
                broken = true;
                break;
            }
            if self.check_budget(&last) {
                return;
            }
        }
        if !broken && !self.stopped && (ext.name.is_some() || ext.link.is_some() || ext.refused.is_some()) {
            self.problem(label, "a long name or pax header at the end describes no entry");
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
    /// Hands one real tar entry (named `raw`, linking to `link`) to the visitor; returns its
    /// bundle path.
    #[allow(clippy::too_many_arguments)]
    fn tar_entry<R: Read>(
        &mut self,
        entry: &mut tar::Entry<'_, R>,
        raw: &[u8],
        link: Option<String>,
        label: &str,
        prefix: &str,
        scope: &str,
        depth: u32,
    ) -> Option<String> {
        if let Some(why) = names::too_long(raw, raw.len() as u64) {
            self.problem(label, why);
            return None;
        }
        let (path, renamed) = names::entry_path(prefix, raw);
        let shown = path.clone().unwrap_or_else(|| label.to_string());
        if let Some(why) = renamed {
            self.problem(&shown, why);
        }
        let header = entry.header();
        let kind = header.entry_type();
        let mtime = header.mtime().ok().and_then(|m| i64::try_from(m).ok());
        let path = path?;
        if kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse() {
            if kind.is_gnu_sparse() {
                self.problem(&path, "GNU sparse file: read as stored, without its holes");
            }
            let size = entry.size();
            self.file(&path, size, mtime, entry, depth, None);
        } else if kind.is_symlink() {
            let target = EntryKind::Symlink(link.unwrap_or_default());
            self.link(path.clone(), target, mtime, prefix, scope);
        } else if kind.is_hard_link() {
            let raw = link.unwrap_or_default();
            if raw.starts_with('/') || names::link_climbs_out("", "", &raw) {
                self.problem(
                    &path,
                    format!("hard link target `{raw}` points outside {scope}; read inside it"),
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
        Some(path)
    }
}

/// Largest pax extended header read (it holds a name, a link target, times and extended
/// attributes); `--max-entry-bytes` lowers it.
const PAX_CAP: u64 = 1 << 20;

/// What GNU long-name/long-link entries and pax headers said about the next entry, read
/// under caps: a name over [`names::NAME_CAP`] or a header over its cap is reported and the
/// entry it describes is skipped without reading the name into memory.
#[derive(Default)]
struct Extensions {
    name: Option<Vec<u8>>,
    link: Option<Vec<u8>>,
    size: Option<u64>,
    /// Why the next entry is skipped.
    refused: Option<String>,
}

impl Extensions {
    /// Reads one extension entry of `kind`; `Err` is the problem to report (the entry it
    /// describes is then skipped).
    fn read<R: Read>(
        &mut self,
        entry: &mut tar::Entry<'_, R>,
        kind: tar::EntryType,
        max_entry: u64,
    ) -> Result<(), String> {
        let size = entry.size();
        let long = kind.is_gnu_longname() || kind.is_gnu_longlink();
        let what = if long { "GNU long name" } else { "pax header" };
        let cap = if long { names::NAME_CAP as u64 } else { PAX_CAP }.min(max_entry);
        if size > cap {
            let first = read_head(entry, 64).unwrap_or_default();
            let why = if long {
                names::too_long(&first, size).unwrap_or_default()
            } else {
                format!(
                    "{what} of {size} bytes is larger than {cap} bytes (max_entry_bytes applies); not read, and the entry it describes was skipped"
                )
            };
            if !kind.is_pax_global_extensions() {
                self.refused = Some(why.clone());
            }
            return Err(why);
        }
        let mut data = Vec::new();
        if let Err(e) = entry.take(cap).read_to_end(&mut data) {
            return Err(format!("{what} could not be read: {}", short_error(&e)));
        }
        if kind.is_pax_global_extensions() {
            return Ok(());
        }
        if long {
            if data.last() == Some(&0) {
                data.pop();
            }
            if kind.is_gnu_longname() {
                self.name = Some(data);
            } else {
                self.link = Some(data);
            }
            return Ok(());
        }
        for field in tar::PaxExtensions::new(&data) {
            let Ok(field) = field else {
                self.refused = Some("pax header is malformed".to_string());
                return Err("pax header is malformed; the entry it describes was skipped".to_string());
            };
            match field.key_bytes() {
                b"path" => {
                    let value = field.value_bytes();
                    if let Some(why) = names::too_long(value, value.len() as u64) {
                        self.refused = Some(why.clone());
                        return Err(why);
                    }
                    self.name = Some(value.to_vec());
                }
                b"linkpath" => self.link = Some(field.value_bytes().to_vec()),
                b"size" => {
                    self.size = field.value().ok().and_then(|v| v.trim().parse().ok());
                }
                _ => {}
            }
        }
        Ok(())
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
    // Heads may be kept per entry: keep what was read, not `max` bytes each.
    head.shrink_to_fit();
    Ok(head)
}

/// Reads the input file by its content: a compressed stream (gzip and xz are decoded on
/// their own thread), a tar, or a zip (here buffered: a zip on disk is read in place by
/// [`zipped::top_level`]). `Err` says what the input looks like when it is none of them, or
/// when not a single entry could be decoded from it.
pub fn top_level<R: Read + Send + 'static>(
    cx: &mut Cx<'_, '_>,
    label: &str,
    mut file: R,
) -> Result<(), String> {
    let head = read_head(&mut file, HEAD_BYTES).map_err(|e| format!("unreadable ({})", short_error(&e)))?;
    let budget = cx.budget.clone();
    let Some(kind) = Compression::sniff(&head) else {
        let mut stream = budget.meter(budget.disk(Cursor::new(head).chain(file)));
        let head =
            read_head(&mut stream, HEAD_BYTES).map_err(|e| format!("unreadable ({})", short_error(&e)))?;
        if is_tar(&head) {
            let mut stream = Cursor::new(head).chain(stream);
            cx.tar(label, "", &mut stream, 0);
            return Ok(());
        }
        if is_zip(&head) {
            zipped::nested(cx, label, Cursor::new(head).chain(stream), 0);
            return Ok(());
        }
        // `kubectl cluster-info dump > dump.txt` given as the bundle itself: its parts, under
        // the file's name (`dump.txt/nodes.json`), as when it sits in a folder.
        if super::clusterinfo::is_stdout_dump(label, &head) {
            let name = label.rsplit('/').next().unwrap_or(label).to_string();
            let mut stream = Cursor::new(head).chain(stream);
            cx.file(&name, 0, None, &mut stream, 0, None);
            return Ok(());
        }
        return Err(describe(&head));
    };
    let compressed = Cursor::new(head).chain(file);
    let mut stream = if kind == Compression::Gzip {
        let inflated: Box<dyn Read> = Box::new(inflate::spawn(compressed, budget.clone()));
        Watch::new(budget.meter(inflated))
    } else if kind == Compression::Xz {
        // xz (every sosreport) is decoded on its own thread too, multi-block files by
        // liblzma's threaded decoder, so decoding and the scan overlap as for gzip.
        let decoded: Box<dyn Read> = Box::new(inflate::spawn_decoder(compressed, budget.clone(), |disk| {
            Box::new(xz::decoder(disk))
        }));
        Watch::new(budget.meter(decoded))
    } else {
        Watch::new(budget.meter(kind.decoder(budget.disk(compressed))))
    };
    let name = kind.name();
    let inner = match read_head(&mut stream, HEAD_BYTES) {
        Ok(h) => h,
        Err(e) => {
            if cx.check_budget(label) {
                return Ok(());
            }
            return Err(format!(
                "{name} data that cannot be decoded ({})",
                short_error(&e)
            ));
        }
    };
    if is_tar(&inner) {
        let mut stream = Cursor::new(inner).chain(stream);
        cx.tar(label, "", &mut stream, 0);
        return Ok(());
    }
    if is_zip(&inner) {
        zipped::nested(cx, label, Cursor::new(inner).chain(stream), 0);
        return Ok(());
    }
    if stream.tripped.borrow().is_some() && inner.is_empty() {
        return Err(format!("{name} data that cannot be decoded"));
    }
    Err(format!(
        "{name} data holding {}, not an archive",
        describe(&inner)
    ))
}
