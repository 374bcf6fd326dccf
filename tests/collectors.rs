//! Bundles in the layouts real collectors write, each with its upstream source in
//! `src/bundle/<collector>.rs`: the nodes are recognised, every finding sits on the node whose
//! files show it, and no file the collector writes is an unreadable input.

#![allow(clippy::unwrap_used)]

mod fixture_copy;

use std::path::Path;

use serde_json::Value;

const NOW: &str = "2026-11-21T09:30:00Z";
const BUNDLES: &str = "testdata/bundles";

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// The bundle entry of `analyze -o json` without `--now`: judged at its own capture time.
fn analyze_unpinned(input: &Path) -> Value {
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .args(["analyze", "-q", "-o", "json"])
        .arg(input)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    v["bundles"][0].clone()
}

fn analyze(input: &Path) -> (i32, Value) {
    run_json("analyze", input)
}

/// Exit code and bundle entry of `<cmd> -q --now NOW -o json <input>`.
fn run_json(cmd: &str, input: &Path) -> (i32, Value) {
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .args([cmd, "-q", "--now", NOW, "-o", "json"])
        .arg(input)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), v["bundles"][0].clone())
}

/// `kind export logs` of a two-node cluster (kind's `CollectLogs`): per node its `/var/log`
/// at the folder's top, the journal, kubelet and containerd units, the runtime's
/// `inspect.json`, `serial.log`, `kubernetes-version.txt` and `images.log`. `worker_log`
/// is appended to kind-worker's kubelet journal.
fn kind_export(root: &Path, worker_log: &str) {
    write(root, "kind-version.txt", "kind v0.24.0 go1.22.6 linux/amd64\n");
    write(
        root,
        "docker-info.txt",
        "Client: Docker Engine - Community\n Version: 27.1.1\n",
    );
    for (node, ip) in [
        ("kind-control-plane", "172.18.0.2"),
        ("kind-worker", "172.18.0.3"),
    ] {
        let n = |rel: &str| format!("{node}/{rel}");
        write(root, &n("kubernetes-version.txt"), "v1.31.0\n");
        write(
            root,
            &n("inspect.json"),
            &format!(
                "[\n    {{\n        \"Id\": \"4f1c\",\n        \"Name\": \"/{node}\",\n        \"Config\": {{\"Hostname\": \"{node}\"}},\n        \"NetworkSettings\": {{\"Networks\": {{\"kind\": {{\"IPAddress\": \"{ip}\"}}}}}}\n    }}\n]\n"
            ),
        );
        write(
            root,
            &n("serial.log"),
            "INFO: ensuring we can execute mount/umount even with userns-remap\nWelcome to Debian GNU/Linux 12 (bookworm)!\n",
        );
        write(
            root,
            &n("images.log"),
            "IMAGE                                      TAG                  IMAGE ID            SIZE\nregistry.k8s.io/kube-proxy                 v1.31.0              af3ec8d1d2c6a       92.7MB\n",
        );
        write(root, &n("alternatives.log"), "");
        let mut kubelet = format!(
            "Nov 21 09:00:01 {node} systemd[1]: Started kubelet.service - kubelet: The Kubernetes Node Agent.\n\
             Nov 21 09:00:02 {node} kubelet[211]: I1121 09:00:02.000000     211 server.go:484] \"Kubelet version\" kubeletVersion=\"v1.31.0\"\n"
        );
        if node == "kind-worker" {
            kubelet.push_str(worker_log);
        }
        write(root, &n("kubelet.log"), &kubelet);
        write(root, &n("journal.log"), &kubelet);
        write(
            root,
            &n("containerd.log"),
            &format!(
                "Nov 21 09:00:00 {node} containerd[101]: time=\"2026-11-21T09:00:00.000000000Z\" level=info msg=\"containerd successfully booted in 0.03s\"\n"
            ),
        );
        write(
            root,
            &n("pods/kube-system_kube-proxy-x7k2p_6b1f/kube-proxy/0.log"),
            "2026-11-21T09:00:05.000000000Z stderr F I1121 09:00:05.000000       1 server_linux.go:66] \"Using iptables proxy\"\n",
        );
    }
}

/// The nodes' names, in report order.
fn node_names(report: &Value) -> Vec<String> {
    report["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_string())
        .collect()
}

/// A healthy collector bundle: no file it wrote is an input problem, no error, exit 0.
fn assert_healthy(code: i32, report: &Value) {
    assert!(
        on(report, "input-problem").is_empty(),
        "a collector file is an input problem: {report}"
    );
    let errors: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(code, 0, "{report}");
}

/// Each finding's node, by rule.
/// The first finding of `rule` (the test fails when there is none).
fn first<'a>(report: &'a Value, rule: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {report:#}"))
}

/// Every finding of `rule` in a report.
fn of_rule<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn on(report: &Value, rule: &str) -> Vec<String> {
    of_rule(report, rule)
        .iter()
        .map(|f| f["node"].as_str().unwrap_or("cluster").to_string())
        .collect()
}

#[test]
fn kind_export_logs_nodes_are_recognised_and_incomplete_without_certificates() {
    let dir = tempfile::tempdir().unwrap();
    kind_export(dir.path(), "");
    let (code, r) = analyze(dir.path());
    assert_eq!(node_names(&r), ["kind-control-plane", "kind-worker"], "{r}");
    for n in r["nodes"].as_array().unwrap() {
        assert_eq!(
            (&n["collector"], &n["layout"]),
            (&Value::from("kind"), &Value::from("kubeadm")),
            "{n}"
        );
    }
    assert_healthy(code, &r);
    // kind copies /var/log only: the certificate checks did not run, so never `healthy`;
    // `certs` says the same.
    assert_not_collected(&r, "kind export logs");
    assert_not_collected(&certs(dir.path()), "kind export logs");
}

/// The bundle entry of `certs -o json --now`.
fn certs(input: &Path) -> Value {
    run_json("certs", input).1
}

/// The verdict is `incomplete` because `by` did not collect certificates and keys.
fn assert_not_collected(report: &Value, by: &str) {
    assert_eq!(report["verdict"], "incomplete", "{report}");
    let reasons = report["incomplete_reasons"].as_array().unwrap();
    assert!(
        reasons.iter().any(|g| g["kind"] == "not-collected"
            && g["reason"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{by} did not collect"))),
        "{reasons:#?}"
    );
}

#[test]
fn kind_export_logs_fault_sits_on_its_node() {
    let dir = tempfile::tempdir().unwrap();
    // A kubelet whose client certificate expired: its requests fail at the apiserver.
    kind_export(
        dir.path(),
        "Nov 21 09:20:58 kind-worker kubelet[211]: E1121 09:20:58.000000     211 reflector.go:138] k8s.io/client-go/informers/factory.go:150: Failed to watch *v1.Node: failed to list *v1.Node: Get \"https://kind-control-plane:6443/api/v1/nodes\": x509: certificate has expired or is not yet valid: current time 2026-11-21T09:20:58Z is after 2026-11-18T00:00:00Z\n",
    );
    let (code, r) = analyze(dir.path());
    assert_eq!(on(&r, "log-cert-expired"), ["kind-worker"], "{r}");
    // The line sits in both `kubelet.log` and `journal.log`: one line, seen in two files.
    let f = first(&r, "log-cert-expired");
    assert_eq!(f["evidence"]["count"], 1, "{f:#}");
    assert_eq!(f["paths"].as_array().unwrap().len(), 2, "{f:#}");
    assert_eq!(code, 1);
    // The same export as the tar.gz a ticket carries, under its own top folder.
    let tgz = dir.path().join("kind-logs.tar.gz");
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        std::fs::File::create(&tgz).unwrap(),
        flate2::Compression::fast(),
    ));
    for node in ["kind-control-plane", "kind-worker"] {
        b.append_dir_all(format!("kind-logs/{node}"), dir.path().join(node))
            .unwrap();
    }
    b.append_path_with_name(dir.path().join("kind-version.txt"), "kind-logs/kind-version.txt")
        .unwrap();
    b.into_inner().unwrap().finish().unwrap();
    let (packed_code, packed) = analyze(&tgz);
    assert_eq!(on(&packed, "log-cert-expired"), ["kind-worker"], "{packed}");
    assert_eq!(packed_code, code);
    assert_eq!(packed["verdict"], r["verdict"]);
}

/// `kubectl cluster-info dump --output-directory <dir>` (kubectl's
/// `pkg/cmd/clusterinfo/clusterinfo_dump.go`): `nodes.json` at the top, per namespace one
/// List per kind, and `<ns>/<pod>/logs.txt` with each container's log between `==== START
/// logs …` and `==== END logs …` lines. `log` is the cert-manager container's log.
fn cluster_info_dump(root: &Path, log: &str) {
    write(
        root,
        "nodes.json",
        r#"{"kind":"NodeList","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"cp-1"},"status":{"conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-11-20T08:00:00Z"}],"addresses":[{"type":"InternalIP","address":"10.0.0.10"}]}}]}"#,
    );
    for ns in ["kube-system", "cert-manager"] {
        for (file, kind) in [
            ("events.json", "EventList"),
            ("replication-controllers.json", "ReplicationControllerList"),
            ("services.json", "ServiceList"),
            ("daemonsets.json", "DaemonSetList"),
            ("deployments.json", "DeploymentList"),
            ("replicasets.json", "ReplicaSetList"),
            ("pods.json", "PodList"),
        ] {
            write(
                root,
                &format!("{ns}/{file}"),
                &format!(r#"{{"kind":"{kind}","apiVersion":"v1","metadata":{{}},"items":[]}}"#),
            );
        }
    }
    let pod = "cert-manager-7d9f8c6b5-x2k4p";
    write(
        root,
        &format!("cert-manager/{pod}/logs.txt"),
        &format!(
            "==== START logs for container cert-manager-controller of pod cert-manager/{pod} ====\n\
             I1121 09:00:00.000000       1 start.go:75] cert-manager \"msg\"=\"starting controller\" \"version\"=\"v1.15.0\"\n\
             {log}==== END logs for container cert-manager-controller of pod cert-manager/{pod} ====\n"
        ),
    );
}

#[test]
fn cluster_info_dump_pod_logs_are_read() {
    let healthy = tempfile::tempdir().unwrap();
    cluster_info_dump(healthy.path(), "");
    let (code, r) = analyze(healthy.path());
    assert_healthy(code, &r);
    // A cluster-info dump holds no certificate: never `healthy`, in analyze and certs alike
    // (newuser3 A3, B4.1, B7.1).
    assert_not_collected(&r, "kubectl cluster-info dump");
    assert_not_collected(&certs(healthy.path()), "kubectl cluster-info dump");
    let broken = tempfile::tempdir().unwrap();
    cluster_info_dump(
        broken.path(),
        "E1121 09:40:00.123456       1 sync.go:190] cert-manager/challenges \"msg\"=\"propagation check failed\" \"error\"=\"route53: SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided.\\n\\tstatus code: 403, request id: 1a2b\"\n",
    );
    // The dumped pod says which node it ran on: the finding names it (issue 19).
    write(
        broken.path(),
        "cert-manager/pods.json",
        &serde_json::json!({"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": [{
            "metadata": {"name": "cert-manager-7d9f8c6b5-x2k4p", "namespace": "cert-manager"},
            "spec": {"nodeName": "cp-1", "containers": [{"name": "cert-manager-controller", "image": "cm:1"}]}
        }]})
        .to_string(),
    );
    let (code, r) = analyze(broken.path());
    assert_eq!(on(&r, "log-cloud-auth-failed"), ["cp-1"], "{r}");
    assert_eq!(code, 1);
}

/// CoreDNS prints no time: its start-up "connection refused" lines, followed by normal
/// output while its pod's dump says the container is ready, are a past episode, in the
/// directory and the stdout form alike; the same lines as its last words, or with the
/// container not ready, stay an error (newuser round 6, #4).
#[test]
fn cluster_info_dump_undated_start_up_noise_is_history_when_the_pod_is_ready() {
    let refused = "[ERROR] plugin/kubernetes: pkg/mod/k8s.io/client-go@v0.29.3/tools/cache/reflector.go:229: Failed to watch *v1.Namespace: failed to list *v1.Namespace: Get \"https://10.96.0.1:443/api/v1/namespaces?limit=500&resourceVersion=0\": dial tcp 10.96.0.1:443: connect: connection refused\n";
    let normal: String = (0..12)
        .map(|i| format!("[INFO] 10.244.1.{i}:5{i}222 - 1234 \"A IN api.example.com. udp 44 false 512\" NOERROR qr,rd,ra 60 0.00{i}s\n"))
        .collect();
    let pod = "coredns-7c65d6cfc9-x4k2p";
    let run = |log: &str, ready: bool| {
        let dir = tempfile::tempdir().unwrap();
        cluster_info_dump(dir.path(), "");
        write(
            dir.path(),
            "kube-system/pods.json",
            &serde_json::json!({"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": [{
                "metadata": {"name": pod, "namespace": "kube-system"},
                "spec": {"nodeName": "cp-1", "containers": [{"name": "coredns", "image": "coredns:1.11.3"}]},
                "status": {"phase": "Running", "containerStatuses": [{"name": "coredns", "ready": ready, "restartCount": 0, "state": {"running": {}}}]}
            }]})
            .to_string(),
        );
        write(
            dir.path(),
            &format!("kube-system/{pod}/logs.txt"),
            &format!(
                "==== START logs for container coredns of pod kube-system/{pod} ====\n{log}==== END logs for container coredns of pod kube-system/{pod} ====\n"
            ),
        );
        let stdout = tempfile::tempdir().unwrap();
        std::fs::write(stdout.path().join("dump.txt"), stdout_form(dir.path())).unwrap();
        (analyze(dir.path()), analyze(stdout.path()))
    };
    let severities = |r: &Value| -> Vec<String> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "log-apiserver-unreachable")
            .map(|f| f["severity"].as_str().unwrap().to_string())
            .collect()
    };
    let past = format!("{}{normal}", refused.repeat(4));
    let ((code, r), (_, from_stdout)) = run(&past, true);
    assert_eq!(severities(&r), ["info"], "{r:#}");
    assert_eq!(severities(&from_stdout), ["info"], "{from_stdout:#}");
    assert_eq!(code, 0, "{r:#}");
    let ((_, r), _) = run(&past, false);
    assert_eq!(severities(&r), ["error"], "{r:#}");
    // CoreDNS with the default Corefile logs nothing once it runs: its start-up errors are its
    // last lines, and its readiness (which waits for the apiserver) with no restart is the
    // recovery (newuser round 7, #5).
    let ((_, r), _) = run(&format!("{normal}{}", refused.repeat(4)), true);
    assert_eq!(severities(&r), ["info"], "{r:#}");
    let ((_, r), _) = run(&format!("{normal}{}", refused.repeat(4)), false);
    assert_eq!(severities(&r), ["error"], "{r:#}");
    // kube-proxy's klog lines carry a time, and it logs little once it runs: its log ends
    // seconds after the errors, yet the lines after them and its ready container are its
    // recovery (newuser round 7, #4).
    let dated = "E1121 09:00:41.300000       1 server.go:666] \"Failed to retrieve node info\" err=\"Get \\\"https://10.0.0.10:6443/api/v1/nodes/cp-1\\\": dial tcp 10.0.0.10:6443: connect: connection refused\"\n".repeat(2);
    let synced: String = (0..7)
        .map(|i| {
            format!(
                "I1121 09:00:4{i}.000000       1 shared_informer.go:320] Caches are synced for config {i}\n"
            )
        })
        .collect();
    let ((_, r), _) = run(&format!("{dated}{synced}"), true);
    assert_eq!(severities(&r), ["info"], "{r:#}");
    let ((_, r), _) = run(&format!("{dated}{synced}"), false);
    assert_eq!(severities(&r), ["error"], "{r:#}");
}

/// A CSI controller whose AWS credentials are rejected, seen in its own log and in the
/// `ProvisioningFailed` Event it caused: one root cause, the controller's Deployment (from the
/// dumped pod's owner), never the Event stream as a second component (new-user round 2, #2).
#[test]
fn an_event_is_a_symptom_of_the_component_whose_log_shows_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    cluster_info_dump(dir.path(), "");
    let pod = "ebs-csi-controller-5c7d8f9b6-q8w2x";
    let auth = "api error AuthFailure: AWS was not able to validate the provided access credentials";
    write(
        dir.path(),
        "kube-system/pods.json",
        &serde_json::json!({"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": [{
            "metadata": {"name": pod, "namespace": "kube-system",
                         "ownerReferences": [{"kind": "ReplicaSet", "name": "ebs-csi-controller-5c7d8f9b6"}]},
            "spec": {"serviceAccountName": "ebs-csi-controller-sa", "containers": [{"name": "ebs-plugin", "image": "ebs:1"}]}
        }]})
        .to_string(),
    );
    write(
        dir.path(),
        "kube-system/events.json",
        &serde_json::json!({"kind": "EventList", "apiVersion": "v1", "metadata": {}, "items": [{
            "metadata": {"name": "data-postgres-0.181f2a", "namespace": "kube-system"},
            "involvedObject": {"kind": "PersistentVolumeClaim", "namespace": "kube-system", "name": "data-postgres-0"},
            "reason": "ProvisioningFailed", "type": "Warning", "count": 14,
            "message": format!("failed to provision volume with StorageClass \"gp3\": could not create volume in EC2: {auth}"),
            "lastTimestamp": "2026-11-21T09:28:40Z"
        }]})
        .to_string(),
    );
    write(
        dir.path(),
        &format!("kube-system/{pod}/logs.txt"),
        &format!(
            "==== START logs for container ebs-plugin of pod kube-system/{pod} ====\n\
             E1121 09:25:40.551122       1 driver.go:155] \"GRPC error\" err=\"rpc error: code = Internal desc = Could not create volume: operation error EC2: CreateVolume, https response error StatusCode: 401, {auth}\"\n\
             ==== END logs for container ebs-plugin of pod kube-system/{pod} ====\n"
        ),
    );
    let (_, dir_form) = analyze(dir.path());
    // The same dump written to stdout and redirected to one file gives the same diagnosis.
    let stdout = tempfile::tempdir().unwrap();
    let file = stdout.path().join("cluster-info-dump.txt");
    std::fs::write(&file, stdout_form(dir.path())).unwrap();
    let (_, r) = analyze(stdout.path());
    let rules = |r: &Value| {
        let mut v: Vec<String> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| format!("{} {}", f["rule"], f["severity"]))
            .collect();
        v.sort();
        v
    };
    assert_eq!(rules(&r), rules(&dir_form), "{r:#}");
    assert_eq!(r["verdict"], dir_form["verdict"]);
    // The stdout file given as the bundle itself (newuser round 7, #4: it was "a text file",
    // exit 2).
    let (code, bare) = analyze(&file);
    assert_ne!(code, 2, "{bare:#}");
    assert_eq!(rules(&bare), rules(&dir_form), "{bare:#}");
    let roots: Vec<&Value> = of_rule(&r, "cloud-credentials-invalid");
    assert_eq!(roots.len(), 1, "{r:#}");
    let m = roots[0]["message"].as_str().unwrap();
    assert!(m.contains("deployment/ebs-csi-controller in kube-system"), "{m}");
    assert!(!m.contains("Traefik") && !m.contains("DNS"), "{m}");
    let plan = serde_json::to_string(&r["plan"]).unwrap();
    assert!(
        plan.contains("rollout restart deployment/ebs-csi-controller"),
        "{plan}"
    );
    assert!(
        plan.contains("service account kube-system/ebs-csi-controller-sa"),
        "{plan}"
    );
    assert!(!plan.contains("restart events"), "{plan}");
    // Without --now: the klog lines have no year; the Events' times date the dump.
    let b = &analyze_unpinned(stdout.path());
    assert_eq!(b["captured_at"], "2026-11-21T09:28:40Z", "{b}");
    assert_eq!(b["captured_at_source"], "newest-log", "{b}");
    assert!(
        b["captured_at_evidence"]
            .as_str()
            .unwrap()
            .contains("kube-system/events.json"),
        "{b}"
    );
    // The Event's symptom is explained by the controller's root cause.
    let id = roots[0]["id"].as_str().unwrap();
    for f in r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "log-cloud-auth-failed")
    {
        assert_eq!(f["explained_by"], serde_json::json!([id]), "{f:#}");
    }
}

/// The `--output-directory` tree at `dir` as `kubectl cluster-info dump` prints it to stdout:
/// the node list, then each namespace's lists (indented JSON, `{` and `}` on lines of their
/// own), then every pod's logs.
fn stdout_form(dir: &Path) -> String {
    let pretty = |p: &Path| {
        let v: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        serde_json::to_string_pretty(&v).unwrap() + "\n"
    };
    let mut out = pretty(&dir.join("nodes.json"));
    let mut logs = String::new();
    let mut namespaces: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    namespaces.sort();
    for ns in namespaces {
        let mut entries: Vec<_> = std::fs::read_dir(&ns)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for e in entries {
            if e.is_dir() {
                logs.push_str(&std::fs::read_to_string(e.join("logs.txt")).unwrap());
            } else {
                out.push_str(&pretty(&e));
            }
        }
    }
    out + &logs
}

/// One node's archive as Rancher's `rancher2_logs_collector.sh` writes it on RKE2 (rancherlabs/
/// support-tools): its folders at the archive's top, entries named `./…` (`tar --directory
/// $TMPDIR .`). `kubelet` is appended to the data-dir's kubelet log.
fn rancher_archive(path: &Path, host: &str, kubelet: &str) {
    rancher_archive_with(path, host, kubelet, "Nov 14 22:13:20 2027 GMT");
}

/// [`rancher_archive`] with the apiserver serving certificate's dumped `Not After`.
/// A host named `…agent…` is an agent: its journal is `journald/rke2-agent` and its dumped
/// certificate sits in `rke2/certs/agent/`.
fn rancher_archive_with(path: &Path, host: &str, kubelet: &str, not_after: &str) {
    let role = if host.contains("agent") { "agent" } else { "server" };
    let files: Vec<(String, String)> = vec![
        ("systeminfo/hostname".into(), format!("{host}\n")),
        ("systeminfo/date".into(), "Sat Nov 21 09:30:00 UTC 2026\n".into()),
        ("systeminfo/osrelease".into(), "NAME=\"SLES\"\nVERSION_ID=\"15.5\"\n".into()),
        (
            format!("journald/rke2-{role}"),
            format!("Nov 21 09:00:00 {host} rke2[1201]: time=\"2026-11-21T09:00:00Z\" level=info msg=\"Starting rke2 v1.30.4+rke2r1\"\n"),
        ),
        ("rke2/version".into(), "rke2 version v1.30.4+rke2r1\n".into()),
        ("rke2/config.yaml".into(), "write-kubeconfig-mode: \"0644\"\ncni: canal\n".into()),
        ("rke2/crictl/psa".into(), "CONTAINER           IMAGE               CREATED             STATE\n".into()),
        (
            "rke2/podlogs/kube-system-kube-proxy-x7k2p".into(),
            "I1121 09:00:05.000000       1 server_linux.go:66] \"Using iptables proxy\"\n".into(),
        ),
        (
            "rke2/agent-logs/kubelet.log".into(),
            format!("I1121 09:00:02.000000    1301 server.go:484] \"Kubelet version\" kubeletVersion=\"v1.30.4+rke2r1\"\n{kubelet}"),
        ),
        (
            format!("rke2/certs/{role}/serving-kube-apiserver.crt"),
            format!("Certificate:\n    Data:\n        Version: 3 (0x2)\n        Serial Number: 4321 (0x10e1)\n        Signature Algorithm: ecdsa-with-SHA256\n        Issuer: CN = rke2-server-ca@1700000000\n        Validity\n            Not Before: Nov 14 22:13:20 2025 GMT\n            Not After : {not_after}\n        Subject: CN = kube-apiserver\n        X509v3 extensions:\n            X509v3 Subject Alternative Name: \n                DNS:kubernetes, IP Address:10.43.0.1\n"),
        ),
        (
            "networking/cni/10-canal.conflist".into(),
            r#"{"name":"k8s-pod-network","cniVersion":"0.3.1","plugins":[{"type":"calico"},{"type":"portmap","capabilities":{"portMappings":true}}]}"#.into(),
        ),
    ];
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::fast(),
    ));
    for (name, text) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(text.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(1_795_253_400);
        h.set_cksum();
        b.append_data(&mut h, format!("./{name}"), text.as_bytes())
            .unwrap();
    }
    b.into_inner().unwrap().finish().unwrap();
}

#[test]
fn rancher_collector_archives_are_nodes_named_by_their_hostname() {
    let dir = tempfile::tempdir().unwrap();
    rancher_archive(
        &dir.path().join("rke2-cp-1-2026-11-21_09_30_00.tar.gz"),
        "rke2-cp-1",
        "",
    );
    rancher_archive(
        &dir.path().join("rke2-agent-1-2026-11-21_09_30_05.tar.gz"),
        "rke2-agent-1",
        "E1121 09:20:58.000000    1301 reflector.go:138] k8s.io/client-go/informers/factory.go:150: Failed to watch *v1.Node: Get \"https://127.0.0.1:6443/api/v1/nodes\": x509: certificate has expired or is not yet valid: current time 2026-11-21T09:20:58Z is after 2026-11-18T00:00:00Z\n",
    );
    // One archive alone: a node at the archive's top, healthy.
    let (code, one) = analyze(&dir.path().join("rke2-cp-1-2026-11-21_09_30_00.tar.gz"));
    assert_eq!(node_names(&one), ["rke2-cp-1"], "{one}");
    assert_eq!(one["nodes"][0]["layout"], "rke2", "{one}");
    assert_healthy(code, &one);
    // Both archives in one folder: two nodes, the fault on the agent.
    let (code, both) = analyze(dir.path());
    let mut got = node_names(&both);
    got.sort();
    assert_eq!(got, ["rke2-agent-1", "rke2-cp-1"], "{both}");
    assert_eq!(on(&both, "log-cert-expired"), ["rke2-agent-1"], "{both}");
    // Each node's role, with the path that proves it.
    for n in both["nodes"].as_array().unwrap() {
        let (role, evidence) = if n["name"] == "rke2-cp-1" {
            ("server", "journald/rke2-server")
        } else {
            ("agent", "journald/rke2-agent")
        };
        assert_eq!(n["role"], role, "{n}");
        assert_eq!(n["role_evidence"], evidence, "{n}");
    }
    assert!(on(&both, "input-problem").is_empty(), "{both}");
    assert_eq!(code, 1);
}

/// `oc adm must-gather` (openshift/must-gather and `oc adm inspect`): under
/// `must-gather.local.<n>/<image>/`, per namespace the resource lists (`core/pods.yaml`, …),
/// each pod's `<pod>.yaml` and its containers' logs at
/// `pods/<pod>/<container>/<container>/logs/{current,previous}.log`, and the masters' journals
/// in `host_service_logs/masters/`. `apiserver_log` goes into the kube-apiserver's current log.
fn must_gather(root: &Path, apiserver_log: &str) {
    let top =
        "must-gather.local.5207134436466582318/quay-io-openshift-release-dev-ocp-v4-0-art-dev-sha256-0a1b";
    let w = |rel: &str, text: &str| write(root, &format!("{top}/{rel}"), text);
    w(
        "version",
        "openshift-must-gather 4.16.0-202410011135.p0.g1ecb5f2.assembly.stream.el9-1ecb5f2\n",
    );
    w(
        "timestamp",
        "2026-11-21 09:25:00.123456789 +0000 UTC m=+0.016390626\n2026-11-21 09:29:58.223456789 +0000 UTC m=+298.116390626\n",
    );
    w(
        "event-filter.html",
        "<!DOCTYPE html><html><body>events</body></html>\n",
    );
    w(
        "cluster-scoped-resources/core/nodes/master-0.yaml",
        "apiVersion: v1\nkind: Node\nmetadata:\n  name: master-0\nstatus:\n  conditions:\n  - type: Ready\n    status: \"True\"\n    lastTransitionTime: \"2026-11-20T08:00:00Z\"\n",
    );
    w(
        "namespaces/openshift-kube-apiserver/core/pods.yaml",
        "apiVersion: v1\nkind: PodList\nitems: []\n",
    );
    w(
        "namespaces/openshift-kube-apiserver/core/events.yaml",
        "apiVersion: v1\nkind: EventList\nitems: []\n",
    );
    let pod = "namespaces/openshift-kube-apiserver/pods/kube-apiserver-master-0";
    w(
        &format!("{pod}/kube-apiserver-master-0.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver-master-0\n  namespace: openshift-kube-apiserver\nspec:\n  nodeName: master-0\n  containers:\n  - name: kube-apiserver\n    image: quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:0a1b\nstatus:\n  phase: Running\n",
    );
    w(
        &format!("{pod}/kube-apiserver/kube-apiserver/logs/current.log"),
        &format!(
            "2026-11-21T09:00:00.000000000Z I1121 09:00:00.000000      18 server.go:553] external host was not specified, using 10.0.0.10\n{apiserver_log}"
        ),
    );
    w(
        &format!("{pod}/kube-apiserver/kube-apiserver/logs/previous.log"),
        "",
    );
    w(
        "host_service_logs/masters/kubelet_service.log",
        "Nov 21 09:00:02 master-0 kubenswrapper[2301]: I1121 09:00:02.000000    2301 server.go:484] \"Kubelet version\" kubeletVersion=\"v1.29.8+f10c92d\"\n",
    );
    w(
        "host_service_logs/masters/crio_service.log",
        "Nov 21 09:00:00 master-0 crio[2101]: time=\"2026-11-21 09:00:00.000000000Z\" level=info msg=\"Starting CRI-O, version: 1.29.8\"\n",
    );
}

#[test]
fn must_gather_pod_logs_are_read_and_nothing_is_an_input_problem() {
    let healthy = tempfile::tempdir().unwrap();
    must_gather(healthy.path(), "");
    let (code, r) = analyze(healthy.path());
    assert_healthy(code, &r);
    assert_not_collected(&r, "must-gather");
    // Without --now: judged when gathering ended (the last line of `timestamp`), and the
    // report says so.
    let b = &analyze_unpinned(healthy.path());
    assert_eq!(b["captured_at"], "2026-11-21T09:29:58Z", "{b}");
    assert!(
        b["captured_at_evidence"].as_str().unwrap().contains("/timestamp"),
        "{b}"
    );
    let broken = tempfile::tempdir().unwrap();
    must_gather(
        broken.path(),
        "2026-11-21T09:28:00.000000000Z W1121 09:28:00.000000      18 logging.go:59] [core] [Channel #5 SubChannel #6] grpc: addrConn.createTransport failed to connect to {Addr: \"10.0.0.10:2379\", ServerName: \"10.0.0.10\", }. Err: connection error: desc = \"transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2026-11-21T09:28:00Z is after 2026-11-18T00:00:00Z\"\n",
    );
    let (code, r) = analyze(broken.path());
    // The apiserver pod's dump says it runs on master-0: its log is master-0's.
    assert_eq!(on(&r, "log-cert-expired"), ["master-0"], "{r}");
    assert_eq!(code, 1);
    // A tenant's pod of the same name runs elsewhere: pods are told apart by namespace too
    // (hostile round 7).
    write(
        broken.path(),
        "must-gather.local.5207134436466582318/quay-io-openshift-release-dev-ocp-v4-0-art-dev-sha256-0a1b/namespaces/tenant/pods/kube-apiserver-master-0/kube-apiserver-master-0.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver-master-0\n  namespace: tenant\nspec:\n  nodeName: worker-9\n  containers:\n  - name: x\n",
    );
    let (_, r) = analyze(broken.path());
    assert_eq!(on(&r, "log-cert-expired"), ["master-0"], "{r}");
}

/// A file named `timestamp` outside a must-gather root dates nothing; a collector's recorded
/// time that the logs run past by hours is not used, and the report says why (hostile
/// round 3, M1: a stray `var/lib/kubelet/timestamp` back-dated the capture and hid an
/// expired certificate).
#[test]
fn a_stray_or_contradicted_collection_time_does_not_back_date_the_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("two-nodes");
    fixture_copy::copy_tree(&Path::new(BUNDLES).join("two-nodes"), &root);
    let judged = analyze_unpinned;
    let before = judged(&root);
    let stray = "2026-05-01 09:58:00.1 +0000 UTC m=+0.1\n";
    std::fs::write(root.join("worker-1/var/lib/kubelet/timestamp"), stray).unwrap();
    let after = judged(&root);
    assert_eq!(after["captured_at"], before["captured_at"], "{after}");
    assert_eq!(after["verdict"], before["verdict"]);
    // At a must-gather-shaped root the file is read, but the logs run past it: not used.
    std::fs::write(root.join("timestamp"), stray).unwrap();
    std::fs::create_dir_all(root.join("quay-io-image/namespaces/kube-system/core")).unwrap();
    std::fs::write(
        root.join("quay-io-image/namespaces/kube-system/core/pods.yaml"),
        "apiVersion: v1\nkind: List\nitems: []\n",
    )
    .unwrap();
    let forged = judged(&root);
    assert_eq!(forged["captured_at"], before["captured_at"], "{forged}");
    let said = forged["captured_at_evidence"].as_str().unwrap();
    assert!(said.contains("not used"), "{said}");
    assert!(
        forged["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "input-problem"
                && f["message"]
                    .as_str()
                    .unwrap()
                    .contains("before the newest log line")),
        "{forged}"
    );
}

/// Rancher's collector dumps certificates as `openssl x509 -text`: an expired one is found
/// from the dump's dates, on its node, said to be unverifiable, and renewed the RKE2 way.
#[test]
fn an_expired_certificate_in_a_rancher_text_dump_is_found_and_rotated_by_rke2() {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("rke2-cp-1-2026-11-21_09_30_00.tar.gz");
    rancher_archive_with(&archive, "rke2-cp-1", "", "Nov 14 22:13:20 2026 GMT");
    let (code, r) = analyze(&archive);
    let expired: Vec<&Value> = of_rule(&r, "cert-expired");
    assert_eq!(expired.len(), 1, "{r}");
    let f = expired[0];
    assert_eq!(f["node"], "rke2-cp-1");
    let m = f["message"].as_str().unwrap();
    assert!(
        m.starts_with("kube-apiserver expired 6 days before capture (notAfter 2026-11-14T22:13:20Z)"),
        "{m}"
    );
    assert!(m.contains("signature cannot be verified"), "{m}");
    let plan = r["plan"].as_array().unwrap();
    let commands: String = plan
        .iter()
        .flat_map(|s| s["commands"].as_array().unwrap())
        .map(|c| c.as_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(commands.contains("rke2 certificate rotate"), "{commands}");
    assert!(!commands.contains("openssl x509 -req"), "{commands}");
    // The collector's `journald/rke2-server` and `rke2/certs/server/` prove a server: its
    // unit and its TLS folder, never the agent's (new-user round 2, #1).
    assert_eq!(r["nodes"][0]["role"], "server", "{r}");
    assert!(commands.contains("systemctl stop rke2-server"), "{commands}");
    assert!(!commands.contains("rke2-agent"), "{commands}");
    let all = serde_json::to_string(plan).unwrap();
    assert!(all.contains("/var/lib/rancher/rke2/server/tls"), "{all}");
    assert!(!all.contains("/var/lib/rancher/rke2/agent"), "{all}");
    assert_eq!(code, 1);
}

/// Two RKE2 servers and an agent, each with an expired certificate: the plan goes servers
/// first, each with its own unit.
#[test]
fn rancher_servers_are_planned_before_agents_with_their_own_units() {
    let dir = tempfile::tempdir().unwrap();
    for (i, host) in ["rke2-agent-1", "rke2-cp-2", "rke2-cp-1"].iter().enumerate() {
        rancher_archive_with(
            &dir.path().join(format!("{host}-2026-11-21_09_30_0{i}.tar.gz")),
            host,
            "",
            "Nov 14 22:13:20 2026 GMT",
        );
    }
    let (_, r) = analyze(dir.path());
    let step = r["plan"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "rke2-certificate-rotate")
        .unwrap_or_else(|| panic!("{r}"));
    // Each node's section: `# on <host> (i/3)`, then its unit.
    let mut order: Vec<(String, String)> = Vec::new();
    for c in step["commands"].as_array().unwrap() {
        let c = c.as_str().unwrap();
        if let Some(host) = c.strip_prefix("# on ") {
            order.push((host.split(' ').next().unwrap().to_string(), String::new()));
        } else if let (Some(unit), Some(last)) = (c.strip_prefix("systemctl stop "), order.last_mut()) {
            last.1 = unit.to_string();
        }
    }
    let want: Vec<(String, String)> = [("rke2-cp-1", "rke2-server"), ("rke2-cp-2", "rke2-server")]
        .iter()
        .map(|(h, u)| (h.to_string(), u.to_string()))
        .collect();
    assert_eq!(order, want, "{step:#}");
    // The agent renews its certificates by restarting, after the servers, and backs up its
    // kubelet's files, never the whole agent folder (its containerd store: hostile round 4, R2).
    let plan = r["plan"].as_array().unwrap();
    let at = |id: &str| {
        plan.iter()
            .position(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("no {id}: {r}"))
    };
    assert!(at("rke2-certificate-rotate") < at("rke2-agent-restart"));
    let agent: Vec<&str> = plan[at("rke2-agent-restart")]["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        agent
            .iter()
            .any(|c| c.starts_with("systemctl restart rke2-agent")),
        "{agent:#?}"
    );
    assert!(
        !agent
            .iter()
            .any(|c| c.contains("certificate rotate") || c.contains("rke2.yaml")),
        "{agent:#?}"
    );
    assert!(
        !agent
            .iter()
            .any(|c| c.contains("cp -a --parents /var/lib/rancher/rke2/agent ")),
        "{agent:#?}"
    );
}

/// A text dump followed by a PEM block that holds no certificate (corrupt, cut, a key): the
/// dump's dates are still read, and the block is an input problem (hostile round 4, case 09).
#[test]
fn a_text_dump_before_a_broken_pem_block_still_counts() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("rke2-cp-1");
    write(&root, "systeminfo/hostname", "rke2-cp-1\n");
    write(
        &root,
        "journald/rke2-server",
        "Nov 21 09:00:00 rke2-cp-1 rke2[1201]: time=\"2026-11-21T09:00:00Z\" level=info msg=\"Starting rke2 v1.30.4+rke2r1\"\n",
    );
    write(
        &root,
        "rke2/certs/server/serving-kube-apiserver.crt",
        "Certificate:\n    Data:\n        Version: 3 (0x2)\n        Issuer: CN = rke2-server-ca@1700000000\n        Validity\n            Not Before: Nov 14 22:13:20 2025 GMT\n            Not After : Nov 14 22:13:20 2026 GMT\n        Subject: CN = kube-apiserver\n-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ29ycnVwdA==\n-----END CERTIFICATE-----\n",
    );
    let (_, r) = analyze(dir.path());
    assert_eq!(on(&r, "cert-expired"), ["rke2-cp-1"], "{r:#}");
    assert!(!on(&r, "input-problem").is_empty(), "{r:#}");
}

/// With no certificate in the bundle, lines that are all clients failing to verify the
/// apiserver (`…:6443`: x509 expired) implicate its serving certificate alone: the plan renews
/// `apiserver` and restarts only the apiserver, not `renew all` and every static pod
/// (newuser round 9, case 1, LOW).
#[test]
fn kind_export_logs_implicating_only_the_apiserver_renew_only_its_certificate() {
    let dir = tempfile::tempdir().unwrap();
    kind_export(
        dir.path(),
        "Nov 21 09:20:58 kind-worker kubelet[211]: E1121 09:20:58.000000     211 reflector.go:138] Failed to watch *v1.Node: Get \"https://kind-control-plane:6443/api/v1/nodes\": tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2026-11-21T09:20:58Z is after 2026-11-18T00:00:00Z\n",
    );
    let (_, r) = analyze(dir.path());
    let root = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "cert-expired-in-logs")
        .unwrap_or_else(|| panic!("no cert-expired-in-logs in {r:#}"));
    assert!(
        root["message"]
            .as_str()
            .unwrap()
            .contains("renew the kube-apiserver serving certificate"),
        "{root:#}"
    );
    let plan = r["plan"].as_array().unwrap();
    let renew = plan
        .iter()
        .find(|s| s["id"] == "kubeadm-certs-renew")
        .unwrap_or_else(|| panic!("no renewal in {plan:#?}"));
    let cmds = renew["commands"].to_string();
    assert!(cmds.contains("kubeadm certs renew apiserver"), "{cmds}");
    assert!(!cmds.contains("renew all"), "{cmds}");
    assert!(!cmds.contains("etcd.yaml"), "{cmds}");
}

/// kind copies no certificates, yet every log names the notAfter the components reject: that
/// date is the root cause, on the node running the apiserver, and the plan renews it with
/// kubeadm there; the worker's rejections are its symptoms (newuser3 B3.1). The same export
/// packed as a tar.gz gives the same answer. A line that went quiet long before the logs end
/// (renewed since) proves nothing.
#[test]
fn kind_export_logs_expired_certificates_are_a_root_cause_with_a_plan() {
    let line = |t: &str| {
        format!(
            "Nov 21 {t} kind-worker kubelet[211]: E1121 {t}.000000     211 reflector.go:138] Failed to watch *v1.Node: Get \"https://kind-control-plane:6443/api/v1/nodes\": x509: certificate has expired or is not yet valid: current time 2026-11-21T{t}Z is after 2026-11-18T00:00:00Z\n"
        )
    };
    let apiserver =
        "kind-control-plane/pods/kube-system_kube-apiserver-kind-control-plane_1a2b/kube-apiserver/0.log";
    let dir = tempfile::tempdir().unwrap();
    kind_export(dir.path(), &line("09:20:58"));
    write(
        dir.path(),
        apiserver,
        "2026-11-21T09:21:00.000000000Z stderr F E1121 09:21:00.000000       1 authentication.go:73] \"Unable to authenticate the request\" err=\"[x509: certificate has expired or is not yet valid: current time 2026-11-21T09:21:00Z is after 2026-11-18T00:00:00Z]\"\n",
    );
    let check = |r: &Value| {
        assert_eq!(on(r, "cert-expired-in-logs"), ["kind-control-plane"], "{r}");
        let findings = r["findings"].as_array().unwrap();
        let root = findings
            .iter()
            .find(|f| f["rule"] == "cert-expired-in-logs")
            .unwrap();
        assert!(
            root["message"].as_str().unwrap().contains("2026-11-18T00:00:00Z"),
            "{root:#}"
        );
        for f in findings.iter().filter(|f| f["rule"] == "log-cert-expired") {
            assert!(
                f["explained_by"].as_array().unwrap().contains(&root["id"]),
                "a rejection on {} is not linked to the root cause: {f:#}",
                f["node"]
            );
        }
        let plan = r["plan"].as_array().unwrap();
        let renew = plan
            .iter()
            .find(|s| s["id"] == "kubeadm-certs-renew")
            .unwrap_or_else(|| panic!("no renewal in {plan:#?}"));
        assert!(
            renew["commands"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == "kubeadm certs renew all"),
            "{renew:#}"
        );
        assert!(!renew["targets"].to_string().contains("\\u0000"), "{renew:#}");
        // kind nodes are containers: the plan says to run its lines inside one.
        assert!(
            renew["commands"].as_array().unwrap().iter().any(|c| c
                .as_str()
                .unwrap()
                .starts_with("# kind: kind-control-plane is a container on the host")),
            "{renew:#}"
        );
    };
    let (code, r) = analyze(dir.path());
    assert_eq!(code, 1);
    check(&r);
    let tgz = dir.path().join("kind-logs.tar.gz");
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
        std::fs::File::create(&tgz).unwrap(),
        flate2::Compression::fast(),
    ));
    for node in ["kind-control-plane", "kind-worker"] {
        b.append_dir_all(format!("kind-logs/{node}"), dir.path().join(node))
            .unwrap();
    }
    b.into_inner().unwrap().finish().unwrap();
    check(&analyze(&tgz).1);

    // A tenant pod's log proves nothing about the cluster's certificates (hostile round 6).
    let tenant = tempfile::tempdir().unwrap();
    kind_export(tenant.path(), "");
    write(
        tenant.path(),
        "kind-worker/pods/shop_payments-7d9f_1a2b/payments/0.log",
        "2026-11-21T09:21:00.000000000Z stderr F E1121 09:21:00.000000       1 client.go:1] x509: certificate has expired or is not yet valid: current time 2026-11-21T09:21:00Z is after 2026-11-18T00:00:00Z\n",
    );
    let (_, r) = analyze(tenant.path());
    assert!(on(&r, "cert-expired-in-logs").is_empty(), "{r}");

    // Renewed since: the rejections stopped 20 minutes before the logs end.
    let past = tempfile::tempdir().unwrap();
    kind_export(
        past.path(),
        &format!(
            "{}Nov 21 09:25:00 kind-worker kubelet[211]: I1121 09:25:00.000000     211 server.go:484] \"Kubelet version\" kubeletVersion=\"v1.31.0\"\n",
            line("09:05:00")
        ),
    );
    let (_, r) = analyze(past.path());
    assert!(on(&r, "cert-expired-in-logs").is_empty(), "{r}");
}

/// kind, only the apiserver's client authentication names the expired date while one
/// worker's kubelet is refused: that worker's kubelet client certificate expired. The root
/// cause is on the worker and the plan renews its kubelet credential there, not the control
/// plane's certificates (newuser round 6, #2).
#[test]
fn kind_export_logs_a_refused_kubelet_gets_its_client_certificate_renewed() {
    let refused = |t: &str| {
        format!(
            "Nov 21 {t} kind-worker kubelet[211]: E1121 {t}.000000     211 kubelet_node_status.go:535] \"Error updating node status, will retry\" err=\"error getting node \\\"kind-worker\\\": Unauthorized\"\n"
        )
    };
    let dir = tempfile::tempdir().unwrap();
    // The worker's kubelet names its own certificate's date; a CI client's expired
    // certificate of another date is refused too (newuser round 7, #3).
    kind_export(
        dir.path(),
        &format!(
            "{}{}Nov 21 09:21:20 kind-worker kubelet[211]: E1121 09:21:20.000000     211 bootstrap.go:266] part of the existing bootstrap client certificate in /etc/kubernetes/kubelet.conf is expired: 2026-11-18 00:00:00 +0000 UTC\n",
            refused("09:20:10"),
            refused("09:21:10")
        ),
    );
    let refuse = |date: &str| {
        format!(
            "2026-11-21T09:21:00.000000000Z stderr F E1121 09:21:00.000000       1 authentication.go:73] \"Unable to authenticate the request\" err=\"[x509: certificate has expired or is not yet valid: current time 2026-11-21T09:21:00Z is after {date}, verifying certificate SN=2273958010, SKID=, AKID=4E:11 failed: x509: certificate has expired or is not yet valid: current time 2026-11-21T09:21:00Z is after {date}]\"\n"
        )
    };
    write(
        dir.path(),
        "kind-control-plane/pods/kube-system_kube-apiserver-kind-control-plane_1a2b/kube-apiserver/0.log",
        &format!(
            "{}{}",
            refuse("2026-11-18T00:00:00Z"),
            refuse("2026-11-20T06:00:00Z")
        ),
    );
    let (code, r) = analyze(dir.path());
    assert_eq!(code, 1);
    assert_eq!(on(&r, "kubelet-cert-expired-in-logs"), ["kind-worker"], "{r:#}");
    let root = first(&r, "kubelet-cert-expired-in-logs");
    assert_eq!(
        root["evidence"]["not_after"],
        serde_json::json!(["2026-11-18T00:00:00Z"]),
        "{root:#}"
    );
    assert!(on(&r, "cert-expired-in-logs").is_empty(), "{r:#}");
    let ids: Vec<&str> = r["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["renew-kubelet-client-cert"], "{r:#}");
    assert!(
        r["plan"][0].to_string().contains("system:node:kind-worker"),
        "{}",
        r["plan"][0]
    );

    // The apiserver refusing some client's expired certificate, with no kubelet refused: a CI
    // tool's or a forged line's, no reason to renew anything (hostile round 8, #5).
    let unknown = tempfile::tempdir().unwrap();
    kind_export(unknown.path(), "");
    write(
        unknown.path(),
        "kind-control-plane/pods/kube-system_kube-apiserver-kind-control-plane_1a2b/kube-apiserver/0.log",
        &refuse("2026-11-18T00:00:00Z"),
    );
    let (_, r) = analyze(unknown.path());
    assert!(on(&r, "cert-expired-in-logs").is_empty(), "{r:#}");
    assert!(on(&r, "kubelet-cert-expired-in-logs").is_empty(), "{r:#}");
    assert!(r["plan"].as_array().unwrap().is_empty(), "{r:#}");
}

/// must-gather after a long power-off (newuser3 B5.1, B5.2): the kubelets' client
/// certificates expired and their new CSRs wait. The plan approves them (never kubeadm, which
/// OpenShift does not use), and a worker is NotReady because the apiserver refuses its
/// credentials, not the other way round.
#[test]
fn must_gather_expired_kubelet_certificates_are_fixed_by_approving_their_csrs() {
    let dir = tempfile::tempdir().unwrap();
    must_gather(
        dir.path(),
        "2026-11-21T09:28:00.000000000Z E1121 09:28:00.000000      18 authentication.go:73] \"Unable to authenticate the request\" err=\"[x509: certificate has expired or is not yet valid: current time 2026-11-21T09:28:00Z is after 2026-11-03T03:14:22Z, verifying certificate SN=4242, SKID=, AKID=0A:1B failed: x509: certificate has expired or is not yet valid: current time 2026-11-21T09:28:00Z is after 2026-11-03T03:14:22Z]\"\n",
    );
    let top =
        "must-gather.local.5207134436466582318/quay-io-openshift-release-dev-ocp-v4-0-art-dev-sha256-0a1b";
    for name in ["csr-8xk2p", "csr-h5t6c"] {
        write(
            dir.path(),
            &format!(
                "{top}/cluster-scoped-resources/certificates.k8s.io/certificatesigningrequests/{name}.yaml"
            ),
            &format!(
                "apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata:\n  name: {name}\n  creationTimestamp: \"2026-11-21T09:10:40Z\"\nspec:\n  signerName: kubernetes.io/kube-apiserver-client-kubelet\n  username: system:serviceaccount:openshift-machine-config-operator:node-bootstrapper\n  usages:\n  - client auth\nstatus: {{}}\n"
            ),
        );
    }
    write(
        dir.path(),
        &format!(
            "{top}/cluster-scoped-resources/certificates.k8s.io/certificatesigningrequests/csr-old01.yaml"
        ),
        "apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata:\n  name: csr-old01\nspec:\n  signerName: kubernetes.io/kube-apiserver-client-kubelet\nstatus:\n  conditions:\n  - type: Approved\n",
    );
    write(
        dir.path(),
        &format!("{top}/cluster-scoped-resources/core/nodes/worker-0.yaml"),
        "apiVersion: v1\nkind: Node\nmetadata:\n  name: worker-0\nstatus:\n  conditions:\n  - type: Ready\n    status: Unknown\n    lastTransitionTime: \"2026-11-21T09:05:00Z\"\n",
    );
    write(
        dir.path(),
        &format!("{top}/host_service_logs/workers/kubelet_service.log"),
        &format!(
            "{}{}Nov 21 09:28:10 worker-0 kubenswrapper[2301]: E1121 09:28:10.000000    2301 kubelet_node_status.go:535] \"Error updating node status, will retry\" err=\"error getting node \\\"worker-0\\\": Unauthorized\"\n{}",
            // worker-1 at boot: the apiserver not up yet, then a serving certificate of
            // another date, renewed since, then an hour of normal lines.
            "Nov 21 08:10:02 worker-1 kubenswrapper[2310]: E1121 08:10:02.000000    2310 kubelet_node_status.go:96] \"Unable to register node with API server\" err=\"Post \\\"https://api-int.ocp.example.com:6443/api/v1/nodes\\\": dial tcp 10.0.0.5:6443: connect: connection refused\" node=\"worker-1\"\n",
            "Nov 21 08:12:33 worker-1 kubenswrapper[2310]: E1121 08:12:33.000000    2310 reflector.go:150] Failed to watch *v1.Node: Get \"https://api-int.ocp.example.com:6443/api/v1/nodes\": tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2026-11-21T08:12:33Z is after 2026-11-21T08:00:00Z\n",
            (14..30)
                .map(|m| format!("Nov 21 09:{m:02}:00 worker-1 kubenswrapper[2310]: I1121 09:{m:02}:00.000000    2310 kubelet_getters.go:187] \"Pod status updated\" pod=\"openshift-dns/node-resolver-w1\" status=\"Running\"\n"))
                .collect::<String>()
        ),
    );
    write(
        dir.path(),
        &format!("{top}/cluster-scoped-resources/core/nodes/worker-1.yaml"),
        "apiVersion: v1\nkind: Node\nmetadata:\n  name: worker-1\nstatus:\n  conditions:\n  - type: Ready\n    status: \"True\"\n    lastTransitionTime: \"2026-11-21T08:20:00Z\"\n",
    );
    let (code, r) = analyze(dir.path());
    // A root cause proven by its dates explains only lines naming them: worker-1's refused
    // TCP connection and its episode of another date stay its own past (newuser round 6, #3).
    for f in r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["node"] == "worker-1")
    {
        assert_eq!(f["severity"], "info", "{f:#}");
    }
    assert_eq!(code, 1, "{r}");
    let findings = r["findings"].as_array().unwrap();
    // Only the apiserver's client authentication names the date and worker-0's kubelet is
    // refused: worker-0's kubelet certificate expired, on worker-0 (newuser round 6, #3).
    let root = findings
        .iter()
        .find(|f| f["rule"] == "kubelet-cert-expired-in-logs")
        .unwrap_or_else(|| panic!("no root cause: {r:#}"));
    assert_eq!(root["node"], "worker-0", "{root:#}");
    assert_eq!(
        root["evidence"]["pending_csrs"],
        serde_json::json!(["csr-8xk2p", "csr-h5t6c"])
    );
    let ids: Vec<&str> = r["plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"approve-pending-kubelet-csrs"), "{ids:?}");
    // Only the kubelets' signers are approved: never a tenant's kube-apiserver-client request
    // (hostile round 6).
    let approve = r["plan"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "approve-pending-kubelet-csrs")
        .unwrap();
    let line = approve["commands"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c.as_str())
        .find(|c| c.contains("certificate approve"))
        .unwrap();
    assert!(
        line.contains(r#"eq .spec.signerName "kubernetes.io/kube-apiserver-client-kubelet""#),
        "{line}"
    );
    assert!(!ids.contains(&"kubeadm-certs-renew"), "{ids:?}");
    let rejected = findings
        .iter()
        .find(|f| f["rule"] == "log-node-credentials-rejected")
        .unwrap_or_else(|| panic!("{r:#}"));
    assert!(
        rejected["message"]
            .as_str()
            .unwrap()
            .contains("for node worker-0"),
        "{rejected:#}"
    );
    // `host_service_logs/workers/` holds every worker's journal: the line's host names the
    // node.
    assert_eq!(rejected["node"], "worker-0", "{rejected:#}");
    let not_ready = findings.iter().find(|f| f["rule"] == "node-not-ready").unwrap();
    assert!(
        not_ready["explained_by"]
            .as_array()
            .unwrap()
            .contains(&rejected["id"]),
        "{not_ready:#}"
    );
    assert!(
        rejected["explained_by"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| !i.as_str().unwrap().starts_with("node-not-ready"))
    );
}

/// `oc adm node-logs --role=master -u kubelet` interleaves every master's journal in one
/// file: each finding is on the host its lines name, and one master's healthy lines after
/// another's failure do not make that failure history.
#[test]
fn must_gather_journals_of_several_masters_are_split_by_host() {
    let dir = tempfile::tempdir().unwrap();
    must_gather(dir.path(), "");
    let top =
        "must-gather.local.5207134436466582318/quay-io-openshift-release-dev-ocp-v4-0-art-dev-sha256-0a1b";
    let mut journal = String::new();
    for minute in 0..30 {
        journal.push_str(&format!(
            "Nov 21 09:{minute:02}:02 master-0.ocp.example.com kubenswrapper[2301]: I1121 09:{minute:02}:02.000000    2301 kubelet.go:2440] \"SyncLoop (PLEG): event for pod\"\n"
        ));
        if minute < 2 {
            journal.push_str(&format!(
                "Nov 21 09:{minute:02}:05 master-1 kubenswrapper[2210]: E1121 09:{minute:02}:05.000000    2210 kubelet_node_status.go:535] \"Error updating node status, will retry\" err=\"error getting node \\\"master-1\\\": Unauthorized\"\n"
            ));
        }
    }
    write(
        dir.path(),
        &format!("{top}/host_service_logs/masters/kubelet_service.log"),
        &journal,
    );
    for name in ["master-0.ocp.example.com", "master-1"] {
        write(
            dir.path(),
            &format!("{top}/cluster-scoped-resources/core/nodes/{name}.yaml"),
            &format!(
                "apiVersion: v1\nkind: Node\nmetadata:\n  name: {name}\nstatus:\n  conditions:\n  - type: Ready\n    status: \"True\"\n    lastTransitionTime: \"2026-11-20T08:00:00Z\"\n"
            ),
        );
    }
    let (_, r) = analyze(dir.path());
    assert_eq!(on(&r, "log-node-credentials-rejected"), ["master-1"], "{r:#}");
    // master-1's own lines stop with the failure (09:01), so its end is not master-0's
    // 09:29: silent since its last line is not proven.
    let f = first(&r, "log-node-credentials-rejected");
    assert!(f["evidence"].get("quiet_since").is_none(), "{f:#}");
    // The journal's short host name is the dumped Node it starts.
    journal = journal.replace("master-1 kubenswrapper", "master-2 kubenswrapper");
    write(
        dir.path(),
        &format!("{top}/host_service_logs/masters/kubelet_service.log"),
        &journal,
    );
    write(
        dir.path(),
        &format!("{top}/cluster-scoped-resources/core/nodes/master-2.ocp.example.com.yaml"),
        "apiVersion: v1\nkind: Node\nmetadata:\n  name: master-2.ocp.example.com\n",
    );
    let (_, r) = analyze(dir.path());
    assert_eq!(
        on(&r, "log-node-credentials-rejected"),
        ["master-2.ocp.example.com"],
        "{r:#}"
    );
}

/// A must-gather holds no node's files, only its Node objects: those are listed as nodes
/// known from the API (marked, with the dump they came from), not "none found" (newuser
/// round 9, case 1c/1d).
#[test]
fn nodes_known_only_from_dumped_node_objects_are_listed_as_such() {
    let dir = tempfile::tempdir().unwrap();
    must_gather(dir.path(), "");
    let top =
        "must-gather.local.5207134436466582318/quay-io-openshift-release-dev-ocp-v4-0-art-dev-sha256-0a1b";
    for name in ["master-0", "master-1"] {
        write(
            dir.path(),
            &format!("{top}/cluster-scoped-resources/core/nodes/{name}.yaml"),
            &format!("apiVersion: v1\nkind: Node\nmetadata:\n  name: {name}\n"),
        );
    }
    let (_, r) = analyze(dir.path());
    let nodes = r["nodes"].as_array().unwrap();
    let names: Vec<&str> = nodes.iter().map(|n| n["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["master-0", "master-1"], "{nodes:#?}");
    for n in nodes {
        assert_eq!(n["root"], "", "{n:#}");
        assert!(
            n["known_from_api"].as_str().unwrap().ends_with(&format!(
                "cluster-scoped-resources/core/nodes/{}.yaml",
                n["name"].as_str().unwrap()
            )),
            "{n:#}"
        );
    }
    let md = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .args(["analyze", "-q", "-o", "markdown", "--now", "2026-11-21T09:30:00Z"])
        .arg(dir.path())
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.contains("- Nodes: master-0 (known from the API only), master-1 (known from the API only)"),
        "{md}"
    );
}

/// A journal naming more hosts than the scan splits one file by (256) says so: the hosts
/// past the cap are counted in an input problem, not dropped silently (hostile round 9,
/// LOW; round 7 #7).
#[test]
fn hosts_past_the_per_file_cap_are_reported_not_dropped_silently() {
    let dir = tempfile::tempdir().unwrap();
    must_gather(dir.path(), "");
    let top =
        "must-gather.local.5207134436466582318/quay-io-openshift-release-dev-ocp-v4-0-art-dev-sha256-0a1b";
    let mut journal = String::new();
    for host in 0..300 {
        journal.push_str(&format!(
            "Nov 21 09:01:05 n{host:03} kubenswrapper[2210]: E1121 09:01:05.000000    2210 kubelet_node_status.go:535] \"Error updating node status, will retry\" err=\"error getting node \\\"n{host:03}\\\": Unauthorized\"\n"
        ));
    }
    write(
        dir.path(),
        &format!("{top}/host_service_logs/masters/kubelet_service.log"),
        &journal,
    );
    let (_, r) = analyze(dir.path());
    let shown = on(&r, "log-node-credentials-rejected");
    assert!(
        shown.contains(&"n255".to_string()) && !shown.contains(&"n256".to_string()),
        "{shown:?}"
    );
    let problems = r["problems"].to_string();
    assert!(
        problems.contains("44 more journal host(s) past the first 256 in this file")
            && problems.contains("host_service_logs/masters/kubelet_service.log"),
        "{problems}"
    );
}

/// Every master's start-up noise in the shared journal is history when each master's own
/// lines go on for an hour after it and its Node is Ready, not only the master whose line
/// ends the file (newuser round 6, #1: each host's end was the end of its last matching
/// line).
#[test]
fn must_gather_start_up_noise_of_every_master_is_history() {
    let dir = tempfile::tempdir().unwrap();
    must_gather(dir.path(), "");
    let top =
        "must-gather.local.5207134436466582318/quay-io-openshift-release-dev-ocp-v4-0-art-dev-sha256-0a1b";
    let hosts = ["master-0", "master-1", "master-2"];
    let mut journal = String::new();
    for (i, h) in hosts.iter().enumerate() {
        journal.push_str(&format!(
            "Nov 21 08:10:0{i} {h} kubenswrapper[230{i}]: E1121 08:10:0{i}.000000    230{i} kubelet.go:2862] \"Container runtime network not ready\" networkReady=\"NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: no CNI configuration file in /etc/kubernetes/cni/net.d/. Has your network provider started?\"\n"
        ));
    }
    for minute in 11..60 {
        for (i, h) in hosts.iter().enumerate() {
            journal.push_str(&format!(
                "Nov 21 08:{minute:02}:1{i} {h} kubenswrapper[230{i}]: I1121 08:{minute:02}:1{i}.000000    230{i} kubelet_getters.go:187] \"Pod status updated\" pod=\"openshift-dns/node-resolver-{i}\" status=\"Running\"\n"
            ));
        }
    }
    write(
        dir.path(),
        &format!("{top}/host_service_logs/masters/kubelet_service.log"),
        &journal,
    );
    for h in hosts {
        write(
            dir.path(),
            &format!("{top}/cluster-scoped-resources/core/nodes/{h}.yaml"),
            &format!(
                "apiVersion: v1\nkind: Node\nmetadata:\n  name: {h}\nstatus:\n  conditions:\n  - type: Ready\n    status: \"True\"\n    lastTransitionTime: \"2026-11-21T08:12:00Z\"\n"
            ),
        );
    }
    let (code, r) = analyze(dir.path());
    let noise: Vec<&Value> = of_rule(&r, "log-cni-not-ready");
    assert_eq!(noise.len(), 3, "{r:#}");
    assert!(noise.iter().all(|f| f["severity"] == "info"), "{noise:#?}");
    assert_eq!(code, 0, "{r:#}");
}

/// No file a known collector or node writes is an unreadable input: every fixture bundle but
/// the two made broken on purpose (`malformed`, `truncated`) gives no `input-problem`
/// (issue 19). The collector layouts above assert the same for their own trees.
#[test]
fn no_fixture_file_is_an_unreadable_input() {
    let mut walked = 0;
    for entry in std::fs::read_dir("testdata/bundles").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".json") || name.starts_with("malformed") || name.starts_with("truncated") {
            continue;
        }
        let (_, r) = run_json("analyze", &path);
        assert!(on(&r, "input-problem").is_empty(), "{name}: {r}");
        walked += 1;
    }
    assert!(walked >= 10, "{walked} fixtures");
}

/// Hostile (MEDIUM): `openshift-*` is OpenShift's own only on OpenShift. On a kind cluster a
/// tenant's namespace `openshift-payments` is a tenant's like any other: its `apiserver`
/// pod's x509 expiry lines are no control-plane error and renew nothing. OpenShift's real
/// system namespace keeps speaking for the cluster.
#[test]
fn a_tenant_namespace_named_openshift_does_not_speak_for_the_cluster() {
    let line = "2026-11-21T09:21:00.000000000Z stderr F E1121 09:21:00.000000       1 authentication.go:73] \"Unable to authenticate the request\" err=\"[x509: certificate has expired or is not yet valid: current time 2026-11-21T09:21:00Z is after 2026-11-18T00:00:00Z]\"\n";
    // The worker's kubelet is refused by the apiserver's expired serving certificate: renew
    // that one (a client's rejection, not the apiserver's own words).
    let worker = "Nov 21 09:20:58 kind-worker kubelet[211]: E1121 09:20:58.000000     211 reflector.go:138] Failed to watch *v1.Node: Get \"https://kind-control-plane:6443/api/v1/nodes\": tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2026-11-21T09:20:58Z is after 2026-11-18T00:00:00Z\n";
    let renewal = |r: &Value| -> String {
        r["plan"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == "kubeadm-certs-renew")
            .unwrap_or_else(|| panic!("no renewal in {:#}", r["plan"]))["commands"]
            .to_string()
    };
    let tenant = tempfile::tempdir().unwrap();
    kind_export(tenant.path(), worker);
    write(
        tenant.path(),
        "kind-control-plane/pods/openshift-payments_payments-apiserver-7d9f_1a2b/apiserver/0.log",
        line,
    );
    let (_, r) = analyze(tenant.path());
    let apiserver = |r: &Value| -> Vec<String> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["evidence"]["component"] == "kube-apiserver")
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        apiserver(&r).is_empty(),
        "the tenant's pod spoke as kube-apiserver: {r:#}"
    );
    // The tenant's own rejection is its own finding, a warning (only a workload logs it).
    let rejected = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| {
            f["rule"] == "log-cert-expired" && f["evidence"]["component"] == "openshift-payments/apiserver"
        })
        .unwrap_or_else(|| panic!("{r:#}"));
    assert_eq!(rejected["severity"], "warning", "{rejected:#}");
    // The tenant's words do not widen the renewal to every certificate of the control plane.
    let cmds = renewal(&r);
    assert!(cmds.contains("kubeadm certs renew apiserver"), "{cmds}");
    assert!(!cmds.contains("renew all"), "{cmds}");

    // The same line from OpenShift's own apiserver namespace is the control plane's.
    let system = tempfile::tempdir().unwrap();
    kind_export(system.path(), worker);
    write(
        system.path(),
        "kind-control-plane/pods/openshift-kube-apiserver_kube-apiserver-m0_1a2b/kube-apiserver/0.log",
        line,
    );
    let (_, r) = analyze(system.path());
    assert_eq!(apiserver(&r), ["log-cert-expired"], "{r:#}");
    assert!(renewal(&r).contains("kubeadm certs renew all"), "{}", renewal(&r));
}

/// newuser11 N4: node Leases are read wherever a dump puts them, in each shape `kubectl`
/// writes, and make a node whose kubelet stopped renewing a stale-heartbeat finding that names
/// the Lease; Leases of other namespaces (leader election) are not node heartbeats.
#[test]
fn node_leases_are_read_in_every_dump_shape() {
    let nodes = r#"{"apiVersion": "v1", "kind": "NodeList", "items": [
      {"kind": "Node", "metadata": {"name": "cp-1"}, "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "lastHeartbeatTime": "2026-11-21T05:00:00Z", "lastTransitionTime": "2026-11-01T00:00:00Z"}]}},
      {"kind": "Node", "metadata": {"name": "worker-1"}, "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "lastHeartbeatTime": "2026-11-21T05:00:00Z", "lastTransitionTime": "2026-11-01T00:00:00Z"}]}},
      {"kind": "Node", "metadata": {"name": "worker-2"}, "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "lastHeartbeatTime": "2026-11-21T05:00:00Z", "lastTransitionTime": "2026-11-01T00:00:00Z"}]}}]}"#;
    let renew = [
        ("cp-1", "2026-11-21T09:20:04.512345Z"),
        ("worker-1", "2026-11-21T08:51:10.000001Z"),
        ("worker-2", "2026-11-21T09:20:01.000000Z"),
    ];
    let lease_yaml = |name: &str, t: &str| {
        format!(
            "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: {name}\n  namespace: kube-node-lease\nspec:\n  holderIdentity: {name}\n  leaseDurationSeconds: 40\n  renewTime: \"{t}\"\n"
        )
    };
    let lease_json = |name: &str, t: &str| {
        format!(
            r#"{{"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {{"name": "{name}", "namespace": "kube-node-lease"}}, "spec": {{"holderIdentity": "{name}", "leaseDurationSeconds": 40, "renewTime": "{t}"}}}}"#
        )
    };
    // A leader-election Lease named like a node, long expired: not worker-2's heartbeat.
    let election = lease_yaml("worker-2", "2026-11-20T00:00:00Z").replace("kube-node-lease", "kube-system");
    let yaml_list = format!(
        "apiVersion: v1\nkind: List\nitems:\n{}",
        renew
            .iter()
            .map(|(n, t)| format!("- {}", lease_yaml(n, t).replace('\n', "\n  ").trim_end()))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let json_list = format!(
        r#"{{"apiVersion": "coordination.k8s.io/v1", "kind": "LeaseList", "items": [{}]}}"#,
        renew
            .iter()
            .map(|(n, t)| lease_json(n, t))
            .collect::<Vec<_>>()
            .join(",")
    );
    let multi = renew
        .iter()
        .map(|(n, t)| lease_yaml(n, t))
        .collect::<Vec<_>>()
        .join("---\n");
    let shapes: [(&str, &[(&str, String)]); 4] = [
        ("kubectl -o yaml", &[("cluster/leases.yaml", yaml_list.clone())]),
        ("LeaseList JSON", &[("cluster/leases.json", json_list)]),
        (
            "must-gather",
            &[(
                "namespaces/kube-node-lease/coordination.k8s.io/leases.yaml",
                yaml_list.replace("kind: List", "kind: LeaseList"),
            )],
        ),
        (
            "one object per document, plus a kube-system Lease",
            &[
                ("cluster/leases.yaml", multi),
                ("cluster/election.yaml", election),
            ],
        ),
    ];
    for (shape, files) in shapes {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "cluster/nodes.json", nodes);
        for (rel, text) in files {
            write(dir.path(), rel, text);
        }
        let (_, r) = analyze(dir.path());
        let stale: Vec<&Value> = of_rule(&r, "node-not-ready");
        assert_eq!(stale.len(), 1, "{shape}: {r:#}");
        assert_eq!(stale[0]["node"], "worker-1", "{shape}");
        let msg = stale[0]["message"].as_str().unwrap();
        assert!(
            msg.contains("last renewed its Lease kube-node-lease/worker-1 28m 50s before the dump"),
            "{shape}: {msg}"
        );
        assert_eq!(
            stale[0]["evidence"]["heartbeat_source"], "Lease kube-node-lease/worker-1 spec.renewTime",
            "{shape}"
        );
    }
    // Without the Leases every node posted status at 05:00: nothing is stale.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "cluster/nodes.json", nodes);
    let (_, r) = analyze(dir.path());
    assert!(
        !r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "node-not-ready"),
        "{r:#}"
    );
}
