//! The timeline: the first occurrence of each event class (log rule) across components and
//! nodes, in time order, so that a cascade reads top to bottom (certificates expire → etcd
//! rejects the apiserver → the kubelet cannot reach the API → pods stay pending).

use serde::Serialize;

use crate::finding::{Finding, Severity};
use crate::report::envelope::{self, Envelope, Judged};
use crate::report::verdict::{Counts, IncompleteReason, Verdict};

/// One event class at its first occurrence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// First time any component on any node logged it (RFC 3339), if known.
    pub first_seen: Option<String>,
    /// Rule id.
    pub rule: String,
    /// Severity of the rule.
    pub severity: Severity,
    /// Rule title.
    pub title: String,
    /// Component that logged it first.
    pub component: String,
    /// Node that logged it first (`None`: cluster-level, e.g. Events).
    pub node: Option<String>,
    /// Matching lines across all components and nodes.
    pub count: u64,
    /// How many (node, component) places logged it.
    pub places: usize,
    /// One sample line from the first place.
    pub sample: Option<String>,
}

/// Timeline entries from findings (an [`crate::report::Analysis`]'s `findings`): one per
/// log rule, at its earliest `evidence.first_seen`, sorted by time (undated ones last).
/// Log findings are recognised by their evidence shape (`count`, `component`, `captures`,
/// as [`crate::checks::logs::findings`] writes it); other findings are not events.
pub fn entries(findings: &[Finding]) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    let mut logs: Vec<&Finding> = findings
        .iter()
        .filter(|f| {
            ["count", "component", "captures"]
                .iter()
                .all(|k| f.evidence.contains_key(*k))
        })
        .collect();
    // Earliest first within each rule; undated after dated; ties by node and component.
    let first = |f: &Finding| {
        f.evidence
            .get("first_seen")
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let comp = |f: &Finding| {
        f.evidence
            .get("component")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    logs.sort_by_key(|f| {
        (
            f.rule.clone(),
            first(f).is_none(),
            first(f),
            f.node.clone(),
            comp(f),
        )
    });
    for f in logs {
        let count = f
            .evidence
            .get("count")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        match out.last_mut() {
            Some(e) if e.rule == f.rule => {
                e.count += count;
                e.places += 1;
            }
            _ => out.push(Entry {
                first_seen: first(f),
                rule: f.rule.clone(),
                severity: f.severity,
                title: f.title.clone(),
                component: comp(f),
                node: f.node.clone(),
                count,
                places: 1,
                sample: f
                    .evidence
                    .get("samples")
                    .and_then(|v| v.as_array())
                    .and_then(|a| a.first())
                    .and_then(|s| s.as_str())
                    .map(str::to_string),
            }),
        }
    }
    out.sort_by(|a, b| {
        (a.first_seen.is_none(), &a.first_seen, &a.rule).cmp(&(
            b.first_seen.is_none(),
            &b.first_seen,
            &b.rule,
        ))
    });
    out
}

fn shorten(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", s.get(..i).unwrap_or(s)),
        None => s.to_string(),
    }
}

fn place(e: &Entry) -> String {
    let node = e.node.as_deref().unwrap_or("cluster");
    if e.places > 1 {
        format!("{} on {node} (+{} more)", e.component, e.places - 1)
    } else {
        format!("{} on {node}", e.component)
    }
}

/// Writes the timeline as a terminal table.
pub fn render_table(entries: &[Entry], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    super::escape::visibly(w, |w| table_rows(entries, w))
}

fn table_rows(entries: &[Entry], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    if entries.is_empty() {
        return writeln!(w, "No log events.");
    }
    let mut t = super::terminal::table();
    t.set_header(["first seen", "event", "where", "count", "sample"]);
    for e in entries {
        t.add_row([
            e.first_seen.clone().unwrap_or_else(|| "?".to_string()),
            format!("{}\n{}", e.rule, super::escape::visible(&e.title)),
            super::escape::visible(&place(e)),
            e.count.to_string(),
            super::escape::visible(&shorten(e.sample.as_deref().unwrap_or(""), 160)),
        ]);
    }
    writeln!(w, "{t}")
}

/// Writes the timeline as a markdown section (for the markdown report or a ticket).
pub fn render_markdown(entries: &[Entry], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    super::escape::visibly(w, |w| markdown_rows(entries, w))
}

fn markdown_rows(entries: &[Entry], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(w, "## Timeline\n")?;
    if entries.is_empty() {
        return writeln!(w, "No log events.\n");
    }
    markdown_table(entries, w)
}

/// The timeline as a markdown table, without a heading.
pub fn markdown_table(entries: &[Entry], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(
        w,
        "| first seen | event | where | count | sample |\n|---|---|---|---|---|"
    )?;
    let cell = super::escape::md_text;
    for e in entries {
        writeln!(
            w,
            "| {} | `{}` {} | {} | {} | {} |",
            e.first_seen.as_deref().unwrap_or("?"),
            e.rule,
            cell(&e.title),
            cell(&place(e)),
            e.count,
            super::escape::md_code_cell(&shorten(e.sample.as_deref().unwrap_or(""), 160)),
        )?;
    }
    writeln!(w)
}

/// One bundle's timeline, for `kubetriage timeline`.
#[derive(Clone, Debug, Serialize)]
pub struct Timeline {
    /// The report shape's version (an `-o jsonl` line stands alone).
    pub schema_version: &'static str,
    /// The bundle's verdict, as `analyze` gives it (the timeline shows its log events only).
    pub verdict: Verdict,
    /// The bundle's findings per severity, as `analyze` counts them.
    pub counts: Counts,
    /// What could not be read, and why.
    pub incomplete_reasons: Vec<IncompleteReason>,
    /// The input as given.
    pub source: String,
    /// Capture time, RFC 3339.
    pub captured_at: String,
    /// Entries in time order.
    pub entries: Vec<Entry>,
    /// Why the bundle could not be read at all (then there are no entries): one unreadable
    /// bundle loses nothing of the others.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Timeline {
    /// The timeline of an analysis (filters already applied).
    pub fn of(an: &crate::report::Analysis) -> Self {
        Timeline {
            schema_version: an.schema_version,
            verdict: an.verdict,
            counts: an.counts,
            incomplete_reasons: an.incomplete_reasons.clone(),
            source: an.source.clone(),
            captured_at: an.captured_at.clone(),
            entries: entries(&an.findings),
            error: an.error.clone(),
        }
    }
}

impl Judged for Timeline {
    fn verdict(&self) -> Verdict {
        self.verdict
    }
    fn counts(&self) -> Counts {
        self.counts
    }
}

/// Renders timelines (one per bundle) in `format`. JSON and YAML are the report envelope
/// with one entry per bundle (`entries` in time order). SARIF and JUnit are not timeline
/// formats (an error).
pub fn render(
    timelines: &[Timeline],
    format: crate::report::Format,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use crate::report::Format;
    match format {
        Format::Json => envelope::json(&Envelope::new("timeline", timelines), w),
        Format::Jsonl => envelope::jsonl(timelines, w),
        Format::Yaml => envelope::yaml(&Envelope::new("timeline", timelines), w),
        Format::Markdown => timelines.iter().try_for_each(|t| {
            writeln!(
                w,
                "# kubetriage timeline: {}\n",
                super::escape::md_code(&t.source)
            )?;
            if let Some(e) = &t.error {
                return writeln!(w, "Could not be read: {}\n", super::escape::md_text(e));
            }
            writeln!(w, "Captured at `{}`.\n", t.captured_at)?;
            render_markdown(&t.entries, w)
        }),
        Format::Html => super::escape::visibly(w, |w| html(timelines, w)),
        Format::Table | Format::Wide => timelines.iter().try_for_each(|t| {
            if let Some(e) = &t.error {
                return writeln!(
                    w,
                    "{}  could not be read: {}",
                    super::escape::visible(&t.source),
                    super::escape::visible(e)
                );
            }
            writeln!(
                w,
                "{}  (captured {})",
                super::escape::visible(&t.source),
                super::escape::visible(&t.captured_at)
            )?;
            render_table(&t.entries, w)
        }),
        Format::Sarif | Format::Junit => Err(std::io::Error::other(format!(
            "`timeline` has no findings to write as {}: use table, wide, markdown, json, yaml or html",
            format.as_str()
        ))),
    }
}

/// One self-contained HTML page: per bundle, a table of the entries in time order.
fn html(timelines: &[Timeline], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    use crate::report::html::{STYLE, esc};
    use std::fmt::Write as _;
    let mut s = String::new();
    let title = match timelines {
        [one] => format!("kubetriage timeline: {}", one.source),
        many => format!("kubetriage timeline: {} bundles", many.len()),
    };
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>{STYLE}</style></head><body>",
        esc(&title)
    );
    for t in timelines {
        if let Some(e) = &t.error {
            let _ = write!(
                s,
                "<h1>Timeline of {}</h1><p class=\"error\">Could not be read: {}</p>",
                esc(&t.source),
                esc(e)
            );
            continue;
        }
        let _ = write!(
            s,
            "<h1>Timeline of {}</h1><p>Captured at <b>{}</b>. {} event class(es), first occurrence each.</p>",
            esc(&t.source),
            esc(&t.captured_at),
            t.entries.len()
        );
        if t.entries.is_empty() {
            s.push_str("<p>No log events.</p>");
            continue;
        }
        s.push_str(
            "<table class=\"timeline\"><tr><th>first seen</th><th>severity</th><th>event</th>\
             <th>where</th><th>count</th><th>sample</th></tr>",
        );
        for e in &t.entries {
            let _ = write!(
                s,
                "<tr><td>{}</td><td class=\"sev-{sev}\">{sev}</td><td><code>{}</code> {}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
                esc(e.first_seen.as_deref().unwrap_or("?")),
                esc(&e.rule),
                esc(&e.title),
                esc(&place(e)),
                e.count,
                esc(&shorten(e.sample.as_deref().unwrap_or(""), 160)),
                sev = e.severity.as_str(),
            );
        }
        s.push_str("</table>");
    }
    s.push_str("</body></html>\n");
    w.write_all(s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Rule, RuleKind};

    fn f(rule: &str, node: Option<&str>, comp: &str, first: Option<&str>, count: u64) -> Finding {
        let r = Rule {
            id: rule.into(),
            severity: Severity::Error,
            title: format!("title of {rule}"),
            kind: RuleKind::Check("x.y".into()),
            why: String::new(),
            fix: Vec::new(),
            explains: Vec::new(),
            corroborates: Vec::new(),
            explains_by_keys: false,
            symptom_by_keys: false,
            references: Vec::new(),
            file: String::new(),
        };
        let mut f = Finding::new(&r, "s")
            .node(node)
            .evidence("count", count)
            .evidence("component", comp)
            .evidence("samples", vec![format!("{rule} sample")])
            .evidence("captures", serde_json::json!({}));
        if let Some(t) = first {
            f = f.evidence("first_seen", t);
        }
        f
    }

    #[test]
    fn first_occurrence_per_rule_in_time_order() {
        let fs = vec![
            f("log-b", Some("n2"), "kubelet", Some("2026-11-21T08:05:00Z"), 3),
            f("log-b", Some("n1"), "kubelet", Some("2026-11-21T08:01:00Z"), 2),
            f("log-a", Some("n1"), "etcd", Some("2026-11-21T08:02:00Z"), 5),
            f("log-c", None, "events", None, 1),
        ];
        let e = entries(&fs);
        let order: Vec<&str> = e.iter().map(|x| x.rule.as_str()).collect();
        assert_eq!(order, ["log-b", "log-a", "log-c"]);
        assert_eq!(e[0].node.as_deref(), Some("n1"));
        assert_eq!((e[0].count, e[0].places), (5, 2));
        let mut md = Vec::new();
        render_markdown(&e, &mut md).unwrap();
        let md = String::from_utf8(md).unwrap();
        assert!(
            md.contains("| 2026-11-21T08:01:00Z | `log-b` title of log-b | kubelet on n1 (+1 more) | 5 |"),
            "{md}"
        );
        let mut t = Vec::new();
        render_table(&e, &mut t).unwrap();
        assert!(String::from_utf8(t).unwrap().contains("log-a"));
    }
}
