//! `kubetriage collect`: a collected bundle gives the same findings as the node tree it was
//! collected from; by default no private key leaves the node (public-key stubs) and key pairing
//! still passes and fails as before; gaps are recorded in the bundle's manifest. Also the
//! CLI niceties: shell completions, the man page, `NO_COLOR`.

#![allow(clippy::unwrap_used)] // tests may panic

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const NOW: &str = "2026-06-15T12:00:00Z";

fn healthy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/bundles/kubeadm-healthy")
}

fn kubetriage() -> Command {
    Command::cargo_bin("kubetriage").unwrap()
}

fn analyze(path: &Path) -> Value {
    let out = kubetriage()
        .args(["analyze", "-q", "-o", "json", "--now", NOW])
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

/// Rule, node, severity and objects of each finding (paths differ by bundle layout).
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

fn collect(root: &Path, out: &Path, extra: &[&str]) {
    kubetriage()
        .args(["collect", "-q", "--root"])
        .arg(root)
        .arg("--output")
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

fn copy_dir(from: &Path, to: &Path, skip: &dyn Fn(&Path) -> bool) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if skip(&p) {
            continue;
        }
        let dest = to.join(p.file_name().unwrap());
        let meta = fs::symlink_metadata(&p).unwrap();
        if meta.file_type().is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(fs::read_link(&p).unwrap(), &dest).unwrap();
        } else if meta.is_dir() {
            copy_dir(&p, &dest, skip);
        } else {
            fs::copy(&p, &dest).unwrap();
        }
    }
}

/// The healthy node's own tree: the fixture without its `cluster/` dumps (collect makes
/// those with kubectl only, from a working kubeconfig).
fn node_tree(tmp: &Path) -> PathBuf {
    let node = tmp.join("cp-1");
    copy_dir(&healthy(), &node, &|p| p.ends_with("cluster"));
    node
}

fn unpacked(bundle: &Path) -> Vec<(String, Vec<u8>, Option<String>)> {
    let gz = flate2::read::GzDecoder::new(fs::File::open(bundle).unwrap());
    let mut tar = tar::Archive::new(gz);
    let mut out = Vec::new();
    for e in tar.entries().unwrap() {
        let mut e = e.unwrap();
        let path = e.path().unwrap().to_string_lossy().into_owned();
        let link = e.link_name().unwrap().map(|l| l.to_string_lossy().into_owned());
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        out.push((path, data, link));
    }
    out
}

#[test]
fn collected_bundle_gives_the_findings_of_the_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let node = node_tree(tmp.path());
    let out = tmp.path().join("b.tar.gz");
    collect(&node, &out, &[]);
    assert_eq!(summary(&analyze(&out)), summary(&analyze(&node)));
    assert_eq!(summary(&analyze(&out)), summary(&analyze(&healthy())));
    let report = analyze(&out);
    assert_eq!(report["nodes"][0]["name"], "cp-1");
    assert_eq!(report["nodes"][0]["collector"], "kubetriage-collect");
    let entries = unpacked(&out);
    let names: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted, "entries in path order");
    // The kubelet's rotated client cert stays a symlink.
    let current = entries
        .iter()
        .find(|e| e.0 == "cp-1/var/lib/kubelet/pki/kubelet-client-current.pem")
        .unwrap();
    assert!(current.2.as_deref().unwrap().contains("kubelet-client-2026"));
    // Gaps are recorded, not fatal.
    let manifest = entries
        .iter()
        .find(|e| e.0 == "cp-1/kubetriage-collect.json")
        .unwrap();
    let m: Value = serde_json::from_slice(&manifest.1).unwrap();
    let skipped = m["skipped"].to_string();
    assert!(skipped.contains("journalctl -u kubelet"), "{skipped}");
    assert!(skipped.contains("no --kubeconfig"), "{skipped}");
    assert!(skipped.contains("run/flannel"), "{skipped}");
}

#[test]
fn default_leaves_no_private_key_and_pairing_still_works() {
    let tmp = tempfile::tempdir().unwrap();
    let node = node_tree(tmp.path());
    let out = tmp.path().join("stub.tar.gz");
    collect(&node, &out, &[]);
    for (path, data, _) in unpacked(&out) {
        let text = String::from_utf8_lossy(&data);
        assert!(!text.contains("PRIVATE KEY-----"), "{path} holds a private key");
        if text.contains("client-key-data:") {
            // Embedded kubeconfig keys are stubbed too.
            assert!(!text.contains("LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0t"), "{path}");
            assert!(!text.contains("LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVkt"), "{path}");
            assert!(!text.contains("LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0t"), "{path}");
        }
    }
    assert_eq!(summary(&analyze(&out)), summary(&analyze(&node)));

    // A mismatched pair still fails after stubbing.
    let bad = tmp.path().join("bad").join("cp-1");
    copy_dir(&node, &bad, &|_| false);
    fs::copy(
        bad.join("etc/kubernetes/pki/front-proxy-client.key"),
        bad.join("etc/kubernetes/pki/apiserver.key"),
    )
    .unwrap();
    let direct = analyze(&bad);
    assert!(
        summary(&direct).iter().any(|s| s.contains("key-mismatch")),
        "{:?}",
        summary(&direct)
    );
    let out = tmp.path().join("bad.tar.gz");
    collect(&bad, &out, &["--no-private-keys"]);
    assert_eq!(summary(&analyze(&out)), summary(&direct));
}

#[test]
fn include_private_keys_is_an_opt_in_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let node = node_tree(tmp.path());
    let out = tmp.path().join("keys.tar.gz");
    let run = kubetriage()
        .args(["collect", "-q", "--include-private-keys", "--root"])
        .arg(&node)
        .arg("--output")
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("warning: --include-private-keys"), "{stderr}");
    let keys = unpacked(&out)
        .into_iter()
        .filter(|(_, data, _)| String::from_utf8_lossy(data).contains("PRIVATE KEY-----"))
        .count();
    assert!(keys > 0, "the opt-in ships the keys");
    assert_eq!(summary(&analyze(&out)), summary(&analyze(&node)));
}

#[test]
fn completions_and_man_page() {
    let out = kubetriage().args(["completions", "bash"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("kubetriage") && text.contains("collect"), "{text}");
    let out = kubetriage().arg("man").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(".TH kubetriage"), "{text}");
}

#[test]
fn no_color_and_short_format_flag() {
    let out = kubetriage()
        .env("NO_COLOR", "1")
        .args(["analyze", "-q", "-o", "table", "--now", NOW])
        .arg(healthy())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains("cp-1 (kubeadm)"), "{text}");
}
