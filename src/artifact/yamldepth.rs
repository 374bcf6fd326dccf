//! A cheap pre-scan of a YAML text's flow nesting (`[`, `{`), because the YAML scanner under
//! serde_yaml spends time quadratic in the flow depth: `items: [[[[…` 100,000 levels deep
//! takes minutes before serde_yaml's own 128-level recursion limit is ever consulted.
//!
//! The count skips quoted scalars, comments and block scalars, opening a quote only where a
//! YAML scalar can start, so it never counts less than the YAML scanner nests (it may count
//! more, for brackets inside plain scalars, which only matters past the limit).

/// Whether the flow nesting of `text` goes deeper than `limit` anywhere.
pub fn flow_depth_exceeds(text: &[u8], limit: usize) -> bool {
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    // Indentation of the line that opened a block scalar (`key: |`), while inside it.
    let mut block: Option<usize> = None;
    for line in text.split(|&b| b == b'\n') {
        let indent = line.iter().take_while(|&&b| b == b' ').count();
        let blank = line.iter().all(u8::is_ascii_whitespace);
        if let Some(header) = block {
            if blank || indent > header {
                continue;
            }
            block = None;
        }
        // The last significant character seen on this line outside quotes (`None`: line start).
        let mut last: Option<u8> = None;
        let mut prev: u8 = b' ';
        let mut i = indent;
        while let Some(&c) = line.get(i) {
            match quote {
                Some(b'"') => {
                    if c == b'\\' {
                        i += 1;
                    } else if c == b'"' {
                        quote = None;
                        last = Some(c);
                    }
                }
                Some(_) => {
                    if c == b'\'' && line.get(i + 1) == Some(&b'\'') {
                        i += 1;
                    } else if c == b'\'' {
                        quote = None;
                        last = Some(c);
                    }
                }
                None => match c {
                    b'#' if prev == b' ' || prev == b'\t' => break,
                    b'"' | b'\'' if scalar_starts(last, prev) => quote = Some(c),
                    b'[' | b'{' => {
                        depth += 1;
                        if depth > limit {
                            return true;
                        }
                        last = Some(c);
                    }
                    b']' | b'}' => {
                        depth = depth.saturating_sub(1);
                        last = Some(c);
                    }
                    b' ' | b'\t' | b'\r' => {}
                    _ => last = Some(c),
                },
            }
            prev = c;
            i += 1;
        }
        if quote.is_none() && depth == 0 && opens_block_scalar(line) {
            block = Some(indent);
        }
    }
    false
}

/// Whether a quote here starts a quoted scalar: at the start of a line, after `[`, `{` or
/// `,`, or after `:`, `-` or `?` and a space.
fn scalar_starts(last: Option<u8>, prev: u8) -> bool {
    match last {
        None => true,
        Some(b'[' | b'{' | b',') => true,
        Some(b':' | b'-' | b'?') => prev == b' ' || prev == b'\t',
        Some(_) => false,
    }
}

/// Whether `line` ends (before any comment) with a block scalar indicator: `key: |`,
/// `- >-`, `key: !!binary |`.
fn opens_block_scalar(line: &[u8]) -> bool {
    let text = String::from_utf8_lossy(line);
    let text = text.split(" #").next().unwrap_or_default().trim_end();
    let mut words = text.rsplit([' ', '\t']).filter(|w| !w.is_empty());
    let Some(last) = words.next() else {
        return false;
    };
    let is_indicator = matches!(last.as_bytes().first(), Some(b'|' | b'>'))
        && last
            .bytes()
            .skip(1)
            .all(|b| b == b'-' || b == b'+' || b.is_ascii_digit())
        && last.len() <= 3;
    if !is_indicator {
        return false;
    }
    // What stands before it: a key, a sequence dash, or a tag/anchor after one of those.
    match words.next() {
        None => true,
        Some(w) if w.ends_with(':') || w == "-" || w == "?" => true,
        Some(w) if w.starts_with('!') || w.starts_with('&') => true,
        Some(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_flow_nesting() {
        assert!(!flow_depth_exceeds(b"a: [[1, 2], {b: [3]}]\n", 3));
        assert!(flow_depth_exceeds(b"a: [[1, 2], {b: [[3]]}]\n", 3));
        let deep = format!("items: {}{}", "[".repeat(1000), "]".repeat(1000));
        assert!(flow_depth_exceeds(deep.as_bytes(), 128));
    }

    #[test]
    fn brackets_in_quotes_comments_and_block_scalars_do_not_count() {
        let doc = b"a: \"[[[[\"\nb: '[[[[' # [[[[\nc: |\n  [[[[\n  {{{{\nd: x\ne: >-\n    [[[[\n";
        assert!(!flow_depth_exceeds(doc, 1));
        let multi = b"m: 'it''s [[[[\n  still [[[[ quoted'\nn: [1]\n";
        assert!(!flow_depth_exceeds(multi, 1));
        let tagged = b"bin: !!binary |\n  [[[[\n";
        assert!(!flow_depth_exceeds(tagged, 1));
    }

    #[test]
    fn a_stray_quote_in_a_plain_scalar_hides_nothing() {
        // YAML reads `x '` as a plain scalar, so the brackets below are real flow nesting.
        let doc = format!("a: x '\nb: {}", "[".repeat(200));
        assert!(flow_depth_exceeds(doc.as_bytes(), 128));
        let doc = format!("a: x |\nb: {}", "[".repeat(200));
        assert!(flow_depth_exceeds(doc.as_bytes(), 128));
    }
}
