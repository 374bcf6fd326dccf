//! `kind export logs <dir>` folders.
//!
//! Layout facts, from kind's source (kubernetes-sigs/kind,
//! `pkg/cluster/internal/providers/{docker,podman,nerdctl}/provider.go`, `CollectLogs`):
//! - `<dir>/kind-version.txt` and `<dir>/docker-info.txt` (or `podman-info.txt`) describe the
//!   host that ran kind;
//! - each node container gets `<dir>/<node>/`, its name the node's (`kind-control-plane`,
//!   `kind-worker2`): the node's whole `/var/log` is copied to that folder's top (so its
//!   `pods/` and `containers/` sit there, not under `var/log/`), beside
//!   `kubernetes-version.txt` (`cat /kind/version`), `journal.log` (`journalctl --no-pager`),
//!   `kubelet.log` and `containerd.log` (the same for one unit), `serial.log` (the
//!   container's own output), `inspect.json` (`docker inspect <node>`: a JSON array of the
//!   runtime's view of the container) and `images.log` (`crictl images`);
//! - no PKI, manifests or object dumps: only logs.

/// Files kind writes into each node's folder and nowhere else: the folder holding one is that
/// node's root.
pub const NODE_FILES: &[&str] = &["kubernetes-version.txt", "inspect.json", "serial.log"];

/// Whether `path` is a file kind writes to describe the node or the host (the runtime's
/// `inspect.json`, version files, the image list): known, read by nothing, never an
/// unreadable input.
pub fn is_metadata(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    matches!(
        name,
        "inspect.json"
            | "kubernetes-version.txt"
            | "kind-version.txt"
            | "docker-info.txt"
            | "podman-info.txt"
            | "images.log"
    )
}

/// The node root (ending in `/`) of a file kind wrote into a node's folder, `None` for any
/// other path. A file of that name at the bundle's top marks no node.
pub fn node_root(path: &str) -> Option<String> {
    let (folder, name) = path.rsplit_once('/')?;
    (NODE_FILES.contains(&name) && !folder.is_empty()).then(|| format!("{folder}/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_files_mark_their_folder() {
        assert_eq!(
            node_root("logs/kind-control-plane/kubernetes-version.txt").as_deref(),
            Some("logs/kind-control-plane/")
        );
        assert_eq!(
            node_root("kind-worker/inspect.json").as_deref(),
            Some("kind-worker/")
        );
        assert_eq!(node_root("inspect.json"), None);
        assert_eq!(node_root("logs/kind-worker/kubelet.log"), None);
        assert!(is_metadata("logs/kind-worker/inspect.json"));
        assert!(!is_metadata("logs/kind-worker/kubelet.log"));
    }
}
