//! Capture time: the instant the bundle is judged at, and where that instant came from.

use serde::Serialize;
use time::OffsetDateTime;

pub use crate::model::{duration_text, rfc3339};

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
    /// The newest year-less log time (journald's default `short` format) in the year the
    /// newest modification time gives it: a log is never written after its file's mtime.
    NewestLogYearFromMtime,
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
            CaptureSource::NewestLogYearFromMtime => "newest-log-year-from-mtime",
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

/// What the bundle offers to date its capture, each with where it was found.
#[derive(Clone, Debug, Default)]
pub struct TimeEvidence {
    /// The collection time a collector recorded, and the file or folder that says so.
    pub metadata: Option<(OffsetDateTime, String)>,
    /// The newest full timestamp of any log, and the log.
    pub newest_log: Option<(OffsetDateTime, String)>,
    /// The newest year-less last line of a log without any full timestamp, given the year
    /// of [`TimeEvidence::newest_mtime`] (a log is never written after its file's mtime),
    /// and the log.
    pub yearless_log: Option<(OffsetDateTime, String)>,
    /// The newest modification time of an archive entry or file.
    pub newest_mtime: Option<OffsetDateTime>,
}

/// How far a log line may be dated past the newest file modification time: a log is never
/// written after its file was last modified, beyond clock skew between machines.
pub const MTIME_SKEW: time::Duration = time::Duration::days(1);

/// The newest log time, unless it lies more than [`MTIME_SKEW`] past every file's
/// modification time (a line from a wrong clock or a forged date would otherwise move the
/// capture time years ahead and expire every certificate). Modification times before 2000
/// (archives that store none) check nothing.
pub fn trusted_newest_log(ev: &TimeEvidence) -> Option<&(OffsetDateTime, String)> {
    let log = ev.newest_log.as_ref()?;
    match ev.newest_mtime {
        Some(m) if m.year() >= 2000 && log.0 > m + MTIME_SKEW => None,
        _ => Some(log),
    }
}

/// Why the newest log time is not used, when [`trusted_newest_log`] refuses it.
pub fn untrusted_log(ev: &TimeEvidence) -> Option<(String, String)> {
    let (t, from) = ev.newest_log.as_ref()?;
    let m = ev.newest_mtime?;
    trusted_newest_log(ev).is_none().then(|| {
        (
            from.clone(),
            format!(
                "a line dated {} is later than every file's modification time ({}): a wrong clock or a forged date; not used as the capture time",
                rfc3339(*t),
                rfc3339(m)
            ),
        )
    })
}

/// How far the newest log line may run past a collector's recorded time: collecting takes
/// minutes (a sosreport up to an hour), and a recorded start time comes before the logs it
/// copies.
pub const METADATA_SKEW: time::Duration = time::Duration::hours(2);

/// Why the collector's recorded time cannot be the capture time: the logs run past it by
/// more than [`METADATA_SKEW`] (a stray or forged `timestamp` would otherwise back-date the
/// bundle and hide what had expired). `None` when it stands.
pub fn contradicted_metadata(ev: &TimeEvidence) -> Option<String> {
    let (t, from) = ev.metadata.as_ref()?;
    let (log, log_from) = trusted_newest_log(ev)?;
    (*log > *t + METADATA_SKEW).then(|| {
        format!(
            "the collection time recorded in {from}, {}, is {} before the newest log line, in {log_from}: not used",
            rfc3339(*t),
            duration_text(*log - *t)
        )
    })
}

/// Decides the capture time, and says in words what gave it: the flag; else the collection
/// time a collector recorded for its own bundle (a dead node's old logs collected today are
/// judged today); else the newest full log timestamp; else the newest year-less log line in
/// the year of the newest mtime; else the newest mtime; else the epoch (unknown).
pub fn decide_from(flag: Option<OffsetDateTime>, ev: &TimeEvidence) -> (CapturedAt, String) {
    let at = |at, source| CapturedAt { at, source };
    if let Some(t) = flag {
        return (at(t, CaptureSource::Flag), "--now".to_string());
    }
    let contradicted = contradicted_metadata(ev);
    if let (Some((t, from)), None) = (&ev.metadata, &contradicted) {
        return (
            at(*t, CaptureSource::BundleMetadata),
            format!("the collection time recorded in {from}"),
        );
    }
    if let Some((t, from)) = trusted_newest_log(ev) {
        let mut said = format!("the newest full timestamp of the logs, in {from}");
        if let Some(why) = contradicted {
            said.push_str(&format!(" ({why})"));
        }
        return (at(*t, CaptureSource::NewestLog), said);
    }
    if let (Some((t, from)), Some(m)) = (&ev.yearless_log, ev.newest_mtime) {
        return (
            at(*t, CaptureSource::NewestLogYearFromMtime),
            format!(
                "the last line of {from} (no year in its timestamps), in the year of the newest file modification time ({})",
                rfc3339(m)
            ),
        );
    }
    if let Some(t) = ev.newest_mtime {
        return (
            at(t, CaptureSource::NewestMtime),
            "the newest file modification time (no log in the bundle had a usable timestamp)".to_string(),
        );
    }
    (
        at(OffsetDateTime::UNIX_EPOCH, CaptureSource::Unknown),
        "nothing in the bundle has a time: pass --now".to_string(),
    )
}

/// Decides the capture time from the flag, the newest log time and the newest mtime (no
/// collector metadata, no places): see [`decide_from`].
pub fn decide(
    flag: Option<OffsetDateTime>,
    newest_log: Option<OffsetDateTime>,
    newest_mtime: Option<OffsetDateTime>,
) -> CapturedAt {
    let ev = TimeEvidence {
        newest_log: newest_log.map(|t| (t, String::new())),
        newest_mtime,
        ..TimeEvidence::default()
    };
    decide_from(flag, &ev).0
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// The order: flag, a collector's recorded time, full log times, year-less log times in
    /// the mtime's year, mtimes; each says what gave it.
    #[test]
    fn each_source_wins_over_those_after_it() {
        let mut ev = TimeEvidence {
            metadata: Some((datetime!(2026-07-01 08:00 UTC), "m.json".into())),
            newest_log: Some((datetime!(2026-06-15 12:00 UTC), "kubelet.log".into())),
            yearless_log: Some((datetime!(2026-06-14 12:00 UTC), "journal".into())),
            newest_mtime: Some(datetime!(2026-12-10 00:00 UTC)),
        };
        let flag = Some(datetime!(2030-01-01 00:00 UTC));
        assert_eq!(decide_from(flag, &ev).0.source, CaptureSource::Flag);
        let (at, from) = decide_from(None, &ev);
        assert_eq!(
            (at.at, at.source),
            (datetime!(2026-07-01 08:00 UTC), CaptureSource::BundleMetadata)
        );
        assert!(from.contains("m.json"));
        // Logs that run more than METADATA_SKEW past the recorded time overrule it.
        ev.metadata = Some((datetime!(2026-06-15 09:00 UTC), "timestamp".into()));
        let (at, from) = decide_from(None, &ev);
        assert_eq!(at.source, CaptureSource::NewestLog);
        assert!(
            from.contains("recorded in timestamp") && from.contains("not used"),
            "{from}"
        );
        ev.metadata = Some((datetime!(2026-06-15 11:00 UTC), "timestamp".into()));
        assert_eq!(decide_from(None, &ev).0.source, CaptureSource::BundleMetadata);
        // A log line more than a day past every file's mtime is not the capture time.
        let real = ev.newest_log.clone();
        ev.newest_log = Some((datetime!(2031-03-01 00:00 UTC), "syslog".into()));
        assert_eq!(decide_from(None, &ev).0.source, CaptureSource::BundleMetadata);
        assert!(untrusted_log(&ev).is_some_and(|(p, why)| p == "syslog" && why.contains("2031-03-01")));
        ev.newest_log = real;
        ev.metadata = None;
        assert_eq!(decide_from(None, &ev).0.source, CaptureSource::NewestLog);
        ev.newest_log = None;
        assert_eq!(
            decide_from(None, &ev).0.source,
            CaptureSource::NewestLogYearFromMtime
        );
        ev.yearless_log = None;
        assert_eq!(decide_from(None, &ev).0.source, CaptureSource::NewestMtime);
        ev.newest_mtime = None;
        assert_eq!(decide_from(None, &ev).0.source, CaptureSource::Unknown);
    }
}
