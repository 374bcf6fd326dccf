//! Large bundles for the benchmark (never committed): gigabytes of realistic logs from
//! several nodes, and a cluster-scale Secrets dump with thousands of certificates.
//!
//! Both stream to disk (a directory, then a tar.gz of it) so memory stays small whatever the
//! size, and both are deterministic for a given seed. The logs describe one cluster
//! ([`world`]) in each component's own format ([`kubelet`], [`etcd`], [`apiserver`]), with
//! times, ids, addresses and durations that vary as real ones do, so they compress like real
//! control-plane logs (about 9:1 with gzip -6) rather than like a repeated template.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result};
use flate2::Compression;
use flate2::GzBuilder;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use serde_json::{Value, json};
use tar::{EntryType, Header};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::certs::{Ca, CertSpec, validity};
use crate::keys::KeyKind;

mod apiserver;
mod etcd;
mod kubelet;
mod text;
mod world;

use text::{MS, Ns, Rng, SEC, US};
use world::Cluster;

/// The large bundle's logs end here (capture time of the benchmark).
pub const END: OffsetDateTime = datetime!(2026-11-21 09:30:00 UTC);

/// Hours of logs before [`END`].
const HOURS: i64 = 24;

/// Which log a file holds.
#[derive(Clone, Copy)]
enum Log {
    Kubelet,
    Etcd,
    ApiServer,
}

/// Writes `out/` (a directory of 4 node trees holding `size_mb` MiB of logs in all: each
/// node's kubelet journal, etcd and kube-apiserver container logs) and `out.tar.gz`. The
/// twelve files are written in parallel, each from its own ChaCha8 stream of `seed`, so the
/// output depends on the seed only.
pub fn logs_bundle(size_mb: u64, seed: u64, out: &Path) -> Result<()> {
    let nodes = 4usize;
    let per_file = size_mb * (1 << 20) / (nodes as u64 * 3);
    let mut rng = Rng(ChaCha8Rng::seed_from_u64(seed));
    let cluster = Cluster::new(nodes, &mut rng);
    let mut jobs: Vec<(usize, Log, PathBuf)> = Vec::new();
    for (n, node) in cluster.nodes.iter().enumerate() {
        let root = out.join(&node.name);
        std::fs::create_dir_all(root.join("etc"))?;
        std::fs::write(root.join("etc/hostname"), format!("{}\n", node.name))?;
        let uid = |name: &str| {
            cluster.pods[n]
                .iter()
                .find(|p| p.name == format!("{name}-{}", node.name))
                .map_or_else(String::new, |p| p.uid.clone())
        };
        jobs.push((n, Log::Kubelet, root.join("var/log/kubelet.log")));
        jobs.push((
            n,
            Log::Etcd,
            root.join(format!(
                "var/log/pods/kube-system_etcd-{}_{}/etcd/0.log",
                node.name,
                uid("etcd")
            )),
        ));
        jobs.push((
            n,
            Log::ApiServer,
            root.join(format!(
                "var/log/pods/kube-system_kube-apiserver-{}_{}/kube-apiserver/0.log",
                node.name,
                uid("kube-apiserver")
            )),
        ));
    }
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len());
    std::thread::scope(|s| -> Result<()> {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| -> Result<()> {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((node, log, path)) = jobs.get(i) else {
                            return Ok(());
                        };
                        let mut rng = Rng(ChaCha8Rng::seed_from_u64(seed));
                        rng.0.set_stream(1 + i as u64);
                        write_one(&cluster, *node, *log, path, per_file, &mut rng)?;
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().map_err(|_| anyhow::anyhow!("a log writer panicked"))??;
        }
        Ok(())
    })?;
    tar_gz_dir(out, &out.with_extension("tar.gz"))
}

/// Writes one log of `bytes` bytes.
fn write_one(cluster: &Cluster, node: usize, log: Log, path: &Path, bytes: u64, rng: &mut Rng) -> Result<()> {
    let end = (END.unix_timestamp_nanos()) as Ns;
    let start = end - HOURS * 3600 * SEC;
    match log {
        Log::Kubelet => {
            let mut g = kubelet::Kubelet::new(cluster, node, node % 2 == 1, start, rng);
            write_log(path, bytes, start, end, rng, |b, t, r| {
                g.event(b, t, r);
                g.last()
            })
        }
        Log::Etcd => {
            let mut g = etcd::Etcd::new(cluster, node, start, end, rng);
            write_log(path, bytes, start, end, rng, |b, t, r| {
                g.event(b, t, r);
                g.last()
            })
        }
        Log::ApiServer => {
            let mut g = apiserver::ApiServer::new(cluster, node, rng);
            write_log(path, bytes, start, end, rng, |b, t, r| {
                g.event(b, t, r);
                g.last()
            })
        }
    }
}

/// Writes events until the file holds `bytes`, their times running from `start` to just
/// before `end` at an irregular pace: bursts of lines microseconds apart, then pauses.
/// The mean gap is re-estimated as the file grows, so the last line lands near `end`.
/// `event` writes one event's lines at the time it is given and returns its last line's.
fn write_log(
    path: &Path,
    bytes: u64,
    start: Ns,
    end: Ns,
    rng: &mut Rng,
    mut event: impl FnMut(&mut Vec<u8>, Ns, &mut Rng) -> Ns,
) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut w = File::create(path)?;
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 21);
    let (mut written, mut events) = (0u64, 0u64);
    let mut t = start + rng.range(0, 500) as Ns * MS;
    // Events may run on a few seconds past the time they start at.
    let stop = end - 30 * SEC;
    while written < bytes {
        let before = buf.len();
        let last = event(&mut buf, t, rng);
        written += (buf.len() - before) as u64;
        events += 1;
        if buf.len() >= 1 << 20 {
            w.write_all(&buf)?;
            buf.clear();
        }
        let per_event = written as f64 / events as f64;
        let left = (bytes.saturating_sub(written) as f64 / per_event).max(1.0);
        let mean = ((stop - last).max(0) as f64 / left).max(1.0);
        // A quarter of events follow the previous one within half a millisecond.
        let burst = 250.0 * US as f64;
        let gap = if rng.chance(1, 4) {
            rng.range(1_000, 500_000) as f64
        } else {
            rng.exp(((mean - 0.25 * burst) / 0.75).max(mean * 0.2))
        };
        t = (last + gap as Ns).min(stop).max(last);
    }
    w.write_all(&buf)?;
    Ok(())
}

/// Writes `out/cluster/secrets.json` (a `kubectl get secrets -A -o json` List with `certs`
/// TLS Secrets, each with its own certificate signed by one of two CAs) and `out.tar.gz`.
pub fn secrets_dump(certs: usize, seed: u64, out: &Path) -> Result<()> {
    let cas = [
        Ca::new(
            &format!("bench-ca-a-{seed}"),
            CertSpec::ca("bench-ca-a", validity(2025, 1, 1, 2035, 1, 1)),
        )?,
        Ca::new(
            &format!("bench-ca-b-{seed}"),
            CertSpec::ca("bench-ca-b", validity(2025, 1, 1, 2035, 1, 1)),
        )?,
    ];
    let dir = out.join("cluster");
    std::fs::create_dir_all(&dir)?;
    let mut w = BufWriter::new(File::create(dir.join("secrets.json"))?);
    w.write_all(b"{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n")?;
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    for i in 0..certs {
        let ca = &cas[i % 2];
        let cn = format!("svc-{i}.apps.example.com");
        // Ed25519 leaf keys: instant to derive, so 20,000 distinct certificates stay cheap.
        let leaf = ca.issue(
            &format!("bench-{seed}-{i}"),
            KeyKind::Ed25519,
            CertSpec::new(&cn, validity(2026, 1, 1, 2027, 1, 1 + (i % 27) as u8))
                .server()
                .sans(&[&cn]),
        )?;
        let secret: Value = json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": format!("tls-{i}"), "namespace": format!("team-{}", i % 50)},
            "type": "kubernetes.io/tls",
            "data": {
                "tls.crt": b64.encode(leaf.pem()),
                "tls.key": b64.encode(leaf.key_pem()?),
                "ca.crt": b64.encode(ca.pem()),
            }
        });
        if i > 0 {
            w.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut w, &secret)?;
    }
    w.write_all(b"\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\"resourceVersion\": \"\"}\n}\n")?;
    w.flush()?;
    drop(w);
    tar_gz_dir(out, &out.with_extension("tar.gz"))
}

/// Streams directory `dir` into a tar.gz at `dest`, entries prefixed with the directory's
/// name: sorted, directories before their contents, stamped with [`END`], owner 0, gzip
/// header time 0 — so the same tree always makes the same archive.
fn tar_gz_dir(dir: &Path, dest: &Path) -> Result<()> {
    let name = dir.file_name().context("output needs a name")?;
    let gz = GzBuilder::new()
        .mtime(0)
        .write(BufWriter::new(File::create(dest)?), Compression::default());
    let mut tar = tar::Builder::new(gz);
    let mtime = u64::try_from(END.unix_timestamp())?;
    let header = |kind: EntryType, mode: u32, size: u64| {
        let mut h = Header::new_gnu();
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(mtime);
        h.set_size(size);
        h
    };
    let mut stack = vec![(dir.to_path_buf(), PathBuf::from(name))];
    while let Some((path, inside)) = stack.pop() {
        tar.append_data(
            &mut header(EntryType::Directory, 0o755, 0),
            &inside,
            std::io::empty(),
        )?;
        let mut entries: Vec<_> = std::fs::read_dir(&path)?.collect::<std::io::Result<_>>()?;
        entries.sort_by_key(std::fs::DirEntry::file_name);
        let mut dirs = Vec::new();
        for e in entries {
            let (p, at) = (e.path(), inside.join(e.file_name()));
            if e.file_type()?.is_dir() {
                dirs.push((p, at));
            } else {
                let f = File::open(&p)?;
                let size = f.metadata()?.len();
                tar.append_data(&mut header(EntryType::Regular, 0o644, size), &at, f)?;
            }
        }
        stack.extend(dirs.into_iter().rev());
    }
    tar.into_inner()?.finish()?.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p);
                }
            }
        }
        out.sort();
        out
    }

    /// The time a line's message was logged, from klog's header (`1121 09:12:03.123456`) or
    /// etcd's `ts`, as `20261121 09:12:03.123…` (sorts like the time; the logs span one year).
    fn message_time(line: &str) -> Option<String> {
        if let Some(i) = line.find("\"ts\":\"") {
            return line
                .get(i + 6..i + 29)
                .map(|s| s.replace('T', " ").replace('-', ""));
        }
        let i = line.find(['I', 'W', 'E']).filter(|i| {
            line.as_bytes().get(i + 5) == Some(&b' ') && line.as_bytes().get(i + 8) == Some(&b':')
        })?;
        line.get(i + 1..i + 21).map(|s| format!("2026{s}"))
    }

    #[test]
    fn the_same_seed_writes_the_same_bundle_and_times_only_move_forward() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("kubetriage-testgen-big-{}", std::process::id()));
        let (a, b) = (dir.join("a/logs"), dir.join("b/logs"));
        logs_bundle(1, 7, &a)?;
        logs_bundle(1, 7, &b)?;
        let (fa, fb) = (files(&a), files(&b));
        assert_eq!(fa.len(), 4 * 4, "hostname and three logs per node");
        for (x, y) in fa.iter().zip(&fb) {
            assert_eq!(x.strip_prefix(&a).ok(), y.strip_prefix(&b).ok());
            assert!(std::fs::read(x)? == std::fs::read(y)?, "{} differs", x.display());
        }
        assert!(std::fs::read(dir.join("a/logs.tar.gz"))? == std::fs::read(dir.join("b/logs.tar.gz"))?);
        for f in fa.iter().filter(|p| p.extension().is_some_and(|e| e == "log")) {
            let text = std::fs::read_to_string(f)?;
            let mut last = String::new();
            let mut stamped = 0;
            for line in text.lines() {
                let cri = line.contains(" stderr F ");
                let journal = line.contains(" kubelet[");
                assert!(cri || journal, "{}: {line}", f.display());
                if let Some(t) = message_time(line) {
                    assert!(t >= last, "{}: time goes back at {line}", f.display());
                    assert!(
                        t.as_str() < "20261121 09:30:00",
                        "{}: after the capture: {line}",
                        f.display()
                    );
                    last = t;
                    stamped += 1;
                }
            }
            assert!(
                stamped * 10 > text.lines().count() * 7,
                "{}: most lines carry a time",
                f.display()
            );
        }
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
