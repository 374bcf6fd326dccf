//! sosreport-shaped bundles of the `kubeadm-healthy` node, laid out the way sos writes them.
//! Every layout fact and its source in sosreport/sos is listed in testdata/README.md
//! ("sosreport fixtures").
//!
//! - `sosreport-legacy`: sos 4.5.x, which copied all of `/etc/kubernetes` (PKI included)
//!   and `/run/flannel` unscrubbed, with `-k kubernetes.all=on` (per-namespace JSON dumps).
//! - `sosreport-scrubbed`: sos 4.8.2: `/etc/kubernetes/pki` forbidden, PEM blocks replaced by
//!   `-----SCRUBBED …`, base64 PEM in kubeconfigs by `***** SCRUBBED BASE64 PEM *****`,
//!   `/var/lib/kubelet/config.yaml` copied, only `kubectl get -o json nodes` as JSON.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use serde_json::{Value, json};

use crate::kubeadm;
use crate::tree::{Entry, Tree};

/// The report folder (sos names it `sosreport-<host>[-<case>]-<date>-<random>`).
pub const ROOT: &str = "sosreport-cp-1-2026-06-15-kdlfjxa";
/// `kubectl` as the kubernetes plugin runs it on a kubeadm control plane.
pub const KUBECTL: &str = "kubectl_--kubeconfig_.etc.kubernetes.admin.conf";

/// sos's `_mangle_command` (sos/report/plugins/__init__.py).
pub fn mangle(command: &str) -> String {
    let cmd = command
        .strip_prefix("/usr/bin/")
        .or_else(|| command.strip_prefix("/usr/sbin/"))
        .or_else(|| command.strip_prefix("/bin/"))
        .or_else(|| command.strip_prefix("/sbin/"))
        .unwrap_or(command);
    let mut out = String::new();
    let mut run = false;
    for c in cmd.chars() {
        if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/') {
            out.push(c);
            run = false;
        } else if !run {
            out.push('_');
            run = true;
        }
    }
    out.replace('/', ".")
        .trim_matches(|c| matches!(c, ' ' | '.' | '_' | '-'))
        .to_string()
}

/// journalctl's default `short` format from the fixture's `short-iso` kubelet log.
fn short_format(iso_log: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    iso_log
        .lines()
        .map(|l| {
            // 2026-05-01T09:59:48+0000 host unit[pid]: msg → May 01 09:59:48 host unit[pid]: msg
            let (stamp, rest) = l.split_once(' ').unwrap_or((l, ""));
            let month: usize = stamp.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
            let day = stamp.get(8..10).unwrap_or("01");
            let clock = stamp.get(11..19).unwrap_or("00:00:00");
            format!("{} {day} {clock} {rest}\n", MONTHS[month - 1])
        })
        .collect()
}

fn text(t: &Tree, path: &str) -> Result<String> {
    match t.get(path) {
        Some(Entry::File { data, .. }) => Ok(String::from_utf8_lossy(data).into_owned()),
        _ => anyhow::bail!("kubeadm fixture lacks {path}"),
    }
}

/// The objects of a kubeadm fixture dump (`List` YAML or kubectl JSON).
pub fn dump_items(t: &Tree, path: &str) -> Result<Vec<Value>> {
    let v: Value = serde_yaml::from_str(&text(t, path)?).with_context(|| format!("parsing {path}"))?;
    Ok(v.get("items")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default())
}

/// Items grouped by namespace, each group a `<Kind>List` as the API returns it.
pub fn lists_by_namespace(kind: &str, items: &[Value]) -> BTreeMap<String, Value> {
    let mut by_ns: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for i in items {
        let ns = i["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default")
            .to_string();
        by_ns.entry(ns).or_default().push(i.clone());
    }
    by_ns
        .into_iter()
        .map(|(ns, items)| {
            let list = json!({"kind": format!("{kind}List"), "apiVersion": "v1",
                "metadata": {"resourceVersion": "458202"}, "items": items});
            (ns, list)
        })
        .collect()
}

/// sos's PEM scrub: `----(?:-| )BEGIN.*?----(?:-| )END` → `-----SCRUBBED`.
pub fn scrub_pem(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find("-----BEGIN") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        match after.find("-----END") {
            Some(end) => {
                out.push_str("-----SCRUBBED");
                rest = &after[end + "-----END".len()..];
            }
            None => {
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// sos's kubeconfig scrub: `LS0tLS1CRUdJ[A-Za-z0-9+/=]+` → `***** SCRUBBED BASE64 PEM *****`.
pub fn scrub_base64_pem(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find("LS0tLS1CRUdJ") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=')))
            .unwrap_or(after.len());
        out.push_str("***** SCRUBBED BASE64 PEM *****");
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

fn pretty(v: &Value) -> Result<String> {
    Ok(serde_json::to_string_pretty(v)? + "\n")
}

/// Builds one sosreport; `scrubbed` selects the sos 4.8.2 behaviour.
fn build(scrubbed: bool) -> Result<Tree> {
    let (k, _) = kubeadm::bundle()?;
    let mut t = Tree::new();
    let version = if scrubbed { "4.8.2" } else { "4.5.6" };
    for (path, entry) in &k.entries {
        let copied = path.starts_with("etc/kubernetes/")
            || path.starts_with("run/flannel/")
            || path.starts_with("etc/cni/net.d/")
            || (scrubbed && path == "var/lib/kubelet/config.yaml");
        if !copied || (scrubbed && path.starts_with("etc/kubernetes/pki/")) {
            continue;
        }
        let entry = match (entry, scrubbed && path.starts_with("etc/kubernetes/")) {
            (Entry::File { data, mode }, true) => {
                let s = String::from_utf8_lossy(data);
                Entry::File {
                    data: scrub_base64_pem(&scrub_pem(&s)).into_bytes(),
                    mode: *mode,
                }
            }
            (e, _) => e.clone(),
        };
        t.entries.insert(path.clone(), entry);
    }
    let args = if scrubbed {
        "-o kubernetes,containerd,logs,host"
    } else {
        "-o kubernetes,containerd,logs,host -k kubernetes.all=on"
    };
    t.file(
        "sos_reports/manifest.json",
        pretty(&json!({
            "version": version,
            "cmdline": format!("sos report --batch {args}"),
            "start_time": "2026-06-15 11:58:02.381734",
            "end_time": "2026-06-15 11:59:40.102931",
            "run_time": "0:01:37.721197",
            "compression": "xz",
            "policy": "Ubuntu 24.04",
        }))?,
    );
    t.file("version.txt", "2.3\n");
    t.file(
        "sos_logs/sos.log",
        "2026-06-15 11:58:02,381 INFO: [sos.report:setup] executing 'sos report --batch'\n",
    );
    t.file("sos_commands/host/hostname", "cp-1\n");
    t.symlink("hostname", "sos_commands/host/hostname");
    // Journal of the kubelet unit (add_default_collections → add_journal(service)).
    let journal = short_format(&text(&k, "var/log/kubelet.log")?);
    t.file(
        &format!(
            "sos_commands/kubernetes/{}",
            mangle("journalctl --no-pager  --unit kubelet")
        ),
        journal.clone(),
    );
    t.file(
        &format!("sos_commands/logs/{}", mangle("journalctl --no-pager ")),
        journal,
    );
    t.file(
        &format!("sos_commands/kubernetes/{}", mangle("systemctl status kubelet")),
        "● kubelet.service - kubelet: The Kubernetes Node Agent\n     Active: active (running)\n",
    );
    let nodes = json!({"kind": "NodeList", "apiVersion": "v1", "metadata": {"resourceVersion": "458202"},
        "items": dump_items(&k, "cluster/nodes.yaml")?});
    t.file(
        &format!("sos_commands/kubernetes/cluster-info/{KUBECTL}_get_-o_json_nodes"),
        pretty(&nodes)?,
    );
    t.file(
        &format!("sos_commands/kubernetes/cluster-info/{KUBECTL}_get_nodes"),
        "NAME   STATUS   ROLES           AGE    VERSION\ncp-1   Ready    control-plane   156d   v1.30.2\n",
    );
    if !scrubbed {
        // kubernetes.all=on: `kubectl get -o json --namespace=<ns> <res>` per namespace.
        for (kind, res, path) in [
            ("Pod", "pods", "cluster/pods.yaml"),
            ("ConfigMap", "configmaps", "cluster/configmaps.yaml"),
            ("Secret", "secrets", "cluster/secrets.json"),
        ] {
            for (ns, list) in lists_by_namespace(kind, &dump_items(&k, path)?) {
                t.file(
                    &format!("sos_commands/kubernetes/cluster-info/{ns}/{KUBECTL}_get_-o_json_--namespace_{ns}_{res}"),
                    pretty(&list)?,
                );
            }
        }
    }
    let mut out = Tree::new();
    out.merge_under(ROOT, t);
    Ok(out)
}

/// `sosreport-legacy`: sos 4.5.6, unscrubbed, with per-namespace dumps.
pub fn legacy() -> Result<(Tree, Value)> {
    Ok((
        build(false)?,
        json!({"capture_time": "2026-06-15T11:58:02Z", "sos_version": "4.5.6"}),
    ))
}

/// `sosreport-scrubbed`: sos 4.8.2, PKI forbidden and PEM scrubbed.
pub fn scrubbed() -> Result<(Tree, Value)> {
    Ok((
        build(true)?,
        json!({"capture_time": "2026-06-15T11:58:02Z", "sos_version": "4.8.2"}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mangles_like_sos() {
        assert_eq!(
            mangle("journalctl --no-pager  --unit kubelet"),
            "journalctl_--no-pager_--unit_kubelet"
        );
        assert_eq!(
            mangle("kubectl --kubeconfig=/etc/kubernetes/admin.conf get -o json nodes"),
            "kubectl_--kubeconfig_.etc.kubernetes.admin.conf_get_-o_json_nodes"
        );
        assert_eq!(
            mangle("/usr/bin/systemctl status kubelet"),
            "systemctl_status_kubelet"
        );
    }

    #[test]
    fn scrubs_like_sos() {
        assert_eq!(
            scrub_pem("a\n-----BEGIN CERTIFICATE-----\nAA\n-----END CERTIFICATE-----\n"),
            "a\n-----SCRUBBED CERTIFICATE-----\n"
        );
        assert_eq!(
            scrub_base64_pem("x: LS0tLS1CRUdJTiBDRV==\n"),
            "x: ***** SCRUBBED BASE64 PEM *****\n"
        );
    }
}
