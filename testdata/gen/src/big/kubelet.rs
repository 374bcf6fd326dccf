//! One node's kubelet journal (`journalctl -u kubelet -o short-iso` or `-o short-precise`):
//! klog lines whose header time is the line's time, about the pods on that node: probes,
//! PLEG events, volume mounts, status patches, container restarts, pods replaced, cAdvisor
//! and runtime noise — and, rarely, the fault lines the catalogue's log rules match.

use super::text::{self, MS, Ns, Rng, SEC, US, go_dur, hex, ip, num, uuid};
use super::world::{Cluster, Kind, Pod, WORKLOADS, new_pod, pod_name};

/// One event in this many is a fault line: about one per 800 KiB of log, as many per
/// file as the earlier generator wrote (about 25 in a 21 MiB file).
const FAULT_EVERY: u64 = 1400;

/// The kinds of ordinary kubelet lines.
#[derive(Clone, Copy)]
enum Line {
    ProbeOk,
    ProbeFailed,
    Pleg,
    Mount,
    Cadvisor,
    Startup,
    RemoveContainer,
    Sync,
    Patch,
    PullSecret,
    CleanedUp,
    Kill,
    SysStats,
    StaleState,
    Replace,
    TlsEof,
    NodeEvent,
    Restart,
    Lease,
    Orphaned,
    SecretMissing,
    LogStats,
    Inotify,
}

/// How often each kind comes. The errors a broken node repeats every few seconds (the
/// orphaned pod directory, the missing Secret, system container stats, failing probes)
/// make much of a real journal; lines that name fresh container ids are rarer.
const MIX: &[(Line, u32)] = &[
    (Line::ProbeOk, 16),
    (Line::ProbeFailed, 10),
    (Line::Pleg, 8),
    (Line::Mount, 8),
    (Line::Cadvisor, 1),
    (Line::Startup, 2),
    (Line::RemoveContainer, 1),
    (Line::Sync, 8),
    (Line::Patch, 10),
    (Line::PullSecret, 2),
    (Line::CleanedUp, 1),
    (Line::Kill, 2),
    (Line::SysStats, 14),
    (Line::StaleState, 2),
    (Line::Replace, 1),
    (Line::TlsEof, 2),
    (Line::NodeEvent, 1),
    (Line::Restart, 2),
    (Line::Lease, 4),
    (Line::Orphaned, 22),
    (Line::SecretMissing, 12),
    (Line::LogStats, 4),
    (Line::Inotify, 2),
];

/// The kubelet log's generator state.
pub struct Kubelet<'a> {
    cluster: &'a Cluster,
    node: usize,
    pods: Vec<Pod>,
    /// `short-precise` rather than `short-iso` prefixes.
    precise: bool,
    /// journald's receive time of the previous line.
    journal: Ns,
    /// When the kubelet started (for Go's monotonic `m=+…` readings).
    started: Ns,
    /// The latest line's time.
    last: Ns,
    /// Pod indexes, noisiest first.
    noisy: Vec<usize>,
    /// Pod directories left behind that the kubelet fails to clean up, every few seconds.
    orphans: Vec<String>,
    /// The pod stuck in ContainerCreating: its TLS Secret does not exist.
    stuck: usize,
}

impl<'a> Kubelet<'a> {
    /// The kubelet of node `node`; `precise` picks `short-precise` over `short-iso`.
    pub fn new(cluster: &'a Cluster, node: usize, precise: bool, start: Ns, rng: &mut Rng) -> Self {
        // The kubelet's own copy: pods get replaced and containers restart as the day goes.
        let pods = cluster.pods[node].clone();
        let noisy = rng.permutation(cluster.pods[node].len());
        let orphans = (0..1 + rng.below(3)).map(|_| text::uuid_string(rng)).collect();
        let stuck = cluster.pods[node]
            .iter()
            .position(|p| p.name.starts_with("payments") || p.name.starts_with("checkout"))
            .unwrap_or(0);
        Kubelet {
            cluster,
            node,
            pods,
            precise,
            journal: 0,
            started: start - rng.range(3600, 40 * 86400) as Ns * SEC,
            last: start,
            noisy,
            orphans,
            stuck,
        }
    }

    /// Writes `prefix + klog header` for a line at `t`.
    fn head(&mut self, b: &mut Vec<u8>, t: Ns, sev: u8, src: &str, rng: &mut Rng) {
        // journald stamps the line when it receives it, a little after klog did.
        self.journal = (self.journal + rng.range(1, 20) as Ns * US).max(t + rng.range(20, 900) as Ns * US);
        if self.precise {
            text::short_precise(b, self.journal);
        } else {
            text::short_iso(b, self.journal);
        }
        let node = &self.cluster.nodes[self.node];
        b.push(b' ');
        b.extend_from_slice(node.name.as_bytes());
        b.extend_from_slice(b" kubelet[");
        num(b, u64::from(node.kubelet_pid));
        b.extend_from_slice(b"]: ");
        text::klog(b, sev, t, node.kubelet_pid, src);
        self.last = self.last.max(t);
    }

    /// The time of the latest line written (the next event starts no earlier).
    pub fn last(&self) -> Ns {
        self.last
    }

    /// Writes one event (one line, or a short burst of lines starting at `t`).
    pub fn event(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        if rng.chance(1, FAULT_EVERY) {
            return self.fault(b, t, rng);
        }
        // A few pods (failing probes, busy controllers) make most of the lines, and a pod's
        // sync writes several lines about it at once.
        let p = self.noisy[rng.skewed(self.noisy.len())];
        let mut t = t;
        for _ in 0..1 + rng.skewed(4) {
            self.one(b, t, p, rng);
            t = self.last + rng.range(10, 3000) as Ns * US;
        }
    }

    fn one(&mut self, b: &mut Vec<u8>, t: Ns, p: usize, rng: &mut Rng) {
        match rng.mix(MIX) {
            Line::ProbeOk => self.probe_ok(b, t, p, rng),
            Line::ProbeFailed => self.probe_failed(b, t, p, rng),
            Line::Pleg => self.pleg(b, t, p, rng),
            Line::Mount => self.mount(b, t, p, rng),
            Line::Cadvisor => self.cadvisor(b, t, p, rng),
            Line::Startup => self.startup(b, t, p, rng),
            Line::RemoveContainer => self.remove_container(b, t, rng),
            Line::Sync => self.sync(b, t, p, rng),
            Line::Patch => self.patch(b, t, p, rng),
            Line::PullSecret => self.pull_secret(b, t, p, rng),
            Line::CleanedUp => self.orphans(b, t, rng),
            Line::Kill => self.kill(b, t, p, rng),
            Line::SysStats => self.sys_stats(b, t, rng),
            Line::StaleState => self.stale_state(b, t, p, rng),
            Line::Replace => self.replace(b, t, p, rng),
            Line::TlsEof => self.tls_eof(b, t, rng),
            Line::NodeEvent => self.node_event(b, t, rng),
            Line::Restart => self.restart(b, t, p, rng),
            Line::Lease => self.lease(b, t, rng),
            Line::Orphaned => self.orphaned(b, t, rng),
            Line::SecretMissing => self.secret_missing(b, t, rng),
            Line::LogStats => self.log_stats(b, t, p, rng),
            Line::Inotify => self.inotify(b, t, p, rng),
        }
    }

    fn pod_ref(b: &mut Vec<u8>, pod: &Pod) {
        b.extend_from_slice(b"pod=\"");
        b.extend_from_slice(pod.ns.as_bytes());
        b.push(b'/');
        b.extend_from_slice(pod.name.as_bytes());
        b.push(b'"');
    }

    fn probe_ok(&mut self, b: &mut Vec<u8>, t: Ns, p: usize, rng: &mut Rng) {
        self.head(b, t, b'I', "kubelet.go:2528", rng);
        let kind = *rng.pick(&["readiness", "readiness", "liveness", "startup"]);
        let status = if kind == "startup" { "started" } else { "ready" };
        b.extend_from_slice(b"\"SyncLoop (probe)\" probe=\"");
        b.extend_from_slice(kind.as_bytes());
        b.extend_from_slice(b"\" status=\"");
        b.extend_from_slice(status.as_bytes());
        b.extend_from_slice(b"\" ");
        Self::pod_ref(b, &self.pods[p]);
        b.push(b'\n');
    }

    fn probe_failed(&mut self, b: &mut Vec<u8>, t: Ns, p: usize, rng: &mut Rng) {
        self.head(b, t, b'I', "prober.go:107", rng);
        let pod = &self.pods[p];
        let c = rng.pick(&pod.ctrs);
        let kind = *rng.pick(&["Readiness", "Readiness", "Liveness"]);
        b.extend_from_slice(b"\"Probe failed\" probeType=\"");
        b.extend_from_slice(kind.as_bytes());
        b.extend_from_slice(b"\" ");
        Self::pod_ref(b, pod);
        b.extend_from_slice(b" podUID=\"");
        b.extend_from_slice(pod.uid.as_bytes());
        b.extend_from_slice(b"\" containerName=\"");
        b.extend_from_slice(c.name.as_bytes());
        b.extend_from_slice(b"\" probeResult=\"failure\" output=\"");
        let port = if c.port == 0 { 8080 } else { c.port };
        match rng.below(4) {
            0 => b.extend_from_slice(b"HTTP probe failed with statuscode: 503"),
            1 => {
                b.extend_from_slice(b"Get \\\"http://");
                ip(b, pod.ip);
                b.push(b':');
                num(b, u64::from(port));
                b.extend_from_slice(b"/healthz\\\": dial tcp ");
                ip(b, pod.ip);
                b.push(b':');
                num(b, u64::from(port));
                b.extend_from_slice(b": connect: connection refused");
            }
            _ => {
                b.extend_from_slice(b"Get \\\"http://");
                ip(b, pod.ip);
                b.push(b':');
                num(b, u64::from(port));
                b.extend_from_slice(
                    b"/ready\\\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
                );
            }
        }
        b.extend_from_slice(b"\"\n");
    }

    fn pleg_line(&mut self, b: &mut Vec<u8>, t: Ns, p: usize, ty: &str, data: &str, rng: &mut Rng) {
        self.head(b, t, b'I', "kubelet.go:2461", rng);
        b.extend_from_slice(b"\"SyncLoop (PLEG): event for pod\" ");
        let pod = &self.pods[p];
        Self::pod_ref(b, pod);
        b.extend_from_slice(b" event={\"ID\":\"");
        b.extend_from_slice(pod.uid.as_bytes());
        b.extend_from_slice(b"\",\"Type\":\"");
        b.extend_from_slice(ty.as_bytes());
        b.extend_from_slice(b"\",\"Data\":\"");
        b.extend_from_slice(data.as_bytes());
        b.extend_from_slice(b"\"}\n");
    }

    fn pleg(&mut self, b: &mut Vec<u8>, t: Ns, p: usize, rng: &mut Rng) {
        let pod = &self.pods[p];
        let data = if rng.chance(1, 3) {
            pod.sandbox.clone()
        } else {
            rng.pick(&pod.ctrs).id.clone()
        };
        self.pleg_line(b, t, p, "ContainerStarted", &data, rng);
    }

    /// A container exits and is started again with a new id.
    fn restart(&mut self, b: &mut Vec<u8>, t: Ns, p: usize, rng: &mut Rng) {
        let ci = rng.below(self.pods[p].ctrs.len() as u64) as usize;
        let old = self.pods[p].ctrs[ci].id.clone();
        self.pleg_line(b, t, p, "ContainerDied", &old, rng);
        let new = text::hex_string(rng, 64);
        self.pods[p].ctrs[ci].id.clone_from(&new);
        let t = t + rng.range(300, 4000) as Ns * MS;
        self.pleg_line(b, t, p, "ContainerStarted", &new, rng);
        self.head(b, t + rng.range(1, 40) as Ns * MS, b'I', "scope.go:117", rng);
        b.extend_from_slice(b"\"RemoveContainer\" containerID=\"");
        b.extend_from_slice(old.as_bytes());
        b.extend_from_slice(b"\"\n");
    }

    fn volume(b: &mut Vec<u8>, pod: &Pod, uid_as_pod: bool) {
        b.extend_from_slice(b"volume \\\"kube-api-access-");
        b.extend_from_slice(pod.vol.as_bytes());
        b.extend_from_slice(b"\\\" (UniqueName: \\\"kubernetes.io/projected/");
        b.extend_from_slice(pod.uid.as_bytes());
        b.extend_from_slice(b"-kube-api-access-");
        b.extend_from_slice(pod.vol.as_bytes());
        b.extend_from_slice(b"\\\") pod \\\"");
        b.extend_from_slice(if uid_as_pod {
            pod.uid.as_bytes()
        } else {
            pod.name.as_bytes()
        });
        b.extend_from_slice(b"\\\" (UID: \\\"");
        b.extend_from_slice(pod.uid.as_bytes());
        b.extend_from_slice(b"\\\") ");
    }

    fn mount(&mut self, b: &mut Vec<u8>, t: Ns, p: usize, rng: &mut Rng) {
        let verify = rng.chance(1, 2);
        if verify {
            self.head(b, t, b'I', "reconciler_common.go:258", rng);
            b.extend_from_slice(b"\"operationExecutor.VerifyControllerAttachedVolume started for ");
        } else {
            self.head(b, t, b'I', "operation_generator.go:721", rng);
            b.extend_from_slice(b"\"MountVolume.SetUp succeeded for ");
        }
        let pod = &self.pods[p];
        Self::volume(b, pod, false);
        b.extend_from_slice(b"\" ");
        Self::pod_ref(b, pod);
        b.push(b'\n');
    }

    fn cgroup(b: &mut Vec<u8>, pod: &Pod, ctr: &str) {
        b.extend_from_slice(b"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod");
        for c in pod.uid.bytes() {
            b.push(if c == b'-' { b'_' } else { c });
        }
        b.extend_from_slice(b".slice/cri-containerd-");
        b.extend_from_slice(ctr.as_bytes());
        b.extend_from_slice(b".scope");
    }

    fn cadvisor(&mut self, b: &mut Vec<u8>, t: Ns, p: usize, rng: &mut Rng) {
        self.head(b, t, b'W', "manager.go:1159", rng);
        let pod = &self.pods[p];
        let mut id = Vec::with_capacity(64);
        hex(&mut id, rng, 64);
        let id = String::from_utf8(id).unwrap_or_default();
        b.extend_from_slice(b"Failed to process watch event {EventType:0 Name:");
        Self::cgroup(b, pod, &id);
        b.extend_from_slice(b" WatchSource:0}: task ");
        b.extend_from_slice(id.as_bytes());
        b.extend_from_slice(b" not found: not found\n");
    }

    fn monotonic(&self, b: &mut Vec<u8>, t: Ns) {
        let m = (t - self.started).max(0) as u64;
        b.extend_from_slice(b" m=+");
        num(b, m / 1_000_000_000);
        b.push(b'.');
        text::pad(b, m % 1_000_000_000, 9);
    }

    fn startup(&mut self, b: &mut Vec<u8>, t: Ns, p: usize, rng: &mut Rng) {
        self.head(b, t, b'I', "pod_startup_latency_tracker.go:102", rng);
        let e2e = rng.latency(2.5e9, 0.6);
        let pulled = rng.chance(1, 4);
        let pull = if pulled { rng.latency(1.5e9, 0.8) } else { 0 };
        let created = t - e2e as Ns;
        b.extend_from_slice(b"\"Observed pod startup duration\" ");
        Self::pod_ref(b, &self.pods[p]);
        b.extend_from_slice(b" podStartSLOduration=");
        let slo = e2e.saturating_sub(pull);
        num(b, slo / 1_000_000_000);
        b.push(b'.');
        text::pad(b, slo % 1_000_000_000, 9);
        b.extend_from_slice(b" podStartE2EDuration=\"");
        go_dur(b, e2e);
        b.extend_from_slice(b"\" podCreationTimestamp=\"");
        text::go_time(b, created);
        b.extend_from_slice(b"\" firstStartedPulling=\"");
        if pulled {
            let start = created + 300 * MS;
            text::go_time_nanos(b, start);
            self.monotonic(b, start);
            b.extend_from_slice(b"\" lastFinishedPulling=\"");
            text::go_time_nanos(b, start + pull as Ns);
            self.monotonic(b, start + pull as Ns);
        } else {
            b.extend_from_slice(
                b"0001-01-01 00:00:00 +0000 UTC\" lastFinishedPulling=\"0001-01-01 00:00:00 +0000 UTC",
            );
        }
        b.extend_from_slice(b"\" observedRunningTime=\"");
        let run = t - rng.range(1, 900) as Ns * MS;
        text::go_time_nanos(b, run);
        self.monotonic(b, run);
        b.extend_from_slice(b"\" watchObservedRunningTime=\"");
        text::go_time_nanos(b, t);
        self.monotonic(b, t);
        b.extend_from_slice(b"\"\n");
    }

    fn remove_container(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        let id = text::hex_string(rng, 64);
        self.head(b, t, b'I', "scope.go:117", rng);
        b.extend_from_slice(b"\"RemoveContainer\" containerID=\"");
        b.extend_from_slice(id.as_bytes());
        b.extend_from_slice(b"\"\n");
        if rng.chance(1, 3) {
            let t = t + rng.range(200, 3000) as Ns * US;
            self.head(b, t, b'E', "remote_runtime.go:432", rng);
            b.extend_from_slice(b"\"ContainerStatus from runtime service failed\" err=\"rpc error: code = NotFound desc = an error occurred when try to find container \\\"");
            b.extend_from_slice(id.as_bytes());
            b.extend_from_slice(b"\\\": not found\" containerID=\"");
            b.extend_from_slice(id.as_bytes());
            b.extend_from_slice(b"\"\n");
            self.head(
                b,
                t + rng.range(20, 300) as Ns * US,
                b'I',
                "pod_container_deletor.go:53",
                rng,
            );
            b.extend_from_slice(
                b"\"DeleteContainer returned error\" containerID={\"Type\":\"containerd\",\"ID\":\"",
            );
            b.extend_from_slice(id.as_bytes());
            b.extend_from_slice(b"\"} err=\"failed to get container status \\\"");
            b.extend_from_slice(id.as_bytes());
            b.extend_from_slice(
                b"\\\": rpc error: code = NotFound desc = an error occurred when try to find container \\\"",
            );
            b.extend_from_slice(id.as_bytes());
            b.extend_from_slice(b"\\\": not found\"\n");
        }
    }

    fn sync(&mut self, b: &mut Vec<u8>, t: Ns, p: usize, rng: &mut Rng) {
        let (src, op) = *rng.pick(&[
            ("kubelet.go:2414", "UPDATE"),
            ("kubelet.go:2414", "UPDATE"),
            ("kubelet.go:2430", "RECONCILE"),
        ]);
        self.head(b, t, b'I', src, rng);
        b.extend_from_slice(b"\"SyncLoop ");
        b.extend_from_slice(op.as_bytes());
        b.extend_from_slice(b"\" source=\"api\" pods=[\"");
        let pod = &self.pods[p];
        b.extend_from_slice(pod.ns.as_bytes());
        b.push(b'/');
        b.extend_from_slice(pod.name.as_bytes());
        b.extend_from_slice(b"\"]\n");
    }

    fn patch(&mut self, b: &mut Vec<u8>, t: Ns, p: usize, rng: &mut Rng) {
        self.head(b, t, b'I', "status_manager.go:853", rng);
        let pod = &self.pods[p];
        b.extend_from_slice(b"\"Patch status for pod\" ");
        Self::pod_ref(b, pod);
        b.extend_from_slice(b" podUID=\"");
        b.extend_from_slice(pod.uid.as_bytes());
        b.extend_from_slice(b"\" patch=\"{\\\"metadata\\\":{\\\"uid\\\":\\\"");
        b.extend_from_slice(pod.uid.as_bytes());
        b.extend_from_slice(b"\\\"},\\\"status\\\":{\\\"$setElementOrder/conditions\\\":[{\\\"type\\\":\\\"Initialized\\\"},{\\\"type\\\":\\\"Ready\\\"},{\\\"type\\\":\\\"ContainersReady\\\"},{\\\"type\\\":\\\"PodScheduled\\\"}],\\\"conditions\\\":[");
        let ready = rng.chance(3, 4);
        let since = t - rng.range(1, 120_000) as Ns * MS;
        for (i, ty) in ["Ready", "ContainersReady"].iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            b.extend_from_slice(b"{\\\"lastTransitionTime\\\":\\\"");
            text::rfc3339(b, since);
            if ready {
                b.extend_from_slice(b"\\\",\\\"message\\\":null,\\\"reason\\\":null,\\\"status\\\":\\\"True\\\",\\\"type\\\":\\\"");
            } else {
                b.extend_from_slice(b"\\\",\\\"message\\\":\\\"containers with unready status: [");
                b.extend_from_slice(pod.ctrs[0].name.as_bytes());
                b.extend_from_slice(b"]\\\",\\\"reason\\\":\\\"ContainersNotReady\\\",\\\"status\\\":\\\"False\\\",\\\"type\\\":\\\"");
            }
            b.extend_from_slice(ty.as_bytes());
            b.extend_from_slice(b"\\\"}");
        }
        b.extend_from_slice(b"],\\\"containerStatuses\\\":[");
        for (i, c) in pod.ctrs.iter().enumerate() {
            if i > 0 {
                b.push(b',');
            }
            let img = &self.cluster.images[c.image];
            b.extend_from_slice(b"{\\\"containerID\\\":\\\"containerd://");
            b.extend_from_slice(c.id.as_bytes());
            b.extend_from_slice(b"\\\",\\\"image\\\":\\\"");
            b.extend_from_slice(img.name.as_bytes());
            b.extend_from_slice(b"\\\",\\\"imageID\\\":\\\"");
            b.extend_from_slice(img.repo.as_bytes());
            b.extend_from_slice(b"@sha256:");
            b.extend_from_slice(img.digest.as_bytes());
            b.extend_from_slice(b"\\\",\\\"lastState\\\":{},\\\"name\\\":\\\"");
            b.extend_from_slice(c.name.as_bytes());
            b.extend_from_slice(b"\\\",\\\"ready\\\":");
            b.extend_from_slice(if ready { b"true" } else { b"false" });
            b.extend_from_slice(b",\\\"restartCount\\\":");
            num(b, rng.below(4));
            b.extend_from_slice(
                b",\\\"started\\\":true,\\\"state\\\":{\\\"running\\\":{\\\"startedAt\\\":\\\"",
            );
            text::rfc3339(b, since - rng.range(1, 30_000) as Ns * MS);
            b.extend_from_slice(b"\\\"}}}");
        }
        b.extend_from_slice(b"]}}\"\n");
    }

    fn pull_secret(&mut self, b: &mut Vec<u8>, t: Ns, p: usize, rng: &mut Rng) {
        self.head(b, t, b'E', "kubelet_pods.go:1085", rng);
        b.extend_from_slice(b"\"Unable to retrieve pull secret, the image pull may not succeed.\" ");
        Self::pod_ref(b, &self.pods[p]);
        b.extend_from_slice(b" secret=\"\" err=\"secret \\\"regcred\\\" not found\"\n");
    }

    fn orphans(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        self.head(b, t, b'I', "kubelet_volumes.go:161", rng);
        let mut u = Vec::with_capacity(36);
        uuid(&mut u, rng);
        b.extend_from_slice(b"\"Cleaned up orphaned pod volumes dir\" podUID=\"");
        b.extend_from_slice(&u);
        b.extend_from_slice(b"\" path=\"/var/lib/kubelet/pods/");
        b.extend_from_slice(&u);
        b.extend_from_slice(b"/volumes\"\n");
    }

    fn kill(&mut self, b: &mut Vec<u8>, t: Ns, p: usize, rng: &mut Rng) {
        self.head(b, t, b'I', "kuberuntime_container.go:745", rng);
        let pod = &self.pods[p];
        let c = rng.pick(&pod.ctrs);
        b.extend_from_slice(b"\"Killing container with a grace period\" ");
        Self::pod_ref(b, pod);
        b.extend_from_slice(b" podUID=\"");
        b.extend_from_slice(pod.uid.as_bytes());
        b.extend_from_slice(b"\" containerName=\"");
        b.extend_from_slice(c.name.as_bytes());
        b.extend_from_slice(b"\" containerID=\"containerd://");
        b.extend_from_slice(c.id.as_bytes());
        b.extend_from_slice(b"\" gracePeriod=");
        num(b, *rng.pick(&[30, 30, 30, 2, 60]));
        b.push(b'\n');
    }

    fn sys_stats(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        self.head(b, t, b'E', "summary_sys_containers.go:48", rng);
        let unit = *rng.pick(&[
            "/system.slice/containerd.service",
            "/system.slice/kubelet.service",
        ]);
        b.extend_from_slice(
            b"\"Failed to get system container stats\" err=\"failed to get cgroup stats for \\\"",
        );
        b.extend_from_slice(unit.as_bytes());
        b.extend_from_slice(b"\\\": failed to get container info for \\\"");
        b.extend_from_slice(unit.as_bytes());
        b.extend_from_slice(b"\\\": unknown container \\\"");
        b.extend_from_slice(unit.as_bytes());
        b.extend_from_slice(b"\\\"\" containerName=\"");
        b.extend_from_slice(unit.as_bytes());
        b.extend_from_slice(b"\"\n");
    }

    fn stale_state(&mut self, b: &mut Vec<u8>, t: Ns, p: usize, rng: &mut Rng) {
        let pod = &self.pods[p];
        let uid = pod.uid.clone();
        let ctr = rng.pick(&pod.ctrs).name.clone();
        let mut t = t;
        for (src, msg) in [
            ("cpu_manager.go:395", "RemoveStaleState: removing container"),
            ("state_mem.go:107", "Deleted CPUSet assignment"),
            ("memory_manager.go:354", "RemoveStaleState removing state"),
        ] {
            self.head(b, t, b'I', src, rng);
            t += rng.range(5, 80) as Ns * US;
            b.push(b'"');
            b.extend_from_slice(msg.as_bytes());
            b.extend_from_slice(b"\" podUID=\"");
            b.extend_from_slice(uid.as_bytes());
            b.extend_from_slice(b"\" containerName=\"");
            b.extend_from_slice(ctr.as_bytes());
            b.extend_from_slice(b"\"\n");
        }
    }

    /// A pod is deleted and its controller's replacement arrives (new name and UID).
    fn replace(&mut self, b: &mut Vec<u8>, t: Ns, p: usize, rng: &mut Rng) {
        let wi = self.pods[p].workload;
        let wl = &WORKLOADS[wi];
        if wl.kind == Kind::Static {
            return self.sync(b, t, p, rng);
        }
        let mut t = t;
        let old_ns = self.pods[p].ns;
        let old_name = self.pods[p].name.clone();
        for (src, op) in [("kubelet.go:2420", "DELETE"), ("kubelet.go:2414", "REMOVE")] {
            self.head(b, t, b'I', src, rng);
            b.extend_from_slice(b"\"SyncLoop ");
            b.extend_from_slice(op.as_bytes());
            b.extend_from_slice(b"\" source=\"api\" pods=[\"");
            b.extend_from_slice(old_ns.as_bytes());
            b.push(b'/');
            b.extend_from_slice(old_name.as_bytes());
            b.extend_from_slice(b"\"]\n");
            t += rng.range(1, 2000) as Ns * MS;
        }
        // The old pod's volume is torn down.
        let old = &self.pods[p];
        let (uid, vol) = (old.uid.clone(), old.vol.clone());
        self.head(b, t, b'I', "reconciler_common.go:172", rng);
        b.extend_from_slice(b"\"operationExecutor.UnmountVolume started for ");
        Self::volume(b, &self.pods[p], true);
        b.extend_from_slice(b"\"\n");
        t += rng.range(1, 60) as Ns * MS;
        self.head(b, t, b'I', "operation_generator.go:882", rng);
        b.extend_from_slice(b"UnmountVolume.TearDown succeeded for volume \"kubernetes.io/projected/");
        b.extend_from_slice(uid.as_bytes());
        b.extend_from_slice(b"-kube-api-access-");
        b.extend_from_slice(vol.as_bytes());
        b.extend_from_slice(b"\" (OuterVolumeSpecName: \"kube-api-access-");
        b.extend_from_slice(vol.as_bytes());
        b.extend_from_slice(b"\") pod \"");
        b.extend_from_slice(uid.as_bytes());
        b.extend_from_slice(b"\" (UID: \"");
        b.extend_from_slice(uid.as_bytes());
        b.extend_from_slice(b"\"). InnerVolumeSpecName \"kube-api-access-");
        b.extend_from_slice(vol.as_bytes());
        b.extend_from_slice(b"\". PluginName \"kubernetes.io/projected\", VolumeGidValue \"\"\n");
        // The replacement.
        let name = if wl.kind == Kind::StatefulSet {
            old_name
        } else {
            let node = self.cluster.nodes[self.node].name.clone();
            let mut ord = 0;
            pod_name(wl, &self.cluster.hashes[wi], &node, &mut ord, rng)
        };
        let ip_addr = self.pods[p].ip;
        self.pods[p] = new_pod(wi, name, ip_addr, rng);
        t += rng.range(100, 5000) as Ns * MS;
        self.head(b, t, b'I', "kubelet.go:2398", rng);
        b.extend_from_slice(b"\"SyncLoop ADD\" source=\"api\" pods=[\"");
        let pod = &self.pods[p];
        b.extend_from_slice(pod.ns.as_bytes());
        b.push(b'/');
        b.extend_from_slice(pod.name.as_bytes());
        b.extend_from_slice(b"\"]\n");
        t += rng.range(50, 900) as Ns * US;
        self.head(b, t, b'I', "topology_manager.go:215", rng);
        let pod = &self.pods[p];
        b.extend_from_slice(b"\"Topology Admit Handler\" podUID=\"");
        b.extend_from_slice(pod.uid.as_bytes());
        b.extend_from_slice(b"\" podNamespace=\"");
        b.extend_from_slice(pod.ns.as_bytes());
        b.extend_from_slice(b"\" podName=\"");
        b.extend_from_slice(pod.name.as_bytes());
        b.extend_from_slice(b"\"\n");
    }

    fn tls_eof(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        self.head(b, t, b'I', "log.go:194", rng);
        b.extend_from_slice(b"http: TLS handshake error from ");
        let n = rng.below(self.cluster.nodes.len() as u64) as usize;
        ip(b, self.cluster.nodes[n].ip);
        b.push(b':');
        text::port(b, rng);
        b.extend_from_slice(b": EOF\n");
    }

    fn node_event(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        self.head(b, t, b'I', "kubelet_node_status.go:679", rng);
        let ev = *rng.pick(&["NodeHasSufficientMemory", "NodeHasSufficientPID", "NodeReady"]);
        b.extend_from_slice(b"\"Recording event message for node\" node=\"");
        b.extend_from_slice(self.cluster.nodes[self.node].name.as_bytes());
        b.extend_from_slice(b"\" event=\"");
        b.extend_from_slice(ev.as_bytes());
        b.extend_from_slice(b"\"\n");
    }

    fn orphaned(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        self.head(b, t, b'E', "kubelet_volumes.go:263", rng);
        let i = rng.below(self.orphans.len() as u64) as usize;
        b.extend_from_slice(
            b"\"There were many similar errors. Turn up verbosity to see them.\" err=\"orphaned pod \\\"",
        );
        b.extend_from_slice(self.orphans[i].as_bytes());
        b.extend_from_slice(b"\\\" found, but error not a directory occurred when trying to remove the volumes dir\" numErrs=");
        num(b, self.orphans.len() as u64);
        b.push(b'\n');
    }

    /// The stuck pod's Secret volume cannot be mounted; the kubelet backs off and retries.
    fn secret_missing(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        let pod = &self.pods[self.stuck];
        let wl = WORKLOADS[pod.workload].name;
        let (ns, name, uid) = (pod.ns, pod.name.clone(), pod.uid.clone());
        self.head(b, t, b'E', "secret.go:194", rng);
        b.extend_from_slice(b"Couldn't get secret ");
        b.extend_from_slice(ns.as_bytes());
        b.push(b'/');
        b.extend_from_slice(wl.as_bytes());
        b.extend_from_slice(b"-tls: secret \"");
        b.extend_from_slice(wl.as_bytes());
        b.extend_from_slice(b"-tls\" not found\n");
        let t = t + rng.range(30, 900) as Ns * US;
        self.head(b, t, b'E', "nestedpendingoperations.go:348", rng);
        b.extend_from_slice(b"Operation for \"{volumeName:kubernetes.io/secret/");
        b.extend_from_slice(uid.as_bytes());
        b.extend_from_slice(b"-tls podName:");
        b.extend_from_slice(uid.as_bytes());
        b.extend_from_slice(b" nodeName:}\" failed. No retries permitted until ");
        let retry = t + 122 * SEC;
        text::go_time_nanos(b, retry);
        self.monotonic(b, retry);
        b.extend_from_slice(b" (durationBeforeRetry 2m2s). Error: MountVolume.SetUp failed for volume \"tls\" (UniqueName: \"kubernetes.io/secret/");
        b.extend_from_slice(uid.as_bytes());
        b.extend_from_slice(b"-tls\") pod \"");
        b.extend_from_slice(name.as_bytes());
        b.extend_from_slice(b"\" (UID: \"");
        b.extend_from_slice(uid.as_bytes());
        b.extend_from_slice(b"\") : secret \"");
        b.extend_from_slice(wl.as_bytes());
        b.extend_from_slice(b"-tls\" not found\n");
    }

    fn log_stats(&mut self, b: &mut Vec<u8>, t: Ns, p: usize, rng: &mut Rng) {
        self.head(b, t, b'E', "cri_stats_provider.go:643", rng);
        let pod = &self.pods[p];
        let c = rng.pick(&pod.ctrs);
        b.extend_from_slice(
            b"\"Unable to fetch container log stats\" err=\"failed to get fsstats for \\\"/var/log/pods/",
        );
        b.extend_from_slice(pod.ns.as_bytes());
        b.push(b'_');
        b.extend_from_slice(pod.name.as_bytes());
        b.push(b'_');
        b.extend_from_slice(pod.uid.as_bytes());
        b.push(b'/');
        b.extend_from_slice(c.name.as_bytes());
        b.extend_from_slice(b"/0.log\\\": no such file or directory\" containerName=\"");
        b.extend_from_slice(c.name.as_bytes());
        b.extend_from_slice(b"\"\n");
    }

    fn inotify(&mut self, b: &mut Vec<u8>, t: Ns, p: usize, rng: &mut Rng) {
        self.head(b, t, b'W', "watcher.go:93", rng);
        let pod = &self.pods[p];
        let id = rng.pick(&pod.ctrs).id.clone();
        let mut path = Vec::with_capacity(200);
        path.extend_from_slice(b"/sys/fs/cgroup");
        Self::cgroup(&mut path, pod, &id);
        b.extend_from_slice(b"Error while processing event (\"");
        b.extend_from_slice(&path);
        b.extend_from_slice(b"\": 0x40000100 == IN_CREATE|IN_ISDIR): inotify_add_watch ");
        b.extend_from_slice(&path);
        b.extend_from_slice(b": no such file or directory\n");
    }

    fn lease(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        self.head(b, t, b'I', "round_trippers.go:553", rng);
        let node = self.cluster.nodes[self.node].name.clone();
        let (verb, path, code) = *rng.pick(&[
            (
                "PUT",
                "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/",
                "200 OK",
            ),
            ("GET", "/api/v1/nodes/", "200 OK"),
            ("PATCH", "/api/v1/nodes/", "200 OK"),
        ]);
        b.extend_from_slice(verb.as_bytes());
        b.extend_from_slice(b" https://10.0.0.10:6443");
        b.extend_from_slice(path.as_bytes());
        b.extend_from_slice(node.as_bytes());
        if verb == "PATCH" {
            b.extend_from_slice(b"/status");
        }
        b.extend_from_slice(b"?timeout=10s ");
        b.extend_from_slice(code.as_bytes());
        b.extend_from_slice(b" in ");
        num(b, rng.latency(6.0, 0.7) / 1000 + 1);
        b.extend_from_slice(b" milliseconds\n");
    }

    /// One of the fault lines the catalogue's log rules match, in the kubelet's own words.
    fn fault(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        let node = self.cluster.nodes[self.node].name.clone();
        match rng.below(4) {
            0 => {
                self.head(b, t, b'E', "kubelet_node_status.go:96", rng);
                b.extend_from_slice(b"\"Unable to register node with API server\" err=\"Post \\\"https://10.0.0.10:6443/api/v1/nodes\\\": x509: certificate has expired or is not yet valid: current time ");
                text::rfc3339(b, t);
                b.extend_from_slice(b" is after 2026-11-18T00:00:00Z\" node=\"");
                b.extend_from_slice(node.as_bytes());
                b.extend_from_slice(b"\"\n");
            }
            1 => {
                self.head(b, t, b'E', "remote_runtime.go:193", rng);
                b.extend_from_slice(b"\"RunPodSandbox from runtime service failed\" err=\"rpc error: code = Unknown desc = failed to setup network for sandbox \\\"");
                hex(b, rng, 64);
                b.extend_from_slice(b"\\\": plugin type=\\\"flannel\\\" failed (add): loadFlannelSubnetEnv failed: open /run/flannel/subnet.env: no such file or directory\"\n");
            }
            2 => {
                self.head(b, t, b'E', "kubelet.go:2855", rng);
                b.extend_from_slice(b"\"Container runtime network not ready\" networkReady=\"NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized\"\n");
            }
            _ => {
                self.head(b, t, b'E', "reflector.go:147", rng);
                b.extend_from_slice(b"k8s.io/client-go/informers/factory.go:150: Failed to watch *v1.Node: failed to list *v1.Node: Get \"https://10.0.0.10:6443/api/v1/nodes?fieldSelector=metadata.name%3D");
                b.extend_from_slice(node.as_bytes());
                b.extend_from_slice(b"&limit=500&resourceVersion=0\": x509: certificate signed by unknown authority (possibly because of \"crypto/rsa: verification error\" while trying to verify candidate authority certificate \"kubernetes\")\n");
            }
        }
    }
}
