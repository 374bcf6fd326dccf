//! The snapshot: one read-only typed model of everything in a bundle, built once.
//!
//! Checks read only this; they never see the archive. Every collection is sorted when the
//! snapshot is finished, so parallel checks see the same order on every run.

pub mod links;
pub mod sources;
mod time;

use std::collections::BTreeMap;

pub use crate::model::{Location, ObjectRef, normalize};
pub use time::{
    CaptureSource, CapturedAt, TimeEvidence, contradicted_metadata, decide as decide_capture_time,
    decide_from, duration_text, rfc3339, untrusted_log,
};

pub use crate::artifact::k8s::{EventRecord, NodeRecord};
use crate::artifact::scrub::ScrubbedEvidence;
use crate::artifact::{
    CniConfig, ConfigMapObject, EnvMap, InputProblem, Kubeconfig, PodRecord, SecretObject, SystemdUnit,
    WorkloadRecord,
};
use crate::bundle::collector::Collector;
use crate::bundle::distro::Layout;
use crate::bundle::layout::RootIndex;
use crate::logscan::LogSummary;
use crate::pki::{CertIndex, Fingerprint, KeyIndex};

pub use crate::bundle::distro::Role;
pub use crate::model::Node;

/// How a node's tree is laid out: its distribution, its k3s/RKE2 role and the tool that
/// collected it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeLayout {
    /// The distribution (detected, or forced with `--layout`).
    pub layout: Layout,
    /// The tool that made this node's part of the bundle, if any.
    pub collector: Option<Collector>,
    /// A k3s/RKE2 node's role and the evidence for it (a path under the node, or the Node
    /// object's role label); `None` when the bundle does not say.
    pub role: Option<(Role, String)>,
}

/// A file (or symlink) seen in the bundle.
#[derive(Clone, Debug, Default)]
pub struct FileInfo {
    /// Index into [`Snapshot::nodes`] of the node whose tree holds the file.
    pub node: Option<usize>,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content (regular files only), to compare copies without keeping them.
    pub sha256: Option<Fingerprint>,
    /// Target of a symlink, as written in the archive or on disk.
    pub link_target: Option<String>,
}

/// A flannel `subnet.env` (or any KEY=VALUE file the rules read).
#[derive(Clone, Debug)]
pub struct EnvFile {
    /// Bundle path.
    pub path: String,
    /// Node index.
    pub node: Option<usize>,
    /// Assignments.
    pub values: EnvMap,
}

/// A KubeletConfiguration file.
#[derive(Clone, Debug)]
pub struct KubeletConfigRecord {
    /// Bundle path.
    pub path: String,
    /// Node index.
    pub node: Option<usize>,
    /// The document as JSON.
    pub config: serde_json::Value,
}

/// The typed model of one bundle.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The input as given (path on the command line).
    pub source: String,
    /// The instant the bundle is judged at.
    pub captured_at: CapturedAt,
    /// What gave [`Snapshot::captured_at`], in words (a file, a log, the flag).
    pub captured_from: String,
    /// Nodes found in the bundle, sorted by root.
    pub nodes: Vec<Node>,
    /// Every file and symlink, by bundle path.
    pub files: BTreeMap<String, FileInfo>,
    /// Every certificate, deduplicated.
    pub certs: CertIndex,
    /// Every key, deduplicated by public key.
    pub keys: KeyIndex,
    /// Who signed what, proven by signature.
    pub graph: crate::pki::graph::Graph,
    /// What sits at each place (file, object key, kubeconfig field), for lookups.
    pub places: crate::pki::material::Lookup,
    /// Who trusts which CA bundle for which peer certificate (computed after `graph`).
    pub trust: Vec<crate::pki::trust::TrustEdge>,
    /// Kubeconfigs.
    pub kubeconfigs: Vec<Kubeconfig>,
    /// Pod definitions: static manifests, checkpoints and dumped pods.
    pub pods: Vec<PodRecord>,
    /// Deployments, DaemonSets and StatefulSets from dumps.
    pub workloads: Vec<WorkloadRecord>,
    /// Secrets from dumps, data decoded.
    pub secrets: Vec<SecretObject>,
    /// ConfigMaps from dumps.
    pub configmaps: Vec<ConfigMapObject>,
    /// Node objects from dumps.
    pub k8s_nodes: Vec<NodeRecord>,
    /// Events from dumps.
    pub events: Vec<EventRecord>,
    /// Nodes' Leases (`kube-node-lease`) from dumps: each kubelet's heartbeat.
    pub node_leases: Vec<crate::artifact::k8s::LeaseRecord>,
    /// CertificateSigningRequests from dumps.
    pub csrs: Vec<crate::artifact::k8s::CsrRecord>,
    /// Certificates known only from `openssl x509 -text` dumps: path, node, what they state.
    pub cert_texts: Vec<(String, Option<usize>, crate::artifact::certtext::CertText)>,
    /// flannel `subnet.env` files.
    pub flannel_env: Vec<EnvFile>,
    /// CNI configs.
    pub cni_configs: Vec<CniConfig>,
    /// systemd units and drop-ins that carry component flags.
    pub units: Vec<SystemdUnit>,
    /// Kubelet configuration files.
    pub kubelet_configs: Vec<KubeletConfigRecord>,
    /// Cloud credential files (`.aws/credentials`): INI sections flattened to
    /// `<profile>.<key>` → value, so cloud checks can validate them without re-reading the file.
    pub credential_files: Vec<EnvFile>,
    /// What the log scan kept: per rule and node, counts, times and samples.
    pub logs: LogSummary,
    /// Everything that could not be read or parsed.
    pub problems: Vec<InputProblem>,
    /// Each node's layout, in the order of [`Snapshot::nodes`].
    pub node_layouts: Vec<NodeLayout>,
    /// Roots of the trees a known tool made (node roots and support bundle roots).
    pub collectors: Vec<(String, Collector)>,
    /// Evidence a collector scrubbed or redacted.
    pub scrubbed: Vec<ScrubbedEvidence>,
    /// Why the input itself ended early or broke (a truncated archive), if it did.
    pub cut: Option<String>,
    /// [`Snapshot::nodes`]' roots indexed (see [`Snapshot::roots`]).
    root_index: std::sync::OnceLock<RootIndex>,
}

impl Snapshot {
    /// An empty snapshot of `source` judged at `captured_at`.
    pub fn empty(source: impl Into<String>, captured_at: CapturedAt) -> Self {
        Snapshot {
            source: source.into(),
            captured_at,
            captured_from: String::new(),
            nodes: Vec::new(),
            files: BTreeMap::new(),
            certs: CertIndex::default(),
            keys: KeyIndex::default(),
            graph: crate::pki::graph::Graph::default(),
            places: crate::pki::material::Lookup::default(),
            trust: Vec::new(),
            kubeconfigs: Vec::new(),
            pods: Vec::new(),
            workloads: Vec::new(),
            secrets: Vec::new(),
            configmaps: Vec::new(),
            k8s_nodes: Vec::new(),
            events: Vec::new(),
            node_leases: Vec::new(),
            csrs: Vec::new(),
            cert_texts: Vec::new(),
            flannel_env: Vec::new(),
            cni_configs: Vec::new(),
            units: Vec::new(),
            kubelet_configs: Vec::new(),
            credential_files: Vec::new(),
            logs: LogSummary::default(),
            problems: Vec::new(),
            node_layouts: Vec::new(),
            collectors: Vec::new(),
            scrubbed: Vec::new(),
            cut: None,
            root_index: std::sync::OnceLock::new(),
        }
    }

    /// The layout of a node (`Generic` for cluster-level things and unknown nodes).
    pub fn layout(&self, node: Option<usize>) -> Layout {
        node.and_then(|i| self.node_layouts.get(i))
            .map(|l| l.layout)
            .unwrap_or_default()
    }

    /// The cluster's distribution: the first non-generic node layout, else what the dumped
    /// Node objects' kubelet versions say (`+k3s1`, `+rke2r1`), else `Generic`.
    pub fn cluster_layout(&self) -> Layout {
        self.node_layouts
            .iter()
            .map(|l| l.layout)
            .find(|l| *l != Layout::Generic)
            .or_else(|| {
                self.k8s_nodes.iter().find_map(|n| {
                    crate::bundle::distro::from_kubelet_version(&n.node.status.node_info.kubelet_version)
                })
            })
            .unwrap_or_default()
    }

    /// The collector of the tree that holds `path`, if a known tool made it.
    pub fn collector_of(&self, path: &str) -> Option<Collector> {
        self.collectors
            .iter()
            .filter(|(root, _)| path.starts_with(root.as_str()))
            .max_by_key(|(root, _)| root.len())
            .map(|(_, c)| *c)
    }

    /// The node whose tree holds `path` (longest root prefix wins).
    pub fn node_of(&self, path: &str) -> Option<usize> {
        let roots = self.roots();
        roots.longest_under(path).or(roots.top())
    }

    /// The node roots, indexed on first use: [`Snapshot::nodes`] is set once, before any
    /// file is placed on a node.
    pub fn roots(&self) -> &RootIndex {
        self.root_index
            .get_or_init(|| RootIndex::new(self.nodes.iter().map(|n| n.root.as_str())))
    }

    /// Where a log hit was read: its node's name; in a log of no node, the node its journal
    /// lines name (the dumped Node whose name is that host, or starts with `<host>.`, else
    /// the host as written); `None` for cluster-level logs.
    pub fn hit_node(&self, h: &crate::logscan::LogHits) -> Option<String> {
        if h.node.is_some() {
            return Some(self.node_name(h.node).to_string());
        }
        let host = h.host.as_deref()?;
        let mut dumped = self.k8s_nodes.iter().map(|n| n.node.metadata.name.as_str());
        let named = dumped
            .clone()
            .find(|n| *n == host)
            .or_else(|| dumped.find(|n| n.strip_prefix(host).is_some_and(|r| r.starts_with('.'))));
        Some(named.unwrap_or(host).to_string())
    }

    /// The node's name, or `cluster` for things that belong to no node.
    pub fn node_name(&self, node: Option<usize>) -> &str {
        node.and_then(|i| self.nodes.get(i))
            .map_or("cluster", |n| n.name.as_str())
    }

    /// Maps an absolute path on a node (`/etc/kubernetes/pki/ca.crt`) to its bundle path,
    /// following symlinks inside the bundle (at most 8 hops). `None` when the bundle lacks it.
    pub fn resolve(&self, node: Option<usize>, abs_path: &str) -> Option<String> {
        let n = node.and_then(|i| self.nodes.get(i));
        let at = |abs: &str| match n {
            Some(n) => n.bundle_path(abs),
            None => Some(abs.trim_start_matches('/').to_string()),
        };
        let mut path = at(abs_path)?;
        for _ in 0..8 {
            let info = self.files.get(&path)?;
            let Some(target) = &info.link_target else {
                return Some(path);
            };
            path = if target.starts_with('/') {
                at(target)?
            } else {
                let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
                normalize(&format!("{dir}/{target}"))
            };
        }
        None
    }
}
