//! No output leaks a secret. Every bundle in `testdata/bundles` (directories, and their
//! `.tar.gz` where there is one) is run through every report format of `analyze`, `certs`
//! and `timeline`; each output (stdout and stderr) is searched for every secret value the
//! bundle holds: raw, base64-encoded, and as any 16-character piece of it. None may appear.
//!
//! The secret values come from the bundles themselves (private keys in any file, Secret data
//! keys that hold keys, tokens, passwords or cloud credentials, kubeconfig `client-key-data`
//! and tokens, `.aws/credentials`), plus the list `expectations.json` keeps for
//! `secrets-everywhere`, the bundle made to hold every kind of secret in every place
//! (including pasted into log lines the log rules match).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod fixture_copy;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

const BUNDLES: &str = "testdata/bundles";

/// `(command, format)` pairs rendered for every bundle directory.
const RUNS: &[(&str, &str)] = &[
    ("analyze", "table"),
    ("analyze", "markdown"),
    ("analyze", "json"),
    ("analyze", "html"),
    ("certs", "table"),
    ("certs", "markdown"),
    ("certs", "json"),
    ("certs", "html"),
    ("timeline", "table"),
    ("timeline", "markdown"),
    ("timeline", "json"),
    ("timeline", "html"),
];

/// Stdout and stderr of one run (which must not fail with 2).
fn render(cmd: &str, format: &str, input: &Path) -> String {
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .args([cmd, "-q", "--stats", "-o", format])
        .arg(input)
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(2),
        "{cmd} -o {format} {}: {}",
        input.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

// ---------------------------------------------------------------------------------------
// Finding the secrets a bundle holds.

/// Names of Secret data keys, JSON fields and env vars whose value is secret.
fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "token"
        || n.ends_with(".key")
        || n.ends_with("key.json")
        || n == "azure.json"
        || n == ".dockerconfigjson"
        || ["secret", "password", "private", "client-key-data"]
            .iter()
            .any(|w| n.contains(w))
}

/// Every PEM private key block in `text`.
fn private_keys(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let block = &rest[start..];
        let Some(end) = block.find("-----END ") else { break };
        let close = block[end..].find("\n").map_or(block.len(), |i| end + i);
        let pem = &block[..close];
        if pem.lines().next().is_some_and(|l| l.contains("PRIVATE KEY")) {
            out.push(pem.to_string());
        }
        rest = &block[close..];
    }
    out
}

/// The secret parts of a decoded value: its private keys, and for a JSON document the
/// values of its secret fields; otherwise the whole value.
fn secret_parts(name: &str, value: &[u8], out: &mut BTreeMap<String, Vec<u8>>) {
    let text = String::from_utf8_lossy(value);
    let keys = private_keys(&text);
    if let Ok(Value::Object(doc)) = serde_json::from_slice::<Value>(value) {
        for (k, v) in &doc {
            if secret_name(k) {
                let s = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                secret_parts(&format!("{name}.{k}"), s.as_bytes(), out);
            }
        }
        return;
    }
    if !keys.is_empty() {
        for (i, k) in keys.into_iter().enumerate() {
            out.insert(format!("{name}[{i}]"), k.into_bytes());
        }
        return;
    }
    out.insert(name.to_string(), value.to_vec());
}

/// Walks a YAML/JSON value for Secrets (`data`, `stringData`), kubeconfig users and env
/// vars, collecting their secret values.
fn walk(at: &str, v: &Value, out: &mut BTreeMap<String, Vec<u8>>) {
    match v {
        Value::Object(m) => {
            let kind = m.get("kind").and_then(Value::as_str);
            if kind == Some("ConfigMap") {
                for (k, val) in m.get("data").and_then(Value::as_object).into_iter().flatten() {
                    if let Some(s) = val.as_str().filter(|_| secret_name(k)) {
                        secret_parts(&format!("{at} ConfigMap#{k}"), s.as_bytes(), out);
                    }
                }
            }
            if kind == Some("Secret") {
                for (field, decode) in [("data", true), ("stringData", false)] {
                    for (k, val) in m.get(field).and_then(Value::as_object).into_iter().flatten() {
                        let Some(s) = val.as_str() else { continue };
                        if !secret_name(k) {
                            continue;
                        }
                        let bytes = if decode {
                            STANDARD
                                .decode(s.split_whitespace().collect::<String>())
                                .unwrap_or_default()
                        } else {
                            s.as_bytes().to_vec()
                        };
                        secret_parts(&format!("{at} Secret#{k}"), &bytes, out);
                    }
                }
            }
            if let Some(user) = m.get("user").and_then(Value::as_object) {
                if let Some(k) = user.get("client-key-data").and_then(Value::as_str) {
                    let bytes = STANDARD.decode(k.trim()).unwrap_or_default();
                    secret_parts(&format!("{at} client-key-data"), &bytes, out);
                }
                if let Some(t) = user.get("token").and_then(Value::as_str) {
                    out.insert(format!("{at} token"), t.as_bytes().to_vec());
                }
            }
            if let (Some(name), Some(value)) = (
                m.get("name").and_then(Value::as_str),
                m.get("value").and_then(Value::as_str),
            ) {
                if secret_name(name) {
                    out.insert(format!("{at} env {name}"), value.as_bytes().to_vec());
                }
            }
            for (k, child) in m {
                walk(&format!("{at}.{k}"), child, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(at, item, out);
            }
        }
        _ => {}
    }
}

/// The secret values of the bundle directory `dir`, by where they were found.
fn bundle_secrets(dir: &Path, listed: Option<&Value>) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        let p = entry.path();
        let Ok(bytes) = std::fs::read(p) else { continue };
        let name = p.display().to_string();
        let text = String::from_utf8_lossy(&bytes);
        for (i, k) in private_keys(&text).into_iter().enumerate() {
            out.insert(format!("{name} key[{i}]"), k.into_bytes());
        }
        if name.ends_with(".aws/credentials") {
            for line in text.lines() {
                if let Some((k, v)) = line.split_once('=') {
                    if secret_name(k.trim()) || k.trim() == "aws_secret_access_key" {
                        out.insert(format!("{name} {}", k.trim()), v.trim().as_bytes().to_vec());
                    }
                }
            }
        }
        let structured = [".yaml", ".yml", ".json", ".conf"]
            .iter()
            .any(|x| name.ends_with(x))
            || name.contains("kubeconfig");
        if structured {
            // (After an error the document iterator repeats it forever: stop there.)
            for doc in serde_yaml::Deserializer::from_slice(&bytes) {
                let Ok(v) = <Value as serde::Deserialize>::deserialize(doc) else {
                    break;
                };
                walk(&name, &v, &mut out);
            }
        }
    }
    if let Some(Value::Object(list)) = listed {
        for (k, v) in list {
            out.insert(
                format!("expectations: {k}"),
                v.as_str().unwrap().as_bytes().to_vec(),
            );
        }
    }
    // Scrubbed placeholders and tiny values are not secrets worth a search.
    out.retain(|_, v| v.len() >= 12 && !v.iter().all(|&b| b == b'*'));
    out
}

// ---------------------------------------------------------------------------------------
// Searching.

/// Whole values and 16-byte windows, each with the name of the secret it comes from.
type Needles<'a> = (Vec<(Vec<u8>, &'a str)>, HashMap<Vec<u8>, &'a str>);

/// What must never be printed, as byte strings: the value without PEM armour and line
/// breaks, its base64, and every 16-byte window of the former, each with the secret's name.
fn needles(secrets: &BTreeMap<String, Vec<u8>>) -> Needles<'_> {
    let mut whole = Vec::new();
    let mut windows = HashMap::new();
    for (name, value) in secrets {
        let text = String::from_utf8_lossy(value);
        let body: String = text
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .map(str::trim)
            .collect::<Vec<_>>()
            .concat();
        for w in body.as_bytes().windows(16) {
            windows.insert(w.to_vec(), name.as_str());
        }
        whole.push((body.into_bytes(), name.as_str()));
        whole.push((STANDARD.encode(value).into_bytes(), name.as_str()));
    }
    whole.retain(|(w, _)| w.len() >= 16);
    (whole, windows)
}

/// Asserts that `out` (what `what` printed) holds no piece of any secret.
fn assert_clean(what: &str, out: &str, secrets: &BTreeMap<String, Vec<u8>>) {
    let (whole, windows) = needles(secrets);
    let out = out.as_bytes();
    for (w, name) in &whole {
        assert!(memchr::memmem::find(out, w).is_none(), "{what} contains {name}");
    }
    let leaked: BTreeSet<(&str, String)> = out
        .windows(16)
        .filter_map(|w| {
            windows
                .get(w)
                .map(|n| (*n, String::from_utf8_lossy(w).into_owned()))
        })
        .collect();
    assert!(leaked.is_empty(), "{what} contains pieces of secrets: {leaked:?}");
}

fn bundle_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(BUNDLES)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn no_output_of_any_bundle_contains_a_secret() {
    let expectations: Value =
        serde_json::from_slice(&std::fs::read(Path::new(BUNDLES).join("expectations.json")).unwrap())
            .unwrap();
    let dirs = bundle_dirs();
    assert!(dirs.iter().any(|d| d.ends_with("secrets-everywhere")));
    let jobs: Vec<(PathBuf, BTreeMap<String, Vec<u8>>)> = dirs
        .into_iter()
        .map(|d| {
            let name = d.file_name().unwrap().to_string_lossy().into_owned();
            let secrets = bundle_secrets(&d, expectations[&name].get("secrets"));
            (d, secrets)
        })
        .collect();
    // The search is only as good as what it searches for.
    let everywhere = &jobs
        .iter()
        .find(|(d, _)| d.ends_with("secrets-everywhere"))
        .unwrap()
        .1;
    for kind in [
        "rsa.key",
        "ec.key",
        "ed25519.key",
        "client-key-data",
        "tls.key",
        "Secret#token",
        "env AWS_SECRET_ACCESS_KEY",
        "aws_secret_access_key",
        "Secret#key.json.private_key",
        "aadClientSecret",
        "AZURE_CLIENT_SECRET",
        "Secret#password",
        " token",
    ] {
        assert!(
            everywhere.keys().any(|k| k.contains(kind)),
            "secrets-everywhere lost its {kind}: {:?}",
            everywhere.keys()
        );
    }
    let replay = &jobs
        .iter()
        .find(|(d, _)| d.ends_with("incident-replay"))
        .unwrap()
        .1;
    assert!(replay.keys().any(|k| k.contains("AWS_SECRET_ACCESS_KEY")));

    std::thread::scope(|s| {
        for (dir, secrets) in &jobs {
            s.spawn(move || {
                for (cmd, format) in RUNS {
                    let out = render(cmd, format, dir);
                    assert_clean(&format!("{cmd} -o {format} {}", dir.display()), &out, secrets);
                }
                let gz = dir.with_extension("tar.gz");
                if gz.exists() {
                    let out = render("analyze", "json", &gz);
                    assert_clean(&format!("analyze -o json {}", gz.display()), &out, secrets);
                }
            });
        }
    });
}

// ---------------------------------------------------------------------------------------
// The red-team shapes of issue 14, in a copy of `secrets-everywhere`.

/// `(log line text, the secret in it)`: each shape pasted into log lines the log rules
/// match and into Pod and Node status messages.
const SHAPES: &[(&str, &str)] = &[
    (
        "dial https://admin:Wq9zPassWd77x@registry.local/v2/",
        "Wq9zPassWd77x",
    ),
    ("kubelet --token 7hq2mzv9ktp3xq --v=2", "7hq2mzv9ktp3xq"),
    // Hostile round 3 (N1): option, spaced, contained-keyword, encoded and bare-token forms.
    ("mysql -uroot -pHunterPw77zz failed", "HunterPw77zz"),
    ("sshpass -p hunter13plainsecret ssh", "hunter13plainsecret"),
    ("redis-cli -a hunter6plainsecret", "hunter6plainsecret"),
    ("the password is hunter4plainsecret", "hunter4plainsecret"),
    (
        "Password for user admin: hunter23plainsecret",
        "hunter23plainsecret",
    ),
    ("SECRET_KEY_BASE=hunter2plainsecret", "hunter2plainsecret"),
    ("client_secret_id=hunter8plainsecret", "hunter8plainsecret"),
    ("password\u{FF1A}hunter7plainsecret", "hunter7plainsecret"),
    (r"pass\u0077ord=hunter12plainsecret", "hunter12plainsecret"),
    ("PASSWORD%3Dhunter17plainsecret", "hunter17plainsecret"),
    ("password&#61;hunter18plainsecret", "hunter18plainsecret"),
    ("used abcdef.0123456789abcdef to join", "0123456789abcdef"),
    ("user:hunter38plainzz@10.0.0.1", "hunter38plainzz"),
    ("xoxb-hunter22-plainsecret", "hunter22-plainsecret"),
    // Hostile round 4: other CLIs' credential options, XML, reversed env pairs, escaped
    // quotes, URL-encoded JSON.
    (
        "docker login -u admin -p hunter2xplain registry.io",
        "hunter2xplain",
    ),
    (
        "ldapsearch -x -D cn=admin,dc=example,dc=org -w hunter2gplain -b dc=x",
        "hunter2gplain",
    ),
    ("smbclient //srv/share -U admin%hunter2hplain", "hunter2hplain"),
    ("<password>hunter2kplain</password>", "hunter2kplain"),
    (
        r#"{"value":"hunter2pplain","name":"DB_PASSWORD"}"#,
        "hunter2pplain",
    ),
    (r#"password="ab\"hunter2oplain""#, "hunter2oplain"),
    ("%7B%22password%22%3A%22hunter2lplain%22%7D", "hunter2lplain"),
    ("run --password s3cr3tpw0rdzz", "s3cr3tpw0rdzz"),
    (
        r#"{"auths":{"reg.io":{"auth":"YWRtaW46aHVudGVyMmh1bnRlcg=="}}}"#,
        "YWRtaW46aHVudGVyMmh1bnRlcg==",
    ),
    (
        r#"env {"name":"AWS_SECRET_ACCESS_KEY","value":"wJalrXUtnFEMIK7MDENGbPxRfiCY"}"#,
        "wJalrXUtnFEMIK7MDENGbPxRfiCY",
    ),
    (
        "GET /x Authorization: token ghp_R4nd0mT0k3nValue9",
        "ghp_R4nd0mT0k3nValue9",
    ),
    ("curl -u deploy:Tr0ub4dorAnd3 https://x", "Tr0ub4dorAnd3"),
    ("REDIS_PASS=redispw123456 started", "redispw123456"),
    ("login password=abcdefg hijklmn&opq=rstu", "hijklmn&opq=rstu"),
    (
        r#"{"tls.key":"LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2UUlCQURBTkJna3Foa2lHOXcwQkFRRUZBQVNDQktjd2dnU2pBZ0VBQW9JQkFRQzd"}"#,
        "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2UUlCQURBTkJna3Foa2lHOXcwQkFRRUZBQVNDQktjd2dnU2pBZ0VBQW9JQkFRQzd",
    ),
];

/// A folder holding `cluster-a`, a copy of `secrets-everywhere` with every shape in the kubelet log (after an error the
/// x509 rule matches) and in a Pod's status messages, and a Pod whose env value is a bare
/// integer (a parse error must not quote it).
fn hostile_bundle() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("cluster-a");
    let src = Path::new(BUNDLES).join("secrets-everywhere");
    fixture_copy::copy_tree(&src, &root);
    let log = root.join("node-1/var/log/kubelet.log");
    let mut text = std::fs::read_to_string(&log).unwrap();
    for (i, (shape, _)) in SHAPES.iter().enumerate() {
        text.push_str(&format!(
            "E0310 08:{i:02}:00.000000    1201 tls.go:9] x509: certificate signed by unknown authority; {shape}\n"
        ));
    }
    std::fs::write(&log, text).unwrap();
    let mut pods = String::from("apiVersion: v1\nkind: List\nitems:\n");
    for (i, (shape, _)) in SHAPES.iter().enumerate() {
        let msg = serde_json::to_string(shape).unwrap();
        pods.push_str(&format!(
            "- apiVersion: v1\n  kind: Pod\n  metadata: {{name: leaky-{i}, namespace: kube-system}}\n  spec:\n    containers:\n    - {{name: app, image: app:1}}\n  status:\n    phase: Failed\n    reason: Evicted\n    message: {msg}\n    conditions:\n    - {{type: Ready, status: \"False\", reason: ContainersNotReady, message: {msg}}}\n    containerStatuses:\n    - name: app\n      ready: false\n      restartCount: 9\n      state: {{waiting: {{reason: CrashLoopBackOff, message: {msg}}}}}\n      lastState: {{terminated: {{exitCode: 1, reason: Error, message: {msg}}}}}\n"
        ));
    }
    for (i, (shape, _)) in SHAPES.iter().enumerate() {
        let msg = serde_json::to_string(shape).unwrap();
        pods.push_str(&format!(
            "- apiVersion: v1\n  kind: Node\n  metadata: {{name: leaky-node-{i}}}\n  status:\n    conditions:\n    - {{type: Ready, status: \"False\", reason: KubeletNotReady, message: {msg}}}\n    - {{type: DiskPressure, status: \"True\", reason: Hostile, message: {msg}}}\n"
        ));
    }
    pods.push_str("- apiVersion: v1\n  kind: Pod\n  metadata: {name: numeric, namespace: kube-system}\n  spec:\n    containers:\n    - name: app\n      image: app:1\n      env:\n      - {name: PIN, value: 84726193501837465}\n");
    std::fs::write(root.join("cluster/pods-hostile.yaml"), pods).unwrap();
    tmp
}

/// Every form of `secret` that must not be printed: raw, base64, URL-encoded, and every
/// 12-character window.
fn forms(secret: &str) -> Vec<String> {
    let mut out = vec![secret.to_string(), STANDARD.encode(secret), url_encoded(secret)];
    let chars: Vec<char> = secret.chars().collect();
    for w in chars.windows(12) {
        out.push(w.iter().collect());
    }
    out
}

fn url_encoded(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn red_team_shapes_never_reach_any_output() {
    let tmp = hostile_bundle();
    let bundle = tmp.path().join("cluster-a");
    let mut runs: Vec<(&str, &str, &Path)> = RUNS.iter().map(|(c, f)| (*c, *f, bundle.as_path())).collect();
    runs.extend(["table", "markdown", "json", "html"].map(|f| ("audit", f, tmp.path())));
    runs.push(("timeline", "html", tmp.path()));
    let mut saw_status = false;
    for (cmd, format, input) in runs {
        let out = assert_cmd::Command::cargo_bin("kubetriage")
            .unwrap()
            .args([cmd, "-q", "--now", "2024-03-11T00:00:00Z", "-o", format])
            .arg(input)
            .output()
            .unwrap();
        let text = format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        saw_status |= text.contains("leaky-");
        for (shape, secret) in SHAPES {
            for form in forms(secret) {
                assert!(
                    !text.contains(&form),
                    "{cmd} -o {format}: {shape:?} leaks {form:?}"
                );
            }
        }
        for form in forms("84726193501837465") {
            assert!(
                !text.contains(&form),
                "{cmd} -o {format}: the numeric env value leaks"
            );
        }
    }
    assert!(saw_status, "the hostile Pods were not reported at all");
}

// ---------------------------------------------------------------------------------------
// Output escaping: hostile names are shown, never obeyed.

/// A name made to attack a terminal or a markdown renderer: ESC, OSC 8 and OSC 52, CR,
/// U+202E, backticks, a newline with a heading, raw HTML, a link and an image.
const EVIL: &str = "evil\x1b[31m\x1b]8;;http://evil\x07x\x1b]52;c;ZXZpbA==\x07\r\u{202e}``\n# owned <img src=x> [link](http://evil) ![i](http://evil/i)";

fn hostile_names() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("b");
    let src = Path::new(BUNDLES).join("secrets-everywhere");
    fixture_copy::copy_tree(&src, &root);
    let one_line = EVIL.replace('\n', " ");
    std::fs::write(root.join("node-1/etc/hostname"), format!("{one_line}\n")).unwrap();
    let log = root.join("node-1/var/log/kubelet.log");
    let mut text = std::fs::read_to_string(&log).unwrap();
    text.push_str(&format!(
        "E0310 09:00:00.000000    1201 tls.go:9] x509: certificate signed by unknown authority {one_line}\n"
    ));
    std::fs::write(&log, text).unwrap();
    // A file whose name is hostile (no `/` in a file name) holding a certificate whose CN and
    // SAN are.
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, EVIL);
    params.subject_alt_names = vec![rcgen::SanType::DnsName(
        rcgen::string::Ia5String::try_from("evil\x1b]8;;http://evil\x07`x`.example".to_string()).unwrap(),
    )];
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let name = format!("{}.crt", EVIL.replace(['/', '\n'], "_"));
    std::fs::write(root.join("node-1/etc/kubernetes/pki").join(name), cert.pem()).unwrap();
    let secrets = root.join("cluster/secrets-hostile.yaml");
    std::fs::write(
        secrets,
        format!(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  type: kubernetes.io/tls\n  metadata: {{name: {}, namespace: default}}\n  data: {{tls.crt: {}}}\n",
            serde_json::to_string(EVIL).unwrap(),
            STANDARD.encode(cert.pem())
        ),
    )
    .unwrap();
    tmp
}

/// Whether markdown `text` has a heading, link, image or raw HTML node made of bundle data
/// (anything holding "evil" or "owned").
/// HTML that kubetriage itself writes into markdown.
fn ours(h: &str) -> bool {
    let h = h.trim();
    h == "<br>" || h == "</details>" || (h.starts_with("<details><summary>") && h.ends_with("</summary>"))
}

fn markdown_injections(text: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Parser, Tag};
    let mut found = Vec::new();
    let mut in_heading = false;
    for ev in Parser::new(text) {
        match ev {
            Event::Start(Tag::Heading { .. }) => in_heading = true,
            Event::End(_) => in_heading = false,
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })
                if dest_url.contains("evil") =>
            {
                found.push(format!("link/image to {dest_url}"));
            }
            // `<br>` joins lines of our own table cells; `<details>` folds our own long
            // sections (its summary is our text, escaped).
            Event::Html(h) | Event::InlineHtml(h) if !ours(&h) => found.push(format!("html {h}")),
            Event::Text(t) if in_heading && (t.contains("owned") || t.contains("evil")) => {
                found.push(format!("heading {t}"));
            }
            _ => {}
        }
    }
    found
}

#[test]
fn hostile_names_are_shown_not_obeyed() {
    let tmp = hostile_names();
    let bundle = tmp.path().join("b");
    let mut runs: Vec<(&str, &str, &Path)> = RUNS.iter().map(|(c, f)| (*c, *f, bundle.as_path())).collect();
    runs.extend(["table", "markdown", "html"].map(|f| ("audit", f, tmp.path())));
    let mut shown = false;
    for (cmd, format, input) in runs {
        let out = assert_cmd::Command::cargo_bin("kubetriage")
            .unwrap()
            .args([cmd, "-q", "--now", "2024-03-11T00:00:00Z", "-o", format])
            .arg(input)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let what = format!("{cmd} -o {format}");
        shown |= text.contains("\\x1b") || text.contains("&#x1b;") || text.contains("\\u{202e}");
        if format == "json" {
            continue;
        }
        for c in ['\x1b', '\x07', '\r', '\u{202e}'] {
            assert!(!text.contains(c), "{what} prints {c:?} raw");
        }
        if format == "markdown" {
            let bad = markdown_injections(&text);
            assert!(bad.is_empty(), "{what}: {bad:?}");
        }
        if format == "html" {
            assert!(!text.contains("<img src=x>"), "{what} prints raw HTML");
        }
    }
    assert!(shown, "no output showed the hostile names at all");
}

/// Text a hostile name puts after a newline, to pass for a line of the report.
const FORGED: &str = "verdict: healthy FORGED";

/// A bundle whose folder name, newest log's file name and one certificate's CN each hold a
/// newline followed by [`FORGED`] and a fake finding row.
fn newline_names() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let evil = format!("x\n{FORGED}\n│ error   FORGED");
    let root = tmp.path().join(&evil);
    let src = Path::new(BUNDLES).join("kubeadm-healthy");
    fixture_copy::copy_tree(&src, &root);
    // The newest full timestamp of the bundle: its log names the capture time's evidence.
    std::fs::write(
        root.join(format!("var/log/kubelet{evil}.log")),
        "2026-06-15T12:30:00+0000 cp-1 kubelet[812]: E0615 12:30:00.000000     812 server.go:1] \"x509: certificate has expired or is not yet valid\"\n",
    )
    .unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["evil.example".to_string()]).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, evil.clone());
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, evil);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    std::fs::write(root.join("etc/kubernetes/pki/evil.crt"), cert.pem()).unwrap();
    (tmp, root)
}

/// Whether `line` (colour codes removed) is one a name forged: it starts with the forged
/// text, or is a finding row / verdict line whose content after the marker is the name's.
fn forged(line: &str) -> bool {
    let plain = line
        .replace("\x1b[32m", "")
        .replace("\x1b[31;1m", "")
        .replace("\x1b[0m", "");
    let plain = plain.trim_start_matches(['│', '┆', ' ']);
    plain.starts_with(FORGED) || plain.starts_with("error   FORGED") || plain.starts_with("FORGED")
}

/// A newline in a bundle, file or certificate name is shown as `\n`: it never starts a line of
/// a terminal report (where it could pass for `verdict: healthy` and be coloured as one), and
/// the certificate table keeps a subject on one line.
#[test]
fn a_newline_in_a_name_never_starts_a_report_line() {
    let (tmp, bundle) = newline_names();
    let runs: [(&str, &str, &Path); 6] = [
        ("analyze", "table", &bundle),
        ("analyze", "wide", &bundle),
        ("certs", "table", &bundle),
        ("timeline", "table", &bundle),
        ("audit", "table", tmp.path()),
        ("audit", "wide", tmp.path()),
    ];
    let mut shown = 0;
    for (cmd, format, input) in runs {
        let out = assert_cmd::Command::cargo_bin("kubetriage")
            .unwrap()
            .env("COLUMNS", "400")
            .args([cmd, "-q", "--color", "always", "-o", format])
            .arg(input)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let bad: Vec<&str> = text.lines().filter(|l| forged(l)).collect();
        assert!(bad.is_empty(), "{cmd} -o {format}: forged lines {bad:#?}\n{text}");
        shown += usize::from(text.contains(&format!("\\n{FORGED}")));
    }
    assert!(shown >= 4, "the names were not shown escaped ({shown} runs)");
    // `diff`'s terminal form: its finding lines and "not checked after:" gaps (an unreadable
    // file whose name carries the newline) (hostile round 3, M3).
    let evil = format!("x\n{FORGED}\n│ error   FORGED");
    std::fs::write(
        bundle.join(format!("etc/kubernetes/manifests/bad{evil}.yaml")),
        "apiVersion: v1\nkind: Pod\nspec: [unclosed\n",
    )
    .unwrap();
    let before = Path::new(BUNDLES).join("kubeadm-healthy");
    for format in ["table", "wide"] {
        let out = assert_cmd::Command::cargo_bin("kubetriage")
            .unwrap()
            .args(["diff", "-q", "--color", "always", "-o", format])
            .arg(&before)
            .arg(&bundle)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let bad: Vec<&str> = text.lines().filter(|l| forged(l)).collect();
        assert!(bad.is_empty(), "diff -o {format}: forged lines {bad:#?}\n{text}");
        assert!(text.contains(&format!("\\n{FORGED}")), "diff -o {format}: {text}");
    }
}

/// Messages on stderr name the bundle or report they are about; a hostile file name (ESC,
/// an OSC 52 clipboard write, CR, newline) is shown escaped there too.
#[test]
fn stderr_shows_hostile_file_names_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let name = format!("bad\x1b]52;c;cm0gLXJmIC8=\x07\r\n{FORGED}\u{202e}");
    let bundle = tmp.path().join(format!("{name}.tar.gz"));
    std::fs::write(&bundle, "not an archive").unwrap();
    let report = tmp.path().join(format!("{name}.json"));
    std::fs::write(&report, "{").unwrap();
    let runs: [&[&std::ffi::OsStr]; 3] = [
        &["analyze".as_ref(), bundle.as_os_str()],
        &["certs".as_ref(), bundle.as_os_str()],
        &["audit".as_ref(), "--merge".as_ref(), report.as_os_str()],
    ];
    for args in runs {
        let out = assert_cmd::Command::cargo_bin("kubetriage")
            .unwrap()
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        for c in ['\x1b', '\x07', '\r', '\u{202e}'] {
            assert!(!err.contains(c), "{args:?}: stderr prints {c:?} raw: {err:?}");
        }
        assert!(
            err.lines().all(|l| l.starts_with("kubetriage: ")),
            "{args:?}: a name started a line of its own: {err:?}"
        );
        assert!(err.contains("bad\\x1b]52;c;"), "{args:?}: {err:?}");
    }
}

/// SARIF and JUnit viewers decode `\u001b` and show bidi overrides as they are: a log line or
/// certificate name carrying ESC, OSC 52 or U+202E is shown escaped there too, as in a
/// table (hostile round 5, L3).
#[test]
fn sarif_and_junit_show_control_and_bidi_characters_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("b");
    fixture_copy::copy_tree(&Path::new(BUNDLES).join("kubeadm-healthy"), &root);
    std::fs::write(
        root.join("var/log/kubelet.log"),
        "2026-06-15T12:30:00+0000 cp-1 kubelet[812]: E0615 12:30:00.000000     812 kubelet_node_status.go:535] \"Error updating node status, will retry\" err=\"error getting node \\\"\u{1b}]52;c;ZXZpbA==\u{7}cp\u{202e}1\u{2066}x\\\": Unauthorized\"\n",
    )
    .unwrap();
    for format in ["sarif", "junit"] {
        let out = assert_cmd::Command::cargo_bin("kubetriage")
            .unwrap()
            .args(["analyze", "-q", "-o", format])
            .arg(&root)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Unauthorized"), "{format}: {text}");
        for bad in [
            "\\u001b", "\u{1b}", "\u{202e}", "\u{2066}", "\\u202e", "\u{7}", "\\u0007",
        ] {
            assert!(!text.contains(bad), "{format} holds {bad:?}: {text}");
        }
    }
}

/// A node named after the folder of a lone PKI folder, a name holding U+202E (RLO) and an ESC: SARIF's
/// logical location names show them escaped, as a table does (hostile round 9, case 10).
#[test]
fn sarif_logical_locations_show_bidi_characters_escaped() {
    let node = tempfile::tempdir().unwrap();
    kubetriage_testgen::distros::kubeadm_left_out("apiserver")
        .unwrap()
        .write_to(node.path())
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("ab\u{202e}c\u{1b}d");
    std::fs::create_dir(&bundle).unwrap();
    std::fs::rename(node.path().join("etc/kubernetes/pki"), bundle.join("pki")).unwrap();
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .args(["analyze", "-q", "-o", "sarif", "--now", "2026-06-15T12:00:00Z"])
        .arg(&bundle)
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<String> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["locations"].as_array().cloned().unwrap_or_default())
        .flat_map(|l| l["logicalLocations"].as_array().cloned().unwrap_or_default())
        .filter_map(|l| l["name"].as_str().map(str::to_string))
        .collect();
    assert!(names.iter().any(|n| n == "ab\\u{202e}c\\x1bd"), "{names:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    for bad in ["\u{202e}", "\u{1b}", "\\u202e", "\\u001b"] {
        assert!(!text.contains(bad), "sarif holds {bad:?}: {text}");
    }
}
