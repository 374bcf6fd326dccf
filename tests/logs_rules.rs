//! The log rules of the catalogue: every required rule exists, and each one's real-world
//! examples match and its benign look-alikes do not, through the scanner itself.

#![allow(clippy::unwrap_used)]

use kubetriage::bundle::Limits;
use kubetriage::catalog::{Catalog, LogSyntax, RuleKind};
use kubetriage::logscan::{LogSource, Scanner};

fn catalog() -> Catalog {
    match Catalog::builtin() {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

fn log_rule<'a>(cat: &'a Catalog, id: &str) -> &'a LogSyntax {
    match cat.rule(id).map(|r| &r.kind) {
        Some(RuleKind::Log(l)) => l,
        _ => panic!("no log rule `{id}` in the catalogue"),
    }
}

/// Rule ids hit by scanning `text` as a log whose source cannot be told.
fn hits(scanner: &Scanner, text: &str) -> Vec<String> {
    let src = LogSource {
        path: "pasted/excerpt.txt".into(),
        node: None,
    };
    let s = scanner.scan(&src, &mut text.as_bytes()).unwrap();
    s.hits.iter().map(|h| h.rule.clone()).collect()
}

fn check_rule(id: &str) {
    let cat = catalog();
    let log = log_rule(&cat, id);
    assert!(log.examples.len() >= 3, "{id}: needs several real-world examples");
    assert!(
        !log.negative_examples.is_empty(),
        "{id}: needs benign look-alikes"
    );
    let scanner = Scanner::new(&cat.log_rules(), &Limits::default());
    for ex in &log.examples {
        assert!(
            hits(&scanner, ex).iter().any(|r| r == id),
            "{id} must match: {ex}"
        );
    }
    for ex in &log.negative_examples {
        assert!(
            !hits(&scanner, ex).iter().any(|r| r == id),
            "{id} must not match: {ex}"
        );
    }
}

macro_rules! rule_tests {
    ($($name:ident => $id:literal,)*) => {
        $(
            #[test]
            fn $name() {
                check_rule($id);
            }
        )*
    };
}

rule_tests! {
    cert_expired => "log-cert-expired",
    cert_unknown_authority => "log-cert-unknown-authority",
    etcd_tls_rejected => "log-etcd-tls-rejected",
    san_mismatch => "log-san-mismatch",
    flannel_subnet_env_missing => "log-flannel-subnet-env-missing",
    cni_not_ready => "log-cni-not-ready",
    apiserver_unreachable => "log-apiserver-unreachable",
    sa_token_rejected => "log-sa-token-rejected",
    cloud_auth_failed => "log-cloud-auth-failed",
    node_registration_failed => "log-node-registration-failed",
    node_credentials_rejected => "log-node-credentials-rejected",
    oom_kill => "log-oom-kill",
    disk_pressure => "log-disk-pressure",
    image_pull_failed => "log-image-pull-failed",
    crash_loop => "log-crash-loop",
    leader_election_lost => "log-leader-election-lost",
    etcd_slow => "log-etcd-slow",
    etcd_timeout => "log-etcd-timeout",
}

#[test]
fn every_log_rule_of_the_catalogue_keeps_its_examples() {
    let cat = catalog();
    let scanner = Scanner::new(&cat.log_rules(), &Limits::default());
    for r in &cat.rules {
        if let RuleKind::Log(l) = &r.kind {
            for ex in &l.examples {
                assert!(hits(&scanner, ex).contains(&r.id), "{} must match: {ex}", r.id);
            }
            for ex in &l.negative_examples {
                assert!(
                    !hits(&scanner, ex).contains(&r.id),
                    "{} must not match: {ex}",
                    r.id
                );
            }
        }
    }
}

#[test]
fn benign_certificate_lines_fire_nothing() {
    let cat = catalog();
    let scanner = Scanner::new(&cat.log_rules(), &Limits::default());
    for line in [
        "I1121 09:00:00.000000    1234 certificate_manager.go:270] kubernetes.io/kube-apiserver-client-kubelet: Certificate rotation is enabled",
        "I1121 09:00:00.000000    1234 certificate_manager.go:270] kubernetes.io/kubelet-serving: Rotating certificates",
        "I1121 09:00:00.000000    1234 certificate_manager.go:356] kubernetes.io/kube-apiserver-client-kubelet: Certificate expiration is 2027-11-20 08:00:00 +0000 UTC, rotation deadline is 2027-08-30 10:41:52 +0000 UTC",
        "I1121 09:00:00.000000    1234 csr.go:261] certificate signing request csr-8k2zq is approved, waiting to be issued",
        "I1121 09:00:00.000000    1234 csr.go:257] certificate signing request csr-8k2zq is issued",
    ] {
        assert_eq!(hits(&scanner, line), Vec::<String>::new(), "{line}");
    }
}

#[test]
fn components_restrict_rules() {
    let cat = catalog();
    let scanner = Scanner::new(&cat.log_rules(), &Limits::default());
    let line = "E1121 10:05:00.123456       1 leaderelection.go:283] failed to renew lease kube-system/kube-scheduler: timed out waiting for the condition\n";
    let scan = |path: &str| {
        let src = LogSource {
            path: path.into(),
            node: Some(0),
        };
        scanner.scan(&src, &mut line.as_bytes()).unwrap()
    };
    let s = scan("var/log/pods/kube-system_kube-scheduler-m1_u/kube-scheduler/0.log");
    assert_eq!(s.hits.len(), 1);
    assert_eq!(s.hits[0].component, "kube-scheduler");
    assert_eq!(s.hits[0].captures["lease"], "kube-system/kube-scheduler");
    assert!(
        scan("var/log/kubelet.log").hits.is_empty(),
        "kubelet logs are not scanned for leader loss"
    );
}
