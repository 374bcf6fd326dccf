//! Certificate/key pairs and public/private key pairs that the configuration says belong
//! together: file pairs (`x.crt`/`x.key`, cfssl's `x.pem`/`x-key.pem`, one PEM with both),
//! Secret `<name>.crt`/`<name>.key` (and `tls.crt`/`tls.key`), kubeconfig users, flag pairs
//! and the service-account signing key pair.

use std::collections::BTreeSet;

use crate::facts::config::{Component, ComponentConfig, components};
use crate::facts::trust::kubeconfig_material;
use crate::pki::Fingerprint;
use crate::pki::material::Material;
use crate::snapshot::{Location, Snapshot};

/// A certificate and the private key configured with it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CertKeyPair {
    /// The certificate (leaf) index.
    pub cert: usize,
    /// Where the certificate sits.
    pub cert_at: Location,
    /// Where the key sits.
    pub key_at: Location,
    /// Public key ids of the private keys found there.
    pub key_ids: Vec<Fingerprint>,
    /// Why they belong together (`file pair`, `--etcd-certfile/--etcd-keyfile`, …).
    pub why: String,
}

impl CertKeyPair {
    /// Whether the certificate's public key is the key's.
    pub fn matches(&self, snap: &Snapshot) -> bool {
        snap.certs
            .certs
            .get(self.cert)
            .is_some_and(|c| self.key_ids.contains(&c.key_id))
    }
}

/// A public key and a private key that must be one key pair (service-account signing).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeyKeyPair {
    /// Where the private key sits.
    pub private_at: Location,
    /// Its public key ids.
    pub private_ids: Vec<Fingerprint>,
    /// Where the public key sits.
    pub public_at: Location,
    /// Its public key ids (a file may hold several verification keys).
    pub public_ids: Vec<Fingerprint>,
    /// Why they belong together.
    pub why: String,
}

impl KeyKeyPair {
    /// Whether the private key's public half is among the public keys.
    pub fn matches(&self) -> bool {
        self.private_ids.iter().any(|k| self.public_ids.contains(k))
    }
}

/// Every certificate/key pair the bundle configures or lays out.
pub fn cert_key_pairs(snap: &Snapshot) -> Vec<CertKeyPair> {
    let lk = &snap.places;
    let mut out = BTreeSet::new();
    let mut add = |snap: &Snapshot, c: &Material, k: &Material, why: &str| {
        let key_ids: Vec<Fingerprint> = k.private_keys().collect();
        if key_ids.is_empty() {
            return;
        }
        for leaf in c.leaves(snap) {
            out.insert(CertKeyPair {
                cert: leaf,
                cert_at: c.location.clone(),
                key_at: k.location.clone(),
                key_ids: key_ids.clone(),
                why: why.to_string(),
            });
        }
    };
    // Files laid out as pairs.
    for path in lk.cert_files() {
        let mut key_paths = vec![path.to_string()];
        if let Some(stem) = path.strip_suffix(".crt") {
            key_paths.push(format!("{stem}.key"));
        }
        if let Some(stem) = path.strip_suffix(".pem") {
            key_paths.push(format!("{stem}-key.pem"));
            key_paths.push(format!("{stem}.key"));
        }
        if let Some(stem) = path.strip_suffix(".cert") {
            key_paths.push(format!("{stem}.key"));
        }
        for kp in key_paths.iter().filter(|k| lk.has_keys(k)) {
            add(snap, &lk.file(snap, path), &lk.file(snap, kp), "file pair");
        }
    }
    // Secret keys laid out as pairs.
    for s in &snap.secrets {
        for k in s.data.keys() {
            let Some(stem) = k.strip_suffix(".crt") else {
                continue;
            };
            let key_name = format!("{stem}.key");
            if !s.data.contains_key(&key_name) {
                continue;
            }
            let loc = |key: &str| Location::Object {
                object: s.object.clone(),
                key: key.to_string(),
                path: s.path.clone(),
            };
            let c = lk.at(loc(k), None);
            let kk = lk.at(loc(&key_name), None);
            add(snap, &c, &kk, "Secret key pair");
        }
    }
    // Kubeconfig users.
    for kc in kubeconfig_material(snap, lk) {
        for (user, certs, keys) in &kc.users {
            for c in certs {
                for k in keys {
                    add(snap, c, k, &format!("kubeconfig user {user}"));
                }
            }
        }
    }
    // Flag pairs.
    let comps = components(snap);
    for comp in &comps {
        for (cf, kf) in flag_pairs(comp.component) {
            let certs = comp.resolve_flag(snap, lk, cf);
            let keys = comp.resolve_flag(snap, lk, kf);
            let why = format!("{} --{cf}/--{kf} ({})", comp.component.as_str(), comp.place);
            for c in &certs {
                for k in keys.iter().filter(|k| same_home(&c.location, &k.location)) {
                    add(snap, c, k, &why);
                }
            }
        }
    }
    out.into_iter().collect()
}

/// The flag pairs naming a certificate and its key, per component.
pub(crate) fn flag_pairs(c: Component) -> &'static [(&'static str, &'static str)] {
    match c {
        Component::Apiserver => &[
            ("tls-cert-file", "tls-private-key-file"),
            ("etcd-certfile", "etcd-keyfile"),
            ("kubelet-client-certificate", "kubelet-client-key"),
            ("proxy-client-cert-file", "proxy-client-key-file"),
        ],
        Component::Etcd => &[("cert-file", "key-file"), ("peer-cert-file", "peer-key-file")],
        Component::Kubelet => &[("tls-cert-file", "tls-private-key-file")],
        Component::ControllerManager => &[("cluster-signing-cert-file", "cluster-signing-key-file")],
    }
}

/// Whether two resolved places are the same copy (same Secret, or same folder), so that a
/// checkpoint's certificate is paired with the checkpoint's key, not the Secret's.
fn same_home(a: &Location, b: &Location) -> bool {
    match (a, b) {
        (Location::Object { object: x, .. }, Location::Object { object: y, .. }) => x == y,
        (Location::File { path: x }, Location::File { path: y }) => {
            x.rsplit_once('/').map(|p| p.0) == y.rsplit_once('/').map(|p| p.0)
        }
        _ => false,
    }
}

/// The service-account signing pairs: the apiserver's `--service-account-key-file` against
/// the controller-manager's `--service-account-private-key-file`, and `sa.key`/`sa.pub`.
pub fn key_key_pairs(snap: &Snapshot) -> Vec<KeyKeyPair> {
    let lk = &snap.places;
    let comps = components(snap);
    let mut out = BTreeSet::new();
    let mut add = |private: &Material, public: &Material, why: String| {
        let private_ids: Vec<Fingerprint> = private.private_keys().collect();
        let public_ids: Vec<Fingerprint> = public.keys.iter().map(|(k, _)| *k).collect();
        if private_ids.is_empty() || public_ids.is_empty() || private.location == public.location {
            return;
        }
        out.insert(KeyKeyPair {
            private_at: private.location.clone(),
            private_ids,
            public_at: public.location.clone(),
            public_ids,
            why,
        });
    };
    let by = |kind: Component, flag: &str| -> Vec<(Material, String)> {
        comps
            .iter()
            .filter(|c| c.component == kind)
            .flat_map(|c: &ComponentConfig<'_>| {
                let why = format!("{} --{flag} ({})", kind.as_str(), c.place);
                c.resolve_flag(snap, lk, flag)
                    .into_iter()
                    .map(move |m| (m, why.clone()))
            })
            .collect()
    };
    let publics = by(Component::Apiserver, "service-account-key-file");
    let privates = by(Component::ControllerManager, "service-account-private-key-file");
    for (pr, pw) in &privates {
        for (pu, uw) in &publics {
            add(pr, pu, format!("{pw} vs {uw}"));
        }
    }
    for path in lk.key_files() {
        if let Some(stem) = path.strip_suffix("/sa.key") {
            let public = format!("{stem}/sa.pub");
            if lk.has_keys(&public) {
                add(
                    &lk.file(snap, path),
                    &lk.file(snap, &public),
                    "sa.key/sa.pub file pair".to_string(),
                );
            }
        }
    }
    out.into_iter().collect()
}
