//! The certificate rules, each on a snapshot built from real certificates with pinned
//! dates: every test asserts the findings a user sees (rule id, severity, paths, objects,
//! message), so removing a rule from the catalogue fails its test.

#![allow(clippy::unwrap_used)]

mod pki_support;

use std::collections::BTreeSet;

use kubetriage::artifact::PodOrigin;
use kubetriage::finding::Severity;
use kubetriage::pki::graph::ChainError;
use kubetriage_testgen::certs::{Ca, Cert, CertSpec, validity};
use kubetriage_testgen::keys::{Key, KeyKind};
use pki_support::*;

const PKI: &str = "master-01/etc/kubernetes/pki";

struct Kubeadm {
    ca: Ca,
}

/// A healthy kubeadm control plane: CA, apiserver serving and etcd client pairs, etcd's
/// serving pair, both static pods, and an admin kubeconfig.
fn kubeadm(b: &mut B) -> Kubeadm {
    kubeadm_with(b, CertSpec::new("kube-apiserver", long()).server().sans(API_SANS))
}

/// [`kubeadm`] with another apiserver serving certificate.
fn kubeadm_with(b: &mut B, apiserver_spec: CertSpec) -> Kubeadm {
    let ca = ca("kubeadm-ca", "kubernetes");
    let etcd_ca = ca_fn("kubeadm-etcd-ca", "etcd-ca");
    let apiserver = ca.issue("apiserver", KeyKind::EcP256, apiserver_spec).unwrap();
    let etcd_client = etcd_ca
        .issue(
            "apiserver-etcd-client",
            KeyKind::EcP256,
            CertSpec::new("kube-apiserver-etcd-client", long()),
        )
        .unwrap();
    let etcd_server = etcd_ca
        .issue(
            "etcd-server",
            KeyKind::EcP256,
            CertSpec::new("master-01", long()).server_client().sans(&[
                "master-01",
                "localhost",
                "10.0.0.10",
                "127.0.0.1",
            ]),
        )
        .unwrap();
    let admin = ca
        .issue(
            "admin",
            KeyKind::Ed25519,
            CertSpec::new("kubernetes-admin", long()).org("system:masters"),
        )
        .unwrap();
    b.file(&format!("{PKI}/ca.crt"), &ca.pem())
        .file(&format!("{PKI}/apiserver.crt"), &apiserver.pem())
        .file(&format!("{PKI}/apiserver.key"), &apiserver.key_pem().unwrap())
        .file(&format!("{PKI}/etcd/ca.crt"), &etcd_ca.pem())
        .file(&format!("{PKI}/apiserver-etcd-client.crt"), &etcd_client.pem())
        .file(
            &format!("{PKI}/apiserver-etcd-client.key"),
            &etcd_client.key_pem().unwrap(),
        )
        .file(&format!("{PKI}/etcd/server.crt"), &etcd_server.pem())
        .file(&format!("{PKI}/etcd/server.key"), &etcd_server.key_pem().unwrap())
        .kubeconfig(
            "master-01/etc/kubernetes/admin.conf",
            "https://10.0.0.10:6443",
            &ca.pem(),
            Some((&admin.pem(), &admin.key_pem().unwrap())),
        )
        .pod(
            "master-01/etc/kubernetes/manifests/kube-apiserver.yaml",
            PodOrigin::StaticManifest,
            &kubeadm_apiserver(&[]),
        )
        .pod(
            "master-01/etc/kubernetes/manifests/etcd.yaml",
            PodOrigin::StaticManifest,
            ETCD_POD,
        );
    Kubeadm { ca }
}

fn ca_fn(seed: &str, cn: &str) -> Ca {
    ca(seed, cn)
}

const ETCD_POD: &str = "apiVersion: v1
kind: Pod
metadata: {name: etcd, namespace: kube-system}
spec:
  containers:
  - name: etcd
    command:
    - etcd
    - --cert-file=/etc/kubernetes/pki/etcd/server.crt
    - --key-file=/etc/kubernetes/pki/etcd/server.key
    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
    - --advertise-client-urls=https://10.0.0.10:2379
    - --listen-client-urls=https://127.0.0.1:2379,https://10.0.0.10:2379
    volumeMounts:
    - {name: etcd-certs, mountPath: /etc/kubernetes/pki/etcd}
  volumes:
  - name: etcd-certs
    hostPath: {path: /etc/kubernetes/pki/etcd}
";

#[test]
fn healthy_kubeadm_has_nothing_above_info() {
    let mut b = B::new();
    kubeadm(&mut b);
    let snap = b.finish();
    assert!(snap.trust.len() >= 4, "edges: {:#?}", snap.trust);
    assert!(snap.trust.iter().all(|e| e.holds(&snap)));
    let fs = findings(&snap);
    assert!(above_info(&fs).is_empty(), "{:#?}", above_info(&fs));
}

#[test]
fn same_dn_rotation_is_decided_by_signature_not_name() {
    let mut b = B::new();
    let k = kubeadm(&mut b);
    // The kubeconfig still trusts the old CA; the CA was re-created as CN=kubernetes with a
    // new key and re-signed the apiserver.
    let old = ca("old-ca", "kubernetes");
    b.kubeconfig(
        "master-01/etc/kubernetes/kubeconfig",
        "https://10.0.0.10:6443",
        &old.pem(),
        None,
    );
    let snap = b.finish();

    let leaf = snap
        .certs
        .certs
        .iter()
        .position(|c| c.common_name.as_deref() == Some("kube-apiserver"))
        .unwrap();
    let old_i = snap
        .certs
        .certs
        .iter()
        .position(|c| c.der == old.cert.der)
        .unwrap();
    let new_i = snap
        .certs
        .certs
        .iter()
        .position(|c| c.der == k.ca.cert.der)
        .unwrap();
    assert_eq!(
        snap.certs.certs[leaf].issuer_raw, snap.certs.certs[old_i].subject_raw,
        "names match"
    );
    assert!(matches!(
        snap.graph.chain_to(leaf, &BTreeSet::from([old_i])),
        Err(ChainError::UntrustedRoot { .. })
    ));
    assert_eq!(
        snap.graph.chain_to(leaf, &BTreeSet::from([new_i])),
        Ok(vec![leaf, new_i])
    );

    let fs = findings(&snap);
    let m = of(&fs, "ca-mismatch");
    assert_eq!(m.len(), 1, "{:#?}", above_info(&fs));
    let f = m[0];
    assert_eq!(f.severity, Severity::Error);
    assert!(
        f.paths
            .contains(&"master-01/etc/kubernetes/kubeconfig".to_string()),
        "{:?}",
        f.paths
    );
    assert!(f.paths.contains(&format!("{PKI}/apiserver.crt")), "{:?}", f.paths);
    assert_eq!(f.node.as_deref(), Some("master-01"));
    let short = snap.certs.certs[old_i].fingerprint.short();
    assert!(
        f.message
            .contains("kubeconfig master-01/etc/kubernetes/kubeconfig"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains(&format!("CN=kubernetes [{short}]")),
        "{}",
        f.message
    );
    assert!(
        f.message.contains(&snap.certs.certs[new_i].fingerprint.short()),
        "verified issuer named: {}",
        f.message
    );
    assert!(f.message.contains("same name"), "{}", f.message);
    for key in [
        "fingerprint",
        "subject",
        "issuer_verified",
        "not_after",
        "days_left",
        "locations",
    ] {
        assert!(f.evidence.contains_key(key), "evidence {key} missing");
    }
    assert_eq!(
        f.vars.get("kubeconfig").map(String::as_str),
        Some("/etc/kubernetes/kubeconfig")
    );
    assert_eq!(
        f.vars.get("signer_ca").map(String::as_str),
        Some("/etc/kubernetes/pki/ca.crt")
    );
}

#[test]
fn a_bundle_of_old_and_new_ca_trusts_both() {
    let mut b = B::new();
    let k = kubeadm(&mut b);
    let old = ca("old-ca", "kubernetes");
    let bundle = format!("{}{}", old.pem(), k.ca.pem());
    b.kubeconfig(
        "master-01/etc/kubernetes/kubeconfig",
        "https://10.0.0.10:6443",
        &bundle,
        None,
    );
    let snap = b.finish();
    let fs = findings(&snap);
    assert!(of(&fs, "ca-mismatch").is_empty(), "{:#?}", above_info(&fs));
}

#[test]
fn intermediate_chains_verify_through_the_intermediate() {
    let root = ca("root", "root-ca");
    let inter_key = Key::ed25519("intermediate").unwrap();
    let inter_cert = root
        .issue_for(inter_key, CertSpec::ca("intermediate-ca", long()))
        .unwrap();
    // Re-wrap the issued intermediate as a CA that can issue.
    let inter = Ca::with_key(
        Key::ed25519("intermediate").unwrap(),
        CertSpec::ca("intermediate-ca", long()),
    )
    .unwrap();
    let leaf = inter
        .issue(
            "apiserver",
            KeyKind::EcP256,
            CertSpec::new("kube-apiserver", long()).server().sans(API_SANS),
        )
        .unwrap();
    let mut b = B::new();
    b.file(&format!("{PKI}/ca.crt"), &root.pem())
        .file(
            &format!("{PKI}/apiserver.crt"),
            &format!("{}{}", leaf.pem(), pem_of(&inter_cert)),
        )
        .file(&format!("{PKI}/apiserver.key"), &leaf.key_pem().unwrap())
        .kubeconfig(
            "master-01/etc/kubernetes/admin.conf",
            "https://10.0.0.10:6443",
            &root.pem(),
            None,
        )
        .pod(
            "master-01/etc/kubernetes/manifests/kube-apiserver.yaml",
            PodOrigin::StaticManifest,
            &kubeadm_apiserver(&[]),
        );
    let snap = b.finish();
    let pos = |der: &[u8]| snap.certs.certs.iter().position(|c| c.der == der).unwrap();
    let (l, i, r) = (pos(&leaf.der), pos(&inter_cert.der), pos(&root.cert.der));
    assert_eq!(snap.graph.chain_to(l, &BTreeSet::from([r])), Ok(vec![l, i, r]));
    let fs = findings(&snap);
    assert!(of(&fs, "ca-mismatch").is_empty(), "{:#?}", above_info(&fs));
    // The same chain is rejected by a consumer trusting an unrelated root.
    let other = ca("other-root", "root-ca");
    b.kubeconfig(
        "master-01/root/.kube/config",
        "https://10.0.0.10:6443",
        &other.pem(),
        None,
    );
    let fs = findings(&b.finish());
    let m = of(&fs, "ca-mismatch");
    assert_eq!(m.len(), 1);
    assert!(m[0].paths.contains(&"master-01/root/.kube/config".to_string()));
}

fn pem_of(c: &Cert) -> String {
    c.pem()
}

#[test]
fn ec_key_mismatch_is_found_and_a_matching_pair_is_not() {
    let ca = ca("ca", "kubernetes");
    let good = ca
        .issue("good", KeyKind::EcP256, CertSpec::new("good", long()))
        .unwrap();
    let bad = ca
        .issue("bad", KeyKind::EcP256, CertSpec::new("bad", long()))
        .unwrap();
    let other = Key::ec("someone-else").unwrap();
    let mut b = B::new();
    b.file(&format!("{PKI}/good.crt"), &good.pem())
        .file(&format!("{PKI}/good.key"), &good.key_pem().unwrap())
        .file(&format!("{PKI}/bad.crt"), &bad.pem())
        .file(&format!("{PKI}/bad.key"), &other.private_pem().unwrap());
    let fs = findings(&b.finish());
    let m = of(&fs, "key-mismatch");
    assert_eq!(m.len(), 1, "{m:#?}");
    assert_eq!(m[0].paths, [format!("{PKI}/bad.crt"), format!("{PKI}/bad.key")]);
    assert!(m[0].message.contains("ec 256"), "{}", m[0].message);
    assert!(!m[0].message.contains("PRIVATE KEY"));
}

#[test]
fn ed25519_pairs_in_secrets_and_kubeconfigs() {
    let ca = ca("ca", "kubernetes");
    let leaf = ca
        .issue(
            "ed-leaf",
            KeyKind::Ed25519,
            CertSpec::new("ed-leaf", long()).server(),
        )
        .unwrap();
    let stranger = Key::ed25519("ed-stranger").unwrap();
    let mut b = B::new();
    b.secret(
        "default",
        "ok-tls",
        "kubernetes.io/tls",
        &[("tls.crt", &leaf.pem()), ("tls.key", &leaf.key_pem().unwrap())],
    );
    b.kubeconfig(
        "master-01/etc/kubernetes/kubeconfig",
        "https://10.0.0.10:6443",
        &ca.pem(),
        Some((&leaf.pem(), &leaf.key_pem().unwrap())),
    );
    assert!(of(&findings(&b.finish()), "key-mismatch").is_empty());
    b.secret(
        "default",
        "bad-tls",
        "kubernetes.io/tls",
        &[
            ("tls.crt", &leaf.pem()),
            ("tls.key", &stranger.private_pem().unwrap()),
        ],
    );
    let fs = findings(&b.finish());
    let m = of(&fs, "key-mismatch");
    assert_eq!(m.len(), 1);
    assert!(
        m[0].objects
            .contains(&"default/Secret/bad-tls#tls.key".to_string()),
        "{:?}",
        m[0].objects
    );
    assert_eq!(m[0].evidence["fingerprint"], leaf.fingerprint());
}

#[test]
fn service_account_key_halves_must_pair() {
    let sa = Key::ed25519("sa").unwrap();
    let other = Key::ed25519("sa-other").unwrap();
    let mut b = B::new();
    b.file(&format!("{PKI}/sa.key"), &sa.private_pem().unwrap())
        .file(&format!("{PKI}/sa.pub"), &other.public_pem().unwrap());
    let fs = findings(&b.finish());
    let m = of(&fs, "key-mismatch");
    assert_eq!(m.len(), 1);
    assert!(m[0].message.contains("not one key pair"));
}

#[test]
fn rsa_keys_in_every_encoding_have_the_certificate_key_id() {
    let ca = ca("ca", "kubernetes");
    let leaf = ca
        .issue("rsa-leaf", KeyKind::Rsa2048, CertSpec::new("rsa-leaf", long()))
        .unwrap();
    let rec = kubetriage::pki::CertRecord::from_der(&leaf.der).unwrap();
    let key = &leaf.key;
    for text in [
        key.private_pem().unwrap(),
        key.pkcs8_pem().unwrap(),
        key.public_pem().unwrap(),
    ] {
        let pem = x509_parser::pem::Pem::iter_from_buffer(text.as_bytes())
            .next()
            .unwrap()
            .unwrap();
        let (id, alg, _) = kubetriage::pki::key::parse_key(&pem.label, &pem.contents).unwrap();
        assert_eq!(id, rec.key_id, "{}", pem.label);
        assert_eq!(alg, kubetriage::pki::KeyAlgorithm::Rsa);
    }
    assert_eq!(rec.key_bits, 2048);
}

#[test]
fn expired_certificates_are_errors_in_use_and_info_as_backups() {
    let ca = ca("ca", "kubernetes");
    let old = ca
        .issue(
            "expired",
            KeyKind::EcP256,
            CertSpec::new("front-proxy-client", validity(2024, 1, 1, 2025, 1, 1)),
        )
        .unwrap();
    let older = ca
        .issue(
            "expired-bak",
            KeyKind::EcP256,
            CertSpec::new("kube-apiserver", validity(2023, 1, 1, 2024, 1, 1)),
        )
        .unwrap();
    let mut b = B::new();
    b.file(&format!("{PKI}/ca.crt"), &ca.pem())
        .file(&format!("{PKI}/front-proxy-client.crt"), &old.pem())
        .file(&format!("{PKI}/apiserver.crt.old"), &older.pem());
    let fs = findings(&b.finish());
    let m = of(&fs, "cert-expired");
    assert_eq!(m.len(), 2, "{m:#?}");
    let used = m
        .iter()
        .find(|f| f.paths == [format!("{PKI}/front-proxy-client.crt")])
        .unwrap();
    assert_eq!(used.severity, Severity::Error);
    assert_eq!(used.evidence["not_after"], "2025-01-01T00:00:00Z");
    assert_eq!(used.evidence["days_left"], -689);
    assert_eq!(used.vars["kubeadm_cert"], "front-proxy-client");
    let backup = m
        .iter()
        .find(|f| f.paths == [format!("{PKI}/apiserver.crt.old")])
        .unwrap();
    assert_eq!(backup.severity, Severity::Info);
}

#[test]
fn not_yet_valid_says_the_skew() {
    let ca = ca("ca", "kubernetes");
    let nb = AT + time::Duration::hours(3);
    let v = kubetriage_testgen::certs::Validity::new(nb, nb + time::Duration::days(365));
    let future = ca
        .issue("future", KeyKind::EcP256, CertSpec::new("kubelet", v))
        .unwrap();
    let mut b = B::new();
    b.file("master-01/var/lib/kubelet/pki/kubelet.crt", &future.pem());
    let fs = findings(&b.finish());
    let m = of(&fs, "cert-not-yet-valid");
    assert_eq!(m.len(), 1);
    assert!(m[0].message.contains("3h 0m after capture"), "{}", m[0].message);
    assert_eq!(m[0].severity, Severity::Error);
}

#[test]
fn expiring_soon_is_a_warning_within_the_window() {
    let ca = ca("ca", "kubernetes");
    let soon = ca
        .issue(
            "soon",
            KeyKind::EcP256,
            CertSpec::new("soon", validity(2026, 1, 1, 2026, 12, 10)),
        )
        .unwrap();
    let later = ca
        .issue(
            "later",
            KeyKind::EcP256,
            CertSpec::new("later", validity(2026, 1, 1, 2027, 3, 1)),
        )
        .unwrap();
    let mut b = B::new();
    b.file("master-01/etc/ssl/etcd/soon.crt", &soon.pem())
        .file("master-01/etc/ssl/etcd/later.crt", &later.pem());
    let fs = findings(&b.finish());
    let m = of(&fs, "cert-expiring-soon");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].severity, Severity::Warning);
    assert_eq!(m[0].paths, ["master-01/etc/ssl/etcd/soon.crt"]);
    assert_eq!(m[0].evidence["days_left"], 18);
}

#[test]
fn san_missing_names_what_the_apiserver_lacks() {
    let mut b = B::new();
    kubeadm_with(
        &mut b,
        CertSpec::new("kube-apiserver", long())
            .server()
            .sans(&["kubernetes", "10.0.0.10"]),
    );
    let fs = findings(&b.finish());
    let m = of(&fs, "san-missing");
    assert_eq!(m.len(), 1, "{:#?}", above_info(&fs));
    for n in ["kubernetes.default.svc.cluster.local", "10.96.0.1"] {
        assert!(m[0].message.contains(n), "{}", m[0].message);
    }
    assert_eq!(m[0].paths, [format!("{PKI}/apiserver.crt")]);
    assert!(m[0].wants_fix("reissue-apiserver-serving-cert") && !m[0].wants_fix("reissue-from-current-ca"));
}

#[test]
fn service_account_secrets_with_the_old_ca_are_stale() {
    let mut b = B::new();
    let k = kubeadm(&mut b);
    let old = ca("old-ca", "kubernetes");
    let t = "kubernetes.io/service-account-token";
    b.secret(
        "kube-system",
        "kube-dns-token-abcde",
        t,
        &[("ca.crt", &old.pem()), ("namespace", "kube-system")],
    )
    .secret("default", "default-token-xyz12", t, &[("ca.crt", &old.pem())])
    .secret("kube-system", "fresh-token-aaaaa", t, &[("ca.crt", &k.ca.pem())])
    .configmap(
        "default",
        "kube-root-ca.crt",
        &[("ca.crt", &format!("{}{}", old.pem(), k.ca.pem()))],
    );
    let fs = findings(&b.finish());
    let m = of(&fs, "sa-token-stale-ca");
    assert_eq!(m.len(), 1, "one finding for the one stale CA: {m:#?}");
    assert_eq!(
        m[0].objects,
        [
            "default/Secret/default-token-xyz12#ca.crt",
            "kube-system/Secret/kube-dns-token-abcde#ca.crt"
        ]
    );
    assert_eq!(m[0].evidence["fingerprint"], old.fingerprint());
    assert!(of(&fs, "ca-mismatch").is_empty(), "SA bundles are their own rule");
}

#[test]
fn cert_usage_flags_a_client_only_serving_cert() {
    let mut b = B::new();
    kubeadm_with(
        &mut b,
        CertSpec::new("kube-apiserver", long()).client().sans(API_SANS),
    );
    let fs = findings(&b.finish());
    let m = of(&fs, "cert-usage");
    assert_eq!(m.len(), 1, "{m:#?}");
    assert!(m[0].message.contains("lacks extendedKeyUsage serverAuth"));
    assert_eq!(m[0].severity, Severity::Warning);
}

#[test]
fn cert_weak_flags_sha1_signatures_and_short_rsa_keys() {
    let ca = ca("ca", "kubernetes");
    let leaf = ca
        .issue("weak", KeyKind::EcP256, CertSpec::new("weak", long()))
        .unwrap();
    let mut b = B::new();
    b.file(&format!("{PKI}/ca.crt"), &ca.pem())
        .file(&format!("{PKI}/weak.crt"), &leaf.pem());
    let mut snap = b.finish();
    // rcgen cannot sign with SHA-1 or make a 1024-bit key: the record is edited instead,
    // which is all the rule reads.
    for c in &mut snap.certs.certs {
        if c.der == leaf.der {
            c.signature_algorithm = "sha1WithRSAEncryption".into();
            c.key_algorithm = kubetriage::pki::KeyAlgorithm::Rsa;
            c.key_bits = 1024;
        }
    }
    let fs = findings(&snap);
    let m = of(&fs, "cert-weak");
    assert_eq!(m.len(), 1);
    assert!(m[0].message.contains("1024 bits") && m[0].message.contains("sha1WithRSAEncryption"));
}

#[test]
fn a_certificate_in_three_places_is_one_finding_with_three_locations() {
    let ca = ca("ca", "kubernetes");
    let old = ca
        .issue(
            "expired",
            KeyKind::EcP256,
            CertSpec::new("etcd-client", validity(2024, 1, 1, 2025, 1, 1)),
        )
        .unwrap();
    let mut b = B::new();
    b.file("master-01/etc/ssl/etcd/client.crt", &old.pem())
        .file("master-01/srv/copy/client.crt", &old.pem())
        .secret(
            "kube-system",
            "etcd-client-tls",
            "Opaque",
            &[("etcd-client.crt", &old.pem())],
        );
    let fs = findings(&b.finish());
    let m = of(&fs, "cert-expired");
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].evidence["locations"].as_array().unwrap().len(), 3);
    assert_eq!(m[0].paths.len(), 2);
    assert_eq!(
        m[0].objects,
        ["kube-system/Secret/etcd-client-tls#etcd-client.crt"]
    );
}
