//! One certificate, parsed once into an owned record keyed by the SHA-256 of its DER.

use std::net::IpAddr;

use time::OffsetDateTime;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate};

pub use crate::model::Fingerprint;
use crate::model::Location;
use crate::pki::key::{KeyAlgorithm, public_key_id};

/// Everything the rules need from one certificate, owned, plus every place it was found.
#[derive(Clone, Debug)]
pub struct CertRecord {
    /// SHA-256 of the DER.
    pub fingerprint: Fingerprint,
    /// The DER itself (kept for signature checks).
    pub der: Vec<u8>,
    /// Subject, RFC 4514 text.
    pub subject: String,
    /// Issuer, RFC 4514 text (a claim; only a signature proves who issued it).
    pub issuer: String,
    /// Raw DER of the subject name (for candidate-issuer lookup).
    pub subject_raw: Vec<u8>,
    /// Raw DER of the issuer name.
    pub issuer_raw: Vec<u8>,
    /// Common name of the subject, if any.
    pub common_name: Option<String>,
    /// Organisations of the subject.
    pub organizations: Vec<String>,
    /// Serial number, hex.
    pub serial: String,
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
    /// Subject key identifier.
    pub ski: Option<Vec<u8>>,
    /// Authority key identifier.
    pub aki: Option<Vec<u8>>,
    /// basicConstraints CA:TRUE.
    pub is_ca: bool,
    /// Key usages named (`digitalSignature`, `keyCertSign`, …); empty when absent.
    pub key_usage: Vec<String>,
    /// Whether the key-usage extension is present at all.
    pub has_key_usage: bool,
    /// Extended key usages (`serverAuth`, `clientAuth`, …); empty when absent.
    pub ext_key_usage: Vec<String>,
    /// DNS SANs.
    pub dns_names: Vec<String>,
    /// IP SANs.
    pub ip_addresses: Vec<IpAddr>,
    /// DER of the SubjectPublicKeyInfo (for verifying what this cert signed).
    pub spki: Vec<u8>,
    /// Identity of the public key, shared with the matching private key's record.
    pub key_id: Fingerprint,
    /// Public key algorithm.
    pub key_algorithm: KeyAlgorithm,
    /// Key size in bits (RSA modulus, EC curve size).
    pub key_bits: u32,
    /// Signature algorithm name (`sha256WithRSAEncryption`, …).
    pub signature_algorithm: String,
    /// Whether the subject equals the issuer.
    pub self_issued: bool,
    /// Every place this certificate appears.
    pub locations: Vec<Location>,
}

impl CertRecord {
    /// Parses a DER certificate. The error is a short lowercase description.
    pub fn from_der(der: &[u8]) -> Result<CertRecord, String> {
        Self::parse(der).map(|(rec, _)| rec)
    }

    /// Parses a DER certificate once into its record and the dotted OIDs of its critical
    /// extensions that no TLS client understands (see [`crate::artifact::certext`]).
    pub fn parse(der: &[u8]) -> Result<(CertRecord, Vec<String>), String> {
        let (_, cert) = X509Certificate::from_der(der).map_err(|e| format!("invalid certificate: {e}"))?;
        let unknown = crate::artifact::certext::unknown_critical_of(&cert);
        Ok((Self::from_x509(der, &cert), unknown))
    }

    fn from_x509(der: &[u8], cert: &X509Certificate<'_>) -> CertRecord {
        let tbs = &cert.tbs_certificate;
        let mut rec = CertRecord {
            fingerprint: Fingerprint::of(der),
            der: der.to_vec(),
            subject: tbs.subject.to_string(),
            issuer: tbs.issuer.to_string(),
            subject_raw: tbs.subject.as_raw().to_vec(),
            issuer_raw: tbs.issuer.as_raw().to_vec(),
            common_name: tbs
                .subject
                .iter_common_name()
                .next()
                .and_then(|cn| cn.as_str().ok())
                .map(str::to_string),
            organizations: tbs
                .subject
                .iter_organization()
                .filter_map(|o| o.as_str().ok().map(str::to_string))
                .collect(),
            serial: tbs.raw_serial_as_string(),
            not_before: tbs.validity.not_before.to_datetime(),
            not_after: tbs.validity.not_after.to_datetime(),
            ski: None,
            aki: None,
            is_ca: cert.is_ca(),
            key_usage: Vec::new(),
            has_key_usage: false,
            ext_key_usage: Vec::new(),
            dns_names: Vec::new(),
            ip_addresses: Vec::new(),
            spki: tbs.subject_pki.raw.to_vec(),
            key_id: public_key_id(&tbs.subject_pki.subject_public_key.data),
            key_algorithm: KeyAlgorithm::from_oid(&tbs.subject_pki.algorithm.algorithm),
            key_bits: key_bits(cert),
            signature_algorithm: signature_name(cert),
            self_issued: tbs.subject.as_raw() == tbs.issuer.as_raw(),
            locations: Vec::new(),
        };
        for ext in tbs.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(k) => rec.ski = Some(k.0.to_vec()),
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    rec.aki = a.key_identifier.as_ref().map(|k| k.0.to_vec());
                }
                ParsedExtension::KeyUsage(ku) => {
                    rec.has_key_usage = true;
                    let bits = [
                        (ku.digital_signature(), "digitalSignature"),
                        (ku.non_repudiation(), "nonRepudiation"),
                        (ku.key_encipherment(), "keyEncipherment"),
                        (ku.data_encipherment(), "dataEncipherment"),
                        (ku.key_agreement(), "keyAgreement"),
                        (ku.key_cert_sign(), "keyCertSign"),
                        (ku.crl_sign(), "cRLSign"),
                        (ku.encipher_only(), "encipherOnly"),
                        (ku.decipher_only(), "decipherOnly"),
                    ];
                    rec.key_usage = bits
                        .iter()
                        .filter(|(on, _)| *on)
                        .map(|(_, n)| (*n).to_string())
                        .collect();
                }
                ParsedExtension::ExtendedKeyUsage(eku) => {
                    let pairs = [
                        (eku.any, "any"),
                        (eku.server_auth, "serverAuth"),
                        (eku.client_auth, "clientAuth"),
                        (eku.code_signing, "codeSigning"),
                        (eku.email_protection, "emailProtection"),
                        (eku.time_stamping, "timeStamping"),
                        (eku.ocsp_signing, "ocspSigning"),
                    ];
                    rec.ext_key_usage = pairs
                        .iter()
                        .filter(|(on, _)| *on)
                        .map(|(_, n)| (*n).to_string())
                        .collect();
                }
                ParsedExtension::SubjectAlternativeName(san) => {
                    for name in &san.general_names {
                        match name {
                            GeneralName::DNSName(d) => rec.dns_names.push((*d).to_string()),
                            GeneralName::IPAddress(b) => {
                                if let Some(ip) = ip_from_bytes(b) {
                                    rec.ip_addresses.push(ip);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        rec
    }

    /// Whether the certificate is inside its validity window at `at`.
    pub fn valid_at(&self, at: OffsetDateTime) -> bool {
        self.not_before <= at && at <= self.not_after
    }

    /// Whole days from `at` to notAfter (negative once expired).
    pub fn days_left(&self, at: OffsetDateTime) -> i64 {
        (self.not_after - at).whole_days()
    }

    /// A short human name: the CN, else the subject.
    pub fn name(&self) -> &str {
        self.common_name.as_deref().unwrap_or(&self.subject)
    }
}

fn ip_from_bytes(b: &[u8]) -> Option<IpAddr> {
    match b.len() {
        4 => <[u8; 4]>::try_from(b).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(b).ok().map(IpAddr::from),
        _ => None,
    }
}

fn key_bits(cert: &X509Certificate<'_>) -> u32 {
    use x509_parser::public_key::PublicKey;
    match cert.public_key().parsed() {
        Ok(PublicKey::RSA(rsa)) => u32::try_from(rsa.key_size()).unwrap_or(0),
        Ok(PublicKey::EC(ec)) => u32::try_from(ec.key_size()).unwrap_or(0),
        Ok(_) | Err(_) => 0,
    }
}

fn signature_name(cert: &X509Certificate<'_>) -> String {
    let oid = &cert.signature_algorithm.algorithm;
    x509_parser::objects::oid2sn(oid, x509_parser::objects::oid_registry())
        .map(str::to_string)
        .unwrap_or_else(|_| oid.to_id_string())
}
