//! Private and public keys: reduced to the identity of their public key, so that a key and a
//! certificate pair exactly when their key ids are equal. Private key bytes are never kept:
//! [`parse_key`] reads them only long enough to find (or derive) the public key.

use pkcs1::der::{Decode, Encode};
use pkcs8::der::asn1::OctetStringRef;
use serde::Serialize;
use x509_parser::der_parser::oid::Oid;
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::model::Location;
use crate::pki::cert::Fingerprint;

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

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_ED25519: &str = "1.3.101.112";

impl KeyAlgorithm {
    /// Maps an algorithm OID of a SubjectPublicKeyInfo.
    pub fn from_oid(oid: &Oid<'_>) -> Self {
        Self::from_oid_str(&oid.to_id_string())
    }

    fn from_oid_str(oid: &str) -> Self {
        match oid {
            OID_RSA => KeyAlgorithm::Rsa,
            OID_EC => KeyAlgorithm::Ec,
            OID_ED25519 => KeyAlgorithm::Ed25519,
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

pub use crate::artifact::pem::STUB_LABEL;

/// Derives the public-key identity of a PEM/DER private or public key.
///
/// `label` is the PEM label (`RSA PRIVATE KEY`, `EC PRIVATE KEY`, `PRIVATE KEY`,
/// `PUBLIC KEY`, `RSA PUBLIC KEY`). Returns the id, algorithm and whether it is private.
/// The error is a short lowercase description that never quotes key material.
pub fn parse_key(label: &str, der: &[u8]) -> Result<(Fingerprint, KeyAlgorithm, bool), String> {
    match label {
        "RSA PRIVATE KEY" => rsa_private(der).map(|id| (id, KeyAlgorithm::Rsa, true)),
        "EC PRIVATE KEY" => ec_private(der).map(|id| (id, KeyAlgorithm::Ec, true)),
        "PRIVATE KEY" => pkcs8_private(der),
        // A `kubetriage collect --no-private-keys` stub stands where a private key was:
        // it pairs as that private key would (see `collect::stub`).
        STUB_LABEL => parse_key("PUBLIC KEY", der).map(|(id, alg, _)| (id, alg, true)),
        "PUBLIC KEY" => {
            let (_, spki) =
                SubjectPublicKeyInfo::from_der(der).map_err(|e| format!("invalid public key (spki): {e}"))?;
            Ok((
                public_key_id(&spki.subject_public_key.data),
                KeyAlgorithm::from_oid(&spki.algorithm.algorithm),
                false,
            ))
        }
        "RSA PUBLIC KEY" => {
            let key = pkcs1::RsaPublicKey::from_der(der)
                .map_err(|e| format!("invalid rsa public key (pkcs#1): {e}"))?;
            let canonical = key
                .to_der()
                .map_err(|e| format!("invalid rsa public key (pkcs#1): {e}"))?;
            Ok((public_key_id(&canonical), KeyAlgorithm::Rsa, false))
        }
        "ENCRYPTED PRIVATE KEY" => {
            Err("encrypted private key: cannot pair it with a certificate".to_string())
        }
        other => Err(format!("unsupported key type `{other}`")),
    }
}

/// PKCS#1 RSAPrivateKey → RSAPublicKey DER (what a certificate's subjectPublicKey holds).
fn rsa_private(der: &[u8]) -> Result<Fingerprint, String> {
    let key =
        pkcs1::RsaPrivateKey::from_der(der).map_err(|e| format!("invalid rsa private key (pkcs#1): {e}"))?;
    let public = pkcs1::RsaPublicKey {
        modulus: key.modulus,
        public_exponent: key.public_exponent,
    };
    let bytes = public
        .to_der()
        .map_err(|e| format!("invalid rsa private key (pkcs#1): {e}"))?;
    Ok(public_key_id(&bytes))
}

/// SEC1 ECPrivateKey → its public point. Keys written by Go, OpenSSL and cfssl carry the
/// point; one without it cannot be paired offline without curve arithmetic, and says so.
fn ec_private(der: &[u8]) -> Result<Fingerprint, String> {
    let key = sec1::EcPrivateKey::from_der(der).map_err(|e| format!("invalid ec private key (sec1): {e}"))?;
    match key.public_key {
        Some(point) => Ok(public_key_id(point)),
        None => Err("ec private key without its public key: cannot derive the key identity".to_string()),
    }
}

/// PKCS#8 PrivateKeyInfo wrapping RSA, EC (P-256, P-384) or Ed25519.
fn pkcs8_private(der: &[u8]) -> Result<(Fingerprint, KeyAlgorithm, bool), String> {
    let info =
        pkcs8::PrivateKeyInfo::try_from(der).map_err(|e| format!("invalid private key (pkcs#8): {e}"))?;
    let algorithm = KeyAlgorithm::from_oid_str(&info.algorithm.oid.to_string());
    let id = match algorithm {
        KeyAlgorithm::Rsa => rsa_private(info.private_key)?,
        KeyAlgorithm::Ec => match info.public_key {
            Some(point) => public_key_id(point),
            None => ec_private(info.private_key)?,
        },
        KeyAlgorithm::Ed25519 => {
            let seed = OctetStringRef::from_der(info.private_key)
                .map_err(|e| format!("invalid ed25519 private key (pkcs#8): {e}"))?;
            let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(seed.as_bytes())
                .map_err(|_| "invalid ed25519 private key: seed is not 32 bytes".to_string())?;
            public_key_id(ring::signature::KeyPair::public_key(&pair).as_ref())
        }
        KeyAlgorithm::Other => {
            return Err(format!(
                "unsupported private key algorithm {} (pkcs#8)",
                info.algorithm.oid
            ));
        }
    };
    Ok((id, algorithm, true))
}
