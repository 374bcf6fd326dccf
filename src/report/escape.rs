//! Escaping bundle text for each output format. Terminal and markdown output show control
//! characters and bidi overrides as visible escapes (`\x1b`, `\r`, `\u{202e}`), so a name
//! cannot move the cursor, set a terminal link or clipboard, or reorder what a reader sees;
//! markdown values are either escaped text or code spans whose fence is longer than any run
//! of backticks inside, so a value cannot open a heading, link, image or raw HTML.

use std::fmt::Write as _;

/// Whether `c` must not reach a terminal or document raw: C0/C1 controls, DEL, and the
/// Unicode bidi embeddings, overrides, isolates and marks.
fn hidden(c: char) -> bool {
    // Control characters, bidi controls and every other invisible format character (the
    // same set a shell command refuses).
    crate::model::shell::is_unsafe_char(c)
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// `s` with every control character (newlines included) and bidi override shown as an
/// escape: one line, safe for a terminal.
pub fn visible(s: &str) -> String {
    if !s.chars().any(hidden) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hidden(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// Like [`visible`] but keeps newlines and tabs: for a whole rendered report, whose own line breaks
/// are the only control characters it writes.
pub fn visible_lines(s: &str) -> String {
    if !s.chars().any(|c| !matches!(c, '\n' | '\t') && hidden(c)) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !matches!(c, '\n' | '\t') && hidden(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// Renders with `f` into a buffer, then writes it to `w` with every control character but
/// the newline shown visibly ([`visible_lines`]).
pub fn visibly(
    w: &mut dyn std::io::Write,
    f: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    f(&mut buf)?;
    w.write_all(visible_lines(&String::from_utf8_lossy(&buf)).as_bytes())
}

/// `s` as a markdown inline code span: one line ([`visible`]), fenced with one backtick more
/// than the longest run of backticks inside, padded when it starts or ends with one.
pub fn md_code(s: &str) -> String {
    let s = visible(s);
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// [`md_code`] for a table cell: GitHub splits a table row at every `|` not backslash-escaped,
/// even inside a code span, so each is escaped (the cell shows `|`).
pub fn md_code_cell(s: &str) -> String {
    md_code(s).replace('|', "\\|")
}

/// `s` as markdown text: one line ([`visible`]), every ASCII punctuation character that
/// markdown or HTML could read as markup backslash-escaped (`<img>`, `[x](y)`, `**`, `#`,
/// `|`, backticks, `&`).
pub fn md_text(s: &str) -> String {
    let s = visible(s);
    let mut out = String::with_capacity(s.len() + 8);
    for (i, c) in s.char_indices() {
        // The `:` of `://` and the `.` after `www` too: GitHub's autolinks (`https://…`,
        // `www.…`) are found in the source and swallow the backslash of a `\<` after them,
        // which then opens raw HTML (hostile round 6).
        let scheme = c == ':' && s[i + 1..].starts_with("//");
        let www = c == '.' && {
            let b = out.as_bytes();
            b.len() >= 3 && b[b.len() - 3..].eq_ignore_ascii_case(b"www")
        };
        if scheme
            || www
            || matches!(
                c,
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' | '|' | '&' | '~'
            )
        {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Our text with code spans in it (a finding's message, a gap, an input problem: "collect
/// again with `kubetriage collect`", "entry name `<name>` points outside the bundle") as
/// markdown: each span between single backticks is a code span again ([`md_code`] of what
/// it holds), the rest is [`md_text`]. Was: every backtick escaped, so our own commands
/// showed as text between literal backticks.
///
/// Bundle values sit in such text too, so only a text whose backticks are all single and
/// pair up is read as spans (else it is [`md_text`] whole); a value's own backticks can then
/// at most turn text into code, never into markup: what is outside a span is escaped, what
/// is inside is written by [`md_code`], whose fence nothing inside can close.
pub fn md_text_code(s: &str) -> String {
    spans(s, md_code)
}

/// [`md_text_code`] for a table cell: every `|` escaped, inside a span too ([`md_code_cell`]).
pub fn md_text_code_cell(s: &str) -> String {
    spans(s, md_code_cell)
}

fn spans(s: &str, code: fn(&str) -> String) -> String {
    let ticks = s.matches('`').count();
    if ticks == 0 || ticks % 2 == 1 || s.contains("``") {
        return md_text(s);
    }
    s.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { code(part) } else { md_text(part) })
        .collect()
}

/// A fence for a fenced code block holding `body`: three backticks, or more than the longest
/// run of backticks at the start of any line of `body`.
pub fn md_fence(body: &str) -> String {
    let longest = body
        .lines()
        .map(|l| l.trim_start().chars().take_while(|&c| c == '`').count())
        .max()
        .unwrap_or(0);
    "`".repeat((longest + 1).max(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub finds autolinks in the source: `https://x/a\<img>` became a link swallowing the
    /// backslash, then raw HTML. The `:` of `://` and the `.` of `www.` are escaped too.
    #[test]
    fn autolinks_cannot_swallow_an_escape() {
        assert_eq!(md_text("https://x/a<img src=x>"), "https\\://x/a\\<img src=x\\>");
        assert_eq!(md_text("www.x.io/<b>"), "www\\.x.io/\\<b\\>");
        assert_eq!(md_text("at 11:00:00"), "at 11:00:00");
    }

    #[test]
    fn controls_and_bidi_become_visible() {
        assert_eq!(
            visible("a\x1b]8;;http://evil\x07b\r\n\u{202e}c"),
            "a\\x1b]8;;http://evil\\x07b\\r\\n\\u{202e}c"
        );
        assert_eq!(visible_lines("a\nb\x1b"), "a\nb\\x1b");
    }

    #[test]
    fn code_spans_outlast_backticks() {
        assert_eq!(md_code("a``b"), "```a``b```");
        assert_eq!(md_code("`x"), "`` `x ``");
        assert_eq!(md_code("a\nb"), "`a\\nb`");
    }

    /// Our own code spans stay code; what is outside them is escaped; a value's backticks
    /// that do not pair leave the whole text escaped.
    #[test]
    fn text_with_code_spans_keeps_them() {
        assert_eq!(
            md_text_code("collect again with `kubetriage collect` (<b>)"),
            "collect again with `kubetriage collect` (\\<b\\>)"
        );
        assert_eq!(
            md_text_code("entry `a<img>|b` at <x>"),
            "entry `a<img>|b` at \\<x\\>"
        );
        assert_eq!(md_text_code_cell("entry `a|b`"), "entry `a\\|b`");
        assert_eq!(md_text_code("odd ` <b>"), "odd \\` \\<b\\>");
        assert_eq!(md_text_code("run ``x`` <b>"), "run \\`\\`x\\`\\` \\<b\\>");
    }

    #[test]
    fn text_escapes_markup() {
        assert_eq!(md_text("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(md_text("[l](http://e)"), "\\[l\\](http\\://e)");
    }
}
