//! What parsing one entry produced, before it is put into the snapshot.

use crate::artifact::k8s::{CsrRecord, EventRecord, NodeRecord};
use crate::artifact::pem::PemBlock;
use crate::artifact::{
    CniConfig, ConfigMapObject, EnvMap, InputProblem, Kubeconfig, PodRecord, SecretObject, SystemdUnit,
    WorkloadRecord,
};
use crate::model::Location;

/// A PEM block (or a bare DER certificate, labelled `CERTIFICATE`) and where it was found.
#[derive(Clone, Debug)]
pub struct Material {
    /// The block.
    pub block: PemBlock,
    /// Where it was found.
    pub location: Location,
}

/// Everything one entry yielded; node indexes are filled in later by the snapshot builder.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    /// Certificates and keys to index.
    pub material: Vec<Material>,
    /// Kubeconfigs.
    pub kubeconfigs: Vec<Kubeconfig>,
    /// Pods (manifests, checkpoints, dumps).
    pub pods: Vec<PodRecord>,
    /// Workloads from dumps.
    pub workloads: Vec<WorkloadRecord>,
    /// Secrets from dumps.
    pub secrets: Vec<SecretObject>,
    /// ConfigMaps from dumps.
    pub configmaps: Vec<ConfigMapObject>,
    /// Node objects from dumps.
    pub k8s_nodes: Vec<NodeRecord>,
    /// Events from dumps.
    pub events: Vec<EventRecord>,
    /// Nodes' Leases (`kube-node-lease`) from dumps.
    pub node_leases: Vec<crate::artifact::k8s::LeaseRecord>,
    /// CertificateSigningRequests from dumps.
    pub csrs: Vec<CsrRecord>,
    /// A flannel `subnet.env`.
    pub flannel_env: Option<EnvMap>,
    /// An AWS shared credentials file, flattened to `<profile>.<key>`.
    pub aws_credentials: Option<EnvMap>,
    /// A CNI config.
    pub cni: Option<CniConfig>,
    /// A systemd unit or drop-in.
    pub unit: Option<SystemdUnit>,
    /// KubeletConfiguration documents.
    pub kubelet_configs: Vec<serde_json::Value>,
    /// What `openssl x509 -text` dumps state (no DER: validity only).
    pub cert_texts: Vec<crate::artifact::certtext::CertText>,
    /// The first line of an `etc/hostname`.
    pub hostname: Option<String>,
    /// Whether the file is a cluster-level dump (belongs to no node).
    pub cluster_level: bool,
    /// What could not be read.
    pub problems: Vec<InputProblem>,
    /// Evidence a collector scrubbed from this entry.
    pub scrubbed: Vec<crate::artifact::scrub::ScrubbedEvidence>,
    /// The collection time a collector's manifest records.
    pub collected_at: Option<time::OffsetDateTime>,
    /// The collector's version, from its manifest (sos: `4.8.2`).
    pub collector_version: Option<String>,
}

impl Parsed {
    /// Appends the parts of the same entry, in order, growing each list once.
    pub fn append_all(&mut self, parts: Vec<Parsed>) {
        self.material
            .reserve(parts.iter().map(|p| p.material.len()).sum());
        self.secrets.reserve(parts.iter().map(|p| p.secrets.len()).sum());
        self.problems
            .reserve(parts.iter().map(|p| p.problems.len()).sum());
        for part in parts {
            self.append(part);
        }
    }

    /// Appends what another part of the same entry yielded (the items of a `List`, parsed
    /// in parallel), keeping order: `self`'s first.
    pub fn append(&mut self, other: Parsed) {
        let Parsed {
            mut material,
            mut kubeconfigs,
            mut pods,
            mut workloads,
            mut secrets,
            mut configmaps,
            mut k8s_nodes,
            mut events,
            mut node_leases,
            mut csrs,
            flannel_env,
            aws_credentials,
            cni,
            unit,
            mut kubelet_configs,
            mut cert_texts,
            hostname,
            cluster_level,
            mut problems,
            mut scrubbed,
            collected_at,
            collector_version,
        } = other;
        self.material.append(&mut material);
        self.kubeconfigs.append(&mut kubeconfigs);
        self.pods.append(&mut pods);
        self.workloads.append(&mut workloads);
        self.secrets.append(&mut secrets);
        self.configmaps.append(&mut configmaps);
        self.k8s_nodes.append(&mut k8s_nodes);
        self.events.append(&mut events);
        self.node_leases.append(&mut node_leases);
        self.csrs.append(&mut csrs);
        self.flannel_env = self.flannel_env.take().or(flannel_env);
        self.aws_credentials = self.aws_credentials.take().or(aws_credentials);
        self.cni = self.cni.take().or(cni);
        self.unit = self.unit.take().or(unit);
        self.kubelet_configs.append(&mut kubelet_configs);
        self.cert_texts.append(&mut cert_texts);
        self.hostname = self.hostname.take().or(hostname);
        self.cluster_level |= cluster_level;
        self.problems.append(&mut problems);
        self.scrubbed.append(&mut scrubbed);
        self.collected_at = self.collected_at.or(collected_at);
        self.collector_version = self.collector_version.take().or(collector_version);
    }

    /// Records evidence that `by` scrubbed from `path`.
    pub fn scrubbed(&mut self, path: &str, what: impl Into<String>, by: &str) {
        self.scrubbed.push(crate::artifact::scrub::ScrubbedEvidence {
            path: path.to_string(),
            what: what.into(),
            by: by.to_string(),
        });
    }

    /// Records a problem with `path`.
    pub fn problem(&mut self, path: &str, error: impl Into<String>) {
        self.problems.push(InputProblem::new(path, error));
    }

    /// Adds every PEM block of `bytes` found at `location`; broken blocks become problems
    /// prefixed with `what` (the field or object key). Returns how many blocks were found.
    pub fn add_pem(&mut self, bytes: &[u8], location: &Location, what: &str) -> usize {
        let (mut blocks, errors) = crate::artifact::pem::blocks(bytes);
        if crate::artifact::pem::is_stub(bytes) {
            for b in blocks.iter_mut().filter(|b| b.label == "PUBLIC KEY") {
                b.label = crate::artifact::pem::STUB_LABEL.to_string();
            }
        }
        for e in errors {
            let msg = if what.is_empty() {
                e
            } else {
                format!("{what}: {e}")
            };
            self.problem(location.path(), msg);
        }
        let n = blocks.len();
        for block in blocks {
            self.material.push(Material {
                block,
                location: location.clone(),
            });
        }
        n
    }

    /// Adds `bytes` as PEM, or as a DER certificate when it is one; 0 when neither.
    pub fn add_pem_or_der(&mut self, bytes: &[u8], location: &Location, what: &str) -> usize {
        if crate::artifact::pem::has_pem(bytes) {
            return self.add_pem(bytes, location, what);
        }
        if crate::artifact::pem::looks_like_der_cert(bytes) {
            self.material.push(Material {
                block: PemBlock {
                    label: "CERTIFICATE".to_string(),
                    der: bytes.to_vec(),
                },
                location: location.clone(),
            });
            return 1;
        }
        0
    }
}
