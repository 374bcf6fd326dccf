//! The rule catalogue: `rules/*.yaml`, embedded at build time, optionally extended or
//! overridden by a `--rules` folder, validated into [`Rule`]s and [`FixStep`]s.

pub mod rulecheck;
mod syntax;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub use crate::logscan::LogSyntax;
pub use syntax::{FileSyntax, FixSyntax, RuleSyntax};

use crate::model::Severity;

/// The built-in catalogue files, embedded in the binary.
pub const BUILTIN: &[(&str, &str)] = &[
    ("rules/pki.yaml", include_str!("../../rules/pki.yaml")),
    ("rules/logs.yaml", include_str!("../../rules/logs.yaml")),
    ("rules/node.yaml", include_str!("../../rules/node.yaml")),
    ("rules/input.yaml", include_str!("../../rules/input.yaml")),
    ("rules/fixes.yaml", include_str!("../../rules/fixes.yaml")),
];

/// [`BUILTIN`] as JSON, converted by `build.rs`: what [`Catalog::load`] parses (JSON parses
/// about ten times faster than YAML; `builtin_json_is_the_yaml` holds them equal).
const BUILTIN_JSON: &[(&str, &str)] = &[
    (
        "rules/pki.yaml",
        include_str!(concat!(env!("OUT_DIR"), "/pki.json")),
    ),
    (
        "rules/logs.yaml",
        include_str!(concat!(env!("OUT_DIR"), "/logs.json")),
    ),
    (
        "rules/node.yaml",
        include_str!(concat!(env!("OUT_DIR"), "/node.json")),
    ),
    (
        "rules/input.yaml",
        include_str!(concat!(env!("OUT_DIR"), "/input.json")),
    ),
    (
        "rules/fixes.yaml",
        include_str!(concat!(env!("OUT_DIR"), "/fixes.json")),
    ),
];

/// One catalogue file parsed: from its JSON form when it is a built-in file unchanged.
fn parse_file(name: &str, text: &str) -> Result<FileSyntax, CatalogError> {
    let builtin = BUILTIN
        .iter()
        .zip(BUILTIN_JSON)
        .find(|((n, t), _)| *n == name && *t == text);
    match builtin {
        Some((_, (_, json))) => serde_json::from_str(json).map_err(|e| CatalogError::Syntax {
            file: name.to_string(),
            message: e.to_string(),
        }),
        None => serde_yaml::from_str(text).map_err(|e| CatalogError::Syntax {
            file: name.to_string(),
            message: e.to_string(),
        }),
    }
}

pub use crate::error::CatalogError;

/// The fix-plan phases, in the order a broken cluster is brought back.
pub const PHASES: &[&str] = &[
    "etcd-trust",
    "apiserver-certs",
    "kubeconfig-kubelet",
    "node-network",
    "control-plane",
    "addons-service-accounts",
    "ingress-dns-cloud",
    "hygiene",
];

/// How a rule decides.
#[derive(Clone, Debug)]
pub enum RuleKind {
    /// A built-in check, by id.
    Check(String),
    /// Log patterns.
    Log(LogSyntax),
}

/// A validated rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Id.
    pub id: String,
    /// Default severity.
    pub severity: Severity,
    /// Title.
    pub title: String,
    /// How it decides.
    pub kind: RuleKind,
    /// Why it matters.
    pub why: String,
    /// Fix steps.
    pub fix: Vec<String>,
    /// Rules it explains (root cause of).
    pub explains: Vec<String>,
    /// Rules a log rule corroborates.
    pub corroborates: Vec<String>,
    /// Whether its findings explain a symptom only when the symptom's lines name one of their
    /// certificate keys (a root cause proven by log lines alone, such as a notAfter date: a
    /// line naming no date, or another one, is not its symptom).
    pub explains_by_keys: bool,
    /// Whether its findings are explained by a certificate finding only through the keys
    /// their evidence names (a NotReady node whose kubelet names a notAfter), never by merely
    /// sharing a node with it; causes that are not about a certificate still link by node.
    pub symptom_by_keys: bool,
    /// References.
    pub references: Vec<String>,
    /// Catalogue file it came from.
    pub file: String,
}

/// A validated fix step.
#[derive(Clone, Debug)]
pub struct FixStep {
    /// Id.
    pub id: String,
    /// Index into [`PHASES`].
    pub phase: usize,
    /// Title.
    pub title: String,
    /// Steps before this one.
    pub after: Vec<String>,
    /// Command templates.
    pub commands: Vec<String>,
    /// Verification templates.
    pub verify: Vec<String>,
    /// Caveat.
    pub caveat: Option<String>,
    /// Where the commands come from.
    pub references: Vec<String>,
    /// Layout name → the step that replaces this one on nodes of that layout.
    pub dialects: BTreeMap<String, String>,
    /// The step that stands for this one on a k3s/RKE2 agent.
    pub agent: Option<String>,
    /// Folders the step changes (backed up before the first change).
    pub backup: Vec<String>,
    /// How to undo the step.
    pub rollback: Vec<String>,
    /// Checks between two nodes (quorum order).
    pub between_nodes: Vec<String>,
    /// One command replacing three or more per-target commands on a node.
    pub all_at_once: Option<String>,
}

/// The validated catalogue.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    /// Rules, sorted by id.
    pub rules: Vec<Rule>,
    /// Fix steps by id.
    pub fixes: BTreeMap<String, FixStep>,
}

impl Catalog {
    /// The embedded catalogue.
    pub fn builtin() -> Result<Catalog, CatalogError> {
        Self::load(&[])
    }

    /// The embedded catalogue plus every `*.yaml`/`*.yml` file of `dirs` (later entries
    /// with the same id override earlier ones).
    pub fn load(dirs: &[PathBuf]) -> Result<Catalog, CatalogError> {
        let mut files: Vec<(String, String)> = BUILTIN
            .iter()
            .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
            .collect();
        for dir in dirs {
            files.extend(read_dir(dir)?);
        }
        Self::from_texts(&files)
    }

    /// Builds a catalogue from `(file name, YAML text)` pairs, validating it.
    pub fn from_texts(files: &[(String, String)]) -> Result<Catalog, CatalogError> {
        let mut rules: BTreeMap<String, Rule> = BTreeMap::new();
        let mut fixes: BTreeMap<String, FixSyntax> = BTreeMap::new();
        let mut errors = Vec::new();
        // The checks the code ships are the ones the built-in catalogue names (tests/catalog.rs
        // holds both directions), so the catalogue validates without knowing the checks.
        let mut shipped: Option<BTreeSet<String>> = None;
        // Where each id of a `--rules` folder was defined: a later folder overrides an earlier
        // one (a site's overrides on top of a team's), but two files of one folder defining
        // the same rule leave it to the files' order, so that is an error (as `rules check`).
        let mut defined: BTreeMap<(&Path, String), &str> = BTreeMap::new();
        for (name, text) in files {
            let parsed = parse_file(name, text)?;
            let builtin = is_builtin(name);
            if builtin {
                let known = shipped.get_or_insert_with(BTreeSet::new);
                known.extend(parsed.rules.iter().filter_map(|r| r.check.clone()));
            }
            let mut seen = BTreeSet::new();
            let folder = Path::new(name).parent().filter(|_| !builtin);
            for r in parsed.rules {
                if !seen.insert(r.id.clone()) {
                    errors.push(format!("{name}: rule `{}` is defined twice", r.id));
                } else if let Some(folder) = folder {
                    if let Some(other) = defined.insert((folder, r.id.clone()), name) {
                        errors.push(format!("{name}: rule `{}` is also defined in {other}", r.id));
                    }
                }
                match to_rule(r, name) {
                    Ok(rule) => {
                        rules.insert(rule.id.clone(), rule);
                    }
                    Err(e) => errors.push(e),
                }
            }
            for f in parsed.fixes {
                fixes.insert(f.id.clone(), f);
            }
        }
        let mut steps = BTreeMap::new();
        for (id, f) in fixes {
            let Some(phase) = PHASES.iter().position(|p| *p == f.phase) else {
                errors.push(format!(
                    "fix `{id}`: unknown phase `{}` (phases: {})",
                    f.phase,
                    PHASES.join(", ")
                ));
                continue;
            };
            steps.insert(
                id.clone(),
                FixStep {
                    id,
                    phase,
                    title: f.title,
                    after: f.after,
                    commands: f.commands,
                    verify: f.verify,
                    caveat: f.caveat,
                    references: f.references,
                    dialects: f.dialects,
                    agent: f.agent,
                    backup: f.backup,
                    rollback: f.rollback,
                    between_nodes: f.between_nodes,
                    all_at_once: f.all_at_once,
                },
            );
        }
        let cat = Catalog {
            rules: rules.into_values().collect(),
            fixes: steps,
        };
        errors.extend(cat.consistency_errors(shipped.as_ref()));
        if errors.is_empty() {
            Ok(cat)
        } else {
            Err(CatalogError::Invalid(errors))
        }
    }

    /// Every log rule, `(id, log part)`, in catalogue order: what the log scanner compiles.
    pub fn log_rules(&self) -> Vec<(&str, &LogSyntax)> {
        self.rules
            .iter()
            .filter_map(|r| match &r.kind {
                RuleKind::Log(l) => Some((r.id.as_str(), l)),
                RuleKind::Check(_) => None,
            })
            .collect()
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Dangling references, unknown checks (when `shipped` names the checks the code has: a
    /// catalogue built without the built-in files is not checked for them), bad regexes and
    /// cycles in the fix graph.
    fn consistency_errors(&self, shipped: Option<&BTreeSet<String>>) -> Vec<String> {
        let mut errors = Vec::new();
        let ids: BTreeSet<&str> = self.rules.iter().map(|r| r.id.as_str()).collect();
        for r in &self.rules {
            if !valid_id(&r.id) {
                errors.push(format!(
                    "{}: rule id `{}` must be kebab-case, at most 40 characters",
                    r.file, r.id
                ));
            }
            for f in &r.fix {
                if !self.fixes.contains_key(f) {
                    errors.push(format!(
                        "{}: rule `{}` names unknown fix step `{f}`",
                        r.file, r.id
                    ));
                }
            }
            for x in r.explains.iter().chain(&r.corroborates) {
                if !ids.contains(x.as_str()) {
                    errors.push(format!(
                        "{}: rule `{}` refers to unknown rule `{x}`",
                        r.file, r.id
                    ));
                }
            }
            match &r.kind {
                RuleKind::Check(c) if shipped.is_some_and(|k| !k.contains(c)) => {
                    errors.push(format!("{}: rule `{}` names unknown check `{c}`", r.file, r.id));
                }
                // The embedded rules are validated by the test suite (`log_rules_validate`):
                // compiling them twice at every start would double the start-up time.
                RuleKind::Log(log) if !is_builtin(&r.file) => errors.extend(
                    crate::logscan::validate(&r.id, log)
                        .into_iter()
                        .map(|e| format!("{}: {e}", r.file)),
                ),
                RuleKind::Log(_) | RuleKind::Check(_) => {}
            }
        }
        for s in self.fixes.values() {
            for a in &s.after {
                if !self.fixes.contains_key(a) {
                    errors.push(format!("fix `{}` runs after unknown step `{a}`", s.id));
                }
            }
            if let Some(to) = s.agent.as_ref().filter(|to| !self.fixes.contains_key(*to)) {
                errors.push(format!("fix `{}`: agent form names unknown step `{to}`", s.id));
            }
            for (layout, to) in &s.dialects {
                if !crate::bundle::distro::LAYOUTS.contains(&layout.as_str()) {
                    errors.push(format!("fix `{}`: unknown layout `{layout}` in dialects", s.id));
                }
                if !self.fixes.contains_key(to) {
                    errors.push(format!(
                        "fix `{}`: dialect `{layout}` names unknown step `{to}`",
                        s.id
                    ));
                }
            }
            let templates = s
                .commands
                .iter()
                .chain(&s.verify)
                .chain(&s.rollback)
                .chain(&s.between_nodes)
                .chain(&s.backup)
                .chain(&s.all_at_once);
            for t in templates {
                if let Some(e) = crate::model::shell::template_error(t) {
                    errors.push(format!("fix `{}`: {e}: {t}", s.id));
                }
            }
        }
        if let Some(cycle) = self.fix_cycle() {
            errors.push(format!("fix steps form a cycle: {}", cycle.join(" → ")));
        }
        errors
    }

    /// Every log rule's regexes, examples and negative examples checked (what `load` skips
    /// for the embedded rules): the test suite and `rules check` call this.
    pub fn log_rule_errors(&self) -> Vec<String> {
        self.rules
            .iter()
            .filter_map(|r| match &r.kind {
                RuleKind::Log(log) => Some(
                    crate::logscan::validate(&r.id, log)
                        .into_iter()
                        .map(|e| format!("{}: {e}", r.file))
                        .collect::<Vec<_>>(),
                ),
                RuleKind::Check(_) => None,
            })
            .flatten()
            .collect()
    }

    /// A cycle in the fix steps' `after` edges, if any.
    pub fn fix_cycle(&self) -> Option<Vec<String>> {
        fn visit<'a>(
            cat: &'a Catalog,
            id: &'a str,
            state: &mut BTreeMap<&'a str, u8>,
            stack: &mut Vec<&'a str>,
        ) -> Option<Vec<String>> {
            match state.get(id) {
                Some(2) => return None,
                Some(1) => {
                    let start = stack.iter().position(|s| *s == id).unwrap_or(0);
                    let mut c: Vec<String> = stack
                        .get(start..)
                        .unwrap_or_default()
                        .iter()
                        .map(|s| (*s).to_string())
                        .collect();
                    c.push(id.to_string());
                    return Some(c);
                }
                _ => {}
            }
            state.insert(id, 1);
            stack.push(id);
            if let Some(step) = cat.fixes.get(id) {
                for a in &step.after {
                    if let Some(c) = visit(cat, a, state, stack) {
                        return Some(c);
                    }
                }
            }
            stack.pop();
            state.insert(id, 2);
            None
        }
        let mut state = BTreeMap::new();
        for id in self.fixes.keys() {
            if let Some(c) = visit(self, id, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
        None
    }
}

fn is_builtin(file: &str) -> bool {
    BUILTIN.iter().any(|(name, _)| *name == file)
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 40
        && id
            .split('-')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

fn to_rule(r: RuleSyntax, file: &str) -> Result<Rule, String> {
    let kind = match (r.check, r.log) {
        (Some(c), None) => RuleKind::Check(c),
        (None, Some(l)) => RuleKind::Log(l),
        _ => {
            return Err(format!(
                "{file}: rule `{}` needs exactly one of `check` or `log`",
                r.id
            ));
        }
    };
    Ok(Rule {
        id: r.id,
        severity: r.severity,
        title: r.title,
        kind,
        why: r.why,
        fix: r.fix,
        explains: r.explains,
        corroborates: r.corroborates,
        explains_by_keys: r.explains_by_keys,
        symptom_by_keys: r.symptom_by_keys,
        references: r.references,
        file: file.to_string(),
    })
}

fn read_dir(dir: &Path) -> Result<Vec<(String, String)>, CatalogError> {
    let io = |path: &Path, source| CatalogError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    entries.sort();
    for p in entries {
        let text = std::fs::read_to_string(&p).map_err(|e| io(&p, e))?;
        out.push((p.display().to_string(), text));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON `build.rs` makes is the YAML it came from: the same rules, fields and values.
    #[test]
    fn builtin_json_is_the_yaml() {
        for ((name, yaml), (_, json)) in BUILTIN.iter().zip(BUILTIN_JSON) {
            let from_yaml: FileSyntax = serde_yaml::from_str(yaml).unwrap();
            let from_json: FileSyntax = serde_json::from_str(json).unwrap();
            assert_eq!(format!("{from_yaml:?}"), format!("{from_json:?}"), "{name}");
        }
    }

    /// The log prefilter committed for the built-in catalogue is current (else every start
    /// computes it: `KUBETRIAGE_BLESS=1 cargo test --lib precomputed_prefilter` rewrites it),
    /// and a rule set built from it is the one computed from scratch.
    #[test]
    fn precomputed_prefilter_is_current() {
        let catalog = Catalog::load(&[]).unwrap();
        crate::logscan::compiled::check_precomputed(&catalog.log_rules()).unwrap();
    }
}
