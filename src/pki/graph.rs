//! Who signed what, proven by signature: for each certificate, the certificates in the
//! bundle whose key verifies its signature.
//!
//! Candidate issuers are the certificates whose raw subject equals the certificate's raw
//! issuer name (several after a same-name CA rotation); the authority/subject key
//! identifiers only decide the order candidates are tried in. A name match is a claim, a
//! verified signature is the proof: only verified issuers enter the graph.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use rayon::prelude::*;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::pki::{CertIndex, CertRecord};

/// The verified issuer relation over a [`CertIndex`].
#[derive(Clone, Debug, Default)]
pub struct Graph {
    /// `issuers[i]`: indexes of the certificates whose key verifies certificate `i`'s signature.
    pub issuers: Vec<Vec<usize>>,
}

/// Why a certificate does not chain to a trusted set.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// No certificate in the bundle verifies its signature (and it is not trusted itself).
    #[error("no certificate in the bundle signed it")]
    UnknownIssuer,
    /// Its chain ends at certificates (roots) none of which is trusted.
    #[error("its chain ends at certificates that are not trusted")]
    UntrustedRoot {
        /// Indexes of the last certificates reached (self-signed roots or dead ends).
        reached: Vec<usize>,
    },
    /// The index is not a certificate of the graph.
    #[error("no such certificate")]
    NoSuchCert,
}

impl Graph {
    /// The verified issuers of certificate `i` (itself, for a self-signed certificate).
    pub fn issuers_of(&self, i: usize) -> &[usize] {
        self.issuers.get(i).map_or(&[], Vec::as_slice)
    }

    /// The verified issuers of `i` other than itself.
    pub fn parents(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        self.issuers_of(i).iter().copied().filter(move |&p| p != i)
    }

    /// Whether `i` is self-signed (its own key verifies its signature).
    pub fn self_signed(&self, i: usize) -> bool {
        self.issuers_of(i).contains(&i)
    }

    /// Whether `i` signed at least one other certificate of the bundle (a scan: for many
    /// certificates use [`Graph::signers`] once).
    pub fn signed_something(&self, i: usize) -> bool {
        self.issuers
            .iter()
            .enumerate()
            .any(|(c, iss)| c != i && iss.contains(&i))
    }

    /// Every certificate that signed at least one other certificate of the bundle.
    pub fn signers(&self) -> BTreeSet<usize> {
        self.issuers
            .iter()
            .enumerate()
            .flat_map(|(c, iss)| iss.iter().copied().filter(move |&p| p != c))
            .collect()
    }

    /// Whether `cert` chains to one of `trusted` by verified signatures, through
    /// intermediates found anywhere in the bundle. `Ok` holds the shortest path, from `cert`
    /// to the trusted certificate (just `[cert]` when `cert` is itself trusted).
    pub fn chain_to(&self, cert: usize, trusted: &BTreeSet<usize>) -> Result<Vec<usize>, ChainError> {
        if cert >= self.issuers.len() {
            return Err(ChainError::NoSuchCert);
        }
        let mut prev: BTreeMap<usize, usize> = BTreeMap::new();
        let mut queue = VecDeque::from([cert]);
        let mut seen = BTreeSet::from([cert]);
        let mut ends = Vec::new();
        while let Some(c) = queue.pop_front() {
            if trusted.contains(&c) {
                let mut path = vec![c];
                let mut at = c;
                while let Some(&p) = prev.get(&at) {
                    path.push(p);
                    at = p;
                }
                path.reverse();
                return Ok(path);
            }
            let mut any = false;
            for p in self.parents(c) {
                any = true;
                if seen.insert(p) {
                    prev.insert(p, c);
                    queue.push_back(p);
                }
            }
            if !any {
                ends.push(c);
            }
        }
        if ends == [cert] && !self.self_signed(cert) {
            Err(ChainError::UnknownIssuer)
        } else {
            Err(ChainError::UntrustedRoot { reached: ends })
        }
    }

    /// The roots `cert` chains up to (self-signed certificates or dead ends), sorted.
    pub fn roots_of(&self, cert: usize) -> Vec<usize> {
        let mut seen = BTreeSet::from([cert]);
        let mut stack = vec![cert];
        let mut roots = BTreeSet::new();
        while let Some(c) = stack.pop() {
            let mut any = false;
            for p in self.parents(c) {
                any = true;
                if seen.insert(p) {
                    stack.push(p);
                }
            }
            if !any {
                roots.insert(c);
            }
        }
        roots.into_iter().collect()
    }
}

/// How many same-named candidate issuers are tried per certificate.
const MAX_CANDIDATES: usize = 64;

/// Computes the verified issuer relation, checking candidate signatures in parallel.
pub fn build(certs: &CertIndex) -> Graph {
    let mut by_subject: BTreeMap<&[u8], Vec<usize>> = BTreeMap::new();
    for (i, c) in certs.certs.iter().enumerate() {
        by_subject.entry(c.subject_raw.as_slice()).or_default().push(i);
    }
    let issuers = certs
        .certs
        .par_iter()
        .map(|c| {
            let mut candidates: Vec<usize> = by_subject
                .get(c.issuer_raw.as_slice())
                .cloned()
                .unwrap_or_default();
            if candidates.is_empty() {
                return Vec::new();
            }
            // AKI = SKI first, then CAs, then the rest: the order only saves work.
            candidates.sort_by_key(|&k| {
                let cand = certs.certs.get(k);
                let aki_match = match (&c.aki, cand.and_then(|x| x.ski.as_ref())) {
                    (Some(a), Some(s)) => a == s,
                    _ => false,
                };
                (!aki_match, !cand.is_some_and(|x| x.is_ca), k)
            });
            // A hostile bundle could hold thousands of certificates with one subject: try
            // the best-ordered few, as webpki budgets its signature checks.
            candidates.truncate(MAX_CANDIDATES);
            let Ok((_, parsed)) = X509Certificate::from_der(&c.der) else {
                return Vec::new();
            };
            let mut out: Vec<usize> = candidates
                .into_iter()
                .filter(|&k| certs.certs.get(k).is_some_and(|issuer| verifies(&parsed, issuer)))
                .collect();
            out.sort_unstable();
            out
        })
        .collect();
    Graph { issuers }
}

/// Whether `issuer`'s public key verifies `cert`'s signature.
pub fn verifies(cert: &X509Certificate<'_>, issuer: &CertRecord) -> bool {
    match SubjectPublicKeyInfo::from_der(&issuer.spki) {
        Ok((_, spki)) => cert.verify_signature(Some(&spki)).is_ok(),
        Err(_) => false,
    }
}
