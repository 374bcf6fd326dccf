//! `openssl x509 -text -noout` dumps: what a collector writes in place of a certificate
//! (Rancher's logs collector does for every certificate). The dump states subject, issuer,
//! validity and SANs, but not the DER: no signature can be verified and no key paired, so
//! these facts serve the validity checks only, and every finding from them says so.

use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// What an `openssl x509 -text` dump states about one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertText {
    /// `Subject:` as printed (`CN = kube-apiserver`).
    pub subject: String,
    /// `Issuer:` as printed: what the certificate claims, not a verified signer.
    pub issuer: String,
    /// `Not Before:`.
    pub not_before: OffsetDateTime,
    /// `Not After :`.
    pub not_after: OffsetDateTime,
    /// `X509v3 Subject Alternative Name:` entries (`DNS:a`, `IP Address:10.0.0.1`).
    pub sans: Vec<String>,
}

impl CertText {
    /// The common name, else the whole subject.
    pub fn name(&self) -> &str {
        self.subject
            .split(',')
            .find_map(|p| {
                p.trim()
                    .strip_prefix("CN = ")
                    .or_else(|| p.trim().strip_prefix("CN="))
            })
            .unwrap_or(&self.subject)
    }
}

/// Whether `head` starts like an `openssl x509 -text` dump, or like the `-noout -dates
/// -subject -issuer` form (`notBefore=…`, `notAfter=…`, `subject=…` lines, in any order).
pub fn looks_like(head: &[u8]) -> bool {
    let head = String::from_utf8_lossy(head.get(..256).unwrap_or(head));
    let mut lines = head.lines().map(str::trim);
    let first = lines.next();
    (first == Some("Certificate:") && lines.next() == Some("Data:"))
        || first.is_some_and(|l| FIELDS.iter().any(|f| l.starts_with(f)))
            && head.lines().any(|l| l.trim().starts_with("notAfter="))
}

/// The lines `openssl x509 -noout -dates -subject -issuer` prints.
const FIELDS: &[&str] = &["notBefore=", "notAfter=", "subject=", "issuer=", "serial="];

/// The `-noout -dates -subject -issuer -ext subjectAltName` form: one certificate per run of
/// fields (a field seen again starts the next). A missing subject reads as "subject not
/// dumped"; a missing `notBefore` as the epoch (only `-enddate` was asked for).
fn parse_fields(text: &str) -> (Vec<CertText>, usize) {
    let mut blocks: Vec<Vec<(&str, &str)>> = vec![Vec::new()];
    let mut sans_next = false;
    for line in text.lines().map(str::trim) {
        if sans_next {
            if let Some(b) = blocks.last_mut() {
                b.push(("san", line));
            }
            sans_next = false;
            continue;
        }
        if line.starts_with("X509v3 Subject Alternative Name:") {
            sans_next = true;
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if !FIELDS.contains(&format!("{k}=").as_str()) {
            continue;
        }
        if blocks
            .last()
            .is_some_and(|b| b.iter().any(|(seen, _)| *seen == k))
        {
            blocks.push(Vec::new());
        }
        if let Some(b) = blocks.last_mut() {
            b.push((k, v.trim()));
        }
    }
    let blocks: Vec<_> = blocks.into_iter().filter(|b| !b.is_empty()).collect();
    let certs: Vec<CertText> = blocks
        .iter()
        .filter_map(|b| {
            let get = |k: &str| b.iter().find(|(f, _)| *f == k).map(|(_, v)| *v);
            Some(CertText {
                subject: get("subject")
                    .map(|s| s.trim_start_matches('/').to_string())
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "subject not dumped".to_string()),
                issuer: get("issuer").unwrap_or_default().to_string(),
                not_before: get("notBefore").map_or(Some(OffsetDateTime::UNIX_EPOCH), date)?,
                not_after: date(get("notAfter")?)?,
                sans: get("san")
                    .map(|l| {
                        l.split(',')
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect();
    let unreadable = blocks.len() - certs.len();
    (certs, unreadable)
}

/// The certificates a dump describes (several when files were concatenated), and how many
/// of its blocks describe a certificate without a subject or readable validity dates (those
/// are not checked: the caller says so). CRLF line ends read like LF.
pub fn parse(text: &str) -> (Vec<CertText>, usize) {
    let text = text.replace("\r\n", "\n");
    if !text.contains("Certificate:\n") {
        return parse_fields(&text);
    }
    let blocks: Vec<&str> = text.split("Certificate:\n").skip(1).collect();
    let certs: Vec<CertText> = blocks
        .iter()
        .filter_map(|block| {
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.trim().strip_prefix(name).map(|v| v.trim().to_string()))
            };
            let sans = block
                .lines()
                .skip_while(|l| !l.trim().starts_with("X509v3 Subject Alternative Name:"))
                .nth(1)
                .map(|l| {
                    l.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            Some(CertText {
                subject: field("Subject:")?,
                issuer: field("Issuer:").unwrap_or_default(),
                not_before: date(&field("Not Before:")?)?,
                not_after: date(&field("Not After :")?)?,
                sans,
            })
        })
        .collect();
    let unreadable = blocks.len() - certs.len();
    (certs, unreadable)
}

const OPENSSL_DATE: &[FormatItem<'static>] =
    format_description!("[month repr:short] [day padding:space] [hour]:[minute]:[second] [year]");

/// OpenSSL's `Nov 14 22:13:20 2026 GMT` (the day space-padded: `Nov  4`), always GMT.
fn date(text: &str) -> Option<OffsetDateTime> {
    let text = text
        .strip_suffix("GMT")
        .or_else(|| text.strip_suffix("UTC"))?
        .trim_end();
    // Day 1–9 is padded with a space: `Nov  4` and `Nov 4` both read.
    let (month, rest) = text.split_once(' ')?;
    let normalized = format!("{month} {:>2}", rest.trim_start().split_once(' ')?.0)
        + " "
        + rest.trim_start().split_once(' ')?.1;
    PrimitiveDateTime::parse(&normalized, OPENSSL_DATE)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const DUMP: &str = "Certificate:\n    Data:\n        Version: 3 (0x2)\n        Serial Number: 4321 (0x10e1)\n        Signature Algorithm: ecdsa-with-SHA256\n        Issuer: CN = rke2-server-ca@1700000000\n        Validity\n            Not Before: Nov  4 22:13:20 2025 GMT\n            Not After : Nov 14 22:13:20 2026 GMT\n        Subject: O = system:masters, CN = kube-apiserver\n        X509v3 extensions:\n            X509v3 Subject Alternative Name: \n                DNS:kubernetes, DNS:localhost, IP Address:10.43.0.1, IP Address:127.0.0.1\n";

    #[test]
    fn reads_what_openssl_prints() {
        let (c, unreadable) = parse(DUMP);
        assert_eq!((c.len(), unreadable), (1, 0));
        // CRLF line ends, and `UTC` for `GMT`, read the same.
        let crlf = DUMP.replace('\n', "\r\n").replace("2026 GMT", "2026 UTC");
        assert_eq!(parse(&crlf).0.first().map(|c| c.not_after), Some(c[0].not_after));
        // A block without readable dates is counted, not dropped silently.
        let bad = format!("{DUMP}{}", DUMP.replace("Nov 14 22:13:20 2026 GMT", "sometime"));
        assert_eq!(parse(&bad).1, 1);
        // `openssl x509 -noout -dates -subject -issuer -ext subjectAltName`.
        let fields = "notBefore=Nov  4 22:13:20 2025 GMT\nnotAfter=Nov 14 22:13:20 2026 GMT\nsubject=CN = kube-apiserver\nissuer=CN = kubernetes\nX509v3 Subject Alternative Name: \n    DNS:kubernetes, IP Address:10.43.0.1\n";
        assert!(looks_like(fields.as_bytes()));
        let (f, bad) = parse(fields);
        assert_eq!(bad, 0);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].name(), "kube-apiserver");
        assert_eq!(f[0].not_after, c[0].not_after);
        assert_eq!(f[0].sans, ["DNS:kubernetes", "IP Address:10.43.0.1"]);
        // `-enddate` alone, twice (two files concatenated).
        let (f, _) = parse("notAfter=Nov 14 22:13:20 2026 GMT\nnotAfter=Nov 15 22:13:20 2026 GMT\n");
        assert_eq!(f.len(), 2);
        assert!(!looks_like(b"notes=1\n"));
        let c = &c[0];
        assert_eq!(c.name(), "kube-apiserver");
        assert_eq!(c.issuer, "CN = rke2-server-ca@1700000000");
        assert_eq!(c.not_before, datetime!(2025-11-04 22:13:20 UTC));
        assert_eq!(c.not_after, datetime!(2026-11-14 22:13:20 UTC));
        assert_eq!(
            c.sans,
            [
                "DNS:kubernetes",
                "DNS:localhost",
                "IP Address:10.43.0.1",
                "IP Address:127.0.0.1"
            ]
        );
        assert!(looks_like(DUMP.as_bytes()));
        assert!(!looks_like(b"-----BEGIN CERTIFICATE-----\n"));
        assert_eq!(
            parse("Certificate:\n    Data:\n        Subject: CN = x\n")
                .0
                .len(),
            0
        );
    }
}
