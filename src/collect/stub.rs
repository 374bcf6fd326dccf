//! Private keys stay on the node (the default of `kubetriage collect`): each private key PEM
//! block becomes a stub holding only its public key, so no private key leaves the node while the analysis can still pair keys with
//! certificates (a stub pairs exactly when the private key did).
//!
//! A stub is a `PUBLIC KEY` (SubjectPublicKeyInfo) block preceded by the [`MARKER`] line,
//! which RFC 7468 §2 allows as explanatory text outside the encapsulation boundaries.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use pkcs1::der::asn1::{AnyRef, BitStringRef, ObjectIdentifier, OctetStringRef};
use pkcs1::der::{Decode, Encode};
use pkcs8::spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};

pub use crate::artifact::pem::{MARKER, is_stub};

const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// SubjectPublicKeyInfo DER of a private key block (`label` as in the PEM armour).
pub fn public_key_der(label: &str, der: &[u8]) -> Result<Vec<u8>, String> {
    match label {
        "RSA PRIVATE KEY" => rsa(der),
        "EC PRIVATE KEY" => ec(der, None),
        "PRIVATE KEY" => {
            let info = pkcs8::PrivateKeyInfo::try_from(der).map_err(|e| format!("pkcs#8: {e}"))?;
            let oid = info.algorithm.oid;
            if oid == OID_RSA {
                rsa(info.private_key)
            } else if oid == OID_EC {
                let curve = info
                    .algorithm
                    .parameters
                    .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
                match info.public_key {
                    Some(point) => spki(OID_EC, curve, point),
                    None => ec(info.private_key, curve),
                }
            } else if oid == OID_ED25519 {
                let seed = OctetStringRef::from_der(info.private_key).map_err(|e| format!("ed25519: {e}"))?;
                let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(seed.as_bytes())
                    .map_err(|_| "ed25519: bad seed".to_string())?;
                spki(
                    OID_ED25519,
                    None,
                    ring::signature::KeyPair::public_key(&pair).as_ref(),
                )
            } else {
                Err(format!("unsupported key algorithm {oid}"))
            }
        }
        other => Err(format!("not a private key block: {other}")),
    }
}

fn rsa(der: &[u8]) -> Result<Vec<u8>, String> {
    let key = pkcs1::RsaPrivateKey::from_der(der).map_err(|e| format!("pkcs#1: {e}"))?;
    let public = pkcs1::RsaPublicKey {
        modulus: key.modulus,
        public_exponent: key.public_exponent,
    }
    .to_der()
    .map_err(|e| format!("pkcs#1: {e}"))?;
    let null = AnyRef::NULL;
    let info = SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef {
            oid: OID_RSA,
            parameters: Some(null),
        },
        subject_public_key: BitStringRef::from_bytes(&public).map_err(|e| e.to_string())?,
    };
    info.to_der().map_err(|e| e.to_string())
}

fn ec(der: &[u8], curve: Option<ObjectIdentifier>) -> Result<Vec<u8>, String> {
    let key = sec1::EcPrivateKey::from_der(der).map_err(|e| format!("sec1: {e}"))?;
    let curve = key.parameters.and_then(|p| p.named_curve()).or(curve);
    let point = key
        .public_key
        .ok_or_else(|| "ec private key without its public key".to_string())?;
    spki(OID_EC, curve, point)
}

fn spki(oid: ObjectIdentifier, param: Option<ObjectIdentifier>, key: &[u8]) -> Result<Vec<u8>, String> {
    let param_der = param.map(|p| p.to_der()).transpose().map_err(|e| e.to_string())?;
    let parameters = param_der
        .as_deref()
        .map(AnyRef::from_der)
        .transpose()
        .map_err(|e| e.to_string())?;
    let info = SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef { oid, parameters },
        subject_public_key: BitStringRef::from_bytes(key).map_err(|e| e.to_string())?,
    };
    info.to_der().map_err(|e| e.to_string())
}

/// `text` with every private key block replaced by its stub; `None` when it holds none.
/// A block that cannot be read is replaced by the marker alone (never kept).
pub fn replace_private_keys(text: &str) -> Option<String> {
    if !text.contains("PRIVATE KEY-----") {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut lines = text.split_inclusive('\n');
    while let Some(line) = lines.next() {
        let t = line.trim();
        let label = t
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
            .filter(|l| l.ends_with("PRIVATE KEY"));
        let Some(label) = label else {
            out.push_str(line);
            continue;
        };
        let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
        let mut b64 = String::new();
        for l in lines.by_ref() {
            if l.trim().starts_with("-----END ") {
                break;
            }
            b64.push_str(l.trim());
        }
        out.push_str(&format!("{indent}{MARKER}\n"));
        let der = STANDARD.decode(b64.as_bytes()).ok();
        if let Some(spki) = der.and_then(|d| public_key_der(label, &d).ok()) {
            out.push_str(&format!("{indent}-----BEGIN PUBLIC KEY-----\n"));
            let enc = STANDARD.encode(spki);
            for chunk in enc.as_bytes().chunks(64) {
                out.push_str(&indent);
                out.push_str(&String::from_utf8_lossy(chunk));
                out.push('\n');
            }
            out.push_str(&format!("{indent}-----END PUBLIC KEY-----\n"));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stubs_keep_the_public_key() {
        for alg in [
            &rcgen::PKCS_ECDSA_P256_SHA256,
            &rcgen::PKCS_ED25519,
            &rcgen::PKCS_RSA_SHA256,
        ] {
            let key = match rcgen::KeyPair::generate_for(alg) {
                Ok(k) => k,
                // ring cannot generate RSA keys; RSA is covered by the collect tests.
                Err(_) => continue,
            };
            let text = format!("x\n{}", key.serialize_pem());
            let out = replace_private_keys(&text).unwrap();
            assert!(!out.contains("PRIVATE KEY-----"), "{out}");
            assert!(is_stub(out.as_bytes()));
            let stub = out.split_once(MARKER).unwrap().1.trim();
            assert_eq!(stub, key.public_key_pem().trim());
        }
    }
}
