//! The `malformed` bundle: junk that an analyzer must report as input problems without
//! crashing, next to one valid CA so the rest is still analysed. `truncated.tar.gz` (the
//! first half of `malformed.tar.gz`) is cut by `main`.

use anyhow::Result;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::certs::{Ca, CertSpec, validity};
use crate::keys::seeded_bytes;
use crate::logs::rfc3339;
use crate::pem::pem;
use crate::tree::Tree;

pub const CAPTURE: OffsetDateTime = datetime!(2026-06-15 12:00:00 UTC);

/// The whole `malformed` bundle.
pub fn bundle() -> Result<(Tree, Value)> {
    let mut t = Tree::new();
    let ca = Ca::new(
        "malformed/ca",
        CertSpec::ca("kubernetes", validity(2025, 1, 1, 2035, 1, 1)),
    )?;
    t.file("etc/hostname", "broken-1\n");
    t.file("etc/kubernetes/pki/ca.crt", ca.pem());

    // Characters outside the base64 alphabet inside a CERTIFICATE block.
    const NOT_B64: &[u8] = b"ABCDEFGHijklmnop0123456789*$%!?~#@^";
    let mut broken = String::from("-----BEGIN CERTIFICATE-----\n");
    for (i, b) in seeded_bytes("malformed/broken.crt", 256).iter().enumerate() {
        broken.push(NOT_B64[usize::from(*b) % NOT_B64.len()] as char);
        if i % 64 == 63 {
            broken.push('\n');
        }
    }
    broken.push_str("-----END CERTIFICATE-----\n");
    t.file("etc/kubernetes/pki/broken.crt", broken);

    // Valid armour around the first half of a real certificate's DER.
    let der = &ca.cert.der;
    t.file(
        "etc/kubernetes/pki/truncated.crt",
        pem("CERTIFICATE", &der[..der.len() / 2]),
    );
    t.file("etc/kubernetes/pki/empty.key", Vec::new());

    t.file(
        "etc/kubernetes/manifests/bad.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\n   namespace: kube-system\nspec:\n  containers:\n  - command: [kube-apiserver, --tls-cert-file=/etc/kubernetes/pki/apiserver.crt\n    image: \"registry.k8s.io/kube-apiserver:v1.30.2\n\t- name: broken\n",
    );
    t.secret_file(
        "etc/kubernetes/admin.conf",
        "apiVersion: v1\nclusters: 42\ncontexts:\n  name: not-a-list\ncurrent-context: [1, 2]\nkind: Config\nusers: \"kubernetes-admin\"\n",
    );
    t.file("cluster/junk.json", seeded_bytes("malformed/junk.json", 512));

    Ok((
        t,
        json!({"capture_time": rfc3339(CAPTURE), "certs": {"ca": ca.fingerprint()}}),
    ))
}
