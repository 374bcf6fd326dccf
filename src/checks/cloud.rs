//! Cloud credentials held by cluster components (Traefik's Route53 DNS challenge,
//! external-dns, cert-manager, the cloud provider, `.aws/credentials` files): malformed
//! values, temporary keys without their session token, copies that disagree, and logs that
//! say the provider rejected them.
//!
//! Nothing secret leaves this module: access key ids are shown as `AKIA…WXYZ`
//! ([`crate::redact::partial`]) and every other value only as a fingerprint.

use crate::model::shell;
use std::collections::{BTreeMap, BTreeSet};

use crate::artifact::PodOrigin;
use crate::artifact::k8s::{Container, ObjectMeta, PodSpec};
use crate::checks::{Check, Ctx};
use crate::finding::Finding;
use crate::redact;
use crate::snapshot::Snapshot;

/// The log rule whose hits say a cloud API rejected a component's credentials.
const LOG_CLOUD_AUTH_FAILED: &str = "log-cloud-auth-failed";

/// What a credential value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    AwsKeyId,
    AwsSecret,
    AwsSession,
    AzureClientId,
    AzureClientSecret,
    AzureTenantId,
    GcpServiceAccount,
}

impl Field {
    /// Classifies a variable or data key name (`AWS_ACCESS_KEY_ID`, `secret-access-key`, …).
    fn of_name(name: &str) -> Option<Field> {
        let n: String = name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        Some(match n.as_str() {
            "awsaccesskeyid" | "accesskeyid" => Field::AwsKeyId,
            "awssecretaccesskey" | "secretaccesskey" | "awssecretkey" => Field::AwsSecret,
            "awssessiontoken" | "sessiontoken" | "awssecuritytoken" => Field::AwsSession,
            "azureclientid" | "aadclientid" => Field::AzureClientId,
            "azureclientsecret" | "aadclientsecret" => Field::AzureClientSecret,
            "azuretenantid" | "tenantid" => Field::AzureTenantId,
            _ => return None,
        })
    }

    fn label(self) -> &'static str {
        match self {
            Field::AwsKeyId => "AWS_ACCESS_KEY_ID",
            Field::AwsSecret => "AWS_SECRET_ACCESS_KEY",
            Field::AwsSession => "AWS_SESSION_TOKEN",
            Field::AzureClientId => "AZURE_CLIENT_ID",
            Field::AzureClientSecret => "AZURE_CLIENT_SECRET",
            Field::AzureTenantId => "AZURE_TENANT_ID",
            Field::GcpServiceAccount => "GCP service-account key",
        }
    }

    fn provider(self) -> &'static str {
        match self {
            Field::AwsKeyId | Field::AwsSecret | Field::AwsSession => "aws",
            Field::AzureClientId | Field::AzureClientSecret | Field::AzureTenantId => "azure",
            Field::GcpServiceAccount => "gcp",
        }
    }

    /// The only form of the value a report may show.
    fn redacted(self, value: &[u8]) -> String {
        let text = String::from_utf8_lossy(value);
        let t = text.trim();
        let shows_partly = matches!(
            self,
            Field::AwsKeyId | Field::AzureClientId | Field::AzureTenantId
        ) && t.len() <= 36
            && t.len() != 40
            && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if shows_partly {
            redact::partial(t)
        } else {
            redact::fingerprint(value)
        }
    }
}

/// A workload or pod that uses credentials.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Holder {
    namespace: String,
    kind: String,
    name: String,
}

impl Holder {
    fn display(&self) -> String {
        format!("{}/{}/{}", self.namespace, self.kind, self.name)
    }
}

/// Where a credential value sits.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Origin {
    /// A key of a Secret.
    SecretKey {
        namespace: String,
        name: String,
        key: String,
        path: String,
    },
    /// A literal `env[].value`.
    EnvLiteral {
        holder: Holder,
        container: String,
        var: String,
        path: String,
    },
    /// A file on a node (`.aws/credentials`), one profile.
    File { path: String, node: String, key: String },
}

impl Origin {
    fn display(&self) -> String {
        match self {
            Origin::SecretKey {
                namespace, name, key, ..
            } => format!("{namespace}/Secret/{name}#{key}"),
            Origin::EnvLiteral {
                holder,
                container,
                var,
                ..
            } => {
                format!("{} container {container} env {var}", holder.display())
            }
            Origin::File { path, key, .. } => format!("{path} ({key})"),
        }
    }

    fn path(&self) -> &str {
        match self {
            Origin::SecretKey { path, .. } | Origin::EnvLiteral { path, .. } | Origin::File { path, .. } => {
                path
            }
        }
    }
}

/// One credential value at one place, in a group of values used together.
#[derive(Clone, Debug)]
struct Entry {
    field: Field,
    value: Vec<u8>,
    origin: Origin,
    /// The set of values a consumer uses together (a container's env, a Secret, a profile).
    group: String,
    /// Who uses it.
    holders: BTreeSet<Holder>,
}

/// cloud-credentials-invalid: AWS, Azure or GCP credentials held by cluster components that are
/// malformed, temporary without a session token, disagree between copies, or were rejected by
/// the provider per the logs (`log-cloud-auth-failed`), attributed to the component using them.
pub struct CredentialsInvalid;

impl Check for CredentialsInvalid {
    fn id(&self) -> &'static str {
        "cloud.credentials_invalid"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let entries = collect(cx.snap);
        let mut out = Vec::new();
        malformed(cx, &entries, &mut out);
        temporary_without_token(cx, &entries, &mut out);
        disagreeing_copies(cx, &entries, &mut out);
        rejected_in_logs(cx, &entries, &mut out);
        out
    }
}

/// Every credential value in Secrets, container env (pods, manifests, workload templates) and
/// credential files.
fn collect(snap: &Snapshot) -> Vec<Entry> {
    let mut out = Vec::new();
    // Who references each Secret (env secretKeyRef or a secret volume).
    let mut users: BTreeMap<(String, String), BTreeSet<Holder>> = BTreeMap::new();
    let mut specs: Vec<(Holder, &ObjectMeta, &PodSpec, &str)> = Vec::new();
    for p in &snap.pods {
        if p.origin == PodOrigin::InactiveCheckpoint {
            continue;
        }
        let m = &p.pod.metadata;
        let ns = if m.namespace.is_empty() {
            "kube-system"
        } else {
            m.namespace.as_str()
        };
        let holder = Holder {
            namespace: ns.to_string(),
            kind: "Pod".into(),
            name: m.name.clone(),
        };
        specs.push((holder, m, &p.pod.spec, &p.path));
    }
    for w in &snap.workloads {
        let holder = Holder {
            namespace: w.object.namespace.clone(),
            kind: w.object.kind.clone(),
            name: w.object.name.clone(),
        };
        specs.push((
            holder,
            &w.workload.metadata,
            &w.workload.spec.template.spec,
            &w.path,
        ));
    }
    for (holder, _, spec, _) in &specs {
        for v in &spec.volumes {
            if let Some(s) = &v.secret {
                users
                    .entry((holder.namespace.clone(), s.secret_name.clone()))
                    .or_default()
                    .insert(holder.clone());
            }
        }
        for c in spec.init_containers.iter().chain(&spec.containers) {
            for e in &c.env {
                if let Some(r) = e.value_from.as_ref().and_then(|v| v.secret_key_ref.as_ref()) {
                    users
                        .entry((holder.namespace.clone(), r.name.clone()))
                        .or_default()
                        .insert(holder.clone());
                }
            }
        }
    }
    for s in &snap.secrets {
        let (ns, name) = (s.object.namespace.clone(), s.object.name.clone());
        let holders = users
            .get(&(ns.clone(), name.clone()))
            .cloned()
            .unwrap_or_default();
        let group = s.object.to_string();
        for (key, value) in &s.data {
            let origin = Origin::SecretKey {
                namespace: ns.clone(),
                name: name.clone(),
                key: key.clone(),
                path: s.path.clone(),
            };
            for (field, v, sub) in classify_value(key, value) {
                out.push(Entry {
                    field,
                    value: v,
                    origin: origin.clone(),
                    group: if sub.is_empty() {
                        group.clone()
                    } else {
                        format!("{group}#{key}[{sub}]")
                    },
                    holders: holders.clone(),
                });
            }
        }
    }
    for (holder, _, spec, path) in &specs {
        for c in spec.init_containers.iter().chain(&spec.containers) {
            env_entries(snap, holder, c, path, &mut out);
        }
    }
    for f in &snap.credential_files {
        let node = snap.node_name(f.node).to_string();
        for (k, v) in &f.values {
            let (profile, key) = k.rsplit_once('.').unwrap_or(("default", k.as_str()));
            if let Some(field) = Field::of_name(key) {
                out.push(Entry {
                    field,
                    value: v.as_bytes().to_vec(),
                    origin: Origin::File {
                        path: f.path.clone(),
                        node: node.clone(),
                        key: k.clone(),
                    },
                    group: format!("{}[{profile}]", f.path),
                    holders: BTreeSet::new(),
                });
            }
        }
    }
    out
}

/// Credential values in one Secret key: by key name, an `.aws/credentials`-style INI, an
/// `azure.json`, or a GCP service-account JSON. The third item names an INI profile.
fn classify_value(key: &str, value: &[u8]) -> Vec<(Field, Vec<u8>, String)> {
    if let Some(f) = Field::of_name(key) {
        return vec![(f, value.to_vec(), String::new())];
    }
    let text = String::from_utf8_lossy(value);
    let lower_key = key.to_ascii_lowercase();
    if text.contains("aws_access_key_id") {
        let mut out = Vec::new();
        let mut profile = "default".to_string();
        for line in text.lines() {
            let l = line.trim();
            if let Some(p) = l.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                profile = p.trim().to_string();
            } else if let Some((k, v)) = l.split_once('=') {
                if let Some(f) = Field::of_name(k.trim()) {
                    out.push((f, v.trim().as_bytes().to_vec(), profile.clone()));
                }
            }
        }
        return out;
    }
    let looks_json = text.trim_start().starts_with('{');
    if looks_json && text.contains("aadClientSecret") {
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
            return Vec::new();
        };
        return ["aadClientId", "aadClientSecret", "tenantId"]
            .iter()
            .filter_map(|k| {
                let v = json.get(*k)?.as_str()?;
                Some((Field::of_name(k)?, v.as_bytes().to_vec(), String::new()))
            })
            .collect();
    }
    let gcp_name = lower_key.ends_with(".json")
        && ["gcp", "google", "service-account", "serviceaccount", "gcloud"]
            .iter()
            .any(|n| lower_key.contains(n));
    if (looks_json && text.contains("service_account")) || gcp_name {
        return vec![(Field::GcpServiceAccount, value.to_vec(), String::new())];
    }
    Vec::new()
}

fn env_entries(snap: &Snapshot, holder: &Holder, c: &Container, path: &str, out: &mut Vec<Entry>) {
    let group = format!("{} container {}", holder.display(), c.name);
    for e in &c.env {
        let Some(field) = Field::of_name(&e.name) else {
            continue;
        };
        if let Some(v) = &e.value {
            out.push(Entry {
                field,
                value: v.as_bytes().to_vec(),
                origin: Origin::EnvLiteral {
                    holder: holder.clone(),
                    container: c.name.clone(),
                    var: e.name.clone(),
                    path: path.to_string(),
                },
                group: group.clone(),
                holders: BTreeSet::from([holder.clone()]),
            });
        } else if let Some(r) = e.value_from.as_ref().and_then(|v| v.secret_key_ref.as_ref()) {
            let secret = snap
                .secrets
                .iter()
                .find(|s| s.object.namespace == holder.namespace && s.object.name == r.name);
            if let Some((s, value)) = secret.and_then(|s| s.data.get(&r.key).map(|v| (s, v))) {
                out.push(Entry {
                    field,
                    value: value.clone(),
                    origin: Origin::SecretKey {
                        namespace: s.object.namespace.clone(),
                        name: s.object.name.clone(),
                        key: r.key.clone(),
                        path: s.path.clone(),
                    },
                    group: group.clone(),
                    holders: BTreeSet::from([holder.clone()]),
                });
            }
        }
    }
}

/// What is wrong with one value on its own, if anything.
fn value_problem(field: Field, value: &[u8]) -> Option<String> {
    let Ok(text) = std::str::from_utf8(value) else {
        return Some("is not text".to_string());
    };
    if text.trim().is_empty() {
        return Some("is empty".to_string());
    }
    if text != text.trim() {
        return Some(
            "has leading or trailing whitespace or a newline (typically `echo` without -n piped to base64 \
             when the Secret was written by hand)"
                .to_string(),
        );
    }
    match field {
        Field::AwsKeyId => {
            if text.len() == 40 {
                return Some("has 40 characters: it looks like a secret access key (fields swapped?)".into());
            }
            let ok = (text.starts_with("AKIA") || text.starts_with("ASIA"))
                && text.len() == 20
                && text
                    .get(4..)
                    .unwrap_or_default()
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b));
            (!ok).then(|| "is not an access key id (AKIA or ASIA followed by 16 of A-Z, 2-7)".to_string())
        }
        Field::AwsSecret => {
            let ok = text.len() == 40
                && text
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+');
            (!ok).then(|| {
                format!(
                    "is not a secret access key (40 characters of A-Z, a-z, 0-9, / and +; this one has {})",
                    text.len()
                )
            })
        }
        Field::AzureClientId | Field::AzureTenantId => {
            (!is_guid(text)).then(|| "is not a GUID (8-4-4-4-12 hex digits)".to_string())
        }
        Field::AzureClientSecret | Field::AwsSession => None,
        Field::GcpServiceAccount => gcp_problem(text),
    }
}

fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn gcp_problem(text: &str) -> Option<String> {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(text) else {
        return Some("is not valid JSON".to_string());
    };
    let missing: Vec<&str> = ["type", "client_email", "private_key_id", "private_key"]
        .into_iter()
        .filter(|k| json.get(*k).and_then(|v| v.as_str()).is_none_or(str::is_empty))
        .collect();
    if !missing.is_empty() {
        return Some(format!("lacks {}", missing.join(", ")));
    }
    if json.get("type").and_then(|v| v.as_str()) != Some("service_account") {
        return Some("is not of type service_account".to_string());
    }
    if !json
        .get("private_key")
        .and_then(|v| v.as_str())
        .is_some_and(|k| k.contains("-----BEGIN PRIVATE KEY-----"))
    {
        return Some("has a private_key that is not a PEM PKCS#8 key".to_string());
    }
    None
}

/// One finding per distinct bad value, listing every place it sits.
fn malformed(cx: &Ctx<'_>, entries: &[Entry], out: &mut Vec<Finding>) {
    let mut by_value: BTreeMap<(Field, String), Vec<&Entry>> = BTreeMap::new();
    for e in entries {
        by_value
            .entry((e.field, redact::fingerprint(&e.value)))
            .or_default()
            .push(e);
    }
    for ((field, fp), es) in by_value {
        let Some(first) = es.first() else { continue };
        let Some(problem) = value_problem(field, &first.value) else {
            continue;
        };
        let shown = field.redacted(&first.value);
        let places = dedup(es.iter().map(|e| e.origin.display()));
        let f = finish(
            cx.finding(format!("{}:{fp}", field.label()))
                .message(format!(
                    "the {} {shown} {problem}. {} rejects it, so every component using it fails to authenticate \
                     (found at {}).",
                    field.label(),
                    provider_name(field.provider()),
                    places.join(", ")
                ))
                .evidence("provider", field.provider())
                .evidence("field", field.label())
                .evidence("value", shown)
                .evidence("problem", problem),
            &es,
            cx.snap,
        );
        out.push(f);
    }
}

/// Temporary (`ASIA…`) AWS keys in a group with no session token.
fn temporary_without_token(cx: &Ctx<'_>, entries: &[Entry], out: &mut Vec<Finding>) {
    let mut groups: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    for e in entries {
        groups.entry(e.group.as_str()).or_default().push(e);
    }
    for (group, es) in groups {
        let Some(id) = es
            .iter()
            .find(|e| e.field == Field::AwsKeyId && e.value.starts_with(b"ASIA"))
        else {
            continue;
        };
        if es
            .iter()
            .any(|e| e.field == Field::AwsSession && !e.value.is_empty())
        {
            continue;
        }
        let shown = Field::AwsKeyId.redacted(&id.value);
        out.push(finish(
            cx.finding(format!("asia:{group}"))
                .message(format!(
                    "{group} uses the temporary AWS access key {shown} (ASIA…) without an AWS_SESSION_TOKEN. \
                     Temporary keys are only valid together with their session token and expire within hours, \
                     so AWS answers InvalidClientTokenId; use a long-term key (AKIA…) or supply a fresh \
                     token with it."
                ))
                .evidence("provider", "aws")
                .evidence("value", shown)
                .evidence("problem", "temporary key without session token"),
            &es,
            cx.snap,
        ));
    }
}

/// Copies of one access key id (or Azure client id) whose secrets differ.
fn disagreeing_copies(cx: &Ctx<'_>, entries: &[Entry], out: &mut Vec<Finding>) {
    let pairs = [
        (Field::AwsKeyId, Field::AwsSecret),
        (Field::AzureClientId, Field::AzureClientSecret),
    ];
    for (id_field, secret_field) in pairs {
        let mut groups: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
        for e in entries {
            groups.entry(e.group.as_str()).or_default().push(e);
        }
        // id value → (secret fingerprint → places)
        let mut copies: BTreeMap<String, BTreeMap<String, Vec<&Entry>>> = BTreeMap::new();
        for es in groups.values() {
            let id = es.iter().find(|e| e.field == id_field);
            let secret = es.iter().find(|e| e.field == secret_field);
            if let (Some(id), Some(secret)) = (id, secret) {
                let key = String::from_utf8_lossy(&id.value).trim().to_string();
                let slot = copies
                    .entry(key)
                    .or_default()
                    .entry(redact::fingerprint(&secret.value))
                    .or_default();
                slot.push(id);
                slot.push(secret);
            }
        }
        for (id, secrets) in copies.into_iter().filter(|(_, s)| s.len() > 1) {
            let shown = id_field.redacted(id.as_bytes());
            let variants: Vec<String> = secrets
                .iter()
                .map(|(fp, es)| {
                    format!(
                        "{fp} at {}",
                        dedup(es.iter().map(|e| e.origin.display())).join(", ")
                    )
                })
                .collect();
            let all: Vec<&Entry> = secrets.values().flatten().copied().collect();
            out.push(finish(
                cx.finding(format!("copies:{}", redact::fingerprint(id.as_bytes())))
                    .message(format!(
                        "{} copies of the credential {shown} disagree on its {}: {}. At most one of them is \
                         current; the components holding the others fail to authenticate.",
                        secrets.len(),
                        secret_field.label(),
                        variants.join("; ")
                    ))
                    .evidence("provider", id_field.provider())
                    .evidence("value", shown)
                    .evidence("variants", variants),
                &all,
                cx.snap,
            ));
        }
    }
}

/// `log-cloud-auth-failed` hits, attributed to the credentials of the component that logged.
/// The workload that runs pod `name` (a log's component is often the pod's own name, hash
/// and all): from the dumped pod's owner, a ReplicaSet's Deployment by name; with the pod's
/// namespace and service account.
fn workload_of_pod(snap: &Snapshot, name: &str) -> Option<(String, String, String, String)> {
    let p = snap
        .pods
        .iter()
        .find(|p| p.origin == PodOrigin::Dump && p.pod.metadata.name == name)?;
    let m = &p.pod.metadata;
    let o = m
        .owner_references
        .iter()
        .find(|o| matches!(o.kind.as_str(), "ReplicaSet" | "DaemonSet" | "StatefulSet"))?;
    let (kind, wname) = match o.kind.as_str() {
        "ReplicaSet" => (
            "deployment",
            o.name.rsplit_once('-').map_or(o.name.as_str(), |(d, _)| d),
        ),
        "DaemonSet" => ("daemonset", o.name.as_str()),
        _ => ("statefulset", o.name.as_str()),
    };
    Some((
        m.namespace.clone(),
        kind.to_string(),
        wname.to_string(),
        p.pod.spec.service_account_name.clone(),
    ))
}

/// The scanner's component for lines read from Event dumps.
const EVENTS: &str = "events";

fn rejected_in_logs(cx: &Ctx<'_>, entries: &[Entry], out: &mut Vec<Finding>) {
    let provider_of = |text: &str| {
        if text.contains("AADSTS") {
            "azure"
        } else if text.contains("invalid_grant") {
            "gcp"
        } else {
            "aws"
        }
    };
    let hits: Vec<_> = cx
        .snap
        .logs
        .hits
        .iter()
        .filter(|h| h.rule == LOG_CLOUD_AUTH_FAILED)
        .collect();
    // An Event reports what a component did to an object (a PVC, a Certificate): it holds no
    // credentials. When the component's own log shows the rejection, the Event is only its
    // symptom; alone, it still says credentials are rejected, by a component it cannot name.
    let logged: std::collections::BTreeSet<&str> = hits
        .iter()
        .filter(|h| h.component != EVENTS)
        .map(|h| provider_of(&h.samples.join("\n")))
        .collect();
    for hit in hits {
        let text = hit.samples.join("\n");
        let provider = provider_of(&text);
        if hit.component == EVENTS && logged.contains(provider) {
            continue;
        }
        let comp = hit.component.to_ascii_lowercase();
        let held: Vec<&Entry> = entries
            .iter()
            .filter(|e| e.field.provider() == provider)
            .filter(|e| {
                !comp.is_empty()
                    && (e.holders.iter().any(|h| {
                        let h = h.name.to_ascii_lowercase();
                        h.contains(&comp) || comp.starts_with(&format!("{h}-"))
                    }) || e.group.to_ascii_lowercase().contains(&comp))
            })
            .collect();
        let ids = dedup(
            held.iter()
                .filter(|e| {
                    matches!(
                        e.field,
                        Field::AwsKeyId | Field::AzureClientId | Field::GcpServiceAccount
                    )
                })
                .map(|e| {
                    format!(
                        "{} {} at {}",
                        e.field.label(),
                        e.field.redacted(&e.value),
                        e.origin.display()
                    )
                }),
        );
        let placed = cx.snap.hit_node(hit);
        let node = placed.clone().unwrap_or_else(|| "cluster".to_string());
        let when = match (hit.first_seen, hit.last_seen) {
            (Some(a), Some(b)) => {
                format!(
                    ", {} to {}",
                    crate::snapshot::rfc3339(a),
                    crate::snapshot::rfc3339(b)
                )
            }
            _ => String::new(),
        };
        let holds = if ids.is_empty() {
            "The bundle holds no copy of the credentials it uses (check its Secret or instance role)."
                .to_string()
        } else {
            format!("It uses {}.", ids.join("; "))
        };
        let workload = workload_of_pod(cx.snap, &hit.component);
        let who = match &workload {
            Some((ns, kind, name, _)) => format!("{} (of {kind}/{name} in {ns})", hit.component),
            None if hit.component == EVENTS => {
                "Events of the cluster (the component that acted is not named)".to_string()
            }
            None => hit.component.clone(),
        };
        // The DNS-challenge consequence only for the components that solve one.
        let dns = if ["traefik", "cert-manager", "external-dns"]
            .iter()
            .any(|c| comp.contains(c))
        {
            " For an ACME DNS challenge this is why no DNS record is created and the hostnames do not resolve."
        } else {
            ""
        };
        let mut f = cx
            .finding(format!("log:{comp}:{node}"))
            .message(format!(
                "{who} logged {} rejecting its credentials {} time(s){when}. {holds} Replace them with valid ones.{dns}",
                provider_name(provider),
                hit.count
            ))
            .evidence("provider", provider)
            .evidence("component", hit.component.clone())
            .evidence("count", hit.count)
            .evidence("samples", hit.samples.iter().map(|s| redact::line(s)).collect::<Vec<_>>())
            .evidence("credentials", ids);
        if placed.is_some() {
            f = f.node(Some(&node));
        }
        for p in &hit.paths {
            f = f.path(p.clone());
        }
        if held.is_empty() {
            let (target, update, restart, verify) = match &workload {
                Some((ns, kind, name, sa)) => {
                    let identity = match (provider, sa.is_empty()) {
                        ("aws", false) => {
                            format!(" (its Secret or env, or the IAM role of service account {ns}/{sa})")
                        }
                        (_, false) => {
                            format!(" (its Secret or env, or the identity of service account {ns}/{sa})")
                        }
                        _ => " (its Secret, env or instance role)".to_string(),
                    };
                    (
                        format!("{ns}/{kind}/{name}"),
                        shell::comment_text(&format!(
                            "# find where {kind}/{name} gets its {provider} credentials{identity} and replace them"
                        )),
                        format!(
                            "kubectl -n {} rollout restart {}",
                            shell::operand(ns),
                            shell::operand(&format!("{kind}/{name}"))
                        ),
                        format!(
                            "kubectl -n {} logs {} --since=10m | grep -ci auth",
                            shell::operand(ns),
                            shell::operand(&format!("{kind}/{name}"))
                        ),
                    )
                }
                None if hit.component == EVENTS => (
                    "the component the Events name".to_string(),
                    shell::comment_text(&format!(
                        "# find the component that acted for these Events (their source or reportingComponent) and replace its {provider} credentials"
                    )),
                    shell::comment_text("# restart that component afterwards"),
                    shell::comment_text("# kubectl get events -A: no new authentication failures"),
                ),
                None => (
                    hit.component.clone(),
                    shell::comment_text(&format!(
                        "# find where {} gets its {provider} credentials and replace them",
                        hit.component
                    )),
                    shell::comment_text(&format!("# restart {} afterwards", hit.component)),
                    shell::comment_text(&format!(
                        "# read {}'s logs again: no authentication errors",
                        hit.component
                    )),
                ),
            };
            f = f
                .var("target", target)
                .var("update_command", update)
                .var("restart_command", restart)
                .var("verify_command", verify);
            out.push(f);
        } else {
            out.push(finish(f, &held, cx.snap));
        }
    }
}

fn provider_name(p: &str) -> &'static str {
    match p {
        "azure" => "Azure AD",
        "gcp" => "Google",
        _ => "AWS",
    }
}

fn dedup(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    items.filter(|s| seen.insert(s.clone())).collect()
}

/// Adds paths, objects, holders and the fix commands for the places `es` sit.
fn finish(mut f: Finding, es: &[&Entry], snap: &Snapshot) -> Finding {
    let mut holders: BTreeSet<Holder> = BTreeSet::new();
    let mut secrets: BTreeMap<(String, String), BTreeMap<String, Field>> = BTreeMap::new();
    let mut literals: BTreeMap<Holder, BTreeMap<String, Field>> = BTreeMap::new();
    let mut files: BTreeSet<(String, String)> = BTreeSet::new();
    // A finding about credential files of one node only belongs to that node.
    let file_nodes: BTreeSet<Option<&str>> = es
        .iter()
        .map(|e| match &e.origin {
            Origin::File { path, .. } => snap
                .node_of(path)
                .and_then(|i| snap.nodes.get(i))
                .map(|n| n.name.as_str()),
            _ => None,
        })
        .collect();
    if let ([Some(node)], None) = (file_nodes.iter().copied().collect::<Vec<_>>().as_slice(), &f.node) {
        f = f.node(Some(node));
    }
    for e in es {
        f = f.path(e.origin.path().to_string());
        holders.extend(e.holders.iter().cloned());
        match &e.origin {
            Origin::SecretKey {
                namespace, name, key, ..
            } => {
                f = f.object(format!("{namespace}/Secret/{name}#{key}"));
                secrets
                    .entry((namespace.clone(), name.clone()))
                    .or_default()
                    .insert(key.clone(), e.field);
            }
            Origin::EnvLiteral { holder, var, .. } => {
                literals
                    .entry(holder.clone())
                    .or_default()
                    .insert(var.clone(), e.field);
            }
            Origin::File { path, node, .. } => {
                // The commands act on the node: its absolute path, not the bundle path.
                let on_node = snap
                    .node_of(path)
                    .and_then(|i| snap.nodes.get(i))
                    .and_then(|n| path.strip_prefix(n.root.as_str()))
                    .map_or_else(|| path.clone(), |rel| format!("/{rel}"));
                files.insert((node.clone(), on_node));
            }
        }
    }
    for h in &holders {
        f = f.object(h.display());
    }
    let mut updates = Vec::new();
    for ((ns, name), keys) in &secrets {
        // List every key of the Secret so that applying it does not drop the others.
        let all: Vec<String> = snap
            .secrets
            .iter()
            .find(|s| s.object.namespace == *ns && s.object.name == *name)
            .map(|s| s.data.keys().cloned().collect())
            .unwrap_or_else(|| keys.keys().cloned().collect());
        let literals: Vec<String> = all
            .iter()
            .map(|k| match keys.get(k).copied().or_else(|| Field::of_name(k)) {
                Some(field) => shell::word(&format!("--from-literal={k}=<new {}>", field.label())),
                None => shell::word(&format!("--from-literal={k}=<current {k}>")),
            })
            .collect();
        updates.push(format!(
            "kubectl -n {} create secret generic {} {} --dry-run=client -o yaml | kubectl apply -f -",
            shell::operand(ns),
            shell::operand(name),
            literals.join(" ")
        ));
    }
    for (h, vars) in &literals {
        let sets: Vec<String> = vars
            .iter()
            .map(|(v, field)| shell::operand(&format!("{v}=<new {}>", field.label())))
            .collect();
        updates.push(format!(
            "kubectl -n {} set env {} {}",
            shell::operand(&h.namespace),
            shell::operand(&format!("{}/{}", h.kind.to_ascii_lowercase(), h.name)),
            sets.join(" ")
        ));
    }
    for (node, path) in &files {
        updates.push(shell::comment_text(&format!(
            "# on {node}: put the new key pair into {path} (aws_access_key_id / aws_secret_access_key)"
        )));
    }
    let restarts: Vec<String> = holders
        .iter()
        .filter(|h| matches!(h.kind.as_str(), "Deployment" | "DaemonSet" | "StatefulSet"))
        .map(|h| {
            format!(
                "kubectl -n {} rollout restart {}",
                shell::operand(&h.namespace),
                shell::operand(&format!("{}/{}", h.kind.to_ascii_lowercase(), h.name))
            )
        })
        .collect();
    let target = holders
        .iter()
        .map(Holder::display)
        .chain(secrets.keys().map(|(ns, n)| format!("{ns}/Secret/{n}")))
        .chain(files.iter().map(|(n, p)| format!("{p} ({n})")))
        .next()
        .unwrap_or_else(|| f.subject.clone());
    let verify: Vec<String> = holders
        .iter()
        .filter(|h| h.kind != "Pod" || holders.len() == 1)
        .map(|h| {
            format!(
                "kubectl -n {} logs {} --since=10m | grep -E 'InvalidClientTokenId|SignatureDoesNotMatch|AADSTS|invalid_grant' || echo 'no auth errors'",
                shell::operand(&h.namespace),
                shell::operand(&format!("{}/{}", h.kind.to_ascii_lowercase(), h.name))
            )
        })
        .collect();
    f.var("target", target)
        .var(
            "verify_command",
            if verify.is_empty() {
                "# read the logs of the component that uses these credentials: no InvalidClientTokenId, AADSTS or invalid_grant".to_string()
            } else {
                verify.join("\n")
            },
        )
        .var("update_command", updates.join("\n"))
        .var(
            "restart_command",
            if restarts.is_empty() {
                "# restart the pods that read these credentials so they pick up the new values".to_string()
            } else {
                restarts.join("\n")
            },
        )
}
