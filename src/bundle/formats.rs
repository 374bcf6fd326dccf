//! What a stream is, decided by its first bytes (never by its name): the compressions and
//! archive formats kubetriage reads, and a plain description of anything else for the
//! "not a bundle kubetriage can read" error.

use std::io::{self, BufRead, BufReader, Read};

use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

use super::{is_gzip, is_tar, xz};

pub use crate::error::SUPPORTED;

/// A compression kubetriage decodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// gzip (RFC 1952), several members allowed.
    Gzip,
    /// xz.
    Xz,
    /// bzip2, several streams allowed.
    Bzip2,
    /// Zstandard, several frames allowed.
    Zstd,
}

impl Compression {
    /// The name used in problems ("corrupt bzip2 data").
    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Xz => "xz",
            Compression::Bzip2 => "bzip2",
            Compression::Zstd => "zstd",
        }
    }

    /// The compression `head` starts with, if any.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        if is_gzip(head) {
            Some(Compression::Gzip)
        } else if xz::is_xz(head) {
            Some(Compression::Xz)
        } else if is_bzip2(head) {
            Some(Compression::Bzip2)
        } else if head.starts_with(&ZSTD_MAGIC) {
            Some(Compression::Zstd)
        } else {
            None
        }
    }

    /// A streaming decoder of `compressed` (gzip is inflated by the caller's own thread at the
    /// top level; here it is inline).
    pub fn decoder<'r, R: Read + 'r>(self, compressed: R) -> Box<dyn Read + 'r> {
        match self {
            Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(compressed)),
            Compression::Xz => Box::new(xz::decoder(compressed)),
            Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(compressed)),
            Compression::Zstd => Box::new(Zstd::new(compressed)),
        }
    }
}

/// The Zstandard frame magic (RFC 8878 §3.1.1).
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// `BZh` and a block size digit (bzip2's stream header).
fn is_bzip2(head: &[u8]) -> bool {
    head.len() >= 4 && head.starts_with(b"BZh") && head.get(3).is_some_and(|d| (b'1'..=b'9').contains(d))
}

/// Whether `head` starts a zip archive (a local file header, or the end record of an empty
/// archive).
pub fn is_zip(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
}

/// What `head` looks like, for a user who passed something kubetriage cannot read:
/// the file type by its magic bytes, else text or binary.
pub fn describe(head: &[u8]) -> String {
    if head.is_empty() {
        return "an empty file".to_string();
    }
    if is_tar(head) {
        return "a tar archive".to_string();
    }
    if let Some(t) = infer::get(head) {
        return format!("{} data ({})", t.extension(), t.mime_type());
    }
    // The lzma-alone header (properties byte 0x5d, then a dictionary size) has no magic.
    if head.starts_with(&[0x5d, 0, 0]) {
        return "lzma data (.lzma), not supported".to_string();
    }
    match std::str::from_utf8(head) {
        Ok(text) if !text.contains('\0') => "a text file".to_string(),
        // A cut multi-byte character at the end of the head is still text.
        Err(e) if e.valid_up_to() + 4 > head.len() && !head.contains(&0) => "a text file".to_string(),
        _ => {
            let hex: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
            format!("binary data starting {}", hex.join(" "))
        }
    }
}

/// Several Zstandard frames read back to back (as `pzstd` and `zstd -T` may write them).
struct Zstd<R> {
    source: BufReader<R>,
    frame: FrameDecoder,
    in_frame: bool,
}

impl<R: Read> Zstd<R> {
    fn new(source: R) -> Self {
        Zstd {
            source: BufReader::new(source),
            frame: FrameDecoder::new(),
            in_frame: false,
        }
    }
}

impl<R: Read> Read for Zstd<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if !self.in_frame {
                if self.source.fill_buf()?.is_empty() {
                    return Ok(0);
                }
                self.frame.reset(&mut self.source).map_err(io::Error::other)?;
                self.in_frame = true;
            }
            while self.frame.can_collect() < buf.len() && !self.frame.is_finished() {
                let want = buf.len() - self.frame.can_collect();
                self.frame
                    .decode_blocks(&mut self.source, BlockDecodingStrategy::UptoBytes(want))
                    .map_err(io::Error::other)?;
            }
            let n = self.frame.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            if self.frame.is_finished() {
                self.in_frame = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_decide() {
        assert_eq!(Compression::sniff(b"BZh91AY&SY"), Some(Compression::Bzip2));
        assert_eq!(
            Compression::sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0]),
            Some(Compression::Zstd)
        );
        assert_eq!(Compression::sniff(b"BZx9"), None);
        assert!(is_zip(b"PK\x03\x04rest"));
        assert_eq!(describe(b"hello\nworld\n"), "a text file");
        assert_eq!(describe(b""), "an empty file");
        assert!(describe(b"7z\xbc\xaf\x27\x1c\0\x04").contains("7z"));
        assert!(describe(&[0x5d, 0, 0, 0x80, 0]).contains("lzma"));
        assert!(describe(&[0, 1, 2, 0xff]).starts_with("binary data starting 00 01 02 ff"));
    }
}
