//! The apiserver ↔ kubelet trust edges: the kubelet's serving certificate, verified by the
//! apiserver's `--kubelet-certificate-authority` on every node, and the apiserver's kubelet
//! client certificate, verified by the kubelet's client CA. Each test asserts the findings a
//! user sees, so removing an edge fails them.

#![allow(clippy::unwrap_used)]

mod pki_support;

use kubetriage::artifact::PodOrigin;
use kubetriage::catalog::Catalog;
use kubetriage::finding::{Finding, Severity};
use kubetriage::plan::{self, PlanStep};
use kubetriage_testgen::certs::{Ca, CertSpec, kubelet_self_signed, validity};
use kubetriage_testgen::keys::{Key, KeyKind};
use pki_support::*;
use time::macros::datetime;

const PKI: &str = "master-01/etc/kubernetes/pki";
const DATED: &str = "/var/lib/kubelet/pki/kubelet-server-2026-05-01-10-00-00.pem";
const CURRENT: &str = "/var/lib/kubelet/pki/kubelet-server-current.pem";
const KUBELET_CA_FLAG: &str = "--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt";

/// A kubeadm control plane on master-01 (CA, apiserver serving pair, the apiserver static pod
/// with `extra` flags) and a worker node, worker-01.
fn cluster(b: &mut B, extra: &[&str]) -> Ca {
    let ca = ca("kubeadm-ca", "kubernetes");
    let apiserver = ca
        .issue(
            "apiserver",
            KeyKind::EcP256,
            CertSpec::new("kube-apiserver", long()).server().sans(API_SANS),
        )
        .unwrap();
    b.node("worker-01")
        .file(&format!("{PKI}/ca.crt"), &ca.pem())
        .file(&format!("{PKI}/apiserver.crt"), &apiserver.pem())
        .file(&format!("{PKI}/apiserver.key"), &apiserver.key_pem().unwrap())
        .pod(
            "master-01/etc/kubernetes/manifests/kube-apiserver.yaml",
            PodOrigin::StaticManifest,
            &kubeadm_apiserver(extra),
        );
    ca
}

/// A kubelet serving pair issued by `ca` for `node`, laid out as the kubelet's certificate
/// manager does with serverTLSBootstrap: a dated PEM holding certificate and key, and the
/// `kubelet-server-current.pem` symlink to it.
fn rotated_serving(b: &mut B, ca: &Ca, node: &str) {
    rotated_serving_with(b, ca, node, &[node]);
}

/// [`rotated_serving`] with the SANs `sans` (the kubelet asks for its node's addresses).
fn rotated_serving_with(b: &mut B, ca: &Ca, node: &str, sans: &[&str]) {
    let cert = ca
        .issue(
            &format!("kubelet-serving-{node}-{}", sans.join("-")),
            KeyKind::EcP256,
            CertSpec::new(&format!("system:node:{node}"), long())
                .org("system:nodes")
                .server()
                .sans(sans),
        )
        .unwrap();
    b.file(&format!("{node}{DATED}"), &cert.cert_and_key_pem().unwrap())
        .link(&format!("{node}{CURRENT}"), DATED);
}

/// A lingering self-signed serving pair for `node`, shaped like the kubelet's own (a
/// throwaway CA `<node>-ca@<unix>` signs `<node>@<unix>`; `kubelet.crt` holds both), with
/// fast keys: the tests that only need it to be present use this one.
fn lingering_self_signed(b: &mut B, node: &str) {
    let throwaway = ca(&format!("{node}-throwaway"), &format!("{node}-ca@1767261600"));
    let leaf = throwaway
        .issue(
            &format!("{node}-self-signed"),
            KeyKind::EcP256,
            CertSpec::new(&format!("{node}@1767261600"), long())
                .server()
                .sans(&[node]),
        )
        .unwrap();
    b.file(
        &format!("{node}/var/lib/kubelet/pki/kubelet.crt"),
        &format!("{}{}", leaf.pem(), throwaway.pem()),
    )
    .file(
        &format!("{node}/var/lib/kubelet/pki/kubelet.key"),
        &leaf.key_pem().unwrap(),
    );
}

/// The self-signed kubelet.crt/kubelet.key the kubelet writes when it has no serving
/// certificate configured.
fn self_signed_pair(b: &mut B, node: &str) {
    let (crt, key) = kubelet_self_signed(node, datetime!(2026-01-01 10:00 UTC)).unwrap();
    b.file(&format!("{node}/var/lib/kubelet/pki/kubelet.crt"), &crt)
        .file(&format!("{node}/var/lib/kubelet/pki/kubelet.key"), &key);
}

fn ca_mismatches(fs: &[Finding]) -> Vec<&Finding> {
    of(fs, "ca-mismatch")
}

/// Asserts that the finding's message holds `text`, showing the message when it does not.
fn says(f: &Finding, text: &str) {
    assert!(f.message.contains(text), "{}", f.message);
}

fn purpose(f: &Finding) -> &str {
    f.evidence.get("purpose").and_then(|v| v.as_str()).unwrap_or("")
}

#[test]
fn a_kubelet_serving_cert_from_another_ca_is_a_mismatch_when_the_apiserver_verifies() {
    let mut b = B::new();
    let cluster_ca = cluster(&mut b, &[KUBELET_CA_FLAG]);
    let other = ca("rogue-ca", "kubernetes");
    rotated_serving(&mut b, &cluster_ca, "master-01");
    rotated_serving(&mut b, &other, "worker-01");
    let snap = b.finish();
    let fs = findings(&snap);
    let hits = ca_mismatches(&fs);
    assert_eq!(hits.len(), 1, "{:#?}", above_info(&fs));
    let f = hits[0];
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(purpose(f), "kubelet-serving");
    assert_eq!(f.node.as_deref(), Some("worker-01"));
    let dated = format!("worker-01{DATED}");
    assert!(f.paths.contains(&dated), "{:?}", f.paths);
    assert!(
        f.message
            .contains("kube-apiserver --kubelet-certificate-authority")
            && f.message.contains(
                "kubelet on worker-01 (/var/lib/kubelet/pki/kubelet-server-current.pem, rotated pair"
            )
            && f.message.contains("system:node:worker-01")
            && f.message.contains("same name"),
        "{}",
        f.message
    );
    // master-01's kubelet presents a certificate of the cluster CA: no finding names it.
    assert!(
        !fs.iter()
            .any(|f| f.paths.contains(&format!("master-01{DATED}")) && f.severity > Severity::Info)
    );
}

#[test]
fn without_kubelet_certificate_authority_nothing_about_kubelet_serving_certs_fails() {
    let mut b = B::new();
    let cluster_ca = cluster(&mut b, &[]);
    let other = ca("rogue-ca", "kubernetes");
    rotated_serving(&mut b, &cluster_ca, "master-01");
    rotated_serving(&mut b, &other, "worker-01");
    // kubeadm's default: the kubelet's self-signed pair, which no apiserver flag verifies.
    lingering_self_signed(&mut b, "worker-01");
    let snap = b.finish();
    assert!(!snap.trust.iter().any(|e| e.purpose.as_str() == "kubelet-serving"));
    let fs = findings(&snap);
    assert!(ca_mismatches(&fs).is_empty(), "{:#?}", above_info(&fs));
}

#[test]
fn server_tls_bootstrap_picks_the_rotated_pair_over_a_lingering_self_signed_one() {
    let mut b = B::new();
    let cluster_ca = cluster(&mut b, &[KUBELET_CA_FLAG]);
    rotated_serving(&mut b, &cluster_ca, "master-01");
    rotated_serving(&mut b, &cluster_ca, "worker-01");
    lingering_self_signed(&mut b, "worker-01");
    let config =
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nserverTLSBootstrap: true\n";
    b.kubelet_config("worker-01/var/lib/kubelet/config.yaml", config);
    let snap = b.finish();
    let fs = findings(&snap);
    assert!(ca_mismatches(&fs).is_empty(), "{:#?}", above_info(&fs));
    let edges: Vec<_> = snap
        .trust
        .iter()
        .filter(|e| e.purpose.as_str() == "kubelet-serving")
        .collect();
    assert_eq!(edges.len(), 2, "{edges:#?}");
    assert!(edges.iter().all(|e| e.holds(&snap)));
}

#[test]
fn a_kubelet_configured_without_bootstrap_or_cert_serves_its_self_signed_pair() {
    let mut b = B::new();
    let cluster_ca = cluster(&mut b, &[KUBELET_CA_FLAG]);
    rotated_serving(&mut b, &cluster_ca, "master-01");
    // The dated pair lingers from an earlier serverTLSBootstrap; the configuration now says
    // neither serverTLSBootstrap nor tlsCertFile, so the kubelet serves kubelet.crt.
    rotated_serving(&mut b, &cluster_ca, "worker-01");
    self_signed_pair(&mut b, "worker-01");
    let config = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt\n";
    b.kubelet_config("worker-01/var/lib/kubelet/config.yaml", config);
    let snap = b.finish();
    let fs = findings(&snap);
    let hits = ca_mismatches(&fs);
    assert_eq!(hits.len(), 1, "{:#?}", above_info(&fs));
    assert_eq!(purpose(hits[0]), "kubelet-serving");
    assert!(
        hits[0]
            .paths
            .contains(&"worker-01/var/lib/kubelet/pki/kubelet.crt".to_string()),
        "{:?}",
        hits[0].paths
    );
    says(hits[0], "worker-01@");
}

#[test]
fn tls_cert_file_names_the_serving_cert() {
    let mut b = B::new();
    let cluster_ca = cluster(&mut b, &[KUBELET_CA_FLAG]);
    rotated_serving(&mut b, &cluster_ca, "master-01");
    let other = ca("rogue-ca", "kubelet-ca");
    let cert = other
        .issue(
            "worker-serving",
            KeyKind::EcP256,
            CertSpec::new("worker-01", long()).server().sans(&["worker-01"]),
        )
        .unwrap();
    b.file("worker-01/etc/kubernetes/pki/kubelet-serving.crt", &cert.pem());
    let config = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ntlsCertFile: /etc/kubernetes/pki/kubelet-serving.crt\ntlsPrivateKeyFile: /etc/kubernetes/pki/kubelet-serving.key\n";
    b.kubelet_config("worker-01/var/lib/kubelet/config.yaml", config);
    let snap = b.finish();
    let fs = findings(&snap);
    let hits = ca_mismatches(&fs);
    assert_eq!(hits.len(), 1, "{:#?}", above_info(&fs));
    says(
        hits[0],
        "kubelet --tls-cert-file (worker-01/var/lib/kubelet/config.yaml)",
    );
    assert!(
        hits[0]
            .paths
            .contains(&"worker-01/etc/kubernetes/pki/kubelet-serving.crt".to_string())
    );
    // Not the same name as a trusted CA: no claim of a same-name re-creation.
    assert!(!hits[0].message.contains("same name"), "{}", hits[0].message);
}

#[test]
fn an_expired_kubelet_serving_cert_is_an_error_where_the_apiserver_uses_it() {
    let mut b = B::new();
    let cluster_ca = cluster(&mut b, &[KUBELET_CA_FLAG]);
    rotated_serving(&mut b, &cluster_ca, "master-01");
    let old = cluster_ca
        .issue(
            "worker-serving-expired",
            KeyKind::EcP256,
            CertSpec::new("system:node:worker-01", validity(2025, 1, 1, 2026, 1, 1))
                .server()
                .sans(&["worker-01"]),
        )
        .unwrap();
    b.file(&format!("worker-01{DATED}"), &old.cert_and_key_pem().unwrap())
        .link(&format!("worker-01{CURRENT}"), DATED);
    let snap = b.finish();
    let fs = findings(&snap);
    let expired = of(&fs, "cert-expired");
    assert_eq!(expired.len(), 1, "{:#?}", above_info(&fs));
    assert_eq!(expired[0].severity, Severity::Error);
    assert!(expired[0].paths.contains(&format!("worker-01{DATED}")));
    assert!(!expired[0].message.contains("nothing references"));
    // Signed by the trusted CA: an expired certificate, not a CA mismatch.
    assert!(ca_mismatches(&fs).is_empty(), "{:#?}", above_info(&fs));
}

#[test]
fn the_kubelet_trusts_the_apiserver_kubelet_client_cert_by_its_client_ca() {
    let mut b = B::new();
    cluster(
        &mut b,
        &[
            "--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt",
            "--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
        ],
    );
    let other = ca("rogue-ca", "kubernetes");
    let client = other
        .issue(
            "apiserver-kubelet-client",
            KeyKind::EcP256,
            CertSpec::new("kube-apiserver-kubelet-client", long())
                .org("kubeadm:cluster-admins")
                .client(),
        )
        .unwrap();
    b.file(&format!("{PKI}/apiserver-kubelet-client.crt"), &client.pem())
        .file(
            &format!("{PKI}/apiserver-kubelet-client.key"),
            &client.key_pem().unwrap(),
        );
    let config = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt\n";
    b.kubelet_config("master-01/var/lib/kubelet/config.yaml", config);
    let snap = b.finish();
    let fs = findings(&snap);
    let hits = ca_mismatches(&fs);
    assert_eq!(hits.len(), 1, "{:#?}", above_info(&fs));
    assert_eq!(purpose(hits[0]), "kubelet-client");
    assert!(
        hits[0]
            .message
            .contains("kubelet --client-ca-file (master-01/var/lib/kubelet/config.yaml)")
            && hits[0]
                .message
                .contains("kube-apiserver --kubelet-client-certificate"),
        "{}",
        hits[0].message
    );
    assert!(
        hits[0]
            .paths
            .contains(&format!("{PKI}/apiserver-kubelet-client.crt"))
    );
}

/// kubeadm's systemd drop-in, as the kubeadm packages install it
/// (`/etc/systemd/system/kubelet.service.d/10-kubeadm.conf`).
const DROP_IN: &str = "etc/systemd/system/kubelet.service.d/10-kubeadm.conf";

/// `node`'s kubelet as kubeadm runs it: the drop-in's `ExecStart`, reading
/// `KUBELET_KUBEADM_ARGS` from `kubeadm-flags.env` and `KUBELET_EXTRA_ARGS` from
/// `/etc/default/kubelet`.
fn kubeadm_drop_in(b: &mut B, node: &str) {
    b.unit_with_files(
        &format!("{node}/{DROP_IN}"),
        "kubelet.service",
        &[
            "/usr/bin/kubelet",
            "$KUBELET_KUBECONFIG_ARGS",
            "$KUBELET_CONFIG_ARGS",
            "$KUBELET_KUBEADM_ARGS",
            "$KUBELET_EXTRA_ARGS",
        ],
        &[
            (
                "KUBELET_KUBECONFIG_ARGS",
                "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf",
            ),
            ("KUBELET_CONFIG_ARGS", "--config=/var/lib/kubelet/config.yaml"),
        ],
        &["/var/lib/kubelet/kubeadm-flags.env", "/etc/default/kubelet"],
    );
}

#[test]
fn tls_cert_file_in_kubeadm_flags_env_names_the_serving_cert() {
    let mut b = B::new();
    let cluster_ca = cluster(&mut b, &[KUBELET_CA_FLAG]);
    rotated_serving(&mut b, &cluster_ca, "master-01");
    // worker-01: its only kubelet TLS setting is --tls-cert-file in kubeadm-flags.env; a
    // certificate of the cluster CA lingers in kubelet.crt, which the kubelet does not serve.
    kubeadm_drop_in(&mut b, "worker-01");
    b.env_file(
        "worker-01/var/lib/kubelet/kubeadm-flags.env",
        "KUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.9 --node-ip=10.0.0.21 --tls-cert-file=/etc/kubernetes/pki/kubelet-serving.crt --tls-private-key-file=/etc/kubernetes/pki/kubelet-serving.key\"\n",
    );
    let lingering = cluster_ca
        .issue(
            "worker-lingering",
            KeyKind::EcP256,
            CertSpec::new("worker-01", long()).server().sans(&["worker-01"]),
        )
        .unwrap();
    b.file("worker-01/var/lib/kubelet/pki/kubelet.crt", &lingering.pem());
    let other = ca("rogue-ca", "kubelet-ca");
    let served = other
        .issue(
            "worker-serving",
            KeyKind::EcP256,
            CertSpec::new("worker-01", long()).server().sans(&["worker-01"]),
        )
        .unwrap();
    b.file("worker-01/etc/kubernetes/pki/kubelet-serving.crt", &served.pem());
    let snap = b.finish();
    let edges: Vec<_> = snap
        .trust
        .iter()
        .filter(|e| e.purpose.as_str() == "kubelet-serving" && e.node == Some(1))
        .collect();
    assert_eq!(edges.len(), 1, "{edges:#?}");
    assert_eq!(
        edges[0].peer_at.path(),
        "worker-01/etc/kubernetes/pki/kubelet-serving.crt"
    );
    let fs = findings(&snap);
    let hits = ca_mismatches(&fs);
    assert_eq!(hits.len(), 1, "{:#?}", above_info(&fs));
    assert_eq!(purpose(hits[0]), "kubelet-serving");
    assert!(
        hits[0]
            .paths
            .contains(&"worker-01/etc/kubernetes/pki/kubelet-serving.crt".to_string()),
        "{:?}",
        hits[0].paths
    );
    says(
        hits[0],
        &format!(
            "kubelet --tls-cert-file (worker-01/{DROP_IN}, set in worker-01/var/lib/kubelet/kubeadm-flags.env)"
        ),
    );
}

#[test]
fn extra_args_in_etc_default_kubelet_override_kubeadm_flags() {
    let mut b = B::new();
    let cluster_ca = cluster(&mut b, &[KUBELET_CA_FLAG]);
    rotated_serving(&mut b, &cluster_ca, "master-01");
    kubeadm_drop_in(&mut b, "worker-01");
    // KUBELET_EXTRA_ARGS comes last on the command line and wins.
    b.env_file(
        "worker-01/var/lib/kubelet/kubeadm-flags.env",
        "KUBELET_KUBEADM_ARGS=\"--tls-cert-file=/etc/kubernetes/pki/rogue.crt\"\n",
    )
    .env_file(
        "worker-01/etc/default/kubelet",
        "KUBELET_EXTRA_ARGS=--tls-cert-file=/etc/kubernetes/pki/kubelet-serving.crt\n",
    );
    let good = cluster_ca
        .issue(
            "worker-serving-good",
            KeyKind::EcP256,
            CertSpec::new("worker-01", long()).server().sans(&["worker-01"]),
        )
        .unwrap();
    b.file("worker-01/etc/kubernetes/pki/kubelet-serving.crt", &good.pem());
    let rogue = ca("rogue-ca", "kubelet-ca")
        .issue(
            "worker-serving-rogue",
            KeyKind::EcP256,
            CertSpec::new("worker-01", long()).server().sans(&["worker-01"]),
        )
        .unwrap();
    b.file("worker-01/etc/kubernetes/pki/rogue.crt", &rogue.pem());
    let snap = b.finish();
    let fs = findings(&snap);
    assert!(ca_mismatches(&fs).is_empty(), "{:#?}", above_info(&fs));
    let edge = snap
        .trust
        .iter()
        .find(|e| e.purpose.as_str() == "kubelet-serving" && e.node == Some(1))
        .unwrap();
    assert_eq!(
        edge.peer_at.path(),
        "worker-01/etc/kubernetes/pki/kubelet-serving.crt"
    );
    assert!(
        edge.presenter.contains("set in worker-01/etc/default/kubelet"),
        "{}",
        edge.presenter
    );
}

#[test]
fn rotate_server_certificates_false_on_the_command_line_beats_server_tls_bootstrap_in_the_file() {
    let mut b = B::new();
    let cluster_ca = cluster(&mut b, &[KUBELET_CA_FLAG]);
    rotated_serving(&mut b, &cluster_ca, "master-01");
    // worker-01's rotated pair is the cluster CA's, but the command line turns rotation off:
    // the kubelet serves its self-signed kubelet.crt, which the apiserver does not trust.
    rotated_serving(&mut b, &cluster_ca, "worker-01");
    self_signed_pair(&mut b, "worker-01");
    b.kubelet_config(
        "worker-01/var/lib/kubelet/config.yaml",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nserverTLSBootstrap: true\n",
    );
    b.unit(
        "worker-01/etc/systemd/system/kubelet.service",
        "kubelet.service",
        &[
            "/usr/bin/kubelet",
            "--config=/var/lib/kubelet/config.yaml",
            "--rotate-server-certificates=false",
        ],
        &[],
    );
    let snap = b.finish();
    let fs = findings(&snap);
    let hits = ca_mismatches(&fs);
    assert_eq!(hits.len(), 1, "{:#?}", above_info(&fs));
    assert_eq!(purpose(hits[0]), "kubelet-serving");
    assert!(
        hits[0]
            .paths
            .contains(&"worker-01/var/lib/kubelet/pki/kubelet.crt".to_string()),
        "{:?}",
        hits[0].paths
    );
    says(
        hits[0],
        "--rotate-server-certificates=false on the command line overrides serverTLSBootstrap: true in worker-01/var/lib/kubelet/config.yaml",
    );
}

#[test]
fn rotate_server_certificates_on_the_command_line_turns_rotation_on_against_the_file() {
    let mut b = B::new();
    let cluster_ca = cluster(&mut b, &[KUBELET_CA_FLAG]);
    rotated_serving(&mut b, &cluster_ca, "master-01");
    rotated_serving(&mut b, &cluster_ca, "worker-01");
    lingering_self_signed(&mut b, "worker-01");
    b.kubelet_config(
        "worker-01/var/lib/kubelet/config.yaml",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nserverTLSBootstrap: false\n",
    );
    b.unit(
        "worker-01/etc/systemd/system/kubelet.service",
        "kubelet.service",
        &["/usr/bin/kubelet", "--rotate-server-certificates"],
        &[],
    );
    let snap = b.finish();
    let fs = findings(&snap);
    assert!(ca_mismatches(&fs).is_empty(), "{:#?}", above_info(&fs));
    let edge = snap
        .trust
        .iter()
        .find(|e| e.purpose.as_str() == "kubelet-serving" && e.node == Some(1))
        .unwrap();
    assert_eq!(edge.peer_at.path(), format!("worker-01{DATED}"));
    assert!(
        edge.presenter.contains("--rotate-server-certificates)"),
        "{}",
        edge.presenter
    );
}

#[test]
fn the_bundle_reader_reads_kubeadm_flags_env_into_the_kubelet_flags() {
    let dir = tempfile::tempdir().unwrap();
    let put = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    put("etc/hostname", "worker-01\n");
    put(
        DROP_IN,
        "# Note: This dropin only works with kubeadm and kubelet v1.11+\n[Service]\nEnvironment=\"KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf\"\nEnvironment=\"KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml\"\nEnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env\nEnvironmentFile=-/etc/default/kubelet\nExecStart=\nExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS\n",
    );
    put(
        "var/lib/kubelet/kubeadm-flags.env",
        "KUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.9 --node-ip=10.0.0.21\"\n",
    );
    put(
        "etc/default/kubelet",
        "KUBELET_EXTRA_ARGS=--tls-cert-file=/etc/kubernetes/pki/kubelet-serving.crt\n",
    );
    let catalog = kubetriage::catalog::Catalog::builtin().unwrap();
    let opts = kubetriage::Options {
        now: Some(AT),
        ..kubetriage::Options::default()
    };
    let snap = kubetriage::ingest::from_source(
        dir.path(),
        &catalog,
        &opts,
        &mut kubetriage::engine::Stats::default(),
    )
    .unwrap();
    let comps = kubetriage::facts::config::components(&snap);
    let kubelet: Vec<_> = comps
        .iter()
        .filter(|c| c.component == kubetriage::facts::config::Component::Kubelet)
        .collect();
    assert_eq!(kubelet.len(), 1, "{kubelet:#?}");
    let k = kubelet[0];
    // Bundle paths keep the directory's name as their first folder.
    let root = k.place.strip_suffix(DROP_IN).unwrap();
    assert_eq!(k.flag("node-ip"), Some("10.0.0.21"));
    assert_eq!(k.flag("config"), Some("/var/lib/kubelet/config.yaml"));
    assert_eq!(
        k.flag("tls-cert-file"),
        Some("/etc/kubernetes/pki/kubelet-serving.crt")
    );
    assert_eq!(
        k.flag_place("tls-cert-file"),
        format!("{root}{DROP_IN}, set in {root}etc/default/kubelet")
    );
    assert!(snap.problems.is_empty(), "{:#?}", snap.problems);
}

fn plan_of(fs: &[Finding]) -> Vec<PlanStep> {
    plan::build(fs, &Catalog::builtin().unwrap())
}

fn step<'a>(plan: &'a [PlanStep], id: &str) -> &'a PlanStep {
    plan.iter().find(|s| s.id == id).unwrap_or_else(|| {
        panic!(
            "no step {id} in {:#?}",
            plan.iter().map(|s| &s.id).collect::<Vec<_>>()
        )
    })
}

fn fixes(f: &Finding) -> Vec<&str> {
    f.fixes
        .as_ref()
        .map(|v| v.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

#[test]
fn a_mismatched_rotated_serving_cert_is_requested_again_not_reissued_by_hand() {
    let mut b = B::new();
    let cluster_ca = cluster(&mut b, &[KUBELET_CA_FLAG]);
    rotated_serving(&mut b, &cluster_ca, "master-01");
    rotated_serving(&mut b, &ca("rogue-ca", "kubernetes"), "worker-01");
    let snap = b.finish();
    let fs = findings(&snap);
    let hits = ca_mismatches(&fs);
    assert_eq!(hits.len(), 1, "{:#?}", above_info(&fs));
    assert_eq!(fixes(hits[0]), ["rotate-kubelet-serving-cert"]);
    let plan = plan_of(&fs);
    assert!(
        !plan
            .iter()
            .any(|s| s.id == "reissue-from-current-ca" && s.resolves.contains(&hits[0].id)),
        "{plan:#?}"
    );
    let s = step(&plan, "rotate-kubelet-serving-cert");
    assert_eq!(s.resolves, [hits[0].id.clone()]);
    assert_eq!(s.phase, "kubeconfig-kubelet");
    assert_eq!(
        s.commands,
        [
            "test -e /root/kubetriage-backup/var/lib/kubelet/config.yaml || { mkdir -p /root/kubetriage-backup && cp -a --parents /var/lib/kubelet/config.yaml /root/kubetriage-backup/; }   # back up before changing it (an earlier backup is kept)",
            "test -e /root/kubetriage-backup/var/lib/kubelet/pki || { mkdir -p /root/kubetriage-backup && cp -a --parents /var/lib/kubelet/pki /root/kubetriage-backup/; }   # back up before changing it (an earlier backup is kept)",
            "grep -qx 'serverTLSBootstrap: true' /var/lib/kubelet/config.yaml || { sed -i '/^serverTLSBootstrap:/d' /var/lib/kubelet/config.yaml && echo 'serverTLSBootstrap: true' >> /var/lib/kubelet/config.yaml; }   # on worker-01; drop any --rotate-server-certificates=false from the kubelet's command line: flags override the file",
            "rm -f /var/lib/kubelet/pki/kubelet-server-current.pem /var/lib/kubelet/pki/kubelet-server-[0-9]*.pem && systemctl restart kubelet   # on worker-01: with no current pair the kubelet sends a new CSR",
            "kubectl get csr   # a Pending request of signer kubernetes.io/kubelet-serving by system:node:worker-01",
            "kubectl certificate approve <CSR-name>",
        ]
    );
    assert!(
        s.verify
            .contains(&"openssl verify -CAfile /etc/kubernetes/pki/ca.crt /var/lib/kubelet/pki/kubelet-server-current.pem".to_string()),
        "{:#?}",
        s.verify
    );
    assert!(
        s.caveat
            .as_deref()
            .unwrap_or("")
            .contains("--kubelet-certificate-authority")
    );
}

/// When an apiserver verifies kubelets, an expired self-signed pair breaks `kubectl logs`:
/// an error, still one finding for the pair and its throwaway CA.
#[test]
fn an_expired_self_signed_serving_cert_is_an_error_when_the_apiserver_verifies_kubelets() {
    let mut b = B::new();
    cluster(&mut b, &[KUBELET_CA_FLAG]);
    let (crt, key) = kubelet_self_signed("worker-01", datetime!(2024-06-01 10:00 UTC)).unwrap();
    b.file("worker-01/var/lib/kubelet/pki/kubelet.crt", &crt)
        .file("worker-01/var/lib/kubelet/pki/kubelet.key", &key);
    let snap = b.finish();
    let fs = findings(&snap);
    let expired: Vec<&Finding> = of(&fs, "cert-expired")
        .into_iter()
        .filter(|f| {
            f.paths
                .contains(&"worker-01/var/lib/kubelet/pki/kubelet.crt".to_string())
        })
        .collect();
    assert_eq!(expired.len(), 1, "{expired:#?}");
    assert_eq!(expired[0].severity, Severity::Error);
    assert!(!expired[0].message.contains("no apiserver verifies"));
}

#[test]
fn an_expired_self_signed_serving_cert_is_regenerated_by_the_kubelet() {
    let mut b = B::new();
    cluster(&mut b, &[]);
    let (crt, key) = kubelet_self_signed("worker-01", datetime!(2024-06-01 10:00 UTC)).unwrap();
    b.file("worker-01/var/lib/kubelet/pki/kubelet.crt", &crt)
        .file("worker-01/var/lib/kubelet/pki/kubelet.key", &key);
    b.kubelet_config(
        "worker-01/var/lib/kubelet/config.yaml",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n",
    );
    let snap = b.finish();
    let fs = findings(&snap);
    let expired: Vec<&Finding> = of(&fs, "cert-expired")
        .into_iter()
        .filter(|f| {
            f.paths
                .contains(&"worker-01/var/lib/kubelet/pki/kubelet.crt".to_string())
        })
        .collect();
    // The self-signed leaf and its throwaway CA both expired: one thing to fix, one finding,
    // about the leaf the kubelet serves. No apiserver verifies it (kubeadm's default): a
    // warning, not an error.
    assert_eq!(expired.len(), 1, "{expired:#?}");
    let leaf = expired[0];
    assert!(leaf.message.starts_with("worker-01@"), "{}", leaf.message);
    says(leaf, "its throwaway CA worker-01-ca@");
    says(leaf, "no apiserver verifies kubelet serving certificates");
    assert_eq!(leaf.severity, Severity::Warning);
    assert_eq!(fixes(leaf), ["regenerate-kubelet-self-signed-cert"]);
    let plan = plan_of(&fs);
    let s = step(&plan, "regenerate-kubelet-self-signed-cert");
    assert!(s.resolves.contains(&leaf.id));
    assert_eq!(
        s.commands,
        [
            "test -e /root/kubetriage-backup/var/lib/kubelet/pki || { mkdir -p /root/kubetriage-backup && cp -a --parents /var/lib/kubelet/pki /root/kubetriage-backup/; }   # back up before changing it (an earlier backup is kept)",
            "rm /var/lib/kubelet/pki/kubelet.crt /var/lib/kubelet/pki/kubelet.key && systemctl restart kubelet   # on worker-01: the kubelet self-signs a new pair (and its own throwaway CA) when it finds none"
        ]
    );
    assert!(
        s.caveat
            .as_deref()
            .unwrap_or("")
            .contains("--kubelet-certificate-authority")
    );
    // The caveat names no step the plan lacks: the other way is explained, not cited as a
    // step (newuser round 8, LOW).
    let caveat = s.caveat.as_deref().unwrap_or("");
    assert!(!caveat.contains("(step "), "{caveat}");
    assert!(
        caveat.contains("`kubetriage explain rotate-kubelet-serving-cert`"),
        "{caveat}"
    );
}

/// A throwaway CA `<node>-ca@<unix>` whose pair is named just `<node>` (hand-made, or an
/// older client-go) is still the kubelet's own: regenerated with the pair, never a "private
/// CA of a webhook" to renew (newuser round 9, case 3).
#[test]
fn a_throwaway_ca_whose_pair_has_no_stamp_is_still_the_kubelets_own() {
    let mut b = B::new();
    cluster(&mut b, &[]);
    let ended = kubetriage_testgen::certs::validity(2025, 1, 1, 2026, 1, 1);
    let throwaway = Ca::with_key(
        kubetriage_testgen::keys::Key::ed25519("worker-01-nostamp").unwrap(),
        CertSpec::ca("worker-01-ca@1735689600", ended),
    )
    .unwrap();
    let leaf = throwaway
        .issue(
            "worker-01-nostamp-leaf",
            KeyKind::EcP256,
            CertSpec::new("worker-01", ended).server().sans(&["worker-01"]),
        )
        .unwrap();
    b.file(
        "worker-01/var/lib/kubelet/pki/kubelet.crt",
        &format!("{}{}", leaf.pem(), throwaway.pem()),
    )
    .file(
        "worker-01/var/lib/kubelet/pki/kubelet.key",
        &leaf.key_pem().unwrap(),
    );
    let snap = b.finish();
    let fs = findings(&snap);
    let plan = plan_of(&fs);
    let ids: Vec<&str> = plan.iter().map(|s| s.id.as_str()).collect();
    assert!(ids.contains(&"regenerate-kubelet-self-signed-cert"), "{ids:?}");
    assert!(!ids.contains(&"renew-own-ca"), "{ids:?}");
}

#[test]
fn the_kubelet_step_comes_after_the_ca_rotation_it_depends_on() {
    let mut b = B::new();
    // The cluster CA expired: it must be rotated before a kubelet asks it for a certificate.
    let expired_ca = Ca::with_key(
        Key::ed25519("kubeadm-ca").unwrap(),
        CertSpec::ca("kubernetes", validity(2016, 1, 1, 2026, 1, 1)),
    )
    .unwrap();
    let apiserver = expired_ca
        .issue(
            "apiserver",
            KeyKind::EcP256,
            CertSpec::new("kube-apiserver", validity(2025, 1, 1, 2026, 1, 1))
                .server()
                .sans(API_SANS),
        )
        .unwrap();
    b.node("worker-01")
        .file(&format!("{PKI}/ca.crt"), &expired_ca.pem())
        .file(&format!("{PKI}/apiserver.crt"), &apiserver.pem())
        .pod(
            "master-01/etc/kubernetes/manifests/kube-apiserver.yaml",
            PodOrigin::StaticManifest,
            &kubeadm_apiserver(&[KUBELET_CA_FLAG]),
        );
    rotated_serving(&mut b, &ca("rogue-ca", "kubernetes"), "worker-01");
    let snap = b.finish();
    let fs = findings(&snap);
    let plan = plan_of(&fs);
    let ids: Vec<&str> = plan.iter().map(|s| s.id.as_str()).collect();
    let rotate_ca = ids.iter().position(|s| *s == "rotate-ca");
    let kubelet = ids.iter().position(|s| *s == "rotate-kubelet-serving-cert");
    assert!(rotate_ca.is_some() && kubelet > rotate_ca, "{ids:?}");
    assert_eq!(step(&plan, "rotate-kubelet-serving-cert").after, ["rotate-ca"]);
}

/// Node objects for both nodes, as `kubectl get nodes -o yaml` dumps them.
fn node_objects(b: &mut B) {
    b.k8s_node(
        "master-01",
        &[("InternalIP", "10.0.0.10"), ("Hostname", "master-01")],
    )
    .k8s_node(
        "worker-01",
        &[
            ("InternalIP", "10.0.0.21"),
            ("ExternalIP", "203.0.113.21"),
            ("Hostname", "worker-01"),
        ],
    );
}

const KUBEADM_ADDRESS_TYPES: &str = "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname";

fn san_missing(fs: &[Finding]) -> Vec<&Finding> {
    of(fs, "san-missing")
}

#[test]
fn a_kubelet_serving_cert_must_cover_the_internal_ip_the_apiserver_dials() {
    let mut b = B::new();
    let cluster_ca = cluster(&mut b, &[KUBELET_CA_FLAG, KUBEADM_ADDRESS_TYPES]);
    node_objects(&mut b);
    rotated_serving_with(&mut b, &cluster_ca, "master-01", &["master-01", "10.0.0.10"]);
    rotated_serving_with(&mut b, &cluster_ca, "worker-01", &["worker-01"]);
    let snap = b.finish();
    let fs = findings(&snap);
    let hits = san_missing(&fs);
    assert_eq!(hits.len(), 1, "{:#?}", above_info(&fs));
    let f = hits[0];
    assert_eq!(f.node.as_deref(), Some("worker-01"));
    assert!(f.paths.contains(&format!("worker-01{DATED}")), "{:?}", f.paths);
    assert_eq!(f.evidence["missing"], serde_json::json!(["10.0.0.21"]));
    assert!(
        f.message.contains(&format!("(worker-01{DATED})"))
            && f.message.contains(
                "does not cover 10.0.0.21 (the apiserver dials the kubelet on worker-01 at its InternalIP 10.0.0.21: Node worker-01 status.addresses in cluster/nodes.yaml; --kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname (master-01/etc/kubernetes/manifests/kube-apiserver.yaml))"
            )
            && f.message.contains("it has SANs worker-01"),
        "{}",
        f.message
    );
    assert_eq!(fixes(f), ["rotate-kubelet-serving-cert"]);
    assert!(ca_mismatches(&fs).is_empty(), "{:#?}", above_info(&fs));
}

#[test]
fn without_kubelet_certificate_authority_kubelet_sans_are_not_checked() {
    let mut b = B::new();
    let cluster_ca = cluster(&mut b, &[KUBEADM_ADDRESS_TYPES]);
    node_objects(&mut b);
    rotated_serving_with(&mut b, &cluster_ca, "master-01", &["master-01"]);
    rotated_serving_with(&mut b, &cluster_ca, "worker-01", &["worker-01"]);
    lingering_self_signed(&mut b, "worker-01");
    let snap = b.finish();
    let fs = findings(&snap);
    assert!(san_missing(&fs).is_empty(), "{:#?}", above_info(&fs));
}

#[test]
fn without_node_objects_the_node_ip_in_kubeadm_flags_env_is_the_address() {
    let mut b = B::new();
    let cluster_ca = cluster(&mut b, &[KUBELET_CA_FLAG, KUBEADM_ADDRESS_TYPES]);
    rotated_serving_with(&mut b, &cluster_ca, "master-01", &["master-01"]);
    rotated_serving_with(&mut b, &cluster_ca, "worker-01", &["worker-01", "10.0.0.99"]);
    kubeadm_drop_in(&mut b, "worker-01");
    b.env_file(
        "worker-01/var/lib/kubelet/kubeadm-flags.env",
        "KUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --node-ip=10.0.0.21\"\n",
    );
    b.kubelet_config(
        "worker-01/var/lib/kubelet/config.yaml",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nserverTLSBootstrap: true\n",
    );
    let snap = b.finish();
    let fs = findings(&snap);
    // master-01 has no kubelet configuration: its address is unknown, nothing is claimed.
    let hits = san_missing(&fs);
    assert_eq!(hits.len(), 1, "{:#?}", above_info(&fs));
    assert_eq!(hits[0].node.as_deref(), Some("worker-01"));
    assert_eq!(hits[0].evidence["missing"], serde_json::json!(["10.0.0.21"]));
    says(
        hits[0],
        &format!(
            "at its InternalIP 10.0.0.21: kubelet --node-ip (worker-01/{DROP_IN}, set in worker-01/var/lib/kubelet/kubeadm-flags.env)"
        ),
    );
}

#[test]
fn with_the_apiservers_default_order_the_kubelet_is_dialled_by_its_hostname() {
    let mut b = B::new();
    let cluster_ca = cluster(&mut b, &[KUBELET_CA_FLAG]);
    node_objects(&mut b);
    rotated_serving_with(&mut b, &cluster_ca, "master-01", &["master-01"]);
    rotated_serving_with(&mut b, &cluster_ca, "worker-01", &["10.0.0.21"]);
    let snap = b.finish();
    let fs = findings(&snap);
    let hits = san_missing(&fs);
    assert_eq!(hits.len(), 1, "{:#?}", above_info(&fs));
    assert_eq!(hits[0].evidence["missing"], serde_json::json!(["worker-01"]));
    assert!(
        hits[0].message.contains("at its Hostname worker-01")
            && hits[0].message.contains(
                "the apiserver's default address order Hostname,InternalDNS,InternalIP,ExternalDNS,ExternalIP"
            ),
        "{}",
        hits[0].message
    );
}
