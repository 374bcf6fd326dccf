//! Reading sources: a directory walk or a tar / tar.gz stream, read once, never extracted.
//! The only code that sees the filesystem, tar or gzip.

/// Caps on what is read from a bundle; hitting one is an input problem, never a crash.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest structured entry (cert, manifest, dump) read into memory.
    pub max_entry_bytes: u64,
    /// Total decompressed bytes read from one source.
    pub max_total_bytes: u64,
    /// Entries read from one source.
    pub max_entries: u64,
    /// Archives nested inside archives.
    pub max_nesting: u32,
    /// Longest log line kept whole (longer lines are cut before matching).
    pub max_line_bytes: usize,
    /// Sample lines kept per log rule and node.
    pub max_samples: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entry_bytes: 64 << 20,
            max_total_bytes: 64 << 30,
            max_entries: 1_000_000,
            max_nesting: 4,
            max_line_bytes: 64 << 10,
            max_samples: 3,
        }
    }
}
