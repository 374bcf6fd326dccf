//! HTML: one self-contained file (no scripts, no network) for attaching to a ticket, with
//! pictures where people would rather look than read: certificate validity against the
//! capture time, and log events over time by component.

use std::fmt::Write as _;

use time::OffsetDateTime;

use crate::finding::{Finding, Severity};
use crate::report::{Analysis, CertSpan, EventSpan, fleet};
use crate::snapshot::rfc3339;

/// The page style every HTML page of kubetriage shares (the analysis and the inventory).
pub(super) const STYLE: &str = r#"
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #1d2430; }
h1 { font-size: 1.5em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccd; }
.verdict { font-size: 1.15em; padding: .6em 1em; border-radius: 6px; }
.v-error { background: #fde2e1; } .v-warning { background: #fff1d6; } .v-ok { background: #e3f6e8; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
td, th { border: 1px solid #d6dae3; padding: 4px 8px; vertical-align: top; text-align: left; }
th { background: #f1f3f8; }
.sev-error { color: #b3261e; font-weight: 600; } .sev-warning { color: #a15c00; font-weight: 600; }
.sev-info { color: #2f5ea8; }
.symptom { color: #555; font-size: .92em; }
pre { background: #f5f6fa; padding: .6em; overflow-x: auto; border-radius: 4px; }
code { font-family: ui-monospace, monospace; font-size: .92em; }
.caveat { background: #fff6e0; padding: .3em .6em; border-left: 3px solid #e0a030; }
svg text { font: 11px system-ui, sans-serif; }
:root { color-scheme: light dark; }
@media (prefers-color-scheme: dark) {
  body { background: #14171c; color: #e3e6eb; }
  h2 { border-bottom-color: #3a4150; }
  .v-error { background: #4a1d1b; } .v-warning { background: #4a3a12; } .v-ok { background: #15391f; }
  td, th { border-color: #3a4150; } th { background: #222834; }
  .sev-error { color: #ff8a80; } .sev-warning { color: #ffcc66; } .sev-info { color: #8ab4f8; }
  .symptom { color: #aab2c0; } a { color: #8ab4f8; }
  pre { background: #1e232b; } .caveat { background: #3a3117; }
  svg text { fill: #e3e6eb; }
}
@media print {
  :root { color-scheme: light; }
  body { max-width: none; margin: 0; font-size: 10.5px; color: #000; background: #fff; }
  h1, h2 { break-after: avoid; } tr, pre, li, svg { break-inside: avoid; }
  pre { white-space: pre-wrap; overflow: visible; background: none; border: 1px solid #ccc; }
  a { color: inherit; text-decoration: none; }
  section + section { break-before: page; }
}
"#;

/// Colours of the certificate bars, by status at capture time.
pub(super) const EXPIRED: &str = "#d93025";
pub(super) const EXPIRING: &str = "#f29900";
pub(super) const VALID: &str = "#1e8e3e";
pub(super) const NOT_YET: &str = "#9aa0a6";

/// Writes the HTML report for one or several analyses.
pub fn render(analyses: &[Analysis], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let title = match analyses {
        [one] => format!("kubetriage: {}", one.source),
        many => format!("kubetriage: {} bundles", many.len()),
    };
    let mut s = head(&title);
    if analyses.len() > 1 {
        s.push_str(&fleet(&fleet::rows(analyses)));
    }
    let mut anchors = Anchors::default();
    for a in analyses {
        bundle_section(&mut s, a, &anchors.next(&a.source));
    }
    s.push_str(TAIL);
    w.write_all(s.as_bytes())
}

/// The page's start, up to the opening body.
pub(super) fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        esc(title)
    )
}

/// The page's end.
pub(super) const TAIL: &str = "</body></html>\n";

/// One bundle's section.
pub(super) fn bundle(a: &Analysis) -> String {
    let mut s = String::new();
    bundle_section(&mut s, a, &anchor(&a.source));
    s
}

/// The section of a bundle whose analysis failed.
pub(super) fn failed(source: &str, error: &str) -> String {
    section(
        &anchor(source),
        &format!(
            "<h1>{}</h1><p class=\"verdict v-error\">analysis failed: {}</p>",
            esc(source),
            esc(error)
        ),
    )
}

/// The anchor of a bundle's section, from its source: the same in the fleet summary's link
/// and in the section, however the bundles were analysed (streamed, in parallel).
/// 96 bits of SHA-256: no bundle name can be made to take another's anchor.
pub(super) fn anchor(source: &str) -> String {
    use sha2::Digest as _;
    let d = sha2::Sha256::digest(source.as_bytes());
    let hex: String = d.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("b-{hex}")
}

/// The anchors of one page, in bundle order: a source given twice (`analyze X X`) gets
/// `b-<hash>` then `b-<hash>-2`, so ids stay unique and the summary's links match.
#[derive(Default)]
pub(super) struct Anchors(std::collections::HashMap<String, usize>);

impl Anchors {
    /// The anchor of the next bundle whose source is `source`.
    pub(super) fn next(&mut self, source: &str) -> String {
        let n = self.0.entry(source.to_string()).or_default();
        *n += 1;
        match *n {
            1 => anchor(source),
            n => format!("{}-{n}", anchor(source)),
        }
    }
}

/// `body` (one bundle's part) as a `<section>` with its anchor, every id inside it prefixed
/// by the anchor, so a page of several bundles has unique ids. Bundle data inside is
/// escaped (`"` is `&quot;`), so ` id="` can only be the report's own.
pub(super) fn section(a: &str, body: &str) -> String {
    format!(
        "<section id=\"{a}\">{}</section>",
        body.replace(" id=\"", &format!(" id=\"{a}-"))
    )
}

/// The fleet summary table.
pub(super) fn fleet(rows: &[fleet::FleetRow]) -> String {
    let mut s = String::new();
    s.push_str("<h1>Fleet summary</h1><table id=\"fleet\"><tr><th>bundle</th><th>worst</th><th>errors</th><th>warnings</th><th>info</th><th>earliest expiry</th></tr>");
    let mut anchors = Anchors::default();
    for row in rows {
        let _ = write!(
            s,
            "<tr><td><a href=\"#{}\">{}</a></td><td class=\"sev-{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            anchors.next(&row.source),
            esc(&row.source),
            esc(&row.worst),
            esc(&row.worst),
            row.errors,
            row.warnings,
            row.infos,
            esc(&row.earliest_expiry)
        );
    }
    s.push_str("</table>");
    s
}

fn bundle_section(out: &mut String, a: &Analysis, anchor: &str) {
    let mut s = String::new();
    bundle_body(&mut s, a);
    out.push_str(&section(anchor, &s));
}

fn bundle_body(s: &mut String, a: &Analysis) {
    let _ = write!(s, "<h1>{}</h1>", esc(&a.source));
    if let Some(e) = &a.error {
        let _ = write!(s, "<p class=\"sev-error\">Error: not analysed: {}</p>", esc(e));
        return;
    }
    let (class, text) = verdict(a);
    let _ = write!(
        s,
        "<p class=\"verdict {class}\" id=\"verdict\">{}</p>",
        esc(&text)
    );
    if !a.incomplete_reasons.is_empty() {
        s.push_str("<h2>Not checked</h2><ul id=\"not-checked\">");
        for r in &a.incomplete_reasons {
            let _ = write!(s, "<li>{}</li>", esc(&r.line()));
        }
        s.push_str("</ul>");
    }
    let nodes = super::nodes_line(&a.nodes, |n| {
        if n.known_from_api.is_some() {
            super::node_label(n)
        } else {
            n.name.clone()
        }
    });
    let _ = write!(
        s,
        "<p>Captured at <b>{}</b> (from {}: {}). Nodes: {}.</p>",
        esc(&a.captured_at),
        esc(&a.captured_at_source),
        esc(&a.captured_at_evidence),
        esc(&nodes)
    );
    // Pictures first: they are what a reader looks at before reading anything.
    if !a.cert_spans.is_empty() {
        s.push_str("<h2>Certificates against the capture time</h2>");
        cert_chart(s, &a.cert_spans, a.captured, a.window_days);
    }
    if !a.event_spans.is_empty() {
        s.push_str("<h2>Log events over time</h2>");
        event_chart(s, &a.event_spans);
    }
    findings_section(s, a);
    plan_section(s, a);
    if !a.problems.is_empty() {
        s.push_str("<h2>Input problems</h2><table><tr><th>path</th><th>problem</th></tr>");
        for p in &a.problems {
            let _ = write!(
                s,
                "<tr><td><code>{}</code></td><td>{}</td></tr>",
                esc(&p.path),
                esc(&p.error)
            );
        }
        s.push_str("</table>");
    }
}

fn verdict(a: &Analysis) -> (&'static str, String) {
    use crate::report::verdict::Verdict;
    let class = match a.verdict {
        Verdict::Healthy => "v-ok",
        Verdict::Degraded | Verdict::Incomplete => "v-warning",
        Verdict::Broken => "v-error",
    };
    let mut text = a.verdict_sentence();
    if let Some(first) = text.get(..1) {
        text = format!("{}{}.", first.to_uppercase(), text.get(1..).unwrap_or(""));
    }
    (class, text)
}

fn findings_section(s: &mut String, a: &Analysis) {
    if a.findings.is_empty() {
        return;
    }
    s.push_str("<h2>Root causes and their symptoms</h2><table id=\"findings\"><tr><th>severity</th><th>rule</th><th>node</th><th>finding</th><th>where</th></tr>");
    for f in a.root_causes() {
        finding_row(s, f, None);
        for sym in a.symptoms_of(f) {
            finding_row(s, sym, Some(f));
        }
    }
    s.push_str("</table>");
    let open: Vec<&Finding> = a.open_questions().collect();
    if !open.is_empty() {
        s.push_str("<h2>Open questions</h2><p>Symptoms that no root cause in the bundle explains.</p><table id=\"open\">");
        for f in open {
            finding_row(s, f, None);
        }
        s.push_str("</table>");
    }
}

/// One finding; `root` is set for a symptom shown under the root cause that explains it.
fn finding_row(s: &mut String, f: &Finding, root: Option<&Finding>) {
    let symptom = root.is_some();
    // What ties it to its root cause, or (an open question) what its lines name.
    let link = match root {
        Some(r) => f.link_text(&r.id),
        None if f.symptom && f.explained_by.is_empty() => f.refs_text(),
        None => None,
    }
    .map(|t| format!("<br><i>{}</i>", esc(&t)))
    .unwrap_or_default();
    let wh: Vec<String> = f
        .paths
        .iter()
        .chain(&f.objects)
        .map(|p| format!("<code>{}</code>", esc(p)))
        .collect();
    let _ = write!(
        s,
        "<tr{}><td class=\"sev-{}\">{}</td><td><code>{}</code></td><td>{}</td><td><b>{}</b><br>{}{}</td><td>{}</td></tr>",
        if symptom { " class=\"symptom\"" } else { "" },
        f.severity,
        if symptom {
            format!("↳ {}", f.severity)
        } else {
            f.severity.to_string()
        },
        esc(&f.rule),
        esc(f.node.as_deref().unwrap_or("cluster")),
        esc(&f.title),
        esc(&f.message),
        link,
        wh.join("<br>")
    );
}

fn plan_section(s: &mut String, a: &Analysis) {
    if a.plan.is_empty() {
        return;
    }
    s.push_str("<h2>Fix plan</h2><ol id=\"plan\">");
    for step in &a.plan {
        let _ = write!(
            s,
            "<li><b>{}</b> <i>({}, <code>{}</code>)</i>",
            esc(&step.title),
            esc(&step.phase),
            esc(&step.id)
        );
        if !step.targets.is_empty() {
            let t: Vec<String> = step
                .targets
                .iter()
                .map(|t| format!("<code>{}</code>", esc(t)))
                .collect();
            let _ = write!(s, "<br>Targets: {}", t.join(", "));
        }
        if let Some(c) = &step.caveat {
            let _ = write!(s, "<p class=\"caveat\">{}</p>", esc(c));
        }
        if !step.commands.is_empty() {
            let _ = write!(s, "<pre><code>{}</code></pre>", esc(&step.commands.join("\n")));
        }
        if !step.verify.is_empty() {
            let _ = write!(
                s,
                "Verify:<pre><code>{}</code></pre>",
                esc(&step.verify.join("\n"))
            );
        }
        if !step.rollback.is_empty() {
            let _ = write!(
                s,
                "Rollback (only if the step went wrong):<pre><code>{}</code></pre>",
                esc(&step.rollback.join("\n"))
            );
        }
        s.push_str("</li>");
    }
    s.push_str("</ol>");
}

/// Status of a certificate at capture time, as the chart colours it (`expiring` within
/// `window_days` of capture).
fn cert_status(c: &CertSpan, at: OffsetDateTime, window_days: i64) -> (&'static str, &'static str) {
    if at < c.not_before {
        ("not yet valid", NOT_YET)
    } else if at > c.not_after {
        ("expired", EXPIRED)
    } else if (c.not_after - at).whole_days() <= window_days {
        ("expiring", EXPIRING)
    } else {
        ("valid", VALID)
    }
}

/// A Gantt-like chart: one bar per certificate from notBefore to notAfter, a red line at the
/// capture time. The axis spans the certificates but is clipped to ±6 years around capture.
/// Bars are coloured by state at capture, `expiring` within `window_days`.
pub(super) fn cert_chart(s: &mut String, certs: &[CertSpan], at: OffsetDateTime, window_days: i64) {
    let lo_clip = at - time::Duration::days(6 * 365);
    let hi_clip = at + time::Duration::days(6 * 365);
    let lo = certs
        .iter()
        .map(|c| c.not_before)
        .min()
        .unwrap_or(at)
        .max(lo_clip)
        .min(at);
    let hi = certs
        .iter()
        .map(|c| c.not_after)
        .max()
        .unwrap_or(at)
        .min(hi_clip)
        .max(at);
    let (label_w, chart_w, row_h) = (300.0, 820.0, 18.0);
    let span = ((hi - lo).whole_seconds().max(1)) as f64;
    let x = |t: OffsetDateTime| label_w + ((t.max(lo).min(hi) - lo).whole_seconds() as f64 / span) * chart_w;
    let mut sorted: Vec<&CertSpan> = certs.iter().collect();
    sorted.sort_by(|a, b| (a.not_after, &a.label).cmp(&(b.not_after, &b.label)));
    let height = 40.0 + row_h * sorted.len() as f64;
    let _ = write!(
        s,
        "<svg id=\"cert-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"certificate validity\">",
        label_w + chart_w + 20.0
    );
    for (i, c) in sorted.iter().enumerate() {
        let y = 20.0 + row_h * i as f64;
        let (status, colour) = cert_status(c, at, window_days);
        let (x0, x1) = (x(c.not_before), x(c.not_after));
        let _ = write!(
            s,
            "<g class=\"cert {}\" data-status=\"{status}\"><title>{} — {} to {} ({status}); {} ({} place(s)); sha256 {}</title>\
             <text x=\"4\" y=\"{}\">{}{}</text><rect x=\"{x0:.1}\" y=\"{}\" width=\"{:.1}\" height=\"{}\" fill=\"{colour}\" rx=\"2\"/></g>",
            status.replace(' ', "-"),
            esc(&c.label),
            rfc3339(c.not_before),
            rfc3339(c.not_after),
            esc(&c.location),
            c.locations,
            c.fingerprint,
            y + 12.0,
            if c.is_ca { "[CA] " } else { "" },
            esc(&truncate(&c.label, 46)),
            y + 3.0,
            (x1 - x0).max(2.0),
            row_h - 6.0,
        );
    }
    let xc = x(at);
    let _ = write!(
        s,
        "<line x1=\"{xc:.1}\" x2=\"{xc:.1}\" y1=\"12\" y2=\"{}\" stroke=\"#b3261e\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>\
         <text x=\"{:.1}\" y=\"10\" fill=\"#b3261e\">captured {}</text>",
        height - 4.0,
        xc + 4.0,
        rfc3339(at)
    );
    let _ = write!(
        s,
        "<text x=\"{label_w}\" y=\"{}\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text></svg>",
        height - 2.0,
        lo.year(),
        label_w + chart_w,
        height - 2.0,
        hi.year()
    );
    s.push_str(&format!(
        "<p><span style=\"color:{EXPIRED}\">■</span> expired <span style=\"color:{EXPIRING}\">■</span> expiring within {window_days} days \
         <span style=\"color:{VALID}\">■</span> valid <span style=\"color:{NOT_YET}\">■</span> not yet valid</p>"
    ));
}

/// One row per component (and node): a bar from first to last match of each log rule,
/// coloured by the rule's severity, labelled with its count.
fn event_chart(s: &mut String, events: &[EventSpan]) {
    let times: Vec<OffsetDateTime> = events
        .iter()
        .flat_map(|e| [e.first_seen, e.last_seen])
        .flatten()
        .collect();
    let (Some(lo), Some(hi)) = (times.iter().min().copied(), times.iter().max().copied()) else {
        s.push_str("<p>No timestamps in the matching log lines.</p>");
        return;
    };
    let mut rows: Vec<(String, Vec<&EventSpan>)> = Vec::new();
    let mut sorted: Vec<&EventSpan> = events.iter().collect();
    sorted.sort_by(|a, b| {
        (&a.node, &a.component, a.first_seen, &a.rule).cmp(&(&b.node, &b.component, b.first_seen, &b.rule))
    });
    for e in sorted {
        let key = format!("{} / {}: {}", e.node, e.component, e.rule);
        match rows.last_mut() {
            Some((k, v)) if *k == key => v.push(e),
            _ => rows.push((key, vec![e])),
        }
    }
    let (label_w, chart_w, row_h) = (360.0, 760.0, 22.0);
    let span = ((hi - lo).whole_seconds().max(1)) as f64;
    let x = |t: OffsetDateTime| label_w + ((t - lo).whole_seconds() as f64 / span) * chart_w;
    let height = 30.0 + row_h * rows.len() as f64;
    let _ = write!(
        s,
        "<svg id=\"event-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"log events over time\">",
        label_w + chart_w + 20.0
    );
    for (i, (label, spans)) in rows.iter().enumerate() {
        let y = 10.0 + row_h * i as f64;
        let _ = write!(
            s,
            "<text x=\"4\" y=\"{}\">{}</text>",
            y + 14.0,
            esc(&truncate(label, 58))
        );
        for e in spans {
            let (Some(a), Some(b)) = (e.first_seen.or(e.last_seen), e.last_seen.or(e.first_seen)) else {
                continue;
            };
            let colour = match e.severity {
                Severity::Error => EXPIRED,
                Severity::Warning => EXPIRING,
                Severity::Info => "#5b7fc7",
            };
            let _ = write!(
                s,
                "<g class=\"event\"><title>{}: {} line(s), {} to {}</title><rect x=\"{:.1}\" y=\"{}\" width=\"{:.1}\" height=\"12\" fill=\"{colour}\" opacity=\"0.8\" rx=\"3\"/>\
                 <text x=\"{:.1}\" y=\"{}\" text-anchor=\"end\">×{}</text></g>",
                esc(&e.rule),
                e.count,
                rfc3339(a),
                rfc3339(b),
                x(a),
                y + 4.0,
                (x(b) - x(a)).max(4.0),
                label_w + chart_w + 18.0,
                y + 13.0,
                e.count
            );
        }
    }
    let _ = write!(
        s,
        "<text x=\"{label_w}\" y=\"{}\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text></svg>",
        height - 2.0,
        rfc3339(lo),
        label_w + chart_w,
        height - 2.0,
        rfc3339(hi)
    );
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Escapes text for HTML element content and attribute values.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
