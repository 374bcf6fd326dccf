//! PEM blocks (many per file, any label) and bare DER certificates.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The label a stub's `PUBLIC KEY` block is read under (it never appears in a file): a
/// collector replaces each private key by its public key so the key-pair checks still run.
pub const STUB_LABEL: &str = "PUBLIC KEY (PRIVATE KEY STUB)";

/// The line written before every stub; the analysis treats the public key after it as
/// standing in for the private key that was there.
pub const MARKER: &str = "# kubetriage collect: private key kept on the node; its public key follows";

/// The marker written by releases where stubbing needed `--no-private-keys`; bundles they made
/// are still read.
const LEGACY_MARKER: &str =
    "# kubetriage collect --no-private-keys: private key removed; its public key follows";

/// Whether `bytes` hold a stub.
pub fn is_stub(bytes: &[u8]) -> bool {
    [MARKER, LEGACY_MARKER]
        .iter()
        .any(|m| memchr::memmem::find(bytes, m.as_bytes()).is_some())
}

/// One PEM block: its label (`CERTIFICATE`, `RSA PRIVATE KEY`, …) and decoded bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PemBlock {
    /// The label between `BEGIN ` and the closing dashes.
    pub label: String,
    /// The decoded DER.
    pub der: Vec<u8>,
}

impl PemBlock {
    /// Whether the block holds a certificate.
    pub fn is_certificate(&self) -> bool {
        matches!(
            self.label.as_str(),
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE"
        )
    }

    /// Whether the block holds a private or public key.
    pub fn is_key(&self) -> bool {
        self.label.ends_with("PRIVATE KEY") || self.label.ends_with("PUBLIC KEY") || self.label == STUB_LABEL
    }
}

/// Whether `bytes` contains PEM armour.
pub fn has_pem(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"-----BEGIN ").is_some()
}

/// Every PEM block in `bytes`, and a short lowercase error for each block that is broken
/// (bad base64, no END line). Text around and between blocks is ignored; lines may be
/// indented. Block contents are never echoed into the errors.
pub fn blocks(bytes: &[u8]) -> (Vec<PemBlock>, Vec<String>) {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let label = label.to_string();
        let end = format!("-----END {label}-----");
        let mut body = String::new();
        let mut closed = false;
        let mut headers = false;
        for l in lines.by_ref() {
            if l == end {
                closed = true;
                break;
            }
            if l.starts_with("-----") {
                break;
            }
            if l.contains(':') {
                headers = true;
                continue;
            }
            body.push_str(l);
        }
        if !closed {
            errors.push(format!("pem block `{label}` has no end line"));
            continue;
        }
        if headers {
            errors.push(format!(
                "pem block `{label}` has headers (encrypted key?); not read"
            ));
            continue;
        }
        match STANDARD.decode(body.as_bytes()) {
            Ok(der) if der.is_empty() => errors.push(format!("pem block `{label}` is empty")),
            Ok(der) => out.push(PemBlock { label, der }),
            Err(_) => errors.push(format!("pem block `{label}` has invalid base64")),
        }
    }
    (out, errors)
}

/// Whether `bytes` looks like one DER certificate: a SEQUENCE whose length covers the input.
pub fn looks_like_der_cert(bytes: &[u8]) -> bool {
    let (Some(&0x30), Some(&len)) = (bytes.first(), bytes.get(1)) else {
        return false;
    };
    let total = match len {
        0x81 => bytes.get(2).map(|&b| usize::from(b) + 3),
        0x82 => match (bytes.get(2), bytes.get(3)) {
            (Some(&a), Some(&b)) => Some((usize::from(a) << 8 | usize::from(b)) + 4),
            _ => None,
        },
        0x83 => match (bytes.get(2), bytes.get(3), bytes.get(4)) {
            (Some(&a), Some(&b), Some(&c)) => {
                Some((usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c)) + 5)
            }
            _ => None,
        },
        _ => None,
    };
    total == Some(bytes.len()) && bytes.get(4) == Some(&0x30)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_blocks_and_garbage() {
        let b64 = STANDARD.encode(b"\x30\x03\x02\x01\x01");
        let text = format!(
            "junk\n-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n  -----BEGIN EC PRIVATE KEY-----\n  {b64}\n  -----END EC PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n-----BEGIN X-----\nAAAA\n"
        );
        let (blocks, errors) = blocks(text.as_bytes());
        assert_eq!(blocks.len(), 2);
        assert!(blocks[0].is_certificate());
        assert!(blocks[1].is_key());
        assert_eq!(errors.len(), 2, "{errors:?}");
    }
}
