//! Parsing one buffered entry into [`Parsed`], by its kind. Never panics; whatever does not
//! parse becomes an input problem naming the path.

use crate::artifact::parsed::Parsed;
use crate::artifact::{ArtifactKind, awscreds, objects, scrub, text, yaml};
use crate::model::Location;

/// Parses the content of the entry at `path`, classified as `kind`.
pub fn parse(path: &str, bytes: &[u8], kind: ArtifactKind) -> Parsed {
    let mut out = Parsed::default();
    match kind {
        ArtifactKind::Hostname => out.hostname = text::hostname(&String::from_utf8_lossy(bytes)),
        // `openssl x509 -text` (without `-noout`) and easy-rsa write the dump and then the
        // certificate: the certificate is the proof, the text only its description (hostile
        // round 3, M2: a forged text header hid an expired certificate).
        ArtifactKind::CertText if memchr::memmem::find(bytes, b"-----BEGIN").is_some() => {
            let pem = parse(path, bytes, ArtifactKind::Pem);
            let certificate = |m: &crate::artifact::parsed::Material| {
                m.block.is_certificate() && crate::artifact::pem::looks_like_der_cert(&m.block.der)
            };
            if pem.material.iter().any(certificate) {
                return pem;
            }
            // The block holds no certificate (corrupt, cut, a key or a CSR): the dump's dates
            // are the only evidence left, and the block's problem is reported beside them.
            let text = String::from_utf8_lossy(bytes);
            let cut = text.find("-----BEGIN").unwrap_or(text.len());
            let mut out = parse(path, text[..cut].as_bytes(), ArtifactKind::CertText);
            out.problems.extend(pem.problems);
            out.problem(
                path,
                "the PEM block after this openssl text dump holds no readable certificate: only the dump's dates were checked",
            );
            return out;
        }
        ArtifactKind::CertText => {
            let (certs, unreadable) = crate::artifact::certtext::parse(&String::from_utf8_lossy(bytes));
            out.cert_texts = certs;
            if out.cert_texts.is_empty() {
                out.problem(path, "an openssl text dump without validity dates");
            } else if unreadable > 0 {
                out.problem(
                    path,
                    format!("{unreadable} certificate(s) in this openssl text dump have no readable subject or validity dates: not checked"),
                );
            }
        }
        ArtifactKind::CollectionTime => {
            out.collected_at = crate::bundle::mustgather::timestamp(&String::from_utf8_lossy(bytes));
        }
        ArtifactKind::FlannelEnv => out.flannel_env = Some(text::env_file(&String::from_utf8_lossy(bytes))),
        ArtifactKind::SystemdUnit => {
            out.unit = Some(text::unit_or_environment(path, &String::from_utf8_lossy(bytes)))
        }
        ArtifactKind::CniConfig => match yaml::documents_of(path, bytes) {
            Ok(docs) => match docs.first() {
                Some(doc) if doc.is_object() => out.cni = Some(text::cni(path, doc)),
                _ => out.problem(path, "cni config is not a json object"),
            },
            Err(e) => out.problem(path, e),
        },
        ArtifactKind::Pem => {
            let location = Location::File {
                path: path.to_string(),
            };
            for label in scrub::scrubbed_pem_labels(bytes) {
                out.scrubbed(path, scrub::material_of(&label), "sosreport");
            }
            if out.add_pem_or_der(bytes, &location, "") == 0
                && out.problems.is_empty()
                && out.scrubbed.is_empty()
            {
                out.problem(path, "no pem block or der certificate found");
            }
        }
        ArtifactKind::Kubeconfig
        | ArtifactKind::KubeletConfig
        | ArtifactKind::PodManifest
        | ArtifactKind::Objects => {
            // A big JSON List's items are read in parallel; anything else as documents.
            if !(yaml::is_json(path, bytes) && objects::parse_json_list(path, bytes, &mut out)) {
                documents(path, bytes, &mut out);
            }
        }
        ArtifactKind::AwsCredentials => {
            let c = awscreds::parse(&String::from_utf8_lossy(bytes));
            for e in c.problems {
                out.problem(path, e);
            }
            out.aws_credentials = Some(c.values);
        }
        ArtifactKind::Log | ArtifactKind::Other => {}
    }
    out
}

/// Reads `bytes` as YAML or JSON documents into `out`.
fn documents(path: &str, bytes: &[u8], out: &mut Parsed) {
    match yaml::documents_of(path, &scrub::quote_sos_marks(bytes)) {
        Ok(docs) if !docs.is_empty() && docs.iter().all(|d| !d.is_object()) => {
            out.problem(path, "not a yaml or json object");
        }
        Ok(docs) => {
            collector_metadata(path, &docs, out);
            objects::parse(path, docs, out);
        }
        Err(e) => out.problem(path, e),
    }
}

/// The collection time and version in a collector's manifest (sos's
/// `sos_reports/manifest.json`, `kubetriage collect`'s `kubetriage-collect.json`).
fn collector_metadata(path: &str, docs: &[serde_json::Value], out: &mut Parsed) {
    let Some(doc) = docs.first() else {
        return;
    };
    if crate::bundle::sosreport::is_manifest(path) {
        let m = crate::bundle::sosreport::manifest(doc);
        out.collected_at = m.end_time.or(m.start_time);
        out.collector_version = Some(m.version);
    } else if path.rsplit('/').next() == Some(crate::bundle::collector::COLLECT_MANIFEST) {
        out.collected_at = doc
            .get("collected_at")
            .and_then(serde_json::Value::as_str)
            .and_then(|s| time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok())
            // `9999-12-31T23:59:59-23:59` is year 10000 in UTC: not a time kubetriage can judge at.
            .and_then(|t| t.checked_to_offset(time::UtcOffset::UTC));
        out.collector_version = doc
            .get("version")
            .and_then(serde_json::Value::as_str)
            .map(str::to_string);
    }
}
