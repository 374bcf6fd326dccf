//! `kubetriage collect`: gathers what the rules need from a node (or from a dead node's disk
//! mounted at `--root`) into one deterministic bundle tar.gz. Missing files and tools are
//! recorded in the bundle's `kubetriage-collect.json`, never fatal.
//!
//! Bundle layout: `<host>/<path on the node>` for files (symlinks kept as links),
//! `<host>/kubetriage-collect/journalctl-kubelet.log` for the kubelet journal,
//! `<host>/cluster/<kind>.yaml` for `kubectl get <kind> -A -o yaml`, and
//! `<host>/kubetriage-collect.json`.

mod manifest;
pub mod stub;
mod walk;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use flate2::Compression;
use flate2::write::GzEncoder;

pub use manifest::{Manifest, Skipped};

/// What to collect and where to write it.
#[derive(Clone, Debug)]
pub struct CollectOptions {
    /// The node's filesystem root (`/` on a live node).
    pub root: PathBuf,
    /// Whether `root` is the live system (journalctl and kubectl may run).
    pub live: bool,
    /// Where the bundle goes.
    pub output: PathBuf,
    /// Ship private keys as they are. Off by default: each private key is replaced by a stub
    /// holding only its public key, so no private key leaves the node.
    pub include_private_keys: bool,
    /// A kubeconfig for the cluster dumps.
    pub kubeconfig: Option<PathBuf>,
    /// `journalctl --since` value.
    pub since: String,
    /// Largest log file kept whole; longer ones keep their last this many bytes.
    pub max_log_bytes: u64,
    /// When the collection ran (RFC 3339), written to the manifest.
    pub collected_at: String,
    /// Print one line per collected item on stderr.
    pub progress: bool,
}

/// Folders and files (relative to the root) the rules read. Folders are taken whole.
pub const PATHS: &[&str] = &[
    "etc/hostname",
    "etc/kubernetes",
    "var/lib/kubelet/pki",
    "var/lib/kubelet/config.yaml",
    "var/lib/kubelet/kubeadm-flags.env",
    "run/flannel",
    "etc/cni/net.d",
    "etc/systemd/system/kubelet.service",
    "etc/systemd/system/kubelet.service.d",
    "lib/systemd/system/kubelet.service",
    "usr/lib/systemd/system/kubelet.service",
    "usr/lib/systemd/system/kubelet.service.d",
    "etc/rancher",
    "var/lib/rancher/k3s/server/tls",
    "var/lib/rancher/k3s/agent/etc/cni/net.d",
    "var/lib/rancher/rke2/server/tls",
    "var/lib/rancher/rke2/agent/pod-manifests",
    "var/log/kubelet.log",
];

/// Static pod log folders under `var/log/pods` (`<ns>_<pod>_<uid>`) that are collected.
const STATIC_POD_LOGS: &[&str] = &[
    "kube-system_etcd-",
    "kube-system_kube-apiserver-",
    "kube-system_kube-controller-manager-",
    "kube-system_kube-scheduler-",
];

/// The kinds dumped with a working kubeconfig.
pub const KINDS: &[&str] = &[
    "secrets",
    "configmaps",
    "pods",
    "nodes",
    "deployments",
    "daemonsets",
    "events",
];

/// Collects into `opts.output`; `Err` only when the output cannot be written.
pub fn collect(opts: &CollectOptions) -> std::io::Result<Manifest> {
    let host = std::fs::read_to_string(opts.root.join("etc/hostname"))
        .ok()
        .and_then(|h| h.lines().next().map(|l| l.trim().to_string()))
        .filter(|h| !h.is_empty() && !h.contains('/') && h != "." && h != "..")
        .unwrap_or_else(|| "node".to_string());
    let mut m = Manifest::new(opts, &host);
    let mut entries = walk::Entries::default();
    for p in PATHS {
        walk::add(&opts.root, p, &mut entries, &mut m, opts.max_log_bytes);
    }
    let pods = opts.root.join("var/log/pods");
    match std::fs::read_dir(&pods) {
        Ok(rd) => {
            let mut dirs: Vec<String> = rd
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| STATIC_POD_LOGS.iter().any(|p| n.starts_with(p)))
                .collect();
            dirs.sort();
            for d in dirs {
                walk::add(
                    &opts.root,
                    &format!("var/log/pods/{d}"),
                    &mut entries,
                    &mut m,
                    opts.max_log_bytes,
                );
            }
        }
        Err(e) => m.skip("var/log/pods", &e.to_string()),
    }
    if opts.live {
        journal(opts, &mut entries, &mut m);
        if let Some(kc) = &opts.kubeconfig {
            dumps(kc, &mut entries, &mut m);
        } else {
            m.skip("cluster", "no --kubeconfig given: no cluster dumps");
        }
    } else {
        m.skip(
            "journalctl -u kubelet",
            "not run with --root (the journal of a mounted disk is not the running system's)",
        );
        if let Some(kc) = &opts.kubeconfig {
            dumps(kc, &mut entries, &mut m);
        } else {
            m.skip("cluster", "no --kubeconfig given: no cluster dumps");
        }
    }
    if !opts.include_private_keys {
        for e in entries.files.values_mut() {
            if let walk::Body::File(data) = e {
                if let Some(stubbed) = std::str::from_utf8(data)
                    .ok()
                    .and_then(stub::replace_private_keys)
                {
                    *data = stubbed.into_bytes();
                    m.stubbed += 1;
                }
                if let Some(stubbed) = stub_kubeconfig(data) {
                    *data = stubbed;
                    m.stubbed += 1;
                }
            }
        }
    }
    for (path, body) in &entries.files {
        if opts.progress {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("collect: {}", crate::report::escape::visible(path));
            }
        }
        m.files.push(match body {
            walk::Body::File(d) => format!("{path} ({} bytes)", d.len()),
            walk::Body::Link(t) => format!("{path} -> {t}"),
        });
    }
    let manifest_json = serde_json::to_vec_pretty(&m).map_err(std::io::Error::other)?;
    entries.files.insert(
        crate::bundle::collector::COLLECT_MANIFEST.to_string(),
        walk::Body::File(manifest_json),
    );
    write_bundle(&opts.output, &host, &entries)?;
    Ok(m)
}

/// Kubeconfig `client-key-data` values (base64 PEM) with their private keys stubbed.
fn stub_kubeconfig(data: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let text = std::str::from_utf8(data).ok()?;
    if !text.contains("client-key-data:") {
        return None;
    }
    let mut changed = false;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let Some((head, value)) = line.split_once("client-key-data:") else {
            out.push_str(line);
            continue;
        };
        let b64 = value.trim().trim_matches('"');
        let decoded = base64::engine::general_purpose::STANDARD.decode(b64).ok();
        let stubbed = decoded
            .and_then(|d| String::from_utf8(d).ok())
            .and_then(|pem| stub::replace_private_keys(&pem));
        match stubbed {
            Some(s) => {
                changed = true;
                let enc = base64::engine::general_purpose::STANDARD.encode(s);
                out.push_str(&format!("{head}client-key-data: {enc}\n"));
            }
            None => out.push_str(line),
        }
    }
    changed.then(|| out.into_bytes())
}

fn journal(opts: &CollectOptions, entries: &mut walk::Entries, m: &mut Manifest) {
    let run = Command::new("journalctl")
        .args([
            "-u",
            "kubelet",
            "--no-pager",
            "-o",
            "short-iso",
            "--since",
            &opts.since,
        ])
        .output();
    match run {
        Ok(o) if o.status.success() => {
            let mut data = o.stdout;
            walk::tail(&mut data, opts.max_log_bytes);
            entries.files.insert(
                "kubetriage-collect/journalctl-kubelet.log".to_string(),
                walk::Body::File(data),
            );
        }
        Ok(o) => m.skip("journalctl -u kubelet", &String::from_utf8_lossy(&o.stderr)),
        Err(e) => m.skip("journalctl -u kubelet", &format!("journalctl not available: {e}")),
    }
}

fn dumps(kubeconfig: &Path, entries: &mut walk::Entries, m: &mut Manifest) {
    for kind in KINDS {
        let run = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .args(["get", kind, "-A", "-o", "yaml", "--request-timeout=20s"])
            .output();
        match run {
            Ok(o) if o.status.success() => {
                entries
                    .files
                    .insert(format!("cluster/{kind}.yaml"), walk::Body::File(o.stdout));
            }
            Ok(o) => m.skip(
                &format!("kubectl get {kind}"),
                String::from_utf8_lossy(&o.stderr).trim(),
            ),
            Err(e) => {
                m.skip("kubectl", &format!("kubectl not available: {e}"));
                return;
            }
        }
    }
}

/// Writes the entries under `<host>/` in path order, with fixed ownership and times.
fn write_bundle(output: &Path, host: &str, entries: &walk::Entries) -> std::io::Result<()> {
    let file = std::fs::File::create(output)?;
    let gz = GzEncoder::new(std::io::BufWriter::new(file), Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (path, body) in &entries.files {
        let mut h = tar::Header::new_gnu();
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(entries.mtimes.get(path).copied().unwrap_or(0));
        let name = format!("{host}/{path}");
        match body {
            walk::Body::File(data) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(entries.modes.get(path).copied().unwrap_or(0o600));
                h.set_size(data.len() as u64);
                tar.append_data(&mut h, &name, data.as_slice())?;
            }
            walk::Body::Link(target) => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_mode(0o777);
                h.set_size(0);
                tar.append_link(&mut h, &name, target)?;
            }
        }
    }
    let gz = tar.into_inner()?;
    let mut w = gz.finish()?;
    w.flush()
}
