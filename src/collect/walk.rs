//! Reading the node's files for `collect`: folders walked in name order, symlinks kept as
//! links (never followed), logs cut to their last bytes.

use std::collections::BTreeMap;
use std::path::Path;

use super::Manifest;

/// A collected file's content, or a symlink's target.
#[derive(Clone, Debug)]
pub enum Body {
    /// File bytes.
    File(Vec<u8>),
    /// Symlink target as written.
    Link(String),
}

/// Everything collected, by path relative to the node root.
#[derive(Debug, Default)]
pub struct Entries {
    /// Contents.
    pub files: BTreeMap<String, Body>,
    /// Modification times (Unix seconds).
    pub mtimes: BTreeMap<String, u64>,
    /// Unix modes.
    pub modes: BTreeMap<String, u32>,
}

/// Keeps the last `max` bytes of a log (from the first line start after the cut).
pub fn tail(data: &mut Vec<u8>, max: u64) {
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    if data.len() <= max {
        return;
    }
    let cut = data.len() - max;
    let start = data
        .get(cut..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        .map_or(cut, |i| cut + i + 1);
    data.drain(..start);
}

/// Adds `rel` (a file, symlink or folder under `root`); absent paths are noted as skipped.
pub fn add(root: &Path, rel: &str, out: &mut Entries, m: &mut Manifest, max_log: u64) {
    let path = root.join(rel);
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(meta) => meta,
        Err(e) => {
            m.skip(rel, &e.to_string());
            return;
        }
    };
    if meta.file_type().is_symlink() {
        match std::fs::read_link(&path) {
            Ok(t) => {
                out.files
                    .insert(rel.to_string(), Body::Link(t.to_string_lossy().into_owned()));
                stamp(rel, &meta, out);
            }
            Err(e) => m.skip(rel, &e.to_string()),
        }
    } else if meta.is_dir() {
        let mut names: Vec<String> = match std::fs::read_dir(&path) {
            Ok(rd) => rd
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect(),
            Err(e) => {
                m.skip(rel, &e.to_string());
                return;
            }
        };
        names.sort();
        for n in names {
            add(root, &format!("{rel}/{n}"), out, m, max_log);
        }
    } else if meta.is_file() {
        match std::fs::read(&path) {
            Ok(mut data) => {
                if rel.ends_with(".log") || rel.starts_with("var/log/") {
                    tail(&mut data, max_log);
                }
                out.files.insert(rel.to_string(), Body::File(data));
                stamp(rel, &meta, out);
            }
            Err(e) => m.skip(rel, &e.to_string()),
        }
    }
}

fn stamp(rel: &str, meta: &std::fs::Metadata, out: &mut Entries) {
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    out.mtimes.insert(rel.to_string(), mtime);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        out.modes
            .insert(rel.to_string(), meta.permissions().mode() & 0o7777);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_whole_last_lines() {
        let mut d = b"aaaa\nbbbb\ncccc\n".to_vec();
        tail(&mut d, 7);
        assert_eq!(d, b"cccc\n");
        let mut d = b"ab\n".to_vec();
        tail(&mut d, 10);
        assert_eq!(d, b"ab\n");
    }
}
