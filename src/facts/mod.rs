//! Facts about the cluster, derived once from the snapshot's records: which components run
//! where with which flags and files ([`config`]), which endpoint each consumer dials
//! ([`endpoint`]), which certificate answers there and who trusts it ([`trust`]), the names
//! and pairs of certificates, the kubelet's own material, and copies of the same file.
//! Checks read these instead of re-deriving them from raw records.

pub mod config;
pub mod copies;
pub mod endpoint;
pub mod inventory;
pub mod kubelet;
pub mod material;
pub mod names;
pub mod pairs;
pub mod trust;
pub mod usage;

/// The facts every check shares, derived once per analysis from the finished snapshot, so
/// that no check re-derives them from raw records.
pub struct Facts<'a> {
    /// Every configured component instance, in bundle order ([`config::components`]).
    pub components: Vec<config::ComponentConfig<'a>>,
}

impl<'a> Facts<'a> {
    /// Derives the shared facts of a finished snapshot.
    pub fn derive(snap: &'a crate::snapshot::Snapshot) -> Self {
        Facts {
            components: config::components(snap),
        }
    }
}

/// Completes a snapshot's certificate graph once every certificate and key is in: sorts the
/// indexes, proves who signed what and indexes every place (the two at once), then resolves
/// the trust edges that need both. The snapshot is not changed after this.
pub fn complete(snap: &mut crate::snapshot::Snapshot) {
    snap.certs.finish();
    snap.keys.finish();
    let (graph, places) = rayon::join(
        || crate::pki::graph::build(&snap.certs),
        || crate::pki::material::Lookup::new(&snap.certs, &snap.keys),
    );
    snap.graph = graph;
    snap.places = places;
    snap.trust = trust::edges(snap);
}
