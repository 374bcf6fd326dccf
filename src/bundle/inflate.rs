//! Decompression (gzip, xz) on its own thread, feeding a bounded channel of large buffers, so
//! the tar parse and the log scan run while the next megabytes are being decompressed. Read
//! buffers go back to the thread to be filled again: a gigabyte streams through the same few.

use std::io::{self, BufReader, Read};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use flate2::read::MultiGzDecoder;

use super::Budget;
use super::budget::DiskReader;

/// Size of one buffer handed across the channel.
const CHUNK: usize = 1 << 20;
/// Buffers in flight: memory stays under `CHUNK * (DEPTH + 2)` whatever the input.
const DEPTH: usize = 4;

/// A buffer of `CHUNK` bytes and how many of them were filled.
type Filled = (Vec<u8>, usize);

/// Reads the inflated stream produced by the decompression thread.
pub struct Inflated {
    rx: Receiver<io::Result<Filled>>,
    back: SyncSender<Vec<u8>>,
    buf: Vec<u8>,
    len: usize,
    pos: usize,
    failed: Option<String>,
}

/// Starts inflating `compressed` (a gzip stream, several members allowed) on a new thread.
/// Dropping the returned reader stops the thread at its next buffer.
pub fn spawn<R: Read + Send + 'static>(compressed: R, budget: Arc<Budget>) -> Inflated {
    spawn_decoder(compressed, budget, |disk| {
        Box::new(MultiGzDecoder::new(BufReader::with_capacity(256 << 10, disk)))
    })
}

/// Starts reading what `make` decodes from `compressed` on a new thread (the decoder is built
/// there). Dropping the returned reader stops the thread at its next buffer.
pub fn spawn_decoder<R, F>(compressed: R, budget: Arc<Budget>, make: F) -> Inflated
where
    R: Read + Send + 'static,
    F: for<'b> FnOnce(DiskReader<'b, R>) -> Box<dyn Read + 'b> + Send + 'static,
{
    let (tx, rx) = sync_channel::<io::Result<Filled>>(DEPTH);
    let (back, returned) = sync_channel::<Vec<u8>>(DEPTH + 2);
    std::thread::spawn(move || {
        let mut gz = make(budget.disk(compressed));
        loop {
            let mut buf = returned
                .try_recv()
                .ok()
                .filter(|b| b.len() == CHUNK)
                .unwrap_or_else(|| vec![0u8; CHUNK]);
            let mut filled = 0;
            let mut failure = None;
            while filled < CHUNK {
                match gz.read(buf.get_mut(filled..).unwrap_or_default()) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
            }
            let done = filled < CHUNK;
            if filled > 0 && tx.send(Ok((buf, filled))).is_err() {
                return;
            }
            if let Some(e) = failure {
                let _ = tx.send(Err(e));
                return;
            }
            if done {
                return;
            }
        }
    });
    Inflated {
        rx,
        back,
        buf: Vec::new(),
        len: 0,
        pos: 0,
        failed: None,
    }
}

impl Read for Inflated {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if let Some(e) = &self.failed {
            return Err(io::Error::other(e.clone()));
        }
        while self.pos >= self.len {
            match self.rx.recv() {
                Ok(Ok((buf, len))) => {
                    let used = std::mem::replace(&mut self.buf, buf);
                    // Full or closed means the thread has enough or is gone: drop it then.
                    let _ = self.back.try_send(used);
                    self.len = len;
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.failed = Some(super::watch::short_error(&e));
                    return Err(e);
                }
                Err(_) => return Ok(0),
            }
        }
        let avail = self.buf.get(self.pos..self.len).unwrap_or_default();
        let n = avail.len().min(out.len());
        out.get_mut(..n)
            .unwrap_or_default()
            .copy_from_slice(avail.get(..n).unwrap_or_default());
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::GzEncoder;

    use super::*;

    /// Several megabytes in two gzip members, read back through recycled buffers with reads of
    /// odd sizes that straddle every buffer boundary.
    #[test]
    fn streams_many_buffers_and_members_unchanged() {
        let text: Vec<u8> = (0..400_000u32)
            .flat_map(|i| format!("line {i} {}\n", i.wrapping_mul(2_654_435_761)).into_bytes())
            .collect();
        let (a, b) = text.split_at(text.len() / 3);
        let mut gz = Vec::new();
        for part in [a, b] {
            let mut e = GzEncoder::new(Vec::new(), Compression::fast());
            e.write_all(part).unwrap();
            gz.extend(e.finish().unwrap());
        }
        let budget = Arc::new(Budget::new(u64::MAX, None));
        let mut r = spawn(std::io::Cursor::new(gz), budget);
        let mut out = Vec::new();
        let mut buf = vec![0u8; 77_777];
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        assert!(text.len() > 4 * CHUNK);
        assert_eq!(out, text);
    }
}
