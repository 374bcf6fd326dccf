//! `kubetriage-collect.json`: what `collect` gathered and what it could not, so a gap in the
//! bundle is explained in the bundle.

use serde::Serialize;

use super::CollectOptions;

/// Something `collect` looked for and did not get.
#[derive(Clone, Debug, Serialize)]
pub struct Skipped {
    /// The path (relative to the root) or the command.
    pub what: String,
    /// Why, in the tool's words.
    pub why: String,
}

/// The manifest written into every collected bundle.
#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    /// kubetriage's version.
    pub version: String,
    /// When the collection ran (RFC 3339, UTC): the analysis's capture time.
    pub collected_at: String,
    /// The host name (folder of the bundle).
    pub host: String,
    /// The root that was read (`/` on a live node).
    pub root: String,
    /// Whether private keys were replaced by public-key stubs.
    pub no_private_keys: bool,
    /// Files whose private keys were replaced by stubs.
    pub stubbed: usize,
    /// What was collected (`path (N bytes)`, `path -> target`).
    pub files: Vec<String>,
    /// What was missing or failed; never fatal.
    pub skipped: Vec<Skipped>,
}

impl Manifest {
    /// An empty manifest for this run.
    pub fn new(opts: &CollectOptions, host: &str) -> Self {
        Manifest {
            version: env!("CARGO_PKG_VERSION").to_string(),
            collected_at: opts.collected_at.clone(),
            host: host.to_string(),
            root: opts.root.display().to_string(),
            no_private_keys: !opts.include_private_keys,
            stubbed: 0,
            files: Vec::new(),
            skipped: Vec::new(),
        }
    }

    /// Records something missing.
    pub fn skip(&mut self, what: &str, why: &str) {
        self.skipped.push(Skipped {
            what: what.to_string(),
            why: why.trim().to_string(),
        });
    }
}
