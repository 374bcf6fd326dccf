//! Entry names: normalised inside the bundle whatever the archive claims.

use crate::model::normalize;

/// Longest entry name read (a GNU long name, a pax path, a zip name), in bytes: far above
/// any real path (Linux allows 4096 bytes), far below what a hostile archive may declare.
pub const NAME_CAP: usize = 4096;

/// The problem text for a name of `len` bytes starting with `first`, when it is longer than
/// [`NAME_CAP`]; `None` for a name within it. The first bytes are shown escaped.
pub fn too_long(first: &[u8], len: u64) -> Option<String> {
    if len <= NAME_CAP as u64 {
        return None;
    }
    let start = String::from_utf8_lossy(first.get(..64).unwrap_or(first));
    Some(format!(
        "entry name of {len} bytes is longer than {NAME_CAP} bytes; the entry was skipped (the name starts \"{}…\")",
        start.escape_debug()
    ))
}

/// An archive entry's name made a bundle path: `prefix/name`, lossy UTF-8, with `.`/`..`
/// collapsed and any leading `/` dropped, so nothing can name a place outside the bundle.
/// Returns the path (`None` for a name that is only the archive root) and a problem text when
/// the name had to be changed.
pub fn entry_path(prefix: &str, raw: &[u8]) -> (Option<String>, Option<String>) {
    let text = String::from_utf8_lossy(raw);
    let mut problem = None;
    if std::str::from_utf8(raw).is_err() {
        problem = Some("entry name is not utf-8".to_string());
    }
    let text = if text.contains('\0') {
        problem = Some("entry name contains a nul byte".to_string());
        text.replace('\0', "\u{fffd}")
    } else {
        text.into_owned()
    };
    let escapes = text.starts_with('/') || text.split('/').any(|s| s == "..");
    let norm = normalize(&text);
    if escapes {
        problem = Some(format!(
            "entry name `{text}` points outside the bundle; read as `{norm}`"
        ));
    }
    if norm.is_empty() {
        return (None, problem);
    }
    (Some(join(prefix, &norm)), problem)
}

/// `prefix/rest`, or `rest` when the prefix is empty.
pub fn join(prefix: &str, rest: &str) -> String {
    if prefix.is_empty() {
        rest.to_string()
    } else {
        format!("{prefix}/{rest}")
    }
}

/// `to` (a bundle path) written relative to the folder of `from`, as a symlink would be.
pub fn relative_link(from: &str, to: &str) -> String {
    let dir: Vec<&str> = from.split('/').collect();
    let dir = dir.get(..dir.len().saturating_sub(1)).unwrap_or_default();
    let target: Vec<&str> = to.split('/').collect();
    let common = dir.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; dir.len() - common];
    parts.extend(target.get(common..).unwrap_or_default());
    parts.join("/")
}

/// Whether a relative link `target` at bundle path `link` climbs above `root` (a bundle-path
/// prefix; empty for the bundle itself). Absolute targets name a place on the node and are
/// resolved inside the node's root, so they never climb.
pub fn link_climbs_out(root: &str, link: &str, target: &str) -> bool {
    if target.starts_with('/') {
        return false;
    }
    let inside = if root.is_empty() {
        link
    } else {
        link.strip_prefix(root)
            .and_then(|r| r.strip_prefix('/'))
            .unwrap_or(link)
    };
    // Folders above the link inside the root.
    let mut depth = inside.split('/').count().saturating_sub(1);
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return true,
            },
            _ => depth += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_stay_inside() {
        assert_eq!(entry_path("", b"../x").0.as_deref(), Some("x"));
        assert!(entry_path("", b"../x").1.is_some());
        assert_eq!(
            entry_path("a.tar", b"/etc/passwd").0.as_deref(),
            Some("a.tar/etc/passwd")
        );
        assert_eq!(entry_path("", b"./b/./c").0.as_deref(), Some("b/c"));
        assert!(entry_path("", b"./b/./c").1.is_none());
        assert_eq!(entry_path("", b"./").0, None);
        assert!(entry_path("", b"a\xffb").1.is_some());
    }

    #[test]
    fn links_that_climb_out() {
        assert!(link_climbs_out("", "n/etc/a", "../../../x"));
        assert!(!link_climbs_out("", "n/etc/a", "../../x"));
        assert!(!link_climbs_out("", "n/etc/a", "/etc/shadow"));
        assert!(link_climbs_out("d", "d/n/a", "../../x"));
        assert!(!link_climbs_out("d", "d/n/a", "../x"));
        assert!(link_climbs_out("", "", "../x"));
        assert!(!link_climbs_out("", "n/a/b", "c/../../x"));
        assert!(link_climbs_out("", "n/a/b", "c/../../../../x"));
    }

    #[test]
    fn links_relative_to_folder() {
        assert_eq!(relative_link("a/b/c", "a/d/e"), "../d/e");
        assert_eq!(relative_link("a/b/c", "a/b/x"), "x");
        assert_eq!(relative_link("c", "a/x"), "a/x");
    }
}
