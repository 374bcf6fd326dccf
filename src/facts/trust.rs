//! Trust edges derived from configuration resolved to certificates: which consumer trusts
//! which CA bundle for which peer certificate (the types are [`crate::pki::trust`]'s).

use std::collections::{BTreeMap, BTreeSet};

use crate::facts::config::{Component, ComponentConfig, components};
use crate::facts::endpoint::Endpoints;
use crate::pki::material::{Lookup, Material};
use crate::pki::trust::{Purpose, TrustEdge};
use crate::snapshot::{Location, Snapshot};

impl TrustEdge {
    /// Whether the peer chains to the trusted bundle by verified signatures.
    pub fn holds(&self, snap: &Snapshot) -> bool {
        let trusted: BTreeSet<usize> = self.trusted.iter().copied().collect();
        snap.graph.chain_to(self.peer, &trusted).is_ok()
    }
}

/// Collects edges, merging those that differ only by consumer.
struct Edges<'s> {
    snap: &'s Snapshot,
    map: BTreeMap<(Purpose, Location, usize, Location), TrustEdge>,
}

impl Edges<'_> {
    fn add(
        &mut self,
        purpose: Purpose,
        consumer: &str,
        node: Option<usize>,
        trusted: &Material,
        peer: &Material,
        presenter: &str,
    ) {
        if trusted.certs.is_empty() {
            return;
        }
        for leaf in peer.leaves(self.snap) {
            let key = (purpose, trusted.location.clone(), leaf, peer.location.clone());
            let e = self.map.entry(key).or_insert_with(|| TrustEdge {
                purpose,
                consumers: Vec::new(),
                node,
                trusted: trusted.certs.clone(),
                trusted_at: trusted.location.clone(),
                peer: leaf,
                peer_at: peer.location.clone(),
                presenter: presenter.to_string(),
            });
            if !e.consumers.iter().any(|c| c == consumer) {
                e.consumers.push(consumer.to_string());
            }
        }
    }
}

/// A certificate presented by a component, with who presents it.
pub struct Presented {
    /// The material (certificate file, Secret key, …).
    pub material: Material,
    /// `component --flag (place)`.
    pub presenter: String,
}

/// Resolves `flag` on each component of `kind`.
pub fn presented(
    snap: &Snapshot,
    lk: &Lookup,
    comps: &[ComponentConfig<'_>],
    kind: Component,
    flag: &str,
) -> Vec<Presented> {
    comps
        .iter()
        .filter(|c| c.component == kind)
        .flat_map(|c| {
            c.resolve_flag(snap, lk, flag)
                .into_iter()
                .map(move |m| Presented {
                    material: m,
                    presenter: format!("{} --{flag} ({})", kind.as_str(), c.place),
                })
        })
        .collect()
}

/// The apiserver serving certificates: from `--tls-cert-file` of every apiserver, else (a
/// bundle without apiserver configuration) every `apiserver.crt` file or Secret key.
pub fn apiserver_serving(snap: &Snapshot, lk: &Lookup, comps: &[ComponentConfig<'_>]) -> Vec<Presented> {
    let found = presented(snap, lk, comps, Component::Apiserver, "tls-cert-file");
    if !found.is_empty() {
        return found;
    }
    let mut out = Vec::new();
    for (i, c) in snap.certs.certs.iter().enumerate() {
        for l in &c.locations {
            let named = match l {
                // A file of that name outside every node's tree (a pod's copy, an old
                // backup) is no node's serving certificate.
                Location::File { path } => path.ends_with("/apiserver.crt") && snap.node_of(path).is_some(),
                Location::Object { key, .. } => key == "apiserver.crt",
                Location::Kubeconfig { .. } => false,
            };
            if named {
                out.push(Presented {
                    material: Material {
                        location: l.clone(),
                        node: snap.node_of(l.path()),
                        certs: vec![i],
                        keys: Vec::new(),
                    },
                    presenter: format!("kube-apiserver serving certificate ({l})"),
                });
            }
        }
    }
    out
}

/// The serving certificate (port 10250) of the kubelet on every node, chosen the way the
/// kubelet chooses it (see [`crate::facts::kubelet::serving_certs`]).
pub fn kubelet_serving(snap: &Snapshot, lk: &Lookup, comps: &[ComponentConfig<'_>]) -> Vec<Presented> {
    crate::facts::kubelet::serving_certs(snap, lk, comps)
        .into_iter()
        .map(|s| Presented {
            material: s.material,
            presenter: s.presenter,
        })
        .collect()
}

/// Every trust edge of the bundle.
pub fn edges(snap: &Snapshot) -> Vec<TrustEdge> {
    let lk = &snap.places;
    let comps = components(snap);
    let mut e = Edges {
        snap,
        map: BTreeMap::new(),
    };
    let serving = apiserver_serving(snap, lk, &comps);
    let client_ca = presented(snap, lk, &comps, Component::Apiserver, "client-ca-file");
    let ends = Endpoints::new(snap, &comps);

    kubeconfig_edges(snap, lk, &ends, &serving, &client_ca, &mut e);
    apiserver_edges(snap, lk, &ends, &comps, &mut e);
    etcd_peer_edges(snap, lk, &comps, &mut e);
    kubelet_serving_edges(snap, lk, &comps, &mut e);

    // The controller-manager's root CA is what it publishes to service accounts.
    for cm in comps
        .iter()
        .filter(|c| c.component == Component::ControllerManager)
    {
        let consumer = format!("kube-controller-manager --root-ca-file ({})", cm.place);
        for t in cm.resolve_flag(snap, lk, "root-ca-file") {
            for s in &serving {
                e.add(
                    Purpose::ApiserverServing,
                    &consumer,
                    cm.node,
                    &t,
                    &s.material,
                    &s.presenter,
                );
            }
        }
    }
    for t in service_account_cas(snap, lk) {
        let consumer = format!("pods using {}", t.location);
        for s in &serving {
            e.add(
                Purpose::ServiceAccountCa,
                &consumer,
                None,
                &t,
                &s.material,
                &s.presenter,
            );
        }
    }
    e.map.into_values().collect()
}

/// `ca.crt` of every service-account token Secret and `kube-root-ca.crt` ConfigMap.
pub fn service_account_cas(snap: &Snapshot, lk: &Lookup) -> Vec<Material> {
    let secrets = snap
        .secrets
        .iter()
        .filter(|s| s.type_ == "kubernetes.io/service-account-token")
        .filter_map(|s| {
            s.data.get("ca.crt")?;
            let loc = Location::Object {
                object: s.object.clone(),
                key: "ca.crt".to_string(),
                path: s.path.clone(),
            };
            Some(lk.at(loc, None))
        });
    let maps = snap
        .configmaps
        .iter()
        .filter(|c| c.object.name == "kube-root-ca.crt")
        .filter_map(|c| {
            c.data.get("ca.crt")?;
            let loc = Location::Object {
                object: c.object.clone(),
                key: "ca.crt".to_string(),
                path: c.path.clone(),
            };
            Some(lk.at(loc, None))
        });
    secrets.chain(maps).collect()
}

/// What a kubeconfig names: its clusters' CAs and its users' client certificates and keys.
pub struct KubeconfigMaterial {
    /// Bundle path of the kubeconfig.
    pub path: String,
    /// Node it was found on.
    pub node: Option<usize>,
    /// Per cluster: (name, server URL, CA material).
    pub clusters: Vec<(String, String, Vec<Material>)>,
    /// Per user: (name, certificate material, key material).
    pub users: Vec<(String, Vec<Material>, Vec<Material>)>,
}

/// Resolves every kubeconfig's embedded data and file references (node paths).
pub fn kubeconfig_material(snap: &Snapshot, lk: &Lookup) -> Vec<KubeconfigMaterial> {
    let field_or_file = |path: &str, node, data: Option<&Vec<u8>>, field: String, file: Option<&String>| {
        let mut out = Vec::new();
        if data.is_some() {
            let loc = Location::Kubeconfig {
                path: path.to_string(),
                field,
            };
            out.push(lk.at(loc, node));
        }
        if let Some(f) = file {
            if let Some(bp) = snap.resolve(node, f) {
                out.push(lk.file(snap, &bp));
            }
        }
        out.retain(|m: &Material| !m.is_empty());
        out
    };
    snap.kubeconfigs
        .iter()
        .map(|kc| {
            let node = snap.node_of(&kc.path);
            KubeconfigMaterial {
                path: kc.path.clone(),
                node,
                clusters: kc
                    .clusters
                    .iter()
                    .filter(|c| !c.insecure)
                    .map(|c| {
                        let field = format!("clusters[{}].certificate-authority-data", c.name);
                        let m = field_or_file(&kc.path, node, c.ca_data.as_ref(), field, c.ca_file.as_ref());
                        (c.name.clone(), c.server.clone(), m)
                    })
                    .collect(),
                users: kc
                    .users
                    .iter()
                    .map(|u| {
                        let cf = format!("users[{}].client-certificate-data", u.name);
                        let kf = format!("users[{}].client-key-data", u.name);
                        (
                            u.name.clone(),
                            field_or_file(&kc.path, node, u.cert_data.as_ref(), cf, u.cert_file.as_ref()),
                            field_or_file(&kc.path, node, u.key_data.as_ref(), kf, u.key_file.as_ref()),
                        )
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Kubeconfig edges: its CA against the serving certificate of each apiserver its `server:`
/// reaches, its client certificate against the `--client-ca-file` of each of them.
fn kubeconfig_edges(
    snap: &Snapshot,
    lk: &Lookup,
    ends: &Endpoints,
    serving: &[Presented],
    client_ca: &[Presented],
    e: &mut Edges<'_>,
) {
    for kc in kubeconfig_material(snap, lk) {
        let consumer = format!("kubeconfig {}", kc.path);
        let servers: Vec<&str> = kc.clusters.iter().map(|(_, url, _)| url.as_str()).collect();
        let dials = |server: Option<usize>| {
            servers.is_empty() || servers.iter().any(|u| ends.reaches(kc.node, u, server))
        };
        for (_, url, cas) in &kc.clusters {
            for t in cas {
                for s in serving
                    .iter()
                    .filter(|s| ends.reaches(kc.node, url, s.material.node))
                {
                    e.add(
                        Purpose::ApiserverServing,
                        &consumer,
                        kc.node,
                        t,
                        &s.material,
                        &s.presenter,
                    );
                }
            }
        }
        for (user, certs, _) in &kc.users {
            let presenter = format!("kubeconfig {} user {user}", kc.path);
            for p in certs {
                for ca in client_ca.iter().filter(|ca| dials(ca.material.node)) {
                    let consumer = ca.presenter.clone();
                    e.add(
                        Purpose::ApiserverClient,
                        &consumer,
                        ca.material.node,
                        &ca.material,
                        p,
                        &presenter,
                    );
                }
            }
        }
    }
}

/// The apiserver's edges: etcd's serving certificate and trust of the etcd members its
/// `--etcd-servers` reach, the kubelets' client CA, the front proxy.
fn apiserver_edges(
    snap: &Snapshot,
    lk: &Lookup,
    ends: &Endpoints,
    comps: &[ComponentConfig<'_>],
    e: &mut Edges<'_>,
) {
    let etcd_serving = presented(snap, lk, comps, Component::Etcd, "cert-file");
    let etcd_trusted = presented(snap, lk, comps, Component::Etcd, "trusted-ca-file");
    let kubelet_ca = presented(snap, lk, comps, Component::Kubelet, "client-ca-file");
    for api in comps.iter().filter(|c| c.component == Component::Apiserver) {
        let who = |flag: &str| format!("kube-apiserver --{flag} ({})", api.place);
        let etcd_servers = api.flag("etcd-servers").unwrap_or_default();
        let dials = |etcd: Option<usize>| ends.any_reaches(api.node, etcd_servers, etcd);
        let etcd_ca = api.resolve_flag(snap, lk, "etcd-cafile");
        for t in &etcd_ca {
            for s in etcd_serving.iter().filter(|s| dials(s.material.node)) {
                e.add(
                    Purpose::EtcdServing,
                    &who("etcd-cafile"),
                    api.node,
                    t,
                    &s.material,
                    &s.presenter,
                );
            }
        }
        let presenter = who("etcd-certfile");
        for c in api.resolve_flag(snap, lk, "etcd-certfile") {
            if etcd_trusted.is_empty() {
                // etcd's own configuration is not in the bundle: etcd is taken to trust the
                // CA the apiserver was given for it, as bootkube and kubeadm set them up.
                let consumer = format!("etcd (assumed to trust {})", who("etcd-cafile"));
                for t in &etcd_ca {
                    e.add(Purpose::EtcdClient, &consumer, api.node, t, &c, &presenter);
                }
            }
            for t in etcd_trusted.iter().filter(|t| dials(t.material.node)) {
                let consumer = t.presenter.clone();
                e.add(
                    Purpose::EtcdClient,
                    &consumer,
                    t.material.node,
                    &t.material,
                    &c,
                    &presenter,
                );
            }
        }
        let presenter = who("kubelet-client-certificate");
        for c in api.resolve_flag(snap, lk, "kubelet-client-certificate") {
            for t in &kubelet_ca {
                let consumer = t.presenter.clone();
                e.add(
                    Purpose::KubeletClient,
                    &consumer,
                    t.material.node,
                    &t.material,
                    &c,
                    &presenter,
                );
            }
        }
        let presenter = who("proxy-client-cert-file");
        let consumer = who("requestheader-client-ca-file");
        for c in api.resolve_flag(snap, lk, "proxy-client-cert-file") {
            for t in api.resolve_flag(snap, lk, "requestheader-client-ca-file") {
                e.add(Purpose::FrontProxyClient, &consumer, api.node, &t, &c, &presenter);
            }
        }
    }
}

fn etcd_peer_edges(snap: &Snapshot, lk: &Lookup, comps: &[ComponentConfig<'_>], e: &mut Edges<'_>) {
    let peers = presented(snap, lk, comps, Component::Etcd, "peer-cert-file");
    for etcd in comps.iter().filter(|c| c.component == Component::Etcd) {
        let consumer = format!("etcd --peer-trusted-ca-file ({})", etcd.place);
        for t in etcd.resolve_flag(snap, lk, "peer-trusted-ca-file") {
            for p in &peers {
                e.add(
                    Purpose::EtcdPeer,
                    &consumer,
                    etcd.node,
                    &t,
                    &p.material,
                    &p.presenter,
                );
            }
        }
    }
}

/// The apiserver → kubelet edge: the apiserver verifies the kubelet's serving certificate
/// only when `--kubelet-certificate-authority` is set; without it (kubeadm's default) it
/// does not verify, so no edge exists and nothing about it can fail.
///
/// Source: "Communication between Nodes and the Control Plane" ("By default, the API server
/// does not verify the kubelet's serving certificate … To verify this connection, use the
/// --kubelet-certificate-authority flag",
/// <https://kubernetes.io/docs/concepts/architecture/control-plane-node-communication/>).
fn kubelet_serving_edges(snap: &Snapshot, lk: &Lookup, comps: &[ComponentConfig<'_>], e: &mut Edges<'_>) {
    let apiservers: Vec<(String, Vec<Material>)> = comps
        .iter()
        .filter(|c| c.component == Component::Apiserver)
        .map(|api| {
            (
                format!("kube-apiserver --kubelet-certificate-authority ({})", api.place),
                api.resolve_flag(snap, lk, "kubelet-certificate-authority"),
            )
        })
        .filter(|(_, t)| !t.is_empty())
        .collect();
    if apiservers.is_empty() {
        return;
    }
    let serving = kubelet_serving(snap, lk, comps);
    for (consumer, trusted) in &apiservers {
        for t in trusted {
            for s in &serving {
                e.add(
                    Purpose::KubeletServing,
                    consumer,
                    s.material.node,
                    t,
                    &s.material,
                    &s.presenter,
                );
            }
        }
    }
}
