//! The one place where secret material becomes something safe to print: fingerprints and
//! shortened forms. Checks call these before putting anything into evidence or messages.

use std::sync::LazyLock;

use regex::Regex;

use crate::pki::Fingerprint;

/// A value that must never be printed, as `sha256:<16 hex digits>` of its bytes.
pub fn fingerprint(secret: &[u8]) -> String {
    format!("sha256:{}", Fingerprint::of(secret).short())
}

/// An identifier that may be shown partly (an AWS access key id): first 4 and last 4
/// characters, the middle elided (`AKIA…WXYZ`). Short values are fully hidden.
pub fn partial(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() < 12 {
        return "…".to_string();
    }
    let head: String = chars.iter().take(4).collect();
    let tail: String = chars.iter().skip(chars.len() - 4).collect();
    format!("{head}…{tail}")
}

static LINE_SECRETS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        // PEM private key bodies pasted into a log.
        (
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)",
            "[private key redacted]",
        ),
        // Bearer and basic-auth credentials, and JWTs.
        (r"(?i)(\b(?:bearer|basic)\s+)[A-Za-z0-9\-_.=+/~]{8,}", "${1}[redacted]"),
        (
            r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}",
            "[jwt redacted]",
        ),
        // AWS secret access keys after a recognisable name.
        (
            r#"(?i)(aws_secret_access_key|secretaccesskey|secret_key)(["'\s:=]+)[A-Za-z0-9/+=]{20,}"#,
            "${1}${2}[redacted]",
        ),
        // Any name that ends in a word saying it holds a secret, however it is spelt or
        // prefixed (`password=`, `DB_PASSWORD=`, `clientSecret:`, `AZURE_CLIENT_SECRET=`,
        // `"SecretAccessKey": "…"`, also with JSON-escaped quotes), then its value. Object
        // names that merely contain such a word (`default-token-p8s7d: …`) are left alone.
        (
            r#"(?i)([A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|credential|api[_-]?key|private[_-]?key|access[_-]?key|client[_-]?key[_-]?data)(?:[_.-]?(?:access[_-]?key|key|value|data|string))?)((?:\\*["'])?\s*[:=]\s*(?:\\*["'])?)[^\s"'\\,}&]{4,}"#,
            "${1}${2}[redacted]",
        ),
    ]
    .into_iter()
    .filter_map(|(p, r)| Regex::new(p).ok().map(|re| (re, r)))
    .collect()
});

static QUOTED: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r#""(?:[^"\\]|\\.)*""#).ok());

/// A parser's error message with the input values it quotes removed: serde says
/// `invalid type: string "<the value>", expected …`, and the value may be a secret that sat
/// in the wrong field. Field names (in backticks) and positions are kept.
pub fn parse_error(message: &str) -> String {
    match QUOTED.as_ref() {
        Some(re) => re.replace_all(message, "\"…\"").into_owned(),
        None => message.to_string(),
    }
}

static AWS_KEY_ID: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b").ok());

/// A log line or message with tokens, passwords, private keys and AWS secrets removed and
/// AWS access key ids shortened.
pub fn line(text: &str) -> String {
    let mut s = text.to_string();
    for (re, rep) in LINE_SECRETS.iter() {
        if re.is_match(&s) {
            s = re.replace_all(&s, *rep).into_owned();
        }
    }
    if let Some(re) = AWS_KEY_ID.as_ref() {
        if re.is_match(&s) {
            s = re
                .replace_all(&s, |c: &regex::Captures<'_>| partial(&c[0]))
                .into_owned();
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_hides_the_middle() {
        assert_eq!(partial("AKIAABCDEFGHIJKLWXYZ"), "AKIA…WXYZ");
        assert_eq!(partial("short"), "…");
    }

    #[test]
    fn lines_lose_their_secrets() {
        let l =
            line("password=hunter2hunter2 Authorization: Bearer abcdefghijklmnop key AKIAABCDEFGHIJKLWXYZ");
        assert!(!l.contains("hunter2"));
        assert!(!l.contains("abcdefghijklmnop"));
        assert!(l.contains("AKIA…WXYZ"));
    }

    #[test]
    fn parse_errors_lose_the_values_they_quote() {
        assert_eq!(
            parse_error(r#"invalid type: string "hunter2 \"x\" y", expected struct PodSpec at line 3"#),
            r#"invalid type: string "…", expected struct PodSpec at line 3"#
        );
        assert_eq!(parse_error("missing field `name`"), "missing field `name`");
    }

    #[test]
    fn prefixed_and_quoted_names_lose_their_values() {
        for (text, secret) in [
            ("DB_PASSWORD=Ut+covE8mcspk+3aIaPpc3Hh", "Ut+covE8"),
            ("AZURE_CLIENT_SECRET=.iuH8wvzttL34SL_qfA2e", "iuH8wvzt"),
            ("clientSecret: .iuH8wvzttL34SL_qfA2e", "iuH8wvzt"),
            (
                r#"AuthFailure: \"SecretAccessKey\": \"u3HAs2lKBcf+zIZkJpJj\""#,
                "u3HAs2lK",
            ),
            (r#"{"aadClientSecret":"u3HAs2lKBcf+zIZkJpJj"}"#, "u3HAs2lK"),
            ("aws_secret_access_key = u3HAs2lKBcf+zIZkJpJj", "u3HAs2lK"),
            ("Authorization: Basic dXNlcjpodW50ZXIyaHVudGVyMg==", "dXNlcjpo"),
            ("--token=abcdefghijklmnopqrstuvwx", "abcdefgh"),
        ] {
            let l = line(text);
            assert!(!l.contains(secret), "{text} -> {l}");
            assert!(l.contains("[redacted]"), "{text} -> {l}");
        }
        assert_eq!(
            line("Invalid client secret provided."),
            "Invalid client secret provided."
        );
    }
}
