//! Built-in checks: one struct per catalogue rule decided by code, registered in [`CHECKS`].
//!
//! A check reads the read-only [`Snapshot`] and returns findings; it never reads the bundle,
//! the clock or the environment. Its doc comment starts with the rule id it implements, so
//! one search for the id finds the catalogue entry, the check, its fixtures and its tests.

pub mod certkeys;
pub mod cloud;
pub mod control_plane;
pub mod evidence;
pub mod input;
pub mod logs;
pub mod manifests;
pub mod network;
pub mod pki;

use crate::Options;
use crate::catalog::Rule;
use crate::finding::Finding;
use crate::snapshot::Snapshot;

/// What a check is given.
pub struct Ctx<'a> {
    /// The snapshot.
    pub snap: &'a Snapshot,
    /// Facts derived once from the snapshot, shared by every check.
    pub facts: &'a crate::facts::Facts<'a>,
    /// The catalogue entry being evaluated.
    pub rule: &'a Rule,
    /// The caller's options (expiry window, …).
    pub opts: &'a Options,
}

impl Ctx<'_> {
    /// A new finding of this rule about `subject`.
    pub fn finding(&self, subject: impl Into<String>) -> Finding {
        Finding::new(self.rule, subject)
    }
}

/// A built-in check.
pub trait Check: Sync {
    /// The id the catalogue names it by (`domain.snake_case`).
    fn id(&self) -> &'static str;
    /// Runs over the snapshot.
    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding>;
}

/// Every built-in check. A test keeps this list and the catalogue in step.
pub const CHECKS: &[&dyn Check] = &[
    &input::InputProblems,
    &evidence::EvidenceScrubbed,
    &manifests::StaleCheckpoint,
    &manifests::StaleManifest,
    &network::FlannelSubnetEnvMissing,
    &network::CniConfigMissing,
    &control_plane::ComponentMissing,
    &control_plane::TaintRemoved,
    &control_plane::NodeNotReady,
    &cloud::CredentialsInvalid,
    &pki::CertExpired,
    &pki::CertExpiredInLogs,
    &pki::KubeletCertExpiredInLogs,
    &pki::CertNotReloaded,
    &pki::CertNotYetValid,
    &pki::CertExpiringSoon,
    &pki::CaMismatch,
    &pki::KeyMismatch,
    &pki::SanMissing,
    &pki::SaTokenStaleCa,
    &pki::CertUsage,
    &pki::CertWeak,
];

/// The check with this id.
pub fn find(id: &str) -> Option<&'static dyn Check> {
    CHECKS.iter().copied().find(|c| c.id() == id)
}
