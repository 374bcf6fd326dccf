//! Errors that mean the tool itself failed, as opposed to findings about the cluster.

use std::path::PathBuf;

/// The tool could not do its job; findings about a broken cluster are never errors.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The top-level input could not be opened or read at all.
    #[error("cannot read {path}: {source}")]
    Unreadable {
        /// The input path given on the command line.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// The rule catalogue is invalid (a bug in `rules/` or in a `--rules` folder).
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),
}
