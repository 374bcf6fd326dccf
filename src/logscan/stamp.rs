//! Timestamps as log lines print them, parsed by hand from bytes (no allocation).
//!
//! Some formats carry no year: journald `short` / `short-precise` (`Nov 21 09:12:03`) and klog
//! headers (`E1121 09:12:03.123456`). While streaming we cannot know the capture time, so a
//! year-less time is kept as a [`Yearless`] value and fixed later:
//! 1. at the end of the file, from the newest full timestamp found in the same file (any
//!    format that prints a year: a journald `short-iso` prefix, CRI/docker times, etcd `ts`);
//! 2. otherwise when findings are made, from the snapshot's capture time.
//!
//! Either way the year chosen is the reference's year, minus one when that would put the
//! time more than a day after the reference, minus one more per December→January
//! wrap-around seen later in the same file. Year-less times are read as UTC (journald
//! prints local time without an offset; a bundle rarely says which zone that was).

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// A time read from a log line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stamp {
    /// A full instant.
    Full(OffsetDateTime),
    /// Month, day and time without a year.
    Yearless(Yearless),
}

/// A time of year without the year; `back` counts the year wrap-arounds between this time
/// and the end of its file (0: the same year as the file's last lines).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Yearless {
    /// Years before the reference year (wrap-arounds later in the file).
    pub back: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of month, 1–31.
    pub day: u8,
    /// Nanoseconds since midnight.
    pub nanos: u64,
}

impl Ord for Yearless {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (std::cmp::Reverse(self.back), self.month, self.day, self.nanos).cmp(&(
            std::cmp::Reverse(other.back),
            other.month,
            other.day,
            other.nanos,
        ))
    }
}

impl PartialOrd for Yearless {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Yearless {
    /// The instant this time stands for, judged against `reference` (the newest full time
    /// of its file, or the capture time). `None` for impossible dates (Feb 30).
    pub fn resolve(self, reference: OffsetDateTime) -> Option<OffsetDateTime> {
        let reference = reference.checked_to_offset(UtcOffset::UTC)?;
        let year = reference.year() - i32::from(self.back);
        let at = self.in_year(year)?;
        if self.back == 0 && at > reference + time::Duration::days(1) {
            self.in_year(year - 1)
        } else {
            Some(at)
        }
    }

    fn in_year(self, year: i32) -> Option<OffsetDateTime> {
        let month = Month::try_from(self.month).ok()?;
        let date = Date::from_calendar_date(year, month, self.day).ok()?;
        let secs = self.nanos / 1_000_000_000;
        let t = Time::from_hms_nano(
            u8::try_from(secs / 3600).ok()?,
            u8::try_from(secs / 60 % 60).ok()?,
            u8::try_from(secs % 60).ok()?,
            u32::try_from(self.nanos % 1_000_000_000).ok()?,
        )
        .ok()?;
        Some(PrimitiveDateTime::new(date, t).assume_utc())
    }
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let s = b.get(at..at + n)?;
    let mut v = 0u32;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// Parses `.123456789` at `at`; returns (nanoseconds, bytes consumed).
fn fraction(b: &[u8], at: usize) -> (u32, usize) {
    if b.get(at) != Some(&b'.') && b.get(at) != Some(&b',') {
        return (0, 0);
    }
    let mut n = 0u32;
    let mut i = at + 1;
    let mut scale = 100_000_000u32;
    while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
        n += u32::from(c - b'0') * scale;
        scale /= 10;
        i += 1;
    }
    if i == at + 1 { (0, 0) } else { (n, i - at) }
}

fn hms(b: &[u8], at: usize) -> Option<(u8, u8, u8)> {
    let h = digits(b, at, 2)?;
    let m = digits(b, at + 3, 2)?;
    let s = digits(b, at + 6, 2)?;
    (b.get(at + 2) == Some(&b':') && b.get(at + 5) == Some(&b':') && h < 24 && m < 60 && s < 61)
        .then(|| (h as u8, m as u8, s.min(59) as u8))
}

fn build(y: u32, mo: u32, d: u32, (h, mi, s): (u8, u8, u8), nanos: u32, off: i32) -> Option<OffsetDateTime> {
    let month = Month::try_from(u8::try_from(mo).ok()?).ok()?;
    let date = Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(d).ok()?).ok()?;
    let t = Time::from_hms_nano(h, mi, s, nanos).ok()?;
    let offset = UtcOffset::from_whole_seconds(off).ok()?;
    // Years 9999 and 0 with an offset can leave the range in UTC: such a time is no time.
    PrimitiveDateTime::new(date, t)
        .assume_offset(offset)
        .checked_to_offset(UtcOffset::UTC)
}

/// Parses an RFC 3339-like time at the start of `b`: `2026-11-21T09:12:03.123Z`,
/// `…+00:00`, `…+0000`, a space instead of `T`, or no zone (read as UTC). Returns the
/// instant and the bytes consumed.
pub fn rfc3339(b: &[u8]) -> Option<(OffsetDateTime, usize)> {
    let y = digits(b, 0, 4)?;
    let mo = digits(b, 5, 2)?;
    let d = digits(b, 8, 2)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !matches!(b.get(10), Some(b'T' | b' ')) {
        return None;
    }
    let t = hms(b, 11)?;
    let (nanos, flen) = fraction(b, 19);
    let mut i = 19 + flen;
    let mut off = 0i32;
    match b.get(i) {
        Some(b'Z' | b'z') => i += 1,
        Some(&c @ (b'+' | b'-')) => {
            let oh = digits(b, i + 1, 2)?;
            let (om, used) = if b.get(i + 3) == Some(&b':') {
                (digits(b, i + 4, 2)?, 6)
            } else {
                (
                    digits(b, i + 3, 2).unwrap_or(0),
                    if digits(b, i + 3, 2).is_some() { 5 } else { 3 },
                )
            };
            let secs = i32::try_from(oh * 3600 + om * 60).ok()?;
            off = if c == b'-' { -secs } else { secs };
            i += used;
        }
        _ => {}
    }
    Some((build(y, mo, d, t, nanos, off)?, i))
}

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// Parses a syslog / journald `short` time at the start of `b`: `Nov 21 09:12:03`,
/// `Aug  9 12:57:26`, `Nov 21 09:12:03.123456` (short-precise). Month names are matched
/// case-insensitively (`feb 16` is seen in the wild).
pub fn syslog(b: &[u8]) -> Option<(Yearless, usize)> {
    let m = b.get(0..3)?;
    let month = MONTHS.iter().position(|n| n.eq_ignore_ascii_case(m))?;
    if b.get(3) != Some(&b' ') {
        return None;
    }
    let (day, at) = if b.get(4) == Some(&b' ') {
        (digits(b, 5, 1)?, 6)
    } else if b.get(5) == Some(&b' ') {
        (digits(b, 4, 1)?, 5)
    } else {
        (digits(b, 4, 2)?, 6)
    };
    if b.get(at) != Some(&b' ') {
        return None;
    }
    let t = hms(b, at + 1)?;
    let (nanos, flen) = fraction(b, at + 9);
    Some((yearless(month as u8 + 1, day, t, nanos)?, at + 9 + flen))
}

fn yearless(month: u8, day: u32, (h, m, s): (u8, u8, u8), nanos: u32) -> Option<Yearless> {
    (1..=31).contains(&day).then(|| Yearless {
        back: 0,
        month,
        day: day as u8,
        nanos: (u64::from(h) * 3600 + u64::from(m) * 60 + u64::from(s)) * 1_000_000_000 + u64::from(nanos),
    })
}

/// Parses a klog header at the start of `b`: `E1121 09:12:03.123456`. Returns the
/// year-less time and the bytes consumed.
pub fn klog(b: &[u8]) -> Option<(Yearless, usize)> {
    if !matches!(b.first(), Some(b'I' | b'W' | b'E' | b'F')) {
        return None;
    }
    let mo = digits(b, 1, 2)?;
    let d = digits(b, 3, 2)?;
    if b.get(5) != Some(&b' ') || !(1..=12).contains(&mo) {
        return None;
    }
    let t = hms(b, 6)?;
    let (nanos, flen) = fraction(b, 14);
    Some((yearless(mo as u8, d, t, nanos)?, 14 + flen))
}

/// Parses Go's standard `log` prefix: `2017/08/05 04:58:47` (read as UTC).
pub fn golog(b: &[u8]) -> Option<(OffsetDateTime, usize)> {
    let y = digits(b, 0, 4)?;
    let mo = digits(b, 5, 2)?;
    let d = digits(b, 8, 2)?;
    if b.get(4) != Some(&b'/') || b.get(7) != Some(&b'/') || b.get(10) != Some(&b' ') {
        return None;
    }
    let t = hms(b, 11)?;
    let (nanos, flen) = fraction(b, 19);
    Some((build(y, mo, d, t, nanos, 0)?, 19 + flen))
}

/// Unix time in seconds (with fraction) as a float: etcd's old `"ts":1568166948.81`.
pub fn epoch_secs(v: f64) -> Option<OffsetDateTime> {
    if !(0.0..4.0e9).contains(&v) {
        return None;
    }
    #[allow(clippy::cast_possible_truncation)]
    let nanos = (v * 1e9) as i128;
    OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()
}

/// Microseconds since the epoch as journald's `__REALTIME_TIMESTAMP` prints them.
pub fn epoch_micros(s: &str) -> Option<OffsetDateTime> {
    let us: i128 = s.parse().ok()?;
    OffsetDateTime::from_unix_timestamp_nanos(us.checked_mul(1000)?).ok()
}

/// The full time a message body itself starts with (klog aside): RFC 3339 (CoreDNS, etcd
/// 3.3 capnslog), Go's `log` prefix, a JSON `ts` / `time` field (etcd, Traefik v2) or a
/// logfmt `time="…"` field anywhere (Traefik v1).
pub fn payload(b: &[u8]) -> Option<Stamp> {
    if let Some((t, _)) = rfc3339(b) {
        return Some(Stamp::Full(t));
    }
    if let Some((y, _)) = klog(b) {
        return Some(Stamp::Yearless(y));
    }
    if let Some((t, _)) = golog(b) {
        return Some(Stamp::Full(t));
    }
    if b.first() == Some(&b'{') {
        for key in [&b"\"ts\":\""[..], b"\"time\":\"", b"\"timestamp\":\""] {
            if let Some(i) = memchr::memmem::find(b, key) {
                if let Some((t, _)) = b.get(i + key.len()..).and_then(rfc3339) {
                    return Some(Stamp::Full(t));
                }
            }
        }
    }
    let i = memchr::memmem::find(b, b"time=")?;
    let rest = b.get(i + 5..)?;
    let rest = rest.strip_prefix(b"\"").unwrap_or(rest);
    rfc3339(rest).map(|(t, _)| Stamp::Full(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn rfc3339_variants() {
        let want = datetime!(2026-11-21 09:12:03.5 UTC);
        for s in [
            "2026-11-21T09:12:03.5Z",
            "2026-11-21T09:12:03.500000000Z",
            "2026-11-21T10:12:03.5+01:00",
            "2026-11-21T10:12:03.5+0100",
            "2026-11-21 09:12:03.500000",
        ] {
            assert_eq!(rfc3339(s.as_bytes()).map(|x| x.0), Some(want), "{s}");
        }
        assert_eq!(rfc3339(b"2026-11-21T09:12:03+0000 host").map(|x| x.1), Some(24));
        assert!(rfc3339(b"2026-13-21T09:12:03Z").is_none());
    }

    #[test]
    fn syslog_and_klog_are_yearless() {
        let (y, n) = syslog(b"Aug  9 12:57:26 k8s-master01 etcd: x").unwrap();
        assert_eq!((y.month, y.day, n), (8, 9, 15));
        let (y, n) = syslog(b"Nov 21 09:12:03.123456 host kubelet[1]: x").unwrap();
        assert_eq!((y.month, y.day, n), (11, 21, 22));
        assert_eq!(y.nanos % 1_000_000_000, 123_456_000);
        let (k, _) = klog(b"E1121 09:12:03.123456    1234 x.go:1] m").unwrap();
        assert_eq!((k.month, k.day), (11, 21));
        assert!(klog(b"Error: nope").is_none());
    }

    #[test]
    fn yearless_resolves_against_the_reference() {
        let (y, _) = syslog(b"Dec 31 23:59:00 h x: y").unwrap();
        let r = datetime!(2027-01-01 00:10 UTC);
        assert_eq!(y.resolve(r), Some(datetime!(2026-12-31 23:59 UTC)));
        let (y, _) = klog(b"I0101 00:05:00.000000 1 x.go:1] y").unwrap();
        assert_eq!(y.resolve(r), Some(datetime!(2027-01-01 00:05 UTC)));
        let back = Yearless { back: 1, ..y };
        assert_eq!(back.resolve(r), Some(datetime!(2026-01-01 00:05 UTC)));
    }

    #[test]
    fn other_prefixes() {
        assert_eq!(
            golog(b"2017/08/05 04:58:47 [INFO]").map(|x| x.0),
            Some(datetime!(2017-08-05 04:58:47 UTC))
        );
        assert_eq!(
            payload(br#"time="2019-01-09T02:03:43Z" level=error msg="x""#),
            Some(Stamp::Full(datetime!(2019-01-09 02:03:43 UTC)))
        );
        assert_eq!(
            epoch_micros("1700000000000000"),
            OffsetDateTime::from_unix_timestamp(1_700_000_000).ok()
        );
        assert_eq!(
            epoch_secs(1_568_166_948.5).map(OffsetDateTime::unix_timestamp),
            Some(1_568_166_948)
        );
    }
}
