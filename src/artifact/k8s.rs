//! The slices of Kubernetes API objects that kubetriage reads, as serde types.
//!
//! Only the fields the rules use are modelled; everything is optional so that a partial or
//! oddly-shaped dump still parses. Unknown fields are ignored.

use std::collections::BTreeMap;

use serde::Deserialize;

/// `metadata` of any object.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ObjectMeta {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.uid`.
    pub uid: String,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// `metadata.annotations`.
    pub annotations: BTreeMap<String, String>,
    /// `metadata.ownerReferences`.
    pub owner_references: Vec<OwnerReference>,
}

/// `metadata.ownerReferences[]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct OwnerReference {
    /// Owner kind.
    pub kind: String,
    /// Owner name.
    pub name: String,
}

/// A Pod (dumped, a static manifest or a checkpoint).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Pod {
    /// Object metadata.
    pub metadata: ObjectMeta,
    /// Desired state.
    pub spec: PodSpec,
    /// Observed state (absent in manifests).
    pub status: PodStatus,
}

/// `Pod.spec` (also the template of Deployments and DaemonSets).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PodSpec {
    /// The node the pod is bound to.
    pub node_name: String,
    /// Whether the pod uses the node's network namespace.
    pub host_network: bool,
    /// Init containers.
    pub init_containers: Vec<Container>,
    /// Containers.
    pub containers: Vec<Container>,
    /// Volumes.
    pub volumes: Vec<Volume>,
    /// Tolerations.
    pub tolerations: Vec<Toleration>,
    /// Node selector.
    pub node_selector: BTreeMap<String, String>,
    /// The service account the pod runs as (its cloud identity on EKS/AKS/GKE).
    pub service_account_name: String,
}

/// A container of a pod.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Container {
    /// Container name.
    pub name: String,
    /// Image reference.
    pub image: String,
    /// Entrypoint override.
    pub command: Vec<String>,
    /// Arguments.
    pub args: Vec<String>,
    /// Environment variables.
    pub env: Vec<EnvVar>,
    /// Volume mounts.
    pub volume_mounts: Vec<VolumeMount>,
}

impl Container {
    /// The `--flag=value` / `--flag value` options of `command` + `args`, by flag name without
    /// dashes. A flag given twice keeps its last value, as Go's flag package does.
    /// The container's flags as the kubelet runs them: `$(VAR)` in command and args expanded
    /// from the container's literal `env` values (`$$` escapes a `$`). A flag still naming a
    /// variable whose value the bundle cannot know (a `fieldRef` such as `$(POD_IP)`, a
    /// Secret, an undefined name) is left out: its value is unknown, not the literal text.
    pub fn flags(&self) -> BTreeMap<String, String> {
        let mut flags = parse_flags(self.command.iter().chain(self.args.iter()).map(String::as_str));
        flags.retain(|_, v| match expand_vars(v, &self.env) {
            Some(x) => {
                *v = x;
                true
            }
            None => false,
        });
        flags
    }
}

/// `value` with each `$(NAME)` replaced by the literal value `env` gives NAME, as the kubelet
/// expands container commands (`$$(NAME)` stays `$(NAME)`); `None` when a reference has no
/// literal value here.
fn expand_vars(value: &str, env: &[EnvVar]) -> Option<String> {
    if !value.contains("$(") {
        return Some(value.to_string());
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(t) = tail.strip_prefix("$$") {
            out.push('$');
            rest = t;
        } else if let Some((name, after)) = tail.strip_prefix("$(").and_then(|t| t.split_once(')')) {
            // A secret-named variable's value would be copied into findings and reports:
            // it counts as unknowable (hostile round 3, N2).
            if crate::redact::secret_name(name) {
                return None;
            }
            let v = env.iter().rev().find(|e| e.name == name)?.value.as_deref()?;
            out.push_str(v);
            rest = after;
        } else {
            out.push('$');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    Some(out)
}

/// Parses `--name=value`, `--name value` and bare `--name` (→ `"true"`) options.
pub fn parse_flags<'a>(words: impl IntoIterator<Item = &'a str>) -> BTreeMap<String, String> {
    let words: Vec<&str> = words.into_iter().collect();
    let mut out = BTreeMap::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        i += 1;
        let Some(rest) = w
            .strip_prefix("--")
            .or_else(|| w.strip_prefix('-').filter(|r| r.len() > 1))
        else {
            continue;
        };
        if let Some((k, v)) = rest.split_once('=') {
            out.insert(k.to_string(), v.to_string());
        } else if let Some(next) = words.get(i).filter(|n| !n.starts_with('-')) {
            out.insert(rest.to_string(), (*next).to_string());
            i += 1;
        } else {
            out.insert(rest.to_string(), "true".to_string());
        }
    }
    out
}

/// An environment variable of a container.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EnvVar {
    /// Variable name.
    pub name: String,
    /// Literal value, if given inline.
    pub value: Option<String>,
    /// Reference to a Secret or ConfigMap key.
    pub value_from: Option<EnvVarSource>,
}

/// `env[].valueFrom`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct EnvVarSource {
    /// A key of a Secret.
    pub secret_key_ref: Option<KeyRef>,
    /// A key of a ConfigMap.
    pub config_map_key_ref: Option<KeyRef>,
}

/// A reference to one key of a named object.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct KeyRef {
    /// Object name (same namespace as the pod).
    pub name: String,
    /// Data key.
    pub key: String,
}

/// A container's volume mount.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct VolumeMount {
    /// Volume name.
    pub name: String,
    /// Path inside the container.
    pub mount_path: String,
    /// Sub-path of the volume mounted.
    pub sub_path: String,
}

/// A pod volume (only the sources kubetriage resolves).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Volume {
    /// Volume name.
    pub name: String,
    /// A node directory or file.
    pub host_path: Option<HostPathSource>,
    /// A Secret's keys as files.
    pub secret: Option<SecretVolumeSource>,
    /// A ConfigMap's keys as files.
    pub config_map: Option<ConfigMapVolumeSource>,
}

/// `volumes[].hostPath`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct HostPathSource {
    /// Absolute path on the node.
    pub path: String,
}

/// `volumes[].secret`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SecretVolumeSource {
    /// Secret name.
    pub secret_name: String,
    /// Key → file remapping.
    pub items: Vec<KeyToPath>,
}

/// `volumes[].configMap`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfigMapVolumeSource {
    /// ConfigMap name.
    pub name: String,
    /// Key → file remapping.
    pub items: Vec<KeyToPath>,
}

/// `items[]` of a Secret or ConfigMap volume.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct KeyToPath {
    /// Data key.
    pub key: String,
    /// File name inside the mount.
    pub path: String,
}

/// `spec.tolerations[]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Toleration {
    /// Taint key tolerated (empty with `operator: Exists` tolerates all).
    pub key: String,
    /// `Exists` or `Equal`.
    pub operator: String,
    /// Effect tolerated.
    pub effect: String,
}

/// `Pod.status`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PodStatus {
    /// `Pending`, `Running`, …
    pub phase: String,
    /// Pod conditions.
    pub conditions: Vec<Condition>,
    /// Per-container status.
    pub container_statuses: Vec<ContainerStatus>,
}

/// A status condition (pods and nodes).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Condition {
    /// Condition type (`Ready`, …).
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// Machine-readable reason.
    pub reason: String,
    /// Human-readable message.
    pub message: String,
    /// Last transition (RFC 3339).
    pub last_transition_time: String,
    /// When the kubelet last posted this condition (RFC 3339; node conditions only).
    pub last_heartbeat_time: String,
}

/// `status.containerStatuses[]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ContainerStatus {
    /// Container name.
    pub name: String,
    /// Readiness.
    pub ready: bool,
    /// Restarts so far.
    pub restart_count: u64,
    /// Current state.
    pub state: ContainerState,
}

/// `containerStatuses[].state`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContainerState {
    /// Set when the container waits (`CrashLoopBackOff`, `ContainerCreating`, …).
    pub waiting: Option<StateReason>,
    /// Set when the container ended.
    pub terminated: Option<StateReason>,
}

/// Reason and message of a container state.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct StateReason {
    /// Reason.
    pub reason: String,
    /// Message.
    pub message: String,
}

/// A Deployment, DaemonSet or StatefulSet: what the control plane should be running.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Workload {
    /// Object metadata.
    pub metadata: ObjectMeta,
    /// Desired state.
    pub spec: WorkloadSpec,
    /// Observed state.
    pub status: WorkloadStatus,
}

/// `spec` of a workload.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct WorkloadSpec {
    /// Desired replicas (Deployments, StatefulSets).
    pub replicas: Option<u64>,
    /// The pod template.
    pub template: PodTemplate,
}

/// `spec.template`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct PodTemplate {
    /// Template metadata.
    pub metadata: ObjectMeta,
    /// Pod spec.
    pub spec: PodSpec,
}

/// `status` of a workload (Deployment and DaemonSet fields together).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct WorkloadStatus {
    /// Deployment: replicas.
    pub replicas: Option<u64>,
    /// Deployment: ready replicas.
    pub ready_replicas: Option<u64>,
    /// Deployment: available replicas.
    pub available_replicas: Option<u64>,
    /// Deployment: unavailable replicas.
    pub unavailable_replicas: Option<u64>,
    /// DaemonSet: desired.
    pub desired_number_scheduled: Option<u64>,
    /// DaemonSet: ready.
    pub number_ready: Option<u64>,
}

/// A Node object.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct NodeObject {
    /// Object metadata.
    pub metadata: ObjectMeta,
    /// Spec (taints, pod CIDR).
    pub spec: NodeSpec,
    /// Status (conditions, addresses).
    pub status: NodeStatus,
}

/// `Node.spec`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NodeSpec {
    /// Taints.
    pub taints: Vec<Taint>,
    /// Pod CIDR allocated to the node.
    #[serde(rename = "podCIDR")]
    pub pod_cidr: String,
    /// Cordoned.
    pub unschedulable: bool,
}

/// A node taint.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Taint {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    pub effect: String,
}

/// `Node.status`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct NodeStatus {
    /// Conditions.
    pub conditions: Vec<Condition>,
    /// Addresses.
    pub addresses: Vec<NodeAddress>,
    /// `nodeInfo` (kubelet version: `v1.30.2+k3s1` names the distribution).
    #[serde(rename = "nodeInfo")]
    pub node_info: NodeInfo,
}

/// `Node.status.nodeInfo`: the versions the kubelet reports.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NodeInfo {
    /// `kubeletVersion`.
    pub kubelet_version: String,
}

/// `Node.status.addresses[]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct NodeAddress {
    /// `InternalIP`, `Hostname`, …
    #[serde(rename = "type")]
    pub type_: String,
    /// Address.
    pub address: String,
}

/// An Event.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Event {
    /// Object metadata.
    pub metadata: ObjectMeta,
    /// The object the event is about.
    pub involved_object: InvolvedObject,
    /// Reason (`FailedMount`, …).
    pub reason: String,
    /// Message.
    pub message: String,
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Count of occurrences.
    pub count: Option<u64>,
    /// First seen (RFC 3339).
    pub first_timestamp: Option<String>,
    /// Last seen (RFC 3339).
    pub last_timestamp: Option<String>,
    /// Event time (events.k8s.io, RFC 3339 with micros).
    pub event_time: Option<String>,
}

/// `Event.involvedObject`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct InvolvedObject {
    /// Kind.
    pub kind: String,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
}

/// A CertificateSigningRequest: whom it is for and whether anyone decided it. A kubelet
/// whose client certificate expired asks anew; nothing happens until the CSR is approved.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Csr {
    /// Object metadata.
    pub metadata: ObjectMeta,
    /// Spec (signer, requester).
    pub spec: CsrSpec,
    /// Status (conditions, issued certificate).
    pub status: CsrStatus,
}

/// `CertificateSigningRequest.spec`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CsrSpec {
    /// `kubernetes.io/kube-apiserver-client-kubelet`, `kubernetes.io/kubelet-serving`, …
    pub signer_name: String,
    /// Who asked (`system:node:<name>`, a bootstrapper service account).
    pub username: String,
}

/// `CertificateSigningRequest.status`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrStatus {
    /// `Approved`, `Denied`, `Failed`.
    pub conditions: Vec<CsrCondition>,
    /// The issued certificate (base64 PEM), once signed.
    pub certificate: String,
}

/// One condition of a CSR.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrCondition {
    /// `Approved`, `Denied`, `Failed`.
    #[serde(rename = "type")]
    pub type_: String,
}

impl Csr {
    /// Whether nobody decided it yet: no condition and no certificate.
    pub fn pending(&self) -> bool {
        self.status.conditions.is_empty() && self.status.certificate.is_empty()
    }

    /// Whether it asks for a kubelet's client or serving certificate.
    pub fn for_kubelet(&self) -> bool {
        matches!(
            self.spec.signer_name.as_str(),
            "kubernetes.io/kube-apiserver-client-kubelet" | "kubernetes.io/kubelet-serving"
        )
    }
}

/// A CertificateSigningRequest from a dump.
#[derive(Clone, Debug)]
pub struct CsrRecord {
    /// Bundle path of the dump.
    pub path: String,
    /// The request.
    pub csr: Csr,
}

/// A Node object from a dump.
#[derive(Clone, Debug)]
pub struct NodeRecord {
    /// Bundle path of the dump.
    pub path: String,
    /// The node.
    pub node: NodeObject,
}

/// A `coordination.k8s.io` Lease: in `kube-node-lease`, the one each kubelet renews every
/// ten seconds or so (`renewTime`), its heartbeat since Kubernetes 1.17, while the Node's
/// own status may be posted only every five minutes.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct LeaseObject {
    /// Object metadata (a node's Lease is named for the node).
    pub metadata: ObjectMeta,
    /// Holder and renewal.
    pub spec: LeaseSpec,
}

/// `Lease.spec`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LeaseSpec {
    /// Who holds it (a node's Lease: the node's name).
    pub holder_identity: String,
    /// When the holder last renewed it (RFC 3339 with microseconds).
    pub renew_time: String,
    /// How long a renewal holds.
    pub lease_duration_seconds: Option<i64>,
}

/// A node's Lease (namespace `kube-node-lease`) from a dump.
#[derive(Clone, Debug)]
pub struct LeaseRecord {
    /// Bundle path of the dump.
    pub path: String,
    /// The Lease.
    pub lease: LeaseObject,
}

/// An Event from a dump.
#[derive(Clone, Debug)]
pub struct EventRecord {
    /// Bundle path of the dump.
    pub path: String,
    /// The event.
    pub event: Event,
}

#[cfg(test)]
mod tests {
    /// `$(VAR)` in a flag: expanded from a literal env value, left out when unknowable
    /// (issue 19: `--advertise-address=$(POD_IP)` was an address a certificate must cover).
    #[test]
    fn container_flags_expand_literal_env_and_drop_unknown_references() {
        let c: super::Container = serde_json::from_value(serde_json::json!({
            "name": "kube-apiserver",
            "command": ["kube-apiserver", "--advertise-address=$(POD_IP)", "--secure-port=$(PORT)",
                        "--etcd-prefix=$$(literal)", "--bind-address=0.0.0.0"],
            "env": [{"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                    {"name": "PORT", "value": "6443"}]
        }))
        .unwrap();
        let f = c.flags();
        assert_eq!(f.get("advertise-address"), None);
        assert_eq!(f.get("secure-port").map(String::as_str), Some("6443"));
        assert_eq!(f.get("etcd-prefix").map(String::as_str), Some("$(literal)"));
        assert_eq!(f.get("bind-address").map(String::as_str), Some("0.0.0.0"));
    }

    /// A secret-named variable is never expanded: its value would reach findings (hostile
    /// round 3, N2).
    #[test]
    fn secret_named_variables_are_not_expanded() {
        let c: super::Container = serde_json::from_value(serde_json::json!({
            "name": "kube-apiserver",
            "command": ["kube-apiserver", "--tls-cert-file=/pki/$(DB_PASSWORD).crt",
                        "--client-ca-file=/pki/$(API_SECRET)", "--secure-port=$(PORT)"],
            "env": [{"name": "DB_PASSWORD", "value": "Hunter50plainpw"},
                    {"name": "API_SECRET", "value": "Hunter52plainsec"},
                    {"name": "PORT", "value": "6443"}]
        }))
        .unwrap();
        let f = c.flags();
        assert_eq!(f.get("tls-cert-file"), None);
        assert_eq!(f.get("client-ca-file"), None);
        assert_eq!(f.get("secure-port").map(String::as_str), Some("6443"));
    }

    use super::*;

    #[test]
    fn flags_in_both_forms() {
        let f = parse_flags(["kube-apiserver", "--a=1", "--b", "2", "--c", "--d=x=y"]);
        assert_eq!(f["a"], "1");
        assert_eq!(f["b"], "2");
        assert_eq!(f["c"], "true");
        assert_eq!(f["d"], "x=y");
    }
}
