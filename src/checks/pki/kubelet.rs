//! Kubelet serving certificates in the certificate rules: the fix step that replaces one the
//! way its kubelet came by it (not the generic re-issue), and the address the apiserver dials
//! each kubelet at, which its serving certificate must cover when the apiserver verifies it.

use std::collections::BTreeMap;

use crate::checks::network::k8s_node_for;
use crate::facts::config::{Component, ComponentConfig};
use crate::facts::kubelet::{
    Kubelet, ServingSource, addresses_from_flags, dialed_address, preferred_address_types, serving_certs,
};
use crate::facts::names::SanRequirement;
use crate::facts::usage::node_path;
use crate::finding::Finding;
use crate::snapshot::{Location, Snapshot};

/// What the kubelet that serves a certificate is: how it came by it and where it keeps it.
pub(super) struct Served {
    source: ServingSource,
    cert_dir: String,
    config_path: String,
}

/// The kubelet serving certificates of a bundle, by certificate index.
pub(super) struct KubeletServing {
    by_cert: BTreeMap<usize, Served>,
}

impl KubeletServing {
    /// Every node's kubelet serving certificate (whether or not the apiserver verifies it).
    pub(super) fn new(snap: &Snapshot, comps: &[ComponentConfig<'_>]) -> Self {
        let mut by_cert = BTreeMap::new();
        for s in serving_certs(snap, &snap.places, comps) {
            for leaf in s.material.leaves(snap) {
                by_cert.entry(leaf).or_insert_with(|| Served {
                    source: s.source,
                    cert_dir: s.cert_dir.clone(),
                    config_path: s.config_path.clone(),
                });
            }
        }
        KubeletServing { by_cert }
    }

    /// The kubelet that serves certificate `i`, if one does.
    pub(super) fn get(&self, i: usize) -> Option<&Served> {
        self.by_cert.get(&i)
    }
}

impl Served {
    /// The steps that replace an expired (or not yet valid) serving certificate: a rotated
    /// pair is requested again, a self-signed pair regenerated, a `tlsCertFile` re-issued by
    /// whoever issued it and the kubelet restarted to load it.
    pub(super) fn renew_steps(&self) -> &'static str {
        match self.source {
            ServingSource::Rotated => "rotate-kubelet-serving-cert",
            ServingSource::SelfSigned => "regenerate-kubelet-self-signed-cert",
            ServingSource::TlsCertFile => "reissue-from-current-ca,restart-kubelet",
        }
    }

    /// The steps that replace a serving certificate its verifier does not accept (wrong CA,
    /// missing name). A self-signed pair cannot be fixed by generating another one: the
    /// cluster CA must sign, which serverTLSBootstrap arranges.
    pub(super) fn trust_steps(&self) -> &'static str {
        match self.source {
            ServingSource::Rotated | ServingSource::SelfSigned => "rotate-kubelet-serving-cert",
            ServingSource::TlsCertFile => "reissue-from-current-ca,restart-kubelet",
        }
    }

    /// The fix-template variables of the kubelet steps: `{cert_dir}` and `{kubelet_config}`.
    pub(super) fn vars(&self, f: Finding) -> Finding {
        f.var("cert_dir", self.cert_dir.clone())
            .var("kubelet_config", self.config_path.clone())
    }
}

/// The apiservers that verify kubelets (`--kubelet-certificate-authority` set), with the node
/// path of that CA bundle when the bundle holds it.
fn verifying_apiservers<'c, 'a>(
    snap: &Snapshot,
    comps: &'c [ComponentConfig<'a>],
) -> Vec<(&'c ComponentConfig<'a>, Option<String>)> {
    comps
        .iter()
        .filter(|c| c.component == Component::Apiserver && c.flag("kubelet-certificate-authority").is_some())
        .map(|api| {
            let ca = api
                .resolve_flag(snap, &snap.places, "kubelet-certificate-authority")
                .into_iter()
                .find_map(|m| match m.location {
                    Location::File { path } => Some(node_path(snap, &path).1),
                    _ => None,
                });
            (api, ca)
        })
        .collect()
}

/// Whether any apiserver of the bundle verifies kubelet serving certificates
/// (`--kubelet-certificate-authority`); without one, kubelet serving certificates are not
/// checked by the apiserver at all.
pub(super) fn apiservers_verify_kubelets(snap: &Snapshot, comps: &[ComponentConfig<'_>]) -> bool {
    !verifying_apiservers(snap, comps).is_empty()
}

/// The node path of the CA bundle the apiservers verify kubelets with (`{ca_path}` of the
/// kubelet steps' verification), when one is in the bundle.
pub(super) fn kubelet_ca_path(snap: &Snapshot, comps: &[ComponentConfig<'_>]) -> Option<String> {
    verifying_apiservers(snap, comps)
        .into_iter()
        .find_map(|(_, ca)| ca)
}

/// The names kubelet serving certificates must cover: when an apiserver verifies kubelets
/// (`--kubelet-certificate-authority`), the address it dials each kubelet at. That address
/// is the node's first `status.addresses` entry of the first type in the apiserver's
/// `--kubelet-preferred-address-types` (kubeadm: `InternalIP,ExternalIP,Hostname`; the
/// apiserver's own default: `Hostname,InternalDNS,InternalIP,ExternalDNS,ExternalIP`), read
/// from the dumped Node object; without one, from the kubelet's `--node-ip` (an
/// `InternalIP`) and `--hostname-override`. An apiserver that does not verify kubelets
/// (kubeadm's default) needs no name at all.
///
/// Sources: "Communication between Nodes and the Control Plane" (the apiserver verifies the
/// kubelet's serving certificate only with `--kubelet-certificate-authority`,
/// <https://kubernetes.io/docs/concepts/architecture/control-plane-node-communication/>);
/// kubernetes `pkg/util/node/node.go` `GetPreferredNodeAddress`; Go's `crypto/x509`
/// `VerifyHostname` (an IP must be an IP SAN, a name a DNS SAN).
pub(super) fn san_requirements(snap: &Snapshot, comps: &[ComponentConfig<'_>]) -> Vec<SanRequirement> {
    let apiservers = verifying_apiservers(snap, comps);
    if apiservers.is_empty() {
        return Vec::new();
    }
    let mut by_cert: BTreeMap<usize, SanRequirement> = BTreeMap::new();
    for s in serving_certs(snap, &snap.places, comps) {
        let name = snap.node_name(s.node);
        let kubelet = Kubelet::on(comps, s.node);
        let object = s.node.and_then(|_| k8s_node_for(snap, name));
        for (api, _) in &apiservers {
            let preferred = preferred_address_types(api);
            let order = match api.flag("kubelet-preferred-address-types") {
                Some(v) => format!("--kubelet-preferred-address-types={v} ({})", api.place),
                None => format!(
                    "the apiserver's default address order {} ({} sets no --kubelet-preferred-address-types)",
                    preferred.join(","),
                    api.place
                ),
            };
            let dialed = match object {
                Some(rec) => {
                    let addrs: Vec<(String, String)> = rec
                        .node
                        .status
                        .addresses
                        .iter()
                        .map(|a| (a.type_.clone(), a.address.clone()))
                        .collect();
                    dialed_address(&preferred, &addrs).map(|(t, a)| {
                        let from =
                            format!("Node {} status.addresses in {}", rec.node.metadata.name, rec.path);
                        (a.clone(), t.clone(), from)
                    })
                }
                None => addresses_from_flags(&kubelet, &preferred).and_then(|addrs| {
                    dialed_address(&preferred, &addrs).map(|(t, a)| {
                        let flag = if t == "Hostname" {
                            "hostname-override"
                        } else {
                            "node-ip"
                        };
                        let place = kubelet
                            .setting(flag)
                            .map(|(_, c)| c.flag_place(flag))
                            .unwrap_or_default();
                        (a.clone(), t.clone(), format!("kubelet --{flag} ({place})"))
                    })
                }),
            };
            let Some((address, kind, from)) = dialed else {
                continue;
            };
            let why =
                format!("the apiserver dials the kubelet on {name} at its {kind} {address}: {from}; {order}");
            for leaf in s.material.leaves(snap) {
                let r = by_cert.entry(leaf).or_insert_with(|| SanRequirement {
                    cert: leaf,
                    cert_at: Vec::new(),
                    names: BTreeMap::new(),
                });
                if !r.cert_at.contains(&s.material.location) {
                    r.cert_at.push(s.material.location.clone());
                }
                r.names.entry(address.clone()).or_insert_with(|| why.clone());
            }
        }
    }
    by_cert.into_values().collect()
}
