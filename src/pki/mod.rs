//! The certificate graph: parsed certificate and key records, who signed what (proven by
//! signature), and the trust edges between consumers and the certificates they are shown.

pub mod cert;
pub mod config;
pub mod copies;
pub mod endpoint;
pub mod facts;
pub mod graph;
pub mod index;
pub mod inventory;
pub mod key;
pub mod kubelet;
pub mod material;
pub mod names;
pub mod pairs;
pub mod scope;
pub mod trust;

pub use cert::{CertRecord, Fingerprint};
pub use index::{CertIndex, KeyIndex};
pub use key::{KeyAlgorithm, KeyRecord};

/// Completes a snapshot's certificate graph once every certificate and key is in: sorts the
/// indexes, proves who signed what and indexes every place (the two at once), then resolves
/// the trust edges that need both.
pub fn complete(snap: &mut crate::snapshot::Snapshot) {
    snap.certs.finish();
    snap.keys.finish();
    let (graph, places) = rayon::join(
        || graph::build(&snap.certs),
        || material::Lookup::new(&snap.certs, &snap.keys),
    );
    snap.graph = graph;
    snap.places = places;
    snap.trust = trust::edges(snap);
}
