//! Certificates the bundle holds only as a loose copy of a file a component is configured
//! with, when that file itself was not collected: a support engineer's
//! `openssl x509 -text -in /etc/kubernetes/pki/apiserver.crt -out /root/support/apiserver.crt`.
//! Renewing the copy fixes nothing; the plan must renew the original the component loads.

use std::collections::BTreeMap;

use crate::facts::config::components;
use crate::facts::pairs::flag_pairs;
use crate::facts::usage::node_path;
use crate::snapshot::{Location, Snapshot};

/// The original a copied certificate stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Original {
    /// The original's path on the node (the component's flag value).
    pub path: String,
    /// Who loads it: `kube-apiserver --tls-cert-file (<place>)`.
    pub by: String,
}

/// Certificate index → the original it is a copy of. A certificate is taken for a copy of a
/// configured file when that file is absent from the bundle and the certificate is the only
/// leaf on the same node whose file has the same name, elsewhere, with the usage the flag
/// needs (a serving flag needs `serverAuth`, a client flag `clientAuth`, when the
/// certificate states usages at all). Anything ambiguous is left alone.
pub fn originals(snap: &Snapshot) -> BTreeMap<usize, Original> {
    let lk = &snap.places;
    let mut out = BTreeMap::new();
    for comp in components(snap) {
        let Some(node) = comp.node else { continue };
        for (flag, _) in flag_pairs(comp.component) {
            let Some(path) = comp.flag(flag) else { continue };
            if !path.starts_with('/')
                || snap.resolve(Some(node), path).is_some()
                || !comp.resolve_flag(snap, lk, flag).is_empty()
            {
                continue;
            }
            let Some(name) = path.rsplit('/').next().filter(|n| !n.is_empty()) else {
                continue;
            };
            let usage = if flag.contains("client") || *flag == "etcd-certfile" {
                "clientAuth"
            } else {
                "serverAuth"
            };
            let mut found = snap.certs.certs.iter().enumerate().filter(|(_, c)| {
                !c.is_ca
                    && (c.ext_key_usage.is_empty() || c.ext_key_usage.iter().any(|u| u == usage))
                    && !c.locations.is_empty()
                    && c.locations.iter().all(|l| match l {
                        Location::File { path: p } => {
                            let (n, abs) = node_path(snap, p);
                            n == Some(node) && abs != path && abs.rsplit('/').next() == Some(name)
                        }
                        _ => false,
                    })
            });
            if let (Some((i, _)), None) = (found.next(), found.next()) {
                let by = format!("{} --{flag} ({})", comp.component.as_str(), comp.flag_place(flag));
                out.entry(i).or_insert(Original {
                    path: path.to_string(),
                    by,
                });
            }
        }
    }
    out
}
