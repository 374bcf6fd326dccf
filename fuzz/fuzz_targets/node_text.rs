//! Small node files: flannel `subnet.env`, systemd units and drop-ins, CNI configs, hostname,
//! cloud credentials.
#![no_main]

use kubetriage::artifact::{self, ArtifactKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let kinds = [
        ("n/run/flannel/subnet.env", ArtifactKind::FlannelEnv),
        (
            "n/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
            ArtifactKind::SystemdUnit,
        ),
        ("n/etc/cni/net.d/10-flannel.conflist", ArtifactKind::CniConfig),
        ("n/etc/hostname", ArtifactKind::Hostname),
        ("n/root/.aws/credentials", ArtifactKind::AwsCredentials),
    ];
    for (path, kind) in kinds {
        let _ = artifact::classify(path, data);
        let parsed = artifact::parse(path, data, kind);
        for p in &parsed.problems {
            assert_eq!(p.path, path);
        }
    }
});
