//! Kubelet serving certificates in the certificate rules: the fix step that replaces one the
//! way its kubelet came by it (not the generic re-issue).

use std::collections::BTreeMap;

use crate::finding::Finding;
use crate::pki::config::components;
use crate::pki::kubelet::{ServingSource, serving_certs};
use crate::snapshot::Snapshot;

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
    pub(super) fn new(snap: &Snapshot) -> Self {
        let comps = components(snap);
        let mut by_cert = BTreeMap::new();
        for s in serving_certs(snap, &snap.places, &comps) {
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
