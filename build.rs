//! Converts the built-in catalogue (`rules/*.yaml`) to JSON at build time: the binary parses
//! it on every start, and JSON parses about ten times faster than YAML (the catalogue is
//! ~125 KB, most of a small bundle's start-up). The YAML files stay the source; a test holds
//! that both forms give the same catalogue.

// A build script reports a broken catalogue by failing the build with the reason.
#![allow(clippy::expect_used)]

use std::{env, fs, path::Path};

fn main() {
    let out = env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    println!("cargo:rerun-if-changed=rules");
    for name in ["pki", "logs", "node", "input", "fixes"] {
        let source = format!("rules/{name}.yaml");
        println!("cargo:rerun-if-changed={source}");
        let text = fs::read_to_string(&source).unwrap_or_else(|e| panic!("{source}: {e}"));
        let value: serde_json::Value =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{source}: {e}"));
        let json = serde_json::to_string(&value).expect("a YAML value is JSON");
        fs::write(Path::new(&out).join(format!("{name}.json")), json).expect("OUT_DIR is writable");
    }
}
