//! No report leaks a secret: every format rendered on the incident replay is searched for each
//! secret value the fixture holds (the AWS secret access key, service-account tokens, private
//! keys), raw, base64-encoded, and as any 16-character piece of it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::collections::BTreeSet;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

const REPLAY: &str = "testdata/bundles/incident-replay";
const REPLAY_AT: &str = "2026-11-21T09:30:00Z";

fn render(format: &str) -> String {
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .args(["analyze", REPLAY, "--now", REPLAY_AT, "-o", format])
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The secret values of the fixture: Secret keys that hold tokens, private keys and cloud
/// secrets, and every private key file of the node trees.
fn fixture_secrets() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let text = std::fs::read_to_string(Path::new(REPLAY).join("cluster/secrets.yaml")).unwrap();
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    for item in doc["items"].as_sequence().unwrap() {
        let name = item["metadata"]["name"].as_str().unwrap_or("");
        let Some(data) = item["data"].as_mapping() else {
            continue;
        };
        for (k, v) in data {
            let key = k.as_str().unwrap_or("");
            let secret = key == "token"
                || key.ends_with(".key")
                || key.to_ascii_uppercase().contains("SECRET")
                || key.contains("private");
            if secret {
                let value = STANDARD.decode(v.as_str().unwrap_or("")).unwrap();
                out.push((format!("{name}#{key}"), value));
            }
        }
    }
    for entry in walkdir::WalkDir::new(REPLAY).into_iter().filter_map(Result::ok) {
        let p = entry.path();
        let is_key = p.extension().is_some_and(|x| x == "key")
            || p.file_name()
                .is_some_and(|n| n.to_string_lossy().contains("kubeconfig"));
        if entry.file_type().is_file() && is_key {
            let bytes = std::fs::read(p).unwrap();
            if p.extension().is_some_and(|x| x == "key") {
                out.push((p.display().to_string(), bytes));
            } else {
                // Kubeconfigs: their client-key-data and tokens.
                let text = String::from_utf8_lossy(&bytes);
                for line in text.lines() {
                    let l = line.trim();
                    for field in ["client-key-data:", "token:"] {
                        if let Some(v) = l.strip_prefix(field) {
                            out.push((format!("{} {field}", p.display()), v.trim().as_bytes().to_vec()));
                        }
                    }
                }
            }
        }
    }
    assert!(
        out.iter().any(|(n, _)| n.contains("AWS_SECRET_ACCESS_KEY")),
        "fixture changed: {out:?}"
    );
    assert!(out.iter().any(|(n, _)| n.ends_with("#token")));
    assert!(out.iter().any(|(n, _)| n.ends_with(".key")));
    out
}

/// The pieces of a secret that must never be printed: its text without PEM armour and line
/// breaks, and every 16-character window of it.
fn needles(value: &[u8]) -> (Vec<String>, BTreeSet<String>) {
    let text = String::from_utf8_lossy(value);
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat()
        .trim()
        .to_string();
    let whole = vec![body.clone(), STANDARD.encode(value)];
    let chars: Vec<char> = body.chars().collect();
    let windows = chars.windows(16).map(|w| w.iter().collect::<String>()).collect();
    (whole, windows)
}

#[test]
fn no_report_format_contains_a_fixture_secret() {
    let secrets = fixture_secrets();
    for format in ["json", "markdown", "table"] {
        let out = render(format);
        let out_windows: BTreeSet<String> = {
            let chars: Vec<char> = out.chars().collect();
            chars.windows(16).map(|w| w.iter().collect()).collect()
        };
        for (name, value) in &secrets {
            let (whole, windows) = needles(value);
            for w in whole.iter().filter(|w| w.len() >= 16) {
                assert!(!out.contains(w.as_str()), "{format} report contains {name}");
            }
            let leaked: Vec<&String> = windows.intersection(&out_windows).collect();
            assert!(
                leaked.is_empty(),
                "{format} report contains a piece of {name}: {leaked:?}"
            );
        }
    }
}
