//! The labelled corpus of real-world log lines (testdata/real-logs/corpus.tsv) run through
//! the real scanner: shared by `tests/real_logs.rs` and `examples/logs-recall.rs`.

use std::collections::BTreeMap;

use kubetriage::bundle::Limits;
use kubetriage::catalog::Catalog;
use kubetriage::finding::Severity;
use kubetriage::logscan::{LogSource, Scanner};

/// The corpus, as committed.
pub const CORPUS: &str = include_str!("../../testdata/real-logs/corpus.tsv");

/// The prefix of a look-alike's class: `benign:log-cert-expired` looks like that rule's
/// lines and must not fire it (nor any error rule).
pub const BENIGN: &str = "benign:";

/// One labelled line.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The rule id the line must fire, or `benign:<rule id>`.
    pub class: String,
    /// Where it was read.
    pub source: String,
    /// The line, verbatim.
    pub line: String,
}

/// Parses the corpus: `class<TAB>source<TAB>line`; `#` lines and blank lines are comments.
pub fn entries() -> Vec<Entry> {
    CORPUS
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut parts = l.splitn(3, '\t');
            let (Some(class), Some(source), Some(line)) = (parts.next(), parts.next(), parts.next()) else {
                panic!("corpus line is not class<TAB>source<TAB>line: {l}");
            };
            Entry {
                class: class.to_string(),
                source: source.to_string(),
                line: line.to_string(),
            }
        })
        .collect()
}

/// Ordinary lines of a healthy node, in the formats the corpus lines sit among.
const FILLER: &[&str] = &[
    "Nov 21 09:12:01 node02 systemd[1]: Started Kubernetes systemd probe.",
    "I1121 09:12:01.000001    1234 server.go:416] \"Kubelet version\" kubeletVersion=\"v1.28.4\"",
    "Nov 21 09:12:02 node02 kubelet[1234]: I1121 09:12:02.000002    1234 kubelet_node_status.go:70] \"Attempting to register node\" node=\"node02\"",
    "2026-11-21T09:12:02.000003Z stdout F [INFO] plugin/reload: Running configuration SHA512 = 0f1e",
    "{\"level\":\"info\",\"ts\":\"2026-11-21T09:12:02.000Z\",\"caller\":\"etcdserver/server.go:2027\",\"msg\":\"published local member to cluster through raft\"}",
    "time=\"2026-11-21T09:12:02Z\" level=info msg=\"Configuration loaded from flags.\"",
    "I1121 09:12:02.000004       1 leaderelection.go:258] successfully acquired lease kube-system/kube-scheduler",
];

/// What the scanner says of a line: the rules it fires, alone and inside a realistic file.
#[derive(Debug, Default, Clone)]
pub struct Verdict {
    /// Rules fired by the line alone, as a pasted excerpt.
    pub alone: Vec<String>,
    /// Rules fired by the line among filler lines, with the transport prefixes (journald,
    /// CRI) its format would carry in a node's logs.
    pub in_file: Vec<String>,
}

/// The scanner and the catalogue's severities.
pub struct Harness {
    scanner: Scanner,
    errors: Vec<String>,
}

impl Harness {
    /// Compiles the built-in catalogue.
    pub fn new() -> Harness {
        let cat = Catalog::builtin().unwrap_or_else(|e| panic!("{e}"));
        let errors = cat
            .rules
            .iter()
            .filter(|r| r.severity == Severity::Error)
            .map(|r| r.id.clone())
            .collect();
        Harness {
            scanner: Scanner::new(&cat.log_rules(), &Limits::default()),
            errors,
        }
    }

    /// Whether `rule` is an error rule.
    pub fn is_error(&self, rule: &str) -> bool {
        self.errors.iter().any(|e| e == rule)
    }

    fn hits(&self, text: &str) -> Vec<String> {
        let src = LogSource {
            path: "pasted/excerpt.txt".into(),
            node: None,
        };
        let s = self
            .scanner
            .scan(&src, &mut text.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut out: Vec<String> = s.hits.iter().map(|h| h.rule.clone()).collect();
        out.dedup();
        out
    }

    /// Runs one line alone and in files.
    pub fn verdict(&self, line: &str) -> Verdict {
        let alone = self.hits(line);
        let klog = line.as_bytes().first().is_some_and(|b| b"IWEF".contains(b))
            && line
                .as_bytes()
                .get(1..5)
                .is_some_and(|d| d.iter().all(u8::is_ascii_digit));
        let structured = line.starts_with('{') || line.starts_with("time=");
        let mut variants = vec![line.to_string()];
        if klog {
            // An identifier the component table does not know, so no component filter
            // applies: this checks the journald transport, not which component a line is
            // attributed to (tests/logs_rules.rs does that).
            variants.push(format!("Nov 21 09:12:03 node02 node-agent[1234]: {line}"));
        }
        if klog || structured {
            variants.push(format!("2026-11-21T09:12:03.123456789Z stderr F {line}"));
        }
        let mut in_file: Option<Vec<String>> = None;
        for v in variants {
            let mut text = String::new();
            for f in FILLER.iter().take(4) {
                text.push_str(f);
                text.push('\n');
            }
            text.push_str(&v);
            text.push('\n');
            for f in FILLER.iter().skip(4) {
                text.push_str(f);
                text.push('\n');
            }
            let got = self.hits(&text);
            // A rule counts in a file only if every variant fires it.
            in_file = Some(match in_file {
                None => got,
                Some(prev) => prev.into_iter().filter(|r| got.contains(r)).collect(),
            });
        }
        Verdict {
            alone,
            in_file: in_file.unwrap_or_default(),
        }
    }
}

/// The prefilter's literals and the cover strings its buffer scan searches for.
pub fn literal_counts() -> (usize, usize) {
    let cat = Catalog::builtin().unwrap_or_else(|e| panic!("{e}"));
    Scanner::new(&cat.log_rules(), &Limits::default())
        .rules()
        .literal_count()
}

/// Per class: (recognised, total); for look-alikes, recognised means "fired nothing it must not".
pub type Table = BTreeMap<String, (usize, usize)>;

/// Whether an entry's verdict is right, and the table of every entry; also the wrong ones.
pub fn evaluate(h: &Harness, entries: &[Entry]) -> (Table, Vec<(Entry, Verdict)>) {
    let mut table = Table::new();
    let mut wrong = Vec::new();
    for e in entries {
        let v = h.verdict(&e.line);
        let ok = match e.class.strip_prefix(BENIGN) {
            Some(looks_like) => [&v.alone, &v.in_file]
                .iter()
                .all(|hits| !hits.iter().any(|r| r == looks_like || h.is_error(r))),
            None => [&v.alone, &v.in_file].iter().all(|hits| hits.contains(&e.class)),
        };
        let key = if e.class.starts_with(BENIGN) {
            "look-alikes (must not fire)".to_string()
        } else {
            e.class.clone()
        };
        let slot = table.entry(key).or_default();
        slot.1 += 1;
        if ok {
            slot.0 += 1;
        } else {
            wrong.push((e.clone(), v));
        }
    }
    (table, wrong)
}
