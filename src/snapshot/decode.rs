//! Certificates and keys decoded once per distinct block, in parallel. A cluster's Secrets
//! dump repeats its CA in every service-account token, and a bundle repeats `ca.crt` in
//! kubeconfigs, checkpoints and Secrets: each distinct block is parsed once, and every place
//! it was seen is then recorded against that one result.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::artifact::{InputProblem, Material, PemBlock};
use crate::pki::{CertRecord, Fingerprint, KeyAlgorithm};
use crate::snapshot::{Location, Snapshot};

/// What one distinct block decoded to.
struct Outcome {
    result: Result<Kind, String>,
    /// The parsed certificate, until its first place takes it into the index.
    record: Option<Box<CertRecord>>,
    /// Critical extensions TLS clients would reject the certificate for.
    unknown_critical: Vec<String>,
}

enum Kind {
    Cert(Fingerprint),
    Key((Fingerprint, KeyAlgorithm, bool)),
    Other,
}

/// Every block of every entry, decoded: [`Decoded::places`] maps an entry's material to its
/// distinct block, [`Decoded::record`] puts one place into the snapshot.
pub struct Decoded {
    places: Vec<Vec<usize>>,
    outcomes: Vec<Outcome>,
}

/// Decodes the material of every entry (in entry order), each distinct block once.
pub fn decode(entries: &[&[Material]]) -> Decoded {
    let ids: Vec<Vec<Fingerprint>> = entries
        .par_iter()
        .map(|ms| ms.par_iter().map(|m| Fingerprint::of(&m.block.der)).collect())
        .collect();
    let mut first: HashMap<(&str, Fingerprint), usize> = HashMap::new();
    let mut unique: Vec<&PemBlock> = Vec::new();
    let mut places = Vec::with_capacity(entries.len());
    for (ms, fps) in entries.iter().zip(&ids) {
        let mut entry = Vec::with_capacity(ms.len());
        for (m, fp) in ms.iter().zip(fps) {
            let i = *first.entry((m.block.label.as_str(), *fp)).or_insert_with(|| {
                unique.push(&m.block);
                unique.len() - 1
            });
            entry.push(i);
        }
        places.push(entry);
    }
    let outcomes = unique.par_iter().map(|b| outcome(b)).collect();
    Decoded { places, outcomes }
}

fn outcome(block: &PemBlock) -> Outcome {
    if block.is_certificate() {
        match CertRecord::parse(&block.der) {
            Ok((rec, unknown_critical)) => Outcome {
                result: Ok(Kind::Cert(rec.fingerprint)),
                record: Some(Box::new(rec)),
                unknown_critical,
            },
            Err(e) => failed(e),
        }
    } else if block.is_key() {
        match crate::pki::key::parse_key(&block.label, &block.der) {
            Ok(identity) => Outcome {
                result: Ok(Kind::Key(identity)),
                record: None,
                unknown_critical: Vec::new(),
            },
            Err(e) => failed(e),
        }
    } else {
        Outcome {
            result: Ok(Kind::Other),
            record: None,
            unknown_critical: Vec::new(),
        }
    }
}

fn failed(e: String) -> Outcome {
    Outcome {
        result: Err(e),
        record: None,
        unknown_critical: Vec::new(),
    }
}

impl Decoded {
    /// The distinct block of each material of entry `entry` (in [`decode`]'s order).
    pub fn places(&self, entry: usize) -> &[usize] {
        self.places.get(entry).map(Vec::as_slice).unwrap_or_default()
    }

    /// Records distinct block `i` seen at `location` into `snap`'s indexes; what is wrong
    /// with it becomes an input problem at that place.
    pub fn record(&mut self, i: usize, location: Location, snap: &mut Snapshot) {
        let Some(o) = self.outcomes.get_mut(i) else {
            return;
        };
        let what = match &location {
            Location::Kubeconfig { field, .. } => format!("{field}: "),
            Location::Object { .. } => format!("{}: ", location.object_key().unwrap_or_default()),
            Location::File { .. } => String::new(),
        };
        let at = location.path().to_string();
        for oid in &o.unknown_critical {
            snap.problems.push(InputProblem::new(
                at.clone(),
                format!("{what}certificate has an unknown critical extension {oid}; TLS clients reject it"),
            ));
        }
        match &o.result {
            Ok(Kind::Cert(fp)) => match o.record.take() {
                Some(rec) => {
                    snap.certs.add_record(*rec, location);
                }
                None => snap.certs.add_location(fp, location),
            },
            Ok(Kind::Key(identity)) => {
                snap.keys.add_identity(*identity, location);
            }
            Ok(Kind::Other) => {}
            Err(e) => snap
                .problems
                .push(InputProblem::new(at, format!("{what}{}", e.to_lowercase()))),
        }
    }
}
