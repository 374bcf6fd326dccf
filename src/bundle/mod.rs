//! Reading sources: a directory walk or a tar / tar.gz stream, read once, never extracted.
//! The only code that sees the filesystem, tar or gzip.
//!
//! A source is handed to a visitor entry by entry ([`read`]); each [`Entry`] carries its
//! bundle path, size, mtime, kind and a body reader, so an archive is consumed sequentially,
//! once, and nothing is written to disk.
//!
//! Path convention: paths are `/`-separated, relative, normalised (`.`/`..` collapsed, never
//! above the root). A directory input's paths start with the directory's own name, so that
//! `dir/` and a `dir.tar.gz` whose entries start with `dir/` give the same paths. An archive
//! found inside a bundle is opened too and its entries are named by the inner archive's own
//! path followed by their path inside it: `outer/logs/node1.tar.gz/etc/kubernetes/kubelet.conf`.

mod archive;
mod budget;
pub mod clusterinfo;
pub mod collector;
mod dir;
pub mod distro;
mod formats;
mod inflate;
pub mod kind;
pub mod layout;
pub mod mustgather;
mod names;
mod progress;
pub mod rancher;
mod size;
pub mod sosreport;
pub mod troubleshoot;
mod watch;
pub mod xz;
mod zipped;

use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

pub use budget::Budget;
pub use dir::DiskFile;
pub use formats::SUPPORTED;
pub use size::ByteSize;

use crate::Error;
use crate::model::InputProblem;

/// Caps on what is read from a bundle; hitting one is an input problem, never a crash.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest structured entry (cert, manifest, dump) read into memory.
    pub max_entry_bytes: u64,
    /// Total decompressed bytes read from one source.
    pub max_total_bytes: u64,
    /// Entries read from one source.
    pub max_entries: u64,
    /// Archives nested inside archives.
    pub max_nesting: u32,
    /// Longest log line kept whole (longer lines are cut before matching).
    pub max_line_bytes: usize,
    /// Sample lines kept per log rule and node.
    pub max_samples: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entry_bytes: 64 << 20,
            max_total_bytes: 64 << 30,
            max_entries: 1_000_000,
            max_nesting: 4,
            max_line_bytes: 64 << 10,
            max_samples: 3,
        }
    }
}

/// How many leading bytes of every regular file are read before it is handed over: enough
/// to sniff gzip/tar magic, PEM armour, YAML/JSON kinds and log line formats.
pub const HEAD_BYTES: usize = 8 << 10;

/// What an entry is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file: `head` and `body` yield its content.
    File,
    /// A symbolic link, with its target as written (never followed by the reader).
    Symlink(String),
    /// A tar hard link; the target is written relative to the entry's folder, like a
    /// symlink, so the snapshot can follow it inside the bundle (`Snapshot::resolve`).
    Hardlink(String),
}

/// One entry of a source, handed to the visitor of [`read`].
pub struct Entry<'a> {
    /// Bundle path, normalised (see the module doc for the convention).
    pub path: String,
    /// Size in bytes as stored (for a gzip-compressed member: the compressed size).
    pub size: u64,
    /// Modification time (Unix seconds), if the source has one.
    pub mtime: Option<i64>,
    /// File, symlink or hard link.
    pub kind: EntryKind,
    /// The first bytes of the content (up to [`HEAD_BYTES`]), already read.
    pub head: Vec<u8>,
    /// The rest of the content after `head`. A read error here means the stream broke; the
    /// reader reports it, so the visitor may treat it as the end of the entry.
    pub body: &'a mut dyn Read,
    /// For a file of a directory input: where it is on disk, so the visitor may defer reading
    /// it (for example to scan several logs in parallel) through [`Budget::open`].
    pub disk_path: Option<DiskFile>,
}

/// The visitor [`read`] calls with each entry, in stream order.
pub type Visitor<'v> = dyn FnMut(Entry<'_>) -> io::Result<()> + 'v;

/// What reading a source produced besides the entries.
#[derive(Debug)]
pub struct Outcome {
    /// Problems met while reading (limits, broken archives, hostile names).
    pub problems: Vec<InputProblem>,
    /// Entries handed to the visitor.
    pub entries: u64,
    /// Byte counters and the total-bytes cap, shared with deferred readers.
    pub budget: Arc<Budget>,
    /// Why the input itself ended early or broke (a truncated or corrupt top-level archive):
    /// what came before was read, the rest is missing.
    pub cut: Option<String>,
}

/// The input name that means standard input.
pub const STDIN: &str = "-";

/// How entries read from standard input are prefixed in bundle paths.
const STDIN_LABEL: &str = "stdin";

/// Reads `source` (a directory, or a `.tar`, `.zip`, or a tar compressed with gzip, xz,
/// bzip2 or zstd, recognised by their first bytes, never by name) and hands every entry to
/// `visit`.
///
/// `Err` when the top-level input cannot be opened, is an empty folder, or is not something
/// kubetriage reads ([`Error::NotABundle`] says what it looks like); everything wrong inside
/// it is an [`InputProblem`] in the outcome, and what was read before it is still visited.
/// `-` reads an archive from standard input.
pub fn read(
    source: &Path,
    limits: &Limits,
    progress: bool,
    visit: &mut Visitor<'_>,
) -> Result<Outcome, Error> {
    let unreadable = |e: io::Error| Error::Unreadable {
        path: source.to_path_buf(),
        source: e,
    };
    let not_a_bundle = |looks_like: String| Error::NotABundle {
        path: source.to_path_buf(),
        looks_like,
    };
    if source == Path::new(STDIN) {
        use std::io::IsTerminal;
        if io::stdin().is_terminal() {
            return Err(not_a_bundle(
                "standard input is a terminal: pipe an archive into `-` (e.g. `ssh node sudo tar cz /etc/kubernetes | kubetriage analyze -`)"
                    .to_string(),
            ));
        }
        // `-`: an archive streamed on standard input (`ssh node sudo tar cz … | kubetriage
        // analyze -`), read like a nested archive: never written to disk, a zip held in
        // memory up to `max_entry_bytes`.
        let budget = Arc::new(Budget::new(limits.max_total_bytes, progress::bar(progress, 0)));
        let mut cx = archive::Cx::new(limits, budget.clone(), visit);
        let verdict = archive::top_level(&mut cx, STDIN_LABEL, io::stdin());
        let (problems, entries, cut) = cx.finish();
        budget.finish_progress();
        verdict.map_err(not_a_bundle)?;
        return Ok(Outcome {
            problems,
            entries,
            budget,
            cut,
        });
    }
    // Opened without blocking (a FIFO named `x.tar.gz` must not hang the run) and judged by
    // what was opened.
    let fd = rustix::fs::open(
        source,
        rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    )
    .map_err(|e| unreadable(e.into()))?;
    let file = std::fs::File::from(fd);
    let meta = file.metadata().map_err(unreadable)?;
    let is_dir = meta.is_dir();
    if !is_dir && !meta.is_file() {
        return Err(not_a_bundle(
            "a FIFO, socket or device, not a file or folder".to_string(),
        ));
    }
    let total = if is_dir {
        if progress { dir::total_size(source) } else { 0 }
    } else {
        meta.len()
    };
    let budget = Arc::new(Budget::new(
        limits.max_total_bytes,
        progress::bar(progress, total),
    ));
    let mut cx = archive::Cx::new(limits, budget.clone(), visit);
    let verdict = if is_dir {
        drop(file);
        dir::walk(source, &mut cx).map_err(unreadable)?;
        Ok(())
    } else {
        let mut file = file;
        let head = archive::read_head(&mut file, 4).map_err(unreadable)?;
        if formats::is_zip(&head) {
            use std::io::Seek;
            file.rewind().map_err(unreadable)?;
            zipped::top_level(&mut cx, &source.display().to_string(), budget.disk(file))
        } else {
            let again = std::io::Cursor::new(head).chain(file);
            archive::top_level(&mut cx, &source.display().to_string(), again)
        }
    };
    let (problems, entries, cut) = cx.finish();
    budget.finish_progress();
    verdict.map_err(not_a_bundle)?;
    if is_dir && entries == 0 && problems.is_empty() {
        return Err(not_a_bundle("an empty folder".to_string()));
    }
    Ok(Outcome {
        problems,
        entries,
        budget,
        cut,
    })
}

/// Like [`read`] for a single input that is not on disk (a `.tar`, compressed tar or zip,
/// detected by magic bytes), named `name` in bundle paths and problems. For fuzzing and for
/// callers that already hold the bytes. Input that is not a bundle is one problem.
pub fn read_reader<R: Read + Send + 'static>(
    name: &str,
    input: R,
    limits: &Limits,
    visit: &mut Visitor<'_>,
) -> Outcome {
    let budget = Arc::new(Budget::new(limits.max_total_bytes, None));
    let mut cx = archive::Cx::new(limits, budget.clone(), visit);
    if let Err(looks_like) = archive::top_level(&mut cx, name, input) {
        cx.problem(
            name,
            format!(
                "not a bundle kubetriage can read: {looks_like}; supported: {}",
                formats::SUPPORTED
            ),
        );
    }
    let (problems, entries, cut) = cx.finish();
    Outcome {
        problems,
        entries,
        budget,
        cut,
    }
}

/// `None` when the file at `path` starts like an input kubetriage reads (a tar, a zip, or a
/// compressed stream), else what it looks like. Opened without following a final symlink's
/// FIFO into a block (`O_NONBLOCK`), and only a regular file is read.
pub fn recognise(path: &Path) -> io::Result<Option<String>> {
    let fd = rustix::fs::open(
        path,
        rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    )?;
    let mut file = std::fs::File::from(fd);
    if !file.metadata()?.is_file() {
        return Ok(Some("not a regular file".to_string()));
    }
    let head = archive::read_head(&mut file, 512)?;
    let known = formats::Compression::sniff(&head).is_some() || formats::is_zip(&head) || is_tar(&head);
    Ok(if known {
        None
    } else {
        Some(formats::describe(&head))
    })
}

/// Reads `source`'s head and tells whether it is a gzip stream.
pub fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

/// Whether `head` (at least 512 bytes of a stream) starts a tar archive: ustar/GNU magic,
/// or an old-style header whose checksum is right.
pub fn is_tar(head: &[u8]) -> bool {
    let Some(block) = head.get(..512) else {
        return false;
    };
    if block.get(257..262) == Some(b"ustar".as_slice()) {
        return true;
    }
    let Some(field) = block.get(148..156) else {
        return false;
    };
    let text = String::from_utf8_lossy(field);
    let Ok(want) = u32::from_str_radix(text.trim_matches(|c: char| c == '\0' || c == ' '), 8) else {
        return false;
    };
    let sum: u32 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                u32::from(b' ')
            } else {
                u32::from(b)
            }
        })
        .sum();
    // An all-zero block would pass with a zero checksum field; real headers have a name.
    sum == want && block.first().is_some_and(|&b| b != 0)
}
