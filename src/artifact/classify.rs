//! Deciding what an entry is from its path and its first bytes (never from the extension
//! alone: content wins where it speaks).

use crate::artifact::ArtifactKind;
use crate::artifact::{pem, yaml};

/// What the entry at `path` is, given its first bytes (`head`, up to 8 KiB).
pub fn classify(path: &str, head: &[u8]) -> ArtifactKind {
    let name = path.rsplit('/').next().unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    let parent = path.rsplit('/').nth(1).unwrap_or_default();
    let segs: Vec<&str> = path.split('/').collect();
    let has = |a: &str, b: &str| segs.windows(2).any(|w| w == [a, b]);
    let binary = head.contains(&0);

    if path == "etc/hostname"
        || path.ends_with("/etc/hostname")
        || path.ends_with(crate::bundle::sosreport::HOSTNAME)
        || path == crate::bundle::rancher::HOSTNAME
        || path.ends_with(&format!("/{}", crate::bundle::rancher::HOSTNAME))
    {
        return ArtifactKind::Hostname;
    }
    // Before the content sniffing: its `[default]` header looks like a JSON array.
    if parent == ".aws" && lower == "credentials" && !binary {
        return ArtifactKind::AwsCredentials;
    }
    if crate::bundle::mustgather::is_timestamp(path)
        && !binary
        && crate::bundle::mustgather::timestamp(&String::from_utf8_lossy(head)).is_some()
    {
        return ArtifactKind::CollectionTime;
    }
    if crate::bundle::troubleshoot::is_metadata(path) || crate::bundle::kind::is_metadata(path) {
        return ArtifactKind::Other;
    }
    // `openssl x509 -text` dumps (Rancher's collector writes them in place of certificates):
    // read for their dates, not taken for broken PEM files.
    if !binary && crate::artifact::certtext::looks_like(head) {
        return ArtifactKind::CertText;
    }
    if lower == "subnet.env" {
        return ArtifactKind::FlannelEnv;
    }
    if !binary && crate::artifact::text::is_environment_file(path) {
        return ArtifactKind::SystemdUnit;
    }
    if parent == "net.d" && matches!(ext, "conf" | "conflist" | "json") {
        return ArtifactKind::CniConfig;
    }
    let systemd_dir = has("etc", "systemd") || has("lib", "systemd");
    if !binary
        && (ext == "service"
            || (parent.ends_with(".service.d") && ext == "conf")
            || (systemd_dir && matches!(ext, "service" | "conf")))
    {
        return ArtifactKind::SystemdUnit;
    }
    // kubeadm's kubeconfigs (`etc/kubernetes/admin.conf`, `kubelet.conf`, …): whatever they
    // hold is parsed as one, so that junk there is reported rather than skipped.
    if (parent == "kubernetes" && has("etc", "kubernetes") && ext == "conf") || ext == "kubeconfig" {
        return ArtifactKind::Kubeconfig;
    }
    if binary {
        return if pem::looks_like_der_cert(head) || matches!(ext, "crt" | "cer" | "der" | "pem" | "key") {
            ArtifactKind::Pem
        } else if matches!(ext, "yaml" | "yml" | "json") {
            // Junk where a document should be: parsed, so that it is reported.
            ArtifactKind::Objects
        } else {
            ArtifactKind::Other
        };
    }
    // `kubectl cluster-info dump --output-directory`: `<ns>/<pod>/logs.txt`, each container's
    // log under a `==== START logs for container … ====` line (kubectl's
    // `pkg/cmd/clusterinfo/clusterinfo_dump.go`).
    if lower == "logs.txt" && head.starts_with(b"==== START logs for container") {
        return ArtifactKind::Log;
    }
    let log_path = has("var", "log")
        || segs
            .iter()
            .any(|s| matches!(*s, "pod-logs" | "journal") || crate::bundle::rancher::LOG_FOLDERS.contains(s))
        || matches!(ext, "log" | "logs")
        || lower.contains(".log.")
        || lower.contains("journal");
    if log_path || looks_like_log(head) {
        return ArtifactKind::Log;
    }
    let structured = yaml::looks_structured(head);
    let scrubbed_pem = memchr::memmem::find(head, b"-----SCRUBBED").is_some();
    if (pem::has_pem(head) || scrubbed_pem) && !structured {
        return ArtifactKind::Pem;
    }
    if structured || matches!(ext, "yaml" | "yml" | "json") {
        return if head_mentions(head, "KubeletConfiguration") {
            ArtifactKind::KubeletConfig
        } else if head_mentions(head, "clusters") && head_mentions(head, "users") {
            ArtifactKind::Kubeconfig
        } else {
            ArtifactKind::Objects
        };
    }
    if matches!(ext, "crt" | "pem" | "key" | "cer" | "der" | "pub") {
        return ArtifactKind::Pem;
    }
    ArtifactKind::Other
}

fn head_mentions(head: &[u8], word: &str) -> bool {
    memchr::memmem::find(head, word.as_bytes()).is_some()
}

/// Whether the first line looks like a journald export (short, short-iso, short-precise,
/// json), a klog line, or a container runtime log (CRI text or docker JSON).
pub fn looks_like_log(head: &[u8]) -> bool {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let b = line.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    // klog: I0102 15:04:05.000000
    let klog = matches!(b.first(), Some(b'I' | b'W' | b'E' | b'F'))
        && (1..5).all(digit)
        && at(5, b' ')
        && at(8, b':');
    // ISO: 2024-01-02T15:04:05 (short-iso, CRI)
    let iso = (0..4).all(digit) && at(4, b'-') && at(7, b'-') && at(10, b'T') && at(13, b':');
    // journald short: "Jan 02 15:04:05 host unit[pid]: msg"
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let short = MONTHS.iter().any(|m| line.starts_with(m)) && at(3, b' ') && at(9, b':') && at(12, b':');
    let json = line.starts_with("{\"__CURSOR\"")
        || line.starts_with("{\"log\":")
        || line.starts_with("{\"__REALTIME_TIMESTAMP\"");
    klog || iso || short || json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_path_and_content() {
        use ArtifactKind as K;
        assert_eq!(classify("n/etc/hostname", b"m1\n"), K::Hostname);
        assert_eq!(classify("n/run/flannel/subnet.env", b"A=1"), K::FlannelEnv);
        assert_eq!(
            classify("n/etc/cni/net.d/10-flannel.conflist", b"{}"),
            K::CniConfig
        );
        assert_eq!(
            classify("n/etc/systemd/system/kubelet.service", b"[Unit]"),
            K::SystemdUnit
        );
        assert_eq!(
            classify(
                "n/var/lib/kubelet/kubeadm-flags.env",
                b"KUBELET_KUBEADM_ARGS=\"--node-ip=10.0.0.21\""
            ),
            K::SystemdUnit
        );
        assert_eq!(classify("n/var/log/kubelet.log", b"I0101 00:00:00.0 x"), K::Log);
        assert_eq!(
            classify("dump/kubelet.txt", b"Jan 02 15:04:05 h kubelet[1]: x"),
            K::Log
        );
        assert_eq!(
            classify("n/etc/kubernetes/pki/ca.crt", b"-----BEGIN CERTIFICATE-----"),
            K::Pem
        );
        assert_eq!(classify("n/x/blob", b"hello -----BEGIN CERTIFICATE-----"), K::Pem);
        assert_eq!(
            classify(
                "n/etc/kubernetes/kubeconfig",
                b"apiVersion: v1\nclusters:\nusers:\n"
            ),
            K::Kubeconfig
        );
        assert_eq!(
            classify("c/secrets", b"apiVersion: v1\nitems:\n- data:\n"),
            K::Objects
        );
        assert_eq!(
            classify(
                "c/cm.yaml",
                b"kind: ConfigMap\ndata:\n  ca.crt: |\n    -----BEGIN CERTIFICATE-----"
            ),
            K::Objects
        );
        assert_eq!(classify("n/bin/kubelet", b"\x7fELF\0\0"), K::Other);
        assert_eq!(
            classify("n/root/.aws/credentials", b"[default]\naws_access_key_id = x\n"),
            K::AwsCredentials
        );
    }

    /// `oc adm must-gather` writes `must-gather.logs` at every root (`[must-gather      ] OUT
    /// …`): a text log, never a JSON array to report as unreadable (newuser3 B5.3).
    #[test]
    fn bracket_tagged_text_is_not_json() {
        use ArtifactKind as K;
        let oc = b"[must-gather      ] OUT 2026-12-05T10:30:01.1 Using must-gather plug-in image\n";
        assert_eq!(classify("must-gather.local.1/must-gather.logs", oc), K::Log);
        assert_ne!(
            classify("node1/notes.txt", b"[INFO] collected 3 files\n"),
            K::Objects
        );
        assert_eq!(
            classify("c/list.json", b"[\n  {\"kind\": \"Pod\"}\n]"),
            K::Objects
        );
        assert_eq!(classify("c/list", b"[{\"kind\": \"Pod\"}]"), K::Objects);
    }
}
