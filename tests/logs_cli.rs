//! `kubetriage timeline` and `kubetriage rules check DIR` as a user runs them.

#![allow(clippy::unwrap_used)]

use assert_cmd::Command;

fn kt() -> Command {
    Command::cargo_bin("kubetriage").unwrap()
}

#[test]
fn timeline_reads_the_cascade_top_to_bottom() {
    let out = kt()
        .args(["timeline", "testdata/bundles/incident-replay", "-o", "markdown"])
        .assert()
        .code(1); // error events and the default --fail-on error

    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let pos = |rule: &str| {
        text.find(&format!("`{rule}`"))
            .unwrap_or_else(|| panic!("{rule} missing:\n{text}"))
    };
    assert!(pos("log-cert-expired") < pos("log-etcd-tls-rejected"), "{text}");
    assert!(
        pos("log-etcd-tls-rejected") < pos("log-cloud-auth-failed"),
        "{text}"
    );
    assert!(
        text.contains("| 2026-11-21T08:02:12Z | `log-etcd-tls-rejected`"),
        "{text}"
    );
}

#[test]
fn timeline_json_has_first_seen_and_counts() {
    let out = kt()
        .args([
            "timeline",
            "testdata/bundles/incident-replay.tar.gz",
            "-o",
            "json",
        ])
        .assert()
        .code(1); // error events and the default --fail-on error

    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let e = v["bundles"][0]["entries"].as_array().unwrap();
    assert!(
        e.iter()
            .any(|x| x["rule"] == "log-flannel-subnet-env-missing" && x["count"].as_u64() > Some(1))
    );
    assert!(e.iter().all(|x| x["rule"].as_str().unwrap().starts_with("log-")));
}

#[test]
fn rules_check_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mine.yaml"),
        "rules:\n  - id: log-widget\n    severity: warning\n    title: Widget\n    why: A custom rule for the test suite.\n    corroborates: [no-such-rule]\n    log:\n      patterns: ['widget (?P<name>\\w+) exploded']\n      examples: ['gadget exploded']\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("broken.yaml"),
        "rules:\n  - id: x\n    severity: nope\n",
    )
    .unwrap();
    let out = kt().args(["rules", "check"]).arg(dir.path()).assert().code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("mine.yaml:2: rule `log-widget` refers to unknown rule `no-such-rule`"),
        "{text}"
    );
    assert!(
        text.contains("mine.yaml:2: rule `log-widget`: example does not match: gadget exploded"),
        "{text}"
    );
    assert!(text.contains("broken.yaml:3: "), "{text}");
}

#[test]
fn rules_check_accepts_a_good_folder() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ok.yaml"),
        "rules:\n  - id: log-widget\n    severity: warning\n    title: Widget\n    why: A custom rule for the test suite.\n    log:\n      patterns: ['widget (?P<name>\\w+) exploded']\n      message: 'Widget {name} exploded'\n      examples: ['widget w1 exploded']\n      negative_examples: ['widget w1 is fine']\n",
    )
    .unwrap();
    kt().args(["rules", "check"]).arg(dir.path()).assert().success();
}
