//! The fix plan speaks each distribution's own words, node by node, with a backup first:
//! one scenario per distribution (testdata/gen `distros`), run through the binary as a user
//! runs it, asserting the plan's commands in order.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use assert_cmd::Command;
use serde_json::Value;

use kubetriage_testgen::tree::Tree;
use kubetriage_testgen::{distros, kubeadm};

/// `analyze --now <now> -o json` of a tree written to a temporary folder: its one bundle.
fn bundle_of(tree: &Tree, now: time::OffsetDateTime) -> Value {
    let dir = tempfile::tempdir().unwrap();
    tree.write_to(dir.path()).unwrap();
    analyze_at(dir.path(), now)
}

/// `analyze --now <now> -o json` of a folder: its one bundle.
fn analyze_at(dir: &std::path::Path, now: time::OffsetDateTime) -> Value {
    let now = now
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let out = Command::cargo_bin("kubetriage")
        .unwrap()
        .args(["analyze", "--now", &now, "-o", "json"])
        .arg(dir)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    report["bundles"][0].clone()
}

/// The fix plan of [`bundle_of`].
fn plan_of(tree: &Tree, now: time::OffsetDateTime) -> Vec<Value> {
    bundle_of(tree, now)["plan"].as_array().unwrap().clone()
}

fn ids(plan: &[Value]) -> Vec<&str> {
    plan.iter().map(|s| s["id"].as_str().unwrap()).collect()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn step<'a>(plan: &'a [Value], id: &str) -> &'a Value {
    plan.iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step {id} in {:?}", ids(plan)))
}

/// Index of the first command containing `needle`, failing with the commands.
fn at(cmds: &[String], needle: &str) -> usize {
    cmds.iter()
        .position(|c| c.contains(needle))
        .unwrap_or_else(|| panic!("no command with `{needle}` in {cmds:#?}"))
}

fn all_commands(plan: &[Value]) -> String {
    plan.iter()
        .flat_map(|s| strs(&s["commands"]).into_iter().chain(strs(&s["verify"])))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn kubeadm_one_year_after_init_is_renewed_with_kubeadm() {
    let plan = plan_of(&distros::kubeadm_one_year().unwrap(), distros::ONE_YEAR_LATER);
    let s = step(&plan, "kubeadm-certs-renew");
    let cmds = strs(&s["commands"]);
    let backup = at(
        &cmds,
        "cp -a --parents /etc/kubernetes /root/kubetriage-backup-2027-01-20/",
    );
    let renew = at(&cmds, "kubeadm certs renew all");
    // Renewing all restarts every static pod the node runs, each by its manifest.
    let restart = at(
        &cmds,
        "mkdir -p /root/kubetriage-manifests && mv /etc/kubernetes/manifests/",
    );
    for pod in [
        "etcd",
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
    ] {
        assert!(
            cmds[restart].contains(&format!(
                "/root/kubetriage-manifests/{pod}.yaml /etc/kubernetes/manifests/"
            )),
            "{pod}: {}",
            cmds[restart]
        );
    }
    let admin = at(&cmds, "cp /etc/kubernetes/admin.conf");
    assert!(backup < renew && renew < restart && restart < admin, "{cmds:#?}");
    assert!(
        strs(&s["verify"])
            .iter()
            .any(|c| c == "kubeadm certs check-expiration")
    );
    let rollback = strs(&s["rollback"]);
    let put_back = at(
        &rollback,
        "cp -a /root/kubetriage-backup-2027-01-20/etc/kubernetes /etc/",
    );
    // Files put back are loaded only once the static pods restart again.
    assert!(at(&rollback, "restart line again") > put_back, "{rollback:#?}");
    // A second run keeps the first backup (the state before any change).
    assert!(
        cmds[backup].starts_with("test -e /root/kubetriage-backup-2027-01-20/etc/kubernetes || {"),
        "{cmds:#?}"
    );
    // Every kubeadm leaf, the etcd client pair included, is renewed by kubeadm: no openssl
    // re-issue, and the kubelet's self-signed serving CA is not a cluster CA to rotate.
    let ids = ids(&plan);
    for not in [
        "reissue-etcd-client-cert",
        "reissue-from-current-ca",
        "rotate-ca",
        "renew-kubeconfig-client-cert",
    ] {
        assert!(!ids.contains(&not), "{not} in {ids:?}");
    }
    assert!(!all_commands(&plan).contains("openssl req"), "{plan:#?}");
}

/// Still valid but expiring on every node: one node at a time, etcd and the apiserver healthy
/// before the next (a rolling renewal keeps quorum).
#[test]
fn kubeadm_ha_renews_one_control_plane_node_at_a_time_with_health_checks() {
    // Sixteen days before the leaves expire (inside the 30-day window).
    let plan = plan_of(
        &distros::kubeadm_ha().unwrap(),
        time::macros::datetime!(2026-12-25 12:00:00 UTC),
    );
    let s = step(&plan, "kubeadm-certs-renew");
    let cmds = strs(&s["commands"]);
    let n1 = at(&cmds, "# on cp-1 (1/3)");
    let n2 = at(&cmds, "# on cp-2 (2/3)");
    let n3 = at(&cmds, "# on cp-3 (3/3)");
    assert!(n1 < n2 && n2 < n3, "{cmds:#?}");
    // Each node: its own backup and renewal, then etcd and apiserver health before the next,
    // asked of that node's own apiserver (its advertise address), not of the load balancer
    // that answers from a healthy node two times in three (newuser4 M1).
    for (from, to, addr) in [(n1, n2, "10.0.0.11"), (n2, n3, "10.0.0.12")] {
        let part = &cmds[from..to];
        at(part, "cp -a --parents /etc/kubernetes");
        at(part, "kubeadm certs renew all");
        let health = at(part, &format!("--endpoints=https://{addr}:2379"));
        assert!(part[health].contains("endpoint health --cluster"), "{part:#?}");
        at(part, &format!("--server https://{addr}:6443 get --raw /readyz"));
    }
    assert!(
        !cmds.iter().any(|c| c.starts_with("kubectl get --raw")),
        "{cmds:#?}"
    );
    let verify = strs(&s["verify"]);
    let v2 = at(&verify, "# on cp-2 (2/3)");
    let v3 = at(&verify, "# on cp-3 (3/3)");
    let own = at(&verify, "--server https://10.0.0.12:6443 get --raw /readyz");
    assert!(v2 < own && own < v3, "{verify:#?}");
    let last = &cmds[n3..];
    at(last, "kubeadm certs renew all");
    assert!(
        !last.iter().any(|c| c.contains("endpoint health")),
        "no check after the last node"
    );
}

/// Expired on every node: etcd has no quorum and the apiserver is down, so no health check
/// passes until a majority is renewed. Was: a gate after cp-1 that could never pass.
#[test]
fn kubeadm_ha_all_expired_renews_every_node_then_checks_health() {
    let plan = plan_of(&distros::kubeadm_ha().unwrap(), distros::ONE_YEAR_LATER);
    let s = step(&plan, "kubeadm-certs-renew");
    let cmds = strs(&s["commands"]);
    let note = at(&cmds, "expired on 3 of 3 nodes");
    let n1 = at(&cmds, "# on cp-1 (1/3)");
    let n3 = at(&cmds, "# on cp-3 (3/3)");
    assert!(note < n1, "{cmds:#?}");
    assert!(
        !cmds[..n3]
            .iter()
            .any(|c| c.contains("endpoint health") || c.contains("before the next node")),
        "no gate between nodes: {cmds:#?}"
    );
    let last = &cmds[n3..];
    let renew = at(last, "kubeadm certs renew all");
    let health = at(last, "endpoint health");
    assert!(renew < health, "{cmds:#?}");
    // kubeadm installs no etcdctl on the host: the etcd container's own.
    assert!(last[health].starts_with("crictl exec "), "{cmds:#?}");
}

fn rancher_plan(dist: &str, tree: &Tree) {
    let plan = plan_of(tree, distros::RANCHER_CAPTURE);
    let s = step(&plan, &format!("{dist}-certificate-rotate"));
    let cmds = strs(&s["commands"]);
    let service = if dist == "k3s" { "k3s" } else { "rke2-server" };
    let backup = at(
        &cmds,
        &format!("cp -a --parents /var/lib/rancher/{dist}/server/tls /root/kubetriage-backup-2026-04-01/"),
    );
    let stop = at(&cmds, &format!("systemctl stop {service}"));
    let rotate = at(&cmds, &format!("{dist} certificate rotate"));
    let start = at(&cmds, &format!("systemctl start {service}"));
    assert!(backup < stop && stop < rotate && rotate < start, "{cmds:#?}");
    assert!(
        strs(&s["verify"])
            .iter()
            .any(|c| c.starts_with(&format!("{dist} certificate check")))
    );
    assert!(!s["references"].is_string());
    let ids = ids(&plan);
    for not in [
        "reissue-from-current-ca",
        "renew-kubeconfig-client-cert",
        "kubeadm-certs-renew",
        "rotate-ca",
    ] {
        assert!(!ids.contains(&not), "{not} in {ids:?}");
    }
    let all = all_commands(&plan);
    assert!(!all.contains("openssl"), "{all}");
    assert!(!all.contains("kubectl config"), "{all}");
}

/// A kubeadm node whose expired apiserver certificate the bundle holds only as a support
/// engineer's copy (`openssl x509 -text -in /etc/kubernetes/pki/apiserver.crt -out
/// /root/support/apiserver.crt`; the PKI folder was not collected): the plan renews the file
/// the apiserver loads, with kubeadm, and never touches the copy (newuser3 B6.1).
#[test]
fn a_copied_certificate_is_renewed_where_its_component_loads_it() {
    let dir = tempfile::tempdir().unwrap();
    distros::kubeadm_one_year().unwrap().write_to(dir.path()).unwrap();
    let pki = dir.path().join("etc/kubernetes/pki");
    let pem = std::fs::read_to_string(pki.join("apiserver.crt")).unwrap();
    std::fs::remove_dir_all(&pki).unwrap();
    std::fs::create_dir_all(dir.path().join("root/support")).unwrap();
    let text = format!("Certificate:\n    Data:\n        Version: 3 (0x2)\n{pem}");
    std::fs::write(dir.path().join("root/support/apiserver.crt"), text).unwrap();
    let b = &analyze_at(dir.path(), distros::ONE_YEAR_LATER);
    let copy = b["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "cert-expired" && f["evidence"]["copy_of"].is_string())
        .unwrap_or_else(|| panic!("no copied cert-expired in {b:#}"));
    assert_eq!(copy["evidence"]["copy_of"], "/etc/kubernetes/pki/apiserver.crt");
    assert!(
        copy["message"]
            .as_str()
            .unwrap()
            .contains("kube-apiserver --tls-cert-file"),
        "{copy:#}"
    );
    let plan = b["plan"].as_array().unwrap();
    let s = step(plan, "kubeadm-certs-renew");
    assert!(
        strs(&s["resolves"]).contains(&copy["id"].as_str().unwrap().to_string()),
        "{s:#}"
    );
    let all = all_commands(plan);
    assert!(all.contains("kubeadm certs renew"), "{all}");
    assert!(!all.contains("/root/support"), "{all}");
    assert!(!ids(plan).contains(&"reissue-from-current-ca"), "{:?}", ids(plan));
}

/// k3s and RKE2 name their cluster CAs like a kubelet's throwaway CA (`k3s-server-ca@<unix
/// time>`): the apiserver's expired serving certificate they sign is an error, never the
/// "no apiserver verifies the kubelet" warning (newuser3 B2.1).
#[test]
fn rancher_cluster_ca_is_not_a_kubelet_throwaway_ca() {
    for tree in [distros::k3s_expired().unwrap(), distros::rke2_expired().unwrap()] {
        let b = bundle_of(&tree, distros::RANCHER_CAPTURE);
        let expired: Vec<&Value> = b["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "cert-expired")
            .collect();
        assert!(!expired.is_empty());
        for f in expired {
            assert_eq!(f["severity"], "error", "{f:#}");
            assert!(
                !f["message"]
                    .as_str()
                    .unwrap()
                    .contains("kubelet-certificate-authority"),
                "{f:#}"
            );
        }
        assert!(!ids(b["plan"].as_array().unwrap()).contains(&"regenerate-kubelet-self-signed-cert"));
    }
}

#[test]
fn k3s_expired_leaves_are_rotated_by_k3s() {
    rancher_plan("k3s", &distros::k3s_expired().unwrap());
}

#[test]
fn rke2_expired_leaves_are_rotated_by_rke2() {
    rancher_plan("rke2", &distros::rke2_expired().unwrap());
}

#[test]
fn explain_shows_a_fix_steps_references() {
    for (id, url) in [
        (
            "kubeadm-certs-renew",
            "https://kubernetes.io/docs/tasks/administer-cluster/kubeadm/kubeadm-certs/",
        ),
        ("k3s-certificate-rotate", "https://docs.k3s.io/cli/certificate"),
        (
            "rke2-certificate-rotate",
            "https://docs.rke2.io/advanced#certificate-rotation",
        ),
    ] {
        let out = Command::cargo_bin("kubetriage")
            .unwrap()
            .args(["explain", id])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("## References") && text.contains(url), "{text}");
    }
}

/// A worker's expired kubelet client certificate (two-nodes): the kubelet can no longer rotate
/// it, so the plan is kubeadm's procedure (a new kubelet.conf from a control-plane node,
/// restart, point at the rotating file), not an openssl re-issue (issue 13's "worker kubelet
/// certificate expired" scenario).
#[test]
fn an_expired_kubelet_client_certificate_is_renewed_through_the_kubelet() {
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .args(["analyze", "-q", "-o", "json", "testdata/bundles/two-nodes"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let plan = v["bundles"][0]["plan"].as_array().unwrap().clone();
    let s = step(&plan, "renew-kubelet-client-cert");
    let cmds = strs(&s["commands"]);
    assert!(
        cmds.iter()
            .any(|c| c
                .contains("kubeadm kubeconfig user --org system:nodes --client-name system:node:worker-1")),
        "{cmds:#?}"
    );
    assert!(
        cmds.iter()
            .any(|c| c.starts_with("systemctl restart kubelet   # on worker-1")),
        "{cmds:#?}"
    );
    assert!(!ids(&plan).contains(&"reissue-from-current-ca"), "{plan:#?}");
    assert!(s["caveat"].as_str().unwrap().contains("rotateCertificates: true"));
}

/// The plan of kubeadm-healthy with the apiserver's `--etcd-cafile` pointed at `ca_file`;
/// `prepare` writes into the copied node first.
fn plan_with_etcd_cafile(ca_file: &str, prepare: impl Fn(&std::path::Path)) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("b");
    let status = std::process::Command::new("cp")
        .arg("-r")
        .arg("testdata/bundles/kubeadm-healthy")
        .arg(&copy)
        .status()
        .unwrap();
    assert!(status.success());
    prepare(&copy);
    let manifest = copy.join("etc/kubernetes/manifests/kube-apiserver.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap().replace(
        "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
        &format!("--etcd-cafile={ca_file}"),
    );
    std::fs::write(&manifest, text).unwrap();
    analyze_at(&copy, time::macros::datetime!(2026-06-15 12:00 UTC))["plan"]
        .as_array()
        .unwrap()
        .clone()
}

/// `--etcd-cafile` naming the cluster CA by mistake: the fix points the flag at the etcd CA;
/// it never copies the etcd CA over `/etc/kubernetes/pki/ca.crt`, which the apiserver's
/// `--client-ca-file`, the controller-manager's signer and every kubeconfig also read
/// (hostile round 5, H2).
#[test]
fn a_shared_ca_file_is_never_overwritten() {
    let plan = plan_with_etcd_cafile("/etc/kubernetes/pki/ca.crt", |_| {});
    let s = step(&plan, "point-flag-at-signer-ca");
    assert!(
        strs(&s["commands"])
            .iter()
            .any(|c| c.contains("set that flag to /etc/kubernetes/pki/etcd/ca.crt")),
        "{s:#}"
    );
    let all = all_commands(&plan);
    assert!(
        !all.contains("cp /etc/kubernetes/pki/etcd/ca.crt /etc/kubernetes/pki/ca.crt"),
        "{all}"
    );
    assert!(
        !ids(&plan).contains(&"update-apiserver-etcd-ca"),
        "{:?}",
        ids(&plan)
    );
}

/// `--etcd-cafile` naming the host's system trust store: never overwritten either (image
/// pulls, cloud and OIDC calls read it) (hostile round 6).
#[test]
fn the_system_trust_store_is_never_overwritten() {
    let plan = plan_with_etcd_cafile("/etc/ssl/certs/ca-certificates.crt", |node| {
        std::fs::create_dir_all(node.join("etc/ssl/certs")).unwrap();
        std::fs::copy(
            node.join("etc/kubernetes/pki/ca.crt"),
            node.join("etc/ssl/certs/ca-certificates.crt"),
        )
        .unwrap();
    });
    step(&plan, "point-flag-at-signer-ca");
    let all = all_commands(&plan);
    assert!(
        !all.contains("cp /etc/kubernetes/pki/etcd/ca.crt /etc/ssl"),
        "{all}"
    );
}

/// In a bundle of several nodes, a step that acts on one node still says which (newuser4 M1:
/// an HA cluster's one expired apiserver certificate, renewed on the wrong control plane),
/// with no "(1/1)" count (newuser round 9).
#[test]
fn one_node_of_several_is_named() {
    let dir = tempfile::tempdir().unwrap();
    distros::kubeadm_ha().unwrap().write_to(dir.path()).unwrap();
    for n in ["cp-1", "cp-3"] {
        std::fs::remove_dir_all(dir.path().join(n).join("etc/kubernetes")).unwrap();
    }
    let plan = analyze_at(dir.path(), distros::ONE_YEAR_LATER)["plan"]
        .as_array()
        .unwrap()
        .clone();
    let cmds = strs(&step(&plan, "kubeadm-certs-renew")["commands"]);
    assert_eq!(cmds.first().map(String::as_str), Some("# on cp-2"), "{cmds:#?}");
}

/// The one leaf a renewal left out, alone: kubeadm renews it and restarts only the static
/// pods whose flags name its files; admin.conf, renewed by nobody, is not copied again
/// (newuser4 L1: every static pod, etcd included, restarted for front-proxy-client).
#[test]
fn a_left_out_leaf_restarts_only_the_pods_that_load_it() {
    for (leaf, name, pod) in [
        ("front-proxy-client", "front-proxy-client", "kube-apiserver.yaml"),
        ("etcd/server", "etcd-server", "etcd.yaml"),
    ] {
        let plan = plan_of(&distros::kubeadm_left_out(leaf).unwrap(), kubeadm::CAPTURE);
        let s = step(&plan, "kubeadm-certs-renew");
        let cmds = strs(&s["commands"]);
        let renew = at(&cmds, &format!("kubeadm certs renew {name}"));
        let restart = at(&cmds, "mkdir -p /root/kubetriage-manifests");
        assert!(renew < restart, "{cmds:#?}");
        assert_eq!(
            cmds[restart].split("   #").next().unwrap(),
            format!(
                "mkdir -p /root/kubetriage-manifests && mv /etc/kubernetes/manifests/{pod} /root/kubetriage-manifests/ \
                 && sleep 20 && mv /root/kubetriage-manifests/{pod} /etc/kubernetes/manifests/"
            ),
            "{cmds:#?}"
        );
        assert!(!cmds.iter().any(|c| c.contains("admin.conf")), "{cmds:#?}");
        assert!(!cmds.iter().any(|c| c.contains("renew all")), "{cmds:#?}");
        // The node's own servers answer the check.
        let verify = strs(&s["verify"]);
        at(&verify, "--server https://10.0.0.10:6443 get --raw /readyz");
        at(&verify, "--endpoints=https://10.0.0.10:2379");
    }
}

/// An external etcd host made by kubeadm ("Set up a High Availability etcd cluster with
/// kubeadm"): etcd's PKI and etcd.yaml, no apiserver, no admin.conf. Its expired serving
/// certificate is renewed with kubeadm, only etcd restarts, and the check is etcd's own health
/// at its advertised client URL; no admin.conf copy, no kubectl (newuser4 M2).
#[test]
fn an_external_etcd_host_is_renewed_and_checked_as_etcd() {
    let dir = tempfile::tempdir().unwrap();
    distros::kubeadm_left_out("etcd/server")
        .unwrap()
        .write_to(dir.path())
        .unwrap();
    let k = dir.path().join("etc/kubernetes");
    for entry in std::fs::read_dir(&k).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            std::fs::remove_file(&p).unwrap();
        }
    }
    for entry in std::fs::read_dir(k.join("pki")).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if p.is_file() && !name.starts_with("apiserver-etcd-client.") {
            std::fs::remove_file(&p).unwrap();
        }
    }
    for entry in std::fs::read_dir(k.join("manifests")).unwrap() {
        let p = entry.unwrap().path();
        if !p.ends_with("etcd.yaml") {
            std::fs::remove_file(&p).unwrap();
        }
    }
    for gone in ["var/lib/kubelet", "var/log", "etc/cni"] {
        let _ = std::fs::remove_dir_all(dir.path().join(gone));
    }
    let b = analyze_at(dir.path(), kubeadm::CAPTURE);
    assert_eq!(b["nodes"][0]["layout"], "kubeadm", "{:#}", b["nodes"]);
    let plan = b["plan"].as_array().unwrap();
    let s = step(plan, "kubeadm-certs-renew");
    let cmds = strs(&s["commands"]);
    let renew = at(&cmds, "kubeadm certs renew etcd-server");
    let restart = at(
        &cmds,
        "mv /etc/kubernetes/manifests/etcd.yaml /root/kubetriage-manifests/",
    );
    assert!(renew < restart, "{cmds:#?}");
    assert!(cmds[restart].contains("# restart etcd:"), "{cmds:#?}");
    let verify = strs(&s["verify"]);
    let health = at(
        &verify,
        "etcdctl --endpoints=https://10.0.0.10:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt",
    );
    assert!(verify[health].contains("endpoint health"), "{verify:#?}");
    let all = all_commands(plan);
    assert!(!all.contains("admin.conf"), "{all}");
    assert!(!all.contains("kubectl"), "{all}");
    assert!(!all.contains("kube-apiserver"), "{all}");
}

/// kubeadm's PKI folder packed on its own (`cd /etc/kubernetes && tar czf pki.tgz pki`) or
/// copied under another name: the folder's file names make it kubeadm's
/// `/etc/kubernetes/pki` wherever it sits, so the plan renews with kubeadm at the node's
/// path, never "re-issues from the CA" a bundle path such as `/pki/front-proxy-client.crt`
/// (newuser4 H3).
#[test]
fn a_kubeadm_pki_folder_on_its_own_is_renewed_with_kubeadm() {
    for folder in ["pki", "cp-1-pki"] {
        let node = tempfile::tempdir().unwrap();
        distros::kubeadm_left_out("front-proxy-client")
            .unwrap()
            .write_to(node.path())
            .unwrap();
        let bundle = tempfile::tempdir().unwrap();
        std::fs::rename(node.path().join("etc/kubernetes/pki"), bundle.path().join(folder)).unwrap();
        let b = analyze_at(bundle.path(), kubeadm::CAPTURE);
        assert_eq!(b["nodes"][0]["layout"], "kubeadm", "{folder}: {:#}", b["nodes"]);
        let expired = b["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "cert-expired")
            .unwrap_or_else(|| panic!("{folder}: no cert-expired in {b:#}"));
        // The finding keeps the bundle's own path.
        assert!(
            expired["paths"][0]
                .as_str()
                .unwrap()
                .ends_with(&format!("/{folder}/front-proxy-client.crt")),
            "{expired:#}"
        );
        let plan = b["plan"].as_array().unwrap();
        let s = step(plan, "kubeadm-certs-renew");
        let cmds = strs(&s["commands"]);
        at(
            &cmds,
            "cp -a --parents /etc/kubernetes /root/kubetriage-backup-2026-06-15/",
        );
        let renew = at(&cmds, "kubeadm certs renew front-proxy-client");
        let restart = at(
            &cmds,
            "mv /etc/kubernetes/manifests/kube-apiserver.yaml /root/kubetriage-manifests/",
        );
        assert!(renew < restart, "{cmds:#?}");
        assert!(!ids(plan).contains(&"reissue-from-current-ca"), "{:?}", ids(plan));
        let all = all_commands(plan);
        // No command names the bundle's folder as if it were a node path.
        assert!(
            !all.split([' ', '='])
                .any(|w| w.starts_with(&format!("/{folder}/"))),
            "{all}"
        );
        assert!(!all.contains("openssl"), "{all}");
    }
}

/// `left_out("apiserver")` with a Node dump whose Ready condition went Unknown at
/// `transition`, and `kubelet` lines (`var/log/kubelet.log`) when given.
fn not_ready_after_expiry(transition: &str, kubelet: Option<&str>) -> Value {
    let dir = tempfile::tempdir().unwrap();
    distros::kubeadm_left_out("apiserver")
        .unwrap()
        .write_to(dir.path())
        .unwrap();
    std::fs::create_dir_all(dir.path().join("cluster")).unwrap();
    let node = format!(
        "apiVersion: v1\nkind: Node\nmetadata:\n  name: cp-1\nstatus:\n  conditions:\n  - type: Ready\n    \
         status: \"Unknown\"\n    reason: NodeStatusUnknown\n    message: Kubelet stopped posting node status.\n    \
         lastHeartbeatTime: \"{transition}\"\n    lastTransitionTime: \"{transition}\"\n  nodeInfo:\n    \
         kubeletVersion: v1.30.2\n"
    );
    std::fs::write(dir.path().join("cluster/nodes.yaml"), node).unwrap();
    if let Some(lines) = kubelet {
        std::fs::write(dir.path().join("var/log/kubelet.log"), lines).unwrap();
    }
    analyze_at(dir.path(), kubeadm::CAPTURE)
}

fn finding_of<'a>(b: &'a Value, rule: &str) -> &'a Value {
    b["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {b:#}"))
}

/// A node that went NotReady because the apiserver's certificate expired is a symptom of that
/// certificate, by evidence: it went Ready=Unknown within minutes of the notAfter, or its
/// kubelet's failing status updates name that notAfter. The plan then renews the certificate
/// and has no separate "read why a node is not Ready" step. A NotReady node with neither
/// proof keeps its own step (newuser4 M4).
#[test]
fn a_node_not_ready_after_its_apiserver_certificate_expired_is_its_symptom() {
    let kubelet = "Jun 15 11:59:20 cp-1 kubelet[1001]: E0615 11:59:20.258176    1001 kubelet_node_status.go:535] \
                   \"Error updating node status, will retry\" err=\"error getting node \\\"cp-1\\\": Get \
                   \\\"https://10.0.0.10:6443/api/v1/nodes/cp-1?timeout=10s\\\": tls: failed to verify certificate: \
                   x509: certificate has expired or is not yet valid: current time 2026-06-15T11:59:20Z is after \
                   2026-06-01T00:00:00Z\"\n";
    for (transition, lines) in [
        // 41 s after the notAfter: the node controller's grace period.
        ("2026-06-01T00:00:41Z", None),
        // Days later (a restart since), but the kubelet names the notAfter.
        ("2026-06-09T08:00:00Z", Some(kubelet)),
    ] {
        let b = not_ready_after_expiry(transition, lines);
        let cause = finding_of(&b, "cert-expired");
        let nr = finding_of(&b, "node-not-ready");
        assert_eq!(
            nr["explained_by"],
            serde_json::json!([cause["id"]]),
            "{transition}: {nr:#}"
        );
        let plan = b["plan"].as_array().unwrap();
        assert_eq!(ids(plan), ["kubeadm-certs-renew"], "{transition}");
    }
    // Not Ready days after the expiry and no kubelet line naming it: no proof, its own step.
    let b = not_ready_after_expiry("2026-06-09T08:00:00Z", None);
    let nr = finding_of(&b, "node-not-ready");
    assert!(
        nr["explained_by"].as_array().is_none_or(|a| a.is_empty()),
        "{nr:#}"
    );
    assert!(ids(b["plan"].as_array().unwrap()).contains(&"inspect-node-kubelet"));
}

/// A kubeadm node without the CA key its certificates need (kubeadm's HA etcd guide keeps
/// `etcd/ca.key` on one host; the others get their certificates made there): the plan says
/// where to make them and never runs a `kubeadm certs renew` that fails for want of the key
/// (newuser round 9, case 4).
#[test]
fn a_node_without_the_ca_key_gets_its_certificates_made_where_the_key_is() {
    let mut tree = distros::kubeadm_one_year().unwrap();
    let keys: Vec<String> = tree
        .entries
        .keys()
        .filter(|p| p.ends_with("etc/kubernetes/pki/etcd/ca.key"))
        .cloned()
        .collect();
    assert!(!keys.is_empty());
    for k in keys {
        tree.entries.remove(&k);
    }
    let plan = plan_of(&tree, distros::ONE_YEAR_LATER);
    let s = step(&plan, "kubeadm-certs-renew");
    let cmds = strs(&s["commands"]);
    let note = at(&cmds, "holds no /etc/kubernetes/pki/etcd/ca.key");
    let renew = at(&cmds, "kubeadm certs renew all");
    assert!(note < renew, "{cmds:#?}");
    assert!(cmds[renew].starts_with("# "), "{cmds:#?}");
}

/// A manifest cannot steer the verify lines (hostile round 9, case 04): a name in
/// `--advertise-address`, a host in `--advertise-client-urls` and the system trust store as
/// `--trusted-ca-file` are not the node's own apiserver and etcd; the plan falls back to the
/// loopback address and kubeadm's etcd CA.
#[test]
fn manifest_flags_do_not_steer_verify_lines_to_another_host() {
    use kubetriage_testgen::tree::Entry;
    let mut tree = distros::kubeadm_ha().unwrap();
    for (path, e) in tree.entries.iter_mut() {
        if let Entry::File { data, .. } = e {
            if path.ends_with("manifests/kube-apiserver.yaml") || path.ends_with("manifests/etcd.yaml") {
                let text = String::from_utf8(data.clone()).unwrap();
                let text = hostile_flags(&text);
                *data = text.into_bytes();
            }
        }
    }
    let plan = plan_of(&tree, time::macros::datetime!(2026-12-25 12:00:00 UTC));
    let s = step(&plan, "kubeadm-certs-renew");
    let lines: Vec<String> = strs(&s["commands"])
        .into_iter()
        .chain(strs(&s["verify"]))
        .filter(|l| l.contains("--server") || l.contains("etcdctl"))
        .collect();
    assert!(!lines.is_empty(), "{s:#}");
    for l in &lines {
        assert!(
            !l.contains("evil.example") && !l.contains("ca-certificates.crt"),
            "{l}"
        );
    }
}

/// Puts hostile values in the apiserver's and etcd's flags.
fn hostile_flags(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.contains("--advertise-address=") {
                l.split("--advertise-address=").next().unwrap().to_string()
                    + "--advertise-address=evil.example"
            } else if l.contains("--advertise-client-urls=") {
                l.split("--advertise-client-urls=").next().unwrap().to_string()
                    + "--advertise-client-urls=https://evil.example:2379"
            } else if l.contains("- --trusted-ca-file=") {
                l.split("--trusted-ca-file=").next().unwrap().to_string()
                    + "--trusted-ca-file=/etc/ssl/certs/ca-certificates.crt"
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expired certificates kept by hand in `/etc/kubernetes/pki` that kubeadm does not manage
/// (a webhook's, an OIDC proxy's): `kubeadm certs renew <name>` refuses their names and
/// `renew all` skips them, so they are re-issued from their CA with a note saying why, and
/// they never count toward renewing (and restarting) the whole control plane (hostile
/// round 9, case 06).
#[test]
fn certificates_kubeadm_does_not_manage_are_reissued_not_renewed_with_kubeadm() {
    use kubetriage_testgen::certs::{CertSpec, validity};
    use kubetriage_testgen::keys::KeyKind;
    for names in [&["webhook"][..], &["webhook", "oidc-proxy", "audit-webhook"]] {
        let pki = kubeadm::ClusterPki::new("foreign").unwrap();
        let (mut t, _) = kubeadm::control_plane_node("foreign", &pki, "cp-1", "10.0.0.10").unwrap();
        for n in names {
            let c = pki
                .ca
                .issue(
                    &format!("foreign/{n}"),
                    KeyKind::EcP256,
                    CertSpec::new(&format!("{n}.tenant-a.svc"), validity(2025, 1, 1, 2026, 6, 1)).server(),
                )
                .unwrap();
            t.file(&format!("etc/kubernetes/pki/{n}.crt"), c.pem());
            t.secret_file(&format!("etc/kubernetes/pki/{n}.key"), c.key_pem().unwrap());
        }
        let b = bundle_of(&t, kubeadm::CAPTURE);
        let plan = b["plan"].as_array().unwrap();
        assert!(
            !ids(plan).contains(&"kubeadm-certs-renew"),
            "{names:?}: {:?}",
            ids(plan)
        );
        step(plan, "reissue-from-current-ca");
        let all = all_commands(plan);
        assert!(!all.contains("kubeadm certs renew"), "{names:?}: {all}");
        assert!(
            !all.contains("/etc/kubernetes/manifests/etcd.yaml"),
            "{names:?}: {all}"
        );
        for n in names {
            let f = b["findings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| {
                    f["rule"] == "cert-expired"
                        && f["message"]
                            .as_str()
                            .unwrap()
                            .starts_with(&format!("{n}.tenant-a.svc "))
                })
                .unwrap_or_else(|| panic!("no cert-expired for {n} in {b:#}"));
            assert!(
                f["message"].as_str().unwrap().contains(&format!(
                    "kubeadm does not manage /etc/kubernetes/pki/{n}.crt (`kubeadm certs renew` knows only its own certificates"
                )),
                "{f:#}"
            );
            assert!(
                all.contains(&format!("/etc/kubernetes/pki/{n}.crt")),
                "{n}: {all}"
            );
        }
    }
}
