//! The shapes troubleshoot's collectors write that are not Kubernetes objects: the `secret`
//! collector's `{namespace, name, key, secretExists, keyExists, value, data}` documents,
//! whose values are the Secret's decoded bytes as text, not base64
//! (replicatedhq/troubleshoot `pkg/collect/secret.go`, `SecretOutput`).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::artifact::SecretObject;
use crate::artifact::parsed::Parsed;
use crate::artifact::scrub;
use crate::artifact::yaml::str_of;
use crate::model::{Location, ObjectRef};

/// Whether a document is a troubleshoot `SecretOutput`.
pub fn is_secret_output(doc: &Value) -> bool {
    doc.get("kind").is_none() && doc.get("secretExists").is_some() && doc.get("name").is_some()
}

/// Reads a `SecretOutput` into a Secret record (type and annotations are not collected).
pub fn secret_output(path: &str, doc: &Value, out: &mut Parsed) {
    if doc.get("secretExists").and_then(Value::as_bool) != Some(true) {
        return;
    }
    out.cluster_level = true;
    let object = ObjectRef {
        namespace: str_of(doc, "namespace").to_string(),
        kind: "Secret".to_string(),
        name: str_of(doc, "name").to_string(),
    };
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    if let Some(Value::Object(m)) = doc.get("data") {
        for (k, v) in m {
            if let Some(s) = v.as_str() {
                values.insert(k.clone(), s.to_string());
            }
        }
    }
    let key = str_of(doc, "key");
    if let (false, Some(v)) = (key.is_empty(), doc.get("value").and_then(Value::as_str)) {
        values.insert(key.to_string(), v.to_string());
    }
    let mut data = BTreeMap::new();
    for (k, v) in values {
        let what = format!("{object}#{k}");
        if let Some(by) = scrub::mark_of(&v) {
            out.scrubbed(path, what, by);
            continue;
        }
        let location = Location::Object {
            object: object.clone(),
            key: k.clone(),
            path: path.to_string(),
        };
        out.add_pem_or_der(v.as_bytes(), &location, &what);
        data.insert(k, v.into_bytes());
    }
    out.secrets.push(SecretObject {
        object,
        path: path.to_string(),
        type_: String::new(),
        annotations: BTreeMap::new(),
        data,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_output_with_data_and_hidden_value() {
        let doc = serde_json::json!({
            "namespace": "kube-system", "name": "s", "key": "", "secretExists": true,
            "keyExists": false, "data": {"namespace": "kube-system", "token": "***HIDDEN***"}
        });
        assert!(is_secret_output(&doc));
        let mut out = Parsed::default();
        secret_output("sb/secrets/kube-system/s.json", &doc, &mut out);
        let s = out.secrets.first().expect("one secret");
        assert_eq!(s.object.to_string(), "kube-system/Secret/s");
        assert_eq!(
            s.data.get("namespace").map(Vec::as_slice),
            Some(b"kube-system".as_slice())
        );
        assert!(!s.data.contains_key("token"));
        assert_eq!(out.scrubbed.len(), 1);
    }
}
