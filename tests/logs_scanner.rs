//! The streaming scanner agrees with a naive line-by-line scan (no prefilter, whole input in
//! memory) on the same bytes: lines split across buffer boundaries, CRLF, no trailing
//! newline, overlong lines and bytes that are not UTF-8.

#![allow(clippy::unwrap_used)]

use std::sync::LazyLock;

use kubetriage::bundle::Limits;
use kubetriage::catalog::{Catalog, RuleKind};
use kubetriage::logscan::{LogSource, Scanner};
use proptest::prelude::*;

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| Catalog::builtin().unwrap());

/// Every example and negative example of the catalogue, plus filler lines.
static POOL: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let mut pool: Vec<Vec<u8>> = vec![
        b"I1121 09:00:00.000000    1234 kubelet.go:2000] SyncLoop (PLEG): event for pod".to_vec(),
        b"2026-11-21T09:00:01+0000 master01 kubelet[1234]: I1121 09:00:01.000000 1234 x.go:1] ok".to_vec(),
        b"Nov 21 09:00:02 master01 systemd[1]: Started kubelet.service".to_vec(),
        b"\xff\xfe not utf-8 x509: certificate has expired or is not yet valid \xc3".to_vec(),
        b"".to_vec(),
        b"Dec 31 23:59:59 master01 kubelet[1234]: x509: certificate has expired or is not yet valid".to_vec(),
        b"Jan  1 00:00:01 master01 kubelet[1234]: x509: certificate has expired or is not yet valid".to_vec(),
    ];
    for r in &CATALOG.rules {
        if let RuleKind::Log(l) = &r.kind {
            pool.extend(l.examples.iter().map(|e| e.as_bytes().to_vec()));
            pool.extend(l.negative_examples.iter().map(|e| e.as_bytes().to_vec()));
        }
    }
    pool
});

fn scanner(max_line: usize, chunk: usize) -> Scanner {
    let limits = Limits {
        max_line_bytes: max_line,
        ..Limits::default()
    };
    Scanner::new(&CATALOG, &limits).with_chunk_size(chunk)
}

fn same(input: &[u8], path: &str, max_line: usize, chunk: usize) {
    let s = scanner(max_line, chunk);
    let src = LogSource {
        path: path.into(),
        node: Some(1),
    };
    let streamed = s.scan(&src, &mut &input[..]).unwrap();
    let naive = s.scan_naive(&src, input);
    assert_eq!(streamed, naive, "chunk {chunk}, max_line {max_line}");
}

fn corpus(eol: &[u8], trailing: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, l) in POOL.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(eol);
        }
        out.extend_from_slice(l);
    }
    if trailing {
        out.extend_from_slice(eol);
    }
    out
}

#[test]
fn whole_corpus_in_every_chunk_size() {
    for (eol, trailing) in [
        (&b"\n"[..], true),
        (b"\r\n", true),
        (b"\n", false),
        (b"\r\n", false),
    ] {
        let input = corpus(eol, trailing);
        for chunk in [1, 2, 3, 7, 64, 4096, 1 << 20] {
            same(&input, "var/log/messages", 64 << 10, chunk);
        }
    }
}

#[test]
fn overlong_lines_are_cut_the_same_way() {
    let input = corpus(b"\n", false);
    for max_line in [1, 20, 80, 150, 400] {
        for chunk in [1, 5, 33, 1000] {
            same(&input, "var/log/messages", max_line, chunk);
        }
    }
}

#[test]
fn the_scan_finds_what_it_should() {
    let input = corpus(b"\r\n", false);
    let s = scanner(64 << 10, 3);
    let src = LogSource {
        path: "var/log/messages".into(),
        node: Some(1),
    };
    let sum = s.scan(&src, &mut &input[..]).unwrap();
    assert_eq!(sum.bytes, input.len() as u64);
    assert_eq!(sum.lines, POOL.len() as u64);
    for id in [
        "log-cert-expired",
        "log-etcd-tls-rejected",
        "log-cloud-auth-failed",
    ] {
        assert!(sum.hits.iter().any(|h| h.rule == id), "{id}");
    }
    assert!(sum.newest.is_some());
}

#[test]
fn empty_and_newline_only_inputs() {
    for input in [&b""[..], b"\n", b"\n\n\r\n", b"x"] {
        for chunk in [1, 2, 100] {
            same(input, "kubelet.log", 64, chunk);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn streaming_equals_naive(
        picks in proptest::collection::vec((0usize..10_000, 0u8..4, proptest::collection::vec(any::<u8>(), 0..3)), 0..40),
        chunk in 1usize..200,
        max_line in 8usize..600,
        known in any::<bool>(),
    ) {
        let mut input = Vec::new();
        for (i, eol, noise) in &picks {
            let line = &POOL[i % POOL.len()];
            input.extend_from_slice(&noise[..]);
            input.extend_from_slice(line);
            input.extend_from_slice(match eol { 0 => &b"\n"[..], 1 => b"\r\n", 2 => b"\r", _ => b"" });
        }
        let path = if known { "var/log/pods/kube-system_etcd-m_u/etcd/0.log" } else { "var/log/syslog" };
        let s = scanner(max_line, chunk);
        let src = LogSource { path: path.into(), node: None };
        let streamed = s.scan(&src, &mut &input[..]).unwrap();
        prop_assert_eq!(streamed, s.scan_naive(&src, &input));
    }
}
