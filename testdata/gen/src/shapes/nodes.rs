//! What the collector shapes need to know about a scenario's tree: where each node's files
//! start, what the node is called, where the cluster dumps are, and when the bundle was
//! captured.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::tree::{Entry, Tree};

/// A node of a scenario: its root folder (`""` or ending in `/`) and its hostname.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeRoot {
    /// The prefix of every file of the node.
    pub root: String,
    /// The node's `etc/hostname`, else its folder's name, else `node`.
    pub host: String,
}

/// Whether `p` is a cluster dump (a file right under a `cluster/` folder).
pub fn is_dump(p: &str) -> bool {
    p.split('/').rev().nth(1) == Some("cluster")
}

/// The node root of a path: the prefix before its first `etc/`, `var/` or `run/` folder.
fn root_of(p: &str) -> Option<String> {
    if is_dump(p) {
        return None;
    }
    let segs: Vec<&str> = p.split('/').collect();
    let i = segs[..segs.len().saturating_sub(1)]
        .iter()
        .position(|s| matches!(*s, "etc" | "var" | "run"))?;
    let root = segs[..i].join("/");
    Some(if root.is_empty() { root } else { format!("{root}/") })
}

/// Every node of the tree, by root.
pub fn nodes(tree: &Tree) -> Vec<NodeRoot> {
    let mut roots: Vec<String> = tree.entries.keys().filter_map(|p| root_of(p)).collect();
    roots.dedup();
    roots.sort();
    roots.dedup();
    roots
        .into_iter()
        .map(|root| {
            let host = text(tree, &format!("{root}etc/hostname"))
                .and_then(|h| h.lines().next().map(|l| l.trim().to_string()))
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| {
                    let last = root.trim_end_matches('/').rsplit('/').next().unwrap_or("");
                    if last.is_empty() {
                        "node".into()
                    } else {
                        last.into()
                    }
                });
            NodeRoot { root, host }
        })
        .collect()
}

/// The files of one node, by their path inside the node (`etc/kubernetes/admin.conf`).
/// A file of a deeper node root never counts for a shallower one.
pub fn files_of<'a>(tree: &'a Tree, node: &NodeRoot) -> BTreeMap<String, &'a Entry> {
    tree.entries
        .iter()
        .filter(|(p, _)| root_of(p).as_deref() == Some(node.root.as_str()))
        .filter_map(|(p, e)| Some((p.strip_prefix(&node.root)?.to_string(), e)))
        .collect()
}

/// A file's text.
pub fn text(tree: &Tree, path: &str) -> Option<String> {
    match tree.get(path) {
        Some(Entry::File { data, .. }) => Some(String::from_utf8_lossy(data).into_owned()),
        _ => None,
    }
}

/// The objects of every cluster dump, each with the resource its file names (`pods`,
/// `configmaps`, …: the file's stem).
pub fn dumped_objects(tree: &Tree) -> Result<Vec<(String, Value)>> {
    let mut out = Vec::new();
    for (p, e) in &tree.entries {
        let Entry::File { data, .. } = e else { continue };
        if !is_dump(p) {
            continue;
        }
        let name = p.rsplit('/').next().unwrap_or(p);
        let resource = name.split('.').next().unwrap_or(name).to_string();
        let v: Value = serde_yaml::from_slice(data).with_context(|| format!("dump {p}"))?;
        let items = match v.get("items").and_then(Value::as_array) {
            Some(items) => items.clone(),
            None => vec![v],
        };
        out.extend(items.into_iter().map(|i| (resource.clone(), i)));
    }
    Ok(out)
}

/// The capture time of a scenario as `(date, clock)` (`2026-06-15`, `11:59:00`): the newest
/// ISO-8601 time its logs carry (a collector runs right after the last line it copies).
pub fn capture_time(tree: &Tree) -> (String, String) {
    let mut best = String::new();
    for (p, e) in &tree.entries {
        let Entry::File { data, .. } = e else { continue };
        if !p.contains("var/log/") {
            continue;
        }
        for line in String::from_utf8_lossy(data).lines() {
            let stamp = line.get(..19).unwrap_or("");
            let b = stamp.as_bytes();
            let iso = b.len() == 19
                && b[4] == b'-'
                && b[7] == b'-'
                && b[10] == b'T'
                && b[13] == b':'
                && b[16] == b':'
                && stamp.chars().filter(char::is_ascii_digit).count() == 14;
            if iso && stamp > best.as_str() {
                best = stamp.to_string();
            }
        }
    }
    match best.split_once('T') {
        Some((d, c)) => (d.to_string(), c.to_string()),
        None => ("2026-01-01".into(), "00:00:00".into()),
    }
}

/// journalctl's default `short` format (`Jun 15 11:58:00 host unit[pid]: msg`) from a
/// `short-iso` or `short-precise` export; other lines (journalctl's `-- Logs begin …`
/// header) as they are.
pub fn short_journal(log: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut out = String::new();
    for l in log.lines() {
        let (stamp, rest) = l.split_once(' ').unwrap_or((l, ""));
        let iso = stamp.len() >= 19 && stamp.as_bytes().get(10) == Some(&b'T');
        let month: Option<usize> = stamp.get(5..7).and_then(|m| m.parse().ok());
        match (iso, month) {
            (true, Some(m @ 1..=12)) => {
                let day = stamp.get(8..10).unwrap_or("01");
                let clock = stamp.get(11..19).unwrap_or("00:00:00");
                out.push_str(&format!("{} {day} {clock} {rest}\n", MONTHS[m - 1]));
            }
            _ => {
                // short-precise: `Nov 21 08:00:01.318204 host …` → drop the fraction.
                let precise = MONTHS.contains(&stamp)
                    && l.get(15..16) == Some(".")
                    && l.get(16..22)
                        .is_some_and(|f| f.bytes().all(|b| b.is_ascii_digit()));
                if precise {
                    out.push_str(&l[..15]);
                    out.push_str(&l[22..]);
                } else {
                    out.push_str(l);
                }
                out.push('\n');
            }
        }
    }
    out
}

/// The sort key of a `short` journal line (month, day, clock), `None` for a header line.
pub fn short_key(line: &str) -> Option<(usize, String)> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = MONTHS.iter().position(|m| line.starts_with(m))?;
    Some((m, line.get(4..15)?.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nodes_and_converts_journals() {
        let mut t = Tree::new();
        t.file("b/m-1/etc/hostname", "master-01\n");
        t.file(
            "b/m-1/var/log/kubelet.log",
            "2026-11-21T09:29:58+0000 m k[1]: x\n",
        );
        t.file("b/cluster/pods.yaml", "items: []\n");
        let n = nodes(&t);
        assert_eq!(
            n,
            [NodeRoot {
                root: "b/m-1/".into(),
                host: "master-01".into()
            }]
        );
        assert_eq!(files_of(&t, &n[0]).len(), 2);
        assert_eq!(capture_time(&t), ("2026-11-21".into(), "09:29:58".into()));
        assert_eq!(
            short_journal(
                "2026-06-15T11:58:00+0000 cp-1 kubelet[1]: a\nNov 21 08:00:01.318204 m k[2]: b\n-- Logs begin --\n"
            ),
            "Jun 15 11:58:00 cp-1 kubelet[1]: a\nNov 21 08:00:01 m k[2]: b\n-- Logs begin --\n"
        );
    }
}
