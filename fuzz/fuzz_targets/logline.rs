//! Log lines: record and timestamp parsing, and the streaming scanner with the built-in log
//! rules over a whole input (small chunks and a short line cap, so overlong lines and lines
//! split across reads are exercised).
#![no_main]

use std::sync::LazyLock;

use kubetriage::bundle::Limits;
use kubetriage::catalog::Catalog;
use kubetriage::logscan::{LogSource, Scanner, record, stamp};
use libfuzzer_sys::fuzz_target;

static SCANNER: LazyLock<Option<Scanner>> = LazyLock::new(|| {
    let catalog = Catalog::builtin().ok()?;
    let limits = Limits {
        max_line_bytes: 300,
        ..Limits::default()
    };
    Some(Scanner::new(&catalog.log_rules(), &limits).with_chunk_size(97))
});

fuzz_target!(|data: &[u8]| {
    for line in data.split(|&b| b == b'\n') {
        let _ = record::parse(line);
        let _ = stamp::payload(line);
        let _ = stamp::rfc3339(line);
        let _ = stamp::syslog(line);
        let _ = stamp::klog(line);
        let _ = stamp::golog(line);
    }
    if let Some(scanner) = SCANNER.as_ref() {
        for path in [
            "n/var/log/kubelet.log",
            "n/var/log/pods/kube-system_etcd-x_1/etcd/0.log",
            "n/var/log/journal.txt",
        ] {
            let src = LogSource {
                path: path.to_string(),
                node: Some(0),
            };
            let mut r = data;
            let _ = scanner.scan(&src, &mut r);
        }
    }
});
