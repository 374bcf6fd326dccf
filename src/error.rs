//! Errors that mean the tool itself failed, as opposed to findings about the cluster.

use std::path::PathBuf;

/// The inputs kubetriage reads, as listed in its errors (on the ground floor: the error that
/// names them sits below the reader that decides them).
pub const SUPPORTED: &str = "a folder, .tar, .tar.gz/.tgz, .tar.xz, .tar.bz2, .tar.zst, .zip";

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
    /// The top-level input is not something kubetriage reads (its content decides, not its
    /// name), or is an empty folder.
    #[error(
        "{path}: not a bundle kubetriage can read: {looks_like}; supported: {}",
        SUPPORTED
    )]
    NotABundle {
        /// The input path given on the command line.
        path: PathBuf,
        /// What the input looks like ("a text file", "7z data", "an empty folder").
        looks_like: String,
    },
    /// The rule catalogue is invalid (a bug in `rules/` or in a `--rules` folder).
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

/// A catalogue that does not validate: a bug in `rules/` or in a `--rules` folder (on the
/// ground floor with the error that wraps it; `catalog` re-exports it).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// A file is not valid YAML of the catalogue's shape.
    #[error("invalid rule catalogue: {file}: {message}")]
    Syntax {
        /// The catalogue file.
        file: String,
        /// serde_yaml's message, with line and column.
        message: String,
    },
    /// A `--rules` folder could not be read.
    #[error("cannot read rules folder {path}")]
    Io {
        /// The folder or file.
        path: PathBuf,
        /// The I/O error (printed after the message by `{:#}`, as the error's source).
        source: std::io::Error,
    },
    /// Entries are inconsistent (duplicate ids, dangling references, cycles, bad regexes).
    #[error("invalid rule catalogue:\n  {}", .0.join("\n  "))]
    Invalid(Vec<String>),
}
