//! Endpoints, not folders: which server a client actually reaches when it dials a URL.
//!
//! A trust edge joins a consumer to the server certificate behind the endpoint it dials
//! (a kubeconfig's `server:`, the apiserver's `--etcd-servers`), never to every server of the
//! bundle by folder. A loopback address (`127.0.0.1`, `::1`, `localhost`) reaches the
//! client's own node; an address or name that is one node's own (its name, its advertise
//! addresses, its Node object's addresses) reaches that node; anything else (a load
//! balancer, a VIP, the `kubernetes` Service) is a shared endpoint that reaches every server.

use std::collections::{BTreeMap, BTreeSet};

use crate::facts::config::{Component, ComponentConfig};
use crate::snapshot::Snapshot;

/// Who answers on which address: the bundle's nodes and their own addresses.
#[derive(Clone, Debug, Default)]
pub struct Endpoints {
    /// Lower-cased host (name or address) → the one node it belongs to (a host claimed by
    /// two nodes is shared, not anyone's own).
    own: BTreeMap<String, usize>,
}

/// The host of a URL (`https://10.0.0.1:6443/x` → `10.0.0.1`, `https://[::1]:2379` → `::1`),
/// lower-cased; the text itself when it is not a URL.
pub fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    host.to_ascii_lowercase()
}

/// Whether `host` is a loopback name or address.
pub fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

impl Endpoints {
    /// Collects each node's own names and addresses from its name, its components'
    /// advertise flags and its Node object.
    pub fn new(snap: &Snapshot, comps: &[ComponentConfig<'_>]) -> Endpoints {
        let mut claims: Vec<(String, usize)> = Vec::new();
        for (i, n) in snap.nodes.iter().enumerate() {
            claims.push((n.name.to_ascii_lowercase(), i));
            for k in snap.k8s_nodes.iter().filter(|k| k.node.metadata.name == n.name) {
                for a in &k.node.status.addresses {
                    claims.push((a.address.to_ascii_lowercase(), i));
                }
            }
        }
        for c in comps {
            let Some(node) = c.node else { continue };
            let flags: &[&str] = match c.component {
                Component::Apiserver => &["advertise-address", "bind-address"],
                Component::Etcd => &["advertise-client-urls", "initial-advertise-peer-urls"],
                _ => &[],
            };
            for f in flags {
                for v in c.flag(f).unwrap_or_default().split(',') {
                    let h = host_of(v.trim());
                    if !h.is_empty() && !is_loopback(&h) && h != "0.0.0.0" && h != "::" {
                        claims.push((h, node));
                    }
                }
            }
        }
        let mut own: BTreeMap<String, usize> = BTreeMap::new();
        let mut shared = BTreeSet::new();
        for (h, n) in claims {
            match own.get(&h) {
                Some(m) if *m != n => {
                    shared.insert(h);
                }
                _ => {
                    own.insert(h, n);
                }
            }
        }
        for h in &shared {
            own.remove(h);
        }
        Endpoints { own }
    }

    /// Whether a client on node `from` dialling `url` reaches a server on node `server`.
    /// Unknown nodes (cluster objects, an empty URL) reach everything: the bundle cannot
    /// tell, and an edge too many is safer than a missed one.
    pub fn reaches(&self, from: Option<usize>, url: &str, server: Option<usize>) -> bool {
        let (Some(from), Some(server)) = (from, server) else {
            return true;
        };
        if from == server {
            return true;
        }
        let host = host_of(url);
        if host.is_empty() {
            return true;
        }
        if is_loopback(&host) {
            return false;
        }
        match self.own.get(&host) {
            Some(n) => *n == server,
            None => true,
        }
    }

    /// Whether any of the comma-separated URLs reaches `server` from `from`.
    pub fn any_reaches(&self, from: Option<usize>, urls: &str, server: Option<usize>) -> bool {
        let urls: Vec<&str> = urls.split(',').map(str::trim).filter(|u| !u.is_empty()).collect();
        urls.is_empty() || urls.iter().any(|u| self.reaches(from, u, server))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_of_urls() {
        assert_eq!(host_of("https://10.0.0.1:6443"), "10.0.0.1");
        assert_eq!(host_of("https://[::1]:2379/x"), "::1");
        assert_eq!(host_of("https://LB.example:6443"), "lb.example");
        assert_eq!(host_of("k8s-api"), "k8s-api");
        assert!(is_loopback("127.0.0.1") && is_loopback("localhost") && is_loopback("::1"));
    }

    #[test]
    fn loopback_own_address_and_shared_endpoint() {
        let mut e = Endpoints::default();
        e.own.insert("10.0.0.11".into(), 0);
        e.own.insert("10.0.0.12".into(), 1);
        assert!(e.reaches(Some(0), "https://127.0.0.1:2379", Some(0)));
        assert!(!e.reaches(Some(0), "https://127.0.0.1:2379", Some(1)));
        assert!(!e.reaches(Some(0), "https://10.0.0.11:6443", Some(1)));
        assert!(e.reaches(Some(0), "https://10.0.0.12:6443", Some(1)));
        assert!(e.reaches(Some(0), "https://lb.example:6443", Some(1)));
        assert!(e.reaches(None, "https://127.0.0.1:2379", Some(1)));
        assert!(e.any_reaches(Some(0), "https://127.0.0.1:2379,https://10.0.0.12:2379", Some(1)));
    }
}
