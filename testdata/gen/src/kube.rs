//! Kubernetes object helpers built on `serde_json::Value` (never string-concatenated):
//! lists and their kubectl renderings, object metadata, Secrets, ConfigMaps, kubeconfigs,
//! legacy service-account JWTs and pod/status scaffolding.

use std::collections::BTreeMap;

use anyhow::Result;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::keys::{Key, seed_bytes};
use crate::logs::rfc3339;
use crate::ojson;
use crate::pem::{b64, b64url};

/// A UUIDv4-shaped uid derived from `seed`.
pub fn uid(seed: &str) -> String {
    let mut b = seed_bytes(&format!("uid/{seed}"));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = crate::certs::hex(&b[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// `n` hex characters derived from `seed` (container IDs, config hashes).
pub fn hex_id(seed: &str, n: usize) -> String {
    let mut out = String::new();
    let mut i = 0;
    while out.len() < n {
        out.push_str(&crate::certs::hex(&seed_bytes(&format!("hex/{seed}/{i}"))));
        i += 1;
    }
    out.truncate(n);
    out
}

/// A resourceVersion-like decimal string derived from `seed`.
pub fn resource_version(seed: &str) -> String {
    let b = seed_bytes(&format!("rv/{seed}"));
    (u32::from_be_bytes([b[0], b[1], b[2], b[3]]) % 9_000_000 + 100_000).to_string()
}

/// `kubectl get … -o yaml|json` wrapper: `kind: List` with `metadata.resourceVersion: ""`.
pub fn list(items: Vec<Value>) -> Value {
    json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
}

/// Render like `kubectl -o yaml`.
pub fn to_kubectl_yaml(v: &Value) -> String {
    crate::yaml::to_yaml(v)
}

/// Render like `kubectl -o json`: 4-space indent, sorted keys, Go HTML escaping.
pub fn to_kubectl_json(v: &Value) -> Result<String> {
    Ok(ojson::go_html_escape(&ojson::to_pretty(v, "    ")?))
}

/// Standard object metadata with uid/resourceVersion derived from namespace/name.
pub fn meta(ns: Option<&str>, name: &str, created: OffsetDateTime) -> Value {
    let id = format!("{}/{name}", ns.unwrap_or(""));
    let mut m = json!({
        "creationTimestamp": rfc3339(created),
        "name": name,
        "resourceVersion": resource_version(&id),
        "uid": uid(&id),
    });
    if let Some(ns) = ns {
        m["namespace"] = json!(ns);
    }
    m
}

/// Set `metadata.labels` / `metadata.annotations` from pairs.
pub fn set_map(obj: &mut Value, field: &str, pairs: &[(&str, &str)]) {
    let m: Map<String, Value> = pairs.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
    obj["metadata"][field] = Value::Object(m);
}

/// A Secret with base64 `data`.
pub fn secret(ns: &str, name: &str, type_: &str, data: &[(&str, Vec<u8>)], created: OffsetDateTime) -> Value {
    let d: BTreeMap<&str, String> = data.iter().map(|(k, v)| (*k, b64(v))).collect();
    json!({
        "apiVersion": "v1",
        "data": d,
        "kind": "Secret",
        "metadata": meta(Some(ns), name, created),
        "type": type_,
    })
}

/// A ConfigMap.
pub fn configmap(ns: &str, name: &str, data: &[(&str, String)], created: OffsetDateTime) -> Value {
    let d: BTreeMap<&str, &str> = data.iter().map(|(k, v)| (*k, v.as_str())).collect();
    json!({
        "apiVersion": "v1",
        "data": d,
        "kind": "ConfigMap",
        "metadata": meta(Some(ns), name, created),
    })
}

/// How a kubeconfig user authenticates.
pub enum KubeUser<'a> {
    /// Embedded `client-certificate-data` / `client-key-data` (PEM text).
    Embedded { cert_pem: &'a str, key_pem: &'a str },
    /// File references (`client-certificate` / `client-key`).
    Files { cert: &'a str, key: &'a str },
    /// No credentials (cluster-info).
    None,
}

/// A kubeconfig as client-go writes it (one cluster, context and user).
pub fn kubeconfig(
    cluster: &str,
    server: &str,
    ca_pem: &str,
    user: &str,
    context: &str,
    creds: KubeUser<'_>,
) -> Value {
    let user_obj = match creds {
        KubeUser::Embedded { cert_pem, key_pem } => {
            json!({"client-certificate-data": b64(cert_pem), "client-key-data": b64(key_pem)})
        }
        KubeUser::Files { cert, key } => json!({"client-certificate": cert, "client-key": key}),
        KubeUser::None => json!({}),
    };
    json!({
        "apiVersion": "v1",
        "clusters": [{"cluster": {"certificate-authority-data": b64(ca_pem), "server": server}, "name": cluster}],
        "contexts": [{"context": {"cluster": cluster, "user": user}, "name": context}],
        "current-context": context,
        "kind": "Config",
        "preferences": {},
        "users": [{"name": user, "user": user_obj}],
    })
}

/// The `kube-public/cluster-info` kubeconfig (no users, no contexts).
pub fn cluster_info_kubeconfig(server: &str, ca_pem: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "clusters": [{"cluster": {"certificate-authority-data": b64(ca_pem), "server": server}, "name": ""}],
        "contexts": null,
        "current-context": "",
        "kind": "Config",
        "preferences": {},
        "users": null,
    })
}

/// A legacy (pre-1.24) service-account token: an RS256 JWT signed with the SA key.
pub fn legacy_sa_jwt(sa_key: &Key, ns: &str, sa: &str, secret_name: &str) -> Result<String> {
    let header = ojson::obj(vec![("alg", "RS256".into()), ("kid", "".into())]);
    let claims = ojson::obj(vec![
        ("iss", "kubernetes/serviceaccount".into()),
        ("kubernetes.io/serviceaccount/namespace", ns.into()),
        ("kubernetes.io/serviceaccount/secret.name", secret_name.into()),
        ("kubernetes.io/serviceaccount/service-account.name", sa.into()),
        (
            "kubernetes.io/serviceaccount/service-account.uid",
            uid(&format!("{ns}/sa/{sa}")).into(),
        ),
        ("sub", format!("system:serviceaccount:{ns}:{sa}").into()),
    ]);
    let signing_input = format!(
        "{}.{}",
        b64url(serde_json::to_string(&header)?),
        b64url(serde_json::to_string(&claims)?)
    );
    let sig = sa_key.sign_rs256(signing_input.as_bytes())?;
    Ok(format!("{signing_input}.{}", b64url(sig)))
}

/// A legacy `kubernetes.io/service-account-token` Secret.
pub fn sa_token_secret(
    sa_key: &Key,
    ns: &str,
    sa: &str,
    secret_name: &str,
    ca_pem: &str,
    created: OffsetDateTime,
) -> Result<Value> {
    let token = legacy_sa_jwt(sa_key, ns, sa, secret_name)?;
    let mut s = secret(
        ns,
        secret_name,
        "kubernetes.io/service-account-token",
        &[
            ("ca.crt", ca_pem.as_bytes().to_vec()),
            ("namespace", ns.as_bytes().to_vec()),
            ("token", token.into_bytes()),
        ],
        created,
    );
    set_map(
        &mut s,
        "annotations",
        &[
            ("kubernetes.io/service-account.name", sa),
            (
                "kubernetes.io/service-account.uid",
                &uid(&format!("{ns}/sa/{sa}")),
            ),
        ],
    );
    Ok(s)
}

/// State of one container in a pod status.
pub enum CState {
    Running { started: OffsetDateTime },
    Waiting { reason: String, message: Option<String> },
}

/// One container for [`pod_status`].
pub struct CStatus {
    pub name: String,
    pub image: String,
    pub state: CState,
    pub restarts: u32,
    /// `(exit code, reason, started, finished)` of the previous run.
    pub last_terminated: Option<(i64, String, OffsetDateTime, OffsetDateTime)>,
    pub runtime: &'static str,
}

impl CStatus {
    pub fn running(name: &str, image: &str, started: OffsetDateTime) -> CStatus {
        CStatus {
            name: name.to_owned(),
            image: image.to_owned(),
            state: CState::Running { started },
            restarts: 0,
            last_terminated: None,
            runtime: "containerd",
        }
    }
}

/// Inputs of [`pod_status`].
pub struct StatusIn<'a> {
    pub pod_id: &'a str,
    pub phase: &'a str,
    pub host_ip: Option<&'a str>,
    pub pod_ip: Option<&'a str>,
    pub start: Option<OffsetDateTime>,
    pub qos: &'a str,
    pub containers: Vec<CStatus>,
    /// Condition transition time (Ready etc.).
    pub transition: OffsetDateTime,
    /// Extra conditions replacing the defaults (e.g. unschedulable).
    pub conditions: Option<Value>,
    /// Include `PodReadyToStartContainers` (1.29+).
    pub modern: bool,
}

/// A realistic `status` for a pod.
pub fn pod_status(s: StatusIn<'_>) -> Value {
    let all_ready = !s.containers.is_empty()
        && s.containers
            .iter()
            .all(|c| matches!(c.state, CState::Running { .. }));
    let t = rfc3339(s.transition);
    let not_ready: Vec<&str> = s
        .containers
        .iter()
        .filter(|c| !matches!(c.state, CState::Running { .. }))
        .map(|c| c.name.as_str())
        .collect();
    let cond = |typ: &str, ok: bool| {
        let mut c = json!({"lastProbeTime": null, "lastTransitionTime": t, "status": if ok {"True"} else {"False"}, "type": typ});
        if !ok && (typ == "Ready" || typ == "ContainersReady") {
            c["reason"] = json!("ContainersNotReady");
            c["message"] = json!(format!(
                "containers with unready status: [{}]",
                not_ready.join(" ")
            ));
        }
        c
    };
    let conditions = s.conditions.unwrap_or_else(|| {
        let mut v = Vec::new();
        if s.modern {
            v.push(cond("PodReadyToStartContainers", s.pod_ip.is_some()));
        }
        v.push(cond("Initialized", true));
        v.push(cond("Ready", all_ready));
        v.push(cond("ContainersReady", all_ready));
        v.push(cond("PodScheduled", true));
        Value::Array(v)
    });
    let mut st = json!({"conditions": conditions, "phase": s.phase, "qosClass": s.qos});
    if !s.containers.is_empty() {
        let cs: Vec<Value> = s
            .containers
            .iter()
            .map(|c| {
                let running = matches!(c.state, CState::Running { .. });
                let state = match &c.state {
                    CState::Running { started } => json!({"running": {"startedAt": rfc3339(*started)}}),
                    CState::Waiting { reason, message } => {
                        let mut w = json!({"reason": reason});
                        if let Some(m) = message {
                            w["message"] = json!(m);
                        }
                        json!({"waiting": w})
                    }
                };
                let last = match &c.last_terminated {
                    Some((code, reason, started, finished)) => json!({"terminated": {
                        "containerID": format!("{}://{}", c.runtime, hex_id(&format!("{}/{}/prev", s.pod_id, c.name), 64)),
                        "exitCode": code, "finishedAt": rfc3339(*finished), "reason": reason,
                        "startedAt": rfc3339(*started)}}),
                    None => json!({}),
                };
                let waiting_new = matches!(&c.state, CState::Waiting { reason, .. } if reason == "ContainerCreating");
                let mut v = json!({
                    "image": c.image,
                    "imageID": if waiting_new { String::new() } else { format!("{}@sha256:{}", c.image.split(':').next().unwrap_or(""), hex_id(&format!("image/{}", c.image), 64)) },
                    "lastState": last,
                    "name": c.name,
                    "ready": running,
                    "restartCount": c.restarts,
                    "started": running,
                    "state": state,
                });
                if !waiting_new {
                    v["containerID"] = json!(format!("{}://{}", c.runtime, hex_id(&format!("{}/{}", s.pod_id, c.name), 64)));
                }
                v
            })
            .collect();
        st["containerStatuses"] = Value::Array(cs);
    }
    if let Some(h) = s.host_ip {
        st["hostIP"] = json!(h);
        if s.modern {
            st["hostIPs"] = json!([{"ip": h}]);
        }
    }
    if let Some(p) = s.pod_ip {
        st["podIP"] = json!(p);
        st["podIPs"] = json!([{"ip": p}]);
    }
    if let Some(t) = s.start {
        st["startTime"] = json!(rfc3339(t));
    }
    st
}

/// The default container fields the API server fills in.
pub fn container_defaults(c: &mut Value) {
    for (k, v) in [
        ("imagePullPolicy", json!("IfNotPresent")),
        ("resources", json!({})),
        ("terminationMessagePath", json!("/dev/termination-log")),
        ("terminationMessagePolicy", json!("File")),
    ] {
        if c.get(k).is_none() {
            c[k] = v;
        }
    }
}

/// The default pod-spec fields the API server fills in.
pub fn pod_spec_defaults(spec: &mut Value) {
    for (k, v) in [
        ("dnsPolicy", json!("ClusterFirst")),
        ("enableServiceLinks", json!(true)),
        ("preemptionPolicy", json!("PreemptLowerPriority")),
        ("priority", json!(0)),
        ("restartPolicy", json!("Always")),
        ("schedulerName", json!("default-scheduler")),
        ("securityContext", json!({})),
        ("terminationGracePeriodSeconds", json!(30)),
    ] {
        if spec.get(k).is_none() {
            spec[k] = v;
        }
    }
    if let Some(cs) = spec.get_mut("containers").and_then(Value::as_array_mut) {
        cs.iter_mut().for_each(container_defaults);
    }
}
