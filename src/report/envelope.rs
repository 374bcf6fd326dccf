//! The top level every JSON and YAML report shares (`schema_version` 2): the same object for
//! one bundle or many and for every subcommand, so a script reads `verdict`, `counts` and
//! `bundles` without asking which command wrote the file or how many bundles it held.
//! `docs/report.schema.json` describes it; each command's bundle entry is its own `$defs`.

use serde::Serialize;

use crate::report::verdict::{Counts, SCHEMA_VERSION, TOOL, Tool, Verdict};

/// What a bundle entry tells the envelope: its verdict and its counts.
pub trait Judged {
    /// The entry's verdict.
    fn verdict(&self) -> Verdict;
    /// The entry's counts.
    fn counts(&self) -> Counts;
}

/// The report's top level: who wrote it, for which command, the verdict and counts over
/// every bundle, and one entry per bundle in the order given.
#[derive(Serialize)]
pub struct Envelope<'a, B: Serialize> {
    /// The report shape's version.
    pub schema_version: &'static str,
    /// The tool and its version.
    pub tool: Tool,
    /// The subcommand that wrote the report (`analyze`, `audit`, `certs`, `timeline`, `diff`).
    pub command: &'static str,
    /// The worst verdict of the bundles (`broken` > `incomplete` > `degraded` > `healthy`).
    pub verdict: Verdict,
    /// Counts summed over the bundles.
    pub counts: Counts,
    /// One entry per bundle.
    pub bundles: &'a [B],
}

impl<'a, B: Serialize + Judged> Envelope<'a, B> {
    /// The envelope of `bundles` written by `command`.
    pub fn new(command: &'static str, bundles: &'a [B]) -> Self {
        Envelope {
            schema_version: SCHEMA_VERSION,
            tool: TOOL,
            command,
            verdict: worst(bundles.iter().map(Judged::verdict)),
            counts: bundles
                .iter()
                .map(Judged::counts)
                .fold(Counts::default(), std::ops::Add::add),
            bundles,
        }
    }
}

/// The worst of `verdicts` (`healthy` for none).
pub fn worst(verdicts: impl Iterator<Item = Verdict>) -> Verdict {
    verdicts.max().unwrap_or(Verdict::Healthy)
}

/// Writes `value` as pretty JSON and a newline.
pub fn json(value: &impl Serialize, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, value).map_err(std::io::Error::other)?;
    writeln!(w)
}

/// Writes `value` as one YAML document.
pub fn yaml(value: &impl Serialize, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let text = serde_yaml::to_string(value).map_err(std::io::Error::other)?;
    w.write_all(text.as_bytes())
}

/// Writes each of `entries` as JSON on a line of its own (`-o jsonl`: one line per bundle).
pub fn jsonl<B: Serialize>(entries: &[B], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    entries.iter().try_for_each(|e| {
        serde_json::to_writer(&mut *w, e).map_err(std::io::Error::other)?;
        writeln!(w)
    })
}

/// Writes the start of an envelope whose bundles follow one by one (a streamed audit):
/// everything up to the `bundles` array's opening bracket. [`close`] ends it.
pub fn open(command: &'static str, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let tool = serde_json::to_string(&TOOL).map_err(std::io::Error::other)?;
    let command = serde_json::to_string(command).map_err(std::io::Error::other)?;
    write!(
        w,
        "{{\n  \"schema_version\": \"{SCHEMA_VERSION}\",\n  \"tool\": {tool},\n  \"command\": {command},\n  \"bundles\": [\n"
    )
}

/// Writes the end of an envelope [`open`] began: the array's end, then the verdict and the
/// counts over every bundle written.
pub fn close(verdict: Verdict, counts: Counts, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let verdict = serde_json::to_string(&verdict).map_err(std::io::Error::other)?;
    let counts = serde_json::to_string(&counts).map_err(std::io::Error::other)?;
    writeln!(w, "\n  ],\n  \"verdict\": {verdict},\n  \"counts\": {counts}\n}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A streamed envelope is the same document as a whole one.
    #[test]
    fn open_then_close_is_one_json_object() {
        let mut out = Vec::new();
        open("audit", &mut out).unwrap();
        out.extend_from_slice(b"{\"a\": 1},\n{\"a\": 2}");
        close(Verdict::Degraded, Counts::default(), &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["schema_version"], SCHEMA_VERSION);
        assert_eq!(v["command"], "audit");
        assert_eq!(v["verdict"], "degraded");
        assert_eq!(v["bundles"].as_array().unwrap().len(), 2);
        assert_eq!(v["counts"]["error"]["shown"], 0);
    }
}
