//! The archive reader over an in-memory input: tar, tar.gz, nested archives, hostile names
//! and links; every entry is read to its end, classified and parsed, as the snapshot builder
//! does. Limits are small so that a run stays fast.
#![no_main]

use std::io::{Cursor, Read};

use kubetriage::artifact;
use kubetriage::bundle::{self, EntryKind, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_entry_bytes: 1 << 20,
        max_total_bytes: 16 << 20,
        max_entries: 1_000,
        max_nesting: 3,
        ..Limits::default()
    };
    let input = Cursor::new(data.to_vec());
    let outcome = bundle::read_reader("fuzz.tar.gz", input, &limits, &mut |e| {
        if e.kind == EntryKind::File {
            let mut content = e.head;
            e.body.take(limits.max_entry_bytes).read_to_end(&mut content)?;
            let kind = artifact::classify(&e.path, &content);
            let _ = artifact::parse(&e.path, &content, kind);
        }
        Ok(())
    });
    assert!(outcome.entries <= limits.max_entries);
});
