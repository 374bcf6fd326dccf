//! The certificate inventory behind `kubetriage certs`: every certificate once, with every
//! place it sits, its verified issuer and its state at capture time.

use rayon::prelude::*;
use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::artifact::certtext::CertText;
use crate::pki::CertRecord;
use crate::snapshot::{Snapshot, rfc3339};

/// A certificate's state at capture time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Valid, and not expiring within the window.
    Ok,
    /// Valid, but expires within the window.
    Expiring,
    /// notAfter is before capture.
    Expired,
    /// notBefore is after capture.
    NotYetValid,
}

impl Status {
    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Expiring => "expiring",
            Status::Expired => "expired",
            Status::NotYetValid => "not-yet-valid",
        }
    }

    /// The state of `cert` at `at`, with `window` as the expiry warning window.
    pub fn of(cert: &CertRecord, at: OffsetDateTime, window: Duration) -> Status {
        Status::between(cert.not_before, cert.not_after, at, window)
    }

    /// The state at `at` of a validity from `not_before` to `not_after`.
    pub fn between(
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
        at: OffsetDateTime,
        window: Duration,
    ) -> Status {
        if at > not_after {
            Status::Expired
        } else if at < not_before {
            Status::NotYetValid
        } else if not_after <= at + window {
            Status::Expiring
        } else {
            Status::Ok
        }
    }
}

/// One line of the inventory.
#[derive(Clone, Debug, Serialize)]
pub struct CertRow {
    /// SHA-256 of the DER, hex.
    pub fingerprint: String,
    /// Every place the certificate sits (bundle paths, `ns/Kind/name#key`, kubeconfig fields).
    pub locations: Vec<String>,
    /// Subject, RFC 4514.
    pub subject: String,
    /// SANs, DNS names then IPs.
    pub sans: Vec<String>,
    /// The certificate(s) in the bundle whose key verifies its signature, `self-signed`, or
    /// `unknown`.
    pub issuer_verified: String,
    /// The issuer name the certificate claims.
    pub issuer_claimed: String,
    /// Whether it is a CA.
    pub is_ca: bool,
    /// Start of validity, RFC 3339.
    pub not_before: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
    /// Whole days from capture to notAfter (negative once expired).
    pub days_left: i64,
    /// `rsa 2048`, `ec 256`, `ed25519`.
    pub key: String,
    /// State at capture time.
    pub status: Status,
}

/// The verified issuer of certificate `i`, as reports name it: `self-signed`, the issuing
/// certificates' subjects with short fingerprints, or `unknown` when no certificate of the
/// bundle verifies its signature.
pub fn verified_issuer(snap: &Snapshot, i: usize) -> String {
    let parents: Vec<String> = snap
        .graph
        .parents(i)
        .filter_map(|p| snap.certs.certs.get(p))
        .map(|c| format!("{} [{}]", c.subject, c.fingerprint.short()))
        .collect();
    if !parents.is_empty() {
        parents.join(", ")
    } else if snap.graph.self_signed(i) {
        "self-signed".to_string()
    } else {
        "unknown".to_string()
    }
}

/// A key's type and size for reports.
pub fn key_text(c: &CertRecord) -> String {
    if c.key_bits == 0 {
        c.key_algorithm.as_str().to_string()
    } else {
        format!("{} {}", c.key_algorithm.as_str(), c.key_bits)
    }
}

/// Every certificate of the snapshot, in fingerprint order, `expiring` within 30 days.
pub fn rows(snap: &Snapshot) -> Vec<CertRow> {
    rows_within(snap, Duration::days(30))
}

/// Every certificate of the snapshot, in fingerprint order, `expiring` within `window`.
pub fn rows_within(snap: &Snapshot, window: Duration) -> Vec<CertRow> {
    let at = snap.captured_at.at;
    snap.certs
        .certs
        .par_iter()
        .enumerate()
        .map(|(i, c)| CertRow {
            fingerprint: c.fingerprint.hex(),
            locations: c.locations.iter().map(ToString::to_string).collect(),
            subject: c.subject.clone(),
            sans: c
                .dns_names
                .iter()
                .cloned()
                .chain(c.ip_addresses.iter().map(ToString::to_string))
                .collect(),
            issuer_verified: verified_issuer(snap, i),
            issuer_claimed: c.issuer.clone(),
            is_ca: c.is_ca,
            not_before: rfc3339(c.not_before),
            not_after: rfc3339(c.not_after),
            days_left: c.days_left(at),
            key: key_text(c),
            status: Status::of(c, at, window),
        })
        .chain(
            snap.cert_texts
                .par_iter()
                .map(|(path, _, c)| text_row(c, path, at, window)),
        )
        .collect()
}

/// What the inventory shows of a certificate known only from an `openssl x509 -text` dump
/// (Rancher's collector): its dates, names and place; no fingerprint (there is no DER), its
/// issuer unverifiable, its key unknown.
fn text_row(c: &CertText, path: &str, at: OffsetDateTime, window: Duration) -> CertRow {
    CertRow {
        fingerprint: TEXT_DUMP.to_string(),
        locations: vec![path.to_string()],
        subject: c.subject.clone(),
        sans: c.sans.clone(),
        issuer_verified: "unverifiable (openssl text dump)".to_string(),
        issuer_claimed: c.issuer.clone(),
        is_ca: false,
        not_before: rfc3339(c.not_before),
        not_after: rfc3339(c.not_after),
        days_left: (c.not_after - at).whole_days(),
        key: "unknown".to_string(),
        status: Status::between(c.not_before, c.not_after, at, window),
    }
}

/// The fingerprint column of a certificate known only from a text dump.
pub const TEXT_DUMP: &str = "text-dump";
