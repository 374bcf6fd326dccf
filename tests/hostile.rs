//! Hostile and broken bundles, one test per case, each run through the binary as a user runs
//! it: the exit code is 0 or 1 (2 only when the top-level input itself is unreadable), an
//! `input-problem` finding names the offending path, nothing is written to disk (the working
//! directory stays empty and nothing appears next to the input), and the run ends within a
//! generous bound (a hang detector, not a speed assertion).
//!
//! Memory: the 100 MB log-line tests read the binary's own peak resident memory from
//! `--stats` (it prints `/proc/self/status` `VmHWM` as `peak memory: N KiB`). By hand:
//! `kubetriage analyze BUNDLE --stats -o json >/dev/null` and read the last stderr line.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod fixture_copy;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// Far above any sane run, even on a loaded machine (a full CI run on 2 busy cores took 51 s
/// for the 5 MB name); only a hang reaches it. No test here asserts a speed: that is
/// benches/bench.py's.
const HANG: Duration = Duration::from_secs(240);
const NOW: &str = "2026-01-01T00:00:00Z";

/// What one run of the binary showed.
struct Run {
    report: Value,
    stderr: String,
}

impl Run {
    /// `(path, message)` of every `input-problem` finding.
    fn problems(&self) -> Vec<(String, String)> {
        self.report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "input-problem")
            .map(|f| {
                (
                    f["paths"][0].as_str().unwrap_or_default().to_string(),
                    f["message"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    /// Asserts an `input-problem` finding whose path satisfies `path` and whose message
    /// contains `says`.
    fn assert_problem(&self, path: impl Fn(&str) -> bool, says: &str) {
        let all = self.problems();
        assert!(
            all.iter().any(|(p, m)| path(p) && m.contains(says)),
            "no input-problem saying `{says}` in {all:#?}"
        );
    }

    fn assert_problem_at(&self, path: &str, says: &str) {
        self.assert_problem(|p| p == path, says);
    }

    /// Peak resident memory the binary reported (`--stats`), in KiB.
    fn peak_kib(&self) -> u64 {
        let line = self
            .stderr
            .lines()
            .find_map(|l| l.strip_prefix("peak memory: "))
            .unwrap_or_else(|| panic!("no peak memory in {}", self.stderr));
        line.split_whitespace().next().unwrap().parse().unwrap()
    }
}

/// Every file under `dir` with its size (what "nothing new appeared" compares).
fn listing(dir: &Path) -> BTreeMap<PathBuf, u64> {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| {
            let len = e.path().symlink_metadata().map(|m| m.len()).unwrap_or(0);
            (e.path().to_path_buf(), len)
        })
        .collect()
}

/// Runs `kubetriage analyze INPUT --now … -o json --stats EXTRA…` from an empty working
/// directory, with the hang bound, and checks the exit code and that nothing was written.
fn analyze(input: &Path, extra: &[&str]) -> Run {
    analyze_exits(input, extra, &[0, 1])
}

/// [`analyze`], with the exit codes allowed.
fn analyze_exits(input: &Path, extra: &[&str], codes: &[i32]) -> Run {
    let cwd = tempfile::tempdir().unwrap();
    let beside = input.parent().unwrap().to_path_buf();
    let before = listing(&beside);
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("kubetriage"))
        .current_dir(cwd.path())
        .args(["analyze", "--now", NOW, "-o", "json", "--stats", "-q"])
        .args(extra)
        .arg(input)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let read = |mut r: Box<dyn std::io::Read + Send>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = r.read_to_end(&mut buf);
                buf
            })
        };
        let out = read(Box::new(stdout));
        let err = read(Box::new(stderr));
        let status = child.wait();
        let _ = tx.send((status, out.join().unwrap(), err.join().unwrap()));
    });
    let Ok((status, stdout, stderr)) = rx.recv_timeout(HANG) else {
        // Only the child this test started, by its own id.
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        panic!("kubetriage on {} did not finish within {HANG:?}", input.display());
    };
    let code = status.unwrap().code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&stderr).into_owned();
    assert!(
        codes.contains(&code),
        "exit {code} on {}: {stderr}",
        input.display()
    );
    let leftovers: Vec<_> = std::fs::read_dir(cwd.path()).unwrap().collect();
    assert!(leftovers.is_empty(), "files written to the cwd: {leftovers:?}");
    assert_eq!(before, listing(&beside), "files written next to the input");
    let report: Value = serde_json::from_slice(&stdout).unwrap_or_else(|e| {
        panic!("not json ({e}): {}", String::from_utf8_lossy(&stdout));
    });
    let report = report["bundles"][0].clone();
    Run { report, stderr }
}

// ---------------------------------------------------------------------------------------
// Building hostile archives byte by byte (the tar crate refuses most of these names).

/// One tar header, names and link targets written as given.
fn header(name: &[u8], kind: tar::EntryType, size: u64, link: &[u8]) -> Vec<u8> {
    let mut h = tar::Header::new_gnu();
    {
        let old = h.as_old_mut();
        old.name[..name.len()].copy_from_slice(name);
        old.linkname[..link.len()].copy_from_slice(link);
    }
    h.set_size(size);
    h.set_mode(0o644);
    h.set_mtime(1_767_225_600);
    h.set_entry_type(kind);
    h.set_cksum();
    h.as_bytes().to_vec()
}

fn pad(out: &mut Vec<u8>) {
    out.resize(out.len().div_ceil(512) * 512, 0);
}

/// A regular file entry.
fn file(name: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = header(name, tar::EntryType::Regular, data.len() as u64, b"");
    out.extend_from_slice(data);
    pad(&mut out);
    out
}

/// A link, device or fifo entry.
fn special(name: &[u8], kind: tar::EntryType, link: &[u8]) -> Vec<u8> {
    header(name, kind, 0, link)
}

/// A GNU long-name entry: the name may hold any byte, NUL included.
fn long_named(name: &[u8], data: &[u8]) -> Vec<u8> {
    let mut with_nul = name.to_vec();
    with_nul.push(0);
    let mut out = header(
        b"././@LongLink",
        tar::EntryType::GNULongName,
        with_nul.len() as u64,
        b"",
    );
    out.extend_from_slice(&with_nul);
    pad(&mut out);
    out.extend(file(b"placeholder", data));
    out
}

/// The entries followed by the end-of-archive marker.
fn tar(entries: &[Vec<u8>]) -> Vec<u8> {
    let mut out = entries.concat();
    out.extend([0u8; 1024]);
    out
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Deterministic junk (xorshift), so a failure reproduces.
fn junk(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A fresh folder holding `name` with `bytes`; the folder is the "next to the input" checked.
fn input(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

const CONFIGMAP: &[u8] =
    b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n  namespace: default\ndata:\n  a: b\n";

// ---------------------------------------------------------------------------------------
// Archive safety.

#[test]
fn names_with_nul_and_non_utf8_bytes_are_reported_and_read_inside_the_bundle() {
    let bytes = tar(&[
        file(b"n/etc/kubernetes/\xff\xfeadmin.conf", b"junk"),
        long_named(b"n/etc/kubernetes/manifests/a\0b.yaml", CONFIGMAP),
        file(b"../../escape/etc/hostname", b"evil\n"),
        file(b"/etc/passwd", b"root:x:0:0\n"),
    ]);
    let (_d, path) = input("names.tar", &bytes);
    let run = analyze(&path, &[]);
    run.assert_problem(|p| p.starts_with("n/etc/kubernetes/\u{fffd}"), "not utf-8");
    run.assert_problem(|p| p.starts_with("n/etc/kubernetes/manifests/a\u{fffd}b"), "nul");
    run.assert_problem_at("escape/etc/hostname", "outside the bundle");
    run.assert_problem_at("etc/passwd", "outside the bundle");
}

#[test]
fn links_to_host_files_are_never_followed_and_are_reported() {
    use tar::EntryType::{Link, Symlink};
    let bytes = tar(&[
        file(
            b"n/etc/kubernetes/pki/ca.key.real",
            b"-----BEGIN CERTIFICATE-----\n",
        ),
        special(b"n/etc/kubernetes/pki/ca.crt", Symlink, b"/etc/shadow"),
        special(b"n/etc/kubernetes/admin.conf", Link, b"/etc/shadow"),
        special(b"n/etc/kubernetes/pki/sa.key", Symlink, b"../../../../../../x"),
        special(b"n/etc/kubernetes/kubelet.conf", Link, b"../../x"),
    ]);
    let (_d, path) = input("links.tar", &bytes);
    let run = analyze(&path, &[]);
    run.assert_problem_at("n/etc/kubernetes/pki/ca.crt", "/etc/shadow");
    run.assert_problem_at("n/etc/kubernetes/admin.conf", "/etc/shadow");
    run.assert_problem_at("n/etc/kubernetes/pki/sa.key", "outside the bundle");
    run.assert_problem_at("n/etc/kubernetes/kubelet.conf", "outside the bundle");
    assert!(!run.stderr.contains("root:"));
}

#[test]
fn directory_links_out_of_the_root_are_not_followed() {
    let top = tempfile::tempdir().unwrap();
    std::fs::write(top.path().join("outside.key"), "SECRET-OUTSIDE-THE-BUNDLE\n").unwrap();
    let root = top.path().join("bundle");
    let pki = root.join("n/etc/kubernetes/pki");
    std::fs::create_dir_all(&pki).unwrap();
    // bundle/n/etc/kubernetes/pki/ca.key: five levels up is outside `bundle/`.
    std::os::unix::fs::symlink("../../../../../outside.key", pki.join("ca.key")).unwrap();
    std::os::unix::fs::symlink("/etc/shadow", pki.join("ca.crt")).unwrap();
    std::os::unix::fs::symlink("../pki", pki.join("loop")).unwrap();
    let run = analyze(&root, &[]);
    run.assert_problem_at("bundle/n/etc/kubernetes/pki/ca.key", "outside the bundle");
    run.assert_problem_at("bundle/n/etc/kubernetes/pki/ca.crt", "/etc/shadow");
    assert!(!run.report.to_string().contains("SECRET-OUTSIDE"));
}

#[test]
fn device_files_fifos_and_sockets_are_skipped() {
    use tar::EntryType::{Block, Char, Fifo};
    let bytes = tar(&[
        special(b"n/dev/sda", Block, b""),
        special(b"n/dev/zero", Char, b""),
        special(b"n/etc/kubernetes/pki/ca.crt", Fifo, b""),
        file(b"n/etc/kubernetes/manifests/cm.yaml", CONFIGMAP),
    ]);
    let (_d, path) = input("devices.tar", &bytes);
    let run = analyze(&path, &[]);
    for p in ["n/dev/sda", "n/dev/zero", "n/etc/kubernetes/pki/ca.crt"] {
        run.assert_problem_at(p, "skipped");
    }
    // A directory input: a fifo would block a reader forever, a socket cannot be read.
    let top = tempfile::tempdir().unwrap();
    let root = top.path().join("d");
    std::fs::create_dir_all(root.join("n/etc/kubernetes/pki")).unwrap();
    let fifo = root.join("n/etc/kubernetes/pki/ca.crt");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let _sock = std::os::unix::net::UnixListener::bind(root.join("n/etc/kubernetes/sock")).unwrap();
    let run = analyze(&root, &[]);
    run.assert_problem_at("d/n/etc/kubernetes/pki/ca.crt", "skipped");
    run.assert_problem_at("d/n/etc/kubernetes/sock", "skipped");
}

#[test]
fn duplicate_names_last_one_wins_and_are_reported() {
    let bytes = tar(&[
        file(b"n/etc/kubernetes/manifests/x.yaml", b"kind: [unclosed\n"),
        file(b"n/etc/kubernetes/manifests/x.yaml", CONFIGMAP),
    ]);
    let (_d, path) = input("dups.tar.gz", &gz(&bytes));
    let run = analyze(&path, &[]);
    run.assert_problem_at("n/etc/kubernetes/manifests/x.yaml", "duplicate");
    let about_x: Vec<_> = run
        .problems()
        .into_iter()
        .filter(|(p, _)| p == "n/etc/kubernetes/manifests/x.yaml")
        .collect();
    assert_eq!(about_x.len(), 1, "the first copy is not parsed: {about_x:?}");
}

#[test]
fn gzip_truncated_mid_entry_keeps_what_came_before() {
    let bytes = tar(&[
        file(b"n/etc/kubernetes/manifests/cm.yaml", CONFIGMAP),
        file(b"n/var/log/junk.bin", &junk(4 << 20, 7)),
        file(b"n/etc/kubernetes/manifests/after.yaml", CONFIGMAP),
    ]);
    let whole = gz(&bytes);
    let (_d, path) = input("cut.tar.gz", &whole[..whole.len() / 2]);
    // Cut input is not a clean run: exit 2, marked incomplete, and an input problem.
    let run = analyze_exits(&path, &[], &[2]);
    let label = path.display().to_string();
    run.assert_problem_at(&label, "ends early");
    assert!(run.report["incomplete"].as_str().unwrap().contains("ends early"));
    assert!(run.stderr.contains("incomplete"), "{}", run.stderr);
    run.assert_problem_at(&label, "n/var/log/junk.bin");
}

#[test]
fn trailing_garbage_after_gzip_and_after_tar_is_reported() {
    let bytes = tar(&[file(b"n/etc/kubernetes/manifests/cm.yaml", CONFIGMAP)]);
    let mut after_gz = gz(&bytes);
    after_gz.extend(junk(3000, 3));
    let (_d, path) = input("garbage.tar.gz", &after_gz);
    let run = analyze(&path, &[]);
    run.assert_problem(|p| p == path.display().to_string(), "");

    let mut after_tar = bytes.clone();
    after_tar.extend(b"this is not tar padding");
    let (_d2, path) = input("garbage.tar", &after_tar);
    let run = analyze(&path, &[]);
    run.assert_problem_at(&path.display().to_string(), "trailing data");
}

/// `n` copies of one gzip member of 16 MiB of zeros: a few KiB that inflate to `n * 16 MiB`
/// (a multi-member stream, as `gzip` itself reads it).
fn zeros_gz(n: usize) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&vec![0u8; 16 << 20]).unwrap();
    let member = e.finish().unwrap();
    member.repeat(n)
}

#[test]
fn gzip_bomb_stops_at_max_total_bytes() {
    // The whole input: a 1 GiB log entry in a tar.gz of under a megabyte.
    let size = 1u64 << 30;
    let mut stream = gz(&header(b"n/var/log/bomb.log", tar::EntryType::Regular, size, b""));
    stream.extend(zeros_gz(64));
    stream.extend(gz(&[0u8; 1024]));
    assert!(stream.len() < 4 << 20);
    let (_d, path) = input("bomb.tar.gz", &stream);
    let run = analyze(&path, &["--max-total-bytes", "64MiB"]);
    run.assert_problem(|_| true, "max_total_bytes");

    // A small gzip member inside the bundle that expands far past the limit.
    let inner = zeros_gz(64);
    let bytes = tar(&[
        file(b"n/etc/kubernetes/manifests/cm.yaml", CONFIGMAP),
        file(b"n/var/log/pods/bomb.log.gz", &inner),
    ]);
    let (_d2, path) = input("inner-bomb.tar", &bytes);
    let run = analyze(&path, &["--max-total-bytes", "32MiB"]);
    run.assert_problem_at("n/var/log/pods/bomb.log.gz", "max_total_bytes");
}

#[test]
fn tar_in_tar_in_tar_stops_at_max_nesting() {
    let mut inner = tar(&[file(b"n/etc/kubernetes/manifests/cm.yaml", CONFIGMAP)]);
    for level in (1..=6).rev() {
        inner = tar(&[file(format!("level{level}.tar").as_bytes(), &inner)]);
    }
    let (_d, path) = input("nested.tar.gz", &gz(&inner));
    let run = analyze(&path, &[]);
    // Default max_nesting 4: level1..level4 are opened, level5.tar is not.
    run.assert_problem(|p| p.ends_with("/level5.tar"), "max_nesting (4)");
    let run = analyze(&path, &["--max-nesting", "1"]);
    run.assert_problem_at("level1.tar/level2.tar", "max_nesting (1)");
}

#[test]
fn entry_count_and_entry_size_limits_are_reported() {
    let mut entries: Vec<Vec<u8>> = (0..50)
        .map(|i| file(format!("n/etc/kubernetes/f{i:02}.txt").as_bytes(), b"x"))
        .collect();
    entries.push(file(
        b"n/etc/kubernetes/manifests/big.yaml",
        format!("kind: ConfigMap\ndata:\n  x: \"{}\"\n", "a".repeat(300_000)).as_bytes(),
    ));
    let (_d, path) = input("many.tar", &tar(&entries));
    let run = analyze(&path, &["--max-entries", "20"]);
    run.assert_problem_at("n/etc/kubernetes/f20.txt", "max_entries (20)");
    let run = analyze(&path, &["--max-entry-bytes", "64KiB"]);
    run.assert_problem_at(
        "n/etc/kubernetes/manifests/big.yaml",
        "max_entry_bytes (65536 bytes)",
    );
}

// ---------------------------------------------------------------------------------------
// Parser safety.

#[test]
fn certificate_with_an_unknown_critical_extension_and_a_1mb_extension() {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["weird.example".to_string()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2025, 1, 1);
    params.not_after = rcgen::date_time_ymd(2027, 1, 1);
    let mut critical = rcgen::CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 55555, 1], vec![5, 0]);
    critical.set_criticality(true);
    params.custom_extensions.push(critical);
    let mut big = vec![0x04, 0x83, 0x10, 0x00, 0x00];
    big.extend(junk(1 << 20, 11));
    params
        .custom_extensions
        .push(rcgen::CustomExtension::from_oid_content(
            &[1, 3, 6, 1, 4, 1, 55555, 2],
            big,
        ));
    let cert = params.self_signed(&key).unwrap();
    assert!(cert.der().len() > 1 << 20);
    let bytes = tar(&[file(b"n/etc/kubernetes/pki/weird.crt", cert.pem().as_bytes())]);
    let (_d, path) = input("ext.tar", &bytes);
    let run = analyze(&path, &[]);
    run.assert_problem_at(
        "n/etc/kubernetes/pki/weird.crt",
        "critical extension 1.3.6.1.4.1.55555.1",
    );
}

#[test]
fn der_with_lengths_past_its_end_and_garbage_in_pem() {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["x".to_string()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2025, 1, 1);
    params.not_after = rcgen::date_time_ymd(2027, 1, 1);
    let der = params.self_signed(&key).unwrap().der().to_vec();
    // The outer SEQUENCE claims more than there is.
    let cut = der[..der.len() - 40].to_vec();
    // An inner length (the TBS SEQUENCE, right after the outer header) pushed past the end.
    let mut inner = der.clone();
    inner[5] = 0xff;
    inner[6] = 0xff;
    let pem = |d: &[u8]| {
        use base64::Engine;
        let b = base64::engine::general_purpose::STANDARD.encode(d);
        format!("-----BEGIN CERTIFICATE-----\n{b}\n-----END CERTIFICATE-----\n")
    };
    let bytes = tar(&[
        file(b"n/etc/kubernetes/pki/cut.crt", pem(&cut).as_bytes()),
        file(b"n/etc/kubernetes/pki/inner.crt", pem(&inner).as_bytes()),
        file(b"n/etc/kubernetes/pki/cut.der", &cut),
        file(
            b"n/etc/kubernetes/pki/garbage.crt",
            b"-----BEGIN CERTIFICATE-----\n!!!! not base64 \x00\xff\n-----END CERTIFICATE-----\n",
        ),
        file(b"n/etc/kubernetes/pki/empty.crt", b""),
    ]);
    let (_d, path) = input("der.tar", &bytes);
    let run = analyze(&path, &[]);
    for p in ["cut.crt", "inner.crt", "cut.der", "garbage.crt", "empty.crt"] {
        run.assert_problem_at(&format!("n/etc/kubernetes/pki/{p}"), "");
    }
}

#[test]
fn kubeconfig_with_the_wrong_types() {
    let bad = b"apiVersion: v1\nkind: Config\ncurrent-context: [1, 2]\nclusters: \"not a list\"\n\
users:\n- name: 7\n  user:\n    client-certificate-data: 42\n    client-key-data: {a: b}\n    token: [x]\n\
contexts: 5\n";
    let worse = b"apiVersion: v1\nkind: Config\nclusters:\n- 12\n- name: c\n  cluster: [1]\nusers: {}\n";
    let bytes = tar(&[
        file(b"n/etc/kubernetes/admin.conf", bad),
        file(b"n/etc/kubernetes/kubelet.conf", worse),
    ]);
    let (_d, path) = input("kc.tar", &bytes);
    let run = analyze(&path, &[]);
    run.assert_problem_at("n/etc/kubernetes/admin.conf", "clusters");
    run.assert_problem_at("n/etc/kubernetes/admin.conf", "client-certificate-data");
    run.assert_problem_at("n/etc/kubernetes/kubelet.conf", "users");
}

#[test]
fn yaml_billion_laughs() {
    let mut lol = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n");
    lol += "  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
    for (i, c) in ('b'..='j').enumerate() {
        let p = char::from(b'a' + i as u8);
        lol += &format!("  {c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n");
    }
    let bytes = tar(&[file(b"cluster/configmaps.yaml", lol.as_bytes())]);
    let (_d, path) = input("lol.tar", &bytes);
    let run = analyze(&path, &[]);
    run.assert_problem_at("cluster/configmaps.yaml", "yaml");
}

#[test]
fn json_and_yaml_nested_100000_levels() {
    let n = 100_000;
    let json = format!("{}{}", "[".repeat(n), "]".repeat(n));
    let yaml = format!(
        "apiVersion: v1\nkind: List\nitems: {}{}\n",
        "[".repeat(n),
        "]".repeat(n)
    );
    let bytes = tar(&[
        file(b"cluster/pods.json", json.as_bytes()),
        file(b"cluster/pods.yaml", yaml.as_bytes()),
    ]);
    let (_d, path) = input("deep.tar", &bytes);
    let run = analyze(&path, &[]);
    run.assert_problem_at("cluster/pods.json", "json");
    run.assert_problem_at("cluster/pods.yaml", "yaml");
}

/// A log whose one line is 100 MiB long with no newline.
fn endless_line() -> Vec<u8> {
    let mut log = b"I0101 00:00:00.000000       1 server.go:1] ".to_vec();
    log.resize(100 << 20, b'a');
    log
}

/// Peak memory far below the line's size: the line was never held whole.
const LINE_PEAK_KIB: u64 = 64 << 10;

#[test]
fn a_100mb_log_line_without_newline_is_not_buffered_directory() {
    let top = tempfile::tempdir().unwrap();
    let root = top.path().join("b");
    std::fs::create_dir_all(root.join("n/var/log")).unwrap();
    std::fs::write(root.join("n/var/log/kubelet.log"), endless_line()).unwrap();
    std::fs::write(root.join("n/var/log/syslog"), endless_line()).unwrap();
    let run = analyze(&root, &[]);
    assert!(
        run.peak_kib() < LINE_PEAK_KIB,
        "peak memory {} KiB: the line was buffered",
        run.peak_kib()
    );
    run.assert_problem_at(
        "b/n/var/log/kubelet.log",
        "1 line(s) longer than max_line_bytes (65536 bytes)",
    );
    run.assert_problem_at("b/n/var/log/syslog", "max_line_bytes");
}

#[test]
fn a_100mb_log_line_without_newline_is_not_buffered_archive() {
    let line = endless_line();
    let bytes = tar(&[file(b"n/var/log/kubelet.log", &line)]);
    let (_d, path) = input("line.tar.gz", &gz(&bytes));
    let run = analyze(&path, &["--max-line-bytes", "1KiB"]);
    assert!(
        run.peak_kib() < LINE_PEAK_KIB,
        "peak memory {} KiB: the line was buffered",
        run.peak_kib()
    );
    run.assert_problem_at("n/var/log/kubelet.log", "longer than max_line_bytes (1024 bytes)");
}

#[test]
fn binary_junk_everywhere() {
    let paths: &[&[u8]] = &[
        b"n/etc/kubernetes/admin.conf",
        b"n/etc/kubernetes/pki/ca.crt",
        b"n/etc/kubernetes/manifests/kube-apiserver.yaml",
        b"n/var/lib/kubelet/config.yaml",
        b"n/run/flannel/subnet.env",
        b"n/etc/cni/net.d/10-flannel.conflist",
        b"cluster/secrets.yaml",
        b"cluster/pods.json",
        b"n/var/log/pods/kube-system_x/c/0.log",
    ];
    let entries: Vec<Vec<u8>> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| {
            // Junk that still classifies by path, with armour or a kind line in front.
            let mut data = match i % 3 {
                0 => b"-----BEGIN CERTIFICATE-----\n".to_vec(),
                1 => b"kind: Config\n".to_vec(),
                _ => Vec::new(),
            };
            data.extend(junk(20_000, i as u64 + 1));
            file(p, &data)
        })
        .collect();
    let (_d, path) = input("junk.tar.gz", &gz(&tar(&entries)));
    let run = analyze(&path, &[]);
    for p in [
        "n/etc/kubernetes/admin.conf",
        "n/etc/kubernetes/pki/ca.crt",
        "cluster/secrets.yaml",
    ] {
        run.assert_problem_at(p, "");
    }
    // The whole input is junk with a gzip magic number.
    let mut bytes = vec![0x1f, 0x8b];
    bytes.extend(junk(100_000, 99));
    let (_d2, path) = input("junk2.tar.gz", &bytes);
    let run = analyze_exits(&path, &[], &[2]);
    assert!(
        run.report["error"].as_str().unwrap().contains("gzip data"),
        "{}",
        run.report
    );
    // The whole input is junk without any magic.
    let (_d3, path) = input("junk3.tar", &junk(100_000, 5));
    let run = analyze_exits(&path, &[], &[2]);
    assert!(
        run.stderr
            .contains("not a bundle kubetriage can read: binary data"),
        "{}",
        run.stderr
    );
}

#[test]
fn unreadable_top_level_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let dangling = dir.path().join("bundle.tar.gz");
    std::os::unix::fs::symlink("/no/such/file", &dangling).unwrap();
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .current_dir(dir.path())
        .args(["analyze", "-o", "json"])
        .arg(&dangling)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bundle.tar.gz"));
}

// ---------------------------------------------------------------------------------------
// Linear time and bounded memory (issue 14 part 4). Bounds are generous: a hang or a
// quadratic blow-up is what they catch; `benches/scaling.py` prints the precise scaling.

/// Writes a tar.gz to `path` whose first entry is a GNU long name of `len` bytes of `a`,
/// streamed through the encoder (never held in memory here either), followed by `after`.
fn long_name_tar_gz(path: &Path, len: u64, after: &[Vec<u8>]) {
    let out = std::fs::File::create(path).unwrap();
    let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::fast());
    gz.write_all(&header(b"././@LongLink", tar::EntryType::GNULongName, len, b""))
        .unwrap();
    let chunk = vec![b'a'; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len() as u64);
        gz.write_all(&chunk[..n as usize]).unwrap();
        left -= n;
    }
    gz.write_all(&vec![0u8; (len.div_ceil(512) * 512 - len) as usize])
        .unwrap();
    gz.write_all(&file(b"placeholder", b"described by the long name"))
        .unwrap();
    gz.write_all(&tar(after)).unwrap();
    gz.finish().unwrap();
}

const JUNK_CERT: &[u8] = b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";

#[test]
fn a_64mb_gnu_long_name_is_capped_not_buffered() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.tar.gz");
    long_name_tar_gz(
        &path,
        64 << 20,
        &[file(b"n/etc/kubernetes/pki/after.crt", JUNK_CERT)],
    );
    let run = analyze(&path, &["--max-entry-bytes", "1MiB"]);
    let label = path.display().to_string();
    run.assert_problem_at(&label, "entry name of 67108864 bytes is longer than 4096 bytes");
    run.assert_problem_at(&label, "aaaaaaaa");
    // The entry after it is still read.
    run.assert_problem_at("n/etc/kubernetes/pki/after.crt", "");
    // Neither the name nor the entry it names reaches the report.
    assert!(run.report.to_string().len() < 100_000);
    assert!(!run.report.to_string().contains("placeholder"));
    assert!(run.peak_kib() < 300 << 10, "peak {} KiB", run.peak_kib());
}

/// A pax header: `records` as `key=value` lines, each with its length in front.
fn pax(records: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in records {
        let rest = k.len() + v.len() + 3;
        let mut len = rest + 1;
        while len != rest + len.to_string().len() {
            len = rest + len.to_string().len();
        }
        body.extend(format!("{len} {k}=").into_bytes());
        body.extend_from_slice(v);
        body.push(b'\n');
    }
    let mut out = header(b"PaxHeaders/x", tar::EntryType::XHeader, body.len() as u64, b"");
    out.extend(body);
    pad(&mut out);
    out
}

#[test]
fn pax_paths_and_headers_over_their_caps_skip_the_entry() {
    let long = vec![b'p'; 10_000];
    let short = format!("n/etc/kubernetes/pki/{}/ok.crt", "d".repeat(200));
    let bytes = tar(&[
        pax(&[("path", &long)]),
        file(b"skipped-1", JUNK_CERT),
        pax(&[("comment", &vec![b'c'; 2 << 20])]),
        file(b"skipped-2", JUNK_CERT),
        pax(&[("path", short.as_bytes())]),
        file(b"placeholder", JUNK_CERT),
    ]);
    let (_d, path) = input("pax.tar.gz", &gz(&bytes));
    let run = analyze(&path, &["--max-entry-bytes", "1MiB"]);
    let label = path.display().to_string();
    run.assert_problem_at(&label, "entry name of 10000 bytes is longer than 4096 bytes");
    run.assert_problem(|_| true, "pax header of 2097");
    // A pax path under the cap names the entry.
    run.assert_problem_at(&short, "");
    let text = run.report.to_string();
    assert!(
        !text.contains("skipped-1") && !text.contains("skipped-2"),
        "{text}"
    );
}

#[test]
fn correlating_30k_junk_certificates_is_not_quadratic() {
    let entries: Vec<Vec<u8>> = (0..30_000)
        .map(|i| {
            file(
                format!("n{}/etc/kubernetes/pki/junk{i}.crt", i % 3).as_bytes(),
                JUNK_CERT,
            )
        })
        .collect();
    let (_d, path) = input("many.tar.gz", &gz(&tar(&entries)));
    let run = analyze(&path, &[]);
    // Per node, ten shown one by one and one finding counting the other 9,990.
    let problems = run.problems();
    assert_eq!(problems.len(), 3 * 11, "{problems:#?}");
    let counted: Vec<_> = run.report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "input-problem")
        .filter_map(|f| f["evidence"]["files"].as_u64())
        .collect();
    assert_eq!(counted, vec![9_990; 3]);
    assert!(
        problems
            .iter()
            .any(|(_, m)| m.starts_with("9990 more files with the same problem as the 10 above")),
        "{problems:#?}"
    );
    // 30,000 findings took ~11 KiB each; grouped, the run stays small.
    assert!(run.peak_kib() < 200 * 1024, "{} KiB", run.peak_kib());
    // All-pairs correlation took minutes here; indexed, seconds (even unoptimised). Speed
    // is the benchmark's to show (benches/bench.py); here only a hang ([`HANG`]) fails.
}

#[test]
fn a_5mb_secret_name_renders_a_table_in_linear_time() {
    // A TLS Secret named by 5 MB: its certificate's findings name it in the table's cells.
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["x.example".to_string()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2025, 1, 1);
    let pem = params.self_signed(&key).unwrap().pem();
    let b64 = |s: &str| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(s)
    };
    let secrets = serde_json::json!({
        "apiVersion": "v1", "kind": "List",
        "items": [{"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                   "metadata": {"name": "h".repeat(5 << 20), "namespace": "default"},
                   "data": {"tls.crt": b64(&pem)}}]
    });
    let bytes = tar(&[file(b"b/cluster/secrets.json", secrets.to_string().as_bytes())]);
    let (_d, path) = input("name.tar.gz", &gz(&bytes));
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .args(["analyze", "--now", NOW, "-q", "-o", "wide"])
        .arg(&path)
        .timeout(HANG)
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    // The cell is cut before layout; the table stays readable.
    assert!(
        text.contains("hhhh…"),
        "{}",
        text.chars().take(2000).collect::<String>()
    );
    assert!(text.len() < 1 << 20, "{} bytes", text.len());
    // Linear time is the benchmark's to show; a quadratic layout hangs past [`HANG`].
}

#[test]
fn large_secret_dumps_are_parsed_one_at_a_time() {
    // Six 8 MB Secret lists: each is parsed as it is read and its bytes freed, so memory
    // stays near one dump's parse plus what the snapshot keeps (six 47 MB lists reached
    // 2.4 GB when all were buffered and parsed two at a time).
    let value = "QUFB".repeat(100);
    let items: Vec<Value> = (0..8_000)
        .map(|i| {
            serde_json::json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                "metadata": {"name": format!("s{i}"), "namespace": "default"},
                "data": {"a": value, "b": value}})
        })
        .collect();
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items}).to_string();
    assert!(list.len() > 6 << 20);
    let entries: Vec<Vec<u8>> = (0..6)
        .map(|i| file(format!("cluster/secrets{i}.json").as_bytes(), list.as_bytes()))
        .collect();
    let (_d, path) = input("secrets.tar.gz", &gz(&tar(&entries)));
    let run = analyze(&path, &[]);
    assert!(run.peak_kib() < 600 << 10, "peak {} KiB", run.peak_kib());
}

// ---------------------------------------------------------------------------------------
// Input recognition and several bundles (issue 14 parts 5 and 6, issue 15's false
// "healthy").

/// Runs the binary with `args` from an empty folder under the hang bound.
fn run_bin(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let cwd = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .current_dir(cwd.path())
        .args(args)
        .timeout(HANG)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn what_is_not_a_bundle_exits_2_and_says_what_it_looks_like() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("notes.txt", b"just some notes\n".to_vec(), "a text file"),
        ("random.tar.xz", junk(5000, 3), "binary data"),
        ("b.lzma", vec![0x5d, 0, 0, 0x80, 0, 1, 2, 3], "lzma"),
        ("b.7z", b"7z\xbc\xaf\x27\x1c\x00\x04junk".to_vec(), "7z"),
        ("empty.tar.gz", Vec::new(), "an empty file"),
        (
            "log.gz",
            gz(b"not a tar, a log line\n"),
            "gzip data holding a text file",
        ),
    ];
    for (name, bytes, says) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        for format in ["json", "markdown", "table", "html"] {
            let (code, out, err) = run_bin(&[
                "analyze".as_ref(),
                "-o".as_ref(),
                format.as_ref(),
                path.as_os_str(),
            ]);
            assert_eq!(code, 2, "{name} {format}: {out}{err}");
            assert!(
                err.contains("not a bundle kubetriage can read") && err.contains(says),
                "{name}: {err}"
            );
            assert!(err.contains("supported: a folder, .tar"), "{err}");
            assert!(
                !out.contains("healthy") && !out.contains("No findings"),
                "{name} {format}: {out}"
            );
        }
    }
    // An empty folder is not a healthy bundle captured in 1970.
    let empty = tempfile::tempdir().unwrap();
    let (code, out, err) = run_bin(&[
        "analyze".as_ref(),
        "-o".as_ref(),
        "markdown".as_ref(),
        empty.path().as_os_str(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("an empty folder"), "{err}");
    assert!(!out.contains("1970") && !out.contains("healthy"), "{out}");
}

#[test]
fn a_fifo_given_as_the_bundle_does_not_block() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("bundle.tar.gz");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let (code, _, err) = run_bin(&[
        "analyze".as_ref(),
        "-o".as_ref(),
        "json".as_ref(),
        fifo.as_os_str(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("FIFO"), "{err}");
}

#[test]
fn several_bundles_one_missing_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.tar.gz");
    std::fs::write(
        &good,
        gz(&tar(&[file(b"n/etc/kubernetes/pki/junk.crt", JUNK_CERT)])),
    )
    .unwrap();
    let missing = dir.path().join("missing.tgz");
    for format in ["json", "markdown", "table", "html"] {
        let (code, out, err) = run_bin(&[
            "analyze".as_ref(),
            "--now".as_ref(),
            NOW.as_ref(),
            "-o".as_ref(),
            format.as_ref(),
            good.as_os_str(),
            missing.as_os_str(),
        ]);
        assert_eq!(code, 2, "{format}: {err}");
        assert!(
            out.contains("junk.crt"),
            "{format}: the good bundle is reported: {out}"
        );
        assert!(
            out.contains("missing.tgz"),
            "{format}: the bad one has an entry: {out}"
        );
        assert!(err.contains("missing.tgz"), "{err}");
        if format == "json" {
            let v: Value = serde_json::from_str(&out).unwrap();
            assert!(v["bundles"][0]["error"].is_null());
            assert!(v["bundles"][1]["error"].as_str().unwrap().contains("missing.tgz"));
        }
    }
}

/// `certs` and `timeline` too: the good bundle is reported, the missing one is an entry
/// saying why, and the exit code is 2.
#[test]
fn certs_and_timeline_of_several_bundles_one_missing_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.tar.gz");
    std::fs::write(
        &good,
        gz(&tar(&[file(b"n/etc/kubernetes/pki/junk.crt", JUNK_CERT)])),
    )
    .unwrap();
    let missing = dir.path().join("missing.tgz");
    for cmd in ["certs", "timeline"] {
        for format in ["json", "yaml", "markdown", "table", "html"] {
            let (code, out, err) = run_bin(&[
                cmd.as_ref(),
                "--now".as_ref(),
                NOW.as_ref(),
                "-o".as_ref(),
                format.as_ref(),
                good.as_os_str(),
                missing.as_os_str(),
            ]);
            assert_eq!(code, 2, "{cmd} {format}: {err}");
            let says_why = if format == "json" || format == "yaml" {
                out.contains("error")
            } else {
                out.to_lowercase().contains("could not be read")
            };
            assert!(
                out.contains("missing.tgz") && says_why,
                "{cmd} {format}: the bad one has an entry: {out}"
            );
            assert!(err.contains("missing.tgz"), "{err}");
            if format != "json" && format != "yaml" || cmd == "certs" {
                assert!(
                    out.contains("good.tar.gz"),
                    "{cmd} {format}: the good bundle is reported: {out}"
                );
            }
            if format == "json" {
                let v: Value = serde_json::from_str(&out).unwrap();
                let failed: Vec<_> = v["bundles"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|e| e["error"].as_str().is_some_and(|x| x.contains("missing.tgz")))
                    .collect();
                assert_eq!(failed.len(), 1, "{cmd}: {out}");
            }
        }
    }
}

#[test]
fn audit_opens_only_files_and_folders_and_survives_a_bad_entry() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("a-good.tar.gz"),
        gz(&tar(&[file(b"n/etc/kubernetes/pki/junk.crt", JUNK_CERT)])),
    )
    .unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(d.join("b-evil.tar.gz"))
            .status()
            .unwrap()
            .success()
    );
    std::fs::write(d.join("README.txt"), "how these bundles were collected\n").unwrap();
    std::os::unix::fs::symlink("/no/such/bundle", d.join("c-dangling.tgz")).unwrap();
    std::fs::write(d.join("d-junk.tar.xz"), junk(3000, 9)).unwrap();
    let (code, out, err) = run_bin(&[
        "audit".as_ref(),
        "--now".as_ref(),
        NOW.as_ref(),
        "-o".as_ref(),
        "json".as_ref(),
        d.as_os_str(),
    ]);
    assert_eq!(code, 2, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let sources: Vec<&str> = v["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources.len(), 3, "{sources:?}");
    assert!(sources[0].ends_with("a-good.tar.gz") && v["bundles"][0]["error"].is_null());
    assert!(sources[1].ends_with("c-dangling.tgz") && v["bundles"][1]["error"].is_string());
    assert!(
        sources[2].ends_with("d-junk.tar.xz")
            && v["bundles"][2]["error"]
                .as_str()
                .unwrap()
                .contains("not a bundle")
    );
    assert!(
        err.contains("skipping") && err.contains("README.txt") && err.contains("b-evil.tar.gz"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------
// No race with the bundle folder (issue 14 part 7).

/// While the binary reads a bundle folder, a thread keeps swapping a log for a symlink to a
/// file outside the bundle, for a FIFO and back. No run may read the outside file or hang.
#[test]
fn swapping_a_log_for_a_symlink_or_fifo_during_the_walk_never_escapes_or_hangs() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().unwrap();
    let outside = dir.path().join("outside.log");
    let secret = "E0101 00:00:00.000000 1 x.go:1] OUTSIDE-THE-BUNDLE-7f3a x509: certificate has expired";
    std::fs::write(&outside, format!("{secret}\n")).unwrap();
    let bundle = dir.path().join("b");
    let logs = bundle.join("n/var/log/pods/kube-system_kube-apiserver-x_1/kube-apiserver");
    std::fs::create_dir_all(&logs).unwrap();
    for i in 0..50 {
        std::fs::write(
            logs.join(format!("{i:02}.log")),
            "I0101 00:00:00.000000 1 x.go:1] fine\n",
        )
        .unwrap();
    }
    let target = logs.join("25.log");
    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let (stop, target, outside) = (stop.clone(), target.clone(), outside.clone());
        std::thread::spawn(move || {
            let tmp = target.with_extension("tmp");
            let mut i = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let _ = std::fs::remove_file(&tmp);
                match i % 3 {
                    0 => {
                        let _ = std::os::unix::fs::symlink(&outside, &tmp);
                    }
                    1 => {
                        let _ = Command::new("mkfifo").arg(&tmp).status();
                    }
                    _ => {
                        let _ = std::fs::write(&tmp, "I0101 00:00:00.000000 1 x.go:1] fine\n");
                    }
                }
                let _ = std::fs::rename(&tmp, &target);
                i += 1;
            }
        })
    };
    for _ in 0..15 {
        let (code, out, err) = run_bin(&[
            "analyze".as_ref(),
            "--now".as_ref(),
            NOW.as_ref(),
            "-o".as_ref(),
            "json".as_ref(),
            bundle.as_os_str(),
        ]);
        assert!(code == 0 || code == 1, "exit {code}: {err}");
        assert!(
            !out.contains("OUTSIDE-THE-BUNDLE"),
            "read outside the bundle: {out}"
        );
    }
    stop.store(true, Ordering::Relaxed);
    swapper.join().unwrap();
}

/// Was a panic (exit 101): `collected_at: 9999-12-31T23:59:59-23:59` is valid RFC 3339 but
/// year 10000 in UTC. It is refused like an unparseable time: the capture time comes from
/// the logs, and every command answers. `--now` with such a time is a usage error.
#[test]
fn a_collection_time_past_year_9999_in_utc_is_refused_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("b");
    let src = Path::new("testdata/bundles/kubeadm-healthy");
    fixture_copy::copy_tree(src, &root);
    std::fs::write(
        root.join("kubetriage-collect.json"),
        r#"{"version":"0.1","collected_at":"9999-12-31T23:59:59-23:59","host":"cp-1","root":"/","files":[],"skipped":[]}"#,
    )
    .unwrap();
    for cmd in ["analyze", "certs", "timeline"] {
        let out = Command::new(assert_cmd::cargo::cargo_bin("kubetriage"))
            .args([cmd, "-q", "-o", "json"])
            .arg(&root)
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let b = &v["bundles"][0];
        assert!(
            b["captured_at"].as_str().unwrap().starts_with("2026-"),
            "{cmd}: {b}"
        );
    }
    let out = Command::new(assert_cmd::cargo::cargo_bin("kubetriage"))
        .args(["analyze", "-q", "--now", "9999-12-31T23:59:59-23:59"])
        .arg(&root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--now must be RFC 3339"));
}

/// A tenant's pod cannot speak for the cluster (hostile round 7): one named `etcd-backup`
/// printing etcd timeouts leaves a healthy node healthy, and one whose container is named
/// `kubelet` printing journald-looking lines that name another host neither lands on that
/// host nor changes when its journal ends.
#[test]
fn a_tenant_pod_does_not_speak_for_the_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("b");
    fixture_copy::copy_tree(Path::new("testdata/bundles/kubeadm-healthy"), &root);
    let pod = root.join("var/log/pods/tenant-a_etcd-backup-7d9f_0b1c2d3e/backup");
    std::fs::create_dir_all(&pod).unwrap();
    let mut log = String::new();
    for m in [30, 40, 50, 58] {
        log.push_str(&format!("2026-06-15T11:{m}:01.000000000Z stderr F E0615 11:{m}:01.000000 1 status.go:71] etcdserver: request timed out\n"));
        log.push_str(&format!("2026-06-15T11:{m}:02.000000000Z stderr F 2026-06-15T11:{m}:02+0000 cp-1 kubelet[812]: E0615 11:{m}:02.000000 812 kubelet.go:2862] \"Container runtime network not ready\" networkReady=\"NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized\"\n"));
    }
    std::fs::write(pod.join("0.log"), log).unwrap();
    let (r, code) = analyze_healthy_copy(&root);
    assert_eq!(r["bundles"][0]["verdict"], "healthy", "{r:#}");
    assert_eq!(code, Some(0));
}

/// A TLS rejection only a tenant's pod logs (hostile round 10): its own peer's expired
/// certificate is a warning that names the namespace, not an error about the cluster; the
/// same line from a kube-system pod stays an error.
#[test]
fn a_tls_rejection_only_a_tenant_logs_is_a_warning_that_names_its_namespace() {
    let line = "2026-06-15T11:50:01.000000000Z stderr F E0615 11:50:01.000000 1 client.go:1] Get \"https://payments-db.shop.svc:5432\": x509: certificate has expired or is not yet valid: current time 2026-06-15T11:50:01Z is after 2026-06-01T00:00:00Z\n";
    let severity = |ns: &str| {
        let f = tenant_pod_cert_finding(ns, line);
        (
            f["severity"].as_str().unwrap().to_string(),
            f["message"].as_str().unwrap().to_string(),
        )
    };
    let (tenant, message) = severity("shop");
    assert_eq!(tenant, "warning");
    assert!(
        message.contains("only workload pods log it (namespace shop)"),
        "{message}"
    );
    assert_eq!(severity("kube-system").0, "error");
}

/// newuser round 11: a tenant's pod rejecting the Kubernetes API's certificate (the
/// `kubernetes` Service at 10.96.0.1:443) rejects the cluster's, not its own peer's.
#[test]
fn a_tenant_rejecting_the_kubernetes_api_stays_an_error() {
    let f = tenant_pod_cert_finding(
        "shop",
        "2026-06-15T11:50:01.000000000Z stderr F E0615 11:50:01.000000 1 reflector.go:138] Get \"https://10.96.0.1:443/api/v1/pods\": x509: certificate has expired or is not yet valid: current time 2026-06-15T11:50:01Z is after 2026-06-01T00:00:00Z\n",
    );
    assert_eq!(f["severity"], "error", "{f:#}");
}

/// The `log-cert-expired` finding of the healthy kubeadm fixture with `line` as the log of a
/// pod in namespace `ns`.
fn tenant_pod_cert_finding(ns: &str, line: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("b");
    fixture_copy::copy_tree(Path::new("testdata/bundles/kubeadm-healthy"), &root);
    let pod = root.join(format!("var/log/pods/{ns}_payments-7d9f_0b1c2d3e/api"));
    std::fs::create_dir_all(&pod).unwrap();
    std::fs::write(pod.join("0.log"), line).unwrap();
    let (r, _) = analyze_healthy_copy(&root);
    r["bundles"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "log-cert-expired")
        .cloned()
        .unwrap_or_else(|| panic!("{r:#}"))
}

/// A tenant's command the kubelet quotes back into its own journal (a container whose command
/// is the text of the kubelet's own-credential line) does not renew a kubelet whose client
/// certificate the bundle holds, valid (hostile round 9, case 03); a folder of kubeadm PKI
/// names copied beside a node tree is not that node's PKI (case 07).
#[test]
fn quoted_kubelet_lines_and_copied_pki_folders_do_not_speak_for_a_node() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("b");
    fixture_copy::copy_tree(Path::new("testdata/bundles/kubeadm-healthy"), &root);
    let mut log = std::fs::read_to_string(root.join("var/log/kubelet.log")).unwrap();
    for m in [52, 54, 56, 58] {
        log.push_str(&format!(
            "2026-06-15T11:{m}:30+0000 cp-1 kubelet[812]: E0615 11:{m}:30.000000     812 pod_workers.go:1301] \"Error syncing pod\" err=\"failed to start container: exec: \\\"part of the existing bootstrap client certificate in /etc/kubernetes/kubelet.conf is expired: 2026-03-01 00:00:00 +0000 UTC\\\": no such file\" pod=\"tenant-a/x\"\n"
        ));
    }
    std::fs::write(root.join("var/log/kubelet.log"), log).unwrap();
    let (r, _) = analyze_healthy_copy(&root);
    let plan = r["bundles"][0]["plan"].to_string();
    assert!(!plan.contains("renew-kubelet-client-cert"), "{plan}");
    assert!(
        !r["bundles"][0]["findings"]
            .to_string()
            .contains("kubelet-cert-expired-in-logs"),
        "{r:#}"
    );
}

/// kubeadm PKI files lying outside every node tree of a support bundle (a pod-copy collector's
/// copy of a tenant pod named like the node, an old backup of another cluster kept in the
/// ticket) are reported, but not as the cluster's live PKI: their expired apiserver.crt is
/// info with no step, and the cluster's service-account CA is not judged stale against their
/// CA (hostile round 9, case 07).
#[test]
fn pki_files_outside_every_node_tree_drive_no_steps() {
    for folder in ["copy-app-certs/tenant-a/cp-1/certs", "old-cluster-backup/pki"] {
        let node = tempfile::tempdir().unwrap();
        kubetriage_testgen::distros::kubeadm_left_out("apiserver")
            .unwrap()
            .write_to(node.path())
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("b");
        fixture_copy::copy_tree(Path::new("testdata/bundles/troubleshoot-kubeadm"), &root);
        let target = root.join("support-bundle-2026-06-15T12_00_00").join(folder);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::rename(node.path().join("etc/kubernetes/pki"), &target).unwrap();
        let (r, code) = analyze_healthy_copy(&root);
        let b = &r["bundles"][0];
        assert_eq!(code, Some(0), "{folder}: {r:#}");
        assert_eq!(b["plan"], serde_json::json!([]), "{folder}: {:#}", b["plan"]);
        let findings = b["findings"].as_array().unwrap();
        let expired = findings
            .iter()
            .find(|f| f["rule"] == "cert-expired")
            .unwrap_or_else(|| panic!("{folder}: no cert-expired in {r:#}"));
        assert_eq!(expired["severity"], "info", "{expired:#}");
        assert!(
            expired["message"]
                .as_str()
                .unwrap()
                .contains("outside every node's tree"),
            "{expired:#}"
        );
        assert!(
            !findings.iter().any(|f| f["rule"] == "sa-token-stale-ca"),
            "{folder}: {r:#}"
        );
    }
}

/// `kubetriage analyze ROOT -q -o json` at the kubeadm-healthy fixture's capture time: the
/// report and the exit code.
fn analyze_healthy_copy(root: &Path) -> (Value, Option<i32>) {
    let out = Command::new(env!("CARGO_BIN_EXE_kubetriage"))
        .args(["analyze", "-q", "-o", "json", "--now", "2026-06-15T12:00:00Z"])
        .arg(root)
        .output()
        .unwrap();
    (serde_json::from_slice(&out.stdout).unwrap(), out.status.code())
}

/// Hostile round 10, case 11: thousands of dumped Node objects no node tree stands for are
/// counted, not all named, in the markdown header, so the report keeps room for its
/// findings; the bundle's own node is named first.
#[test]
fn thousands_of_api_only_nodes_are_counted_in_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("b");
    fixture_copy::copy_tree(Path::new("testdata/bundles/kubeadm-healthy"), &root);
    let items: Vec<Value> = (0..2000)
        .map(|i| serde_json::json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": format!("n{i:05}")}}))
        .collect();
    std::fs::write(
        root.join("cluster/extra-nodes.json"),
        serde_json::to_vec(&serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items})).unwrap(),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kubetriage"))
        .args(["analyze", "-q", "-o", "markdown", "--now", "2026-06-15T12:00:00Z"])
        .arg(&root)
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    let line = md
        .lines()
        .find(|l| l.starts_with("- Nodes: "))
        .expect("a Nodes line");
    assert!(line.starts_with("- Nodes: cp-1 (kubeadm)"), "{line}");
    assert!(line.len() < 4000, "{} bytes", line.len());
    assert!(line.contains(" more (-o json lists them all)"), "{line}");
}
