//! The example bundles end to end, as a support engineer runs them: the incident replay must
//! yield every fault of the incident report and a plan in the order the report followed; the
//! healthy kubeadm node must be quiet; dir and tar.gz must agree; two nodes stay apart.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use serde_json::Value;

const REPLAY: &str = "testdata/bundles/incident-replay";
const REPLAY_AT: &str = "2026-11-21T09:30:00Z";
const HEALTHY: &str = "testdata/bundles/kubeadm-healthy";
const HEALTHY_AT: &str = "2026-06-15T12:00:00Z";

fn run(args: &[&str]) -> (i32, String) {
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty() || out.status.code() != Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn json(bundle: &str, now: &str) -> Value {
    let (_, out) = run(&["analyze", bundle, "--now", now, "-o", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    v["bundles"][0].clone()
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn mentions(f: &Value, needle: &str) -> bool {
    let in_list = |k: &str| {
        f[k].as_array()
            .is_some_and(|a| a.iter().any(|p| p.as_str().is_some_and(|p| p.contains(needle))))
    };
    in_list("paths") || in_list("objects") || f["message"].as_str().is_some_and(|m| m.contains(needle))
}

fn has(report: &Value, rule: &str, needle: &str) -> bool {
    findings(report, rule).iter().any(|f| mentions(f, needle))
}

#[test]
fn replay_finds_every_fault_of_the_incident_report() {
    let r = json(REPLAY, REPLAY_AT);
    let expect = [
        // The apiserver's etcd client pair is signed by the old etcd CA and expired.
        ("ca-mismatch", "kube-apiserver#etcd-client.crt"),
        ("cert-expired", "kube-apiserver#etcd-client.crt"),
        (
            "cert-expired",
            "checkpoint-secrets/kube-system/kube-apiserver-7x2kq/kube-apiserver/etcd-client.crt",
        ),
        // The kubelet's kubeconfig still trusts the old CA.
        ("ca-mismatch", "master-01/etc/kubernetes/kubeconfig"),
        // The checkpoint re-plants the stale Secret.
        (
            "stale-checkpoint",
            "checkpoint-secrets/kube-system/kube-apiserver-7x2kq",
        ),
        ("flannel-subnet-env-missing", "master-01"),
        ("control-plane-component-missing", "kube-scheduler"),
        ("control-plane-component-missing", "kube-controller-manager"),
        ("control-plane-component-missing", "kube-dns"),
        ("control-plane-taint-removed", "master-01"),
        ("sa-token-stale-ca", "default-token-4x9kq"),
        ("cloud-credentials-invalid", "traefik-route53"),
    ];
    let missing: Vec<_> = expect
        .iter()
        .filter(|(rule, needle)| !has(&r, rule, needle))
        .collect();
    assert!(
        missing.is_empty(),
        "missing findings: {missing:?}\n{}",
        serde_json::to_string_pretty(&r["findings"]).unwrap()
    );
}

#[test]
fn replay_corroborates_root_causes_with_logs() {
    let r = json(REPLAY, REPLAY_AT);
    for rule in [
        "log-cert-expired",
        "log-cert-unknown-authority",
        "log-flannel-subnet-env-missing",
        "log-cloud-auth-failed",
    ] {
        let fs = findings(&r, rule);
        assert!(!fs.is_empty(), "no {rule} finding");
        assert!(
            fs.iter()
                .all(|f| f["explained_by"].as_array().is_some_and(|a| !a.is_empty())),
            "{rule} is explained by a root cause"
        );
    }
}

/// The position in the plan of the first step that resolves a finding of `rule` mentioning `needle`.
fn step_of(r: &Value, rule: &str, needle: &str) -> usize {
    let ids: Vec<&str> = findings(r, rule)
        .iter()
        .filter(|f| mentions(f, needle))
        .filter_map(|f| f["id"].as_str())
        .collect();
    r["plan"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["resolves"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| ids.contains(&x.as_str().unwrap_or("")))
        })
        .and_then(|s| s["order"].as_u64())
        .unwrap_or_else(|| panic!("no plan step resolves {rule} ({needle})")) as usize
}

#[test]
fn replay_plan_follows_the_order_of_the_incident_report() {
    let r = json(REPLAY, REPLAY_AT);
    let order = [
        step_of(&r, "ca-mismatch", "etcd-client.crt"),
        step_of(&r, "ca-mismatch", "etc/kubernetes/kubeconfig"),
        step_of(&r, "flannel-subnet-env-missing", "master-01"),
        step_of(&r, "control-plane-component-missing", "kube-scheduler"),
        step_of(&r, "sa-token-stale-ca", "default-token"),
        step_of(&r, "cloud-credentials-invalid", "traefik-route53"),
    ];
    assert!(
        order.windows(2).all(|w| w[0] <= w[1]),
        "plan order {order:?}\n{}",
        serde_json::to_string_pretty(&r["plan"]).unwrap()
    );
    // The stale checkpoint is fixed on disk before anything relies on the apiserver.
    assert!(step_of(&r, "stale-checkpoint", "kube-apiserver") <= order[1]);
}

#[test]
fn replay_exits_1_and_healthy_exits_0() {
    assert_eq!(run(&["analyze", REPLAY, "--now", REPLAY_AT, "-o", "json"]).0, 1);
    assert_eq!(run(&["analyze", HEALTHY, "--now", HEALTHY_AT, "-o", "json"]).0, 0);
}

#[test]
fn healthy_kubeadm_node_has_nothing_above_info() {
    let r = json(HEALTHY, HEALTHY_AT);
    let loud: Vec<&Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "info")
        .collect();
    assert!(
        loud.is_empty(),
        "{}",
        serde_json::to_string_pretty(&loud).unwrap()
    );
    assert_eq!(r["nodes"][0]["name"], "cp-1");
}

#[test]
fn directory_and_tar_gz_give_the_same_report() {
    for (bundle, at) in [(REPLAY, REPLAY_AT), (HEALTHY, HEALTHY_AT)] {
        let mut dir = json(bundle, at);
        let mut tgz = json(&format!("{bundle}.tar.gz"), at);
        assert!(
            dir["findings"]
                .as_array()
                .is_some_and(|a| !a.is_empty() || bundle == HEALTHY)
        );
        dir["source"] = Value::Null;
        tgz["source"] = Value::Null;
        assert_eq!(
            serde_json::to_string_pretty(&dir).unwrap(),
            serde_json::to_string_pretty(&tgz).unwrap(),
            "{bundle}: dir and tar.gz differ"
        );
    }
}

#[test]
fn two_nodes_keep_their_findings_apart() {
    let r = json("testdata/bundles/two-nodes", HEALTHY_AT);
    let names: Vec<&str> = r["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["name"].as_str())
        .collect();
    assert_eq!(names, ["cp-1", "worker-1"]);
    let expired = findings(&r, "cert-expired");
    assert!(!expired.is_empty());
    assert!(expired.iter().all(|f| f["node"] == "worker-1"), "{expired:?}");
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .all(|f| f["node"] != "cp-1")
    );
}

#[test]
fn malformed_files_become_problems_and_the_rest_is_analysed() {
    let r = json("testdata/bundles/malformed", HEALTHY_AT);
    let problems: Vec<&str> = r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["path"].as_str())
        .collect();
    for p in [
        "pki/broken.crt",
        "pki/truncated.crt",
        "manifests/bad.yaml",
        "admin.conf",
        "cluster/junk.json",
    ] {
        assert!(
            problems.iter().any(|x| x.ends_with(p)),
            "no problem for {p}: {problems:?}"
        );
        assert!(has(&r, "input-problem", p), "no input-problem finding for {p}");
    }
    let (code, out) = run(&[
        "certs",
        "testdata/bundles/malformed",
        "--now",
        HEALTHY_AT,
        "-o",
        "json",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("kubernetes"), "the valid ca.crt is still analysed");
    // A truncated archive is reported up to the break, marked incomplete, and exits 2:
    // never a clean run.
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .args([
            "analyze",
            "testdata/bundles/truncated.tar.gz",
            "--now",
            HEALTHY_AT,
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = &v["bundles"][0];
    assert!(v["incomplete"].is_string(), "{v}");
    assert!(has(v, "input-problem", "truncated.tar.gz"));
}

#[test]
fn every_format_renders_the_replay() {
    for format in ["table", "markdown", "json", "html"] {
        let (code, out) = run(&["analyze", REPLAY, "--now", REPLAY_AT, "-o", format]);
        assert_eq!(code, 1, "{format}");
        assert!(out.contains("stale-checkpoint"), "{format} names the rules");
    }
}

/// The whole markdown and JSON reports of the replay, reviewed as snapshots: any change to a
/// finding, its wording, the plan or its commands shows up in review.
#[test]
fn replay_reports_match_their_snapshots() {
    let (_, md) = run(&["analyze", REPLAY, "--now", REPLAY_AT, "-o", "markdown"]);
    insta::assert_snapshot!("replay_markdown", md);
    insta::assert_json_snapshot!("replay_json", json(REPLAY, REPLAY_AT));
}
