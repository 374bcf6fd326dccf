//! `kubeadm-external-ca-ecdsa`: a healthy kubeadm control-plane node `cp-1` whose three
//! cluster CAs (`ca`, `front-proxy-ca`, `etcd/ca`) are intermediates signed by an offline
//! root that is not in the bundle, and whose leaves and kubeconfig client certificates have
//! ECDSA P-256 keys (kubeadm's `encryptionAlgorithm: ECDSA-P256`). kubeadm takes such CAs as
//! they are ("Custom certificates": `ca.crt` and `ca.key` placed before `kubeadm init`);
//! every consumer trusts the intermediate itself, so the chain ends there. Nothing should
//! fire. The CA keys are RSA: the generator signs only with deterministic signatures.

use anyhow::Result;
use serde_json::{Value, json};

use crate::certs::{Ca, CertSpec, validity};
use crate::keys::{Key, KeyKind};
use crate::kubeadm::{self, ClusterPki, NodeOpts};
use crate::logs::rfc3339;
use crate::tree::Tree;

const CLUSTER: &str = "kubeadm-external-ca-ecdsa";

/// The offline root CA (not in the bundle; tests add its certificate).
pub fn offline_root() -> Result<Ca> {
    Ca::new(
        &format!("{CLUSTER}/offline-root"),
        CertSpec::ca("Example Corp Offline Root CA", validity(2024, 1, 1, 2044, 1, 1)).org("Example Corp"),
    )
}

/// The whole bundle: `cp-1` at the bundle root plus `cluster/` dumps.
pub fn bundle() -> Result<(Tree, Value)> {
    let root = offline_root()?;
    let v = validity(2025, 1, 1, 2030, 1, 1);
    let mid = |role: &str, cn: &str| root.intermediate(&format!("{CLUSTER}/{role}"), CertSpec::ca(cn, v));
    let pki = ClusterPki {
        ca: mid("ca", "kubernetes")?,
        front_proxy_ca: mid("front-proxy-ca", "front-proxy-ca")?,
        etcd_ca: mid("etcd-ca", "etcd-ca")?,
        sa: Key::rsa(&format!("{CLUSTER}/sa"))?,
    };
    let opts = NodeOpts {
        leaf_key: Some(KeyKind::EcP256),
        ..NodeOpts::default()
    };
    let (host, ip) = ("cp-1", "10.0.0.10");
    let (mut t, mut fp) = kubeadm::control_plane_node_opts(CLUSTER, &pki, host, ip, &opts)?;
    t.entries
        .extend(kubeadm::cluster_dumps(CLUSTER, &pki, host, ip)?.entries);
    fp.insert("offline_root".to_owned(), root.fingerprint());
    Ok((t, json!({"capture_time": rfc3339(kubeadm::CAPTURE), "certs": fp})))
}
