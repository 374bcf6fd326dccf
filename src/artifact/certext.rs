//! Critical certificate extensions nobody here understands. RFC 5280 §4.2 says a verifier
//! must reject a certificate carrying one, and Go's TLS stack (every Kubernetes component)
//! does, so such a certificate is a problem of the bundle even though it parses.

use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::X509Certificate;

/// Dotted OIDs of the critical extensions of `cert` that are not understood.
pub fn unknown_critical_of(cert: &X509Certificate<'_>) -> Vec<String> {
    cert.extensions()
        .iter()
        .filter(|e| {
            e.critical && matches!(e.parsed_extension(), ParsedExtension::UnsupportedExtension { .. })
        })
        .map(|e| e.oid.to_id_string())
        .collect()
}
