//! Parsing one buffered entry into [`Parsed`], by its kind. Never panics; whatever does not
//! parse becomes an input problem naming the path.

use crate::artifact::parsed::Parsed;
use crate::artifact::{ArtifactKind, awscreds, objects, text, yaml};
use crate::snapshot::Location;

/// Parses the content of the entry at `path`, classified as `kind`.
pub fn parse(path: &str, bytes: &[u8], kind: ArtifactKind) -> Parsed {
    let mut out = Parsed::default();
    match kind {
        ArtifactKind::Hostname => out.hostname = text::hostname(&String::from_utf8_lossy(bytes)),
        ArtifactKind::FlannelEnv => out.flannel_env = Some(text::env_file(&String::from_utf8_lossy(bytes))),
        ArtifactKind::SystemdUnit => {
            out.unit = Some(text::systemd_unit(path, &String::from_utf8_lossy(bytes)))
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
            if out.add_pem_or_der(bytes, &location, "") == 0 && out.problems.is_empty() {
                out.problem(path, "no pem block or der certificate found");
            }
        }
        ArtifactKind::Kubeconfig
        | ArtifactKind::KubeletConfig
        | ArtifactKind::PodManifest
        | ArtifactKind::Objects => match yaml::documents_of(path, bytes) {
            Ok(docs) if !docs.is_empty() && docs.iter().all(|d| !d.is_object()) => {
                out.problem(path, "not a yaml or json object");
            }
            Ok(docs) => objects::parse(path, docs, &mut out),
            Err(e) => out.problem(path, e),
        },
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
