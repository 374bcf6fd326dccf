//! `kubetriage certs -o html` as a user runs it: one self-contained page (no scripts, no
//! network), every certificate of the bundle in it by its short fingerprint, coloured by its
//! state at capture, with what uses it; hostile subjects are escaped.

#![allow(clippy::unwrap_used)] // tests may panic

use std::path::Path;

use assert_cmd::Command;
use kubetriage_testgen::certs::{Ca, CertSpec, validity};
use kubetriage_testgen::keys::{Key, KeyKind};

const REPLAY: &str = "testdata/bundles/incident-replay";
const NOW: &str = "2026-11-21T09:30:00Z";

fn certs(bundle: &Path, format: &str) -> (Option<i32>, String) {
    let out = Command::cargo_bin("kubetriage")
        .unwrap()
        // `certs` exits 1 on expired certificates (--fail-on error): these tests look at the page.
        .args(["certs", "-q", "--now", NOW, "--fail-on", "never", "-o", format])
        .arg(bundle)
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

/// The inventory rows of `certs -o json`: (fingerprint, status).
fn rows(bundle: &Path) -> Vec<(String, String)> {
    let (code, json) = certs(bundle, "json");
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["bundles"][0]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["fingerprint"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The `<tr>` of the certificate with fingerprint `fp`.
fn row<'a>(html: &'a str, fp: &str) -> &'a str {
    let at = html
        .find(&format!("data-fingerprint=\"{fp}\""))
        .unwrap_or_else(|| panic!("no row for {fp}"));
    let start = html[..at].rfind("<tr").unwrap();
    let end = at + html[at..].find("</tr>").unwrap();
    &html[start..end]
}

/// Nothing in the page reaches out: no scripts, no links, no external resources.
fn assert_self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..80]);
    assert!(html.trim_end().ends_with("</html>"));
    assert!(html.contains("<style>"));
    for banned in ["<script", "src=\"", "href=\"", "<link", "@import", "url("] {
        assert!(!html.contains(banned), "page contains {banned}");
    }
}

#[test]
fn the_replay_inventory_is_one_page_with_every_certificate() {
    let bundle = Path::new(REPLAY);
    let (code, html) = certs(bundle, "html");
    assert_eq!(code, Some(0));
    assert_self_contained(&html);
    assert!(html.contains("<h1>Certificates of testdata/bundles/incident-replay</h1>"));
    assert!(html.contains("-cert-chart\""), "the validity chart");
    assert!(html.contains("captured 2026-11-21T09:30:00Z"));
    let rows = rows(bundle);
    assert!(!rows.is_empty());
    for (fp, status) in &rows {
        assert!(
            html.contains(&fp[..16]),
            "short fingerprint {} missing",
            &fp[..16]
        );
        let tr = row(&html, fp);
        assert!(tr.contains(&format!("st-{status}")), "{status}: {tr}");
    }
    // Worst first: every expired row comes before every valid one, and is red.
    let expired: Vec<&String> = rows
        .iter()
        .filter(|(_, s)| s == "expired")
        .map(|(f, _)| f)
        .collect();
    assert!(!expired.is_empty(), "the replay has expired certificates");
    let first_ok = rows
        .iter()
        .filter(|(_, s)| s == "ok")
        .filter_map(|(f, _)| html.find(&format!("data-fingerprint=\"{f}\"")))
        .min()
        .unwrap();
    for fp in &expired {
        assert!(html.find(&format!("data-fingerprint=\"{fp}\"")).unwrap() < first_ok);
        assert!(row(&html, fp).contains("background:#d93025"));
    }
    // Where used, from the trust edges: the etcd client pair etcd verifies.
    assert!(
        html.contains("presented for etcd-client to etcd --trusted-ca-file"),
        "no 'used' column"
    );
}

#[test]
fn a_hostile_subject_is_escaped_and_the_json_keeps_its_shape() {
    let dir = tempfile::tempdir().unwrap();
    let pki = dir.path().join("etc/kubernetes/pki");
    std::fs::create_dir_all(&pki).unwrap();
    let ca = Ca::with_key(
        Key::ed25519("hostile-ca").unwrap(),
        CertSpec::ca("ca \"&' <b>bold</b>", validity(2025, 1, 1, 2035, 1, 1)),
    )
    .unwrap();
    let evil = ca
        .issue(
            "hostile-leaf",
            KeyKind::EcP256,
            CertSpec::new("<script>alert(1)</script>", validity(2025, 1, 1, 2026, 1, 1))
                .sans(&["x\"><img src=x onerror=alert(1)>"]),
        )
        .unwrap();
    std::fs::write(pki.join("ca.crt"), ca.pem()).unwrap();
    std::fs::write(pki.join("<evil>.crt"), evil.pem()).unwrap();

    let (code, html) = certs(dir.path(), "html");
    assert_eq!(code, Some(0));
    assert_self_contained(&html);
    assert!(!html.contains("<script>alert(1)"));
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>bold"));
    assert!(
        html.contains("CN=&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(html.contains("&lt;evil&gt;.crt"));
    let rows = rows(dir.path());
    assert_eq!(rows.len(), 2);
    for (fp, _) in &rows {
        assert!(html.contains(&fp[..16]));
    }
    // The page's extras (chart spans, uses) stay out of the JSON.
    let (_, json) = certs(dir.path(), "json");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let keys: Vec<&String> = v["bundles"][0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "captured_at",
            "captured_at_evidence",
            "captured_at_source",
            "certificates",
            "counts",
            "incomplete_reasons",
            "schema_version",
            "source",
            "verdict"
        ]
    );
}
