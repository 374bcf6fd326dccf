//! The one place the snapshot builder talks to the log scanner (`crate::logscan`).

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::bundle::Limits;
use crate::catalog::Catalog;
use crate::logscan::{LogSource, LogSummary, Scanner};
use crate::snapshot::EventRecord;

/// Feeds logs and events to the log scanner.
pub struct LogFeed {
    scanner: Scanner,
    busy_nanos: AtomicU64,
}

impl LogFeed {
    /// A feed for the catalogue's log rules.
    pub fn new(catalog: &Catalog, limits: &Limits) -> Self {
        LogFeed {
            scanner: Scanner::new(&catalog.log_rules(), limits),
            busy_nanos: AtomicU64::new(0),
        }
    }

    /// Scans one log as it streams (never buffered whole).
    pub fn scan(&self, path: &str, node: Option<usize>, reader: &mut dyn Read) -> io::Result<LogSummary> {
        let src = LogSource {
            path: path.to_string(),
            node,
        };
        let started = Instant::now();
        let mut timed = Timed {
            inner: reader,
            reading: Duration::ZERO,
        };
        let result = self.scanner.scan(&src, &mut timed);
        let busy = started.elapsed().saturating_sub(timed.reading);
        let nanos = u64::try_from(busy.as_nanos()).unwrap_or(u64::MAX);
        self.busy_nanos.fetch_add(nanos, Ordering::Relaxed);
        result
    }

    /// Time spent scanning, summed over every thread, without the time spent waiting for
    /// bytes (from the disk or the decompressor).
    pub fn busy(&self) -> Duration {
        Duration::from_nanos(self.busy_nanos.load(Ordering::Relaxed))
    }

    /// Scans dumped Events like log lines.
    pub fn events(&self, events: &[EventRecord]) -> LogSummary {
        self.scanner.scan_events(events)
    }
}

/// A reader that counts the time spent in its reads.
struct Timed<'r> {
    inner: &'r mut dyn Read,
    reading: Duration,
}

impl Read for Timed<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let started = Instant::now();
        let n = self.inner.read(buf);
        self.reading += started.elapsed();
        n
    }
}

/// Adds `other` into `into`.
pub fn merge(into: &mut LogSummary, other: LogSummary) {
    into.merge(other);
}
