//! Input problems: what in a bundle could not be read or parsed. Reported, never fatal; every
//! stage from the archive reader up records them.

use serde::Serialize;

/// Something in the bundle that could not be read or parsed; reported, never fatal.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct InputProblem {
    /// Bundle path (or the input path for archive-level problems).
    pub path: String,
    /// What was wrong, in lowercase words.
    pub error: String,
}

impl InputProblem {
    /// A problem with `path`.
    pub fn new(path: impl Into<String>, error: impl Into<String>) -> Self {
        InputProblem {
            path: path.into(),
            error: super::redact::line(&error.into()),
        }
    }
}
