//! Byte-level writers for the large logs: times as each format prints them, Go durations,
//! random identifiers (UUIDs, hex ids, Kubernetes name suffixes) and the seeded random
//! source. Everything appends to a `Vec<u8>` without allocating, so a gigabyte is quick.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::RngCore;
use time::OffsetDateTime;

/// Nanoseconds since the Unix epoch (UTC).
pub type Ns = i64;

/// Nanoseconds per microsecond, millisecond and second.
pub const US: i64 = 1_000;
/// See [`US`].
pub const MS: i64 = 1_000_000;
/// See [`US`].
pub const SEC: i64 = 1_000_000_000;

/// The seeded random source with the few draws the generators need.
pub struct Rng(pub ChaCha8Rng);

impl Rng {
    /// A uniform value in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.0.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A uniform value in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo))
    }

    /// True with probability `n / d`.
    pub fn chance(&mut self, n: u64, d: u64) -> bool {
        self.below(d) < n
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    /// An index chosen with the given weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        let mut r = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            if r < u64::from(*w) {
                return i;
            }
            r -= u64::from(*w);
        }
        weights.len().saturating_sub(1)
    }

    /// One of `items`, each as likely as its weight.
    pub fn mix<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u64 = items.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut r = self.below(total);
        for (item, w) in items {
            if r < u64::from(*w) {
                return *item;
            }
            r -= u64::from(*w);
        }
        items[items.len() - 1].0
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// An index in `0..n` favouring small ones (a few pods or clients make most of the lines).
    pub fn skewed(&mut self, n: usize) -> usize {
        ((n as f64 * self.unit().powf(3.0)) as usize).min(n.saturating_sub(1))
    }

    /// `0..n` in random order.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
        v
    }

    /// Exponentially distributed with the given mean.
    pub fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }

    /// Log-normal-ish latency in nanoseconds: `median` times e^(σ·z), z roughly normal.
    pub fn latency(&mut self, median_ns: f64, sigma: f64) -> u64 {
        let z = (self.unit() + self.unit() + self.unit() - 1.5) * 2.0;
        (median_ns * (sigma * z).exp()).max(1_000.0) as u64
    }
}

/// Appends `v` in decimal.
pub fn num(b: &mut Vec<u8>, v: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    let mut v = v;
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    b.extend_from_slice(&tmp[i..]);
}

/// Appends `v` in decimal, zero-padded to `width` digits.
pub fn pad(b: &mut Vec<u8>, v: u64, width: usize) {
    let mut tmp = [b'0'; 20];
    let mut i = tmp.len();
    let mut v = v;
    while v > 0 {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    let start = tmp.len().saturating_sub(width).min(i);
    b.extend_from_slice(&tmp[start..]);
}

/// Appends `v` right-aligned in `width` columns (klog's `%7d` thread id).
pub fn right(b: &mut Vec<u8>, v: u64, width: usize) {
    let mut digits = 1;
    let mut x = v;
    while x >= 10 {
        digits += 1;
        x /= 10;
    }
    for _ in digits..width {
        b.push(b' ');
    }
    num(b, v);
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `n` random lowercase hex digits.
pub fn hex(b: &mut Vec<u8>, rng: &mut Rng, n: usize) {
    let mut left = n;
    while left > 0 {
        let mut w = rng.0.next_u64();
        for _ in 0..left.min(16) {
            b.push(HEX[(w & 15) as usize]);
            w >>= 4;
        }
        left = left.saturating_sub(16);
    }
}

/// A string of `n` random hex digits.
pub fn hex_string(rng: &mut Rng, n: usize) -> String {
    let mut b = Vec::with_capacity(n);
    hex(&mut b, rng, n);
    String::from_utf8(b).unwrap_or_default()
}

/// Appends a random version-4 UUID (`8-4-4-4-12`).
pub fn uuid(b: &mut Vec<u8>, rng: &mut Rng) {
    hex(b, rng, 8);
    b.push(b'-');
    hex(b, rng, 4);
    b.extend_from_slice(b"-4");
    hex(b, rng, 3);
    b.push(b'-');
    b.push(*rng.pick(b"89ab"));
    hex(b, rng, 3);
    b.push(b'-');
    hex(b, rng, 12);
}

/// A random version-4 UUID.
pub fn uuid_string(rng: &mut Rng) -> String {
    let mut b = Vec::with_capacity(36);
    uuid(&mut b, rng);
    String::from_utf8(b).unwrap_or_default()
}

/// The alphabet of Kubernetes' generated name suffixes (no vowels, no look-alikes).
const ALNUM: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// `n` characters of a generated name suffix (`-x7k2p`, replica-set hashes).
pub fn suffix(rng: &mut Rng, n: usize) -> String {
    (0..n).map(|_| char::from(*rng.pick(ALNUM))).collect()
}

/// Appends an IPv4 address.
pub fn ip(b: &mut Vec<u8>, a: [u8; 4]) {
    for (i, o) in a.iter().enumerate() {
        if i > 0 {
            b.push(b'.');
        }
        num(b, u64::from(*o));
    }
}

/// Appends a client's ephemeral port (Linux' default range).
pub fn port(b: &mut Vec<u8>, rng: &mut Rng) {
    num(b, rng.range(32768, 60999));
}

/// Broken-down UTC time.
struct Civil {
    year: i32,
    month: u8,
    day: u8,
    hour: u8,
    min: u8,
    sec: u8,
    nanos: u32,
}

fn civil(t: Ns) -> Civil {
    let d = OffsetDateTime::from_unix_timestamp_nanos(i128::from(t)).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    Civil {
        year: d.year(),
        month: u8::from(d.month()),
        day: d.day(),
        hour: d.hour(),
        min: d.minute(),
        sec: d.second(),
        nanos: d.nanosecond(),
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn date(b: &mut Vec<u8>, c: &Civil) {
    pad(b, c.year as u64, 4);
    b.push(b'-');
    pad(b, u64::from(c.month), 2);
    b.push(b'-');
    pad(b, u64::from(c.day), 2);
}

fn clock(b: &mut Vec<u8>, c: &Civil) {
    pad(b, u64::from(c.hour), 2);
    b.push(b':');
    pad(b, u64::from(c.min), 2);
    b.push(b':');
    pad(b, u64::from(c.sec), 2);
}

/// klog's header: `I1121 09:12:03.123456    1234 file.go:123] `.
pub fn klog(b: &mut Vec<u8>, sev: u8, t: Ns, tid: u32, src: &str) {
    let c = civil(t);
    b.push(sev);
    pad(b, u64::from(c.month), 2);
    pad(b, u64::from(c.day), 2);
    b.push(b' ');
    clock(b, &c);
    b.push(b'.');
    pad(b, u64::from(c.nanos / 1000), 6);
    b.push(b' ');
    right(b, u64::from(tid), 7);
    b.push(b' ');
    b.extend_from_slice(src.as_bytes());
    b.extend_from_slice(b"] ");
}

/// RFC 3339 with nine fractional digits and `Z` (CRI log times).
pub fn rfc3339_nano(b: &mut Vec<u8>, t: Ns) {
    let c = civil(t);
    date(b, &c);
    b.push(b'T');
    clock(b, &c);
    b.push(b'.');
    pad(b, u64::from(c.nanos), 9);
    b.push(b'Z');
}

/// RFC 3339 to the second (Kubernetes object times).
pub fn rfc3339(b: &mut Vec<u8>, t: Ns) {
    let c = civil(t);
    date(b, &c);
    b.push(b'T');
    clock(b, &c);
    b.push(b'Z');
}

/// etcd's zap time before 3.5.8 (the etcd of Kubernetes 1.26): milliseconds, `Z`.
pub fn zap(b: &mut Vec<u8>, t: Ns) {
    let c = civil(t);
    date(b, &c);
    b.push(b'T');
    clock(b, &c);
    b.push(b'.');
    pad(b, u64::from(c.nanos / 1_000_000), 3);
    b.push(b'Z');
}

/// journalctl `-o short-iso` time: `2026-11-21T09:12:03+0000`.
pub fn short_iso(b: &mut Vec<u8>, t: Ns) {
    let c = civil(t);
    date(b, &c);
    b.push(b'T');
    clock(b, &c);
    b.extend_from_slice(b"+0000");
}

/// journalctl `-o short-precise` time: `Nov 21 09:12:03.123456`.
pub fn short_precise(b: &mut Vec<u8>, t: Ns) {
    let c = civil(t);
    b.extend_from_slice(MONTHS[usize::from(c.month.saturating_sub(1)) % 12].as_bytes());
    b.push(b' ');
    pad(b, u64::from(c.day), 2);
    b.push(b' ');
    clock(b, &c);
    b.push(b'.');
    pad(b, u64::from(c.nanos / 1000), 6);
}

/// Go's `time.Time.String()` in UTC, to the second: `2026-11-21 09:12:03 +0000 UTC`.
pub fn go_time(b: &mut Vec<u8>, t: Ns) {
    let c = civil(t);
    date(b, &c);
    b.push(b' ');
    clock(b, &c);
    b.extend_from_slice(b" +0000 UTC");
}

/// Go's `time.Time.String()` with nanoseconds trimmed: `2026-11-21 09:12:03.5123 +0000 UTC`.
pub fn go_time_nanos(b: &mut Vec<u8>, t: Ns) {
    let c = civil(t);
    date(b, &c);
    b.push(b' ');
    clock(b, &c);
    frac_trimmed(b, u64::from(c.nanos), 9);
    b.extend_from_slice(b" +0000 UTC");
}

/// The apiserver trace's start: `21-Nov-2026 09:12:02.500`.
pub fn trace_start(b: &mut Vec<u8>, t: Ns) {
    let c = civil(t);
    pad(b, u64::from(c.day), 2);
    b.push(b'-');
    b.extend_from_slice(MONTHS[usize::from(c.month.saturating_sub(1)) % 12].as_bytes());
    b.push(b'-');
    pad(b, c.year as u64, 4);
    b.push(b' ');
    hms_milli(b, t);
}

/// `09:12:03.123` (trace step times).
pub fn hms_milli(b: &mut Vec<u8>, t: Ns) {
    let c = civil(t);
    clock(b, &c);
    b.push(b'.');
    pad(b, u64::from(c.nanos / 1_000_000), 3);
}

/// `.ddd` with trailing zeros removed; nothing when `v` is 0.
fn frac_trimmed(b: &mut Vec<u8>, v: u64, width: usize) {
    if v == 0 {
        return;
    }
    let mut v = v;
    let mut w = width;
    while v.is_multiple_of(10) {
        v /= 10;
        w -= 1;
    }
    b.push(b'.');
    pad(b, v, w);
}

/// Go's `time.Duration.String()`: `850ns`, `12.5µs`, `2.345678ms`, `1.2s`, `7m31.0009s`.
pub fn go_dur(b: &mut Vec<u8>, ns: u64) {
    if ns < 1_000 {
        num(b, ns);
        b.extend_from_slice(b"ns");
    } else if ns < 1_000_000 {
        num(b, ns / 1_000);
        frac_trimmed(b, ns % 1_000, 3);
        b.extend_from_slice("µs".as_bytes());
    } else if ns < 1_000_000_000 {
        num(b, ns / 1_000_000);
        frac_trimmed(b, ns % 1_000_000, 6);
        b.extend_from_slice(b"ms");
    } else {
        let secs = ns / 1_000_000_000;
        if secs >= 3600 {
            num(b, secs / 3600);
            b.push(b'h');
        }
        if secs >= 60 {
            num(b, secs / 60 % 60);
            b.push(b'm');
        }
        num(b, secs % 60);
        frac_trimmed(b, ns % 1_000_000_000, 9);
        b.push(b's');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::rand_core::SeedableRng;
    use time::macros::datetime;

    fn s(f: impl Fn(&mut Vec<u8>)) -> String {
        let mut b = Vec::new();
        f(&mut b);
        String::from_utf8(b).unwrap_or_default()
    }

    #[test]
    fn durations_print_as_go_does() {
        assert_eq!(s(|b| go_dur(b, 850)), "850ns");
        assert_eq!(s(|b| go_dur(b, 12_500)), "12.5µs");
        assert_eq!(s(|b| go_dur(b, 2_345_678)), "2.345678ms");
        assert_eq!(s(|b| go_dur(b, 100_000_000)), "100ms");
        assert_eq!(s(|b| go_dur(b, 1_200_000_000)), "1.2s");
        assert_eq!(s(|b| go_dur(b, 451_000_905_838)), "7m31.000905838s");
        assert_eq!(s(|b| go_dur(b, 3_600_000_000_000)), "1h0m0s");
    }

    #[test]
    fn times_print_as_each_format_does() {
        let t = (datetime!(2026-11-21 09:12:03.120450 UTC).unix_timestamp_nanos()) as Ns;
        assert_eq!(
            s(|b| klog(b, b'I', t, 1234, "x.go:1")),
            "I1121 09:12:03.120450    1234 x.go:1] "
        );
        assert_eq!(s(|b| rfc3339_nano(b, t)), "2026-11-21T09:12:03.120450000Z");
        assert_eq!(s(|b| zap(b, t)), "2026-11-21T09:12:03.120Z");
        assert_eq!(s(|b| short_iso(b, t)), "2026-11-21T09:12:03+0000");
        assert_eq!(s(|b| short_precise(b, t)), "Nov 21 09:12:03.120450");
        assert_eq!(s(|b| trace_start(b, t)), "21-Nov-2026 09:12:03.120");
        assert_eq!(s(|b| go_time(b, t)), "2026-11-21 09:12:03 +0000 UTC");
        assert_eq!(s(|b| go_time_nanos(b, t)), "2026-11-21 09:12:03.12045 +0000 UTC");
    }

    #[test]
    fn identifiers_have_their_shapes() {
        let mut r = Rng(ChaCha8Rng::seed_from_u64(1));
        let u = uuid_string(&mut r);
        assert_eq!(u.len(), 36);
        assert_eq!(u.as_bytes()[14], b'4');
        assert!(matches!(u.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
        assert_eq!(hex_string(&mut r, 64).len(), 64);
        assert_eq!(s(|b| right(b, 1, 7)), "      1");
        assert_eq!(s(|b| pad(b, 7, 3)), "007");
    }
}
