//! Finding-level correlation: a log symptom that names a certificate (its notAfter, the
//! server dialled, its SANs) is explained by the finding about *that* certificate, not by
//! every certificate finding on the node; a symptom that names nothing falls back to rule
//! and node. Bundles are written to a temporary directory from certificates minted with the
//! test generator (real keys, pinned dates) and analysed end to end.

#![allow(clippy::unwrap_used)]

mod fixture_copy;

use std::path::Path;

use kubetriage::Options;
use kubetriage::catalog::Catalog;
use kubetriage::engine::correlate;
use kubetriage::finding::{CertKey, Finding, KeyKind};
use kubetriage::report::{Analysis, Format, render};
use kubetriage_testgen::certs::{Ca, CertSpec, Validity, validity};
use kubetriage_testgen::keys::{Key, KeyKind as Kind};
use time::macros::datetime;

const PKI: &str = "etc/kubernetes/pki";

/// Certificates and a kubelet log on one node (`master-01`).
struct Bundle {
    dir: tempfile::TempDir,
}

impl Bundle {
    fn new() -> Bundle {
        let b = Bundle {
            dir: tempfile::tempdir().unwrap(),
        };
        b.file("etc/hostname", "master-01\n");
        b
    }

    fn file(&self, rel: &str, text: &str) -> &Self {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    /// A kubelet journal (journald short-iso) with these messages.
    fn kubelet_log(&self, messages: &[&str]) -> &Self {
        let text: String = messages
            .iter()
            .enumerate()
            .map(|(i, m)| {
                format!("2026-11-21T09:2{i}:58+0000 master-01 kubelet[1234]: E1121 09:2{i}:58.000000 1234 reflector.go:138] {m}\n")
            })
            .collect();
        self.file("var/log/kubelet.log", &text)
    }

    fn analyze(&self) -> Analysis {
        let catalog = Catalog::builtin().unwrap();
        let opts = Options {
            now: Some(datetime!(2026-11-21 09:30 UTC)),
            ..Options::default()
        };
        kubetriage::analyze(self.dir.path(), &catalog, &opts).unwrap()
    }
}

/// An Ed25519 CA (fast to derive, deterministic signatures).
fn ca() -> Ca {
    Ca::with_key(
        Key::ed25519("corr-ca").unwrap(),
        CertSpec::ca("kubernetes", validity(2025, 1, 1, 2035, 1, 1)),
    )
    .unwrap()
}

/// An expired leaf signed by `ca`, written at `rel`.
fn expired(b: &Bundle, ca: &Ca, rel: &str, spec: CertSpec) {
    let c = ca.issue(rel, Kind::EcP256, spec).unwrap();
    b.file(rel, &c.pem());
}

fn until(not_after: time::OffsetDateTime) -> Validity {
    Validity::new(datetime!(2025-01-01 0:00 UTC), not_after)
}

/// Id of the `cert-expired` finding whose first path ends with `rel`.
fn expired_id(a: &Analysis, rel: &str) -> String {
    a.findings
        .iter()
        .find(|f| f.rule == "cert-expired" && f.paths.iter().any(|p| p.ends_with(rel)))
        .unwrap_or_else(|| panic!("no cert-expired for {rel}: {:#?}", ids(a)))
        .id
        .clone()
}

fn log_finding<'a>(a: &'a Analysis, rule: &str) -> &'a Finding {
    a.findings
        .iter()
        .find(|f| f.rule == rule)
        .unwrap_or_else(|| panic!("no {rule}: {:#?}", ids(a)))
}

fn ids(a: &Analysis) -> Vec<&str> {
    a.findings.iter().map(|f| f.id.as_str()).collect()
}

fn markdown(a: &Analysis) -> String {
    let mut out = Vec::new();
    render(std::slice::from_ref(a), Format::Markdown, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Two expired certificates on one node, notAfter 2026-03-02T11:00:00Z and 2026-05-01.
fn two_expired(b: &Bundle) {
    let ca = ca();
    b.file(&format!("{PKI}/ca.crt"), &ca.pem());
    expired(
        b,
        &ca,
        &format!("{PKI}/apiserver-kubelet-client.crt"),
        CertSpec::new(
            "kube-apiserver-kubelet-client",
            until(datetime!(2026-03-02 11:00 UTC)),
        ),
    );
    expired(
        b,
        &ca,
        &format!("{PKI}/front-proxy-client.crt"),
        CertSpec::new("front-proxy-client", until(datetime!(2026-05-01 0:00 UTC))),
    );
}

#[test]
fn a_log_naming_one_notafter_is_explained_by_that_certificate_only() {
    let b = Bundle::new();
    two_expired(&b);
    b.kubelet_log(&[
        "x509: certificate has expired or is not yet valid: current time 2026-11-21T09:29:58Z is after 2026-03-02T11:00:00Z",
    ]);
    let a = b.analyze();
    let named = expired_id(&a, "apiserver-kubelet-client.crt");
    let other = expired_id(&a, "front-proxy-client.crt");
    let f = log_finding(&a, "log-cert-expired");
    assert_eq!(f.explained_by, std::slice::from_ref(&named), "not {other}");
    assert_eq!(
        f.explained_by_keys.get(&named).unwrap(),
        &[CertKey::new(KeyKind::NotAfter, "2026-03-02T11:00:00Z")]
    );
    assert_eq!(
        f.refs,
        [[CertKey::new(KeyKind::NotAfter, "2026-03-02T11:00:00Z")]]
    );

    // The markdown says which certificate and why, under that certificate only.
    let md = markdown(&a);
    let section = |id: &str| {
        let at = md.find(&format!("Finding id: `{id}`")).unwrap();
        let rest = &md[at..];
        rest[..rest.find("\n\n").unwrap_or(rest.len())].to_string()
    };
    assert!(
        section(&named).contains(
            "- Symptom: `log-cert-expired` A TLS client or server rejected an expired certificate (master-01, kubelet), 1 log line(s); the log names notAfter 2026-03-02T11:00:00Z"
        ),
        "{md}"
    );
    assert!(!section(&other).contains("log-cert-expired"), "{md}");

    // The JSON carries the link and what the log named.
    let mut out = Vec::new();
    render(std::slice::from_ref(&a), Format::Json, &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let j = v["bundles"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule"] == "log-cert-expired")
        .unwrap();
    assert_eq!(j["explained_by"], serde_json::json!([named]));
    assert_eq!(
        j["explained_by_keys"][&named],
        serde_json::json!([{"kind": "not_after", "value": "2026-03-02T11:00:00Z"}])
    );
}

#[test]
fn a_log_naming_no_certificate_falls_back_to_rule_and_node() {
    let b = Bundle::new();
    two_expired(&b);
    b.kubelet_log(&["x509: certificate has expired or is not yet valid"]);
    let a = b.analyze();
    let f = log_finding(&a, "log-cert-expired");
    let mut by = f.explained_by.clone();
    by.sort();
    let mut want = vec![
        expired_id(&a, "apiserver-kubelet-client.crt"),
        expired_id(&a, "front-proxy-client.crt"),
    ];
    want.sort();
    assert_eq!(by, want);
    assert!(f.explained_by_keys.is_empty());
    assert!(f.refs.is_empty());
    assert!(!markdown(&a).contains("the log names"));
}

/// A notAfter no certificate of the bundle has: rule and node decide, as without keys. A
/// bundle that holds the PKI judges its certificates itself; the logs alone never make a
/// root cause there (cert-expired-in-logs is for bundles without certificates).
#[test]
fn a_notafter_no_certificate_has_falls_back_too() {
    let b = Bundle::new();
    two_expired(&b);
    b.kubelet_log(&[
        "x509: certificate has expired or is not yet valid: current time 2026-11-21T09:29:58Z is after 2026-01-01T00:00:00Z",
    ]);
    let a = b.analyze();
    let f = log_finding(&a, "log-cert-expired");
    assert_eq!(f.explained_by.len(), 2, "{:?}", f.explained_by);
    assert!(f.explained_by_keys.is_empty());
    // What the log named stays on the finding (JSON `refs`).
    assert_eq!(f.refs.len(), 1);
    assert!(!a.findings.iter().any(|f| f.rule == "cert-expired-in-logs"));
}

#[test]
fn lines_naming_each_certificate_link_each() {
    let b = Bundle::new();
    two_expired(&b);
    b.kubelet_log(&[
        "x509: certificate has expired or is not yet valid: current time 2026-11-21T09:20:58Z is after 2026-03-02T11:00:00Z",
        "x509: certificate has expired or is not yet valid: current time 2026-11-21T09:21:58Z is after 2026-05-01T00:00:00Z",
    ]);
    let a = b.analyze();
    let f = log_finding(&a, "log-cert-expired");
    assert_eq!(f.explained_by.len(), 2);
    assert_eq!(f.explained_by_keys.len(), 2);
}

/// Two certificates expired at the same instant: the apiserver's serving certificate, which
/// the kubelet's kubeconfig reaches at https://10.0.0.10:6443, and a client certificate
/// nothing serves. A kubelet line naming the notAfter *and* the server is the serving one's.
#[test]
fn the_server_dialled_decides_between_equal_notafters() {
    let b = Bundle::new();
    let ca = ca();
    let at = datetime!(2026-11-18 0:00 UTC);
    b.file(&format!("{PKI}/ca.crt"), &ca.pem());
    expired(
        &b,
        &ca,
        &format!("{PKI}/apiserver.crt"),
        CertSpec::new("kube-apiserver", until(at))
            .server()
            .sans(&["kubernetes", "master-01", "10.0.0.10"]),
    );
    expired(
        &b,
        &ca,
        &format!("{PKI}/front-proxy-client.crt"),
        CertSpec::new("front-proxy-client", until(at)),
    );
    b.file(
        "etc/kubernetes/kubelet.conf",
        "apiVersion: v1\nkind: Config\nclusters:\n- name: local\n  cluster:\n    server: https://10.0.0.10:6443\n    certificate-authority: /etc/kubernetes/pki/ca.crt\ncontexts:\n- name: local\n  context: {cluster: local, user: kubelet}\ncurrent-context: local\nusers:\n- name: kubelet\n  user: {}\n",
    );
    b.kubelet_log(&[
        r#""Unable to register node with API server" err="Post \"https://10.0.0.10:6443/api/v1/nodes\": x509: certificate has expired or is not yet valid: current time 2026-11-21T09:20:58Z is after 2026-11-18T00:00:00Z" node="master-01""#,
    ]);
    let a = b.analyze();
    let serving = expired_id(&a, "apiserver.crt");
    expired_id(&a, "front-proxy-client.crt");
    for rule in ["log-cert-expired", "log-node-registration-failed"] {
        let f = log_finding(&a, rule);
        let certs: Vec<&String> = f
            .explained_by
            .iter()
            .filter(|id| id.starts_with("cert-expired:"))
            .collect();
        assert_eq!(certs, [&serving], "{rule}");
        assert_eq!(
            f.explained_by_keys.get(&serving).unwrap(),
            &[
                CertKey::new(KeyKind::NotAfter, "2026-11-18T00:00:00Z"),
                CertKey::new(KeyKind::Server, "10.0.0.10:6443"),
            ],
            "{rule}"
        );
    }
    assert!(
        markdown(&a).contains("; the log names notAfter 2026-11-18T00:00:00Z, server 10.0.0.10:6443"),
        "{}",
        markdown(&a)
    );
}

/// Go's `certificate is valid for a, b, not c` names the certificate by its SAN list.
#[test]
fn the_san_list_decides_between_certificates_missing_the_same_name() {
    let b = Bundle::new();
    let ca = ca();
    let long = validity(2025, 1, 1, 2035, 1, 1);
    b.file(&format!("{PKI}/ca.crt"), &ca.pem());
    for (rel, sans) in [
        (
            format!("{PKI}/apiserver.crt"),
            &["kubernetes", "kubernetes.default", "master01"][..],
        ),
        (
            "etc/kubernetes/old/apiserver.crt".to_string(),
            &["kubernetes", "10.0.0.10"][..],
        ),
    ] {
        let c = ca
            .issue(
                &rel,
                Kind::EcP256,
                CertSpec::new("kube-apiserver", long).server().sans(sans),
            )
            .unwrap();
        b.file(&rel, &c.pem());
    }
    b.file(
        "etc/kubernetes/kubelet.conf",
        "apiVersion: v1\nkind: Config\nclusters:\n- name: lb\n  cluster:\n    server: https://api.example.com:6443\n    certificate-authority: /etc/kubernetes/pki/ca.crt\ncontexts: []\nusers: []\n",
    );
    b.kubelet_log(&[
        r#""Unable to register node with API server" err="Post \"https://api.example.com:6443/api/v1/nodes\": x509: certificate is valid for kubernetes, kubernetes.default, master01, not api.example.com" node="node02""#,
    ]);
    let a = b.analyze();
    let missing: Vec<&Finding> = a.findings.iter().filter(|f| f.rule == "san-missing").collect();
    assert_eq!(missing.len(), 2, "{:#?}", ids(&a));
    let current = missing
        .iter()
        .find(|f| {
            f.paths
                .iter()
                .any(|p| p.ends_with(&format!("{PKI}/apiserver.crt")))
        })
        .unwrap();
    let f = log_finding(&a, "log-san-mismatch");
    assert_eq!(f.explained_by, std::slice::from_ref(&current.id));
    let keys = f.explained_by_keys.get(&current.id).unwrap();
    assert!(
        keys.contains(&CertKey::new(
            KeyKind::Sans,
            "kubernetes,kubernetes.default,master01"
        )),
        "{keys:?}"
    );
    assert!(
        keys.contains(&CertKey::new(KeyKind::Missing, "api.example.com")),
        "{keys:?}"
    );
}

/// The matching rules on findings alone: certificate candidates are narrowed per line shape
/// to those matching most of its keys; candidates that are not about a certificate stay.
#[test]
fn correlate_narrows_only_certificate_candidates() {
    let cat = Catalog::builtin().unwrap();
    let rule = |id: &str| cat.rule(id).unwrap();
    let node = Some("n1");
    let key = |k: KeyKind, v: &str| CertKey::new(k, v);
    let t1 = key(KeyKind::NotAfter, "2026-03-02T11:00:00Z");
    let s1 = key(KeyKind::Server, "10.0.0.10:6443");
    let mut a = Finding::new(rule("cert-expired"), "a")
        .node(node)
        .keys([t1.clone()]);
    a.id = "cert-expired:a".into();
    let mut b = Finding::new(rule("cert-expired"), "b")
        .node(node)
        .keys([t1.clone(), s1.clone()]);
    b.id = "cert-expired:b".into();
    let mut nr = Finding::new(rule("node-not-ready"), "n").node(node);
    nr.id = "node-not-ready:n".into();
    let mut other_node = Finding::new(rule("cert-expired"), "c")
        .node(Some("n2"))
        .keys([t1.clone(), s1.clone()]);
    other_node.id = "cert-expired:c".into();
    let mut sym = Finding::new(rule("log-node-registration-failed"), "s")
        .node(node)
        .refs(vec![vec![t1.clone(), s1.clone()]]);
    sym.id = "log-node-registration-failed:s".into();
    let mut fs = vec![a, b, nr, other_node, sym];
    correlate(&mut fs, &cat);
    let sym = &fs[4];
    assert_eq!(sym.explained_by, ["cert-expired:b", "node-not-ready:n"]);
    assert_eq!(sym.explained_by_keys["cert-expired:b"], [t1.clone(), s1.clone()]);

    // A line shape naming only the notAfter ties: both certificates match one key.
    fs[4].refs = vec![vec![t1.clone()]];
    correlate(&mut fs, &cat);
    assert_eq!(
        fs[4].explained_by,
        ["cert-expired:a", "cert-expired:b", "node-not-ready:n"]
    );
    // Nothing matches: rule and node, as without keys.
    fs[4].refs = vec![vec![key(KeyKind::NotAfter, "1999-01-01T00:00:00Z")]];
    correlate(&mut fs, &cat);
    assert_eq!(
        fs[4].explained_by,
        ["cert-expired:a", "cert-expired:b", "node-not-ready:n"]
    );
    assert!(fs[4].explained_by_keys.is_empty());

    // A symptom on a node holding none of them (an agent dialling the servers) reaches across
    // nodes through its keys only: the best-matching certificates, never a node's whole set.
    let mut far = Finding::new(rule("log-cert-expired"), "far")
        .node(Some("n3"))
        .refs(vec![vec![t1.clone(), s1.clone()]]);
    far.id = "log-cert-expired:far".into();
    fs.push(far);
    correlate(&mut fs, &cat);
    assert_eq!(fs[5].explained_by, ["cert-expired:b", "cert-expired:c"]);
    fs[5].refs = vec![vec![key(KeyKind::NotAfter, "1999-01-01T00:00:00Z")]];
    correlate(&mut fs, &cat);
    assert!(fs[5].explained_by.is_empty(), "{:?}", fs[5].explained_by);
}

#[test]
fn the_replay_links_each_log_to_its_certificate() {
    let a = {
        let catalog = Catalog::builtin().unwrap();
        let opts = Options {
            now: Some(datetime!(2026-11-21 09:30 UTC)),
            ..Options::default()
        };
        kubetriage::analyze(Path::new("testdata/bundles/incident-replay"), &catalog, &opts).unwrap()
    };
    let by = |rule: &str, component: &str| -> Vec<String> {
        a.findings
            .iter()
            .find(|f| f.rule == rule && f.evidence["component"] == component)
            .unwrap_or_else(|| panic!("{rule} {component}"))
            .explained_by
            .clone()
    };
    let subject_of = |id: &str| -> String {
        a.findings
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.evidence["subject"].as_str().unwrap_or("").to_string())
            .unwrap()
    };
    // The kubelet's x509 expiries are its kubeconfig's expired CA (it dials 10.0.0.10:443);
    // the apiserver's are the expired etcd CA it still trusts for 10.0.0.10:2379.
    let kubelet = by("log-cert-expired", "kubelet");
    assert_eq!(kubelet.len(), 1, "{kubelet:?}");
    assert_eq!(subject_of(&kubelet[0]), "CN=kubernetes");
    let apiserver = by("log-cert-expired", "kube-apiserver");
    assert_eq!(apiserver.len(), 1, "{apiserver:?}");
    assert_eq!(subject_of(&apiserver[0]), "CN=etcd-ca");
    // etcd's "rejected connection … remote error: bad certificate": its serving side.
    let etcd = by("log-etcd-tls-rejected", "etcd");
    assert_eq!(etcd.len(), 2, "{etcd:?}");
}

/// A symptom nothing explains is an open question; the report says what its lines name, so
/// the engineer knows which certificate to look for.
#[test]
fn an_open_question_says_what_its_lines_name() {
    let b = Bundle::new();
    b.kubelet_log(&[
        r#"Get "https://10.0.0.10:6443/api/v1/nodes": x509: certificate has expired or is not yet valid: current time 2026-11-21T09:20:58Z is before 2026-12-01T00:00:00Z"#,
    ]);
    let a = b.analyze();
    let f = log_finding(&a, "log-cert-expired");
    assert!(f.explained_by.is_empty());
    let md = markdown(&a);
    let open = &md[md.find("## Open questions").unwrap()..];
    assert!(
        open.contains("- The log names notBefore 2026-12-01T00:00:00Z, server 10.0.0.10:6443\n"),
        "{md}"
    );
}

/// Was: etcd's `rejected connection` from 127.0.0.1 was linked to `etcd/peer.crt` too (kubeadm
/// issues every leaf with the same notAfter). A client that dials loopback reaches etcd from
/// loopback; a peer dials the members' addresses. So the remote address names the
/// apiserver's etcd client certificate: the kubeadm node a year after init.
#[test]
fn a_rejected_loopback_client_is_the_one_that_dials_loopback_not_the_peer() {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new("testdata/bundles/kubeadm-healthy");
    fixture_copy::copy_tree(src, dir.path());
    let b = Bundle { dir };
    b.file(
        "var/log/pods/kube-system_etcd-cp-1_0a1b/etcd/0.log",
        "2027-01-11T09:20:58.000000000Z stderr F {\"level\":\"warn\",\"ts\":\"2027-01-11T09:20:58.123Z\",\"caller\":\"embed/config_logging.go:169\",\"msg\":\"rejected connection\",\"remote-addr\":\"127.0.0.1:52144\",\"server-name\":\"\",\"error\":\"tls: failed to verify client certificate: x509: certificate has expired or is not yet valid: current time 2027-01-11T09:20:58Z is after 2027-01-10T00:00:00Z\"}\n",
    );
    let opts = Options {
        now: Some(datetime!(2027-01-11 09:30 UTC)),
        ..Options::default()
    };
    let a = kubetriage::analyze(b.dir.path(), &Catalog::builtin().unwrap(), &opts).unwrap();
    let client = expired_id(&a, "apiserver-etcd-client.crt");
    let peer = expired_id(&a, "etcd/peer.crt");
    let f = a
        .findings
        .iter()
        .find(|f| f.rule == "log-cert-expired")
        .unwrap_or_else(|| panic!("no log-cert-expired: {:#?}", ids(&a)));
    let certs: Vec<&String> = f
        .explained_by
        .iter()
        .filter(|id| id.starts_with("cert-expired:"))
        .collect();
    assert_eq!(
        certs,
        [&client],
        "not only {client} (peer {peer}): {:#?}",
        f.explained_by_keys
    );
    assert!(
        f.explained_by_keys
            .get(&client)
            .unwrap()
            .contains(&CertKey::new(KeyKind::RemoteClient, "127.0.0.1")),
        "{:#?}",
        f.explained_by_keys
    );
}
