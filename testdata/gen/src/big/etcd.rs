//! One node's etcd 3.5.6 container log: zap JSON (`level`, `ts` in milliseconds as before
//! 3.5.8, `caller`, `msg`, fields) in CRI lines on stderr. Request traces (`trace[N] range`,
//! `transaction`, `linearizableReadLoop`) and `request stats` of expensive reads, in bursts
//! when the disk stalls; the periodic compaction (every five minutes) and raft snapshots
//! (every 10,000 applied entries); for most of the day the last node is cut off, so its
//! peers' probers time out and it keeps asking for pre-votes; rarely a peer prober's TLS
//! failure, which the catalogue's certificate rules match.

use super::text::{self, MS, Ns, Rng, US, go_dur, ip, num};
use super::world::{Cluster, object_name};

/// One event in this many is a fault line: about one per 800 KiB of log, as many per
/// file as the earlier generator wrote (about 25 in a 21 MiB file).
const FAULT_EVERY: u64 = 900;

const RESOURCES: &[&str] = &[
    "pods",
    "leases",
    "events",
    "configmaps",
    "secrets",
    "services/endpoints",
    "endpointslices",
    "minions",
    "replicasets",
    "deployments",
    "serviceaccounts",
    "masterleases",
    "apiregistration.k8s.io/apiservices",
    "flowschemas",
    "prioritylevelconfigurations",
];

/// The etcd log's generator state.
pub struct Etcd<'a> {
    cluster: &'a Cluster,
    node: usize,
    /// The container runtime's time of the previous line.
    cri: Ns,
    /// MVCC revision.
    rev: u64,
    /// Raft applied index.
    applied: u64,
    /// Index of the last snapshot.
    snapshot: u64,
    next_compaction: Ns,
    /// Revision of the last compaction.
    compacted: u64,
    db_bytes: u64,
    /// Raft term (of the snapshot files' names, and of the cut-off member's elections).
    snap_term: u64,
    /// The latest line's time.
    last: Ns,
    /// Source ports of the apiserver's gRPC connections to this member.
    clients: [u16; 3],
    /// While the last node is cut off from its peers, both sides' probers complain.
    outage: (Ns, Ns),
    /// The cut-off member's last log index (it cannot commit while cut off).
    outage_index: u64,
}

impl<'a> Etcd<'a> {
    /// The etcd member on node `node`; logs run from `start` to `end`.
    pub fn new(cluster: &'a Cluster, node: usize, start: Ns, end: Ns, rng: &mut Rng) -> Self {
        let span = end - start;
        let rev = rng.range(4_000_000, 9_000_000);
        let applied = rng.range(20_000_000, 60_000_000);
        Etcd {
            cluster,
            node,
            cri: 0,
            rev,
            applied,
            snapshot: applied - rng.below(10_000),
            next_compaction: start + rng.range(1, 300_000) as Ns * MS,
            compacted: rev - rng.range(2_000, 20_000),
            db_bytes: rng.range(40 << 20, 400 << 20),
            snap_term: rng.range(2, 40),
            last: start,
            clients: [0; 3].map(|_| rng.range(32768, 60999) as u16),
            outage: (start + span / 100 * 20, start + span / 100 * 90),
            outage_index: applied + rng.range(100_000, 900_000),
        }
    }

    /// Starts a line: CRI prefix and the zap fields every message has.
    /// The time of the latest line written (the next event starts no earlier).
    pub fn last(&self) -> Ns {
        self.last
    }

    fn head(&mut self, b: &mut Vec<u8>, t: Ns, level: &str, caller: &str, rng: &mut Rng) {
        self.last = self.last.max(t);
        self.cri = self.cri.max(t + rng.range(5_000, 300_000) as Ns) + rng.range(1, 999) as Ns;
        text::rfc3339_nano(b, self.cri);
        b.extend_from_slice(b" stderr F {\"level\":\"");
        b.extend_from_slice(level.as_bytes());
        b.extend_from_slice(b"\",\"ts\":\"");
        text::zap(b, t);
        b.extend_from_slice(b"\",\"caller\":\"");
        b.extend_from_slice(caller.as_bytes());
        b.extend_from_slice(b"\",\"msg\":\"");
    }

    fn member_id(&self) -> &str {
        &self.cluster.nodes[self.node].member_id
    }

    /// Writes one event (a line, or the lines of a compaction or a snapshot).
    pub fn event(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        self.rev += rng.range(1, 25);
        self.applied += rng.range(1, 30);
        if t >= self.next_compaction {
            self.next_compaction += 300 * 1_000 * MS + rng.range(0, 2_000) as Ns * MS;
            return self.compaction(b, t, rng);
        }
        if self.applied >= self.snapshot + 10_000 {
            return self.snapshot(b, t, rng);
        }
        if rng.chance(1, FAULT_EVERY) {
            return self.fault(b, t, rng);
        }
        // While the last node is cut off, more than half of what each member logs is about it.
        if (self.outage.0..self.outage.1).contains(&t) && rng.chance(90, 157) {
            return self.unreachable(b, t, rng);
        }
        // The disk stalls for a moment: every request waiting on it finishes late together,
        // each logging a trace of about the same length.
        let stall = 100_000_000 + rng.latency(40e6, 1.0);
        let mut end = t;
        for _ in 0..1 + rng.skewed(8) {
            let dur = stall + (end - t) as u64 + rng.range(0, 2_000_000);
            match rng.mix(&[(0, 30), (1, 18), (2, 7), (3, 12)]) {
                0 => self.range(b, end, dur, rng),
                1 => self.txn(b, end, dur, rng),
                2 => self.read_loop(b, end, dur, rng),
                _ => self.stats(b, end, dur, rng),
            }
            end += rng.range(20, 900) as Ns * US;
        }
    }

    /// A key the apiserver reads or writes: `/registry/pods/shop/web-…`.
    fn key(&self, b: &mut Vec<u8>, rng: &mut Rng) -> &'static str {
        let res = *rng.pick(RESOURCES);
        b.extend_from_slice(b"/registry/");
        b.extend_from_slice(res.as_bytes());
        b.push(b'/');
        let n = rng.below(self.cluster.nodes.len() as u64) as usize;
        let pod = rng.pick(&self.cluster.pods[n]);
        match res {
            "minions" => b.extend_from_slice(self.cluster.nodes[n].name.as_bytes()),
            "masterleases" => ip(b, self.cluster.nodes[n].ip),
            "leases" => {
                if rng.chance(2, 3) {
                    b.extend_from_slice(b"kube-node-lease/");
                    b.extend_from_slice(self.cluster.nodes[n].name.as_bytes());
                } else {
                    b.extend_from_slice(
                        rng.pick(&[
                            "kube-system/kube-controller-manager",
                            "kube-system/kube-scheduler",
                        ])
                        .as_bytes(),
                    );
                }
            }
            "apiregistration.k8s.io/apiservices" => b.extend_from_slice(
                rng.pick(&["v1beta1.metrics.k8s.io", "v1.apps", "v1.batch"])
                    .as_bytes(),
            ),
            "flowschemas" | "prioritylevelconfigurations" => b.extend_from_slice(
                rng.pick(&["system-nodes", "workload-high", "exempt", "global-default"])
                    .as_bytes(),
            ),
            "events" => {
                b.extend_from_slice(pod.ns.as_bytes());
                b.push(b'/');
                b.extend_from_slice(pod.name.as_bytes());
                b.push(b'.');
                text::hex(b, rng, 16);
            }
            _ => {
                b.extend_from_slice(pod.ns.as_bytes());
                b.push(b'/');
                b.extend_from_slice(object_name(self.cluster, pod, res).as_bytes());
            }
        }
        res
    }

    fn span(&self, b: &mut Vec<u8>, t: Ns, dur: u64) {
        b.extend_from_slice(b"\",\"duration\":\"");
        go_dur(b, dur);
        b.extend_from_slice(b"\",\"start\":\"");
        text::zap(b, t - dur as Ns);
        b.extend_from_slice(b"\",\"end\":\"");
        text::zap(b, t);
        b.extend_from_slice(b"\",\"steps\":[");
    }

    fn step(b: &mut Vec<u8>, id: u64, first: bool, what: &str, dur: u64) {
        if !first {
            b.push(b',');
        }
        b.extend_from_slice(b"\"trace[");
        num(b, id);
        b.extend_from_slice(b"] '");
        b.extend_from_slice(what.as_bytes());
        b.extend_from_slice(b"'  (duration: ");
        go_dur(b, dur);
        b.extend_from_slice(b")\"");
    }

    fn range(&mut self, b: &mut Vec<u8>, t: Ns, dur: u64, rng: &mut Rng) {
        let id = rng.range(100_000_000, 4_294_967_295);
        self.head(b, t, "info", "traceutil/trace.go:171", rng);
        b.extend_from_slice(b"trace[");
        num(b, id);
        b.extend_from_slice(b"] range\",\"detail\":\"{range_begin:");
        let list = rng.chance(1, 4);
        let mut key = Vec::with_capacity(80);
        let res = self.key(&mut key, rng);
        if list {
            b.extend_from_slice(b"/registry/");
            b.extend_from_slice(res.as_bytes());
            b.extend_from_slice(b"/; range_end:/registry/");
            b.extend_from_slice(res.as_bytes());
            b.extend_from_slice(b"0; ");
            if rng.chance(1, 2) {
                b.extend_from_slice(b"limit:500; ");
            }
        } else {
            b.extend_from_slice(&key);
            b.extend_from_slice(b"; range_end:; ");
        }
        b.extend_from_slice(b"response_count:");
        num(b, if list { rng.range(0, 500) } else { rng.below(2) });
        b.extend_from_slice(b"; response_revision:");
        num(b, self.rev);
        b.extend_from_slice(b"; }");
        self.span(b, t, dur);
        let agree = dur - rng.range(20_000, 2_000_000);
        Self::step(
            b,
            id,
            true,
            "agreement among raft nodes before linearized reading",
            agree,
        );
        let mut n = 1;
        if rng.chance(1, 2) {
            Self::step(
                b,
                id,
                false,
                "range keys from in-memory index tree",
                rng.range(5_000, 900_000),
            );
            n += 1;
        }
        if list {
            Self::step(
                b,
                id,
                false,
                "range keys from bolt db",
                rng.range(100_000, 9_000_000),
            );
            Self::step(
                b,
                id,
                false,
                "filter and sort the key-value pairs",
                rng.range(10_000, 900_000),
            );
            n += 2;
        }
        b.extend_from_slice(b"],\"step_count\":");
        num(b, n);
        b.extend_from_slice(b"}\n");
    }

    fn txn(&mut self, b: &mut Vec<u8>, t: Ns, dur: u64, rng: &mut Rng) {
        let id = rng.range(100_000_000, 4_294_967_295);
        self.head(b, t, "info", "traceutil/trace.go:171", rng);
        b.extend_from_slice(b"trace[");
        num(b, id);
        b.extend_from_slice(b"] transaction\",\"detail\":\"{read_only:false; response_revision:");
        num(b, self.rev);
        b.extend_from_slice(b"; number_of_response:1; }");
        self.span(b, t, dur);
        let raft = dur - rng.range(50_000, 30_000_000);
        Self::step(b, id, true, "process raft request", raft);
        Self::step(b, id, false, "compare", rng.range(10_000, 30_000_000));
        b.extend_from_slice(b"],\"step_count\":2}\n");
    }

    fn read_loop(&mut self, b: &mut Vec<u8>, t: Ns, dur: u64, rng: &mut Rng) {
        let id = rng.range(100_000_000, 4_294_967_295);
        self.head(b, t, "info", "traceutil/trace.go:171", rng);
        b.extend_from_slice(b"trace[");
        num(b, id);
        b.extend_from_slice(b"] linearizableReadLoop\",\"detail\":\"");
        self.span(b, t, dur);
        let first = dur - rng.range(5_000, 900_000);
        Self::step(b, id, true, "read index received", first);
        Self::step(
            b,
            id,
            false,
            "applied index is now lower than readState.Index",
            dur - first,
        );
        b.extend_from_slice(b"],\"step_count\":2}\n");
    }

    fn stats(&mut self, b: &mut Vec<u8>, t: Ns, dur: u64, rng: &mut Rng) {
        self.head(b, t, "warn", "v3rpc/interceptor.go:197", rng);
        let res = *rng.pick(&["pods", "events", "secrets", "configmaps", "replicasets", "leases"]);
        let count = rng.range(20, 2000);
        b.extend_from_slice(b"request stats\",\"start time\":\"");
        text::zap(b, t - dur as Ns);
        b.extend_from_slice(b"\",\"time spent\":\"");
        go_dur(b, dur);
        b.extend_from_slice(b"\",\"remote\":\"127.0.0.1:");
        num(b, u64::from(*rng.pick(&self.clients)));
        b.extend_from_slice(
            b"\",\"response type\":\"/etcdserverpb.KV/Range\",\"request count\":0,\"request size\":",
        );
        num(b, 40 + 2 * res.len() as u64 + rng.below(8));
        b.extend_from_slice(b",\"response count\":");
        num(b, count);
        b.extend_from_slice(b",\"response size\":");
        num(b, count * rng.range(900, 6000));
        b.extend_from_slice(b",\"request content\":\"key:\\\"/registry/");
        b.extend_from_slice(res.as_bytes());
        b.extend_from_slice(b"/\\\" range_end:\\\"/registry/");
        b.extend_from_slice(res.as_bytes());
        b.extend_from_slice(b"0\\\" limit:500 \"}\n");
    }

    fn compaction(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        let prev = self.compacted;
        self.compacted = self.rev - rng.range(100, 3000);
        self.db_bytes = (self.db_bytes + rng.range(0, 4 << 20)).saturating_sub(rng.range(0, 4 << 20));
        self.head(b, t, "info", "mvcc/index.go:214", rng);
        b.extend_from_slice(b"compact tree index\",\"revision\":");
        num(b, self.compacted);
        b.extend_from_slice(b"}\n");
        let took = rng.latency(45e6, 0.5);
        let t = t + took as Ns;
        let hash = rng.below(1 << 32);
        self.head(b, t, "info", "mvcc/kvstore_compaction.go:66", rng);
        b.extend_from_slice(b"finished scheduled compaction\",\"compact-revision\":");
        num(b, self.compacted);
        b.extend_from_slice(b",\"took\":\"");
        go_dur(b, took);
        b.extend_from_slice(b"\",\"hash\":");
        num(b, hash);
        b.extend_from_slice(b",\"current-db-size-bytes\":");
        num(b, self.db_bytes);
        b.extend_from_slice(b",\"current-db-size\":\"");
        mb(b, self.db_bytes);
        let in_use = self.db_bytes / 100 * rng.range(35, 80);
        b.extend_from_slice(b"\",\"current-db-size-in-use-bytes\":");
        num(b, in_use);
        b.extend_from_slice(b",\"current-db-size-in-use\":\"");
        mb(b, in_use);
        b.extend_from_slice(b"\"}\n");
        self.head(
            b,
            t + rng.range(5, 200) as Ns * US,
            "info",
            "mvcc/hash.go:137",
            rng,
        );
        b.extend_from_slice(b"storing new hash\",\"hash\":");
        num(b, hash);
        b.extend_from_slice(b",\"revision\":");
        num(b, self.compacted);
        b.extend_from_slice(b",\"compact-revision\":");
        num(b, prev);
        b.extend_from_slice(b"}\n");
    }

    fn snapshot(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        let old = self.snapshot;
        self.snapshot = self.applied;
        let id = self.member_id().to_string();
        self.head(b, t, "info", "etcdserver/server.go:1395", rng);
        b.extend_from_slice(b"triggering snapshot\",\"local-member-id\":\"");
        b.extend_from_slice(id.as_bytes());
        b.extend_from_slice(b"\",\"local-member-applied-index\":");
        num(b, self.applied);
        b.extend_from_slice(b",\"local-member-snapshot-index\":");
        num(b, old);
        b.extend_from_slice(b",\"local-member-snapshot-count\":10000}\n");
        let t = t + rng.range(2, 40) as Ns * MS;
        self.head(b, t, "info", "etcdserver/server.go:2413", rng);
        b.extend_from_slice(b"saved snapshot\",\"snapshot-index\":");
        num(b, self.applied);
        b.extend_from_slice(b"}\n");
        let t = t + rng.range(50, 900) as Ns * US;
        self.head(b, t, "info", "etcdserver/server.go:2443", rng);
        b.extend_from_slice(b"compacted Raft logs\",\"compact-index\":");
        num(b, self.applied - 5000);
        b.extend_from_slice(b"}\n");
        if rng.chance(1, 2) {
            let t = t + rng.range(1, 30) as Ns * 1_000 * MS;
            self.head(b, t, "info", "fileutil/purge.go:85", rng);
            b.extend_from_slice(b"purged\",\"path\":\"/var/lib/etcd/member/snap/");
            hex16(b, self.snap_term);
            b.push(b'-');
            hex16(b, old.saturating_sub(50_000));
            b.extend_from_slice(b".snap\"}\n");
        }
    }

    /// The prober cannot reach a peer across the partition (every few seconds per peer and
    /// round tripper while it lasts).
    fn unreachable(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        let last = self.cluster.nodes.len() - 1;
        if self.node == last && rng.chance(1, 2) {
            return self.pre_vote(b, t, rng);
        }
        let peer = if self.node == last {
            rng.below(last as u64) as usize
        } else {
            last
        };
        let (id, addr) = (
            self.cluster.nodes[peer].member_id.clone(),
            self.cluster.nodes[peer].ip,
        );
        self.head(b, t, "warn", "rafthttp/probing_status.go:68", rng);
        b.extend_from_slice(b"prober detected unhealthy status\",\"round-tripper-name\":\"");
        b.extend_from_slice(
            rng.pick(&["ROUND_TRIPPER_RAFT_MESSAGE", "ROUND_TRIPPER_SNAPSHOT"])
                .as_bytes(),
        );
        b.extend_from_slice(b"\",\"remote-peer-id\":\"");
        b.extend_from_slice(id.as_bytes());
        b.extend_from_slice(b"\",\"rtt\":\"");
        go_dur(b, rng.latency(1.2e6, 0.4));
        b.extend_from_slice(b"\",\"error\":\"dial tcp ");
        ip(b, addr);
        b.extend_from_slice(b":2380: i/o timeout\"}\n");
    }

    /// The cut-off member's election timer fires: it asks its peers for a pre-vote, which
    /// never arrives, so its term and log stay where they were.
    fn pre_vote(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        let me = self.member_id().to_string();
        let term = self.snap_term + 1;
        let index = self.outage_index;
        let peers: Vec<String> = (0..self.cluster.nodes.len())
            .filter(|n| *n != self.node)
            .map(|n| self.cluster.nodes[n].member_id.clone())
            .collect();
        let mut t = t;
        let raft = |s: &mut Self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng| {
            s.last = s.last.max(t);
            s.cri = s.cri.max(t + rng.range(5_000, 300_000) as Ns) + rng.range(1, 999) as Ns;
            text::rfc3339_nano(b, s.cri);
            b.extend_from_slice(b" stderr F {\"level\":\"info\",\"ts\":\"");
            text::zap(b, t);
            b.extend_from_slice(
                b"\",\"logger\":\"raft\",\"caller\":\"etcdserver/zap_raft.go:77\",\"msg\":\"",
            );
            b.extend_from_slice(me.as_bytes());
        };
        raft(self, b, t, rng);
        b.extend_from_slice(b" is starting a new election at term ");
        num(b, term);
        b.extend_from_slice(b"\"}\n");
        t += rng.range(2, 60) as Ns * US;
        raft(self, b, t, rng);
        b.extend_from_slice(b" became pre-candidate at term ");
        num(b, term);
        b.extend_from_slice(b"\"}\n");
        for peer in &peers {
            t += rng.range(2, 60) as Ns * US;
            raft(self, b, t, rng);
            b.extend_from_slice(b" [logterm: ");
            num(b, term);
            b.extend_from_slice(b", index: ");
            num(b, index);
            b.extend_from_slice(b"] sent MsgPreVote request to ");
            b.extend_from_slice(peer.as_bytes());
            b.extend_from_slice(b" at term ");
            num(b, term);
            b.extend_from_slice(b"\"}\n");
        }
    }

    /// A peer's certificate is rejected by this member's prober (expired, or signed by a CA
    /// this member does not trust).
    fn fault(&mut self, b: &mut Vec<u8>, t: Ns, rng: &mut Rng) {
        let peers: Vec<usize> = (0..self.cluster.nodes.len())
            .filter(|n| *n != self.node)
            .collect();
        let peer = peers
            .get(rng.below(peers.len() as u64) as usize)
            .copied()
            .unwrap_or(0);
        let peer_id = self.cluster.nodes[peer].member_id.clone();
        self.head(b, t, "warn", "rafthttp/probing_status.go:68", rng);
        b.extend_from_slice(b"prober detected unhealthy status\",\"round-tripper-name\":\"");
        b.extend_from_slice(
            rng.pick(&["ROUND_TRIPPER_RAFT_MESSAGE", "ROUND_TRIPPER_SNAPSHOT"])
                .as_bytes(),
        );
        b.extend_from_slice(b"\",\"remote-peer-id\":\"");
        b.extend_from_slice(peer_id.as_bytes());
        b.extend_from_slice(b"\",\"rtt\":\"0s\",\"error\":\"tls: failed to verify certificate: ");
        if rng.chance(1, 2) {
            b.extend_from_slice(b"x509: certificate has expired or is not yet valid: current time ");
            text::rfc3339(b, t);
            b.extend_from_slice(b" is after 2026-11-18T00:00:00Z\"}\n");
        } else {
            b.extend_from_slice(b"x509: certificate signed by unknown authority (possibly because of \\\"crypto/rsa: verification error\\\" while trying to verify candidate authority certificate \\\"etcd-ca\\\")\"}\n");
        }
    }
}

/// `%016x`.
fn hex16(b: &mut Vec<u8>, v: u64) {
    for i in (0..16).rev() {
        b.push(b"0123456789abcdef"[((v >> (i * 4)) & 15) as usize]);
    }
}

/// humanize.Bytes as etcd prints sizes: `123 MB`, `8.2 MB`.
fn mb(b: &mut Vec<u8>, bytes: u64) {
    let tenths = bytes / 100_000;
    if tenths >= 1000 {
        num(b, tenths / 10);
    } else {
        num(b, tenths / 10);
        b.push(b'.');
        num(b, tenths % 10);
    }
    b.extend_from_slice(b" MB");
}
