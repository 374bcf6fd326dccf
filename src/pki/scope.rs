//! Whose CA a CA certificate is: the cluster's (its rotation is the manual CA rotation
//! procedure) or a single component's own (the kubelet's self-signed serving CA, a webhook's
//! or a workload's CA kept in its own Secret), which is renewed where it lives instead.

use crate::pki::cert::CertRecord;
use crate::snapshot::Location;

/// Whether `cn` names the throwaway CA a kubelet creates for its self-signed serving pair
/// (`<host>-ca@<unix time>`).
pub fn is_kubelet_self_signed_ca(cn: &str) -> bool {
    cn.rsplit_once("-ca@").is_some_and(|(host, stamp)| {
        !host.is_empty() && !stamp.is_empty() && stamp.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Whether CA `c` is a component's own CA rather than a cluster CA: the kubelet's
/// self-signed serving CA, or a CA found only in Secrets/ConfigMaps outside `kube-system`
/// (a webhook's or a workload's) or only in the kubelet's own folder.
pub fn is_own_ca(c: &CertRecord) -> bool {
    if !c.is_ca {
        return false;
    }
    if is_kubelet_self_signed_ca(c.name()) {
        return true;
    }
    !c.locations.is_empty()
        && c.locations.iter().all(|l| match l {
            Location::Object { object, .. } => object.namespace != "kube-system",
            Location::File { path } => path.contains("var/lib/kubelet/pki/"),
            Location::Kubeconfig { .. } => false,
        })
}

/// Whether leaf `c` is a workload's certificate: held only in Secrets/ConfigMaps outside
/// `kube-system` (an Ingress's or an application's TLS Secret).
pub fn is_workload_cert(c: &CertRecord) -> bool {
    !c.is_ca
        && !c.locations.is_empty()
        && c.locations
            .iter()
            .all(|l| matches!(l, Location::Object { object, .. } if object.namespace != "kube-system"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubelet_ca_names() {
        assert!(is_kubelet_self_signed_ca("cp-1-ca@1768035660"));
        assert!(!is_kubelet_self_signed_ca("kubernetes"));
        assert!(!is_kubelet_self_signed_ca("etcd-ca"));
        assert!(!is_kubelet_self_signed_ca("x-ca@"));
    }
}
