//! Classify one bundle entry by path and content, and parse it into a typed value.
//!
//! Parsing never panics and never returns `Err` for bad content: a file that does not parse
//! becomes an [`InputProblem`] naming its path, and the analysis goes on.

pub mod awscreds;
pub mod certext;
pub mod certtext;
pub mod classify;
pub mod k8s;
pub mod kubeconfig;
pub mod objects;
pub mod parse;
pub mod parsed;
pub mod pem;
pub mod scrub;
pub mod text;
pub mod troubleshoot;
pub mod yaml;
pub mod yamldepth;

pub use classify::classify;
pub use parse::parse;
pub use parsed::{Material, Parsed};
pub use pem::PemBlock;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::ObjectRef;

pub use crate::model::InputProblem;

/// What an entry is, decided from its path and its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactKind {
    /// PEM text (certificates, keys), or a DER certificate.
    Pem,
    /// A kubeconfig (`kind: Config`).
    Kubeconfig,
    /// A static pod manifest or a pod checkpoint (a single Pod).
    PodManifest,
    /// A dump of Kubernetes objects (`kind: List`, one object, multi-document YAML, JSON).
    Objects,
    /// A log (journald export, klog, container runtime log, plain text).
    Log,
    /// flannel's `subnet.env`.
    FlannelEnv,
    /// A CNI network configuration (`.conf` / `.conflist`).
    CniConfig,
    /// A systemd unit or drop-in (kubelet, etcd-member flags and environment), or an
    /// environment file a kubelet unit reads (`kubeadm-flags.env`, `/etc/default/kubelet`).
    SystemdUnit,
    /// A KubeletConfiguration file.
    KubeletConfig,
    /// An AWS shared credentials file.
    AwsCredentials,
    /// The node's `etc/hostname`.
    Hostname,
    /// A collector's own record of when it ran (must-gather's `timestamp`).
    CollectionTime,
    /// An `openssl x509 -text` dump in place of a certificate.
    CertText,
    /// Nothing kubetriage reads.
    Other,
}

/// A kubeconfig, with embedded data decoded and file references kept as written.
#[derive(Clone, Debug, Default)]
pub struct Kubeconfig {
    /// Bundle path of the file.
    pub path: String,
    /// `current-context`.
    pub current_context: String,
    /// `clusters[]`.
    pub clusters: Vec<KubeconfigCluster>,
    /// `users[]`.
    pub users: Vec<KubeconfigUser>,
    /// `contexts[]`: name → (cluster, user).
    pub contexts: BTreeMap<String, (String, String)>,
}

/// A cluster entry of a kubeconfig.
#[derive(Clone, Debug, Default)]
pub struct KubeconfigCluster {
    /// Entry name.
    pub name: String,
    /// `server` URL.
    pub server: String,
    /// Decoded `certificate-authority-data`.
    pub ca_data: Option<Vec<u8>>,
    /// `certificate-authority` path as written (a node path).
    pub ca_file: Option<String>,
    /// `insecure-skip-tls-verify`.
    pub insecure: bool,
}

/// A user entry of a kubeconfig.
#[derive(Clone, Debug, Default)]
pub struct KubeconfigUser {
    /// Entry name.
    pub name: String,
    /// Decoded `client-certificate-data`.
    pub cert_data: Option<Vec<u8>>,
    /// `client-certificate` path as written.
    pub cert_file: Option<String>,
    /// Decoded `client-key-data` (never printed).
    pub key_data: Option<Vec<u8>>,
    /// `client-key` path as written.
    pub key_file: Option<String>,
    /// Whether a bearer token is set (the token itself is not kept).
    pub has_token: bool,
}

/// A Secret from a dump, with `data` base64-decoded (and `stringData` merged).
#[derive(Clone, Debug)]
pub struct SecretObject {
    /// `namespace/Secret/name`.
    pub object: ObjectRef,
    /// Bundle path of the dump.
    pub path: String,
    /// `type`.
    pub type_: String,
    /// Annotations.
    pub annotations: BTreeMap<String, String>,
    /// Decoded data by key.
    pub data: BTreeMap<String, Vec<u8>>,
}

/// A ConfigMap from a dump.
#[derive(Clone, Debug)]
pub struct ConfigMapObject {
    /// `namespace/ConfigMap/name`.
    pub object: ObjectRef,
    /// Bundle path of the dump.
    pub path: String,
    /// `data` by key.
    pub data: BTreeMap<String, String>,
}

/// Where a pod definition came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PodOrigin {
    /// A file in the kubelet's static pod folder (kubeadm manifests, active checkpoints).
    StaticManifest,
    /// A bootkube inactive checkpoint (`inactive-manifests/`).
    InactiveCheckpoint,
    /// A manifest file elsewhere (backups, rendered assets).
    OtherManifest,
    /// An object dump (`kubectl get pods -o yaml`).
    Dump,
}

/// A pod definition with where it came from.
#[derive(Clone, Debug)]
pub struct PodRecord {
    /// Bundle path.
    pub path: String,
    /// Origin.
    pub origin: PodOrigin,
    /// Node the file was found on (for manifests).
    pub node: Option<usize>,
    /// The pod.
    pub pod: k8s::Pod,
}

/// A Deployment / DaemonSet / StatefulSet from a dump.
#[derive(Clone, Debug)]
pub struct WorkloadRecord {
    /// `namespace/Kind/name`.
    pub object: ObjectRef,
    /// Bundle path of the dump.
    pub path: String,
    /// The workload.
    pub workload: k8s::Workload,
}

/// A parsed KEY=VALUE file (flannel `subnet.env`) or systemd `Environment=` lines.
pub type EnvMap = BTreeMap<String, String>;

/// A systemd unit or drop-in: the command line of `ExecStart` and its environment; or an
/// environment file a unit reads (`kubeadm-flags.env`, `/etc/default/kubelet`), which has
/// no unit name and no `ExecStart`, only `environment`.
#[derive(Clone, Debug, Default)]
pub struct SystemdUnit {
    /// Bundle path.
    pub path: String,
    /// Node index.
    pub node: Option<usize>,
    /// Unit name (`kubelet.service`, `etcd-member.service`); empty for an environment file.
    pub unit: String,
    /// `ExecStart` words, continuation lines joined.
    pub exec_start: Vec<String>,
    /// `Environment=` assignments (an environment file's KEY=VALUE lines).
    pub environment: EnvMap,
    /// `EnvironmentFile=` paths as written on the node, in order, without the leading `-`.
    pub environment_files: Vec<String>,
}

/// A CNI config file: which plugin types it uses.
#[derive(Clone, Debug, Default)]
pub struct CniConfig {
    /// Bundle path.
    pub path: String,
    /// Node index.
    pub node: Option<usize>,
    /// Network name.
    pub name: String,
    /// Plugin `type`s (`flannel`, `calico`, `portmap`, …).
    pub plugin_types: Vec<String>,
}
