//! The binary as a user runs it: exit codes, the catalogue commands, usage errors.
//! Bundle-specific behaviour is in `tests/replay.rs` and the per-domain test files.

#![allow(clippy::unwrap_used)] // tests may panic

use assert_cmd::Command;

fn kubetriage() -> Command {
    Command::cargo_bin("kubetriage").unwrap()
}

#[test]
fn missing_input_exits_2_and_names_it() {
    let out = kubetriage()
        .args(["analyze", "no/such/bundle.tar.gz", "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no/such/bundle.tar.gz"), "{err}");
}

#[test]
fn bad_now_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = kubetriage()
        .args(["analyze", "--now", "yesterday"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RFC 3339"));
}

#[test]
fn empty_bundle_is_healthy_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let out = kubetriage()
        .args(["analyze", "--now", "2026-01-01T00:00:00Z", "-o", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["captured_at"], "2026-01-01T00:00:00Z");
    assert_eq!(v["captured_at_source"], "flag");
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(0));
}

#[test]
fn rules_lists_every_catalogue_entry() {
    let out = kubetriage().arg("rules").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let cat = kubetriage::catalog::Catalog::builtin().unwrap();
    for r in &cat.rules {
        assert!(text.contains(&r.id), "rules output lacks {}", r.id);
    }
}

#[test]
fn explain_prints_the_why_and_unknown_rules_fail() {
    let out = kubetriage().args(["explain", "input-problem"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("# input-problem"));
    assert!(text.contains("## Why"));
    let out = kubetriage().args(["explain", "no-such-rule"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn custom_rules_folder_that_does_not_validate_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "rules:\n  - id: x\n    severity: nope\n",
    )
    .unwrap();
    let out = kubetriage()
        .args(["rules", "--rules"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.yaml"));
}
