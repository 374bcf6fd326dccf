//! sosreport bundles (`sosreport-<host>-<date>-<id>.tar.xz`, or the unpacked folder).
//!
//! Layout facts, from sos's source (sosreport/sos):
//! - files are copied to their absolute path under the report's root folder, so
//!   `/etc/kubernetes/admin.conf` is `<root>/etc/kubernetes/admin.conf` and the usual node
//!   markers find the root (`sos/archive.py`);
//! - command output goes to `sos_commands/<plugin>/[<subdir>/]<mangled command>`, where the
//!   command is mangled by `_mangle_command` (`sos/report/plugins/__init__.py`): a leading
//!   `/usr/bin/` dropped, every run of characters other than `[\w\-./]` made `_`, `/` made
//!   `.`, e.g. `sos_commands/kubernetes/cluster-info/kubectl_--kubeconfig_.etc.kubernetes.admin.conf_get_-o_json_nodes`;
//! - a plugin's `services` get `journalctl --no-pager --unit <svc>` (`add_default_collections`,
//!   `add_journal`), so the kubernetes plugin writes
//!   `sos_commands/kubernetes/journalctl_--no-pager_--unit_kubelet`, and the logs plugin
//!   `sos_commands/logs/journalctl_--no-pager` (`sos/report/plugins/logs.py`);
//! - `sos_reports/manifest.json` holds the run's `version` and `start_time`
//!   (`str(datetime.now())`, local time without zone; `sos/component.py`), `sos_logs/` its
//!   logs, `version.txt` the archive version; `sos_commands/host/hostname` the hostname
//!   (`sos/report/plugins/host.py`);
//! - the kubernetes plugin copies `/etc/kubernetes`, `/run/flannel` and (from 4.8.2)
//!   `/var/lib/kubelet/config.yaml` and `kubeadm-flags.env`; the containerd plugin copies
//!   `/etc/cni/net.d/` (`sos/report/plugins/{kubernetes,containerd}.py`);
//! - from 4.7.2 it scrubs PEM blocks and base64 PEM in what it copies (see
//!   the artifact stage's `scrub`); from 4.8.2 `/etc/kubernetes/pki` is a forbidden path and is
//!   not collected at all.

use time::{Date, PrimitiveDateTime, Time};

/// Folders only a sosreport has at its root; the prefix before one is the report's root.
pub const ROOT_FOLDERS: &[&str] = &["sos_commands", "sos_reports", "sos_logs"];

/// Where sos keeps the node's hostname, relative to the report root.
pub const HOSTNAME: &str = "sos_commands/host/hostname";

/// The run's manifest, relative to the report root.
pub const MANIFEST: &str = "sos_reports/manifest.json";

/// Whether the file at `path` (a bundle path) is sos's manifest.
pub fn is_manifest(path: &str) -> bool {
    path == MANIFEST || path.ends_with(&format!("/{MANIFEST}"))
}

/// What sos's manifest says: version and start of the run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    /// sos version (`4.8.2`).
    pub version: String,
    /// Start of the run, read as UTC (sos writes local time without a zone).
    pub start_time: Option<time::OffsetDateTime>,
    /// End of the run (what the report holds was read by then).
    pub end_time: Option<time::OffsetDateTime>,
}

/// Reads `sos_reports/manifest.json`.
pub fn manifest(doc: &serde_json::Value) -> Manifest {
    let s = |k: &str| doc.get(k).and_then(serde_json::Value::as_str).unwrap_or_default();
    Manifest {
        version: s("version").to_string(),
        start_time: python_datetime(s("start_time")),
        end_time: python_datetime(s("end_time")),
    }
}

/// Parses Python's `str(datetime)` (`2026-06-15 11:58:02.123456`) as UTC.
pub fn python_datetime(s: &str) -> Option<time::OffsetDateTime> {
    let (date, clock) = s.trim().split_once(' ')?;
    let mut d = date.split('-').map(str::parse::<i32>);
    let (y, m, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let clock = clock.split('.').next()?;
    let mut c = clock.split(':').map(str::parse::<u8>);
    let (h, mi, sec) = (c.next()?.ok()?, c.next()?.ok()?, c.next()?.ok()?);
    let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
    let date = Date::from_calendar_date(y, month, u8::try_from(day).ok()?).ok()?;
    let t = Time::from_hms(h, mi, sec).ok()?;
    Some(PrimitiveDateTime::new(date, t).assume_utc())
}

/// Whether sos version `v` forbids `/etc/kubernetes/pki` (4.8.2 and later).
pub fn forbids_pki(v: &str) -> bool {
    let mut parts = v
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|p| p.parse::<u32>().ok());
    let ver = (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    );
    ver >= (4, 8, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_fields() {
        let doc = serde_json::json!({"version": "4.8.2", "start_time": "2026-06-15 11:58:02.123456"});
        let m = manifest(&doc);
        assert_eq!(m.version, "4.8.2");
        assert_eq!(
            m.start_time.map(crate::model::rfc3339).as_deref(),
            Some("2026-06-15T11:58:02Z")
        );
        assert!(forbids_pki("4.8.2"));
        assert!(forbids_pki("4.10.0"));
        assert!(!forbids_pki("4.7.1"));
    }
}
