//! Capture time: the instant the bundle is judged at, and where that instant came from.

use serde::Serialize;
use time::OffsetDateTime;

/// Where the capture time came from, printed next to it in every report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaptureSource {
    /// Given with `--now`.
    Flag,
    /// The newest timestamp in the bundle's logs.
    NewestLog,
    /// The collection time a collector recorded (sosreport's manifest, a support bundle's
    /// folder name, `kubetriage collect`'s manifest).
    BundleMetadata,
    /// The newest modification time of an archive entry or file.
    NewestMtime,
    /// Nothing in the bundle had a time: the Unix epoch is used and the report says so.
    Unknown,
}

impl CaptureSource {
    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CaptureSource::Flag => "flag",
            CaptureSource::NewestLog => "newest-log",
            CaptureSource::BundleMetadata => "bundle-metadata",
            CaptureSource::NewestMtime => "newest-mtime",
            CaptureSource::Unknown => "unknown",
        }
    }
}

/// The instant a forensic tool judges a bundle at: never the wall clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapturedAt {
    /// The instant.
    pub at: OffsetDateTime,
    /// How it was decided.
    pub source: CaptureSource,
}

impl CapturedAt {
    /// RFC 3339 text of the instant, in UTC.
    pub fn rfc3339(&self) -> String {
        rfc3339(self.at)
    }
}

/// Formats an instant as RFC 3339 in UTC, second precision (`2026-11-21T09:30:00Z`).
pub fn rfc3339(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// Decides the capture time: the flag, else the newest log time, else the newest mtime.
pub fn decide(
    flag: Option<OffsetDateTime>,
    newest_log: Option<OffsetDateTime>,
    newest_mtime: Option<OffsetDateTime>,
) -> CapturedAt {
    decide_with_metadata(flag, newest_log, None, newest_mtime)
}

/// Decides the capture time: the flag, else the newest log time, else the collection time a
/// collector recorded, else the newest mtime.
pub fn decide_with_metadata(
    flag: Option<OffsetDateTime>,
    newest_log: Option<OffsetDateTime>,
    metadata: Option<OffsetDateTime>,
    newest_mtime: Option<OffsetDateTime>,
) -> CapturedAt {
    if let (None, None, Some(at)) = (flag, newest_log, metadata) {
        return CapturedAt {
            at,
            source: CaptureSource::BundleMetadata,
        };
    }
    match (flag, newest_log, newest_mtime) {
        (Some(at), _, _) => CapturedAt {
            at,
            source: CaptureSource::Flag,
        },
        (None, Some(at), _) => CapturedAt {
            at,
            source: CaptureSource::NewestLog,
        },
        (None, None, Some(at)) => CapturedAt {
            at,
            source: CaptureSource::NewestMtime,
        },
        (None, None, None) => CapturedAt {
            at: OffsetDateTime::UNIX_EPOCH,
            source: CaptureSource::Unknown,
        },
    }
}
