//! AWS shared credentials files (`~/.aws/credentials`): INI sections of `key = value` lines,
//! flattened to `<profile>.<key>` so the cloud checks can validate every profile's keys.

use crate::artifact::EnvMap;

/// What one credentials file holds: `<profile>.<key>` → value (whitespace around names and
/// values trimmed, as the AWS SDKs read them), and the lines that are not INI, by number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AwsCredentials {
    /// `<profile>.<key>` → value.
    pub values: EnvMap,
    /// `line N: …` for each line the SDKs would refuse; the rest is still read.
    pub problems: Vec<String>,
}

/// Parses the text of a credentials file. Never fails: unreadable lines become problems.
///
/// `[default]` and `[name]` open a profile (`[profile name]`, the `~/.aws/config` spelling,
/// is accepted too); `#` and `;` start comments; indented lines continue a nested setting
/// and are skipped; assignments before the first section header are reported and dropped,
/// since the SDKs refuse such a file.
pub fn parse(text: &str) -> AwsCredentials {
    let mut out = AwsCredentials::default();
    let mut profile: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if raw.starts_with([' ', '\t']) && profile.is_some() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            match name.strip_suffix(']').map(str::trim) {
                Some(name) if !name.is_empty() => {
                    let name = name.strip_prefix("profile ").map_or(name, str::trim);
                    profile = Some(name.to_string());
                }
                _ => out.problems.push(format!("line {n}: malformed section header")),
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            out.problems.push(format!("line {n}: not a `key = value` line"));
            continue;
        };
        let Some(p) = &profile else {
            out.problems.push(format!(
                "line {n}: assignment before any [profile] section header"
            ));
            continue;
        };
        let key = key.trim();
        if key.is_empty() {
            out.problems.push(format!("line {n}: empty key"));
            continue;
        }
        out.values.insert(format!("{p}.{key}"), value.trim().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_are_flattened_and_bad_lines_reported() {
        let text = "orphan = 1\n# comment\n[default]\naws_access_key_id = AKIAEXAMPLEEXAMPLE12\n\
                    aws_secret_access_key=abc/def+ghi \n; another\n[profile dns]\n\
                    aws_access_key_id = ASIAEXAMPLEEXAMPLE34\ns3 =\n  max_concurrent_requests = 20\n\
                    garbage\n[broken\n";
        let c = parse(text);
        let got: Vec<(&str, &str)> = c.values.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            got,
            [
                ("default.aws_access_key_id", "AKIAEXAMPLEEXAMPLE12"),
                ("default.aws_secret_access_key", "abc/def+ghi"),
                ("dns.aws_access_key_id", "ASIAEXAMPLEEXAMPLE34"),
                ("dns.s3", ""),
            ]
        );
        assert_eq!(
            c.problems,
            [
                "line 1: assignment before any [profile] section header",
                "line 11: not a `key = value` line",
                "line 12: malformed section header",
            ]
        );
    }

    #[test]
    fn empty_and_binary_input_do_not_panic() {
        assert_eq!(parse(""), AwsCredentials::default());
        let c = parse(&String::from_utf8_lossy(&[0xff, 0xfe, b'[', b'\n', b'=']));
        assert!(c.values.is_empty());
        assert_eq!(c.problems.len(), 2);
    }
}
