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
fn audit_json_is_one_report_with_a_bundle_entry_each() {
    let dir = fleet_dir();
    let (_, json) = audit("json", dir.path());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["command"], "audit");
    assert_eq!(v["schema_version"], "2");
    let sources: Vec<&str> = v["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["source"].as_str())
        .collect();
    assert_eq!(sources.len(), 2);
    assert!(sources[0].ends_with("incident-replay.tar.gz") && sources[1].ends_with("kubeadm-healthy.tar.gz"));
}

/// Issue 15 item 9. Was: every bundle's section repeated the same ids (`verdict`,
/// `cert-chart`, …) and the summary linked nowhere.
#[test]
fn audit_html_has_a_fleet_table_linking_to_sections_with_unique_ids() {
    let dir = fleet_dir();
    let (_, html) = audit("html", dir.path());
    assert!(html.contains("<table id=\"fleet\">"));
    assert_eq!(html.matches("-cert-chart\"").count(), 2);
    assert_unique_ids_linked(&html, 2);
}

/// Was: `analyze X X -o html` (and `certs`) gave both sections the same id and inner ids.
/// A repeated source now gets its own anchor, and the summary links to each.
#[test]
fn the_same_bundle_twice_in_html_keeps_ids_unique() {
    let b = "testdata/bundles/kubeadm-healthy";
    let (_, html) = kubetriage(&["analyze", "-q", "-o", "html", b, b]);
    assert_eq!(html.matches("<section id=").count(), 2, "{html}");
    assert_unique_ids_linked(&html, 2);
    let (_, html) = kubetriage(&["certs", "-q", "-o", "html", b, b]);
    assert_eq!(html.matches("<section id=").count(), 2, "{html}");
    assert_unique_ids_linked(&html, 0);
}

/// Every `id` of `html` is unique, and its `links` summary links each lead to a section.
fn assert_unique_ids_linked(html: &str, links: usize) {
    let ids: Vec<&str> = html
        .split(" id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    let found: Vec<&str> = html
        .split("<a href=\"#")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert_eq!(found.len(), links, "{html}");
    for l in found {
        assert!(html.contains(&format!("<section id=\"{l}\">")), "{l}");
    }
}

fn kubetriage(args: &[&str]) -> (i32, String) {
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap())
}

/// Three bundles of different kinds (a broken cluster, a healthy one, a directory).
fn three_bundles() -> tempfile::TempDir {
    let dir = fleet_dir();
    let from = std::path::Path::new("testdata/bundles/kubeadm-healthy");
    let to = dir.path().join("plain-dir");
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let target = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else if e.file_type().is_file() {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
    dir
}

const NOW: &str = "2026-11-21T09:30:00Z";

/// The distributed path: each bundle analysed on its own (as one pod of an Indexed Job does)
/// into a JSON report, then `audit --merge` of the reports gives the same fleet summary, in
/// every format, as `audit` of the folder, and the same exit code.
#[test]
fn merge_of_per_bundle_reports_equals_the_audit() {
    let fleet = three_bundles();
    let reports = tempfile::tempdir().unwrap();
    let mut bundles: Vec<_> = std::fs::read_dir(fleet.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    bundles.sort();
    for (i, b) in bundles.iter().enumerate() {
        let out = reports.path().join(format!("report-{i}.json"));
        let (code, _) = kubetriage(&[
            "analyze",
            "--now",
            NOW,
            "-q",
            "-o",
            "json",
            "--output",
            out.to_str().unwrap(),
            b.to_str().unwrap(),
        ]);
        assert!(code == 0 || code == 1);
    }
    let dir = fleet.path().to_str().unwrap();
    let merged_dir = reports.path().to_str().unwrap();
    for format in ["markdown", "table", "html"] {
        let (audit_code, audit) = kubetriage(&["audit", "--now", NOW, "-o", format, dir]);
        let (merge_code, merged) = kubetriage(&["audit", "--merge", "-o", format, merged_dir]);
        assert_eq!(audit_code, merge_code, "{format}");
        // The audit is the merged summary followed by each bundle's detail.
        let summary = merged.trim_end_matches("</body></html>\n");
        assert!(summary.contains("plain-dir"), "{format}: {summary}");
        assert!(audit.starts_with(summary), "{format}:\n{audit}\n---\n{summary}");
        assert!(audit.len() > summary.len() + 1000, "{format}: details follow");
    }
    // The audit's own JSON (array) and JSON lines merge to the same rows.
    let (_, rows) = kubetriage(&["audit", "--merge", "-o", "json", merged_dir]);
    for format in ["json", "jsonl"] {
        let out = reports.path().join(format!("all.{format}"));
        kubetriage(&[
            "audit",
            "--now",
            NOW,
            "-o",
            format,
            "--output",
            out.to_str().unwrap(),
            dir,
        ]);
        let (_, again) = kubetriage(&["audit", "--merge", "-o", "json", out.to_str().unwrap()]);
        assert_eq!(again, rows, "{format}");
    }
    let rows: serde_json::Value = serde_json::from_str(&rows).unwrap();
    assert_eq!(rows["command"], "audit-merge");
    assert_eq!(rows["bundles"].as_array().unwrap().len(), 3);
    assert_eq!(rows["bundles"][0]["worst"], "error");
    assert_eq!(rows["verdict"], "broken");
}

#[test]
fn audit_jsonl_is_one_report_per_line_in_bundle_order() {
    let dir = three_bundles();
    let (code, out) = kubetriage(&["audit", "--now", NOW, "-o", "jsonl", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    let sources: Vec<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["source"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(sources.len(), 3);
    assert!(sources[0].ends_with("incident-replay.tar.gz"), "{sources:?}");
    assert!(sources[1].ends_with("kubeadm-healthy.tar.gz"), "{sources:?}");
    assert!(sources[2].ends_with("plain-dir"), "{sources:?}");
}

/// A report that is not one (a pod that died mid-write, or before writing: an empty or blank
/// file) is a failed row named by its file; the other reports are still summarised, and the
/// exit code says something failed.
#[test]
fn merge_reports_an_unreadable_report_as_a_failed_row() {
    let reports = tempfile::tempdir().unwrap();
    let good = reports.path().join("a.json");
    kubetriage(&[
        "analyze",
        "--now",
        NOW,
        "-o",
        "json",
        "--output",
        good.to_str().unwrap(),
        "testdata/bundles/incident-replay.tar.gz",
    ]);
    std::fs::write(reports.path().join("b.json"), "{\"source\": \"half-writ").unwrap();
    std::fs::write(reports.path().join("c.json"), "").unwrap();
    std::fs::write(reports.path().join("d.json"), " \n\t\n").unwrap();
    let (code, md) = kubetriage(&[
        "audit",
        "--merge",
        "-o",
        "markdown",
        reports.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(md.contains("incident-replay.tar.gz` | broken | error |"), "{md}");
    for f in ["b.json", "c.json", "d.json"] {
        assert!(md.contains(&format!("{f}` | failed |")), "{md}");
    }
    // Alone, an empty report is not a clean fleet either.
    let (code, _) = kubetriage(&[
        "audit",
        "--merge",
        "-o",
        "json",
        reports.path().join("c.json").to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
}

/// A bundle that cannot be read at all (a dangling link in the folder) is its own failed
/// entry: every other bundle is still analysed and reported, and the exit code is 2.
#[test]
fn audit_reports_a_failed_bundle_and_goes_on() {
    let dir = fleet_dir();
    std::os::unix::fs::symlink("/nonexistent/bundle.tar.gz", dir.path().join("gone.tar.gz")).unwrap();
    let (code, md) = audit("markdown", dir.path());
    assert_eq!(code, 2);
    assert!(md.contains("gone.tar.gz` | failed |"), "{md}");
    assert!(md.contains("**Verdict:** analysis failed: cannot read"), "{md}");
    assert_eq!(md.matches("\n# kubetriage:").count(), 3, "{md}");
    let (_, jsonl) = audit("jsonl", dir.path());
    let failed: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(jsonl.lines().count(), 3);
    assert!(
        failed["error"].as_str().unwrap().contains("cannot read"),
        "{failed}"
    );
}
