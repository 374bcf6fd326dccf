//! Certificate building on top of rcgen: a [`Ca`] that issues leaves with
//! [`Ca::issue`], self-signed certs, fixed serials and fixed validity windows.
//!
//! Everything is deterministic: keys come from seeds (see [`crate::keys`]), serials are
//! derived from the seed name, dates are explicit, and only RSA or Ed25519 keys sign.
//!
//! ```ignore
//! let ca = Ca::new("my-ca", CertSpec::ca("kubernetes", validity(2025, 1, 1, 2035, 1, 1)))?;
//! let leaf = ca.issue("my-leaf", KeyKind::Rsa2048,
//!     CertSpec::new("kube-apiserver", validity(2026, 1, 10, 2027, 1, 10)).server().sans(&["10.0.0.10"]))?;
//! ```

use anyhow::{Result, ensure};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyUsagePurpose, SerialNumber,
};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::keys::{Key, KeyKind, seed_bytes};
use crate::pem::pem;

/// A validity window.
#[derive(Clone, Copy, Debug)]
pub struct Validity {
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
}

impl Validity {
    pub fn new(not_before: OffsetDateTime, not_after: OffsetDateTime) -> Validity {
        Validity {
            not_before,
            not_after,
        }
    }
}

/// Midnight-UTC validity window from two dates.
pub fn validity(y1: i32, m1: u8, d1: u8, y2: i32, m2: u8, d2: u8) -> Validity {
    Validity::new(rcgen::date_time_ymd(y1, m1, d1), rcgen::date_time_ymd(y2, m2, d2))
}

/// What the certificate is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Usage {
    /// CA: keyCertSign, basicConstraints CA:TRUE.
    Ca,
    /// TLS server (serverAuth).
    Server,
    /// TLS client (clientAuth).
    Client,
    /// Both serverAuth and clientAuth (etcd server/peer, Tectonic's apiserver cert).
    ServerClient,
}

/// The subject, SANs, usage and validity of a certificate to build.
#[derive(Clone, Debug)]
pub struct CertSpec {
    pub cn: String,
    pub orgs: Vec<String>,
    pub sans: Vec<String>,
    pub usage: Usage,
    pub validity: Validity,
    pub serial: Option<Vec<u8>>,
}

impl CertSpec {
    /// A client certificate spec (change with [`CertSpec::server`] etc.).
    pub fn new(cn: &str, validity: Validity) -> CertSpec {
        CertSpec {
            cn: cn.to_owned(),
            orgs: Vec::new(),
            sans: Vec::new(),
            usage: Usage::Client,
            validity,
            serial: None,
        }
    }

    /// A CA spec.
    pub fn ca(cn: &str, validity: Validity) -> CertSpec {
        CertSpec {
            usage: Usage::Ca,
            ..CertSpec::new(cn, validity)
        }
    }

    pub fn org(mut self, o: &str) -> Self {
        self.orgs.push(o.to_owned());
        self
    }

    /// Subject alternative names; entries that parse as IP addresses become IP SANs.
    pub fn sans(mut self, sans: &[&str]) -> Self {
        self.sans.extend(sans.iter().map(|s| (*s).to_owned()));
        self
    }

    pub fn server(mut self) -> Self {
        self.usage = Usage::Server;
        self
    }

    pub fn client(mut self) -> Self {
        self.usage = Usage::Client;
        self
    }

    pub fn server_client(mut self) -> Self {
        self.usage = Usage::ServerClient;
        self
    }

    /// Explicit serial (big-endian bytes, first byte < 0x80).
    pub fn serial(mut self, bytes: &[u8]) -> Self {
        self.serial = Some(bytes.to_vec());
        self
    }

    fn params(&self, seed: &str, key_kind: KeyKind) -> Result<CertificateParams> {
        let mut params = CertificateParams::new(self.sans.clone())?;
        let mut dn = DistinguishedName::new();
        for o in &self.orgs {
            dn.push(DnType::OrganizationName, o.as_str());
        }
        dn.push(DnType::CommonName, self.cn.as_str());
        params.distinguished_name = dn;
        params.not_before = self.validity.not_before;
        params.not_after = self.validity.not_after;
        let serial = self.serial.clone().unwrap_or_else(|| derived_serial(seed));
        params.serial_number = Some(SerialNumber::from_slice(&serial));
        let mut usages = vec![KeyUsagePurpose::DigitalSignature];
        if key_kind == KeyKind::Rsa2048 {
            usages.push(KeyUsagePurpose::KeyEncipherment);
        }
        match self.usage {
            Usage::Ca => {
                usages.push(KeyUsagePurpose::KeyCertSign);
                params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            }
            Usage::Server => {
                params.is_ca = IsCa::ExplicitNoCa;
                params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
            }
            Usage::Client => {
                params.is_ca = IsCa::ExplicitNoCa;
                params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
            }
            Usage::ServerClient => {
                params.is_ca = IsCa::ExplicitNoCa;
                params.extended_key_usages = vec![
                    ExtendedKeyUsagePurpose::ServerAuth,
                    ExtendedKeyUsagePurpose::ClientAuth,
                ];
            }
        }
        params.key_usages = usages;
        params.use_authority_key_identifier_extension = self.usage != Usage::Ca;
        Ok(params)
    }
}

/// An 8-byte positive serial derived from the seed name (like Go's random 63-bit serials).
pub fn derived_serial(seed: &str) -> Vec<u8> {
    let mut s = seed_bytes(&format!("serial/{seed}"))[..8].to_vec();
    s[0] = (s[0] & 0x7f).max(0x10);
    s
}

/// A certificate with its private key.
pub struct Cert {
    pub der: Vec<u8>,
    pub key: Key,
}

impl Cert {
    /// `-----BEGIN CERTIFICATE-----` PEM.
    pub fn pem(&self) -> String {
        pem("CERTIFICATE", &self.der)
    }

    /// The private key in its native PEM form (see [`Key::private_pem`]).
    pub fn key_pem(&self) -> Result<String> {
        self.key.private_pem()
    }

    /// Certificate then key in one PEM file, as the kubelet's certificate store writes.
    pub fn cert_and_key_pem(&self) -> Result<String> {
        Ok(format!("{}{}", self.pem(), self.key_pem()?))
    }

    /// SHA-256 of the DER, lowercase hex (what `expectations.json` records).
    pub fn fingerprint(&self) -> String {
        hex(&Sha256::digest(&self.der))
    }
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A certificate authority: its certificate, key and the parameters rcgen needs to issue.
pub struct Ca {
    pub cert: Cert,
    params: CertificateParams,
}

impl Ca {
    /// A self-signed RSA 2048 CA whose key is derived from `seed`.
    pub fn new(seed: &str, spec: CertSpec) -> Result<Ca> {
        Ca::with_key(Key::rsa(seed)?, spec)
    }

    /// A self-signed CA with the given (RSA or Ed25519) key.
    pub fn with_key(key: Key, spec: CertSpec) -> Result<Ca> {
        ensure!(
            key.signs_deterministically(),
            "CA key {} must be RSA or Ed25519",
            key.seed
        );
        let spec = CertSpec {
            usage: Usage::Ca,
            ..spec
        };
        let params = spec.params(&key.seed, key.kind())?;
        let der = params.self_signed(&key.pair)?.der().to_vec();
        Ok(Ca {
            cert: Cert { der, key },
            params,
        })
    }

    /// An intermediate CA signed by this one, with an RSA key derived from `seed`.
    pub fn intermediate(&self, seed: &str, spec: CertSpec) -> Result<Ca> {
        let key = Key::rsa(seed)?;
        let spec = CertSpec {
            usage: Usage::Ca,
            ..spec
        };
        let mut params = spec.params(&key.seed, key.kind())?;
        params.use_authority_key_identifier_extension = true;
        let issuer = Issuer::from_params(&self.params, &self.cert.key.pair);
        let der = params.signed_by(&key.pair, &issuer)?.der().to_vec();
        Ok(Ca {
            cert: Cert { der, key },
            params,
        })
    }

    /// Issue a leaf with a fresh key of `kind` derived from `seed`.
    pub fn issue(&self, seed: &str, kind: KeyKind, spec: CertSpec) -> Result<Cert> {
        self.issue_for(Key::derive(kind, seed)?, spec)
    }

    /// Issue a certificate for an existing key (e.g. a renewed cert for the same key).
    pub fn issue_for(&self, key: Key, spec: CertSpec) -> Result<Cert> {
        let params = spec.params(&format!("{}#{}", key.seed, spec.cn), key.kind())?;
        let issuer = Issuer::from_params(&self.params, &self.cert.key.pair);
        let der = params.signed_by(&key.pair, &issuer)?.der().to_vec();
        Ok(Cert { der, key })
    }

    pub fn pem(&self) -> String {
        self.cert.pem()
    }

    pub fn fingerprint(&self) -> String {
        self.cert.fingerprint()
    }
}

/// A self-signed non-CA certificate (e.g. a serving cert with no CA).
pub fn self_signed(seed: &str, spec: CertSpec) -> Result<Cert> {
    let key = Key::rsa(seed)?;
    let params = spec.params(seed, key.kind())?;
    let der = params.self_signed(&key.pair)?.der().to_vec();
    Ok(Cert { der, key })
}

/// The kubelet's self-signed serving pair (`kubelet.crt` / `kubelet.key`), as
/// client-go's `GenerateSelfSignedCertKey(host, nil, nil)` makes it: a throwaway CA
/// `<host>-ca@<unix>` signs a serverAuth cert `<host>@<unix>`; `kubelet.crt` holds the
/// leaf followed by that CA, `kubelet.key` only the leaf key. Returns (crt, key) PEM.
pub fn kubelet_self_signed(host: &str, created: OffsetDateTime) -> Result<(String, String)> {
    let unix = created.unix_timestamp();
    let one_year = Validity::new(created, created + time::Duration::days(365));
    let ca = Ca::new(
        &format!("kubelet-serving-ca/{host}/{unix}"),
        CertSpec::ca(&format!("{host}-ca@{unix}"), one_year),
    )?;
    let leaf = ca.issue(
        &format!("kubelet-serving/{host}/{unix}"),
        KeyKind::Rsa2048,
        CertSpec::new(&format!("{host}@{unix}"), one_year)
            .server()
            .sans(&[host]),
    )?;
    Ok((format!("{}{}", leaf.pem(), ca.pem()), leaf.key_pem()?))
}
