//! kubetriage-testgen: writes kubetriage's test bundles under a directory, deterministically.
//!
//! ```text
//! cargo run -p kubetriage-testgen --release -- testdata/bundles [testdata/rules]
//! cargo run -p kubetriage-testgen --release -- --check testdata/bundles [testdata/rules]
//! ```
//!
//! One call writes both the bundles and the per-rule fixtures (`<rule-id>/{hit,miss}/`),
//! the latter into the second directory, by default `rules/` beside the first. The `--check`
//! form regenerates both into a temporary directory and exits 1, listing every file that
//! differs from the committed trees.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};

use kubetriage_testgen::tree::{self, Entry, Tree};
use kubetriage_testgen::{
    archive, big, external_ca, ha, incident, kubeadm, malformed, ojson, rke2_ip, rotation_off, rules_node,
    secrets, sosreport, troubleshoot, two_nodes,
};

/// A bundle generator: its tree (relative to the bundle root) and its expectations.
type BundleFn = fn() -> Result<(Tree, Value)>;

/// Build every bundle: the full output tree (directories and archives) relative to the
/// output directory.
fn generate() -> Result<Tree> {
    let mut out = Tree::new();
    let mut expectations = Map::new();
    let bundles: Vec<(&str, BundleFn, i64)> = vec![
        (
            "kubeadm-healthy",
            kubeadm::bundle,
            kubeadm::CAPTURE.unix_timestamp(),
        ),
        (
            "incident-replay",
            incident::bundle,
            incident::CAPTURE.unix_timestamp(),
        ),
        (
            "two-nodes",
            two_nodes::bundle,
            two_nodes::CAPTURE.unix_timestamp(),
        ),
        (
            "malformed",
            malformed::bundle,
            malformed::CAPTURE.unix_timestamp(),
        ),
        (
            "secrets-everywhere",
            secrets::bundle,
            secrets::CAPTURE.unix_timestamp(),
        ),
    ];
    // Collector-shaped bundles: directories only (tests pack them as .tar.xz / .tar.gz).
    let shaped: Vec<(&str, BundleFn)> = vec![
        ("sosreport-legacy", sosreport::legacy),
        ("sosreport-scrubbed", sosreport::scrubbed),
        ("troubleshoot-kubeadm", troubleshoot::bundle),
        ("kubeadm-ha", ha::healthy),
        ("kubeadm-ha-etcd-rejoined", ha::etcd_rejoined),
        ("kubeadm-external-ca-ecdsa", external_ca::bundle),
        ("kubeadm-worker-rotation-off", rotation_off::bundle),
        ("rke2-node-ip-changed", rke2_ip::bundle),
    ];
    for (name, build) in shaped {
        let (tree, exp) = build().with_context(|| format!("building {name}"))?;
        out.merge_under(name, tree);
        expectations.insert(name.to_owned(), exp);
    }
    for (name, build, mtime) in bundles {
        let (tree, exp) = build().with_context(|| format!("building {name}"))?;
        let gz = archive::tar_gz(&tree, name, mtime)?;
        if name == "malformed" {
            out.file("truncated.tar.gz", gz[..gz.len() / 2].to_vec());
        }
        out.file(&format!("{name}.tar.gz"), gz);
        out.merge_under(name, tree);
        expectations.insert(name.to_owned(), exp);
    }
    out.file(
        "expectations.json",
        ojson::to_pretty(&Value::Object(expectations), "  ")?,
    );
    Ok(out)
}

/// The per-rule fixtures: `<rule-id>/<case>/…`, directories only (they are a few KB each).
fn generate_rules() -> Result<Tree> {
    let mut out = Tree::new();
    for (rule, case, tree) in rules_node::cases()? {
        out.merge_under(&format!("{rule}/{case}"), tree);
    }
    Ok(out)
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kubetriage-testgen: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(code) = run_big(&args)? {
        return Ok(code);
    }
    let (check, dirs) = match args.as_slice() {
        [flag, rest @ ..] if flag == "--check" => (true, rest),
        rest => (false, rest),
    };
    let (bundles_dir, rules_dir) = match dirs {
        [b] if !b.starts_with('-') => {
            let b = PathBuf::from(b);
            let r = b.parent().unwrap_or(Path::new("")).join("rules");
            (b, r)
        }
        [b, r] if !b.starts_with('-') && !r.starts_with('-') => (PathBuf::from(b), PathBuf::from(r)),
        _ => bail!(
            "usage: kubetriage-testgen [--check] <bundles-dir> [<rules-dir>]\n       \
             kubetriage-testgen big --size-mb N --seed S --out DIR\n       \
             kubetriage-testgen secrets-dump --certs N --seed S --out DIR"
        ),
    };
    let outputs = [(generate()?, bundles_dir), (generate_rules()?, rules_dir)];
    if check {
        let mut differ = 0;
        for (generated, dir) in &outputs {
            differ += check_dir(generated, dir)?;
        }
        if differ == 0 {
            return Ok(ExitCode::SUCCESS);
        }
        let dirs: Vec<String> = outputs.iter().map(|(_, d)| d.display().to_string()).collect();
        println!(
            "{differ} file(s) differ from the generator; run `cargo run -p kubetriage-testgen --release -- {}`",
            dirs.join(" ")
        );
        return Ok(ExitCode::from(1));
    }
    for (generated, dir) in &outputs {
        write_fresh(generated, dir)?;
        println!("wrote {} files under {}", generated.entries.len(), dir.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Regenerates into a temporary directory and compares with `dir`; prints and counts the
/// files that differ.
fn check_dir(generated: &Tree, dir: &Path) -> Result<usize> {
    let tmp = std::env::temp_dir().join(format!("kubetriage-testgen-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    generated.write_to(&tmp)?;
    let fresh = tree::read_dir(&tmp)?;
    std::fs::remove_dir_all(&tmp)?;
    let committed = if dir.exists() {
        tree::read_dir(dir)?
    } else {
        Tree::new()
    };
    let diffs = compare(&fresh, &committed);
    if diffs.is_empty() {
        println!(
            "testdata up to date: {} files in {}",
            fresh.entries.len(),
            dir.display()
        );
    }
    for d in &diffs {
        println!("{d}");
    }
    Ok(diffs.len())
}

/// The benchmark's large bundles (`big`, `secrets-dump`); `None` for other commands.
fn run_big(args: &[String]) -> Result<Option<ExitCode>> {
    let Some(cmd) = args.first().filter(|c| *c == "big" || *c == "secrets-dump") else {
        return Ok(None);
    };
    let opt = |name: &str| -> Result<String> {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
            .with_context(|| format!("{cmd} needs {name}"))
    };
    let seed: u64 = opt("--seed")?.parse()?;
    let out = PathBuf::from(opt("--out")?);
    if cmd == "big" {
        big::logs_bundle(opt("--size-mb")?.parse()?, seed, &out)?;
    } else {
        big::secrets_dump(opt("--certs")?.parse()?, seed, &out)?;
    }
    println!(
        "wrote {} and {}",
        out.display(),
        out.with_extension("tar.gz").display()
    );
    Ok(Some(ExitCode::SUCCESS))
}

/// Replace the generated bundles in `dir` (only the names this generator owns).
fn write_fresh(generated: &Tree, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut tops: Vec<&str> = generated
        .entries
        .keys()
        .filter_map(|p| p.split('/').next())
        .collect();
    tops.dedup();
    for top in tops {
        let p = dir.join(top);
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(&p)?,
            Ok(_) => std::fs::remove_file(&p)?,
            Err(_) => {}
        }
    }
    generated.write_to(dir)
}

/// Paths whose content or kind differ, or that exist on one side only (modes ignored).
fn compare(fresh: &Tree, committed: &Tree) -> Vec<String> {
    let mut out = Vec::new();
    for (p, e) in &fresh.entries {
        match (e, committed.get(p)) {
            (_, None) => out.push(format!("missing: {p}")),
            (Entry::File { data: a, .. }, Some(Entry::File { data: b, .. })) if a == b => {}
            (Entry::Symlink { target: a }, Some(Entry::Symlink { target: b })) if a == b => {}
            _ => out.push(format!("differs: {p}")),
        }
    }
    for p in committed.entries.keys() {
        if !fresh.entries.contains_key(p) {
            out.push(format!("unexpected: {p}"));
        }
    }
    out
}
