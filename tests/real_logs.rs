//! The real-world log corpus (testdata/real-logs/corpus.tsv): verbatim lines from public issue
//! threads, docs and Q&A pages, each labelled with the log rule it must fire or marked as a
//! look-alike that must not. Every line runs through the real scanner alone and inside a small
//! node log with the journald and CRI prefixes its format would carry.

#![allow(clippy::unwrap_used)]

#[allow(dead_code)]
mod real_logs_support;

use std::collections::BTreeSet;

use kubetriage::catalog::{Catalog, RuleKind};
use real_logs_support::{BENIGN, Harness, entries, evaluate};

#[test]
fn the_corpus_is_large_varied_and_sourced() {
    let es = entries();
    let benign = es.iter().filter(|e| e.class.starts_with(BENIGN)).count();
    let classes: BTreeSet<&str> = es
        .iter()
        .filter(|e| !e.class.starts_with(BENIGN))
        .map(|e| e.class.as_str())
        .collect();
    assert!(es.len() >= 600, "{} lines", es.len());
    assert!(benign >= 200, "{benign} look-alikes");
    assert!(classes.len() >= 14, "{classes:?}");
    let cat = Catalog::builtin().unwrap();
    for e in &es {
        assert!(e.source.starts_with("https://"), "no source address: {e:?}");
        let rule = e.class.strip_prefix(BENIGN).unwrap_or(&e.class);
        assert!(
            matches!(cat.rule(rule).map(|r| &r.kind), Some(RuleKind::Log(_))),
            "class `{}` names no log rule",
            e.class
        );
        assert!(!e.line.trim().is_empty(), "empty line from {}", e.source);
    }
}

#[test]
fn real_world_lines_are_recognised_and_look_alikes_are_not() {
    let (table, wrong) = evaluate(&Harness::new(), &entries());
    let report: Vec<String> = wrong
        .iter()
        .map(|(e, v)| {
            format!(
                "{} ({}): {}\n  alone {:?} in file {:?}",
                e.class, e.source, e.line, v.alone, v.in_file
            )
        })
        .collect();
    let (mut ok, mut total) = (0, 0);
    for (class, (k, n)) in &table {
        if class.starts_with("look-alikes") {
            assert_eq!(k, n, "look-alikes fired:\n{}", report.join("\n"));
        } else {
            assert!(
                *k * 10 >= *n * 9,
                "{class}: {k}/{n} recognised (need 90%):\n{}",
                report.join("\n")
            );
            ok += k;
            total += n;
        }
    }
    assert!(
        ok * 100 >= total * 95,
        "{ok}/{total} recognised (need 95%):\n{}",
        report.join("\n")
    );
}
