//! The control-plane components of a bundle and their TLS flags, with the paths they name
//! resolved to bundle content.
//!
//! A flag names a path as the component sees it. For a pod (static manifest, checkpoint,
//! dumped Pod or a Deployment/DaemonSet template) that is a path *inside the container*:
//! it is resolved through the container's `volumeMounts` to a `hostPath` on the node or to a
//! key of a Secret or ConfigMap volume. A bootkube checkpoint's hostPath under
//! `checkpoint-secrets/<ns>/<pod>/<secret>/` also resolves to that Secret, when it is in the
//! dump, so that both copies are evaluated. Host processes (systemd units, the kubelet) name
//! node paths directly.

use std::collections::BTreeMap;

use crate::artifact::k8s::{Container, PodSpec, parse_flags};
use crate::artifact::{EnvMap, PodOrigin, SystemdUnit};
use crate::pki::material::{Lookup, Material};
use crate::snapshot::{Location, ObjectRef, Snapshot};

/// A component whose TLS configuration kubetriage reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Component {
    /// kube-apiserver.
    Apiserver,
    /// etcd.
    Etcd,
    /// kube-controller-manager.
    ControllerManager,
    /// The kubelet.
    Kubelet,
}

impl Component {
    /// The process name.
    pub fn as_str(self) -> &'static str {
        match self {
            Component::Apiserver => "kube-apiserver",
            Component::Etcd => "etcd",
            Component::ControllerManager => "kube-controller-manager",
            Component::Kubelet => "kubelet",
        }
    }

    /// Recognises a component from a command line's first words (`kube-apiserver`,
    /// `/hyperkube apiserver`, `etcd`, …).
    pub fn from_words<'a>(words: impl IntoIterator<Item = &'a str>) -> Option<Component> {
        for w in words.into_iter().take(3) {
            let base = w.rsplit('/').next().unwrap_or(w);
            match base {
                "kube-apiserver" | "apiserver" => return Some(Component::Apiserver),
                "etcd" | "etcd-wrapper" => return Some(Component::Etcd),
                "kube-controller-manager" | "controller-manager" => {
                    return Some(Component::ControllerManager);
                }
                "kubelet" | "kubelet-wrapper" => return Some(Component::Kubelet),
                _ => {}
            }
        }
        None
    }
}

/// How a component's paths map to the bundle.
#[derive(Clone, Debug)]
enum Resolver<'a> {
    /// A host process: node paths, with optional container→host prefix maps.
    Host {
        node: Option<usize>,
        prefixes: Vec<(&'static str, &'static str)>,
    },
    /// A pod container.
    Pod {
        spec: &'a PodSpec,
        container: &'a Container,
        namespace: String,
        nodes: Vec<Option<usize>>,
    },
}

/// Where a configuration's settings come from. The kubelet reads both, and a command-line
/// flag overrides the configuration file's field for the same setting ("Set Kubelet
/// Parameters Via A Configuration File": "command line flags which target the same value as
/// a config file will override that value",
/// <https://kubernetes.io/docs/tasks/administer-cluster/kubelet-config-file/>).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FlagSource {
    /// A command line: a pod's `command`/`args`, a systemd unit's `ExecStart` with its
    /// environment and environment files expanded.
    CommandLine,
    /// A KubeletConfiguration file, its fields named by the flags they stand for.
    ConfigFile,
}

/// One running (or runnable) instance of a component, as configured somewhere in the bundle.
#[derive(Clone, Debug)]
pub struct ComponentConfig<'a> {
    /// Which component.
    pub component: Component,
    /// Where the configuration was read: a bundle path, or `ns/Kind/name`.
    pub place: String,
    /// Node it runs on, when known.
    pub node: Option<usize>,
    /// Its flags (without dashes), systemd `Environment=ETCD_*` folded in.
    pub flags: BTreeMap<String, String>,
    /// Whether the flags come from a command line or a configuration file.
    pub source: FlagSource,
    /// For flags an environment file set (`KUBELET_KUBEADM_ARGS` in `kubeadm-flags.env`):
    /// flag → bundle path of that file, so that a finding can say where to edit.
    pub flag_files: BTreeMap<String, String>,
    resolver: Resolver<'a>,
}

impl ComponentConfig<'_> {
    /// A flag's value.
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// Where `flag` was set: `place`, plus the environment file that set it when one did
    /// (`…/10-kubeadm.conf, set in …/kubeadm-flags.env`).
    pub fn flag_place(&self, flag: &str) -> String {
        match self.flag_files.get(flag) {
            Some(f) => format!("{}, set in {f}", self.place),
            None => self.place.clone(),
        }
    }

    /// Resolves the path given by `flag` to what the bundle holds there (several places
    /// when both a checkpoint copy and the Secret exist); empty when unset or absent.
    pub fn resolve_flag(&self, snap: &Snapshot, lk: &Lookup, flag: &str) -> Vec<Material> {
        self.flag(flag)
            .map(|p| self.resolve_path(snap, lk, p))
            .unwrap_or_default()
    }

    /// Resolves a path as this component sees it.
    pub fn resolve_path(&self, snap: &Snapshot, lk: &Lookup, path: &str) -> Vec<Material> {
        let mut out = match &self.resolver {
            Resolver::Host { node, prefixes } => {
                let mut candidates: Vec<String> = prefixes
                    .iter()
                    .filter_map(|(from, to)| path.strip_prefix(from).map(|rest| format!("{to}{rest}")))
                    .collect();
                candidates.push(path.to_string());
                candidates
                    .iter()
                    .find_map(|p| snap.resolve(*node, p))
                    .map(|bp| host_file(snap, lk, &bp))
                    .unwrap_or_default()
            }
            Resolver::Pod {
                spec,
                container,
                namespace,
                nodes,
            } => resolve_in_pod(snap, lk, spec, container, namespace, nodes, path),
        };
        out.retain(|m| !m.is_empty());
        out.dedup();
        out
    }
}

/// A node file, plus the Secret it is a checkpoint copy of.
fn host_file(snap: &Snapshot, lk: &Lookup, bundle_path: &str) -> Vec<Material> {
    let mut out = vec![lk.file(snap, bundle_path)];
    if let Some(idx) = bundle_path.find("etc/kubernetes/checkpoint-secrets/") {
        let rest = &bundle_path[idx + "etc/kubernetes/checkpoint-secrets/".len()..];
        let parts: Vec<&str> = rest.split('/').collect();
        if let [ns, _pod, secret, key] = parts.as_slice() {
            out.extend(secret_key(snap, lk, ns, secret, key));
        }
    }
    out
}

/// The data key `key` of Secret `ns/name`, in every dump that has it.
pub fn secret_key(snap: &Snapshot, lk: &Lookup, ns: &str, name: &str, key: &str) -> Vec<Material> {
    snap.secrets
        .iter()
        .filter(|s| s.object.namespace == ns && s.object.name == name)
        .filter_map(|s| {
            s.data.get(key)?;
            Some(lk.at(
                Location::Object {
                    object: s.object.clone(),
                    key: key.to_string(),
                    path: s.path.clone(),
                },
                None,
            ))
        })
        .collect()
}

fn configmap_key(snap: &Snapshot, lk: &Lookup, ns: &str, name: &str, key: &str) -> Vec<Material> {
    snap.configmaps
        .iter()
        .filter(|c| c.object.namespace == ns && c.object.name == name)
        .filter_map(|c| {
            c.data.get(key)?;
            Some(lk.at(
                Location::Object {
                    object: c.object.clone(),
                    key: key.to_string(),
                    path: c.path.clone(),
                },
                None,
            ))
        })
        .collect()
}

fn resolve_in_pod(
    snap: &Snapshot,
    lk: &Lookup,
    spec: &PodSpec,
    container: &Container,
    namespace: &str,
    nodes: &[Option<usize>],
    path: &str,
) -> Vec<Material> {
    let mount = container
        .volume_mounts
        .iter()
        .filter(|m| {
            let mp = m.mount_path.trim_end_matches('/');
            !mp.is_empty() && (path == mp || path.starts_with(&format!("{mp}/")))
        })
        .max_by_key(|m| m.mount_path.len());
    let Some(mount) = mount else {
        return Vec::new();
    };
    let mut rest = path[mount.mount_path.trim_end_matches('/').len()..]
        .trim_start_matches('/')
        .to_string();
    if !mount.sub_path.is_empty() {
        rest = if rest.is_empty() {
            mount.sub_path.clone()
        } else {
            format!("{}/{rest}", mount.sub_path)
        };
    }
    let Some(volume) = spec.volumes.iter().find(|v| v.name == mount.name) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(hp) = &volume.host_path {
        let abs = if rest.is_empty() {
            hp.path.clone()
        } else {
            format!("{}/{rest}", hp.path.trim_end_matches('/'))
        };
        for node in nodes {
            if let Some(bp) = snap.resolve(*node, &abs) {
                out.extend(host_file(snap, lk, &bp));
            }
        }
    }
    if let Some(sv) = &volume.secret {
        let key = sv
            .items
            .iter()
            .find(|i| i.path == rest)
            .map_or(rest.as_str(), |i| i.key.as_str());
        out.extend(secret_key(snap, lk, namespace, &sv.secret_name, key));
    }
    if let Some(cv) = &volume.config_map {
        let key = cv
            .items
            .iter()
            .find(|i| i.path == rest)
            .map_or(rest.as_str(), |i| i.key.as_str());
        out.extend(configmap_key(snap, lk, namespace, &cv.name, key));
    }
    out
}

/// Every configured instance of the components, in bundle order.
pub fn components(snap: &Snapshot) -> Vec<ComponentConfig<'_>> {
    let mut out = Vec::new();
    let all_nodes: Vec<Option<usize>> = if snap.nodes.is_empty() {
        vec![None]
    } else {
        (0..snap.nodes.len()).map(Some).collect()
    };
    for p in &snap.pods {
        if p.origin == PodOrigin::OtherManifest {
            continue; // backups and rendered assets: nothing runs them
        }
        let nodes = match p.node {
            Some(n) => vec![Some(n)],
            None => snap
                .nodes
                .iter()
                .position(|n| !p.pod.spec.node_name.is_empty() && n.name == p.pod.spec.node_name)
                .map_or_else(|| all_nodes.clone(), |n| vec![Some(n)]),
        };
        let node = if nodes.len() == 1 {
            nodes.first().copied().flatten()
        } else {
            None
        };
        let place = if p.origin == PodOrigin::Dump {
            ObjectRef {
                namespace: p.pod.metadata.namespace.clone(),
                kind: "Pod".to_string(),
                name: p.pod.metadata.name.clone(),
            }
            .to_string()
        } else {
            p.path.clone()
        };
        push_pod(
            &mut out,
            &p.pod.spec,
            &p.pod.metadata.namespace,
            place,
            node,
            nodes,
        );
    }
    for w in &snap.workloads {
        push_pod(
            &mut out,
            &w.workload.spec.template.spec,
            &w.object.namespace,
            w.object.to_string(),
            None,
            all_nodes.clone(),
        );
    }
    for u in &snap.units {
        if let Some(c) = unit_component(u) {
            let UnitFlags { flags, files } = unit_flags(snap, u, c);
            out.push(ComponentConfig {
                component: c,
                place: u.path.clone(),
                node: u.node,
                flags,
                source: FlagSource::CommandLine,
                flag_files: files,
                resolver: Resolver::Host {
                    node: u.node,
                    // etcd-member on Container Linux mounts the host's /etc/ssl/etcd here.
                    prefixes: vec![("/etc/ssl/certs/etcd/", "/etc/ssl/etcd/")],
                },
            });
        }
    }
    // KubeletConfiguration files: the kubelet's client CA lives there in kubeadm layouts.
    for kc in &snap.kubelet_configs {
        let mut flags = BTreeMap::new();
        let x509 = kc
            .config
            .pointer("/authentication/x509/clientCAFile")
            .and_then(|v| v.as_str());
        if let Some(ca) = x509 {
            flags.insert("client-ca-file".to_string(), ca.to_string());
        }
        if let Some(d) = kc.config.get("clusterDomain").and_then(|v| v.as_str()) {
            flags.insert("cluster-domain".to_string(), d.to_string());
        }
        for (k, f) in [
            ("tlsCertFile", "tls-cert-file"),
            ("tlsPrivateKeyFile", "tls-private-key-file"),
        ] {
            if let Some(v) = kc.config.get(k).and_then(|v| v.as_str()) {
                flags.insert(f.to_string(), v.to_string());
            }
        }
        // serverTLSBootstrap is what the deprecated flag --rotate-server-certificates sets:
        // one name for both, so the serving-certificate choice reads one flag.
        if let Some(b) = kc.config.get("serverTLSBootstrap").and_then(|v| v.as_bool()) {
            flags.insert("rotate-server-certificates".to_string(), b.to_string());
        }
        // rotateCertificates is the file's name for --rotate-certificates (client rotation).
        if let Some(b) = kc.config.get("rotateCertificates").and_then(|v| v.as_bool()) {
            flags.insert("rotate-certificates".to_string(), b.to_string());
        }
        out.push(ComponentConfig {
            component: Component::Kubelet,
            place: kc.path.clone(),
            node: kc.node,
            flags,
            source: FlagSource::ConfigFile,
            flag_files: BTreeMap::new(),
            resolver: Resolver::Host {
                node: kc.node,
                prefixes: Vec::new(),
            },
        });
    }
    out
}

fn push_pod<'a>(
    out: &mut Vec<ComponentConfig<'a>>,
    spec: &'a PodSpec,
    namespace: &str,
    place: String,
    node: Option<usize>,
    nodes: Vec<Option<usize>>,
) {
    for c in &spec.containers {
        let words = c.command.iter().chain(c.args.iter()).map(String::as_str);
        let Some(component) = Component::from_words(words) else {
            continue;
        };
        out.push(ComponentConfig {
            component,
            place: place.clone(),
            node,
            flags: c.flags(),
            source: FlagSource::CommandLine,
            flag_files: BTreeMap::new(),
            resolver: Resolver::Pod {
                spec,
                container: c,
                namespace: namespace.to_string(),
                nodes: nodes.clone(),
            },
        });
    }
}

fn unit_component(u: &SystemdUnit) -> Option<Component> {
    let name = u.unit.as_str();
    if name.contains("etcd") {
        Some(Component::Etcd)
    } else if name.contains("kubelet") {
        Some(Component::Kubelet)
    } else if name.contains("apiserver") {
        Some(Component::Apiserver)
    } else {
        Component::from_words(u.exec_start.iter().map(String::as_str))
    }
}

/// The environment a unit's `ExecStart` sees: its `Environment=` assignments, overridden by
/// the variables of each `EnvironmentFile=` the bundle holds for its node, in the order the
/// unit names them ("Settings from these files override settings made with Environment=. If
/// the same variable is set twice from these files, the files will be read in the order they
/// are specified and the later setting will override the earlier setting", systemd.exec(5)).
/// kubeadm's drop-in reads `KUBELET_KUBEADM_ARGS` from `/var/lib/kubelet/kubeadm-flags.env`
/// and `KUBELET_EXTRA_ARGS` from `/etc/default/kubelet` this way (see
/// [`crate::artifact::text::is_environment_file`]); a file missing from the bundle adds nothing,
/// like the `-` prefix kubeadm writes.
pub fn unit_environment(snap: &Snapshot, u: &SystemdUnit) -> EnvMap {
    environment_with_files(snap, u)
        .into_iter()
        .map(|(k, (v, _))| (k, v))
        .collect()
}

/// [`unit_environment`], each value with the bundle path of the environment file that set
/// it (`None`: the unit's own `Environment=`).
fn environment_with_files(snap: &Snapshot, u: &SystemdUnit) -> BTreeMap<String, (String, Option<String>)> {
    let mut env: BTreeMap<String, (String, Option<String>)> = u
        .environment
        .iter()
        .map(|(k, v)| (k.clone(), (v.clone(), None)))
        .collect();
    for file in &u.environment_files {
        let Some(bundle_path) = snap.resolve(u.node, file) else {
            continue;
        };
        if let Some(e) = snap
            .units
            .iter()
            .find(|e| e.path == bundle_path && e.exec_start.is_empty())
        {
            for (k, v) in &e.environment {
                env.insert(k.clone(), (v.clone(), Some(e.path.clone())));
            }
        }
    }
    env
}

/// `${NAME}` inside a word replaced by the variable's value (unset: empty), as systemd does.
fn substitute(word: &str, env: &EnvMap) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start + 2..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        let name = &rest[start + 2..start + 2 + len];
        out.push_str(env.get(name).map_or("", String::as_str));
        rest = &rest[start + 3 + len..];
    }
    out.push_str(rest);
    out
}

/// The flags of a unit, and for those an environment file set, that file's bundle path.
struct UnitFlags {
    flags: BTreeMap<String, String>,
    files: BTreeMap<String, String>,
}

/// The flags of a unit: `ExecStart` words with `$VAR` / `${VAR}` expanded from its
/// environment ([`unit_environment`]: `Environment=` and `EnvironmentFile=`), `${VAR}` also
/// inside a word (`--node-ip=${COREOS_PRIVATE_IPV4}`), plus etcd's `ETCD_*` variables
/// (`ETCD_TRUSTED_CA_FILE` → `trusted-ca-file`), which etcd reads like flags.
fn unit_flags(snap: &Snapshot, u: &SystemdUnit, c: Component) -> UnitFlags {
    let with_files = environment_with_files(snap, u);
    let env: EnvMap = with_files
        .iter()
        .map(|(k, (v, _))| (k.clone(), v.clone()))
        .collect();
    let mut words: Vec<String> = Vec::new();
    let mut files = BTreeMap::new();
    for w in &u.exec_start {
        let var = w
            .strip_prefix("${")
            .and_then(|v| v.strip_suffix('}'))
            .or_else(|| w.strip_prefix('$'));
        let group: Vec<String> = match var.and_then(|v| with_files.get(v)) {
            Some((value, _)) => value.split_whitespace().map(str::to_string).collect(),
            None if var.is_some() => Vec::new(), // an unset variable expands to nothing
            None => vec![substitute(w, &env)],
        };
        // Which file set a flag: the last group that names it decides, as the last
        // occurrence of a flag wins.
        let file = var.and_then(|v| with_files.get(v)).and_then(|(_, f)| f.clone());
        for k in parse_flags(group.iter().map(String::as_str)).into_keys() {
            match &file {
                Some(f) => files.insert(k, f.clone()),
                None => files.remove(&k),
            };
        }
        words.extend(group);
    }
    let mut flags = BTreeMap::new();
    if c == Component::Etcd {
        for (k, (v, file)) in &with_files {
            if let Some(name) = k.strip_prefix("ETCD_") {
                let name = name.to_ascii_lowercase().replace('_', "-");
                if let Some(f) = file {
                    files.insert(name.clone(), f.clone());
                }
                flags.insert(name, v.clone());
            }
        }
    }
    flags.extend(parse_flags(words.iter().map(String::as_str)));
    UnitFlags { flags, files }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_inside_a_word_are_substituted() {
        let env: EnvMap = [("IP".to_string(), "10.0.0.21".to_string())].into();
        assert_eq!(substitute("--node-ip=${IP}", &env), "--node-ip=10.0.0.21");
        assert_eq!(substitute("--x=${UNSET}y", &env), "--x=y");
        assert_eq!(substitute("--x=${open", &env), "--x=${open");
    }
}
