//! Bundles as collectors make them: sosreport (directory and `.tar.xz`) and troubleshoot
//! support bundles give the same findings as the same node state in a plain tree; scrubbed
//! evidence is reported as missing, never as a broken certificate; capture time and layout
//! come from the collector's metadata.

#![allow(clippy::unwrap_used)] // tests may panic

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const NOW: &str = "2026-06-15T12:00:00Z";

fn bundles() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/bundles")
}

fn analyze(path: &Path, extra: &[&str]) -> Value {
    let out = Command::cargo_bin("kubetriage")
        .unwrap()
        .args(["analyze", "-q", "-o", "json", "--fail-on", "error"])
        .args(extra)
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["bundles"][0].clone()
}

/// What a user compares across layouts: rule, node, severity and objects of each finding
/// (paths differ by layout by design).
fn summary(report: &Value) -> Vec<String> {
    let mut out: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {} {} {}", f["rule"], f["node"], f["severity"], f["objects"]))
        .collect();
    out.sort();
    out
}

fn rules(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

fn copy_tree(from: &Path, to: &Path, map: &dyn Fn(&str) -> Option<String>) {
    for e in walk(from) {
        let rel = e.strip_prefix(from).unwrap().to_string_lossy().replace('\\', "/");
        let Some(dest) = map(&rel) else { continue };
        let dest = to.join(dest);
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        let meta = fs::symlink_metadata(&e).unwrap();
        if meta.file_type().is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(fs::read_link(&e).unwrap(), &dest).unwrap();
        } else {
            fs::copy(&e, &dest).unwrap();
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if fs::symlink_metadata(&p).unwrap().is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The plain tree holding what a sosreport holds: node files where they were, the kubelet
/// journal as a log, the kubectl JSON dumps in `cluster/`, the hostname in `etc/hostname`.
fn plain_twin_of_sosreport(sos_root: &Path, out: &Path) {
    copy_tree(sos_root, out, &|rel| {
        if rel == "sos_commands/kubernetes/journalctl_--no-pager_--unit_kubelet" {
            Some("var/log/kubelet.log".into())
        } else if rel == "sos_commands/host/hostname" {
            Some("etc/hostname".into())
        } else if rel.starts_with("sos_commands/kubernetes/cluster-info/") && rel.contains("_get_-o_json_") {
            Some(format!("cluster/{}.json", rel.replace('/', "_")))
        } else if rel.starts_with("etc/") || rel.starts_with("var/") || rel.starts_with("run/") {
            Some(rel.to_string())
        } else {
            None
        }
    });
}

fn only_dir(p: &Path) -> PathBuf {
    fs::read_dir(p).unwrap().next().unwrap().unwrap().path()
}

#[test]
fn sosreport_matches_the_plain_tree_of_the_same_node() {
    let sos = bundles().join("sosreport-legacy");
    let tmp = tempfile::tempdir().unwrap();
    let plain = tmp.path().join("cp-1");
    plain_twin_of_sosreport(&only_dir(&sos), &plain);
    let a = analyze(&sos, &["--now", NOW]);
    let b = analyze(&plain, &["--now", NOW]);
    assert_eq!(summary(&a), summary(&b));
    assert!(!rules(&a).contains(&"evidence-scrubbed".to_string()));
    let node = &a["nodes"][0];
    assert_eq!(node["name"], "cp-1", "hostname from sos_commands/host/hostname");
    assert_eq!(node["layout"], "kubeadm");
    assert_eq!(node["collector"], "sosreport");
}

/// Packs `dir` (its entries named `<dir name>/…`) as a `.tar.xz`, as sos does.
fn tar_xz(dir: &Path, out: &Path) {
    let mut tar = tar::Builder::new(Vec::new());
    tar.follow_symlinks(false);
    tar.append_dir_all(dir.file_name().unwrap(), dir).unwrap();
    let bytes = tar.into_inner().unwrap();
    let mut xz = lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(6)).unwrap();
    std::io::Write::write_all(&mut xz, &bytes).unwrap();
    fs::write(out, xz.finish().unwrap()).unwrap();
}

#[test]
fn sosreport_tar_xz_reads_like_its_directory() {
    let sos_root = only_dir(&bundles().join("sosreport-legacy"));
    let tmp = tempfile::tempdir().unwrap();
    let xz = tmp.path().join("sosreport-cp-1-2026-06-15-kdlfjxa.tar.xz");
    tar_xz(&sos_root, &xz);
    let a = analyze(&xz, &[]);
    let b = analyze(&bundles().join("sosreport-legacy"), &[]);
    assert_eq!(summary(&a), summary(&b));
    assert_eq!(a["captured_at"], b["captured_at"]);
    assert_eq!(a["captured_at_source"], b["captured_at_source"]);
    assert_eq!(
        a["problems"].as_array().unwrap().len(),
        b["problems"].as_array().unwrap().len()
    );
    assert_eq!(a["nodes"][0]["collector"], "sosreport");
}

#[test]
fn corrupt_xz_is_not_a_bundle_and_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("broken.tar.xz");
    fs::write(
        &p,
        [0xfd, b'7', b'z', b'X', b'Z', 0, 0, 4, 0xde, 0xad, 0xbe, 0xef],
    )
    .unwrap();
    // Nothing decodes from it: an error entry naming xz, never an empty healthy report.
    let out = Command::cargo_bin("kubetriage")
        .unwrap()
        .args(["analyze", "-q", "-o", "json"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = &v["bundles"][0];
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("xz data that cannot be decoded"),
        "{v}"
    );
}

#[test]
fn scrubbed_sosreport_reports_missing_evidence_not_broken_certificates() {
    let a = analyze(&bundles().join("sosreport-scrubbed"), &["--now", NOW]);
    let rules = rules(&a);
    assert!(rules.contains(&"evidence-scrubbed".to_string()), "{rules:?}");
    assert!(!rules.contains(&"input-problem".to_string()), "{}", a["findings"]);
    for r in ["cert-expired", "ca-mismatch", "key-mismatch"] {
        assert!(!rules.contains(&r.to_string()));
    }
    let f = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "evidence-scrubbed")
        .unwrap();
    assert_eq!(f["severity"], "info");
    assert_eq!(f["node"], "cp-1");
    let not_run = f["evidence"]["checks_not_run"].to_string();
    for r in ["cert-expired", "key-mismatch", "ca-mismatch"] {
        assert!(not_run.contains(r), "{not_run}");
    }
    let scrubbed = f["evidence"]["scrubbed"].to_string();
    assert!(scrubbed.contains("etc/kubernetes/pki: certificates and private keys (folder not collected)"));
    assert!(scrubbed.contains("admin.conf: users[kubernetes-admin].client-key-data"));
}

#[test]
fn troubleshoot_bundle_matches_the_plain_cluster_dumps() {
    let sb = bundles().join("troubleshoot-kubeadm");
    let tmp = tempfile::tempdir().unwrap();
    let plain = tmp.path().join("dumps");
    copy_tree(
        &bundles().join("kubeadm-healthy/cluster"),
        &plain.join("cluster"),
        &|r| Some(r.to_string()),
    );
    let a = analyze(&sb, &["--now", NOW]);
    let b = analyze(&plain, &["--now", NOW]);
    let without_scrub = |r: &Value| -> Vec<String> {
        summary(r)
            .into_iter()
            .filter(|s| !s.contains("evidence-scrubbed"))
            .collect()
    };
    assert_eq!(without_scrub(&a), without_scrub(&b));
    assert!(
        a["problems"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| !p["path"].as_str().unwrap().ends_with("-errors.json"))
    );
    // The redacted token is missing evidence.
    let scrub = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "evidence-scrubbed")
        .unwrap();
    assert_eq!(scrub["evidence"]["collector"], "troubleshoot");
    assert!(
        scrub["evidence"]["scrubbed"]
            .to_string()
            .contains("kube-system/Secret/default-token-abcde#token")
    );
}

#[test]
fn troubleshoot_capture_time_comes_from_the_bundle_folder() {
    let a = analyze(&bundles().join("troubleshoot-kubeadm"), &[]);
    assert_eq!(a["captured_at"], "2026-06-15T12:00:00Z");
    assert_eq!(a["captured_at_source"], "bundle-metadata");
}

#[test]
fn layout_flag_overrides_detection() {
    let a = analyze(&bundles().join("kubeadm-healthy"), &["--layout", "k3s"]);
    assert_eq!(a["nodes"][0]["layout"], "k3s");
    let b = analyze(&bundles().join("kubeadm-healthy"), &[]);
    assert_eq!(b["nodes"][0]["layout"], "kubeadm");
}

#[test]
fn k3s_and_rke2_trees_are_nodes_of_their_distribution() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files: BTreeMap<&str, &str> = BTreeMap::new();
    files.insert(
        "k3s-1/var/lib/rancher/k3s/agent/etc/cni/net.d/10-flannel.conflist",
        r#"{"name":"cbr0","cniVersion":"1.0.0","plugins":[{"type":"flannel"}]}"#,
    );
    files.insert(
        "k3s-1/run/flannel/subnet.env",
        "FLANNEL_NETWORK=10.42.0.0/16\nFLANNEL_SUBNET=10.42.0.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n",
    );
    files.insert(
        "k3s-1/etc/rancher/k3s/k3s.yaml",
        "apiVersion: v1\nkind: Config\nclusters: []\nusers: []\n",
    );
    files.insert("rke2-1/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\n  namespace: kube-system\n  labels:\n    component: kube-apiserver\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver]\n");
    for (p, c) in &files {
        let path = tmp.path().join("b").join(p);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, c).unwrap();
    }
    let a = analyze(&tmp.path().join("b"), &["--now", NOW]);
    let layouts: Vec<(String, String)> = a["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["name"].as_str().unwrap().into(),
                n["layout"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        layouts,
        [("k3s-1".into(), "k3s".into()), ("rke2-1".into(), "rke2".into())]
    );
    // k3s's embedded flannel wrote subnet.env: nothing missing; no control-plane pods expected.
    let rules = rules(&a);
    assert!(
        !rules.contains(&"flannel-subnet-env-missing".to_string()),
        "{rules:?}"
    );
    assert!(
        !rules.contains(&"control-plane-component-missing".to_string()),
        "{rules:?}"
    );
}

/// Was: a `kubetriage collect` bundle of a dead node (old logs, collected later) was judged
/// at its newest log line, not at the collection time it recorded. The report says which
/// file gave the time.
#[test]
fn a_collectors_recorded_time_wins_over_old_logs_and_is_explained() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("dead-node");
    copy_tree(&bundles().join("kubeadm-healthy"), &root, &|p| {
        Some(p.to_string())
    });
    fs::write(
        root.join("kubetriage-collect.json"),
        r#"{"version": "0.1.0", "collected_at": "2026-07-01T08:00:00Z", "files": []}"#,
    )
    .unwrap();
    let a = analyze(&root, &[]);
    assert_eq!(
        a["captured_at"], "2026-07-01T08:00:00Z",
        "{}",
        a["captured_at_evidence"]
    );
    assert_eq!(a["captured_at_source"], "bundle-metadata");
    assert!(
        a["captured_at_evidence"]
            .as_str()
            .unwrap()
            .contains("kubetriage-collect.json"),
        "{}",
        a["captured_at_evidence"]
    );
    // Without the manifest: the newest log line, named.
    let b = analyze(&bundles().join("kubeadm-healthy"), &[]);
    assert_eq!(b["captured_at_source"], "newest-log");
    assert!(
        b["captured_at_evidence"]
            .as_str()
            .unwrap()
            .contains("kubelet.log"),
        "{b}"
    );
}

/// Was: journald's default `short` lines (`Dec 01 08:58:12`, no year) were not a capture
/// time: a bundle copied without its mtimes was judged at the copy time, and certificates
/// with two days left were "expired". The year now comes from the newest mtime.
#[test]
fn journald_short_lines_date_the_bundle_with_the_year_of_the_newest_mtime() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("cp-1");
    fs::create_dir_all(root.join("etc/kubernetes/pki")).unwrap();
    fs::create_dir_all(root.join("var/log")).unwrap();
    fs::write(root.join("etc/hostname"), "cp-1\n").unwrap();
    fs::copy(
        bundles().join("kubeadm-healthy/etc/kubernetes/pki/ca.crt"),
        root.join("etc/kubernetes/pki/ca.crt"),
    )
    .unwrap();
    // Real journalctl -u kubelet lines (default output), klog inside.
    let log = "Jun 14 23:59:58 cp-1 kubelet[812]: I0614 23:59:58.000000     812 kubelet.go:2095] \"SyncLoop (PLEG)\"\n\
               Jun 15 08:58:12 cp-1 kubelet[812]: E0615 08:58:12.123456     812 kubelet.go:2095] \"Container runtime network not ready\"\n";
    fs::write(root.join("var/log/kubelet.log"), log).unwrap();
    // Copied into the ticket system half a year later: every mtime is the copy's.
    let copied = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_797_000_000); // 2026-12-10
    for f in ["etc/hostname", "etc/kubernetes/pki/ca.crt", "var/log/kubelet.log"] {
        fs::File::options()
            .write(true)
            .open(root.join(f))
            .unwrap()
            .set_modified(copied)
            .unwrap();
    }
    let a = analyze(&root, &[]);
    assert_eq!(
        a["captured_at"], "2026-06-15T08:58:12Z",
        "{}",
        a["captured_at_evidence"]
    );
    assert_eq!(a["captured_at_source"], "newest-log-year-from-mtime");
    assert!(
        a["captured_at_evidence"]
            .as_str()
            .unwrap()
            .contains("kubelet.log")
    );
}
