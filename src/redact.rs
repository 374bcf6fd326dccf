//! The one place where bundle text becomes something safe to print. Secret material becomes
//! a fingerprint or a shortened form; free text (log lines, status messages, parse errors)
//! becomes a [`Shown`], which only this module can make: structure is kept, values that a
//! secret-like key names, credentials in URLs and headers, tokens, keys and long
//! high-entropy runs are masked.

use std::fmt;
use std::sync::LazyLock;

use base64::Engine;
use regex::{Captures, Regex};
use serde::Serialize;

use crate::model::Fingerprint;

/// What a masked value is replaced with.
pub const MASK: &str = "[redacted]";

/// Bundle-derived text that went through the redactor: the only way to make one is
/// [`Shown::redacted`] (or [`Shown::default`], empty). Findings hold their message as one,
/// so text that skipped the redactor cannot become a message.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Shown(String);

impl Shown {
    /// `text` with every secret shape masked (see [`line`]).
    pub fn redacted(text: &str) -> Self {
        Shown(line(text))
    }

    /// The redacted text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Shown {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Shown> for String {
    fn from(s: Shown) -> String {
        s.0
    }
}

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

/// A name that says its value is secret: it ends in one of these words, optionally followed
/// by a suffix naming the value's form (`client-key-data`, `SECRET_VALUE`).
const SECRET_NAME: &str = r"[A-Za-z0-9_.\-]*(?:password|passwd|passphrase|pass|pwd|secret|token|auth|authorization|credentials?|cookie|session(?:[_.\-]?id)?|bearer|private|privatekey|api[_.\-]?key|apikey|key|sig|signature)(?:[_.\-]?(?:value|data|string|b64|base64))?";

/// A quote, possibly JSON-escaped once or more (`"`, `\"`, `\\\"`, `'`).
const Q: &str = r#"(?:\\*["'])"#;

fn re(p: &str) -> Regex {
    #[allow(clippy::expect_used)] // the patterns are constants, covered by the tests below
    Regex::new(p).expect("redaction pattern")
}

static PEM: LazyLock<Regex> =
    LazyLock::new(|| re(r"-----BEGIN [A-Z0-9 ]{1,64}-----[\s\S]*?(?:-----END [A-Z0-9 ]{1,64}-----|$)"));
/// `-----BEGIN` base64-encoded, as in a Secret's `tls.key` value.
static PEM_B64: LazyLock<Regex> = LazyLock::new(|| re(r"LS0tLS1CRUdJT[A-Za-z0-9+/=\\]*"));
static JWT: LazyLock<Regex> =
    LazyLock::new(|| re(r"eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.?[A-Za-z0-9_\-]*"));
/// `Authorization:` / `Proxy-Authorization:` headers: the whole value, any scheme.
static AUTH_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r#"(?i)((?:proxy-)?authorization{Q}?\s*[:=]\s*{Q}?)[^\r\n]*"#
    ))
});
/// `Bearer x`, `Basic x`, `token x` in free text.
static SCHEME: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(bearer|basic|token|digest|negotiate)(\s+)[A-Za-z0-9\-_.=+/~:]{6,}"));
/// `scheme://user:pass@host` and `scheme://token@host`.
static USERINFO: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@?#]+@"));
/// `curl -u user:pass`, `--user user:pass`.
static USER_FLAG: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?:^|\s)(-u|--user|--proxy-user)(=|\s*)(["']?)[^\s"']+"#));
/// An env dump's `value` next to a secret-like `name` (JSON or YAML, one line or several).
static ENV_PAIR: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r#"(?i)({Q}?name{Q}?\s*[:=]\s*{Q}?{SECRET_NAME}{Q}?[\s,]*(?:-\s*)?{Q}?value{Q}?\s*[:=]\s*)({Q}?)((?:\\.|[^"'\\\r\n])*)"#
    ))
});
/// `--token value`, `--db-password=value`: a flag whose name ends in a secret word.
static FLAG: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r#"(?i)(--{SECRET_NAME})(=|\s+)({Q}?)[^\s"'\\]+"#)));
/// `key=value`, `key: value`, `"key":"value"` (also with escaped quotes) whose key names a
/// secret. The value runs to its closing quote, or (unquoted) to the end of the line.
static KEY_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r#"(?i)(^|[^A-Za-z0-9_.\-/~])({Q}?)({SECRET_NAME})({Q}?\s*(?::|=|=>)\s*)({Q}?)((?:\\[^"']|[^"'\\\r\n])*)"#
    ))
});
static AWS_KEY_ID: LazyLock<Regex> = LazyLock::new(|| re(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b"));
/// Candidates for the high-entropy rule: runs of base64, base64url or hex characters.
static RUN: LazyLock<Regex> = LazyLock::new(|| re(r"[A-Za-z0-9+/=_\-]{32,}"));

/// Key names that end in a secret word but name something harmless.
fn harmless_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    let k = k.trim_matches(|c| c == '"' || c == '\'' || c == '\\');
    ["bypass", "compass", "monkey", "hotkey"]
        .iter()
        .any(|w| k.ends_with(w))
}

/// A value that is a placeholder, a reference or our own mask, not a secret.
fn harmless_value(v: &str) -> bool {
    let t = v.trim();
    t.is_empty() || t == MASK || t.starts_with("[redacted") || t == "<redacted>" || t == "***"
}

fn key_value(c: &Captures<'_>) -> String {
    let (pre, q1, key, sep, q2, val) = (&c[1], &c[2], &c[3], &c[4], &c[5], &c[6]);
    if harmless_value(val) {
        return c[0].to_string();
    }
    if harmless_key(key) {
        // The value may name a secret of its own (`hotkey: password=…`): this match took
        // the rest of the line, so look at it again.
        let val = KEY_VALUE.replace_all(val, key_value);
        return format!("{pre}{q1}{key}{sep}{q2}{val}");
    }
    // `key: value` where the key is plain `key`/`pass`/`sig` and the value is a short word
    // (a YAML `key: kubernetes.io/hostname` selector) would be masked too: over-masking is
    // the safe side.
    // A bare English word before `: ` is often prose (`rejected the configured credentials:
    // InvalidClientTokenId …`): there only the first word is masked, not the sentence.
    let word = key
        .trim_matches(|c| c == '"' || c == '\'' || c == '\\')
        .to_ascii_lowercase();
    let prose = [
        "credentials",
        "credential",
        "token",
        "auth",
        "session",
        "key",
        "cookie",
        "secret",
        "private",
    ];
    if q2.is_empty() && sep.contains(':') && prose.contains(&word.as_str()) {
        let first = val.split_whitespace().next().unwrap_or("");
        let rest = val.trim_start().get(first.len()..).unwrap_or("");
        // The rest was part of this match: look at it again for secrets of its own.
        let rest = KEY_VALUE.replace_all(rest, key_value);
        return format!("{pre}{q1}{key}{sep}{MASK}{rest}");
    }
    format!("{pre}{q1}{key}{sep}{q2}{MASK}")
}

/// Shannon entropy of `s`, in bits per character.
fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Whether a run of base64/hex characters looks like key material: 32 or more hex digits,
/// or mixed-case letters and digits with high entropy, or base64 that decodes to PEM.
fn high_entropy(run: &str) -> bool {
    let core = run.trim_matches(|c| c == '=' || c == '-' || c == '_' || c == '/');
    if core.len() < 32 {
        return false;
    }
    if core.bytes().all(|b| b.is_ascii_hexdigit()) {
        // Random hex carries ~4 bits a character; `aaaa…` or `0000…` is padding, not a key.
        return entropy(core) >= 3.0;
    }
    // Paths and kebab-case names: several separators, each piece short.
    let pieces = core.split(['/', '-', '_']).count();
    if pieces > 1 && core.split(['/', '-', '_']).all(|p| p.len() < 24) {
        return false;
    }
    let upper = core.bytes().any(|b| b.is_ascii_uppercase());
    let lower = core.bytes().any(|b| b.is_ascii_lowercase());
    let digit = core.bytes().any(|b| b.is_ascii_digit());
    (upper && lower && digit && entropy(core) >= 3.5) || decodes_to_pem(core)
}

fn decodes_to_pem(s: &str) -> bool {
    let head: String = s.chars().take(16).collect();
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(head.trim_end_matches('='))
        .is_ok_and(|b| b.starts_with(b"-----BEGIN"))
}

/// A log line, status message or other free text from the bundle with every secret shape
/// masked: PEM blocks (also base64-encoded), JWTs, `Authorization` headers, credentials in
/// URLs and `-u user:pass`, values named by a secret-like key (`key=value`, `key: value`,
/// `"key":"value"`, `--flag value`), env dumps' values next to a secret-like name, and long
/// high-entropy runs (not `sha256:` fingerprints). AWS access key ids are shortened.
pub fn line(text: &str) -> String {
    let mut s = text.to_string();
    let mut apply = |r: &Regex, f: &dyn Fn(&Captures<'_>) -> String| {
        if r.is_match(&s) {
            s = r.replace_all(&s, |c: &Captures<'_>| f(c)).into_owned();
        }
    };
    apply(&PEM, &|_| "[pem redacted]".to_string());
    apply(&PEM_B64, &|_| "[pem redacted]".to_string());
    apply(&JWT, &|_| "[jwt redacted]".to_string());
    apply(&AUTH_HEADER, &|c| format!("{}{MASK}", &c[1]));
    apply(&USERINFO, &|c| format!("{}{MASK}@", &c[1]));
    apply(&USER_FLAG, &|c| {
        let lead = if c[0].starts_with(char::is_whitespace) {
            &c[0][..1]
        } else {
            ""
        };
        format!("{lead}{}{}{}{MASK}", &c[1], &c[2], &c[3])
    });
    apply(&ENV_PAIR, &|c| {
        if harmless_value(&c[3]) {
            c[0].to_string()
        } else {
            format!("{}{}{MASK}", &c[1], &c[2])
        }
    });
    apply(&FLAG, &|c| format!("{}{}{}{MASK}", &c[1], &c[2], &c[3]));
    apply(&KEY_VALUE, &key_value);
    apply(&SCHEME, &|c| {
        let value = &c[0][c[1].len() + c[2].len()..];
        let word = c[1].eq_ignore_ascii_case("token") && value.bytes().all(|b| b.is_ascii_alphabetic());
        if word || harmless_value(value) {
            c[0].to_string()
        } else {
            format!("{}{}{MASK}", &c[1], &c[2])
        }
    });
    apply(&AWS_KEY_ID, &|c| partial(&c[0]));
    if RUN.is_match(&s) {
        let src = s.clone();
        let mut out = String::with_capacity(src.len());
        let mut last = 0;
        for m in RUN.find_iter(&src) {
            let fingerprint = src[..m.start()].ends_with("sha256:");
            if !fingerprint && high_entropy(m.as_str()) {
                out.push_str(&src[last..m.start()]);
                out.push_str(MASK);
                last = m.end();
            }
        }
        out.push_str(&src[last..]);
        s = out;
    }
    s
}

static PARSE_VALUE: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(missing field |duplicate field )?(`[^`]*`|"(?:[^"\\]|\\.)*")"#));

/// A parser's error message with the input values it quotes removed: serde says
/// ``invalid type: integer `84726193501837465`, expected a string`` or
/// `invalid type: string "<the value>"`, and the value may be a secret that sat in the wrong
/// field. The kind of value, the expected type, the names of missing fields and positions are
/// kept.
pub fn parse_error(message: &str) -> String {
    let (head, tail) = match message.find(", expected") {
        Some(i) => message.split_at(i),
        None => (message, ""),
    };
    let head = PARSE_VALUE.replace_all(head, |c: &Captures<'_>| match c.get(1) {
        Some(_) => c[0].to_string(),
        None if c[2].starts_with('"') => "\"…\"".to_string(),
        None => "`…`".to_string(),
    });
    line(&format!("{head}{tail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzz_found_password_after_a_key_named_key() {
        // Found by the `redact` fuzz target: a secret-like key (`hotkey:`) whose value is
        // itself `password=…`.
        let text = "1 server.go:150] Versio.20%%%26-06-15 11:58:02,38hotkey: password=w2x1gxx6156wwuwwwwwwggggggg\n 30.2[sos.report:setup] executing 'sos reto\n% pr--batch'\n";
        let out = line(text);
        assert!(!out.contains("w2x1gxx6156wwuwwwwwwggggggg"), "{out}");
        let out = line("hotkey: password=w2x1gxx6156wwuwwwwwwggggggg");
        assert!(!out.contains("w2x1gxx6156wwuwwwwwwggggggg"), "{out}");
    }

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
        let l = line("found key AKIAABCDEFGHIJKLWXYZ in env");
        assert!(l.contains("AKIA…WXYZ"), "{l}");
    }

    #[test]
    fn parse_errors_lose_the_values_they_quote() {
        assert_eq!(
            parse_error(r#"invalid type: string "hunter2 \"x\" y", expected struct PodSpec at line 3"#),
            r#"invalid type: string "…", expected struct PodSpec at line 3"#
        );
        assert_eq!(parse_error("missing field `name`"), "missing field `name`");
        let e =
            parse_error("invalid type: integer `84726193501837465`, expected a string at line 9 column 14");
        assert!(!e.contains("8472619"), "{e}");
        assert!(
            e.contains("integer") && e.contains("expected a string at line 9 column 14"),
            "{e}"
        );
    }

    /// The red-team shapes of issue 14, each with the secret that must not survive.
    pub(crate) const SHAPES: &[(&str, &str)] = &[
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
        (
            "dial https://admin:Wq9zPass77@registry.local/v2/ failed",
            "Wq9zPass77",
        ),
        ("kubelet --token 7hq2mzv9ktp3 --v=2", "7hq2mzv9ktp3"),
        ("run --password s3cr3tpw0rd", "s3cr3tpw0rd"),
        (
            r#"{"auths":{"reg.io":{"auth":"YWRtaW46aHVudGVyMg=="}}}"#,
            "YWRtaW46aHVudGVyMg",
        ),
        (
            r#"env {"name":"AWS_SECRET_ACCESS_KEY","value":"wJalrXUtnFEMI/K7MDENG"}"#,
            "wJalrXUtnFEMI",
        ),
        (r#"{\"name\":\"DB_PASS\",\"value\":\"plainpw-42\"}"#, "plainpw-42"),
        ("- name: API_TOKEN\n  value: tok-29871-zz", "tok-29871-zz"),
        (
            "GET /x Authorization: token ghp_R4nd0mT0k3nValue",
            "ghp_R4nd0mT0k3nValue",
        ),
        (
            "Proxy-Authorization: Digest username=\"u\", response=\"9f8e\"",
            "9f8e",
        ),
        ("curl -u deploy:Tr0ub4dor https://x", "Tr0ub4dor"),
        ("REDIS_PASS=redispw123 started", "redispw123"),
        ("login password=ab cd&ef=gh", "cd&ef"),
        (r#"{"password":"with space & amp"}"#, "space & amp"),
        (
            r#"{"tls.key":"LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2UUlCQURBTkJna3Foa2lHOXcwQkFRRUZBQVNDQktjd2dnU2pBZ0VBQW9JQkFRQzd"}"#,
            "LS0tLS1CRUdJTi",
        ),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----",
            "MIIEowIBAAKCAQEA7",
        ),
        (
            "jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
            "eyJzdWIiOiJ4In0",
        ),
        ("blob 9sK2mQx7Lp4Vt8Zr1Wn6Yb3Hc5Jd0FgTe", "9sK2mQx7Lp4Vt8Zr1Wn6"),
        (
            "digest 0123456789abcdef0123456789abcdef01",
            "0123456789abcdef0123",
        ),
        ("cookie: sid=abc123def456", "abc123def456"),
        ("set session_id=9a8b7c6d5e", "9a8b7c6d5e"),
        ("x-api-key: k3yv4lu3zz", "k3yv4lu3zz"),
        ("bootstrap token abcdef.0123456789abcdef", "0123456789abcdef"),
        (
            "error presenting token: route53 failed password=wy2twztxwRw36",
            "wy2twztxwRw36",
        ),
    ];

    #[test]
    fn red_team_shapes_lose_their_secrets() {
        for (text, secret) in SHAPES {
            let l = line(text);
            assert!(!l.contains(secret), "{text} -> {l}");
        }
    }

    #[test]
    fn harmless_text_stays_readable() {
        for text in [
            "Invalid client secret provided.",
            "kind: Secret",
            "secret default-token-p8s7d not found",
            "x509: certificate signed by unknown authority sha256:0123456789abcdef0123456789abcdef",
            "open /etc/kubernetes/pki/apiserver-kubelet-client.crt: no such file or directory",
            "Failed to get pod kube-system/kube-apiserver-master-01: pods \"kube-apiserver-master-01\" not found",
            "subject CN=kube-apiserver,O=system:masters",
            "dial tcp 10.0.0.1:6443: connect: connection refused",
            "token expired",
        ] {
            assert_eq!(line(text), text);
        }
    }
}
