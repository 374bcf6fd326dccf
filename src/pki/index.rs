//! Indexes over every certificate and key in a bundle, deduplicated by identity.

use std::collections::BTreeMap;

use crate::model::Location;
use crate::pki::cert::{CertRecord, Fingerprint};
use crate::pki::key::{KeyAlgorithm, KeyRecord, parse_key};

/// Every certificate in the bundle, one record per distinct DER.
#[derive(Clone, Debug, Default)]
pub struct CertIndex {
    /// The records, in first-seen order (sorted by fingerprint once built).
    pub certs: Vec<CertRecord>,
    by_fingerprint: BTreeMap<Fingerprint, usize>,
}

impl CertIndex {
    /// Adds a DER certificate seen at `location`; returns its index, or the parse error.
    pub fn add_der(&mut self, der: &[u8], location: Location) -> Result<usize, String> {
        let fp = Fingerprint::of(der);
        if let Some(&i) = self.by_fingerprint.get(&fp) {
            if let Some(rec) = self.certs.get_mut(i) {
                rec.locations.push(location);
            }
            return Ok(i);
        }
        Ok(self.add_record(CertRecord::from_der(der)?, location))
    }

    /// Adds a certificate already parsed (in parallel, by the snapshot builder) seen at
    /// `location`; returns its index.
    pub fn add_record(&mut self, mut rec: CertRecord, location: Location) -> usize {
        if let Some(&i) = self.by_fingerprint.get(&rec.fingerprint) {
            if let Some(known) = self.certs.get_mut(i) {
                known.locations.push(location);
            }
            return i;
        }
        let fp = rec.fingerprint;
        rec.locations.push(location);
        self.certs.push(rec);
        let i = self.certs.len() - 1;
        self.by_fingerprint.insert(fp, i);
        i
    }

    /// Records one more place of the certificate with fingerprint `fp`, already added.
    pub fn add_location(&mut self, fp: &Fingerprint, location: Location) {
        if let Some(rec) = self.by_fingerprint.get(fp).and_then(|&i| self.certs.get_mut(i)) {
            rec.locations.push(location);
        }
    }

    /// Sorts records by fingerprint and locations within each, for deterministic output, and
    /// drops repeated locations (adding does not look for them: a CA bundled in every one of
    /// 20,000 Secrets would make that quadratic).
    pub fn finish(&mut self) {
        self.certs.sort_by_key(|c| c.fingerprint);
        for c in &mut self.certs {
            c.locations.sort();
            c.locations.dedup();
        }
        self.by_fingerprint = self
            .certs
            .iter()
            .enumerate()
            .map(|(i, c)| (c.fingerprint, i))
            .collect();
    }

    /// The index of the certificate with this fingerprint.
    pub fn position(&self, fp: &Fingerprint) -> Option<usize> {
        self.by_fingerprint.get(fp).copied()
    }

    /// The record with this fingerprint.
    pub fn get(&self, fp: &Fingerprint) -> Option<&CertRecord> {
        self.position(fp).and_then(|i| self.certs.get(i))
    }

    /// Certificates found at `location`'s path (any field of it).
    pub fn at_path<'a>(&'a self, path: &'a str) -> impl Iterator<Item = (usize, &'a CertRecord)> + 'a {
        self.certs
            .iter()
            .enumerate()
            .filter(move |(_, c)| c.locations.iter().any(|l| l.path() == path))
    }

    /// Certificates found at exactly this location.
    pub fn at<'a>(&'a self, location: &'a Location) -> impl Iterator<Item = (usize, &'a CertRecord)> + 'a {
        self.certs
            .iter()
            .enumerate()
            .filter(move |(_, c)| c.locations.contains(location))
    }
}

/// Every private or public key in the bundle, one record per public key.
#[derive(Clone, Debug, Default)]
pub struct KeyIndex {
    /// The records.
    pub keys: Vec<KeyRecord>,
    by_identity: BTreeMap<(Fingerprint, bool), usize>,
}

impl KeyIndex {
    /// Adds a PEM block (label + DER) seen at `location`.
    pub fn add(&mut self, label: &str, der: &[u8], location: Location) -> Result<usize, String> {
        Ok(self.add_identity(parse_key(label, der)?, location))
    }

    /// Adds a key already reduced to its identity (see [`parse_key`]) seen at `location`.
    pub fn add_identity(
        &mut self,
        (key_id, algorithm, private): (Fingerprint, KeyAlgorithm, bool),
        location: Location,
    ) -> usize {
        if let Some(&i) = self.by_identity.get(&(key_id, private)) {
            if let Some(k) = self.keys.get_mut(i) {
                k.locations.push(location);
            }
            return i;
        }
        self.keys.push(KeyRecord {
            key_id,
            algorithm,
            private,
            locations: vec![location],
        });
        let i = self.keys.len() - 1;
        self.by_identity.insert((key_id, private), i);
        i
    }

    /// Sorts for deterministic output and drops repeated locations (see [`CertIndex::finish`]).
    pub fn finish(&mut self) {
        self.keys.sort_by_key(|k| (k.key_id, k.private));
        for k in &mut self.keys {
            k.locations.sort();
            k.locations.dedup();
        }
        self.by_identity = self
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| ((k.key_id, k.private), i))
            .collect();
    }

    /// Keys found at exactly this location.
    pub fn at<'a>(&'a self, location: &'a Location) -> impl Iterator<Item = &'a KeyRecord> + 'a {
        self.keys.iter().filter(move |k| k.locations.contains(location))
    }
}
