//! One node's kube-apiserver container log (CRI lines on stderr around klog): `httplog.go`
//! request lines from the kubelets, controllers, scheduler, probes, add-ons and kubectl
//! (verb, URI, latency, user agent, audit ID, source address and port, APF fields, status),
//! multi-line `trace.go` traces of slow requests, controller chatter — and, rarely, the
//! authentication failures the catalogue's log rules match.

use super::text::{self, Ns, Rng, US, go_dur, ip, num, uuid};
use super::world::{COMMIT, Cluster, Pod, VERSION, object_name};

/// One event in this many is a fault line: about one per 800 KiB of log, as many per
/// file as the earlier generator wrote (about 25 in a 21 MiB file).
const FAULT_EVERY: u64 = 2000;

/// The kinds of ordinary apiserver lines.
#[derive(Clone, Copy)]
enum Line {
    Requests,
    SlowRequest,
    OpenApi,
    Quota,
    Compacted,
    Alloc,
    Abort,
    MetricsDown,
    MasterEndpoints,
    Canceled,
    HandlerTimeout,
    Webhook,
}

/// How often each kind comes: request lines (verbosity 3) and the errors a cluster with a
/// dead metrics-server and an unanswering admission webhook repeats all day.
const MIX: &[(Line, u32)] = &[
    (Line::Requests, 13),
    (Line::SlowRequest, 3),
    (Line::OpenApi, 10),
    (Line::Quota, 2),
    (Line::Compacted, 5),
    (Line::Alloc, 1),
    (Line::Abort, 2),
    (Line::MetricsDown, 16),
    (Line::MasterEndpoints, 1),
    (Line::Canceled, 8),
    (Line::HandlerTimeout, 4),
    (Line::Webhook, 16),
];

/// Who sends a request.
#[derive(Clone, Copy)]
enum Who {
    Kubelet(usize),
    ControllerManager,
    Scheduler,
    Loopback,
    Probe,
    KubeProxy(usize),
    Flannel(usize),
    CoreDns,
    Prometheus,
    Kubectl,
    Traefik,
}

/// A request as httplog and the trace print it.
struct Req {
    verb: &'static str,
    uri: Vec<u8>,
    agent: Vec<u8>,
    src: Vec<u8>,
    pl: &'static str,
    fs: &'static str,
    resp: u16,
    latency: u64,
    resource: &'static str,
}

const CONTROLLERS: &[&str] = &[
    "endpointslice-controller",
    "endpointslicemirroring-controller",
    "replicaset-controller",
    "deployment-controller",
    "generic-garbage-collector",
    "resourcequota-controller",
    "horizontal-pod-autoscaler",
    "node-controller",
    "job-controller",
    "cronjob-controller",
    "statefulset-controller",
    "daemon-set-controller",
];

const QUOTA: &[&str] = &[
    "endpoints",
    "leases.coordination.k8s.io",
    "events.events.k8s.io",
    "replicasets.apps",
    "deployments.apps",
    "jobs.batch",
    "controllerrevisions.apps",
    "serviceaccounts",
    "endpointslices.discovery.k8s.io",
];

/// The apiserver log's generator state.
pub struct ApiServer<'a> {
    cluster: &'a Cluster,
    node: usize,
    cri: Ns,
    rv: u64,
    identity: String,
    last: Ns,
    /// Source port of each client's long-lived HTTP/2 connection (see [`ApiServer::slot`]).
    ports: Vec<u16>,
}

impl<'a> ApiServer<'a> {
    /// The apiserver of node `node`.
    pub fn new(cluster: &'a Cluster, node: usize, rng: &mut Rng) -> Self {
        let identity = (0..26)
            .map(|_| char::from(*rng.pick(b"abcdefghijklmnopqrstuvwxyz234567")))
            .collect();
        ApiServer {
            cluster,
            node,
            cri: 0,
            rv: rng.range(4_000_000, 9_000_000),
            identity,
            last: 0,
            ports: (0..3 * cluster.nodes.len() + 6)
                .map(|_| rng.range(32768, 60999) as u16)
                .collect(),
        }
    }

    /// Writes the CRI prefix (container runtime's time, a little after klog's).
    fn cri(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        self.cri = self.cri.max(t + rng.range(3_000, 400_000) as Ns) + rng.range(1, 999) as Ns;
        text::rfc3339_nano(b, self.cri);
        b.extend_from_slice(b" stderr F ");
    }

    /// The time of the latest line written (the next event starts no earlier).
    pub fn last(&self) -> Ns {
        self.last
    }

    fn head(&mut self, b: &mut Vec<u8>, t: Ns, sev: u8, src: &str, rng: &mut Rng) {
        self.last = self.last.max(t);
        self.cri(b, t, rng);
        text::klog(b, sev, t, 1, src);
    }

    /// Writes one event (a line, or a trace's lines).
    pub fn event(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        self.rv += rng.range(1, 40);
        if rng.chance(1, FAULT_EVERY) {
            return self.fault(b, t, rng);
        }
        match rng.mix(MIX) {
            Line::Requests => {
                // A client works through a few requests on its connection at once.
                let who = self.who(rng);
                let mut t = t;
                for _ in 0..1 + rng.skewed(5) {
                    let r = self.request(who, rng);
                    if r.verb == "WATCH" && rng.chance(1, 2) {
                        // A watch begins now; its httplog line comes when it ends.
                        self.starting_watch(b, t, &r, rng);
                    } else {
                        self.httplog(b, t, &r, rng);
                    }
                    t += rng.range(50, 3000) as Ns * US;
                }
            }
            Line::SlowRequest => {
                let who = self.who(rng);
                let mut r = self.request(who, rng);
                if r.verb == "WATCH" {
                    // Watches are not traced; the client's initial list is.
                    let path_end = r.uri.iter().position(|c| *c == b'?').unwrap_or(r.uri.len());
                    r.uri.truncate(path_end);
                    r.uri.extend_from_slice(b"?limit=500&resourceVersion=0");
                    r.verb = "LIST";
                }
                r.latency = rng.latency(700e6, 0.4).max(500_000_000);
                self.trace(b, t, &r, rng);
                self.httplog(b, t + rng.range(10, 400) as Ns * US, &r, rng);
            }
            Line::OpenApi => self.openapi(b, t, rng),
            Line::Quota => self.quota(b, t, rng),
            Line::Compacted => self.compacted(b, t, rng),
            Line::Alloc => self.alloc(b, t, rng),
            Line::Abort => self.abort(b, t, rng),
            Line::MetricsDown => self.metrics_unavailable(b, t, rng),
            Line::MasterEndpoints => self.master_endpoints(b, t, rng),
            Line::Canceled => self.canceled(b, t, rng),
            Line::HandlerTimeout => self.handler_timeout(b, t, rng),
            Line::Webhook => self.webhook(b, t, rng),
        }
    }

    /// The address of the first pod of a workload (the client add-ons run in).
    fn ip_of(&self, workload: &str) -> [u8; 4] {
        self.cluster
            .pods
            .iter()
            .flatten()
            .find(|p| p.name.starts_with(workload))
            .map_or([10, 244, 0, 2], |p| p.ip)
    }

    /// A pod anywhere in the cluster.
    fn pod(&self, rng: &mut Rng) -> &'a Pod {
        let cluster: &'a Cluster = self.cluster;
        let n = rng.below(cluster.pods.len() as u64) as usize;
        rng.pick(&cluster.pods[n])
    }

    fn agent(b: &mut Vec<u8>, name: &str, suffix: &str) {
        b.extend_from_slice(name.as_bytes());
        b.push(b'/');
        b.extend_from_slice(VERSION.as_bytes());
        b.extend_from_slice(b" (linux/amd64) kubernetes/");
        b.extend_from_slice(&COMMIT.as_bytes()[..7]);
        b.extend_from_slice(suffix.as_bytes());
    }

    /// The client's connection slot in `ports`; `None` for clients that dial anew each time.
    fn slot(&self, who: Who) -> Option<usize> {
        let n = self.cluster.nodes.len();
        match who {
            Who::Kubelet(i) => Some(i),
            Who::KubeProxy(i) => Some(n + i),
            Who::Flannel(i) => Some(2 * n + i),
            Who::ControllerManager => Some(3 * n),
            Who::Scheduler => Some(3 * n + 1),
            Who::Loopback => Some(3 * n + 2),
            Who::CoreDns => Some(3 * n + 3),
            Who::Prometheus => Some(3 * n + 4),
            Who::Traefik => Some(3 * n + 5),
            Who::Probe | Who::Kubectl => None,
        }
    }

    /// `addr:port`, the port being the client's connection's (re-dialled now and then).
    fn src(&mut self, b: &mut Vec<u8>, who: Who, addr: [u8; 4], rng: &mut Rng) {
        ip(b, addr);
        b.push(b':');
        match self.slot(who).filter(|s| *s < self.ports.len()) {
            Some(s) => {
                if rng.chance(1, 3000) {
                    self.ports[s] = rng.range(32768, 60999) as u16;
                }
                num(b, u64::from(self.ports[s]));
            }
            None => text::port(b, rng),
        }
    }

    fn watch_query(&self, b: &mut Vec<u8>, rng: &mut Rng) -> u64 {
        let secs = rng.range(300, 600);
        b.extend_from_slice(b"resourceVersion=");
        num(b, self.rv - rng.below(5000));
        b.extend_from_slice(b"&timeout=");
        num(b, secs / 60);
        b.push(b'm');
        num(b, secs % 60);
        b.extend_from_slice(b"s&timeoutSeconds=");
        num(b, secs);
        b.extend_from_slice(b"&watch=true");
        secs
    }

    /// A client, as often as each calls.
    fn who(&self, rng: &mut Rng) -> Who {
        let n = rng.below(self.cluster.nodes.len() as u64) as usize;
        rng.mix(&[
            (Who::Kubelet(n), 36),
            (Who::ControllerManager, 14),
            (Who::Scheduler, 5),
            (Who::Loopback, 10),
            (Who::Probe, 8),
            (Who::KubeProxy(n), 4),
            (Who::Flannel(n), 3),
            (Who::CoreDns, 4),
            (Who::Prometheus, 4),
            (Who::Kubectl, 3),
            (Who::Traefik, 3),
        ])
    }

    /// A plausible request from `who`.
    fn request(&mut self, who: Who, rng: &mut Rng) -> Req {
        let mut r = Req {
            verb: "GET",
            uri: Vec::with_capacity(160),
            agent: Vec::with_capacity(100),
            src: Vec::with_capacity(24),
            pl: "workload-low",
            fs: "service-accounts",
            resp: 200,
            latency: rng.latency(2.0e6, 0.7),
            resource: "pods",
        };
        let me_ip = self.cluster.nodes[self.node].ip;
        match who {
            Who::Kubelet(n) => {
                let node = &self.cluster.nodes[n];
                Self::agent(&mut r.agent, "kubelet", "");
                self.src(&mut r.src, who, node.ip, rng);
                r.pl = "system";
                r.fs = "system-nodes";
                let cluster: &Cluster = self.cluster;
                let pod = rng.pick(&cluster.pods[n]);
                match rng.weighted(&[20, 10, 10, 10, 12, 6, 4, 6]) {
                    0 => {
                        r.verb = "PUT";
                        r.pl = "node-high";
                        r.fs = "system-node-high";
                        r.resource = "leases";
                        r.latency = rng.latency(6.0e6, 0.5);
                        r.uri.extend_from_slice(
                            b"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/",
                        );
                        r.uri.extend_from_slice(node.name.as_bytes());
                        r.uri.extend_from_slice(b"?timeout=10s");
                    }
                    1 => {
                        r.resource = "nodes";
                        r.uri.extend_from_slice(b"/api/v1/nodes/");
                        r.uri.extend_from_slice(node.name.as_bytes());
                        r.uri.extend_from_slice(b"?resourceVersion=0&timeout=10s");
                    }
                    2 => {
                        r.verb = "PATCH";
                        r.pl = "node-high";
                        r.fs = "system-node-high";
                        r.resource = "nodes";
                        r.latency = rng.latency(9.0e6, 0.5);
                        r.uri.extend_from_slice(b"/api/v1/nodes/");
                        r.uri.extend_from_slice(node.name.as_bytes());
                        r.uri.extend_from_slice(b"/status?timeout=10s");
                    }
                    3 => {
                        r.verb = "PATCH";
                        r.latency = rng.latency(8.0e6, 0.5);
                        Self::pod_uri(&mut r.uri, pod);
                        r.uri.extend_from_slice(b"/status");
                    }
                    4 => {
                        if rng.chance(1, 10) {
                            r.resp = 404;
                        }
                        Self::pod_uri(&mut r.uri, pod);
                    }
                    5 => {
                        r.verb = "POST";
                        r.resp = 201;
                        r.resource = "events";
                        r.latency = rng.latency(5.0e6, 0.5);
                        r.uri.extend_from_slice(b"/api/v1/namespaces/");
                        r.uri.extend_from_slice(pod.ns.as_bytes());
                        r.uri.extend_from_slice(b"/events");
                    }
                    6 => {
                        r.verb = "POST";
                        r.resp = 201;
                        r.resource = "serviceaccounts";
                        r.latency = rng.latency(4.0e6, 0.5);
                        r.uri.extend_from_slice(b"/api/v1/namespaces/");
                        r.uri.extend_from_slice(pod.ns.as_bytes());
                        r.uri.extend_from_slice(b"/serviceaccounts/default/token");
                    }
                    _ => {
                        r.verb = "WATCH";
                        r.resource = "configmaps";
                        r.uri.extend_from_slice(b"/api/v1/namespaces/");
                        r.uri.extend_from_slice(pod.ns.as_bytes());
                        r.uri.extend_from_slice(b"/configmaps?allowWatchBookmarks=true&fieldSelector=metadata.name%3Dkube-root-ca.crt&");
                        let secs = self.watch_query(&mut r.uri, rng);
                        r.latency = secs * 1_000_000_000 + rng.range(200_000, 3_000_000);
                    }
                }
            }
            Who::ControllerManager => {
                self.src(&mut r.src, who, me_ip, rng);
                if rng.chance(1, 4) {
                    Self::agent(&mut r.agent, "kube-controller-manager", "/leader-election");
                    r.verb = if rng.chance(1, 3) { "GET" } else { "PUT" };
                    r.pl = "leader-election";
                    r.fs = "system-leader-election";
                    r.resource = "leases";
                    r.uri.extend_from_slice(b"/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager?timeout=5s");
                } else {
                    let c = *rng.pick(CONTROLLERS);
                    Self::agent(
                        &mut r.agent,
                        "kube-controller-manager",
                        "/system:serviceaccount:kube-system:",
                    );
                    r.agent.extend_from_slice(c.as_bytes());
                    r.pl = "workload-high";
                    r.fs = "kube-system-service-accounts";
                    let pod = self.pod(rng);
                    match rng.below(3) {
                        0 => {
                            r.verb = "PUT";
                            r.resource = "endpointslices";
                            r.latency = rng.latency(7.0e6, 0.5);
                            r.uri.extend_from_slice(b"/apis/discovery.k8s.io/v1/namespaces/");
                            r.uri.extend_from_slice(pod.ns.as_bytes());
                            r.uri.extend_from_slice(b"/endpointslices/");
                            r.uri.extend_from_slice(
                                object_name(self.cluster, pod, "endpointslices").as_bytes(),
                            );
                            if rng.chance(1, 30) {
                                r.resp = 409;
                            }
                        }
                        1 => {
                            r.verb = "PUT";
                            r.resource = "replicasets";
                            r.latency = rng.latency(7.0e6, 0.5);
                            r.uri.extend_from_slice(b"/apis/apps/v1/namespaces/");
                            r.uri.extend_from_slice(pod.ns.as_bytes());
                            r.uri.extend_from_slice(b"/replicasets/");
                            let name = object_name(self.cluster, pod, "replicasets");
                            r.uri.extend_from_slice(name.as_bytes());
                            r.uri.extend_from_slice(b"/status");
                        }
                        _ => {
                            r.verb = "WATCH";
                            r.resource = "pods";
                            r.uri.extend_from_slice(b"/api/v1/pods?allowWatchBookmarks=true&");
                            let secs = self.watch_query(&mut r.uri, rng);
                            r.latency = secs * 1_000_000_000 + rng.range(200_000, 3_000_000);
                        }
                    }
                }
            }
            Who::Scheduler => {
                self.src(&mut r.src, who, me_ip, rng);
                r.pl = "workload-high";
                r.fs = "kube-scheduler";
                if rng.chance(2, 3) {
                    Self::agent(&mut r.agent, "kube-scheduler", "/leader-election");
                    r.verb = "PUT";
                    r.pl = "leader-election";
                    r.fs = "system-leader-election";
                    r.resource = "leases";
                    r.uri.extend_from_slice(b"/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler?timeout=5s");
                } else {
                    let pod = self.pod(rng);
                    Self::agent(&mut r.agent, "kube-scheduler", "/scheduler");
                    r.verb = "POST";
                    r.resp = 201;
                    r.resource = "pods";
                    Self::pod_uri(&mut r.uri, pod);
                    r.uri.extend_from_slice(b"/binding");
                }
            }
            Who::Loopback => {
                Self::agent(&mut r.agent, "kube-apiserver", "");
                r.src.extend_from_slice(b"[::1]:");
                if let Some(s) = self.slot(who).and_then(|s| self.ports.get(s)) {
                    num(&mut r.src, u64::from(*s));
                }
                r.pl = "exempt";
                r.fs = "exempt";
                r.latency = rng.latency(1.2e6, 0.6);
                match rng.below(3) {
                    0 => {
                        r.resource = "endpoints";
                        r.uri
                            .extend_from_slice(b"/api/v1/namespaces/default/endpoints/kubernetes");
                    }
                    1 => {
                        r.verb = "PUT";
                        r.resource = "leases";
                        r.uri.extend_from_slice(
                            b"/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/apiserver-",
                        );
                        r.uri.extend_from_slice(self.identity.as_bytes());
                    }
                    _ => {
                        r.resource = "endpointslices";
                        r.uri.extend_from_slice(
                            b"/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes",
                        );
                    }
                }
            }
            Who::Probe => {
                r.agent.extend_from_slice(b"kube-probe/1.26");
                self.src(&mut r.src, who, me_ip, rng);
                r.pl = "exempt";
                r.fs = "probes";
                r.resource = "";
                r.latency = rng.latency(1.5e6, 0.6);
                r.uri
                    .extend_from_slice(rng.pick(&["/livez", "/readyz", "/livez"]).as_bytes());
            }
            Who::KubeProxy(n) => {
                Self::agent(&mut r.agent, "kube-proxy", "");
                self.src(&mut r.src, who, self.cluster.nodes[n].ip, rng);
                r.verb = "WATCH";
                r.pl = "system";
                r.fs = "system-nodes";
                r.resource = "endpointslices";
                r.uri.extend_from_slice(b"/apis/discovery.k8s.io/v1/endpointslices?allowWatchBookmarks=true&labelSelector=%21service.kubernetes.io%2Fheadless%2C%21service.kubernetes.io%2Fservice-proxy-name&");
                let secs = self.watch_query(&mut r.uri, rng);
                r.latency = secs * 1_000_000_000 + rng.range(200_000, 3_000_000);
            }
            Who::Flannel(n) => {
                r.agent
                    .extend_from_slice(b"flanneld/v0.22.3 (linux/amd64) kubernetes/$Format");
                self.src(&mut r.src, who, self.cluster.nodes[n].ip, rng);
                r.resource = "nodes";
                if rng.chance(1, 2) {
                    r.verb = "WATCH";
                    r.uri
                        .extend_from_slice(b"/api/v1/nodes?allowWatchBookmarks=true&");
                    let secs = self.watch_query(&mut r.uri, rng);
                    r.latency = secs * 1_000_000_000 + rng.range(200_000, 3_000_000);
                } else {
                    r.uri.extend_from_slice(b"/api/v1/nodes/");
                    r.uri.extend_from_slice(self.cluster.nodes[n].name.as_bytes());
                }
            }
            Who::CoreDns => {
                r.agent
                    .extend_from_slice(b"coredns/v0.0.0 (linux/amd64) kubernetes/$Format");
                self.src(&mut r.src, who, self.ip_of("coredns"), rng);
                r.verb = "WATCH";
                let (path, resource) = *rng.pick(&[
                    ("/apis/discovery.k8s.io/v1/endpointslices", "endpointslices"),
                    ("/api/v1/services", "services"),
                    ("/api/v1/namespaces", "namespaces"),
                ]);
                r.resource = resource;
                r.uri.extend_from_slice(path.as_bytes());
                r.uri.extend_from_slice(b"?allowWatchBookmarks=true&");
                let secs = self.watch_query(&mut r.uri, rng);
                r.latency = secs * 1_000_000_000 + rng.range(200_000, 3_000_000);
            }
            Who::Prometheus => {
                r.agent.extend_from_slice(b"Prometheus/2.47.2");
                let pod = self.pod(rng);
                self.src(&mut r.src, who, self.ip_of("prometheus-k8s"), rng);
                if rng.chance(1, 2) {
                    r.verb = "LIST";
                    r.latency = rng.latency(25.0e6, 0.6);
                    r.uri.extend_from_slice(b"/api/v1/namespaces/");
                    r.uri.extend_from_slice(pod.ns.as_bytes());
                    r.uri.extend_from_slice(b"/pods?limit=500&resourceVersion=0");
                } else {
                    r.verb = "GET";
                    r.resource = "";
                    r.uri.extend_from_slice(b"/metrics");
                    r.latency = rng.latency(40.0e6, 0.5);
                }
            }
            Who::Kubectl => {
                Self::agent(&mut r.agent, "kubectl", "");
                self.src(&mut r.src, who, [10, 0, 0, 2], rng);
                r.pl = "exempt";
                r.fs = "exempt";
                let pod = self.pod(rng);
                match rng.below(3) {
                    0 => {
                        r.verb = "LIST";
                        r.latency = rng.latency(20.0e6, 0.6);
                        r.uri.extend_from_slice(b"/api/v1/namespaces/");
                        r.uri.extend_from_slice(pod.ns.as_bytes());
                        r.uri.extend_from_slice(b"/pods?limit=500");
                    }
                    1 => {
                        Self::pod_uri(&mut r.uri, pod);
                        r.uri.extend_from_slice(b"/log?container=");
                        r.uri.extend_from_slice(pod.ctrs[0].name.as_bytes());
                        r.uri.extend_from_slice(b"&tailLines=200");
                        r.latency = rng.latency(60.0e6, 0.6);
                    }
                    _ => Self::pod_uri(&mut r.uri, pod),
                }
            }
            Who::Traefik => {
                r.agent
                    .extend_from_slice(b"traefik/2.10.5 (linux/amd64) kubernetes/traefik");
                self.src(&mut r.src, who, self.ip_of("traefik"), rng);
                r.verb = "WATCH";
                let (path, resource) = *rng.pick(&[
                    ("/apis/traefik.io/v1alpha1/ingressroutes", "ingressroutes"),
                    ("/apis/networking.k8s.io/v1/ingresses", "ingresses"),
                    ("/api/v1/secrets", "secrets"),
                ]);
                r.resource = resource;
                r.uri.extend_from_slice(path.as_bytes());
                r.uri.extend_from_slice(b"?allowWatchBookmarks=true&");
                let secs = self.watch_query(&mut r.uri, rng);
                r.latency = secs * 1_000_000_000 + rng.range(200_000, 3_000_000);
            }
        }
        r
    }

    fn pod_uri(b: &mut Vec<u8>, pod: &Pod) {
        b.extend_from_slice(b"/api/v1/namespaces/");
        b.extend_from_slice(pod.ns.as_bytes());
        b.extend_from_slice(b"/pods/");
        b.extend_from_slice(pod.name.as_bytes());
    }

    fn httplog(&mut self, b: &mut Vec<u8>, t: Ns, r: &Req, rng: &mut Rng) {
        self.head(b, t, b'I', "httplog.go:132", rng);
        b.extend_from_slice(b"\"HTTP\" verb=\"");
        b.extend_from_slice(r.verb.as_bytes());
        b.extend_from_slice(b"\" URI=\"");
        b.extend_from_slice(&r.uri);
        b.extend_from_slice(b"\" latency=\"");
        go_dur(b, r.latency);
        b.extend_from_slice(b"\" userAgent=\"");
        b.extend_from_slice(&r.agent);
        b.extend_from_slice(b"\" audit-ID=\"");
        uuid(b, rng);
        b.extend_from_slice(b"\" srcIP=\"");
        b.extend_from_slice(&r.src);
        b.extend_from_slice(b"\" apf_pl=\"");
        b.extend_from_slice(r.pl.as_bytes());
        b.extend_from_slice(b"\" apf_fs=\"");
        b.extend_from_slice(r.fs.as_bytes());
        b.extend_from_slice(b"\" apf_iseats=1 apf_fseats=0 apf_additionalLatency=\"0s\" ");
        let exec = if r.verb == "WATCH" {
            let init = rng.latency(1.0e6, 0.6);
            b.extend_from_slice(b"apf_init_latency=\"");
            go_dur(b, init);
            b.extend_from_slice(b"\" ");
            init + rng.range(1_000, 90_000)
        } else {
            r.latency.saturating_sub(rng.range(20_000, 300_000)).max(15_000)
        };
        b.extend_from_slice(b"apf_execution_time=\"");
        go_dur(b, exec);
        b.extend_from_slice(b"\" resp=");
        num(b, u64::from(r.resp));
        b.push(b'\n');
    }

    fn starting_watch(&mut self, b: &mut Vec<u8>, t: Ns, r: &Req, rng: &mut Rng) {
        self.head(b, t, b'I', "get.go:260", rng);
        let uri = &r.uri;
        let path_end = uri.iter().position(|c| *c == b'?').unwrap_or(uri.len());
        b.extend_from_slice(b"\"Starting watch\" path=\"");
        b.extend_from_slice(&uri[..path_end]);
        b.extend_from_slice(b"\" resourceVersion=\"");
        num(b, self.rv - rng.below(5000));
        b.extend_from_slice(b"\" labels=\"\" fields=\"\" timeout=\"");
        go_dur(b, (r.latency / 1_000_000_000) * 1_000_000_000);
        b.extend_from_slice(b"\"\n");
    }

    /// A slow request's trace: header line, steps, END.
    fn trace(&mut self, b: &mut Vec<u8>, t: Ns, r: &Req, rng: &mut Rng) {
        let id = rng.range(100_000_000, 2_147_483_647);
        let start = t - r.latency as Ns;
        let verb = match r.verb {
            "GET" => "Get",
            "PUT" => "Update",
            "PATCH" => "Patch",
            "POST" => "Create",
            "LIST" | "WATCH" => "List",
            _ => "Delete",
        };
        let mut audit = Vec::with_capacity(36);
        uuid(&mut audit, rng);
        let client_end = r.src.iter().rposition(|c| *c == b':').unwrap_or(r.src.len());
        self.head(b, t, b'I', "trace.go:236", rng);
        b.extend_from_slice(b"Trace[");
        num(b, id);
        b.extend_from_slice(b"]: \"");
        b.extend_from_slice(verb.as_bytes());
        b.extend_from_slice(b"\" accept:application/vnd.kubernetes.protobuf, */*,audit-id:");
        b.extend_from_slice(&audit);
        b.extend_from_slice(b",client:");
        b.extend_from_slice(&r.src[..client_end]);
        b.extend_from_slice(b",protocol:HTTP/2.0,resource:");
        b.extend_from_slice(r.resource.as_bytes());
        b.extend_from_slice(b",scope:");
        let collection = verb == "List" || (verb == "Create" && r.resource == "events");
        let scope: &[u8] = if !collection {
            b"resource"
        } else if r.uri.windows(12).any(|w| w == b"/namespaces/") {
            b"namespace"
        } else {
            b"cluster"
        };
        b.extend_from_slice(scope);
        b.extend_from_slice(b",url:");
        let path_end = r.uri.iter().position(|c| *c == b'?').unwrap_or(r.uri.len());
        b.extend_from_slice(&r.uri[..path_end]);
        b.extend_from_slice(b",user-agent:");
        b.extend_from_slice(&r.agent);
        b.extend_from_slice(b",verb:");
        b.extend_from_slice(r.verb.as_bytes());
        b.extend_from_slice(b" (");
        text::trace_start(b, start);
        b.extend_from_slice(b") (total time: ");
        num(b, r.latency / 1_000_000);
        b.extend_from_slice(b"ms):\n");
        let etcd = r.latency - rng.range(200_000, 2_000_000);
        let key_end = r.uri.len().min(path_end);
        // Step lines: containerd writes each line of klog's multi-line message on its own.
        self.cri(b, t, rng);
        b.extend_from_slice(b"Trace[");
        num(b, id);
        if verb == "List" {
            b.extend_from_slice(b"]: [\"List(recursive=true) etcd3\" audit-id:");
            b.extend_from_slice(&audit);
            b.extend_from_slice(b",key:");
            b.extend_from_slice(&etcd_key(&r.uri[..key_end]));
            b.extend_from_slice(b",resourceVersion:,resourceVersionMatch:,limit:500,continue: ");
            num(b, etcd / 1_000_000);
            b.extend_from_slice(b"ms (");
            text::hms_milli(b, start + 300 * US as Ns);
            b.extend_from_slice(b")]\n");
            self.cri(b, t, rng);
            b.extend_from_slice(b"Trace[");
            num(b, id);
            b.extend_from_slice(b"]: ---\"Writing http response done\" count:");
            num(b, rng.range(1, 480));
            b.push(b' ');
            num(b, (r.latency - etcd) / 1_000_000);
            b.extend_from_slice(b"ms (");
            text::hms_milli(b, t);
            b.extend_from_slice(b")\n");
        } else {
            b.extend_from_slice(b"]: [\"GuaranteedUpdate etcd3\" audit-id:");
            b.extend_from_slice(&audit);
            b.extend_from_slice(b",key:");
            b.extend_from_slice(&etcd_key(&r.uri[..key_end]));
            let (ty, full) = match r.resource {
                "leases" => ("coordination.Lease", "leases.coordination.k8s.io"),
                "nodes" => ("core.Node", "nodes"),
                "endpointslices" => ("discovery.EndpointSlice", "endpointslices.discovery.k8s.io"),
                "replicasets" => ("apps.ReplicaSet", "replicasets.apps"),
                "events" => ("core.Event", "events"),
                "serviceaccounts" => ("core.ServiceAccount", "serviceaccounts"),
                "configmaps" => ("core.ConfigMap", "configmaps"),
                _ => ("core.Pod", "pods"),
            };
            b.extend_from_slice(b",type:*");
            b.extend_from_slice(ty.as_bytes());
            b.extend_from_slice(b",resource:");
            b.extend_from_slice(full.as_bytes());
            b.push(b' ');
            num(b, etcd / 1_000_000);
            b.extend_from_slice(b"ms (");
            text::hms_milli(b, start + 400 * US as Ns);
            b.extend_from_slice(b")\n");
            self.cri(b, t, rng);
            b.extend_from_slice(b"Trace[");
            num(b, id);
            b.extend_from_slice(b"]:  ---\"Txn call completed\" ");
            num(b, etcd / 1_000_000 - 1);
            b.extend_from_slice(b"ms (");
            text::hms_milli(b, start + etcd as Ns);
            b.extend_from_slice(b")]\n");
        }
        self.cri(b, t, rng);
        b.extend_from_slice(b"Trace[");
        num(b, id);
        b.extend_from_slice(b"]: [");
        go_dur(b, r.latency);
        b.extend_from_slice(b"] [");
        go_dur(b, r.latency);
        b.extend_from_slice(b"] END\n");
    }

    fn openapi(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        let r = rng.below(4);
        if r == 0 {
            self.head(b, t, b'E', "controller.go:113", rng);
            b.extend_from_slice(b"loading OpenAPI spec for \"v1beta1.metrics.k8s.io\" failed with: Error, could not get list of group versions for APIService\n");
        } else if r == 1 {
            self.head(b, t, b'I', "handler.go:232", rng);
            b.extend_from_slice(b"Adding GroupVersion metrics.k8s.io v1beta1 to ResourceManager\n");
        } else if rng.chance(1, 2) {
            self.head(b, t, b'I', "controller.go:116", rng);
            b.extend_from_slice(b"OpenAPI AggregationController: action for item v1beta1.metrics.k8s.io: Rate Limited Requeue.\n");
        } else {
            self.head(b, t, b'I', "controller.go:129", rng);
            b.extend_from_slice(b"OpenAPI AggregationController: action for item k8s_internal_local_delegation_chain_0000000002: Nothing (removed from the queue).\n");
        }
    }

    fn quota(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        self.head(b, t, b'I', "controller.go:624", rng);
        b.extend_from_slice(b"quota admission added evaluator for: ");
        b.extend_from_slice(rng.pick(QUOTA).as_bytes());
        b.push(b'\n');
    }

    fn compacted(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        self.head(b, t, b'W', "watcher.go:338", rng);
        b.extend_from_slice(b"watch chan error: etcdserver: mvcc: required revision has been compacted\n");
    }

    fn alloc(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        self.head(b, t, b'I', "alloc.go:330", rng);
        let s = rng.pick(&self.cluster.services);
        b.extend_from_slice(b"\"allocated clusterIPs\" service=\"");
        b.extend_from_slice(s.ns.as_bytes());
        b.push(b'/');
        b.extend_from_slice(s.name.as_bytes());
        b.extend_from_slice(b"\" clusterIPs={\"IPv4\":\"");
        ip(b, s.ip);
        b.extend_from_slice(b"\"}\n");
    }

    fn abort(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        self.head(b, t, b'E', "wrap.go:54", rng);
        let pod = self.pod(rng);
        b.extend_from_slice(b"timeout or abort while handling: method=GET URI=\"");
        Self::pod_uri(b, pod);
        b.extend_from_slice(b"/log?container=");
        b.extend_from_slice(pod.ctrs[0].name.as_bytes());
        b.extend_from_slice(b"&follow=true\" audit-ID=\"");
        uuid(b, rng);
        b.extend_from_slice(b"\"\n");
    }

    /// metrics-server is down: the aggregator's availability check, the OpenAPI download
    /// and the proxy each complain.
    fn metrics_unavailable(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        match rng.below(3) {
            0 => {
                self.head(b, t, b'W', "handler_proxy.go:93", rng);
                b.extend_from_slice(b"no RequestInfo found in the context\n");
                return;
            }
            1 => {
                self.head(b, t, b'E', "controller.go:146", rng);
                b.extend_from_slice(b"Error updating APIService \"v1beta1.metrics.k8s.io\" with err: failed to download v1beta1.metrics.k8s.io: failed to retrieve openAPI spec, http error: ResponseCode: 503, Body: service unavailable\n");
                let t = t + rng.range(20, 400) as Ns * US;
                self.cri(b, t, rng);
                b.extend_from_slice(b", Header: map[Content-Type:[text/plain; charset=utf-8] X-Content-Type-Options:[nosniff]]\n");
                return;
            }
            _ => {}
        }
        self.head(b, t, b'E', "available_controller.go:460", rng);
        let ms = self
            .cluster
            .pods
            .iter()
            .flatten()
            .find(|p| p.name.starts_with("metrics-server"))
            .map_or([10, 244, 0, 3], |p| p.ip);
        b.extend_from_slice(b"v1beta1.metrics.k8s.io failed with: failing or missing response from https://");
        ip(b, ms);
        b.extend_from_slice(b":10250/apis/metrics.k8s.io/v1beta1: Get \"https://");
        ip(b, ms);
        b.extend_from_slice(b":10250/apis/metrics.k8s.io/v1beta1\": context deadline exceeded\n");
    }

    fn canceled(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        self.head(b, t, b'E', "status.go:71", rng);
        b.extend_from_slice(b"apiserver received an error that is not an metav1.Status: &errors.errorString{s:\"context canceled\"}: context canceled\n");
        if rng.chance(1, 2) {
            let pod = self.pod(rng);
            self.head(b, t + rng.range(10, 200) as Ns * US, b'E', "timeout.go:142", rng);
            b.extend_from_slice(b"post-timeout activity - time-elapsed: ");
            go_dur(b, rng.latency(3e6, 0.8));
            b.extend_from_slice(b", GET \"");
            Self::pod_uri(b, pod);
            b.extend_from_slice(b"\" result: <nil>\n");
        }
    }

    /// The ingress controller's admission webhook does not answer; the apiserver fails open.
    fn webhook(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        const HOOK: &[u8] = b"validate.nginx.ingress.kubernetes.io";
        const URL: &[u8] = b"https://ingress-nginx-controller-admission.ingress-nginx.svc:443/networking/v1/ingresses?timeout=10s";
        self.head(b, t, b'W', "dispatcher.go:205", rng);
        b.extend_from_slice(b"Failed calling webhook, failing open ");
        b.extend_from_slice(HOOK);
        b.extend_from_slice(b": failed calling webhook \"");
        b.extend_from_slice(HOOK);
        b.extend_from_slice(b"\": failed to call webhook: Post \"");
        b.extend_from_slice(URL);
        b.extend_from_slice(b"\": context deadline exceeded\n");
        self.head(b, t + rng.range(5, 90) as Ns * US, b'E', "dispatcher.go:213", rng);
        b.extend_from_slice(b"failed calling webhook \"");
        b.extend_from_slice(HOOK);
        b.extend_from_slice(b"\": failed to call webhook: Post \"");
        b.extend_from_slice(URL);
        b.extend_from_slice(b"\": context deadline exceeded\n");
    }

    fn handler_timeout(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        self.head(b, t, b'E', "writers.go:122", rng);
        b.extend_from_slice(b"apiserver was unable to write a JSON response: http: Handler timeout\n");
        self.head(b, t + rng.range(10, 300) as Ns * US, b'E', "status.go:71", rng);
        b.extend_from_slice(b"apiserver received an error that is not an metav1.Status: &errors.errorString{s:\"http: Handler timeout\"}: http: Handler timeout\n");
    }

    fn master_endpoints(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        self.head(b, t, b'W', "lease.go:263", rng);
        b.extend_from_slice(b"Resetting endpoints for master service \"kubernetes\" to [");
        let keep = rng.below(self.cluster.nodes.len() as u64) as usize;
        let mut first = true;
        for (i, n) in self.cluster.nodes.iter().enumerate() {
            if i == keep && i != self.node {
                continue;
            }
            if !first {
                b.push(b' ');
            }
            first = false;
            ip(b, n.ip);
        }
        b.extend_from_slice(b"]\n");
    }

    /// A failure the catalogue's rules match: a client certificate expired or signed by an
    /// unknown CA, or a service-account token signed with a retired key.
    fn fault(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        self.head(b, t, b'E', "authentication.go:73", rng);
        b.extend_from_slice(b"\"Unable to authenticate the request\" err=\"[");
        match rng.below(3) {
            0 => {
                for i in 0..2 {
                    if i == 1 {
                        b.extend_from_slice(b", verifying certificate SN=");
                        num(b, rng.range(1 << 40, 1 << 62));
                        b.extend_from_slice(b", SKID=, AKID=");
                        for k in 0..20 {
                            if k > 0 {
                                b.push(b':');
                            }
                            let v = rng.below(256) as u8;
                            b.push(b"0123456789ABCDEF"[usize::from(v >> 4)]);
                            b.push(b"0123456789ABCDEF"[usize::from(v & 15)]);
                        }
                        b.extend_from_slice(b" failed: ");
                    }
                    b.extend_from_slice(b"x509: certificate has expired or is not yet valid: current time ");
                    text::rfc3339(b, t);
                    b.extend_from_slice(b" is after 2026-11-18T00:00:00Z");
                }
            }
            1 => b.extend_from_slice(b"x509: certificate signed by unknown authority (possibly because of \\\"crypto/rsa: verification error\\\" while trying to verify candidate authority certificate \\\"kubernetes\\\")"),
            _ => b.extend_from_slice(b"invalid bearer token, square/go-jose: error in cryptographic primitive"),
        }
        b.extend_from_slice(b"]\"\n");
    }
}

/// The etcd key a request's object lives under: `/api/v1/namespaces/ns/pods/x/status` →
/// `/pods/ns/x`, `/apis/coordination.k8s.io/v1/namespaces/ns/leases/x` → `/leases/ns/x`,
/// `/api/v1/nodes/x` → `/minions/x`.
fn etcd_key(path: &[u8]) -> Vec<u8> {
    let s = std::str::from_utf8(path).unwrap_or("");
    let segs: Vec<&str> = s.split('/').filter(|x| !x.is_empty()).collect();
    let rest: &[&str] = match segs.first() {
        Some(&"api") => segs.get(2..).unwrap_or(&[]),
        _ => segs.get(3..).unwrap_or(&[]),
    };
    let mut out = Vec::with_capacity(s.len());
    match rest {
        ["namespaces", ns, res, tail @ ..] => {
            out.push(b'/');
            out.extend_from_slice(res.as_bytes());
            out.push(b'/');
            out.extend_from_slice(ns.as_bytes());
            if let Some(name) = tail.first() {
                out.push(b'/');
                out.extend_from_slice(name.as_bytes());
            }
        }
        [res, tail @ ..] => {
            out.push(b'/');
            out.extend_from_slice(if *res == "nodes" {
                b"minions"
            } else {
                res.as_bytes()
            });
            if let Some(name) = tail.first() {
                out.push(b'/');
                out.extend_from_slice(name.as_bytes());
            }
        }
        [] => out.push(b'/'),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::etcd_key;

    #[test]
    fn keys_follow_the_registry_layout() {
        let k = |p: &str| String::from_utf8(etcd_key(p.as_bytes())).unwrap_or_default();
        assert_eq!(k("/api/v1/namespaces/shop/pods/web-1/status"), "/pods/shop/web-1");
        assert_eq!(
            k("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-1"),
            "/leases/kube-node-lease/node-1"
        );
        assert_eq!(k("/api/v1/nodes/node-2/status"), "/minions/node-2");
        assert_eq!(k("/api/v1/namespaces/shop/pods"), "/pods/shop");
    }
}
