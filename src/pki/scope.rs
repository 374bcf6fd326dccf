//! Whose CA a CA certificate is: the cluster's (its rotation is the manual CA rotation
//! procedure) or a single component's own (the kubelet's self-signed serving CA, a webhook's
//! or a workload's CA kept in its own Secret), which is renewed where it lives instead.

use crate::model::Location;
use crate::pki::cert::CertRecord;
use crate::pki::graph::Graph;

/// The host part of a name shaped like the throwaway CA a kubelet creates for its
/// self-signed serving pair (`<host>-ca@<unix time>`).
fn throwaway_ca_host(cn: &str) -> Option<&str> {
    cn.rsplit_once("-ca@")
        .filter(|(host, stamp)| {
            !host.is_empty() && !stamp.is_empty() && stamp.bytes().all(|b| b.is_ascii_digit())
        })
        .map(|(host, _)| host)
}

/// Whether certificate `i` is the throwaway CA a kubelet makes for its self-signed serving
/// pair: proven by what it signed, not by its name alone. The kubelet names the CA
/// `<host>-ca@<unix time>` and the leaf `<host>@<unix time>` (client-go `certutil.
/// GenerateSelfSignedCertKeyWithFixtures`), and the CA signs nothing else. k3s and RKE2 name
/// their cluster CAs the same way (`k3s-server-ca@1733…`) but sign the apiserver's and every
/// component's certificates with them.
pub fn is_kubelet_throwaway_ca(certs: &[CertRecord], graph: &Graph, i: usize) -> bool {
    let Some(host) = certs
        .get(i)
        .filter(|c| c.is_ca)
        .and_then(|c| throwaway_ca_host(c.name()))
    else {
        return false;
    };
    let mut signed = (0..certs.len())
        .filter(|&j| j != i && graph.parents(j).any(|p| p == i))
        .peekable();
    signed.peek().is_some()
        && signed.all(|j| {
            // client-go names the pair `<host>@<unix time>`; a hand-made or older one just
            // `<host>` (newuser round 9, case 3).
            let rest = certs[j].name().strip_prefix(host);
            rest == Some("")
                || rest
                    .and_then(|r| r.strip_prefix('@'))
                    .is_some_and(|stamp| !stamp.is_empty() && stamp.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// Whether CA `i` is a component's own CA rather than a cluster CA: the kubelet's
/// self-signed serving CA, or a CA found only in Secrets/ConfigMaps outside `kube-system`
/// (a webhook's or a workload's) or only in the kubelet's own folder.
pub fn is_own_ca(certs: &[CertRecord], graph: &Graph, i: usize) -> bool {
    let Some(c) = certs.get(i).filter(|c| c.is_ca) else {
        return false;
    };
    if is_kubelet_throwaway_ca(certs, graph, i) {
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
        assert_eq!(throwaway_ca_host("cp-1-ca@1768035660"), Some("cp-1"));
        assert_eq!(throwaway_ca_host("kubernetes"), None);
        assert_eq!(throwaway_ca_host("etcd-ca"), None);
        assert_eq!(throwaway_ca_host("x-ca@"), None);
    }
}
