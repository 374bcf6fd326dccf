//! cert-expired-in-logs: certificates the logs prove expired (Go's `current time … is after
//! <notAfter>`) when the bundle holds no certificate with that notAfter: a `kind export logs`
//! or must-gather collects no PKI, yet every component says the same thing.

use std::collections::{BTreeMap, BTreeSet};

use time::OffsetDateTime;

use crate::bundle::collector::Collector;
// An expired certificate never recovers by itself: a rejection silent for `RECENT` before
// its log ends was renewed since.
use crate::checks::logs::{RECENT, quiet};
use crate::checks::{Check, Ctx};
use crate::finding::{CertKey, Finding, KeyKind};
use crate::snapshot::{Snapshot, rfc3339};

/// The log rule whose lines name an expired certificate's notAfter.
pub(super) const EXPIRED_LINES: &[&str] = &[
    "log-cert-expired",
    "log-etcd-tls-rejected",
    "log-node-registration-failed",
];

/// The components whose rejections can prove a cluster certificate expired: the control
/// plane, the kubelet and the distributions' own processes. A tenant pod's log names its own
/// peers' certificates and proves nothing about the cluster's (hostile round 6).
pub(super) const SYSTEM: &[&str] = &[
    "kubelet",
    "kube-apiserver",
    "etcd",
    "kube-controller-manager",
    "kube-scheduler",
    "kube-proxy",
    "cloud-controller-manager",
    "k3s",
    "rke2",
];

/// Whether a log path is a system namespace's pod log or a host log (not a tenant pod's):
/// CRI `pods/<ns>_<pod>_<uid>/`, must-gather `namespaces/<ns>/pods/`, cluster-info
/// `<ns>/<pod>/logs.txt`.
pub(super) fn system_path(path: &str) -> bool {
    use crate::logscan::component::{pod_of, system_namespace};
    pod_of(path).is_none_or(|p| p.namespace.is_none_or(system_namespace))
}

/// cert-expired-in-logs: one finding per control-plane node (or one for the cluster when the
/// bundle shows none) for the notAfter dates the logs reject and no certificate of the bundle
/// carries, with those dates as keys so that every log line naming one is its symptom.
pub struct CertExpiredInLogs;

impl Check for CertExpiredInLogs {
    fn id(&self) -> &'static str {
        "pki.cert_expired_in_logs"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let snap = cx.snap;
        let Some(r) = rejected(snap) else {
            return Vec::new();
        };
        // Only clients' certificates are named (the apiserver refusing them, a kubelet's own):
        // a refused kubelet's is `kubelet-cert-expired-in-logs`; an unknown client's (a CI
        // tool's, a forged line's) is no reason to renew the control plane (hostile round 8).
        if r.dates.keys().all(|d| !r.served.contains(d)) {
            return Vec::new();
        }
        let Rejected {
            dates,
            lines,
            held_none,
            apiserver_serving,
            ..
        } = r;
        // Only the apiserver's serving certificate is implicated: renew that one (and
        // restart only the apiserver), not every certificate of the node.
        let (kubeadm_cert, what) = if apiserver_serving {
            (
                "apiserver",
                "the kube-apiserver serving certificate (every line is a client failing to verify the apiserver)",
            )
        } else {
            ("all", "the expired certificates")
        };
        let openshift = is_openshift(snap);
        let none = if held_none {
            " (it holds no certificate at all)"
        } else {
            ""
        };
        let who: BTreeSet<&String> = dates.values().flatten().collect();
        let list = dates.keys().cloned().collect::<Vec<_>>().join(", ");
        let who = who.into_iter().map(String::as_str).collect::<Vec<_>>().join(", ");
        // Kubelets whose client certificate expired ask anew and wait for an approval; on
        // OpenShift (must-gather) that approval is the whole recovery, and kubeadm has no say.
        let pending = pending_kubelet_csrs(snap);
        let mut fixes = Vec::new();
        if !openshift {
            fixes.push("kubeadm-certs-renew");
        }
        if openshift || !pending.is_empty() {
            fixes.push("approve-pending-kubelet-csrs");
        }
        let csrs = match pending.len() {
            0 => String::new(),
            n => format!(
                "; {n} kubelet certificate signing request(s) wait for approval ({}{})",
                pending.iter().take(10).copied().collect::<Vec<_>>().join(", "),
                if n > 10 { ", …" } else { "" }
            ),
        };
        let cps = if openshift {
            BTreeSet::new()
        } else {
            control_plane_nodes(snap)
        };
        let targets: Vec<Option<usize>> = if cps.is_empty() {
            vec![None]
        } else {
            cps.into_iter().map(Some).collect()
        };
        targets
            .into_iter()
            .map(|node| {
                let name = node.map(|n| snap.node_name(Some(n)).to_string());
                let place = match (openshift, name.as_deref()) {
                    (true, _) => "through the cluster's certificate signing requests".to_string(),
                    (false, None) => "on every control-plane node".to_string(),
                    (false, Some(n)) => format!("on control-plane node {n}"),
                };
                let mut f = cx
                    .finding(format!("logs\0{}", name.as_deref().unwrap_or_default()))
                    .message(format!(
                        "Certificates that expired at {list} (notAfter) are rejected in {lines} log line(s) ({who}), \
                         and the bundle holds no certificate with that notAfter{none}: renew {what} {place}{csrs}"
                    ))
                    .node(name.as_deref())
                    .keys(dates.keys().map(|d| CertKey::new(KeyKind::NotAfter, d.clone())))
                    .evidence("not_after", dates.keys().cloned().collect::<Vec<_>>())
                    .evidence("lines", lines)
                    .evidence("from", "logs")
                    .evidence("pending_csrs", pending.clone())
                    .var("kubeadm_cert", kubeadm_cert)
                    .var(
                        "target",
                        format!(
                            "certificates expired at {list}{}",
                            name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default()
                        ),
                    )
                    .fixes(fixes.iter().copied());
                if let Some(n) = name {
                    f = f.var("node", n);
                }
                f
            })
            .collect()
    }
}

/// What the logs reject: notAfter dates no certificate of the bundle carries, with the
/// `component on node` of the lines naming each, and the dates some line names other than as
/// a client certificate the apiserver refused.
struct Rejected {
    dates: BTreeMap<String, BTreeSet<String>>,
    served: BTreeSet<String>,
    /// Every line names its date only as the certificate a kube-apiserver serves (a client
    /// failing to verify `…:6443`, or the apiserver told so by its clients): the apiserver's
    /// serving certificate is the one to renew, not all of them.
    apiserver_serving: bool,
    lines: u64,
    held_none: bool,
}

/// The dates ongoing system lines reject, in a bundle that holds no certificate file;
/// `None` when there are none.
fn rejected(snap: &Snapshot) -> Option<Rejected> {
    let at = snap.captured_at.at;
    // Only a bundle that holds no certificate file at all (kind, must-gather, a cluster-info
    // dump): one that holds the PKI judges the certificates themselves, and a notAfter
    // none of them has is no reason to renew them all.
    let holds_pki = !snap.cert_texts.is_empty()
        || snap.certs.certs.iter().any(|c| {
            c.locations
                .iter()
                .any(|l| matches!(l, crate::snapshot::Location::File { .. }))
        });
    if holds_pki {
        return None;
    }
    let held = held_not_afters(snap);
    // notAfter → components on nodes; the identities of the lines that name one.
    let mut dates: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut seen: std::collections::HashSet<u64> = std::collections::HashSet::new();
    let mut unseen = 0u64;
    // Dates some line names as a certificate met other than as a client of the apiserver.
    let mut served: BTreeSet<String> = BTreeSet::new();
    let mut elsewhere = false;
    for h in EXPIRED_LINES.iter().flat_map(|r| snap.logs.of_rule(r)) {
        if quiet(snap, h, RECENT).is_some()
            || !SYSTEM.contains(&h.component.as_str())
            || !h.paths.iter().all(|p| system_path(p))
        {
            continue;
        }
        let mut expired = BTreeSet::new();
        for group in &h.refs {
            // The apiserver refusing a client's certificate (`Unable to authenticate the
            // request`): a client's certificate expired, not one the control plane serves.
            // A kubelet naming a date with no server it dialled speaks of its own certificate
            // (`bootstrap client certificate in /var/lib/kubelet/kubeconfig is expired`).
            let client = group
                .iter()
                .any(|k| k.kind == KeyKind::ClientOf && k.value == "kube-apiserver")
                || h.component == "kubelet"
                    && !group
                        .iter()
                        .any(|k| matches!(k.kind, KeyKind::Server | KeyKind::ServedBy));
            let apiserver = group.iter().any(|k| {
                (k.kind == KeyKind::Server && k.value.ends_with(":6443"))
                    || (k.kind == KeyKind::ServedBy && k.value == "kube-apiserver")
            }) && !group.iter().any(|k| {
                (k.kind == KeyKind::Server && !k.value.ends_with(":6443"))
                    || (k.kind == KeyKind::ServedBy && k.value != "kube-apiserver")
            });
            for k in group
                .iter()
                .filter(|k| k.kind == KeyKind::NotAfter && !held.contains(&k.value))
                .filter(|k| parse(&k.value).is_some_and(|t| t < at))
            {
                expired.insert(k.value.clone());
                if !client {
                    served.insert(k.value.clone());
                }
                elsewhere |= client || !apiserver;
            }
        }
        if expired.is_empty() {
            continue;
        }
        // A line two rules matched (or two files held) counts once.
        seen.extend(h.seen.iter().copied());
        unseen += h.count.saturating_sub(h.seen.len() as u64);
        for d in expired {
            dates.entry(d).or_default().insert(format!(
                "{} on {}",
                h.component,
                snap.hit_node(h).as_deref().unwrap_or("cluster")
            ));
        }
    }
    if dates.is_empty() {
        return None;
    }
    Some(Rejected {
        apiserver_serving: !elsewhere,
        lines: seen.len() as u64 + unseen,
        held_none: held.is_empty(),
        dates,
        served,
    })
}

/// The nodes whose kubelet client certificate the lines prove expired: only the apiserver's
/// client authentication names the dates, and those kubelets are refused (`Unauthorized`) up
/// to capture. Renewing the control plane's certificates would leave them refused (newuser
/// round 6, #2).
fn kubelets_refused(snap: &Snapshot, r: &Rejected) -> BTreeSet<String> {
    if r.dates.keys().any(|d| r.served.contains(d)) {
        return BTreeSet::new();
    }
    refused_kubelets(snap)
}

/// kubelet-cert-expired-in-logs: one finding per refused kubelet whose client certificate
/// expired, proven by the apiserver refusing a client certificate with that notAfter.
pub struct KubeletCertExpiredInLogs;

impl Check for KubeletCertExpiredInLogs {
    fn id(&self) -> &'static str {
        "pki.kubelet_cert_expired_in_logs"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let snap = cx.snap;
        let mut out: Vec<Finding> = Vec::new();
        let mut named = BTreeSet::new();
        if let Some(r) = rejected(snap) {
            for node in kubelets_refused(snap, &r) {
                out.push(kubelet_client(cx, &node, &r.dates, r.lines, Proof::Refused));
                named.insert(node);
            }
        }
        // A kubelet that names its own client certificate expired proves it, whatever else the
        // bundle holds: a sosreport scrubs the kubeconfig's PEM, a support bundle copies none.
        for (node, (dates, lines)) in own_expired(snap) {
            if !named.contains(&node) {
                out.push(kubelet_client(cx, &node, &dates, lines, Proof::OwnLines));
            }
        }
        out
    }
}

/// Whether the bundle holds a kubelet client certificate (`system:node:<name>`) in a file or
/// kubeconfig of node `node`.
fn holds_kubelet_client(snap: &Snapshot, node: &str) -> bool {
    snap.certs.certs.iter().any(|c| {
        c.name().starts_with("system:node:")
            && c.locations.iter().any(|l| match l {
                crate::snapshot::Location::File { path }
                | crate::snapshot::Location::Kubeconfig { path, .. } => snap
                    .node_of(path)
                    .is_some_and(|i| snap.node_name(Some(i)) == node),
                crate::snapshot::Location::Object { .. } => false,
            })
    })
}

/// What proves a kubelet's client certificate expired.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Proof {
    /// The apiserver refuses a client certificate with that notAfter while the kubelet is
    /// refused.
    Refused,
    /// The kubelet itself names its client certificate expired at that notAfter.
    OwnLines,
}

/// The kubelet client certificates a node's own kubelet says expired (`part of the existing
/// bootstrap client certificate in /etc/kubernetes/kubelet.conf is expired: <date>`: a line
/// about its own credential, no server dialled), up to capture, when no certificate of the bundle carries that
/// notAfter. Node → (notAfter → who says so, lines).
#[allow(clippy::type_complexity)]
fn own_expired(snap: &Snapshot) -> BTreeMap<String, (BTreeMap<String, BTreeSet<String>>, u64)> {
    let at = snap.captured_at.at;
    let held = held_not_afters(snap);
    let mut out: BTreeMap<String, (BTreeMap<String, BTreeSet<String>>, u64)> = BTreeMap::new();
    for h in EXPIRED_LINES.iter().flat_map(|r| snap.logs.of_rule(r)) {
        if h.component != "kubelet"
            || quiet(snap, h, RECENT).is_some()
            || !h.paths.iter().all(|p| system_path(p))
        {
            continue;
        }
        let Some(node) = snap.hit_node(h) else {
            continue;
        };
        // The node's own kubelet client certificate, when collected, judges itself: a line
        // naming another date is not about it (a tenant's command the kubelet quotes back,
        // hostile round 9).
        if holds_kubelet_client(snap, &node) {
            continue;
        }
        let dates: BTreeSet<String> = h
            .refs
            .iter()
            // Only a line about the kubelet's own credential (the key reader marks it as the
            // apiserver's client): a bare `certificate has expired` may be any peer's.
            .filter(|g| {
                g.iter()
                    .any(|k| k.kind == KeyKind::ClientOf && k.value == "kube-apiserver")
                    && !g
                        .iter()
                        .any(|k| matches!(k.kind, KeyKind::Server | KeyKind::ServedBy))
            })
            .flatten()
            .filter(|k| k.kind == KeyKind::NotAfter && !held.contains(&k.value))
            .filter(|k| parse(&k.value).is_some_and(|t| t < at))
            .map(|k| k.value.clone())
            .collect();
        if dates.is_empty() {
            continue;
        }
        let e = out.entry(node.clone()).or_default();
        e.1 += h.count;
        for d in dates {
            e.0.entry(d).or_default().insert(format!("kubelet on {node}"));
        }
    }
    out
}

/// The kubelets' certificate signing requests that wait for approval, by name.
fn pending_kubelet_csrs(snap: &Snapshot) -> Vec<&str> {
    let mut pending: Vec<&str> = snap
        .csrs
        .iter()
        .filter(|c| c.csr.pending() && c.csr.for_kubelet())
        .map(|c| c.csr.metadata.name.as_str())
        .collect();
    pending.sort_unstable();
    pending.dedup();
    pending
}

/// The notAfter dates of every certificate the bundle holds, parsed or dumped as text
/// (RFC 3339): a date the logs reject that is one of these is that certificate's.
pub(super) fn held_not_afters(snap: &Snapshot) -> BTreeSet<String> {
    snap.certs
        .certs
        .iter()
        .map(|c| c.not_after)
        .chain(snap.cert_texts.iter().map(|(_, _, t)| t.not_after))
        .map(rfc3339)
        .collect()
}

/// Whether a must-gather made the bundle: OpenShift, where kubelets get their new
/// certificates through CSRs the cluster approves, and kubeadm has no say.
fn is_openshift(snap: &Snapshot) -> bool {
    snap.collectors.iter().any(|(_, c)| *c == Collector::MustGather)
}

/// Nodes whose kubelet the apiserver refuses up to capture (`log-node-credentials-rejected`
/// not silent for [`RECENT`]).
fn refused_kubelets(snap: &Snapshot) -> BTreeSet<String> {
    snap.logs
        .of_rule("log-node-credentials-rejected")
        .filter(|h| h.component == "kubelet" && quiet(snap, h, RECENT).is_none())
        .filter_map(|h| snap.hit_node(h))
        .collect()
}

/// The finding for a kubelet whose client certificate expired, proven by the apiserver
/// refusing a client certificate with that notAfter while that kubelet is refused.
fn kubelet_client(
    cx: &Ctx<'_>,
    node: &str,
    dates: &BTreeMap<String, BTreeSet<String>>,
    lines: u64,
    proof: Proof,
) -> Finding {
    // On OpenShift the kubelet's new certificate comes through its CSR: approve it.
    let (fix, how) = if is_openshift(cx.snap) {
        (
            "approve-pending-kubelet-csrs",
            "approve its pending certificate signing requests",
        )
    } else {
        (
            "renew-kubelet-client-cert",
            "renew that kubelet's client certificate on it",
        )
    };
    // The dates the node's own kubelet names (`bootstrap client certificate … is expired:
    // <date>`) are its certificate's; another client's expired certificate the apiserver also
    // refuses (a CI tool's) is not (newuser round 7, #3). With none named, every date stays.
    let own_line = format!("kubelet on {node}");
    let own: BTreeMap<String, BTreeSet<String>> = dates
        .iter()
        .filter(|(_, who)| who.contains(&own_line))
        .map(|(d, who)| (d.clone(), who.clone()))
        .collect();
    let dates = if own.is_empty() { dates } else { &own };
    let list = dates.keys().cloned().collect::<Vec<_>>().join(", ");
    let who: BTreeSet<&String> = dates.values().flatten().collect();
    let who = who.into_iter().map(String::as_str).collect::<Vec<_>>().join(", ");
    let proof_text = match proof {
        Proof::Refused => format!(
            "the apiserver refuses a client certificate with that notAfter in {lines} log line(s) ({who}) while the \
             kubelet on {node} is refused (Unauthorized)"
        ),
        Proof::OwnLines => format!("the kubelet on {node} says so in {lines} log line(s)"),
    };
    cx.finding(format!("kubelet-client\0{node}"))
        .message(format!(
            "The kubelet client certificate of node {node} expired at {list} (notAfter): {proof_text}, and the bundle \
             holds no certificate to renew: {how}"
        ))
        .node(Some(node))
        .keys(dates.keys().map(|d| CertKey::new(KeyKind::NotAfter, d.clone())))
        .evidence("not_after", dates.keys().cloned().collect::<Vec<_>>())
        .evidence("lines", lines)
        .evidence("from", "logs")
        .evidence("presented_by", "kubelet")
        .evidence("pending_csrs", pending_kubelet_csrs(cx.snap))
        .var("node", node.to_string())
        .var("cn", format!("system:node:{node}"))
        .var("target", format!("kubelet client certificate of {node}"))
        .fixes([fix])
}

pub(super) fn parse(t: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
}

/// Nodes the bundle shows running an apiserver or etcd: a k3s/RKE2 server role, or a file of
/// theirs under the node (a static pod manifest, a pod log folder, a container or plain log).
fn control_plane_nodes(snap: &Snapshot) -> BTreeSet<usize> {
    let mut out: BTreeSet<usize> = snap
        .node_layouts
        .iter()
        .enumerate()
        .filter(|(_, l)| matches!(l.role, Some((crate::snapshot::Role::Server, _))))
        .map(|(i, _)| i)
        .collect();
    if snap.nodes.is_empty() {
        return out;
    }
    for path in snap.files.keys() {
        let mut segs = path.rsplit('/');
        let file = segs.next().unwrap_or_default();
        let parent = segs.next().unwrap_or_default();
        let pod_dir =
            |s: &str| s.starts_with("kube-system_kube-apiserver-") || s.starts_with("kube-system_etcd-");
        let server = pod_dir(parent)
            || segs.next().is_some_and(pod_dir)
            || (parent == "manifests" && matches!(file, "kube-apiserver.yaml" | "etcd.yaml"))
            || ((file.starts_with("kube-apiserver") || file.starts_with("etcd-")) && file.ends_with(".log"));
        if server {
            if let Some(n) = snap.node_of(path) {
                out.insert(n);
            }
        }
    }
    out
}
