//! Links whose target is not in the bundle, where the analysis would have read them: a
//! `pki/ca.crt -> /etc/shadow` is a gap (or a trap), never a file to look for on this host.

use std::collections::BTreeSet;

use crate::artifact::InputProblem;
use crate::snapshot::{Snapshot, normalize};

/// Folders whose files the analysis reads; a dangling link there is reported.
const READ_FOLDERS: &[&[&str]] = &[
    &["etc", "kubernetes"],
    &["var", "lib", "kubelet"],
    &["etc", "cni"],
    &["run", "flannel"],
    &["etc", "systemd"],
];

/// File name endings the analysis reads wherever they stand.
const READ_ENDINGS: &[&str] = &[
    ".crt",
    ".key",
    ".pem",
    ".conf",
    ".kubeconfig",
    ".yaml",
    ".yml",
    ".json",
];

/// One problem per link (symlink or hard link) in a folder the analysis reads whose target,
/// followed inside the bundle, is neither a file nor a folder of it. Links already reported
/// (`already`: paths with a problem, such as links that climb out of the bundle) are skipped.
pub fn dangling(snap: &Snapshot, already: &BTreeSet<&str>) -> Vec<InputProblem> {
    let mut out = Vec::new();
    for (path, info) in &snap.files {
        let Some(target) = &info.link_target else {
            continue;
        };
        if already.contains(path.as_str()) || !read_by_analysis(path) {
            continue;
        }
        if !resolves(snap, path, target) {
            out.push(InputProblem::new(
                path,
                format!("link target `{target}` is not in the bundle; the file it stands for is missing"),
            ));
        }
    }
    out
}

fn read_by_analysis(path: &str) -> bool {
    let segs: Vec<&str> = path.split('/').collect();
    let folders = segs.get(..segs.len().saturating_sub(1)).unwrap_or_default();
    READ_FOLDERS
        .iter()
        .any(|m| folders.windows(m.len()).any(|w| w == *m))
        || READ_ENDINGS.iter().any(|e| path.ends_with(e))
}

/// Follows `target` of the link at `path` inside the bundle (at most 8 hops, like
/// [`Snapshot::resolve`]); true when it ends at a file or a folder of the bundle.
fn resolves(snap: &Snapshot, path: &str, target: &str) -> bool {
    let node = snap.node_of(path).and_then(|i| snap.nodes.get(i));
    let mut at = path.to_string();
    let mut target = target.to_string();
    for _ in 0..8 {
        at = if target.starts_with('/') {
            let Some(p) = node.map_or_else(
                || Some(target.trim_start_matches('/').to_string()),
                |n| n.bundle_path(&target),
            ) else {
                return false;
            };
            normalize(&p)
        } else {
            let dir = at.rsplit_once('/').map_or("", |(d, _)| d);
            normalize(&format!("{dir}/{target}"))
        };
        match snap.files.get(&at) {
            Some(info) => match &info.link_target {
                Some(next) => target = next.clone(),
                None => return true,
            },
            None => {
                let folder = format!("{at}/");
                return snap
                    .files
                    .range(folder.clone()..)
                    .next()
                    .is_some_and(|(k, _)| k.starts_with(&folder));
            }
        }
    }
    // A loop of links: reported as missing too (nothing at its end).
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{FileInfo, Node};

    fn snap(files: &[(&str, Option<&str>)]) -> Snapshot {
        let mut s = Snapshot::empty(
            String::new(),
            crate::snapshot::decide_capture_time(None, None, None),
        );
        for (p, t) in files {
            s.files.insert(
                (*p).to_string(),
                FileInfo {
                    link_target: t.map(str::to_string),
                    ..FileInfo::default()
                },
            );
        }
        s.nodes = vec![Node {
            name: "n".into(),
            root: "n/".into(),
            base: None,
        }];
        s
    }

    #[test]
    fn reports_only_dangling_links_where_the_analysis_reads() {
        let s = snap(&[
            ("n/etc/kubernetes/pki/ca.crt", Some("/etc/shadow")),
            ("n/etc/kubernetes/pki/real.crt", None),
            ("n/etc/kubernetes/pki/ok.crt", Some("real.crt")),
            (
                "n/var/lib/kubelet/pki/current.pem",
                Some("/etc/kubernetes/pki/ok.crt"),
            ),
            ("n/etc/kubernetes/certs", Some("pki")),
            ("n/etc/localtime", Some("/usr/share/zoneinfo/UTC")),
            ("n/etc/kubernetes/a", Some("b")),
            ("n/etc/kubernetes/b", Some("a")),
        ]);
        let got: Vec<String> = dangling(&s, &BTreeSet::new())
            .into_iter()
            .map(|p| p.path)
            .collect();
        assert_eq!(
            got,
            [
                "n/etc/kubernetes/a",
                "n/etc/kubernetes/b",
                "n/etc/kubernetes/pki/ca.crt"
            ]
        );
    }
}
