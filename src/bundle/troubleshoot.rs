//! Replicated troubleshoot support bundles (`support-bundle-<time>.tar.gz`).
//!
//! Layout facts, from troubleshoot's source (replicatedhq/troubleshoot):
//! - the archive's top folder is `support-bundle-<time>` with the time in Go layout
//!   `2006-01-02T15_04_05` (`pkg/supportbundle/supportbundle.go`), local time without zone;
//!   `version.yaml` there is `kind: SupportBundle` with `spec.versionNumber` only
//!   (`pkg/version/version.go`), so the folder name is the only collection time;
//! - `cluster-resources/` holds one JSON file per namespace and kind, each a `<Kind>List` as
//!   the API returns it (`pods/<ns>.json`, `events/<ns>.json`, `configmaps/<ns>.json`,
//!   `deployments/<ns>.json`, `daemonsets/<ns>.json`), cluster-scoped lists as
//!   `nodes.json`, and `<kind>-errors.json` arrays of error strings
//!   (`pkg/collect/cluster_resources.go`, `pkg/constants/constants.go`); pod logs are
//!   `cluster-resources/pods/logs/<ns>/<pod>/<container>[-previous].log`;
//! - Secrets are not in `cluster-resources/`: the `secret` collector writes
//!   `secrets/<ns>/<name>[/<key>].json` in its own shape (`{namespace, name, key,
//!   secretExists, keyExists, value, data}` with values decoded, not base64;
//!   `pkg/collect/secret.go`);
//! - host collectors write under `host-collectors/<collector>/…`: `copy` keeps only each
//!   file's base name (`pkg/collect/host_copy.go`), `journald` writes
//!   `host-collectors/journald/<name>.txt` (`pkg/collect/host_journald.go`);
//! - the `certificates` collector writes `certificates/certificates.json`: parsed summaries
//!   (subject, issuer, dates), never the PEM (`pkg/collect/certificates.go`).

use time::{Date, PrimitiveDateTime, Time};

/// Folders only a support bundle has at its root; the prefix before one is the bundle root.
pub const ROOT_FOLDERS: &[&str] = &["cluster-resources", "host-collectors"];

/// The bundle root of `path` (ending in `/`, empty at the top) when it lies in one of the
/// support bundle's own folders.
pub fn root_of(path: &str) -> Option<String> {
    let segs: Vec<&str> = path.split('/').collect();
    let i = segs
        .iter()
        .take(segs.len().saturating_sub(1))
        .position(|s| ROOT_FOLDERS.contains(s))?;
    let root = segs.get(..i).unwrap_or_default().join("/");
    Some(if root.is_empty() { root } else { format!("{root}/") })
}

/// Files of a support bundle that carry no Kubernetes evidence in a shape kubetriage reads:
/// error lists, the analysis results, certificate summaries and collector metadata.
pub fn is_metadata(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let in_bundle = root_of(path).is_some()
        || path
            .split('/')
            .any(|s| s == "secrets-errors" || s == "certificates");
    (in_bundle && (name.ends_with("-errors.json") || name.ends_with("-info.json")))
        || name == "analysis.json"
        || path.ends_with("certificates/certificates.json")
        || path.split('/').any(|s| s == "secrets-errors")
}

/// The collection time in a bundle folder name (`support-bundle-2022-12-21T16_44_30`),
/// read as UTC.
pub fn folder_time(folder: &str) -> Option<time::OffsetDateTime> {
    let stamp = folder.trim_end_matches('/').rsplit('/').next()?;
    let stamp = stamp.strip_prefix("support-bundle-")?;
    let stamp = [".tar.gz", ".tgz"]
        .iter()
        .find_map(|e| stamp.strip_suffix(e))
        .unwrap_or(stamp);
    let (date, clock) = stamp.split_once('T')?;
    let mut d = date.split('-').map(str::parse::<u32>);
    let (y, m, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let mut c = clock.split('_').map(str::parse::<u8>);
    let (h, mi, s) = (c.next()?.ok()?, c.next()?.ok()?, c.next()?.ok()?);
    let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
    let date = Date::from_calendar_date(i32::try_from(y).ok()?, month, u8::try_from(day).ok()?).ok()?;
    Some(PrimitiveDateTime::new(date, Time::from_hms(h, mi, s).ok()?).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_and_metadata() {
        assert_eq!(
            root_of("sb/cluster-resources/pods/kube-system.json").as_deref(),
            Some("sb/")
        );
        assert_eq!(root_of("cluster-resources/nodes.json").as_deref(), Some(""));
        assert_eq!(root_of("x/etc/kubernetes/a"), None);
        assert!(is_metadata("sb/cluster-resources/pods-errors.json"));
        assert!(is_metadata("sb/analysis.json"));
        assert!(is_metadata("sb/certificates/certificates.json"));
        assert!(!is_metadata("sb/cluster-resources/pods/kube-system.json"));
    }

    #[test]
    fn folder_times() {
        let t = folder_time("support-bundle-2022-12-21T16_44_30/");
        assert_eq!(
            t.map(crate::model::rfc3339).as_deref(),
            Some("2022-12-21T16:44:30Z")
        );
        assert_eq!(folder_time("bundle/"), None);
    }
}
