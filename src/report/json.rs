//! JSON: one object per bundle, or an array when several bundles were analysed.

use crate::report::Analysis;

/// Writes the JSON report.
pub fn render(analyses: &[Analysis], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let text = match analyses {
        [one] => serde_json::to_string_pretty(one),
        many => serde_json::to_string_pretty(many),
    }
    .map_err(std::io::Error::other)?;
    writeln!(w, "{text}")
}
