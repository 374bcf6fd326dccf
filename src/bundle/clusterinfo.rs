//! `kubectl cluster-info dump` written to stdout (and redirected to a file), read as the
//! `--output-directory` form it is equivalent to.
//!
//! Layout facts, from kubernetes/kubectl (`pkg/cmd/clusterinfo/clusterinfo_dump.go`): without
//! `--output-directory` every part goes to one stream, in order: the `NodeList`, then per
//! namespace its `EventList`, `ReplicationControllerList`, `ServiceList`, `DaemonSetList`,
//! `DeploymentList`, `ReplicaSetList` and `PodList` (each printed by the JSON printer: an
//! indented object from a `{` line to a `}` line), then each container's log between
//! `==== START logs for container <c> of pod <ns>/<pod> ====` and
//! `==== END logs for container <c> of pod <ns>/<pod> ====` lines. With a directory those
//! parts are `nodes.json`, `<ns>/<resource>.json` and `<ns>/<pod>/logs.txt`.

/// The line that opens a container's log in a dump.
const START: &str = "==== START logs for container ";
/// The line that closes it.
const END: &str = "==== END logs for container ";

/// Whether the file at `path`, starting with `head`, is a dump written to stdout: it opens
/// with the `NodeList` (or, with no nodes readable, a container log), and its name is not one
/// the `--output-directory` form uses for a single part.
pub fn is_stdout_dump(path: &str, head: &[u8]) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if name.ends_with(".json") || name.ends_with(".yaml") || name == "logs.txt" {
        return false;
    }
    let text = String::from_utf8_lossy(head.get(..512).unwrap_or(head));
    let t = text.trim_start();
    (t.starts_with('{') && t.contains("\"kind\": \"NodeList\"")) || t.starts_with(START)
}

/// The parts of a stdout dump as the files `--output-directory` writes, relative to the
/// dump: `nodes.json` (the first list) and `part-<n>.json` for the other lists (each list
/// names its objects' namespaces itself), and `<ns>/<pod>/logs.txt` holding each of the
/// pod's containers' logs with their START/END lines. Text outside both is dropped.
pub fn split(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    // Part name → its index in `out`: a lookup per part, not a scan (a hostile dump of 200,000
    // tiny lists made the scan quadratic).
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut lists = 0usize;
    let mut doc: Option<String> = None;
    let mut log: Option<(String, String)> = None;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if let Some((pod_path, body)) = log.as_mut() {
            body.push_str(line);
            if bare.starts_with(END) {
                let (p, b) = (std::mem::take(pod_path), std::mem::take(body));
                push_log(&mut out, &mut index, p, b);
                log = None;
            }
            continue;
        }
        if let Some(d) = doc.as_mut() {
            d.push_str(line);
            if bare == "}" {
                let d = doc.take().unwrap_or_default();
                let mut name = list_name(&d).unwrap_or_else(|| format!("part-{lists}.json"));
                if index.contains_key(&name) {
                    name = format!("part-{lists}-{name}").replace('/', "-");
                }
                lists += 1;
                index.insert(name.clone(), out.len());
                out.push((name, d));
            }
            continue;
        }
        if bare == "{" {
            doc = Some(line.to_string());
        } else if let Some(rest) = bare.strip_prefix(START) {
            // `<container> of pod <ns>/<pod> ====`
            let pod = rest
                .split_once(" of pod ")
                .map(|(_, p)| p.trim_end_matches('=').trim())
                .filter(|p| p.split('/').count() == 2 && !p.contains(".."))
                .unwrap_or("unknown/unknown");
            log = Some((format!("{pod}/logs.txt"), line.to_string()));
        }
    }
    // A log or list the stream cut off is still evidence.
    if let Some((p, b)) = log {
        push_log(&mut out, &mut index, p, b);
    }
    if let Some(d) = doc {
        out.push((format!("part-{lists}.json"), d));
    }
    out
}

/// The file `--output-directory` writes a list to: `nodes.json`, else
/// `<namespace>/<resource>.json` with the namespace of its first item; `None` for a list
/// that names no namespace (an empty one) or is not a list kubectl dumps.
fn list_name(doc: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(doc).ok()?;
    let file = match v.get("kind")?.as_str()? {
        "NodeList" => return Some("nodes.json".to_string()),
        "EventList" => "events.json",
        "ReplicationControllerList" => "replication-controllers.json",
        "ServiceList" => "services.json",
        "DaemonSetList" => "daemonsets.json",
        "DeploymentList" => "deployments.json",
        "ReplicaSetList" => "replicasets.json",
        "PodList" => "pods.json",
        _ => return None,
    };
    let ns = v
        .get("items")?
        .as_array()?
        .first()?
        .get("metadata")?
        .get("namespace")?
        .as_str()?;
    let safe = !ns.is_empty()
        && ns != ".."
        && ns
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    safe.then(|| format!("{ns}/{file}"))
}

/// Appends a container's log to its pod's `logs.txt` (one file per pod, as the directory form).
fn push_log(
    out: &mut Vec<(String, String)>,
    index: &mut std::collections::HashMap<String, usize>,
    path: String,
    body: String,
) {
    match index.get(&path).and_then(|&i| out.get_mut(i)) {
        Some((_, b)) => b.push_str(&body),
        None => {
            index.insert(path.clone(), out.len());
            out.push((path, body));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUMP: &str = "{\n    \"kind\": \"NodeList\",\n    \"apiVersion\": \"v1\",\n    \"items\": []\n}\n{\n    \"kind\": \"EventList\",\n    \"items\": []\n}\n==== START logs for container ebs-plugin of pod kube-system/ebs-csi-5c7d-q8w2x ====\nE1121 09:25:40.551122       1 driver.go:155] boom\n==== END logs for container ebs-plugin of pod kube-system/ebs-csi-5c7d-q8w2x ====\n==== START logs for container liveness of pod kube-system/ebs-csi-5c7d-q8w2x ====\nok\n==== END logs for container liveness of pod kube-system/ebs-csi-5c7d-q8w2x ====\n";

    #[test]
    fn a_stdout_dump_splits_into_the_directory_forms_files() {
        assert!(is_stdout_dump("case-123/cluster-info.txt", DUMP.as_bytes()));
        assert!(!is_stdout_dump("dump/nodes.json", DUMP.as_bytes()));
        assert!(!is_stdout_dump("x.txt", b"hello"));
        let parts = split(DUMP);
        let names: Vec<&str> = parts.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            names,
            [
                "nodes.json",
                "part-1.json",
                "kube-system/ebs-csi-5c7d-q8w2x/logs.txt"
            ]
        );
        let log = &parts[2].1;
        assert!(
            log.starts_with(START)
                && log.contains("boom")
                && log.contains("of pod kube-system/ebs-csi-5c7d-q8w2x ====\nok\n")
        );
        // A pod name that would climb out of the dump is not used as a path.
        let evil = "==== START logs for container c of pod ../../etc ====\nx\n";
        assert_eq!(split(evil)[0].0, "unknown/unknown/logs.txt");
        // A list with items is named as the directory form names it.
        let events = "{\n  \"kind\": \"EventList\",\n  \"items\": [{\"metadata\": {\"namespace\": \"kube-system\"}}]\n}\n";
        assert_eq!(split(events)[0].0, "kube-system/events.json");
    }
}
