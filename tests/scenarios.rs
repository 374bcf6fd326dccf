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
    use kubetriage_testgen::tree;
    let healthy = tree::read_dir(std::path::Path::new("testdata/bundles/kubeadm-healthy")).unwrap();
    let t = kubetriage_testgen::same_dn::only_apiserver_old(healthy).unwrap();
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

/// Issue #13: a kubeadm node whose three CAs are intermediates of an offline root that is not
/// in the bundle, with ECDSA P-256 leaves: a CA whose issuer is absent is no fault and ECDSA
/// keys pair with their certificates, so nothing above info. The same with the root's
/// certificate (only) in the bundle.
#[test]
fn intermediate_cas_of_an_absent_offline_root_with_ecdsa_leaves_are_healthy() {
    use kubetriage_testgen::tree;
    let loud = |r: &Value| -> Vec<Value> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] != "info")
            .cloned()
            .collect()
    };
    let dir = "testdata/bundles/kubeadm-external-ca-ecdsa";
    let r = analyze(dir, "2026-06-15T12:00:00Z");
    assert!(loud(&r).is_empty(), "{:#?}", loud(&r));
    assert_eq!(r["verdict"], "healthy");
    assert!(r["plan"].as_array().unwrap().is_empty());

    let mut t = tree::read_dir(std::path::Path::new(dir)).unwrap();
    assert!(!t.entries.keys().any(|p| p.contains("root")));
    let root = kubetriage_testgen::external_ca::offline_root().unwrap();
    t.file("etc/kubernetes/pki/offline-root.crt", root.pem());
    let tmp = tempfile::tempdir().unwrap();
    t.write_to(tmp.path()).unwrap();
    let r = analyze(tmp.path().to_str().unwrap(), "2026-06-15T12:00:00Z");
    assert!(loud(&r).is_empty(), "{:#?}", loud(&r));
}

/// Issue #13: a kubeadm worker whose kubelet client certificate expired with
/// `rotateCertificates: false`. The root cause is that certificate, on the worker; the plan
/// renews the node's credential first, then turns rotation back on, and only then regenerates
/// the (unrelated, warning) self-signed serving pair; no step touches cp-1. The kubelet's
/// lines about its kubeconfig and its refused credentials are explained by the client
/// certificate only, not by `kubelet.crt` that expired the same second.
#[test]
fn worker_kubelet_client_cert_expired_with_rotation_off() {
    let r = analyze(
        "testdata/bundles/kubeadm-worker-rotation-off",
        "2026-06-15T12:00:00Z",
    );
    let findings = r["findings"].as_array().unwrap();
    let roots: Vec<&Value> = findings
        .iter()
        .filter(|f| f["severity"] == "error" && f["explained_by"].as_array().is_none_or(|a| a.is_empty()))
        .collect();
    assert_eq!(roots.len(), 1, "{roots:#?}");
    let root = roots[0];
    assert_eq!(root["rule"], "cert-expired");
    assert_eq!(root["node"], "worker-1");
    assert!(root["message"].as_str().unwrap().contains("system:node:worker-1"));
    assert!(
        root["message"]
            .as_str()
            .unwrap()
            .contains("rotateCertificates: false"),
        "{root:#}"
    );
    let root_id = root["id"].as_str().unwrap();
    for f in findings
        .iter()
        .filter(|f| f["severity"] == "error" && f["id"] != root_id)
    {
        assert_eq!(f["explained_by"], serde_json::json!([root_id]), "{f:#}");
    }
    assert!(
        !findings[..]
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("directory\"")),
        "no stray quote"
    );
    let plan = r["plan"].as_array().unwrap();
    let ids: Vec<&str> = plan.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "renew-kubelet-client-cert",
            "enable-kubelet-client-rotation",
            "regenerate-kubelet-self-signed-cert"
        ]
    );
    let text = |s: &Value, k: &str| {
        s[k].as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(
        text(&plan[0], "commands")
            .contains("kubeadm kubeconfig user --org system:nodes --client-name system:node:worker-1")
    );
    assert!(text(&plan[1], "commands").contains("rotateCertificates: true"));
    assert!(text(&plan[1], "commands").contains("/var/lib/kubelet/config.yaml"));
    // Each step undoes only itself: the serving pair's rollback restores the folder as it
    // was before that step, not the copy taken before the client certificate's renewal.
    let undo = text(&plan[2], "rollback");
    assert!(
        undo.contains("before-regenerate-kubelet-self-signed-cert/var/lib/kubelet/pki"),
        "{undo}"
    );
    assert!(text(&plan[2], "commands").contains("before-regenerate-kubelet-self-signed-cert"));
    for s in plan {
        for t in s["targets"].as_array().unwrap() {
            assert!(t.as_str().unwrap().contains("/worker-1/"), "{t}");
        }
        assert!(!text(s, "commands").contains("kubeadm certs renew"), "{s:#}");
    }
}

/// Issue #13 (part): an RKE2 server whose node IP changed while its serving certificates kept
/// the old one. The apiserver's certificate not covering the new address is a root cause on
/// that node, and the plan speaks RKE2: back up the TLS folder, `rke2 certificate rotate`
/// between stopping and starting rke2-server (the next start issues the certificates with the
/// current node-ip), no openssl re-issue. Not yet: etcd's own certificates (RKE2's etcd reads
/// `--config-file`, which kubetriage does not parse) and etcd's stale peer URL.
#[test]
fn rke2_node_ip_change_is_fixed_by_rotating_rke2_certificates() {
    let r = analyze("testdata/bundles/rke2-node-ip-changed", "2026-06-15T12:00:00Z");
    let findings = r["findings"].as_array().unwrap();
    let san = findings
        .iter()
        .find(|f| f["rule"] == "san-missing")
        .expect("a san-missing finding");
    assert_eq!(san["node"], "rke2-1");
    assert_eq!(san["severity"], "error");
    assert!(
        san["message"]
            .as_str()
            .unwrap()
            .contains("serving-kube-apiserver.crt")
    );
    assert!(san["message"].as_str().unwrap().contains("10.0.0.9"));
    let plan = r["plan"].as_array().unwrap();
    let ids: Vec<&str> = plan.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["rke2-certificate-rotate"]);
    let cmds = plan[0]["commands"].to_string();
    for want in [
        "/var/lib/rancher/rke2/server/tls",
        "systemctl stop rke2-server",
        "rke2 certificate rotate",
        "systemctl start rke2-server",
    ] {
        assert!(cmds.contains(want), "{want}: {cmds}");
    }
    assert!(!cmds.contains("openssl"), "{cmds}");
}
