//! The certificate graph: parsed certificate and key records, who signed what (proven by
//! signature), and the trust edges between consumers and the certificates they are shown.

pub mod cert;
pub mod config;
pub mod facts;
pub mod graph;
pub mod index;
pub mod inventory;
pub mod key;
pub mod material;
pub mod names;
pub mod pairs;
pub mod trust;

pub use cert::{CertRecord, Fingerprint};
pub use index::{CertIndex, KeyIndex};
pub use key::{KeyAlgorithm, KeyRecord};
