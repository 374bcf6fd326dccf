//! The terminal report: a findings table and the numbered plan. `table` is compact (one line
//! per finding: severity, rule, node, title, id); `wide` has every finding's full text, its
//! symptom links and where it was found. Both lay out to the width in force
//! ([`super::terminal`]).

use crate::report::Analysis;
use crate::report::escape::visible;
use crate::report::terminal;

/// Writes the table report: compact, or `wide` with every finding's full text.
pub fn render_as(a: &Analysis, wide: bool, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    if let Some(e) = &a.error {
        return writeln!(w, "{}  error: not analysed: {}", visible(&a.source), visible(e));
    }
    writeln!(
        w,
        "{}  (captured {} from {})",
        visible(&a.source),
        visible(&a.captured_at),
        visible(&a.captured_at_source)
    )?;
    if a.captured_at_source != "flag" && !a.captured_at_evidence.is_empty() {
        writeln!(w, "capture time: {}", visible(&a.captured_at_evidence))?;
    }
    if !a.nodes.is_empty() {
        let nodes: Vec<String> = a.nodes.iter().map(|n| visible(&super::node_label(n))).collect();
        writeln!(w, "nodes: {}", nodes.join(", "))?;
    }
    writeln!(w, "verdict: {}", visible(&a.verdict_sentence()))?;
    for r in &a.incomplete_reasons {
        writeln!(w, "  not checked: {}", visible(&r.line()))?;
    }
    if a.findings.is_empty() {
        writeln!(w, "No findings.")?;
        return Ok(());
    }
    let mut t = terminal::table();
    if !wide {
        // The id starts with the rule: `cert-expired:0fd72b16`.
        t.set_header(["severity", "node", "finding", "id"]);
        for f in &a.findings {
            let mut title = visible(&f.title);
            if !f.explained_by.is_empty() {
                title.push_str(" (symptom)");
            }
            t.add_row([
                f.severity.as_str().to_string(),
                cut(&visible(f.node.as_deref().unwrap_or("cluster"))),
                cut(&title),
                f.id.clone(),
            ]);
        }
        // Ids are copied into `explain`: never wrapped; nor is the severity.
        for i in [0, 3] {
            if let Some(c) = t.column_mut(i) {
                c.set_constraint(comfy_table::ColumnConstraint::ContentWidth);
            }
        }
        writeln!(w, "{t}")?;
        writeln!(
            w,
            "full text: -o wide (or -o markdown, html); one finding: kubetriage explain <id>"
        )?;
        return plan(a, w);
    }
    t.set_header(["severity", "rule", "node", "finding", "where"]);
    for f in &a.findings {
        let mut what = visible(&f.title);
        if !f.message.is_empty() {
            what.push('\n');
            what.push_str(&f.message);
        }
        if !f.explained_by.is_empty() {
            let by: Vec<String> = f
                .explained_by
                .iter()
                .map(|id| match f.link_text(id) {
                    Some(t) => format!("{id} ({t})"),
                    None => id.clone(),
                })
                .collect();
            what.push_str(&format!("\n↳ symptom of {}", by.join(", ")));
        }
        what.push_str(&format!("\nid: {}", f.id));
        let wh: Vec<String> = f.paths.iter().chain(&f.objects).map(|p| visible(p)).collect();
        t.add_row([
            f.severity.as_str().to_string(),
            cut(&f.rule),
            cut(&visible(f.node.as_deref().unwrap_or("cluster"))),
            cut(&what),
            cut(&wh.join("\n")),
        ]);
    }
    writeln!(w, "{t}")?;
    plan(a, w)
}

/// Writes the numbered plan.
fn plan(a: &Analysis, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    if !a.plan.is_empty() {
        writeln!(w, "\nFix plan:")?;
        // Everything that prevents harm is here too: what the step fixes, its caveat, how
        // to check it worked and how to undo it. A command's later lines (a heredoc) are
        // printed as they are: indenting them would change what a paste runs.
        for s in &a.plan {
            writeln!(
                w,
                "{:>2}. [{}] {} ({})",
                s.order,
                s.phase,
                visible(&s.title),
                visible(&s.id)
            )?;
            if !s.resolves.is_empty() {
                writeln!(w, "      fixes: {}", s.resolves.join(", "))?;
            }
            if let Some(c) = &s.caveat {
                writeln!(
                    w,
                    "      caveat: {}",
                    c.trim_end().replace('\n', "\n              ")
                )?;
            }
            for c in &s.commands {
                writeln!(w, "      $ {c}")?;
            }
            if !s.verify.is_empty() {
                writeln!(w, "      verify:")?;
                for c in &s.verify {
                    writeln!(w, "      $ {c}")?;
                }
            }
            if !s.rollback.is_empty() {
                writeln!(w, "      rollback (only if the step went wrong):")?;
                for c in &s.rollback {
                    writeln!(w, "      $ {c}")?;
                }
            }
        }
    }
    Ok(())
}

/// Longest cell text handed to the table layout, in characters.
const CELL_CHARS: usize = 2000;

/// `text` cut to [`CELL_CHARS`] characters, ending in "…" when cut. The layout wraps every
/// cell word by word; a multi-megabyte name from a bundle would make it quadratic, so cells
/// are cut before they reach it (the full text is in the JSON, markdown and HTML reports).
fn cut(text: &str) -> String {
    match text.char_indices().nth(CELL_CHARS) {
        Some((at, _)) => format!("{}…", text.get(..at).unwrap_or_default()),
        None => text.to_string(),
    }
}

/// Writes the fleet summary table (several bundles).
pub fn render_fleet(
    rows: &[crate::report::fleet::FleetRow],
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut t = terminal::table();
    t.set_header(["bundle", "worst", "errors", "warnings", "info", "earliest expiry"]);
    for r in rows {
        t.add_row([
            cut(&visible(&r.source)),
            r.worst.clone(),
            r.errors.to_string(),
            r.warnings.to_string(),
            r.infos.to_string(),
            r.earliest_expiry.clone(),
        ]);
    }
    writeln!(w, "Fleet summary\n{t}\n")
}
