//! Large bundles for the benchmark (never committed): gigabytes of realistic logs from
//! several nodes, and a cluster-scale Secrets dump with thousands of certificates.
//!
//! Both stream to disk (a directory, then a tar.gz of it) so memory stays small whatever the
//! size, and both are deterministic for a given seed.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};
use flate2::Compression;
use flate2::write::GzEncoder;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::certs::{Ca, CertSpec, validity};
use crate::keys::KeyKind;
use crate::logs::{cri, rfc3339_nano, short_iso};

/// The large bundle's logs end here (capture time of the benchmark).
pub const END: OffsetDateTime = datetime!(2026-11-21 09:30:00 UTC);

/// One of every kind of fault line, sprinkled rarely among the ordinary ones.
const FAULTS: &[&str] = &[
    "E1121 09:12:03.123400    1234 kubelet_node_status.go:92] Unable to register node \"node-0\" with API server: Post \"https://10.0.0.10:6443/api/v1/nodes\": x509: certificate has expired or is not yet valid: current time 2026-11-21T09:12:03Z is after 2026-11-18T00:00:00Z",
    "E1121 09:12:04.000001    1234 pod_workers.go:191] Error syncing pod: failed to \"CreatePodSandbox\": plugin type=\"flannel\" failed (add): loadFlannelSubnetEnv failed: open /run/flannel/subnet.env: no such file or directory",
    "E1121 09:12:05.000001    1234 kubelet.go:2412] \"Container runtime network not ready\" networkReady=\"NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized\"",
    "E1121 09:12:06.000001    1234 reflector.go:138] Failed to watch *v1.Node: failed to list *v1.Node: Get \"https://10.0.0.10:6443/api/v1/nodes\": x509: certificate signed by unknown authority (possibly because of \"crypto/rsa: verification error\" while trying to verify candidate authority certificate \"kubernetes\")",
];

/// Ordinary kubelet chatter (klog bodies).
const KUBELET: &[&str] = &[
    "I1121 09:00:00.000000    1234 kubelet_getters.go:182] \"Pod status updated\" pod=\"kube-system/coredns-5d78c9869d-{n}\" status=Running",
    "I1121 09:00:00.000000    1234 reconciler_common.go:258] \"operationExecutor.VerifyControllerAttachedVolume started for volume \\\"kube-api-access-{n}\\\"\"",
    "I1121 09:00:00.000000    1234 kuberuntime_manager.go:1034] \"Creating container in pod\" containerName=\"app-{n}\"",
    "I1121 09:00:00.000000    1234 prober.go:107] \"Probe succeeded\" probeType=\"Readiness\" pod=\"default/web-{n}\"",
    "W1121 09:00:00.000000    1234 container.go:586] Failed to update stats for container \"/kubepods/burstable/pod{n}\": unable to determine device info",
];

/// Ordinary etcd 3.5 JSON messages.
const ETCD: &[&str] = &[
    "{\"level\":\"info\",\"ts\":\"{ts}\",\"caller\":\"etcdserver/server.go:1383\",\"msg\":\"triggering snapshot\",\"local-member-id\":\"8e9e05c52164694d\",\"local-member-applied-index\":{n}}",
    "{\"level\":\"info\",\"ts\":\"{ts}\",\"caller\":\"mvcc/index.go:214\",\"msg\":\"compact tree index\",\"revision\":{n}}",
    "{\"level\":\"info\",\"ts\":\"{ts}\",\"caller\":\"mvcc/kvstore_compaction.go:57\",\"msg\":\"finished scheduled compaction\",\"compact-revision\":{n},\"took\":\"2.1ms\"}",
];

/// Ordinary apiserver klog bodies (inside CRI lines).
const APISERVER: &[&str] = &[
    "I1121 09:00:00.000000       1 controller.go:624] quota admission added evaluator for: leases.coordination.k8s.io",
    "I1121 09:00:00.000000       1 httplog.go:132] \"HTTP\" verb=\"GET\" URI=\"/api/v1/namespaces/default/pods/web-{n}\" latency=\"2.1ms\" resp=200",
    "I1121 09:00:00.000000       1 alloc.go:330] \"allocated clusterIPs\" service=\"default/svc-{n}\" clusterIPs={\"IPv4\":\"10.96.{n}.1\"}",
];

/// Writes `out/` (a directory of `nodes` node trees holding `size_mb` MiB of logs in all)
/// and `out.tar.gz`.
pub fn logs_bundle(size_mb: u64, seed: u64, out: &Path) -> Result<()> {
    let nodes = 4u64;
    let per_file = size_mb * (1 << 20) / (nodes * 3);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for n in 0..nodes {
        let host = format!("node-{n}");
        let root = out.join(&host);
        std::fs::create_dir_all(root.join("etc"))?;
        std::fs::write(root.join("etc/hostname"), format!("{host}\n"))?;
        write_log(&root.join("var/log/kubelet.log"), per_file, &mut rng, |t, r| {
            short_iso(t, &host, "kubelet", Some(1234), &body(KUBELET, r, t))
        })?;
        let etcd = format!("var/log/pods/kube-system_etcd-{host}_0f0e{n:04}/etcd/0.log");
        write_log(&root.join(etcd), per_file, &mut rng, |t, r| {
            cri(t, "stderr", &body(ETCD, r, t))
        })?;
        let api = format!("var/log/pods/kube-system_kube-apiserver-{host}_0a0b{n:04}/kube-apiserver/0.log");
        write_log(&root.join(api), per_file, &mut rng, |t, r| {
            cri(t, "stderr", &body(APISERVER, r, t))
        })?;
    }
    tar_gz_dir(out, &out.with_extension("tar.gz"))
}

/// One line from `templates`, or (rarely) a fault line; `{n}` and `{ts}` filled in.
fn body(templates: &[&str], rng: &mut ChaCha8Rng, t: OffsetDateTime) -> String {
    let r = rng.next_u32();
    let line = if r.is_multiple_of(5000) {
        FAULTS[(r as usize / 5000) % FAULTS.len()]
    } else {
        templates[r as usize % templates.len()]
    };
    line.replace("{n}", &(r % 100_000).to_string())
        .replace("{ts}", &rfc3339_nano(t))
}

/// Writes lines until the file holds `bytes`, with timestamps running up to [`END`].
fn write_log(
    path: &Path,
    bytes: u64,
    rng: &mut ChaCha8Rng,
    mut line: impl FnMut(OffsetDateTime, &mut ChaCha8Rng) -> String,
) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let lines = bytes / 160;
    let start = END - time::Duration::hours(24);
    let step = (24 * 3600 * 1_000_000) / lines.max(1) as i64;
    let mut written = 0u64;
    let mut i = 0i64;
    while written < bytes {
        let t = start + time::Duration::microseconds(step * i);
        let l = line(t, rng);
        w.write_all(l.as_bytes())?;
        w.write_all(b"\n")?;
        written += l.len() as u64 + 1;
        i += 1;
    }
    w.flush()?;
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

/// Streams directory `dir` into a tar.gz at `dest`, entries prefixed with the directory's name.
fn tar_gz_dir(dir: &Path, dest: &Path) -> Result<()> {
    let name = dir.file_name().context("output needs a name")?;
    let gz = GzEncoder::new(BufWriter::new(File::create(dest)?), Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.append_dir_all(name, dir)?;
    tar.into_inner()?.finish()?.flush()?;
    Ok(())
}
