//! `kubetriage diff BEFORE AFTER`: which findings a fix removed, which are new, which stayed.
//!
//! Findings are matched by their stable id first (`<rule>:<8 hex>` of what the finding is
//! about). Some ids embed a bundle path, and two bundles of the same cluster rarely share a
//! top folder name (`case-123/cp-1/…` vs `case-124/cp-1/…`), so an unmatched finding is
//! then matched by rule, node, objects and paths with the bundle's own prefix replaced by
//! the node name (the `fallback` match).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::json;

use crate::finding::Finding;
use crate::report::escape::{self, md_code, md_code_cell, md_text};
use crate::report::verdict::{Counts, IncompleteReason, SCHEMA_VERSION, TOOL, Tool, Verdict};
use crate::report::{Analysis, FailOn, Format, NodeSummary};

/// One side of the comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Side {
    /// `before` or `after`.
    pub role: &'static str,
    /// The bundle.
    pub source: String,
    /// Its capture time.
    pub captured_at: String,
    /// Its verdict.
    pub verdict: Verdict,
    /// Its counts.
    pub counts: Counts,
    /// Its gaps.
    pub incomplete_reasons: Vec<IncompleteReason>,
}

impl Side {
    fn of(role: &'static str, a: &Analysis) -> Side {
        Side {
            role,
            source: a.source.clone(),
            captured_at: a.captured_at.clone(),
            verdict: a.verdict,
            counts: a.counts,
            incomplete_reasons: a.incomplete_reasons.clone(),
        }
    }
}

/// A finding in both bundles.
#[derive(Clone, Debug, Serialize)]
pub struct Unchanged {
    /// Its id in BEFORE.
    pub before_id: String,
    /// How it was matched: `id` or `fallback` (rule, node, objects, paths).
    pub matched_by: &'static str,
    /// The finding as AFTER has it.
    pub finding: Finding,
}

/// The comparison of two analyses.
#[derive(Clone, Debug, Serialize)]
pub struct Diff {
    /// The report shape's version.
    pub schema_version: &'static str,
    /// The tool and its version.
    pub tool: Tool,
    /// `diff`.
    pub command: &'static str,
    /// AFTER's verdict.
    pub verdict: Verdict,
    /// AFTER's counts.
    pub counts: Counts,
    /// BEFORE then AFTER.
    pub bundles: [Side; 2],
    /// The bundle before the fix (`bundles[0]`).
    #[serde(skip)]
    pub before: Side,
    /// The bundle after the fix (`bundles[1]`).
    #[serde(skip)]
    pub after: Side,
    /// In AFTER only.
    pub new: Vec<Finding>,
    /// In BEFORE only: fixed (or no longer visible: see AFTER's gaps).
    pub fixed: Vec<Finding>,
    /// In both.
    pub unchanged: Vec<Unchanged>,
}

/// A path with its node's root replaced by the node name, or else its first component
/// dropped: the same file in two bundles of the same cluster.
fn normal_path(p: &str, nodes: &[NodeSummary]) -> String {
    if let Some(n) = nodes
        .iter()
        .filter(|n| !n.root.is_empty() && p.starts_with(&n.root))
        .max_by_key(|n| n.root.len())
    {
        return format!("{}:{}", n.name, &p[n.root.len()..]);
    }
    p.split_once('/').map_or(p, |(_, rest)| rest).to_string()
}

type Key = (String, Option<String>, BTreeSet<String>, BTreeSet<String>);

fn key(f: &Finding, nodes: &[NodeSummary]) -> Key {
    (
        f.rule.clone(),
        f.node.clone(),
        f.objects.iter().cloned().collect(),
        f.paths.iter().map(|p| normal_path(p, nodes)).collect(),
    )
}

impl Diff {
    /// Compares `before` with `after` (both already filtered as the report shows them).
    pub fn new(before: &Analysis, after: &Analysis) -> Diff {
        let mut left: Vec<Option<&Finding>> = before.findings.iter().map(Some).collect();
        let mut new = Vec::new();
        let mut unchanged = Vec::new();
        let mut pending: Vec<&Finding> = Vec::new();
        for f in &after.findings {
            match left.iter_mut().find(|b| b.is_some_and(|b| b.id == f.id)) {
                Some(slot) => {
                    *slot = None;
                    unchanged.push(Unchanged {
                        before_id: f.id.clone(),
                        matched_by: "id",
                        finding: f.clone(),
                    });
                }
                None => pending.push(f),
            }
        }
        for f in pending {
            let k = key(f, &after.nodes);
            match left
                .iter_mut()
                .find(|b| b.is_some_and(|b| key(b, &before.nodes) == k))
            {
                Some(slot) => {
                    let before_id = slot.map(|b| b.id.clone()).unwrap_or_default();
                    *slot = None;
                    unchanged.push(Unchanged {
                        before_id,
                        matched_by: "fallback",
                        finding: f.clone(),
                    });
                }
                None => new.push(f.clone()),
            }
        }
        let (b, a) = (Side::of("before", before), Side::of("after", after));
        Diff {
            schema_version: SCHEMA_VERSION,
            tool: TOOL,
            command: "diff",
            verdict: a.verdict,
            counts: a.counts,
            bundles: [b.clone(), a.clone()],
            before: b,
            after: a,
            new,
            fixed: left.into_iter().flatten().cloned().collect(),
            unchanged,
        }
    }

    /// Whether a new finding is at or above `fail_on` (or, under `--fail-on incomplete`,
    /// AFTER has gaps).
    pub fn fails(&self, fail_on: FailOn) -> bool {
        self.new.iter().any(|f| fail_on.fails_at(f.severity))
            || (fail_on == FailOn::Incomplete && !self.after.incomplete_reasons.is_empty())
    }

    fn summary(&self) -> String {
        format!(
            "{} fixed, {} new, {} unchanged; verdict {} → {}",
            self.fixed.len(),
            self.new.len(),
            self.unchanged.len(),
            self.before.verdict.as_str(),
            self.after.verdict.as_str()
        )
    }
}

/// Renders the diff in `format`.
pub fn render(d: &Diff, format: Format, fail_on: FailOn, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *w, d).map_err(std::io::Error::other)?;
            writeln!(w)
        }
        Format::Jsonl => {
            serde_json::to_writer(&mut *w, d).map_err(std::io::Error::other)?;
            writeln!(w)
        }
        Format::Yaml => {
            let text = serde_yaml::to_string(d).map_err(std::io::Error::other)?;
            w.write_all(text.as_bytes())
        }
        Format::Table | Format::Wide => escape::visibly(w, |w| text(d, w)),
        Format::Markdown => escape::visibly(w, |w| markdown(d, w)),
        Format::Html => escape::visibly(w, |w| html(d, w)),
        Format::Sarif => sarif(d, w),
        Format::Junit => junit(d, fail_on, w),
    }
}

fn line(f: &Finding) -> String {
    format!(
        "{:<7} {} {} ({})",
        f.severity.as_str(),
        f.id,
        f.title,
        f.node.as_deref().unwrap_or("cluster")
    )
}

/// The terminal form: every bundle value on one line (`escape::visible` shows a newline in
/// a path or title as `\n`, so it cannot start a forged line).
fn text(d: &Diff, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let v = escape::visible;
    writeln!(
        w,
        "before: {}  (captured {})",
        v(&d.before.source),
        v(&d.before.captured_at)
    )?;
    writeln!(
        w,
        "after:  {}  (captured {})",
        v(&d.after.source),
        v(&d.after.captured_at)
    )?;
    writeln!(w, "{}", d.summary())?;
    for r in &d.after.incomplete_reasons {
        writeln!(w, "  not checked after: {}", v(&r.line()))?;
    }
    for (title, fs) in [("New", &d.new), ("Fixed", &d.fixed)] {
        writeln!(w, "\n{title} ({}):", fs.len())?;
        for f in fs {
            writeln!(w, "  {}", v(&line(f)))?;
        }
    }
    writeln!(w, "\nUnchanged ({}):", d.unchanged.len())?;
    for u in &d.unchanged {
        writeln!(w, "  {}", v(&line(&u.finding)))?;
    }
    Ok(())
}

fn markdown(d: &Diff, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(w, "# kubetriage diff\n")?;
    writeln!(w, "**Verdict:** {}\n", md_text(&d.summary()))?;
    writeln!(
        w,
        "- Before: {} (captured {})",
        md_code(&d.before.source),
        md_code(&d.before.captured_at)
    )?;
    writeln!(
        w,
        "- After: {} (captured {})\n",
        md_code(&d.after.source),
        md_code(&d.after.captured_at)
    )?;
    if !d.after.incomplete_reasons.is_empty() {
        writeln!(w, "## Not checked in AFTER\n")?;
        for r in &d.after.incomplete_reasons {
            writeln!(w, "- {}", escape::md_text_code(&r.line()))?;
        }
        writeln!(w)?;
    }
    let mut section = |title: &str, fs: Vec<&Finding>| -> std::io::Result<()> {
        writeln!(w, "## {title} ({})\n", fs.len())?;
        if fs.is_empty() {
            return writeln!(w, "None.\n");
        }
        writeln!(
            w,
            "| severity | finding | rule | node | title |\n|---|---|---|---|---|"
        )?;
        for f in fs {
            writeln!(
                w,
                "| {} | {} | {} | {} | {} |",
                f.severity,
                md_code_cell(&f.id),
                md_code_cell(&f.rule),
                md_text(f.node.as_deref().unwrap_or("cluster")),
                md_text(&f.title)
            )?;
        }
        writeln!(w)
    };
    section("New", d.new.iter().collect())?;
    section("Fixed", d.fixed.iter().collect())?;
    section("Unchanged", d.unchanged.iter().map(|u| &u.finding).collect())
}

fn html(d: &Diff, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    use crate::report::html::{STYLE, esc};
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>kubetriage diff: {} → {}</title>\
         <style>{STYLE}</style></head><body><h1>kubetriage diff</h1><p class=\"verdict\" id=\"verdict\">{}</p>\
         <p>Before: <code>{}</code> (captured {}). After: <code>{}</code> (captured {}).</p>",
        esc(&d.before.source),
        esc(&d.after.source),
        esc(&d.summary()),
        esc(&d.before.source),
        esc(&d.before.captured_at),
        esc(&d.after.source),
        esc(&d.after.captured_at),
    );
    let unchanged: Vec<&Finding> = d.unchanged.iter().map(|u| &u.finding).collect();
    for (title, fs) in [
        ("New", d.new.iter().collect::<Vec<_>>()),
        ("Fixed", d.fixed.iter().collect()),
        ("Unchanged", unchanged),
    ] {
        let _ = write!(s, "<h2>{title} ({})</h2>", fs.len());
        if fs.is_empty() {
            s.push_str("<p>None.</p>");
            continue;
        }
        s.push_str("<table><tr><th>severity</th><th>finding</th><th>node</th><th>title</th></tr>");
        for f in fs {
            let _ = write!(
                s,
                "<tr><td class=\"sev-{sev}\">{sev}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                esc(&f.id),
                esc(f.node.as_deref().unwrap_or("cluster")),
                esc(&f.title),
                sev = f.severity.as_str()
            );
        }
        s.push_str("</table>");
    }
    s.push_str("</body></html>\n");
    w.write_all(s.as_bytes())
}

fn sarif(d: &Diff, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    use crate::report::sarif;
    let all = d
        .new
        .iter()
        .chain(d.unchanged.iter().map(|u| &u.finding))
        .chain(&d.fixed);
    let (rules, index) = sarif::rules(all);
    let at = |f: &Finding| index.get(&f.rule).copied().unwrap_or(0);
    let results: Vec<serde_json::Value> = d
        .new
        .iter()
        .map(|f| sarif::result(f, at(f), Some("new")))
        .chain(
            d.unchanged
                .iter()
                .map(|u| sarif::result(&u.finding, at(&u.finding), Some("unchanged"))),
        )
        .chain(d.fixed.iter().map(|f| sarif::result(f, at(f), Some("absent"))))
        .collect();
    let run = json!({
        "tool": sarif::tool(rules),
        "automationDetails": {"id": format!("kubetriage-diff/{}/", crate::report::escape::visible(&d.after.source))},
        "results": results,
        "properties": {"before": d.before, "after": d.after},
    });
    sarif::write(vec![run], w)
}

fn junit(d: &Diff, fail_on: FailOn, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    use crate::report::junit::{Case, Suite, write};
    let mut cases: Vec<Case> = d.new.iter().map(|f| Case::finding(f, fail_on, "new ")).collect();
    cases.extend(d.unchanged.iter().map(|u| Case {
        class: format!("kubetriage.{}", u.finding.rule),
        name: format!("unchanged {} {}", u.finding.id, u.finding.title),
        outcome: Some(("skipped", "unchanged since BEFORE".to_string(), String::new())),
    }));
    cases.extend(d.fixed.iter().map(|f| Case {
        class: format!("kubetriage.{}", f.rule),
        name: format!("fixed {} {}", f.id, f.title),
        outcome: None,
    }));
    if fail_on == FailOn::Incomplete {
        cases.extend(d.after.incomplete_reasons.iter().map(|r| Case {
            class: "kubetriage.gaps".to_string(),
            name: format!("not checked: {}", r.path.as_deref().unwrap_or(&r.reason)),
            outcome: Some(("failure", r.line(), r.line())),
        }));
    }
    write(
        &[Suite {
            name: format!("{} → {}", d.before.source, d.after.source),
            properties: vec![
                ("verdict_before", d.before.verdict.as_str().to_string()),
                ("verdict_after", d.after.verdict.as_str().to_string()),
                ("summary", d.summary()),
            ],
            cases,
        }],
        w,
    )
}
