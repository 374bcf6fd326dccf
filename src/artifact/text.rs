//! Small text formats: flannel's `subnet.env`, systemd units and drop-ins with the
//! environment files they read, CNI configs and `etc/hostname`.

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

/// Whether `path` is an environment file a kubelet unit reads with `EnvironmentFile=`:
/// kubeadm's `/var/lib/kubelet/kubeadm-flags.env` (`KUBELET_KUBEADM_ARGS`), the packages'
/// `/etc/default/kubelet` (DEB) or `/etc/sysconfig/kubelet` (RPM) (`KUBELET_EXTRA_ARGS`),
/// Container Linux's `/etc/environment` and `/etc/kubernetes/*.env`.
///
/// Source: kubeadm's drop-in `10-kubeadm.conf` (kubernetes `build/debs/10-kubeadm.conf`;
/// "Configuring each kubelet in your cluster using kubeadm", section "The kubelet drop-in
/// file for systemd",
/// <https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/kubelet-integration/>):
/// `EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env`, `EnvironmentFile=-/etc/default/kubelet`,
/// `ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS
/// $KUBELET_EXTRA_ARGS`.
pub fn is_environment_file(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let name = parts.next().unwrap_or_default();
    let parent = parts.next().unwrap_or_default();
    let grandparent = parts.next().unwrap_or_default();
    name == "kubeadm-flags.env"
        || (matches!(parent, "default" | "sysconfig") && grandparent == "etc" && name == "kubelet")
        || (parent == "etc" && name == "environment")
        || (parent == "kubernetes" && grandparent == "etc" && name.ends_with(".env"))
}

/// An environment file (see [`is_environment_file`]) as a unit record that only carries
/// `environment`: no unit name, no `ExecStart`. Units that name it with `EnvironmentFile=`
/// read it through the pki stage's `config::unit_environment`.
pub fn environment_file(path: &str, text: &str) -> SystemdUnit {
    SystemdUnit {
        path: path.to_string(),
        environment: env_file(text),
        ..SystemdUnit::default()
    }
}

/// A systemd unit, a drop-in, or an environment file a unit reads.
pub fn unit_or_environment(path: &str, text: &str) -> SystemdUnit {
    if is_environment_file(path) {
        environment_file(path, text)
    } else {
        systemd_unit(path, text)
    }
}

/// A systemd unit or drop-in: `ExecStart` (continuation lines joined; an empty `ExecStart=`
/// resets it, as in drop-ins), every `Environment=` assignment and every `EnvironmentFile=`
/// (the `-` that makes a missing file harmless removed; an empty assignment resets the list).
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
            "EnvironmentFile" => {
                let file = value.trim();
                if file.is_empty() {
                    unit.environment_files.clear();
                } else {
                    unit.environment_files
                        .push(file.trim_start_matches('-').to_string());
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
    fn kubeadm_drop_in_names_its_environment_files() {
        let text = "[Service]\nEnvironment=\"KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml\"\nEnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env\nEnvironmentFile=-/etc/default/kubelet\nExecStart=\nExecStart=/usr/bin/kubelet $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS\n";
        let u = systemd_unit("n/etc/systemd/system/kubelet.service.d/10-kubeadm.conf", text);
        assert_eq!(
            u.environment_files,
            ["/var/lib/kubelet/kubeadm-flags.env", "/etc/default/kubelet"]
        );
        let reset = systemd_unit(
            "n/x.service",
            "EnvironmentFile=/a\nEnvironmentFile=\nEnvironmentFile=/b\n",
        );
        assert_eq!(reset.environment_files, ["/b"]);
    }

    #[test]
    fn environment_files_are_recognised_and_read() {
        for p in [
            "n/var/lib/kubelet/kubeadm-flags.env",
            "n/etc/default/kubelet",
            "etc/sysconfig/kubelet",
            "n/etc/environment",
            "n/etc/kubernetes/kubelet.env",
        ] {
            assert!(is_environment_file(p), "{p}");
        }
        for p in [
            "n/etc/default/grub",
            "n/run/flannel/subnet.env",
            "n/var/lib/kubelet/config.yaml",
        ] {
            assert!(!is_environment_file(p), "{p}");
        }
        let u = unit_or_environment(
            "n/var/lib/kubelet/kubeadm-flags.env",
            "KUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=unix:///run/containerd/containerd.sock --node-ip=10.0.0.21\"\n",
        );
        assert_eq!(u.unit, "");
        assert!(u.exec_start.is_empty());
        assert_eq!(
            u.environment["KUBELET_KUBEADM_ARGS"],
            "--container-runtime-endpoint=unix:///run/containerd/containerd.sock --node-ip=10.0.0.21"
        );
    }

    #[test]
    fn subnet_env() {
        let m = env_file("FLANNEL_NETWORK=10.244.0.0/16\n# c\nFLANNEL_MTU=1450\n");
        assert_eq!(m["FLANNEL_MTU"], "1450");
    }
}
