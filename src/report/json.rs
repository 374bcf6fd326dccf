//! JSON and YAML: one object per bundle, or an array when several bundles were analysed
//! (`docs/report.schema.json` describes the object).

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

/// Writes the same report as one YAML document.
pub fn render_yaml(analyses: &[Analysis], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    yaml(analyses, w)
}

/// Writes `value` (an analysis, or a slice of one per bundle) as YAML, like its JSON: one
/// bundle is one mapping, several a sequence.
pub(crate) fn yaml<T: serde::Serialize>(value: &[T], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let text = match value {
        [one] => serde_yaml::to_string(one),
        many => serde_yaml::to_string(many),
    }
    .map_err(std::io::Error::other)?;
    w.write_all(text.as_bytes())
}
