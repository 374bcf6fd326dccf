//! How the terminal report looks: its width and whether severities are coloured. The binary
//! decides once, from the terminal, `--color` and `NO_COLOR`; every table reads it. Without
//! a decision (tests, library users) tables are [`FALLBACK_WIDTH`] columns and plain.
//!
//! Colour is added after the report went through [`super::escape::visibly`], by
//! [`Colorize`], and only to words kubetriage itself writes at fixed places (the severity
//! cell of a finding row, the verdict word): bundle data never reaches the terminal as an
//! escape sequence, and `NO_COLOR` removes colour without changing one character of layout.

use std::io::{self, Write};
use std::sync::OnceLock;

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

/// Width used when the terminal's is unknown or absurd (not a terminal, a 0-column pty).
pub const FALLBACK_WIDTH: u16 = 100;

/// Narrowest width taken from a terminal or `COLUMNS`; below it the fallback is used.
pub const MIN_WIDTH: u16 = 40;

/// The terminal report's look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    /// Columns the tables are laid out in.
    pub width: u16,
    /// Whether severities and the verdict are coloured.
    pub color: bool,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            width: FALLBACK_WIDTH,
            color: false,
        }
    }
}

static STYLE: OnceLock<Style> = OnceLock::new();

/// Sets the look for this process (the first call wins).
pub fn set(style: Style) {
    let _ = STYLE.set(style);
}

/// The look in force.
pub fn style() -> Style {
    STYLE.get().copied().unwrap_or_default()
}

/// The width to lay tables out in: the terminal's when it reports a sane one, else
/// `COLUMNS` when it is a sane number, else [`FALLBACK_WIDTH`].
pub fn width(terminal: Option<u16>, columns: Option<&str>) -> u16 {
    let sane = |w: u16| (w >= MIN_WIDTH).then_some(w);
    terminal
        .and_then(sane)
        .or_else(|| columns.and_then(|c| c.trim().parse::<u16>().ok()).and_then(sane))
        .unwrap_or(FALLBACK_WIDTH)
}

/// A table in the report's look: condensed borders, wrapped to the width in force, never
/// styled by the table itself (colour comes from [`Colorize`]).
pub fn table() -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .force_no_tty()
        .set_width(style().width);
    t
}

/// A writer that colours the severity cell of finding rows (`│ error `, `│ warning `,
/// `│ info `) and the verdict word of `verdict:` lines, line by line, when colour is on.
pub struct Colorize<W: Write> {
    inner: W,
    line: Vec<u8>,
}

impl<W: Write> Colorize<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        Colorize {
            inner,
            line: Vec::new(),
        }
    }

    fn emit(&mut self) -> io::Result<()> {
        let line = std::mem::take(&mut self.line);
        let marks: [(&[u8], &str); 7] = [
            (b"\xe2\x94\x82 error ", "31;1"),
            (b"\xe2\x94\x82 warning ", "33"),
            (b"\xe2\x94\x82 info ", "36"),
            (b"verdict: broken", "31;1"),
            (b"verdict: incomplete", "35"),
            (b"verdict: degraded", "33"),
            (b"verdict: healthy", "32"),
        ];
        for (mark, sgr) in marks {
            if line.starts_with(mark) {
                // `│ ` stays plain; the word is coloured.
                let skip = if mark.starts_with(b"verdict: ") {
                    "verdict: ".len()
                } else {
                    "│ ".len()
                };
                let word_end = mark.len() - usize::from(mark.ends_with(b" "));
                self.inner.write_all(&line[..skip])?;
                write!(self.inner, "\x1b[{sgr}m")?;
                self.inner.write_all(&line[skip..word_end])?;
                self.inner.write_all(b"\x1b[0m")?;
                return self.inner.write_all(&line[word_end..]);
            }
        }
        self.inner.write_all(&line)
    }
}

impl<W: Write> Write for Colorize<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for &b in buf {
            self.line.push(b);
            if b == b'\n' {
                self.emit()?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.line.is_empty() {
            self.emit()?;
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for Colorize<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_falls_back_on_nonsense() {
        assert_eq!(width(Some(0), None), FALLBACK_WIDTH);
        assert_eq!(width(Some(1), Some("0")), FALLBACK_WIDTH);
        assert_eq!(width(None, Some("80")), 80);
        assert_eq!(width(Some(132), Some("80")), 132);
        assert_eq!(width(None, Some("wide")), FALLBACK_WIDTH);
    }

    #[test]
    fn only_our_words_are_coloured() {
        let mut out = Vec::new();
        {
            let mut c = Colorize::new(&mut out);
            c.write_all("│ error    ┆ x │\n│ x error  │\nverdict: broken (1 error)\nplain".as_bytes())
                .unwrap();
        }
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with("│ \x1b[31;1merror\x1b[0m    ┆ x │\n"), "{s:?}");
        assert!(s.contains("\n│ x error  │\n"), "{s:?}");
        assert!(s.contains("verdict: \x1b[31;1mbroken\x1b[0m (1 error)"), "{s:?}");
        assert!(s.ends_with("plain"));
    }
}
