//! The log rules compiled once: one Aho-Corasick automaton over every rule's literals (the
//! prefilter), and per rule its regexes, exclusions and components.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::bytes::{Regex, RegexBuilder};

use crate::logscan::{LogSyntax, literals};

/// A prefilter literal with the ids of the rules it stands for.
pub type LiteralRules<'a> = (&'a [u8], Vec<&'a str>);

/// Most patterns Aho-Corasick's SIMD prefilter (Teddy) takes; beyond it, scans are several
/// times slower.
pub const TEDDY_LIMIT: usize = 64;

/// Shortest common substring worth merging literals on.
pub const MIN_PREFIX: usize = 5;

/// `lit` without its leading spaces and punctuation, when at least 4 bytes remain: a part of
/// it, so every line holding `lit` still holds it, and the SIMD prefilter, which keys on a
/// literal's first bytes, no longer sees ` re`, ` co`, ` pr` (the start of half the words of
/// a log) as candidates.
fn trim_lead(lit: Vec<u8>) -> Vec<u8> {
    let start = lit.iter().position(u8::is_ascii_alphanumeric).unwrap_or(0);
    if lit.len() - start >= 4 {
        lit[start..].to_vec()
    } else {
        lit
    }
}

/// A smaller set of strings such that every literal contains one of them, so that a line
/// holding any literal holds a member of the cover: literals that contain another literal
/// are dropped, then the two members sharing the longest common substring are replaced, with
/// every member containing it, by that substring, until at most `limit` remain (or no two
/// share `MIN_PREFIX` bytes). Longest first keeps the cover as specific as the limit allows.
pub fn cover(lits: &[Vec<u8>], limit: usize) -> Vec<Vec<u8>> {
    // One searcher per literal, built once: only a shorter literal can be inside another.
    let finders: Vec<memchr::memmem::Finder<'_>> = lits.iter().map(memchr::memmem::Finder::new).collect();
    let inside = |l: &[u8]| {
        lits.iter()
            .zip(&finders)
            .any(|(o, f)| o.len() < l.len() && f.find(l).is_some())
    };
    let mut members: Vec<Option<Vec<u8>>> = Vec::new();
    for l in lits {
        if !members.iter().any(|m| m.as_ref() == Some(l)) && !inside(l) {
            members.push(Some(l.clone()));
        }
    }
    // Every pair sharing at least `MIN_PREFIX` bytes, with its longest common substring:
    // computed once per pair, then only for the member each merge adds.
    let mut wins: Vec<Vec<u64>> = members
        .iter()
        .map(|m| m.as_deref().map(windows).unwrap_or_default())
        .collect();
    let mut pairs: Vec<(Vec<u8>, usize, usize)> = Vec::new();
    for b in 0..members.len() {
        pairs_with(&members, &wins, b, &mut pairs);
    }
    let mut live = members.len();
    while live > limit {
        // Longest first; on ties the smallest bytes, so the cover does not depend on order.
        let Some(common) = pairs
            .iter()
            .map(|(c, _, _)| c)
            .max_by(|x, y| x.len().cmp(&y.len()).then_with(|| y.cmp(x)))
            .cloned()
        else {
            break;
        };
        let finder = memchr::memmem::Finder::new(&common);
        for m in &mut members {
            if m.as_ref().is_some_and(|s| finder.find(s).is_some()) {
                *m = None;
                live -= 1;
            }
        }
        pairs.retain(|(_, a, b)| {
            members.get(*a).is_some_and(Option::is_some) && members.get(*b).is_some_and(Option::is_some)
        });
        wins.push(windows(&common));
        members.push(Some(common));
        live += 1;
        pairs_with(&members, &wins, members.len() - 1, &mut pairs);
    }
    let mut set: Vec<Vec<u8>> = members.into_iter().flatten().collect();
    set.sort();
    set
}

/// Adds to `pairs` member `b` with every live member before it that shares at least
/// `MIN_PREFIX` bytes with it, and their longest common substring (taken in the smaller of
/// the two, as ties go to the first place in it). `wins` holds each member's [`windows`].
fn pairs_with(
    members: &[Option<Vec<u8>>],
    wins: &[Vec<u64>],
    b: usize,
    pairs: &mut Vec<(Vec<u8>, usize, usize)>,
) {
    let (Some(Some(y)), Some(yw)) = (members.get(b), wins.get(b)) else {
        return;
    };
    for (a, (x, xw)) in members.iter().zip(wins).enumerate().take(b) {
        let Some(x) = x else { continue };
        if !share_one(xw, yw) {
            continue;
        }
        let (lo, hi) = if x <= y { (x, y) } else { (y, x) };
        let c = longest_common_substring(lo, hi);
        if c.len() >= MIN_PREFIX {
            pairs.push((c.to_vec(), a, b));
        }
    }
}

/// The `MIN_PREFIX`-byte windows of `s`, each packed in an integer, sorted.
fn windows(s: &[u8]) -> Vec<u64> {
    let mut w: Vec<u64> = s
        .windows(MIN_PREFIX)
        .map(|w| w.iter().fold(0u64, |k, &b| k << 8 | u64::from(b)))
        .collect();
    w.sort_unstable();
    w
}

/// Whether two sorted lists have an element in common.
fn share_one(a: &[u64], b: &[u64]) -> bool {
    let (mut i, mut j) = (0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// The longest common substring of `a` and `b` (the first in `a` on ties).
fn longest_common_substring<'a>(a: &'a [u8], b: &[u8]) -> &'a [u8] {
    let mut prev = vec![0usize; b.len() + 1];
    let mut cur = vec![0usize; b.len() + 1];
    let (mut len, mut end) = (0, 0);
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            let n = if x == y {
                prev.get(j).copied().unwrap_or(0) + 1
            } else {
                0
            };
            if let Some(c) = cur.get_mut(j + 1) {
                *c = n;
            }
            if n > len {
                len = n;
                end = i + 1;
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    a.get(end - len..end).unwrap_or_default()
}

/// `pattern` with its named groups made non-capturing (`(?P<x>…)` → `(?:…)`), so that many
/// patterns can be joined into one regex (`rg -f`) without duplicate group names.
pub fn without_capture_names(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(i) = rest.find("(?") {
        let escaped = rest
            .get(..i)
            .is_some_and(|h| h.chars().rev().take_while(|c| *c == '\\').count() % 2 == 1);
        out.push_str(rest.get(..i).unwrap_or_default());
        let after = rest.get(i + 2..).unwrap_or_default();
        let name_start = after.strip_prefix("P<").or_else(|| after.strip_prefix('<'));
        match name_start.and_then(|n| n.find('>').map(|j| (n, j))) {
            Some((n, j))
                if !escaped
                    && n.get(..j).is_some_and(|x| {
                        !x.is_empty() && x.chars().all(|c| c.is_alphanumeric() || c == '_')
                    }) =>
            {
                out.push_str("(?:");
                rest = n.get(j + 1..).unwrap_or_default();
            }
            _ => {
                out.push_str("(?");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Compiles one catalogue pattern as the scanner runs it: on the message's bytes, with
/// `\w`, `\d`, `\s`, `\b` and case folding in ASCII only (log messages are ASCII; a
/// non-ASCII byte is neither a space nor a word byte). That compiles about 3 × faster than
/// Unicode classes (the catalogue's 99 patterns: 21 ms → 7 ms), which is most of a small
/// bundle's analysis, and keeps the lazy DFAs small.
pub fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern).unicode(false).build()
}

/// One compiled log rule.
#[derive(Debug)]
pub struct CompiledRule {
    /// Rule id.
    pub id: String,
    /// Canonical components it applies to; empty: all.
    pub components: Vec<String>,
    /// The patterns and exclusions as written.
    sources: (Vec<String>, Vec<String>),
    /// The compiled patterns (a line matching any is a hit…) and exclusions (…unless it
    /// matches one of these). Compiled on first use: the prefilter hands a rule no line
    /// unless one of its literals occurs, so most rules never compile on most bundles.
    regexes: OnceLock<(Vec<Regex>, Vec<Regex>)>,
}

impl CompiledRule {
    /// Whether the rule applies to a line of `component` (`None`: the source is unknown,
    /// every rule applies).
    pub fn applies_to(&self, component: Option<&str>) -> bool {
        match component {
            None => true,
            Some(c) => self.components.is_empty() || self.components.iter().any(|x| x == c || x == "any"),
        }
    }

    /// The index of the first pattern that matches `message`, unless an exclusion does.
    pub fn matches(&self, message: &str) -> Option<usize> {
        let (patterns, exclude) = self.regexes();
        let message = message.as_bytes();
        let i = patterns.iter().position(|p| p.is_match(message))?;
        (!exclude.iter().any(|x| x.is_match(message))).then_some(i)
    }

    /// The compiled patterns, in catalogue order.
    pub fn patterns(&self) -> &[Regex] {
        &self.regexes().0
    }

    fn regexes(&self) -> &(Vec<Regex>, Vec<Regex>) {
        // A pattern that does not compile was rejected when the catalogue was validated.
        let all = |ps: &[String]| ps.iter().filter_map(|p| compile(p).ok()).collect();
        self.regexes
            .get_or_init(|| (all(&self.sources.0), all(&self.sources.1)))
    }
}

/// Every log rule of a catalogue, with the combined prefilter.
#[derive(Debug)]
pub struct RuleSet {
    /// Rules, in catalogue order.
    pub rules: Vec<CompiledRule>,
    /// Leftmost-first automaton over the cover of all literals (at most `TEDDY_LIMIT`, so
    /// that Aho-Corasick uses its SIMD "Teddy" search): finds candidate lines in whole
    /// buffers, and in a candidate line each place a literal may start. Shorter cover
    /// strings come first, so that where two start at one place the one reported is a prefix
    /// of the other.
    ac: Option<AhoCorasick>,
    /// For each cover string, the literals holding it and where: (literal, offset).
    in_cover: Vec<Vec<(usize, usize)>>,
    /// The cover strings, in automaton order.
    cover: Vec<Vec<u8>>,
    /// Every literal of the rules.
    lits: Vec<Vec<u8>>,
    /// For each literal, the rules it stands for.
    lit_rules: Vec<Vec<u32>>,
    /// Every literal in one automaton, built on first use: for lines so dense with cover
    /// strings that checking each place costs more than reading each byte ([`Self::rules_in`]).
    every: std::sync::OnceLock<Option<AhoCorasick>>,
}

impl RuleSet {
    /// Compiles `(id, rule)` pairs for scanning, each rule's regexes on first use. Rules
    /// that do not compile are skipped: a validated catalogue has none.
    pub fn from_rules(rules: &[(&str, &LogSyntax)]) -> RuleSet {
        Self::build(rules, false).0
    }

    /// Compiles `(id, rule)` pairs; also returns each rule's compile errors.
    pub fn new(rules: &[(&str, &LogSyntax)]) -> (RuleSet, Vec<String>) {
        Self::build(rules, true)
    }

    /// Builds the prefilter; with `eager` also compiles (and so checks) every regex now,
    /// otherwise each rule compiles its regexes the first time a candidate line needs them.
    fn build(rules: &[(&str, &LogSyntax)], eager: bool) -> (RuleSet, Vec<String>) {
        if !eager {
            if let Some(set) = Precomputed::for_rules(rules) {
                return (set, Vec::new());
            }
        }
        Self::compute(rules, eager)
    }

    /// [`RuleSet::build`] from scratch: every rule's literals derived, the cover computed.
    fn compute(rules: &[(&str, &LogSyntax)], eager: bool) -> (RuleSet, Vec<String>) {
        let mut errors = Vec::new();
        let mut compiled = Vec::new();
        let mut lits: Vec<Vec<u8>> = Vec::new();
        let mut lit_rules: Vec<Vec<u32>> = Vec::new();
        for (id, log) in rules {
            let compile = |ps: &[String], errors: &mut Vec<String>| -> Option<Vec<Regex>> {
                let mut out = Vec::new();
                for p in ps {
                    match compile(p) {
                        Ok(r) => out.push(r),
                        Err(e) => {
                            errors.push(format!("rule `{id}`: pattern does not compile: {e}"));
                            return None;
                        }
                    }
                }
                Some(out)
            };
            let regexes = OnceLock::new();
            if eager {
                let (Some(patterns), Some(exclude)) = (
                    compile(&log.patterns, &mut errors),
                    compile(&log.exclude, &mut errors),
                ) else {
                    continue;
                };
                let _ = regexes.set((patterns, exclude));
            }
            if log.patterns.is_empty() {
                errors.push(format!("rule `{id}`: a log rule needs at least one pattern"));
                continue;
            }
            let rule_lits = match literals::for_rule(&log.patterns, &log.literals) {
                Ok(l) => l,
                Err(es) => {
                    errors.extend(es.into_iter().map(|e| format!("rule `{id}`: {e}")));
                    continue;
                }
            };
            let idx = u32::try_from(compiled.len()).unwrap_or(u32::MAX);
            for l in rule_lits {
                match lits.iter().position(|x| *x == l) {
                    Some(i) => {
                        if let Some(v) = lit_rules.get_mut(i) {
                            v.push(idx);
                        }
                    }
                    None => {
                        lits.push(l);
                        lit_rules.push(vec![idx]);
                    }
                }
            }
            compiled.push(CompiledRule {
                id: (*id).to_string(),
                components: log.components.clone(),
                sources: (log.patterns.clone(), log.exclude.clone()),
                regexes,
            });
        }
        let mut cover: Vec<Vec<u8>> = cover(&lits, TEDDY_LIMIT).into_iter().map(trim_lead).collect();
        cover.sort_by(|a, b| (a.len(), a).cmp(&(b.len(), b)));
        cover.dedup();
        let (set, more) = Self::assemble(compiled, lits, lit_rules, cover);
        errors.extend(more);
        (set, errors)
    }

    /// The rule set from its prefilter's literals and cover: the automaton and where each
    /// cover string sits in the literals.
    fn assemble(
        compiled: Vec<CompiledRule>,
        lits: Vec<Vec<u8>>,
        lit_rules: Vec<Vec<u32>>,
        cover: Vec<Vec<u8>>,
    ) -> (RuleSet, Vec<String>) {
        let mut errors = Vec::new();
        let in_cover: Vec<Vec<(usize, usize)>> = cover
            .iter()
            .map(|c| {
                let finder = memchr::memmem::Finder::new(c);
                let finder = &finder;
                lits.iter()
                    .enumerate()
                    .flat_map(|(li, l)| finder.find_iter(l).map(move |o| (li, o)))
                    .collect()
            })
            .collect();
        let ac = if cover.is_empty() {
            None
        } else {
            match AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostFirst)
                // Teddy finds whole matches: the automaton behind it is rarely run, and a
                // contiguous NFA builds in a fraction of a DFA's time (start-up, issue 17).
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .build(&cover)
            {
                Ok(ac) => Some(ac),
                Err(e) => {
                    errors.push(format!("prefilter does not build: {e}"));
                    None
                }
            }
        };
        (
            RuleSet {
                rules: compiled,
                ac,
                in_cover,
                cover,
                lits,
                lit_rules,
                every: std::sync::OnceLock::new(),
            },
            errors,
        )
    }

    /// The next place at or after `at` in `hay` where a cover string starts, and which
    /// (its index in automaton order): where a literal may start. Every such place is
    /// reported once when the search resumes one byte after the last.
    pub fn next_cover(&self, hay: &[u8], at: usize) -> Option<(usize, usize)> {
        let ac = self.ac.as_ref()?;
        let input = aho_corasick::Input::new(hay).span(at.min(hay.len())..hay.len());
        ac.find(input).map(|m| (m.start(), m.pattern().as_usize()))
    }

    /// Adds to `out` the rules of each literal that holds cover string `ci` where it starts
    /// at `q` in `hay` and that ends by `limit`; whether there was any. A literal never holds
    /// a newline, so one found lies within `q`'s line.
    pub fn rules_at(&self, hay: &[u8], q: usize, ci: usize, limit: usize, out: &mut Vec<u32>) -> bool {
        let mut any = false;
        for &(li, o) in self.in_cover.get(ci).map_or(&[][..], Vec::as_slice) {
            let (Some(lit), Some(start)) = (self.lits.get(li), q.checked_sub(o)) else {
                continue;
            };
            let end = start + lit.len();
            if end <= limit && hay.get(start..end) == Some(lit.as_slice()) {
                if let Some(rs) = self.lit_rules.get(li) {
                    out.extend_from_slice(rs);
                    any = true;
                }
            }
        }
        any
    }

    /// Adds to `out` the rules of every literal that occurs in `text`, read byte by byte by
    /// one automaton over all the literals: a hostile line of thousands of cover strings
    /// (`connectconnect…`) costs a search per place otherwise.
    pub fn rules_in(&self, text: &[u8], out: &mut Vec<u32>) {
        let every = self.every.get_or_init(|| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&self.lits)
                .ok()
        });
        let Some(ac) = every else {
            // Not built (cannot happen for literals that built the cover): each place instead.
            self.rules_from(text, 0, out);
            return;
        };
        for m in ac.find_overlapping_iter(text) {
            if let Some(rs) = self.lit_rules.get(m.pattern().as_usize()) {
                out.extend_from_slice(rs);
            }
        }
    }

    /// Adds to `out` the rules of the literals held by each cover string that starts at or
    /// after `at` in `hay` ([`Self::rules_at`] at each place [`Self::next_cover`] finds).
    pub fn rules_from(&self, hay: &[u8], at: usize, out: &mut Vec<u32>) {
        let mut at = at;
        while let Some((q, ci)) = self.next_cover(hay, at) {
            self.rules_at(hay, q, ci, hay.len(), out);
            at = q + 1;
        }
    }

    /// The rules whose literals occur in `line`, sorted, into `out` (cleared first). Every
    /// literal holds a cover string, so each place a cover string starts is checked for the
    /// literals that hold it there: a few comparisons per place, where a second automaton
    /// over every literal would walk the whole line byte by byte.
    pub fn candidates(&self, line: &[u8], out: &mut Vec<u32>) {
        out.clear();
        self.rules_from(line, 0, out);
        out.sort_unstable();
        out.dedup();
    }

    /// The cover strings (in automaton order) and each literal with the ids of its rules:
    /// what the prefilter searches for (diagnostics).
    pub fn prefilter(&self) -> (Vec<&[u8]>, Vec<LiteralRules<'_>>) {
        let cover = self.cover.iter().map(Vec::as_slice).collect();
        let lits = self
            .lits
            .iter()
            .zip(&self.lit_rules)
            .map(|(l, rs)| {
                let ids = rs
                    .iter()
                    .filter_map(|&r| self.rules.get(r as usize).map(|x| x.id.as_str()))
                    .collect();
                (l.as_slice(), ids)
            })
            .collect();
        (cover, lits)
    }

    /// Number of literals of the rules, and of the cover the buffer scan searches for.
    pub fn literal_count(&self) -> (usize, usize) {
        (
            self.lit_rules.len(),
            self.ac.as_ref().map_or(0, AhoCorasick::patterns_len),
        )
    }
}

/// The built-in catalogue's prefilter computed ahead, in `src/logscan/prefilter.json`:
/// deriving the literals of some 400 patterns and merging them into a cover of 64 takes
/// ~3 ms, a tenth of a small bundle's analysis, on every start. It is used only when its key,
/// a digest of every log rule's id, patterns and literals (and the limits), is the
/// catalogue's, so an edited or extra rule is computed as before. The test
/// `precomputed_prefilter_is_current` (src/catalog) holds the file to what [`RuleSet::compute`]
/// gives and rewrites it when run with `KUBETRIAGE_BLESS=1`.
#[derive(Debug, PartialEq, serde::Deserialize, serde::Serialize)]
struct Precomputed {
    key: String,
    lits: Vec<Vec<u8>>,
    lit_rules: Vec<Vec<u32>>,
    cover: Vec<Vec<u8>>,
}

impl Precomputed {
    /// The committed file.
    const FILE: &str = include_str!("prefilter.json");

    /// The digest of what the prefilter is derived from.
    fn key(rules: &[(&str, &LogSyntax)]) -> String {
        use sha2::Digest;
        let input: Vec<(&str, &[String], &[String])> = rules
            .iter()
            .map(|(id, log)| (*id, log.patterns.as_slice(), log.literals.as_slice()))
            .collect();
        let text = serde_json::to_string(&(TEDDY_LIMIT, MIN_PREFIX, input)).unwrap_or_default();
        let digest = sha2::Sha256::digest(text.as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The rule set from the committed prefilter, when it was computed from these rules.
    fn for_rules(rules: &[(&str, &LogSyntax)]) -> Option<RuleSet> {
        let pre: Precomputed = serde_json::from_str(Self::FILE).ok()?;
        if pre.key != Self::key(rules) {
            return None;
        }
        // Made from an error-free build of the same rules: none was skipped.
        let compiled = rules
            .iter()
            .map(|(id, log)| CompiledRule {
                id: (*id).to_string(),
                components: log.components.clone(),
                sources: (log.patterns.clone(), log.exclude.clone()),
                regexes: OnceLock::new(),
            })
            .collect();
        let (set, errors) = RuleSet::assemble(compiled, pre.lits, pre.lit_rules, pre.cover);
        errors.is_empty().then_some(set)
    }

    /// The prefilter of `rules` computed now, when they build without an error.
    #[cfg(test)]
    fn of(rules: &[(&str, &LogSyntax)]) -> Option<Precomputed> {
        let (set, errors) = RuleSet::compute(rules, true);
        errors.is_empty().then(|| Precomputed {
            key: Self::key(rules),
            lits: set.lits,
            lit_rules: set.lit_rules,
            cover: set.cover,
        })
    }
}

/// For the catalogue's test `precomputed_prefilter_is_current`: whether the committed
/// prefilter is the one `rules` give (rewriting it when `KUBETRIAGE_BLESS` is set), and a
/// rule set built from it the one computed from scratch; why not, otherwise.
#[cfg(test)]
pub fn check_precomputed(rules: &[(&str, &LogSyntax)]) -> Result<(), String> {
    let now = Precomputed::of(rules).ok_or("the log rules do not build without errors")?;
    if std::env::var_os("KUBETRIAGE_BLESS").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/logscan/prefilter.json");
        let json = serde_json::to_string(&now).map_err(|e| e.to_string())?;
        return std::fs::write(path, json + "\n").map_err(|e| e.to_string());
    }
    let committed: Precomputed = serde_json::from_str(Precomputed::FILE).map_err(|e| e.to_string())?;
    if committed != now {
        return Err(
            "src/logscan/prefilter.json is stale: KUBETRIAGE_BLESS=1 cargo test --lib precomputed_prefilter"
                .into(),
        );
    }
    let fast = Precomputed::for_rules(rules).ok_or("the key does not match")?;
    let slow = RuleSet::compute(rules, false).0;
    let ids = |s: &RuleSet| s.rules.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    if (
        &fast.lits,
        &fast.lit_rules,
        &fast.cover,
        &fast.in_cover,
        ids(&fast),
    ) != (
        &slow.lits,
        &slow.lit_rules,
        &slow.cover,
        &slow.in_cover,
        ids(&slow),
    ) {
        return Err("the precomputed rule set differs from the computed one".into());
    }
    // One changed pattern and the key no longer matches.
    let mut edited: Vec<(&str, LogSyntax)> = rules.iter().map(|(i, l)| (*i, (*l).clone())).collect();
    if let Some(first) = edited.first_mut() {
        first.1.patterns.push("something else entirely".into());
    }
    let edited: Vec<(&str, &LogSyntax)> = edited.iter().map(|(i, l)| (*i, l)).collect();
    if Precomputed::for_rules(&edited).is_some() {
        return Err("an edited rule still takes the precomputed prefilter".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capture_names_are_removed() {
        assert_eq!(
            without_capture_names(r"a (?P<x>b) (?<y>c) (?:d) \(?P<z>e)"),
            r"a (?:b) (?:c) (?:d) \(?P<z>e)"
        );
    }

    #[test]
    fn the_cover_is_contained_in_every_literal() {
        let lits: Vec<Vec<u8>> = (0..100)
            .map(|i| format!("literal number {i:03} of many").into_bytes())
            .chain([b"x509: certificate has expired".to_vec(), b"has expired".to_vec()])
            .collect();
        let c = cover(&lits, 8);
        assert!(c.len() <= 8, "{c:?}");
        assert!(
            !c.contains(&b"x509: certificate has expired".to_vec()),
            "superstrings are dropped"
        );
        for l in &lits {
            assert!(c.iter().any(|x| memchr::memmem::find(l, x).is_some()), "{l:?}");
        }
        assert!(c.iter().all(|x| x.len() >= MIN_PREFIX));
    }
}
