//! The shape matrix: every scenario packed the ways real collectors pack it (logs under
//! `<node>/logs`, no `/run`, a Pod dump only, JSON dumps, all of these at once) must give the
//! same diagnosis: the same root-cause rules, the same plan phases in the same order, and no
//! error the plain shape does not have. Shapes are rendered at test time from the committed
//! fixtures (testdata/gen `shapes`), so the repository stays small.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::collections::BTreeSet;
use std::path::Path;

use kubetriage_testgen::shapes::Shape;
use kubetriage_testgen::tree;
use kubetriage_testgen::{distros, same_dn};
use serde_json::Value;

/// (fixture, capture time) of every scenario in the matrix.
const SCENARIOS: &[(&str, &str)] = &[
    ("incident-replay", "2026-11-21T09:30:00Z"),
    ("kubeadm-healthy", "2026-06-15T12:00:00Z"),
    ("two-nodes", "2026-06-15T12:00:00Z"),
    ("kubeadm-ha-etcd-rejoined", "2026-06-15T12:00:00Z"),
    ("kubeadm-external-ca-ecdsa", "2026-06-15T12:00:00Z"),
    ("kubeadm-worker-rotation-off", "2026-06-15T12:00:00Z"),
    ("kubeadm-ha", "2026-06-15T12:00:00Z"),
    ("rke2-node-ip-changed", "2026-06-15T12:00:00Z"),
];

/// (name, plain tree, capture time) of every scenario: the committed fixtures, then the
/// scenarios the generator renders at test time.
fn scenarios() -> Vec<(&'static str, tree::Tree, &'static str)> {
    let mut out: Vec<_> = SCENARIOS
        .iter()
        .map(|(name, now)| {
            (
                *name,
                tree::read_dir(&Path::new("testdata/bundles").join(name)).unwrap(),
                *now,
            )
        })
        .collect();
    let healthy = tree::read_dir(Path::new("testdata/bundles/kubeadm-healthy")).unwrap();
    out.extend([
        (
            "kubeadm-one-year",
            distros::kubeadm_one_year().unwrap(),
            "2027-01-20T12:00:00Z",
        ),
        (
            "k3s-expired",
            distros::k3s_expired().unwrap(),
            "2026-04-01T00:00:00Z",
        ),
        (
            "rke2-expired",
            distros::rke2_expired().unwrap(),
            "2026-04-01T00:00:00Z",
        ),
        (
            "same-dn-ca-rotation",
            same_dn::only_apiserver_old(healthy).unwrap(),
            "2026-06-15T12:00:00Z",
        ),
    ]);
    out
}

fn analyze(dir: &Path, now: &str) -> Value {
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .args(["analyze", dir.to_str().unwrap(), "--now", now, "-o", "json"])
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["bundles"][0].clone()
}

/// What a diagnosis is made of, independent of where the files sat.
#[derive(Debug, PartialEq, Eq)]
struct Diagnosis {
    /// Rules of error findings that nothing else explains.
    root_causes: BTreeSet<String>,
    /// Plan phases in order, repeats folded.
    phases: Vec<String>,
    /// (rule, node) of every error.
    errors: BTreeSet<(String, String)>,
}

fn diagnosis(r: &Value) -> Diagnosis {
    let findings = r["findings"].as_array().unwrap();
    let errors = findings.iter().filter(|f| f["severity"] == "error");
    let root_causes = errors
        .clone()
        .filter(|f| f["explained_by"].as_array().is_none_or(|a| a.is_empty()))
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    let mut phases: Vec<String> = Vec::new();
    for s in r["plan"].as_array().unwrap() {
        let p = s["phase"].as_str().unwrap().to_string();
        if phases.last() != Some(&p) {
            phases.push(p);
        }
    }
    let errors = errors
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["node"].as_str().unwrap_or("cluster").to_string(),
            )
        })
        .collect();
    Diagnosis {
        root_causes,
        phases,
        errors,
    }
}

#[test]
fn every_shape_of_a_scenario_gives_the_same_diagnosis() {
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (name, plain, now) in scenarios() {
        let mut want: Option<Diagnosis> = None;
        for shape in Shape::ALL {
            let dir = tmp.path().join(format!("{name}-{shape:?}"));
            shape.apply(&plain).unwrap().write_to(&dir).unwrap();
            let report = analyze(&dir, now);
            let got = diagnosis(&report);
            match &want {
                None => want = Some(got),
                Some(w) if shape.is_lossy() => failures.extend(
                    lossy_failures(w, &got, &report)
                        .into_iter()
                        .map(|f| format!("{name} as {shape:?}: {f}\n  plain {w:?}\n  got   {got:?}")),
                ),
                Some(w) if *w != got => {
                    failures.push(format!("{name} as {shape:?}:\n  want {w:?}\n  got  {got:?}"))
                }
                Some(_) => {}
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What a shape that drops evidence (`Shape::is_lossy`) may not do to a scenario's
/// diagnosis: call it healthy, keep quiet about what it did not collect, put an error on a
/// node (or the cluster) the plain shape finds no error on, err by a rule that is neither
/// the plain shape's nor proven by logs, or plan a phase the plain shape does not need.
fn lossy_failures(plain: &Diagnosis, got: &Diagnosis, report: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let verdict = report["verdict"].as_str().unwrap_or_default();
    if !matches!(verdict, "incomplete" | "broken") {
        out.push(format!(
            "verdict {verdict}: a shape that drops evidence is never healthy"
        ));
    }
    let gaps = report["incomplete_reasons"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !gaps.iter().any(|g| {
        matches!(
            g["kind"].as_str(),
            Some("not-collected" | "scrubbed" | "nothing-recognised")
        )
    }) {
        // A shape may keep nothing a collector recognises (a troubleshoot bundle of a
        // generated k3s tree without dumps): saying so is the gap.
        out.push(format!("no not-collected gap among {gaps:?}"));
    }
    let plain_nodes: BTreeSet<&str> = plain.errors.iter().map(|(_, n)| n.as_str()).collect();
    let plain_rules: BTreeSet<&str> = plain.errors.iter().map(|(r, _)| r.as_str()).collect();
    let symptoms = symptom_rules();
    for (rule, node) in &got.errors {
        if !plain_nodes.contains(node.as_str()) {
            out.push(format!("error {rule} on {node}, where the plain shape has none"));
        }
        let log_proven = rule.ends_with("-in-logs") || symptoms.contains(rule);
        if !plain_rules.contains(rule.as_str()) && !log_proven {
            out.push(format!("error {rule}: not the plain shape's, not proven by logs"));
        }
    }
    if let Some(p) = got.phases.iter().find(|p| !plain.phases.contains(p)) {
        out.push(format!("plan phase {p} the plain shape does not need"));
    }
    out
}

/// Rules whose findings are symptoms (log rules and rules another rule explains): one that
/// nothing explains is an open question, not a root cause.
fn symptom_rules() -> BTreeSet<String> {
    let cat = kubetriage::catalog::Catalog::builtin().unwrap();
    let mut out: BTreeSet<String> = cat.rules.iter().flat_map(|r| r.explains.clone()).collect();
    out.extend(
        cat.rules
            .iter()
            .filter(|r| matches!(r.kind, kubetriage::catalog::RuleKind::Log(_)))
            .map(|r| r.id.clone()),
    );
    out
}

/// Ids of error root causes (not symptoms, not explained) that no plan step resolves.
fn root_causes_without_a_step(r: &Value) -> Vec<String> {
    let symptoms = symptom_rules();
    let resolved: BTreeSet<&str> = r["plan"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["resolves"].as_array().unwrap().iter().filter_map(Value::as_str))
        .collect();
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .filter(|f| f["explained_by"].as_array().is_none_or(|a| a.is_empty()))
        .filter(|f| !symptoms.contains(f["rule"].as_str().unwrap()))
        .filter_map(|f| f["id"].as_str())
        .filter(|id| !resolved.contains(id))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_error_root_cause_has_a_plan_step_in_every_fixture_and_shape() {
    let expectations: Value =
        serde_json::from_slice(&std::fs::read("testdata/bundles/expectations.json").unwrap()).unwrap();
    let mut failures = Vec::new();
    for (name, e) in expectations.as_object().unwrap() {
        let now = e["capture_time"].as_str().unwrap();
        let dir = Path::new("testdata/bundles").join(name);
        if !dir.is_dir() {
            continue;
        }
        let missing = root_causes_without_a_step(&analyze(&dir, now));
        if !missing.is_empty() {
            failures.push(format!("{name}: {missing:?}"));
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    for (name, plain, now) in scenarios() {
        for shape in Shape::ALL.into_iter().filter(|s| *s != Shape::Plain) {
            let dir = tmp.path().join(format!("{name}-{shape:?}"));
            shape.apply(&plain).unwrap().write_to(&dir).unwrap();
            let missing = root_causes_without_a_step(&analyze(&dir, now));
            if !missing.is_empty() {
                failures.push(format!("{name} as {shape:?}: {missing:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The seed incident packed another way (logs under `<node>/logs`, no `/run`, a Pod dump
/// only, JSON dumps): log hits keep their node, the flannel root cause rests on the kubelet
/// log and says so, and the self-hosted scheduler gets its rescue step though no Deployment
/// was dumped.
#[test]
fn repacked_incident_keeps_nodes_and_says_what_its_evidence_is() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = tree::read_dir(Path::new("testdata/bundles/incident-replay")).unwrap();
    let dir = tmp.path().join("incident");
    Shape::Repacked.apply(&plain).unwrap().write_to(&dir).unwrap();
    let r = analyze(&dir, "2026-11-21T09:30:00Z");
    let findings = r["findings"].as_array().unwrap();
    let of = |rule: &'static str| findings.iter().filter(move |f| f["rule"] == rule);
    let kubelet_lines = of("log-flannel-subnet-env-missing")
        .find(|f| f["paths"].to_string().contains("/logs/kubelet.log"))
        .expect("a log finding from <node>/logs/kubelet.log");
    assert_eq!(kubelet_lines["node"], "master-01");
    assert!(
        kubelet_lines["message"]
            .as_str()
            .unwrap()
            .contains("kubelet on master-01")
    );
    let flannel = of("flannel-subnet-env-missing")
        .next()
        .expect("flannel root cause");
    let judged = flannel["evidence"]["absence_judged_from"].as_str().unwrap();
    assert!(
        judged.starts_with("from the kubelet log: ") && judged.ends_with("/run was not collected"),
        "{judged}"
    );
    let scheduler = of("control-plane-component-missing")
        .find(|f| f["evidence"]["component"] == "kube-scheduler")
        .expect("scheduler finding");
    assert!(
        scheduler["evidence"]["workload_inferred_from"]
            .as_str()
            .unwrap()
            .contains("self-hosted"),
        "{scheduler}"
    );
    let rescue = r["plan"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "rescue-self-hosted-component")
        .expect("rescue step");
    assert!(
        rescue["commands"]
            .to_string()
            .contains("get deployment kube-scheduler")
    );
}

/// The evidence ladder on lossy shapes: a fault the file tree can no longer show is still a
/// root cause with its step when the node's own log proves it. A support bundle holds no node
/// tree, yet master-01's kubelet journal names the missing `subnet.env`; a sosreport scrubs
/// the worker's kubeconfig, yet its kubelet names its client certificate expired.
#[test]
fn logs_prove_what_a_lossy_shape_dropped() {
    let tmp = tempfile::tempdir().unwrap();
    let root_cause = |r: &Value, rule: &str| -> Value {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule)
            .unwrap_or_else(|| panic!("no {rule} in {}", r["findings"]))
            .clone()
    };
    let step = |r: &Value, id: &str| r["plan"].as_array().unwrap().iter().any(|s| s["id"] == id);

    let plain = tree::read_dir(Path::new("testdata/bundles/incident-replay")).unwrap();
    let dir = tmp.path().join("incident-tsb");
    Shape::Troubleshoot.apply(&plain).unwrap().write_to(&dir).unwrap();
    let r = analyze(&dir, "2026-11-21T09:30:00Z");
    let flannel = root_cause(&r, "flannel-subnet-env-missing");
    assert_eq!(flannel["node"], "master-01", "{flannel}");
    let judged = flannel["evidence"]["absence_judged_from"].as_str().unwrap();
    assert!(judged.starts_with("from the kubelet log: "), "{judged}");
    assert!(step(&r, "write-flannel-subnet-env"), "{}", r["plan"]);

    let plain = tree::read_dir(Path::new("testdata/bundles/two-nodes")).unwrap();
    let dir = tmp.path().join("two-nodes-sos");
    Shape::Sosreport.apply(&plain).unwrap().write_to(&dir).unwrap();
    let now = SCENARIOS.iter().find(|(n, _)| *n == "two-nodes").unwrap().1;
    let r = analyze(&dir, now);
    let kubelet = root_cause(&r, "kubelet-cert-expired-in-logs");
    assert!(
        kubelet["message"].as_str().unwrap().contains("says so"),
        "{kubelet}"
    );
    assert!(step(&r, "renew-kubelet-client-cert"), "{}", r["plan"]);
}
