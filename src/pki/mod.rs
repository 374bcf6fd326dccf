//! The certificate graph's vocabulary: parsed certificate and key records, the indexes that
//! hold them, who signed what (proven by signature), the material found at each place and
//! the trust-edge types. Nothing here reads the snapshot; the facts stage derives the
//! cluster's facts (configuration, endpoints, trust edges) from it.

pub mod cert;
pub mod graph;
pub mod index;
pub mod key;
pub mod material;
pub mod scope;
pub mod trust;

pub use cert::{CertRecord, Fingerprint};
pub use index::{CertIndex, KeyIndex};
pub use key::{KeyAlgorithm, KeyRecord};
