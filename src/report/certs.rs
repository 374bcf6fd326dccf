//! Renderings of the certificate inventory (`kubetriage certs`): a terminal table,
//! markdown and JSON. The rows come from [`crate::pki::inventory::rows`].

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;

use crate::pki::inventory::CertRow;
use crate::report::Format;

/// One bundle's inventory.
#[derive(Clone, Debug, Serialize)]
pub struct Inventory {
    /// The input as given.
    pub source: String,
    /// Capture time, RFC 3339.
    pub captured_at: String,
    /// Where the capture time came from.
    pub captured_at_source: String,
    /// Every certificate, once.
    pub certificates: Vec<CertRow>,
}

/// Renders inventories in `format` (HTML falls back to markdown).
pub fn render(inv: &[Inventory], format: Format, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *w, inv).map_err(std::io::Error::other)?;
            writeln!(w)
        }
        Format::Table => inv.iter().try_for_each(|i| table(i, w)),
        Format::Markdown | Format::Html => inv.iter().try_for_each(|i| markdown(i, w)),
    }
}

/// SANs shortened for a column: the first three and a count of the rest.
fn short_sans(sans: &[String]) -> String {
    match sans.len() {
        0 => "-".to_string(),
        1..=3 => sans.join(", "),
        n => format!("{} (+{} more)", sans[..3].join(", "), n - 3),
    }
}

fn table(inv: &Inventory, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(
        w,
        "{}  (captured {} from {}): {} certificates",
        inv.source,
        inv.captured_at,
        inv.captured_at_source,
        inv.certificates.len()
    )?;
    let mut t = Table::new();
    super::no_color(&mut t);
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
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
            format!("{}\n{}", r.subject, &r.fingerprint[..16]),
            short_sans(&r.sans),
            r.issuer_verified.clone(),
            r.not_after.clone(),
            r.days_left.to_string(),
            r.key.clone(),
            r.locations.join("\n"),
        ]);
    }
    writeln!(w, "{t}")
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', "<br>")
}

fn markdown(inv: &Inventory, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(w, "# Certificates of {}\n", inv.source)?;
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
            &r.fingerprint[..16],
            cell(&short_sans(&r.sans)),
            cell(&r.issuer_verified),
            r.not_before,
            r.not_after,
            r.days_left,
            r.key,
            cell(&r.locations.join("<br>"))
        )?;
    }
    writeln!(w)
}
