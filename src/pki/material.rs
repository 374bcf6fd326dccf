//! Certificates and keys at one place: a file, a Secret or ConfigMap key, or a kubeconfig
//! field, resolved to records of the snapshot's indexes.
//!
//! Files are looked up through the indexes' locations (the snapshot keeps no file bodies);
//! Secret, ConfigMap and kubeconfig data are kept decoded, so their PEM is read again here
//! and each block is mapped to its record by fingerprint or key id.

use std::collections::BTreeMap;

use x509_parser::pem::Pem;

use crate::pki::key::parse_key;
use crate::pki::{CertIndex, Fingerprint};
use crate::snapshot::{Location, Snapshot};

/// What sits at one place: certificates (indexes into [`CertIndex::certs`]) and keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Material {
    /// Where.
    pub location: Location,
    /// Node whose tree holds it (files), if any.
    pub node: Option<usize>,
    /// Certificates found there, by index.
    pub certs: Vec<usize>,
    /// Keys found there: (public key id, is private).
    pub keys: Vec<(Fingerprint, bool)>,
}

impl Material {
    /// Certificates of the material that did not sign another certificate of it: the
    /// leaf (or leaves) of a chain file, the CA itself in a single-CA file.
    pub fn leaves(&self, snap: &Snapshot) -> Vec<usize> {
        let leaves: Vec<usize> = self
            .certs
            .iter()
            .copied()
            .filter(|&c| {
                !self
                    .certs
                    .iter()
                    .any(|&o| o != c && snap.graph.issuers_of(o).contains(&c))
            })
            .collect();
        if leaves.is_empty() {
            self.certs.clone()
        } else {
            leaves
        }
    }

    /// Public key ids of the private keys found there.
    pub fn private_keys(&self) -> impl Iterator<Item = Fingerprint> + '_ {
        self.keys.iter().filter(|(_, p)| *p).map(|(k, _)| *k)
    }

    /// Whether anything usable was found.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty() && self.keys.is_empty()
    }
}

/// Path → records maps, built once so that resolving a path is a lookup, not a scan.
#[derive(Debug, Default)]
pub struct Lookup {
    file_certs: BTreeMap<String, Vec<usize>>,
    file_keys: BTreeMap<String, Vec<(Fingerprint, bool)>>,
}

impl Lookup {
    /// Indexes the file locations of every certificate and key of `snap`.
    pub fn new(snap: &Snapshot) -> Self {
        let mut lk = Lookup::default();
        for (i, c) in snap.certs.certs.iter().enumerate() {
            for l in &c.locations {
                if let Location::File { path } = l {
                    lk.file_certs.entry(path.clone()).or_default().push(i);
                }
            }
        }
        for k in &snap.keys.keys {
            for l in &k.locations {
                if let Location::File { path } = l {
                    lk.file_keys
                        .entry(path.clone())
                        .or_default()
                        .push((k.key_id, k.private));
                }
            }
        }
        lk
    }

    /// Bundle paths of the files that hold at least one certificate.
    pub fn cert_files(&self) -> impl Iterator<Item = &str> {
        self.file_certs.keys().map(String::as_str)
    }

    /// Whether the bundle file at `path` holds a key.
    pub fn has_keys(&self, path: &str) -> bool {
        self.file_keys.contains_key(path)
    }

    /// Bundle paths of the files that hold at least one key.
    pub fn key_files(&self) -> impl Iterator<Item = &str> {
        self.file_keys.keys().map(String::as_str)
    }

    /// What the bundle file at `path` holds (empty when it holds no certificate or key).
    pub fn file(&self, snap: &Snapshot, path: &str) -> Material {
        Material {
            location: Location::File {
                path: path.to_string(),
            },
            node: snap.node_of(path),
            certs: self.file_certs.get(path).cloned().unwrap_or_default(),
            keys: self.file_keys.get(path).cloned().unwrap_or_default(),
        }
    }
}

/// What decoded data (PEM text, or one DER certificate) holds, found at `location`.
pub fn from_bytes(certs: &CertIndex, bytes: &[u8], location: Location, node: Option<usize>) -> Material {
    let mut m = Material {
        location,
        node,
        certs: Vec::new(),
        keys: Vec::new(),
    };
    let mut any_pem = false;
    let stub = crate::collect::stub::is_stub(bytes);
    for pem in Pem::iter_from_buffer(bytes) {
        let Ok(pem) = pem else { break };
        any_pem = true;
        if pem.label == "CERTIFICATE" || pem.label == "TRUSTED CERTIFICATE" {
            if let Some(i) = certs.position(&Fingerprint::of(&pem.contents)) {
                if !m.certs.contains(&i) {
                    m.certs.push(i);
                }
            }
        } else if let Ok((id, _, private)) = parse_key(
            if stub && pem.label == "PUBLIC KEY" {
                crate::pki::key::STUB_LABEL
            } else {
                &pem.label
            },
            &pem.contents,
        ) {
            if !m.keys.contains(&(id, private)) {
                m.keys.push((id, private));
            }
        }
    }
    if !any_pem {
        if let Some(i) = certs.position(&Fingerprint::of(bytes)) {
            m.certs.push(i);
        }
    }
    m
}
