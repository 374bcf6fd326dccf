//! Directory inputs: a sorted walk that never follows a symlink (links are recorded with
//! their target, so a link out of the root or a link loop is never entered).

use std::path::Path;

use walkdir::WalkDir;

use super::archive::Cx;
use super::watch::Watch;
use super::{EntryKind, names};

/// The bundle-path prefix of a directory input: the directory's own name.
pub fn root_name(root: &Path) -> String {
    let canon = root.canonicalize().ok();
    canon
        .as_deref()
        .unwrap_or(root)
        .file_name()
        .map_or_else(|| "bundle".to_string(), |n| n.to_string_lossy().into_owned())
}

/// Sum of the sizes of the regular files under `root` (for the progress bar).
pub fn total_size(root: &Path) -> u64 {
    WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// Walks `root` in file-name order and hands every file and symlink to the visitor.
pub fn walk(root: &Path, cx: &mut Cx<'_, '_>) {
    let prefix = root_name(root);
    for item in WalkDir::new(root).follow_links(false).sort_by_file_name() {
        if cx.stopped() {
            return;
        }
        let entry = match item {
            Ok(e) => e,
            Err(e) => {
                let at = e
                    .path()
                    .and_then(|p| p.strip_prefix(root).ok())
                    .map_or_else(|| prefix.clone(), |p| names::join(&prefix, &rel(p)));
                cx.problem(&at, format!("cannot read: {}", e.to_string().to_lowercase()));
                continue;
            }
        };
        let Ok(relative) = entry.path().strip_prefix(root) else {
            continue;
        };
        if relative.as_os_str().is_empty() {
            continue;
        }
        let path = names::join(&prefix, &rel(relative));
        let ft = entry.file_type();
        let meta = entry.metadata().ok();
        let mtime = meta.as_ref().and_then(names::mtime_of);
        if ft.is_symlink() {
            let target = std::fs::read_link(entry.path())
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default();
            cx.link(path, EntryKind::Symlink(target), mtime, &prefix, "the bundle");
        } else if ft.is_file() {
            let size = meta.map_or(0, |m| m.len());
            match std::fs::File::open(entry.path()) {
                Ok(file) => {
                    let budget = cx.budget.clone();
                    let mut body = Watch::new(budget.meter(budget.disk(file)));
                    let tripped = body.tripped.clone();
                    cx.file(&path, size, mtime, &mut body, 0, Some(entry.path().to_path_buf()));
                    let failed = tripped.borrow().clone();
                    if let Some(e) = failed {
                        if !budget.exhausted() {
                            cx.problem(&path, format!("read failed: {e}"));
                        }
                    }
                }
                Err(e) => cx.problem(&path, format!("cannot open: {}", e.to_string().to_lowercase())),
            }
        } else if !ft.is_dir() {
            cx.problem(&path, "device, socket or fifo skipped");
        }
    }
}

/// A relative path as `/`-separated text.
fn rel(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}
