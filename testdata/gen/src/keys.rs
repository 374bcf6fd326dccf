//! Seeded key derivation: every key comes from a name, so the same name always gives the
//! same key. RSA 2048 and ECDSA P-256 use a ChaCha20 RNG seeded with SHA-256 of the name;
//! Ed25519 uses SHA-256 of the name directly as its 32-byte seed.
//!
//! Private keys are written the way the real tools write them: PKCS#1 `RSA PRIVATE KEY`,
//! SEC1 `EC PRIVATE KEY` (named curve and public key included, like Go's
//! `x509.MarshalECPrivateKey`), PKCS#8 `PRIVATE KEY` for Ed25519 (v1, without the public
//! key, like Go's `x509.MarshalPKCS8PrivateKey`).

use anyhow::{Context, Result};
use ed25519_dalek::pkcs8::EncodePrivateKey as _;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rcgen::{KeyPair, PKCS_ECDSA_P256_SHA256, PKCS_ED25519, PKCS_RSA_SHA256};
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use rsa::pkcs8::EncodePublicKey as _;
use sha2::{Digest, Sha256};

use crate::pem::pem;

/// Domain separator so the seeds of this generator never collide with anything else.
const SEED_DOMAIN: &str = "kubetriage-testgen/v1/";

/// SHA-256 of the domain-separated seed name.
pub fn seed_bytes(name: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(SEED_DOMAIN.as_bytes());
    h.update(name.as_bytes());
    h.finalize().into()
}

/// A ChaCha20 RNG seeded from `name`.
pub fn seeded_rng(name: &str) -> ChaCha20Rng {
    ChaCha20Rng::from_seed(seed_bytes(name))
}

/// `n` deterministic pseudo-random bytes derived from `name`.
pub fn seeded_bytes(name: &str, n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    seeded_rng(name).fill_bytes(&mut out);
    out
}

/// The kind of key to derive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Rsa2048,
    EcP256,
    Ed25519,
}

/// A private key of one of the supported kinds.
#[derive(Clone)]
pub enum PrivateKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    Ec(p256::SecretKey),
    Ed25519(ed25519_dalek::SigningKey),
}

/// A derived key: the private key plus the rcgen key pair used to sign or to supply the
/// subject public key of a certificate.
pub struct Key {
    pub seed: String,
    pub private: PrivateKey,
    pub pair: KeyPair,
}

impl Key {
    /// Derive a key of `kind` from the seed string `seed`.
    pub fn derive(kind: KeyKind, seed: &str) -> Result<Key> {
        let private = match kind {
            KeyKind::Rsa2048 => {
                let k = rsa::RsaPrivateKey::new(&mut seeded_rng(seed), 2048)
                    .with_context(|| format!("RSA key {seed}"))?;
                PrivateKey::Rsa(Box::new(k))
            }
            KeyKind::EcP256 => PrivateKey::Ec(p256::SecretKey::random(&mut seeded_rng(seed))),
            KeyKind::Ed25519 => PrivateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed_bytes(seed))),
        };
        let pkcs8 = pkcs8_der(&private)?;
        let alg = match kind {
            KeyKind::Rsa2048 => &PKCS_RSA_SHA256,
            KeyKind::EcP256 => &PKCS_ECDSA_P256_SHA256,
            KeyKind::Ed25519 => &PKCS_ED25519,
        };
        let pair = KeyPair::from_pkcs8_der_and_sign_algo(&pkcs8.as_slice().into(), alg)
            .with_context(|| format!("rcgen key pair {seed}"))?;
        Ok(Key {
            seed: seed.to_owned(),
            private,
            pair,
        })
    }

    /// RSA 2048 key from `seed`.
    pub fn rsa(seed: &str) -> Result<Key> {
        Key::derive(KeyKind::Rsa2048, seed)
    }

    /// ECDSA P-256 key from `seed` (never used as a signer: ECDSA signatures are random).
    pub fn ec(seed: &str) -> Result<Key> {
        Key::derive(KeyKind::EcP256, seed)
    }

    /// Ed25519 key from `seed`.
    pub fn ed25519(seed: &str) -> Result<Key> {
        Key::derive(KeyKind::Ed25519, seed)
    }

    pub fn kind(&self) -> KeyKind {
        match self.private {
            PrivateKey::Rsa(_) => KeyKind::Rsa2048,
            PrivateKey::Ec(_) => KeyKind::EcP256,
            PrivateKey::Ed25519(_) => KeyKind::Ed25519,
        }
    }

    /// Whether certificates signed by this key are deterministic.
    pub fn signs_deterministically(&self) -> bool {
        self.kind() != KeyKind::EcP256
    }

    /// The private key in the native PEM format real tools write (PKCS#1 / SEC1 / PKCS#8).
    pub fn private_pem(&self) -> Result<String> {
        Ok(match &self.private {
            PrivateKey::Rsa(k) => pem("RSA PRIVATE KEY", k.to_pkcs1_der()?.as_bytes()),
            PrivateKey::Ec(k) => pem("EC PRIVATE KEY", &sec1_der(k)?),
            PrivateKey::Ed25519(_) => pem("PRIVATE KEY", &pkcs8_der(&self.private)?),
        })
    }

    /// The private key as PKCS#8 `PRIVATE KEY` PEM, whatever its kind.
    pub fn pkcs8_pem(&self) -> Result<String> {
        Ok(pem("PRIVATE KEY", &pkcs8_der(&self.private)?))
    }

    /// DER SubjectPublicKeyInfo.
    pub fn public_der(&self) -> Result<Vec<u8>> {
        Ok(match &self.private {
            PrivateKey::Rsa(k) => k.to_public_key().to_public_key_der()?.into_vec(),
            PrivateKey::Ec(k) => k.public_key().to_public_key_der()?.into_vec(),
            PrivateKey::Ed25519(k) => k.verifying_key().to_public_key_der()?.into_vec(),
        })
    }

    /// `-----BEGIN PUBLIC KEY-----` (PKIX), as in kubeadm's `sa.pub`.
    pub fn public_pem(&self) -> Result<String> {
        Ok(pem("PUBLIC KEY", &self.public_der()?))
    }

    /// RSASSA-PKCS1-v1_5 SHA-256 signature (deterministic); only for RSA keys.
    pub fn sign_rs256(&self, msg: &[u8]) -> Result<Vec<u8>> {
        use rsa::signature::{SignatureEncoding as _, Signer as _};
        match &self.private {
            PrivateKey::Rsa(k) => {
                let sk = rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone());
                Ok(sk.sign(msg).to_vec())
            }
            _ => anyhow::bail!("RS256 needs an RSA key ({})", self.seed),
        }
    }
}

fn pkcs8_der(private: &PrivateKey) -> Result<Vec<u8>> {
    Ok(match private {
        PrivateKey::Rsa(k) => k.to_pkcs8_der()?.as_bytes().to_vec(),
        PrivateKey::Ec(k) => k.to_pkcs8_der()?.as_bytes().to_vec(),
        PrivateKey::Ed25519(k) => ed25519_dalek::pkcs8::KeypairBytes {
            secret_key: k.to_bytes(),
            public_key: None,
        }
        .to_pkcs8_der()?
        .as_bytes()
        .to_vec(),
    })
}

/// SEC1 ECPrivateKey with the named-curve parameters and the public key, as Go writes it.
fn sec1_der(k: &p256::SecretKey) -> Result<Vec<u8>> {
    use p256::elliptic_curve::sec1::ToEncodedPoint as _;
    use sec1::der::Encode as _;
    let private_key = k.to_bytes();
    let public = k.public_key().to_encoded_point(false);
    let params = sec1::EcParameters::NamedCurve(sec1::der::asn1::ObjectIdentifier::new_unwrap(
        "1.2.840.10045.3.1.7",
    ));
    let der = sec1::EcPrivateKey {
        private_key: &private_key[..],
        parameters: Some(params),
        public_key: Some(public.as_bytes()),
    }
    .to_der()?;
    Ok(der)
}
