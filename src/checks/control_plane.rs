//! Control-plane state from the dumps: components that do not run, control-plane nodes that
//! lost their NoSchedule taint, and nodes that are not Ready.

use crate::model::shell;
use std::collections::{BTreeMap, BTreeSet};

use crate::artifact::k8s::{ObjectMeta, Pod, PodSpec};
use crate::artifact::{PodOrigin, PodRecord, WorkloadRecord};
use crate::checks::{Check, Ctx};
use crate::finding::{Finding, Severity};
use crate::snapshot::{NodeRecord, Snapshot};

/// The components a cluster cannot do without, in the order the plan brings them back
/// (the scheduler first: nothing self-hosted is placed without it).
const COMPONENTS: &[Component] = &[
    Component::Apiserver,
    Component::Etcd,
    Component::Scheduler,
    Component::ControllerManager,
    Component::Dns,
];

/// A control-plane component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Component {
    Apiserver,
    Etcd,
    Scheduler,
    ControllerManager,
    Dns,
}

impl Component {
    fn name(self) -> &'static str {
        match self {
            Component::Apiserver => "kube-apiserver",
            Component::Etcd => "etcd",
            Component::Scheduler => "kube-scheduler",
            Component::ControllerManager => "kube-controller-manager",
            Component::Dns => "cluster DNS (kube-dns/CoreDNS)",
        }
    }

    /// What breaks while it is down, for the message.
    fn impact(self) -> &'static str {
        match self {
            Component::Apiserver => "nothing in the cluster can be read or changed",
            Component::Etcd => "the apiserver has no storage and fails every request",
            Component::Scheduler => {
                "no new pod is placed on a node — including the pods of self-hosted components \
                 and of the scheduler itself"
            }
            Component::ControllerManager => {
                "Deployments, DaemonSets and node lifecycle are not reconciled, and service-account \
                 token Secrets keep their old ca.crt"
            }
            Component::Dns => "in-cluster names do not resolve, so clients that reach the API by name fail",
        }
    }
}

/// Which component a pod or pod template is, from labels, name and command.
fn component_of(meta: &ObjectMeta, spec: &PodSpec) -> Option<Component> {
    let by_word = |w: &str| -> Option<Component> {
        let w = w.rsplit('/').next().unwrap_or(w);
        match w {
            "kube-apiserver" | "apiserver" => Some(Component::Apiserver),
            "etcd" | "kube-etcd" => Some(Component::Etcd),
            "kube-scheduler" | "scheduler" => Some(Component::Scheduler),
            "kube-controller-manager" | "controller-manager" => Some(Component::ControllerManager),
            "kube-dns" | "coredns" => Some(Component::Dns),
            _ => None,
        }
    };
    for key in ["component", "k8s-app", "app.kubernetes.io/name", "tier", "app"] {
        if let Some(c) = meta.labels.get(key).and_then(|v| by_word(v)) {
            return Some(c);
        }
    }
    let name = meta.name.as_str();
    if name.contains("operator") || name.contains("backup") || name.contains("checkpointer") {
        return None;
    }
    let by_prefix = [
        ("kube-apiserver", Component::Apiserver),
        ("kube-controller-manager", Component::ControllerManager),
        ("kube-scheduler", Component::Scheduler),
        ("kube-etcd", Component::Etcd),
        ("etcd", Component::Etcd),
        ("kube-dns", Component::Dns),
        ("coredns", Component::Dns),
    ];
    // bootkube checkpoints are named `<ns>-<pod>`; static mirror pods `<name>-<node>`.
    let bare = name.strip_prefix("kube-system-").unwrap_or(name);
    if let Some((_, c)) = by_prefix
        .iter()
        .find(|(p, _)| bare == *p || bare.strip_prefix(p).is_some_and(|r| r.starts_with('-')))
    {
        return Some(*c);
    }
    spec.containers
        .first()
        .and_then(|c| c.command.first().or(c.args.first()))
        .and_then(|w| by_word(w))
}

/// How one dumped pod is doing.
fn pod_state(pod: &Pod) -> PodState {
    let s = &pod.status;
    if let Some(w) = s
        .container_statuses
        .iter()
        .filter_map(|c| c.state.waiting.as_ref())
        .find(|w| w.reason == "CrashLoopBackOff")
    {
        let restarts = s
            .container_statuses
            .iter()
            .map(|c| c.restart_count)
            .max()
            .unwrap_or(0);
        return PodState::CrashLooping(format!("{} ({restarts} restarts) {}", w.reason, w.message));
    }
    if s.phase == "Running" {
        return PodState::Running;
    }
    let reason = s
        .container_statuses
        .iter()
        .filter_map(|c| c.state.waiting.as_ref().or(c.state.terminated.as_ref()))
        .map(|r| r.reason.clone())
        .chain(
            s.conditions
                .iter()
                .filter(|c| c.status == "False" && !c.message.is_empty())
                .map(|c| c.message.clone()),
        )
        .next()
        .unwrap_or_default();
    let phase = if s.phase.is_empty() {
        "Unknown"
    } else {
        s.phase.as_str()
    };
    PodState::NotRunning(if reason.is_empty() {
        phase.to_string()
    } else {
        format!("{phase}: {reason}")
    })
}

enum PodState {
    Running,
    CrashLooping(String),
    NotRunning(String),
}

/// control-plane-component-missing: kube-apiserver, etcd, kube-scheduler,
/// kube-controller-manager or cluster DNS is absent, not Running or crash-looping per the
/// Pod dump, static manifests and workloads; self-hosted ones get the rescue-pod fix.
pub struct ComponentMissing;

/// Kinds of `kube-system` pods a Pod dump must hold to be taken for a listing of the
/// namespace rather than a selection: any real cluster runs more than two (the control plane,
/// kube-proxy, DNS, the CNI).
const LISTING_KINDS: usize = 3;

/// Whether the dumped pods look like a listing of `kube-system` (several kinds of pod), not a
/// label-selected few.
fn full_listing(dumped: &[&PodRecord]) -> bool {
    let kinds: std::collections::BTreeSet<String> = dumped
        .iter()
        .filter(|p| p.pod.metadata.namespace == "kube-system")
        .map(|p| {
            let m = &p.pod.metadata;
            ["k8s-app", "component", "app.kubernetes.io/name", "app"]
                .iter()
                .find_map(|k| m.labels.get(*k).cloned())
                .unwrap_or_else(|| m.name.clone())
        })
        .collect();
    kinds.len() >= LISTING_KINDS
}

/// Whether the dumped workloads that run a component say none of its replicas is ready: its
/// absence from a Pod dump is then not an artefact of how the dump was taken.
fn workloads_down(workloads: &[&WorkloadRecord]) -> bool {
    !workloads.is_empty()
        && workloads.iter().all(|w| {
            let s = &w.workload.status;
            match (w.object.kind.as_str(), s.desired_number_scheduled) {
                ("DaemonSet", Some(_)) => s.number_ready.unwrap_or(0) == 0,
                _ => s.ready_replicas.unwrap_or(0) == 0,
            }
        })
}

/// Whether the component's own log runs until capture (its last line within the
/// history window): it was running, whatever a dump lacks.
fn logs_until_capture(snap: &Snapshot, comp: Component) -> bool {
    let name = match comp {
        Component::Apiserver => "kube-apiserver",
        Component::Etcd => "etcd",
        Component::Scheduler => "kube-scheduler",
        Component::ControllerManager => "kube-controller-manager",
        Component::Dns => "coredns",
    };
    let at = snap.captured_at.at;
    snap.logs.ends.iter().any(|(path, end)| {
        crate::logscan::component::from_path(path).as_deref() == Some(name)
            && end
                .at(at)
                .is_some_and(|t| t <= at && at - t <= crate::checks::logs::RECENT)
    })
}

impl Check for ComponentMissing {
    fn id(&self) -> &'static str {
        "control_plane.component_missing"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let snap = cx.snap;
        let dumped: Vec<&PodRecord> = snap.pods.iter().filter(|p| p.origin == PodOrigin::Dump).collect();
        let have_dump = dumped.iter().any(|p| p.pod.metadata.namespace == "kube-system");
        let manifests: Vec<&PodRecord> = snap
            .pods
            .iter()
            .filter(|p| p.origin == PodOrigin::StaticManifest)
            .collect();
        if !have_dump && manifests.is_empty() {
            return Vec::new();
        }
        let rescue_node = rescue_node(snap);
        // A dump filtered by a label (`kubectl get pod -l k8s-app=metrics-server`) lacks
        // every other pod: absence from it proves nothing.
        let listing = have_dump && full_listing(&dumped);
        let mut out = Vec::new();
        for (rank, &comp) in COMPONENTS.iter().enumerate() {
            let pods: Vec<&PodRecord> = dumped
                .iter()
                .copied()
                .filter(|p| component_of(&p.pod.metadata, &p.pod.spec) == Some(comp))
                .collect();
            let statics: Vec<&PodRecord> = manifests
                .iter()
                .copied()
                .filter(|p| component_of(&p.pod.metadata, &p.pod.spec) == Some(comp))
                .collect();
            let workloads: Vec<&WorkloadRecord> = snap
                .workloads
                .iter()
                .filter(|w| {
                    component_of(&w.workload.metadata, &w.workload.spec.template.spec) == Some(comp)
                        || component_of(&w.workload.spec.template.metadata, &w.workload.spec.template.spec)
                            == Some(comp)
                })
                .filter(|w| w.workload.spec.replicas != Some(0))
                .collect();
            let states: Vec<(&PodRecord, PodState)> = pods.iter().map(|p| (*p, pod_state(&p.pod))).collect();
            if states.iter().any(|(_, s)| matches!(s, PodState::Running)) {
                // Other replicas serve: each node whose own replica fails is still a fault
                // there (one running apiserver must not hide a crash-looping one).
                if comp != Component::Dns {
                    out.extend(failing_replicas(cx, rank, comp, &states, &statics));
                }
                continue;
            }
            let problem = if let Some((p, PodState::CrashLooping(why))) = states
                .iter()
                .find(|(_, s)| matches!(s, PodState::CrashLooping(_)))
            {
                format!("pod {} is crash-looping: {why}", p.pod.metadata.name)
            } else if let Some((p, PodState::NotRunning(why))) =
                states.iter().find(|(_, s)| matches!(s, PodState::NotRunning(_)))
            {
                format!("pod {} is not Running ({why})", p.pod.metadata.name)
            } else if have_dump
                && (listing && (!workloads.is_empty() || !statics.is_empty() || expected_anyway(snap, comp))
                    || workloads_down(&workloads))
                && !logs_until_capture(snap, comp)
            {
                "no pod of it is in the Pod dump".to_string()
            } else {
                // No dump to say it is absent, or nothing says this cluster runs it in-cluster
                // (a managed control plane, or etcd on the hosts).
                continue;
            };
            let crash_looping = states.iter().any(|(_, s)| matches!(s, PodState::CrashLooping(_)));
            let mut f = cx
                // The rank orders findings, and so the plan's rescue commands: scheduler first.
                .finding(format!("{rank} {}", comp.name()))
                .node(None)
                .evidence("component", comp.name())
                .evidence("problem", problem.clone());
            for (p, _) in &states {
                f = f.path(p.path.clone()).object(format!(
                    "{}/Pod/{}",
                    p.pod.metadata.namespace, p.pod.metadata.name
                ));
            }
            for s in &statics {
                f = f.path(s.path.clone());
            }
            for w in &workloads {
                f = f.path(w.path.clone()).object(w.object.to_string());
            }
            // The workload that runs it: from the workload dump, else (evidence ladder) from
            // its pods' owners or the self-hosted control plane when no workload dump was
            // collected.
            let owner: Option<Owner> = workloads.first().map(|w| Owner {
                kind: w.object.kind.clone(),
                ns: w.object.namespace.clone(),
                name: w.object.name.clone(),
                status: workload_status(w),
                evidence: None,
            });
            let owner = owner.or_else(|| {
                if !statics.is_empty() || has_workload_dump(snap) {
                    return None;
                }
                inferred_owner(snap, comp, &pods)
            });
            let message = if let (Some(w), true) = (owner.as_ref(), statics.is_empty()) {
                let kind = kubectl_kind(&w.kind);
                let ns = &w.ns;
                let name = &w.name;
                let status = &w.status;
                let object = format!("{ns}/{}/{name}", w.kind);
                if let Some(e) = &w.evidence {
                    f = f.evidence("workload_inferred_from", e.clone());
                }
                f = f
                    .evidence("self_hosted", format!("{object} ({status})"))
                    .var("target", format!("{} ({object})", comp.name()))
                    .var("ns", ns.clone())
                    .var("workload", format!("{kind}/{name}"))
                    .var("rescue_pod", format!("{name}-rescue"))
                    .var("rescue_node", rescue_node.clone())
                    .var("rescue_command", rescue_command(ns, kind, name, &rescue_node))
                    .fixes(["rescue-self-hosted-component"]);
                if crash_looping {
                    f = f.var(
                        "pod",
                        pods.first()
                            .map(|p| p.pod.metadata.name.clone())
                            .unwrap_or_default(),
                    );
                }
                format!(
                    "{} is not running: {problem}. While it is down {}. It is self-hosted ({}, {status}, \
                     no static manifest): its pods are created by the controller-manager and placed by \
                     the scheduler, so when the scheduler (or the controller-manager) is itself down, \
                     nothing can bring it back — a chicken-and-egg. Extract one pod from the {} and run it \
                     by hand with nodeName set, which bypasses the scheduler; the real {} takes over once \
                     the control plane runs again.",
                    comp.name(),
                    comp.impact(),
                    object,
                    w.kind,
                    w.kind
                )
            } else if let Some(s) = statics.first() {
                let node = snap.node_name(s.node).to_string();
                f = static_restart(f.node(Some(&node)), comp, &node, s);
                format!(
                    "{} is not running: {problem}. While it is down {}. It is a static pod: the kubelet on \
                     {node} runs it from {}, so its kubelet log and container runtime say why it does not \
                     start; moving the manifest out and back restarts it.",
                    comp.name(),
                    comp.impact(),
                    s.path
                )
            } else {
                if let Some(p) = pods.first() {
                    f = f
                        .var("pod", p.pod.metadata.name.clone())
                        .var("ns", p.pod.metadata.namespace.clone());
                }
                // Neither a workload to extract a pod from nor a manifest to restart: only the
                // generic step applies, and the message says so.
                f = f
                    .var("component", comp.name())
                    .fixes(["find-control-plane-component"]);
                format!(
                    "{} is not running: {problem}. While it is down {}. The bundle holds no Deployment, \
                     DaemonSet or static manifest for it, so the plan can only give a generic step.",
                    comp.name(),
                    comp.impact()
                )
            };
            out.push(f.message(message));
        }
        out
    }
}

/// The static-pod restart step's selection and variables for component `comp` run on
/// `node` from the manifest `s`.
fn static_restart(f: Finding, comp: Component, node: &str, s: &PodRecord) -> Finding {
    let file = s.path.rsplit('/').next().unwrap_or(&s.path).to_string();
    let container = s
        .pod
        .spec
        .containers
        .first()
        .map_or_else(|| comp.name().to_string(), |c| c.name.clone());
    f.var("target", format!("{} ({node})", comp.name()))
        .var("node", node.to_string())
        .var("manifest", file)
        .var("container", container)
        .fixes(["restart-static-control-plane-pod"])
}

/// One finding per node whose replica of a per-node control-plane component is not running
/// while a replica elsewhere is: "1 of 3 replicas", on that node, with the static pod's
/// restart step when its manifest is in the bundle, the generic step otherwise.
fn failing_replicas(
    cx: &Ctx<'_>,
    rank: usize,
    comp: Component,
    states: &[(&PodRecord, PodState)],
    statics: &[&PodRecord],
) -> Vec<Finding> {
    let node_of = |p: &PodRecord| p.pod.spec.node_name.clone();
    let running: BTreeSet<String> = states
        .iter()
        .filter(|(_, s)| matches!(s, PodState::Running))
        .map(|(p, _)| node_of(p))
        .collect();
    let total = states.len();
    let failing: Vec<(&PodRecord, String)> = states
        .iter()
        .filter_map(|(p, s)| match s {
            PodState::CrashLooping(why) => {
                Some((*p, format!("pod {} is crash-looping: {why}", p.pod.metadata.name)))
            }
            PodState::NotRunning(why) => {
                Some((*p, format!("pod {} is not Running ({why})", p.pod.metadata.name)))
            }
            PodState::Running => None,
        })
        .filter(|(p, _)| !node_of(p).is_empty() && !running.contains(&node_of(p)))
        .collect();
    let mut out = Vec::new();
    for (p, problem) in &failing {
        let node = node_of(p);
        let mut f = cx
            .finding(format!("{rank} {} {node}", comp.name()))
            .node(Some(&node))
            .evidence("component", comp.name())
            .evidence("problem", problem.clone())
            .evidence("replicas", format!("{} of {total} not running", failing.len()))
            .path(p.path.clone())
            .object(format!(
                "{}/Pod/{}",
                p.pod.metadata.namespace, p.pod.metadata.name
            ));
        let manifest = statics
            .iter()
            .find(|s| s.node.is_some() && cx.snap.node_name(s.node) == node);
        let how = if let Some(s) = manifest {
            f = static_restart(f.path(s.path.clone()), comp, &node, s);
            format!(
                "It is a static pod: the kubelet on {node} runs it from {}, so its kubelet log and \
                 container runtime say why it does not start; moving the manifest out and back restarts it.",
                s.path
            )
        } else {
            f = f
                .var("pod", p.pod.metadata.name.clone())
                .var("ns", p.pod.metadata.namespace.clone())
                .var("component", comp.name())
                .fixes(["find-control-plane-component"]);
            format!(
                "The bundle holds no static manifest of it from {node}: the kubelet log and the \
                 container runtime on {node} say why it does not start."
            )
        };
        out.push(f.message(format!(
            "{} on {node} is not running: {problem}. {} of its {total} replicas are not running; \
             the others serve, so the cluster works with less redundancy, but clients and \
             load-balancer checks that reach {node} fail. {how}",
            comp.name(),
            failing.len()
        )));
    }
    out
}

/// Scheduler, controller-manager and DNS are expected when the control plane runs in the
/// cluster (an apiserver pod or manifest is in the bundle); DNS always is.
fn expected_anyway(snap: &Snapshot, comp: Component) -> bool {
    match comp {
        Component::Dns => true,
        Component::Scheduler | Component::ControllerManager => snap
            .pods
            .iter()
            .any(|p| component_of(&p.pod.metadata, &p.pod.spec) == Some(Component::Apiserver)),
        Component::Apiserver | Component::Etcd => false,
    }
}

/// The workload that runs a component (dumped or inferred).
struct Owner {
    kind: String,
    ns: String,
    name: String,
    status: String,
    /// What the workload was inferred from when the bundle holds no dump of it.
    evidence: Option<String>,
}

/// Whether the bundle holds any workload dump (Deployment, DaemonSet, StatefulSet).
fn has_workload_dump(snap: &Snapshot) -> bool {
    !snap.workloads.is_empty()
}

/// The workload of a component when no workload dump was collected: the controller owning
/// one of its dumped pods (a ReplicaSet `<deployment>-<hash>` stands for its Deployment),
/// else, when the control plane is self-hosted (an apiserver or controller pod in the dump is
/// owned by a DaemonSet or ReplicaSet), the Deployment of the component's conventional name
/// in `kube-system` (bootkube and self-hosted kubeadm name them so).
fn inferred_owner(snap: &Snapshot, comp: Component, pods: &[&PodRecord]) -> Option<Owner> {
    let not_dumped = "no Deployment/DaemonSet dump was collected";
    for p in pods {
        let m = &p.pod.metadata;
        // A mirror pod's owner is its Node: a static pod, which has no workload to extract.
        let workload_owner = m
            .owner_references
            .iter()
            .find(|o| matches!(o.kind.as_str(), "ReplicaSet" | "DaemonSet" | "StatefulSet"));
        if let Some(o) = workload_owner {
            let (kind, name) = match o.kind.as_str() {
                "ReplicaSet" => (
                    "Deployment".to_string(),
                    o.name
                        .rsplit_once('-')
                        .map_or(o.name.as_str(), |(d, _)| d)
                        .to_string(),
                ),
                k => (k.to_string(), o.name.clone()),
            };
            return Some(Owner {
                kind,
                ns: m.namespace.clone(),
                name,
                status: "readiness unknown".to_string(),
                evidence: Some(format!(
                    "pod {}/{} is owned by {} {}; {not_dumped}",
                    m.namespace, m.name, o.kind, o.name
                )),
            });
        }
    }
    let conventional = match comp {
        Component::Scheduler | Component::ControllerManager => comp.name(),
        Component::Apiserver | Component::Etcd | Component::Dns => return None,
    };
    let witness = snap.pods.iter().find(|p| {
        p.origin == PodOrigin::Dump
            && p.pod.metadata.namespace == "kube-system"
            && component_of(&p.pod.metadata, &p.pod.spec).is_some_and(|c| c != Component::Dns)
            && p.pod
                .metadata
                .owner_references
                .iter()
                .any(|o| matches!(o.kind.as_str(), "DaemonSet" | "ReplicaSet"))
    })?;
    let m = &witness.pod.metadata;
    let o = m
        .owner_references
        .iter()
        .find(|o| matches!(o.kind.as_str(), "DaemonSet" | "ReplicaSet"))?;
    Some(Owner {
        kind: "Deployment".to_string(),
        ns: "kube-system".to_string(),
        name: conventional.to_string(),
        status: "no pod in the dump".to_string(),
        evidence: Some(format!(
            "the control plane is self-hosted (pod kube-system/{} is owned by {} {}); {not_dumped}",
            m.name, o.kind, o.name
        )),
    })
}

fn kubectl_kind(kind: &str) -> &'static str {
    match kind {
        "DaemonSet" => "daemonset",
        "StatefulSet" => "statefulset",
        _ => "deployment",
    }
}

fn workload_status(w: &WorkloadRecord) -> String {
    let s = &w.workload.status;
    match (
        w.object.kind.as_str(),
        s.desired_number_scheduled,
        w.workload.spec.replicas,
    ) {
        ("DaemonSet", Some(d), _) => format!("{}/{d} ready", s.number_ready.unwrap_or(0)),
        (_, _, Some(r)) => format!("{}/{r} ready", s.ready_replicas.unwrap_or(0)),
        _ => "readiness unknown".to_string(),
    }
}

/// The node to run rescue pods on: a Ready control-plane node from the Node dump, else any
/// Ready node, else the first node of the bundle.
fn rescue_node(snap: &Snapshot) -> String {
    let ready = |n: &&NodeRecord| {
        n.node
            .status
            .conditions
            .iter()
            .any(|c| c.type_ == "Ready" && c.status == "True")
    };
    snap.k8s_nodes
        .iter()
        .filter(ready)
        .find(|n| control_plane_role(n).is_some())
        .or_else(|| snap.k8s_nodes.iter().find(|n| control_plane_role(n).is_some()))
        .or_else(|| snap.k8s_nodes.iter().find(ready))
        .map(|n| n.node.metadata.name.clone())
        .or_else(|| snap.nodes.first().map(|n| n.name.clone()))
        .unwrap_or_else(|| "<node>".to_string())
}

/// `kubectl get <kind> -o json | jq … | kubectl apply -f -`: one pod from the workload's
/// template, bound to `node` so that it needs no scheduler.
fn rescue_command(ns: &str, kind: &str, name: &str, node: &str) -> String {
    format!(
        "kubectl -n {} get {} {} -o json | jq --arg name {} --arg ns {} --arg node {} '.spec.template | {{apiVersion:\"v1\",kind:\"Pod\",\
         metadata:(.metadata+{{name:$name,namespace:$ns}}),spec:(.spec+{{nodeName:$node}})}}' \
         | kubectl apply -f -",
        shell::operand(ns),
        shell::operand(kind),
        shell::operand(name),
        shell::operand(&format!("{name}-rescue")),
        shell::operand(ns),
        shell::operand(node)
    )
}

/// The role a control-plane node's label names (`master` wins when both are set: clusters
/// that carry both labels, kubeadm 1.20–1.23, still taint with `master`).
fn control_plane_role(n: &NodeRecord) -> Option<&'static str> {
    let labels = &n.node.metadata.labels;
    if labels.contains_key("node-role.kubernetes.io/master") {
        Some("master")
    } else if labels.contains_key("node-role.kubernetes.io/control-plane") {
        Some("control-plane")
    } else {
        None
    }
}

/// control-plane-taint-removed: a node labelled as control plane has no
/// `node-role.kubernetes.io/{master,control-plane}:NoSchedule` taint — usually a
/// troubleshooting change that lets ordinary workloads land next to the control plane.
pub struct TaintRemoved;

impl Check for TaintRemoved {
    fn id(&self) -> &'static str {
        "control_plane.taint_removed"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        for n in &cx.snap.k8s_nodes {
            let Some(role) = control_plane_role(n) else {
                continue;
            };
            let tainted = n.node.spec.taints.iter().any(|t| {
                matches!(
                    t.key.as_str(),
                    "node-role.kubernetes.io/master" | "node-role.kubernetes.io/control-plane"
                ) && t.effect == "NoSchedule"
            });
            if tainted {
                continue;
            }
            let name = &n.node.metadata.name;
            let taints: Vec<String> = n
                .node
                .spec
                .taints
                .iter()
                .map(|t| format!("{}={}:{}", t.key, t.value, t.effect))
                .collect();
            out.push(
                cx.finding(name.clone())
                    .message(format!(
                        "control-plane node {name} (label node-role.kubernetes.io/{role}) has no \
                         node-role.kubernetes.io/{role}:NoSchedule taint, so ordinary workloads are \
                         scheduled next to the control plane. This is usually a troubleshooting change \
                         (untainting the master to run workloads while workers are down) to revert once \
                         the workers are back; ignore it on a deliberately single-node cluster."
                    ))
                    .node(Some(name))
                    .path(n.path.clone())
                    .object(format!("Node/{name}"))
                    .evidence("role_label", format!("node-role.kubernetes.io/{role}"))
                    .evidence("taints", taints)
                    .var("node", name.clone())
                    .var("role", role),
            );
        }
        out
    }
}

/// node-not-ready: a Node whose Ready condition is False (error) or Unknown (warning), with
/// the condition messages the kubelet (or the node controller) left; also (warning) a Node
/// still `Ready=True` whose kubelet stopped posting status long before the dump was taken
/// (see [`stale_heartbeats`]).
pub struct NodeNotReady;

/// How far a `Ready=True` heartbeat may lag the dump before it is stale: the kubelet posts
/// its status at least every `nodeStatusReportFrequency` (5 minutes by default, set to 30 on
/// some large clusters) even when nothing changed, and the node controller marks a silent
/// node Unknown within a minute.
const HEARTBEAT_STALE_AFTER: time::Duration = time::Duration::hours(1);

/// The same for a node's Lease, when every node compared has one: the kubelet renews it
/// every ~10 s (a quarter of its 40 s duration) and the node controller marks a node whose
/// Lease lapses Unknown within the grace period (40–50 s). Five minutes leaves room for a
/// slow `kubectl get leases` over many nodes.
const LEASE_STALE_AFTER: time::Duration = time::Duration::minutes(5);

/// A node's newest heartbeat and where it was read: its Ready condition's
/// `lastHeartbeatTime`, or its Lease's `renewTime` in `kube-node-lease` where that is newer.
#[derive(Clone)]
struct Heartbeat {
    at: time::OffsetDateTime,
    text: String,
    lease: Option<String>,
}

fn heartbeat(n: &NodeRecord, leases: &BTreeMap<&str, Heartbeat>) -> Option<Heartbeat> {
    use time::format_description::well_known::Rfc3339;
    let status = n
        .node
        .status
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .and_then(|c| {
            time::OffsetDateTime::parse(&c.last_heartbeat_time, &Rfc3339)
                .ok()
                .map(|t| Heartbeat {
                    at: t,
                    text: c.last_heartbeat_time.clone(),
                    lease: None,
                })
        });
    let lease = leases.get(n.node.metadata.name.as_str()).cloned();
    match (status, lease) {
        (Some(s), Some(l)) => Some(if l.at >= s.at { l } else { s }),
        (s, l) => s.or(l),
    }
}

/// Each node's newest Lease renewal, by node name: a node's Lease bears its name, and its
/// holder, where set, is the node too.
fn lease_renewals(snap: &Snapshot) -> BTreeMap<&str, Heartbeat> {
    use time::format_description::well_known::Rfc3339;
    let mut out: BTreeMap<&str, Heartbeat> = BTreeMap::new();
    for l in &snap.node_leases {
        let name = l.lease.metadata.name.as_str();
        let holder = l.lease.spec.holder_identity.as_str();
        if !(holder.is_empty() || holder == name) {
            continue;
        }
        let Ok(t) = time::OffsetDateTime::parse(&l.lease.spec.renew_time, &Rfc3339) else {
            continue;
        };
        // The newest; of equal ones the last, as `max_by_key` keeps.
        if out.get(name).is_none_or(|h| t >= h.at) {
            out.insert(
                name,
                Heartbeat {
                    at: t,
                    text: l.lease.spec.renew_time.clone(),
                    lease: Some(format!("kube-node-lease/{name}")),
                },
            );
        }
    }
    out
}

/// The Nodes dumped `Ready=True` whose heartbeat lags the dump by more than
/// [`HEARTBEAT_STALE_AFTER`] ([`LEASE_STALE_AFTER`] when every node's heartbeat is its
/// Lease), with the heartbeat, the lag and what it is measured against. A heartbeat is the
/// newer of the Ready condition's and the node's Lease's ([`heartbeat`]). The dump's instant
/// is told by the other dumped Nodes' heartbeats (the same `kubectl get` saw them): their
/// median with three or more, so that one node with a fast clock does not make the others
/// stale; never a collector's or `--now` time, which may be any time after the dump.
fn stale_heartbeats(snap: &Snapshot) -> BTreeMap<String, StaleBeat> {
    let leases = lease_renewals(snap);
    // Each dumped node's heartbeat, in dump order.
    let nodes: Vec<(&NodeRecord, Heartbeat)> = snap
        .k8s_nodes
        .iter()
        .filter_map(|n| heartbeat(n, &leases).map(|h| (n, h)))
        .collect();
    let mut beats: Vec<(time::OffsetDateTime, &str)> = nodes
        .iter()
        .map(|(n, h)| (h.at, n.node.metadata.name.as_str()))
        .collect();
    beats.sort();
    if beats.len() < 2 {
        return BTreeMap::new();
    }
    let (noun, limit) = if nodes.iter().all(|(_, h)| h.lease.is_some()) {
        ("Lease renewal", LEASE_STALE_AFTER)
    } else {
        ("heartbeat", HEARTBEAT_STALE_AFTER)
    };
    let (at, what) = if beats.len() >= 3 {
        let (t, _) = &beats[beats.len() / 2];
        (
            *t,
            format!("the median {noun} of the {} dumped nodes", beats.len()),
        )
    } else {
        let (t, name) = &beats[beats.len() - 1];
        (*t, format!("node {name}'s last {noun}"))
    };
    nodes
        .into_iter()
        .filter(|(n, h)| {
            let ready = n.node.status.conditions.iter().find(|c| c.type_ == "Ready");
            ready.is_some_and(|c| c.status == "True") && at - h.at > limit
        })
        .map(|(n, h)| {
            (
                n.node.metadata.name.clone(),
                StaleBeat {
                    lag: crate::model::duration_text(at - h.at),
                    against: format!("{what}, {}", crate::model::rfc3339(at)),
                    beat: h.text,
                    lease: h.lease,
                },
            )
        })
        .collect()
}

/// A `Ready=True` node's stale heartbeat ([`stale_heartbeats`]).
struct StaleBeat {
    beat: String,
    lag: String,
    against: String,
    lease: Option<String>,
}

impl Check for NodeNotReady {
    fn id(&self) -> &'static str {
        "control_plane.node_not_ready"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        let stale = stale_heartbeats(cx.snap);
        for n in &cx.snap.k8s_nodes {
            let Some(ready) = n.node.status.conditions.iter().find(|c| c.type_ == "Ready") else {
                continue;
            };
            let name = &n.node.metadata.name;
            if let Some(StaleBeat {
                beat,
                lag,
                against,
                lease,
            }) = stale.get(name)
            {
                let shown = crate::redact::line(beat);
                let (posted, source) = match lease {
                    Some(l) => (
                        format!("last renewed its Lease {l} {lag} before the dump (renewTime {shown}"),
                        format!("Lease {l} spec.renewTime"),
                    ),
                    None => (
                        format!("last posted node status {lag} before the dump (lastHeartbeatTime {shown}"),
                        "Node status.conditions[Ready].lastHeartbeatTime".to_string(),
                    ),
                };
                out.push(
                    cx.finding(name.clone())
                        .severity(Severity::Warning)
                        .message(format!(
                            "node {name} is dumped Ready, but its kubelet {posted}; against {against}). \
                             The node lifecycle controller of kube-controller-manager marks a node \
                             whose kubelet falls silent Unknown within a minute, and nothing did: \
                             check the kubelet on {name} and kube-controller-manager",
                        ))
                        .node(Some(name))
                        .path(n.path.clone())
                        .object(format!("Node/{name}"))
                        .evidence("ready", "True (stale)")
                        .evidence("last_heartbeat", shown)
                        .evidence("heartbeat_source", source)
                        .evidence("measured_against", against.clone())
                        .var("node", name.clone())
                        .refs(not_ready_keys(cx.snap, name, beat)),
                );
                continue;
            }
            let severity = match ready.status.as_str() {
                "False" => Severity::Error,
                "Unknown" => Severity::Warning,
                _ => continue,
            };
            let mut conditions: BTreeMap<String, String> = BTreeMap::new();
            for c in &n.node.status.conditions {
                let bad = if c.type_ == "Ready" {
                    c.status != "True"
                } else {
                    c.status != "False"
                };
                if bad {
                    conditions.insert(
                        c.type_.clone(),
                        crate::redact::line(&format!("{} {}: {}", c.status, c.reason, c.message)),
                    );
                }
            }
            let detail = if ready.status == "Unknown" {
                "Ready=Unknown: the node controller stopped hearing from the kubelet (kubelet down, \
                 node off, or the kubelet cannot reach the apiserver)"
                    .to_string()
            } else {
                "Ready=False: the kubelet runs and reports the node unfit".to_string()
            };
            out.push(
                cx.finding(name.clone())
                    .severity(severity)
                    .message(format!(
                        "node {name} is not Ready ({detail}). {}: {}",
                        if ready.reason.is_empty() {
                            "Ready"
                        } else {
                            ready.reason.as_str()
                        },
                        crate::redact::line(&ready.message)
                    ))
                    .node(Some(name))
                    .path(n.path.clone())
                    .object(format!("Node/{name}"))
                    .evidence("ready", ready.status.clone())
                    .evidence("last_transition", ready.last_transition_time.clone())
                    .evidence(
                        "conditions",
                        serde_json::to_value(&conditions).unwrap_or_default(),
                    )
                    .evidence("unschedulable", n.node.spec.unschedulable)
                    .var("node", name.clone())
                    .refs(not_ready_keys(cx.snap, name, &ready.last_transition_time)),
            );
        }
        out
    }
}

/// How long after a certificate expires a node it stops goes Ready=Unknown: the node
/// controller's grace period (`--node-monitor-grace-period`, 40–50 s) after the kubelet's last
/// status update (every 10 s), with room for the kubelet's retries.
const NOT_READY_AFTER_EXPIRY: time::Duration = time::Duration::minutes(5);

/// The certificate keys that tie a not-Ready node to a certificate: what its own kubelet's
/// TLS failures name (a notAfter, the server it dialled) while it is not Ready, and the
/// notAfter of each certificate of the bundle that expired within
/// [`NOT_READY_AFTER_EXPIRY`] before the Ready condition changed.
fn not_ready_keys(
    snap: &crate::snapshot::Snapshot,
    node: &str,
    transition: &str,
) -> Vec<Vec<crate::model::CertKey>> {
    use crate::model::{CertKey, KeyKind};
    let since = time::OffsetDateTime::parse(transition, &time::format_description::well_known::Rfc3339).ok();
    let mut out: Vec<Vec<CertKey>> = snap
        .logs
        .hits
        .iter()
        .filter(|h| h.component == "kubelet" && !h.refs.is_empty())
        .filter(|h| snap.hit_node(h).as_deref() == Some(node))
        // Lines that went on while the node was not Ready (undated lines: no proof either way).
        .filter(|h| match (since, h.last_seen) {
            (Some(t), Some(last)) => last >= t - NOT_READY_AFTER_EXPIRY,
            _ => true,
        })
        .flat_map(|h| h.refs.iter().cloned())
        .collect();
    if let Some(t) = since {
        let mut expired: Vec<CertKey> = snap
            .certs
            .certs
            .iter()
            .filter(|c| c.not_after <= t && t - c.not_after <= NOT_READY_AFTER_EXPIRY)
            .map(|c| CertKey::instant(KeyKind::NotAfter, c.not_after))
            .collect();
        expired.sort();
        expired.dedup();
        if !expired.is_empty() {
            out.push(expired);
        }
    }
    out.sort();
    out.dedup();
    out
}
