//! Certificate keys: concrete, non-secret facts about a certificate (its notAfter, the server
//! it is served at, its SANs) that tie what a log line names to the finding about that
//! certificate. The log scanner extracts them, the checks attach them, the engine matches them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What kind of fact a [`CertKey`] is. Two keys match when kind and value are equal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// A certificate's notAfter (Go: `current time … is after <T>`).
    NotAfter,
    /// A certificate's notBefore (Go: `current time … is before <T>`).
    NotBefore,
    /// `host:port` of a TLS server whose certificate chain failed to verify: the certificate
    /// served there, or a CA trusted for it.
    Server,
    /// `host:port` of a TLS server that rejected the client's certificate: a client
    /// certificate presented there, or the CA the server trusts for clients.
    Client,
    /// Host of a TLS client whose connection a server rejected (`rejected connection from`).
    RemoteClient,
    /// A server component (`etcd`, `kube-apiserver`, `kubelet`) whose own certificate its
    /// clients rejected (it logs `remote error: tls: …` for an incoming connection): the
    /// certificate it serves, or a CA its clients trust for it.
    ServedBy,
    /// A server component that rejected a client's certificate: a client certificate
    /// presented to it, or the CA it trusts for clients.
    ClientOf,
    /// A certificate's IP or DNS SANs, sorted, comma-separated (Go: `valid for a, b, not c`).
    Sans,
    /// A name a certificate was used for but does not cover (Go: `…, not c`).
    Missing,
    /// The name of a CA tried as issuer (Go: `candidate authority certificate "x"`).
    Authority,
}

/// A concrete, non-secret fact about a certificate that ties a symptom (what a log line
/// names) to the root-cause finding about that certificate.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CertKey {
    /// What kind of fact.
    pub kind: KeyKind,
    /// Its value, normalised (RFC 3339 UTC to the second, lowercase hosts).
    pub value: String,
}

impl CertKey {
    /// A key of `kind` with `value`.
    pub fn new(kind: KeyKind, value: impl Into<String>) -> Self {
        CertKey {
            kind,
            value: value.into(),
        }
    }

    /// A validity bound ([`KeyKind::NotAfter`], [`KeyKind::NotBefore`]) as RFC 3339 UTC.
    pub fn instant(kind: KeyKind, at: time::OffsetDateTime) -> Self {
        CertKey::new(kind, crate::model::rfc3339(at))
    }

    /// An endpoint key ([`KeyKind::Server`], [`KeyKind::Client`]): `host:port`, the host
    /// lowercased, an IPv6 address in brackets. `None` for a host that is not a plain DNS
    /// name or IP address.
    pub fn endpoint(kind: KeyKind, host: &str, port: u16) -> Option<Self> {
        Some(CertKey::new(kind, format!("{}:{port}", host_text(host)?)))
    }

    /// A [`KeyKind::RemoteClient`] key: a host.
    pub fn remote_client(host: &str) -> Option<Self> {
        let h = host_text(host)?;
        Some(CertKey::new(KeyKind::RemoteClient, h))
    }

    /// A [`KeyKind::Sans`] key: the names (all IPs or all DNS names, as Go prints them),
    /// normalised, sorted and comma-separated. `None` when empty or a name is not a name.
    pub fn sans<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        let mut v: Vec<String> = names
            .into_iter()
            .map(|n| san_text(n.trim()))
            .collect::<Option<Vec<String>>>()?;
        v.sort();
        v.dedup();
        (!v.is_empty()).then(|| CertKey::new(KeyKind::Sans, v.join(",")))
    }

    /// A [`KeyKind::Missing`] key: one name (DNS name or IP), normalised.
    pub fn missing(name: &str) -> Option<Self> {
        Some(CertKey::new(KeyKind::Missing, san_text(name.trim())?))
    }
}

/// A DNS name or IP address as keys hold it: IPs in their canonical text, names lowercase
/// without a trailing dot; `None` for anything else.
fn san_text(n: &str) -> Option<String> {
    let n = n.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = n.parse::<std::net::IpAddr>() {
        return Some(ip.to_string());
    }
    let n = n.trim_end_matches('.');
    let ok = !n.is_empty()
        && n.len() <= 253
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'*'));
    ok.then(|| n.to_ascii_lowercase())
}

/// A host for an endpoint: an IPv6 address bracketed, else as [`san_text`].
fn host_text(h: &str) -> Option<String> {
    let t = san_text(h)?;
    Some(if t.contains(':') { format!("[{t}]") } else { t })
}

/// How a report names a key: `notAfter 2026-03-02T11:00:00Z`, `server 10.0.0.10:6443`, …
impl fmt::Display for CertKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = &self.value;
        match self.kind {
            KeyKind::NotAfter => write!(f, "notAfter {v}"),
            KeyKind::NotBefore => write!(f, "notBefore {v}"),
            KeyKind::Server => write!(f, "server {v}"),
            KeyKind::Client => write!(f, "server {v} (rejecting the client certificate)"),
            KeyKind::RemoteClient => write!(f, "client {v}"),
            KeyKind::ServedBy => write!(f, "{v} (its certificate rejected by a client)"),
            KeyKind::ClientOf => write!(f, "{v} (rejecting a client certificate)"),
            KeyKind::Sans => write!(f, "SANs {v}"),
            KeyKind::Missing => write!(f, "name {v} (not covered)"),
            KeyKind::Authority => write!(f, "CA {v}"),
        }
    }
}
