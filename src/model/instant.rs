//! Instants and spans as reports print them: RFC 3339 in UTC, and durations for people.

use time::OffsetDateTime;

/// Formats an instant as RFC 3339 in UTC, second precision (`2026-11-21T09:30:00Z`).
pub fn rfc3339(at: OffsetDateTime) -> String {
    // Out of range in UTC (year 10000): shown in its own offset rather than panicking.
    let at = at.checked_to_offset(time::UtcOffset::UTC).unwrap_or(at);
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

/// A span for people: `3 days`, `5h 12m`, `14m 3s` (whole units, sign dropped).
pub fn duration_text(d: time::Duration) -> String {
    let s = d.whole_seconds().abs();
    if s >= 2 * 86_400 {
        format!("{} days", s / 86_400)
    } else if s >= 3_600 {
        format!("{}h {}m", s / 3_600, (s % 3_600) / 60)
    } else {
        format!("{}m {}s", s / 60, s % 60)
    }
}
