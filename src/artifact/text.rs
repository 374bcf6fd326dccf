//! Small text formats: flannel's `subnet.env`, systemd units and drop-ins, CNI configs and
//! `etc/hostname`.

use serde_json::Value;

use crate::artifact::{CniConfig, EnvMap, SystemdUnit};

/// KEY=VALUE lines (comments and blank lines skipped; surrounding quotes removed).
pub fn env_file(text: &str) -> EnvMap {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("export ").unwrap_or(l).split_once('='))
        .map(|(k, v)| (k.trim().to_string(), unquote(v.trim()).to_string()))
        .collect()
}

fn unquote(v: &str) -> &str {
    v.strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(v)
}

/// Splits a command line into words the way systemd does: whitespace separates, double
/// and single quotes group, a backslash escapes the next character.
pub fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (_, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                in_word = true;
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// A systemd unit or drop-in: `ExecStart` (continuation lines joined; an empty `ExecStart=`
/// resets it, as in drop-ins) and every `Environment=` assignment.
pub fn systemd_unit(path: &str, text: &str) -> SystemdUnit {
    let mut logical = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        let l = line.trim_end();
        if let Some(stripped) = l.strip_suffix('\\') {
            cur.push_str(stripped);
            cur.push(' ');
        } else {
            cur.push_str(l);
            logical.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        logical.push(cur);
    }
    let mut unit = SystemdUnit {
        path: path.to_string(),
        unit: unit_name(path),
        ..SystemdUnit::default()
    };
    for line in &logical {
        let l = line.trim();
        if l.starts_with('#') || l.starts_with(';') {
            continue;
        }
        let Some((key, value)) = l.split_once('=') else {
            continue;
        };
        match key.trim() {
            "ExecStart" => {
                let mut w = words(value);
                if let Some(first) = w.first_mut() {
                    *first = first.trim_start_matches(['-', '@', '+', '!', ':']).to_string();
                }
                unit.exec_start = w;
            }
            "Environment" => {
                for assignment in words(value) {
                    if let Some((k, v)) = assignment.split_once('=') {
                        unit.environment.insert(k.to_string(), v.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    unit
}

/// `kubelet.service` for `…/kubelet.service` and for `…/kubelet.service.d/10-kubeadm.conf`.
fn unit_name(path: &str) -> String {
    let mut parts = path.rsplit('/');
    let file = parts.next().unwrap_or_default();
    match parts.next().and_then(|dir| dir.strip_suffix(".d")) {
        Some(unit) if file.ends_with(".conf") => unit.to_string(),
        _ => file.to_string(),
    }
}

/// A CNI config (`.conf`: one plugin; `.conflist`: `plugins[]`).
pub fn cni(path: &str, doc: &Value) -> CniConfig {
    let mut types = Vec::new();
    if let Some(t) = doc.get("type").and_then(Value::as_str) {
        types.push(t.to_string());
    }
    if let Some(Value::Array(plugins)) = doc.get("plugins") {
        types.extend(
            plugins
                .iter()
                .filter_map(|p| p.get("type").and_then(Value::as_str))
                .map(str::to_string),
        );
    }
    CniConfig {
        path: path.to_string(),
        node: None,
        name: doc
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        plugin_types: types,
    }
}

/// The first non-empty line of `etc/hostname`.
pub fn hostname(text: &str) -> Option<String> {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.chars().take(253).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_with_continuations_and_quoted_env() {
        let text = "[Service]\nEnvironment=\"KUBELET_KUBECONFIG_ARGS=--kubeconfig=/etc/kubernetes/kubelet.conf --x=1\" \"B=2\"\nEnvironment=C=3\nExecStart=\nExecStart=/usr/bin/kubelet \\\n  --client-ca-file=/etc/kubernetes/ca.crt \\\n  --cert-dir=/var/lib/kubelet/pki\n";
        let u = systemd_unit("n/etc/systemd/system/kubelet.service.d/10-kubeadm.conf", text);
        assert_eq!(u.unit, "kubelet.service");
        assert_eq!(
            u.exec_start,
            [
                "/usr/bin/kubelet",
                "--client-ca-file=/etc/kubernetes/ca.crt",
                "--cert-dir=/var/lib/kubelet/pki"
            ]
        );
        assert_eq!(
            u.environment["KUBELET_KUBECONFIG_ARGS"],
            "--kubeconfig=/etc/kubernetes/kubelet.conf --x=1"
        );
        assert_eq!(u.environment["B"], "2");
        assert_eq!(u.environment["C"], "3");
    }

    #[test]
    fn subnet_env() {
        let m = env_file("FLANNEL_NETWORK=10.244.0.0/16\n# c\nFLANNEL_MTU=1450\n");
        assert_eq!(m["FLANNEL_MTU"], "1450");
    }
}
