//! Which tool made a bundle (or one node's part of it): sosreport, a troubleshoot support
//! bundle, or `kubetriage collect`. A plain tarball has none. Detected from the folders and
//! files each tool writes at its root (see [`super::sosreport`], [`super::troubleshoot`]).

use std::collections::BTreeMap;

use serde::Serialize;

/// The name of the manifest `kubetriage collect` writes at the root of its bundles.
pub const COLLECT_MANIFEST: &str = "kubetriage-collect.json";

/// A bundle-making tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Collector {
    /// sos report (`sos_commands/`, `sos_reports/`).
    Sosreport,
    /// Replicated troubleshoot `support-bundle` (`cluster-resources/`, `host-collectors/`).
    Troubleshoot,
    /// `kubetriage collect` (`kubetriage-collect.json`).
    KubetriageCollect,
    /// `kind export logs` (a node folder with `kubernetes-version.txt`, `serial.log`, …):
    /// the node's `/var/log` only.
    Kind,
    /// Rancher's logs collector (`systeminfo/` at the node root): logs, and certificates as
    /// `openssl x509 -text` dumps.
    Rancher,
    /// `oc adm must-gather` (`timestamp` beside image folders): objects and logs, cluster-wide.
    MustGather,
    /// `kubectl cluster-info dump` (`nodes.json` beside `<namespace>/pods.json`, or the same
    /// parts split from its stdout): objects and pod logs, no node's files.
    ClusterInfoDump,
}

impl Collector {
    /// Kebab-case name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Collector::Sosreport => "sosreport",
            Collector::Troubleshoot => "troubleshoot",
            Collector::KubetriageCollect => "kubetriage-collect",
            Collector::Kind => "kind",
            Collector::Rancher => "rancher",
            Collector::MustGather => "must-gather",
            Collector::ClusterInfoDump => "cluster-info-dump",
        }
    }
}

/// Whether any file of `files` lies under `prefix`.
fn any_under<V>(files: &BTreeMap<String, V>, prefix: &str) -> bool {
    files
        .range(prefix.to_string()..)
        .next()
        .is_some_and(|(p, _)| p.starts_with(prefix))
}

/// The tool that made the tree rooted at `root` (a node root or a bundle root).
pub fn at_root<V>(files: &BTreeMap<String, V>, root: &str) -> Option<Collector> {
    if super::sosreport::ROOT_FOLDERS
        .iter()
        .any(|f| any_under(files, &format!("{root}{f}/")))
    {
        Some(Collector::Sosreport)
    } else if files.contains_key(&format!("{root}{COLLECT_MANIFEST}")) {
        Some(Collector::KubetriageCollect)
    } else if super::troubleshoot::ROOT_FOLDERS
        .iter()
        .any(|f| any_under(files, &format!("{root}{f}/")))
    {
        Some(Collector::Troubleshoot)
    } else if !root.is_empty()
        && super::kind::NODE_FILES
            .iter()
            .any(|f| files.contains_key(&format!("{root}{f}")))
    {
        Some(Collector::Kind)
    } else if any_under(files, &format!("{root}systeminfo/")) {
        Some(Collector::Rancher)
    } else {
        None
    }
}

/// Every collector root of the bundle: sosreport and `kubetriage collect` roots are node
/// roots; support bundle roots are found from their own folders.
pub fn roots<V>(files: &BTreeMap<String, V>, node_roots: &[&str]) -> Vec<(String, Collector)> {
    let mut out: BTreeMap<String, Collector> = BTreeMap::new();
    for r in node_roots {
        if let Some(c) = at_root(files, r) {
            out.insert((*r).to_string(), c);
        }
    }
    for p in files.keys() {
        if let Some(r) = super::troubleshoot::root_of(p) {
            if let std::collections::btree_map::Entry::Vacant(slot) = out.entry(r) {
                if let Some(c) = at_root(files, slot.key()) {
                    slot.insert(c);
                }
            }
        }
    }
    // must-gather roots hold no node: their `timestamp` marks them.
    for p in files.keys().filter(|p| super::mustgather::is_timestamp(p)) {
        if super::mustgather::at_root(files, p) {
            let root = p.strip_suffix("timestamp").unwrap_or(p).to_string();
            out.entry(root).or_insert(Collector::MustGather);
        }
    }
    // `kubectl cluster-info dump`: `nodes.json` with a namespace folder's `pods.json` beside it.
    for p in files
        .keys()
        .filter(|p| *p == "nodes.json" || p.ends_with("/nodes.json"))
    {
        let root = p.strip_suffix("nodes.json").unwrap_or(p).to_string();
        let pods = files
            .range(root.clone()..)
            .take_while(|(f, _)| f.starts_with(&root))
            .any(|(f, _)| {
                f[root.len()..]
                    .split_once('/')
                    .is_some_and(|(ns, rest)| !ns.is_empty() && matches!(rest, "pods.json" | "events.json"))
            });
        if pods {
            out.entry(root).or_insert(Collector::ClusterInfoDump);
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_tool() {
        let mut f: BTreeMap<String, ()> = BTreeMap::new();
        for p in [
            "sos/sos_commands/host/hostname",
            "sos/etc/kubernetes/admin.conf",
            "sb/cluster-resources/nodes.json",
            "kc/kubetriage-collect.json",
            "kc/etc/kubernetes/admin.conf",
            "plain/etc/kubernetes/admin.conf",
        ] {
            f.insert(p.to_string(), ());
        }
        let r = roots(&f, &["sos/", "kc/", "plain/"]);
        assert_eq!(
            r,
            vec![
                ("kc/".to_string(), Collector::KubetriageCollect),
                ("sb/".to_string(), Collector::Troubleshoot),
                ("sos/".to_string(), Collector::Sosreport),
            ]
        );
    }
}
