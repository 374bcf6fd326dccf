//! Deterministic tar.gz: entries sorted by path, parent directories emitted first,
//! fixed mtime, uid/gid 0, empty user/group names, gzip header mtime 0, fixed level.

use std::io::Write as _;

use anyhow::Result;
use flate2::{Compression, GzBuilder};
use tar::{EntryType, Header};

use crate::tree::{Entry, Tree};

/// Pack `tree` with every path prefixed by `prefix/`, all entries stamped `mtime`.
pub fn tar_gz(tree: &Tree, prefix: &str, mtime: i64) -> Result<Vec<u8>> {
    let mut tar = tar::Builder::new(Vec::new());
    let mtime = u64::try_from(mtime)?;
    let mut dirs_done = std::collections::BTreeSet::new();
    for (path, entry) in &tree.entries {
        let full = format!("{prefix}/{path}");
        // Parent directories, outermost first.
        let parts: Vec<&str> = full.split('/').collect();
        for i in 1..parts.len() {
            let dir = format!("{}/", parts[..i].join("/"));
            if dirs_done.insert(dir.clone()) {
                let mut h = header(EntryType::Directory, 0o755, mtime);
                h.set_size(0);
                tar.append_data(&mut h, &dir, std::io::empty())?;
            }
        }
        match entry {
            Entry::File { data, mode } => {
                let mut h = header(EntryType::Regular, *mode, mtime);
                h.set_size(data.len() as u64);
                tar.append_data(&mut h, &full, data.as_slice())?;
            }
            Entry::Symlink { target } => {
                let mut h = header(EntryType::Symlink, 0o777, mtime);
                h.set_size(0);
                tar.append_link(&mut h, &full, target)?;
            }
        }
    }
    let tar_bytes = tar.into_inner()?;
    let mut gz = GzBuilder::new().mtime(0).write(Vec::new(), Compression::new(9));
    gz.write_all(&tar_bytes)?;
    Ok(gz.finish()?)
}

fn header(kind: EntryType, mode: u32, mtime: u64) -> Header {
    let mut h = Header::new_ustar();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(mtime);
    h
}
