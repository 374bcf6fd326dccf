//! Fix-plan scenarios, one per distribution, each with every leaf certificate expired and the
//! CAs valid (the state a cluster reaches a year after install when nothing renewed it):
//! - [`kubeadm_one_year`]: the `kubeadm-healthy` node judged one year after `kubeadm init`
//!   ([`ONE_YEAR_LATER`]); its leaves were issued for a year.
//! - [`kubeadm_ha`]: three kubeadm control-plane nodes `cp-1..3` sharing one cluster PKI.
//! - [`k3s_expired`] / [`rke2_expired`]: one server whose leaves under
//!   `/var/lib/rancher/{k3s,rke2}/server/tls` expired on [`RANCHER_LEAF_END`].
//!
//! Tests write the trees to a temporary folder and run `analyze --now` on them.

use anyhow::Result;
use time::OffsetDateTime;
use time::macros::datetime;

use crate::certs::{Ca, CertSpec, Validity, validity};
use crate::keys::KeyKind;
use crate::kubeadm::{self, ClusterPki};
use crate::tree::Tree;

/// One year and ten days after `kubeadm init` ([`kubeadm::INIT`]): every leaf expired.
pub const ONE_YEAR_LATER: OffsetDateTime = datetime!(2027-01-20 12:00:00 UTC);
/// When the rancher scenarios' leaves expired.
pub const RANCHER_LEAF_END: OffsetDateTime = datetime!(2026-03-01 00:00:00 UTC);
/// When the rancher scenarios are judged.
pub const RANCHER_CAPTURE: OffsetDateTime = datetime!(2026-04-01 00:00:00 UTC);

/// A kubeadm control-plane node one year after init.
pub fn kubeadm_one_year() -> Result<Tree> {
    let pki = ClusterPki::new("kubeadm-one-year")?;
    let (t, _) = kubeadm::control_plane_node("kubeadm-one-year", &pki, "cp-1", "10.0.0.10")?;
    Ok(t)
}

/// Three kubeadm control-plane nodes (`cp-1/`, `cp-2/`, `cp-3/`) one year after init.
pub fn kubeadm_ha() -> Result<Tree> {
    let pki = ClusterPki::new("kubeadm-ha")?;
    let mut t = Tree::new();
    for (i, host) in ["cp-1", "cp-2", "cp-3"].iter().enumerate() {
        let (node, _) = kubeadm::control_plane_node("kubeadm-ha", &pki, host, &format!("10.0.0.{}", 11 + i))?;
        t.merge_under(host, node);
    }
    Ok(t)
}

/// When [`kubeadm_left_out`]'s one leaf expired: five months after `kubeadm init`, the
/// other leaves still valid for seven.
pub const LEFT_OUT_END: OffsetDateTime = datetime!(2026-06-01 00:00:00 UTC);

/// The `kubeadm-healthy` node (cp-1, 10.0.0.10) whose leaf `leaf` (`front-proxy-client`,
/// `apiserver`, `etcd/server`, …) expired on [`LEFT_OUT_END`] while the others are valid: the
/// one a renewal left out. Judge it at [`kubeadm::CAPTURE`].
pub fn kubeadm_left_out(leaf: &str) -> Result<Tree> {
    let pki = ClusterPki::new("kubeadm-left-out")?;
    let opts = kubeadm::NodeOpts {
        left_out: Some((leaf, Validity::new(kubeadm::INIT, LEFT_OUT_END))),
        ..kubeadm::NodeOpts::default()
    };
    let (t, _) = kubeadm::control_plane_node_opts("kubeadm-left-out", &pki, "cp-1", "10.0.0.10", &opts)?;
    Ok(t)
}

/// A k3s server with expired leaves.
pub fn k3s_expired() -> Result<Tree> {
    rancher("k3s", "k3s-1")
}

/// An RKE2 server with expired leaves.
pub fn rke2_expired() -> Result<Tree> {
    rancher("rke2", "rke2-1")
}

/// The server-side TLS folder of a k3s/RKE2 server: the three CAs k3s makes
/// (`server-ca`, `client-ca`, `request-header-ca`, named `<dist>-server-ca@<stamp>` …) valid
/// ten years, the leaves one year and expired.
fn rancher(dist: &str, host: &str) -> Result<Tree> {
    let mut t = Tree::new();
    t.file("etc/hostname", format!("{host}\n"));
    t.file(
        &format!("etc/rancher/{dist}/config.yaml"),
        "write-kubeconfig-mode: \"0600\"\n",
    );
    let dir = format!("var/lib/rancher/{dist}/server/tls");
    let ca_v = validity(2025, 3, 1, 2035, 3, 1);
    let leaf_v = Validity::new(datetime!(2025-03-01 00:00:00 UTC), RANCHER_LEAF_END);
    let stamp = 1_740_787_200u64;
    let server_ca = Ca::new(
        &format!("{dist}/server-ca"),
        CertSpec::ca(&format!("{dist}-server-ca@{stamp}"), ca_v),
    )?;
    let client_ca = Ca::new(
        &format!("{dist}/client-ca"),
        CertSpec::ca(&format!("{dist}-client-ca@{stamp}"), ca_v),
    )?;
    t.file(&format!("{dir}/server-ca.crt"), server_ca.pem());
    t.file(&format!("{dir}/client-ca.crt"), client_ca.pem());
    let serving = server_ca.issue(
        &format!("{dist}/serving-kube-apiserver"),
        KeyKind::EcP256,
        CertSpec::new("kube-apiserver", leaf_v).server().sans(&[
            host,
            "kubernetes",
            "kubernetes.default",
            "127.0.0.1",
            "10.43.0.1",
        ]),
    )?;
    t.file(
        &format!("{dir}/serving-kube-apiserver.crt"),
        format!("{}{}", serving.pem(), server_ca.pem()),
    );
    for (file, cn) in [
        ("client-admin", "system:admin"),
        ("client-controller", "system:kube-controller-manager"),
        ("client-scheduler", "system:kube-scheduler"),
        ("client-kube-apiserver", "system:apiserver"),
    ] {
        let c = client_ca.issue(
            &format!("{dist}/{file}"),
            KeyKind::EcP256,
            CertSpec::new(cn, leaf_v).client(),
        )?;
        t.file(
            &format!("{dir}/{file}.crt"),
            format!("{}{}", c.pem(), client_ca.pem()),
        );
    }
    Ok(t)
}
