//! One-way stages: a module of one stage imports (`crate::…`) only stages at or below its
//! own. The order, from the ground floor up (README "Architecture"):
//!
//! model, error, redact → bundle → artifact → pki, logscan → snapshot → catalog → facts →
//! ingest → finding → checks → plan → report → engine, collect (lib.rs and main.rs drive
//! them all).
//!
//! `BACK_IMPORTS` lists the imports that still run back up today: a shrinking allow-list. A
//! new back-import fails the test, and so does an entry that is no longer needed (delete it).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::collections::BTreeSet;
use std::path::Path;

/// Stage of each top-level module, ground floor first.
const STAGES: &[(&str, u8)] = &[
    ("model", 0),
    ("error", 0),
    ("redact", 0),
    ("bundle", 1),
    ("artifact", 2),
    ("pki", 3),
    ("logscan", 3),
    ("snapshot", 4),
    ("catalog", 5),
    ("facts", 6),
    ("ingest", 7),
    ("finding", 8),
    ("checks", 9),
    ("plan", 10),
    ("report", 11),
    ("engine", 12),
    ("collect", 12),
];

/// (file under src/, the later stage it imports): back-imports not yet removed (none today;
/// the list stays so that a deliberate exception is visible in review).
const BACK_IMPORTS: &[(&str, &str)] = &[];

fn stage(module: &str) -> Option<u8> {
    STAGES.iter().find(|(m, _)| *m == module).map(|(_, s)| *s)
}

/// Every `crate::<module>` a source text names.
fn crate_refs(text: &str) -> BTreeSet<String> {
    text.match_indices("crate::")
        .map(|(i, m)| {
            text[i + m.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src/ is readable").flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Every source file under `src/`: its path relative to `src/`, its top-level module, and
/// the `crate::…` modules it names.
fn sources() -> Vec<(String, String, BTreeSet<String>)> {
    let mut files = Vec::new();
    walk(Path::new("src"), &mut files);
    files
        .into_iter()
        .map(|f| {
            let rel = f
                .strip_prefix("src")
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            let top = rel
                .split('/')
                .next()
                .unwrap_or_default()
                .trim_end_matches(".rs")
                .to_string();
            let text = std::fs::read_to_string(&f).expect("source is UTF-8");
            (rel, top, crate_refs(&text))
        })
        .collect()
}

#[test]
fn stages_import_only_stages_below_them() {
    let mut found: BTreeSet<(String, String)> = BTreeSet::new();
    for (rel, top, refs) in sources() {
        let Some(own) = stage(&top) else { continue };
        for r in refs {
            if stage(&r).is_some_and(|s| s > own) {
                found.insert((rel.clone(), r));
            }
        }
    }
    let allowed: BTreeSet<(String, String)> = BACK_IMPORTS
        .iter()
        .map(|(f, m)| ((*f).to_string(), (*m).to_string()))
        .collect();
    let new: Vec<_> = found.difference(&allowed).collect();
    assert!(new.is_empty(), "imports that run back up a stage: {new:?}");
    let gone: Vec<_> = allowed.difference(&found).collect();
    assert!(
        gone.is_empty(),
        "no longer back-imports, remove them from BACK_IMPORTS: {gone:?}"
    );
}

#[test]
fn the_ground_floor_imports_no_stage() {
    let text = std::fs::read_to_string("src/model/mod.rs").expect("src/model/mod.rs");
    assert!(crate_refs(&text).is_empty(), "src/model imports a stage");
}

/// Import loops between top-level modules that remain (a shrinking list, as
/// [`BACK_IMPORTS`]): none today.
const LOOPS: &[(&str, &str)] = &[];

#[test]
fn no_new_import_loop_between_modules() {
    let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
    for (_, top, refs) in sources() {
        for r in refs {
            // `crate::redact` is the ground floor's re-export of `model::redact`.
            let r = if r == "redact" { "model".to_string() } else { r };
            if r != top && stage(&r).is_some() && stage(&top).is_some() {
                edges.insert((top.clone(), r));
            }
        }
    }
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            for (a, b) in &edges {
                if *a == m && seen.insert(b.clone()) {
                    todo.push(b.clone());
                }
            }
        }
        seen.contains(to)
    };
    let mut loops = BTreeSet::new();
    for (a, b) in &edges {
        if reaches(b, a) {
            let pair = if a < b {
                (a.clone(), b.clone())
            } else {
                (b.clone(), a.clone())
            };
            loops.insert(pair);
        }
    }
    let allowed: BTreeSet<(String, String)> = LOOPS
        .iter()
        .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
        .collect();
    let new: Vec<_> = loops.difference(&allowed).collect();
    assert!(new.is_empty(), "new import loops between modules: {new:?}");
    let gone: Vec<_> = allowed.difference(&loops).collect();
    assert!(
        gone.is_empty(),
        "no longer loops, remove them from LOOPS: {gone:?}"
    );
}
