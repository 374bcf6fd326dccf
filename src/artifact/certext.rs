//! Critical certificate extensions nobody here understands. RFC 5280 §4.2 says a verifier
//! must reject a certificate carrying one, and Go's TLS stack (every Kubernetes component)
//! does, so such a certificate is a problem of the bundle even though it parses.

use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::{FromDer, X509Certificate};

/// Dotted OIDs of the critical extensions of the certificate `der` that are not understood
/// (none when it does not parse: that is reported where it is indexed).
pub fn unknown_critical(der: &[u8]) -> Vec<String> {
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return Vec::new();
    };
    cert.extensions()
        .iter()
        .filter(|e| {
            e.critical && matches!(e.parsed_extension(), ParsedExtension::UnsupportedExtension { .. })
        })
        .map(|e| e.oid.to_id_string())
        .collect()
}
