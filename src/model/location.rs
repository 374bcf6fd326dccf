//! Where something was found in a bundle: a file, a kubeconfig field or an object key.

use std::fmt;

use serde::Serialize;

/// A Kubernetes object named as `namespace/Kind/name` (cluster-scoped: `Kind/name`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectRef {
    /// `metadata.namespace`, empty for cluster-scoped objects.
    pub namespace: String,
    /// The object's `kind` (`Secret`, `ConfigMap`, `Pod`, …).
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{}/{}", self.kind, self.name)
        } else {
            write!(f, "{}/{}/{}", self.namespace, self.kind, self.name)
        }
    }
}

/// One place a certificate, key or value appears. A certificate found in five places is one
/// record with five locations, never five records.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Location {
    /// A file in the bundle, by its path as it stands in the bundle.
    File {
        /// Bundle path.
        path: String,
    },
    /// A field inside a kubeconfig file (e.g. `users[kubelet].client-certificate-data`).
    Kubeconfig {
        /// Bundle path of the kubeconfig.
        path: String,
        /// The field, in kubectl's dotted form.
        field: String,
    },
    /// A key of a Secret or ConfigMap found in an object dump.
    Object {
        /// The object holding the value.
        object: ObjectRef,
        /// The data key (`tls.crt`, `ca.crt`, …).
        key: String,
        /// Bundle path of the dump the object came from.
        path: String,
    },
}

impl Location {
    /// The bundle path this location lives in.
    pub fn path(&self) -> &str {
        match self {
            Location::File { path } | Location::Kubeconfig { path, .. } | Location::Object { path, .. } => {
                path
            }
        }
    }

    /// `namespace/Kind/name#key` for object locations, as reports name them.
    pub fn object_key(&self) -> Option<String> {
        match self {
            Location::Object { object, key, .. } => Some(format!("{object}#{key}")),
            _ => None,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File { path } => f.write_str(path),
            Location::Kubeconfig { path, field } => write!(f, "{path} ({field})"),
            Location::Object { object, key, .. } => write!(f, "{object}#{key}"),
        }
    }
}
