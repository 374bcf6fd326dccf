//! `evidence-scrubbed`: certificates, keys and secret values a collector removed before the
//! bundle reached us, and the checks that could not run for lack of them.

use std::collections::{BTreeMap, BTreeSet};

use crate::bundle::collector::Collector;
use crate::checks::{Check, Ctx};
use crate::finding::Finding;
use crate::snapshot::{Location, Snapshot};

/// Scrubbed evidence is reported per node and collector.
type Group = (Option<usize>, String);

/// Rules that read certificates: they cannot judge a scrubbed one.
const CERT_RULES: &[&str] = &[
    "cert-expired",
    "cert-expiring-soon",
    "cert-not-yet-valid",
    "ca-mismatch",
    "san-missing",
    "cert-usage",
    "cert-weak",
];
/// Rules that read a PKI folder's certificates and keys.
const FOLDER_RULES: &[&str] = &[
    "cert-expired",
    "cert-expiring-soon",
    "cert-not-yet-valid",
    "ca-mismatch",
    "san-missing",
    "cert-usage",
    "cert-weak",
    "key-mismatch",
];
/// Rules that pair keys with certificates.
const KEY_RULES: &[&str] = &["key-mismatch"];
/// Rules that compare Secret data with the files it should match.
const SECRET_RULES: &[&str] = &["sa-token-stale-ca", "stale-checkpoint"];

/// The rules that could not run on a piece of evidence described as `what`.
fn rules_for(what: &str) -> &'static [&'static str] {
    let w = what.to_ascii_lowercase();
    if w.contains("not collected") {
        FOLDER_RULES
    } else if w.contains("key") && !w.contains("public") {
        KEY_RULES
    } else if w.contains("/secret/") {
        SECRET_RULES
    } else {
        CERT_RULES
    }
}

/// What each collector left out or scrubbed, by (node, collector): `(path, what)` items. An
/// item whose `what` says "not collected" is a folder the collector never copies.
pub fn groups(snap: &crate::snapshot::Snapshot) -> BTreeMap<Group, BTreeSet<(String, String)>> {
    // (node, tool) → (path, what)
    let mut groups: BTreeMap<Group, BTreeSet<(String, String)>> = BTreeMap::new();
    for s in &snap.scrubbed {
        let node = snap.node_of(&s.path);
        groups
            .entry((node, s.by.clone()))
            .or_default()
            .insert((s.path.clone(), s.what.clone()));
    }
    // sos ≥ 4.8.2 forbids /etc/kubernetes/pki: absent, not broken.
    for (i, node) in snap.nodes.iter().enumerate() {
        let sos = snap.node_layouts.get(i).and_then(|l| l.collector) == Some(Collector::Sosreport);
        let under = |dir: &str| {
            let prefix = format!("{}{dir}", node.root);
            snap.files
                .range(prefix.clone()..)
                .next()
                .is_some_and(|(p, _)| p.starts_with(&prefix))
        };
        // kind copies a node's /var/log and nothing else.
        let kind = snap.node_layouts.get(i).and_then(|l| l.collector) == Some(Collector::Kind);
        if kind && !under("etc/kubernetes/") {
            groups
                    .entry((Some(i), "kind export logs".to_string()))
                    .or_default()
                    .insert((
                        format!("{}etc/kubernetes", node.root),
                        "certificates, kubeconfigs and static pod manifests (folder not collected: kind copies only /var/log)"
                            .to_string(),
                    ));
        }
        if sos && under("etc/kubernetes/") && !under("etc/kubernetes/pki/") {
            groups
                .entry((Some(i), "sosreport".to_string()))
                .or_default()
                .insert((
                    format!("{}etc/kubernetes/pki", node.root),
                    "certificates and private keys (folder not collected)".to_string(),
                ));
        } else if sos && !under("etc/kubernetes/") && !holds_certificates(snap, &node.root) {
            // A sosreport without the kubernetes plugin's files (an RKE2 or k3s node, whose
            // PKI sos never copies, or a report taken without the plugin): nothing of the
            // node's PKI can be judged, which is a gap, not a healthy node.
            groups
                .entry((Some(i), "sosreport".to_string()))
                .or_default()
                .insert((
                format!("{}etc/kubernetes", node.root),
                "certificates, keys and kubeconfigs (not collected: the report holds none of this node's)"
                    .to_string(),
            ));
        }
    }
    // must-gather gathers objects and logs, never a node's files or Secrets' data.
    for (root, c) in &snap.collectors {
        let has_pki = snap
            .certs
            .certs
            .iter()
            .any(|c| c.locations.iter().any(|l| l.path().starts_with(root.as_str())));
        // A support bundle copies a node's files only through host collectors; its Secrets'
        // certificates are no node's PKI, so what decides is whether a node tree is in it.
        let has_node = || snap.nodes.iter().any(|n| n.root.starts_with(root.as_str()));
        let (by, gathered) = match c {
            Collector::MustGather => ("must-gather", has_pki),
            Collector::ClusterInfoDump => ("kubectl cluster-info dump", has_pki),
            Collector::Troubleshoot => ("troubleshoot", has_node()),
            _ => continue,
        };
        if !gathered {
            groups.entry((None, by.to_string())).or_default().insert((
                root.clone(),
                format!("certificates, keys and kubeconfigs (not collected: {by} gathers objects and logs)"),
            ));
        }
    }
    groups
}

/// The collectors that did not collect certificates and keys at all: `(node, collector)`,
/// for reports that do not run the checks (`certs`) to say the same as `analyze`.
pub fn not_collected(snap: &crate::snapshot::Snapshot) -> Vec<(Option<usize>, String)> {
    groups(snap)
        .into_iter()
        .filter(|(_, items)| !items.is_empty() && items.iter().all(|(_, w)| w.contains("not collected")))
        .map(|(g, _)| g)
        .collect()
}

/// evidence-scrubbed: a collector scrubbed or left out certificates, keys or secret values
/// (sos's `-----SCRUBBED` and `SCRUBBED BASE64 PEM`, kubectl's `DATA+OMITTED`, troubleshoot's
/// `***HIDDEN***`, sos ≥ 4.8.2 never copying `/etc/kubernetes/pki`), so the report lists
/// them as missing and names the checks that could not run, instead of calling them broken.
pub struct EvidenceScrubbed;

impl Check for EvidenceScrubbed {
    fn id(&self) -> &'static str {
        "input.evidence_scrubbed"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let snap = cx.snap;
        let groups = groups(snap);
        groups
            .into_iter()
            .map(|((node, by), items)| {
                let rules: BTreeSet<&str> = items
                    .iter()
                    .flat_map(|(_, what)| rules_for(what).iter().copied())
                    .collect();
                let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
                for (_, what) in &items {
                    let kind = if rules_for(what) == FOLDER_RULES {
                        "folder(s) not collected"
                    } else if rules_for(what) == KEY_RULES {
                        "private keys"
                    } else if rules_for(what) == SECRET_RULES {
                        "secret values"
                    } else {
                        "certificates"
                    };
                    *kinds.entry(kind).or_default() += 1;
                }
                let counted: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
                let node_name = snap.node_name(node).to_string();
                let rules: Vec<&str> = rules.into_iter().collect();
                let mut f = cx
                    .finding(format!("{by}\0{node_name}"))
                    .node(node.map(|_| node_name.as_str()))
                    .message(format!(
                        "{by} {} ({}) on {node_name}: it is \
                         missing, not broken. These checks could not run on it: {}. To check it, \
                         collect again with `kubetriage collect` (private keys stay on the node).",
                        if items.iter().all(|(_, w)| w.contains("not collected")) {
                            "did not collect evidence"
                        } else {
                            "removed evidence before the bundle was made"
                        },
                        counted.join(", "),
                        rules.join(", ")
                    ))
                    .evidence("collector", by.clone())
                    .evidence("checks_not_run", rules.clone())
                    .evidence(
                        "scrubbed",
                        items.iter().map(|(p, w)| format!("{p}: {w}")).collect::<Vec<_>>(),
                    );
                for (p, _) in &items {
                    f = f.path(p.clone());
                }
                f
            })
            .collect()
    }
}

/// Whether any certificate of the bundle sits in a file under a node's tree.
fn holds_certificates(snap: &Snapshot, root: &str) -> bool {
    snap.certs.certs.iter().any(|c| {
        c.locations.iter().any(|l| match l {
            Location::File { path } | Location::Kubeconfig { path, .. } => path.starts_with(root),
            Location::Object { .. } => false,
        })
    })
}
