//! PEM armour, bare DER, and what the PKI makes of the blocks: certificates (with their
//! extensions) and private or public keys.
#![no_main]

use kubetriage::artifact::{self, ArtifactKind, pem};
use kubetriage::pki::{CertRecord, key};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = artifact::classify("n/etc/kubernetes/pki/x.crt", data);
    let parsed = artifact::parse("n/etc/kubernetes/pki/x.crt", data, ArtifactKind::Pem);
    for m in &parsed.material {
        if m.block.is_certificate() {
            let _ = CertRecord::parse(&m.block.der);
        } else {
            let _ = key::parse_key(&m.block.label, &m.block.der);
        }
    }
    // The raw bytes as DER, whatever the armour said.
    let _ = pem::looks_like_der_cert(data);
    // The record and the critical extensions TLS clients would reject it for.
    let _ = CertRecord::parse(data);
    for label in ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "PUBLIC KEY"] {
        let _ = key::parse_key(label, data);
    }
});
