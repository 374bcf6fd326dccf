//! Node layout: where each node's file tree starts inside a bundle, and what it is called.
//!
//! A node's root is whatever prefix stands before one of the well-known node folders
//! (`etc/kubernetes`, `var/lib/kubelet`, `run/flannel`, `var/run/flannel`, `etc/cni`,
//! `etc/systemd`, `var/log`): `incident-replay/master-01/etc/kubernetes/…` is a file of the
//! node rooted at `incident-replay/master-01/`. The leftmost match wins, so a node's
//! `var/log/pods/…` never opens a second node. Cluster-level dumps belong to no node.
//! k3s/RKE2 trees (`var/lib/rancher`) and a sosreport's own folders (`sos_commands`, …)
//! mark a node root too, so a sosreport's journal captures belong to its node. A
//! `kind export logs` node folder is marked by the files kind writes there (see `kind`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::Node;

/// Folder sequences that mark a node's root just before them.
const MARKERS: &[&[&str]] = &[
    &["etc", "kubernetes"],
    &["var", "lib", "kubelet"],
    &["var", "run", "flannel"],
    &["run", "flannel"],
    &["etc", "cni"],
    &["etc", "systemd"],
    &["var", "log"],
    // k3s and RKE2 keep everything under these (see `distro`).
    &["var", "lib", "rancher"],
    &["etc", "rancher"],
    // A sosreport's own folders sit beside the node's copied tree (see `sosreport`).
    &["sos_commands"],
    &["sos_reports"],
    &["sos_logs"],
    // `kubetriage collect` puts cluster dumps beside the node's tree.
    &["kubetriage-collect"],
    // Rancher's logs collector: `systeminfo/` at the archive's top (see `rancher`).
    &["systeminfo"],
];

/// The node root of `path` (ending in `/`, or empty when the marker is at the bundle's top),
/// `None` when no marker folder appears in it.
pub fn node_root(path: &str) -> Option<String> {
    // `kind export logs`: the node's folder holds `/var/log`'s content at its top.
    if let Some(root) = super::kind::node_root(path) {
        return Some(root);
    }
    let segs: Vec<&str> = path.split('/').collect();
    // The last segment is the file itself: a marker must be a folder.
    let folders = segs.len().saturating_sub(1);
    for i in 0..folders {
        for m in MARKERS {
            let end = i + m.len();
            if end <= folders && segs.get(i..end) == Some(*m) {
                let root = segs.get(..i).unwrap_or_default().join("/");
                return Some(if root.is_empty() { root } else { format!("{root}/") });
            }
        }
    }
    None
}

/// Folders at a node root that hold only that node's logs (`<node>/logs/kubelet.log`,
/// `<node>/logs/pods/…`, `<node>/journal/…`): they mark no node by themselves (a cluster
/// dump may have a `logs/` folder too) but belong to the node whose root holds them.
const NODE_LOG_FOLDERS: &[&str] = &["logs", "journal"];

/// The node that owns the file at `path`, given every node root of the bundle: the node whose
/// root stands before a marker folder of the path; else the node with the longest non-empty
/// root the path lies under (every file under a node's folder is that node's, wherever it
/// sits: `logs/`, `journal/`, a collector's own folder); else, for a node rooted at the
/// bundle's top, a file in one of its log folders. A support bundle's cluster folders
/// (`cluster-resources/…`) belong to no node.
pub fn owner(path: &str, roots: &RootIndex) -> Option<usize> {
    if let Some(root) = node_root(path) {
        return roots.position(&root);
    }
    if super::troubleshoot::root_of(path).is_some() {
        return None;
    }
    roots.longest_under(path).or_else(|| {
        let first = path.split('/').next().unwrap_or_default();
        let top_is_folder = path.len() > first.len();
        if top_is_folder
            && (NODE_LOG_FOLDERS.contains(&first) || super::rancher::NODE_FOLDERS.contains(&first))
        {
            roots.top()
        } else {
            None
        }
    })
}

/// Node roots indexed for lookups by path, so that placing each of a bundle's files costs
/// the path's depth, not the number of nodes (16k kind nodes took 30 s with a scan).
#[derive(Clone, Debug, Default)]
pub struct RootIndex {
    /// Non-empty roots ending in `/`, by value.
    by_root: HashMap<String, usize>,
    /// Any other non-empty roots (none in practice), scanned.
    odd: Vec<(String, usize)>,
    /// The root that is the bundle's top (`""`).
    top: Option<usize>,
}

impl RootIndex {
    /// The index of `roots` (node `i` has root `roots[i]`; the first of equal roots wins).
    pub fn new<'a>(roots: impl IntoIterator<Item = &'a str>) -> Self {
        let mut ix = RootIndex::default();
        for (i, r) in roots.into_iter().enumerate() {
            if r.is_empty() {
                ix.top.get_or_insert(i);
            } else if r.ends_with('/') {
                ix.by_root.entry(r.to_string()).or_insert(i);
            } else if !ix.odd.iter().any(|(o, _)| o == r) {
                ix.odd.push((r.to_string(), i));
            }
        }
        ix
    }

    /// The node whose root is exactly `root`.
    pub fn position(&self, root: &str) -> Option<usize> {
        if root.is_empty() {
            return self.top;
        }
        self.by_root
            .get(root)
            .copied()
            .or_else(|| self.odd.iter().find(|(r, _)| r == root).map(|(_, i)| *i))
    }

    /// The node with the longest non-empty root that `path` lies under.
    pub fn longest_under(&self, path: &str) -> Option<usize> {
        let mut best: Option<(usize, usize)> = None;
        for (j, _) in path.match_indices('/') {
            if let Some(&i) = self.by_root.get(&path[..=j]) {
                best = Some((j + 1, i));
            }
        }
        for (r, i) in &self.odd {
            if path.starts_with(r.as_str()) && best.is_none_or(|(len, _)| r.len() > len) {
                best = Some((r.len(), *i));
            }
        }
        best.map(|(_, i)| i)
    }

    /// The node rooted at the bundle's top, if any.
    pub fn top(&self) -> Option<usize> {
        self.top
    }
}

/// The nodes of a bundle from its paths, sorted by root. `hostnames` maps a bundle path of an
/// `etc/hostname` file to its first line. Names come from the node's `etc/hostname`, else the
/// root's last folder (an archive's name without its extension), else `node`; a name already
/// taken gets `-2`, `-3`, … so that two nodes never merge.
pub fn nodes<'a>(
    paths: impl IntoIterator<Item = &'a str>,
    hostnames: &BTreeMap<String, String>,
) -> Vec<Node> {
    let paths: Vec<&str> = paths.into_iter().collect();
    let roots: BTreeSet<String> = paths.iter().copied().filter_map(node_root).collect();
    let pki = pki_folders(&paths, &roots);
    let based: Vec<(String, String)> = roots
        .into_iter()
        .chain(pki.iter().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|root| {
            // A PKI folder on its own is named by the folder that holds it (an archive, a
            // node's folder), not by its own name.
            if pki.contains(&root) {
                let parent = root.trim_end_matches('/').rsplit_once('/').map_or("", |(p, _)| p);
                let parent = if parent.is_empty() {
                    String::new()
                } else {
                    format!("{parent}/")
                };
                return (root, folder_name(&parent));
            }
            let base = hostnames
                .get(&format!("{root}etc/hostname"))
                .or_else(|| hostnames.get(&format!("{root}{}", super::sosreport::HOSTNAME)))
                .or_else(|| hostnames.get(&format!("{root}{}", super::rancher::HOSTNAME)))
                .filter(|h| !h.is_empty())
                .cloned()
                .unwrap_or_else(|| folder_name(&root));
            (root, base)
        })
        .collect();
    let mut count: BTreeMap<&str, u32> = BTreeMap::new();
    for (_, base) in &based {
        *count.entry(base.as_str()).or_insert(0) += 1;
    }
    // Two machines with one hostname: each is named with its folder (the archive it came
    // in), so that a plan's `# on …` line says which machine; an invented `-2` would not.
    let shared: BTreeSet<String> = count
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(b, _)| b.to_string())
        .collect();
    let mut taken: BTreeMap<String, u32> = BTreeMap::new();
    based
        .into_iter()
        .map(|(root, base)| {
            let folder = folder_name(&root);
            let base = if shared.contains(&base) && folder != base {
                format!("{base} ({folder})")
            } else {
                base
            };
            let n = taken.entry(base.clone()).or_insert(0);
            *n += 1;
            let name = if *n == 1 { base } else { format!("{base}-{n}") };
            let base = pki.contains(&root).then(|| KUBEADM_PKI.to_string());
            Node { name, root, base }
        })
        .collect()
}

/// kubeadm's PKI folder on a node.
const KUBEADM_PKI: &str = "/etc/kubernetes/pki/";

/// File names only kubeadm's PKI folder holds together (`kubeadm init phase certs`).
const KUBEADM_PKI_NAMES: &[&str] = &[
    "apiserver.crt",
    "apiserver-kubelet-client.crt",
    "apiserver-etcd-client.crt",
    "front-proxy-ca.crt",
    "front-proxy-client.crt",
    "sa.pub",
    "etcd/ca.crt",
];

/// Folders outside every node tree that hold kubeadm's PKI by its file names (`ca.crt` and
/// at least three of [`KUBEADM_PKI_NAMES`]): `/etc/kubernetes/pki` packed on its own (`cd
/// /etc/kubernetes && tar czf pki.tgz pki`) or copied under another name. Each is that
/// node folder, wherever it sits in the bundle.
///
/// Only in a bundle of no node tree, and only near its top (the folder itself or one wrapper
/// folder above it): beside real node trees, or deep in a collector's copies, such a folder is
/// a copy (a tenant pod's files, an old backup) and never speaks for a node (hostile round 9).
fn pki_folders(paths: &[&str], roots: &BTreeSet<String>) -> BTreeSet<String> {
    if !roots.is_empty() {
        return BTreeSet::new();
    }
    let index = RootIndex::new(roots.iter().map(String::as_str));
    let mut names: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for p in paths {
        if node_root(p).is_some() || index.longest_under(p).is_some() || index.top().is_some() {
            continue;
        }
        // A file `F/x` and `F/etcd/x` both count for folder `F/`.
        let (dir, file) = p.rsplit_once('/').unwrap_or(("", p));
        names.entry(dir).or_default().insert(file);
        if let Some(parent) = dir
            .strip_suffix("/etcd")
            .or_else(|| (dir == "etcd").then_some(""))
        {
            if file == "ca.crt" {
                names.entry(parent).or_default().insert("etcd/ca.crt");
            }
        }
    }
    names
        .into_iter()
        .filter(|(dir, files)| {
            dir.split('/').filter(|s| !s.is_empty()).count() <= 2
                && files.contains("ca.crt")
                && KUBEADM_PKI_NAMES.iter().filter(|n| files.contains(*n)).count() >= 3
        })
        .map(|(dir, _)| {
            if dir.is_empty() {
                String::new()
            } else {
                format!("{dir}/")
            }
        })
        .collect()
}

/// The last folder of a root, without an archive extension; `node` for an empty root.
fn folder_name(root: &str) -> String {
    let last = root.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    let last = [".tar.gz", ".tgz", ".tar"]
        .iter()
        .find_map(|ext| last.strip_suffix(ext))
        .unwrap_or(last);
    if last.is_empty() {
        "node".to_string()
    } else {
        last.to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_pki_folder_beside_node_trees_or_deep_in_copies_is_no_node() {
        let pki = |dir: &str| {
            [
                "ca.crt",
                "apiserver.crt",
                "front-proxy-ca.crt",
                "apiserver-kubelet-client.crt",
            ]
            .iter()
            .map(|f| format!("{dir}/{f}"))
            .collect::<Vec<_>>()
        };
        let mut paths = vec!["cp-1/etc/kubernetes/manifests/kube-apiserver.yaml".to_string()];
        paths.extend(pki("copies/tenant-a/cp-1/pki"));
        let names: Vec<String> = nodes(paths.iter().map(String::as_str), &BTreeMap::new())
            .into_iter()
            .map(|n| n.name)
            .collect();
        assert_eq!(names, ["cp-1"]);
        let deep = pki("a/b/c/pki");
        assert!(nodes(deep.iter().map(String::as_str), &BTreeMap::new()).is_empty());
        let top = pki("pki");
        assert_eq!(nodes(top.iter().map(String::as_str), &BTreeMap::new()).len(), 1);
    }

    use super::*;

    #[test]
    fn roots_before_markers() {
        assert_eq!(
            node_root("incident-replay/master-01/etc/kubernetes/pki/ca.crt").as_deref(),
            Some("incident-replay/master-01/")
        );
        assert_eq!(node_root("etc/kubernetes/kubeconfig").as_deref(), Some(""));
        assert_eq!(node_root("b/var/run/flannel/subnet.env").as_deref(), Some("b/"));
        assert_eq!(
            node_root("b/var/log/pods/x/etc/kubernetes/y").as_deref(),
            Some("b/")
        );
        assert_eq!(node_root("cluster/objects.yaml"), None);
        assert_eq!(node_root("b/etc/kubernetes"), None);
    }

    #[test]
    fn a_node_owns_every_file_under_its_folder() {
        let roots = RootIndex::new(["b/cp-1/", "b/cp-2/"]);
        for (path, want) in [
            ("b/cp-1/var/log/kubelet.log", Some(0)),
            ("b/cp-1/logs/kubelet.log", Some(0)),
            ("b/cp-2/logs/pods/kube-system_etcd/etcd/0.log", Some(1)),
            ("b/cp-2/journal/kubelet.txt", Some(1)),
            ("b/cluster/logs/x.log", None),
            (
                "b/cp-1/support-bundle/cluster-resources/pods/logs/a/b/c.log",
                None,
            ),
        ] {
            assert_eq!(owner(path, &roots), want, "{path}");
        }
        let top = RootIndex::new([""]);
        assert_eq!(owner("logs/kubelet.log", &top), Some(0));
        assert_eq!(owner("journal/kubelet.txt", &top), Some(0));
        assert_eq!(owner("cluster/pods.log", &top), None);
        assert_eq!(owner("kubelet.log", &top), None);
    }

    #[test]
    fn names_from_hostname_then_folder() {
        let mut h = BTreeMap::new();
        h.insert("b/w/etc/hostname".to_string(), "worker-7".to_string());
        let n = nodes(
            [
                "b/m/etc/kubernetes/a",
                "b/w/var/log/x",
                "n.tar.gz/etc/cni/net.d/1.conf",
                "etc/systemd/k",
            ],
            &h,
        );
        let names: Vec<_> = n.iter().map(|n| (n.root.as_str(), n.name.as_str())).collect();
        assert_eq!(
            names,
            vec![
                ("", "node"),
                ("b/m/", "m"),
                ("b/w/", "worker-7"),
                ("n.tar.gz/", "n")
            ]
        );
    }

    /// kubeadm's PKI folder on its own, whatever its name, is a node rooted at that folder,
    /// standing for `/etc/kubernetes/pki/`; the same files inside a node's tree, or a folder
    /// with only a `ca.crt`, are not (newuser4 H3).
    #[test]
    fn a_kubeadm_pki_folder_on_its_own_is_a_node() {
        let files = |dir: &str| -> Vec<String> {
            [
                "ca.crt",
                "ca.key",
                "apiserver.crt",
                "front-proxy-ca.crt",
                "sa.pub",
                "etcd/ca.crt",
            ]
            .iter()
            .map(|f| format!("{dir}{f}"))
            .collect()
        };
        for dir in ["pki/", "b/cp-1-pki/"] {
            let paths = files(dir);
            let n = nodes(paths.iter().map(String::as_str), &BTreeMap::new());
            assert_eq!(n.len(), 1, "{n:?}");
            assert_eq!(n[0].root, dir);
            assert_eq!(n[0].base.as_deref(), Some("/etc/kubernetes/pki/"));
            assert_eq!(n[0].abs_path("etcd/ca.crt"), "/etc/kubernetes/pki/etcd/ca.crt");
            assert_eq!(
                n[0].bundle_path("/etc/kubernetes/pki/apiserver.crt"),
                Some(format!("{dir}apiserver.crt"))
            );
            assert_eq!(n[0].bundle_path("/etc/kubernetes/admin.conf"), None);
        }
        // Inside a node's tree (a backup copy) the folder stays that node's file.
        let mut paths = files("m/root/backup/pki/");
        paths.push("m/etc/kubernetes/admin.conf".into());
        let n = nodes(paths.iter().map(String::as_str), &BTreeMap::new());
        assert_eq!(n.len(), 1);
        assert_eq!((n[0].root.as_str(), n[0].base.as_deref()), ("m/", None));
        let n = nodes(["certs/ca.crt", "certs/tls.crt"], &BTreeMap::new());
        assert!(n.is_empty(), "{n:?}");
    }

    /// Two machines named `ubuntu` (two Rancher archives): each is named with its archive,
    /// never an invented `ubuntu-2` that no machine answers to (hostile round 4, R3).
    #[test]
    fn a_shared_hostname_names_each_machine_by_its_folder() {
        let mut h = BTreeMap::new();
        h.insert(
            "ubuntu-09_30.tar.gz/etc/hostname".to_string(),
            "ubuntu".to_string(),
        );
        h.insert(
            "ubuntu-09_31.tar.gz/etc/hostname".to_string(),
            "ubuntu".to_string(),
        );
        let n = nodes(
            [
                "ubuntu-09_30.tar.gz/etc/kubernetes/a",
                "ubuntu-09_31.tar.gz/etc/kubernetes/a",
            ],
            &h,
        );
        let names: Vec<_> = n.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["ubuntu (ubuntu-09_30)", "ubuntu (ubuntu-09_31)"]);
    }
}
