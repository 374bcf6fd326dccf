//! The snapshot-dependent views of [`crate::pki::material`]: a material's leaves (by the
//! proven signature graph) and a bundle file's material with the node that holds it.

use crate::pki::material::{Lookup, Material, file_at};
use crate::snapshot::Snapshot;

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
}

impl Lookup {
    /// What the bundle file at `path` holds (empty when it holds no certificate or key).
    pub fn file(&self, snap: &Snapshot, path: &str) -> Material {
        self.at(file_at(path), snap.node_of(path))
    }
}
