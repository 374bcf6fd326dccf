//! The catalogue and the code stay in step: every built-in check has exactly one rule, every
//! rule's check and fix steps exist, the fix graph has no cycle, and bad catalogues are
//! rejected with errors that name the problem.

use std::collections::BTreeMap;

use kubetriage::catalog::{Catalog, CatalogError, RuleKind};
use kubetriage::checks::CHECKS;

fn texts(yaml: &str) -> Vec<(String, String)> {
    vec![("test.yaml".to_string(), yaml.to_string())]
}

#[test]
fn builtin_catalogue_validates() {
    Catalog::builtin().expect("the embedded catalogue validates");
}

#[test]
fn log_rules_validate() {
    let errors = Catalog::builtin().unwrap().log_rule_errors();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn every_check_has_exactly_one_rule() {
    let cat = Catalog::builtin().unwrap();
    let mut uses: BTreeMap<&str, usize> = CHECKS.iter().map(|c| (c.id(), 0)).collect();
    for r in &cat.rules {
        if let RuleKind::Check(c) = &r.kind {
            *uses
                .get_mut(c.as_str())
                .unwrap_or_else(|| panic!("rule {} names unknown check {c}", r.id)) += 1;
        }
    }
    for (check, n) in uses {
        assert_eq!(n, 1, "check `{check}` is used by {n} rules (expected exactly 1)");
    }
}

#[test]
fn every_rule_has_a_why_and_every_fix_step_is_used() {
    let cat = Catalog::builtin().unwrap();
    for r in &cat.rules {
        assert!(r.why.trim().len() > 20, "rule {} needs a real `why`", r.id);
    }
    for id in cat.fixes.keys() {
        // A dialect step is used through the step it stands for on its distribution, an
        // agent form through the step it stands for on a k3s/RKE2 agent.
        let used = cat.rules.iter().any(|r| r.fix.contains(id))
            || cat.fixes.values().any(|s| {
                s.after.contains(id) || s.dialects.values().any(|d| d == id) || s.agent.as_ref() == Some(id)
            });
        assert!(used, "fix step {id} is named by no rule");
    }
}

#[test]
fn fix_cycle_is_a_catalogue_error() {
    let err = Catalog::from_texts(&texts(
        "fixes:\n  - {id: a, phase: hygiene, title: A, after: [b]}\n  - {id: b, phase: hygiene, title: B, after: [a]}\n",
    ))
    .unwrap_err();
    let CatalogError::Invalid(errors) = err else {
        panic!("expected Invalid, got {err}")
    };
    assert!(errors.iter().any(|e| e.contains("cycle")), "{errors:?}");
}

#[test]
fn dangling_references_are_catalogue_errors() {
    // As a `--rules` folder is read: after the built-in files, whose checks are the known ones.
    let with_builtin = |yaml: &str| {
        let mut files: Vec<(String, String)> = kubetriage::catalog::BUILTIN
            .iter()
            .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
            .collect();
        files.extend(texts(yaml));
        files
    };
    let err = Catalog::from_texts(&with_builtin(
        "rules:\n  - id: x-y\n    severity: error\n    title: T\n    check: no.such_check\n    why: because this is a test of dangling references\n    fix: [nope]\n    explains: [ghost]\nfixes:\n  - {id: s, phase: hygiene, title: S, after: [missing]}\n",
    ))
    .unwrap_err();
    let msg = err.to_string();
    for needle in [
        "unknown check `no.such_check`",
        "unknown fix step `nope`",
        "unknown rule `ghost`",
        "unknown step `missing`",
    ] {
        assert!(msg.contains(needle), "missing {needle:?} in:\n{msg}");
    }
}

#[test]
fn unknown_phase_and_bad_ids_are_rejected() {
    let err = Catalog::from_texts(&texts(
        "rules:\n  - id: Bad_Id\n    severity: info\n    title: T\n    check: input.problems\n    why: a rule whose id is not kebab-case at all\nfixes:\n  - {id: s, phase: someday, title: S}\n",
    ))
    .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("kebab-case"), "{msg}");
    assert!(msg.contains("unknown phase `someday`"), "{msg}");
}

#[test]
fn yaml_errors_name_the_file_and_line() {
    let err = Catalog::from_texts(&texts("rules:\n  - id: a\n    severity: [\n")).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("invalid rule catalogue: test.yaml:"), "{msg}");
    assert!(msg.contains("line"), "{msg}");
}
