//! `kubetriage timeline` and `kubetriage rules check DIR` as a user runs them.

#![allow(clippy::unwrap_used)]

use assert_cmd::Command;

fn kt() -> Command {
    Command::cargo_bin("kubetriage").unwrap()
}

/// The example bundle the `--rules` tests analyse.
fn replay() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/bundles/incident-replay.tar.gz")
}

/// `analyze --rules RULES` of the example bundle, which must refuse it (exit 2): its stderr.
fn refused(rules: impl AsRef<std::ffi::OsStr>) -> String {
    let out = kt()
        .args(["analyze", "--now", "2026-11-21T09:30:00Z", "--rules"])
        .arg(rules)
        .arg(replay())
        .assert()
        .code(2);
    String::from_utf8(out.get_output().stderr.clone()).unwrap()
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

/// A rule folder that `rules check` rejects is refused by `analyze --rules` too (exit 2), and
/// the catalogue's problems are printed one per line: two files of one folder defining the
/// same id would otherwise leave the rule to the files' order (newuser13 #3, #4).
#[test]
fn analyze_refuses_what_rules_check_rejects_one_problem_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let rule = "rules:\n  - id: log-widget\n    severity: warning\n    title: Widget\n    why: A custom rule for the test suite.\n    log:\n      patterns: ['widget (?P<name>\\w+) exploded']\n      message: 'Widget {name} exploded'\n      examples: ['widget w1 exploded']\n";
    std::fs::write(dir.path().join("a.yaml"), rule).unwrap();
    std::fs::write(dir.path().join("b.yaml"), rule).unwrap();
    let out = kt().args(["rules", "check"]).arg(dir.path()).assert().code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("b.yaml:2: rule `log-widget` is also defined in "),
        "{text}"
    );
    let err = refused(dir.path());
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines.first(),
        Some(&"kubetriage: invalid rule catalogue:"),
        "{err}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("  ") && l.contains("b.yaml: rule `log-widget` is also defined in ")),
        "{err}"
    );
    assert!(!err.contains("\\n"), "{err}");
    // Two folders may define the same rule: the later one overrides (a site's overrides).
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("a.yaml"), rule).unwrap();
    let single = tempfile::tempdir().unwrap();
    std::fs::write(single.path().join("a.yaml"), rule).unwrap();
    let out = kt()
        .args(["analyze", "-q", "--now", "2026-11-21T09:30:00Z", "--rules"])
        .arg(single.path())
        .arg("--rules")
        .arg(other.path())
        .arg(replay())
        .assert()
        .code(1);
    assert!(out.get_output().stderr.is_empty(), "{out:?}");
}

/// A missing rule folder says why once (the I/O error was printed twice).
#[test]
fn a_missing_rule_folder_says_why_once() {
    let err = refused("/nonexistent-rules-folder");
    assert_eq!(err.matches("os error 2").count(), 1, "{err}");
}

/// A rule file that is no YAML is named as a catalogue problem (newuser13 #5).
#[test]
fn a_broken_rule_file_is_a_catalogue_problem() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.yaml"), "rules:\n  - id: \"log-x\n").unwrap();
    let err = refused(dir.path());
    assert!(err.starts_with("kubetriage: invalid rule catalogue: "), "{err}");
    assert!(err.contains("broken.yaml: "), "{err}");
}
