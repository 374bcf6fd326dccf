//! A kubeadm node whose CA was re-created under the same name ("kubernetes") where only
//! `apiserver.crt` is still signed by the old key: every kubeconfig, `--client-ca-file` and
//! `kube-root-ca.crt` hold the new CA. Rendered at test time over the healthy kubeadm tree.

use anyhow::Result;

use crate::certs::{Ca, CertSpec, validity};
use crate::keys::{Key, KeyKind};
use crate::tree::Tree;

/// The healthy kubeadm tree with `apiserver.crt`/`.key` re-issued by an old CA of the same
/// subject and another key.
pub fn only_apiserver_old(mut healthy: Tree) -> Result<Tree> {
    // The old CA: same subject, another key (Ed25519 and EC keys keep this quick in debug).
    let old = Ca::with_key(
        Key::ed25519("same-dn-rotation/old-ca")?,
        CertSpec::ca("kubernetes", validity(2025, 1, 1, 2035, 1, 1)),
    )?;
    let sans = [
        "cp-1",
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        "kubernetes.default.svc.cluster.local",
        "10.96.0.1",
        "10.0.0.10",
    ];
    let api = old.issue(
        "same-dn-rotation/apiserver",
        KeyKind::EcP256,
        CertSpec::new("kube-apiserver", validity(2026, 1, 10, 2027, 1, 10))
            .server()
            .sans(&sans),
    )?;
    healthy.file("etc/kubernetes/pki/apiserver.crt", api.pem());
    healthy.secret_file("etc/kubernetes/pki/apiserver.key", api.key_pem()?);
    Ok(healthy)
}
