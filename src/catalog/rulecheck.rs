//! `kubetriage rules check DIR`: validates a custom rule folder against the built-in
//! catalogue and reports every problem with the file and line it is on.

use std::fmt;
use std::path::Path;

use crate::catalog::{BUILTIN, Catalog, CatalogError, FileSyntax};

/// One problem in a rule folder.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file, as found in the folder (or `catalogue` for problems with no one file).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// The line of `id: <id>` in a YAML text.
fn id_line(text: &str, id: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start().trim_start_matches('-').trim();
            l.strip_prefix("id:")
                .map(|v| v.trim().trim_matches(['"', '\'']))
                .is_some_and(|v| v == id)
        })
        .map(|i| i + 1)
}

/// The first `` `x` `` quoted after `rule ` in a validation message.
fn rule_in(message: &str) -> Option<&str> {
    let i = message.find("rule `")?;
    let rest = message.get(i + 6..)?;
    rest.get(..rest.find('`')?)
}

/// Checks every `*.yaml` / `*.yml` file of `dir`: YAML shape (with serde's line), unique ids
/// across the folder, and everything catalogue validation checks (regexes compile, the
/// prefilter literals are sound, examples match and negatives do not, referenced rules,
/// checks and fix steps exist) with the built-in catalogue loaded alongside.
pub fn check_dir(dir: &Path) -> std::io::Result<Vec<Diagnostic>> {
    let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    paths.sort();
    let mut diags = Vec::new();
    let mut good: Vec<(String, String)> = Vec::new();
    for p in paths {
        let name = p.display().to_string();
        let text = std::fs::read_to_string(&p)?;
        match serde_yaml::from_str::<FileSyntax>(&text) {
            Err(e) => diags.push(Diagnostic {
                file: name,
                line: e.location().map(|l| l.line()),
                message: e.to_string(),
            }),
            Ok(_) => {
                good.push((name, text));
            }
        }
    }
    let mut files: Vec<(String, String)> = BUILTIN
        .iter()
        .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
        .collect();
    files.extend(good.iter().cloned());
    match Catalog::from_texts(&files) {
        Ok(_) => {}
        Err(CatalogError::Invalid(errors)) => {
            for e in errors {
                let (file, message) = match good.iter().find(|(n, _)| e.starts_with(&format!("{n}: "))) {
                    Some((n, _)) => (n.clone(), e.get(n.len() + 2..).unwrap_or(&e).to_string()),
                    None => ("catalogue".to_string(), e.clone()),
                };
                let line = rule_in(&message).and_then(|id| {
                    good.iter()
                        .find(|(n, _)| *n == file)
                        .and_then(|(_, t)| id_line(t, id))
                });
                diags.push(Diagnostic { file, line, message });
            }
        }
        Err(e) => diags.push(Diagnostic {
            file: "catalogue".to_string(),
            line: None,
            message: e.to_string(),
        }),
    }
    diags.sort();
    diags.dedup();
    Ok(diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_id_lines() {
        let t = "rules:\n  - id: a\n    x: 1\n  - id: \"b-c\"\n";
        assert_eq!(id_line(t, "b-c"), Some(4));
        assert_eq!(rule_in("x: rule `foo`: bad"), Some("foo"));
    }
}
