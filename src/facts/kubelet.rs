//! The kubelet's serving certificate (port 10250): which file each node's kubelet presents,
//! chosen the way the kubelet chooses it, and the address the apiserver dials it at, which
//! that certificate must cover when the apiserver verifies it.
//!
//! A kubelet reads its settings from its command line (a systemd unit's `ExecStart` with its
//! environment and environment files expanded) and from its KubeletConfiguration file; a
//! command-line flag overrides the file's field for the same setting ("Set Kubelet
//! Parameters Via A Configuration File",
//! <https://kubernetes.io/docs/tasks/administer-cluster/kubelet-config-file/>). The
//! configuration file's fields are carried under the names of the flags they stand for
//! (`serverTLSBootstrap` as `rotate-server-certificates`, `tlsCertFile` as `tls-cert-file`),
//! so one lookup answers for both.

use crate::facts::config::{Component, ComponentConfig, FlagSource};
use crate::pki::material::{Lookup, Material};
use crate::snapshot::Snapshot;

/// The kubelet's default certificate directory (`--cert-dir`).
pub const DEFAULT_CERT_DIR: &str = "/var/lib/kubelet/pki";

/// Where kubeadm writes the KubeletConfiguration (the `--config` of its drop-in).
pub const DEFAULT_CONFIG: &str = "/var/lib/kubelet/config.yaml";

/// The kube-apiserver's own default `--kubelet-preferred-address-types` (kubernetes
/// `cmd/kube-apiserver/app/options/options.go`, `KubeletConfig.PreferredAddressTypes`).
/// kubeadm overrides it with `InternalIP,ExternalIP,Hostname` in the static pod manifest
/// (`cmd/kubeadm/app/phases/controlplane/manifests.go`).
pub const DEFAULT_PREFERRED_ADDRESS_TYPES: &[&str] = &[
    "Hostname",
    "InternalDNS",
    "InternalIP",
    "ExternalDNS",
    "ExternalIP",
];

/// A Go boolean flag value (`strconv.ParseBool`: `1 t T TRUE true True`, `0 f F FALSE false
/// False`); `None` for anything else.
pub fn go_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// The configurations of the kubelet on one node: its command lines and its configuration
/// files, read with the kubelet's precedence.
pub struct Kubelet<'c, 'a> {
    configs: Vec<&'c ComponentConfig<'a>>,
}

impl<'c, 'a> Kubelet<'c, 'a> {
    /// The kubelet configurations of `node`.
    pub fn on(comps: &'c [ComponentConfig<'a>], node: Option<usize>) -> Self {
        Kubelet {
            configs: comps
                .iter()
                .filter(|c| c.component == Component::Kubelet && c.node == node)
                .collect(),
        }
    }

    /// Whether the bundle holds any configuration of this kubelet.
    pub fn is_empty(&self) -> bool {
        self.configs.is_empty()
    }

    /// A setting and the configuration that decides it: the last command line that sets it
    /// (a drop-in's `ExecStart` sorts after the unit's), else the configuration file.
    pub fn setting(&self, flag: &str) -> Option<(&'c str, &'c ComponentConfig<'a>)> {
        let from = |source: FlagSource| {
            self.configs
                .iter()
                .rev()
                .filter(|c| c.source == source)
                .find_map(|c| c.flag(flag).map(|v| (v, *c)))
        };
        from(FlagSource::CommandLine).or_else(|| from(FlagSource::ConfigFile))
    }

    /// The value a configuration file gives `flag` that a command line overrides with
    /// another value, with that file's place (to say why a file's setting does not count).
    pub fn overridden(&self, flag: &str) -> Option<(&'c str, &'c str)> {
        let (winner, by) = self.setting(flag)?;
        if by.source != FlagSource::CommandLine {
            return None;
        }
        self.configs
            .iter()
            .filter(|c| c.source == FlagSource::ConfigFile)
            .find_map(|c| {
                c.flag(flag)
                    .filter(|v| *v != winner)
                    .map(|v| (v, c.place.as_str()))
            })
    }

    /// Whether serverTLSBootstrap (`--rotate-server-certificates`) is on, and which
    /// configuration decided it.
    pub fn server_tls_bootstrap(&self) -> Option<(bool, &'c ComponentConfig<'a>)> {
        self.setting("rotate-server-certificates")
            .and_then(|(v, c)| go_bool(v).map(|b| (b, c)))
    }

    /// Whether client certificate rotation (`rotateCertificates`, `--rotate-certificates`) is
    /// off, with the configuration that turns it off.
    pub fn client_rotation_off(&self) -> Option<&'c ComponentConfig<'a>> {
        self.setting("rotate-certificates")
            .filter(|(v, _)| go_bool(v) == Some(false))
            .map(|(_, c)| c)
    }

    /// The certificate directory (`--cert-dir`, a command-line flag only), without a
    /// trailing `/`.
    pub fn cert_dir(&self) -> &'c str {
        self.setting("cert-dir")
            .map_or(DEFAULT_CERT_DIR, |(v, _)| v)
            .trim_end_matches('/')
    }

    /// The node path of the configuration file the kubelet reads: `--config`, else the one
    /// found on the node, else kubeadm's.
    pub fn config_path(&self, snap: &Snapshot) -> String {
        if let Some((v, _)) = self.setting("config") {
            return v.to_string();
        }
        self.configs
            .iter()
            .find(|c| c.source == FlagSource::ConfigFile)
            .map_or_else(
                || DEFAULT_CONFIG.to_string(),
                |c| crate::facts::usage::node_path(snap, &c.place).1,
            )
    }
}

/// How a kubelet came by the serving certificate it presents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServingSource {
    /// serverTLSBootstrap: the certificate manager's `kubelet-server-current.pem`, signed by
    /// the cluster's signer through a `kubernetes.io/kubelet-serving` CSR.
    Rotated,
    /// `tlsCertFile` / `--tls-cert-file`: a file someone put there.
    TlsCertFile,
    /// The pair the kubelet generates itself (`kubelet.crt`), signed by a throwaway CA.
    SelfSigned,
}

/// The serving certificate one node's kubelet presents.
pub struct ServingCert {
    /// The node.
    pub node: Option<usize>,
    /// How the kubelet came by it.
    pub source: ServingSource,
    /// The certificate file.
    pub material: Material,
    /// Who presents it and why this file (`kubelet on worker-01 (…, serverTLSBootstrap)`).
    pub presenter: String,
    /// The kubelet's certificate directory (node path).
    pub cert_dir: String,
    /// The KubeletConfiguration file the kubelet reads (node path), where
    /// `serverTLSBootstrap` is set.
    pub config_path: String,
}

/// The serving certificate of the kubelet on every node, chosen the way the kubelet
/// chooses it, command-line flags over the configuration file:
///
/// - with `serverTLSBootstrap: true` (flag `--rotate-server-certificates`) the certificate
///   manager's file store `<cert-dir>/kubelet-server-current.pem`, a symlink to the dated
///   `kubelet-server-<date>.pem` holding certificate and key, signed by the cluster CA via
///   a CSR; the store falls back to `tlsCertFile` while it has none;
/// - else `tlsCertFile` (`--tls-cert-file`), when set (nothing when the bundle lacks it: the
///   kubelet does not fall back to a self-signed pair then);
/// - else the self-signed `<cert-dir>/kubelet.crt` (+ `kubelet.key`) the kubelet generates.
///
/// A node without kubelet configuration in the bundle presents `kubelet-server-current.pem`
/// when it has one (its presence means rotation is on; an older `kubelet.crt` can linger
/// next to it), else `kubelet.crt`. Node paths resolve through the node's tree and its
/// symlinks ([`Snapshot::resolve`]).
///
/// Sources: kubernetes `cmd/kubelet/app/server.go` `InitializeTLS` (self-signed
/// `kubelet.crt` only when `!ServerTLSBootstrap` and no `TLSCertFile`);
/// `pkg/kubelet/certificate/kubelet.go` `NewKubeletServerCertificateManager`
/// (`NewFileStore("kubelet-server", certDirectory, …, TLSCertFile, TLSPrivateKeyFile)`);
/// kubelet reference (`--tls-cert-file`: "If --tls-cert-file and --tls-private-key-file are
/// not provided, a self-signed certificate and key are generated … saved to the directory
/// passed to --cert-dir"); kubeadm "Certificate Management with kubeadm", section "Kubelet
/// serving certificates" (<https://kubernetes.io/docs/tasks/administer-cluster/kubeadm/kubeadm-certs/>).
pub fn serving_certs(snap: &Snapshot, lk: &Lookup, comps: &[ComponentConfig<'_>]) -> Vec<ServingCert> {
    let nodes: Vec<Option<usize>> = if snap.nodes.is_empty() {
        vec![None]
    } else {
        (0..snap.nodes.len()).map(Some).collect()
    };
    let mut out = Vec::new();
    for node in nodes {
        let kubelet = Kubelet::on(comps, node);
        let cert_dir = kubelet.cert_dir().to_string();
        let config_path = kubelet.config_path(snap);
        let name = snap.node_name(node);
        let cert = |source: ServingSource, material: Material, presenter: String| ServingCert {
            node,
            source,
            material,
            presenter,
            cert_dir: cert_dir.clone(),
            config_path: config_path.clone(),
        };
        let file = |file: &str, source: ServingSource, why: &str| {
            let abs = format!("{cert_dir}/{file}");
            let m = snap.resolve(node, &abs).map(|bp| lk.file(snap, &bp))?;
            (!m.certs.is_empty()).then(|| cert(source, m, format!("kubelet on {name} ({abs}, {why})")))
        };
        let explicit: Vec<ServingCert> = kubelet
            .setting("tls-cert-file")
            .map(|(_, by)| {
                by.resolve_flag(snap, lk, "tls-cert-file")
                    .into_iter()
                    .map(|m| {
                        let presenter =
                            format!("kubelet --tls-cert-file ({})", by.flag_place("tls-cert-file"));
                        cert(ServingSource::TlsCertFile, m, presenter)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let unknown = "no kubelet configuration in the bundle";
        match kubelet.server_tls_bootstrap() {
            Some((true, by)) => {
                let why = match by.source {
                    FlagSource::CommandLine => "--rotate-server-certificates",
                    FlagSource::ConfigFile => "serverTLSBootstrap",
                };
                match file("kubelet-server-current.pem", ServingSource::Rotated, why) {
                    Some(p) => out.push(p),
                    None => out.extend(explicit),
                }
            }
            _ if kubelet.setting("tls-cert-file").is_some() => out.extend(explicit),
            _ if !kubelet.is_empty() => {
                let why = match kubelet.overridden("rotate-server-certificates") {
                    Some((_, file)) => format!(
                        "self-signed: --rotate-server-certificates=false on the command line \
                         overrides serverTLSBootstrap: true in {file}"
                    ),
                    None => "self-signed: no serverTLSBootstrap, no tlsCertFile".to_string(),
                };
                out.extend(file("kubelet.crt", ServingSource::SelfSigned, &why));
            }
            _ => out.extend(
                file(
                    "kubelet-server-current.pem",
                    ServingSource::Rotated,
                    &format!("rotated pair; {unknown}"),
                )
                .or_else(|| {
                    file(
                        "kubelet.crt",
                        ServingSource::SelfSigned,
                        &format!("self-signed; {unknown}"),
                    )
                }),
            ),
        }
    }
    out
}

/// The apiserver's `--kubelet-preferred-address-types`, else its built-in default.
pub fn preferred_address_types(api: &ComponentConfig<'_>) -> Vec<String> {
    match api.flag("kubelet-preferred-address-types") {
        Some(v) => v
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        None => DEFAULT_PREFERRED_ADDRESS_TYPES
            .iter()
            .map(|t| (*t).to_string())
            .collect(),
    }
}

/// The address the apiserver dials a kubelet at: the first of the node's `addresses`
/// (`(type, address)` in `status.addresses` order) whose type comes first in `preferred`.
/// This is `GetPreferredNodeAddress` (kubernetes `pkg/util/node/node.go`).
pub fn dialed_address<'n>(
    preferred: &[String],
    addresses: &'n [(String, String)],
) -> Option<&'n (String, String)> {
    preferred
        .iter()
        .find_map(|t| addresses.iter().find(|(at, a)| at == t && !a.is_empty()))
}

/// The addresses a kubelet registers, as far as its flags tell without the Node object:
/// every `--node-ip` (comma-separated for dual stack) as `InternalIP`, and
/// `--hostname-override` as `Hostname`. `None` when the preferred order reaches a type the
/// flags cannot tell before one they can: every node reports a `Hostname`, so without
/// `--hostname-override` a `Hostname`-first order dials a name kubetriage does not know.
pub fn addresses_from_flags(
    kubelet: &Kubelet<'_, '_>,
    preferred: &[String],
) -> Option<Vec<(String, String)>> {
    let mut known: Vec<(String, String)> = Vec::new();
    if let Some((ips, _)) = kubelet.setting("node-ip") {
        known.extend(
            ips.split(',')
                .map(str::trim)
                .filter(|ip| {
                    !ip.is_empty() && ip.parse::<std::net::IpAddr>().is_ok_and(|a| !a.is_unspecified())
                })
                .map(|ip| ("InternalIP".to_string(), ip.to_string())),
        );
    }
    if let Some((h, _)) = kubelet.setting("hostname-override") {
        known.push(("Hostname".to_string(), h.to_ascii_lowercase()));
    }
    for t in preferred {
        if known.iter().any(|(kt, _)| kt == t) {
            return Some(known);
        }
        if t == "Hostname" {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_booleans() {
        assert_eq!(go_bool("true"), Some(true));
        assert_eq!(go_bool("F"), Some(false));
        assert_eq!(go_bool("0"), Some(false));
        assert_eq!(go_bool("yes"), None);
    }

    #[test]
    fn the_first_preferred_type_the_node_has_wins() {
        let addrs: Vec<(String, String)> = [
            ("Hostname", "worker-01"),
            ("InternalIP", "10.0.0.21"),
            ("ExternalIP", "203.0.113.21"),
        ]
        .iter()
        .map(|(t, a)| ((*t).to_string(), (*a).to_string()))
        .collect();
        let kubeadm: Vec<String> = ["InternalIP", "ExternalIP", "Hostname"]
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        assert_eq!(
            dialed_address(&kubeadm, &addrs).map(|(_, a)| a.as_str()),
            Some("10.0.0.21")
        );
        let builtin: Vec<String> = DEFAULT_PREFERRED_ADDRESS_TYPES
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        assert_eq!(
            dialed_address(&builtin, &addrs).map(|(_, a)| a.as_str()),
            Some("worker-01")
        );
        assert_eq!(dialed_address(&["InternalDNS".to_string()], &addrs), None);
    }
}
