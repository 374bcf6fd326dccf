//! Byte counters shared by every reader of one source, and the total-bytes cap.

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use indicatif::ProgressBar;

use super::DiskFile;

/// Bytes read from disk and bytes unpacked for one source, with the `max_total_bytes` cap.
/// Shared (`Arc`) so that deferred readers on other threads count against the same cap.
#[derive(Debug)]
pub struct Budget {
    limit: u64,
    unpacked: AtomicU64,
    disk: AtomicU64,
    exhausted: AtomicBool,
    bar: Option<ProgressBar>,
}

impl Budget {
    /// A budget of `limit` unpacked bytes, advancing `bar` (if any) with disk bytes.
    pub fn new(limit: u64, bar: Option<ProgressBar>) -> Self {
        Budget {
            limit,
            unpacked: AtomicU64::new(0),
            disk: AtomicU64::new(0),
            exhausted: AtomicBool::new(false),
            bar,
        }
    }

    /// Bytes read from the source as stored (compressed bytes for a tar.gz).
    pub fn disk_bytes(&self) -> u64 {
        self.disk.load(Ordering::Relaxed)
    }

    /// Bytes after decompression, counted against `max_total_bytes`.
    pub fn unpacked_bytes(&self) -> u64 {
        self.unpacked.load(Ordering::Relaxed)
    }

    /// Whether `max_total_bytes` was reached (everything after it was left unread).
    pub fn exhausted(&self) -> bool {
        self.exhausted.load(Ordering::Relaxed)
    }

    /// The cap.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Wraps a reader of stored bytes: counts them and advances the progress bar.
    pub fn disk<R: Read>(&self, inner: R) -> DiskReader<'_, R> {
        DiskReader { inner, budget: self }
    }

    /// Wraps a reader of unpacked bytes: counts them and fails once the cap is passed.
    pub fn meter<R: Read>(&self, inner: R) -> Metered<'_, R> {
        Metered { inner, budget: self }
    }

    /// Opens a file of a directory input for a deferred read, counted and capped (only if it
    /// is still the file the walk saw: see [`DiskFile::open`]).
    pub fn open(&self, disk: &DiskFile) -> io::Result<impl Read + '_> {
        let file = disk.open()?;
        Ok(self.meter(self.disk(file)))
    }

    pub(crate) fn finish_progress(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Counts bytes read from disk (see [`Budget::disk`]).
pub struct DiskReader<'b, R> {
    inner: R,
    budget: &'b Budget,
}

impl<R: Read> Read for DiskReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.budget.disk.fetch_add(n as u64, Ordering::Relaxed);
        if let Some(bar) = &self.budget.bar {
            bar.inc(n as u64);
        }
        Ok(n)
    }
}

/// A zip on disk is read through its central directory: seeks pass through.
impl<R: Seek> Seek for DiskReader<'_, R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// Counts unpacked bytes against the cap (see [`Budget::meter`]).
pub struct Metered<'b, R> {
    inner: R,
    budget: &'b Budget,
}

/// The message of the error a [`Metered`] reader returns once the cap is passed.
pub const EXHAUSTED: &str = "max_total_bytes exceeded";

impl<R: Read> Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.budget.exhausted() {
            return Err(io::Error::other(EXHAUSTED));
        }
        let n = self.inner.read(buf)?;
        let used = self.budget.unpacked.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if used > self.budget.limit {
            self.budget.exhausted.store(true, Ordering::Relaxed);
            return Err(io::Error::other(EXHAUSTED));
        }
        Ok(n)
    }
}
