//! Trust edges: "this consumer trusts that CA bundle for this peer certificate". The types
//! live here, below the snapshot that keeps them; the facts stage (`facts::trust`) derives them from
//! configuration resolved to certificates.
//!
//! An edge holds when the peer chains, by verified signatures, to a certificate of the
//! trusted bundle. Every PKI rule about who accepts whom is a question asked of these edges.

use serde::Serialize;

use crate::model::Location;

/// What the peer certificate is used for on this edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    /// etcd's serving certificate, verified by the apiserver's `--etcd-cafile`.
    EtcdServing,
    /// The apiserver's etcd client certificate, verified by etcd's `--trusted-ca-file`.
    EtcdClient,
    /// An etcd member's peer certificate, verified by `--peer-trusted-ca-file`.
    EtcdPeer,
    /// The apiserver's serving certificate, verified by a kubeconfig's CA (or a root CA).
    ApiserverServing,
    /// A kubeconfig's client certificate, verified by the apiserver's `--client-ca-file`.
    ApiserverClient,
    /// The apiserver's kubelet client certificate, verified by the kubelet's client CA.
    KubeletClient,
    /// A kubelet's serving certificate (port 10250), verified by the apiserver's
    /// `--kubelet-certificate-authority`.
    KubeletServing,
    /// The front-proxy client certificate, verified by `--requestheader-client-ca-file`.
    FrontProxyClient,
    /// The apiserver's serving certificate, verified by a service-account token's or
    /// `kube-root-ca.crt`'s `ca.crt`.
    ServiceAccountCa,
}

impl Purpose {
    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::EtcdServing => "etcd-serving",
            Purpose::EtcdClient => "etcd-client",
            Purpose::EtcdPeer => "etcd-peer",
            Purpose::ApiserverServing => "apiserver-serving",
            Purpose::ApiserverClient => "apiserver-client",
            Purpose::KubeletClient => "kubelet-client",
            Purpose::KubeletServing => "kubelet-serving",
            Purpose::FrontProxyClient => "front-proxy-client",
            Purpose::ServiceAccountCa => "service-account-ca",
        }
    }

    /// Whether the peer presents the certificate as a TLS server.
    pub fn server(self) -> bool {
        matches!(
            self,
            Purpose::EtcdServing
                | Purpose::EtcdPeer
                | Purpose::ApiserverServing
                | Purpose::KubeletServing
                | Purpose::ServiceAccountCa
        )
    }

    /// Whether the peer presents the certificate as a TLS client.
    pub fn client(self) -> bool {
        !matches!(
            self,
            Purpose::EtcdServing
                | Purpose::ApiserverServing
                | Purpose::KubeletServing
                | Purpose::ServiceAccountCa
        )
    }
}

/// One trust relation: consumers that trust a CA bundle for a peer certificate.
#[derive(Clone, Debug)]
pub struct TrustEdge {
    /// What the peer certificate is used for.
    pub purpose: Purpose,
    /// Who trusts: `component (place)`, every configuration that reads this bundle for this peer.
    pub consumers: Vec<String>,
    /// Node of the (first) consumer, when it runs on one; for [`Purpose::KubeletServing`]
    /// the node of the kubelet whose certificate is checked (the apiserver reaches every
    /// node, and what is re-issued lives on that node).
    pub node: Option<usize>,
    /// Indexes of the certificates of the trusted CA bundle.
    pub trusted: Vec<usize>,
    /// Where the trusted bundle sits.
    pub trusted_at: Location,
    /// Index of the peer certificate.
    pub peer: usize,
    /// Where the peer certificate sits.
    pub peer_at: Location,
    /// Who presents the peer certificate (`kube-apiserver --etcd-certfile (place)`).
    pub presenter: String,
}
