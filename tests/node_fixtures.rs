//! The node and cluster-state rules end to end: the binary run on the generated per-rule
//! fixtures (`testdata/rules/<rule-id>/{hit,miss}/`, made by `testdata/gen/src/rules_node.rs`)
//! with `--now` pinned and `-o json`. A `hit` must fire its rule with the expected paths,
//! objects and node; a `miss` (the benign look-alike) must not. Every test first asks the
//! binary to explain its rule, so it fails if the rule is removed from the catalogue.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The instant the fixtures are judged at (`rules_node::CAPTURE`).
const NOW: &str = "2026-06-15T12:00:00Z";

fn fixture(rule: &str, case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/rules")
        .join(rule)
        .join(case)
}

/// The JSON report of the fixture, after checking that the catalogue still has `rule`.
fn report(rule: &str, case: &str) -> Value {
    Command::cargo_bin("kubetriage")
        .unwrap()
        .args(["explain", rule])
        .assert()
        .success();
    let dir = fixture(rule, case);
    assert!(dir.is_dir(), "{} is missing: run the generator", dir.display());
    let out = Command::cargo_bin("kubetriage")
        .unwrap()
        .args(["analyze", "--now", NOW, "-o", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["bundles"][0].clone()
}

fn findings<'a>(r: &'a Value, rule: &str) -> Vec<&'a Value> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn plan_step<'a>(r: &'a Value, id: &str) -> Option<&'a Value> {
    r["plan"].as_array().unwrap().iter().find(|s| s["id"] == id)
}

/// A miss must not fire the rule, and the report must name no input problem either (a
/// fixture that does not parse would pass for the wrong reason).
fn assert_silent(rule: &str) {
    let r = report(rule, "miss");
    assert!(findings(&r, rule).is_empty(), "{rule} fired on its miss: {r:#}");
    assert!(
        r["problems"].as_array().is_none_or(Vec::is_empty),
        "{:#}",
        r["problems"]
    );
}

#[test]
fn stale_checkpoint_fires_on_an_expired_copy_and_not_on_one_identical_to_the_secret() {
    let rule = "stale-checkpoint";
    let r = report(rule, "hit");
    let fs = findings(&r, rule);
    assert_eq!(fs.len(), 1, "{r:#}");
    let f = fs[0];
    assert_eq!(f["node"], "master-01");
    assert_eq!(strs(&f["objects"]), ["kube-system/Secret/kube-apiserver"]);
    let dir = "hit/etc/kubernetes/checkpoint-secrets/kube-system/kube-apiserver-x7k2p/kube-apiserver";
    assert_eq!(
        strs(&f["paths"]),
        [
            format!("{dir}/apiserver.crt").as_str(),
            &format!("{dir}/ca.crt"),
            "hit/etc/kubernetes/manifests/kube-system-kube-apiserver-x7k2p.json",
        ]
    );
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("re-plants") && msg.contains("undone"), "{msg}");
    let step = plan_step(&r, "fix-checkpoint-on-disk").expect("plan step");
    assert_eq!(strs(&step["resolves"]), [f["id"].as_str().unwrap()]);
    assert_silent(rule);
}

#[test]
fn stale_manifest_fires_on_a_bak_copy_the_kubelet_runs_and_not_on_notes_that_are_no_pod() {
    let rule = "stale-manifest";
    let r = report(rule, "hit");
    let fs = findings(&r, rule);
    let dup = fs
        .iter()
        .find(|f| f["severity"] == "error")
        .expect("two manifests for one component");
    assert_eq!(dup["node"], "cp-1");
    assert_eq!(
        strs(&dup["paths"]),
        [
            "hit/etc/kubernetes/manifests/kube-apiserver.yaml",
            "hit/etc/kubernetes/manifests/kube-apiserver.yaml.bak"
        ]
    );
    // kubeadm's upgrade backup is only noted, and the plan does not try to move it.
    let backup = fs
        .iter()
        .find(|f| f["severity"] == "info")
        .expect("kubeadm backup noted");
    assert_eq!(
        strs(&backup["paths"]),
        ["hit/etc/kubernetes/tmp/kubeadm-backup-manifests-2026-05-02-10-11-12"]
    );
    let step = plan_step(&r, "move-stale-manifest").expect("plan step");
    assert_eq!(strs(&step["resolves"]), [dup["id"].as_str().unwrap()]);
    assert!(
        strs(&step["commands"])
            .iter()
            .any(|c| c.contains("mv /etc/kubernetes/manifests/kube-apiserver.yaml.bak /root/")),
        "{step:#}"
    );
    assert!(!step.to_string().contains("<manifest_fix>"), "{step:#}");
    assert_silent(rule);
}

#[test]
fn flannel_subnet_env_missing_fires_with_derived_content_and_not_on_calico() {
    let rule = "flannel-subnet-env-missing";
    let r = report(rule, "hit");
    let fs = findings(&r, rule);
    assert_eq!(fs.len(), 1, "{r:#}");
    let f = fs[0];
    assert_eq!(f["node"], "master-01");
    assert_eq!(
        strs(&f["paths"]),
        [
            "hit/run/flannel/subnet.env",
            "hit/etc/cni/net.d/10-flannel.conflist"
        ]
    );
    assert_eq!(
        strs(&f["objects"]),
        ["kube-flannel/ConfigMap/kube-flannel-cfg", "Node/master-01"]
    );
    let cmd = strs(&plan_step(&r, "write-flannel-subnet-env").expect("plan step")["commands"]).join("\n");
    for line in [
        "FLANNEL_NETWORK=10.244.0.0/16",
        "FLANNEL_SUBNET=10.244.0.1/24",
        "FLANNEL_MTU=1450",
        "FLANNEL_IPMASQ=true",
    ] {
        assert!(cmd.contains(line), "{line} not in {cmd}");
    }
    // The NotReady node and the kubelet's log lines are symptoms of the missing file: each
    // is explained by it and adds no step of its own.
    for symptom in [
        "node-not-ready",
        "log-flannel-subnet-env-missing",
        "log-cni-not-ready",
    ] {
        let s = findings(&r, symptom);
        assert_eq!(s.len(), 1, "{symptom}: {r:#}");
        assert_eq!(
            strs(&s[0]["explained_by"]),
            [f["id"].as_str().unwrap()],
            "{symptom}"
        );
    }
    assert!(plan_step(&r, "inspect-node-kubelet").is_none());
    assert_silent(rule);
}

#[test]
fn cni_config_missing_fires_on_an_empty_net_d_and_not_with_a_calico_config() {
    let rule = "cni-config-missing";
    let r = report(rule, "hit");
    let fs = findings(&r, rule);
    assert_eq!(fs.len(), 1, "{r:#}");
    assert_eq!(fs[0]["node"], "worker-1");
    assert_eq!(strs(&fs[0]["paths"]), ["hit/etc/cni/net.d/"]);
    for symptom in ["node-not-ready", "log-cni-not-ready"] {
        let s = findings(&r, symptom);
        assert_eq!(s.len(), 1, "{symptom}: {r:#}");
        assert_eq!(
            strs(&s[0]["explained_by"]),
            [fs[0]["id"].as_str().unwrap()],
            "{symptom}"
        );
    }
    assert_silent(rule);
}

#[test]
fn control_plane_component_missing_gives_self_hosted_and_static_components_their_own_fix() {
    let rule = "control-plane-component-missing";
    let r = report(rule, "hit");
    let fs = findings(&r, rule);
    assert_eq!(fs.len(), 2, "{r:#}");
    let sched = fs
        .iter()
        .find(|f| f["evidence"]["component"] == "kube-scheduler")
        .expect("scheduler");
    let cm = fs
        .iter()
        .find(|f| f["evidence"]["component"] == "kube-controller-manager")
        .expect("controller-manager");

    // Self-hosted: a Deployment without a pod, cluster-level, rescued by running one pod.
    assert_eq!(sched["node"], Value::Null);
    assert_eq!(strs(&sched["paths"]), ["hit/cluster/deployments.yaml"]);
    assert_eq!(strs(&sched["objects"]), ["kube-system/Deployment/kube-scheduler"]);
    assert!(sched["message"].as_str().unwrap().contains("chicken-and-egg"));
    let rescue = plan_step(&r, "rescue-self-hosted-component").expect("rescue step");
    assert_eq!(strs(&rescue["resolves"]), [sched["id"].as_str().unwrap()]);
    let cmd = strs(&rescue["commands"]).join("\n");
    assert!(
        cmd.contains("get deployment kube-scheduler")
            && cmd.contains("--arg node master-01")
            && cmd.contains("nodeName:$node"),
        "{cmd}"
    );

    // Static: a crash-looping mirror pod of a manifest on master-01, restarted on the node.
    assert_eq!(cm["node"], "master-01");
    assert_eq!(
        strs(&cm["paths"]),
        [
            "hit/cluster/pods.yaml",
            "hit/etc/kubernetes/manifests/kube-controller-manager.yaml"
        ]
    );
    assert_eq!(
        strs(&cm["objects"]),
        ["kube-system/Pod/kube-controller-manager-master-01"]
    );
    assert!(cm["message"].as_str().unwrap().contains("CrashLoopBackOff"));
    let restart = plan_step(&r, "restart-static-control-plane-pod").expect("restart step");
    assert_eq!(strs(&restart["resolves"]), [cm["id"].as_str().unwrap()]);
    assert!(
        strs(&restart["commands"])
            .iter()
            .any(|c| c.contains("# on master-01") && c.contains("kube-controller-manager.yaml")),
        "{restart:#}"
    );
    assert!(!restart.to_string().contains("<manifest>"));
    // A healthy kubeadm-style static control plane with a self-hosted scheduler and CoreDNS.
    assert_silent(rule);
}

#[test]
fn control_plane_taint_removed_fires_on_an_untainted_master_and_not_on_a_worker() {
    let rule = "control-plane-taint-removed";
    let r = report(rule, "hit");
    let fs = findings(&r, rule);
    assert_eq!(fs.len(), 1, "{r:#}");
    assert_eq!(fs[0]["node"], "master-01");
    assert_eq!(fs[0]["severity"], "warning");
    assert_eq!(strs(&fs[0]["paths"]), ["hit/cluster/nodes.yaml"]);
    assert_eq!(strs(&fs[0]["objects"]), ["Node/master-01"]);
    let step = plan_step(&r, "restore-control-plane-taint").expect("plan step");
    assert_eq!(
        strs(&step["commands"]),
        ["kubectl taint nodes master-01 node-role.kubernetes.io/master=:NoSchedule"]
    );
    assert_silent(rule);
}

#[test]
fn node_not_ready_fires_per_node_with_severity_by_status_and_not_on_ready_nodes() {
    let rule = "node-not-ready";
    let r = report(rule, "hit");
    let fs = findings(&r, rule);
    let got: Vec<(&str, &str)> = fs
        .iter()
        .map(|f| (f["node"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [("worker-1", "error"), ("worker-2", "warning")]);
    assert!(fs[0]["message"].as_str().unwrap().contains("PLEG is not healthy"));
    assert_eq!(strs(&fs[1]["objects"]), ["Node/worker-2"]);
    assert_silent(rule);
}

#[test]
fn cloud_credentials_invalid_fires_on_a_secret_and_a_credentials_file_and_not_on_good_ones() {
    let rule = "cloud-credentials-invalid";
    let r = report(rule, "hit");
    let fs = findings(&r, rule);
    let secret = fs
        .iter()
        .find(|f| strs(&f["paths"]) == ["hit/cluster/secrets.yaml"])
        .expect("finding on the Secret");
    assert_eq!(
        strs(&secret["objects"]),
        [
            "ingress/Secret/traefik-route53#AWS_ACCESS_KEY_ID",
            "ingress/Deployment/traefik"
        ]
    );
    assert!(secret["message"].as_str().unwrap().contains("newline"));
    let file = fs
        .iter()
        .find(|f| strs(&f["paths"]) == ["hit/root/.aws/credentials"])
        .expect("finding on the .aws/credentials file");
    assert_eq!(file["node"], "master-01");
    assert!(file["message"].as_str().unwrap().contains("AWS_SESSION_TOKEN"));
    let step = plan_step(&r, "replace-cloud-credentials").expect("plan step");
    let cmds = strs(&step["commands"]).join("\n");
    assert!(
        cmds.contains("put the new key pair into /root/.aws/credentials"),
        "{cmds}"
    );
    assert!(cmds.contains("rollout restart deployment/traefik"), "{cmds}");
    // Traefik's Route53 errors are the symptom of the bad key id.
    let log = findings(&r, "log-cloud-auth-failed");
    assert_eq!(log.len(), 1, "{r:#}");
    assert!(strs(&log[0]["explained_by"]).contains(&secret["id"].as_str().unwrap()));
    assert_silent(rule);
}

/// The fixture's secret values never reach the report: only `AKIA…WXYZ` forms.
#[test]
fn cloud_credentials_report_shows_no_secret_value() {
    let r = report("cloud-credentials-invalid", "hit").to_string();
    let ini =
        std::fs::read_to_string(fixture("cloud-credentials-invalid", "hit").join("root/.aws/credentials"))
            .unwrap();
    let values: Vec<&str> = ini
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(_, v)| v.trim())
        .collect();
    assert_eq!(values.len(), 2);
    for v in values {
        for piece in v.as_bytes().windows(12) {
            let piece = std::str::from_utf8(piece).unwrap();
            assert!(!r.contains(piece), "report contains a piece of {v}");
        }
    }
}

/// Ingestion reads `.aws/credentials` into the snapshot, one `<profile>.<key>` per value.
#[test]
fn aws_credentials_files_reach_the_snapshot() {
    use kubetriage::ingest as build;
    let dir = fixture("cloud-credentials-invalid", "miss");
    let catalog = kubetriage::catalog::Catalog::builtin().unwrap();
    let snap = build::from_source(
        &dir,
        &catalog,
        &kubetriage::Options::default(),
        &mut kubetriage::engine::Stats::default(),
    )
    .unwrap();
    assert_eq!(snap.credential_files.len(), 1);
    let f = &snap.credential_files[0];
    assert_eq!(f.path, "miss/root/.aws/credentials");
    assert_eq!(snap.node_name(f.node), "master-01");
    let keys: Vec<&str> = f.values.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["default.aws_access_key_id", "default.aws_secret_access_key"]
    );
    assert!(f.values["default.aws_access_key_id"].starts_with("AKIA"));
    assert!(snap.problems.is_empty(), "{:?}", snap.problems);
}
