//! Markdown for tickets: verdict, capture time, root causes with their symptoms, the plan
//! with commands in code blocks, and the evidence.

use crate::finding::{Finding, Severity};
use crate::report::Analysis;
use crate::report::escape::{md_code, md_fence, md_text};

/// Writes the markdown report.
pub fn render(a: &Analysis, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(w, "# kubetriage: {}\n", md_code(&a.source))?;
    writeln!(w, "**Verdict:** {}\n", verdict(a))?;
    writeln!(
        w,
        "- Captured at: `{}` (from {})",
        a.captured_at,
        md_text(&a.captured_at_source)
    )?;
    let nodes: Vec<String> = a.nodes.iter().map(|n| md_text(&super::node_label(n))).collect();
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
            writeln!(w, "{}. **{}** _({})_", s.order, md_text(&s.title), s.phase)?;
            if !s.targets.is_empty() {
                writeln!(
                    w,
                    "   - Targets: {}",
                    s.targets
                        .iter()
                        .map(|t| md_code(t))
                        .collect::<Vec<_>>()
                        .join(", ")
                )?;
            }
            if let Some(c) = &s.caveat {
                // (A caveat's own trailing newline stays a blank line.)
                let tail = if c.ends_with('\n') { "\n" } else { "" };
                writeln!(w, "   - Caveat: {}{tail}", md_text(c.trim_end()))?;
            }
            if !s.commands.is_empty() {
                let fence = md_fence(&s.commands.join("\n"));
                writeln!(w, "\n   {fence}sh")?;
                for c in &s.commands {
                    writeln!(w, "   {c}")?;
                }
                writeln!(w, "   {fence}")?;
            }
            if !s.verify.is_empty() {
                let fence = md_fence(&s.verify.join("\n"));
                writeln!(w, "\n   Verify:\n\n   {fence}sh")?;
                for c in &s.verify {
                    writeln!(w, "   {c}")?;
                }
                writeln!(w, "   {fence}")?;
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
            writeln!(w, "| {} | {} |", md_code(&p.path), md_text(&p.error))?;
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
            "| {} | {} | {} | {} | {} | {} |",
            md_code(&r.source),
            r.worst,
            r.errors,
            r.warnings,
            r.infos,
            md_text(&r.earliest_expiry)
        )?;
    }
    writeln!(w)
}

fn finding(a: &Analysis, f: &Finding, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(
        w,
        "### {} `{}` {}\n",
        badge(f.severity),
        f.rule,
        md_text(&f.title)
    )?;
    if !f.message.is_empty() {
        writeln!(w, "{}\n", md_text(&f.message))?;
    }
    let wh: Vec<String> = f.paths.iter().chain(&f.objects).map(|p| md_code(p)).collect();
    if !wh.is_empty() {
        let on = f
            .node
            .as_ref()
            .map(|n| format!(" on {}", md_text(n)))
            .unwrap_or_default();
        writeln!(w, "- Where: {}{on}", wh.join(", "))?;
    }
    writeln!(w, "- Finding id: `{}`", f.id)?;
    for s in a.symptoms_of(f) {
        let count = s
            .evidence
            .get("count")
            .map(|c| format!(", {c} log line(s)"))
            .unwrap_or_default();
        let link = s
            .link_text(&f.id)
            .map(|t| format!("; {}", md_text(&t)))
            .unwrap_or_default();
        writeln!(
            w,
            "- Symptom: `{}` {}{}{count}{link}",
            s.rule,
            md_text(&s.title),
            md_text(&origin(s))
        )?;
    }
    if f.symptom && f.explained_by.is_empty() {
        if let Some(t) = f.refs_text() {
            let t = t.strip_prefix("the ").map_or(t.clone(), |r| format!("The {r}"));
            writeln!(w, "- {}", md_text(&t))?;
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
