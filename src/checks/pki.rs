//! The certificate rules: expiry, signatures along trust edges, key pairs, names, usages
//! and strength. Every finding is about one certificate (all its copies are its
//! locations), names its verified issuer and its notAfter with the days left at capture.

use std::collections::{BTreeMap, BTreeSet};

use crate::checks::certkeys::CertKeys;
use crate::checks::{Check, Ctx};
use crate::facts::copies::{Original, originals};
use crate::facts::inventory::{key_text, verified_issuer};
use crate::facts::trust::{apiserver_serving, service_account_cas};
use crate::facts::usage::{Usage, node_path, roles};
use crate::facts::{config, names, pairs};
use crate::finding::{CertKey, Finding, KeyKind, Severity};
use crate::pki::CertRecord;
use crate::pki::trust::{Purpose, TrustEdge};
use crate::snapshot::{Location, Snapshot, duration_text, rfc3339};

mod from_logs;
mod kubelet;
mod reload;

pub use from_logs::{CertExpiredInLogs, KubeletCertExpiredInLogs};
pub use reload::CertNotReloaded;

use kubelet::{KubeletServing, Served};

/// A finding about certificate `i`, with its places, identity, verified issuer and
/// validity as evidence, and the fix-template variables its copies give.
fn cert_finding(cx: &Ctx<'_>, i: usize, subject: String) -> Finding {
    cert_finding_at(cx, i, subject, true)
}

/// [`cert_finding`], optionally without the certificate's own places (for findings about
/// some of the places a certificate sits).
fn cert_finding_at(cx: &Ctx<'_>, i: usize, subject: String, places: bool) -> Finding {
    let snap = cx.snap;
    let mut f = cx.finding(subject);
    let Some(c) = snap.certs.certs.get(i) else {
        return f;
    };
    let at = snap.captured_at.at;
    f = f
        .evidence("fingerprint", c.fingerprint.hex())
        .evidence("subject", c.subject.clone())
        .evidence("issuer_verified", verified_issuer(snap, i))
        .evidence("not_after", rfc3339(c.not_after))
        .evidence("days_left", c.days_left(at))
        .evidence(
            "locations",
            c.locations.iter().map(ToString::to_string).collect::<Vec<_>>(),
        )
        .var("cn", c.name())
        .var("fingerprint", c.fingerprint.short());
    let mut nodes = BTreeSet::new();
    let mut objects = false;
    for l in c.locations.iter().filter(|_| places) {
        f = add_location(snap, f, l);
        match l {
            Location::Object { .. } => objects = true,
            _ => {
                nodes.insert(snap.node_of(l.path()));
            }
        }
    }
    if !objects && nodes.len() == 1 {
        let node = nodes.into_iter().next().flatten();
        f = f.node(node.map(|n| snap.node_name(Some(n))));
    }
    f
}

/// Adds a location to a finding: its path or object, and fix variables for the first of
/// each kind (`path`/`node`, `namespace`/`secret`/`key`, `kubeconfig`, `checkpoint_dir`).
fn add_location(snap: &Snapshot, mut f: Finding, l: &Location) -> Finding {
    match l {
        Location::File { path } | Location::Kubeconfig { path, .. } => {
            f = f.path(path.clone());
            let (node, abs) = node_path(snap, path);
            let var = if matches!(l, Location::Kubeconfig { .. }) {
                "kubeconfig"
            } else {
                "path"
            };
            if !f.vars.contains_key(var) {
                f = f.var(var, abs.clone()).var("node", snap.node_name(node));
            }
            if let Some((dir, _)) = abs.rsplit_once('/') {
                if dir.contains("/checkpoint-secrets/") && !f.vars.contains_key("checkpoint_dir") {
                    f = f.var("checkpoint_dir", dir);
                }
            }
            f
        }
        Location::Object { object, key, .. } => {
            f = f.object(format!("{object}#{key}"));
            if !f.vars.contains_key("secret") && !f.vars.contains_key("configmap") {
                let kind = if object.kind == "ConfigMap" {
                    "configmap"
                } else {
                    "secret"
                };
                f = f
                    .var(kind, object.name.clone())
                    .var("namespace", object.namespace.clone())
                    .var("key", key.clone());
            }
            f
        }
    }
}

fn places(c: &CertRecord) -> String {
    c.locations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A valid CA with the same subject as CA `c` that outlives it: its successor after a
/// rotation that kept the name (`kubernetes`, `etcd-ca`).
fn successor<'a>(snap: &'a Snapshot, c: &CertRecord) -> Option<&'a CertRecord> {
    if !c.is_ca {
        return None;
    }
    let at = snap.captured_at.at;
    snap.certs
        .certs
        .iter()
        .filter(|n| n.is_ca && n.subject_raw == c.subject_raw && n.key_id != c.key_id)
        .filter(|n| n.not_after > c.not_after && n.valid_at(at))
        .max_by_key(|n| n.not_after)
}

/// The fix steps for replacing certificate `c` where it sits.
fn renew_steps(snap: &Snapshot, i: usize, c: &CertRecord, original: Option<&Original>) -> &'static str {
    let etcd_client = c.locations.iter().any(|l| match l {
        Location::Object { key, .. } => key.starts_with("etcd-client"),
        Location::File { path } => path.contains("etcd-client") || path.contains("apiserver-etcd-client"),
        Location::Kubeconfig { .. } => false,
    });
    if etcd_client {
        "reissue-etcd-client-cert"
    } else if throwaway_ca(snap, i) {
        "regenerate-kubelet-self-signed-cert"
    } else if crate::pki::scope::is_own_ca(&snap.certs.certs, &snap.graph, i) {
        "renew-own-ca"
    } else if crate::pki::scope::is_workload_cert(c) {
        "renew-workload-tls-secret"
    } else if c.is_ca {
        "rotate-ca"
    } else if kubelet_client(c) {
        "renew-kubelet-client-cert"
    } else if original
        .map_or_else(|| kubeadm_name(c), |o| kubeadm_name_of(&o.path))
        .is_some()
        && (original.is_some()
            || c.locations.iter().all(|l| {
                matches!(l, Location::File { path } if path.contains("etc/kubernetes/pki/"))
                    || matches!(l, Location::Kubeconfig { path, .. } if kubeadm_conf(path))
            }))
    {
        "kubeadm-certs-renew"
    } else if c
        .locations
        .iter()
        .any(|l| matches!(l, Location::Kubeconfig { .. }))
    {
        "renew-kubeconfig-client-cert"
    } else {
        "reissue-from-current-ca"
    }
}

/// A kubelet client certificate's renewal also turns client rotation back on when the
/// node's kubelet has it off (`rotateCertificates: false`, `--rotate-certificates=false`):
/// with it off, the renewed certificate expires again a year later.
fn with_rotation_back_on(cx: &Ctx<'_>, c: &CertRecord, f: Finding) -> Finding {
    let snap = cx.snap;
    let node = c.locations.iter().find_map(|l| match l {
        Location::File { path } | Location::Kubeconfig { path, .. } => snap.node_of(path),
        Location::Object { .. } => None,
    });
    let kubelet = crate::facts::kubelet::Kubelet::on(&cx.facts.components, node);
    let Some(by) = kubelet.client_rotation_off() else {
        return f;
    };
    let mut steps = f.fixes.clone().unwrap_or_default();
    steps.push("enable-kubelet-client-rotation".to_string());
    let msg = format!(
        "{}; client certificate rotation is off ({} in {}), so the kubelet could not renew it",
        f.message,
        match by.source {
            crate::facts::config::FlagSource::ConfigFile => "rotateCertificates: false",
            _ => "--rotate-certificates=false",
        },
        by.place
    );
    f.fixes(steps)
        .message(msg)
        .evidence("client_rotation_off", by.place.clone())
        .var("kubelet_config", kubelet.config_path(snap))
}

/// A kubelet's client certificate (`system:node:<name>`), in the kubelet's rotating files
/// or embedded in its `kubelet.conf`: renewed through the kubelet, not by re-signing.
fn kubelet_client(c: &CertRecord) -> bool {
    c.name().starts_with("system:node:")
        && c.locations.iter().any(|l| match l {
            Location::File { path } => path.contains("var/lib/kubelet/pki/kubelet-client"),
            Location::Kubeconfig { path, .. } => path.ends_with("kubelet.conf"),
            Location::Object { .. } => false,
        })
}

fn kubeadm_conf(path: &str) -> bool {
    [
        "admin.conf",
        "super-admin.conf",
        "controller-manager.conf",
        "scheduler.conf",
    ]
    .iter()
    .any(|n| path.ends_with(&format!("etc/kubernetes/{n}")))
}

/// kubeadm's name for a certificate under `/etc/kubernetes/pki` or a kubeconfig it owns.
fn kubeadm_name(c: &CertRecord) -> Option<String> {
    c.locations.iter().find_map(|l| match l {
        Location::File { path } => kubeadm_name_of(path),
        Location::Kubeconfig { path, .. } if kubeadm_conf(path) => {
            path.rsplit('/').next().map(str::to_string)
        }
        _ => None,
    })
}

/// kubeadm's name for the certificate file at `path` under `/etc/kubernetes/pki`; none for a
/// file kubeadm does not manage there (a webhook's, an OIDC proxy's: `kubeadm certs renew`
/// refuses those names).
fn kubeadm_name_of(path: &str) -> Option<String> {
    let rest = path.split("etc/kubernetes/pki/").nth(1)?;
    let name = rest.strip_suffix(".crt")?.replace("etcd/", "etcd-");
    crate::facts::usage::is_kubeadm_cert(&name).then_some(name)
}

/// The file under `/etc/kubernetes/pki` of a certificate kubeadm does not manage, kept there
/// by hand (a webhook's, an OIDC proxy's).
fn foreign_in_kubeadm_pki<'a>(c: &'a CertRecord, original: Option<&'a Original>) -> Option<&'a str> {
    let path = original.map(|o| o.path.as_str()).or_else(|| {
        c.locations.iter().find_map(|l| match l {
            Location::File { path } if path.contains("etc/kubernetes/pki/") => Some(path.as_str()),
            _ => None,
        })
    })?;
    (path.contains("etc/kubernetes/pki/")
        && !c.is_ca
        && kubeadm_name(c).is_none()
        && kubeadm_name_of(path).is_none())
    .then_some(path)
}

/// Node path of a file copy of the CA to issue a replacement for certificate `i` from: the CA
/// that verifiably signed it, or that CA's successor when it was rotated under the same name
/// (re-issuing from the superseded CA would recreate the problem).
fn signer_file(snap: &Snapshot, i: usize) -> Option<String> {
    snap.graph
        .parents(i)
        .filter_map(|p| snap.certs.certs.get(p))
        .map(|p| successor(snap, p).unwrap_or(p))
        .flat_map(|p| p.locations.iter())
        .find_map(|l| match l {
            Location::File { path } => Some(node_path(snap, path).1),
            _ => None,
        })
}

/// The fix-step ids of a comma-separated list (empty: no step of its own).
fn fix_ids(ids: &str) -> impl Iterator<Item = &str> {
    ids.split(',').filter(|s| !s.is_empty())
}

/// Adds the fix selection and the variables that [`renew_steps`]'s steps need; a kubelet's
/// serving certificate is replaced the way that kubelet came by it.
fn with_renewal(
    cx: &Ctx<'_>,
    i: usize,
    f: Finding,
    c: &CertRecord,
    kubelet: Option<&Served>,
    original: Option<&Original>,
) -> Finding {
    let snap = cx.snap;
    let step = kubelet.map_or_else(|| renew_steps(snap, i, c, original), Served::renew_steps);
    let mut f = f.fixes(fix_ids(step));
    if let Some(o) = original {
        let msg = format!(
            "{}; the bundle holds only this copy: the file {} loads, {}, was not collected, and the plan renews it",
            f.message, o.by, o.path
        );
        f = f.message(msg).evidence("copy_of", o.path.clone());
    }
    if let Some(k) = kubelet {
        f = k.vars(f);
    }
    if !f.vars.contains_key("ca_path") {
        if let Some(p) = signer_file(snap, i) {
            f = f.var("ca_path", p);
        }
    }
    if step == "renew-kubelet-client-cert" {
        f = with_rotation_back_on(cx, c, f);
    }
    if let Some(path) = foreign_in_kubeadm_pki(c, original) {
        let path = if original.is_some() {
            path.to_string()
        } else {
            node_path(snap, path).1
        };
        let msg = format!(
            "{}; kubeadm does not manage {path} (`kubeadm certs renew` knows only its own certificates, and `kubeadm certs check-expiration` does not list it): re-issue it from its CA",
            f.message
        );
        f = f.message(msg);
    }
    let name = original
        .and_then(|o| kubeadm_name_of(&o.path))
        .or_else(|| kubeadm_name(c));
    match name {
        Some(n) if step == "kubeadm-certs-renew" => f.var("kubeadm_cert", n),
        _ => f,
    }
}

/// A certificate outside its validity: renewed where something uses it; a copy nothing
/// references is only worth knowing about (info) and can be removed.
fn renew_or_retire(
    cx: &Ctx<'_>,
    i: usize,
    f: Finding,
    c: &CertRecord,
    used: bool,
    kubelet: Option<&Served>,
    original: Option<&Original>,
) -> Finding {
    if used {
        with_renewal(cx, i, f, c, kubelet, original)
    } else {
        f.severity(Severity::Info).fixes(["remove-stale-cert"])
    }
}

/// cert-expired: certificates past notAfter at capture; an error where anything uses them,
/// info for copies nothing references (backups, superseded rotations).
pub struct CertExpired;

impl Check for CertExpired {
    fn id(&self) -> &'static str {
        "pki.cert_expired"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let snap = cx.snap;
        let at = snap.captured_at.at;
        let usage = Usage::new(snap);
        let originals = originals(snap);
        let ck = CertKeys::new(snap, &cx.facts.components);
        let serving = KubeletServing::new(snap, &cx.facts.components);
        let verified = kubelet::apiservers_verify_kubelets(snap, &cx.facts.components);
        let expired = |i: usize| snap.certs.certs.get(i).is_some_and(|c| at > c.not_after);
        let mut out = Vec::new();
        for (i, c) in snap.certs.certs.iter().enumerate() {
            if at <= c.not_after {
                continue;
            }
            // A kubelet's throwaway CA is reported with the expired pair it signed: one
            // thing to fix (delete the pair, restart the kubelet), one finding.
            if throwaway_ca(snap, i) && signed_leaves(snap, i).any(expired) {
                continue;
            }
            let used = usage.in_use(snap, i);
            let mut f = cert_finding(cx, i, c.fingerprint.hex())
                .keys(ck.of(snap, i))
                .message(format!(
                    "{} expired {} before capture (notAfter {}), issued by {}; found at {}{}",
                    c.name(),
                    duration_text(at - c.not_after),
                    rfc3339(c.not_after),
                    verified_issuer(snap, i),
                    places(c),
                    if used || crate::facts::usage::loose(snap, c) {
                        ""
                    } else {
                        " (a copy nothing references)"
                    }
                ));
            if let (true, Some(next)) = (used, successor(snap, c)) {
                // A CA rotated under the same name: re-issuing or rotating again is wrong. What
                // is broken are the places that still trust the old one: the ca-mismatch and
                // sa-token-stale-ca steps replace them with the successor.
                let before = f.message.clone();
                f = f
                    .message(format!(
                        "{before}; superseded by {} [{}], valid until {}: replace it with its successor \
                         wherever it is still trusted",
                        next.subject,
                        next.fingerprint.short(),
                        rfc3339(next.not_after)
                    ))
                    .evidence("superseded_by", next.fingerprint.hex())
                    .var("superseded", format!("{} [{}]", c.name(), c.fingerprint.short()))
                    .var(
                        "successor",
                        format!("{} [{}]", next.subject, next.fingerprint.short()),
                    )
                    .var("places", places(c))
                    .var("target", format!("{} [{}]", c.name(), c.fingerprint.short()))
                    .fixes(["replace-superseded-ca"]);
            } else if !used && crate::facts::usage::loose(snap, c) {
                let before = f.message.clone();
                f = f.severity(Severity::Info).fixes(fix_ids("")).message(format!(
                    "{before}; it lies outside every node's tree (a collector's copy, a backup kept in the bundle) \
                     and nothing in the bundle loads it, so it is not taken for a node's live certificate \
                     and no step acts on it"
                ));
            } else {
                f = renew_or_retire(cx, i, f, c, used, serving.get(i), originals.get(&i));
            }
            if used && !verified && self_signed_serving(snap, i) {
                f = unverified_self_signed(snap, i, f, expired);
            }
            out.push(f);
        }
        out.extend(expired_text_dumps(cx));
        out
    }
}

/// Certificates a collector shows only as `openssl x509 -text` dumps (Rancher's logs
/// collector): their dates are facts, their signature and key are not; the finding says so.
fn expired_text_dumps(cx: &Ctx<'_>) -> Vec<Finding> {
    let snap = cx.snap;
    let at = snap.captured_at.at;
    snap.cert_texts
        .iter()
        .filter(|(_, _, c)| at > c.not_after)
        .map(|(path, node, c)| {
            let node = node.map(|n| snap.node_name(Some(n)).to_string());
            let issuer = if c.issuer.is_empty() { "an issuer it does not name" } else { &c.issuer };
            let mut f = cx
                .finding(format!("text\0{path}\0{}", c.subject))
                .message(format!(
                    "{} expired {} before capture (notAfter {}), issued by {issuer} as the dump states; found at \
                     {path}, an `openssl x509 -text` dump: its signature cannot be verified nor its key paired",
                    c.name(),
                    duration_text(at - c.not_after),
                    rfc3339(c.not_after),
                ))
                .path(path.clone())
                .node(node.as_deref())
                .keys([CertKey::instant(KeyKind::NotAfter, c.not_after)])
                .evidence("subject", c.subject.clone())
                .evidence("issuer_claimed", c.issuer.clone())
                .evidence("not_after", rfc3339(c.not_after))
                .evidence("days_left", c.not_after.unix_timestamp().saturating_sub(at.unix_timestamp()) / 86_400)
                .evidence("from", "openssl-text-dump")
                .var("cn", c.name())
                .var("path", path.clone())
                .fixes(["reissue-from-current-ca"]);
            if let Some(n) = node {
                f = f.var("node", n);
            }
            f
        })
        .collect()
}

/// Whether certificate `i` is the throwaway CA a kubelet makes for its self-signed serving
/// pair (proven by what it signed).
fn throwaway_ca(snap: &Snapshot, i: usize) -> bool {
    crate::pki::scope::is_kubelet_throwaway_ca(&snap.certs.certs, &snap.graph, i)
}

/// The certificates CA `ca` signed (verified signatures).
fn signed_leaves(snap: &Snapshot, ca: usize) -> impl Iterator<Item = usize> + '_ {
    (0..snap.certs.certs.len()).filter(move |&j| j != ca && snap.graph.parents(j).any(|p| p == ca))
}

/// Whether certificate `i` is a kubelet's self-signed serving pair or its throwaway CA.
fn self_signed_serving(snap: &Snapshot, i: usize) -> bool {
    throwaway_ca(snap, i) || snap.graph.parents(i).any(|p| throwaway_ca(snap, p))
}

/// An expired self-signed kubelet serving pair no apiserver verifies (no
/// `--kubelet-certificate-authority`, kubeadm's default): `kubectl logs` and `exec` keep
/// working, so it is a warning; its expired throwaway CA is named here, not apart.
fn unverified_self_signed(snap: &Snapshot, i: usize, f: Finding, expired: impl Fn(usize) -> bool) -> Finding {
    let mut msg = f.message.to_string();
    let ca = snap
        .graph
        .parents(i)
        .filter(|&p| expired(p))
        .filter(|&p| throwaway_ca(snap, p))
        .find_map(|p| snap.certs.certs.get(p));
    if let Some(ca) = ca {
        msg.push_str(&format!(
            "; its throwaway CA {} [{}] expired too (notAfter {}) and is made anew with the pair",
            ca.name(),
            ca.fingerprint.short(),
            rfc3339(ca.not_after)
        ));
    }
    msg.push_str(
        "; no apiserver verifies kubelet serving certificates (no --kubelet-certificate-authority), \
         so kubectl logs/exec still work; a client that verifies the kubelet (metrics-server without \
         --kubelet-insecure-tls, Prometheus) fails",
    );
    let f = f.message(msg).severity(Severity::Warning);
    match ca {
        Some(ca) => f.evidence("throwaway_ca", ca.fingerprint.hex()),
        None => f,
    }
}

/// cert-not-yet-valid: certificates whose notBefore is after capture, with the skew.
pub struct CertNotYetValid;

impl Check for CertNotYetValid {
    fn id(&self) -> &'static str {
        "pki.cert_not_yet_valid"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let snap = cx.snap;
        let at = snap.captured_at.at;
        let usage = Usage::new(snap);
        let originals = originals(snap);
        let ck = CertKeys::new(snap, &cx.facts.components);
        let serving = KubeletServing::new(snap, &cx.facts.components);
        let mut out = Vec::new();
        for (i, c) in snap.certs.certs.iter().enumerate() {
            if at >= c.not_before {
                continue;
            }
            let skew = c.not_before - at;
            let mut f = cert_finding(cx, i, c.fingerprint.hex())
                .keys(ck.of(snap, i))
                .message(format!(
                    "{} becomes valid {} after capture (notBefore {}): the issuing host's clock \
                     ran ahead of this one by at least {}; found at {}",
                    c.name(),
                    duration_text(skew),
                    rfc3339(c.not_before),
                    duration_text(skew),
                    places(c)
                ))
                .evidence("not_before", rfc3339(c.not_before))
                .evidence("skew_seconds", skew.whole_seconds());
            f = renew_or_retire(
                cx,
                i,
                f,
                c,
                usage.in_use(snap, i),
                serving.get(i),
                originals.get(&i),
            );
            out.push(f);
        }
        out
    }
}

/// cert-expiring-soon: certificates in use that expire within the expiry window after
/// capture (the pre-upgrade audit).
pub struct CertExpiringSoon;

impl Check for CertExpiringSoon {
    fn id(&self) -> &'static str {
        "pki.cert_expiring_soon"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let snap = cx.snap;
        let at = snap.captured_at.at;
        let usage = Usage::new(snap);
        let originals = originals(snap);
        let window = cx.opts.expiry_window;
        snap.certs
            .certs
            .iter()
            .enumerate()
            .filter(|(i, c)| c.valid_at(at) && c.not_after <= at + window && usage.in_use(snap, *i))
            .map(|(i, c)| {
                let f = cert_finding(cx, i, c.fingerprint.hex()).message(format!(
                    "{} expires in {} (notAfter {}), within the {}-day window; found at {}",
                    c.name(),
                    duration_text(c.not_after - at),
                    rfc3339(c.not_after),
                    window.whole_days(),
                    places(c)
                ));
                let step = match renew_steps(snap, i, c, originals.get(&i)) {
                    "kubeadm-certs-renew" => "kubeadm-certs-renew",
                    _ => "renew-before-expiry",
                };
                with_renewal(cx, i, f, c, None, originals.get(&i)).fixes(fix_ids(step))
            })
            .collect()
    }
}

fn cert_label(snap: &Snapshot, i: usize) -> String {
    snap.certs.certs.get(i).map_or_else(
        || "?".to_string(),
        |c| format!("{} [{}]", c.subject, c.fingerprint.short()),
    )
}

/// ca-mismatch: a peer certificate that no CA its consumer trusts signed, decided by
/// signature verification along the trust edges (never by issuer name).
pub struct CaMismatch;

impl Check for CaMismatch {
    fn id(&self) -> &'static str {
        "pki.ca_mismatch"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let snap = cx.snap;
        // One finding per peer certificate, purpose and trusted bundle: the copies of one
        // bundle (a checkpoint file and its Secret) are places of one finding.
        let ck = CertKeys::new(snap, &cx.facts.components);
        let serving = KubeletServing::new(snap, &cx.facts.components);
        type Key = (usize, Purpose, Vec<usize>);
        let mut groups: BTreeMap<Key, Vec<&TrustEdge>> = BTreeMap::new();
        for e in snap
            .trust
            .iter()
            .filter(|e| e.purpose != Purpose::ServiceAccountCa)
        {
            if !e.holds(snap) {
                let mut trusted = e.trusted.clone();
                trusted.sort_unstable();
                groups.entry((e.peer, e.purpose, trusted)).or_default().push(e);
            }
        }
        let agreement = Agreement::new(snap);
        groups
            .into_iter()
            .filter_map(|((peer, purpose, trusted_set), edges)| {
                let c = snap.certs.certs.get(peer)?;
                let consumers: BTreeSet<&str> = edges
                    .iter()
                    .flat_map(|e| e.consumers.iter().map(String::as_str))
                    .collect();
                let trusted_at: BTreeSet<&Location> = edges.iter().map(|e| &e.trusted_at).collect();
                let trusted_at_text = trusted_at
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ");
                let presenters: BTreeSet<&str> = edges.iter().map(|e| e.presenter.as_str()).collect();
                let trusted: Vec<String> = trusted_set.iter().map(|&t| cert_label(snap, t)).collect();
                let name_claim = trusted_set.iter().any(|&t| {
                    snap.certs
                        .certs
                        .get(t)
                        .is_some_and(|tc| tc.subject_raw == c.issuer_raw)
                });
                let issuer = match verified_issuer(snap, peer).as_str() {
                    "unknown" => "no CA in the bundle".to_string(),
                    v => v.to_string(),
                };
                let subject = format!(
                    "{}\0{}\0{}",
                    c.fingerprint.hex(),
                    purpose.as_str(),
                    trusted.join(",")
                );
                // What a log line can name: the connection's endpoints and the CAs tried.
                let authorities = trusted_set
                    .iter()
                    .filter_map(|&t| snap.certs.certs.get(t))
                    .map(|t| CertKey::new(KeyKind::Authority, t.name()));
                let mut f = cert_finding(cx, peer, subject)
                    .keys(ck.for_purpose(snap, peer, purpose))
                    .keys(authorities)
                    .message(format!(
                        "{} trust{} {} at {} for {}, but {} present{} {} [{}] ({}), which was signed by {}{}",
                        consumers.iter().copied().collect::<Vec<_>>().join("; "),
                        if consumers.len() == 1 { "s" } else { "" },
                        trusted.join(" + "),
                        trusted_at_text,
                        purpose.as_str(),
                        presenters.iter().copied().collect::<Vec<_>>().join("; "),
                        if presenters.len() == 1 { "s" } else { "" },
                        c.subject,
                        c.fingerprint.short(),
                        places(c),
                        issuer,
                        if name_claim {
                            " (the issuer name matches a trusted CA, the signature does not: \
                             a CA re-created under the same name)"
                        } else {
                            ""
                        }
                    ))
                    .evidence("purpose", purpose.as_str())
                    .evidence("consumers", consumers.iter().copied().collect::<Vec<_>>())
                    .evidence("trusted", trusted.clone())
                    .evidence(
                        "trusted_at",
                        trusted_at.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    );
                // The odd one out is the finding's node: the peer's, when more nodes agree on
                // the CA its consumers trust than on the one that signs it.
                let peer_node = edges.iter().find_map(|e| snap.node_of(e.peer_at.path()));
                let agreed = agreement.nodes(purpose, &trusted_set);
                let peer_agreed = agreement.best_for(snap, purpose, peer);
                let odd_peer = peer_node.is_some() && agreed > peer_agreed;
                // A consumer that trusts a CA fewer nodes agree on than the peer's: its trust is
                // what changes, not the peer's certificate.
                let odd_consumer = agreed < peer_agreed;
                if let (true, Some(n)) = (odd_peer, peer_node) {
                    f = f.node(Some(snap.node_name(Some(n))));
                } else if let Some(n) = edges.iter().find_map(|e| e.node) {
                    f = f.node(Some(snap.node_name(Some(n))));
                }
                for l in &trusted_at {
                    f = add_location(snap, f, l);
                    match l {
                        Location::File { path } if !f.vars.contains_key("ca_path") => {
                            f = f.var("ca_path", node_path(snap, path).1);
                        }
                        Location::Kubeconfig { field, .. } if !f.vars.contains_key("cluster") => {
                            if let Some(cluster) =
                                field.strip_prefix("clusters[").and_then(|r| r.split(']').next())
                            {
                                f = f.var("cluster", cluster);
                            }
                        }
                        _ => {}
                    }
                }
                // The CA that does sign the peer, for commands that rebuild a trust bundle.
                if let Some(p) = signer_file(snap, peer) {
                    f = f.var("signer_ca", p);
                }
                // The plan names what each step acts on: the trusting side when the fix changes
                // what is trusted, the presented certificate when the fix re-issues it.
                let on = f.node.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
                let consumer_side =
                    odd_consumer || matches!(purpose, Purpose::EtcdServing | Purpose::ApiserverServing);
                let target = if consumer_side {
                    trusted_at_text.clone()
                } else {
                    places(c)
                };
                f = f.var("target", format!("{target}{on}"));
                if odd_consumer {
                    // The trust that changes is the consumer's, on its node.
                    if let Some(n) = edges.iter().find_map(|e| e.node) {
                        f = f.var("node", snap.node_name(Some(n)));
                    }
                }
                let fix = match purpose {
                    Purpose::EtcdPeer | Purpose::EtcdClient if odd_consumer => "update-trusted-ca-bundle",
                    Purpose::EtcdClient => "reissue-etcd-client-cert",
                    Purpose::EtcdServing => "update-apiserver-etcd-ca",
                    Purpose::ApiserverServing if f.vars.contains_key("kubeconfig") => {
                        "update-kubeconfig-ca,restart-kubelet"
                    }
                    Purpose::ApiserverServing => "update-trusted-ca-bundle",
                    Purpose::ApiserverClient => "renew-kubeconfig-client-cert",
                    Purpose::KubeletServing => match serving.get(peer) {
                        Some(k) => {
                            f = k.vars(f);
                            k.trust_steps()
                        }
                        None => "reissue-from-current-ca",
                    },
                    _ => "reissue-from-current-ca",
                };
                // The file the consumer trusts serves other purposes too (the cluster CA named
                // by --etcd-cafile by mistake), or is a signing CA with its key beside it:
                // overwriting it breaks everything else that reads it. The flag changes instead.
                let fix = match fix {
                    "update-apiserver-etcd-ca" | "update-trusted-ca-bundle"
                        if shared_trust(snap, &trusted_at, purpose) =>
                    {
                        f = f.var("consumer", consumers.first().copied().unwrap_or("the consumer"));
                        "point-flag-at-signer-ca"
                    }
                    other => other,
                };
                Some(f.fixes(fix_ids(fix)))
            })
            .collect()
    }
}

/// Whether a trusted CA file is more than this consumer's bundle: another purpose trusts the
/// same file, or its private key sits beside it (a CA that signs).
fn shared_trust(snap: &Snapshot, at: &BTreeSet<&Location>, purpose: Purpose) -> bool {
    at.iter().any(|l| {
        let Location::File { path } = l else { return false };
        // The system's trust store (`/etc/ssl/certs/ca-certificates.crt`, `/etc/pki/tls/…`):
        // every TLS client of the host reads it.
        let (_, abs) = node_path(snap, path);
        let system = [
            "/etc/ssl/",
            "/etc/pki/",
            "/usr/share/ca-certificates/",
            "/usr/local/share/ca-certificates/",
        ]
        .iter()
        .any(|d| {
            abs.starts_with(d) && !abs.starts_with("/etc/ssl/etcd/") && !abs.starts_with("/etc/pki/etcd/")
        }) || [
            "ca-certificates.crt",
            "ca-bundle.crt",
            "tls-ca-bundle.pem",
            "cert.pem",
        ]
        .iter()
        .any(|n| abs.ends_with(&format!("/{n}")));
        if system {
            return true;
        }
        let other_use = snap.trust.iter().any(|e| {
            e.purpose != purpose && matches!(&e.trusted_at, Location::File { path: p } if p == path)
        });
        let key = path
            .strip_suffix(".crt")
            .or_else(|| path.strip_suffix(".pem"))
            .is_some_and(|stem| snap.files.contains_key(&format!("{stem}.key")));
        other_use || key
    })
}

/// How many nodes trust each CA bundle for each purpose: the CA most nodes agree on is the
/// trust domain's current one, and a certificate signed by a CA fewer nodes trust is the odd
/// one out.
struct Agreement {
    by: BTreeMap<(Purpose, Vec<usize>), BTreeSet<usize>>,
}

impl Agreement {
    fn new(snap: &Snapshot) -> Agreement {
        let mut by: BTreeMap<(Purpose, Vec<usize>), BTreeSet<usize>> = BTreeMap::new();
        for e in &snap.trust {
            let mut t = e.trusted.clone();
            t.sort_unstable();
            let nodes = by.entry((e.purpose, t)).or_default();
            nodes.extend(e.node);
        }
        Agreement { by }
    }

    /// Nodes that trust `trusted` for `purpose`.
    fn nodes(&self, purpose: Purpose, trusted: &[usize]) -> usize {
        self.by.get(&(purpose, trusted.to_vec())).map_or(0, BTreeSet::len)
    }

    /// The most nodes that trust a bundle `peer` does chain to, for `purpose`.
    fn best_for(&self, snap: &Snapshot, purpose: Purpose, peer: usize) -> usize {
        self.by
            .iter()
            .filter(|((p, t), _)| {
                *p == purpose && snap.graph.chain_to(peer, &t.iter().copied().collect()).is_ok()
            })
            .map(|(_, n)| n.len())
            .max()
            .unwrap_or(0)
    }
}

/// key-mismatch: a certificate and the private key configured or laid out with it that do
/// not pair (RSA, ECDSA, Ed25519), and service-account key pairs whose halves differ.
pub struct KeyMismatch;

impl Check for KeyMismatch {
    fn id(&self) -> &'static str {
        "pki.key_mismatch"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let snap = cx.snap;
        let mut by_cert: BTreeMap<usize, Vec<pairs::CertKeyPair>> = BTreeMap::new();
        for p in pairs::cert_key_pairs(snap) {
            if !p.matches(snap) {
                by_cert.entry(p.cert).or_default().push(p);
            }
        }
        let mut out: Vec<Finding> = by_cert
            .into_iter()
            .filter_map(|(i, ps)| {
                let c = snap.certs.certs.get(i)?;
                let keys: BTreeSet<String> = ps.iter().map(|p| p.key_at.to_string()).collect();
                let whys: BTreeSet<&str> = ps.iter().map(|p| p.why.as_str()).collect();
                let mut f = cert_finding(cx, i, c.fingerprint.hex()).message(format!(
                    "{} [{}] ({} key, at {}) does not pair with the private key at {} ({}): \
                     a TLS handshake with this pair fails",
                    c.name(),
                    c.fingerprint.short(),
                    key_text(c),
                    places(c),
                    keys.iter().cloned().collect::<Vec<_>>().join(", "),
                    whys.into_iter().collect::<Vec<_>>().join("; "),
                ));
                for p in &ps {
                    let mut g = add_location(snap, f, &p.key_at);
                    if let Location::File { path } = &p.key_at {
                        g = g.var("key_path", node_path(snap, path).1);
                    }
                    f = g;
                }
                Some(
                    f.evidence("keys", keys.into_iter().collect::<Vec<_>>())
                        .fixes(["fix-key-pair"]),
                )
            })
            .collect();
        for p in pairs::key_key_pairs(snap).into_iter().filter(|p| !p.matches()) {
            let mut f = cx
                .finding(format!("{}\0{}", p.private_at, p.public_at))
                .message(format!(
                    "the private key at {} and the public key at {} are not one key pair ({}): \
                     tokens signed with one are rejected by the other",
                    p.private_at, p.public_at, p.why
                ))
                .evidence(
                    "private_key",
                    p.private_ids
                        .iter()
                        .map(|k| format!("sha256:{}", k.short()))
                        .collect::<Vec<_>>(),
                )
                .evidence(
                    "public_keys",
                    p.public_ids
                        .iter()
                        .map(|k| format!("sha256:{}", k.short()))
                        .collect::<Vec<_>>(),
                )
                .fixes(["fix-key-pair"]);
            f = add_location(snap, f, &p.private_at);
            f = add_location(snap, f, &p.public_at);
            out.push(f);
        }
        out
    }
}

/// san-missing: a serving certificate that lacks a name its clients use (the apiserver's
/// service names, service IP and advertise address; etcd's URLs; kubeconfig servers).
pub struct SanMissing;

impl Check for SanMissing {
    fn id(&self) -> &'static str {
        "pki.san_missing"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let snap = cx.snap;
        let ck = CertKeys::new(snap, &cx.facts.components);
        let serving = KubeletServing::new(snap, &cx.facts.components);
        let kubelet_ca = kubelet::kubelet_ca_path(snap, &cx.facts.components);
        let mut requirements: BTreeMap<usize, names::SanRequirement> = BTreeMap::new();
        for r in names::requirements(snap)
            .into_iter()
            .chain(kubelet::san_requirements(snap, &cx.facts.components))
        {
            match requirements.get_mut(&r.cert) {
                Some(have) => {
                    for at in r.cert_at {
                        if !have.cert_at.contains(&at) {
                            have.cert_at.push(at);
                        }
                    }
                    for (n, why) in r.names {
                        have.names.entry(n).or_insert(why);
                    }
                }
                None => {
                    requirements.insert(r.cert, r);
                }
            }
        }
        requirements
            .into_values()
            .filter_map(|r| {
                let c = snap.certs.certs.get(r.cert)?;
                let missing: Vec<(&String, &String)> =
                    r.names.iter().filter(|(n, _)| !names::covers(c, n)).collect();
                if missing.is_empty() {
                    return None;
                }
                let all: Vec<String> = c
                    .dns_names
                    .iter()
                    .cloned()
                    .chain(c.ip_addresses.iter().map(ToString::to_string))
                    .chain(missing.iter().map(|(n, _)| (*n).clone()))
                    .collect();
                let apiserver = missing.iter().any(|(_, w)| !w.starts_with("etcd"));
                let mut f = cert_finding(cx, r.cert, c.fingerprint.hex())
                    .keys(ck.of(snap, r.cert))
                    .keys(missing.iter().filter_map(|(n, _)| CertKey::missing(n)))
                    .message(format!(
                        "{} ({}) does not cover {}; it has {}",
                        c.name(),
                        places(c),
                        missing
                            .iter()
                            .map(|(n, w)| format!("{n} ({w})"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        if c.dns_names.is_empty() && c.ip_addresses.is_empty() {
                            "no SANs".to_string()
                        } else {
                            format!(
                                "SANs {}",
                                all[..c.dns_names.len() + c.ip_addresses.len()].join(", ")
                            )
                        }
                    ))
                    .evidence(
                        "missing",
                        missing.iter().map(|(n, _)| (*n).clone()).collect::<Vec<_>>(),
                    )
                    .var("sans", all.join(","))
                    .var(
                        "missing",
                        missing
                            .iter()
                            .map(|(n, _)| (*n).clone())
                            .collect::<Vec<_>>()
                            .join(","),
                    );
                let step = if let Some(k) = serving.get(r.cert) {
                    f = k.vars(f);
                    if let Some(ca) = &kubelet_ca {
                        f = f.var("ca_path", ca.clone());
                    }
                    k.trust_steps()
                } else if apiserver {
                    "reissue-apiserver-serving-cert"
                } else {
                    "reissue-from-current-ca"
                };
                Some(f.fixes(fix_ids(step)))
            })
            .collect()
    }
}

/// sa-token-stale-ca: service-account token Secrets and `kube-root-ca.crt` ConfigMaps
/// whose `ca.crt` does not hold the CA that signed the apiserver serving certificate, so
/// that every pod using them rejects the apiserver.
pub struct SaTokenStaleCa;

impl Check for SaTokenStaleCa {
    fn id(&self) -> &'static str {
        "pki.sa_token_stale_ca"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let snap = cx.snap;
        let lk = &snap.places;
        let comps = &cx.facts.components;
        let serving: BTreeSet<usize> = apiserver_serving(snap, lk, comps)
            .iter()
            .flat_map(|p| p.material.leaves(snap))
            .collect();
        if serving.is_empty() {
            return Vec::new();
        }
        let signers: BTreeSet<usize> = serving.iter().flat_map(|&s| snap.graph.parents(s)).collect();
        let ck = CertKeys::new(snap, &cx.facts.components);
        let signer_text = signers
            .iter()
            .map(|&s| cert_label(snap, s))
            .collect::<Vec<_>>()
            .join(" + ");
        // The desired CA of the domain: what the apiservers' --client-ca-file holds (the
        // files or Secret the operator last wrote). When the serving certificate does not
        // chain to it, the serving certificate is the odd one (ca-mismatch reports it) and a
        // bundle holding the desired CA is not stale.
        let desired: BTreeSet<usize> =
            crate::facts::trust::presented(snap, lk, comps, config::Component::Apiserver, "client-ca-file")
                .iter()
                .flat_map(|p| p.material.certs.iter().copied())
                .collect();
        let serving_on_desired = serving.iter().any(|&s| snap.graph.chain_to(s, &desired).is_ok());
        let mut stale: BTreeMap<Vec<usize>, Vec<Location>> = BTreeMap::new();
        for m in service_account_cas(snap, lk) {
            let trusted: BTreeSet<usize> = m.certs.iter().copied().collect();
            if serving.iter().any(|&s| snap.graph.chain_to(s, &trusted).is_ok()) {
                continue;
            }
            if !desired.is_empty() && !serving_on_desired && !trusted.is_disjoint(&desired) {
                continue;
            }
            stale.entry(m.certs.clone()).or_default().push(m.location);
        }
        stale
            .into_iter()
            .map(|(certs, mut locs)| {
                locs.sort();
                locs.dedup();
                let first = certs.first().copied();
                let subject = certs
                    .iter()
                    .filter_map(|&i| snap.certs.certs.get(i))
                    .map(|c| c.fingerprint.hex())
                    .collect::<Vec<_>>()
                    .join(",");
                let mut f = match first {
                    Some(i) => cert_finding_at(cx, i, subject, false),
                    None => cx.finding(format!("empty\0{}", locs.len())),
                };
                for l in &locs {
                    f = add_location(snap, f, l);
                }
                // What a pod's log line can name: the apiserver it dials and the CA it tried.
                for &i in &certs {
                    let name = snap.certs.certs.get(i).map(|c| c.name().to_string());
                    f = f
                        .keys(ck.for_purpose(snap, i, Purpose::ServiceAccountCa))
                        .keys(name.map(|n| CertKey::new(KeyKind::Authority, n)));
                }
                let held = if certs.is_empty() {
                    "no certificate".to_string()
                } else {
                    certs
                        .iter()
                        .map(|&i| cert_label(snap, i))
                        .collect::<Vec<_>>()
                        .join(" + ")
                };
                let signer_file = signers
                    .iter()
                    .filter_map(|&s| snap.certs.certs.get(s))
                    .flat_map(|c| c.locations.iter())
                    .find_map(|l| match l {
                        Location::File { path } => Some(node_path(snap, path).1),
                        _ => None,
                    });
                if let Some(p) = signer_file {
                    f = f.var("signer_ca", p);
                }
                f.message(format!(
                    "{} object(s) hand pods a ca.crt holding {held}, but the apiserver serving \
                     certificate is signed by {}: in-cluster clients reject the apiserver ({})",
                    locs.len(),
                    if signer_text.is_empty() {
                        "a CA not in the bundle"
                    } else {
                        &signer_text
                    },
                    locs.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .evidence(
                    "objects",
                    locs.iter().map(ToString::to_string).collect::<Vec<_>>(),
                )
                .evidence("current_ca", signer_text.clone())
                .fixes(["update-sa-token-ca"])
            })
            .collect()
    }
}

/// cert-usage: a certificate used against its key usages: a server certificate without
/// serverAuth, a client certificate without clientAuth, a signing CA without CA:TRUE or
/// keyCertSign.
pub struct CertUsage;

impl Check for CertUsage {
    fn id(&self) -> &'static str {
        "pki.cert_usage"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let snap = cx.snap;
        let signers = snap.graph.signers();
        let roles = roles(&snap.trust);
        let mut out = Vec::new();
        for (i, c) in snap.certs.certs.iter().enumerate() {
            let mut problems = Vec::new();
            let (server, client) = roles.get(&i).copied().unwrap_or_default();
            let eku =
                |u: &str| c.ext_key_usage.is_empty() || c.ext_key_usage.iter().any(|x| x == u || x == "any");
            if server && !eku("serverAuth") {
                problems.push("presented as a TLS server but lacks extendedKeyUsage serverAuth");
            }
            if client && !eku("clientAuth") {
                problems.push("presented as a TLS client but lacks extendedKeyUsage clientAuth");
            }
            if signers.contains(&i) {
                if !c.is_ca {
                    problems.push("signs other certificates but is not CA:TRUE");
                }
                if c.has_key_usage && !c.key_usage.iter().any(|u| u == "keyCertSign") {
                    problems.push("signs other certificates but lacks keyUsage keyCertSign");
                }
            }
            if problems.is_empty() {
                continue;
            }
            let f = cert_finding(cx, i, c.fingerprint.hex())
                .message(format!("{} ({}): {}", c.name(), places(c), problems.join("; ")))
                .evidence("problems", problems.clone());
            out.push(with_renewal(cx, i, f, c, None, None).fixes(["reissue-from-current-ca"]));
        }
        out
    }
}

/// cert-weak: RSA keys under 2048 bits and SHA-1 (or MD5) signatures, which current TLS
/// stacks reject or will reject.
pub struct CertWeak;

impl Check for CertWeak {
    fn id(&self) -> &'static str {
        "pki.cert_weak"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        let snap = cx.snap;
        let usage = Usage::new(snap);
        let mut out = Vec::new();
        for (i, c) in snap.certs.certs.iter().enumerate() {
            if !usage.in_use(snap, i) {
                continue;
            }
            let mut problems = Vec::new();
            if c.key_algorithm == crate::pki::KeyAlgorithm::Rsa && c.key_bits > 0 && c.key_bits < 2048 {
                problems.push(format!("RSA key of {} bits (< 2048)", c.key_bits));
            }
            let sig = c.signature_algorithm.to_ascii_lowercase();
            // A root's self-signature is never checked by TLS clients.
            if (sig.contains("sha1") || sig.contains("md5")) && !snap.graph.self_signed(i) {
                problems.push(format!("signed with {}", c.signature_algorithm));
            }
            if problems.is_empty() {
                continue;
            }
            out.push(
                cert_finding(cx, i, c.fingerprint.hex())
                    .message(format!("{} ({}): {}", c.name(), places(c), problems.join("; ")))
                    .evidence("problems", problems)
                    .fixes(["replace-weak-cert"]),
            );
        }
        out
    }
}
