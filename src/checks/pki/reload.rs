//! cert-not-reloaded: the logs go on rejecting a certificate whose notAfter the bundle no
//! longer holds, at an endpoint whose configured certificate file is valid and was issued
//! before the rejections stopped. The file was renewed; the process that presents it never
//! read it again (kubeadm renews files, not running processes).

use std::collections::{BTreeMap, BTreeSet};

use time::OffsetDateTime;

use super::from_logs::{EXPIRED_LINES, SYSTEM, parse, system_path};
use crate::artifact::PodOrigin;
use crate::bundle::distro::Layout;
use crate::checks::certkeys::CertKeys;
use crate::checks::logs::{RECENT, quiet};
use crate::checks::{Check, Ctx};
use crate::finding::{CertKey, Finding, KeyKind};
use crate::logscan::resolved_times;
use crate::pki::config::components;
use crate::snapshot::{Location, Snapshot, rfc3339};

/// What the rejections of one renewed certificate add up to.
#[derive(Default)]
struct Rejected {
    /// The notAfter dates the lines name.
    dates: BTreeSet<String>,
    /// The endpoint keys the lines and the certificate share.
    keys: BTreeSet<CertKey>,
    /// `component on node` of each log.
    who: BTreeSet<String>,
    /// The last rejection.
    last: Option<OffsetDateTime>,
    lines: u64,
}

/// Where the process presenting a certificate listens, as far as its own flags prove, and
/// whether the rejecting log is on the certificate's node. A load balancer's address (every
/// control plane's certificate covers it) proves nothing about which one still presents the
/// old certificate.
struct Here {
    /// Its own addresses: the apiserver's `--advertise-address`/`--bind-address`, etcd's
    /// client URLs' hosts; loopback when the log is on the same node.
    hosts: BTreeSet<String>,
    same_node: bool,
}

impl Here {
    fn of(snap: &Snapshot, i: usize, hit_node: Option<&str>) -> Here {
        let node = snap
            .certs
            .certs
            .get(i)
            .and_then(|c| c.locations.first())
            .and_then(|l| snap.node_of(l.path()));
        let same_node = !snap.nodes.is_empty() && hit_node == Some(snap.node_name(node));
        let mut hosts = BTreeSet::new();
        let Some((component, _)) = presenter(snap, i, node) else {
            return Here { hosts, same_node };
        };
        for c in components(snap)
            .iter()
            .filter(|c| c.node == node && c.component.as_str() == component)
        {
            for flag in ["advertise-address", "bind-address"] {
                hosts.extend(c.flag(flag).map(str::to_string));
            }
            for flag in ["advertise-client-urls", "listen-client-urls"] {
                for url in c.flag(flag).unwrap_or_default().split(',') {
                    let rest = url.trim().split_once("://").map_or(url.trim(), |(_, r)| r);
                    if let Some((host, _)) = split_host_port(rest) {
                        hosts.insert(host.to_string());
                    }
                }
            }
        }
        if same_node {
            hosts.extend(["127.0.0.1", "localhost", "::1"].map(str::to_string));
        }
        hosts.retain(|h| {
            h.parse::<std::net::IpAddr>()
                .map_or(true, |ip| !ip.is_unspecified())
        });
        Here { hosts, same_node }
    }

    /// Whether an endpoint key is this process: a server address it listens on, or the
    /// server its own node's client was refused by.
    fn dialled(&self, k: &CertKey) -> bool {
        match k.kind {
            KeyKind::Server => split_host_port(&k.value).is_some_and(|(h, _)| self.hosts.contains(h)),
            KeyKind::Client => self.same_node,
            _ => false,
        }
    }
}

/// `host:port` or `[v6]:port` → (host, port).
fn split_host_port(s: &str) -> Option<(&str, &str)> {
    let s = s.split('/').next().unwrap_or(s);
    match s.strip_prefix('[') {
        Some(v6) => v6.split_once("]:"),
        None => s.rsplit_once(':'),
    }
}

/// The process that presents a certificate, from the trust edges' presenters
/// (`kube-apiserver --tls-cert-file (…)`, `kubeconfig …/controller-manager.conf user …`),
/// and whether a static pod runs it on `node`: a manifest of the kubelet's static pod folder
/// configures it, or the node is a kubeadm node.
fn presenter(snap: &Snapshot, i: usize, node: Option<usize>) -> Option<(&'static str, bool)> {
    let (component, place) = snap.trust.iter().filter(|e| e.peer == i).find_map(|e| {
        let p = e.presenter.as_str();
        let component = match p.split_whitespace().next().unwrap_or_default() {
            "kube-apiserver" => "kube-apiserver",
            "etcd" => "etcd",
            "kubelet" => "kubelet",
            "kubeconfig" if p.contains("controller-manager.conf") => "kube-controller-manager",
            "kubeconfig" if p.contains("scheduler.conf") => "kube-scheduler",
            "kubeconfig" if p.contains("kubelet.conf") => "kubelet",
            _ => return None,
        };
        Some((component, p))
    })?;
    let manifest = snap.pods.iter().any(|p| {
        p.origin == PodOrigin::StaticManifest
            && p.node == node
            && p.pod.spec.containers.iter().any(|c| c.name == component)
    });
    let static_pod = component != "kubelet"
        && (manifest || place.contains("manifests/") || snap.layout(node) == Layout::Kubeadm);
    Some((component, static_pod))
}

/// cert-not-reloaded: one finding per renewed certificate file whose endpoint the logs go on
/// rejecting with an older notAfter.
pub struct CertNotReloaded;

impl Check for CertNotReloaded {
    fn id(&self) -> &'static str {
        "pki.cert_not_reloaded"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let snap = cx.snap;
        let at = snap.captured_at.at;
        let held: BTreeSet<String> = snap.certs.certs.iter().map(|c| rfc3339(c.not_after)).collect();
        // Valid leaf certificate files: what a renewal leaves on disk.
        let renewed: Vec<usize> = snap
            .certs
            .certs
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_ca && c.not_before <= at && c.not_after > at)
            .filter(|(_, c)| c.locations.iter().any(|l| matches!(l, Location::File { .. })))
            .map(|(i, _)| i)
            .collect();
        if renewed.is_empty() {
            return Vec::new();
        }
        let ck = CertKeys::new(snap);
        let keys: BTreeMap<usize, BTreeSet<CertKey>> = renewed
            .iter()
            .map(|&i| (i, ck.of(snap, i).into_iter().collect()))
            .collect();
        let mut found: BTreeMap<usize, Rejected> = BTreeMap::new();
        for h in EXPIRED_LINES.iter().flat_map(|r| snap.logs.of_rule(r)) {
            // Ongoing at capture, from the cluster's own components.
            if quiet(snap, h, RECENT).is_some()
                || !SYSTEM.contains(&h.component.as_str())
                || !h.paths.iter().all(|p| system_path(p))
            {
                continue;
            }
            let (_, last) = resolved_times(h, at);
            let Some(last) = last else { continue };
            for group in &h.refs {
                let dates: Vec<&CertKey> = group
                    .iter()
                    .filter(|k| k.kind == KeyKind::NotAfter && !held.contains(&k.value))
                    .filter(|k| parse(&k.value).is_some_and(|t| t < at))
                    .collect();
                // Where the rejected certificate was met: the server dialled, or the client
                // refused (a server component's own log names no endpoint: not enough).
                let ends: Vec<&CertKey> = group
                    .iter()
                    .filter(|k| matches!(k.kind, KeyKind::Server | KeyKind::Client))
                    .collect();
                if dates.is_empty() || ends.is_empty() {
                    continue;
                }
                let hit_node = snap.hit_node(h);
                for (&i, own) in &keys {
                    let Some(c) = snap.certs.certs.get(i) else {
                        continue;
                    };
                    // Issued before the rejections stopped: renewed, yet still rejected.
                    if c.not_before > last {
                        continue;
                    }
                    let here = Here::of(snap, i, hit_node.as_deref());
                    let met: Vec<CertKey> = ends
                        .iter()
                        .filter(|k| own.contains(**k) && here.dialled(k))
                        .map(|k| (*k).clone())
                        .collect();
                    if met.is_empty() {
                        continue;
                    }
                    let r = found.entry(i).or_default();
                    r.dates.extend(dates.iter().map(|k| k.value.clone()));
                    r.keys.extend(met);
                    r.who.insert(format!(
                        "{} on {}",
                        h.component,
                        snap.hit_node(h).as_deref().unwrap_or("cluster")
                    ));
                    r.last = r.last.max(Some(last));
                    r.lines += h.count;
                }
            }
        }
        found.into_iter().filter_map(|(i, r)| finding(cx, i, r)).collect()
    }
}

fn finding(cx: &Ctx<'_>, i: usize, r: Rejected) -> Option<Finding> {
    let snap = cx.snap;
    let c = snap.certs.certs.get(i)?;
    let path = c.locations.iter().find_map(|l| match l {
        Location::File { path } => Some(path.as_str()),
        _ => None,
    })?;
    let node = snap.node_of(path).filter(|_| !snap.nodes.is_empty());
    let name = node.map(|n| snap.node_name(Some(n)).to_string());
    let (component, static_pod) = presenter(snap, i, node).unzip();
    let component = component.unwrap_or("the process that presents it");
    let dates = r.dates.iter().cloned().collect::<Vec<_>>().join(", ");
    let who = r.who.iter().cloned().collect::<Vec<_>>().join(", ");
    let last = r.last.map(rfc3339).unwrap_or_default();
    let endpoint = r
        .keys
        .iter()
        .find(|k| k.kind == KeyKind::Server)
        .map(|k| k.value.clone());
    let on = name.as_deref().map(|n| format!(" on {n}")).unwrap_or_default();
    let mut f = cx
        .finding(format!("{}\0{path}", c.fingerprint.hex()))
        .message(format!(
            "{path}{on} was renewed ({}, valid until {}), yet {} log line(s) ({who}) go on rejecting the \
             certificate that expired at {dates} until {last}: {component} still presents the old one. \
             Restart it so it loads the file; renewing again changes nothing",
            rfc3339(c.not_before),
            rfc3339(c.not_after),
            r.lines,
        ))
        .node(name.as_deref())
        .path(path.to_string())
        .keys(
            r.dates
                .iter()
                .map(|d| CertKey::new(KeyKind::NotAfter, d.clone()))
                .chain(r.keys.iter().cloned()),
        )
        .evidence("fingerprint", c.fingerprint.hex())
        .evidence("renewed_not_before", rfc3339(c.not_before))
        .evidence("renewed_not_after", rfc3339(c.not_after))
        .evidence("rejected_not_after", r.dates.iter().cloned().collect::<Vec<_>>())
        .evidence("last_rejected", last.clone())
        .evidence("lines", r.lines)
        .evidence("presented_by", component)
        .var("renewed_not_after", rfc3339(c.not_after))
        .var("container", component)
        .var("manifest", format!("{component}.yaml"))
        .var("target", format!("{component}{on}"));
    if let Some(e) = endpoint {
        f = f.evidence("endpoint", e.clone()).var("endpoint", e);
    }
    if let Some(n) = name {
        f = f.var("node", n);
    }
    // k3s and RKE2 run every component under one service: their dialect of the static pod
    // restart restarts it.
    let one_service = matches!(snap.layout(node), Layout::K3s | Layout::Rke2);
    let step = match (component, static_pod) {
        _ if one_service => Some("reload-static-pod-cert"),
        ("kubelet", _) => Some("restart-kubelet"),
        (_, Some(true)) => Some("reload-static-pod-cert"),
        _ => None,
    };
    Some(f.fixes(step))
}
