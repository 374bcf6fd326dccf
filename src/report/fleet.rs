//! The fleet summary: one row per bundle, for pre-upgrade audits across many clusters. Rows
//! come from analyses as an audit streams them, or from per-bundle JSON reports written
//! anywhere (`audit --merge`); both give the same summary. Also the per-bundle pieces a
//! streamed audit writes as each bundle finishes.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::finding::Severity;
use crate::report::verdict::{Count, Counts, Verdict};
use crate::report::{Analysis, CertSpan, Format, envelope, html, markdown, table};
use crate::snapshot::rfc3339;

/// The certificate that expires first (or expired) in a bundle: the fleet summary's column,
/// carried in the JSON report so a merge can rebuild it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expiry {
    /// CN (or subject) and where it sits, short.
    pub label: String,
    /// End of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// Whole days from the capture instant to `not_after` (negative: already expired).
    pub days_at_capture: i64,
}

/// The certificate among `spans` that expires first, judged at `captured`.
pub fn earliest_expiry(spans: &[CertSpan], captured: OffsetDateTime) -> Option<Expiry> {
    spans
        .iter()
        .min_by_key(|c| (c.not_after, &c.label))
        .map(|c| Expiry {
            label: c.label.clone(),
            not_after: c.not_after,
            days_at_capture: (c.not_after - captured).whole_days(),
        })
}

/// The `worst` of a bundle whose analysis failed.
pub const FAILED: &str = "failed";

/// One bundle at a glance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FleetRow {
    /// The bundle.
    pub source: String,
    /// The bundle's verdict (`failed` when it could not be analysed).
    pub verdict: String,
    /// Worst severity (`none` when there are no findings, `failed` when it could not be
    /// analysed).
    pub worst: String,
    /// Findings at error.
    pub errors: usize,
    /// Findings at warning.
    pub warnings: usize,
    /// Findings at info.
    pub infos: usize,
    /// The certificate that expires first (or expired), with its date and days from capture.
    pub earliest_expiry: String,
    /// Findings per severity, shown and total (for the audit report's own counts).
    #[serde(skip)]
    pub counts: Counts,
}

impl FleetRow {
    fn new(
        source: &str,
        verdict: &str,
        severities: impl Iterator<Item = Severity> + Clone,
        expiry: Option<&Expiry>,
    ) -> Self {
        let count = |s: Severity| severities.clone().filter(|&f| f == s).count();
        let both = |s| Count {
            shown: count(s),
            total: count(s),
        };
        FleetRow {
            counts: Counts {
                error: both(Severity::Error),
                warning: both(Severity::Warning),
                info: both(Severity::Info),
            },
            source: source.to_string(),
            verdict: verdict.to_string(),
            worst: severities
                .clone()
                .max()
                .map_or("none", Severity::as_str)
                .to_string(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            earliest_expiry: expiry.map_or_else(
                || "no certificates".to_string(),
                |e| {
                    format!(
                        "{} {} ({:+} days at capture)",
                        rfc3339(e.not_after),
                        e.label,
                        e.days_at_capture
                    )
                },
            ),
        }
    }

    /// The row of an analysed bundle.
    pub fn of(a: &Analysis) -> Self {
        if a.error.is_some() {
            return FleetRow::failed(&a.source);
        }
        FleetRow {
            counts: a.counts,
            ..FleetRow::new(
                &a.source,
                a.verdict.as_str(),
                a.findings.iter().map(|f| f.severity),
                a.earliest_expiry.as_ref(),
            )
        }
    }

    /// The row of a bundle whose analysis failed.
    pub fn failed(source: &str) -> Self {
        FleetRow {
            source: source.to_string(),
            verdict: FAILED.to_string(),
            worst: FAILED.to_string(),
            errors: 0,
            warnings: 0,
            infos: 0,
            earliest_expiry: "not analysed".to_string(),
            counts: Counts::default(),
        }
    }

    /// The row's verdict (`failed`: incomplete; a report older than verdicts: healthy).
    fn judged(&self) -> Verdict {
        Verdict::parse(&self.verdict).unwrap_or(Verdict::Healthy)
    }

    /// Findings at or above `level`.
    pub fn at_least(&self, level: Severity) -> usize {
        [
            (Severity::Error, self.errors),
            (Severity::Warning, self.warnings),
            (Severity::Info, self.infos),
        ]
        .iter()
        .filter(|(s, _)| *s >= level)
        .map(|(_, n)| n)
        .sum()
    }
}

/// The fleet rows, in the order the bundles were given.
pub fn rows(analyses: &[Analysis]) -> Vec<FleetRow> {
    analyses.iter().map(FleetRow::of).collect()
}

/// What the fleet summary needs of one bundle's JSON report (every other field is ignored).
#[derive(Deserialize)]
struct ReportSummary {
    /// Findings per severity (reports before schema 2 have none: counted from `findings`).
    #[serde(default)]
    counts: Option<Counts>,
    source: String,
    #[serde(default)]
    findings: Vec<SeverityOnly>,
    #[serde(default)]
    earliest_expiry: Option<Expiry>,
    /// Set on the entry of a bundle whose analysis failed.
    #[serde(default)]
    error: Option<String>,
    /// The verdict (reports written before verdicts existed have none).
    #[serde(default)]
    verdict: Option<String>,
}

#[derive(Deserialize)]
struct SeverityOnly {
    severity: Severity,
}

impl ReportSummary {
    fn row(&self) -> FleetRow {
        // Read from files written anywhere: no control characters reach a terminal or a cell.
        let source = printable(&self.source);
        if self.error.is_some() {
            return FleetRow::failed(&source);
        }
        let expiry = self.earliest_expiry.as_ref().map(|e| Expiry {
            label: printable(&e.label),
            ..e.clone()
        });
        let verdict = printable(self.verdict.as_deref().unwrap_or("unknown"));
        let row = FleetRow::new(
            &source,
            &verdict,
            self.findings.iter().map(|f| f.severity),
            expiry.as_ref(),
        );
        FleetRow {
            counts: self.counts.unwrap_or(row.counts),
            ..row
        }
    }
}

/// `s` with control characters (terminal escapes, line breaks) replaced.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

impl envelope::Judged for FleetRow {
    fn verdict(&self) -> Verdict {
        self.judged()
    }
    fn counts(&self) -> Counts {
        self.counts
    }
}

/// The rows of one JSON value: a report envelope (schema 2: `bundles`, read element by
/// element, so an `audit -o json` of thousands of bundles is never held whole), or, as
/// schema 1 wrote them, one bundle's report or an array of them.
struct Rows(Vec<FleetRow>);

impl<'de> Deserialize<'de> for Rows {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Shape;
        impl<'de> serde::de::Visitor<'de> for Shape {
            type Value = Rows;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a kubetriage JSON report (analyze or audit)")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Rows, A::Error> {
                let mut rows = Vec::new();
                while let Some(r) = seq.next_element::<ReportSummary>()? {
                    rows.push(r.row());
                }
                Ok(Rows(rows))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Rows, A::Error> {
                use serde::de::Error as _;
                let mut one = serde_json::Map::new();
                let mut bundles: Option<Rows> = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        // Read element by element, as a schema-1 array is.
                        "bundles" => bundles = Some(map.next_value::<Rows>()?),
                        "command" => {
                            let command: String = map.next_value()?;
                            if !matches!(command.as_str(), "analyze" | "audit") {
                                return Err(A::Error::custom(format!(
                                    "a `{}` report, not an analysis (write it with `analyze` or `audit`)",
                                    printable(&command)
                                )));
                            }
                        }
                        // Only what a row needs is kept; findings as their severities.
                        "source" | "earliest_expiry" | "error" | "verdict" | "counts" => {
                            one.insert(key, map.next_value()?);
                        }
                        "findings" => {
                            let f: Vec<SeverityOnly> = map.next_value()?;
                            let f: Vec<serde_json::Value> = f
                                .into_iter()
                                .map(|f| serde_json::json!({ "severity": f.severity }))
                                .collect();
                            one.insert(key, f.into());
                        }
                        _ => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                if let Some(rows) = bundles {
                    return Ok(rows);
                }
                let one: ReportSummary = serde_json::from_value(one.into()).map_err(A::Error::custom)?;
                Ok(Rows(vec![one.row()]))
            }
        }
        d.deserialize_any(Shape)
    }
}

/// The rows of the reports `r` holds: one JSON report (`analyze -o json`), an array of them
/// (`audit -o json`), or one per line (`audit -o jsonl`).
pub fn rows_from_json(r: impl io::Read) -> Result<Vec<FleetRow>, serde_json::Error> {
    let mut rows = Vec::new();
    let mut documents = 0;
    for value in serde_json::Deserializer::from_reader(io::BufReader::new(r)).into_iter::<Rows>() {
        rows.extend(value?.0);
        documents += 1;
    }
    // An empty file is a report that was never written (the pod died first), not a clean fleet.
    if documents == 0 {
        return Err(serde::de::Error::custom(
            "the file is empty: no report was written to it",
        ));
    }
    Ok(rows)
}

/// Whether `format` writes the fleet summary before the details (and so must hold the
/// details back until every bundle is summarised).
pub fn summary_first(format: Format) -> bool {
    matches!(format, Format::Markdown | Format::Table | Format::Html)
}

/// Writes one bundle's part of an audit: its detail (markdown, table, html) or its report
/// (json: pretty, jsonl: one line).
pub fn detail(a: &Analysis, format: Format, w: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *w, a).map_err(io::Error::other)?;
            writeln!(w)
        }
        Format::Jsonl => {
            serde_json::to_writer(&mut *w, a).map_err(io::Error::other)?;
            writeln!(w)
        }
        Format::Markdown => super::escape::visibly(w, |w| markdown::render_part(a, false, w)),
        Format::Html => super::escape::visibly(w, |w| w.write_all(html::bundle(a).as_bytes())),
        // Table, wide, and the formats `audit` renders whole (yaml, sarif, junit) never
        // stream: the table stands in.
        _ => super::escape::visibly(w, |w| table::render_as(a, format == Format::Wide, w)),
    }
}

/// Writes the part of a bundle whose analysis failed with `error` (json: the report entry
/// of an unreadable bundle, as [`Analysis::failed`] makes it).
pub fn failed_detail(
    source: &str,
    error: &str,
    catalog: &crate::catalog::Catalog,
    format: Format,
    w: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Json | Format::Jsonl => detail(&Analysis::failed(source, error, catalog), format, w),
        Format::Markdown => markdown::render_failed(source, error, w),
        Format::Html => w.write_all(html::failed(source, error).as_bytes()),
        _ => writeln!(
            w,
            "{}\n  analysis failed: {}\n",
            source.escape_debug(),
            error.escape_debug()
        ),
    }
}

/// Writes the fleet summary of `rows` (markdown, table, html); nothing for json formats,
/// whose reports carry what it is built from.
pub fn summary(rows: &[FleetRow], format: Format, w: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Markdown => super::escape::visibly(w, |w| markdown::render_fleet(rows, w)),
        Format::Html => super::escape::visibly(w, |w| w.write_all(html::fleet(rows).as_bytes())),
        Format::Json | Format::Jsonl => Ok(()),
        _ => super::escape::visibly(w, |w| table::render_fleet(rows, w)),
    }
}

/// Writes what precedes the first bundle's part of an audit of `count` bundles (the first
/// named `first`): the page's start (html), the report envelope up to its `bundles` (json).
pub fn open(format: Format, count: usize, first: &str, w: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Html if count == 1 => w.write_all(html::head(&format!("kubetriage: {first}")).as_bytes()),
        Format::Html => w.write_all(html::head(&format!("kubetriage: {count} bundles")).as_bytes()),
        Format::Json => envelope::open("audit", w),
        _ => Ok(()),
    }
}

/// What separates the parts of bundles `index - 1` and `index` (json: a comma).
pub fn separator(format: Format, index: usize) -> &'static [u8] {
    if format == Format::Json && index > 0 {
        b",\n"
    } else {
        b""
    }
}

/// Writes what follows the last bundle's part: the page's end (html); the envelope's end
/// with the verdict and counts over `rows` (json).
pub fn close(format: Format, rows: &[FleetRow], w: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Html => w.write_all(html::TAIL.as_bytes()),
        Format::Json => envelope::close(
            envelope::worst(rows.iter().filter_map(|r| Verdict::parse(&r.verdict))),
            rows.iter()
                .map(|r| r.counts)
                .fold(Counts::default(), std::ops::Add::add),
            w,
        ),
        _ => Ok(()),
    }
}

/// Writes a merged fleet summary: the summary alone (markdown, table, a page in html), or
/// the rows (json: an array, jsonl: one per line).
pub fn merged(rows: &[FleetRow], format: Format, w: &mut dyn Write) -> io::Result<()> {
    match format {
        // The report envelope, a fleet row per bundle (`command`: `audit-merge`).
        Format::Json => envelope::json(&envelope::Envelope::new("audit-merge", rows), w),
        Format::Jsonl => envelope::jsonl(rows, w),
        Format::Html => {
            open(format, rows.len().max(2), "", w)?;
            summary(rows, format, w)?;
            close(format, rows, w)
        }
        Format::Yaml => envelope::yaml(&envelope::Envelope::new("audit-merge", rows), w),
        _ => summary(rows, format, w),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn reports_in_every_json_shape_give_rows() {
        let one = r#"{"source":"a","findings":[{"severity":"error"},{"severity":"info"}],
            "earliest_expiry":{"label":"ca","not_after":"2026-11-18T00:00:00Z","days_at_capture":-3}}"#;
        let failed = r#"{"source":"b","error":"unreadable"}"#;
        let lines = format!("{}\n{failed}\n", one.replace('\n', ""));
        let array = format!("[{one},{failed}]");
        let want = vec![
            FleetRow {
                source: "a".into(),
                verdict: "unknown".into(),
                worst: "error".into(),
                errors: 1,
                warnings: 0,
                infos: 1,
                earliest_expiry: "2026-11-18T00:00:00Z ca (-3 days at capture)".into(),
                counts: Counts {
                    error: Count { shown: 1, total: 1 },
                    info: Count { shown: 1, total: 1 },
                    ..Counts::default()
                },
            },
            FleetRow::failed("b"),
        ];
        assert_eq!(rows_from_json(lines.as_bytes()).unwrap(), want);
        assert_eq!(rows_from_json(array.as_bytes()).unwrap(), want);
        assert_eq!(want[0].at_least(Severity::Warning), 1);
        assert_eq!(want[0].at_least(Severity::Info), 2);
    }

    #[test]
    fn a_report_with_an_unknown_severity_is_refused() {
        assert!(rows_from_json(&br#"{"source":"a","findings":[{"severity":"<b>x</b>"}]}"#[..]).is_err());
        assert!(rows_from_json(&br#"{"findings":[]}"#[..]).is_err());
        let escape = rows_from_json(&br#"{"source":"a\u001b[2Jb\nc"}"#[..]).unwrap();
        assert_eq!(escape[0].source, "a\u{fffd}[2Jb\u{fffd}c");
    }
}
