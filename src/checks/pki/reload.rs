//! cert-not-reloaded: the logs go on rejecting a certificate whose notAfter the bundle no
//! longer holds, at an endpoint whose configured certificate file is valid and was issued
//! before the rejections stopped. The file was renewed; the process that presents it never
//! read it again (kubeadm renews files, not running processes).

use std::collections::{BTreeMap, BTreeSet};

use time::OffsetDateTime;

use super::from_logs::{EXPIRED_LINES, SYSTEM, held_not_afters, parse, system_path};
use crate::artifact::PodOrigin;
use crate::bundle::distro::Layout;
use crate::checks::certkeys::CertKeys;
use crate::checks::logs::{RECENT, quiet};
use crate::checks::{Check, Ctx};
use crate::facts::config::ComponentConfig;
use crate::finding::{CertKey, Finding, KeyKind};
use crate::logscan::resolved_times;
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

/// A valid certificate file a renewal may have left: parsed (its index) or an `openssl x509
/// -text` dump (dates and names only).
struct Candidate<'s> {
    path: &'s str,
    node: Option<usize>,
    cert: Option<usize>,
    common_name: String,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    ips: Vec<std::net::IpAddr>,
    dns: Vec<String>,
    /// Its endpoint keys from the configuration (none for a text dump).
    keys: BTreeSet<CertKey>,
    /// The fingerprint, or the dump's path for a text dump.
    id: String,
    /// The process that presents it and whether a static pod runs it ([`presenter`]), read
    /// once.
    presenter: Option<(&'static str, bool)>,
}

impl Candidate<'_> {
    /// Whether its SANs name the host of endpoint key `k` (the bundle may hold no
    /// configuration saying where it is served: a collector that copies no manifests).
    fn covers(&self, k: &CertKey) -> bool {
        if k.kind != KeyKind::Server {
            return false;
        }
        let Some((host, _)) = split_host_port(&k.value) else {
            return false;
        };
        match host.parse::<std::net::IpAddr>() {
            Ok(ip) => self.ips.contains(&ip),
            Err(_) => self.dns.iter().any(|d| d.eq_ignore_ascii_case(host)),
        }
    }
}

/// Every valid leaf certificate file of the bundle, parsed or dumped as text.
fn candidates<'s>(snap: &'s Snapshot, comps: &[ComponentConfig<'_>]) -> Vec<Candidate<'s>> {
    let at = snap.captured_at.at;
    let ck = CertKeys::new(snap, comps);
    let parsed = snap
        .certs
        .certs
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.is_ca && c.not_before <= at && c.not_after > at)
        .filter_map(|(i, c)| {
            let path = c.locations.iter().find_map(|l| match l {
                Location::File { path } => Some(path.as_str()),
                _ => None,
            })?;
            Some(Candidate {
                path,
                node: snap.node_of(path).filter(|_| !snap.nodes.is_empty()),
                cert: Some(i),
                common_name: c.common_name.clone().unwrap_or_default(),
                not_before: c.not_before,
                not_after: c.not_after,
                ips: c.ip_addresses.clone(),
                dns: c.dns_names.clone(),
                keys: ck.of(snap, i).into_iter().collect(),
                id: c.fingerprint.hex(),
                presenter: None,
            })
        });
    let dumped = snap
        .cert_texts
        .iter()
        .filter(|(_, _, t)| t.not_before <= at && t.not_after > at && !t.subject.contains("-ca"))
        .map(|(path, node, t)| Candidate {
            path,
            node: *node,
            cert: None,
            common_name: t.name().to_string(),
            not_before: t.not_before,
            not_after: t.not_after,
            ips: t
                .sans
                .iter()
                .filter_map(|s| s.strip_prefix("IP Address:")?.trim().parse().ok())
                .collect(),
            dns: t
                .sans
                .iter()
                .filter_map(|s| Some(s.strip_prefix("DNS:")?.trim().to_string()))
                .collect(),
            keys: BTreeSet::new(),
            id: path.clone(),
            presenter: None,
        });
    let mut all: Vec<Candidate<'_>> = parsed.chain(dumped).collect();
    for c in &mut all {
        c.presenter = presenter(snap, c);
    }
    all
}

/// Where the process presenting a certificate listens, as far as its own flags prove, and
/// whether the rejecting log is on the certificate's node. A load balancer's address (every
/// control plane's certificate covers it) proves nothing about which one still presents the
/// old certificate.
struct Here {
    /// Its own addresses: the apiserver's `--advertise-address`/`--bind-address`, etcd's
    /// client URLs' hosts; loopback when the log is on the same node.
    hosts: BTreeSet<String>,
    /// The ports it serves on (all when the process is not known).
    ports: Vec<u16>,
    same_node: bool,
}

impl Here {
    fn of(
        snap: &Snapshot,
        configs: &[ComponentConfig<'_>],
        c: &Candidate<'_>,
        hit_node: Option<&str>,
    ) -> Here {
        let node = c.node;
        let same_node = !snap.nodes.is_empty() && hit_node == Some(snap.node_name(node));
        let mut hosts = BTreeSet::new();
        let Some((component, _)) = c.presenter else {
            return Here {
                hosts,
                ports: Vec::new(),
                same_node,
            };
        };
        let mut ports = ports_of(component).to_vec();
        for c in configs
            .iter()
            .filter(|c| c.node == node && c.component.as_str() == component)
        {
            for flag in ["advertise-address", "bind-address"] {
                hosts.extend(c.flag(flag).map(str::to_string));
            }
            ports.extend(c.flag("secure-port").and_then(|p| p.parse::<u16>().ok()));
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
        Here {
            hosts,
            ports,
            same_node,
        }
    }

    /// Whether an endpoint key is this process: a server address it listens on, or the
    /// server its own node's client was refused by.
    fn dialled(&self, k: &CertKey) -> bool {
        match k.kind {
            KeyKind::Server => split_host_port(&k.value).is_some_and(|(h, p)| {
                self.hosts.contains(h)
                    && (self.ports.is_empty() || p.parse::<u16>().is_ok_and(|p| self.ports.contains(&p)))
            }),
            KeyKind::Client => self.same_node,
            _ => false,
        }
    }
}

/// The ports a component serves TLS on by default (empty: unknown, any).
fn ports_of(component: &str) -> &'static [u16] {
    match component {
        "kube-apiserver" => &[6443, 443],
        "etcd" => &[2379, 2380],
        "kubelet" => &[10250],
        _ => &[],
    }
}

/// How many of the candidates cover the host of endpoint key `k` on its port.
fn covering(all: &[Candidate<'_>], k: &CertKey) -> usize {
    all.iter().filter(|c| c.covers(k) && serves_port(c, k)).count()
}

/// Whether the process presenting `c` serves on the port of endpoint key `k` (an etcd
/// certificate covers the node's address too, but not on the apiserver's port).
fn serves_port(c: &Candidate<'_>, k: &CertKey) -> bool {
    let ports = c.presenter.map_or(&[][..], |(p, _)| ports_of(p));
    ports.is_empty()
        || split_host_port(&k.value)
            .and_then(|(_, p)| p.parse::<u16>().ok())
            .is_some_and(|p| ports.contains(&p))
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
/// (`kube-apiserver --tls-cert-file (…)`, `kubeconfig …/controller-manager.conf user …`), else
/// from kubeadm's names for its files (a bundle with no manifests: `apiserver.crt`, CN
/// `kube-apiserver`; `etcd/server.crt`); and whether a static pod runs it on its node: a
/// manifest of the kubelet's static pod folder configures it, or the node is a kubeadm node.
fn presenter(snap: &Snapshot, c: &Candidate<'_>) -> Option<(&'static str, bool)> {
    let node = c.node;
    let configured = c.cert.and_then(|i| {
        snap.trust.iter().filter(|e| e.peer == i).find_map(|e| {
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
            Some((component, p.contains("manifests/")))
        })
    });
    let file = c.path.rsplit('/').next().unwrap_or(c.path);
    let (component, in_manifest) = configured.or_else(|| {
        let named = if c.common_name == "kube-apiserver"
            || matches!(file, "apiserver.crt" | "serving-kube-apiserver.crt")
        {
            "kube-apiserver"
        } else if c.path.contains("etcd/") && matches!(file, "server.crt" | "peer.crt") {
            "etcd"
        } else {
            return None;
        };
        Some((named, false))
    })?;
    let manifest = snap.pods.iter().any(|p| {
        p.origin == PodOrigin::StaticManifest
            && p.node == node
            && p.pod.spec.containers.iter().any(|c| c.name == component)
    });
    let static_pod =
        component != "kubelet" && (manifest || in_manifest || snap.layout(node) == Layout::Kubeadm);
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
        // The notAfter dates the bundle still holds: a rejected one of those is `cert-expired`.
        let held = held_not_afters(snap);
        // Valid leaf certificate files: what a renewal leaves on disk.
        let configs = &cx.facts.components;
        let all = candidates(snap, configs);
        if all.is_empty() {
            return Vec::new();
        }
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
                let first_date = dates.iter().filter_map(|k| parse(&k.value)).min();
                // Renewed certificates met at one of the endpoints, with the endpoints.
                let met: Vec<(usize, Vec<CertKey>)> = all
                    .iter()
                    .enumerate()
                    .filter_map(|(i, c)| {
                        // Issued before the rejections stopped: renewed, yet still rejected.
                        if c.not_before > last {
                            return None;
                        }
                        let at_end: Vec<CertKey> = ends
                            .iter()
                            .filter(|k| c.keys.contains(**k) || c.covers(k) && serves_port(c, k))
                            .map(|k| (*k).clone())
                            .collect();
                        (!at_end.is_empty()).then_some((i, at_end))
                    })
                    .collect();
                // Which of them the process behind the endpoint presents, from the best proof
                // the bundle holds: the address its own flags listen on (or loopback on its
                // node); else an address only one certificate of the bundle covers (a node's
                // own IP); else, behind an address several cover (a load balancer), the
                // certificates renewed after the rejected one expired.
                let proven: Vec<&(usize, Vec<CertKey>)> = met
                    .iter()
                    .filter(|(i, ends)| {
                        all.get(*i).is_some_and(|c| {
                            let here = Here::of(snap, configs, c, hit_node.as_deref());
                            ends.iter().any(|k| here.dialled(k))
                        })
                    })
                    .collect();
                let unique: Vec<&(usize, Vec<CertKey>)> = met
                    .iter()
                    .filter(|(_, ends)| ends.iter().any(|k| covering(&all, k) == 1))
                    .collect();
                let after: Vec<&(usize, Vec<CertKey>)> = met
                    .iter()
                    .filter(|(i, _)| {
                        all.get(*i)
                            .zip(first_date)
                            .is_some_and(|(c, t)| c.not_before >= t)
                    })
                    .collect();
                let chosen = [proven, unique, after]
                    .into_iter()
                    .find(|v| !v.is_empty())
                    .unwrap_or_default();
                for (i, met) in chosen {
                    let i = *i;
                    let met = met.clone();
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
        found
            .into_iter()
            .filter_map(|(i, r)| Some(finding(cx, all.get(i)?, r)))
            .collect()
    }
}

fn finding(cx: &Ctx<'_>, c: &Candidate<'_>, r: Rejected) -> Finding {
    let snap = cx.snap;
    let (path, node) = (c.path, c.node);
    let name = node.map(|n| snap.node_name(Some(n)).to_string());
    let (component, static_pod) = c.presenter.unzip();
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
        .finding(format!("{}\0{path}", c.id))
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
        .evidence("fingerprint", c.id.clone())
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
    f.fixes(step)
}
