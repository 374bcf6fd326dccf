//! An in-memory file tree (files and symlinks, sorted by path) that is written to disk
//! or packed into a tar.gz, so a bundle is built once and emitted both ways.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// One entry of a [`Tree`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A regular file with its bytes and Unix mode (used in archives).
    File { data: Vec<u8>, mode: u32 },
    /// A symbolic link to `target` (relative, as the kubelet writes them).
    Symlink { target: String },
}

/// Files and symlinks by relative path (`/`-separated, no leading slash).
#[derive(Clone, Debug, Default)]
pub struct Tree {
    pub entries: BTreeMap<String, Entry>,
}

impl Tree {
    pub fn new() -> Tree {
        Tree::default()
    }

    /// Add a 0644 file.
    pub fn file(&mut self, path: &str, data: impl Into<Vec<u8>>) {
        self.file_mode(path, data, 0o644);
    }

    /// Add a 0600 file (private keys, kubeconfigs, checkpointed secrets).
    pub fn secret_file(&mut self, path: &str, data: impl Into<Vec<u8>>) {
        self.file_mode(path, data, 0o600);
    }

    pub fn file_mode(&mut self, path: &str, data: impl Into<Vec<u8>>, mode: u32) {
        self.entries.insert(
            path.to_owned(),
            Entry::File {
                data: data.into(),
                mode,
            },
        );
    }

    pub fn symlink(&mut self, path: &str, target: &str) {
        self.entries.insert(
            path.to_owned(),
            Entry::Symlink {
                target: target.to_owned(),
            },
        );
    }

    /// Put every entry of `other` under `prefix/`.
    pub fn merge_under(&mut self, prefix: &str, other: Tree) {
        for (p, e) in other.entries {
            self.entries.insert(format!("{prefix}/{p}"), e);
        }
    }

    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.entries.get(path)
    }

    /// Write the tree under `root` (which must not hold stale files: the caller clears it).
    pub fn write_to(&self, root: &Path) -> Result<()> {
        for (p, e) in &self.entries {
            let dest = root.join(p);
            if let Some(parent) = dest.parent() {
                fs::create_dir_all(parent).with_context(|| format!("mkdir {}", parent.display()))?;
            }
            match e {
                Entry::File { data, .. } => {
                    fs::write(&dest, data).with_context(|| format!("write {}", dest.display()))?
                }
                Entry::Symlink { target } => {
                    if fs::symlink_metadata(&dest).is_ok() {
                        fs::remove_file(&dest)?;
                    }
                    symlink(target, &dest)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(unix)]
fn symlink(target: &str, dest: &Path) -> Result<()> {
    std::os::unix::fs::symlink(target, dest)
        .with_context(|| format!("symlink {} -> {target}", dest.display()))
}

#[cfg(not(unix))]
fn symlink(_target: &str, dest: &Path) -> Result<()> {
    bail!("symlinks need a Unix host ({})", dest.display())
}

/// Read a directory back into a [`Tree`] (modes are not compared: git does not keep them).
pub fn read_dir(root: &Path) -> Result<Tree> {
    let mut t = Tree::new();
    read_into(root, root, &mut t)?;
    Ok(t)
}

fn read_into(root: &Path, dir: &Path, t: &mut Tree) -> Result<()> {
    let mut children: Vec<_> = fs::read_dir(dir)
        .with_context(|| format!("read {}", dir.display()))?
        .collect::<Result<_, _>>()?;
    children.sort_by_key(|e| e.file_name());
    for c in children {
        let path = c.path();
        let rel = path
            .strip_prefix(root)?
            .to_str()
            .with_context(|| format!("non-UTF-8 path {}", path.display()))?
            .replace('\\', "/");
        let ft = c.file_type()?;
        if ft.is_symlink() {
            let target = fs::read_link(&path)?;
            let target = target.to_str().context("non-UTF-8 link")?.to_owned();
            t.symlink(&rel, &target);
        } else if ft.is_dir() {
            read_into(root, &path, t)?;
        } else if ft.is_file() {
            t.file(&rel, fs::read(&path)?);
        } else {
            bail!("unexpected file type at {}", path.display());
        }
    }
    Ok(())
}
