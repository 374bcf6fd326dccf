//! Zip archives (`zip` crate): a zip on disk is read in place through its central directory;
//! a zip inside a bundle (or on a stream) is first held in memory, up to `max_entry_bytes`.
//! Entries are handed over like a tar's, under the same names, links and limits.
//!
//! The `zip` crate loads the whole central directory (some hundreds of bytes of memory per
//! entry) before the first entry can be read, so the entry count the archive declares is
//! checked against `max_entries` first: a zip listing millions of empty entries is refused
//! with a problem instead of taking gigabytes.

use std::io::{Cursor, Read, Seek, SeekFrom};

use zip::ZipArchive;

use super::archive::Cx;
use super::watch::{Watch, short_error};
use super::{EntryKind, names};

/// Reads the zip file `file` given as the input (`label`).
pub fn top_level<R: Read + Seek>(cx: &mut Cx<'_, '_>, label: &str, mut file: R) -> Result<(), String> {
    if over_entry_limit(cx, label, &mut file) {
        return Ok(());
    }
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
    let mut cursor = Cursor::new(data);
    if over_entry_limit(cx, label, &mut cursor) {
        return;
    }
    let mut zip = match ZipArchive::new(cursor) {
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

/// True (with a problem recorded) when the zip declares more entries than `max_entries`
/// allows, before its central directory is loaded.
fn over_entry_limit<R: Read + Seek>(cx: &mut Cx<'_, '_>, label: &str, r: &mut R) -> bool {
    let declared = declared_entries(r);
    if r.seek(SeekFrom::Start(0)).is_err() {
        return false;
    }
    let limit = cx.limits().max_entries;
    match declared {
        Some(n) if n > limit => {
            cx.problem(
                label,
                format!(
                    "zip archive declares {n} entries, over max_entries ({limit}); not opened \
                     (its central directory alone would hold them all in memory; raise --max-entries to read it)"
                ),
            );
            true
        }
        _ => false,
    }
}

/// The entry count in the zip's end-of-central-directory record (the ZIP64 one when the
/// classic field is saturated), or `None` when no such record is found: the zip crate then
/// reports the archive as unreadable itself.
fn declared_entries<R: Read + Seek>(r: &mut R) -> Option<u64> {
    const EOCD: &[u8] = b"PK\x05\x06";
    const LOCATOR: &[u8] = b"PK\x06\x07";
    const EOCD64: &[u8] = b"PK\x06\x06";
    let len = r.seek(SeekFrom::End(0)).ok()?;
    // The record is 22 bytes plus a comment of at most 65,535.
    let tail_len = len.min(22 + 65_535);
    r.seek(SeekFrom::Start(len - tail_len)).ok()?;
    let mut tail = Vec::new();
    r.take(tail_len).read_to_end(&mut tail).ok()?;
    let at = memchr::memmem::rfind(&tail, EOCD)?;
    let classic = u16::from_le_bytes(tail.get(at + 10..at + 12)?.try_into().ok()?);
    if classic != u16::MAX {
        return Some(u64::from(classic));
    }
    // ZIP64: a 20-byte locator just before the record gives the ZIP64 record's offset.
    let loc = tail.get(at.checked_sub(20)?..at)?;
    if !loc.starts_with(LOCATOR) {
        return Some(u64::from(classic));
    }
    let off = u64::from_le_bytes(loc.get(8..16)?.try_into().ok()?);
    r.seek(SeekFrom::Start(off)).ok()?;
    let mut rec = [0u8; 56];
    r.read_exact(&mut rec).ok()?;
    if !rec.starts_with(EOCD64) {
        return Some(u64::from(classic));
    }
    Some(u64::from_le_bytes(rec.get(32..40)?.try_into().ok()?))
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
