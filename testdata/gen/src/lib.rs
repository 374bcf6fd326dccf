//! Library side of kubetriage-testgen: seeded keys, certificate building, Kubernetes
//! object writers, log formats and the bundle generators. Per-rule fixture generators can
//! reuse [`certs::Ca`], [`keys::Key`], [`kube`] and [`tree::Tree`].

pub mod archive;
pub mod big;
pub mod certs;
pub mod distros;
pub mod external_ca;
pub mod ha;
pub mod incident;
pub mod keys;
pub mod kube;
pub mod kubeadm;
pub mod logs;
pub mod malformed;
pub mod ojson;
pub mod pem;
pub mod rke2_ip;
pub mod rotation_off;
pub mod rules_node;
pub mod same_dn;
pub mod secrets;
pub mod shapes;
pub mod sosreport;
pub mod tree;
pub mod troubleshoot;
pub mod two_nodes;
pub mod yaml;
