//! `kubetriage audit`: many bundles at once, a fleet summary first (one row per bundle: worst
//! severity, counts, earliest expiry), then each bundle's detail.

#![allow(clippy::unwrap_used)] // tests may panic

fn fleet_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for b in ["incident-replay.tar.gz", "kubeadm-healthy.tar.gz"] {
        std::fs::copy(format!("testdata/bundles/{b}"), dir.path().join(b)).unwrap();
    }
    dir
}

fn audit(format: &str, dir: &std::path::Path) -> (i32, String) {
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .args(["audit", "--now", "2026-11-21T09:30:00Z", "-o", format])
        .arg(dir)
        .output()
        .unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn audit_summarises_the_fleet_then_details_each_bundle() {
    let dir = fleet_dir();
    let (code, md) = audit("markdown", dir.path());
    assert_eq!(code, 1, "one bundle of the fleet is broken");
    let summary = md.split("\n# kubetriage:").next().unwrap();
    assert!(summary.starts_with("# Fleet summary"), "{summary}");
    let row = |name: &str| summary.lines().find(|l| l.contains(name)).unwrap().to_string();
    let replay = row("incident-replay.tar.gz");
    assert!(replay.contains("| error |"), "{replay}");
    assert!(
        replay.contains("2026-11-18T00:00:00Z"),
        "earliest expiry is the expired CA: {replay}"
    );
    // One instant for the whole fleet: judged five months after its capture, the healthy
    // node's web-tls certificate (notAfter 2026-09-01) has expired by then.
    let healthy = row("kubeadm-healthy.tar.gz");
    assert!(
        healthy.contains("web.example.com") && healthy.contains("(-81 days at capture)"),
        "{healthy}"
    );
    assert_eq!(
        md.matches("\n# kubetriage:").count(),
        2,
        "each bundle's detail follows"
    );
}

#[test]
fn audit_json_is_an_array_of_reports() {
    let dir = fleet_dir();
    let (_, json) = audit("json", dir.path());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let sources: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["source"].as_str())
        .collect();
    assert_eq!(sources.len(), 2);
    assert!(sources[0].ends_with("incident-replay.tar.gz") && sources[1].ends_with("kubeadm-healthy.tar.gz"));
}

#[test]
fn audit_html_has_a_fleet_table() {
    let dir = fleet_dir();
    let (_, html) = audit("html", dir.path());
    assert!(html.contains("<table id=\"fleet\">"));
    assert_eq!(html.matches("id=\"cert-chart\"").count(), 2);
}
