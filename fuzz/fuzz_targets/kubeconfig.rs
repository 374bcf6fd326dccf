//! Kubeconfigs: YAML or JSON, embedded base64 `*-data` decoded and parsed as PEM or DER.
#![no_main]

use kubetriage::artifact::{self, ArtifactKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for path in [
        "n/etc/kubernetes/admin.conf",
        "n/etc/kubernetes/kubelet.kubeconfig.json",
    ] {
        let parsed = artifact::parse(path, data, ArtifactKind::Kubeconfig);
        for p in &parsed.problems {
            assert_eq!(p.path, path);
        }
    }
});
