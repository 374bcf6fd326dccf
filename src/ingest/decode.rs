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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::snapshot::{CaptureSource, CapturedAt};

    fn at(path: &str) -> Location {
        Location::File {
            path: path.to_string(),
        }
    }

    fn block(label: &str, der: Vec<u8>) -> PemBlock {
        PemBlock {
            label: label.to_string(),
            der,
        }
    }

    /// A block repeated across entries is parsed once, yet every place is recorded, and a
    /// broken block is a problem at each place it was seen.
    #[test]
    fn repeated_blocks_decode_once_and_record_every_place() {
        let cert = rcgen::CertificateParams::new(vec!["a.example".to_string()])
            .unwrap()
            .self_signed(&rcgen::KeyPair::generate().unwrap())
            .unwrap();
        let good = block("CERTIFICATE", cert.der().to_vec());
        let bad = block("CERTIFICATE", vec![0x30, 0x03, 0x02, 0x01, 0x00]);
        let one = vec![
            Material {
                block: good.clone(),
                location: at("a/ca.crt"),
            },
            Material {
                block: bad.clone(),
                location: at("a/bad.crt"),
            },
        ];
        let two = vec![
            Material {
                block: good,
                location: at("b/ca.crt"),
            },
            Material {
                block: bad,
                location: at("b/bad.crt"),
            },
        ];
        let mut d = decode(&[&one, &two]);
        assert_eq!(d.outcomes.len(), 2);
        assert_eq!(d.places(0), d.places(1));
        let now = time::OffsetDateTime::UNIX_EPOCH;
        let mut snap = Snapshot::empty(
            "t",
            CapturedAt {
                at: now,
                source: CaptureSource::Flag,
            },
        );
        for (entry, ms) in [one, two].into_iter().enumerate() {
            let places = d.places(entry).to_vec();
            for (m, i) in ms.into_iter().zip(places) {
                d.record(i, m.location, &mut snap);
            }
        }
        snap.certs.finish();
        assert_eq!(snap.certs.certs.len(), 1);
        assert_eq!(
            snap.certs.certs[0].locations,
            vec![at("a/ca.crt"), at("b/ca.crt")]
        );
        let bad_at: Vec<&str> = snap.problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(bad_at, ["a/bad.crt", "b/bad.crt"]);
    }
}
