//! The log rules' check: what the scan kept, turned into findings, one per (rule, node,
//! component).

use crate::catalog::RuleKind;
use crate::checks::Ctx;
use crate::finding::Finding;
use crate::logscan::resolved_times;
use crate::logscan::template::fill;
use crate::snapshot::{duration_text, rfc3339};

/// Evidence key of a log finding silent for its rule's `history_after` before its log ended:
/// the time of its last line.
pub const QUIET_SINCE: &str = "quiet_since";

/// How close to capture a component's last line must be for it to count as running then,
/// and how long a certificate rejection must be silent to count as renewed since: the
/// catalogue's default `history_after`.
pub const RECENT: time::Duration = time::Duration::minutes(15);

/// Evidence key of the recovery a past episode was followed by, in words.
pub const RECOVERED: &str = "recovered";

/// A dumped Node's `Ready` condition: whether it is `True`, and since when (its last
/// transition, when it parses). `None` when no Node of that name was dumped.
pub fn node_ready(
    snap: &crate::snapshot::Snapshot,
    name: &str,
) -> Option<(bool, Option<time::OffsetDateTime>)> {
    let parse = |t: &str| time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok();
    // Several dumps of the node: the newest transition is its latest known state.
    snap.k8s_nodes
        .iter()
        .filter(|n| n.node.metadata.name == name)
        .flat_map(|n| n.node.status.conditions.iter())
        .filter(|c| c.type_ == "Ready")
        .map(|c| (c.status == "True", parse(&c.last_transition_time)))
        .max_by_key(|(_, since)| *since)
}

/// A log rule's hits that went silent before their logs ended.
pub struct Quiet {
    /// The last matching line's time.
    pub last: time::OffsetDateTime,
    /// Where the logs end (at most the capture time).
    pub end: time::OffsetDateTime,
    /// When the dumped Node says Ready since after the last line: recovery evidence.
    pub ready_since: Option<time::OffsetDateTime>,
}

/// Whether hits `h` went silent at least `after` before their logs ended while the logs went
/// on (a candidate past episode), unless the node's dumped Ready condition is False.
pub fn quiet(
    snap: &crate::snapshot::Snapshot,
    h: &crate::logscan::LogHits,
    after: time::Duration,
) -> Option<Quiet> {
    let (_, last) = resolved_times(h, snap.captured_at.at);
    // A log line dated after the capture time (a clock ahead) cannot stretch the silence:
    // the end is at most the capture time.
    let end = snap
        .logs
        .end_of(&h.paths, &h.component, h.host.as_deref(), snap.captured_at.at)?
        .min(snap.captured_at.at);
    let last = last?;
    // The node's dumped Ready condition: NotReady at the dump keeps the fault ongoing; Ready
    // since after the last line is recovery evidence the report names.
    let ready = snap.hit_node(h).and_then(|n| node_ready(snap, &n));
    if end - last < after || matches!(&ready, Some((false, _))) {
        return None;
    }
    let ready_since = match ready {
        Some((true, Some(since))) if since >= last => Some(since),
        _ => None,
    };
    Some(Quiet {
        last,
        end,
        ready_since,
    })
}

/// Evidence key of an undated past episode: how many lines of its log follow its last line.
pub const LINES_AFTER: &str = "lines_after";

/// How many other lines must follow undated matching lines for them to count as past.
const UNDATED_AFTER: u64 = 5;

/// Hits that their log went on after for at least [`UNDATED_AFTER`] lines (and longer than
/// before them), while the pod's dump says its container is ready: a start-up hiccup of a
/// container that logs little once it runs (kube-proxy, CoreDNS), whatever time its lines
/// carry. Undated lines (a container's `logs.txt` without `--timestamps`) with no pod dump
/// take the dumped Node's Ready instead. The number of lines after and the recovery in words.
pub fn quiet_undated(snap: &crate::snapshot::Snapshot, h: &crate::logscan::LogHits) -> Option<(u64, String)> {
    let dated = h.first_seen.is_some()
        || h.last_seen.is_some()
        || h.first_yearless.is_some()
        || h.last_yearless.is_some();
    // The pod's own dump decides when there is one: a container not ready is no recovery,
    // whatever its node says.
    let pod = pod_ready(snap, h);
    // CoreDNS reports ready only once its kubernetes plugin has synced with the apiserver
    // (the `ready` plugin), and with the default Corefile (no `log` plugin) its start-up
    // errors are its last lines: ready with no restart is its recovery (newuser round 7, #5).
    if h.rule == "log-apiserver-unreachable" && h.component == "coredns" {
        if let Some(Some(ready)) = &pod {
            if no_restarts(snap, h) {
                return Some((
                    h.lines_after.unwrap_or(0),
                    format!("{ready}, and CoreDNS is ready only once it has synced with the apiserver"),
                ));
            }
        }
    }
    let after = h.lines_after.filter(|n| *n >= UNDATED_AFTER)?;
    let recovered = match pod {
        Some(ready) => ready,
        None if dated => None,
        None => {
            let node = snap.hit_node(h)?;
            matches!(node_ready(snap, &node), Some((true, _)))
                .then(|| "the Node object says Ready".to_string())
        }
    }?;
    Some((after, recovered))
}

/// The dumped container statuses of the pods whose logs `h` read.
fn statuses<'a>(
    snap: &'a crate::snapshot::Snapshot,
    h: &crate::logscan::LogHits,
) -> Option<(String, Vec<&'a crate::artifact::k8s::ContainerStatus>)> {
    h.paths.iter().find_map(|p| {
        let log = crate::logscan::component::pod_of(p)?;
        let ns = log.namespace?;
        let statuses: Vec<_> = snap
            .pods
            .iter()
            .filter(|r| r.origin == crate::artifact::PodOrigin::Dump)
            .filter(|r| r.pod.metadata.namespace == ns && r.pod.metadata.name == log.pod)
            .flat_map(|r| r.pod.status.container_statuses.iter())
            .filter(|c| c.name == log.container || log.container == log.pod)
            .collect();
        (!statuses.is_empty()).then(|| (format!("{ns}/{}", log.pod), statuses))
    })
}

/// `None` when no dump of the pod is in the bundle; else the recovery in words when its
/// containers are ready, `Some(None)` when not.
fn pod_ready(snap: &crate::snapshot::Snapshot, h: &crate::logscan::LogHits) -> Option<Option<String>> {
    let (pod, statuses) = statuses(snap, h)?;
    Some(
        statuses
            .iter()
            .all(|c| c.ready && c.state.waiting.is_none())
            .then(|| format!("the dump of pod {pod} says its container is ready")),
    )
}

/// Whether the pod's dumped containers never restarted.
fn no_restarts(snap: &crate::snapshot::Snapshot, h: &crate::logscan::LogHits) -> bool {
    statuses(snap, h).is_some_and(|(_, s)| s.iter().all(|c| c.restart_count == 0))
}

/// The catalogue rules a TLS rejection in a log corroborates: a certificate the cluster's
/// own components would reject too.
const TLS_ROOTS: &[&str] = &["cert-expired", "ca-mismatch", "san-missing"];

/// For a log rule that corroborates a certificate fault, the namespaces of the hit's pods
/// when every file it was read from is a pod log of a namespace that is not the cluster's
/// own (`None` when any is a host log or a system pod's, or a line names the Kubernetes API).
fn tenant_only(cx: &Ctx<'_>, h: &crate::logscan::LogHits) -> Option<Vec<String>> {
    use crate::logscan::component::{pod_of, system_namespace};
    if !cx
        .rule
        .corroborates
        .iter()
        .any(|r| TLS_ROOTS.contains(&r.as_str()))
        || h.paths.is_empty()
    {
        return None;
    }
    // A workload calling the Kubernetes API (`https://10.96.0.1:443/api/v1/…`,
    // `kubernetes.default`, :6443) rejects the cluster's own apiserver certificate.
    let api = |l: &str| {
        ["/api/", "/apis/", "kubernetes.default", ":6443"]
            .iter()
            .any(|w| l.contains(w))
    };
    if h.samples.iter().any(|l| api(l)) {
        return None;
    }
    let mut namespaces = std::collections::BTreeSet::new();
    for p in &h.paths {
        let ns = pod_of(p)?.namespace?;
        if system_namespace(ns) {
            return None;
        }
        namespaces.insert(crate::redact::line(ns));
    }
    Some(namespaces.into_iter().collect())
}

/// Findings of one log rule: one per (node, component) that matched, with
/// `evidence.count`, `evidence.first_seen`, `evidence.last_seen` (RFC 3339),
/// `evidence.component`, `evidence.samples` and `evidence.captures`; the paths are the logs
/// that matched and the message is the rule's template filled with the captures. `refs`
/// holds the certificate keys the lines name, for the engine's correlation.
pub fn findings(cx: &Ctx<'_>) -> Vec<Finding> {
    let RuleKind::Log(log) = &cx.rule.kind else {
        return Vec::new();
    };
    let snap = cx.snap;
    snap.logs
        .of_rule(&cx.rule.id)
        .map(|h| {
            let node = snap.hit_node(h);
            let (first, last) = resolved_times(h, snap.captured_at.at);
            let first_s = first.map(rfc3339);
            let last_s = last.map(rfc3339);
            let where_ = node.clone().unwrap_or_else(|| "cluster".to_string());
            let lookup = |name: &str| -> Option<String> {
                match name {
                    "count" => Some(h.count.to_string()),
                    "component" => Some(h.component.clone()),
                    // The node a line names (`error getting node "worker-0"`) over where
                    // the line was read (a cluster-level log says "cluster").
                    "node" => h.captures.get("node").cloned().or_else(|| Some(where_.clone())),
                    "first_seen" => first_s.clone(),
                    "last_seen" => last_s.clone(),
                    other => h.captures.get(other).cloned(),
                }
            };
            let head = log
                .message
                .as_deref()
                .map_or_else(|| cx.rule.title.clone(), |t| fill(t, &lookup));
            let span = match (&first_s, &last_s) {
                (Some(a), Some(b)) if a != b => format!(", {a} to {b}"),
                (Some(a), _) => format!(", at {a}"),
                _ => String::new(),
            };
            let message = format!(
                "{head} ({} line{} from {} on {where_}{span})",
                h.count,
                if h.count == 1 { "" } else { "s" },
                h.component
            );
            let mut f = cx
                .finding(match &h.host {
                    // The same id as before hosts were told apart when there is none.
                    None => format!(
                        "{}\0{}",
                        h.node.map_or(String::new(), |n| n.to_string()),
                        h.component
                    ),
                    Some(host) => format!("\0{}\0{host}", h.component),
                })
                .message(message)
                .node(node.as_deref())
                .evidence("count", h.count)
                .evidence("component", h.component.clone())
                .evidence("samples", h.samples.clone())
                .evidence(
                    "captures",
                    serde_json::Value::Object(
                        h.captures
                            .iter()
                            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                            .collect(),
                    ),
                )
                .var("component", h.component.clone())
                .refs(h.refs.clone());
            if let Some(n) = &node {
                f = f.var("node", n.clone());
            }
            if let Some(a) = first_s {
                f = f.evidence("first_seen", a);
            }
            if let Some(b) = last_s.clone() {
                f = f.evidence("last_seen", b);
            }
            for p in &h.paths {
                f = f.path(p.clone());
            }
            // A TLS rejection that only tenants' pods log names their own peers'
            // certificates as much as the cluster's (which the cluster's components would
            // reject too): a warning, with the namespaces said.
            if let Some(namespaces) = tenant_only(cx, h) {
                let message = format!(
                    "{}; only workload pods log it (namespace {}): the certificate may be their own \
                     peer's, not the cluster's",
                    f.message,
                    namespaces.join(", ")
                );
                let severity = f.severity.min(crate::finding::Severity::Warning);
                f = f
                    .severity(severity)
                    .message(message)
                    .evidence("workload_only", namespaces);
            }
            // Silent long before its log ends while the log went on: a candidate past episode
            // (a node's start-up noise, a hiccup since recovered). The engine decides once it
            // knows whether a cause that still holds at capture explains it.
            if let Some(q) = log
                .history_after()
                .ok()
                .flatten()
                .and_then(|after| quiet(snap, h, after))
            {
                f = f
                    .evidence(QUIET_SINCE, rfc3339(q.last))
                    .evidence("log_end", rfc3339(q.end))
                    .evidence("quiet_for", duration_text(q.end - q.last));
                if let Some(since) = q.ready_since {
                    f = f.evidence(
                        RECOVERED,
                        format!("the Node object says Ready since {}", rfc3339(since)),
                    );
                }
            } else if let Some((after, recovered)) = log
                .history_after()
                .ok()
                .flatten()
                .and_then(|_| quiet_undated(snap, h))
            {
                f = f
                    .evidence(
                        QUIET_SINCE,
                        last_s.clone().unwrap_or_else(|| "undated".to_string()),
                    )
                    .evidence(LINES_AFTER, after)
                    .evidence(RECOVERED, recovered);
            }
            f
        })
        .collect()
}
