//! Log rule message templates: `{capture}` placeholders, and `[…]` clauses dropped whole when
//! a placeholder in them has no value.

/// Placeholders every log rule's message may use besides its captures.
pub const BUILTIN_PLACEHOLDERS: &[&str] = &["count", "component", "node", "first_seen", "last_seen"];

/// The `{name}` placeholders of a message template.
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        let after = rest.get(i + 1..).unwrap_or_default();
        let Some(j) = after.find('}') else { break };
        let name = after.get(..j).unwrap_or_default();
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push(name);
        }
        rest = after.get(j + 1..).unwrap_or_default();
    }
    out
}

/// Fills `{name}` placeholders. A `[…]` clause is dropped whole when a placeholder in it
/// has no value (`Container crash-looping[: {container}]`); outside clauses a missing
/// value reads `unknown`.
pub fn fill(template: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find('[') {
        out.push_str(&fill_plain(rest.get(..i).unwrap_or_default(), lookup));
        let after = rest.get(i + 1..).unwrap_or_default();
        match after.find(']') {
            Some(j) => {
                let clause = after.get(..j).unwrap_or_default();
                if placeholders(clause).iter().all(|p| lookup(p).is_some()) {
                    out.push_str(&fill_plain(clause, lookup));
                }
                rest = after.get(j + 1..).unwrap_or_default();
            }
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(&fill_plain(rest, lookup));
    out
}

fn fill_plain(template: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(rest.get(..i).unwrap_or_default());
        let after = rest.get(i + 1..).unwrap_or_default();
        match after.find('}') {
            Some(j) => {
                let name = after.get(..j).unwrap_or_default();
                out.push_str(&lookup(name).unwrap_or_else(|| "unknown".to_string()));
                rest = after.get(j + 1..).unwrap_or_default();
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        assert_eq!(placeholders("a {x} b {count} {not a name}"), ["x", "count"]);
        let s = fill("expired at {not_after}, {missing}", &|n| {
            (n == "not_after").then(|| "T".to_string())
        });
        assert_eq!(s, "expired at T, unknown");
        let s = fill("crash-looping[: {c} in {p}][ ({x})]", &|n| {
            (n != "p").then(|| n.to_uppercase())
        });
        assert_eq!(s, "crash-looping (X)");
    }
}
