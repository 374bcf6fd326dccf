//! Object dumps and manifests (YAML, multi-document YAML, JSON): Pods, Secrets, ConfigMaps,
//! Nodes, Events, workloads, kubelet configs; and the YAML nesting pre-scan.
#![no_main]

use kubetriage::artifact::{self, ArtifactKind, yaml, yamldepth};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let kinds = [
        ("cluster/all.yaml", ArtifactKind::Objects),
        ("cluster/all.json", ArtifactKind::Objects),
        (
            "n/etc/kubernetes/manifests/kube-apiserver.yaml",
            ArtifactKind::PodManifest,
        ),
        ("n/var/lib/kubelet/config.yaml", ArtifactKind::KubeletConfig),
    ];
    for (path, kind) in kinds {
        let _ = artifact::classify(path, data);
        let parsed = artifact::parse(path, data, kind);
        for p in &parsed.problems {
            assert_eq!(p.path, path);
        }
    }
    let _ = yaml::looks_structured(data);
    let _ = yamldepth::flow_depth_exceeds(data, yaml::MAX_DEPTH);
});
