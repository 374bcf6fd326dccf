//! xz decompression (sosreports are `.tar.xz` by default): magic detection and a streaming
//! decoder with a memory cap, so a hostile dictionary size cannot take the machine's memory.

use std::io::Read;

/// The xz stream header magic (`FD 37 7A 58 5A 00`, xz file format §2.1.1.1).
const MAGIC: [u8; 6] = [0xfd, b'7', b'z', b'X', b'Z', 0x00];

/// Largest decoder memory (KiB) an xz stream may ask for: `xz -9` needs 65 MiB to decode,
/// so 256 MiB leaves room for any preset while refusing absurd dictionaries.
const MEM_LIMIT_KB: u32 = 256 << 10;

/// Whether `head` starts an xz stream.
pub fn is_xz(head: &[u8]) -> bool {
    head.starts_with(&MAGIC)
}

/// A streaming decoder of `compressed` (several concatenated streams allowed, as `pixz`
/// and `xz -T` write them).
pub fn decoder<R: Read>(compressed: R) -> impl Read {
    lzma_rust2::XzReader::new_mem_limit(compressed, true, MEM_LIMIT_KB)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic() {
        assert!(is_xz(&[0xfd, b'7', b'z', b'X', b'Z', 0, 0, 4]));
        assert!(!is_xz(&[0x1f, 0x8b, 8]));
        assert!(!is_xz(&[0xfd]));
    }
}
