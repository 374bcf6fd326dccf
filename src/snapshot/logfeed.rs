//! The one place the snapshot builder talks to the log scanner (`crate::logscan`).

use std::io::{self, Read};

use crate::bundle::Limits;
use crate::catalog::Catalog;
use crate::logscan::{LogSource, LogSummary, Scanner};
use crate::snapshot::EventRecord;

/// Feeds logs and events to the log scanner.
pub struct LogFeed {
    scanner: Scanner,
}

impl LogFeed {
    /// A feed for the catalogue's log rules.
    pub fn new(catalog: &Catalog, limits: &Limits) -> Self {
        LogFeed {
            scanner: Scanner::new(catalog, limits),
        }
    }

    /// Scans one log as it streams (never buffered whole).
    pub fn scan(&self, path: &str, node: Option<usize>, reader: &mut dyn Read) -> io::Result<LogSummary> {
        let src = LogSource {
            path: path.to_string(),
            node,
        };
        self.scanner.scan(&src, reader)
    }

    /// Scans dumped Events like log lines.
    pub fn events(&self, events: &[EventRecord]) -> LogSummary {
        self.scanner.scan_events(events)
    }
}

/// Adds `other` into `into`.
pub fn merge(into: &mut LogSummary, other: LogSummary) {
    into.merge(other);
}
