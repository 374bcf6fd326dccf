//! The literal prefilter's soundness: which literals every match of a pattern must contain.
//!
//! The scanner only runs a rule's regexes on lines that contain one of the rule's literals,
//! so those literals must be *necessary*: a line without any of them cannot match. We prove
//! it from the regex's syntax tree: [`required`] returns a set of strings of which every
//! match contains at least one. Literals are case-sensitive (a case-insensitive automaton
//! cannot use the SIMD "Teddy" prefilter and is several times slower), so write `[Bb]ack-off`
//! rather than `(?i)back-off`; they never contain bytes that JSON or a log shipper might escape
//! (`"`, `\`, `<`, `>`, `&`, control and non-ASCII bytes): the prefilter runs on raw lines,
//! where a docker or journald JSON wrapper escapes them, and the regexes on the unescaped
//! message.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Shortest literal worth prefiltering on; shorter ones would make most lines candidates.
pub const MIN_LITERAL: usize = 3;

fn safe(b: u8) -> bool {
    (0x20..0x7f).contains(&b) && !matches!(b, b'"' | b'\\' | b'<' | b'>' | b'&')
}

/// Parses a pattern as the `regex` crate would.
pub fn parse(pattern: &str) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())
}

/// The single ASCII byte a class stands for, if it is one (`[k]`; not `[kK]`).
fn class_byte(c: &Class) -> Option<u8> {
    let mut set: Vec<u8> = Vec::new();
    match c {
        Class::Unicode(u) => {
            for r in u.ranges() {
                for ch in r.start()..=r.end() {
                    set.push(u8::try_from(u32::from(ch)).ok()?);
                    if set.len() > 2 {
                        return None;
                    }
                }
            }
        }
        Class::Bytes(b) => {
            for r in b.ranges() {
                for x in r.start()..=r.end() {
                    set.push(x);
                    if set.len() > 2 {
                        return None;
                    }
                }
            }
        }
    }
    match set.as_slice() {
        [a] => Some(*a),
        _ => None,
    }
}

fn score(set: &[Vec<u8>]) -> (usize, std::cmp::Reverse<usize>) {
    (
        set.iter().map(Vec::len).min().unwrap_or(0),
        std::cmp::Reverse(set.len()),
    )
}

fn better(best: Option<Vec<Vec<u8>>>, cand: Vec<Vec<u8>>) -> Option<Vec<Vec<u8>>> {
    match best {
        Some(b) if score(&b) >= score(&cand) => Some(b),
        _ => Some(cand),
    }
}

/// A set of strings of which every match of `hir` contains at least one, or
/// `None` when no such set can be derived (the pattern can match without any literal).
pub fn required(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Literal(_) | HirKind::Concat(_) | HirKind::Class(_) => {
            let children: &[Hir] = match hir.kind() {
                HirKind::Concat(c) => c,
                _ => std::slice::from_ref(hir),
            };
            concat(children)
        }
        HirKind::Capture(c) => required(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required(&r.sub),
        HirKind::Alternation(alts) => {
            let mut out: Vec<Vec<u8>> = Vec::new();
            for a in alts {
                for s in required(a)? {
                    if !out.contains(&s) {
                        out.push(s);
                    }
                }
            }
            Some(out)
        }
        _ => None,
    }
}

fn concat(children: &[Hir]) -> Option<Vec<Vec<u8>>> {
    let mut best: Option<Vec<Vec<u8>>> = None;
    let mut run: Vec<u8> = Vec::new();
    let flush = |run: &mut Vec<u8>, best: &mut Option<Vec<Vec<u8>>>| {
        if !run.is_empty() {
            *best = better(best.take(), vec![std::mem::take(run)]);
        }
    };
    for child in children {
        match child.kind() {
            HirKind::Literal(l) => {
                for &b in l.0.iter() {
                    if safe(b) {
                        run.push(b);
                    } else {
                        flush(&mut run, &mut best);
                    }
                }
            }
            HirKind::Class(c) => match class_byte(c).filter(|b| safe(*b)) {
                Some(b) => run.push(b),
                None => flush(&mut run, &mut best),
            },
            _ => {
                flush(&mut run, &mut best);
                if let Some(set) = required(child) {
                    best = better(best, set);
                }
            }
        }
    }
    flush(&mut run, &mut best);
    best
}

/// The parts of `hir` in order, with concatenations and groups opened.
fn flatten<'h>(hir: &'h Hir, out: &mut Vec<&'h Hir>) {
    match hir.kind() {
        HirKind::Concat(c) => c.iter().for_each(|x| flatten(x, out)),
        HirKind::Capture(c) => flatten(&c.sub, out),
        _ => out.push(hir),
    }
}

/// Whether every match of `hir` contains one of `listed`: some part every match has (a run
/// of fixed text, or a sub-pattern every match goes through) holds a listed literal.
fn covered(hir: &Hir, listed: &[Vec<u8>]) -> bool {
    let holds = |run: &[u8]| listed.iter().any(|l| memchr::memmem::find(run, l).is_some());
    match hir.kind() {
        HirKind::Literal(_) | HirKind::Concat(_) | HirKind::Class(_) => {
            // Groups do not change what matches: a run of fixed text goes on into a group
            // (`found in (?P<path>/…)` has the run `found in /`).
            let mut children: Vec<&Hir> = Vec::new();
            flatten(hir, &mut children);
            let mut run: Vec<u8> = Vec::new();
            for child in children {
                let byte = match child.kind() {
                    HirKind::Literal(l) => {
                        for &b in l.0.iter() {
                            if safe(b) {
                                run.push(b);
                            } else if holds(&std::mem::take(&mut run)) {
                                return true;
                            }
                        }
                        continue;
                    }
                    HirKind::Class(c) => class_byte(c).filter(|b| safe(*b)),
                    _ => None,
                };
                match byte {
                    Some(b) => run.push(b),
                    None => {
                        let nested = !matches!(child.kind(), HirKind::Class(_));
                        if holds(&std::mem::take(&mut run)) || nested && covered(child, listed) {
                            return true;
                        }
                    }
                }
            }
            holds(&run)
        }
        HirKind::Capture(c) => covered(&c.sub, listed),
        HirKind::Repetition(r) if r.min >= 1 => covered(&r.sub, listed),
        HirKind::Alternation(alts) => alts.iter().all(|a| covered(a, listed)),
        _ => false,
    }
}

/// The literals a rule prefilters on: the listed ones, else the union of each
/// pattern's [`required`] set. Errors say why the prefilter would not be sound or useful.
pub fn for_rule(patterns: &[String], listed: &[String]) -> Result<Vec<Vec<u8>>, Vec<String>> {
    let mut errors = Vec::new();
    let listed: Vec<Vec<u8>> = listed.iter().map(|l| l.as_bytes().to_vec()).collect();
    for l in &listed {
        if l.len() < MIN_LITERAL || !l.iter().all(|b| safe(*b)) {
            errors.push(format!(
                "literal `{}` must be at least {MIN_LITERAL} printable ASCII characters without \" \\ < > &",
                String::from_utf8_lossy(l)
            ));
        }
    }
    let mut derived: Vec<Vec<u8>> = Vec::new();
    for p in patterns {
        let Ok(hir) = parse(p) else { continue };
        match required(&hir) {
            None => errors.push(format!(
                "pattern `{p}` can match a line without any fixed text; the prefilter needs one"
            )),
            Some(set) if listed.is_empty() => {
                if let Some(short) = set.iter().find(|s| s.len() < MIN_LITERAL) {
                    errors.push(format!(
                        "pattern `{p}` is only anchored on the short text `{}`; make it more specific or list `literals:`",
                        String::from_utf8_lossy(short)
                    ));
                }
                for s in set {
                    if !derived.contains(&s) {
                        derived.push(s);
                    }
                }
            }
            Some(set) => {
                // Some necessary part of the pattern must hold a listed literal, so every
                // match does.
                if !covered(&hir, &listed) {
                    let needs: Vec<String> = set
                        .iter()
                        .map(|s| String::from_utf8_lossy(s).into_owned())
                        .collect();
                    errors.push(format!(
                        "pattern `{p}` can match a line without any of the listed literals (it needs `{}`)",
                        needs.join("` or `")
                    ));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(if listed.is_empty() { derived } else { listed })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(p: &str) -> Option<Vec<String>> {
        required(&parse(p).unwrap()).map(|v| v.into_iter().map(|s| String::from_utf8(s).unwrap()).collect())
    }

    #[test]
    fn derives_necessary_literals() {
        assert_eq!(
            req("x509: certificate has expired").unwrap(),
            ["x509: certificate has expired"]
        );
        assert_eq!(
            req(r#"rejected connection from "(?P<peer>[^"]+)""#).unwrap(),
            ["rejected connection from "]
        );
        assert_eq!(req("[Bb]ack-off restarting").unwrap(), ["ack-off restarting"]);
        assert_eq!(req("(?i)back-off restarting").unwrap(), ["-"]);
        let mut alt = req("InvalidClientTokenId|SignatureDoesNotMatch").unwrap();
        alt.sort();
        assert_eq!(alt, ["InvalidClientTokenId", "SignatureDoesNotMatch"]);
        assert_eq!(req("a.*b"), Some(vec!["a".to_string()]));
        assert_eq!(req(r"\d+"), None);
        assert_eq!(req("(foo)?bar").unwrap(), ["bar"]);
    }

    #[test]
    fn listed_literals_must_be_necessary() {
        let pats = vec!["x509: certificate has expired".to_string()];
        assert!(for_rule(&pats, &["certificate has".to_string()]).is_ok());
        let err = for_rule(&pats, &["unknown authority".to_string()]).unwrap_err();
        assert!(err[0].contains("without any of the listed literals"), "{err:?}");
        assert!(for_rule(&[r"\w+ failed".to_string()], &[]).is_ok());
        // A listed literal may stand in any part every match has, not only the longest one.
        let pats = vec![r"[Ff]ailed to ensure lease exists, will retry.*?(?P<e>Unauthorized)".to_string()];
        assert!(for_rule(&pats, &["Unauthorized".to_string()]).is_ok());
        assert!(for_rule(&[r"(?:a|lease exists)".to_string()], &["lease".to_string()]).is_err());
        assert!(for_rule(&[r"(?:ab)?Unauthorized".to_string()], &["ab".to_string()]).is_err());
        // A run of fixed text goes on into a group; not into an optional one.
        assert!(
            for_rule(
                &[r"found in (?P<p>/\S+)".to_string()],
                &["found in /".to_string()]
            )
            .is_ok()
        );
        assert!(
            for_rule(
                &[r"found in (?P<p>/\S+)?".to_string()],
                &["found in /".to_string()]
            )
            .is_err()
        );
        assert!(for_rule(&[r"\d+".to_string()], &[]).is_err());
    }
}
