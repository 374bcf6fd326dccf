//! `input-problem`: files in the bundle that could not be read or parsed.

use crate::checks::{Check, Ctx};
use crate::finding::Finding;

/// input-problem: every unreadable or unparsable entry, naming its path and what was wrong,
/// so that a silent gap in the analysis is never mistaken for a healthy cluster.
pub struct InputProblems;

impl Check for InputProblems {
    fn id(&self) -> &'static str {
        "input.problems"
    }

    fn run(&self, cx: &Ctx<'_>) -> Vec<Finding> {
        // Per node and kind of problem (its text with numbers blanked), the first few are
        // findings of their own and the rest one finding that counts them: 200,000 junk files
        // give a readable report and bounded memory, not 200,000 findings.
        let mut seen: std::collections::HashMap<(Option<usize>, String), Vec<&str>> =
            std::collections::HashMap::new();
        let mut out = Vec::new();
        let mut order = Vec::new();
        for p in &cx.snap.problems {
            let node_ix = cx.snap.node_of(&p.path);
            let key = (node_ix, kind_of(&p.error));
            let paths = seen.entry(key.clone()).or_default();
            if paths.is_empty() {
                order.push(key);
            }
            paths.push(&p.path);
            if paths.len() > SHOWN_PER_KIND {
                continue;
            }
            let node = node_ix.map(|i| cx.snap.node_name(Some(i)).to_string());
            out.push(
                cx.finding(format!("{}\0{}", p.path, p.error))
                    .message(format!("{}: {}", p.path, p.error))
                    .node(node.as_deref())
                    .path(p.path.clone())
                    .evidence("error", p.error.clone()),
            );
        }
        for key in order {
            let Some(paths) = seen.get(&key) else { continue };
            let rest = paths.get(SHOWN_PER_KIND..).unwrap_or_default();
            let Some(first) = rest.first() else { continue };
            let node = key.0.map(|i| cx.snap.node_name(Some(i)).to_string());
            let mut f = cx
                .finding(format!("more\0{:?}\0{}", key.0, key.1))
                .message(format!(
                    "{} more files with the same problem as the {SHOWN_PER_KIND} above ({}), from {first}",
                    rest.len(),
                    key.1
                ))
                .node(node.as_deref())
                .evidence("files", rest.len());
            for p in rest.iter().take(SHOWN_PER_KIND) {
                f = f.path((*p).to_string());
            }
            out.push(f);
        }
        out
    }
}

/// Problems of one kind on one node shown one by one; the rest are counted in one finding.
const SHOWN_PER_KIND: usize = 10;

/// A problem's kind: its text with runs of digits blanked (offsets, line numbers, sizes).
fn kind_of(error: &str) -> String {
    let mut out = String::with_capacity(error.len());
    let mut in_digits = false;
    for c in error.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('#');
            }
            in_digits = true;
        } else {
            in_digits = false;
            out.push(c);
        }
    }
    out
}
