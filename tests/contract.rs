//! One output contract for every subcommand (issue 15 items 1–4): the verdict, `-o` and
//! `--output`, `--fail-on`, `--stats`, the filters, `kubetriage diff`, and the JSON Schema,
//! SARIF 2.1.0 and JUnit validations. Each test names the bad behaviour it replaces.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use assert_cmd::Command;
use serde_json::Value;

const B: &str = "testdata/bundles";

/// Every fixture with the capture time its expectations pin.
const FIXTURES: &[(&str, &str)] = &[
    ("incident-replay", "2026-11-21T09:30:00Z"),
    ("kubeadm-healthy", "2026-06-15T12:00:00Z"),
    ("malformed", "2026-06-15T12:00:00Z"),
    ("secrets-everywhere", "2026-03-10T08:00:00Z"),
    ("sosreport-legacy", "2026-06-15T11:58:02Z"),
    ("sosreport-scrubbed", "2026-06-15T11:58:02Z"),
    ("troubleshoot-kubeadm", "2026-06-15T12:00:00Z"),
    ("two-nodes", "2026-06-15T12:00:00Z"),
    ("two-nodes.tar.gz", "2026-06-15T12:00:00Z"),
    ("truncated.tar.gz", "2026-06-15T12:00:00Z"),
];

fn path(bundle: &str) -> String {
    format!("{B}/{bundle}")
}

/// Runs kubetriage; (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("kubetriage")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(args: &[&str]) -> (i32, Value) {
    let (code, out, err) = run(args);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {out}\n{err}"));
    (code, v)
}

/// `analyze -o json` of one bundle: the whole report.
fn analyze_doc(bundle: &str, now: &str, extra: &[&str]) -> (i32, Value) {
    let p = path(bundle);
    let mut args = vec!["analyze", p.as_str(), "--now", now, "-o", "json"];
    args.extend_from_slice(extra);
    json(&args)
}

/// `analyze -o json` of one bundle: its entry of the report's `bundles`.
fn analyze_json(bundle: &str, now: &str, extra: &[&str]) -> (i32, Value) {
    let (code, v) = analyze_doc(bundle, now, extra);
    (code, v["bundles"][0].clone())
}

// ---- 1. verdicts -------------------------------------------------------------------------

/// Was: a scrubbed sosreport where 8 certificate checks could not run said "healthy".
#[test]
fn scrubbed_sosreport_is_incomplete_with_the_checks_that_did_not_run() {
    let (code, v) = analyze_json("sosreport-scrubbed", "2026-06-15T11:58:02Z", &[]);
    assert_eq!(code, 0);
    assert_eq!(v["verdict"], "incomplete", "{}", v["incomplete_reasons"]);
    let reasons = v["incomplete_reasons"].as_array().unwrap();
    let scrubbed = reasons
        .iter()
        .find(|r| r["kind"] == "scrubbed")
        .expect("a scrubbed gap");
    let checks: Vec<&str> = scrubbed["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(checks.len(), 8, "{checks:?}");
    assert!(checks.contains(&"cert-expired"));
    // Every text format says it, none says healthy.
    for format in ["table", "wide", "markdown", "html"] {
        let (_, out, _) = run(&[
            "analyze",
            &path("sosreport-scrubbed"),
            "--now",
            "2026-06-15T11:58:02Z",
            "-o",
            format,
        ]);
        assert!(out.to_lowercase().contains("incomplete"), "{format}: {out}");
        assert!(!out.to_lowercase().contains("healthy"), "{format} says healthy");
    }
    let (code, _) = analyze_json(
        "sosreport-scrubbed",
        "2026-06-15T11:58:02Z",
        &["--fail-on", "incomplete"],
    );
    assert_eq!(code, 1, "--fail-on incomplete fails on a scrubbed bundle");
}

/// Was: `--max-entries 5` on a two-node bundle with 4 errors said "degraded, no errors".
#[test]
fn a_limit_hit_is_incomplete_not_degraded() {
    let (code, v) = analyze_json("two-nodes", "2026-06-15T12:00:00Z", &["--max-entries", "5"]);
    assert_eq!(code, 0);
    assert_eq!(v["verdict"], "incomplete");
    assert_eq!(v["incomplete_reasons"][0]["kind"], "limit");
    let (_, md, _) = run(&[
        "analyze",
        &path("two-nodes"),
        "--now",
        "2026-06-15T12:00:00Z",
        "--max-entries",
        "5",
        "-o",
        "markdown",
    ]);
    assert!(!md.contains("degraded"), "{md}");
    // (markdown escapes the underscore; it renders as `max_entries (5)`)
    assert!(md.contains("max\\_entries (5)"), "the gap is named: {md}");
    let (code, _) = analyze_json(
        "two-nodes",
        "2026-06-15T12:00:00Z",
        &["--max-entries", "5", "--fail-on", "incomplete"],
    );
    assert_eq!(code, 1);
}

/// Was: a truncated archive exited 0 with nothing saying part of it was never read. Now the
/// part that was read is reported, its verdict names the gap, and the exit code is 2 (the
/// bundle could not be read whole), whatever `--fail-on` says.
#[test]
fn a_cut_archive_is_a_gap_and_exits_2() {
    let (code, v) = analyze_json("truncated.tar.gz", "2026-06-15T12:00:00Z", &[]);
    assert_eq!(code, 2);
    let kinds: Vec<&str> = v["incomplete_reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"archive-cut"), "{kinds:?}");
    assert_ne!(v["verdict"], "healthy");
    let (code, _) = analyze_json(
        "truncated.tar.gz",
        "2026-06-15T12:00:00Z",
        &["--fail-on", "never"],
    );
    assert_eq!(code, 2);
}

#[test]
fn healthy_is_earned_and_counts_add_up() {
    let (code, v) = analyze_json("kubeadm-healthy", "2026-06-15T12:00:00Z", &[]);
    assert_eq!(code, 0);
    assert_eq!(v["verdict"], "healthy", "{}", v["incomplete_reasons"]);
    assert_eq!(v["schema_version"], "2");
    assert_eq!(v["tool"]["name"], "kubetriage");
    assert_eq!(v["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let (_, r) = analyze_json("incident-replay", "2026-11-21T09:30:00Z", &[]);
    assert_eq!(r["verdict"], "broken");
    let errors = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .count();
    assert_eq!(r["counts"]["error"]["shown"], errors);
    assert_eq!(r["counts"]["error"]["total"], errors);
}

/// An empty folder is not a healthy cluster.
#[test]
fn nothing_recognised_is_never_healthy() {
    let dir = tempfile::tempdir().unwrap();
    let (_, out, _) = run(&[
        "analyze",
        dir.path().to_str().unwrap(),
        "--now",
        "2026-01-01T00:00:00Z",
        "-o",
        "json",
    ]);
    if let Ok(v) = serde_json::from_str::<Value>(&out) {
        assert_eq!(v["verdict"], "incomplete", "{v}");
        assert_eq!(
            v["bundles"][0]["incomplete_reasons"][0]["kind"],
            "nothing-recognised"
        );
    }
}

// ---- 2. one contract ---------------------------------------------------------------------

/// Was: `certs` ignored --fail-on and exited 0 with 4 expired certificates.
#[test]
fn certs_honours_fail_on_only_and_stats() {
    let p = path("two-nodes");
    let base = ["certs", p.as_str(), "--now", "2026-06-15T12:00:00Z"];
    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        run(&a)
    };
    let (code, out, _) = with(&["-o", "json", "--fail-on", "error"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let expired = v["bundles"][0]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "expired")
        .count();
    assert!(expired >= 1, "{out}");
    assert_eq!(code, 1, "expired certificates fail --fail-on error");
    assert_eq!(with(&["-o", "json", "--fail-on", "never"]).0, 0);
    // Sorted worst first: status, then days left.
    let rank = |s: &str| {
        ["expired", "not-yet-valid", "expiring", "ok"]
            .iter()
            .position(|x| *x == s)
            .unwrap()
    };
    let keys: Vec<(usize, i64)> = v["bundles"][0]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                rank(c["status"].as_str().unwrap()),
                c["days_left"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "certificates sorted by status then days left");
    // --only error keeps only expired and not-yet-valid certificates.
    let (_, out, _) = with(&["-o", "json", "--only", "error"]);
    let only: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        only["bundles"][0]["certificates"].as_array().unwrap().len(),
        expired
    );
    // The counts say how many certificates the filter hid; the verdict follows what is shown.
    assert_eq!(only["counts"]["error"]["shown"], expired);
    assert_eq!(only["bundles"][0]["verdict"], "broken");
    // --stats on stderr.
    let (_, _, err) = with(&["-o", "json", "--stats"]);
    assert!(err.contains("bytes read") && err.contains("peak memory"), "{err}");
    // No findings: SARIF is refused with a clear message, exit 2.
    let (code, _, err) = with(&["-o", "sarif"]);
    assert_eq!(code, 2);
    assert!(err.contains("not findings"), "{err}");
}

/// Was: `timeline` ignored --fail-on/--stats, `-o html` wrote a text table and `-o json a b`
/// wrote two concatenated arrays.
#[test]
fn timeline_follows_the_contract() {
    let a = path("two-nodes");
    let b = path("incident-replay");
    let (code, out, _) = run(&["timeline", &a, &b, "--now", "2026-11-21T09:30:00Z", "-o", "json"]);
    let v: Value = serde_json::from_str(&out).expect("one JSON document");
    let bundles = v["bundles"].as_array().expect("an array of bundles");
    assert_eq!(bundles[0]["source"], a.as_str());
    assert_eq!(bundles[1]["source"], b.as_str());
    assert!(
        bundles[1]["entries"].as_array().is_some_and(|e| !e.is_empty()),
        "{v}"
    );
    assert_eq!(code, 1, "error events fail the default --fail-on error");
    let (code, _, err) = run(&[
        "timeline",
        &a,
        "--now",
        "2026-06-15T12:00:00Z",
        "-o",
        "json",
        "--fail-on",
        "never",
        "--stats",
    ]);
    assert_eq!(code, 0);
    assert!(err.contains("peak memory"), "{err}");
    let (_, html, _) = run(&["timeline", &a, "--now", "2026-06-15T12:00:00Z", "-o", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<table") && !html.contains('┌'), "{html}");
    let (_, yaml, _) = run(&["timeline", &a, "--now", "2026-06-15T12:00:00Z", "-o", "yaml"]);
    let y: Value = serde_yaml::from_str(&yaml).unwrap();
    assert_eq!(y["command"], "timeline");
}

/// Was: `--output report.html` without -o wrote a terminal table into the .html file.
#[test]
fn output_extension_picks_the_format() {
    let dir = tempfile::tempdir().unwrap();
    let p = path("two-nodes");
    for (name, check) in [
        ("r.html", "<!DOCTYPE html>"),
        ("r.json", "\"schema_version\""),
        ("r.yaml", "schema_version:"),
        ("r.md", "# kubetriage:"),
        ("r.sarif", "\"version\": \"2.1.0\""),
        ("r.xml", "<testsuites"),
    ] {
        let out = dir.path().join(name);
        for sub in ["analyze", "diff"] {
            let mut args = vec![sub, p.as_str()];
            if sub == "diff" {
                args.push(p.as_str());
            }
            let o = out.to_str().unwrap();
            args.extend(["--now", "2026-06-15T12:00:00Z", "--output", o]);
            run(&args);
            let text = std::fs::read_to_string(&out).unwrap();
            let expect = if sub == "diff" && name == "r.md" {
                "# kubetriage diff"
            } else if sub == "diff" && name == "r.json" {
                "\"schema_version\""
            } else {
                check
            };
            assert!(text.contains(expect), "{sub} {name}: {text}");
        }
    }
    // -o wins over the extension.
    let out = dir.path().join("x.html");
    run(&[
        "analyze",
        &p,
        "--now",
        "2026-06-15T12:00:00Z",
        "-o",
        "json",
        "--output",
        out.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_ok());
}

#[test]
fn yaml_is_the_json_report() {
    let (_, j) = analyze_doc("two-nodes", "2026-06-15T12:00:00Z", &[]);
    let (_, y, _) = run(&[
        "analyze",
        &path("two-nodes"),
        "--now",
        "2026-06-15T12:00:00Z",
        "-o",
        "yaml",
    ]);
    let y: Value = serde_yaml::from_str(&y).unwrap();
    assert_eq!(j, y);
}

/// The report shape is the one docs/report.schema.json describes, for every fixture and
/// every subcommand. Was: JSON was an object for one bundle and an array for two, `certs`
/// an array and `timeline` a flat array of events, with no schema version, verdict or counts.
#[test]
fn every_report_of_every_subcommand_validates_against_the_json_schema() {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string("docs/report.schema.json").unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles");
    let valid = |what: &str, v: &Value| {
        let errors: Vec<String> = validator
            .iter_errors(v)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{what}: {errors:#?}");
    };
    for (bundle, now) in FIXTURES {
        let (_, v) = analyze_doc(bundle, now, &[]);
        valid(&format!("analyze {bundle}"), &v);
        for command in ["certs", "timeline"] {
            let (_, v) = json(&[command, &path(bundle), "--now", now, "-o", "json"]);
            valid(&format!("{command} {bundle}"), &v);
        }
    }
    // One bundle or several, readable or not, every command: the same top level.
    let now = "2026-06-15T12:00:00Z";
    let (two, healthy, missing) = (
        path("two-nodes"),
        path("kubeadm-healthy.tar.gz"),
        path("no-such-bundle"),
    );
    // `audit` takes folders of bundles: the same three, in name order.
    let fleet = std::env::temp_dir().join(format!("kt-contract-fleet-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&fleet);
    std::fs::create_dir_all(&fleet).unwrap();
    let here = std::env::current_dir().unwrap();
    std::os::unix::fs::symlink(here.join(&two), fleet.join("a-two-nodes")).unwrap();
    std::os::unix::fs::symlink(here.join(&healthy), fleet.join("b-healthy.tar.gz")).unwrap();
    std::fs::write(fleet.join("c-cut.tar.gz"), b"\x1f\x8b not really").unwrap();
    let fleet = fleet.display().to_string();
    let mut tops = Vec::new();
    for command in ["analyze", "certs", "timeline", "audit"] {
        for bundles in [
            vec![two.as_str()],
            vec![two.as_str(), healthy.as_str(), missing.as_str()],
        ] {
            let mut args = vec![command];
            if command == "audit" {
                if bundles.len() == 1 {
                    continue;
                }
                args.push(&fleet);
            } else {
                args.extend(&bundles);
            }
            args.extend(["--now", now, "-o", "json"]);
            let (_, v) = json(&args);
            valid(&format!("{args:?}"), &v);
            assert_eq!(v["command"], command);
            assert_eq!(v["schema_version"], "2");
            assert_eq!(v["bundles"].as_array().unwrap().len(), bundles.len(), "{args:?}");
            if bundles.len() > 1 {
                // The worst of the bundles, counts summed.
                assert_eq!(v["verdict"], "broken", "{args:?}");
                let sum: u64 = v["bundles"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|b| b["counts"]["error"]["shown"].as_u64().unwrap())
                    .sum();
                assert_eq!(v["counts"]["error"]["shown"], sum, "{args:?}");
                let failed = &v["bundles"][2];
                assert!(failed["error"].is_string(), "{args:?}: {failed}");
                assert_eq!(failed["verdict"], "incomplete", "{args:?}");
            }
            let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            keys.sort();
            tops.push(keys);
        }
    }
    // `audit --merge` of that audit's JSON: the same envelope, a fleet row per bundle.
    let audit_json = std::env::temp_dir().join(format!("kt-contract-audit-{}.json", std::process::id()));
    let (_, out, _) = run(&["audit", &fleet, "--now", now, "-o", "json"]);
    std::fs::write(&audit_json, out).unwrap();
    let (_, merged) = json(&["audit", "--merge", audit_json.to_str().unwrap(), "-o", "json"]);
    valid("audit --merge", &merged);
    assert_eq!(merged["command"], "audit-merge");
    assert_eq!(merged["bundles"].as_array().unwrap().len(), 3);
    let mut keys: Vec<String> = merged.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    tops.push(keys);
    let (_, diff) = json(&["diff", &two, &healthy, "--now", now, "-o", "json"]);
    valid("diff", &diff);
    assert_eq!(diff["bundles"][0]["role"], "before");
    let mut keys: Vec<String> = diff.as_object().unwrap().keys().cloned().collect();
    keys.retain(|k| !["new", "fixed", "unchanged"].contains(&k.as_str()));
    keys.sort();
    tops.push(keys);
    assert!(tops.windows(2).all(|w| w[0] == w[1]), "{tops:#?}");
    // A wrong shape is refused (the schema is not vacuous).
    let (_, mut broken) = analyze_doc("two-nodes", now, &[]);
    broken["bundles"][0]["verdict"] = Value::from("fine");
    assert!(!validator.is_valid(&broken));
    let (_, mut broken) = json(&["certs", &two, "--now", now, "-o", "json"]);
    broken["bundles"][0]["certificates"][0]["status"] = Value::from("fine");
    assert!(!validator.is_valid(&broken));
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string("tests/schemas/sarif-schema-2.1.0.json").unwrap())
            .unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let validator = sarif_validator();
    for (bundle, now) in FIXTURES {
        let p = path(bundle);
        let (_, v) = json(&["analyze", &p, "--now", now, "-o", "sarif"]);
        let errors: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{bundle}: {errors:#?}");
        let (_, a) = analyze_json(bundle, now, &[]);
        let results = v["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), a["findings"].as_array().unwrap().len(), "{bundle}");
        for r in results {
            let id = r["partialFingerprints"]["kubetriageFindingId/v1"]
                .as_str()
                .unwrap();
            assert!(a["findings"].as_array().unwrap().iter().any(|f| f["id"] == id));
        }
    }
    let (_, d) = json(&[
        "diff",
        &path("kubeadm-healthy"),
        &path("two-nodes"),
        "--now",
        "2026-06-15T12:00:00Z",
        "-o",
        "sarif",
    ]);
    assert!(validator.is_valid(&d), "diff SARIF");
    assert!(
        d["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["baselineState"] == "new")
    );
    // The schema is not vacuous: a level SARIF does not know is refused.
    let mut bad = d.clone();
    bad["runs"][0]["results"][0]["level"] = Value::from("critical");
    assert!(!validator.is_valid(&bad));
}

/// (suites, tests, failures) of a JUnit document, parsed with quick-xml; every
/// `<testcase>` sits in a `<testsuite>` with name and classname.
fn junit_counts(xml: &str) -> (usize, usize, usize) {
    use quick_xml::Reader;
    use quick_xml::events::Event;
    let mut r = Reader::from_str(xml);
    let (mut suites, mut cases, mut failures, mut depth_suite) = (0, 0, 0, false);
    loop {
        match r.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"testsuite" => {
                    suites += 1;
                    depth_suite = true;
                }
                b"testcase" => {
                    assert!(depth_suite, "testcase outside a testsuite");
                    let names: Vec<Vec<u8>> =
                        e.attributes().map(|a| a.unwrap().key.as_ref().to_vec()).collect();
                    assert!(names.contains(&b"name".to_vec()) && names.contains(&b"classname".to_vec()));
                    cases += 1;
                }
                b"failure" => failures += 1,
                _ => {}
            },
            Event::End(e) if e.name().as_ref() == b"testsuite" => depth_suite = false,
            Event::Eof => break,
            _ => {}
        }
    }
    (suites, cases, failures)
}

#[test]
fn junit_has_a_suite_per_bundle_and_failures_at_fail_on() {
    let a = path("incident-replay");
    let b = path("kubeadm-healthy");
    let (code, xml, _) = run(&["analyze", &a, &b, "--now", "2026-11-21T09:30:00Z", "-o", "junit"]);
    assert_eq!(code, 1);
    let (suites, cases, failures) = junit_counts(&xml);
    let (_, v) = json(&["analyze", &a, &b, "--now", "2026-11-21T09:30:00Z", "-o", "json"]);
    let errors: usize = v["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["counts"]["error"]["shown"].as_u64().unwrap() as usize)
        .sum();
    assert_eq!(suites, 2);
    assert!(cases > errors, "{cases}");
    assert_eq!(failures, errors, "one failure per error under --fail-on error");
    let (_, xml, _) = run(&[
        "analyze",
        &a,
        "--now",
        "2026-11-21T09:30:00Z",
        "-o",
        "junit",
        "--fail-on",
        "never",
    ]);
    assert_eq!(junit_counts(&xml).2, 0);
    assert!(
        xml.contains("<property name=\"verdict\" value=\"broken\"/>"),
        "{xml}"
    );
}

// ---- 3. filters --------------------------------------------------------------------------

#[test]
fn filters_select_what_is_shown_counted_and_failed_on() {
    let now = "2026-11-21T09:30:00Z";
    let (_, all) = analyze_json("incident-replay", now, &[]);
    let total = |sev: &str| {
        all["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == sev)
            .count()
    };
    let (_, only) = analyze_json("incident-replay", now, &["--only", "error"]);
    assert!(
        only["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] == "error")
    );
    assert_eq!(only["counts"]["warning"]["shown"], 0);
    assert_eq!(only["counts"]["warning"]["total"], total("warning"));
    // --rule: only that rule, and the plan only for it.
    let rule = all["findings"][0]["rule"].as_str().unwrap().to_string();
    let (_, one) = analyze_json("incident-replay", now, &["--rule", &rule]);
    assert!(
        one["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] == rule.as_str())
    );
    let ids: Vec<&str> = one["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    // Every id a kept step resolves is a finding the report shows.
    for s in one["plan"].as_array().unwrap() {
        let resolves = s["resolves"].as_array().unwrap();
        assert!(!resolves.is_empty(), "{s}");
        for r in resolves {
            assert!(ids.contains(&r.as_str().unwrap()), "{r} is not shown: {s}");
        }
    }
    // Was: `--skip-rule cert-expired` kept the renewal step resolving only hidden ids. It is
    // kept for the shown log symptoms the hidden expiry explains, and names those.
    let (_, logs) = analyze_json("incident-replay", now, &["--skip-rule", "cert-expired"]);
    let shown: Vec<&str> = logs["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(!logs["plan"].as_array().unwrap().is_empty());
    for s in logs["plan"].as_array().unwrap() {
        for r in s["resolves"].as_array().unwrap() {
            assert!(shown.contains(&r.as_str().unwrap()), "{r} is not shown: {s}");
        }
    }
    let renew = logs["plan"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            s["resolves"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r.as_str().unwrap().starts_with("log-cert-expired:"))
        })
        .count();
    assert!(
        renew > 0,
        "no step fixes the shown expired-certificate logs: {}",
        logs["plan"]
    );
    // --skip-rule every error rule: nothing at error shown, so exit 0 and not broken.
    let mut args: Vec<String> = Vec::new();
    let mut error_rules: Vec<&str> = all["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    error_rules.sort_unstable();
    error_rules.dedup();
    for r in &error_rules {
        args.push("--skip-rule".into());
        args.push((*r).into());
    }
    let extra: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, skipped) = analyze_json("incident-replay", now, &extra);
    assert_eq!(code, 0, "the exit code follows what is shown");
    assert_ne!(skipped["verdict"], "broken");
    assert_eq!(skipped["counts"]["error"]["shown"], 0);
    assert_eq!(skipped["counts"]["error"]["total"], total("error"));
    let (_, md, _) = run(&[
        "analyze",
        &path("incident-replay"),
        "--now",
        now,
        "--only",
        "error",
        "-o",
        "markdown",
    ]);
    assert!(
        md.contains("hidden by filters"),
        "the markdown says findings were hidden"
    );
}

// ---- 4. diff -----------------------------------------------------------------------------

#[test]
fn diff_after_a_fix_and_after_a_regression() {
    let now = "2026-06-15T12:00:00Z";
    let (code, fixed) = json(&[
        "diff",
        &path("two-nodes"),
        &path("kubeadm-healthy"),
        "--now",
        now,
        "-o",
        "json",
    ]);
    assert_eq!(code, 0, "nothing new");
    assert_eq!(fixed["new"].as_array().unwrap().len(), 0);
    assert!(fixed["fixed"].as_array().unwrap().len() >= 4);
    assert_eq!(fixed["bundles"][1]["verdict"], "healthy");
    assert_eq!(fixed["verdict"], "healthy");
    let (code, worse) = json(&[
        "diff",
        &path("kubeadm-healthy"),
        &path("two-nodes"),
        "--now",
        now,
        "-o",
        "json",
    ]);
    assert_eq!(code, 1, "new errors fail");
    assert!(worse["new"].as_array().unwrap().len() >= 4);
    let (code, _) = json(&[
        "diff",
        &path("kubeadm-healthy"),
        &path("two-nodes"),
        "--now",
        now,
        "-o",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(code, 0);
    for format in ["table", "wide", "markdown", "html", "yaml", "junit"] {
        let (_, out, _) = run(&[
            "diff",
            &path("kubeadm-healthy"),
            &path("two-nodes"),
            "--now",
            now,
            "-o",
            format,
        ]);
        assert!(out.contains("cert-expired"), "{format}: {out}");
    }
}

/// Ids that embed the bundle's top folder differ between two bundles of the same cluster;
/// the diff still matches them (by rule, node, objects and node-relative paths).
#[test]
fn diff_matches_the_same_cluster_under_another_folder_name() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("case-124");
    copy_dir(std::path::Path::new(&path("two-nodes")), &copy);
    let now = "2026-06-15T12:00:00Z";
    let (code, d) = json(&[
        "diff",
        &path("two-nodes"),
        copy.to_str().unwrap(),
        "--now",
        now,
        "-o",
        "json",
    ]);
    assert_eq!(code, 0);
    assert_eq!(d["new"].as_array().unwrap().len(), 0, "{d}");
    assert_eq!(d["fixed"].as_array().unwrap().len(), 0, "{d}");
    let unchanged = d["unchanged"].as_array().unwrap();
    assert!(unchanged.len() >= 4);
    // Same input, same ids: the tarball of the same bundle matches by id alone.
    let (_, same) = json(&[
        "diff",
        &path("two-nodes"),
        &path("two-nodes.tar.gz"),
        "--now",
        now,
        "-o",
        "json",
    ]);
    assert!(
        same["unchanged"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["matched_by"] == "id"),
        "{same}"
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        let ft = e.file_type().unwrap();
        if ft.is_dir() {
            copy_dir(&e.path(), &t);
        } else if ft.is_file() {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

/// Was: `diff --now T` judged AFTER at BEFORE's instant, so certificates a later fix issued
/// were "not yet valid" and a good fix failed CI. `--after-now` judges AFTER on its own;
/// `--now` alone says on stderr that it pins both.
#[test]
fn diff_judges_after_at_after_now() {
    let now = "2026-06-15T12:00:00Z";
    let (healthy, two) = (path("kubeadm-healthy"), path("two-nodes"));
    let (code, _, err) = run(&["diff", &two, &healthy, "--now", now, "-o", "json"]);
    assert_eq!(code, 0);
    assert!(err.contains("--after-now"), "{err}");
    // AFTER judged years later: its certificates have expired since, BEFORE is unchanged.
    let (code, out, err) = run(&[
        "diff",
        &two,
        &healthy,
        "--now",
        now,
        "--after-now",
        "2040-01-01T00:00:00Z",
        "-o",
        "json",
    ]);
    assert!(!err.contains("--after-now"), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["bundles"][0]["captured_at"], now);
    assert_eq!(v["bundles"][1]["captured_at"], "2040-01-01T00:00:00Z");
    assert!(
        v["new"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "cert-expired"),
        "{v}"
    );
    assert_eq!(code, 1);
}
