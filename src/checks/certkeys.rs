//! The keys of a certificate finding ([`CertKey`]): what a log line can name about the
//! certificate, so that the engine links a symptom to the finding about that certificate.
//!
//! A certificate's keys are its notAfter and notBefore, its SAN lists (IPs, DNS names) and
//! the TLS endpoints it is served at or trusted for: for each trust edge it is on (as the
//! presented certificate or a trusted CA), the `host:port`s by which clients reach the server
//! of that connection — a `Server` key for server certificates and the CAs clients trust for
//! them, a `Client` key for client certificates and the CAs servers trust for clients. The
//! endpoints come from the configuration that dials them (kubeconfig `server:`, the
//! apiserver's `--etcd-servers`, etcd's URLs, advertise addresses, the service IP, Node
//! addresses) and from the server certificate's own SANs on the known ports. The server
//! component itself is a key too (`ServedBy`, `ClientOf`), for what the server logs about
//! incoming connections.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use crate::facts::config::{Component, ComponentConfig};
use crate::facts::names::first_service_ip;
use crate::finding::{CertKey, KeyKind};
use crate::pki::trust::Purpose;
use crate::snapshot::Snapshot;

/// Which server a connection of some purpose reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Server {
    Apiserver,
    EtcdClient,
    EtcdPeer,
    Kubelet,
}

/// The component that serves the connections of a purpose.
fn component_of(s: Server) -> &'static str {
    match s {
        Server::Apiserver => "kube-apiserver",
        Server::EtcdClient | Server::EtcdPeer => "etcd",
        Server::Kubelet => "kubelet",
    }
}

fn server_of(p: Purpose) -> Option<Server> {
    match p {
        Purpose::ApiserverServing | Purpose::ApiserverClient | Purpose::ServiceAccountCa => {
            Some(Server::Apiserver)
        }
        Purpose::EtcdServing | Purpose::EtcdClient => Some(Server::EtcdClient),
        Purpose::EtcdPeer => Some(Server::EtcdPeer),
        Purpose::KubeletClient | Purpose::KubeletServing => Some(Server::Kubelet),
        Purpose::FrontProxyClient => None,
    }
}

/// Endpoints (host, port) and ports of each server, from the configuration.
#[derive(Default)]
struct Endpoints {
    hosts: BTreeMap<Server, BTreeSet<(String, u16)>>,
    ports: BTreeMap<Server, BTreeSet<u16>>,
    /// Each node's kubelet endpoints (its Node object's InternalIPs), by node name.
    kubelets: BTreeMap<String, BTreeSet<(String, u16)>>,
}

impl Endpoints {
    fn add_url(&mut self, s: Server, url: &str, default: u16) {
        let url = url.trim();
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, p) = v6.split_once(']').unwrap_or((v6, ""));
            (h, p.strip_prefix(':'))
        } else {
            match authority.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        let port = port.and_then(|p| p.parse::<u16>().ok()).unwrap_or(default);
        self.add(s, host, port);
    }

    fn add(&mut self, s: Server, host: &str, port: u16) {
        self.ports.entry(s).or_default().insert(port);
        let unspecified = host.parse::<IpAddr>().is_ok_and(|ip| ip.is_unspecified());
        if !host.is_empty() && !unspecified {
            self.hosts.entry(s).or_default().insert((host.to_string(), port));
        }
    }

    fn new(snap: &Snapshot, comps: &[ComponentConfig<'_>]) -> Endpoints {
        let mut e = Endpoints::default();
        for kc in &snap.kubeconfigs {
            for c in &kc.clusters {
                if !c.server.is_empty() {
                    e.add_url(Server::Apiserver, &c.server, 443);
                }
            }
        }
        for c in comps {
            match c.component {
                Component::Apiserver => {
                    let port = c
                        .flag("secure-port")
                        .and_then(|p| p.parse::<u16>().ok())
                        .unwrap_or(6443);
                    for flag in ["advertise-address", "bind-address"] {
                        e.add(Server::Apiserver, c.flag(flag).unwrap_or(""), port);
                    }
                    for r in c.flag("service-cluster-ip-range").unwrap_or("").split(',') {
                        if let Some(ip) = first_service_ip(r.trim()) {
                            e.add(Server::Apiserver, &ip.to_string(), 443);
                        }
                    }
                    for url in c.flag("etcd-servers").unwrap_or("").split(',') {
                        if !url.trim().is_empty() {
                            e.add_url(Server::EtcdClient, url, 2379);
                        }
                    }
                }
                Component::Etcd => {
                    for (flag, s, port) in [
                        ("advertise-client-urls", Server::EtcdClient, 2379),
                        ("listen-client-urls", Server::EtcdClient, 2379),
                        ("initial-advertise-peer-urls", Server::EtcdPeer, 2380),
                        ("listen-peer-urls", Server::EtcdPeer, 2380),
                    ] {
                        for url in c.flag(flag).unwrap_or("").split(',') {
                            if !url.trim().is_empty() {
                                e.add_url(s, url, port);
                            }
                        }
                    }
                    for member in c.flag("initial-cluster").unwrap_or("").split(',') {
                        if let Some((_, url)) = member.split_once('=') {
                            e.add_url(Server::EtcdPeer, url, 2380);
                        }
                    }
                }
                Component::Kubelet => {
                    if let Some(p) = c.flag("port").and_then(|p| p.parse::<u16>().ok()) {
                        e.ports.entry(Server::Kubelet).or_default().insert(p);
                    }
                }
                Component::ControllerManager => {}
            }
        }
        // The apiserver is reached on its service port too; every server on its default.
        e.ports.entry(Server::Apiserver).or_default().insert(443);
        for (s, p) in [
            (Server::Apiserver, 6443),
            (Server::EtcdClient, 2379),
            (Server::EtcdPeer, 2380),
            (Server::Kubelet, 10250),
        ] {
            e.ports.entry(s).or_default().insert(p);
        }
        let kubelet_ports = e.ports.get(&Server::Kubelet).cloned().unwrap_or_default();
        for n in &snap.k8s_nodes {
            for a in n.node.status.addresses.iter().filter(|a| a.type_ == "InternalIP") {
                for &p in &kubelet_ports {
                    e.add(Server::Kubelet, &a.address, p);
                    e.kubelets
                        .entry(n.node.metadata.name.clone())
                        .or_default()
                        .insert((a.address.clone(), p));
                }
            }
        }
        e
    }

    /// Where clients reach the server of an edge: a kubelet on the edge's node only.
    fn of_edge(&self, snap: &Snapshot, server: Server, node: Option<usize>) -> BTreeSet<(String, u16)> {
        if let (Server::Kubelet, Some(n)) = (server, node) {
            return self
                .kubelets
                .get(snap.node_name(Some(n)))
                .cloned()
                .unwrap_or_default();
        }
        self.hosts.get(&server).cloned().unwrap_or_default()
    }
}

/// The keys of every certificate, computed once per check run.
pub struct CertKeys {
    /// Endpoint keys by certificate index and purpose of the edge.
    endpoints: BTreeMap<usize, BTreeMap<Purpose, BTreeSet<CertKey>>>,
}

impl CertKeys {
    /// Collects the endpoint keys of every certificate on a trust edge.
    pub fn new(snap: &Snapshot, comps: &[ComponentConfig<'_>]) -> CertKeys {
        let eps = Endpoints::new(snap, comps);
        let mut endpoints: BTreeMap<usize, BTreeMap<Purpose, BTreeSet<CertKey>>> = BTreeMap::new();
        for e in &snap.trust {
            let Some(server) = server_of(e.purpose) else {
                continue;
            };
            let mut at = eps.of_edge(snap, server, e.node);
            // Where clients dial, from the configuration (not the SANs added below).
            let dialed = at.clone();
            if e.purpose.server() {
                // The server certificate is served at every name it covers, on the known ports.
                if let Some(c) = snap.certs.certs.get(e.peer) {
                    let names = c
                        .ip_addresses
                        .iter()
                        .map(ToString::to_string)
                        .chain(c.dns_names.iter().filter(|d| !d.contains('*')).cloned());
                    for n in names {
                        for &p in eps.ports.get(&server).into_iter().flatten() {
                            at.insert((n.clone(), p));
                        }
                    }
                }
            }
            let kinds = [
                (e.purpose.server(), KeyKind::Server, KeyKind::ServedBy),
                (e.purpose.client(), KeyKind::Client, KeyKind::ClientOf),
            ];
            let mut keys: BTreeSet<CertKey> = kinds
                .iter()
                .filter(|(on, _, _)| *on)
                .flat_map(|(_, kind, by)| {
                    at.iter()
                        .filter_map(|(h, p)| CertKey::endpoint(*kind, h, *p))
                        .chain([CertKey::new(*by, component_of(server))])
                })
                .collect();
            if e.purpose.client() {
                // A client that dials a loopback address reaches the server from that
                // address: the server's `rejected connection from "127.0.0.1:…"` names it.
                // (A peer dials the other members' advertised addresses; that a peer
                // certificate covers 127.0.0.1 does not make it dial there.)
                keys.extend(
                    dialed
                        .iter()
                        .filter(|(h, _)| h.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback()))
                        .filter_map(|(h, _)| CertKey::remote_client(h)),
                );
            }
            for cert in std::iter::once(e.peer).chain(e.trusted.iter().copied()) {
                endpoints
                    .entry(cert)
                    .or_default()
                    .entry(e.purpose)
                    .or_default()
                    .extend(keys.iter().cloned());
            }
        }
        CertKeys { endpoints }
    }

    /// Every key of certificate `i`: its validity bounds, SAN lists and the endpoints of
    /// every trust edge it is on.
    pub fn of(&self, snap: &Snapshot, i: usize) -> Vec<CertKey> {
        let mut out = own_keys(snap, i);
        out.extend(
            self.endpoints
                .get(&i)
                .into_iter()
                .flat_map(BTreeMap::values)
                .flatten()
                .cloned(),
        );
        out
    }

    /// The keys of certificate `i` on the edges of one purpose (a finding about one trust
    /// relation): its validity bounds, SAN lists and that purpose's endpoints.
    pub fn for_purpose(&self, snap: &Snapshot, i: usize, purpose: Purpose) -> Vec<CertKey> {
        let mut out = own_keys(snap, i);
        out.extend(
            self.endpoints
                .get(&i)
                .and_then(|m| m.get(&purpose))
                .into_iter()
                .flatten()
                .cloned(),
        );
        out
    }
}

/// What a certificate carries itself: notAfter, notBefore, IP and DNS SAN lists.
fn own_keys(snap: &Snapshot, i: usize) -> Vec<CertKey> {
    let Some(c) = snap.certs.certs.get(i) else {
        return Vec::new();
    };
    let ips: Vec<String> = c.ip_addresses.iter().map(ToString::to_string).collect();
    [
        Some(CertKey::instant(KeyKind::NotAfter, c.not_after)),
        Some(CertKey::instant(KeyKind::NotBefore, c.not_before)),
        CertKey::sans(ips.iter().map(String::as_str)),
        CertKey::sans(c.dns_names.iter().map(String::as_str)),
    ]
    .into_iter()
    .flatten()
    .collect()
}
