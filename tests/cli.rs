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
fn empty_folder_is_not_a_healthy_bundle_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = kubetriage()
        .args(["analyze", "--now", "2026-01-01T00:00:00Z", "-o", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a bundle kubetriage can read: an empty folder"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = &v["bundles"][0];
    assert!(v["error"].as_str().unwrap().contains("an empty folder"));
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(0));
}

#[test]
fn expiry_window_is_validated_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("b/n/etc/kubernetes")).unwrap();
    std::fs::write(dir.path().join("b/n/etc/kubernetes/x.txt"), "x").unwrap();
    for bad in [
        "-1",
        "3651",
        "3000000",
        "9223372036854775807",
        "-9223372036854775808",
        "ten",
    ] {
        for args in [
            vec![
                "analyze".to_string(),
                "--expiry-window".to_string(),
                bad.to_string(),
            ],
            vec!["certs".to_string(), format!("--expiry-window={bad}")],
        ] {
            let out = kubetriage()
                .args(&args)
                .arg(dir.path().join("b"))
                .args(["--now", "2026-01-01T00:00:00Z", "-o", "json"])
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.contains("--expiry-window"), "{err}");
            // No "use '-- -1'" tip that would turn the value into a bundle path.
            assert!(!err.contains("-- "), "{err}");
            assert!(!err.contains("panicked"), "{err}");
        }
    }
    for good in ["0", "30", "3650"] {
        let out = kubetriage()
            .args([
                "analyze",
                "--expiry-window",
                good,
                "--now",
                "2026-01-01T00:00:00Z",
                "-o",
                "json",
            ])
            .arg(dir.path().join("b"))
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{good}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
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

/// The terminal table's plan keeps what prevents harm: what each step fixes, its caveat,
/// how to verify it and how to roll it back (issue 15 item 6, issue 16).
#[test]
fn table_plan_shows_fixes_caveats_verify_and_rollback() {
    let out = kubetriage()
        .args([
            "analyze",
            "-o",
            "table",
            "--now",
            "2026-11-21T10:00:00Z",
            "testdata/bundles/incident-replay.tar.gz",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let plan = text.split("Fix plan:").nth(1).unwrap_or_default();
    for says in [
        "fixes: ca-mismatch:",
        "caveat: ",
        "verify:",
        "rollback (only if the step went wrong):",
        "kubetriage-backup",
    ] {
        assert!(plan.contains(says), "no `{says}` in the table's plan:\n{plan}");
    }
}

/// `analyze -` reads an archive from standard input: the same findings as from the file;
/// something that is not a bundle on stdin exits 2 (issue 15 item 9).
#[test]
fn analyze_dash_reads_standard_input() {
    let rules = |out: &[u8]| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_slice(out).unwrap();
        let mut r: Vec<String> = v["bundles"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{} {}", f["rule"], f["message"]))
            .collect();
        r.sort();
        r
    };
    let bundle = "testdata/bundles/incident-replay.tar.gz";
    let args = ["analyze", "-o", "json", "--now", "2026-11-21T10:00:00Z"];
    let from_file = kubetriage().args(args).arg(bundle).output().unwrap();
    let from_stdin = kubetriage()
        .args(args)
        .arg("-")
        .pipe_stdin(bundle)
        .unwrap()
        .output()
        .unwrap();
    assert_eq!(from_stdin.status.code(), from_file.status.code());
    let (a, b) = (rules(&from_stdin.stdout), rules(&from_file.stdout));
    assert!(!a.is_empty());
    // Paths differ only by the input's name (`stdin/…` instead of the file's).
    assert_eq!(a.len(), b.len());
    let junk = kubetriage()
        .args(args)
        .arg("-")
        .write_stdin("just some text\n")
        .output()
        .unwrap();
    assert_eq!(junk.status.code(), Some(2));
}

/// `explain` takes a finding id as reports print it, and suggests the nearest ids for a typo
/// (issue 15 item 9).
#[test]
fn explain_takes_a_finding_id_and_suggests_near_ids() {
    let out = kubetriage()
        .args(["explain", "ca-mismatch:972e39e6"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("# ca-mismatch"));
    let out = kubetriage().args(["explain", "cert-expird"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean `cert-expired`"), "{err}");
    let out = kubetriage().args(["explain", "qqqq"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("did you mean"));
}

/// `kubetriage man` writes a page per subcommand with EXIT STATUS, ENVIRONMENT and EXAMPLES
/// (issue 15 item 9).
#[test]
fn man_pages_per_subcommand_with_exit_status_environment_and_examples() {
    let out = kubetriage().args(["man", "analyze"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8_lossy(&out.stdout);
    for says in [
        ".TH kubetriage-analyze",
        "EXIT STATUS",
        ".SH ENVIRONMENT",
        "NO_COLOR",
        ".SH EXAMPLES",
        "expiry",
    ] {
        assert!(page.contains(says), "no `{says}` in\n{page}");
    }
    let dir = tempfile::tempdir().unwrap();
    let out = kubetriage()
        .args(["man", "--out-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    for name in [
        "kubetriage",
        "kubetriage-analyze",
        "kubetriage-audit",
        "kubetriage-certs",
        "kubetriage-timeline",
        "kubetriage-diff",
    ] {
        let page = std::fs::read_to_string(dir.path().join(format!("{name}.1"))).unwrap();
        assert!(page.contains("EXIT STATUS"), "{name}");
    }
    assert_eq!(
        kubetriage().args(["man", "nope"]).output().unwrap().status.code(),
        Some(2)
    );
}

/// Issue 15 item 6. Was: `table` and `wide` printed the same thing; without a terminal the
/// table was up to 1,422 columns wide; `NO_COLOR` changed the layout (480-column lines) and
/// a 0-column pty gave one-character columns.
#[test]
fn table_is_compact_wide_is_full_width_is_bounded_and_colour_never_moves_a_character() {
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = kubetriage();
        cmd.args([
            "analyze",
            "testdata/bundles/two-nodes",
            "--now",
            "2026-06-15T12:00:00Z",
        ])
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS");
        for (k, v) in env {
            cmd.env(k, v);
        }
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    let table = run(&["-o", "table"], &[]);
    let wide = run(&["-o", "wide"], &[]);
    // Compact: title and id; the message is only in wide.
    assert!(table.contains("cert-expired:0fd72b16"), "{table}");
    assert!(!table.contains("expired 45 days before capture"), "{table}");
    assert!(wide.contains("expired 45 days"), "{wide}");
    assert!(table.contains("-o wide"), "{table}");
    // Width: the terminal's, else COLUMNS, else 100; a 0 is nonsense, not a width.
    let widest = |s: &str| {
        s.lines()
            .filter(|l| l.starts_with(['┌', '│', '╞', '└']))
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
    };
    assert!(widest(&table) <= 100 && widest(&wide) <= 100, "{wide}");
    assert!(widest(&run(&["-o", "wide"], &[("COLUMNS", "80")])) <= 80);
    assert!(widest(&run(&["-o", "wide"], &[("COLUMNS", "0")])) <= 100);
    assert!(widest(&run(&["-o", "wide"], &[("COLUMNS", "0")])) > 60);
    // Colour: only when asked (not a terminal here), only SGR around our words; stripped, the
    // same characters; NO_COLOR changes nothing of the layout.
    let colour = run(&["-o", "table", "--color", "always"], &[]);
    assert!(colour.contains("\u{1b}[31;1merror\u{1b}[0m"), "{colour}");
    let stripped = colour
        .replace("\u{1b}[31;1m", "")
        .replace("\u{1b}[36m", "")
        .replace("\u{1b}[0m", "");
    assert_eq!(stripped, table);
    assert_eq!(run(&["-o", "table"], &[("NO_COLOR", "1")]), table);
    assert!(!table.contains('\u{1b}'));
}

/// `help --help` and `help <command> --help` print help, as `git help --help` does, instead
/// of "unrecognized subcommand '--help'" (newuser round 9, LOW).
#[test]
fn help_with_a_help_flag_prints_help() {
    for (args, says) in [
        (&["help", "--help"][..], "Usage: kubetriage help"),
        (&["help", "-h"], "Usage: kubetriage help"),
        (&["help", "analyze", "--help"], "Usage: kubetriage analyze"),
    ] {
        let out = kubetriage().args(args).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains(says), "{args:?}: {text}");
    }
}
