//! Per-rule fixtures for the node and cluster-state rules (issue 5): for each rule a `hit`
//! bundle that must fire it and a `miss` bundle — the benign look-alike — that must not.
//! Written to `testdata/rules/<rule-id>/{hit,miss}/` next to the bundles.
//!
//! Each bundle is one node's tree at the bundle root (`etc/hostname` names it) plus the
//! `cluster/` dumps the rule reads, and nothing else: a few KB. All are judged at [`CAPTURE`].

use anyhow::Result;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::certs::{Ca, CertSpec, validity};
use crate::keys::{KeyKind, seeded_bytes};
use crate::kube::{self, CState, CStatus, StatusIn};
use crate::logs;
use crate::tree::Tree;

/// The instant every fixture is judged at (`--now`).
pub const CAPTURE: OffsetDateTime = datetime!(2026-06-15 12:00:00 UTC);
/// When the fixture clusters were set up.
const CREATED: OffsetDateTime = datetime!(2026-01-10 09:00:00 UTC);
/// Where pods started.
const STARTED: OffsetDateTime = datetime!(2026-06-01 08:00:00 UTC);
const IP: &str = "10.0.0.10";
const IMAGE: &str = "registry.k8s.io/kube-apiserver:v1.30.2";

/// One fixture: rule id, case (`hit` or `miss`), the bundle.
pub type Case = (&'static str, &'static str, Tree);

/// Every fixture of the node rules.
pub fn cases() -> Result<Vec<Case>> {
    let (cp_hit, cp_miss) = stale_checkpoint()?;
    Ok(vec![
        ("stale-checkpoint", "hit", cp_hit),
        ("stale-checkpoint", "miss", cp_miss),
        ("stale-manifest", "hit", stale_manifest(true)),
        ("stale-manifest", "miss", stale_manifest(false)),
        ("flannel-subnet-env-missing", "hit", flannel(true)),
        ("flannel-subnet-env-missing", "miss", flannel(false)),
        ("cni-config-missing", "hit", cni(true)),
        ("cni-config-missing", "miss", cni(false)),
        ("control-plane-component-missing", "hit", control_plane(true)),
        ("control-plane-component-missing", "miss", control_plane(false)),
        ("control-plane-taint-removed", "hit", taint(true)),
        ("control-plane-taint-removed", "miss", taint(false)),
        ("node-not-ready", "hit", not_ready(true)),
        ("node-not-ready", "miss", not_ready(false)),
        ("cloud-credentials-invalid", "hit", cloud(true)),
        ("cloud-credentials-invalid", "miss", cloud(false)),
    ])
}

// ---------------------------------------------------------------------------------------
// Shared pieces.

fn hostname(t: &mut Tree, host: &str) {
    t.file("etc/hostname", format!("{host}\n"));
}

/// `kubectl get … -o yaml` of `items` at `cluster/<name>.yaml`.
fn dump(t: &mut Tree, name: &str, items: Vec<Value>) {
    t.file(
        &format!("cluster/{name}.yaml"),
        kube::to_kubectl_yaml(&kube::list(items)),
    );
}

/// A Node object: `ready` is the Ready condition's (status, reason, message); a control-plane
/// node carries `role`'s label and, when `tainted`, its NoSchedule taint.
fn node(host: &str, cp: Option<(&str, bool)>, ready: (&str, &str, &str), pod_cidr: &str) -> Value {
    let mut n = crate::kubeadm::node(host, IP, false);
    if let Some((role, tainted)) = cp {
        n["metadata"]["labels"][format!("node-role.kubernetes.io/{role}")] = json!("");
        if tainted {
            n["spec"]["taints"] =
                json!([{"effect": "NoSchedule", "key": format!("node-role.kubernetes.io/{role}")}]);
        }
    }
    n["spec"]["podCIDR"] = json!(pod_cidr);
    n["spec"]["podCIDRs"] = json!([pod_cidr]);
    let (status, reason, message) = ready;
    if let Some(conds) = n["status"]["conditions"].as_array_mut() {
        for c in conds.iter_mut().filter(|c| c["type"] == "Ready") {
            c["status"] = json!(status);
            c["reason"] = json!(reason);
            c["message"] = json!(message);
            if status != "True" {
                c["lastTransitionTime"] = json!(logs::rfc3339(CAPTURE - time::Duration::minutes(40)));
            }
        }
    }
    n
}

const READY: (&str, &str, &str) = ("True", "KubeletReady", "kubelet is posting ready status");

/// A container spec.
fn container(name: &str, command: &[&str]) -> Value {
    json!({"command": command, "image": IMAGE, "name": name})
}

/// A static pod manifest (what kubeadm writes; no status).
fn static_manifest(name: &str, component: &str, command: &[&str]) -> String {
    let mut meta = json!({"creationTimestamp": null, "labels": {"component": component, "tier": "control-plane"}, "name": name, "namespace": "kube-system"});
    meta["annotations"] = json!({"kubernetes.io/config.source": "file"});
    kube::to_kubectl_yaml(&json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {"containers": [container(name, command)], "hostNetwork": true, "priorityClassName": "system-node-critical"},
        "status": {},
    }))
}

/// How a dumped pod is doing.
#[derive(Clone, Copy)]
enum Run {
    Running,
    CrashLooping,
}

/// A dumped pod on `host` with `labels`, running or crash-looping.
fn pod(ns: &str, name: &str, labels: &[(&str, &str)], host: &str, command: &[&str], run: Run) -> Value {
    let mut p = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": kube::meta(Some(ns), name, STARTED),
        "spec": {"containers": [container(command[0], command)], "nodeName": host},
    });
    kube::set_map(&mut p, "labels", labels);
    kube::pod_spec_defaults(&mut p["spec"]);
    let c = match run {
        Run::Running => CStatus::running(command[0], IMAGE, STARTED),
        Run::CrashLooping => CStatus {
            name: command[0].to_owned(),
            image: IMAGE.to_owned(),
            state: CState::Waiting {
                reason: "CrashLoopBackOff".into(),
                message: Some(format!(
                    "back-off 5m0s restarting failed container={} pod={name}",
                    command[0]
                )),
            },
            restarts: 37,
            last_terminated: Some((
                1,
                "Error".into(),
                CAPTURE - time::Duration::minutes(6),
                CAPTURE - time::Duration::minutes(5),
            )),
            runtime: "containerd",
        },
    };
    p["status"] = kube::pod_status(StatusIn {
        pod_id: &format!("{ns}/{name}"),
        phase: "Running",
        host_ip: Some(IP),
        pod_ip: Some(IP),
        start: Some(STARTED),
        qos: "Burstable",
        containers: vec![c],
        transition: STARTED,
        conditions: None,
        modern: true,
    });
    p
}

/// A Deployment of one replica with `labels` on it and its template, `ready` of 1 ready.
fn deployment(ns: &str, name: &str, labels: &[(&str, &str)], command: &[&str], ready: u64) -> Value {
    let l: serde_json::Map<String, Value> = labels.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
    let mut d = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": kube::meta(Some(ns), name, CREATED),
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": l},
            "template": {"metadata": {"labels": l}, "spec": {"containers": [container(command[0], command)]}},
        },
        "status": {"observedGeneration": 1, "replicas": 1, "readyReplicas": ready, "availableReplicas": ready, "unavailableReplicas": 1 - ready},
    });
    kube::set_map(&mut d, "labels", labels);
    if ready == 1 {
        d["status"]["updatedReplicas"] = json!(1);
    } else {
        if let Some(s) = d["status"].as_object_mut() {
            s.remove("readyReplicas");
        }
    }
    d
}

// ---------------------------------------------------------------------------------------
// stale-checkpoint: bootkube's pod-checkpointer copy of Secret kube-system/kube-apiserver.

const CKPT_POD: &str = "kube-apiserver-x7k2p";

fn stale_checkpoint() -> Result<(Tree, Tree)> {
    let old_ca = Ca::new(
        "rules/stale-checkpoint/old-ca",
        CertSpec::ca("kubernetes", validity(2016, 6, 1, 2026, 6, 1)),
    )?;
    let new_ca = Ca::new(
        "rules/stale-checkpoint/new-ca",
        CertSpec::ca("kubernetes", validity(2026, 6, 2, 2036, 6, 2)),
    )?;
    let leaf = |ca: &Ca, seed: &str, v| {
        ca.issue(
            &format!("rules/stale-checkpoint/{seed}"),
            KeyKind::EcP256,
            CertSpec::new("kube-apiserver", v).server().sans(&[
                "master-01",
                "kubernetes",
                "kubernetes.default",
                "kubernetes.default.svc",
                "kubernetes.default.svc.cluster.local",
                "10.3.0.1",
                IP,
            ]),
        )
    };
    let old_leaf = leaf(&old_ca, "old-apiserver", validity(2025, 6, 1, 2026, 6, 1))?;
    let new_leaf = leaf(&new_ca, "new-apiserver", validity(2026, 6, 2, 2027, 6, 2))?;
    let current = [("apiserver.crt", new_leaf.pem()), ("ca.crt", new_ca.pem())];
    let stale = [("apiserver.crt", old_leaf.pem()), ("ca.crt", old_ca.pem())];
    let build = |copy: &[(&str, String)]| {
        let mut t = Tree::new();
        hostname(&mut t, "master-01");
        let dir = format!("/etc/kubernetes/checkpoint-secrets/kube-system/{CKPT_POD}/kube-apiserver");
        for (k, v) in copy {
            t.secret_file(&format!("{}/{k}", dir.trim_start_matches('/')), v.as_bytes());
        }
        t.file(
            &format!("etc/kubernetes/manifests/kube-system-{CKPT_POD}.json"),
            checkpoint_json(&dir),
        );
        let data: Vec<(&str, Vec<u8>)> = current.iter().map(|(k, v)| (*k, v.as_bytes().to_vec())).collect();
        dump(
            &mut t,
            "secrets",
            vec![kube::secret(
                "kube-system",
                "kube-apiserver",
                "Opaque",
                &data,
                CREATED,
            )],
        );
        t
    };
    Ok((build(&stale), build(&current)))
}

/// The active checkpoint of the apiserver pod: its Secret volume rewritten to the hostPath of
/// the checkpointed copy, as bootkube's checkpointer writes it (compact JSON).
fn checkpoint_json(dir: &str) -> String {
    let pod = json!({
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {
            "name": CKPT_POD,
            "namespace": "kube-system",
            "labels": {"k8s-app": "kube-apiserver", "tier": "control-plane"},
            "annotations": {"checkpointer.alpha.coreos.com/checkpoint-of": CKPT_POD},
        },
        "spec": {
            "volumes": [{"name": "secrets", "hostPath": {"path": dir}}],
            "containers": [{
                "name": "kube-apiserver",
                "image": "quay.io/coreos/hyperkube:v1.8.4_coreos.0",
                "command": ["/hyperkube", "apiserver", "--client-ca-file=/etc/kubernetes/secrets/ca.crt", "--tls-cert-file=/etc/kubernetes/secrets/apiserver.crt"],
                "volumeMounts": [{"name": "secrets", "readOnly": true, "mountPath": "/etc/kubernetes/secrets"}],
            }],
            "hostNetwork": true,
            "nodeName": "master-01",
        },
        "status": {},
    });
    serde_json::to_string(&pod).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// stale-manifest: a `.bak` copy the kubelet runs, vs a `.bak` that is not a pod.

fn stale_manifest(hit: bool) -> Tree {
    let mut t = Tree::new();
    hostname(&mut t, "cp-1");
    let cmd = [
        "kube-apiserver",
        "--advertise-address=10.0.0.10",
        "--secure-port=6443",
    ];
    t.file(
        "etc/kubernetes/manifests/kube-apiserver.yaml",
        static_manifest("kube-apiserver", "kube-apiserver", &cmd),
    );
    if hit {
        // Someone's copy before an edit: it parses as the same pod, so the kubelet runs both.
        let old = [
            "kube-apiserver",
            "--advertise-address=10.0.0.9",
            "--secure-port=6443",
        ];
        t.file(
            "etc/kubernetes/manifests/kube-apiserver.yaml.bak",
            static_manifest("kube-apiserver", "kube-apiserver", &old),
        );
        // kubeadm's own upgrade backup, outside the folder: only noted, nothing to fix.
        t.file(
            "etc/kubernetes/tmp/kubeadm-backup-manifests-2026-05-02-10-11-12/kube-apiserver.yaml",
            static_manifest("kube-apiserver", "kube-apiserver", &old),
        );
    } else {
        // Notes kept next to the manifest: the kubelet cannot parse them as a pod and skips them.
        t.file(
            "etc/kubernetes/manifests/kube-apiserver.yaml.bak",
            "changed --advertise-address from 10.0.0.9 to 10.0.0.10 on 2026-05-02\n",
        );
    }
    t
}

// ---------------------------------------------------------------------------------------
// flannel-subnet-env-missing: flannel without /run/flannel/subnet.env, vs a Calico node.

fn flannel(hit: bool) -> Tree {
    let mut t = Tree::new();
    hostname(&mut t, "master-01");
    // The node's /run was collected: the absence of subnet.env means something.
    t.file(
        "run/systemd/resolve/resolv.conf",
        "nameserver 10.0.0.2\nsearch ec2.internal\n",
    );
    if hit {
        let conflist = json!({"cniVersion": "0.3.1", "name": "cbr0", "plugins": [
            {"delegate": {"hairpinMode": true, "isDefaultGateway": true}, "type": "flannel"},
            {"capabilities": {"portMappings": true}, "type": "portmap"}]});
        t.file(
            "etc/cni/net.d/10-flannel.conflist",
            crate::ojson::to_pretty(&conflist, "  ").unwrap_or_default(),
        );
        let net_conf =
            "{\n  \"Network\": \"10.244.0.0/16\",\n  \"Backend\": {\n    \"Type\": \"vxlan\"\n  }\n}\n";
        dump(
            &mut t,
            "configmaps",
            vec![kube::configmap(
                "kube-flannel",
                "kube-flannel-cfg",
                &[("net-conf.json", net_conf.to_owned())],
                CREATED,
            )],
        );
        let msg = "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady \
                   message:Network plugin returns error: cni plugin not initialized";
        dump(
            &mut t,
            "nodes",
            vec![node(
                "master-01",
                Some(("control-plane", true)),
                ("False", "KubeletNotReady", msg),
                "10.244.0.0/24",
            )],
        );
        let err = "\"RunPodSandbox from runtime service failed\" err=\"rpc error: code = Unknown desc = failed to \
                   setup network for sandbox: plugin type=\\\"flannel\\\" failed (add): loadFlannelSubnetEnv \
                   failed: open /run/flannel/subnet.env: no such file or directory\"";
        let mut lines: Vec<String> = (0..3)
            .map(|i| {
                let at = CAPTURE - time::Duration::minutes(10 - i);
                logs::short_iso(
                    at,
                    "master-01",
                    "kubelet",
                    Some(912),
                    &logs::klog(logs::Sev::E, at, 912, "log.go:32", err),
                )
            })
            .collect();
        lines.push(kubelet_network_not_ready("master-01"));
        t.file("var/log/kubelet.log", logs::join(&lines));
    } else {
        let conflist = json!({"cniVersion": "0.3.1", "name": "k8s-pod-network", "plugins": [
            {"datastore_type": "kubernetes", "ipam": {"type": "calico-ipam"}, "type": "calico"},
            {"capabilities": {"portMappings": true}, "type": "portmap"}]});
        t.file(
            "etc/cni/net.d/10-calico.conflist",
            crate::ojson::to_pretty(&conflist, "  ").unwrap_or_default(),
        );
        dump(
            &mut t,
            "nodes",
            vec![node(
                "master-01",
                Some(("control-plane", true)),
                READY,
                "10.244.0.0/24",
            )],
        );
    }
    t
}

/// The kubelet's journal line while the pod network is not ready.
fn kubelet_network_not_ready(host: &str) -> String {
    let at = CAPTURE - time::Duration::minutes(5);
    let msg = "\"Container runtime network not ready\" networkReady=\"NetworkReady=false \
               reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized\"";
    logs::short_iso(
        at,
        host,
        "kubelet",
        Some(912),
        &logs::klog(logs::Sev::E, at, 912, "kubelet.go:2862", msg),
    )
}

// ---------------------------------------------------------------------------------------
// cni-config-missing: a kubelet node without a CNI config, vs one with Calico's.

fn cni(hit: bool) -> Tree {
    let mut t = Tree::new();
    hostname(&mut t, "worker-1");
    t.file(
        "var/lib/kubelet/config.yaml",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nauthentication:\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt\n\
         cgroupDriver: systemd\nclusterDNS:\n- 10.96.0.10\nclusterDomain: cluster.local\nkind: KubeletConfiguration\n\
         staticPodPath: /etc/kubernetes/manifests\n",
    );
    let ready = if hit {
        t.file("etc/cni/net.d/.keep", "");
        t.file(
            "var/log/kubelet.log",
            logs::join(&[kubelet_network_not_ready("worker-1")]),
        );
        (
            "False",
            "KubeletNotReady",
            "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady \
             message:Network plugin returns error: cni plugin not initialized",
        )
    } else {
        t.file(
            "etc/cni/net.d/10-calico.conflist",
            "{\n  \"name\": \"k8s-pod-network\",\n  \"cniVersion\": \"0.3.1\",\n  \"plugins\": [\n    {\n      \"type\": \"calico\",\n      \"ipam\": {\"type\": \"calico-ipam\"}\n    }\n  ]\n}\n",
        );
        READY
    };
    dump(
        &mut t,
        "nodes",
        vec![node("worker-1", None, ready, "10.244.1.0/24")],
    );
    t
}

// ---------------------------------------------------------------------------------------
// control-plane-component-missing: a self-hosted scheduler with no pod and a crash-looping
// static controller-manager, vs a healthy mixed control plane.

fn control_plane(hit: bool) -> Tree {
    let host = "master-01";
    let mut t = Tree::new();
    hostname(&mut t, host);
    let api = ["kube-apiserver", "--secure-port=6443"];
    let cm = ["kube-controller-manager", "--leader-elect=true"];
    let etcd = ["etcd", "--data-dir=/var/lib/etcd"];
    let sched = ["kube-scheduler", "--leader-elect=true"];
    let dns = ["coredns", "-conf", "/etc/coredns/Corefile"];
    for (name, cmd) in [("kube-apiserver", &api[..]), ("kube-controller-manager", &cm[..])]
        .into_iter()
        .chain((!hit).then_some(("etcd", &etcd[..])))
    {
        t.file(
            &format!("etc/kubernetes/manifests/{name}.yaml"),
            static_manifest(name, name, cmd),
        );
    }
    let mirror = |name: &str, cmd: &[&str], run| {
        pod(
            "kube-system",
            &format!("{name}-{host}"),
            &[("component", name), ("tier", "control-plane")],
            host,
            cmd,
            run,
        )
    };
    let sched_labels = [("k8s-app", "kube-scheduler"), ("tier", "control-plane")];
    let dns_labels = [("k8s-app", "kube-dns")];
    let mut pods = vec![
        mirror("kube-apiserver", &api, Run::Running),
        mirror(
            "kube-controller-manager",
            &cm,
            if hit { Run::CrashLooping } else { Run::Running },
        ),
        pod(
            "kube-system",
            "coredns-7db6d8ff4d-4xk2p",
            &dns_labels,
            host,
            &dns,
            Run::Running,
        ),
    ];
    if !hit {
        pods.push(mirror("etcd", &etcd, Run::Running));
        pods.push(pod(
            "kube-system",
            "kube-scheduler-6b9f8c7d5-q2w8e",
            &sched_labels,
            host,
            &sched,
            Run::Running,
        ));
    }
    dump(&mut t, "pods", pods);
    dump(
        &mut t,
        "deployments",
        vec![
            deployment("kube-system", "coredns", &dns_labels, &dns, 1),
            deployment(
                "kube-system",
                "kube-scheduler",
                &sched_labels,
                &sched,
                u64::from(!hit),
            ),
        ],
    );
    dump(
        &mut t,
        "nodes",
        vec![node(host, Some(("control-plane", true)), READY, "10.244.0.0/24")],
    );
    t
}

// ---------------------------------------------------------------------------------------
// control-plane-taint-removed: an untainted master, vs a tainted control plane and an
// (untainted, as it should be) worker.

fn taint(hit: bool) -> Tree {
    let mut t = Tree::new();
    let nodes = if hit {
        vec![node("master-01", Some(("master", false)), READY, "10.2.0.0/24")]
    } else {
        vec![
            node("cp-1", Some(("control-plane", true)), READY, "10.244.0.0/24"),
            node("worker-1", None, READY, "10.244.1.0/24"),
        ]
    };
    dump(&mut t, "nodes", nodes);
    t
}

// ---------------------------------------------------------------------------------------
// node-not-ready: one node Ready=False, one Ready=Unknown, vs all Ready.

fn not_ready(hit: bool) -> Tree {
    let mut t = Tree::new();
    let nodes = if hit {
        vec![
            node(
                "worker-1",
                None,
                (
                    "False",
                    "KubeletNotReady",
                    "PLEG is not healthy: pleg was last seen active 3m10s ago; threshold is 3m0s",
                ),
                "10.244.1.0/24",
            ),
            node(
                "worker-2",
                None,
                (
                    "Unknown",
                    "NodeStatusUnknown",
                    "Kubelet stopped posting node status.",
                ),
                "10.244.2.0/24",
            ),
        ]
    } else {
        vec![
            node("worker-1", None, READY, "10.244.1.0/24"),
            node("worker-2", None, READY, "10.244.2.0/24"),
        ]
    };
    dump(&mut t, "nodes", nodes);
    t
}

// ---------------------------------------------------------------------------------------
// cloud-credentials-invalid: Traefik's Route53 Secret with a newline in the key id and a
// node's `.aws/credentials` with a temporary key and no session token, vs well-formed ones.

/// An AWS-shaped (fake) access key id: `prefix` + 16 base32 characters from the seed.
pub fn aws_key_id(prefix: &str, seed: &str) -> String {
    const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let tail: String = seeded_bytes(seed, 16)
        .iter()
        .map(|x| char::from(B32[usize::from(x % 32)]))
        .collect();
    format!("{prefix}{tail}")
}

/// 40 characters from the AWS secret-key alphabet.
pub fn aws_secret(seed: &str) -> String {
    const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    seeded_bytes(seed, 40)
        .iter()
        .map(|x| char::from(ALPHA[usize::from(x % 64)]))
        .collect()
}

fn cloud(hit: bool) -> Tree {
    let mut t = Tree::new();
    hostname(&mut t, "master-01");
    let case = if hit { "hit" } else { "miss" };
    let traefik_id = aws_key_id("AKIA", &format!("rules/cloud/{case}/traefik-id"));
    let traefik_secret = aws_secret(&format!("rules/cloud/{case}/traefik-secret"));
    // `echo $KEY | base64` keeps echo's newline: AWS then sees an unknown key id.
    let id_value = if hit {
        format!("{traefik_id}\n")
    } else {
        traefik_id
    };
    dump(
        &mut t,
        "secrets",
        vec![kube::secret(
            "ingress",
            "traefik-route53",
            "Opaque",
            &[
                ("AWS_ACCESS_KEY_ID", id_value.into_bytes()),
                ("AWS_REGION", b"us-east-1".to_vec()),
                ("AWS_SECRET_ACCESS_KEY", traefik_secret.into_bytes()),
            ],
            CREATED,
        )],
    );
    let mut traefik = deployment(
        "ingress",
        "traefik",
        &[("app", "traefik")],
        &[
            "traefik",
            "--certificatesresolvers.le.acme.dnschallenge.provider=route53",
        ],
        1,
    );
    let env: Vec<Value> = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"]
        .iter()
        .map(|k| json!({"name": k, "valueFrom": {"secretKeyRef": {"key": k, "name": "traefik-route53"}}}))
        .collect();
    traefik["spec"]["template"]["spec"]["containers"][0]["env"] = Value::Array(env);
    dump(&mut t, "deployments", vec![traefik]);
    // The node's cloud-provider profile.
    // The hit's is a temporary (ASIA…) key written without its session token.
    let prefix = if hit { "ASIA" } else { "AKIA" };
    let ini = format!(
        "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        aws_key_id(prefix, &format!("rules/cloud/{case}/node-id")),
        aws_secret(&format!("rules/cloud/{case}/node-secret"))
    );
    t.secret_file("root/.aws/credentials", ini);
    // Traefik's log: the Route53 challenge fails in the hit, renewals succeed in the miss.
    let line = if hit {
        "time=\"2026-06-15T11:50:02Z\" level=error msg=\"Unable to obtain ACME certificate for domains \
         \\\"app.example.com\\\": cannot get ACME client acme: error presenting token: route53: failed to \
         determine hosted zone ID: InvalidClientTokenId: The security token included in the request is \
         invalid.\\n\\tstatus code: 403\" providerName=le.acme"
    } else {
        "time=\"2026-06-15T11:50:02Z\" level=info msg=\"Certificates obtained for domains [app.example.com]\" \
         providerName=le.acme"
    };
    t.file(
        "var/log/pods/ingress_traefik-6d9f7c-x2x9z_0b6f3d7e-51b2-4c55-9a0e-1f2d3c4b5a69/traefik/0.log",
        format!(
            "{}\n",
            logs::cri(CAPTURE - time::Duration::minutes(10), "stdout", line)
        ),
    );
    t
}
