//! Evidence a collector removed: the marks sosreport, kubectl and troubleshoot leave where
//! a certificate, key or secret value used to be. A scrubbed value is missing evidence, not a
//! broken certificate: it is recorded here and reported by `evidence-scrubbed`, never as an
//! input problem or a PKI finding.
//!
//! The marks, with their sources:
//! - sos ≥ 4.7.2 replaces every PEM block of the files its kubernetes plugin copies by
//!   `-----SCRUBBED` (the `_certmatch` regex `----(?:-| )BEGIN.*?----(?:-| )END` and
//!   `_cert_replace` in `sos/report/plugins/__init__.py`, `do_file_private_sub`), so a block
//!   becomes `-----SCRUBBED CERTIFICATE-----`; and base64 PEM in kubeconfigs by
//!   `***** SCRUBBED BASE64 PEM *****` (`sos/report/plugins/kubernetes.py`, `postproc`);
//! - `kubectl config view` prints `DATA+OMITTED` and `REDACTED` instead of embedded data;
//! - troubleshoot's redactors write `***HIDDEN***` (`pkg/redact/redact.go`, `MASK_TEXT`).

use serde::Serialize;

/// A piece of evidence a collector removed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ScrubbedEvidence {
    /// Bundle path of the file that held it.
    pub path: String,
    /// What was there: `certificate`, `private key`, or the kubeconfig / object field.
    pub what: String,
    /// Which tool removed it (`sosreport`, `kubectl`, `troubleshoot`).
    pub by: String,
}

/// The kind of material a scrubbed PEM label stood for.
pub fn material_of(label: &str) -> &'static str {
    if label.contains("PRIVATE KEY") {
        "private key"
    } else if label.contains("PUBLIC KEY") {
        "public key"
    } else if label.contains("CERTIFICATE") {
        "certificate"
    } else {
        "pem block"
    }
}

/// The labels of the PEM blocks sos scrubbed in `bytes` (`-----SCRUBBED CERTIFICATE-----`
/// → `CERTIFICATE`; a bare `-----SCRUBBED` → empty).
pub fn scrubbed_pem_labels(bytes: &[u8]) -> Vec<String> {
    if memchr::memmem::find(bytes, b"-----SCRUBBED").is_none() {
        return Vec::new();
    }
    String::from_utf8_lossy(bytes)
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let at = l.find("-----SCRUBBED")?;
            let rest = l.get(at + "-----SCRUBBED".len()..).unwrap_or_default();
            Some(rest.trim().trim_end_matches('-').trim().to_string())
        })
        .collect()
}

/// The tool whose mark `value` is, when the whole value is a scrub mark.
pub fn mark_of(value: &str) -> Option<&'static str> {
    let v = value.trim();
    if v.contains("SCRUBBED BASE64 PEM") || v.starts_with("-----SCRUBBED") {
        Some("sosreport")
    } else if v == "DATA+OMITTED" || v == "REDACTED" {
        Some("kubectl")
    } else if v.contains("***HIDDEN***") {
        Some("troubleshoot")
    } else {
        None
    }
}

/// sos writes its base64 mark unquoted (`certificate-authority-data: ***** SCRUBBED BASE64
/// PEM *****`), which YAML reads as an alias and rejects: quote it so the rest of the
/// kubeconfig is still read.
pub fn quote_sos_marks(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    const MARK: &str = "***** SCRUBBED BASE64 PEM *****";
    if memchr::memmem::find(bytes, MARK.as_bytes()).is_none() {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let text = String::from_utf8_lossy(bytes).replace(MARK, &format!("\"{MARK}\""));
    std::borrow::Cow::Owned(
        text.replace(&format!("\"\"{MARK}\"\""), &format!("\"{MARK}\""))
            .into_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sos_pem_scrub() {
        let text = b"-----SCRUBBED CERTIFICATE-----\n-----SCRUBBED RSA PRIVATE KEY-----\n";
        assert_eq!(scrubbed_pem_labels(text), ["CERTIFICATE", "RSA PRIVATE KEY"]);
        assert_eq!(material_of("RSA PRIVATE KEY"), "private key");
        assert!(scrubbed_pem_labels(b"-----BEGIN CERTIFICATE-----").is_empty());
    }

    #[test]
    fn marks() {
        assert_eq!(mark_of("***** SCRUBBED BASE64 PEM *****"), Some("sosreport"));
        assert_eq!(mark_of("DATA+OMITTED"), Some("kubectl"));
        assert_eq!(mark_of("***HIDDEN***"), Some("troubleshoot"));
        assert_eq!(mark_of("LS0tLS1CRUdJTi"), None);
        let q = quote_sos_marks(b"a: ***** SCRUBBED BASE64 PEM *****\n");
        assert_eq!(&*q, b"a: \"***** SCRUBBED BASE64 PEM *****\"\n".as_slice());
    }
}
