//! Node network: flannel's `subnet.env` and the CNI configuration the kubelet needs before it
//! can start any pod that is not on the host network.
//!
//! Both rules judge a node only from what its captured file tree shows, and say in the
//! evidence what made the absence meaningful, so that a partial bundle (one that never
//! collected `/run` or `/etc/cni`) does not produce a false alarm.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::artifact::k8s::parse_flags;
use crate::checks::{Check, Ctx};
use crate::finding::{Finding, Severity};
use crate::model::shell;
use crate::snapshot::{NodeRecord, Snapshot};

/// Log rule whose hits show that flannel's `subnet.env` was missing on a node.
const LOG_SUBNET_ENV_MISSING: &str = "log-flannel-subnet-env-missing";
/// The log rule whose lines say the runtime found no CNI network config.
const LOG_CNI_NOT_READY: &str = "log-cni-not-ready";

/// The keys flannel's `WriteSubnetFile` always writes for an IPv4 network.
const SUBNET_ENV_KEYS: &[&str] = &[
    "FLANNEL_NETWORK",
    "FLANNEL_SUBNET",
    "FLANNEL_MTU",
    "FLANNEL_IPMASQ",
];

/// Where flannel writes the file (`--subnet-file` default, and its `/var/run` alias).
const SUBNET_ENV_PATHS: &[&str] = &["run/flannel/subnet.env", "var/run/flannel/subnet.env"];

/// flannel-subnet-env-missing: flannel is the node's CNI, but `/run/flannel/subnet.env` is
/// absent, empty or incomplete, so the flannel CNI plugin fails every pod sandbox — including
/// flannel's own pod when it is not on the host network, the chicken-and-egg of the incident.
pub struct FlannelSubnetEnvMissing;

impl Check for FlannelSubnetEnvMissing {
    fn id(&self) -> &'static str {
        "network.flannel_subnet_env_missing"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let snap = cx.snap;
        let Some(cluster_evidence) = flannel_evidence(snap) else {
            return Vec::new();
        };
        let netconf = NetConf::from_snapshot(snap);
        let mut out = Vec::new();
        for (i, node) in snap.nodes.iter().enumerate() {
            let node_cni: Vec<_> = snap.cni_configs.iter().filter(|c| c.node == Some(i)).collect();
            let node_uses_flannel = node_cni
                .iter()
                .any(|c| c.plugin_types.iter().any(|t| t == "flannel"));
            if !node_cni.is_empty() && !node_uses_flannel {
                // The node's own CNI config names another plugin (Calico, Cilium, …): flannel
                // objects elsewhere in the dump do not make it this node's network.
                continue;
            }
            let state = subnet_env_state(snap, i);
            let (problem, present_path) = match &state {
                EnvState::Complete => continue,
                EnvState::Unparsed => continue,
                EnvState::Missing => ("is absent".to_string(), None),
                EnvState::Empty(p) => ("is empty".to_string(), Some(p.clone())),
                EnvState::Incomplete(p, missing) => {
                    (format!("lacks {}", missing.join(", ")), Some(p.clone()))
                }
            };
            let node_hits: Vec<_> = snap
                .logs
                .hits
                .iter()
                .filter(|h| h.rule == LOG_SUBNET_ENV_MISSING && h.node == Some(i))
                .collect();
            let log_hits: u64 = node_hits.iter().map(|h| h.count).sum();
            let mut log_components: Vec<&str> = node_hits.iter().map(|h| h.component.as_str()).collect();
            log_components.dedup();
            let run_captured =
                has_files_under(snap, &node.root, "run/") || has_files_under(snap, &node.root, "var/run/");
            if present_path.is_none() && !run_captured && log_hits == 0 {
                // Neither /run nor a log line from this node: the bundle says nothing.
                continue;
            }
            let k8s_node = k8s_node_for(snap, &node.name);
            let why_flannel = if node_uses_flannel {
                "its CNI config uses the flannel plugin".to_string()
            } else {
                cluster_evidence.clone()
            };
            let mut f = cx
                .finding(format!("{}run/flannel/subnet.env", node.root))
                .message(format!(
                    "flannel is the CNI on node {} ({why_flannel}) but /run/flannel/subnet.env {problem}. \
                     {WHY_IT_MATTERS}",
                    node.name
                ))
                .node(Some(&node.name))
                .path(present_path.unwrap_or_else(|| format!("{}run/flannel/subnet.env", node.root)))
                .evidence("state", problem.clone())
                .evidence("flannel_evidence", why_flannel)
                .evidence(
                    "absence_judged_from",
                    if log_hits > 0 {
                        format!(
                            "from the {} log: {log_hits} line(s) name the missing file; /run was {}",
                            log_components.join("/"),
                            if run_captured {
                                "collected"
                            } else {
                                "not collected"
                            }
                        )
                    } else {
                        "the bundle holds this node's /run tree".to_string()
                    },
                );
            f = expected_file(snap, f, &node.name, &netconf, k8s_node);
            for c in &node_cni {
                f = f.path(c.path.clone());
            }
            out.push(f);
        }
        out.extend(host_only_findings(cx, &cluster_evidence, &netconf));
        out
    }
}

/// What a missing subnet.env does, and the two ways out.
const WHY_IT_MATTERS: &str = "The flannel CNI plugin reads this file for every pod sandbox, so the kubelet \
     cannot start any pod that is not on the host network. flannel's own pod is on the host network and \
     writes the file when flanneld starts: a new flannel pod on the node rewrites it; where none runs, \
     writing the file by hand (content below) lets the node's pods start, and flanneld then manages its own copy.";

/// What a flannel-subnet-env-missing finding carries about the file to write on `node`: the
/// content flannel would write and where each value came from, the step's variables, and
/// the ConfigMap and Node objects the values were read from.
///
/// Values the bundle lacks are left as holes, with the `kubectl` command that reads each from
/// the cluster; a flannel pod the dump shows on the node is offered for deletion first (its
/// DaemonSet's new pod, on the host network, rewrites the file).
fn expected_file(
    snap: &Snapshot,
    f: Finding,
    node: &str,
    netconf: &NetConf,
    k8s_node: Option<&NodeRecord>,
) -> Finding {
    let expected = netconf.expected(k8s_node);
    let ns = netconf
        .namespace
        .clone()
        .unwrap_or_else(|| "kube-flannel".to_string());
    let ns_word = shell::operand(&ns);
    let cm_name = netconf
        .configmap
        .as_deref()
        .and_then(|c| c.rsplit('/').next())
        .unwrap_or("kube-flannel-cfg");
    let netconf_command = if netconf.network.is_some() {
        String::new()
    } else {
        format!(
            "kubectl -n {ns_word} get configmap {} -o jsonpath='{{.data.net-conf\\.json}}'   # not in the bundle: \
             FLANNEL_NETWORK is its \"Network\"; FLANNEL_MTU follows its \"Backend\" \"Type\" (vxlan 1450, host-gw 1500); \
             older manifests keep it in kube-system",
            shell::operand(cm_name)
        )
    };
    let subnet_known = !expected.subnet.starts_with('<');
    let podcidr_command = if subnet_known {
        String::new()
    } else {
        // The Node is dumped without one: that is a cause of its own (flanneld waits for a
        // podCIDR the controller-manager allocates), not a gap of the bundle.
        let why = match k8s_node {
            Some(n) if n.node.spec.pod_cidr.trim().is_empty() => {
                "the dumped Node has no spec.podCIDR: flanneld fails (\"pod cidr not assigned\") until \
                 kube-controller-manager allocates one (--allocate-node-cidrs=true with --cluster-cidr) or it is set; \
                 then"
            }
            _ => "not in the bundle:",
        };
        format!(
            "kubectl get node {} -o jsonpath='{{.spec.podCIDR}}'   # {why} FLANNEL_SUBNET is its first \
             address with its prefix (10.244.2.0/24 gives 10.244.2.1/24)",
            shell::operand(node)
        )
    };
    let restart_command = snap
        .pods
        .iter()
        .find(|p| {
            p.pod.spec.node_name == node
                && p.pod.spec.host_network
                && p.pod.metadata.name.contains("flannel")
                && crate::logscan::component::system_namespace(&p.pod.metadata.namespace)
        })
        .map_or_else(String::new, |p| {
            format!(
                "kubectl -n {} delete pod {}   # first: the DaemonSet's new flannel pod (host network) rewrites the file; \
                 if `cat /run/flannel/subnet.env` on {} then shows it, skip the lines below",
                shell::operand(&p.pod.metadata.namespace),
                shell::operand(&p.pod.metadata.name),
                shell::comment_text(node)
            )
        });
    let ns = snap
        .pods
        .iter()
        .find(|p| p.pod.spec.node_name == node && p.pod.metadata.name.contains("flannel"))
        .map(|p| p.pod.metadata.namespace.clone())
        .filter(|n| crate::logscan::component::system_namespace(n))
        .unwrap_or(ns);
    let mut f = f
        .evidence("expected_content", expected.content())
        .evidence("expected_content_sources", expected.sources.clone())
        .var("node", node.to_string())
        .var("flannel_namespace", ns)
        .var("flannel_restart_command", restart_command)
        .var("flannel_netconf_command", netconf_command)
        .var("flannel_podcidr_command", podcidr_command)
        .var("flannel_mtu", expected.mtu.clone())
        .var("target", format!("/run/flannel/subnet.env ({node})"));
    if netconf.network.is_some() {
        f = f.var("flannel_network", expected.network.clone());
    }
    if subnet_known {
        f = f.var("flannel_subnet", expected.subnet.clone());
    }
    if let Some(cm) = &netconf.configmap {
        f = f.object(cm.clone());
    }
    if let Some(n) = k8s_node {
        f = f.object(format!("Node/{}", n.node.metadata.name));
    }
    f
}

/// flannel-subnet-env-missing on nodes the bundle knows only from their logs (a support
/// bundle's host journal, must-gather's `host_service_logs`): no /run tree to judge, but the
/// kubelet's own lines prove the file was missing, so the root cause and its step still stand,
/// marked with that evidence.
fn host_only_findings(cx: &Ctx<'_>, cluster_evidence: &str, netconf: &NetConf) -> Vec<Finding> {
    let snap = cx.snap;
    let mut by_host: std::collections::BTreeMap<String, (u64, Vec<&str>, Vec<&str>)> =
        std::collections::BTreeMap::new();
    for h in snap
        .logs
        .hits
        .iter()
        .filter(|h| h.rule == LOG_SUBNET_ENV_MISSING && h.node.is_none())
    {
        let Some(name) = snap.hit_node(h) else { continue };
        if snap.nodes.iter().any(|n| n.name == name) {
            continue;
        }
        let e = by_host.entry(name).or_default();
        e.0 += h.count;
        e.1.push(h.component.as_str());
        e.2.extend(h.paths.iter().map(String::as_str));
    }
    let mut out = Vec::new();
    for (name, (lines, mut components, mut paths)) in by_host {
        components.sort_unstable();
        components.dedup();
        paths.sort_unstable();
        paths.dedup();
        let k8s_node = k8s_node_for(snap, &name);
        let mut f = cx
            .finding(format!("{name}:/run/flannel/subnet.env"))
            .message(format!(
                "flannel is the CNI on node {name} ({cluster_evidence}) but its kubelet log says \
                 /run/flannel/subnet.env is absent. {WHY_IT_MATTERS}"
            ))
            .node(Some(&name))
            .evidence("state", "is absent".to_string())
            .evidence("flannel_evidence", cluster_evidence.to_string())
            .evidence(
                "absence_judged_from",
                format!(
                    "from the {} log: {lines} line(s) name the missing file; the bundle holds no \
                     file tree of this node (/run was not collected)",
                    components.join("/")
                ),
            );
        f = expected_file(snap, f, &name, netconf, k8s_node);
        for p in paths {
            f = f.path(p.to_string());
        }
        out.push(f);
    }
    out
}

/// cni-config-missing: the node's kubelet sets pods up through CNI but its CNI config folder
/// holds no network configuration, so every sandbox fails with "cni config uninitialized".
pub struct CniConfigMissing;

impl Check for CniConfigMissing {
    fn id(&self) -> &'static str {
        "network.cni_config_missing"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let snap = cx.snap;
        let mut out = Vec::new();
        for (i, node) in snap.nodes.iter().enumerate() {
            let flags = kubelet_flags(snap, i);
            if flags.get("network-plugin").is_some_and(|p| p != "cni") {
                continue;
            }
            if !has_kubelet(snap, i, &node.root) {
                continue;
            }
            let conf_dir = flags
                .get("cni-conf-dir")
                .map_or("/etc/cni/net.d", String::as_str)
                .trim_end_matches('/')
                .to_string();
            let rel_dir = format!("{}/", conf_dir.trim_start_matches('/'));
            let dir = format!("{}{rel_dir}", node.root);
            // Absent from the bundle is not absent from the node: judge only when the bundle
            // holds the folder's parent (`/etc/cni/` for `/etc/cni/net.d`), a collector that
            // copies the folder wrote the bundle, or the node's own logs say the runtime
            // found no network config.
            let parent = rel_dir
                .trim_end_matches('/')
                .rsplit_once('/')
                .map_or(String::new(), |(p, _)| format!("{p}/"));
            let folder_captured = !parent.is_empty() && has_files_under(snap, &node.root, &parent);
            let log_lines: u64 = snap
                .logs
                .hits
                .iter()
                .filter(|h| h.rule == LOG_CNI_NOT_READY && h.node == Some(i))
                .map(|h| h.count)
                .sum();
            let collector = collector_copies_cni(snap, &node.root);
            let judged_from = if folder_captured {
                format!("the bundle holds this node's /{parent} folder")
            } else if let Some(c) = &collector {
                format!("{c} copies /{rel_dir} when it exists")
            } else if log_lines > 0 {
                format!("the node's logs say the runtime found no CNI network config ({log_lines} line(s))")
            } else {
                String::new()
            };
            let has_config = snap.cni_configs.iter().any(|c| c.path.starts_with(&dir))
                || files_under(snap, &dir).any(|(p, _)| {
                    let name = p.rsplit('/').next().unwrap_or("");
                    !name.starts_with('.')
                        && [".conf", ".conflist", ".json"].iter().any(|x| name.ends_with(x))
                });
            if has_config {
                continue;
            }
            // The dumped Node says Ready: its runtime found a network config, wherever the
            // bundle looked (newuser4 M5: an error claiming "stays NotReady" on a Ready node).
            if matches!(crate::checks::logs::node_ready(snap, &node.name), Some((true, _))) {
                continue;
            }
            if judged_from.is_empty() {
                out.push(
                    cx.finding(format!("{dir}#not-collected"))
                        .severity(Severity::Info)
                        .message(format!(
                            "node {} runs a kubelet that sets pod networking up through CNI, but the bundle did \
                             not collect {conf_dir} (nor /{parent}) and no log says the config is missing: \
                             whether the node has a CNI network config could not be checked.",
                            node.name
                        ))
                        .node(Some(&node.name))
                        .path(dir.clone())
                        .evidence("cni_conf_dir", conf_dir.clone())
                        .evidence("not_collected", vec![conf_dir.clone()])
                        .evidence("checks_not_run", "cni-config-missing")
                        .fixes(Vec::<String>::new()),
                );
                continue;
            }
            let others: Vec<String> = files_under(snap, &dir).map(|(p, _)| p.clone()).collect();
            // Inferred from what a collector copies, with neither the folder nor a log line in
            // the bundle: a collector version or option that skips the folder explains it too.
            // (`kubetriage collect` always copies it: certain.)
            let inferred =
                !folder_captured && log_lines == 0 && collector.as_deref() != Some("kubetriage collect");
            let mut f = cx.finding(dir.clone()).message(format!(
                "node {} runs a kubelet that sets pod networking up through CNI, but {conf_dir} \
                     holds no CNI network config (*.conf, *.conflist, *.json): {judged_from}{}. Without one \
                     the runtime reports \"cni config uninitialized\", the node stays NotReady and no pod \
                     outside the host network starts until the network add-on writes its config.",
                node.name,
                if inferred {
                    ", and the bundle holds none (a collector version or option that skips it would \
                         explain that too: check on the node)"
                } else {
                    ""
                }
            ));
            if inferred {
                f = f.severity(Severity::Warning);
            }
            out.push(
                f.node(Some(&node.name))
                    .path(dir.clone())
                    .evidence("cni_conf_dir", conf_dir.clone())
                    .evidence("judged_from", judged_from)
                    .evidence("other_files_in_folder", others)
                    .var("node", node.name.clone())
                    .var("cni_conf_dir", conf_dir),
            );
        }
        out
    }
}

/// Whether the cluster runs flannel, and the first piece of evidence for it.
fn flannel_evidence(snap: &Snapshot) -> Option<String> {
    // Objects count from the system namespaces only (an empty namespace: a node file's pod):
    // a tenant's ConfigMap or pod named "flannel" says nothing of the cluster's network.
    let system = |ns: &str| ns.is_empty() || crate::logscan::component::system_namespace(ns);
    if let Some(c) = snap
        .cni_configs
        .iter()
        .find(|c| c.plugin_types.iter().any(|t| t == "flannel"))
    {
        return Some(format!("CNI config {} uses the flannel plugin", c.path));
    }
    if let Some(w) = snap
        .workloads
        .iter()
        .find(|w| w.object.name.contains("flannel") && system(&w.object.namespace))
    {
        return Some(format!("{} is in the dump", w.object));
    }
    if let Some(c) = snap.configmaps.iter().find(|c| {
        (c.object.name.contains("flannel") || c.data.contains_key("net-conf.json"))
            && system(&c.object.namespace)
    }) {
        return Some(format!("{} is in the dump", c.object));
    }
    if let Some(p) = snap
        .pods
        .iter()
        .find(|p| p.pod.metadata.name.contains("flannel") && system(&p.pod.metadata.namespace))
    {
        return Some(format!("pod {} is in the bundle", p.pod.metadata.name));
    }
    // Log lines alone, unless the bundle shows another network add-on running (a line a
    // tenant's command put in the kubelet's journal does not make a Calico cluster flannel's).
    let other = |name: &str| OTHER_CNI.iter().any(|o| name.starts_with(o));
    let other_cni = snap.workloads.iter().any(|w| other(&w.object.name))
        || snap.pods.iter().any(|p| other(&p.pod.metadata.name))
        || snap.cni_configs.iter().any(|c| !c.plugin_types.is_empty());
    if !other_cni && snap.logs.hits.iter().any(|h| h.rule == LOG_SUBNET_ENV_MISSING) {
        return Some("logs name flannel's missing subnet.env".to_string());
    }
    None
}

/// Network add-ons other than flannel, by their agents' names (canal runs flannel: not here).
const OTHER_CNI: &[&str] = &[
    "calico-node",
    "cilium",
    "weave-net",
    "antrea-agent",
    "kube-router",
];

/// What the bundle shows of a node's `subnet.env`.
enum EnvState {
    Complete,
    /// Present with content the ingestion could not parse (reported as an input problem).
    Unparsed,
    Missing,
    Empty(String),
    Incomplete(String, Vec<String>),
}

fn subnet_env_state(snap: &Snapshot, node: usize) -> EnvState {
    for rel in SUBNET_ENV_PATHS {
        let Some(path) = snap.resolve(Some(node), rel) else {
            continue;
        };
        if let Some(env) = snap.flannel_env.iter().find(|e| e.path == path) {
            let missing: Vec<String> = SUBNET_ENV_KEYS
                .iter()
                .filter(|k| env.values.get(**k).is_none_or(|v| v.trim().is_empty()))
                .map(|k| (*k).to_string())
                .collect();
            return match missing.len() {
                0 => EnvState::Complete,
                n if n == SUBNET_ENV_KEYS.len() && env.values.is_empty() => EnvState::Empty(path),
                _ => EnvState::Incomplete(path, missing),
            };
        }
        return match snap.files.get(&path) {
            Some(info) if info.size == 0 => EnvState::Empty(path),
            _ => EnvState::Unparsed,
        };
    }
    EnvState::Missing
}

/// flannel's network config, from the kube-flannel ConfigMap's `net-conf.json`.
struct NetConf {
    configmap: Option<String>,
    /// flannel's namespace: the ConfigMap's, else a system namespace a flannel pod or
    /// workload of the dump runs in.
    namespace: Option<String>,
    network: Option<String>,
    backend: Option<String>,
}

/// The `subnet.env` flannel would write for one node, with where each value came from.
struct Expected {
    network: String,
    subnet: String,
    mtu: String,
    sources: Vec<String>,
}

impl Expected {
    fn content(&self) -> String {
        format!(
            "FLANNEL_NETWORK={}\nFLANNEL_SUBNET={}\nFLANNEL_MTU={}\nFLANNEL_IPMASQ=true\n",
            self.network, self.subnet, self.mtu
        )
    }
}

impl NetConf {
    fn from_snapshot(snap: &Snapshot) -> NetConf {
        let mut cms: Vec<_> = snap
            .configmaps
            .iter()
            .filter(|c| c.data.contains_key("net-conf.json"))
            // A tenant's ConfigMap never sets the node's network (hostile round 9).
            .filter(|c| {
                c.object.namespace.is_empty()
                    || crate::logscan::component::system_namespace(&c.object.namespace)
            })
            .collect();
        cms.sort_by_key(|c| (!c.object.name.contains("flannel"), c.object.clone()));
        let Some(cm) = cms.first() else {
            let system = crate::logscan::component::system_namespace;
            let namespace = snap
                .pods
                .iter()
                .map(|p| (&p.pod.metadata.name, &p.pod.metadata.namespace))
                .chain(
                    snap.workloads
                        .iter()
                        .map(|w| (&w.object.name, &w.object.namespace)),
                )
                .find(|(name, ns)| name.contains("flannel") && system(ns))
                .map(|(_, ns)| ns.clone());
            return NetConf {
                configmap: None,
                namespace,
                network: None,
                backend: None,
            };
        };
        let json: Option<serde_json::Value> = cm
            .data
            .get("net-conf.json")
            .and_then(|t| serde_json::from_str(t).ok());
        let field = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_string);
        NetConf {
            configmap: Some(cm.object.to_string()),
            namespace: Some(cm.object.namespace.clone()).filter(|n| !n.is_empty()),
            network: field(json.as_ref().and_then(|j| j.get("Network"))),
            backend: field(
                json.as_ref()
                    .and_then(|j| j.get("Backend"))
                    .and_then(|b| b.get("Type")),
            )
            .map(|b| b.to_ascii_lowercase()),
        }
    }

    fn expected(&self, node: Option<&NodeRecord>) -> Expected {
        let mut sources = Vec::new();
        let network = match (&self.network, &self.configmap) {
            (Some(n), Some(cm)) => {
                sources.push(format!("FLANNEL_NETWORK: Network of {cm} net-conf.json"));
                n.clone()
            }
            _ => {
                sources.push("FLANNEL_NETWORK: unknown (no kube-flannel net-conf.json in the dump)".into());
                "<cluster pod CIDR>".to_string()
            }
        };
        let subnet = node
            .and_then(|n| {
                first_usable(&n.node.spec.pod_cidr).inspect(|_| {
                    sources.push(format!(
                        "FLANNEL_SUBNET: first address of Node {} podCIDR {}",
                        n.node.metadata.name, n.node.spec.pod_cidr
                    ));
                })
            })
            .unwrap_or_else(|| {
                sources.push("FLANNEL_SUBNET: unknown (no podCIDR for this node in the dump)".into());
                "<first IP of the node's podCIDR>/<prefix>".to_string()
            });
        let (mtu, how) = match self.backend.as_deref() {
            Some("vxlan") => ("1450", "vxlan backend: 1500 minus 50 bytes of VXLAN header"),
            Some("host-gw") => ("1500", "host-gw backend: no encapsulation"),
            Some("udp") => ("1472", "udp backend: 1500 minus 28 bytes"),
            Some("ipip") => ("1480", "ipip backend: 1500 minus 20 bytes"),
            Some("wireguard") => ("1420", "wireguard backend: 1500 minus 80 bytes"),
            _ => ("1450", "backend unknown, vxlan (kube-flannel's default) assumed"),
        };
        sources.push(format!("FLANNEL_MTU: {how}, assuming a 1500-byte interface MTU"));
        sources.push("FLANNEL_IPMASQ: true (kube-flannel runs flanneld with --ip-masq)".into());
        Expected {
            network,
            subnet,
            mtu: mtu.to_string(),
            sources,
        }
    }
}

/// `10.2.0.0/24` → `10.2.0.1/24`: the address flannel gives the node's bridge.
pub(crate) fn first_usable(cidr: &str) -> Option<String> {
    let (addr, len) = cidr.trim().split_once('/')?;
    let len: u32 = len.parse().ok()?;
    let ip: IpAddr = addr.parse().ok()?;
    let first = match ip {
        IpAddr::V4(v4) => {
            if len > 32 {
                return None;
            }
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            IpAddr::V4(Ipv4Addr::from((u32::from(v4) & mask).wrapping_add(1)))
        }
        IpAddr::V6(v6) => {
            if len > 128 {
                return None;
            }
            let mask = if len == 0 { 0 } else { u128::MAX << (128 - len) };
            IpAddr::V6(Ipv6Addr::from((u128::from(v6) & mask).wrapping_add(1)))
        }
    };
    Some(format!("{first}/{len}"))
}

/// The Node object of a bundle node, matched by name, `kubernetes.io/hostname` label or a
/// Hostname address (short and fully-qualified names match each other).
pub(crate) fn k8s_node_for<'a>(snap: &'a Snapshot, name: &str) -> Option<&'a NodeRecord> {
    let short = |s: &str| s.split('.').next().unwrap_or(s).to_ascii_lowercase();
    let want = short(name);
    let names = |n: &'a NodeRecord| {
        std::iter::once(n.node.metadata.name.as_str())
            .chain(
                n.node
                    .metadata
                    .labels
                    .get("kubernetes.io/hostname")
                    .map(String::as_str),
            )
            .chain(
                n.node
                    .status
                    .addresses
                    .iter()
                    .filter(|a| a.type_ == "Hostname")
                    .map(|a| a.address.as_str()),
            )
    };
    snap.k8s_nodes
        .iter()
        .find(|n| names(n).any(|x| x == name))
        .or_else(|| snap.k8s_nodes.iter().find(|n| names(n).any(|x| short(x) == want)))
}

/// The kubelet's command-line flags on a node: its systemd unit's `ExecStart` plus any
/// flags carried in the unit's environment (`KUBELET_ARGS`, `KUBELET_EXTRA_ARGS`, …), its
/// environment files included (kubeadm's `KUBELET_KUBEADM_ARGS` in `kubeadm-flags.env`).
pub(crate) fn kubelet_flags(snap: &Snapshot, node: usize) -> std::collections::BTreeMap<String, String> {
    let mut words: Vec<String> = Vec::new();
    for u in snap
        .units
        .iter()
        .filter(|u| u.node == Some(node) && u.unit.starts_with("kubelet"))
    {
        words.extend(u.exec_start.iter().cloned());
        for v in crate::facts::config::unit_environment(snap, u).values() {
            words.extend(v.split_whitespace().map(str::to_string));
        }
    }
    parse_flags(words.iter().map(String::as_str))
}

/// Whether the bundle shows a kubelet on the node (unit, config, state or kubeconfig).
fn has_kubelet(snap: &Snapshot, node: usize, root: &str) -> bool {
    snap.units
        .iter()
        .any(|u| u.node == Some(node) && u.unit.starts_with("kubelet"))
        || snap.kubelet_configs.iter().any(|k| k.node == Some(node))
        || has_files_under(snap, root, "var/lib/kubelet/")
        || ["etc/kubernetes/kubelet.conf", "etc/kubernetes/kubeconfig"]
            .iter()
            .any(|p| snap.files.contains_key(&format!("{root}{p}")))
}

/// Files whose bundle path starts with `prefix`.
pub(crate) fn files_under<'a>(
    snap: &'a Snapshot,
    prefix: &'a str,
) -> impl Iterator<Item = (&'a String, &'a crate::snapshot::FileInfo)> + 'a {
    snap.files
        .range::<str, _>((std::ops::Bound::Included(prefix), std::ops::Bound::Unbounded))
        .take_while(move |(p, _)| p.starts_with(prefix))
}

/// Whether the node's tree holds any file under `rel` (relative to its root, ending in `/`).
pub(crate) fn has_files_under(snap: &Snapshot, root: &str, rel: &str) -> bool {
    let prefix = format!("{root}{rel}");
    files_under(snap, &prefix).next().is_some()
}

/// The collector that wrote the tree at `root`, when it copies `/etc/cni/net.d` whenever
/// the node has one: `kubetriage collect` always; sos only through its containerd plugin
/// (which copies `/etc/containerd/` and `/etc/cni/net.d/` together), so only when that
/// plugin ran.
fn collector_copies_cni(snap: &Snapshot, root: &str) -> Option<String> {
    use crate::bundle::collector::Collector;
    snap.collectors
        .iter()
        .filter(|(r, _)| root.starts_with(r.as_str()))
        .find_map(|(r, c)| match c {
            Collector::KubetriageCollect => Some("kubetriage collect".to_string()),
            Collector::Sosreport
                if has_files_under(snap, root, "etc/containerd/")
                    || has_files_under(snap, r, "sos_commands/containerd/") =>
            {
                Some("sos's containerd plugin".to_string())
            }
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_usable_address_keeps_the_prefix() {
        assert_eq!(first_usable("10.2.0.0/24").as_deref(), Some("10.2.0.1/24"));
        assert_eq!(first_usable("10.244.1.0/24").as_deref(), Some("10.244.1.1/24"));
        assert_eq!(first_usable("fd00:10::/64").as_deref(), Some("fd00:10::1/64"));
        assert_eq!(first_usable("garbage"), None);
        assert_eq!(first_usable("10.0.0.0/40"), None);
    }
}
