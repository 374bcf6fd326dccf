//! Renderings of the certificate inventory (`kubetriage certs`): a terminal table,
//! markdown, JSON and one self-contained HTML page. The rows come from
//! [`crate::facts::inventory::rows_within`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;
use time::{Duration, OffsetDateTime};

use crate::facts::inventory::{CertRow, Status, rows_within};
use crate::report::envelope::{self, Envelope, Judged};
use crate::report::escape::visible;
use crate::report::html::{EXPIRED, EXPIRING, NOT_YET, STYLE, VALID, cert_chart, esc};
use crate::report::verdict::{self, Counts, GapKind, IncompleteReason, SCHEMA_VERSION, Verdict};
use crate::report::{CertSpan, Format};
use crate::snapshot::Snapshot;

/// One bundle's inventory.
#[derive(Clone, Debug, Serialize)]
pub struct Inventory {
    /// The report shape's version (an `-o jsonl` line stands alone).
    pub schema_version: &'static str,
    /// The verdict on the certificates: `broken` with an expired or not-yet-valid one shown,
    /// `incomplete` when part of the bundle could not be read (a certificate may be missing),
    /// `degraded` with one expiring, else `healthy`.
    pub verdict: Verdict,
    /// Certificates per severity: expired and not yet valid count as errors, expiring as
    /// warnings; `shown` after `--only`, `total` before.
    pub counts: Counts,
    /// What could not be read, and why.
    pub incomplete_reasons: Vec<IncompleteReason>,
    /// The input as given.
    pub source: String,
    /// Capture time, RFC 3339.
    pub captured_at: String,
    /// Where the capture time came from.
    pub captured_at_source: String,
    /// What gave the capture time, in words.
    pub captured_at_evidence: String,
    /// Every certificate, once.
    pub certificates: Vec<CertRow>,
    /// Why the bundle could not be read at all (then there are no certificates): one
    /// unreadable bundle loses nothing of the others.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The capture instant (for the HTML chart; not serialised).
    #[serde(skip)]
    pub captured: OffsetDateTime,
    /// The expiry window, in days, the statuses were decided with.
    #[serde(skip)]
    pub window_days: i64,
    /// Validity spans, for the HTML chart.
    #[serde(skip)]
    pub spans: Vec<CertSpan>,
    /// By fingerprint (hex): what uses the certificate, from the trust edges
    /// (`presented for etcd-client to …`, `trusted for apiserver-client by …`).
    #[serde(skip)]
    pub used: BTreeMap<String, Vec<String>>,
}

impl Inventory {
    /// The inventory of `snap`, `expiring` within `window` of capture.
    pub fn new(snap: &Snapshot, window: Duration) -> Self {
        let spans = crate::report::cert_spans(snap);
        let mut rows = rows_within(snap, window);
        sort_rows(&mut rows);
        let uncollected = crate::checks::evidence::not_collected(snap);
        let recognised = !snap.certs.certs.is_empty() || !snap.nodes.is_empty() || !uncollected.is_empty();
        let mut reasons = verdict::incomplete_reasons(&snap.problems, &[], recognised);
        reasons.extend(verdict::capture_gap(snap).filter(|_| recognised));
        if let Some(cut) = &snap.cut {
            if !reasons.iter().any(|r| r.kind == GapKind::ArchiveCut) {
                reasons.push(IncompleteReason {
                    kind: GapKind::ArchiveCut,
                    checks: Vec::new(),
                    path: None,
                    reason: cut.clone(),
                });
            }
        }
        // A collector that never copies certificates (kind, must-gather, cluster-info dump):
        // the same gap `analyze` reports, so `certs` is never `healthy` for want of any.
        for (node, by) in uncollected {
            let on = node
                .map(|n| format!(" on {}", snap.node_name(Some(n))))
                .unwrap_or_default();
            reasons.push(IncompleteReason {
                kind: GapKind::NotCollected,
                checks: ["cert-expired", "cert-expiring-soon", "cert-not-yet-valid"]
                    .iter()
                    .map(|s| (*s).to_string())
                    .collect(),
                path: None,
                reason: format!("{by} did not collect the certificates and keys{on}"),
            });
        }
        if let Some(s) = snap.scrubbed.first() {
            reasons.push(IncompleteReason {
                kind: GapKind::Scrubbed,
                checks: Vec::new(),
                path: Some(s.path.clone()),
                reason: format!(
                    "{} scrubbed {} item(s) (certificates, keys or secret values): a certificate may be missing here",
                    s.by,
                    snap.scrubbed.len()
                ),
            });
        }
        let counts = cert_counts(&rows, &rows);
        Inventory {
            schema_version: SCHEMA_VERSION,
            verdict: verdict::decide(&counts, &reasons),
            counts,
            incomplete_reasons: reasons,
            source: snap.source.clone(),
            captured_at: snap.captured_at.rfc3339(),
            captured_at_source: snap.captured_at.source.as_str().to_string(),
            captured_at_evidence: snap.captured_from.clone(),
            certificates: rows,
            error: None,
            captured: snap.captured_at.at,
            window_days: window.whole_days(),
            spans,
            used: uses(snap),
        }
    }

    /// The entry for a bundle that could not be read at all, saying why.
    pub fn failed(source: String, error: String, window: Duration) -> Self {
        let reasons = vec![IncompleteReason {
            kind: GapKind::Unreadable,
            checks: Vec::new(),
            path: None,
            reason: error.clone(),
        }];
        Inventory {
            schema_version: SCHEMA_VERSION,
            verdict: Verdict::Incomplete,
            counts: Counts::default(),
            incomplete_reasons: reasons,
            source,
            captured_at: String::new(),
            captured_at_source: String::new(),
            captured_at_evidence: String::new(),
            certificates: Vec::new(),
            error: Some(error),
            captured: OffsetDateTime::UNIX_EPOCH,
            window_days: window.whole_days(),
            spans: Vec::new(),
            used: BTreeMap::new(),
        }
    }
}

impl Inventory {
    /// Keeps the certificates at or above `min` (`--only`); the counts say how many the
    /// bundle has in all, and the verdict follows what is shown.
    pub fn only(&mut self, min: crate::finding::Severity) {
        let all = std::mem::take(&mut self.certificates);
        let shown: Vec<CertRow> = all
            .iter()
            .filter(|r| status_severity(r.status).is_some_and(|s| s >= min))
            .cloned()
            .collect();
        self.counts = cert_counts(&shown, &all);
        self.verdict = verdict::decide(&self.counts, &self.incomplete_reasons);
        self.certificates = shown;
    }
}

impl Judged for Inventory {
    fn verdict(&self) -> Verdict {
        self.verdict
    }
    fn counts(&self) -> Counts {
        self.counts
    }
}

/// Certificates per severity of their status ([`status_severity`]), `shown` of `all`.
fn cert_counts(shown: &[CertRow], all: &[CertRow]) -> Counts {
    Counts::of_severities(
        shown.iter().map(|r| status_severity(r.status)),
        all.iter().map(|r| status_severity(r.status)),
    )
}

/// How many consumers a "used" line names before it counts the rest.
const USES_SHOWN: usize = 3;

/// What uses each certificate, by fingerprint: one line per role and purpose, naming the
/// consumers (the first few, then a count: a CA can be trusted by a thousand token Secrets).
fn uses(snap: &Snapshot) -> BTreeMap<String, Vec<String>> {
    type Role = (&'static str, &'static str);
    let mut by: BTreeMap<usize, BTreeMap<Role, BTreeSet<&str>>> = BTreeMap::new();
    for e in &snap.trust {
        let consumers = e.consumers.iter().map(String::as_str);
        by.entry(e.peer)
            .or_default()
            .entry(("presented for", e.purpose.as_str()))
            .or_default()
            .extend(consumers.clone());
        for &t in &e.trusted {
            by.entry(t)
                .or_default()
                .entry(("trusted for", e.purpose.as_str()))
                .or_default()
                .extend(consumers.clone());
        }
    }
    by.into_iter()
        .filter_map(|(i, roles)| {
            let c = snap.certs.certs.get(i)?;
            let lines = roles
                .into_iter()
                .map(|((role, purpose), consumers)| {
                    let who = if role == "presented for" { "to" } else { "by" };
                    let named: Vec<&str> = consumers.iter().copied().take(USES_SHOWN).collect();
                    let more = consumers.len().saturating_sub(USES_SHOWN);
                    let rest = if more > 0 {
                        format!(" (+{more} more)")
                    } else {
                        String::new()
                    };
                    format!("{role} {purpose} {who} {}{rest}", named.join("; "))
                })
                .collect();
            Some((c.fingerprint.hex(), lines))
        })
        .collect()
}

/// Sorts certificate rows worst first: expired, not yet valid, expiring, ok; within a
/// status by days left (soonest first), then fingerprint.
pub fn sort_rows(rows: &mut [CertRow]) {
    rows.sort_by(|a, b| {
        (status_style(a.status).1, a.days_left, &a.fingerprint).cmp(&(
            status_style(b.status).1,
            b.days_left,
            &b.fingerprint,
        ))
    });
}

/// The severity a certificate's status counts as for `--fail-on` and `--only`: expired and
/// not yet valid are errors, expiring a warning, ok nothing.
pub fn status_severity(st: Status) -> Option<crate::finding::Severity> {
    use crate::finding::Severity;
    match st {
        Status::Expired | Status::NotYetValid => Some(Severity::Error),
        Status::Expiring => Some(Severity::Warning),
        Status::Ok => None,
    }
}

/// Renders inventories in `format`. SARIF and JUnit are not inventory formats (an error).
pub fn render(inv: &[Inventory], format: Format, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    match format {
        Format::Json => envelope::json(&Envelope::new("certs", inv), w),
        Format::Yaml => envelope::yaml(&Envelope::new("certs", inv), w),
        Format::Jsonl => envelope::jsonl(inv, w),
        Format::Table | Format::Wide => {
            super::escape::visibly(w, |w| inv.iter().try_for_each(|i| table(i, w)))
        }
        Format::Markdown => super::escape::visibly(w, |w| inv.iter().try_for_each(|i| markdown(i, w))),
        Format::Html => super::escape::visibly(w, |w| html(inv, w)),
        Format::Sarif | Format::Junit => Err(std::io::Error::other(format!(
            "`certs` lists certificates, not findings: no {} output; use table, wide, markdown, json, yaml or html \
             (or `kubetriage analyze -o {}` for the certificate findings)",
            format.as_str(),
            format.as_str()
        ))),
    }
}

/// SANs shortened for a column: the first three and a count of the rest.
fn short_sans(sans: &[String]) -> String {
    let sans: Vec<String> = sans.iter().map(|s| visible(s)).collect();
    match sans.len() {
        0 => "-".to_string(),
        1..=3 => sans.join(", "),
        n => format!("{} (+{} more)", sans[..3].join(", "), n - 3),
    }
}

fn table(inv: &Inventory, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    if let Some(e) = &inv.error {
        return writeln!(w, "{}  could not be read: {}", visible(&inv.source), visible(e));
    }
    writeln!(
        w,
        "{}  (captured {} from {}): {} certificates",
        visible(&inv.source),
        inv.captured_at,
        inv.captured_at_source,
        inv.certificates.len()
    )?;
    let mut t = super::terminal::table();
    t.set_header([
        "status",
        "subject",
        "SANs",
        "verified issuer",
        "not after",
        "days",
        "key",
        "locations",
    ]);
    for r in &inv.certificates {
        t.add_row([
            r.status.as_str().to_string(),
            format!(
                "{}\n{}",
                visible(&r.subject),
                r.fingerprint.get(..16).unwrap_or(&r.fingerprint)
            ),
            short_sans(&r.sans),
            visible(&r.issuer_verified),
            r.not_after.clone(),
            r.days_left.to_string(),
            r.key.clone(),
            r.locations
                .iter()
                .map(|l| visible(l))
                .collect::<Vec<_>>()
                .join("\n"),
        ]);
    }
    writeln!(w, "{t}")
}

/// Bundle text for a markdown table cell: escaped, one line.
fn cell(s: &str) -> String {
    super::escape::md_text(s)
}

fn markdown(inv: &Inventory, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(w, "# Certificates of {}\n", super::escape::md_code(&inv.source))?;
    if let Some(e) = &inv.error {
        return writeln!(w, "Could not be read: {}\n", super::escape::md_text(e));
    }
    writeln!(
        w,
        "Captured {} (from {}); {} certificates, each once.\n",
        inv.captured_at,
        inv.captured_at_source,
        inv.certificates.len()
    )?;
    markdown_table(&inv.certificates, w)
}

/// The inventory as a markdown table (also a section of the markdown analysis report).
pub fn markdown_table(rows: &[CertRow], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(
        w,
        "| status | subject | SANs | verified issuer | not before | not after | days left | key | locations |"
    )?;
    writeln!(w, "|---|---|---|---|---|---|---|---|---|")?;
    for r in rows {
        writeln!(
            w,
            "| {} | {} `{}` | {} | {} | {} | {} | {} | {} | {} |",
            r.status.as_str(),
            cell(&r.subject),
            r.fingerprint.get(..16).unwrap_or(&r.fingerprint),
            cell(&short_sans(&r.sans)),
            cell(&r.issuer_verified),
            r.not_before,
            r.not_after,
            r.days_left,
            r.key,
            r.locations
                .iter()
                .map(|l| cell(l))
                .collect::<Vec<_>>()
                .join("<br>")
        )?;
    }
    writeln!(w)
}

/// The colour and the order (worst first) of a status on the HTML page.
fn status_style(st: Status) -> (&'static str, u8) {
    match st {
        Status::Expired => (EXPIRED, 0),
        Status::NotYetValid => (NOT_YET, 1),
        Status::Expiring => (EXPIRING, 2),
        Status::Ok => (VALID, 3),
    }
}

/// Extra style of the inventory page, on top of the shared [`STYLE`].
const CERTS_STYLE: &str = ".certs td { overflow-wrap: anywhere; } td.key { white-space: nowrap; } \
td.subject { min-width: 11em; } td.issuer { min-width: 9em; } td.places { min-width: 15em; } \
td.used { min-width: 13em; } \
.pill { color: #fff; font-weight: 600; white-space: nowrap; border-radius: 4px; padding: 1px 6px; } \
td.days { text-align: right; white-space: nowrap; } td.validity { white-space: nowrap; } \
.ca { font-size: .8em; background: #e8eaf6; border-radius: 3px; padding: 0 .3em; } \
.muted { color: #666; font-size: .92em; } ul.places { margin: 0; padding-left: 1.1em; }";

/// One self-contained HTML page (no scripts, no network): per bundle, the validity chart
/// against the capture time and one row per certificate, worst state first.
fn html(inv: &[Inventory], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut s = String::new();
    let title = match inv {
        [one] => format!("kubetriage certs: {}", one.source),
        many => format!("kubetriage certs: {} bundles", many.len()),
    };
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>{STYLE}{CERTS_STYLE}</style></head><body>",
        esc(&title)
    );
    let mut anchors = crate::report::html::Anchors::default();
    for i in inv {
        let mut part = String::new();
        html_bundle(&mut part, i);
        s.push_str(&crate::report::html::section(&anchors.next(&i.source), &part));
    }
    s.push_str("</body></html>\n");
    w.write_all(s.as_bytes())
}

fn html_bundle(s: &mut String, inv: &Inventory) {
    if let Some(e) = &inv.error {
        let _ = write!(
            s,
            "<h1>Certificates of {}</h1><p class=\"error\">Could not be read: {}</p>",
            esc(&inv.source),
            esc(e)
        );
        return;
    }
    let count = |st: Status| inv.certificates.iter().filter(|r| r.status == st).count();
    let _ = write!(
        s,
        "<h1>Certificates of {}</h1><p>Captured at <b>{}</b> (from {}). {} certificate(s), each once: \
         {} expired, {} not yet valid, {} expiring within {} days.</p>",
        esc(&inv.source),
        esc(&inv.captured_at),
        esc(&inv.captured_at_source),
        inv.certificates.len(),
        count(Status::Expired),
        count(Status::NotYetValid),
        count(Status::Expiring),
        inv.window_days
    );
    if inv.certificates.is_empty() {
        s.push_str("<p>No certificates found.</p>");
        return;
    }
    s.push_str("<h2>Validity against the capture time</h2>");
    cert_chart(s, &inv.spans, inv.captured, inv.window_days);
    s.push_str(
        "<h2>Inventory</h2><table id=\"certs\" class=\"certs\"><tr><th>status</th><th>subject</th>\
         <th>verified issuer</th><th>validity</th><th>days left</th><th>key</th>\
         <th>found at</th><th>used</th></tr>",
    );
    for r in &inv.certificates {
        html_row(s, r, inv.used.get(&r.fingerprint));
    }
    s.push_str("</table>");
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "<span class=\"muted\">-</span>".to_string();
    }
    let li: String = items
        .iter()
        .map(|i| format!("<li><code>{}</code></li>", esc(i)))
        .collect();
    format!("<ul class=\"places\">{li}</ul>")
}

fn html_row(s: &mut String, r: &CertRow, used: Option<&Vec<String>>) {
    let (colour, _) = status_style(r.status);
    let short = r.fingerprint.get(..16).unwrap_or(&r.fingerprint);
    // The claimed issuer name only where it tells something the verified one does not.
    let self_signed = r.issuer_verified == "self-signed" && r.issuer_claimed == r.subject;
    let claimed = if self_signed
        || r.issuer_claimed == r.issuer_verified
        || r.issuer_verified.starts_with(&format!("{} [", r.issuer_claimed))
    {
        String::new()
    } else {
        format!(
            "<br><span class=\"muted\">claims {}</span>",
            esc(&r.issuer_claimed)
        )
    };
    let sans = if r.sans.is_empty() {
        String::new()
    } else {
        format!(
            "<br><span class=\"muted\">SANs: {}</span>",
            esc(&short_sans(&r.sans))
        )
    };
    let used = used.map_or_else(
        || "<span class=\"muted\">no trust edge names it</span>".to_string(),
        |u| u.iter().map(|l| esc(l)).collect::<Vec<_>>().join("<br>"),
    );
    let _ = write!(
        s,
        "<tr class=\"cert st-{status}\" data-fingerprint=\"{fp}\"><td class=\"status\"><span class=\"pill\" style=\"background:{colour}\">{status}</span></td>\
         <td class=\"subject\"><b>{subject}</b>{ca}<br><code title=\"sha256 {fp}\">{short}</code>{sans}</td>\
         <td class=\"issuer\">{issuer}{claimed}</td><td class=\"validity\" title=\"{nb} to {na}\">{nb_day} →<br>{na_day}</td><td class=\"days\">{days}</td>\
         <td class=\"key\">{key}</td><td class=\"places\">{places}</td><td class=\"used\">{used}</td></tr>",
        status = r.status.as_str(),
        fp = esc(&r.fingerprint),
        subject = esc(&r.subject),
        ca = if r.is_ca {
            " <span class=\"ca\">CA</span>"
        } else {
            ""
        },
        short = esc(short),
        issuer = esc(&r.issuer_verified),
        nb = esc(&r.not_before),
        na = esc(&r.not_after),
        nb_day = esc(r.not_before.get(..10).unwrap_or(&r.not_before)),
        na_day = esc(r.not_after.get(..10).unwrap_or(&r.not_after)),
        days = r.days_left,
        key = esc(&r.key),
        places = list(&r.locations),
    );
}
