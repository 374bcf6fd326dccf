//! The certificate rules end to end on the generated bundles in testdata/bundles, judged at
//! their capture times.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use kubetriage::catalog::Catalog;
use kubetriage::finding::{Finding, Severity};
use kubetriage::{Options, analyze};

fn run(bundle: &str, now: time::OffsetDateTime) -> Vec<Finding> {
    let opts = Options {
        now: Some(now),
        ..Options::default()
    };
    let cat = Catalog::builtin().unwrap();
    analyze(&Path::new("testdata/bundles").join(bundle), &cat, &opts)
        .unwrap()
        .findings
}

fn pki(f: &Finding) -> bool {
    f.rule.starts_with("cert-")
        || ["ca-mismatch", "key-mismatch", "san-missing", "sa-token-stale-ca"].contains(&f.rule.as_str())
}

#[test]
fn healthy_kubeadm_has_no_pki_finding_above_info() {
    let fs = run("kubeadm-healthy", time::macros::datetime!(2026-06-15 12:00 UTC));
    let bad: Vec<&str> = fs
        .iter()
        .filter(|f| pki(f) && f.severity > Severity::Info)
        .map(|f| f.message.as_str())
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    let opts = Options {
        now: Some(time::macros::datetime!(2026-06-15 12:00 UTC)),
        ..Options::default()
    };
    let mut stats = kubetriage::engine::Stats::default();
    let snap = kubetriage::ingest::from_source(
        Path::new("testdata/bundles/kubeadm-healthy"),
        &Catalog::builtin().unwrap(),
        &opts,
        &mut stats,
    )
    .unwrap();
    // The silence is earned: the kubeconfigs, etcd and the apiserver were all checked.
    assert!(snap.trust.len() >= 8, "{} edges", snap.trust.len());
    assert!(snap.trust.iter().all(|e| e.holds(&snap)));
}

#[test]
fn incident_replay_finds_the_stale_etcd_pair_the_old_kubeconfig_ca_and_stale_sa_cas() {
    let fs = run("incident-replay", time::macros::datetime!(2026-11-21 09:30 UTC));
    let stale = "c0df0ff25f276e35480dfbf618bb8d8cb16954aa13fdc303c8aab1f449a30d1a";
    let ckpt = "master-01/etc/kubernetes/checkpoint-secrets/kube-system/kube-apiserver-7x2kq/kube-apiserver/etcd-client.crt";
    for rule in ["ca-mismatch", "cert-expired"] {
        let f = fs
            .iter()
            .find(|f| f.rule == rule && f.evidence["fingerprint"] == stale)
            .unwrap_or_else(|| panic!("{rule} on the stale etcd client"));
        assert_eq!(f.severity, Severity::Error);
        assert!(
            f.objects
                .contains(&"kube-system/Secret/kube-apiserver#etcd-client.crt".to_string())
        );
        assert!(f.paths.iter().any(|p| p.ends_with(ckpt)), "{:?}", f.paths);
    }
    let kc = fs
        .iter()
        .find(|f| {
            f.rule == "ca-mismatch"
                && f.paths
                    .iter()
                    .any(|p| p.ends_with("master-01/etc/kubernetes/kubeconfig"))
                && f.evidence["purpose"] == "apiserver-serving"
        })
        .expect("ca-mismatch for the kubeconfig's old CA");
    assert!(
        kc.message.contains("deec4a3febdfc85c"),
        "old CA named: {}",
        kc.message
    );
    assert!(
        kc.message.contains("a6c1cc298dbb9717"),
        "verified issuer named: {}",
        kc.message
    );
    let sa: Vec<&Finding> = fs.iter().filter(|f| f.rule == "sa-token-stale-ca").collect();
    assert_eq!(sa.len(), 1);
    assert_eq!(
        sa[0].evidence["fingerprint"],
        "deec4a3febdfc85c0d2775b7aba091699e3c21b8b9185ad4b8182fc3b90496d2"
    );
    assert!(
        sa[0].objects.iter().all(|o| o.contains("-token-")),
        "{:?}",
        sa[0].objects
    );
    assert_eq!(sa[0].objects.len(), 4);
}

#[test]
fn two_nodes_reports_the_expired_current_kubelet_client_cert() {
    let fs = run("two-nodes", time::macros::datetime!(2026-06-15 12:00 UTC));
    let f = fs
        .iter()
        .find(|f| {
            f.rule == "cert-expired"
                && f.evidence["fingerprint"]
                    == "4d28d27261ae161626279e023aea105840d42f86052e36993ac16dfa057f3f81"
        })
        .expect("expired kubelet client cert");
    assert_eq!(f.severity, Severity::Error, "the current symlink points at it");
    assert_eq!(f.node.as_deref(), Some("worker-1"));
}
