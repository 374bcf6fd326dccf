//! Declarative log rules: a literal prefilter, then regexes, over logs as they stream.
//! Memory stays flat: per rule, node and component only counts, first/last times, a few
//! redacted samples and the first match's named captures.
//!
//! The pieces: [`stamp`] reads times, [`record`] takes a candidate line apart,
//! [`component`] says who wrote a log, [`literals`] proves the prefilter sound,
//! [`compiled`] holds the compiled rules, [`scanner`] streams, [`findings`] turns what was
//! kept into findings. [`syntax`] is a log rule as the catalogue writes it.

pub mod compiled;
pub mod component;
pub mod keys;
pub mod literals;
pub mod record;
mod scanner;
pub mod stamp;
pub mod syntax;
pub mod template;

use std::collections::{BTreeMap, BTreeSet};

use time::OffsetDateTime;

pub use scanner::{LogSource, MAX_HOSTS, Scanner};
pub use stamp::Yearless;
pub use syntax::LogSyntax;

/// What the scan kept for one (rule, node, component).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogHits {
    /// Log rule id.
    pub rule: String,
    /// Node index, `None` for cluster-level sources (events, pasted logs).
    pub node: Option<usize>,
    /// How many lines of its log follow the last matching line (the fewest when several logs
    /// matched), 0 when they are fewer than the lines up to it; `None` for Events. Undated
    /// lines have no other measure of how long ago.
    pub lines_after: Option<u64>,
    /// In a log of no node, the host its journal lines name (must-gather's
    /// `host_service_logs/masters/kubelet_service.log` holds every master's journal).
    pub host: Option<String>,
    /// Component that logged it (`kubelet`, `kube-apiserver`, `etcd`, `traefik`, …).
    pub component: String,
    /// Bundle paths of the logs that matched, sorted.
    pub paths: Vec<String>,
    /// Matching lines.
    pub count: u64,
    /// First matching line's time (lines with a full timestamp).
    pub first_seen: Option<OffsetDateTime>,
    /// Last matching line's time (lines with a full timestamp).
    pub last_seen: Option<OffsetDateTime>,
    /// First matching line's time when it had no year and its file no full time to take the
    /// year from; fixed from the capture time when findings are made.
    pub first_yearless: Option<Yearless>,
    /// Last such year-less time.
    pub last_yearless: Option<Yearless>,
    /// A few matching messages, redacted.
    pub samples: Vec<String>,
    /// Named captures of the first match, redacted.
    pub captures: BTreeMap<String, String>,
    /// The certificate keys the matching lines name, one group per distinct line shape
    /// (see [`keys`]): sorted, unique, at most [`keys::MAX_REFS`].
    pub refs: Vec<Vec<crate::model::CertKey>>,
    /// Identities (message and time) of the matching lines, at most [`MAX_SEEN`]: the same
    /// line read from two files of a node (kind's `kubelet.log` and `journal.log`, a
    /// sosreport's journal and `/var/log/messages`) counts once.
    pub seen: std::collections::HashSet<u64>,
}

/// How many line identities a hit keeps for counting copies once.
pub const MAX_SEEN: usize = 100_000;

impl LogHits {
    fn key(&self) -> (&str, Option<usize>, Option<&str>, &str) {
        (&self.rule, self.node, self.host.as_deref(), &self.component)
    }

    /// Folds `other` (same rule, node, host and component) into `self`.
    fn absorb(&mut self, other: LogHits, max_samples: usize) {
        let other_first = other
            .first_seen
            .is_some_and(|o| self.first_seen.is_none_or(|s| o < s));
        let copies = other.seen.iter().filter(|h| self.seen.contains(h)).count() as u64;
        self.count = (self.count + other.count).saturating_sub(copies);
        let room = MAX_SEEN.saturating_sub(self.seen.len());
        self.seen.extend(other.seen.into_iter().take(room));
        self.lines_after = min_opt(self.lines_after, other.lines_after);
        self.first_seen = min_opt(self.first_seen, other.first_seen);
        self.last_seen = max_opt(self.last_seen, other.last_seen);
        self.first_yearless = min_opt(self.first_yearless, other.first_yearless);
        self.last_yearless = max_opt(self.last_yearless, other.last_yearless);
        let paths: BTreeSet<String> = self.paths.drain(..).chain(other.paths).collect();
        self.paths = paths.into_iter().collect();
        if other_first || self.captures.is_empty() && !other.captures.is_empty() {
            self.captures = other.captures;
        }
        let mut samples = if other_first {
            let mut s = other.samples;
            s.append(&mut self.samples);
            s
        } else {
            let mut s = std::mem::take(&mut self.samples);
            s.extend(other.samples);
            s
        };
        samples.dedup();
        samples.truncate(max_samples);
        self.samples = samples;
        let refs: BTreeSet<_> = self.refs.drain(..).chain(other.refs).collect();
        self.refs = refs.into_iter().take(keys::MAX_REFS).collect();
    }
}

/// Hits sorted by key, those of one key folded into one.
fn fold(mut all: Vec<LogHits>, max_samples: usize) -> Vec<LogHits> {
    all.sort_by(|a, b| a.key().cmp(&b.key()));
    let mut out: Vec<LogHits> = Vec::with_capacity(all.len());
    for h in all {
        match out.last_mut() {
            Some(last) if last.key() == h.key() => last.absorb(h, max_samples),
            _ => out.push(h),
        }
    }
    out
}

fn min_opt<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_opt<T: Ord>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// First and last seen of a hit, year-less times fixed against `captured_at`.
pub fn resolved_times(
    h: &LogHits,
    captured_at: OffsetDateTime,
) -> (Option<OffsetDateTime>, Option<OffsetDateTime>) {
    let fy = h.first_yearless.and_then(|y| y.resolve(captured_at));
    let ly = h.last_yearless.and_then(|y| y.resolve(captured_at));
    let first = match (h.first_seen, fy) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let last = match (h.last_seen, ly) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    (first, last)
}

/// Everything the log scan kept, plus the newest timestamp seen (a capture-time source).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogSummary {
    /// Hits, sorted by (rule, node, host, component).
    pub hits: Vec<LogHits>,
    /// Newest full timestamp in any log.
    pub newest: Option<OffsetDateTime>,
    /// The log that holds [`LogSummary::newest`].
    pub newest_from: Option<String>,
    /// The newest year-less last line of a log that has no full timestamp at all (journald's
    /// default `short` format), with its file: a capture-time source once a year is known.
    pub newest_yearless: Option<(stamp::Yearless, String)>,
    /// Log bytes scanned.
    pub bytes: u64,
    /// Log lines scanned.
    pub lines: u64,
    /// Lines longer than `Limits::max_line_bytes`, matched on their first bytes only.
    pub long_lines: u64,
    /// Distinct journal hosts of one file past the most hits are split by (256): their lines
    /// count as no host's, so their findings are not shown per host.
    pub hosts_over_cap: u64,
    /// Samples kept per hit (the scanner's `Limits::max_samples`).
    pub max_samples: usize,
    /// When each log ends: the time of its last dated line, by path. A condition silent long
    /// before its log ends is a past episode (see `history_after` in the catalogue).
    pub ends: BTreeMap<String, LogEnd>,
    /// In a mixed journal (a path that names no component: `messages`, `syslog`,
    /// `journal.txt`), when each component's lines end, by (path, component, host — in a
    /// file of several nodes' journals): a lower bound (the last line of a component among
    /// the lines the scan reads), so a silence it proves is real.
    pub component_ends: BTreeMap<(String, String, Option<String>), LogEnd>,
}

/// The time of a log's last dated line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LogEnd {
    /// A full time.
    Full(OffsetDateTime),
    /// A time without a year (journald `short` with no full time in the file to date it).
    Yearless(Yearless),
}

impl LogEnd {
    /// Whether `self` is later than `other` (full times before year-less ones, which only
    /// one file without a full time produces).
    fn later_than(self, other: LogEnd) -> bool {
        match (self, other) {
            (LogEnd::Full(a), LogEnd::Full(b)) => a > b,
            (LogEnd::Yearless(a), LogEnd::Yearless(b)) => a > b,
            (LogEnd::Yearless(_), LogEnd::Full(_)) => false,
            (LogEnd::Full(_), LogEnd::Yearless(_)) => true,
        }
    }

    /// The instant, year-less times dated against the capture time.
    pub fn at(self, captured_at: OffsetDateTime) -> Option<OffsetDateTime> {
        match self {
            LogEnd::Full(t) => Some(t),
            LogEnd::Yearless(y) => y.resolve(captured_at),
        }
    }
}

impl LogSummary {
    /// Folds another summary (another file, another thread) into this one. The result does
    /// not depend on the order summaries are merged in, except for which samples are kept
    /// when first-seen times tie.
    pub fn merge(&mut self, other: LogSummary) {
        if other.newest > self.newest
            || (other.newest == self.newest
                && other.newest_from < self.newest_from
                && other.newest_from.is_some())
        {
            self.newest_from = other.newest_from;
        }
        self.newest = max_opt(self.newest, other.newest);
        if other.newest_yearless > self.newest_yearless {
            self.newest_yearless = other.newest_yearless;
        }
        for (path, end) in other.ends {
            self.ends.insert(path, end);
        }
        for (key, end) in other.component_ends {
            self.component_ends.insert(key, end);
        }
        self.bytes += other.bytes;
        self.lines += other.lines;
        self.long_lines += other.long_lines;
        self.hosts_over_cap += other.hosts_over_cap;
        self.max_samples = self.max_samples.max(other.max_samples);
        let mut all: Vec<LogHits> = std::mem::take(&mut self.hits);
        all.extend(other.hits);
        self.hits = fold(all, self.max_samples);
    }

    /// Places one file's summary on `node` once it is known: a node's own file is that
    /// node's whatever hosts its lines name, so the per-host split is folded away.
    pub fn place(&mut self, node: Option<usize>) {
        for h in &mut self.hits {
            h.node = node;
        }
        if node.is_none() {
            return;
        }
        let mut all = std::mem::take(&mut self.hits);
        for h in &mut all {
            h.host = None;
        }
        self.hits = fold(all, self.max_samples);
        self.rekey_ends(None);
    }

    /// Places a container's log of no node on the host its pod ran on (`None`: unknown).
    /// What its lines print is the container's output: a journald prefix in it names no
    /// host (hostile round 7).
    pub fn place_on_host(&mut self, host: Option<&str>) {
        for h in &mut self.hits {
            h.host = host.map(str::to_string);
        }
        self.hits = fold(std::mem::take(&mut self.hits), self.max_samples);
        self.rekey_ends(host);
    }

    /// Puts every component end of this file on `host`, the latest where several meet.
    fn rekey_ends(&mut self, host: Option<&str>) {
        let ends = std::mem::take(&mut self.component_ends);
        for ((path, comp, _), end) in ends {
            let slot = self
                .component_ends
                .entry((path, comp, host.map(str::to_string)))
                .or_insert(end);
            if end.later_than(*slot) {
                *slot = end;
            }
        }
    }

    /// When `component`'s logs at `paths` end: the latest of their last dated lines. In a
    /// mixed journal (`journal.log`, `messages`) only `component`'s own lines count: another
    /// unit's later lines say nothing about whether this component went on.
    pub fn end_of(
        &self,
        paths: &[String],
        component: &str,
        host: Option<&str>,
        captured_at: OffsetDateTime,
    ) -> Option<OffsetDateTime> {
        paths
            .iter()
            .filter_map(|p| {
                let own = |host: Option<&str>| {
                    self.component_ends
                        .get(&(p.clone(), component.to_string(), host.map(str::to_string)))
                };
                // A host's own lines in a journal of several hosts; else the file's end when
                // its path names the component; else the component's lines in a mixed journal.
                host.and_then(|h| own(Some(h)))
                    .or_else(|| match component::from_path(p) {
                        Some(_) => self.ends.get(p),
                        None => own(None),
                    })
            })
            .filter_map(|e| e.at(captured_at))
            .max()
    }

    /// The hits of one rule.
    pub fn of_rule<'a>(&'a self, rule: &'a str) -> impl Iterator<Item = &'a LogHits> + 'a {
        self.hits.iter().filter(move |h| h.rule == rule)
    }
}

/// Validates a log rule: regexes compile, the prefilter literals are necessary and
/// selective, components are known, the message names only captures, every example
/// matches and no negative example does (through the same path the scanner uses).
pub fn validate(rule_id: &str, log: &LogSyntax) -> Vec<String> {
    let (set, mut errors) = compiled::RuleSet::new(&[(rule_id, log)]);
    for c in &log.components {
        if !component::is_known(c) {
            errors.push(format!(
                "rule `{rule_id}`: unknown component `{c}` (known: {})",
                component::KNOWN
                    .iter()
                    .map(|(k, _)| *k)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    if let Err(e) = log.history_after() {
        errors.push(format!("rule `{rule_id}`: {e}"));
    }
    let Some(rule) = set.rules.first() else {
        return errors;
    };
    if let Some(msg) = &log.message {
        let names: BTreeSet<&str> = rule
            .patterns()
            .iter()
            .flat_map(|p| p.capture_names().flatten())
            .collect();
        for ph in template::placeholders(msg) {
            if !names.contains(ph) && !template::BUILTIN_PLACEHOLDERS.contains(&ph) {
                errors.push(format!(
                    "rule `{rule_id}`: message names `{{{ph}}}`, which no pattern captures"
                ));
            }
        }
    }
    let mut cands = Vec::new();
    let hit = |line: &str, cands: &mut Vec<u32>| {
        set.candidates(line.as_bytes(), cands);
        !cands.is_empty() && rule.matches(&record::parse(line.as_bytes()).message).is_some()
    };
    for ex in &log.examples {
        if !hit(ex, &mut cands) {
            errors.push(format!("rule `{rule_id}`: example does not match: {ex}"));
        }
    }
    for ex in &log.negative_examples {
        if hit(ex, &mut cands) {
            errors.push(format!("rule `{rule_id}`: negative example matches: {ex}"));
        }
    }
    errors
}
