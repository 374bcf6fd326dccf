//! kubetriage: an offline forensic analyzer for Kubernetes bundles.
//!
//! The pipeline runs one way (see the README's architecture section):
//! bundle → artifacts → snapshot → checks → findings → fix plan → report.
//! Each stage is a module that reads only the stage before it.
#![warn(missing_docs)]

pub mod artifact;
pub mod bundle;
pub mod catalog;
pub mod checks;
pub mod collect;
pub mod engine;
pub mod error;
pub mod facts;
pub mod finding;
pub mod ingest;
pub mod logscan;
pub mod model;
pub mod pki;
pub mod plan;
pub use model::redact;
pub mod report;
pub mod snapshot;

pub use error::Error;

use crate::bundle::Limits;
use crate::catalog::Catalog;
use crate::report::Analysis;
use crate::snapshot::CapturedAt;

/// What the caller chose: the pieces of the analysis that do not come from the bundle.
#[derive(Clone, Debug)]
pub struct Options {
    /// The instant to judge the bundle at; `None` infers it from the bundle.
    pub now: Option<time::OffsetDateTime>,
    /// Certificates expiring within this window (after capture) are reported as due soon.
    pub expiry_window: time::Duration,
    /// Caps on what is read from a hostile or broken bundle.
    pub limits: Limits,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Force every node's distribution (`--layout`) instead of detecting it.
    pub layout: Option<bundle::distro::Layout>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            now: None,
            expiry_window: time::Duration::days(30),
            limits: Limits::default(),
            progress: false,
            layout: None,
        }
    }
}

/// Analyses one bundle (a directory, `.tar` or `.tar.gz`) end to end.
///
/// `Err` means the tool could not do its job (unreadable top-level input); anything wrong
/// *inside* the bundle is a finding or a problem in the returned analysis.
pub fn analyze(source: &std::path::Path, catalog: &Catalog, opts: &Options) -> Result<Analysis, Error> {
    warm();
    let mut stats = engine::Stats::default();
    let snap = ingest::from_source(source, catalog, opts, &mut stats)?;
    let analysis = engine::run(&snap, catalog, opts, stats);
    // A cluster-scale snapshot is millions of small allocations: free them on the pool
    // while the caller renders, rather than before it may start.
    rayon::spawn(move || drop(snap));
    Ok(analysis)
}

/// Starts compiling the redaction patterns on two threads of their own (one from each end of
/// the list), once per process: they are needed only once samples and findings are written,
/// so a caller that will read a bundle calls this first and the compiling overlaps the
/// catalogue's loading and the bundle's reading. [`analyze`] calls it too; later calls do
/// nothing.
pub fn warm() {
    static WARM: std::sync::Once = std::sync::Once::new();
    WARM.call_once(|| {
        for from_end in [false, true] {
            let _ = std::thread::Builder::new()
                .name("warm-redact".into())
                .spawn(move || redact::warm(from_end));
        }
    });
}

/// Capture time as decided for a snapshot (re-exported for callers that print it).
pub type CaptureTime = CapturedAt;
