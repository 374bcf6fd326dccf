//! A troubleshoot support bundle of the `kubeadm-healthy` cluster, laid out the way
//! `support-bundle` writes it. Layout facts and their sources in replicatedhq/troubleshoot
//! are listed in testdata/README.md ("troubleshoot fixture").

use anyhow::Result;
use base64::Engine as _;
use serde_json::{Value, json};

use crate::kubeadm;
use crate::sosreport::{dump_items, lists_by_namespace};
use crate::tree::Tree;

/// The bundle folder: `support-bundle-<time>` in Go layout `2006-01-02T15_04_05`.
pub const ROOT: &str = "support-bundle-2026-06-15T12_00_00";

fn pretty(v: &Value) -> Result<String> {
    Ok(serde_json::to_string_pretty(v)?)
}

/// `troubleshoot-kubeadm`: cluster resources, secrets via the `secret` collector (values
/// decoded, one redacted by a redactor), pod logs and the files without evidence.
pub fn bundle() -> Result<(Tree, Value)> {
    let (k, _) = kubeadm::bundle()?;
    let mut t = Tree::new();
    t.file(
        "version.yaml",
        "apiVersion: troubleshoot.sh/v1beta2\nkind: SupportBundle\nspec:\n  versionNumber: v0.117.0\n",
    );
    let pods = dump_items(&k, "cluster/pods.yaml")?;
    for (kind, dir, items) in [
        ("Pod", "pods", pods.clone()),
        (
            "ConfigMap",
            "configmaps",
            dump_items(&k, "cluster/configmaps.yaml")?,
        ),
        ("Event", "events", Vec::new()),
    ] {
        let mut lists = lists_by_namespace(kind, &items);
        lists.entry("kube-system".into()).or_insert_with(|| {
            json!({"kind": format!("{kind}List"), "apiVersion": "v1", "metadata": {"resourceVersion": "458202"}, "items": []})
        });
        for (ns, list) in lists {
            t.file(&format!("cluster-resources/{dir}/{ns}.json"), pretty(&list)?);
        }
        t.file(&format!("cluster-resources/{dir}-errors.json"), "[]");
    }
    t.file(
        "cluster-resources/nodes.json",
        pretty(
            &json!({"kind": "NodeList", "apiVersion": "v1", "metadata": {"resourceVersion": "458202"},
            "items": dump_items(&k, "cluster/nodes.yaml")?}),
        )?,
    );
    t.file("cluster-resources/nodes-errors.json", "null");
    // Secrets: the `secret` collector with includeAllData; data values are decoded text.
    for s in dump_items(&k, "cluster/secrets.json")? {
        let ns = s["metadata"]["namespace"].as_str().unwrap_or_default();
        let name = s["metadata"]["name"].as_str().unwrap_or_default();
        let mut data = serde_json::Map::new();
        if let Some(m) = s["data"].as_object() {
            for (key, v) in m {
                let raw = base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap_or_default())?;
                // troubleshoot's default redactors mask token-like values.
                let text = if key == "token" {
                    "***HIDDEN***".to_string()
                } else {
                    String::from_utf8_lossy(&raw).into_owned()
                };
                data.insert(key.clone(), Value::String(text));
            }
        }
        t.file(
            &format!("secrets/{ns}/{name}.json"),
            pretty(&json!({"namespace": ns, "name": name, "key": "", "secretExists": true, "keyExists": false, "data": data}))?,
        );
    }
    // Pod logs of the static control-plane pods.
    for p in &pods {
        let ns = p["metadata"]["namespace"].as_str().unwrap_or_default();
        let name = p["metadata"]["name"].as_str().unwrap_or_default();
        if let Some(c) = p["spec"]["containers"].as_array().and_then(|c| c.first()) {
            let cname = c["name"].as_str().unwrap_or("main");
            t.file(
                &format!("cluster-resources/pods/logs/{ns}/{name}/{cname}.log"),
                "I0615 11:59:00.000000       1 server.go:150] Version: v1.30.2\n",
            );
        }
    }
    t.file(
        "cluster-info/cluster_version.json",
        pretty(
            &json!({"info": {"major": "1", "minor": "30", "gitVersion": "v1.30.2"}, "string": "v1.30.2"}),
        )?,
    );
    t.file("analysis.json", "[]");
    t.file(
        "certificates/certificates.json",
        pretty(&json!([{"source": {"secret": "web-tls", "namespace": "default"}, "certificateChain": [{"certificate": "tls.crt", "subject": "CN=web.example.com", "subjectAlternativeNames": ["web.example.com"], "issuer": "CN=example-web-ca", "notAfter": "2026-09-01T00:00:00Z", "notBefore": "2026-03-01T00:00:00Z", "isValid": true, "isCA": false}]}]))?,
    );
    let mut out = Tree::new();
    out.merge_under(ROOT, t);
    Ok((out, json!({"capture_time": "2026-06-15T12:00:00Z"})))
}
