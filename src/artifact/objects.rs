//! Kubernetes documents: object dumps (`kind: List`, `*List`, single objects, multi-document
//! YAML, kubectl JSON), static pod manifests and checkpoints, kubeconfigs and kubelet
//! configurations, dispatched by `kind`.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::artifact::k8s::{EventRecord, NodeRecord};
use crate::artifact::parsed::Parsed;
use crate::artifact::yaml::str_of;
use crate::artifact::{ConfigMapObject, PodOrigin, PodRecord, SecretObject, WorkloadRecord, k8s, kubeconfig};
use crate::model::{Location, ObjectRef};

/// Reads the documents of the file at `path` into `out`.
pub fn parse(path: &str, docs: Vec<Value>, out: &mut Parsed) {
    let single = docs.len() == 1;
    for doc in docs {
        dispatch(path, doc, "", single, out);
    }
}

/// The outline of a JSON `List` (`kubectl get … -o json`): its kind and its items, unparsed.
#[derive(serde::Deserialize)]
struct RawList<'a> {
    #[serde(default)]
    kind: String,
    #[serde(borrow)]
    items: Vec<&'a serde_json::value::RawValue>,
}

/// Reads a JSON `List` (or `*List`) with each item parsed on its own, in parallel, so that a
/// cluster's 100 MB Secrets dump is neither parsed on one thread nor held whole as a tree.
/// Returns false, having done nothing, when `bytes` is not one JSON object with an `items`
/// array and a `…List` kind; the caller then reads it as any other document.
pub fn parse_json_list(path: &str, bytes: &[u8], out: &mut Parsed) -> bool {
    let Ok(list) = serde_json::from_slice::<RawList<'_>>(bytes) else {
        return false;
    };
    let Some(inner) = list.kind.strip_suffix("List") else {
        return false;
    };
    out.cluster_level = true;
    items_in_parallel(path, list.items, inner, out, |raw| {
        serde_json::from_str::<Value>(raw.get())
            .map(crate::artifact::yaml::strip_nulls)
            .map_err(|e| format!("invalid json: {}", crate::redact::parse_error(&e.to_string())))
    });
    true
}

/// Dispatches a `List`'s items (read by `read`) in parallel and appends what they yield in
/// order: a cluster's Secrets dump is one List of tens of thousands of items.
fn items_in_parallel<T: Send>(
    path: &str,
    items: Vec<T>,
    inner: &str,
    out: &mut Parsed,
    read: impl Fn(T) -> Result<Value, String> + Sync + Send,
) {
    let parts: Vec<Parsed> = items
        .into_par_iter()
        .map(|item| {
            let mut part = Parsed::default();
            match read(item) {
                Ok(doc) => dispatch(path, doc, inner, false, &mut part),
                Err(e) => part.problem(path, e),
            }
            part
        })
        .collect();
    out.append_all(parts);
}

/// The origin of a pod definition file, from where it lies.
pub fn manifest_origin(path: &str, doc: &Value) -> PodOrigin {
    let p = format!("/{path}");
    // RKE2 and k3s keep static pods under their own agent folder (see `bundle::distro`).
    if p.contains("/etc/kubernetes/manifests/") || p.contains("/agent/pod-manifests/") {
        PodOrigin::StaticManifest
    } else if p.contains("/inactive-manifests/") {
        PodOrigin::InactiveCheckpoint
    } else if doc
        .get("status")
        .and_then(|s| s.get("phase"))
        .is_some_and(|p| p.as_str().is_some_and(|s| !s.is_empty()))
    {
        // A single dumped pod (`kubectl get pod x -o yaml`): it has a status.
        PodOrigin::Dump
    } else {
        PodOrigin::OtherManifest
    }
}

fn dispatch(path: &str, mut doc: Value, item_kind: &str, single: bool, out: &mut Parsed) {
    if !doc.is_object() {
        return;
    }
    if item_kind.is_empty() && crate::artifact::troubleshoot::is_secret_output(&doc) {
        crate::artifact::troubleshoot::secret_output(path, &doc, out);
        return;
    }
    let kind = match str_of(&doc, "kind") {
        "" => item_kind.to_string(),
        k => k.to_string(),
    };
    if kind == "List" || (kind.ends_with("List") && doc.get("items").is_some_and(Value::is_array)) {
        out.cluster_level = true;
        let inner = kind.strip_suffix("List").unwrap_or_default().to_string();
        if let Some(Value::Array(items)) = doc.get_mut("items").map(Value::take) {
            items_in_parallel(path, items, &inner, out, Ok);
        }
        return;
    }
    if kind.is_empty() && kubeconfig::is_kubeconfig(&doc) || kind == "Config" {
        kubeconfig::parse(path, &doc, out);
        return;
    }
    let obj = object_ref(&doc, &kind);
    match kind.as_str() {
        "KubeletConfiguration" => out.kubelet_configs.push(doc),
        "Pod" => {
            let origin = if single {
                manifest_origin(path, &doc)
            } else {
                PodOrigin::Dump
            };
            if origin == PodOrigin::Dump {
                out.cluster_level = true;
            }
            if let Some(pod) = typed::<k8s::Pod>(path, &obj, doc, out) {
                out.pods.push(PodRecord {
                    path: path.to_string(),
                    origin,
                    node: None,
                    pod,
                });
            }
        }
        "Secret" => {
            out.cluster_level = true;
            secret(path, obj, &doc, out);
        }
        "ConfigMap" => {
            out.cluster_level = true;
            configmap(path, obj, &doc, out);
        }
        "Deployment" | "DaemonSet" | "StatefulSet" => {
            out.cluster_level = true;
            if let Some(workload) = typed::<k8s::Workload>(path, &obj, doc, out) {
                out.workloads.push(WorkloadRecord {
                    object: obj,
                    path: path.to_string(),
                    workload,
                });
            }
        }
        "Node" => {
            out.cluster_level = true;
            if let Some(node) = typed::<k8s::NodeObject>(path, &obj, doc, out) {
                out.k8s_nodes.push(NodeRecord {
                    path: path.to_string(),
                    node,
                });
            }
        }
        "Lease" if obj.namespace == "kube-node-lease" => {
            out.cluster_level = true;
            if let Some(lease) = typed::<k8s::LeaseObject>(path, &obj, doc, out) {
                out.node_leases.push(k8s::LeaseRecord {
                    path: path.to_string(),
                    lease,
                });
            }
        }
        "CertificateSigningRequest" => {
            out.cluster_level = true;
            if let Some(csr) = typed::<k8s::Csr>(path, &obj, doc, out) {
                out.csrs.push(k8s::CsrRecord {
                    path: path.to_string(),
                    csr,
                });
            }
        }
        "Event" => {
            out.cluster_level = true;
            if let Some(event) = typed::<k8s::Event>(path, &obj, doc, out) {
                out.events.push(EventRecord {
                    path: path.to_string(),
                    event,
                });
            }
        }
        _ => {}
    }
}

fn object_ref(doc: &Value, kind: &str) -> ObjectRef {
    let meta = doc.get("metadata").unwrap_or(&Value::Null);
    ObjectRef {
        namespace: str_of(meta, "namespace").to_string(),
        kind: kind.to_string(),
        name: str_of(meta, "name").to_string(),
    }
}

fn typed<T: DeserializeOwned>(path: &str, obj: &ObjectRef, doc: Value, out: &mut Parsed) -> Option<T> {
    match serde_json::from_value(doc) {
        Ok(v) => Some(v),
        Err(e) => {
            let e = crate::redact::parse_error(&e.to_string());
            out.problem(path, format!("{obj}: unexpected shape: {e}"));
            None
        }
    }
}

fn string_map(
    path: &str,
    obj: &ObjectRef,
    doc: &Value,
    key: &str,
    out: &mut Parsed,
) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    match doc.get(key) {
        None => {}
        Some(Value::Object(m)) => {
            for (k, v) in m {
                match v {
                    Value::String(s) => {
                        map.insert(k.clone(), s.clone());
                    }
                    Value::Number(_) | Value::Bool(_) => {
                        map.insert(k.clone(), v.to_string());
                    }
                    _ => out.problem(path, format!("{obj}#{k}: `{key}` value is not a string")),
                }
            }
        }
        Some(_) => out.problem(path, format!("{obj}: `{key}` is not a map")),
    }
    map
}

fn secret(path: &str, object: ObjectRef, doc: &Value, out: &mut Parsed) {
    let mut data = BTreeMap::new();
    for (k, v) in string_map(path, &object, doc, "data", out) {
        let compact: String = v.split_whitespace().collect();
        match STANDARD.decode(compact.as_bytes()) {
            Ok(bytes) => {
                data.insert(k, bytes);
            }
            Err(_) => out.problem(path, format!("{object}#{k}: invalid base64")),
        }
    }
    for (k, v) in string_map(path, &object, doc, "stringData", out) {
        data.insert(k, v.into_bytes());
    }
    for (k, v) in &data {
        let location = Location::Object {
            object: object.clone(),
            key: k.clone(),
            path: path.to_string(),
        };
        out.add_pem_or_der(v, &location, &format!("{object}#{k}"));
    }
    let meta = doc.get("metadata").unwrap_or(&Value::Null);
    let annotations = string_map(path, &object, meta, "annotations", out);
    out.secrets.push(SecretObject {
        annotations,
        object,
        path: path.to_string(),
        type_: str_of(doc, "type").to_string(),
        data,
    });
}

fn configmap(path: &str, object: ObjectRef, doc: &Value, out: &mut Parsed) {
    let data = string_map(path, &object, doc, "data", out);
    for (k, v) in &data {
        let location = Location::Object {
            object: object.clone(),
            key: k.clone(),
            path: path.to_string(),
        };
        if crate::artifact::pem::has_pem(v.as_bytes()) {
            out.add_pem(v.as_bytes(), &location, &format!("{object}#{k}"));
        }
    }
    out.configmaps.push(ConfigMapObject {
        object,
        path: path.to_string(),
        data,
    });
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The parallel `List` reader yields exactly what the document reader does.
    #[test]
    fn json_list_fast_path_matches_the_document_reader() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/bundles/");
        for file in [
            "kubeadm-healthy/cluster/secrets.json",
            "incident-replay/cluster/configmaps.json",
            "troubleshoot-kubeadm/support-bundle-2026-06-15T12_00_00/cluster-resources/pods/kube-system.json",
            "troubleshoot-kubeadm/support-bundle-2026-06-15T12_00_00/cluster-resources/events/kube-system.json",
            "troubleshoot-kubeadm/support-bundle-2026-06-15T12_00_00/cluster-resources/nodes.json",
        ] {
            let bytes = std::fs::read(format!("{root}{file}")).unwrap();
            let mut fast = Parsed::default();
            assert!(parse_json_list(file, &bytes, &mut fast), "{file}");
            let mut slow = Parsed::default();
            parse(
                file,
                crate::artifact::yaml::documents_of(file, &bytes).unwrap(),
                &mut slow,
            );
            assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{file}");
        }
    }

    #[test]
    fn json_list_fast_path_declines_what_is_not_a_list() {
        for text in [
            r#"{"kind":"Secret","metadata":{"name":"x"}}"#,
            r#"{"kind":"List","items":null}"#,
            r#"{"kind":"Pod","items":[]}"#,
            r#"[{"kind":"List","items":[]}]"#,
            r#"{"kind":"List","items":[{"kind":"Secret"}"#,
        ] {
            let mut out = Parsed::default();
            assert!(!parse_json_list("x.json", text.as_bytes(), &mut out), "{text}");
            assert_eq!(format!("{out:?}"), format!("{:?}", Parsed::default()));
        }
    }
}
