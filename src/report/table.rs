//! The terminal report: a findings table and the numbered plan.

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

use crate::report::Analysis;

/// Writes the table report.
pub fn render(a: &Analysis, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(
        w,
        "{}  (captured {} from {})",
        a.source, a.captured_at, a.captured_at_source
    )?;
    if !a.nodes.is_empty() {
        let nodes: Vec<String> = a.nodes.iter().map(super::node_label).collect();
        writeln!(w, "nodes: {}", nodes.join(", "))?;
    }
    if a.findings.is_empty() {
        writeln!(w, "No findings.")?;
        return Ok(());
    }
    let mut t = Table::new();
    super::no_color(&mut t);
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    t.set_header(["severity", "rule", "node", "finding", "where"]);
    for f in &a.findings {
        let mut what = f.title.clone();
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
        let mut wh: Vec<String> = f.paths.clone();
        wh.extend(f.objects.iter().cloned());
        t.add_row([
            f.severity.as_str().to_string(),
            f.rule.clone(),
            f.node.clone().unwrap_or_else(|| "cluster".to_string()),
            what,
            wh.join("\n"),
        ]);
    }
    writeln!(w, "{t}")?;
    if !a.plan.is_empty() {
        writeln!(w, "\nFix plan:")?;
        for s in &a.plan {
            writeln!(w, "{:>2}. [{}] {}", s.order, s.phase, s.title)?;
            for c in &s.commands {
                writeln!(w, "      $ {c}")?;
            }
        }
    }
    Ok(())
}

/// Writes the fleet summary table (several bundles).
pub fn render_fleet(
    rows: &[crate::report::fleet::FleetRow],
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut t = Table::new();
    super::no_color(&mut t);
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    t.set_header(["bundle", "worst", "errors", "warnings", "info", "earliest expiry"]);
    for r in rows {
        t.add_row([
            r.source.clone(),
            r.worst.clone(),
            r.errors.to_string(),
            r.warnings.to_string(),
            r.infos.to_string(),
            r.earliest_expiry.clone(),
        ]);
    }
    writeln!(w, "Fleet summary\n{t}\n")
}
