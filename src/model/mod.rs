//! The ground floor: vocabulary every stage may use and that imports no stage. A stage
//! imports only stages below it (tests/layering.rs); a type two stages share lives here.
//! The old paths re-export what moved (`snapshot::Node`, `engine::Stats`).

use std::time::Duration;

pub mod certkey;
pub mod fingerprint;
pub mod instant;
pub mod location;
pub mod problem;
pub mod redact;
pub mod severity;
pub mod shell;

pub use certkey::{CertKey, KeyKind};
pub use fingerprint::Fingerprint;
pub use instant::{duration_text, rfc3339};
pub use location::{Location, ObjectRef};
pub use problem::InputProblem;
pub use severity::Severity;

/// Collapses `.` and `..` segments of a bundle path (never above the bundle root).
pub fn normalize(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

/// A node found in the bundle: a prefix under which a node's file tree lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// The node's name (from `etc/hostname`, else the prefix's last folder, else `node`).
    pub name: String,
    /// Bundle path prefix of the node's root, ending in `/` (empty for a bundle that is one
    /// node's tree).
    pub root: String,
    /// The node folder `root` stands for, ending in `/`, when it is not the node's `/`: a
    /// kubeadm PKI folder found on its own (`pki/`, `cp-1-pki/`) is `/etc/kubernetes/pki/`.
    pub base: Option<String>,
}

impl Node {
    /// The absolute node path of a bundle path under [`Node::root`] given relative to it.
    pub fn abs_path(&self, relative: &str) -> String {
        format!(
            "{}{}",
            self.base.as_deref().unwrap_or("/"),
            relative.trim_start_matches('/')
        )
    }

    /// The bundle path of an absolute node path; `None` when the bundle's copy of this node
    /// does not reach that path (a PKI folder holds nothing outside it).
    pub fn bundle_path(&self, abs: &str) -> Option<String> {
        let rest = match &self.base {
            None => abs.trim_start_matches('/'),
            Some(base) => abs
                .strip_prefix(base.as_str())
                .or_else(|| (abs == base.trim_end_matches('/')).then_some(""))?,
        };
        Some(format!("{}{rest}", self.root))
    }
}

/// Time and bytes per stage, for `--stats`.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Bytes read from the source (compressed, as stored).
    pub bytes_read: u64,
    /// Bytes after decompression.
    pub bytes_unpacked: u64,
    /// Entries seen.
    pub entries: u64,
    /// Reading, decompressing and scanning logs (pipelined: wall time of the whole stream).
    pub read: Duration,
    /// Of which scanning logs: busy time summed over the threads that scan.
    pub scan: Duration,
    /// Parsing structured artifacts and indexing.
    pub parse: Duration,
    /// Signature checks and trust edges.
    pub pki: Duration,
    /// Running the checks.
    pub checks: Duration,
    /// Correlating findings, ordering the fix plan and assembling the analysis.
    pub plan: Duration,
}

impl Stats {
    /// Unpacked megabytes per second of the read stage (0 when it took no time).
    pub fn mb_per_s(&self) -> f64 {
        let secs = self.read.as_secs_f64();
        if secs > 0.0 {
            self.bytes_unpacked as f64 / 1e6 / secs
        } else {
            0.0
        }
    }
}
