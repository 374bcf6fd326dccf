//! Kubeconfigs: clusters, users and contexts; embedded `*-data` decoded and indexed, file
//! references kept as written (the PKI resolves them inside the snapshot).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use crate::artifact::parsed::Parsed;
use crate::artifact::yaml::str_of;
use crate::artifact::{Kubeconfig, KubeconfigCluster, KubeconfigUser};
use crate::model::Location;

/// Whether a document is a kubeconfig (`kind: Config`, or no kind with clusters/users lists).
pub fn is_kubeconfig(doc: &Value) -> bool {
    match doc.get("kind").and_then(Value::as_str) {
        Some(kind) => kind == "Config",
        None => {
            doc.get("clusters").is_some_and(Value::is_array) || doc.get("users").is_some_and(Value::is_array)
        }
    }
}

/// Reads a kubeconfig document of the file at `path` into `out`.
pub fn parse(path: &str, doc: &Value, out: &mut Parsed) {
    let mut kc = Kubeconfig {
        path: path.to_string(),
        current_context: str_of(doc, "current-context").to_string(),
        ..Kubeconfig::default()
    };
    for (i, item) in list(path, doc, "clusters", out).iter().enumerate() {
        let name = entry_name(item, i);
        let c = item.get("cluster").unwrap_or(&Value::Null);
        let field = format!("clusters[{name}].certificate-authority-data");
        kc.clusters.push(KubeconfigCluster {
            name: name.clone(),
            server: str_of(c, "server").to_string(),
            ca_data: data(path, c, "certificate-authority-data", &field, out),
            ca_file: file(c, "certificate-authority"),
            insecure: c
                .get("insecure-skip-tls-verify")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        });
    }
    for (i, item) in list(path, doc, "users", out).iter().enumerate() {
        let name = entry_name(item, i);
        let u = item.get("user").unwrap_or(&Value::Null);
        let cert_field = format!("users[{name}].client-certificate-data");
        let key_field = format!("users[{name}].client-key-data");
        kc.users.push(KubeconfigUser {
            name: name.clone(),
            cert_data: data(path, u, "client-certificate-data", &cert_field, out),
            cert_file: file(u, "client-certificate"),
            key_data: data(path, u, "client-key-data", &key_field, out),
            key_file: file(u, "client-key"),
            has_token: u
                .get("token")
                .is_some_and(|t| !t.as_str().unwrap_or_default().is_empty())
                || u.get("tokenFile").is_some(),
        });
    }
    for (i, item) in list(path, doc, "contexts", out).iter().enumerate() {
        let c = item.get("context").unwrap_or(&Value::Null);
        kc.contexts.insert(
            entry_name(item, i),
            (str_of(c, "cluster").to_string(), str_of(c, "user").to_string()),
        );
    }
    out.kubeconfigs.push(kc);
}

fn list<'a>(path: &str, doc: &'a Value, key: &str, out: &mut Parsed) -> &'a [Value] {
    match doc.get(key) {
        None => &[],
        Some(Value::Array(items)) => items,
        Some(_) => {
            out.problem(path, format!("kubeconfig `{key}` is not a list"));
            &[]
        }
    }
}

fn entry_name(item: &Value, i: usize) -> String {
    match item.get("name").and_then(Value::as_str) {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => format!("#{i}"),
    }
}

fn file(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Decodes `v[key]` (base64) and indexes any PEM in it at the kubeconfig field.
fn data(path: &str, v: &Value, key: &str, field: &str, out: &mut Parsed) -> Option<Vec<u8>> {
    let raw = v.get(key)?;
    let Some(text) = raw.as_str() else {
        out.problem(path, format!("{field}: not a string"));
        return None;
    };
    if let Some(by) = crate::artifact::scrub::mark_of(text) {
        out.scrubbed(path, field, by);
        return None;
    }
    let compact: String = text.split_whitespace().collect();
    match STANDARD.decode(compact.as_bytes()) {
        Ok(bytes) => {
            let location = Location::Kubeconfig {
                path: path.to_string(),
                field: field.to_string(),
            };
            if out.add_pem_or_der(&bytes, &location, field) == 0 {
                out.problem(path, format!("{field}: no pem block or der certificate in it"));
            }
            Some(bytes)
        }
        Err(_) => {
            out.problem(path, format!("{field}: invalid base64"));
            None
        }
    }
}
