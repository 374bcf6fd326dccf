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
        cx.snap
            .problems
            .iter()
            .map(|p| {
                let node = cx
                    .snap
                    .node_of(&p.path)
                    .map(|i| cx.snap.node_name(Some(i)).to_string());
                cx.finding(format!("{}\0{}", p.path, p.error))
                    .message(format!("{}: {}", p.path, p.error))
                    .node(node.as_deref())
                    .path(p.path.clone())
                    .evidence("error", p.error.clone())
            })
            .collect()
    }
}
