//! Log line formats: klog headers, journald `short-iso` / `short-precise` prefixes and
//! CRI container log lines (`<RFC3339Nano> <stream> F <line>`).

use time::OffsetDateTime;
use time::macros::format_description;

/// klog severity letters.
#[derive(Clone, Copy, Debug)]
pub enum Sev {
    I,
    W,
    E,
    F,
}

/// `E1121 09:12:03.123400    1234 kubelet_node_status.go:92] ` (klog's header; the thread
/// id is `%7d`).
pub fn klog(sev: Sev, t: OffsetDateTime, pid: u32, src: &str, msg: &str) -> String {
    let letter = match sev {
        Sev::I => 'I',
        Sev::W => 'W',
        Sev::E => 'E',
        Sev::F => 'F',
    };
    format!(
        "{letter}{:02}{:02} {:02}:{:02}:{:02}.{:06} {pid:>7} {src}] {msg}",
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

/// `journalctl -o short-iso` prefix of older systemd: `2026-06-15T11:58:00+0000 host ident[pid]: `.
pub fn short_iso(t: OffsetDateTime, host: &str, ident: &str, pid: Option<u32>, msg: &str) -> String {
    let fmt = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"
    );
    let ts = t.format(&fmt).unwrap_or_default();
    format!("{ts} {host} {}: {msg}", ident_pid(ident, pid))
}

/// `journalctl -o short-precise`: `Nov 21 09:12:03.123456 host ident[pid]: `.
pub fn short_precise(t: OffsetDateTime, host: &str, ident: &str, pid: Option<u32>, msg: &str) -> String {
    let fmt = format_description!("[month repr:short] [day] [hour]:[minute]:[second].[subsecond digits:6]");
    let ts = t.format(&fmt).unwrap_or_default();
    format!("{ts} {host} {}: {msg}", ident_pid(ident, pid))
}

fn ident_pid(ident: &str, pid: Option<u32>) -> String {
    match pid {
        Some(p) => format!("{ident}[{p}]"),
        None => ident.to_owned(),
    }
}

/// A CRI log line: `2026-11-21T09:10:01.123456789Z stderr F <msg>`.
pub fn cri(t: OffsetDateTime, stream: &str, msg: &str) -> String {
    format!("{} {stream} F {msg}", rfc3339_nano(t))
}

/// RFC 3339 with 9 fractional digits and `Z`.
pub fn rfc3339_nano(t: OffsetDateTime) -> String {
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z");
    t.format(&fmt).unwrap_or_default()
}

/// RFC 3339 seconds with `Z` (Kubernetes object timestamps).
pub fn rfc3339(t: OffsetDateTime) -> String {
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.format(&fmt).unwrap_or_default()
}

/// Go's `time.Time.String()` for UTC: `2026-05-01 10:00:00 +0000 UTC`.
pub fn go_time(t: OffsetDateTime) -> String {
    let fmt = format_description!("[year]-[month]-[day] [hour]:[minute]:[second] +0000 UTC");
    t.format(&fmt).unwrap_or_default()
}

/// Join lines with a trailing newline.
pub fn join(lines: &[String]) -> String {
    let mut s = lines.join("\n");
    s.push('\n');
    s
}
