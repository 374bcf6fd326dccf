//! The incident's self-hosted (bootkube / Container Linux) layout, built in memory: the
//! apiserver reads its certificates from a Secret mounted at /etc/kubernetes/secrets, its
//! checkpoint reads the same keys from checkpoint-secrets on the node, and etcd-member reads
//! /etc/ssl/etcd mounted at /etc/ssl/certs/etcd.

#![allow(clippy::unwrap_used)]

mod pki_support;

use kubetriage::artifact::PodOrigin;
use kubetriage::finding::Severity;
use kubetriage_testgen::certs::{CertSpec, validity};
use kubetriage_testgen::keys::KeyKind;
use pki_support::*;

const CKPT: &str =
    "master-01/etc/kubernetes/checkpoint-secrets/kube-system/kube-apiserver-7x2kq/kube-apiserver";

fn apiserver_spec(volume: &str) -> String {
    format!(
        "apiVersion: v1
kind: Pod
metadata: {{name: kube-apiserver-7x2kq, namespace: kube-system}}
spec:
  containers:
  - name: kube-apiserver
    command:
    - /hyperkube
    - apiserver
    - --advertise-address=10.0.0.10
    - --client-ca-file=/etc/kubernetes/secrets/ca.crt
    - --etcd-cafile=/etc/kubernetes/secrets/etcd-client-ca.crt
    - --etcd-certfile=/etc/kubernetes/secrets/etcd-client.crt
    - --etcd-keyfile=/etc/kubernetes/secrets/etcd-client.key
    - --service-cluster-ip-range=10.3.0.0/16
    - --tls-cert-file=/etc/kubernetes/secrets/apiserver.crt
    - --tls-private-key-file=/etc/kubernetes/secrets/apiserver.key
    volumeMounts:
    - {{name: secrets, mountPath: /etc/kubernetes/secrets}}
  volumes:
  - name: secrets
{volume}"
    )
}

#[test]
fn stale_etcd_client_pair_old_kubeconfig_ca_and_stale_service_account_cas() {
    let old_ca = ca("old-ca", "kubernetes");
    let new_ca = ca("new-ca", "kubernetes");
    let old_etcd_ca = ca("old-etcd-ca", "etcd-ca");
    let new_etcd_ca = ca("new-etcd-ca", "etcd-ca");
    let api = new_ca
        .issue(
            "apiserver",
            KeyKind::EcP256,
            CertSpec::new("kube-apiserver", long()).server_client().sans(&[
                "kubernetes",
                "kubernetes.default",
                "kubernetes.default.svc",
                "kubernetes.default.svc.cluster.local",
                "10.3.0.1",
                "10.0.0.10",
            ]),
        )
        .unwrap();
    let stale_client = old_etcd_ca
        .issue(
            "stale-etcd-client",
            KeyKind::EcP256,
            CertSpec::new("etcd-client", validity(2025, 11, 1, 2026, 11, 1)),
        )
        .unwrap();
    let etcd_server = new_etcd_ca
        .issue(
            "etcd-server",
            KeyKind::EcP256,
            CertSpec::new("etcd-server", long())
                .server_client()
                .sans(&["10.0.0.10"]),
        )
        .unwrap();
    let secret_data = [
        ("ca.crt", new_ca.pem()),
        ("apiserver.crt", api.pem()),
        ("apiserver.key", api.key_pem().unwrap()),
        ("etcd-client-ca.crt", new_etcd_ca.pem()),
        ("etcd-client.crt", stale_client.pem()),
        ("etcd-client.key", stale_client.key_pem().unwrap()),
    ];
    let mut b = B::new();
    for (k, v) in &secret_data {
        b.file(&format!("{CKPT}/{k}"), v);
    }
    let data: Vec<(&str, &str)> = secret_data.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.secret("kube-system", "kube-apiserver", "Opaque", &data);
    b.pod(
        "master-01/etc/kubernetes/manifests/kube-system-kube-apiserver-7x2kq.json",
        PodOrigin::StaticManifest,
        &apiserver_spec(
            "    hostPath: {path: /etc/kubernetes/checkpoint-secrets/kube-system/kube-apiserver-7x2kq/kube-apiserver}\n",
        ),
    );
    let ds = format!(
        "metadata: {{name: kube-apiserver, namespace: kube-system}}\nspec:\n  template:\n{}",
        apiserver_spec("    secret: {secretName: kube-apiserver}\n")
            .lines()
            .skip(2)
            .map(|l| format!("    {l}\n"))
            .collect::<String>()
    );
    b.workload("kube-system", "DaemonSet", "kube-apiserver", &ds);
    b.file("master-01/etc/ssl/etcd/ca.crt", &new_etcd_ca.pem())
        .file("master-01/etc/ssl/etcd/server.crt", &etcd_server.pem())
        .file(
            "master-01/etc/ssl/etcd/server.key",
            &etcd_server.key_pem().unwrap(),
        );
    b.unit(
        "master-01/etc/systemd/system/etcd-member.service.d/40-etcd-cluster.conf",
        "etcd-member.service",
        &[],
        &[
            ("ETCD_ADVERTISE_CLIENT_URLS", "https://10.0.0.10:2379"),
            ("ETCD_LISTEN_CLIENT_URLS", "https://0.0.0.0:2379"),
            ("ETCD_CERT_FILE", "/etc/ssl/certs/etcd/server.crt"),
            ("ETCD_KEY_FILE", "/etc/ssl/certs/etcd/server.key"),
            ("ETCD_TRUSTED_CA_FILE", "/etc/ssl/certs/etcd/ca.crt"),
        ],
    );
    b.kubeconfig(
        "master-01/etc/kubernetes/kubeconfig",
        "https://10.0.0.10:443",
        &old_ca.pem(),
        None,
    );
    let t = "kubernetes.io/service-account-token";
    b.secret(
        "kube-system",
        "kube-dns-token-8xq2v",
        t,
        &[("ca.crt", &old_ca.pem())],
    )
    .secret(
        "kube-system",
        "default-token-4kq9z",
        t,
        &[("ca.crt", &old_ca.pem())],
    );
    let snap = b.finish();
    let fs = findings(&snap);

    // The stale etcd client pair: one certificate, in the Secret and in the checkpoint copy.
    let stale_fp = stale_client.fingerprint();
    for rule in ["ca-mismatch", "cert-expired"] {
        let f = of(&fs, rule)
            .into_iter()
            .find(|f| f.evidence["fingerprint"] == stale_fp.as_str())
            .unwrap_or_else(|| panic!("{rule} for the stale etcd client: {:#?}", above_info(&fs)));
        assert_eq!(f.severity, Severity::Error);
        assert!(
            f.objects
                .contains(&"kube-system/Secret/kube-apiserver#etcd-client.crt".to_string()),
            "{:?}",
            f.objects
        );
        assert!(
            f.paths.contains(&format!("{CKPT}/etcd-client.crt")),
            "{:?}",
            f.paths
        );
        assert_eq!(
            f.fixes.as_deref(),
            Some(&["reissue-etcd-client-cert".to_string()][..])
        );
        assert_eq!(f.vars["secret"], "kube-apiserver");
    }
    let m = of(&fs, "ca-mismatch");
    let etcd = m
        .iter()
        .find(|f| f.evidence["fingerprint"] == stale_fp.as_str())
        .unwrap();
    assert!(
        etcd.message.contains("etcd --trusted-ca-file"),
        "{}",
        etcd.message
    );
    assert!(etcd.message.contains("CN=etcd-ca"), "{}", etcd.message);
    assert_eq!(etcd.vars["ca_path"], "/etc/ssl/etcd/ca.crt");
    assert_eq!(
        etcd.vars["checkpoint_dir"],
        "/etc/kubernetes/checkpoint-secrets/kube-system/kube-apiserver-7x2kq/kube-apiserver"
    );

    // The kubeconfig's old CA.
    let kc = m
        .iter()
        .find(|f| {
            f.paths
                .contains(&"master-01/etc/kubernetes/kubeconfig".to_string())
        })
        .unwrap_or_else(|| panic!("kubeconfig ca-mismatch: {m:#?}"));
    assert_eq!(kc.evidence["fingerprint"], api.fingerprint());
    assert_eq!(
        kc.fixes.as_deref(),
        Some(&["update-kubeconfig-ca".to_string(), "restart-kubelet".to_string()][..])
    );
    assert_eq!(
        m.len(),
        2,
        "{:#?}",
        m.iter().map(|f| &f.message).collect::<Vec<_>>()
    );

    // The service-account Secrets' old CA.
    let sa = of(&fs, "sa-token-stale-ca");
    assert_eq!(sa.len(), 1);
    assert_eq!(sa[0].evidence["fingerprint"], old_ca.fingerprint());
    assert_eq!(sa[0].objects.len(), 2);

    // The plan fixes etcd trust first, then the kubeconfig, then the service accounts.
    let cat = kubetriage::catalog::Catalog::builtin().unwrap();
    let plan = kubetriage::plan::build(&fs, &cat);
    let ids: Vec<&str> = plan.iter().map(|s| s.id.as_str()).collect();
    let pos = |id: &str| {
        ids.iter()
            .position(|x| *x == id)
            .unwrap_or_else(|| panic!("{id} in {ids:?}"))
    };
    assert!(pos("reissue-etcd-client-cert") < pos("update-kubeconfig-ca"));
    assert!(pos("update-kubeconfig-ca") < pos("update-sa-token-ca"));
    let step = &plan[pos("reissue-etcd-client-cert")];
    assert!(
        step.commands.iter().any(|c| c.contains(
            "kubectl -n kube-system create secret generic kube-apiserver --from-file=/etc/kubernetes/checkpoint-secrets/kube-system/kube-apiserver-7x2kq/kube-apiserver/"
        )),
        "{:#?}",
        step.commands
    );
}
