//! One candidate log line taken apart: its time, the identifier that wrote it and the
//! message the rules' regexes run on. Only lines that passed the prefilter come here, so
//! this may allocate; the scan of the other lines never does.
//!
//! Transport wrappers are removed first (they carry the best time): journald `json`
//! (`MESSAGE`, `__REALTIME_TIMESTAMP`, `SYSLOG_IDENTIFIER` / `_SYSTEMD_UNIT`), docker's
//! json-file (`{"log":…,"stream":…,"time":…}`), CRI (`<RFC3339Nano> stderr F …`), journald
//! `short-iso` / `short-precise` / `short` prefixes. What remains is the message: klog,
//! etcd's JSON or capnslog, Traefik's logfmt or JSON, or plain text, matched as it stands
//! (structured logs keep all their fields, so rules can match `"error":"…"`).

use std::borrow::Cow;

use serde_json::Value;

use crate::logscan::stamp::{self, Stamp};

/// A parsed line.
#[derive(Debug)]
pub struct Record<'a> {
    /// The line's time, if any format in it printed one.
    pub stamp: Option<Stamp>,
    /// The journald identifier or unit that wrote it, if the line says.
    pub ident: Option<Cow<'a, str>>,
    /// The host journald names (`short` formats' hostname word, `-o json`'s `_HOSTNAME`):
    /// which node wrote the line when one file holds several nodes' journals
    /// (`oc adm node-logs --role=master`).
    pub host: Option<Cow<'a, str>>,
    /// The text the rules match.
    pub message: Cow<'a, str>,
}

/// Takes a line (without its newline) apart. Never fails: an unknown shape is a plain
/// message with no time. Bytes that are not UTF-8 become U+FFFD.
pub fn parse(line: &[u8]) -> Record<'_> {
    let mut r = parse_whole(line);
    cut_probe_output(&mut r.message);
    cut_container_text(&mut r.message);
    r
}

/// The kubelet quotes a container's own text when the container fails to start or its hook
/// fails: a lifecycle hook's output (`message=`), the command it could not exec
/// (`RunContainerError`), the image it could not pull and the registry's TLS error
/// (`ErrImagePull`). That text is the pod owner's choice (hostile round 10: a tenant's
/// command or registry at `…:6443` serving an expired certificate made the cluster's
/// apiserver certificate seem rejected), so a hook's payload is cut, and a container start
/// failure keeps its reason (`ErrImagePull`, `CrashLoopBackOff`) but not the TLS words after
/// it. A sandbox or CNI failure (`CreatePodSandbox`) is the node's own and stays whole.
fn cut_container_text(message: &mut Cow<'_, str>) {
    let at = if message.contains("lifecycle hook")
        || message.contains("PostStartHook")
        || message.contains("PreStopHook")
    {
        [" err=", " message=", ": "]
            .iter()
            .filter_map(|m| message.find(m))
            .min()
    } else if message.contains("StartContainer") && !message.contains("CreatePodSandbox") {
        message
            .find(" err=")
            .or_else(|| message.find("StartContainer"))
            .and_then(|from| {
                ["x509:", "tls: ", "certificate"]
                    .iter()
                    .filter_map(|m| message[from..].find(m).map(|i| from + i))
                    .min()
            })
    } else {
        None
    };
    let Some(at) = at else { return };
    match message {
        Cow::Borrowed(b) => *b = b.get(..at).unwrap_or(b),
        Cow::Owned(o) => o.truncate(at),
    }
}

/// The kubelet copies a probe's output into its own log (`"Probe failed" probeType=… output="…"`,
/// older `prober.go:…] Readiness probe for "…" failed (failure): …`): that text is the
/// probed container's, any tenant's, and is not matched as the kubelet's words (hostile
/// round 8: a probe printing a Go x509 error made the kubelet seem to reject the apiserver).
fn cut_probe_output(message: &mut Cow<'_, str>) {
    if !(message.contains("probeType=") || message.contains("prober.go")) {
        return;
    }
    let Some(at) = [" output=", " failed (failure): ", " failed (failure) "]
        .iter()
        .filter_map(|m| message.find(m))
        .min()
    else {
        return;
    };
    match message {
        Cow::Borrowed(b) => *b = b.get(..at).unwrap_or(b),
        Cow::Owned(o) => o.truncate(at),
    }
}

fn parse_whole(line: &[u8]) -> Record<'_> {
    if line.first() == Some(&b'{') {
        if let Some(r) = json(line) {
            return r;
        }
    }
    if let Some((t, n)) = stamp::rfc3339(line) {
        // CRI: `<time> stdout|stderr F|P <message>`.
        let rest = line.get(n..).unwrap_or_default();
        for stream in [&b" stdout "[..], b" stderr "] {
            if let Some(after) = rest.strip_prefix(stream) {
                if let Some(msg) = after.strip_prefix(b"F ").or_else(|| after.strip_prefix(b"P ")) {
                    return payload(Some(Stamp::Full(t)), None, msg);
                }
            }
        }
        // journald short-iso: `<time> host ident[pid]: message`.
        if let Some((host, ident, msg)) = rest.strip_prefix(b" ").and_then(syslog_tail) {
            return payload(Some(Stamp::Full(t)), Some((host, ident)), msg);
        }
        return payload(None, None, line);
    }
    if let Some((y, n)) = stamp::syslog(line) {
        if let Some((host, ident, msg)) = line
            .get(n..)
            .and_then(|r| r.strip_prefix(b" "))
            .and_then(syslog_tail)
        {
            return payload(Some(Stamp::Yearless(y)), Some((host, ident)), msg);
        }
        return Record {
            stamp: Some(Stamp::Yearless(y)),
            ident: None,
            host: None,
            message: String::from_utf8_lossy(line),
        };
    }
    payload(None, None, line)
}

/// `host ident[pid]: message` → (host, ident, message).
fn syslog_tail(b: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let sp = memchr::memchr(b' ', b)?;
    let rest = b.get(sp + 1..)?;
    let colon = memchr::memchr(b':', rest)?;
    let head = rest.get(..colon)?;
    if head.is_empty() || head.contains(&b' ') && !head.ends_with(b"]") {
        return None;
    }
    // A host is one plain word and an identifier starts with a letter (`kubelet`,
    // `(sd-pam)`): `<time> {"level":…}` (oc/kubectl logs --timestamps) and
    // `<time> E1205 10:20:01.1 …` (klog) are not journald lines.
    let host = b.get(..sp)?;
    if host.iter().any(|c| matches!(c, b'"' | b'{' | b'[' | b'='))
        || !head
            .first()
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'(')
    {
        return None;
    }
    let ident = head.split(|c| *c == b'[').next().unwrap_or(head);
    let msg = rest.get(colon + 1..)?;
    Some((host, ident, msg.strip_prefix(b" ").unwrap_or(msg)))
}

/// A message with the transport's time (if any), refined by the message's own time when
/// the transport's has no year.
fn payload<'a>(transport: Option<Stamp>, origin: Option<(&'a [u8], &'a [u8])>, msg: &'a [u8]) -> Record<'a> {
    let stamp = match transport {
        Some(Stamp::Full(t)) => Some(Stamp::Full(t)),
        other => match stamp::payload(msg) {
            Some(Stamp::Full(t)) => Some(Stamp::Full(t)),
            inner => other.or(inner),
        },
    };
    Record {
        stamp,
        ident: origin.map(|(_, i)| String::from_utf8_lossy(i)),
        host: origin.map(|(h, _)| String::from_utf8_lossy(h)),
        message: String::from_utf8_lossy(msg),
    }
}

fn owned(
    msg: String,
    transport: Option<Stamp>,
    ident: Option<String>,
    host: Option<String>,
) -> Record<'static> {
    let stamp = match transport {
        Some(Stamp::Full(t)) => Some(Stamp::Full(t)),
        other => other.or_else(|| stamp::payload(msg.as_bytes())),
    };
    Record {
        stamp,
        ident: ident.map(Cow::Owned),
        host: host.map(Cow::Owned),
        message: Cow::Owned(msg),
    }
}

fn str_field<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
    v.get(k).and_then(Value::as_str)
}

fn json_time(v: &Value) -> Option<Stamp> {
    for k in ["ts", "time", "timestamp", "@timestamp"] {
        match v.get(k) {
            Some(Value::String(s)) => {
                if let Some((t, _)) = stamp::rfc3339(s.as_bytes()) {
                    return Some(Stamp::Full(t));
                }
            }
            Some(Value::Number(n)) => {
                if let Some(t) = n.as_f64().and_then(stamp::epoch_secs) {
                    return Some(Stamp::Full(t));
                }
            }
            _ => {}
        }
    }
    None
}

fn json(line: &[u8]) -> Option<Record<'_>> {
    let v: Value = serde_json::from_slice(line).ok()?;
    if !v.is_object() {
        return None;
    }
    if let Some(m) = v.get("MESSAGE") {
        // journald `-o json`: MESSAGE is a string, or an array of bytes when not UTF-8.
        let msg = match m {
            Value::String(s) => s.clone(),
            Value::Array(a) => {
                let bytes: Vec<u8> = a.iter().filter_map(|x| x.as_u64()).map(|x| x as u8).collect();
                String::from_utf8_lossy(&bytes).into_owned()
            }
            _ => String::new(),
        };
        let t = str_field(&v, "__REALTIME_TIMESTAMP").and_then(stamp::epoch_micros);
        let ident = str_field(&v, "SYSLOG_IDENTIFIER")
            .or_else(|| str_field(&v, "_SYSTEMD_UNIT"))
            .or_else(|| str_field(&v, "_COMM"))
            .map(str::to_string);
        let host = str_field(&v, "_HOSTNAME").map(str::to_string);
        return Some(owned(msg, t.map(Stamp::Full), ident, host));
    }
    if let (Some(log), true) = (
        str_field(&v, "log"),
        v.get("stream").is_some() || v.get("time").is_some(),
    ) {
        // docker json-file.
        let msg = log.trim_end_matches(['\n', '\r']).to_string();
        let t = str_field(&v, "time")
            .and_then(|s| stamp::rfc3339(s.as_bytes()))
            .map(|x| Stamp::Full(x.0));
        return Some(owned(msg, t, None, None));
    }
    // An application's structured log (etcd 3.4+, Traefik, zap, logrus): match it whole.
    Some(Record {
        stamp: json_time(&v),
        ident: None,
        host: None,
        message: String::from_utf8_lossy(line),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn full(r: &Record<'_>) -> Option<time::OffsetDateTime> {
        match r.stamp {
            Some(Stamp::Full(t)) => Some(t),
            _ => None,
        }
    }

    #[test]
    fn a_probes_output_is_not_the_kubelets_words() {
        let r = parse(
            br#"2026-06-15T11:40:00+0000 cp-1 kubelet[812]: I0615 11:40:00.000000     812 prober.go:107] "Probe failed" probeType="Readiness" pod="tenant-a/web-1" podUID="0a1b" containerName="web" probeResult="failure" output="Get "https://10.0.0.10:6443/": x509: certificate has expired or is not yet valid: current time 2026-06-15T11:40:00Z is after 2026-06-10T00:00:00Z""#,
        );
        assert!(!r.message.contains("x509"), "{}", r.message);
        assert!(r.message.contains("probeResult=\"failure\""), "{}", r.message);
        let r = parse(b"I0615 11:40:00.000000     812 prober.go:116] Readiness probe for \"web-1_tenant-a(0a1b):web\" failed (failure): x509: certificate has expired");
        assert!(!r.message.contains("x509"), "{}", r.message);
    }

    /// Hostile round 10, case 09: text a container start failure or a hook quotes is the
    /// pod owner's; the start failure's reason stays, a sandbox (CNI) failure stays whole.
    #[test]
    fn a_containers_quoted_text_is_not_the_kubelets_words() {
        let x509 = "x509: certificate has expired or is not yet valid: current time 2026-11-21T09:20:58Z is after 2026-11-18T00:00:00Z";
        let img = format!(
            r#"E1121 09:20:58.000000     211 pod_workers.go:1301] "Error syncing pod, skipping" err="failed to "StartContainer" for "web" with ErrImagePull: "failed to resolve reference: Get \"https://registry.example:6443/v2/\": tls: failed to verify certificate: {x509}"" pod="tenant-a/web-7d9f""#
        );
        let r = parse(img.as_bytes());
        assert!(
            r.message.contains("ErrImagePull") && !r.message.contains("x509"),
            "{}",
            r.message
        );
        let hook = format!(
            r#"E1121 09:20:58.000000     211 handlers.go:78] "Exec lifecycle hook for Container in Pod failed" err="command exited with 1" pod="tenant-a/web-7d9f" message="Get "https://cp:6443/api": {x509}""#
        );
        let r = parse(hook.as_bytes());
        assert!(
            !r.message.contains("x509") && !r.message.contains("6443"),
            "{}",
            r.message
        );
        let cni = format!(
            r#"E1121 09:20:58.000000     211 pod_workers.go:1301] "Error syncing pod, skipping" err="failed to "CreatePodSandbox" for "web": plugin type="calico" failed (add): Get "https://10.96.0.1:443/": {x509}" pod="tenant-a/web-7d9f""#
        );
        assert!(parse(cni.as_bytes()).message.contains("x509"));
    }

    #[test]
    fn journald_short_iso() {
        let r = parse(
            b"2026-11-21T09:12:03+0000 master01 kubelet[1234]: E1121 09:12:03.123456 1234 x.go:1] boom",
        );
        assert_eq!(full(&r), Some(datetime!(2026-11-21 09:12:03 UTC)));
        assert_eq!(r.ident.as_deref(), Some("kubelet"));
        assert!(r.message.starts_with("E1121 09:12:03.123456"));
    }

    /// `oc logs --timestamps` / `kubectl logs --timestamps`: the time, a space, the line as
    /// the container wrote it, kept whole (new-user round 2: etcd's JSON and klog lines were
    /// cut at their first colon as if journald had written them).
    #[test]
    fn timestamps_before_json_or_klog_keep_the_line_whole() {
        let r = parse(br#"2026-12-05T10:20:01.123456789Z {"level":"warn","msg":"rejected connection","remote-addr":"10.0.128.15:48822","error":"x509: boom"}"#);
        assert_eq!(r.ident, None);
        assert!(
            r.message
                .contains(r#""msg":"rejected connection","remote-addr":"10.0.128.15:48822""#),
            "{r:?}"
        );
        assert!(full(&r).is_some());
        let r = parse(b"2026-12-05T10:20:02.223456789Z W1205 10:20:02.223456      18 logging.go:59] boom");
        assert_eq!(r.ident, None);
        assert!(r.message.contains("W1205 10:20:02.223456"), "{r:?}");
    }

    #[test]
    fn journald_short_and_precise_are_yearless() {
        for line in [
            &b"Nov 21 09:12:03 master01 kubelet[1234]: boom"[..],
            b"Nov 21 09:12:03.123456 master01 kubelet[1234]: boom",
        ] {
            let r = parse(line);
            let Some(Stamp::Yearless(y)) = r.stamp else {
                panic!("{r:?}")
            };
            assert_eq!((y.month, y.day), (11, 21));
            assert_eq!(r.ident.as_deref(), Some("kubelet"));
            assert_eq!(r.message, "boom");
        }
        let r = parse(b"Aug  9 12:57:26 k8s-master01 etcd: rejected connection");
        assert_eq!(r.ident.as_deref(), Some("etcd"));
    }

    #[test]
    fn journald_short_with_a_full_payload_time_uses_it() {
        let r = parse(
            br#"Jan 10 07:55:33 vm k3s[820]: {"level":"warn","ts":"2024-01-10T07:55:33.433522Z","msg":"x"}"#,
        );
        assert_eq!(full(&r), Some(datetime!(2024-01-10 07:55:33.433522 UTC)));
        assert_eq!(r.ident.as_deref(), Some("k3s"));
    }

    #[test]
    fn journald_json() {
        let r = parse(
            br#"{"__REALTIME_TIMESTAMP":"1795252323123456","_SYSTEMD_UNIT":"kubelet.service","SYSLOG_IDENTIFIER":"kubelet","MESSAGE":"E1121 x509: certificate has expired"}"#,
        );
        assert_eq!(
            full(&r).map(time::OffsetDateTime::unix_timestamp),
            Some(1_795_252_323)
        );
        assert_eq!(r.ident.as_deref(), Some("kubelet"));
        assert_eq!(r.message, "E1121 x509: certificate has expired");
        let r =
            parse(br#"{"__REALTIME_TIMESTAMP":"1","_SYSTEMD_UNIT":"etcd.service","MESSAGE":[104,105,255]}"#);
        assert_eq!(r.ident.as_deref(), Some("etcd.service"));
        assert_eq!(r.message, "hi\u{FFFD}");
    }

    #[test]
    fn container_logs() {
        let r = parse(br#"{"log":"E1121 09:10:01.1 1 x.go:1] \"quoted\"\n","stream":"stderr","time":"2026-11-21T09:10:01.123456789Z"}"#);
        assert_eq!(full(&r), Some(datetime!(2026-11-21 09:10:01.123456789 UTC)));
        assert_eq!(r.message, "E1121 09:10:01.1 1 x.go:1] \"quoted\"");
        let r = parse(b"2026-11-21T09:10:01.123456789Z stderr F I1121 hello");
        assert_eq!(full(&r), Some(datetime!(2026-11-21 09:10:01.123456789 UTC)));
        assert_eq!(r.message, "I1121 hello");
    }

    #[test]
    fn application_formats() {
        let r = parse(br#"{"level":"warn","ts":"2021-08-15T03:12:45.123Z","msg":"rejected connection"}"#);
        assert_eq!(full(&r), Some(datetime!(2021-08-15 03:12:45.123 UTC)));
        assert!(r.message.contains(r#""msg":"rejected connection""#));
        let r = parse(br#"{"level":"warn","ts":1568166948.5,"msg":"apply request took too long"}"#);
        assert_eq!(
            full(&r).map(time::OffsetDateTime::unix_timestamp),
            Some(1_568_166_948)
        );
        let r = parse(b"2019-04-02 18:29:05.514387 I | embed: rejected connection");
        assert_eq!(full(&r), Some(datetime!(2019-04-02 18:29:05.514387 UTC)));
        let r = parse(br#"time="2019-01-09T02:03:43Z" level=error msg="boom""#);
        assert_eq!(full(&r), Some(datetime!(2019-01-09 02:03:43 UTC)));
        let r = parse(b"E0505 15:59:49.432822    7867 authentication.go:63] x");
        assert!(matches!(r.stamp, Some(Stamp::Yearless(_))));
        let r = parse(b"2019-07-24T11:25:04.719Z [INFO] CoreDNS-1.3.1");
        assert_eq!(full(&r), Some(datetime!(2019-07-24 11:25:04.719 UTC)));
        let r = parse(b"plain \xff bytes");
        assert!(r.stamp.is_none());
        assert_eq!(r.message, "plain \u{FFFD} bytes");
    }
}
