//! Builds a [`Snapshot`] from a source: streams the bundle once, scans logs as they pass,
//! parses the small structured artifacts in parallel, decodes the key material, completes the
//! PKI (pairs, signatures, trust edges), then indexes everything. The stage above the
//! snapshot, the log scanner and the PKI: it drives them, and the snapshot it returns is not
//! changed after.
//!
//! Log files get a size but no SHA-256 (hashing them would cost as much as scanning them);
//! every other regular file is hashed. A directory input's logs are scanned after the walk,
//! several at once; an archive's logs are scanned as they stream out of the decompressor.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Cursor, Read};
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::artifact::{self, ArtifactKind, InputProblem, Parsed};
use crate::bundle::{self, Entry, EntryKind, Limits, layout};
use crate::catalog::Catalog;
use crate::logscan::LogSummary;
use crate::model::Stats;
use crate::pki::Fingerprint;
mod decode;
mod logfeed;

use crate::snapshot::{
    EnvFile, FileInfo, KubeletConfigRecord, Snapshot, decide_capture_time, decide_from, sources,
};
use crate::{Error, Options};
use decode::Decoded;
use logfeed::{LogFeed, merge};

/// Reads `source` (directory, `.tar`, `.tar.gz`) into a snapshot.
pub fn from_source(
    source: &Path,
    catalog: &Catalog,
    opts: &Options,
    stats: &mut Stats,
) -> Result<Snapshot, Error> {
    let started = Instant::now();
    let feed = LogFeed::new(catalog, &opts.limits);
    let mut stream = Stream::new(&opts.limits, &feed);
    let outcome = bundle::read(source, &opts.limits, opts.progress, &mut |e| {
        stream.entry(e);
        Ok(())
    })?;
    // Directory inputs: the logs were deferred; scan several at once.
    let deferred = std::mem::take(&mut stream.deferred);
    let scanned: Vec<(String, Result<LogSummary, String>)> = deferred
        .par_iter()
        .map(|(path, disk, node)| {
            let result = outcome
                .budget
                .open(disk)
                .and_then(|mut f| {
                    let mut r = StopOnError::new(&mut f);
                    let s = feed.scan(path, *node, &mut r);
                    match r.error {
                        Some(e) => Err(e),
                        None => s,
                    }
                })
                .map_err(|e| format!("log read failed: {}", e.to_string().to_lowercase()));
            (path.clone(), result)
        })
        .collect();
    for (path, result) in scanned {
        match result {
            Ok(s) => {
                stream.logs.insert(path, s);
            }
            Err(e) => stream.problems.push(InputProblem::new(path, e)),
        }
    }
    stats.read = started.elapsed();
    stats.scan = feed.busy();
    stats.bytes_read = outcome.budget.disk_bytes();
    stats.bytes_unpacked = outcome.budget.unpacked_bytes();
    stats.entries = outcome.entries;

    let parse_started = Instant::now();
    let mut snap = Snapshot::empty(
        source.display().to_string(),
        decide_capture_time(opts.now, None, None),
    );
    snap.problems = outcome.problems;
    snap.cut = outcome.cut;
    snap.problems.append(&mut stream.problems);
    let buffered: Vec<(String, Buffered)> = std::mem::take(&mut stream.buffered).into_iter().collect();
    // Small entries parse in parallel (and hash there: a dump's SHA-256 is no work for the
    // streaming thread), each buffer freed once parsed; large ones were parsed one at a time
    // as they streamed. Then each distinct certificate or key block decodes once, in parallel.
    let parsed: Vec<(String, Parsed, Fingerprint)> = buffered
        .into_par_iter()
        .map(|(path, b)| match b {
            Buffered::Raw { data, kind } => {
                let p = artifact::parse(&path, &data, kind);
                let fp = Fingerprint::of(&data);
                (path, p, fp)
            }
            Buffered::Parsed(p, fp) => (path, *p, fp),
        })
        .collect();
    let mut decoded = {
        let materials: Vec<&[artifact::Material]> =
            parsed.iter().map(|(_, p, _)| p.material.as_slice()).collect();
        decode::decode(&materials)
    };

    let hostnames: BTreeMap<String, String> = parsed
        .iter()
        .filter_map(|(p, x, _)| x.hostname.clone().map(|h| (p.clone(), h)))
        .collect();
    snap.nodes = layout::nodes(stream.files.keys().map(String::as_str), &hostnames);
    snap.files = std::mem::take(&mut stream.files);
    let reported: std::collections::BTreeSet<&str> = snap.problems.iter().map(|p| p.path.as_str()).collect();
    let dangling = crate::snapshot::links::dangling(&snap, &reported);
    snap.problems.extend(dangling);
    let log_paths: Vec<String> = stream.logs.keys().cloned().collect();
    let paths: Vec<String> = snap.files.keys().cloned().collect();
    for path in paths {
        let node = if log_paths.binary_search(&path).is_ok() {
            log_node(&snap, &path)
        } else {
            snap.node_of(&path)
        };
        if let Some(f) = snap.files.get_mut(&path) {
            f.node = node;
        }
    }
    let recorded: Vec<(time::OffsetDateTime, String)> = parsed
        .iter()
        .filter_map(|(path, p, _)| p.collected_at.map(|t| (t, path.clone())))
        // A file named `timestamp` dates the bundle only at a must-gather root (hostile
        // round 3, M1: one in `var/lib/kubelet/` back-dated the capture).
        .filter(|(_, path)| {
            !crate::bundle::mustgather::is_timestamp(path)
                || crate::bundle::mustgather::at_root(&snap.files, path)
        })
        .collect();
    for (entry, (path, p, sha256)) in parsed.into_iter().enumerate() {
        if let Some(f) = snap.files.get_mut(&path) {
            f.sha256 = Some(sha256);
        }
        assemble(&mut snap, &path, p, &mut decoded, entry);
    }
    sources::describe(&mut snap, opts.layout);
    stats.parse = parse_started.elapsed();

    let pki_started = Instant::now();
    crate::facts::complete(&mut snap);
    stats.pki = pki_started.elapsed();

    // Logs: merge per-file summaries in path order (deterministic), then events.
    let mut logs = LogSummary::default();
    let pod_nodes = pod_nodes(&snap);
    for (path, mut s) in std::mem::take(&mut stream.logs) {
        // A log's hits carry the node that owns its path, decided now that every node root
        // is known (a `<node>/logs/…` file may stream before the node's marker folders).
        // A static pod's log is its node's, whichever node's archive holds the copy (Rancher's
        // collector puts every kube-system pod's `kubectl logs` in every node's archive).
        let node = static_pod_node(&snap, &path).or_else(|| log_node(&snap, &path));
        s.place(node);
        // A dumped pod's log (must-gather, cluster-info dump) is the log of the node the pod
        // ran on, when the pod's dump names it.
        if node.is_none() {
            if let Some(p) = crate::logscan::component::pod_of(&path) {
                s.place_on_host(dumped_pod_node(&pod_nodes, p).or_else(|| static_pod_host(&path)));
            } else if let Some(host) = static_pod_host(&path) {
                s.place_on_host(Some(host));
            }
        }
        if s.long_lines > 0 {
            let (n, limit) = (s.long_lines, opts.limits.max_line_bytes);
            snap.problems.push(InputProblem::new(
                path.clone(),
                format!("{n} line(s) longer than max_line_bytes ({limit} bytes); only their first {limit} bytes were matched"),
            ));
        }
        // A node's own file is that node's whatever hosts it names: the cap then hides nothing.
        if s.hosts_over_cap > 0 && node.is_none() {
            snap.problems.push(InputProblem::new(
                path.clone(),
                format!(
                    "{} more journal host(s) past the first {} in this file: their lines were read as no \
                     host's, so findings of those hosts are not shown",
                    s.hosts_over_cap,
                    crate::logscan::MAX_HOSTS
                ),
            ));
        }
        merge(&mut logs, s);
    }
    merge(&mut logs, feed.events(&snap.events));
    for h in &mut logs.hits {
        h.paths.sort();
        h.paths.dedup();
    }
    logs.hits
        .sort_by(|a, b| (&a.rule, a.node, &a.component).cmp(&(&b.rule, b.node, &b.component)));
    let newest_mtime = stream
        .newest_mtime
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok());
    let evidence = crate::snapshot::TimeEvidence {
        metadata: sources::metadata_time(&snap, recorded),
        newest_log: logs.newest.zip(logs.newest_from.clone()),
        yearless_log: logs
            .newest_yearless
            .clone()
            .and_then(|(y, from)| newest_mtime.and_then(|m| y.resolve(m)).map(|t| (t, from))),
        newest_mtime,
    };
    (snap.captured_at, snap.captured_from) = decide_from(opts.now, &evidence);
    if let (None, Some(why), Some((_, from))) = (
        opts.now,
        crate::snapshot::contradicted_metadata(&evidence),
        &evidence.metadata,
    ) {
        let path = from.strip_prefix("the folder name ").unwrap_or(from);
        snap.problems.push(InputProblem::new(path, why));
    }
    if let (None, Some((path, why))) = (opts.now, crate::snapshot::untrusted_log(&evidence)) {
        snap.problems.push(InputProblem::new(&path, why));
    }
    snap.logs = logs;
    sort(&mut snap);
    Ok(snap)
}

/// The node of a log: the node that owns its path (see [`layout::owner`]).
/// Dumped pods' nodes by (namespace, name).
fn pod_nodes(snap: &Snapshot) -> HashMap<(String, String), String> {
    snap.pods
        .iter()
        .filter(|r| r.origin == artifact::PodOrigin::Dump && !r.pod.spec.node_name.is_empty())
        .map(|r| {
            let m = &r.pod.metadata;
            (
                (m.namespace.clone(), m.name.clone()),
                r.pod.spec.node_name.clone(),
            )
        })
        .collect()
}

/// The node a dumped pod's container log belongs to: the node of the pod its path names,
/// namespace and name (`namespaces/<ns>/pods/<pod>/…/current.log`, `<ns>/<pod>/logs.txt`).
fn dumped_pod_node<'a>(
    pods: &'a HashMap<(String, String), String>,
    log: crate::logscan::component::PodLog<'_>,
) -> Option<&'a str> {
    let key = (log.namespace?.to_string(), log.pod.to_string());
    pods.get(&key).map(String::as_str)
}

/// The node a static control-plane pod's log belongs to: mirror pods are named
/// `<component>-<node name>` (`kube-apiserver-cp-2`), in a pod log folder or a collector's file
/// (`kube-system-kube-apiserver-cp-2`, `…-previous`).
fn static_pod_node(snap: &Snapshot, path: &str) -> Option<usize> {
    let node = static_pod_host(path)?;
    snap.nodes.iter().position(|n| n.name == node)
}

/// The node name a static control-plane pod's mirror name carries (see [`static_pod_node`]),
/// when it is a host name: where no node folder has that name, the log still goes on that
/// node (a support bundle's `pods/logs/kube-system/kube-apiserver-cp-1/`).
fn static_pod_host(path: &str) -> Option<&str> {
    let file = path.rsplit('/').next().unwrap_or(path);
    let pod = crate::logscan::component::pod_of(path);
    if pod.is_some_and(|p| p.namespace.is_some_and(|ns| ns != "kube-system")) {
        return None;
    }
    let name = pod.map_or(file, |p| p.pod);
    let name = name.strip_prefix("kube-system-").unwrap_or(name);
    let name = name.strip_suffix(".log").unwrap_or(name);
    let name = name.strip_suffix("-previous").unwrap_or(name);
    [
        "kube-apiserver-",
        "etcd-",
        "kube-controller-manager-",
        "kube-scheduler-",
    ]
    .iter()
    .find_map(|c| name.strip_prefix(c))
    .filter(|n| crate::model::shell::valid(crate::model::shell::Kind::Host, n))
}

fn log_node(snap: &Snapshot, path: &str) -> Option<usize> {
    layout::owner(path, snap.roots())
}

/// Puts what one entry yielded into the snapshot.
fn assemble(snap: &mut Snapshot, path: &str, p: Parsed, decoded: &mut Decoded, entry: usize) {
    snap.problems.extend(p.problems);
    snap.scrubbed.extend(p.scrubbed);
    let node = if p.cluster_level { None } else { snap.node_of(path) };
    if p.cluster_level {
        if let Some(f) = snap.files.get_mut(path) {
            f.node = None;
        }
    }
    let places = decoded.places(entry).to_vec();
    for (m, i) in p.material.into_iter().zip(places) {
        decoded.record(i, m.location, snap);
    }
    snap.kubeconfigs.extend(p.kubeconfigs);
    snap.pods.extend(p.pods.into_iter().map(|mut r| {
        if r.origin != artifact::PodOrigin::Dump {
            r.node = node;
        }
        r
    }));
    snap.workloads.extend(p.workloads);
    snap.secrets.extend(p.secrets);
    snap.configmaps.extend(p.configmaps);
    snap.k8s_nodes.extend(p.k8s_nodes);
    snap.events.extend(p.events);
    snap.node_leases.extend(p.node_leases);
    snap.csrs.extend(p.csrs);
    snap.cert_texts
        .extend(p.cert_texts.into_iter().map(|c| (path.to_string(), node, c)));
    if let Some(values) = p.flannel_env {
        snap.flannel_env.push(EnvFile {
            path: path.to_string(),
            node,
            values,
        });
    }
    if let Some(values) = p.aws_credentials {
        snap.credential_files.push(EnvFile {
            path: path.to_string(),
            node,
            values,
        });
    }
    if let Some(mut c) = p.cni {
        c.node = node;
        snap.cni_configs.push(c);
    }
    if let Some(mut u) = p.unit {
        u.node = node;
        snap.units.push(u);
    }
    for config in p.kubelet_configs {
        snap.kubelet_configs.push(KubeletConfigRecord {
            path: path.to_string(),
            node,
            config,
        });
    }
}

/// Sorts every collection (stable: documents of one file keep their order).
fn sort(snap: &mut Snapshot) {
    snap.kubeconfigs.sort_by(|a, b| a.path.cmp(&b.path));
    snap.pods.sort_by(|a, b| {
        (&a.path, &a.pod.metadata.namespace, &a.pod.metadata.name).cmp(&(
            &b.path,
            &b.pod.metadata.namespace,
            &b.pod.metadata.name,
        ))
    });
    snap.workloads
        .sort_by(|a, b| (&a.path, &a.object).cmp(&(&b.path, &b.object)));
    snap.secrets
        .sort_by(|a, b| (&a.path, &a.object).cmp(&(&b.path, &b.object)));
    snap.configmaps
        .sort_by(|a, b| (&a.path, &a.object).cmp(&(&b.path, &b.object)));
    snap.k8s_nodes
        .sort_by(|a, b| (&a.path, &a.node.metadata.name).cmp(&(&b.path, &b.node.metadata.name)));
    snap.events.sort_by(|a, b| a.path.cmp(&b.path));
    snap.node_leases
        .sort_by(|a, b| (&a.path, &a.lease.metadata.name).cmp(&(&b.path, &b.lease.metadata.name)));
    snap.csrs
        .sort_by(|a, b| (&a.path, &a.csr.metadata.name).cmp(&(&b.path, &b.csr.metadata.name)));
    snap.flannel_env.sort_by(|a, b| a.path.cmp(&b.path));
    snap.credential_files.sort_by(|a, b| a.path.cmp(&b.path));
    snap.cni_configs.sort_by(|a, b| a.path.cmp(&b.path));
    snap.units.sort_by(|a, b| a.path.cmp(&b.path));
    snap.kubelet_configs.sort_by(|a, b| a.path.cmp(&b.path));
    snap.problems.sort();
    snap.problems.dedup();
    snap.scrubbed.sort();
    snap.scrubbed.dedup();
}

/// A structured entry kept until the stream ends: its bytes, or, for a large one, what it
/// parsed to (so that the raw bytes of several large dumps are never held at once).
enum Buffered {
    Raw { data: Vec<u8>, kind: ArtifactKind },
    Parsed(Box<Parsed>, Fingerprint),
}

/// Entries at least this large are parsed as soon as they are read, one at a time, instead
/// of being buffered to parse in parallel with the rest: a parse holds several times its
/// input, and six 50 MB dumps parsed two at a time after buffering all six would hold
/// gigabytes.
const PARSE_NOW_BYTES: usize = 4 << 20;

/// What the visitor collects while the source streams.
struct Stream<'a> {
    limits: &'a Limits,
    feed: &'a LogFeed,
    files: BTreeMap<String, FileInfo>,
    buffered: BTreeMap<String, Buffered>,
    logs: BTreeMap<String, LogSummary>,
    deferred: Vec<(String, bundle::DiskFile, Option<usize>)>,
    problems: Vec<InputProblem>,
    newest_mtime: Option<i64>,
    /// Provisional node indexes handed to the log scanner, by root.
    /// Node roots seen so far, each with its provisional index (by first sight).
    roots: std::collections::HashMap<String, usize>,
}

impl<'a> Stream<'a> {
    fn new(limits: &'a Limits, feed: &'a LogFeed) -> Self {
        Stream {
            limits,
            feed,
            files: BTreeMap::new(),
            buffered: BTreeMap::new(),
            logs: BTreeMap::new(),
            deferred: Vec::new(),
            problems: Vec::new(),
            newest_mtime: None,
            roots: std::collections::HashMap::new(),
        }
    }

    fn provisional_node(&mut self, path: &str) -> Option<usize> {
        let root = layout::node_root(path)?;
        let next = self.roots.len();
        Some(*self.roots.entry(root).or_insert(next))
    }

    fn entry(&mut self, e: Entry<'_>) {
        let Entry {
            path,
            size,
            mtime,
            kind,
            head,
            body,
            disk_path,
        } = e;
        if let Some(m) = mtime {
            self.newest_mtime = Some(self.newest_mtime.map_or(m, |n| n.max(m)));
        }
        if self.files.contains_key(&path) {
            self.problems
                .push(InputProblem::new(&path, "duplicate entry; the last one is used"));
            self.buffered.remove(&path);
            self.logs.remove(&path);
            self.deferred.retain(|(p, _, _)| *p != path);
        }
        let info = match kind {
            EntryKind::Symlink(t) | EntryKind::Hardlink(t) => FileInfo {
                link_target: Some(t),
                ..FileInfo::default()
            },
            EntryKind::File => self.file(&path, size, head, body, disk_path),
        };
        self.files.insert(path, info);
    }

    fn file(
        &mut self,
        path: &str,
        size: u64,
        head: Vec<u8>,
        body: &mut dyn Read,
        disk: Option<bundle::DiskFile>,
    ) -> FileInfo {
        let kind = artifact::classify(path, &head);
        let mut info = FileInfo {
            size,
            ..FileInfo::default()
        };
        match kind {
            ArtifactKind::Log => {
                let node = self.provisional_node(path);
                if let Some(disk) = disk {
                    self.deferred.push((path.to_string(), disk, node));
                } else {
                    let mut inner = Cursor::new(head).chain(body);
                    let mut r = StopOnError::new(&mut inner);
                    match self.feed.scan(path, node, &mut r) {
                        Ok(s) => {
                            self.logs.insert(path.to_string(), s);
                        }
                        Err(e) => self.problems.push(InputProblem::new(
                            path,
                            format!("log scan failed: {}", e.to_string().to_lowercase()),
                        )),
                    }
                }
            }
            ArtifactKind::Other => {
                let mut hasher = Sha256::new();
                hasher.update(&head);
                let mut r = StopOnError::new(body);
                let _ = io::copy(&mut r, &mut hasher);
                if r.error.is_none() {
                    info.sha256 = Some(Fingerprint(hasher.finalize().into()));
                }
            }
            kind => {
                let limit = self.limits.max_entry_bytes;
                let mut data = head;
                let want = (limit + 1).saturating_sub(data.len() as u64);
                // The declared size (capped by the limit) spares a 100 MB dump its
                // reallocations; a lying header only costs untouched capacity.
                data.reserve(
                    usize::try_from(size.min(limit + 1))
                        .unwrap_or(0)
                        .saturating_sub(data.len()),
                );
                let mut r = StopOnError::new(body);
                let _ = (&mut r).take(want).read_to_end(&mut data);
                if r.error.is_some() {
                    // The stream broke inside this entry: the reader reports it; a partial
                    // file is not parsed.
                    return info;
                }
                if data.len() as u64 > limit {
                    self.problems.push(InputProblem::new(
                        path,
                        format!("larger than max_entry_bytes ({limit} bytes); not parsed"),
                    ));
                    return info;
                }
                let buffered = if data.len() >= PARSE_NOW_BYTES {
                    let p = artifact::parse(path, &data, kind);
                    Buffered::Parsed(Box::new(p), Fingerprint::of(&data))
                } else {
                    Buffered::Raw { data, kind }
                };
                self.buffered.insert(path.to_string(), buffered);
            }
        }
        info
    }
}

/// Ends the stream at the first error (remembered), so that what was read before a break
/// is still used.
struct StopOnError<'r> {
    inner: &'r mut dyn Read,
    error: Option<io::Error>,
}

impl<'r> StopOnError<'r> {
    fn new(inner: &'r mut dyn Read) -> Self {
        StopOnError { inner, error: None }
    }
}

impl Read for StopOnError<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.error.is_some() {
            return Ok(0);
        }
        loop {
            match self.inner.read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.error = Some(e);
                    return Ok(0);
                }
            }
        }
    }
}
