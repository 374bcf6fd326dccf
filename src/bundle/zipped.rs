//! Zip archives (`zip` crate): a zip on disk is read in place through its central directory;
//! a zip inside a bundle (or on a stream) is first held in memory, up to `max_entry_bytes`.
//! Entries are handed over like a tar's, under the same names, links and limits.

use std::io::{Cursor, Read, Seek};

use zip::ZipArchive;

use super::archive::Cx;
use super::watch::{Watch, short_error};
use super::{EntryKind, names};

/// Reads the zip file `file` given as the input (`label`).
pub fn top_level<R: Read + Seek>(cx: &mut Cx<'_, '_>, label: &str, file: R) -> Result<(), String> {
    let mut zip = ZipArchive::new(file).map_err(|e| format!("zip data that cannot be read ({e})"))?;
    entries(cx, label, "", &mut zip, 0);
    Ok(())
}

/// Reads a zip archive from a stream: `label` is its bundle path (entries are named
/// `label/<name>`) or, at `depth` 0, the input itself (entries named `<name>`).
pub fn nested(cx: &mut Cx<'_, '_>, label: &str, stream: impl Read, depth: u32) {
    let limit = cx.limits().max_entry_bytes;
    let budget = cx.budget.clone();
    let mut data = Vec::new();
    let mut metered = budget.meter(stream);
    if let Err(e) = (&mut metered)
        .take(limit.saturating_add(1))
        .read_to_end(&mut data)
    {
        if !cx.check_budget(label) {
            let why = format!("zip data ends early or is corrupt: {}", short_error(&e));
            cx.cut_at(depth, &why);
            cx.problem(label, why);
        }
        return;
    }
    if data.len() as u64 > limit {
        cx.problem(
            label,
            format!("zip archive larger than max_entry_bytes ({limit} bytes) held in memory; not opened"),
        );
        return;
    }
    let mut zip = match ZipArchive::new(Cursor::new(data)) {
        Ok(z) => z,
        Err(e) => {
            let why = format!("zip archive that cannot be read: {e}");
            cx.cut_at(depth, &why);
            cx.problem(label, why);
            return;
        }
    };
    let prefix = if depth == 0 { "" } else { label };
    entries(cx, label, prefix, &mut zip, depth);
}

/// Hands every entry of `zip` to the visitor.
fn entries<R: Read + Seek>(
    cx: &mut Cx<'_, '_>,
    label: &str,
    prefix: &str,
    zip: &mut ZipArchive<R>,
    depth: u32,
) {
    let scope = if depth == 0 {
        "the bundle".to_string()
    } else {
        format!("archive `{prefix}`")
    };
    for i in 0..zip.len() {
        if cx.stopped() {
            return;
        }
        let mut file = match zip.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                cx.problem(label, format!("zip entry {i} cannot be read: {e}"));
                continue;
            }
        };
        let raw = file.name_raw().to_vec();
        if let Some(why) = names::too_long(&raw, raw.len() as u64) {
            cx.problem(label, why);
            continue;
        }
        let (path, renamed) = names::entry_path(prefix, &raw);
        if let Some(why) = renamed {
            cx.problem(path.as_deref().unwrap_or(label), why);
        }
        let Some(path) = path else { continue };
        if file.is_dir() {
            continue;
        }
        let mtime = file.last_modified().and_then(unix_time);
        let budget = cx.budget.clone();
        if file.is_symlink() {
            let mut target = Vec::new();
            let _ = (&mut file).take(names::NAME_CAP as u64).read_to_end(&mut target);
            let target = String::from_utf8_lossy(&target).replace('\0', "\u{fffd}");
            cx.link(path, EntryKind::Symlink(target), mtime, prefix, &scope);
            continue;
        }
        let size = file.size();
        let mut body = Watch::new(budget.meter(&mut file));
        let tripped = body.tripped.clone();
        cx.file(&path, size, mtime, &mut body, depth, None);
        let failed = tripped.borrow().clone();
        if let Some(e) = failed {
            if !cx.check_budget(&path) {
                cx.problem(&path, format!("zip entry ends early or is corrupt: {e}"));
            }
        }
    }
}

/// A zip timestamp (local time of the writer, taken as UTC) in Unix seconds.
fn unix_time(t: zip::DateTime) -> Option<i64> {
    let month = time::Month::try_from(t.month()).ok()?;
    let date = time::Date::from_calendar_date(i32::from(t.year()), month, t.day()).ok()?;
    let at = date.with_hms(t.hour(), t.minute(), t.second()).ok()?;
    Some(at.assume_utc().unix_timestamp())
}
