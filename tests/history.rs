//! A past hiccup told apart from an ongoing fault (issue 19): a log condition that went silent
//! well before its log ended, with nothing in the bundle that still holds explaining it, is a
//! past episode (info, on the timeline); the same lines up to the end of the log are an error.

#![allow(clippy::unwrap_used)]

mod fixture_copy;

use std::path::Path;

use serde_json::Value;

const BUNDLE: &str = "testdata/bundles/kubeadm-healthy";

/// Start-up noise of a healthy node: the CNI not initialised yet and the apiserver not up.
fn noise(at: &str) -> Vec<String> {
    let clock = &at[11..19];
    [
        format!("{at}+0000 cp-1 kubelet[812]: E{}{} {clock}.123456     812 kubelet.go:2862] \"Container runtime network not ready\" networkReady=\"NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized\"", &at[5..7], &at[8..10]),
        format!("{at}+0000 cp-1 kubelet[812]: E{}{} {clock}.223456     812 kubelet_node_status.go:540] \"Error updating node status, will retry\" err=\"error getting node \\\"cp-1\\\": Get \\\"https://10.0.0.10:6443/api/v1/nodes/cp-1?timeout=10s\\\": dial tcp 10.0.0.10:6443: connect: connection refused\"", &at[5..7], &at[8..10]),
    ]
    .to_vec()
}

/// The healthy kubeadm node with `lines` merged into its kubelet log in time order.
fn with_kubelet_lines(lines: &[String]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(BUNDLE);
    fixture_copy::copy_tree(src, tmp.path());
    let log = tmp.path().join("var/log/kubelet.log");
    let text = std::fs::read_to_string(&log).unwrap();
    let mut all: Vec<String> = text
        .lines()
        .map(str::to_string)
        .chain(lines.iter().cloned())
        .collect();
    all.sort_by(|a, b| a.get(..24).cmp(&b.get(..24)));
    std::fs::write(&log, all.join("\n") + "\n").unwrap();
    tmp
}

fn analyze(dir: &Path) -> (i32, Value) {
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .args(["analyze", "-q", "-o", "json"])
        .arg(dir)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code().unwrap(), v["bundles"][0].clone())
}

fn of<'a>(r: &'a Value, rule: &str) -> Vec<&'a Value> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

#[test]
fn start_up_noise_17_minutes_before_the_log_ends_is_history() {
    // The node's kubelet log ends at 11:58; the noise stops at 11:41.
    let dir = with_kubelet_lines(&[noise("2026-06-15T11:40:00"), noise("2026-06-15T11:41:00")].concat());
    let (code, r) = analyze(dir.path());
    for rule in ["log-cni-not-ready", "log-apiserver-unreachable"] {
        let f = of(&r, rule);
        assert_eq!(f.len(), 1, "{rule}: {r}");
        assert_eq!(f[0]["severity"], "info", "{rule}: {}", f[0]);
        assert_eq!(f[0]["evidence"]["history"], true);
        let m = f[0]["message"].as_str().unwrap();
        assert!(
            m.contains("last seen 2026-06-15T11:41:00Z, 17m") && m.contains("a past episode"),
            "{m}"
        );
    }
    assert_eq!(r["verdict"], "healthy", "{r}");
    // A past episode gets no step of its own.
    assert!(plan_ids(&r).is_empty(), "{}", r["plan"]);
    assert_eq!(code, 0);
}

#[test]
fn the_same_noise_two_weeks_before_is_history_too() {
    let dir = with_kubelet_lines(&noise("2026-06-01T08:00:00"));
    let (code, r) = analyze(dir.path());
    let f = of(&r, "log-cni-not-ready");
    assert_eq!(f[0]["severity"], "info", "{}", f[0]);
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("14 days before its log ends"),
        "{}",
        f[0]
    );
    assert_eq!(code, 0);
}

#[test]
fn the_same_lines_up_to_the_end_of_the_log_are_ongoing() {
    let dir = with_kubelet_lines(&[noise("2026-06-15T11:40:00"), noise("2026-06-15T11:57:30")].concat());
    let (code, r) = analyze(dir.path());
    for rule in ["log-cni-not-ready", "log-apiserver-unreachable"] {
        let f = of(&r, rule);
        assert_eq!(f[0]["severity"], "error", "{rule}: {}", f[0]);
        assert!(f[0]["evidence"].get("quiet_since").is_none(), "{}", f[0]);
    }
    // Nothing explains the ongoing CNI fault: the plan says where to look on the node.
    assert!(
        plan_ids(&r).contains(&"inspect-node-cni".to_string()),
        "{}",
        r["plan"]
    );
    assert_eq!(r["verdict"], "broken");
    assert_eq!(code, 1);
}

fn plan_ids(r: &Value) -> Vec<String> {
    r["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

/// A kubelet log whose last line is dated after the capture time (its clock ahead) does not
/// make a condition that holds at capture look like history.
#[test]
fn a_log_line_from_after_the_capture_time_does_not_make_history() {
    let mut lines = [noise("2026-06-15T11:40:00"), noise("2026-06-15T11:57:30")].concat();
    lines.push("2026-06-16T09:00:00+0000 cp-1 kubelet[812]: I0616 09:00:00.000000     812 kubelet_getters.go:187] \"Pod status updated\"".to_string());
    let dir = with_kubelet_lines(&lines);
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .args(["analyze", "-q", "-o", "json", "--now", "2026-06-15T12:00:00Z"])
        .arg(dir.path())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = &v["bundles"][0];
    let f = of(r, "log-cni-not-ready");
    assert_eq!(f[0]["severity"], "error", "{}", f[0]);
    assert_eq!(out.status.code(), Some(1));
}

/// A mixed journal (`journal.log`) whose last line is another unit's says nothing about the
/// kubelet: its errors up to the end of its own log stay ongoing.
#[test]
fn another_units_later_lines_in_a_mixed_journal_do_not_make_history() {
    let dir = with_kubelet_lines(&[noise("2026-06-15T11:40:00"), noise("2026-06-15T11:57:30")].concat());
    let mut journal: Vec<String> = noise("2026-06-15T11:20:00");
    journal.push("2026-06-15T23:58:00+0000 cp-1 containerd[700]: time=\"2026-06-15T23:58:00Z\" level=info msg=\"still here\"".to_string());
    std::fs::write(dir.path().join("var/log/journal.log"), journal.join("\n") + "\n").unwrap();
    let (code, r) = analyze(dir.path());
    let f = of(&r, "log-cni-not-ready");
    assert!(f.iter().all(|f| f["severity"] == "error"), "{f:#?}");
    assert_eq!(code, 1);
}

/// The kubelet's start-up noise in a mixed journal (`var/log/messages` on RHEL,
/// `var/log/syslog` on Ubuntu) followed by the kubelet's own quiet lines for an hour is
/// history, as in `kubelet.log`: the kubelet's last line in that journal ends its log
/// (newuser4 H1). Another unit's later lines alone still do not (above).
#[test]
fn a_mixed_journal_ends_for_the_kubelet_at_the_kubelets_last_line() {
    for name in ["messages", "syslog", "journal.txt"] {
        let dir = with_kubelet_lines(&[]);
        let mut journal: Vec<String> = noise("2026-06-15T11:20:00");
        journal.push("2026-06-15T11:21:00+0000 cp-1 containerd[700]: time=\"2026-06-15T11:21:00Z\" level=info msg=\"up\"".to_string());
        journal.push("2026-06-15T12:25:00+0000 cp-1 kubelet[812]: I0615 12:25:00.000000     812 kubelet_getters.go:218] \"Pod status updated\" pod=\"kube-system/etcd-cp-1\" status=\"Running\"".to_string());
        std::fs::write(dir.path().join("var/log").join(name), journal.join("\n") + "\n").unwrap();
        let (_, r) = analyze(dir.path());
        let f = of(&r, "log-cni-not-ready");
        assert!(!f.is_empty(), "{name}: {r}");
        assert!(f.iter().all(|f| f["severity"] == "info"), "{name}: {f:#?}");
    }
}

/// The dumped Node object's `Ready` condition: Ready since after the noise is named as the
/// recovery; NotReady at the dump keeps the same lines an ongoing error.
#[test]
fn the_node_objects_ready_condition_is_recovery_or_not() {
    let lines = [noise("2026-06-15T11:40:00"), noise("2026-06-15T11:41:00")].concat();
    let node = |status: &str| {
        format!(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata: {{name: cp-1}}\n  status:\n    conditions:\n    - {{type: Ready, status: \"{status}\", reason: KubeletReady, lastTransitionTime: \"2026-06-15T11:43:00Z\"}}\n"
        )
    };
    let dir = with_kubelet_lines(&lines);
    std::fs::write(dir.path().join("nodes.yaml"), node("True")).unwrap();
    let (_, r) = analyze(dir.path());
    let f = of(&r, "log-cni-not-ready");
    assert_eq!(f[0]["severity"], "info", "{}", f[0]);
    let m = f[0]["message"].as_str().unwrap();
    assert!(
        m.contains("the Node object says Ready since 2026-06-15T11:43:00Z"),
        "{m}"
    );
    std::fs::write(dir.path().join("nodes.yaml"), node("False")).unwrap();
    let (code, r) = analyze(dir.path());
    let f = of(&r, "log-cni-not-ready");
    assert_eq!(f[0]["severity"], "error", "{}", f[0]);
    assert_eq!(code, 1);
}

/// One log line dated years ahead (a wrong clock, a forged date) is later than every file's
/// modification time: it does not become the capture time, and the report says why (hostile
/// round 4: it turned a healthy bundle broken). The archive's mtimes are pinned.
#[test]
fn a_log_line_dated_past_every_files_mtime_is_not_the_capture_time() {
    let dir = with_kubelet_lines(&[
        "2031-03-01T00:00:00+0000 cp-1 chronyd[77]: System clock wrong by -150000000 seconds".to_string(),
    ]);
    let tgz = dir.path().join("bundle.tar.gz");
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        std::fs::File::create(&tgz).unwrap(),
        flate2::Compression::fast(),
    ));
    let mut stack = vec![dir.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p != tgz {
                let data = std::fs::read(&p).unwrap();
                let mut h = tar::Header::new_gnu();
                h.set_size(data.len() as u64);
                h.set_mode(0o644);
                h.set_mtime(1_781_524_800); // 2026-06-15T12:00:00Z
                h.set_cksum();
                let name = format!("b/{}", p.strip_prefix(dir.path()).unwrap().display());
                b.append_data(&mut h, name, data.as_slice()).unwrap();
            }
        }
    }
    b.into_inner().unwrap().finish().unwrap();
    let (_, r) = analyze(&tgz);
    assert_eq!(
        r["captured_at"], "2026-06-15T12:00:00Z",
        "{}",
        r["captured_at_evidence"]
    );
    assert_ne!(r["verdict"], "broken", "{r}");
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "input-problem"
                && f["message"].as_str().unwrap().contains("2031-03-01T00:00:00Z")),
        "{r}"
    );
}

/// Only `/etc/kubernetes/pki` (`tar czf pki.tgz pki`): nothing dates the bundle but its
/// files' modification times, which are when the certificates were written, so the verdict
/// is never `healthy`: a `capture-time` gap says to pass `--now` (newuser4 H2). With `--now`
/// the gap is gone.
#[test]
fn a_bundle_dated_only_by_file_times_is_incomplete() {
    let tmp = tempfile::tempdir().unwrap();
    fixture_copy::copy_tree(
        &Path::new(BUNDLE).join("etc/kubernetes/pki"),
        &tmp.path().join("pki-a/etc/kubernetes/pki"),
    );
    for cmd in ["analyze", "certs"] {
        let out = assert_cmd::Command::cargo_bin("kubetriage")
            .unwrap()
            .args([cmd, "-q", "-o", "json"])
            .arg(tmp.path())
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let b = &v["bundles"][0];
        assert_ne!(b["verdict"], "healthy", "{cmd}: {b}");
        assert!(
            b["incomplete_reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["kind"] == "capture-time" && r["reason"].as_str().unwrap().contains("--now")),
            "{cmd}: {b}"
        );
        let pinned = assert_cmd::Command::cargo_bin("kubetriage")
            .unwrap()
            .args([cmd, "-q", "-o", "json", "--now", "2026-06-15T12:00:00Z"])
            .arg(tmp.path())
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&pinned.stdout).unwrap();
        assert!(
            !v["bundles"][0]["incomplete_reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["kind"] == "capture-time"),
            "{cmd}: {v}"
        );
    }
}

/// A kubelet line rejecting the apiserver's certificate at `server` with notAfter 2026-06-10.
fn rejected_at(at: &str, server: &str) -> String {
    let clock = &at[11..19];
    format!(
        "{at}+0000 cp-1 kubelet[812]: E{}{} {clock}.000000     812 reflector.go:147] \"Failed to watch\" err=\"Get \\\"https://{server}/api/v1/nodes?limit=500\\\": tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time {at}Z is after 2026-06-10T00:00:00Z\"",
        &at[5..7],
        &at[8..10]
    )
}

/// cert-not-reloaded: the apiserver's certificate file is valid (renewed), yet the kubelet
/// goes on rejecting, up to capture, a certificate whose notAfter the bundle no longer holds
/// at the address the apiserver advertises: the running apiserver never loaded the file. The
/// plan restarts it and checks what the endpoint serves; it renews nothing (newuser5 N3b).
#[test]
fn cert_not_reloaded_is_a_restart_not_a_renewal() {
    let ongoing: Vec<String> = [
        "2026-06-15T11:40:00",
        "2026-06-15T11:50:00",
        "2026-06-15T11:57:00",
    ]
    .iter()
    .map(|t| rejected_at(t, "10.0.0.10:6443"))
    .collect();
    let dir = with_kubelet_lines(&ongoing);
    let (code, r) = analyze(dir.path());
    assert_eq!(code, 1);
    let root = of(&r, "cert-not-reloaded");
    assert_eq!(root.len(), 1, "{r:#}");
    assert_eq!(root[0]["node"], "cp-1");
    assert!(
        root[0]["paths"][0]
            .as_str()
            .unwrap()
            .ends_with("etc/kubernetes/pki/apiserver.crt")
    );
    let symptom = of(&r, "log-cert-expired");
    assert!(
        symptom[0]["explained_by"]
            .as_array()
            .unwrap()
            .contains(&root[0]["id"]),
        "{symptom:#?}"
    );
    let plan = r["plan"].as_array().unwrap();
    let ids: Vec<&str> = plan.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["reload-static-pod-cert"], "{plan:#?}");
    let text = plan[0].to_string();
    assert!(
        text.contains("kube-apiserver.yaml") && text.contains("openssl s_client -connect 10.0.0.10:6443"),
        "{text}"
    );

    // An address only this node's certificate covers (the service name, on a single control
    // plane) proves it too; one no certificate of the bundle covers proves nothing.
    let via_service: Vec<String> = ["2026-06-15T11:40:00", "2026-06-15T11:57:00"]
        .iter()
        .map(|t| rejected_at(t, "kubernetes.default.svc:443"))
        .collect();
    let (_, r) = analyze(with_kubelet_lines(&via_service).path());
    assert_eq!(of(&r, "cert-not-reloaded").len(), 1, "{r:#}");
    let elsewhere: Vec<String> = ["2026-06-15T11:40:00", "2026-06-15T11:57:00"]
        .iter()
        .map(|t| rejected_at(t, "10.0.0.99:6443"))
        .collect();
    let (_, r) = analyze(with_kubelet_lines(&elsewhere).path());
    assert!(of(&r, "cert-not-reloaded").is_empty(), "{r:#}");

    // Rejections that stopped long before capture were loaded since: nothing to restart.
    let past = [rejected_at("2026-06-15T11:20:00", "10.0.0.10:6443")];
    let (_, r) = analyze(with_kubelet_lines(&past).path());
    assert!(of(&r, "cert-not-reloaded").is_empty(), "{r:#}");
}
