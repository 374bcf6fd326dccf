//! Markdown for tickets: verdict, capture time, root causes with their symptoms, the plan
//! with commands in code blocks, and the evidence.

use crate::finding::{Finding, Severity};
use crate::report::Analysis;

/// Writes the markdown report.
pub fn render(a: &Analysis, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(w, "# kubetriage: {}\n", a.source)?;
    writeln!(w, "**Verdict:** {}\n", verdict(a))?;
    writeln!(
        w,
        "- Captured at: `{}` (from {})",
        a.captured_at, a.captured_at_source
    )?;
    let nodes: Vec<String> = a.nodes.iter().map(super::node_label).collect();
    writeln!(
        w,
        "- Nodes: {}\n",
        if nodes.is_empty() {
            "none found".to_string()
        } else {
            nodes.join(", ")
        }
    )?;
    let roots: Vec<&Finding> = a.root_causes().collect();
    if !roots.is_empty() {
        writeln!(w, "## Root causes\n")?;
        for f in roots {
            finding(a, f, w)?;
        }
    }
    let open: Vec<&Finding> = a.open_questions().collect();
    if !open.is_empty() {
        writeln!(w, "## Open questions\n")?;
        writeln!(
            w,
            "Symptoms that no root cause in the bundle explains: look at these by hand.\n"
        )?;
        for f in open {
            finding(a, f, w)?;
        }
    }
    if !a.plan.is_empty() {
        writeln!(w, "## Fix plan\n")?;
        for s in &a.plan {
            writeln!(w, "{}. **{}** _({})_", s.order, s.title, s.phase)?;
            if !s.targets.is_empty() {
                writeln!(
                    w,
                    "   - Targets: {}",
                    s.targets
                        .iter()
                        .map(|t| format!("`{t}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )?;
            }
            if let Some(c) = &s.caveat {
                writeln!(w, "   - Caveat: {c}")?;
            }
            if !s.commands.is_empty() {
                writeln!(w, "\n   ```sh")?;
                for c in s.commands.iter().flat_map(|c| c.lines()) {
                    writeln!(w, "   {c}")?;
                }
                writeln!(w, "   ```")?;
            }
            if !s.verify.is_empty() {
                writeln!(w, "\n   Verify:\n\n   ```sh")?;
                for c in &s.verify {
                    writeln!(w, "   {c}")?;
                }
                writeln!(w, "   ```")?;
            }
            if !s.rollback.is_empty() {
                writeln!(w, "\n   Rollback (only if the step went wrong):\n\n   ```sh")?;
                for c in &s.rollback {
                    writeln!(w, "   {c}")?;
                }
                writeln!(w, "   ```")?;
            }
            writeln!(w)?;
        }
    }
    crate::report::timeline::render_markdown(&crate::report::timeline::entries(&a.findings), w)?;
    if !a.certificates.is_empty() {
        writeln!(w, "## Certificates\n")?;
        writeln!(
            w,
            "Every certificate once, judged at capture time; the issuer is the CA whose key verifies its signature.\n"
        )?;
        crate::report::certs::markdown_table(&a.certificates, w)?;
    }
    if !a.problems.is_empty() {
        writeln!(w, "## Input problems\n\n| path | problem |\n|---|---|")?;
        for p in &a.problems {
            writeln!(w, "| `{}` | {} |", p.path, p.error.replace('|', "\\|"))?;
        }
        writeln!(w)?;
    }
    Ok(())
}

/// Writes the fleet summary table (several bundles).
pub fn render_fleet(analyses: &[Analysis], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(w, "# Fleet summary\n")?;
    writeln!(
        w,
        "| bundle | worst | errors | warnings | info | earliest expiry |\n|---|---|---|---|---|---|"
    )?;
    for r in crate::report::fleet::rows(analyses) {
        writeln!(
            w,
            "| `{}` | {} | {} | {} | {} | {} |",
            r.source, r.worst, r.errors, r.warnings, r.infos, r.earliest_expiry
        )?;
    }
    writeln!(w)
}

fn finding(a: &Analysis, f: &Finding, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(w, "### {} `{}` {}\n", badge(f.severity), f.rule, f.title)?;
    if !f.message.is_empty() {
        writeln!(w, "{}\n", f.message)?;
    }
    let wh: Vec<String> = f
        .paths
        .iter()
        .chain(&f.objects)
        .map(|p| format!("`{p}`"))
        .collect();
    if !wh.is_empty() {
        let on = f.node.as_ref().map(|n| format!(" on {n}")).unwrap_or_default();
        writeln!(w, "- Where: {}{on}", wh.join(", "))?;
    }
    writeln!(w, "- Finding id: `{}`", f.id)?;
    for s in a.symptoms_of(f) {
        let count = s
            .evidence
            .get("count")
            .map(|c| format!(", {c} log line(s)"))
            .unwrap_or_default();
        let link = s.link_text(&f.id).map(|t| format!("; {t}")).unwrap_or_default();
        writeln!(w, "- Symptom: `{}` {}{}{count}{link}", s.rule, s.title, origin(s))?;
    }
    if f.symptom && f.explained_by.is_empty() {
        if let Some(t) = f.refs_text() {
            let t = t.strip_prefix("the ").map_or(t.clone(), |r| format!("The {r}"));
            writeln!(w, "- {t}")?;
        }
    }
    writeln!(w)
}

/// ` (node, component)` of a symptom: where it was seen and who logged it.
fn origin(s: &Finding) -> String {
    let parts: Vec<&str> = s
        .node
        .as_deref()
        .into_iter()
        .chain(s.evidence.get("component").and_then(|c| c.as_str()))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

fn verdict(a: &Analysis) -> String {
    let e = a.count_at_least(Severity::Error);
    let warn = a
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    match (e, warn) {
        (0, 0) => "healthy: no errors or warnings".to_string(),
        (0, w) => format!("degraded: {w} warning(s), no errors"),
        (e, w) => format!(
            "broken: {e} error(s), {w} warning(s); {} step(s) in the fix plan",
            a.plan.len()
        ),
    }
}

fn badge(s: Severity) -> &'static str {
    match s {
        Severity::Error => "🔴",
        Severity::Warning => "🟠",
        Severity::Info => "🔵",
    }
}
