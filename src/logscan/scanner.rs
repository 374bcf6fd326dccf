//! The streaming scan: large reusable buffers, newline bookkeeping with memchr, one
//! Aho-Corasick pass over whole buffers to find candidate lines, regexes only on those.
//!
//! A line that holds no rule's literal costs its share of one memchr count and one
//! Aho-Corasick pass; it is never copied, decoded or allocated for. Lines longer than
//! `Limits::max_line_bytes` are matched on their first `max_line_bytes` bytes and the rest
//! is skipped without buffering it. A trailing `\r` is dropped (CRLF logs).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};
use std::sync::{Arc, Mutex};

use time::OffsetDateTime;

use crate::artifact::k8s::EventRecord;
use crate::bundle::Limits;
use crate::logscan::LogSyntax;
use crate::logscan::compiled::RuleSet;
use crate::logscan::keys;
use crate::logscan::record::{self, Record};
use crate::logscan::stamp::{self, Stamp, Yearless};
use crate::logscan::{LogEnd, LogHits, LogSummary, component, max_opt, min_opt};
use crate::model::CertKey;

/// A log being scanned: its bundle path and the node whose tree holds it.
#[derive(Clone, Debug)]
pub struct LogSource {
    /// Bundle path (names the component: `var/log/pods/…/kube-apiserver/0.log`, `kubelet.log`).
    pub path: String,
    /// Node index, `None` for cluster-level logs.
    pub node: Option<usize>,
}

/// Default bytes read per `read` call.
const CHUNK: usize = 1 << 20;
/// Longest sample or capture kept, in characters.
const SAMPLE_CHARS: usize = 500;
const CAPTURE_CHARS: usize = 200;

/// The log scanner: the compiled rules and a pool of buffers. Share it between threads by
/// reference; each `scan` borrows a buffer from the pool.
#[derive(Debug)]
pub struct Scanner {
    rules: Arc<RuleSet>,
    max_line: usize,
    max_samples: usize,
    chunk: usize,
    pool: Mutex<Vec<Vec<u8>>>,
}

impl Scanner {
    /// Compiles the log rules, `(id, log part)` (the catalogue's `log_rules()`).
    pub fn new(rules: &[(&str, &LogSyntax)], limits: &Limits) -> Scanner {
        Scanner {
            rules: Arc::new(RuleSet::from_rules(rules)),
            max_line: limits.max_line_bytes.max(1),
            max_samples: limits.max_samples,
            chunk: CHUNK,
            pool: Mutex::new(Vec::new()),
        }
    }

    /// The same scanner reading `n` bytes per `read` (tests use tiny buffers to split lines
    /// at every possible place).
    #[must_use]
    pub fn with_chunk_size(mut self, n: usize) -> Scanner {
        self.chunk = n.max(1);
        self
    }

    /// The compiled rules.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    fn file(&self, filter: Option<String>, label: Option<String>, by_host: bool) -> FileScan<'_> {
        FileScan {
            by_host,
            host_ends: BTreeMap::new(),
            cur_line: 0,
            set: &self.rules,
            max_line: self.max_line,
            max_samples: self.max_samples,
            filter,
            label,
            accs: Vec::new(),
            cands: Vec::new(),
            wraps: 0,
            prev_month: None,
            newest: None,
            lines: 0,
            long_lines: 0,
            hosts_over_cap: std::collections::HashSet::new(),
            bytes: 0,
            last_line: Vec::new(),
            comp_ends: BTreeMap::new(),
            next_sample: 0,
            keys: keys::KeyReader::default(),
        }
    }

    /// Scans one log as it streams. I/O errors are returned; content never fails.
    pub fn scan(&self, src: &LogSource, r: &mut dyn Read) -> io::Result<LogSummary> {
        let comp = component::from_path(&src.path);
        let mut fs = self.file(comp.clone(), comp, true);
        let cap = self.max_line + 1 + self.chunk;
        let mut buf = self
            .pool
            .lock()
            .ok()
            .and_then(|mut p| p.pop())
            .unwrap_or_default();
        if buf.len() < cap {
            buf.resize(cap, 0);
        }
        let res = fs.stream(&mut buf, self.chunk, r);
        if let Ok(mut p) = self.pool.lock() {
            p.push(buf);
        }
        res?;
        Ok(fs.finish(src))
    }

    /// The reference scan the streaming one must agree with: the whole input in memory, split
    /// on `\n`, every rule's regexes on every line (no prefilter). For tests and checks.
    pub fn scan_naive(&self, src: &LogSource, input: &[u8]) -> LogSummary {
        let comp = component::from_path(&src.path);
        let mut fs = self.file(comp.clone(), comp, true);
        let body = input.strip_suffix(b"\n").unwrap_or(input);
        if !input.is_empty() {
            let mut at = 0u64;
            for line in body.split(|b| *b == b'\n') {
                fs.sample(at, line);
                at += line.len() as u64 + 1;
                fs.cur_line = fs.lines;
                fs.lines += 1;
                fs.long_lines += u64::from(line.len() > fs.max_line);
                fs.eval(line, None, false);
            }
            let last = body.rsplit(|b| *b == b'\n').next().unwrap_or_default();
            fs.set_last_line(last);
        }
        fs.bytes = input.len() as u64;
        fs.finish(src)
    }

    /// Scans Kubernetes Events: `reason: message` goes through the same rules (every rule
    /// applies; the component is `events`); an event's `count` and first/last timestamps
    /// stand for its repetitions.
    pub fn scan_events(&self, events: &[EventRecord]) -> LogSummary {
        let mut fs = self.file(None, Some("events".to_string()), false);
        // Every Event's time dates the dump, matched or not (a cluster-info dump's pod logs
        // are klog lines without a year): the newest, with the dump that holds it.
        let mut newest: Option<(OffsetDateTime, &String)> = None;
        for e in events {
            let ev = &e.event;
            let text = format!("{}: {}", ev.reason, ev.message);
            let t = |s: &Option<String>| {
                s.as_deref()
                    .and_then(|s| stamp::rfc3339(s.as_bytes()))
                    .map(|x| x.0)
            };
            let last = t(&ev.last_timestamp)
                .or_else(|| t(&ev.event_time))
                .or_else(|| t(&ev.first_timestamp));
            let first = t(&ev.first_timestamp).or(last);
            if let Some(l) = last {
                newest = newest.max(Some((l, &e.path)));
            }
            let times = EventTimes {
                first,
                last,
                count: ev.count.unwrap_or(1).max(1),
                path: e.path.clone(),
            };
            fs.lines += 1;
            fs.bytes += text.len() as u64;
            fs.eval(text.as_bytes(), Some(&times), false);
        }
        let mut s = fs.finish_with(None, None);
        for h in &mut s.hits {
            h.paths.sort();
            h.paths.dedup();
        }
        if let Some((t, path)) = newest {
            if s.newest.is_none_or(|n| t >= n) {
                s.newest = Some(t);
                s.newest_from = Some(path.clone());
            }
        }
        s
    }
}

/// What an Event contributes besides its text.
struct EventTimes {
    first: Option<OffsetDateTime>,
    last: Option<OffsetDateTime>,
    count: u64,
    path: String,
}

/// What is kept for one (rule, component) of one file.
struct Acc {
    rule: u32,
    component: String,
    /// The host the journal lines name, in a file of no node (see [`FileScan::by_host`]).
    host: Option<String>,
    count: u64,
    first: Option<OffsetDateTime>,
    last: Option<OffsetDateTime>,
    first_y: Option<Yearless>,
    last_y: Option<Yearless>,
    samples: Vec<String>,
    captures: BTreeMap<String, String>,
    paths: BTreeSet<String>,
    /// Key groups the lines name (the smallest `keys::MAX_REFS`).
    refs: BTreeSet<Vec<CertKey>>,
    /// Identities of the matching lines (see `LogHits::seen`).
    seen: std::collections::HashSet<u64>,
    /// The number of the last matching line.
    last_line: u64,
}

/// Cover strings without a literal, on one line, past which the rest of the line's head is
/// read by one automaton over every literal rather than checked place by place.
const DENSE_LINE: usize = 32;

/// The part of a raw line (without its `\n`) that is matched: no trailing `\r`, at most
/// `max_line` bytes.
fn line_head(raw: &[u8], max_line: usize) -> &[u8] {
    let line = raw.strip_suffix(b"\r").unwrap_or(raw);
    line.get(..max_line.min(line.len())).unwrap_or_default()
}

/// A line's identity across files: its message and its time as the line printed it (a
/// year-less time without the file's year wrap-arounds).
fn line_identity(rec: &Record<'_>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    rec.message.trim().hash(&mut h);
    match rec.stamp {
        Some(Stamp::Full(t)) => (0u8, t.unix_timestamp_nanos()).hash(&mut h),
        Some(Stamp::Yearless(y)) => (1u8, y.month, y.day, y.nanos).hash(&mut h),
        None => 2u8.hash(&mut h),
    }
    h.finish()
}

/// Records `stamp` as `c`'s end unless a later line was noted already: a block's sampled
/// lines are read before its candidate lines, which may be earlier.
fn keep_later(ends: &mut BTreeMap<&'static str, Stamp>, c: &'static str, stamp: Stamp) {
    // Year-less times count wrap-arounds from the start of the file here: more is later.
    let key = |s: &Stamp| match s {
        Stamp::Full(t) => (1u8, t.unix_timestamp_nanos(), 0, 0, 0),
        Stamp::Yearless(y) => (0, i128::from(y.back), y.month, y.day, y.nanos),
    };
    match ends.get(c) {
        Some(old) if key(old) > key(&stamp) => {}
        _ => {
            ends.insert(c, stamp);
        }
    }
}

/// Lines read at the head of every file for the hosts they name.
const HEAD_LINES: u64 = 8;

/// Most hosts one file's hits are split by: a journal of every node of a big cluster still
/// fits, a forged one cannot grow the hits without bound.
pub const MAX_HOSTS: usize = 256;

/// Most hosts past [`MAX_HOSTS`] one file counts (to say how many were left out).
const MAX_HOSTS_COUNTED: usize = 1 << 16;

/// The state of one file's scan.
/// Bytes between two sampled lines of a mixed journal (see [`FileScan::sample`]).
const SAMPLE_EVERY: u64 = 16 * 1024;

struct FileScan<'s> {
    /// The number (from 0) of the line being matched.
    cur_line: u64,
    /// Whether hits are kept per host the journal lines name (every file; events not): a
    /// file no node's tree holds may hold several nodes' journals (must-gather's
    /// `host_service_logs/masters/`). [`LogSummary::place`] drops the split on a node's own
    /// files.
    by_host: bool,
    /// The hosts seen so far (at most [`MAX_HOSTS`]; later ones count as no host) and when
    /// each host's lines of each component end. Once a file shows two hosts every line is
    /// read for it: one host's last line says nothing of another's.
    host_ends: BTreeMap<String, BTreeMap<&'static str, Stamp>>,
    set: &'s RuleSet,
    max_line: usize,
    max_samples: usize,
    /// Component the source's path names (filters rules); `None`: every rule applies.
    filter: Option<String>,
    /// Label for hits when the path names none and the line does not either.
    label: Option<String>,
    accs: Vec<Acc>,
    cands: Vec<u32>,
    /// December→January wrap-arounds seen among year-less times so far.
    wraps: u16,
    prev_month: Option<u8>,
    newest: Option<OffsetDateTime>,
    lines: u64,
    /// Lines longer than `max_line` (matched on their head only).
    long_lines: u64,
    /// Hashes of the distinct hosts past [`MAX_HOSTS`] (at most [`MAX_HOSTS_COUNTED`]): their
    /// lines count as no host's, and the report says how many were left out.
    hosts_over_cap: std::collections::HashSet<u64>,
    bytes: u64,
    last_line: Vec<u8>,
    /// In a mixed journal (no component from the path): each component's latest time among
    /// the lines read (candidates and each block's last line).
    comp_ends: BTreeMap<&'static str, Stamp>,
    /// Offset from which the next line is sampled for [`FileScan::comp_ends`].
    next_sample: u64,
    /// Reads the certificate keys of matching lines.
    keys: keys::KeyReader,
}

/// A journal hostname that can name a node: a DNS name (letters, digits, `-`, `.`, `_`),
/// 1 to 253 bytes, not starting with `-` or `.`. `localhost` names no node.
fn is_host_name(h: &str) -> bool {
    (1..=253).contains(&h.len())
        && !h.starts_with(['-', '.'])
        && h != "localhost"
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

/// Counts `host` among the distinct hosts past [`MAX_HOSTS`] (up to [`MAX_HOSTS_COUNTED`]).
fn count_over_cap(seen: &mut std::collections::HashSet<u64>, host: &str) {
    use std::hash::{Hash, Hasher};
    if seen.len() < MAX_HOSTS_COUNTED {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        host.hash(&mut h);
        seen.insert(h.finish());
    }
}

fn truncate_chars(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", s.get(..i).unwrap_or(s)),
        None => s.to_string(),
    }
}

impl FileScan<'_> {
    /// Reads `r` to the end through `buf` (capacity ≥ max_line + 1 + chunk).
    fn stream(&mut self, buf: &mut [u8], chunk: usize, r: &mut dyn Read) -> io::Result<()> {
        let mut filled = 0usize;
        // In the tail of an overlong line whose head was already matched.
        let mut skipping = false;
        loop {
            let end = (filled + chunk).min(buf.len());
            let n = match r.read(buf.get_mut(filled..end).unwrap_or_default()) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.bytes += n as u64;
            filled += n;
            let eof = n == 0;
            let data = buf.get(..filled).unwrap_or_default();
            let mut start = 0usize;
            if skipping {
                match memchr::memchr(b'\n', data) {
                    Some(i) => {
                        start = i + 1;
                        skipping = false;
                    }
                    None => {
                        filled = 0;
                        if eof {
                            return Ok(());
                        }
                        continue;
                    }
                }
            }
            let rest = data.get(start..).unwrap_or_default();
            let tail_at = match memchr::memrchr(b'\n', rest) {
                Some(i) => {
                    let block = rest.get(..=i).unwrap_or_default();
                    let origin = self.bytes - filled as u64 + start as u64;
                    self.block(block, origin);
                    start + i + 1
                }
                None => start,
            };
            let tail = data.get(tail_at..).unwrap_or_default();
            let tail_start = self.bytes - filled as u64 + tail_at as u64;
            if eof {
                if !tail.is_empty() {
                    self.sample(tail_start, tail);
                    self.cur_line = self.lines;
                    self.lines += 1;
                    self.long_lines += u64::from(tail.len() > self.max_line);
                    self.eval(tail, None, true);
                }
                return Ok(());
            }
            if tail.len() > self.max_line {
                // An overlong line: match its head now, skip the rest up to its newline.
                self.sample(tail_start, tail);
                self.cur_line = self.lines;
                self.lines += 1;
                self.long_lines += 1;
                self.eval(tail, None, true);
                skipping = true;
                filled = 0;
            } else {
                let len = tail.len();
                buf.copy_within(tail_at..tail_at + len, 0);
                filled = len;
            }
        }
    }

    /// Complete lines, each ending in `\n`: count (and sample) them in order, visiting only
    /// candidate lines, each after the lines before it, as a line-by-line scan would.
    /// One pass finds every place a cover string starts; a line is a candidate once a
    /// literal is found there, and its other literals are the cover strings after it on the
    /// line (those before it held none), so no line is searched twice.
    fn block(&mut self, block: &[u8], origin: u64) {
        // The end of the line holding `q` (its `\n`, or the block's end), and its start,
        // looked for back from `q` to `from` (at or before that start).
        let line_end = |q: usize| {
            memchr::memchr(b'\n', block.get(q..).unwrap_or_default()).map_or(block.len(), |i| q + i)
        };
        let line_start_from = |from: usize, q: usize| {
            memchr::memrchr(b'\n', block.get(from..q).unwrap_or_default()).map_or(from, |i| from + i + 1)
        };
        let mut line_start = 0usize;
        let mut at = 0usize;
        // At or before the start of the line holding `at`: a cover string found less than
        // `max_line` bytes after it lies in its line's matched head. Only when one lies
        // further is the line's start looked up (once per `max_line` bytes at most).
        let mut head_from = 0usize;
        // Cover strings found since `head_from` that held no literal.
        let mut misses = 0usize;
        let mut cands = std::mem::take(&mut self.cands);
        while let Some((q, ci)) = self.set.next_cover(block, at) {
            misses += 1;
            cands.clear();
            if misses > DENSE_LINE || q - head_from >= self.max_line {
                // Where `q`'s line starts: a new line restarts the count.
                let start = line_start_from(head_from, q);
                if start != head_from {
                    head_from = start;
                    misses = 1;
                }
            }
            let end = if q - head_from >= self.max_line {
                // Past the matched head of an overlong line: no literal here can count,
                // and the head's cover strings held none. On to the next line.
                Some(line_end(q))
            } else if misses > DENSE_LINE {
                // A line this dense with cover strings: read its head whole (a literal may
                // start before `q` and hold a cover string not yet visited).
                let end = line_end(q);
                let head = block.get(head_from..end.min(head_from.saturating_add(self.max_line)));
                self.set.rules_in(head.unwrap_or_default(), &mut cands);
                Some(end)
            } else if self.set.rules_at(block, q, ci, block.len(), &mut cands) {
                let start = line_start_from(head_from, q);
                let end = line_end(q);
                if end - start > self.max_line {
                    // Only the head of an overlong line is matched: find its literals there.
                    self.set.candidates(
                        line_head(block.get(start..end).unwrap_or_default(), self.max_line),
                        &mut cands,
                    );
                } else {
                    self.set
                        .rules_from(block.get(..end).unwrap_or_default(), q + 1, &mut cands);
                }
                head_from = start;
                Some(end)
            } else {
                None
            };
            let Some(end) = end else {
                at = q + 1;
                continue;
            };
            // The line's literals, if any (none on a line past its head).
            if !cands.is_empty() {
                // Count the lines up to and including the candidate's.
                self.count_lines(block, origin, &mut line_start, end + 1);
                self.cur_line = self.lines.saturating_sub(1);
                cands.sort_unstable();
                cands.dedup();
                self.eval_with(block.get(head_from..end).unwrap_or_default(), &cands, None, false);
            }
            at = end + 1;
            head_from = at;
            misses = 0;
        }
        self.cands = cands;
        self.count_lines(block, origin, &mut line_start, block.len());
        let body = block.strip_suffix(b"\n").unwrap_or(block);
        let last_start = memchr::memrchr(b'\n', body).map_or(0, |i| i + 1);
        self.set_last_line(body.get(last_start..).unwrap_or_default());
    }

    /// Counts (and samples) the complete lines of `block` from `*line_start` to `upto`.
    fn count_lines(&mut self, block: &[u8], origin: u64, line_start: &mut usize, upto: usize) {
        let upto = upto.min(block.len());
        let Some(span) = block.get(*line_start..upto) else {
            return;
        };
        let base = *line_start;
        for rel in memchr::memchr_iter(b'\n', span) {
            let nl = base + rel;
            let at = origin + *line_start as u64;
            if at >= self.next_sample || self.lines < HEAD_LINES || self.multi_host() {
                self.sample(at, block.get(*line_start..nl).unwrap_or_default());
            }
            self.lines += 1;
            self.long_lines += u64::from(nl - *line_start > self.max_line);
            *line_start = nl + 1;
        }
    }

    fn set_last_line(&mut self, line: &[u8]) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        self.last_line.clear();
        self.last_line
            .extend_from_slice(line.get(..self.max_line.min(line.len())).unwrap_or_default());
    }

    /// Matches one line (without its `\n`). `last` marks the final piece of the input,
    /// which is also remembered as the file's last line.
    fn eval(&mut self, raw: &[u8], event: Option<&EventTimes>, last: bool) {
        let mut cands = std::mem::take(&mut self.cands);
        if event.is_none() {
            self.set.candidates(line_head(raw, self.max_line), &mut cands);
        } else {
            // Event texts are short and few: no prefilter, same result.
            cands.clear();
            cands.extend(0..u32::try_from(self.set.rules.len()).unwrap_or(0));
        }
        self.eval_with(raw, &cands, event, last);
        self.cands = cands;
    }

    /// [`Self::eval`] with the line's candidate rules known.
    fn eval_with(&mut self, raw: &[u8], cands: &[u32], event: Option<&EventTimes>, last: bool) {
        let line = line_head(raw, self.max_line);
        if last {
            self.set_last_line(line);
        }
        if !cands.is_empty() {
            let rec = record::parse(line);
            self.eval_record(&rec, cands, event);
        }
    }

    /// In a mixed journal, the first line starting at or after each [`SAMPLE_EVERY`] bytes
    /// dates its unit: a lower bound of when each unit last logged that does not depend on how
    /// the file was read (the same lines whatever the chunks).
    /// The first [`HEAD_LINES`] lines are read too (a file's first hosts), and in a file of
    /// several hosts' journals every line.
    fn sample(&mut self, at: u64, line: &[u8]) {
        if self.filter.is_some() && !self.by_host {
            return;
        }
        if at >= self.next_sample {
            self.next_sample = (at / SAMPLE_EVERY + 1) * SAMPLE_EVERY;
        } else if !(self.multi_host() || self.lines < HEAD_LINES) {
            return;
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = line.get(..self.max_line.min(line.len())).unwrap_or_default();
        let rec = record::parse(line);
        self.note_component(&rec);
    }

    /// Remembers when a mixed journal's unit, or a host's lines in a journal of several
    /// hosts, last logged.
    fn note_component(&mut self, rec: &Record<'_>) {
        if self.filter.is_some() && !self.by_host {
            return;
        }
        let Some(stamp) = rec.stamp else {
            return;
        };
        let c = match &self.filter {
            Some(f) => component::canonical(f),
            None => rec.ident.as_deref().and_then(|i| component::canonical(i.trim())),
        };
        let Some(c) = c else {
            return;
        };
        let stamp = match stamp {
            Stamp::Yearless(y) => Stamp::Yearless(Yearless {
                back: self.wraps,
                ..y
            }),
            full => full,
        };
        if let Some(h) = rec.host.as_deref().filter(|h| self.by_host && is_host_name(h)) {
            if !self.host_ends.contains_key(h) {
                if self.host_ends.len() < MAX_HOSTS {
                    self.host_ends.insert(h.to_string(), BTreeMap::new());
                } else {
                    count_over_cap(&mut self.hosts_over_cap, h);
                }
            }
            if let Some(ends) = self.host_ends.get_mut(h) {
                keep_later(ends, c, stamp);
                return;
            }
        }
        // A file that names its component ends where its last line is.
        if self.filter.is_none() {
            keep_later(&mut self.comp_ends, c, stamp);
        }
    }

    /// Whether this file holds several hosts' journals.
    fn multi_host(&self) -> bool {
        self.host_ends.len() >= 2
    }

    /// The host a line names, when this file's hits are kept per host and the name is a
    /// plausible node name; `None` otherwise and past [`MAX_HOSTS`] distinct hosts.
    fn host_of(&mut self, rec: &Record<'_>) -> Option<String> {
        if !self.by_host {
            return None;
        }
        let host = rec.host.as_deref().filter(|h| is_host_name(h))?;
        if !self.host_ends.contains_key(host) {
            if self.host_ends.len() >= MAX_HOSTS {
                count_over_cap(&mut self.hosts_over_cap, host);
                return None;
            }
            self.host_ends.insert(host.to_string(), BTreeMap::new());
        }
        Some(host.to_string())
    }

    fn eval_record(&mut self, rec: &Record<'_>, cands: &[u32], event: Option<&EventTimes>) {
        if event.is_none() {
            self.note_component(rec);
        }
        let ident = rec.ident.as_deref().map(|i| i.trim());
        let (filter, label): (Option<String>, String) = match (&self.filter, ident) {
            (Some(f), _) => (Some(f.clone()), f.clone()),
            (None, Some(i)) if !i.is_empty() => match component::canonical(i) {
                Some(c) => (Some(c.to_string()), c.to_string()),
                None => (None, truncate_chars(i, 64)),
            },
            _ => (None, self.label.clone().unwrap_or_else(|| "unknown".to_string())),
        };
        let host = if event.is_none() { self.host_of(rec) } else { None };
        let mut stamp_used = false;
        // The keys the line names, read once for all the rules it matches.
        let mut line_keys: Option<Option<usize>> = None;
        for &ri in cands {
            let Some(rule) = self.set.rules.get(ri as usize) else {
                continue;
            };
            if !rule.applies_to(filter.as_deref()) {
                continue;
            }
            let Some(pi) = rule.matches(&rec.message) else {
                continue;
            };
            let idx = match self
                .accs
                .iter()
                .position(|a| a.rule == ri && a.component == label && a.host == host)
            {
                Some(i) => i,
                None => {
                    let captures = rule
                        .patterns()
                        .get(pi)
                        .and_then(|p| {
                            let caps = p.captures(rec.message.as_bytes())?;
                            Some(
                                p.capture_names()
                                    .flatten()
                                    .filter_map(|n| {
                                        let v = String::from_utf8_lossy(caps.name(n)?.as_bytes());
                                        Some((
                                            n.to_string(),
                                            truncate_chars(&crate::redact::line(&v), CAPTURE_CHARS),
                                        ))
                                    })
                                    .collect(),
                            )
                        })
                        .unwrap_or_default();
                    self.accs.push(Acc {
                        rule: ri,
                        component: label.clone(),
                        host: host.clone(),
                        count: 0,
                        first: None,
                        last: None,
                        first_y: None,
                        last_y: None,
                        samples: Vec::new(),
                        captures,
                        paths: BTreeSet::new(),
                        refs: BTreeSet::new(),
                        seen: std::collections::HashSet::new(),
                        last_line: 0,
                    });
                    self.accs.len() - 1
                }
            };
            let stamp = if event.is_some() { None } else { rec.stamp };
            let stamp = match stamp {
                Some(Stamp::Yearless(y)) => {
                    if !stamp_used {
                        self.track_wrap(y.month);
                        stamp_used = true;
                    }
                    Some(Stamp::Yearless(Yearless {
                        back: self.wraps,
                        ..y
                    }))
                }
                other => other,
            };
            let max_samples = self.max_samples;
            let Some(acc) = self.accs.get_mut(idx) else {
                continue;
            };
            if event.is_none() {
                acc.last_line = acc.last_line.max(self.cur_line);
                if acc.seen.len() < super::MAX_SEEN {
                    acc.seen.insert(line_identity(rec));
                }
            }
            match (event, stamp) {
                (Some(ev), _) => {
                    acc.count += ev.count;
                    acc.first = min_opt(acc.first, ev.first);
                    acc.last = max_opt(acc.last, ev.last);
                    acc.paths.insert(ev.path.clone());
                    self.newest = max_opt(self.newest, ev.last);
                }
                (None, Some(Stamp::Full(t))) => {
                    acc.count += 1;
                    acc.first = min_opt(acc.first, Some(t));
                    acc.last = max_opt(acc.last, Some(t));
                    self.newest = max_opt(self.newest, Some(t));
                }
                (None, Some(Stamp::Yearless(y))) => {
                    acc.count += 1;
                    acc.first_y = min_opt(acc.first_y, Some(y));
                    acc.last_y = max_opt(acc.last_y, Some(y));
                }
                (None, None) => acc.count += 1,
            }
            if acc.samples.len() < max_samples {
                let s = truncate_chars(&crate::redact::line(rec.message.trim()), SAMPLE_CHARS);
                if !acc.samples.contains(&s) {
                    acc.samples.push(s);
                }
            }
            let read = *line_keys.get_or_insert_with(|| self.keys.read(&rec.message, &label));
            let named = self.keys.get(read);
            if !named.is_empty() && !acc.refs.contains(named) {
                acc.refs.insert(named.to_vec());
                if acc.refs.len() > keys::MAX_REFS {
                    acc.refs.pop_last();
                }
            }
        }
    }

    /// Counts a year wrap-around when a year-less month goes back by half a year or more.
    fn track_wrap(&mut self, month: u8) {
        if let Some(prev) = self.prev_month {
            if month + 6 <= prev {
                self.wraps = self.wraps.saturating_add(1);
            }
        }
        self.prev_month = Some(month);
    }

    fn finish(self, src: &LogSource) -> LogSummary {
        let path = src.path.clone();
        self.finish_with(src.node, Some(path))
    }

    fn finish_with(mut self, node: Option<usize>, path: Option<String>) -> LogSummary {
        // The last line dates the file (logs are written in time order).
        let last = std::mem::take(&mut self.last_line);
        let last_stamp = if last.is_empty() {
            None
        } else {
            let rec = record::parse(&last);
            self.note_component(&rec);
            rec.stamp
        };
        match last_stamp {
            Some(Stamp::Full(t)) => self.newest = max_opt(self.newest, Some(t)),
            Some(Stamp::Yearless(y)) => self.track_wrap(y.month),
            None => {}
        }
        let wraps = self.wraps;
        let reference = self.newest;
        let newest_yearless = match (reference, last_stamp, &path) {
            (None, Some(Stamp::Yearless(y)), Some(p)) => Some((Yearless { back: 0, ..y }, p.clone())),
            _ => None,
        };
        let newest_from = reference.and(path.clone());
        let end = match last_stamp {
            Some(Stamp::Full(t)) => Some(LogEnd::Full(t)),
            Some(Stamp::Yearless(y)) => {
                let y = Yearless { back: 0, ..y };
                Some(match reference.and_then(|r| y.resolve(r)) {
                    Some(t) => LogEnd::Full(t),
                    None => LogEnd::Yearless(y),
                })
            }
            None => reference.map(LogEnd::Full),
        };
        let ends = match (&path, end) {
            (Some(p), Some(e)) => std::iter::once((p.clone(), e)).collect(),
            _ => BTreeMap::new(),
        };
        let date = |s: Stamp| match s {
            Stamp::Full(t) => LogEnd::Full(t),
            Stamp::Yearless(y) => {
                let y = Yearless {
                    back: wraps.saturating_sub(y.back),
                    ..y
                };
                match reference.and_then(|r| y.resolve(r)) {
                    Some(t) => LogEnd::Full(t),
                    None => LogEnd::Yearless(y),
                }
            }
        };
        let component_ends = match &path {
            Some(p) => {
                let hosts = std::mem::take(&mut self.host_ends);
                let own = hosts
                    .into_iter()
                    .flat_map(|(h, ends)| ends.into_iter().map(move |(c, s)| (c, Some(h.clone()), s)));
                std::mem::take(&mut self.comp_ends)
                    .into_iter()
                    .map(|(c, s)| (c, None, s))
                    .chain(own)
                    .map(|(c, host, s)| ((p.clone(), c.to_string(), host), date(s)))
                    .collect()
            }
            None => BTreeMap::new(),
        };
        let rules = &self.set.rules;
        let lines = self.lines;
        let mut hits: Vec<LogHits> = self
            .accs
            .into_iter()
            .map(|mut a| {
                // Year-less times count wrap-arounds from the end of the file.
                let fix = |y: Yearless| Yearless {
                    back: wraps.saturating_sub(y.back),
                    ..y
                };
                let (mut fy, mut ly) = (a.first_y.map(fix), a.last_y.map(fix));
                if let Some(r) = reference {
                    let rf = fy.and_then(|y| y.resolve(r));
                    let rl = ly.and_then(|y| y.resolve(r));
                    a.first = min_opt(a.first, rf);
                    a.last = max_opt(a.last, rl);
                    if rf.is_some() {
                        fy = None;
                    }
                    if rl.is_some() {
                        ly = None;
                    }
                }
                if let Some(p) = &path {
                    a.paths.insert(p.clone());
                }
                LogHits {
                    rule: rules
                        .get(a.rule as usize)
                        .map(|r| r.id.clone())
                        .unwrap_or_default(),
                    node,
                    host: a.host,
                    // A quiet tail shorter than what came before it (errors all along the log,
                    // a few lines after the last) counts as none (hostile round 8).
                    lines_after: path.as_ref().map(|_| {
                        let after = lines.saturating_sub(a.last_line + 1);
                        if after * 2 >= lines { after } else { 0 }
                    }),
                    component: a.component,
                    paths: a.paths.into_iter().collect(),
                    count: a.count,
                    first_seen: a.first,
                    last_seen: a.last,
                    first_yearless: fy,
                    last_yearless: ly,
                    samples: a.samples,
                    captures: a.captures,
                    refs: a.refs.into_iter().collect(),
                    seen: a.seen,
                }
            })
            .collect();
        hits.sort_by(|a, b| a.key().cmp(&b.key()));
        LogSummary {
            hits,
            newest: self.newest,
            newest_from,
            newest_yearless,
            bytes: self.bytes,
            lines: self.lines,
            long_lines: self.long_lines,
            hosts_over_cap: self.hosts_over_cap.len() as u64,
            max_samples: self.max_samples,
            ends,
            component_ends,
        }
    }
}
