//! Private and public keys: reduced to the identity of their public key, so that a key and a
//! certificate pair exactly when their key ids are equal. Private key bytes are never kept.

use serde::Serialize;
use x509_parser::der_parser::oid::Oid;

use crate::pki::cert::Fingerprint;
use crate::snapshot::Location;

/// The public key algorithm of a key or certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyAlgorithm {
    /// RSA.
    Rsa,
    /// Elliptic-curve (ECDSA).
    Ec,
    /// Ed25519.
    Ed25519,
    /// Anything else.
    Other,
}

impl KeyAlgorithm {
    /// Maps an algorithm OID of a SubjectPublicKeyInfo.
    pub fn from_oid(oid: &Oid<'_>) -> Self {
        match oid.to_id_string().as_str() {
            "1.2.840.113549.1.1.1" => KeyAlgorithm::Rsa,
            "1.2.840.10045.2.1" => KeyAlgorithm::Ec,
            "1.3.101.112" => KeyAlgorithm::Ed25519,
            _ => KeyAlgorithm::Other,
        }
    }

    /// Lowercase name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlgorithm::Rsa => "rsa",
            KeyAlgorithm::Ec => "ec",
            KeyAlgorithm::Ed25519 => "ed25519",
            KeyAlgorithm::Other => "other",
        }
    }
}

/// The identity of a public key: SHA-256 of the subjectPublicKey bit string's contents
/// (RSAPublicKey DER, an EC point, or the raw Ed25519 key).
pub fn public_key_id(subject_public_key: &[u8]) -> Fingerprint {
    Fingerprint::of(subject_public_key)
}

/// A private or public key found in the bundle, reduced to its public identity.
#[derive(Clone, Debug)]
pub struct KeyRecord {
    /// Identity of the public key (equal to the matching certificate's `key_id`).
    pub key_id: Fingerprint,
    /// Algorithm.
    pub algorithm: KeyAlgorithm,
    /// Whether the record came from a private key (vs a bare public key such as `sa.pub`).
    pub private: bool,
    /// Every place the key appears.
    pub locations: Vec<Location>,
}

/// Derives the public-key identity of a PEM/DER private or public key.
///
/// `label` is the PEM label (`RSA PRIVATE KEY`, `EC PRIVATE KEY`, `PRIVATE KEY`,
/// `PUBLIC KEY`, `RSA PUBLIC KEY`). Returns the id, algorithm and whether it is private.
pub fn parse_key(label: &str, der: &[u8]) -> Result<(Fingerprint, KeyAlgorithm, bool), String> {
    let _ = (label, der);
    Err("key parsing not implemented yet".to_string())
}
