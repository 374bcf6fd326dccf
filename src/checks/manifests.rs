//! Cached and static pod definitions on a node: bootkube's checkpointed secrets that the
//! kubelet re-plants, and static manifest folders with files the kubelet should not run.

use crate::model::shell;
use std::collections::BTreeMap;

use crate::artifact::k8s::Pod;
use crate::artifact::{PodOrigin, PodRecord};
use crate::checks::network::{files_under, kubelet_flags};
use crate::checks::{Check, Ctx};
use crate::finding::{Finding, Severity};
use crate::pki::CertRecord;
use crate::snapshot::{FileInfo, Location, ObjectRef, Snapshot};

/// The annotation bootkube's pod-checkpointer puts on the checkpoints it writes.
const CHECKPOINT_OF: &str = "checkpointer.alpha.coreos.com/checkpoint-of";

/// Copies the checkpointer keeps, by folder under `etc/kubernetes/`, and the kind they copy.
const CHECKPOINT_DIRS: &[(&str, &str)] = &[
    ("checkpoint-secrets/", "Secret"),
    ("checkpoint-configmaps/", "ConfigMap"),
];

/// One checkpointed key file: data key, bundle path, file facts.
type CopyFile<'a> = (String, &'a String, &'a FileInfo);

/// stale-checkpoint: bootkube pod-checkpointer copies (`checkpoint-secrets/<ns>/<pod>/<secret>/<key>`)
/// that differ from the Secret in the dump or hold an expired certificate; the kubelet re-plants
/// them on restart and undoes a fix made only through the API.
pub struct StaleCheckpoint;

impl Check for StaleCheckpoint {
    fn id(&self) -> &'static str {
        "manifests.stale_checkpoint"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let snap = cx.snap;
        let at = snap.captured_at.at;
        let mut out = Vec::new();
        for (ni, node) in snap.nodes.iter().enumerate() {
            for (folder, kind) in CHECKPOINT_DIRS {
                let prefix = format!("{}etc/kubernetes/{folder}", node.root);
                // (ns, pod, object) → [(key, path, file)]
                let mut groups: BTreeMap<(String, String, String), Vec<CopyFile<'_>>> = BTreeMap::new();
                for (path, info) in files_under(snap, &prefix) {
                    let rel = path.get(prefix.len()..).unwrap_or("");
                    let parts: Vec<&str> = rel.split('/').collect();
                    if let [ns, pod, obj, key] = parts.as_slice() {
                        groups
                            .entry(((*ns).to_string(), (*pod).to_string(), (*obj).to_string()))
                            .or_default()
                            .push(((*key).to_string(), path, info));
                    }
                }
                for ((ns, pod, obj), files) in groups {
                    let live = LiveObject::find(snap, kind, &ns, &obj);
                    let mut stale_keys = Vec::new();
                    let mut details = Vec::new();
                    let mut restore_from_api = live.is_some();
                    for (key, path, info) in &files {
                        let file_certs: Vec<&CertRecord> = snap.certs.at_path(path).map(|(_, c)| c).collect();
                        let mut problems = Vec::new();
                        for c in file_certs.iter().filter(|c| c.not_after < at) {
                            problems.push(format!(
                                "holds certificate {} that expired {} (at capture: {} days ago)",
                                c.name(),
                                crate::snapshot::rfc3339(c.not_after),
                                -c.days_left(at)
                            ));
                        }
                        if let Some(live) = &live {
                            match live.value(key) {
                                None => problems.push(format!("{} has no key {key} any more", live.object)),
                                Some(value) => {
                                    let same_bytes = info
                                        .sha256
                                        .is_some_and(|h| h == crate::pki::Fingerprint::of(value));
                                    let live_certs = live.certs(snap, key);
                                    let same_certs = !file_certs.is_empty()
                                        && fingerprints(&file_certs) == fingerprints(&live_certs);
                                    if !same_bytes && !same_certs {
                                        let mut p = format!(
                                            "differs from {}#{key} (file {}, Secret {})",
                                            live.object,
                                            info.sha256.map_or("unknown".to_string(), |h| format!(
                                                "sha256:{}",
                                                h.short()
                                            )),
                                            crate::redact::fingerprint(value),
                                        );
                                        if let (Some(f), Some(l)) = (file_certs.first(), live_certs.first()) {
                                            p.push_str(&format!(
                                                ": the copy holds {} (serial {}, notAfter {}), the Secret holds {} (serial {}, notAfter {})",
                                                f.name(),
                                                f.serial,
                                                crate::snapshot::rfc3339(f.not_after),
                                                l.name(),
                                                l.serial,
                                                crate::snapshot::rfc3339(l.not_after)
                                            ));
                                        }
                                        problems.push(p);
                                    }
                                    if live_certs.iter().any(|c| c.not_after < at) {
                                        restore_from_api = false;
                                    }
                                }
                            }
                        }
                        if !problems.is_empty() {
                            stale_keys.push(key.clone());
                            details
                                .push(serde_json::json!({ "key": key, "path": path, "problems": problems }));
                        }
                    }
                    if stale_keys.is_empty() {
                        continue;
                    }
                    let abs_dir = format!("/etc/kubernetes/{folder}{ns}/{pod}/{obj}");
                    let dir_path = format!("{prefix}{ns}/{pod}/{obj}");
                    let planted_by = checkpoint_manifests(snap, ni, &abs_dir, &pod);
                    let object = ObjectRef {
                        namespace: ns.clone(),
                        kind: (*kind).to_string(),
                        name: obj.clone(),
                    };
                    let mut f = cx
                        .finding(dir_path.clone())
                        .message(format!(
                            "the pod-checkpointer's copy of {object} for pod {pod} on node {} is stale ({}). \
                             The kubelet re-plants this cached copy whenever it restarts (the checkpointed pod \
                             mounts it by hostPath), so a fix made only through the API is undone on the next \
                             kubelet restart. Fix the on-disk copy first (or remove the checkpoint), restart the \
                             kubelet, then make {object} hold the same data.",
                            node.name,
                            stale_keys.join(", ")
                        ))
                        .node(Some(&node.name))
                        .object(object.to_string())
                        .evidence("keys", serde_json::Value::Array(details))
                        .evidence(
                            "live_object",
                            live.as_ref().map_or("not in the dump: only expiry was judged".to_string(), |l| {
                                format!("{} in {}", l.object, l.path)
                            }),
                        )
                        .var("node", node.name.clone())
                        .var("dir", abs_dir.clone())
                        .var("ns", ns.clone())
                        .var("secret", obj.clone())
                        .var("target", format!("{abs_dir} ({})", node.name))
                        .var("backup_command", format!(
                            "sudo mkdir -p {} && sudo cp -a {} {}   # on {}",
                            shell::operand(&format!("/root/kubetriage-backup{abs_dir}")),
                            shell::operand(&format!("{abs_dir}/.")),
                            shell::operand(&format!("/root/kubetriage-backup{abs_dir}/")),
                            shell::comment_text(&node.name)
                        ))
                        .var("restore_command", restore_command(&ns, kind, &obj, &abs_dir, &stale_keys, restore_from_api, &node.name))
                        .var("sync_command", sync_command(&ns, kind, &obj, &abs_dir, restore_from_api));
                    for (key, path, _) in &files {
                        if stale_keys.contains(key) {
                            f = f.path((*path).clone());
                        }
                    }
                    if !planted_by.is_empty() {
                        f = f.evidence(
                            "replanted_by",
                            planted_by.iter().map(|p| p.path.clone()).collect::<Vec<_>>(),
                        );
                        for p in planted_by {
                            f = f.path(p.path.clone());
                        }
                    }
                    out.push(f);
                }
            }
        }
        out
    }
}

fn fingerprints(certs: &[&CertRecord]) -> Vec<crate::pki::Fingerprint> {
    let mut v: Vec<_> = certs.iter().map(|c| c.fingerprint).collect();
    v.sort();
    v
}

/// The Secret or ConfigMap a checkpoint copies, as the dump has it.
struct LiveObject<'a> {
    object: &'a ObjectRef,
    path: &'a str,
    secret: Option<&'a BTreeMap<String, Vec<u8>>>,
    configmap: Option<&'a BTreeMap<String, String>>,
}

impl<'a> LiveObject<'a> {
    fn find(snap: &'a Snapshot, kind: &str, ns: &str, name: &str) -> Option<Self> {
        if kind == "Secret" {
            snap.secrets
                .iter()
                .find(|s| s.object.namespace == ns && s.object.name == name)
                .map(|s| LiveObject {
                    object: &s.object,
                    path: &s.path,
                    secret: Some(&s.data),
                    configmap: None,
                })
        } else {
            snap.configmaps
                .iter()
                .find(|c| c.object.namespace == ns && c.object.name == name)
                .map(|c| LiveObject {
                    object: &c.object,
                    path: &c.path,
                    secret: None,
                    configmap: Some(&c.data),
                })
        }
    }

    fn value(&self, key: &str) -> Option<&'a [u8]> {
        self.secret
            .and_then(|d| d.get(key).map(Vec::as_slice))
            .or_else(|| self.configmap.and_then(|d| d.get(key).map(String::as_bytes)))
    }

    fn certs(&self, snap: &'a Snapshot, key: &str) -> Vec<&'a CertRecord> {
        snap.certs
            .certs
            .iter()
            .filter(|c| {
                c.locations.iter().any(|l| {
                    matches!(l, Location::Object { object, key: k, .. } if object == self.object && k == key)
                })
            })
            .collect()
    }
}

/// Checkpoint manifests on the node (inactive, or active in the manifest folder) that mount
/// the copy, or that checkpoint the pod the copy belongs to.
fn checkpoint_manifests<'a>(snap: &'a Snapshot, node: usize, abs_dir: &str, pod: &str) -> Vec<&'a PodRecord> {
    snap.pods
        .iter()
        .filter(|p| p.node == Some(node))
        .filter(|p| {
            p.origin == PodOrigin::InactiveCheckpoint
                || (p.origin == PodOrigin::StaticManifest
                    && p.pod.metadata.annotations.contains_key(CHECKPOINT_OF))
        })
        .filter(|p| {
            p.pod.metadata.name == pod
                || p.pod.spec.volumes.iter().any(|v| {
                    v.host_path.as_ref().is_some_and(|h| {
                        h.path.trim_end_matches('/') == abs_dir
                            || abs_dir.starts_with(&format!("{}/", h.path.trim_end_matches('/')))
                    })
                })
        })
        .collect()
}

fn restore_command(
    ns: &str,
    kind: &str,
    obj: &str,
    dir: &str,
    keys: &[String],
    from_api: bool,
    node: &str,
) -> String {
    let kubectl_kind = if kind == "Secret" { "secret" } else { "configmap" };
    let decode = if kind == "Secret" { " | base64 -d" } else { "" };
    let (ns, obj) = (shell::operand(ns), shell::operand(obj));
    if from_api {
        // The bundle names the node; the operator says how to reach it.
        let target = format!(
            "{}=...   # set to node {} as you reach it (the bundle's name is never used to connect)",
            shell::SSH_TARGET,
            shell::comment_text(node)
        );
        std::iter::once(target)
            .chain(keys.iter().map(|k| {
                let remote = shell::join(["sudo", "tee", &format!("{dir}/{k}")]).unwrap_or_else(|| shell::INVALID_WORD.into());
                format!(
                    "kubectl -n {ns} get {kubectl_kind} {obj} -o json | jq -r --arg k {} '.data[$k]'{decode} | {} >/dev/null",
                    shell::operand(k),
                    shell::ssh(&remote),
                )
            }))
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        format!(
            "for k in {}; do sudo install -m 0600 \"./renewed/$k\" {}\"/$k\"; done   # on {}; ./renewed holds the corrected files (the {kind} in the dump is stale too)",
            keys.iter()
                .map(|k| shell::operand(k))
                .collect::<Vec<_>>()
                .join(" "),
            shell::operand(dir),
            shell::comment_text(node)
        )
    }
}

fn sync_command(ns: &str, kind: &str, obj: &str, dir: &str, from_api: bool) -> String {
    if from_api {
        return format!(
            "# {} already holds the current data: nothing to push back",
            shell::comment_text(&format!("{ns}/{kind}/{obj}"))
        );
    }
    let verb = if kind == "Secret" {
        "secret generic"
    } else {
        "configmap"
    };
    format!(
        "sudo kubectl -n {} create {verb} {} --from-file={} --dry-run=client -o yaml | kubectl apply -f -   # once the apiserver answers; --from-file base64-encodes for you",
        shell::operand(ns),
        shell::operand(obj),
        shell::operand(dir)
    )
}

/// stale-manifest: the kubelet's static pod folder holds files it should not run (editor and
/// manual backups, which the kubelet runs too when they parse), two manifests for one
/// component, or manifests that point at files absent from the node; kubeadm's upgrade
/// backups are noted for information.
pub struct StaleManifest;

impl Check for StaleManifest {
    fn id(&self) -> &'static str {
        "manifests.stale_manifest"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let snap = cx.snap;
        let mut out = Vec::new();
        for (ni, node) in snap.nodes.iter().enumerate() {
            let manifest_dir = static_pod_path(snap, ni);
            let rel_dir = format!("{}/", manifest_dir.trim_matches('/'));
            let dir = format!("{}{rel_dir}", node.root);
            let in_dir: Vec<&PodRecord> = snap
                .pods
                .iter()
                .filter(|p| p.origin != PodOrigin::Dump && p.origin != PodOrigin::InactiveCheckpoint)
                .filter(|p| p.path.strip_prefix(&dir).is_some_and(|r| !r.contains('/')))
                .collect();
            let file_of = |p: &PodRecord| p.path.rsplit('/').next().unwrap_or(&p.path).to_string();

            // Two manifests for one component.
            let mut by_component: BTreeMap<String, Vec<&PodRecord>> = BTreeMap::new();
            for p in &in_dir {
                by_component.entry(component_key(&p.pod)).or_default().push(p);
            }
            let mut reported: Vec<&str> = Vec::new();
            for (comp, ps) in by_component.iter().filter(|(_, ps)| ps.len() > 1) {
                let files: Vec<String> = ps.iter().map(|p| file_of(p)).collect();
                let extra: Vec<String> = files.iter().filter(|f| looks_like_backup(f)).cloned().collect();
                let mut f = cx
                    .finding(format!("{dir}{comp}"))
                    .severity(Severity::Error)
                    .message(format!(
                        "node {}'s static pod folder {manifest_dir} holds {} manifests for {comp} ({}). The kubelet \
                         runs every file in that folder that parses as a pod, whatever its name, so the copies \
                         fight over the same ports and host paths and the one that wins may be the stale one.",
                        node.name,
                        ps.len(),
                        files.join(", ")
                    ))
                    .node(Some(&node.name))
                    .evidence("component", comp.clone())
                    .evidence("manifests", files.clone())
                    .var("node", node.name.clone())
                    .var("target", format!("{manifest_dir}/{} ({})", extra.first().unwrap_or(&files.join(" + ")), node.name))
                    .var("manifest_fix", move_out_command(&manifest_dir, if extra.is_empty() { &files[1..] } else { &extra }, &node.name));
                for p in ps {
                    f = f.path(p.path.clone());
                    reported.push(p.path.as_str());
                }
                out.push(f);
            }

            // Backups the kubelet runs (they parse as pods).
            for p in in_dir.iter().filter(|p| !reported.contains(&p.path.as_str())) {
                let file = file_of(p);
                if !looks_like_backup(&file) {
                    continue;
                }
                out.push(
                    cx.finding(p.path.clone())
                        .severity(Severity::Error)
                        .message(format!(
                            "{file} in node {}'s static pod folder {manifest_dir} looks like a backup, but the kubelet \
                             runs every file in that folder that parses as a pod (only hidden files are skipped), \
                             so it runs pod {} from it. Move backups out of the folder.",
                            node.name, p.pod.metadata.name
                        ))
                        .node(Some(&node.name))
                        .path(p.path.clone())
                        .evidence("pod", p.pod.metadata.name.clone())
                        .var("node", node.name.clone())
                        .var("target", format!("{manifest_dir}/{file} ({})", node.name))
                        .var("manifest_fix", move_out_command(&manifest_dir, std::slice::from_ref(&file), &node.name)),
                );
            }

            // Files the manifests name that the node does not have.
            for p in &in_dir {
                let (missing, not_collected) = missing_files(snap, ni, &node.root, &p.pod);
                if !not_collected.is_empty() {
                    let list: Vec<String> = not_collected
                        .iter()
                        .map(|(flag, host)| format!("--{flag} → {host}"))
                        .collect();
                    out.push(
                        cx.finding(format!("{}#not-collected", p.path))
                            .severity(Severity::Info)
                            .message(format!(
                                "static pod manifest {} on node {} names files the bundle did not collect (their \
                                 folder, or every file of their kind in it, is absent): {}. Whether they exist on \
                                 the node could not be checked (absent from the bundle is not absent from the \
                                 node).",
                                file_of(p),
                                node.name,
                                list.join("; ")
                            ))
                            .node(Some(&node.name))
                            .path(p.path.clone())
                            .evidence("not_collected", list)
                            .evidence("checks_not_run", "stale-manifest (files the manifest names exist)")
                            .fixes(Vec::<String>::new()),
                    );
                }
                if missing.is_empty() {
                    continue;
                }
                let list: Vec<String> = missing
                    .iter()
                    .map(|(flag, host)| format!("--{flag} → {host}"))
                    .collect();
                out.push(
                    cx.finding(format!("{}#missing", p.path))
                        .severity(Severity::Error)
                        .message(format!(
                            "static pod manifest {} on node {} points at files the node does not have: {}. The \
                             component exits at start-up and the kubelet restarts it forever.",
                            file_of(p),
                            node.name,
                            list.join("; ")
                        ))
                        .node(Some(&node.name))
                        .path(p.path.clone())
                        .evidence("missing", list.clone())
                        .evidence(
                            "judged_from",
                            "the bundle holds other files of each missing file's folder and kind on this node, \
                             so they were collected and the file is really absent",
                        )
                        .var("node", node.name.clone())
                        .var("target", format!("{} ({})", p.path, node.name))
                        .var(
                            "manifest_fix",
                            shell::comment_text(&format!(
                                "# on {}: restore {} (from the kubeadm backup or the rendered assets), or fix the flag in {manifest_dir}/{}",
                                node.name,
                                missing.iter().map(|(_, h)| h.as_str()).collect::<Vec<_>>().join(" "),
                                file_of(p)
                            )),
                        ),
                );
            }

            // kubeadm upgrade backups: not run, worth knowing.
            let tmp = format!("{}etc/kubernetes/tmp/", node.root);
            let mut backups: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for (path, _) in files_under(snap, &tmp) {
                let rel = path.get(tmp.len()..).unwrap_or("");
                if let Some((d, _)) = rel
                    .split_once('/')
                    .filter(|(d, _)| d.starts_with("kubeadm-backup-manifests-"))
                {
                    backups.entry(format!("{tmp}{d}")).or_default().push(path.clone());
                }
            }
            for (d, files) in backups {
                out.push(
                    cx.finding(d.clone())
                        .severity(Severity::Info)
                        .message(format!(
                            "{d} holds kubeadm's copy of the static manifests from before an upgrade. The kubelet \
                             does not run it; it is the way back if the upgrade went wrong, and a source of old \
                             flags and paths if the current manifests are damaged."
                        ))
                        .node(Some(&node.name))
                        .path(d.clone())
                        .evidence("files", files)
                        // Nothing to move: the kubelet does not run this folder.
                        .fixes(Vec::<String>::new()),
                );
            }
        }
        out
    }
}

/// The kubelet's static pod folder: `--pod-manifest-path`, the config's `staticPodPath`, or
/// the default `/etc/kubernetes/manifests`.
fn static_pod_path(snap: &Snapshot, node: usize) -> String {
    if let Some(p) = kubelet_flags(snap, node).get("pod-manifest-path") {
        return p.trim_end_matches('/').to_string();
    }
    snap.kubelet_configs
        .iter()
        .filter(|k| k.node == Some(node))
        .find_map(|k| k.config.get("staticPodPath").and_then(|v| v.as_str()))
        .map_or_else(
            || "/etc/kubernetes/manifests".to_string(),
            |p| p.trim_end_matches('/').to_string(),
        )
}

/// A name the kubelet runs but a human meant as a backup.
fn looks_like_backup(file: &str) -> bool {
    let lower = file.to_ascii_lowercase();
    let runs_as_manifest = [".yaml", ".yml", ".json"].iter().any(|x| lower.ends_with(x));
    let marker = [
        ".bak", ".orig", ".old", ".save", ".backup", ".tmp", ".copy", ".dpkg-", ".rpmsave", ".rpmnew", "~",
    ]
    .iter()
    .any(|m| lower.contains(m));
    marker || !runs_as_manifest
}

/// What a static pod is a copy of: its component label, else its name.
fn component_key(pod: &Pod) -> String {
    let l = &pod.metadata.labels;
    l.get("component")
        .or_else(|| l.get("k8s-app"))
        .cloned()
        .unwrap_or_else(|| pod.metadata.name.clone())
}

fn move_out_command(dir: &str, files: &[String], node: &str) -> String {
    files
        .iter()
        .map(|f| {
            format!(
                "sudo mv {} /root/   # on {}",
                shell::operand(&format!("{dir}/{f}")),
                shell::comment_text(node)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Flag paths of the pod's containers that resolve (through volumeMounts) to node paths the
/// bundle lacks, judged only where the bundle holds other files of the same folder.
/// `(flag, host path)` pairs a manifest names.
type FlagFiles = Vec<(String, String)>;

/// The files a manifest names that the node lacks, split by what the bundle can say:
/// `(missing, not_collected)`. A file is missing only when the bundle holds another file
/// of the same kind (extension) directly in its folder: the folder was collected, and
/// files like it were. A folder seen only through its subfolders (`pki/etcd/` without
/// `pki/`) or not at all was not collected; nor was a kind the collector left out
/// everywhere in that folder (every `.crt` of `pki/` but no `.key`: private keys are
/// routinely withheld from bundles, and `kubetriage collect` withholds them by default).
fn missing_files(snap: &Snapshot, node: usize, root: &str, pod: &Pod) -> (FlagFiles, FlagFiles) {
    let mut out = Vec::new();
    let mut not_collected = Vec::new();
    for c in pod.spec.init_containers.iter().chain(&pod.spec.containers) {
        for (flag, value) in c.flags() {
            let names_file = flag.ends_with("file") || flag == "kubeconfig" || flag.ends_with("-kubeconfig");
            if !names_file || !value.starts_with('/') {
                continue;
            }
            let Some(host) = host_path_of(pod, c, &value) else {
                // The container mounts host folders, none of them this file's: it cannot
                // read it, whatever the node holds (etcd `--trusted-ca-file=/etc/kubernetes/
                // pki/ca.crt` with only `pki/etcd` mounted crash-loops).
                if !c.volume_mounts.is_empty() {
                    out.push((
                        flag,
                        format!("{value} (no volumeMount of container {} covers it)", c.name),
                    ));
                }
                continue;
            };
            if snap.resolve(Some(node), &host).is_some() {
                continue;
            }
            let parent = host.rsplit_once('/').map_or("", |(d, _)| d);
            let folder = format!("{root}{}/", parent.trim_start_matches('/'));
            let kind = |name: &str| name.rsplit_once('.').map(|(_, x)| x.to_ascii_lowercase());
            let wanted = kind(&host);
            let collected = files_under(snap, &folder)
                .filter(|(p, _)| !p[folder.len()..].contains('/'))
                .any(|(p, _)| kind(p) == wanted);
            if collected {
                out.push((flag, host));
            } else {
                not_collected.push((flag, host));
            }
        }
    }
    out.sort();
    out.dedup();
    not_collected.sort();
    not_collected.dedup();
    (out, not_collected)
}

/// Maps a path inside a container to the node path its hostPath volume mounts there.
fn host_path_of(pod: &Pod, c: &crate::artifact::k8s::Container, path: &str) -> Option<String> {
    let m = c
        .volume_mounts
        .iter()
        .filter(|m| {
            let mp = m.mount_path.trim_end_matches('/');
            path == mp || path.starts_with(&format!("{mp}/"))
        })
        .max_by_key(|m| m.mount_path.len())?;
    let vol = pod.spec.volumes.iter().find(|v| v.name == m.name)?;
    let host = vol.host_path.as_ref()?.path.trim_end_matches('/');
    let rest = path.get(m.mount_path.trim_end_matches('/').len()..).unwrap_or("");
    let sub = if m.sub_path.is_empty() {
        String::new()
    } else {
        format!("/{}", m.sub_path)
    };
    Some(format!("{host}{sub}{rest}"))
}
