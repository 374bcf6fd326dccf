//! PEM armour, written like Go's `encoding/pem`: 64-column base64 lines.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Encode `der` as a PEM block with `label`, ending with a newline.
pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        // base64 output is ASCII, so every chunk is valid UTF-8.
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Standard base64 (as in Secret `data` and kubeconfig `*-data` fields).
pub fn b64(data: impl AsRef<[u8]>) -> String {
    STANDARD.encode(data)
}

/// Unpadded base64url (as in JWT segments).
pub fn b64url(data: impl AsRef<[u8]>) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data)
}
