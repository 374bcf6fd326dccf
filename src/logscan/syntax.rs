//! The log part of a catalogue rule as written in `rules/*.yaml` (`log:`), before
//! validation: the catalogue parses it, the log compiler reads it.

use serde::Deserialize;

/// The log part of a log rule.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSyntax {
    /// Components whose logs the rule applies to (`any` or absent: all).
    #[serde(default)]
    pub components: Vec<String>,
    /// Literal strings, one of which every matching line contains (the prefilter).
    #[serde(default)]
    pub literals: Vec<String>,
    /// Regexes; a line matching any of them is a hit. Named captures feed the message.
    pub patterns: Vec<String>,
    /// Regexes that veto a hit (benign look-alikes).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Message template with `{capture}` placeholders.
    #[serde(default)]
    pub message: Option<String>,
    /// Lines that must match (checked by `rules check` and the tests).
    #[serde(default)]
    pub examples: Vec<String>,
    /// Lines that must not match.
    #[serde(default)]
    pub negative_examples: Vec<String>,
    /// How long the condition must have been silent, while its log went on, to be a past
    /// episode instead of an ongoing fault (`15m`, `2h`, `1d`; `never` where silence proves
    /// nothing, e.g. a retry every day). Default [`DEFAULT_HISTORY_AFTER`].
    #[serde(default)]
    pub history_after: Option<String>,
}

/// How long a log condition must be silent, while its log goes on, to be history: longer
/// than the kubelet's and controllers' retry back-offs (5 minutes at most).
pub const DEFAULT_HISTORY_AFTER: &str = "15m";

impl LogSyntax {
    /// The silence after which a hit is a past episode; `None` for `never`. `Err` says why a
    /// value is not a duration.
    pub fn history_after(&self) -> Result<Option<time::Duration>, String> {
        let text = self
            .history_after
            .as_deref()
            .unwrap_or(DEFAULT_HISTORY_AFTER)
            .trim();
        if text == "never" {
            return Ok(None);
        }
        let (n, unit) = text.split_at(text.len().saturating_sub(1));
        let n: i64 = n.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
            format!("history_after `{text}` is not a positive duration such as 15m, 2h, 1d or never")
        })?;
        match unit {
            "m" => Ok(Some(time::Duration::minutes(n))),
            "h" => Ok(Some(time::Duration::hours(n))),
            "d" => Ok(Some(time::Duration::days(n))),
            _ => Err(format!(
                "history_after `{text}` needs a unit: m, h or d (or never)"
            )),
        }
    }
}

#[cfg(test)]
mod history_tests {
    use super::*;

    fn with(v: Option<&str>) -> LogSyntax {
        LogSyntax {
            components: Vec::new(),
            literals: Vec::new(),
            patterns: Vec::new(),
            exclude: Vec::new(),
            message: None,
            examples: Vec::new(),
            negative_examples: Vec::new(),
            history_after: v.map(str::to_string),
        }
    }

    #[test]
    fn history_after_reads_durations_and_never() {
        assert_eq!(with(None).history_after(), Ok(Some(time::Duration::minutes(15))));
        assert_eq!(
            with(Some("2h")).history_after(),
            Ok(Some(time::Duration::hours(2)))
        );
        assert_eq!(
            with(Some("1d")).history_after(),
            Ok(Some(time::Duration::days(1)))
        );
        assert_eq!(with(Some("never")).history_after(), Ok(None));
        for bad in ["15", "0m", "-1h", "5s", "soon"] {
            assert!(with(Some(bad)).history_after().is_err(), "{bad}");
        }
    }
}
