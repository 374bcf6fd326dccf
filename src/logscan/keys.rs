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

use std::collections::BTreeSet;

use crate::finding::{CertKey, KeyKind};
use crate::logscan::stamp;

/// Distinct key groups kept per (rule, node, component): the smallest ones in key order,
/// so that merging partial scans keeps the same ones whatever the order.
pub const MAX_REFS: usize = 16;
/// Keys kept from one line.
const MAX_KEYS: usize = 8;
/// Longest CA name kept.
const MAX_NAME: usize = 128;

/// Components that serve TLS and whose certificates the trust edges know.
const SERVERS: &[&str] = &["etcd", "kube-apiserver", "kubelet"];

/// The keys one message logged by `component` names (sorted, unique, at most a few); empty
/// when it names none or is not about TLS.
pub fn extract(msg: &str, component: &str) -> Vec<CertKey> {
    if !(msg.contains("x509") || msg.contains("tls:") || msg.contains("certificate")) {
        return Vec::new();
    }
    let mut out = BTreeSet::new();
    validity(msg, &mut out);
    endpoints(msg, &mut out);
    sans(msg, &mut out);
    let server_side = [
        "rejected connection",
        "TLS handshake error from",
        "Unable to authenticate the request",
    ]
    .iter()
    .any(|w| msg.contains(w));
    if server_side && SERVERS.contains(&component) {
        let kind = if msg.contains("remote error: tls:") {
            KeyKind::ServedBy
        } else {
            KeyKind::ClientOf
        };
        out.insert(CertKey::new(kind, component));
    }
    for (i, _) in msg.match_indices("candidate authority certificate ") {
        let rest = msg
            .get(i + "candidate authority certificate ".len()..)
            .unwrap_or_default();
        let rest = rest.trim_start_matches(['\\', '"']);
        let name: String = rest.chars().take_while(|c| *c != '"' && *c != '\\').collect();
        let name = name.trim();
        if !name.is_empty() && name.len() <= MAX_NAME && !name.chars().any(char::is_control) {
            out.insert(CertKey::new(KeyKind::Authority, name));
        }
    }
    out.into_iter().take(MAX_KEYS).collect()
}

/// `current time <T> is after|before <T>` and the kubelet's `… is expired: <Go time>`.
fn validity(msg: &str, out: &mut BTreeSet<CertKey>) {
    for (i, _) in msg.match_indices("current time ") {
        let rest = msg.get(i + "current time ".len()..).unwrap_or_default();
        let Some(sp) = rest.find(' ') else { continue };
        let tail = rest.get(sp..).unwrap_or_default();
        for (word, kind) in [
            (" is after ", KeyKind::NotAfter),
            (" is before ", KeyKind::NotBefore),
        ] {
            if let Some((at, _)) = tail.strip_prefix(word).and_then(|t| stamp::rfc3339(t.as_bytes())) {
                out.insert(CertKey::instant(kind, at));
            }
        }
    }
    for (i, _) in msg.match_indices(" is expired: ") {
        // Go's time.String(): `2026-11-20 08:00:00 +0000 UTC`.
        let rest = msg.get(i + " is expired: ".len()..).unwrap_or_default();
        let mut words = rest.split(' ');
        let (Some(date), Some(clock), Some(offset)) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        if let Some((at, _)) = stamp::rfc3339(format!("{date}T{clock}{offset}").as_bytes()) {
            out.insert(CertKey::instant(KeyKind::NotAfter, at));
        }
    }
}

/// Characters that end a host or `host:port` in a log line.
fn is_end(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '/' | '?' | '#' | '"' | '\\' | '\'' | ',' | ';' | '}' | ')' | '>' | '<'
        )
}

/// Parses `host[:port]` (an IPv6 host in brackets) at the start of `s`: `(host, port)`.
fn host_port(s: &str) -> Option<(&str, Option<u16>)> {
    let s = s.split(|c: char| is_end(c) || c == '@').next()?;
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
            let digits: String = p.chars().take_while(char::is_ascii_digit).collect();
            Some(digits.parse::<u16>().ok().filter(|p| *p > 0)?)
        }
        None => None,
    };
    (!host.is_empty()).then_some((host, port))
}

/// The TLS servers the line dialled (`Server`, or `Client` when the server rejected our
/// certificate) and the clients a server rejected (`RemoteClient`).
fn endpoints(msg: &str, out: &mut BTreeSet<CertKey>) {
    let incoming = msg.contains("rejected connection") || msg.contains("TLS handshake error from");
    let kind = if msg.contains("remote error: tls:") && !incoming {
        KeyKind::Client
    } else {
        KeyKind::Server
    };
    let mut add = |s: &str, default: Option<u16>| {
        if let Some((host, port)) = host_port(s) {
            if let Some(k) = port.or(default).and_then(|p| CertKey::endpoint(kind, host, p)) {
                out.insert(k);
            }
        }
    };
    for (i, _) in msg.match_indices("https://") {
        let rest = msg.get(i + "https://".len()..).unwrap_or_default();
        // Drop user info (never kept): `https://user:pass@host`.
        let authority_end = rest.find(|c: char| is_end(c)).unwrap_or(rest.len());
        let authority = rest.get(..authority_end).unwrap_or_default();
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        add(host, Some(443));
    }
    for word in ["connect to {", "Failed to dial ", "dial tcp "] {
        for (i, _) in msg.match_indices(word) {
            let rest = msg.get(i + word.len()..).unwrap_or_default();
            let rest = rest.strip_prefix("Addr: ").unwrap_or(rest);
            let rest = rest.trim_start_matches(['\\', '"']);
            if !rest.starts_with("https://") {
                add(rest, None);
            }
        }
    }
    for word in [
        "rejected connection from ",
        "\"remote-addr\":",
        "TLS handshake error from ",
    ] {
        for (i, _) in msg.match_indices(word) {
            let rest = msg.get(i + word.len()..).unwrap_or_default();
            let rest = rest.trim_start_matches(['\\', '"']);
            if let Some(k) = host_port(rest).and_then(|(h, _)| CertKey::remote_client(h)) {
                out.insert(k);
            }
        }
    }
}

/// `certificate is valid for a, b, not c`, `cannot validate certificate for c because it
/// doesn't contain any IP SANs`, `not valid for any names, but wanted to match c`.
fn sans(msg: &str, out: &mut BTreeSet<CertKey>) {
    let name_at = |s: &str| -> Option<CertKey> {
        let n: String = s.chars().take_while(|c| !is_end(*c) && *c != ']').collect();
        CertKey::missing(&n)
    };
    for (i, _) in msg.match_indices("certificate is valid for ") {
        let rest = msg
            .get(i + "certificate is valid for ".len()..)
            .unwrap_or_default();
        let Some(not) = rest.find(", not ") else { continue };
        let list = rest.get(..not).unwrap_or_default();
        if let Some(k) = CertKey::sans(list.split(", ")) {
            out.insert(k);
        }
        if let Some(k) = name_at(rest.get(not + ", not ".len()..).unwrap_or_default()) {
            out.insert(k);
        }
    }
    for word in ["cannot validate certificate for ", "but wanted to match "] {
        for (i, _) in msg.match_indices(word) {
            if let Some(k) = name_at(msg.get(i + word.len()..).unwrap_or_default()) {
                out.insert(k);
            }
        }
    }
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
