//! `oc adm must-gather` folders (OpenShift).
//!
//! Layout facts, from openshift/oc (`pkg/cli/admin/mustgather/mustgather.go`, `inspect/`) and
//! openshift/must-gather (`collection-scripts/`):
//! - `--dest-dir` (default `must-gather.local.<random>`) holds `timestamp`, `event-filter.html`
//!   and one folder per gather image, named after its image ID with every run of
//!   non-alphanumerics replaced by `-`;
//! - `timestamp` gets a line `fmt.Sprintf("%v\n", time.Now())` when gathering starts and one
//!   when it ends: Go's `Time.String()`, `2006-01-02 15:04:05.999999999 -0700 MST` and, when
//!   the clock reading is monotonic, ` m=+0.016390626`;
//! - in an image folder, `oc adm inspect` writes `namespaces/<ns>/core/<resource>.yaml` lists,
//!   `namespaces/<ns>/pods/<pod>/<pod>.yaml` and each container's
//!   `pods/<pod>/<container>/<container>/logs/{current,previous}.log` (`oc logs --timestamps`),
//!   and `cluster-scoped-resources/…`; the gather scripts add `host_service_logs/masters/` and
//!   `workers/` (`oc adm node-logs --role=… -u kubelet|crio`, journald `short` lines of every
//!   node of the role, in one file), `etcd_info/` and `version`.

use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// Whether `path` names must-gather's `timestamp` file.
pub fn is_timestamp(path: &str) -> bool {
    path.rsplit('/').next() == Some("timestamp")
}

/// Whether the `timestamp` file at `path` sits at a must-gather root: beside
/// `event-filter.html`, or beside an image folder holding `namespaces/` or
/// `cluster-scoped-resources/`. A file named `timestamp` anywhere else dates nothing.
pub fn at_root<V>(files: &std::collections::BTreeMap<String, V>, path: &str) -> bool {
    let dir = path.strip_suffix("timestamp").unwrap_or(path);
    if files.contains_key(&format!("{dir}event-filter.html")) {
        return true;
    }
    files
        .range(dir.to_string()..)
        .map(|(p, _)| p)
        .take_while(|p| p.starts_with(dir))
        .any(|p| {
            let mut segs = p[dir.len()..].split('/');
            let (_image, second) = (segs.next(), segs.next());
            matches!(second, Some("namespaces" | "cluster-scoped-resources")) && segs.next().is_some()
        })
}

/// The last time in a must-gather `timestamp` file (when gathering ended), in UTC; `None`
/// when no line is a Go `Time.String()`.
pub fn timestamp(text: &str) -> Option<OffsetDateTime> {
    text.lines().filter_map(go_time).next_back()
}

const DATE_TIME: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second][optional [.[subsecond]]]");

/// Go's `Time.String()`: `2026-11-21 09:29:58.223456789 +0000 UTC m=+298.1`.
fn go_time(line: &str) -> Option<OffsetDateTime> {
    let mut words = line.split_whitespace();
    let (date, clock, offset) = (words.next()?, words.next()?, words.next()?);
    let at = PrimitiveDateTime::parse(&format!("{date} {clock}"), DATE_TIME).ok()?;
    let (sign, digits) = offset.split_at_checked(1)?;
    let hm: u32 = digits.parse().ok().filter(|_| digits.len() == 4)?;
    let secs = i32::try_from((hm / 100) * 3600 + (hm % 100) * 60).ok()?;
    let secs = match sign {
        "+" => secs,
        "-" => -secs,
        _ => return None,
    };
    at.assume_offset(UtcOffset::from_whole_seconds(secs).ok()?)
        .checked_to_offset(UtcOffset::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_last_go_time_is_the_end_of_gathering() {
        let text = "2026-11-21 09:25:00.123456789 +0000 UTC m=+0.016390626\n\
                    2026-11-21 10:29:58.2 +0100 CET m=+298.116390626\n";
        assert_eq!(timestamp(text), Some(datetime!(2026-11-21 09:29:58.2 UTC)));
        assert_eq!(
            timestamp("2026-11-21 09:25:00 -0500 EST\n"),
            Some(datetime!(2026-11-21 14:25 UTC))
        );
        assert_eq!(timestamp("not a time\n"), None);
        assert_eq!(timestamp("9999-12-31 23:59:59 -2359 X\n"), None);
        assert!(is_timestamp("must-gather.local.1/timestamp"));
        let files: std::collections::BTreeMap<String, ()> = [
            "mg/timestamp",
            "mg/quay-io-openshift-must-gather-sha256-1/namespaces/kube-system/core/pods.yaml",
            "node/var/lib/kubelet/timestamp",
            "node/var/lib/kubelet/pods/x",
        ]
        .into_iter()
        .map(|p| (p.to_string(), ()))
        .collect();
        assert!(at_root(&files, "mg/timestamp"));
        assert!(!at_root(&files, "node/var/lib/kubelet/timestamp"));
    }
}
