//! The log rules compiled once: one Aho-Corasick automaton over every rule's literals (the
//! prefilter), and per rule its regexes, exclusions and components.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;

use crate::catalog::{Catalog, LogSyntax, RuleKind};
use crate::logscan::literals;

/// One compiled log rule.
#[derive(Debug)]
pub struct CompiledRule {
    /// Rule id.
    pub id: String,
    /// Canonical components it applies to; empty: all.
    pub components: Vec<String>,
    /// A line matching any of these is a hit…
    pub patterns: Vec<Regex>,
    /// …unless it matches one of these.
    pub exclude: Vec<Regex>,
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
        let i = self.patterns.iter().position(|p| p.is_match(message))?;
        (!self.exclude.iter().any(|x| x.is_match(message))).then_some(i)
    }
}

/// Every log rule of a catalogue, with the combined prefilter.
#[derive(Debug)]
pub struct RuleSet {
    /// Rules, in catalogue order.
    pub rules: Vec<CompiledRule>,
    ac: Option<AhoCorasick>,
    /// For each literal of the automaton, the rules it stands for.
    lit_rules: Vec<Vec<u32>>,
}

impl RuleSet {
    /// Compiles the catalogue's log rules. Rules that do not compile are skipped: a
    /// validated catalogue has none.
    pub fn from_catalog(catalog: &Catalog) -> RuleSet {
        let rules: Vec<(&str, &LogSyntax)> = catalog
            .rules
            .iter()
            .filter_map(|r| match &r.kind {
                RuleKind::Log(l) => Some((r.id.as_str(), l)),
                RuleKind::Check(_) => None,
            })
            .collect();
        Self::new(&rules).0
    }

    /// Compiles `(id, rule)` pairs; also returns each rule's compile errors.
    pub fn new(rules: &[(&str, &LogSyntax)]) -> (RuleSet, Vec<String>) {
        let mut errors = Vec::new();
        let mut compiled = Vec::new();
        let mut lits: Vec<Vec<u8>> = Vec::new();
        let mut lit_rules: Vec<Vec<u32>> = Vec::new();
        for (id, log) in rules {
            let compile = |ps: &[String], errors: &mut Vec<String>| -> Option<Vec<Regex>> {
                let mut out = Vec::new();
                for p in ps {
                    match Regex::new(p) {
                        Ok(r) => out.push(r),
                        Err(e) => {
                            errors.push(format!("rule `{id}`: pattern does not compile: {e}"));
                            return None;
                        }
                    }
                }
                Some(out)
            };
            let (Some(patterns), Some(exclude)) = (
                compile(&log.patterns, &mut errors),
                compile(&log.exclude, &mut errors),
            ) else {
                continue;
            };
            if patterns.is_empty() {
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
                patterns,
                exclude,
            });
        }
        let ac = if lits.is_empty() {
            None
        } else {
            match AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&lits)
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
                lit_rules,
            },
            errors,
        )
    }

    /// The position of the first literal at or after `at` in `hay`, if any: the next
    /// candidate line is the one holding it.
    pub fn next_candidate(&self, hay: &[u8], at: usize) -> Option<usize> {
        let ac = self.ac.as_ref()?;
        let input = aho_corasick::Input::new(hay).span(at..hay.len());
        ac.find(input).map(|m| m.start())
    }

    /// The rules whose literals occur in `line`, sorted, into `out` (cleared first).
    pub fn candidates(&self, line: &[u8], out: &mut Vec<u32>) {
        out.clear();
        let Some(ac) = &self.ac else { return };
        for m in ac.find_overlapping_iter(line) {
            if let Some(rs) = self.lit_rules.get(m.pattern().as_usize()) {
                out.extend_from_slice(rs);
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    /// Number of literals in the prefilter.
    pub fn literal_count(&self) -> usize {
        self.lit_rules.len()
    }
}
