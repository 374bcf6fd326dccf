//! A reader that remembers the first error of the stream it wraps, so the archive reader can
//! tell a broken stream (truncated gzip, cap reached) from a problem local to one entry.

use std::cell::RefCell;
use std::io::{self, Read};
use std::rc::Rc;

/// The first error a [`Watch`] saw, shared with whoever checks it.
pub type Tripped = Rc<RefCell<Option<String>>>;

/// Wraps a stream; every error passes through and the first one is kept in `tripped`.
pub struct Watch<R> {
    inner: R,
    /// The first error seen.
    pub tripped: Tripped,
    /// Bytes delivered so far (the offset where a failure happened).
    pub offset: Rc<RefCell<u64>>,
}

impl<R: Read> Watch<R> {
    /// Watches `inner`.
    pub fn new(inner: R) -> Self {
        Watch {
            inner,
            tripped: Rc::new(RefCell::new(None)),
            offset: Rc::new(RefCell::new(0)),
        }
    }
}

impl<R: Read> Read for Watch<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(e) = self.tripped.borrow().as_ref() {
            return Err(io::Error::other(e.clone()));
        }
        match self.inner.read(buf) {
            Ok(n) => {
                *self.offset.borrow_mut() += n as u64;
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => {
                *self.tripped.borrow_mut() = Some(short_error(&e));
                Err(e)
            }
        }
    }
}

/// A short lowercase description of an I/O error.
pub fn short_error(e: &io::Error) -> String {
    let s = e.to_string();
    let s = if s.is_empty() {
        format!("{:?}", e.kind())
    } else {
        s
    };
    s.to_lowercase()
}
