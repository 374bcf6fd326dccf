//! The names a serving certificate must cover, from the configuration that presents it and
//! the clients that reach it, and how a certificate's SANs are matched against them.
//!
//! Go's TLS stack (every Kubernetes component) checks SANs only; the subject CN is ignored
//! since Go 1.15, so a name found only in the CN counts as missing.

use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::facts::config::{Component, components};
use crate::facts::endpoint::Endpoints;
use crate::facts::trust::{apiserver_serving, kubeconfig_material};
use crate::pki::CertRecord;
use crate::snapshot::{Location, Snapshot};

/// Names one serving certificate must cover, with why each is required.
#[derive(Clone, Debug)]
pub struct SanRequirement {
    /// The certificate index.
    pub cert: usize,
    /// Where it is presented from.
    pub cert_at: Vec<Location>,
    /// Required name → why (the first reason found).
    pub names: BTreeMap<String, String>,
}

/// Every SAN requirement of the bundle, one entry per serving certificate.
pub fn requirements(snap: &Snapshot) -> Vec<SanRequirement> {
    let lk = &snap.places;
    let comps = components(snap);
    let mut by_cert: BTreeMap<usize, SanRequirement> = BTreeMap::new();
    let mut need = |cert: usize, at: &Location, name: String, why: String| {
        if name.is_empty() {
            return;
        }
        let r = by_cert.entry(cert).or_insert_with(|| SanRequirement {
            cert,
            cert_at: Vec::new(),
            names: BTreeMap::new(),
        });
        if !r.cert_at.contains(at) {
            r.cert_at.push(at.clone());
        }
        r.names.entry(name).or_insert(why);
    };
    let domain = comps
        .iter()
        .filter(|c| c.component == Component::Kubelet)
        .find_map(|c| c.flag("cluster-domain"))
        .unwrap_or("cluster.local")
        .trim_end_matches('.')
        .to_string();
    for api in comps.iter().filter(|c| c.component == Component::Apiserver) {
        let mut names: Vec<(String, String)> = [
            "kubernetes".to_string(),
            "kubernetes.default".to_string(),
            "kubernetes.default.svc".to_string(),
            format!("kubernetes.default.svc.{domain}"),
        ]
        .into_iter()
        .map(|n| {
            (
                n,
                "in-cluster clients reach the apiserver by this service name".to_string(),
            )
        })
        .collect();
        if let Some(range) = api.flag("service-cluster-ip-range") {
            for r in range.split(',') {
                if let Some(ip) = first_service_ip(r.trim()) {
                    names.push((
                        ip.to_string(),
                        format!("first IP of --service-cluster-ip-range={r}"),
                    ));
                }
            }
        }
        if let Some(a) = api.flag("advertise-address") {
            names.push((a.to_string(), "--advertise-address".to_string()));
        }
        for m in api.resolve_flag(snap, lk, "tls-cert-file") {
            for leaf in m.leaves(snap) {
                for (n, why) in &names {
                    need(leaf, &m.location, n.clone(), format!("{why} ({})", api.place));
                }
            }
        }
    }
    for etcd in comps.iter().filter(|c| c.component == Component::Etcd) {
        for (cert_flag, url_flags) in [
            ("cert-file", ["advertise-client-urls", "listen-client-urls"]),
            (
                "peer-cert-file",
                ["initial-advertise-peer-urls", "listen-peer-urls"],
            ),
        ] {
            let hosts: Vec<(String, String)> = url_flags
                .iter()
                .filter_map(|f| etcd.flag(f).map(|v| (*f, v)))
                .flat_map(|(f, v)| {
                    v.split(',')
                        .filter_map(url_host)
                        .filter(|h| !unspecified(h))
                        .map(move |h| (h, format!("etcd --{f} ({})", etcd.place)))
                })
                .collect();
            for m in etcd.resolve_flag(snap, lk, cert_flag) {
                for leaf in m.leaves(snap) {
                    for (h, why) in &hosts {
                        need(leaf, &m.location, h.clone(), why.clone());
                    }
                }
            }
        }
    }
    let serving = apiserver_serving(snap, lk, &comps);
    let ends = Endpoints::new(snap, &comps);
    for kc in kubeconfig_material(snap, lk) {
        for (_, server, _) in &kc.clusters {
            let Some(host) = url_host(server) else { continue };
            // Only the apiservers this `server:` reaches must answer to its name.
            for s in serving
                .iter()
                .filter(|s| ends.reaches(kc.node, server, s.material.node))
            {
                for leaf in s.material.leaves(snap) {
                    need(
                        leaf,
                        &s.material.location,
                        host.clone(),
                        format!("`server: {server}` of kubeconfig {}", kc.path),
                    );
                }
            }
        }
    }
    by_cert.into_values().collect()
}

/// Whether `cert`'s SANs cover `name` (an IP address or a DNS name; `*.` wildcards match one
/// label).
pub fn covers(cert: &CertRecord, name: &str) -> bool {
    if let Ok(ip) = name.parse::<IpAddr>() {
        return cert.ip_addresses.contains(&ip);
    }
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    cert.dns_names.iter().any(|d| {
        let d = d.trim_end_matches('.').to_ascii_lowercase();
        if let Some(suffix) = d.strip_prefix("*.") {
            name.split_once('.')
                .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix)
        } else {
            d == name
        }
    })
}

/// The host of a URL (`https://10.0.0.1:2379` → `10.0.0.1`, `[::1]` → `::1`).
pub fn url_host(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    (!host.is_empty()).then(|| host.to_string())
}

fn unspecified(host: &str) -> bool {
    host.parse::<IpAddr>().is_ok_and(|ip| ip.is_unspecified())
}

/// The first usable address of a CIDR (`10.96.0.0/12` → `10.96.0.1`), the apiserver's
/// in-cluster service IP.
pub fn first_service_ip(cidr: &str) -> Option<IpAddr> {
    let (net, _) = cidr.split_once('/')?;
    match net.parse::<IpAddr>().ok()? {
        IpAddr::V4(v4) => Some(IpAddr::from(u32::from(v4).checked_add(1)?.to_be_bytes())),
        IpAddr::V6(v6) => Some(IpAddr::from(u128::from(v6).checked_add(1)?.to_be_bytes())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_service_ips() {
        assert_eq!(url_host("https://10.0.0.1:2379").as_deref(), Some("10.0.0.1"));
        assert_eq!(url_host("https://[::1]:2379/x").as_deref(), Some("::1"));
        assert_eq!(
            url_host("https://api.example.com").as_deref(),
            Some("api.example.com")
        );
        assert_eq!(first_service_ip("10.96.0.0/12"), "10.96.0.1".parse().ok());
        assert_eq!(first_service_ip("10.3.0.0/24"), "10.3.0.1".parse().ok());
    }
}
