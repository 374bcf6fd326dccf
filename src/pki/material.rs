//! Certificates and keys at one place: a file, a Secret or ConfigMap key, or a kubeconfig
//! field, resolved to records of the snapshot's indexes.
//!
//! Every place is looked up through the indexes' locations: the snapshot builder parsed each
//! certificate and key once, in parallel, and recorded where it was seen.

use std::collections::BTreeMap;

use crate::model::Location;
use crate::pki::{CertIndex, Fingerprint, KeyIndex};

/// What sits at one place: certificates (indexes into [`crate::pki::CertIndex::certs`]) and keys.
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
    /// Public key ids of the private keys found there.
    pub fn private_keys(&self) -> impl Iterator<Item = Fingerprint> + '_ {
        self.keys.iter().filter(|(_, p)| *p).map(|(k, _)| *k)
    }

    /// Whether anything usable was found.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty() && self.keys.is_empty()
    }
}

/// Location → records maps, built once so that resolving a place is a lookup, not a scan,
/// and no key is parsed twice (the snapshot builder already reduced each to its identity).
#[derive(Clone, Debug, Default)]
pub struct Lookup {
    certs_at: BTreeMap<Location, Vec<usize>>,
    keys_at: BTreeMap<Location, Vec<(Fingerprint, bool)>>,
}

impl Lookup {
    /// Indexes every location of every certificate and key (once the indexes are finished;
    /// the snapshot keeps the result as [`Snapshot::places`]).
    pub fn new(certs: &CertIndex, keys: &KeyIndex) -> Self {
        let mut lk = Lookup::default();
        for (i, c) in certs.certs.iter().enumerate() {
            for l in &c.locations {
                lk.certs_at.entry(l.clone()).or_default().push(i);
            }
        }
        for k in &keys.keys {
            for l in &k.locations {
                lk.keys_at
                    .entry(l.clone())
                    .or_default()
                    .push((k.key_id, k.private));
            }
        }
        lk
    }

    /// Bundle paths of the files that hold at least one certificate.
    pub fn cert_files(&self) -> impl Iterator<Item = &str> {
        files(&self.certs_at)
    }

    /// Whether the bundle file at `path` holds a key.
    pub fn has_keys(&self, path: &str) -> bool {
        self.keys_at.contains_key(&file_at(path))
    }

    /// Bundle paths of the files that hold at least one key.
    pub fn key_files(&self) -> impl Iterator<Item = &str> {
        files(&self.keys_at)
    }

    /// What the snapshot found at `location` (a file, an object key, a kubeconfig field).
    pub fn at(&self, location: Location, node: Option<usize>) -> Material {
        let certs = self.certs_at.get(&location).cloned().unwrap_or_default();
        let keys = self.keys_at.get(&location).cloned().unwrap_or_default();
        Material {
            location,
            node,
            certs,
            keys,
        }
    }
}

/// The location of a bundle file.
pub fn file_at(path: &str) -> Location {
    Location::File {
        path: path.to_string(),
    }
}

fn files<T>(map: &BTreeMap<Location, T>) -> impl Iterator<Item = &str> {
    map.keys().filter_map(|l| match l {
        Location::File { path } => Some(path.as_str()),
        _ => None,
    })
}
