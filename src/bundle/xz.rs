//! xz decompression (sosreports are `.tar.xz` by default): magic detection and a streaming
//! decoder with a memory cap, so a hostile dictionary size cannot take the machine's memory.
//!
//! The decoder is liblzma (the `liblzma` crate, its C sources compiled in by the `static`
//! feature: no system library needed), measured faster than the pure-Rust decoder it replaces
//! (see README "Performance"). Its multithreaded decoder decodes the blocks of a multi-block
//! file (`xz -T0` output, which records each block's size) on several threads; a single-block
//! file decodes on one thread, as with `xz -dc`.

use std::io::{self, BufRead, BufReader, Read};

use liblzma::bufread::XzDecoder;
use liblzma::stream::{MtStreamBuilder, Stream};

/// The xz stream header magic (`FD 37 7A 58 5A 00`, xz file format §2.1.1.1).
const MAGIC: [u8; 6] = [0xfd, b'7', b'z', b'X', b'Z', 0x00];

/// Largest decoder memory an xz stream may ask for: `xz -9` needs 65 MiB to decode on one
/// thread, so 256 MiB leaves room for any preset while refusing absurd dictionaries. Past it
/// the stream is an input problem.
const MEM_LIMIT: u64 = 256 << 20;

/// Memory the decoder may use to decode blocks in parallel; past it (blocks claiming huge
/// sizes) it decodes one block at a time rather than failing.
const MEM_THREADING: u64 = 128 << 20;

/// Compressed bytes read ahead per refill.
const READ_AHEAD: usize = 256 << 10;

/// Whether `head` starts an xz stream.
pub fn is_xz(head: &[u8]) -> bool {
    head.starts_with(&MAGIC)
}

/// A streaming decoder of `compressed`: every concatenated stream (with its stream padding)
/// is decoded in turn, as `xz -dc` does.
pub fn decoder<R: Read>(compressed: R) -> Streams<R> {
    Streams {
        current: Some(Current::Input(BufReader::with_capacity(READ_AHEAD, compressed))),
        threads: std::thread::available_parallelism().map_or(1, |n| u32::try_from(n.get()).unwrap_or(1)),
    }
}

/// The decoded bytes of one or more concatenated xz streams.
pub struct Streams<R: Read> {
    current: Option<Current<R>>,
    threads: u32,
}

enum Current<R: Read> {
    /// Between streams: the next one (if any) starts after zero padding.
    Input(BufReader<R>),
    /// Inside a stream.
    Decoding(Box<XzDecoder<BufReader<R>>>),
}

/// A multithreaded stream decoder under the memory caps.
fn stream(threads: u32) -> io::Result<Stream> {
    MtStreamBuilder::new()
        .threads(threads.max(1))
        .memlimit_threading(MEM_THREADING)
        .memlimit_stop(MEM_LIMIT)
        .decoder()
        .map_err(io::Error::other)
}

impl<R: Read> Read for Streams<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            match self.current.take() {
                None => return Ok(0),
                Some(Current::Decoding(mut dec)) => {
                    let n = dec.read(out)?;
                    if n > 0 {
                        self.current = Some(Current::Decoding(dec));
                        return Ok(n);
                    }
                    // The stream ended: another may follow.
                    self.current = Some(Current::Input(dec.into_inner()));
                }
                Some(Current::Input(mut input)) => {
                    // Stream padding (xz file format §2.2): zero bytes between streams.
                    loop {
                        let buf = input.fill_buf()?;
                        if buf.is_empty() {
                            return Ok(0);
                        }
                        let zeros = buf.iter().take_while(|&&b| b == 0).count();
                        if zeros == 0 {
                            break;
                        }
                        input.consume(zeros);
                    }
                    let dec = XzDecoder::new_stream(input, stream(self.threads)?);
                    self.current = Some(Current::Decoding(Box::new(dec)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn magic() {
        assert!(is_xz(&[0xfd, b'7', b'z', b'X', b'Z', 0, 0, 4]));
        assert!(!is_xz(&[0x1f, 0x8b, 8]));
        assert!(!is_xz(&[0xfd]));
    }

    fn text(lines: u32) -> Vec<u8> {
        (0..lines)
            .flat_map(|i| format!("line {i} {}\n", i.wrapping_mul(2_654_435_761)).into_bytes())
            .collect()
    }

    fn read_all(r: &mut dyn Read) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        r.read_to_end(&mut out)?;
        Ok(out)
    }

    /// Multi-block output (as `xz -T0` writes it, each block's size recorded) decodes on
    /// several threads to the same bytes; two concatenated streams with padding between
    /// them decode as one.
    #[test]
    fn multi_block_and_concatenated_streams() {
        let data = text(300_000);
        let mut enc = MtStreamBuilder::new();
        enc.threads(2).block_size(1 << 20).preset(1);
        let mut packed = Vec::new();
        liblzma::read::XzEncoder::new_stream(&data[..], enc.encoder().unwrap())
            .read_to_end(&mut packed)
            .unwrap();
        let mut two = packed.clone();
        two.extend([0u8; 8]);
        two.extend(&packed);
        assert_eq!(read_all(&mut decoder(&packed[..])).unwrap(), data);
        let both = read_all(&mut decoder(&two[..])).unwrap();
        assert_eq!(both.len(), 2 * data.len());
        assert!(both.starts_with(&data) && both.ends_with(&data));
    }

    /// A cut stream and garbage after a stream are errors, never silently short output.
    #[test]
    fn truncation_and_trailing_garbage_fail() {
        let data = text(50_000);
        let mut packed = Vec::new();
        liblzma::read::XzEncoder::new(&data[..], 1)
            .read_to_end(&mut packed)
            .unwrap();
        let cut = &packed[..packed.len() / 2];
        assert!(read_all(&mut decoder(cut)).is_err());
        let mut junk = packed.clone();
        junk.extend(b"not xz");
        assert!(read_all(&mut decoder(&junk[..])).is_err());
    }
}
