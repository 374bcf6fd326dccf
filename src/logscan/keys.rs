//! The certificate facts a TLS error line names, as [`CertKey`]s, so that the engine can
//! link the symptom to the finding about that very certificate rather than to every
//! certificate finding on the node.
//!
//! Go's TLS and x509 packages print them in fixed words: `current time <T> is after <T>`
//! (the notAfter; `is before`: the notBefore), the URL or address dialled (`Get
//! "https://10.0.0.10:6443/…"`, `createTransport failed to connect to {…}`, `dial tcp …`),
//! `remote error: tls: …` (the server rejected *our* certificate), `rejected connection from
//! "<client>"` (a server rejected a client), `certificate is valid for a, b, not c` (the SANs
//! and the name asked for) and `candidate authority certificate "<CA>"`. When a server
//! component (etcd, the apiserver, the kubelet) logs that it rejected an incoming
//! connection, the key names that component: `ServedBy` when the client rejected the
//! server's certificate (`remote error: tls: …`), `ClientOf` when the server rejected the
//! client's. Only lines that mention x509 or TLS are read; nothing else of the line is kept.
//!
//! Cost: the scanner calls [`KeyReader::read`] only for lines a rule matched. One
//! Aho-Corasick pass finds every word; the texts after them are compared with the last few
//! line shapes, so a line logged again (with a new timestamp) is not parsed again. On a log
//! whose every other line is an x509 error this adds about a tenth to the scan.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::logscan::stamp;
use crate::model::{CertKey, KeyKind};

/// Distinct key groups kept per (rule, node, component): the smallest ones in key order,
/// so that merging partial scans keeps the same ones whatever the order.
pub const MAX_REFS: usize = 16;
/// Keys kept from one line.
const MAX_KEYS: usize = 8;
/// Longest CA name kept.
const MAX_NAME: usize = 128;
/// Line shapes remembered by a [`KeyReader`].
const CACHE: usize = 8;

/// Components that serve TLS and whose certificates the trust edges know.
const SERVERS: &[&str] = &["etcd", "kube-apiserver", "kubelet"];

/// The words looked for, in one pass; at one position the first listed wins.
const WORDS: &[&str] = &[
    "current time ",
    " is expired: ",
    "https://",
    "connect to {",
    "Failed to dial ",
    "dial tcp ",
    "rejected connection from ",
    "rejected connection",
    "\"remote-addr\":",
    "TLS handshake error from ",
    "Unable to authenticate the request",
    "certificate is valid for ",
    "cannot validate certificate for ",
    "but wanted to match ",
    "candidate authority certificate ",
    "remote error: tls:",
    "x509",
    "tls:",
    "certificate",
    "Unauthorized",
    "unable to load bootstrap kubeconfig",
];

fn words() -> Option<&'static AhoCorasick> {
    static AC: OnceLock<Option<AhoCorasick>> = OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(WORDS)
            .ok()
    })
    .as_ref()
}

/// What a key is read from, before it is normalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Raw {
    /// `current time … is after <T>`: the RFC 3339 text.
    After,
    /// `… is before <T>`.
    Before,
    /// The kubelet's `is expired: <Go time>`.
    Expired,
    /// The authority of an `https://` URL (port 443 when absent).
    Url,
    /// A dialled `host:port`.
    Dial,
    /// The address of a client a server rejected.
    Remote,
    /// `valid for <list>`.
    Sans,
    /// The name asked for.
    Missing,
    /// A candidate CA's name.
    Authority,
}

/// A line shape a [`KeyReader`] remembers: who logged it, its role flags and raw key texts,
/// and the keys they make.
#[derive(Debug)]
struct Shape {
    component: String,
    flags: u8,
    raw: Vec<(Raw, String)>,
    keys: Vec<CertKey>,
}

/// Reads the keys of lines, remembering the last few line shapes so that repeated lines
/// (the usual case: one error, logged every few seconds) cost one pass over the line.
#[derive(Debug, Default)]
pub struct KeyReader {
    spans: Vec<(Raw, usize, usize)>,
    cache: Vec<Shape>,
    next: usize,
}

impl KeyReader {
    /// Reads the keys `msg` (logged by `component`) names; [`KeyReader::get`] gives them
    /// until the next read. `None` when the line is not about TLS.
    pub fn read(&mut self, msg: &str, component: &str) -> Option<usize> {
        let flags = self.scan(msg)?;
        let spans = &self.spans;
        let text = |a: usize, b: usize| msg.get(a..b).unwrap_or_default();
        let hit = self.cache.iter().position(|e| {
            e.component == component
                && e.flags == flags
                && e.raw.len() == spans.len()
                && e.raw
                    .iter()
                    .zip(spans)
                    .all(|((k, t), (k2, a, b))| k == k2 && t == text(*a, *b))
        });
        let i = match hit {
            Some(i) => i,
            None => {
                let keys = normalise(msg, spans, flags, component);
                let raw = spans
                    .iter()
                    .map(|(k, a, b)| (*k, text(*a, *b).to_string()))
                    .collect();
                let entry = Shape {
                    component: component.to_string(),
                    flags,
                    raw,
                    keys,
                };
                if self.cache.len() < CACHE {
                    self.cache.push(entry);
                    self.cache.len() - 1
                } else {
                    let i = self.next % CACHE;
                    self.next = self.next.wrapping_add(1);
                    if let Some(slot) = self.cache.get_mut(i) {
                        *slot = entry;
                    }
                    i
                }
            }
        };
        Some(i)
    }

    /// The keys of a read (sorted, unique, at most a few; empty when the line names none).
    pub fn get(&self, read: Option<usize>) -> &[CertKey] {
        read.and_then(|i| self.cache.get(i))
            .map_or(&[], |e| e.keys.as_slice())
    }

    /// One pass over `msg`: the raw key spans into `self.spans` and the role flags
    /// (`REMOTE_ERROR`, `INCOMING`); `None` when the line is not about TLS.
    fn scan(&mut self, msg: &str) -> Option<u8> {
        self.spans.clear();
        let ac = words()?;
        let mut tls = false;
        let mut flags = 0u8;
        for m in ac.find_iter(msg) {
            let rest = msg.get(m.end()..).unwrap_or_default();
            let at = m.end();
            let mut span = |raw: Raw, len: usize, skip: usize| {
                if len > 0 {
                    self.spans.push((raw, at + skip, at + skip + len));
                }
            };
            match m.pattern().as_usize() {
                0 => {
                    // `current time <T> is after|before <T>`
                    let Some(sp) = rest.find(' ') else { continue };
                    let tail = rest.get(sp..).unwrap_or_default();
                    for (word, raw) in [(" is after ", Raw::After), (" is before ", Raw::Before)] {
                        if let Some(t) = tail.strip_prefix(word) {
                            span(
                                raw,
                                token_len(t, |c| c.is_whitespace() || c == '"' || c == '\\' || c == ','),
                                sp + word.len(),
                            );
                        }
                    }
                }
                1 => {
                    // The kubelet's own kubeconfig credential: `bootstrap client certificate
                    // in <kubeconfig> is expired: <T>`.
                    if msg
                        .get(..m.start())
                        .is_some_and(|b| b.contains("client certificate in "))
                    {
                        flags |= OWN_CLIENT;
                    }
                    // Go's time.String(): `2026-11-20 08:00:00 +0000 UTC`, three words.
                    let len = rest
                        .char_indices()
                        .filter(|(_, c)| *c == ' ')
                        .nth(2)
                        .map_or(rest.len(), |(i, _)| i);
                    span(Raw::Expired, len, 0);
                }
                2 => {
                    // Without user info (never kept): `https://user:pass@host`.
                    let len = token_len(rest, is_end);
                    let skip = rest.get(..len).and_then(|a| a.rfind('@')).map_or(0, |i| i + 1);
                    span(Raw::Url, len - skip, skip);
                }
                3..=5 => {
                    let skip = rest.strip_prefix("Addr: ").map_or(0, |_| "Addr: ".len());
                    let r = rest.get(skip..).unwrap_or_default();
                    let q = r.len() - r.trim_start_matches(['\\', '"']).len();
                    let r = r.get(q..).unwrap_or_default();
                    if !r.starts_with("https://") {
                        span(Raw::Dial, token_len(r, |c| is_end(c) || c == '@'), skip + q);
                    }
                }
                6..=9 => {
                    flags |= INCOMING;
                    if m.pattern().as_usize() != 7 {
                        let q = rest.len() - rest.trim_start_matches(['\\', '"']).len();
                        let r = rest.get(q..).unwrap_or_default();
                        span(Raw::Remote, token_len(r, |c| is_end(c) || c == '@'), q);
                    }
                }
                10 => flags |= INCOMING,
                11 => {
                    tls = true;
                    if let Some(not) = rest.find(", not ") {
                        span(Raw::Sans, not, 0);
                        let name = rest.get(not + ", not ".len()..).unwrap_or_default();
                        span(
                            Raw::Missing,
                            token_len(name, |c| is_end(c) || c == ']'),
                            not + ", not ".len(),
                        );
                    }
                }
                12 | 13 => {
                    tls = true;
                    span(Raw::Missing, token_len(rest, |c| is_end(c) || c == ']'), 0);
                }
                14 => {
                    tls = true;
                    let q = rest.len() - rest.trim_start_matches(['\\', '"']).len();
                    let r = rest.get(q..).unwrap_or_default();
                    span(Raw::Authority, token_len(r, |c| c == '"' || c == '\\'), q);
                }
                15 => {
                    tls = true;
                    flags |= REMOTE_ERROR;
                }
                19 | 20 => {
                    tls = true;
                    flags |= OWN_CLIENT;
                }
                _ => tls = true,
            }
        }
        tls.then_some(flags)
    }
}

/// The line holds `remote error: tls:` (the peer rejected our certificate).
const REMOTE_ERROR: u8 = 1;
/// The line is a server's about an incoming connection.
const INCOMING: u8 = 2;
/// The line is about a client's own credential for the apiserver: refused (`Unauthorized`),
/// expired in its kubeconfig, or replaced by a bootstrap kubeconfig that failed to load.
/// From the kubelet, it names the kubelet's client certificate (`ClientOf=kube-apiserver`).
const OWN_CLIENT: u8 = 4;

/// Bytes of `s` up to the first character `end` accepts.
fn token_len(s: &str, end: impl Fn(char) -> bool) -> usize {
    s.find(end).unwrap_or(s.len())
}

/// The keys of the raw spans.
fn normalise(msg: &str, spans: &[(Raw, usize, usize)], flags: u8, component: &str) -> Vec<CertKey> {
    let mut out: Vec<CertKey> = Vec::new();
    let kind = if flags & REMOTE_ERROR != 0 && flags & INCOMING == 0 {
        KeyKind::Client
    } else {
        KeyKind::Server
    };
    for &(raw, a, b) in spans {
        let t = msg.get(a..b).unwrap_or_default();
        let key = match raw {
            Raw::After | Raw::Before => stamp::rfc3339(t.as_bytes()).map(|(at, _)| {
                let k = if raw == Raw::After {
                    KeyKind::NotAfter
                } else {
                    KeyKind::NotBefore
                };
                CertKey::instant(k, at)
            }),
            Raw::Expired => {
                let mut w = t.split(' ');
                match (w.next(), w.next(), w.next()) {
                    (Some(date), Some(clock), Some(offset)) => {
                        stamp::rfc3339(format!("{date}T{clock}{offset}").as_bytes())
                            .map(|(at, _)| CertKey::instant(KeyKind::NotAfter, at))
                    }
                    _ => None,
                }
            }
            Raw::Url => host_port(t).and_then(|(h, p)| CertKey::endpoint(kind, h, p.unwrap_or(443))),
            Raw::Dial => host_port(t).and_then(|(h, p)| CertKey::endpoint(kind, h, p?)),
            Raw::Remote => host_port(t).and_then(|(h, _)| CertKey::remote_client(h)),
            Raw::Sans => CertKey::sans(t.split(", ")),
            Raw::Missing => CertKey::missing(t),
            Raw::Authority => {
                let name = t.trim();
                (!name.is_empty() && name.len() <= MAX_NAME && !name.chars().any(char::is_control))
                    .then(|| CertKey::new(KeyKind::Authority, name))
            }
        };
        out.extend(key);
    }
    if flags & OWN_CLIENT != 0 && component == "kubelet" {
        out.push(CertKey::new(KeyKind::ClientOf, "kube-apiserver"));
    }
    if flags & INCOMING != 0 && SERVERS.contains(&component) {
        let k = if flags & REMOTE_ERROR != 0 {
            KeyKind::ServedBy
        } else {
            KeyKind::ClientOf
        };
        out.push(CertKey::new(k, component));
    }
    out.sort();
    out.dedup();
    out.truncate(MAX_KEYS);
    out
}

/// The keys one message logged by `component` names (sorted, unique, at most a few); empty
/// when it names none or is not about TLS. [`KeyReader::read`] without its memory.
pub fn extract(msg: &str, component: &str) -> Vec<CertKey> {
    let mut r = KeyReader::default();
    let read = r.read(msg, component);
    r.get(read).to_vec()
}

/// Characters that end a host or `host:port` in a log line.
fn is_end(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '/' | '?' | '#' | '"' | '\\' | '\'' | ',' | ';' | '}' | ')' | '>' | '<'
        )
}

/// Parses `host[:port]` (an IPv6 host in brackets): `(host, port)`.
fn host_port(s: &str) -> Option<(&str, Option<u16>)> {
    let (host, rest) = if let Some(v6) = s.strip_prefix('[') {
        let end = v6.find(']')?;
        (v6.get(..end)?, v6.get(end + 1..)?)
    } else {
        match s.find(':') {
            Some(c) => (s.get(..c)?, s.get(c..)?),
            None => (s, ""),
        }
    };
    let port = match rest.strip_prefix(':') {
        Some(p) => {
            let digits = p.get(..token_len(p, |c| !c.is_ascii_digit())).unwrap_or_default();
            Some(digits.parse::<u16>().ok().filter(|p| *p > 0)?)
        }
        None => None,
    };
    (!host.is_empty()).then_some((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(msg: &str) -> Vec<String> {
        extract(msg, "coredns")
            .into_iter()
            .map(|k| format!("{:?}={}", k.kind, k.value))
            .collect()
    }

    #[test]
    fn expired_with_the_server_dialled() {
        assert_eq!(
            keys(
                r#"E1121 09:29:58.1 1 reflector.go:138] Get "https://10.0.0.10:6443/api/v1/nodes?limit=500": x509: certificate has expired or is not yet valid: current time 2026-11-21T09:29:58Z is after 2026-03-02T11:00:00Z"#
            ),
            ["NotAfter=2026-03-02T11:00:00Z", "Server=10.0.0.10:6443"]
        );
        assert_eq!(
            keys(
                "x509: certificate has expired or is not yet valid: current time 2026-01-01T00:00:00Z is before 2026-03-02T11:00:00+01:00"
            ),
            ["NotBefore=2026-03-02T10:00:00Z"]
        );
        assert_eq!(
            keys(
                "Get https://User:Secret@API.example.com/version: x509: certificate has expired or is not yet valid"
            ),
            ["Server=api.example.com:443"]
        );
    }

    #[test]
    fn grpc_dials_and_rejections() {
        assert_eq!(
            keys(
                r#"grpc: addrConn.createTransport failed to connect to {https://10.0.0.10:2379 0  <nil>}. Err :connection error: desc = "transport: authentication handshake failed: x509: certificate signed by unknown authority (possibly because of "crypto/rsa: verification error" while trying to verify candidate authority certificate "etcd-ca")". Reconnecting..."#
            ),
            ["Server=10.0.0.10:2379", "Authority=etcd-ca"]
        );
        assert_eq!(
            keys(
                r#"[core] grpc: addrConn.createTransport failed to connect to {Addr: "127.0.0.1:2379", ServerName: "127.0.0.1", }. Err: connection error: desc = "transport: authentication handshake failed: remote error: tls: bad certificate""#
            ),
            ["Client=127.0.0.1:2379"]
        );
        assert_eq!(
            keys(
                r#"etcdserver/api/v3rpc: Failed to dial 10.161.233.80:2379: connection error: desc = "transport: remote error: tls: bad certificate"; please retry."#
            ),
            ["Client=10.161.233.80:2379"]
        );
        assert_eq!(
            keys(
                r#"embed: rejected connection from "10.0.0.10:49100" (error "remote error: tls: bad certificate", ServerName "")"#
            ),
            ["RemoteClient=10.0.0.10"]
        );
        assert_eq!(
            keys(
                r#"{"level":"warn","msg":"rejected connection","remote-addr":"[fd00::a]:52144","error":"tls: failed to verify client certificate: x509: certificate has expired or is not yet valid: current time 2026-11-21T09:12:03Z is after 2026-11-20T08:00:00Z"}"#
            ),
            ["NotAfter=2026-11-20T08:00:00Z", "RemoteClient=[fd00::a]"]
        );
    }

    #[test]
    fn the_reader_remembers_line_shapes() {
        let mut r = KeyReader::default();
        let line = |now: u32, after: u32| {
            format!(
                "Get https://10.0.0.10:6443/x: x509: certificate has expired or is not yet valid: current time 2026-11-21T09:{now:02}:00Z is after 2026-03-{after:02}T11:00:00Z"
            )
        };
        for n in 0..40 {
            // Forty shapes, then the first again: evicted shapes are read anew, the same.
            let after = n % 20 + 1;
            let read = r.read(&line(n % 60, after), "kubelet");
            assert_eq!(
                r.get(read),
                [
                    CertKey::new(KeyKind::NotAfter, format!("2026-03-{after:02}T11:00:00Z")),
                    CertKey::new(KeyKind::Server, "10.0.0.10:6443")
                ]
            );
        }
        assert!(r.cache.len() <= CACHE);
        let read = r.read(
            r#"rejected connection from "10.0.0.10:1" (error "remote error: tls: bad certificate")"#,
            "etcd",
        );
        assert!(r.get(read).contains(&CertKey::new(KeyKind::ServedBy, "etcd")));
        let read = r.read(
            r#"rejected connection from "10.0.0.10:1" (error "remote error: tls: bad certificate")"#,
            "kubelet",
        );
        assert!(r.get(read).contains(&CertKey::new(KeyKind::ServedBy, "kubelet")));
        assert_eq!(r.read("I1121 nothing to see", "kubelet"), None);
        assert!(r.get(None).is_empty());
    }

    #[test]
    fn servers_name_themselves() {
        let etcd = |msg: &str| -> Vec<String> {
            extract(msg, "etcd")
                .into_iter()
                .map(|k| format!("{:?}={}", k.kind, k.value))
                .collect()
        };
        assert_eq!(
            etcd(
                r#"embed: rejected connection from "10.0.0.10:49100" (error "remote error: tls: bad certificate", ServerName "")"#
            ),
            ["RemoteClient=10.0.0.10", "ServedBy=etcd"]
        );
        assert_eq!(
            etcd(
                r#"embed: rejected connection from "10.0.0.10:45678" (error "tls: failed to verify client's certificate: x509: certificate signed by unknown authority", ServerName "")"#
            ),
            ["RemoteClient=10.0.0.10", "ClientOf=etcd"]
        );
        assert_eq!(
            extract(
                "http: TLS handshake error from 10.0.0.11:53412: remote error: tls: bad certificate",
                "kube-apiserver"
            ),
            [
                CertKey::new(KeyKind::RemoteClient, "10.0.0.11"),
                CertKey::new(KeyKind::ServedBy, "kube-apiserver")
            ]
        );
        // A client component names no server of its own.
        assert_eq!(
            extract(
                r#"rejected connection from "10.0.0.10:1" (error "remote error: tls: bad certificate")"#,
                "coredns"
            ),
            [CertKey::new(KeyKind::RemoteClient, "10.0.0.10")]
        );
    }

    #[test]
    fn names_and_bootstrap() {
        assert_eq!(
            keys(
                r#"Post \"https://api.example.com:6443/api/v1/nodes\": x509: certificate is valid for kubernetes, Kubernetes.default, master01, not api.example.com" node="node02""#
            ),
            [
                "Server=api.example.com:6443",
                "Sans=kubernetes,kubernetes.default,master01",
                "Missing=api.example.com"
            ]
        );
        assert_eq!(
            keys(
                "Get https://10.96.0.1:443/x: x509: certificate is valid for 127.0.0.1, 10.0.0.1, not 10.96.0.1"
            ),
            [
                "Server=10.96.0.1:443",
                "Sans=10.0.0.1,127.0.0.1",
                "Missing=10.96.0.1"
            ]
        );
        assert_eq!(
            keys(
                "connect to {10.0.0.10:2379 10.0.0.10 <nil> 0 <nil>}. x509: cannot validate certificate for 10.0.0.10 because it doesn't contain any IP SANs"
            ),
            ["Server=10.0.0.10:2379", "Missing=10.0.0.10"]
        );
        assert_eq!(
            keys(
                "bootstrap.go:121] part of the existing bootstrap client certificate in /etc/kubernetes/kubelet.conf is expired: 2026-11-20 08:00:00 +0000 UTC"
            ),
            ["NotAfter=2026-11-20T08:00:00Z"]
        );
        assert!(keys("dial tcp 10.0.0.10:2379: connect: connection refused").is_empty());
        assert!(keys("x509: certificate has expired or is not yet valid").is_empty());
    }
}
