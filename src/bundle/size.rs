//! Byte sizes as people write them on a command line (`64MiB`, `1.5G`, `4096`), for the
//! limit flags, and printed back the same way in `--help` defaults.

use std::fmt;
use std::str::FromStr;

/// A number of bytes, parsed from and shown as `<number>[unit]`. Units: `K`/`KiB`, `M`/`MiB`,
/// `G`/`GiB`, `T`/`TiB` are powers of 1024; `KB`, `MB`, `GB`, `TB` are powers of 1000; a
/// bare number (or `B`) is bytes. Case does not matter; a fraction is allowed (`1.5GiB`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ByteSize(pub u64);

const UNITS: &[(&str, u64)] = &[
    ("", 1),
    ("b", 1),
    ("k", 1 << 10),
    ("kib", 1 << 10),
    ("m", 1 << 20),
    ("mib", 1 << 20),
    ("g", 1 << 30),
    ("gib", 1 << 30),
    ("t", 1 << 40),
    ("tib", 1 << 40),
    ("kb", 1_000),
    ("mb", 1_000_000),
    ("gb", 1_000_000_000),
    ("tb", 1_000_000_000_000),
];

impl FromStr for ByteSize {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let unit = unit.trim().to_ascii_lowercase();
        let bad = || format!("`{s}` is not a size: write bytes or a number with KiB, MiB, GiB (e.g. 64MiB)");
        let mult = UNITS
            .iter()
            .find(|(u, _)| *u == unit)
            .map(|(_, m)| *m)
            .ok_or_else(bad)?;
        if num.is_empty() {
            return Err(bad());
        }
        if let Ok(n) = num.parse::<u64>() {
            return n
                .checked_mul(mult)
                .map(ByteSize)
                .ok_or_else(|| format!("`{s}` is too large"));
        }
        let f: f64 = num.parse().map_err(|_| bad())?;
        let bytes = (f * mult as f64).round();
        if !bytes.is_finite() || bytes < 0.0 || bytes >= u64::MAX as f64 {
            return Err(format!("`{s}` is too large"));
        }
        Ok(ByteSize(bytes as u64))
    }
}

impl fmt::Display for ByteSize {
    /// The largest binary unit that divides the size exactly (`64MiB`), else bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (unit, mult) in [
            ("TiB", 1u64 << 40),
            ("GiB", 1 << 30),
            ("MiB", 1 << 20),
            ("KiB", 1 << 10),
        ] {
            if self.0 >= mult && self.0 % mult == 0 {
                return write!(f, "{}{unit}", self.0 / mult);
            }
        }
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<u64, String> {
        s.parse::<ByteSize>().map(|b| b.0)
    }

    #[test]
    fn units_and_plain_bytes() {
        assert_eq!(p("4096"), Ok(4096));
        assert_eq!(p("64MiB"), Ok(64 << 20));
        assert_eq!(p("64m"), Ok(64 << 20));
        assert_eq!(p("1.5GiB"), Ok(3 << 29));
        assert_eq!(p("10MB"), Ok(10_000_000));
        assert_eq!(p(" 2 KiB "), Ok(2048));
        assert!(p("").is_err());
        assert!(p("MiB").is_err());
        assert!(p("12 parsecs").is_err());
        assert!(p("-1").is_err());
        assert!(p("99999999999TiB").is_err());
    }

    #[test]
    fn shown_in_the_largest_exact_unit() {
        assert_eq!(ByteSize(64 << 20).to_string(), "64MiB");
        assert_eq!(ByteSize(64 << 30).to_string(), "64GiB");
        assert_eq!(ByteSize(1000).to_string(), "1000");
        for s in ["64MiB", "64GiB", "64KiB", "1000"] {
            assert_eq!(s.parse::<ByteSize>().map(|b| b.to_string()).as_deref(), Ok(s));
        }
    }
}
