//! The evidence-model scenarios, each with its exact error findings: a healthy 3-node
//! kubeadm HA cluster (stacked etcd, a load-balancer endpoint, each node's
//! controller-manager.conf and scheduler.conf dialling its own apiserver, every apiserver on
//! `--etcd-servers=https://127.0.0.1:2379`) has none; the same cluster with cp-3 re-joined
//! under a re-created etcd CA has exactly cp-3's.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod fixture_copy;

use serde_json::Value;

fn analyze(bundle: &str, now: &str) -> Value {
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .args(["analyze", bundle, "--now", now, "-o", "json"])
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

/// (rule, node, purpose) of every error, sorted.
fn errors(r: &Value) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["node"].as_str().unwrap_or("cluster").to_string(),
                f["evidence"]["purpose"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn healthy_kubeadm_ha_has_no_error_and_no_warning() {
    let r = analyze("testdata/bundles/kubeadm-ha", "2026-06-15T12:00:00Z");
    let loud: Vec<&Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "info")
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
}

#[test]
fn ha_node_rejoined_under_a_recreated_etcd_ca_is_the_only_node_in_error() {
    let r = analyze(
        "testdata/bundles/kubeadm-ha-etcd-rejoined",
        "2026-06-15T12:00:00Z",
    );
    let peer = || {
        (
            "ca-mismatch".to_string(),
            "cp-3".to_string(),
            "etcd-peer".to_string(),
        )
    };
    assert_eq!(errors(&r), vec![peer(), peer(), peer()]);
    // cp-3's own peer certificate is re-issued from the CA the other members agree on, and
    // cp-3's trust is what changes for the certificates of cp-1 and cp-2: nothing on cp-1 or
    // cp-2 is re-issued.
    let plan = r["plan"].as_array().unwrap();
    let targets: Vec<&str> = plan
        .iter()
        .flat_map(|s| s["targets"].as_array().unwrap().iter().filter_map(Value::as_str))
        .collect();
    assert!(!targets.is_empty());
    assert!(targets.iter().all(|t| t.contains("/cp-3/")), "{targets:?}");
}

/// A partial bundle (only the etcd side of `pki/` collected): the files the manifests name
/// in `pki/` were not collected, which is not the same as missing on the node.
#[test]
fn partial_pki_collection_is_not_a_stale_manifest() {
    use kubetriage_testgen::tree;
    let mut t = tree::read_dir(std::path::Path::new("testdata/bundles/kubeadm-healthy")).unwrap();
    t.entries.retain(|p, _| {
        p.strip_prefix("etc/kubernetes/pki/")
            .is_none_or(|rest| rest.contains('/'))
    });
    let tmp = tempfile::tempdir().unwrap();
    t.write_to(tmp.path()).unwrap();
    let r = analyze(tmp.path().to_str().unwrap(), "2026-06-15T12:00:00Z");
    assert_eq!(errors(&r), vec![]);
    let info = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "stale-manifest" && f["severity"] == "info")
        .expect("a not-collected note");
    assert!(
        info["evidence"]["not_collected"]
            .to_string()
            .contains("/etc/kubernetes/pki/ca.crt")
    );
}

/// A bundle sent without private keys (every `.crt` of `pki/`, no `.key`: what support
/// asks for, and what `kubetriage collect` does by default). Was: three `stale-manifest`
/// errors ("points at files the node does not have") and a step moving the apiserver's and
/// etcd's manifests out of the kubelet's folder, with no gap in the verdict.
#[test]
fn a_bundle_without_private_keys_is_a_gap_not_a_stale_manifest() {
    use kubetriage_testgen::tree;
    let mut t = tree::read_dir(std::path::Path::new("testdata/bundles/kubeadm-healthy")).unwrap();
    let before = t.entries.len();
    t.entries.retain(|p, _| !p.ends_with(".key"));
    assert!(t.entries.len() < before, "the fixture has keys to withhold");
    let tmp = tempfile::tempdir().unwrap();
    t.write_to(tmp.path()).unwrap();
    let r = analyze(tmp.path().to_str().unwrap(), "2026-06-15T12:00:00Z");
    assert_eq!(errors(&r), vec![]);
    assert!(
        r["plan"].as_array().unwrap().is_empty(),
        "no step for what was not collected: {}",
        r["plan"]
    );
    assert_eq!(r["verdict"], "incomplete");
    let gaps = r["incomplete_reasons"].as_array().unwrap();
    assert!(
        gaps.iter()
            .any(|g| g["kind"] == "not-collected" && g["checks"].to_string().contains("stale-manifest")),
        "{gaps:#?}"
    );
}

/// A kubeadm node whose CA was re-created under the same name ("kubernetes") where only
/// `apiserver.crt` is still signed by the old key: every kubeconfig, `--client-ca-file` and
/// `kube-root-ca.crt` hold the new CA, so the finding is on apiserver.crt, and the
/// ConfigMaps that hold the agreed CA are not stale.
#[test]
fn same_dn_ca_rotation_with_only_the_apiserver_cert_old_blames_the_apiserver_cert() {
    use kubetriage_testgen::certs::{Ca, CertSpec, validity};
    use kubetriage_testgen::keys::{Key, KeyKind};
    use kubetriage_testgen::tree;
    let mut t = tree::read_dir(std::path::Path::new("testdata/bundles/kubeadm-healthy")).unwrap();
    // The old CA: same subject, another key (Ed25519 and EC keys keep this quick in debug).
    let old = Ca::with_key(
        Key::ed25519("same-dn-rotation/old-ca").unwrap(),
        CertSpec::ca("kubernetes", validity(2025, 1, 1, 2035, 1, 1)),
    )
    .unwrap();
    let sans = [
        "cp-1",
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        "kubernetes.default.svc.cluster.local",
        "10.96.0.1",
        "10.0.0.10",
    ];
    let api = old
        .issue(
            "same-dn-rotation/apiserver",
            KeyKind::EcP256,
            CertSpec::new("kube-apiserver", validity(2026, 1, 10, 2027, 1, 10))
                .server()
                .sans(&sans),
        )
        .unwrap();
    t.file("etc/kubernetes/pki/apiserver.crt", api.pem());
    t.secret_file("etc/kubernetes/pki/apiserver.key", api.key_pem().unwrap());
    let tmp = tempfile::tempdir().unwrap();
    t.write_to(tmp.path()).unwrap();
    let r = analyze(tmp.path().to_str().unwrap(), "2026-06-15T12:00:00Z");
    let findings = r["findings"].as_array().unwrap();
    assert!(
        !findings.iter().any(|f| f["rule"] == "sa-token-stale-ca"),
        "{findings:#?}"
    );
    let errs: Vec<&Value> = findings.iter().filter(|f| f["severity"] == "error").collect();
    assert!(!errs.is_empty());
    for f in &errs {
        assert_eq!(f["rule"], "ca-mismatch", "{f:#}");
        assert!(
            f["paths"]
                .to_string()
                .contains("etc/kubernetes/pki/apiserver.crt"),
            "{f:#}"
        );
    }
}

/// `--expiry-window` reaches the certificate table of `analyze` reports: the table's
/// `expiring` rows and the `cert-expiring-soon` findings agree at any window.
#[test]
fn expiry_window_reaches_the_certificate_table() {
    for window in ["60", "250"] {
        let run = |format: &str| {
            let out = assert_cmd::Command::cargo_bin("kubetriage")
                .unwrap()
                .args([
                    "analyze",
                    "testdata/bundles/kubeadm-healthy",
                    "--now",
                    "2026-06-15T12:00:00Z",
                    "--expiry-window",
                    window,
                    "-o",
                    format,
                ])
                .output()
                .unwrap();
            String::from_utf8(out.stdout).unwrap()
        };
        let table_rows = run("markdown")
            .lines()
            .filter(|l| l.starts_with("| expiring |"))
            .count();
        let r: Value = serde_json::from_str(&run("json")).unwrap();
        let findings = r["bundles"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "cert-expiring-soon")
            .count();
        assert_eq!(table_rows, findings, "--expiry-window {window}");
        if window == "250" {
            assert!(findings > 0, "the 209-day leaves are due within 250 days");
        }
    }
}

/// A static pod's log is its node's, whichever node's folder holds the copy: Rancher's
/// collector puts every kube-system pod's `kubectl logs` into every node's archive (newuser
/// round 7, #2). The mirror pod's name (`kube-controller-manager-cp-2`) says the node.
#[test]
fn a_static_pods_log_copied_into_another_nodes_folder_is_its_own_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("ha");
    fixture_copy::copy_tree(std::path::Path::new("testdata/bundles/kubeadm-ha"), &root);
    let line = "E0615 11:58:00.000000       1 leaderelection.go:436] error retrieving resource lock kube-system/kube-controller-manager: etcdserver: request timed out\n";
    for holder in ["cp-1", "cp-3"] {
        let logs = root.join(holder).join("kubeadm/podlogs");
        std::fs::create_dir_all(&logs).unwrap();
        std::fs::write(logs.join("kube-system-kube-controller-manager-cp-2"), line).unwrap();
    }
    let r = analyze(root.to_str().unwrap(), "2026-06-15T12:00:00Z");
    let nodes: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "log-etcd-timeout")
        .map(|f| f["node"].as_str().unwrap_or("cluster"))
        .collect();
    assert_eq!(nodes, ["cp-2"], "{r:#}");
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "log-etcd-timeout")
        .unwrap();
    // The same line in two archives counts once.
    assert_eq!(f["evidence"]["count"], 1, "{f:#}");
}
