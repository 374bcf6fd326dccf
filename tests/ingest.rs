//! Ingestion: the same tree as a directory, a tar and a tar.gz gives the same snapshot;
//! nodes, objects, kubeconfigs, symlinks and nested archives are read; malformed and hostile
//! inputs become input problems naming the path and never stop the rest.

#![allow(clippy::unwrap_used)] // tests may panic

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::write::GzEncoder;
use kubetriage::Options;
use kubetriage::bundle::Limits;
use kubetriage::catalog::Catalog;
use kubetriage::engine::Stats;
use kubetriage::ingest as build;
use kubetriage::snapshot::{Location, Snapshot};
use rcgen::{CertificateParams, DnType, IsCa, KeyPair};

/// One file or symlink of a test tree.
enum E {
    F(Vec<u8>),
    L(String),
}

type Tree = BTreeMap<String, E>;

struct Pki {
    ca_pem: String,
    ca_key_pem: String,
    leaf_pem: String,
    leaf_key_pem: String,
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name.push(DnType::CommonName, "kubernetes");
    ca.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.not_before = rcgen::date_time_ymd(2024, 1, 1);
    ca.not_after = rcgen::date_time_ymd(2034, 1, 1);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec!["node-1".to_string()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "system:node:node-1");
    leaf.not_before = rcgen::date_time_ymd(2024, 1, 1);
    leaf.not_after = rcgen::date_time_ymd(2025, 1, 1);
    let issuer = rcgen::Issuer::from_params(&ca, &ca_key);
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        ca_key_pem: ca_key.serialize_pem(),
        leaf_pem: leaf_cert.pem(),
        leaf_key_pem: leaf_key.serialize_pem(),
    }
}

fn b64(s: &str) -> String {
    STANDARD.encode(s.as_bytes())
}

fn indent(s: &str, n: usize) -> String {
    s.lines().map(|l| format!("{}{l}\n", " ".repeat(n))).collect()
}

/// A two-node bundle with cluster dumps and a few broken files.
fn tree(p: &Pki) -> Tree {
    let mut t = Tree::new();
    let mut f = |path: &str, data: &str| {
        t.insert(path.to_string(), E::F(data.as_bytes().to_vec()));
    };
    f("n1/etc/hostname", "master-01\n");
    f("n1/etc/kubernetes/pki/ca.crt", &p.ca_pem);
    f("n1/etc/kubernetes/pki/ca.key", &p.ca_key_pem);
    f(
        "n1/etc/kubernetes/kubeconfig",
        &format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: local\n  cluster:\n    server: https://10.0.0.1:6443\n    certificate-authority-data: {}\nusers:\n- name: kubelet\n  user:\n    client-certificate-data: {}\n    client-key-data: {}\ncontexts:\n- name: c\n  context:\n    cluster: local\n    user: kubelet\ncurrent-context: c\n",
            b64(&p.ca_pem),
            b64(&p.leaf_pem),
            b64(&p.leaf_key_pem)
        ),
    );
    f(
        "n1/etc/kubernetes/kubelet.conf",
        "apiVersion: v1\nkind: Config\nclusters:\n- name: local\n  cluster:\n    server: https://10.0.0.1:6443\n    certificate-authority: /etc/kubernetes/pki/ca.crt\nusers:\n- name: default-auth\n  user:\n    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem\n    client-key: /var/lib/kubelet/pki/kubelet-client-current.pem\n",
    );
    f(
        "n1/var/lib/kubelet/pki/kubelet-client-2024-01-01-00-00-00.pem",
        &format!("{}{}", p.leaf_pem, p.leaf_key_pem),
    );
    f(
        "n1/etc/kubernetes/manifests/kube-apiserver.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\n  namespace: kube-system\nspec:\n  hostNetwork: true\n  containers:\n  - name: kube-apiserver\n    command:\n    - kube-apiserver\n    - --client-ca-file=/etc/kubernetes/pki/ca.crt\n    - --etcd-servers=https://127.0.0.1:2379\n",
    );
    f(
        "n1/etc/kubernetes/inactive-manifests/kube-system-kube-apiserver.json",
        r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"kube-apiserver","namespace":"kube-system","creationTimestamp":null},"spec":{"containers":[{"name":"a","command":["kube-apiserver"],"args":null}]}}"#,
    );
    f(
        "n1/etc/kubernetes/checkpoint-secrets/kube-system/kube-apiserver-abc/kube-apiserver/ca.crt",
        &p.ca_pem,
    );
    f(
        "n1/run/flannel/subnet.env",
        "FLANNEL_NETWORK=10.244.0.0/16\nFLANNEL_SUBNET=10.244.0.1/24\nFLANNEL_MTU=1450\n",
    );
    f(
        "n1/etc/kubernetes/cni/net.d/10-flannel.conflist",
        r#"{"name":"cbr0","plugins":[{"type":"flannel"},{"type":"portmap"}]}"#,
    );
    f(
        "n1/etc/systemd/system/kubelet.service",
        "[Service]\nEnvironment=\"A=1\" \"B=2\"\nExecStart=/usr/bin/kubelet \\\n  --kubeconfig=/etc/kubernetes/kubeconfig \\\n  --client-ca-file=/etc/kubernetes/ca.crt\n",
    );
    f(
        "n1/var/lib/kubelet/config.yaml",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nclientCAFile: /etc/kubernetes/pki/ca.crt\n",
    );
    f(
        "n1/var/log/journal/kubelet.txt",
        "Nov 21 09:00:00 master-01 kubelet[1]: E1121 09:00:00.000000 1 x.go:1] open /run/flannel/subnet.env: no such file or directory\n",
    );
    f(
        "n1/etc/kubernetes/pki/bad.crt",
        "-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----\n",
    );
    f(
        "n2/etc/kubernetes/kubelet.conf",
        "apiVersion: v1\nkind: Config\nclusters: 7\n",
    );
    f(
        "n2/var/log/pods/kube-system_x_1/c/0.log",
        "2024-01-01T00:00:00.000000000Z stderr F hello\n",
    );
    f(
        "cluster/all.yaml",
        &format!(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: kube-apiserver\n    namespace: kube-system\n  type: Opaque\n  data:\n    ca.crt: {}\n    apiserver.key: {}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: kube-root-ca.crt\n    namespace: default\n  data:\n    ca.crt: |\n{}- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: kube-dns-1\n    namespace: kube-system\n  spec:\n    nodeName: node02\n  status:\n    phase: Pending\n",
            b64(&p.ca_pem),
            b64(&p.leaf_key_pem),
            indent(&p.ca_pem, 6)
        ),
    );
    f(
        "cluster/secrets.json",
        &format!(
            r#"{{"apiVersion":"v1","items":[{{"apiVersion":"v1","kind":"Secret","metadata":{{"name":"default-token-x","namespace":"kube-system","annotations":{{"kubernetes.io/service-account.name":"default"}}}},"type":"kubernetes.io/service-account-token","data":{{"ca.crt":"{}","token":"{}"}}}},{{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"kube-scheduler","namespace":"kube-system"}},"spec":{{"replicas":1,"template":{{"spec":{{"containers":[{{"name":"s"}}]}}}}}}}}],"kind":"List","metadata":{{"resourceVersion":""}}}}"#,
            b64(&p.ca_pem),
            b64("secret-token-value")
        ),
    );
    f(
        "cluster/multi.yaml",
        "---\napiVersion: v1\nkind: Node\nmetadata:\n  name: master-01\nspec:\n  taints:\n  - key: node-role.kubernetes.io/master\n    effect: NoSchedule\n---\napiVersion: v1\nkind: Event\nmetadata:\n  name: e1\n  namespace: kube-system\ninvolvedObject:\n  kind: Pod\n  name: kube-dns-1\nreason: FailedScheduling\nmessage: no nodes available\ntype: Warning\n",
    );
    f("cluster/bad.yaml", "kind: ConfigMap\ndata: [unclosed\n");
    t.insert(
        "cluster/junk.json".to_string(),
        E::F(vec![0x7b, 0xff, 0x00, 0x13, 0x80, 0x22, 0x5c]),
    );
    t.insert(
        "n1/var/lib/kubelet/pki/kubelet-client-current.pem".to_string(),
        E::L("kubelet-client-2024-01-01-00-00-00.pem".to_string()),
    );
    t
}

fn write_dir(root: &Path, t: &Tree) {
    for (p, e) in t {
        let dest = root.join(p);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        match e {
            E::F(d) => std::fs::write(&dest, d).unwrap(),
            E::L(target) => std::os::unix::fs::symlink(target, &dest).unwrap(),
        }
    }
}

fn tar_bytes(t: &Tree, prefix: &str) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (p, e) in t {
        let name = if prefix.is_empty() {
            p.clone()
        } else {
            format!("{prefix}/{p}")
        };
        let mut h = tar::Header::new_gnu();
        // 2024-01-02: after the tree's newest log line, as a real archive's mtimes are.
        h.set_mtime(1_704_153_600);
        h.set_mode(0o644);
        match e {
            E::F(d) => {
                h.set_size(d.len() as u64);
                h.set_entry_type(tar::EntryType::Regular);
                b.append_data(&mut h, &name, d.as_slice()).unwrap();
            }
            E::L(target) => {
                h.set_size(0);
                h.set_entry_type(tar::EntryType::Symlink);
                b.append_link(&mut h, &name, target).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn snapshot(path: &Path, limits: Limits) -> Snapshot {
    let catalog = Catalog::builtin().unwrap();
    let opts = Options {
        limits,
        ..Options::default()
    };
    build::from_source(path, &catalog, &opts, &mut Stats::default()).unwrap()
}

/// Everything comparable about a snapshot, as text.
fn digest(s: &Snapshot) -> String {
    let mut out = String::new();
    for n in &s.nodes {
        out += &format!("node {} {}\n", n.name, n.root);
    }
    for (p, f) in &s.files {
        out += &format!(
            "file {p} {:?} {} {:?} {:?}\n",
            f.node,
            f.size,
            f.sha256.map(|h| h.hex()),
            f.link_target
        );
    }
    for c in &s.certs.certs {
        out += &format!("cert {} {:?}\n", c.fingerprint.hex(), c.locations);
    }
    for k in &s.keys.keys {
        out += &format!("key {:?} {} {:?}\n", k.key_id, k.private, k.locations);
    }
    for p in &s.pods {
        out += &format!(
            "pod {} {:?} {:?} {}\n",
            p.path, p.origin, p.node, p.pod.metadata.name
        );
    }
    for x in &s.secrets {
        out += &format!(
            "secret {} {} {:?}\n",
            x.path,
            x.object,
            x.data.keys().collect::<Vec<_>>()
        );
    }
    for x in &s.configmaps {
        out += &format!("configmap {} {}\n", x.path, x.object);
    }
    for k in &s.kubeconfigs {
        out += &format!(
            "kubeconfig {} users={} clusters={}\n",
            k.path,
            k.users.len(),
            k.clusters.len()
        );
    }
    for p in &s.problems {
        out += &format!("problem {} {}\n", p.path, p.error);
    }
    out
}

struct Fixture {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    tar: PathBuf,
    tgz: PathBuf,
}

fn fixture() -> Fixture {
    let p = pki();
    let t = tree(&p);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    write_dir(&dir, &t);
    let raw = tar_bytes(&t, "b");
    let tar = tmp.path().join("bundle.tar");
    std::fs::write(&tar, &raw).unwrap();
    // The extension lies: the reader goes by magic bytes.
    let tgz = tmp.path().join("bundle.data");
    std::fs::write(&tgz, gz(&raw)).unwrap();
    Fixture {
        _dir: tmp,
        dir,
        tar,
        tgz,
    }
}

#[test]
fn dir_tar_and_tar_gz_give_the_same_snapshot() {
    let fx = fixture();
    let d = digest(&snapshot(&fx.dir, Limits::default()));
    let t = digest(&snapshot(&fx.tar, Limits::default()));
    let g = digest(&snapshot(&fx.tgz, Limits::default()));
    assert_eq!(d, t);
    assert_eq!(d, g);
    assert!(d.contains("cert "), "{d}");
}

#[test]
fn nodes_are_found_and_kept_apart() {
    let fx = fixture();
    let s = snapshot(&fx.tgz, Limits::default());
    let nodes: Vec<_> = s
        .nodes
        .iter()
        .map(|n| (n.name.as_str(), n.root.as_str()))
        .collect();
    assert_eq!(nodes, vec![("master-01", "b/n1/"), ("n2", "b/n2/")]);
    assert_eq!(s.files["b/n2/etc/kubernetes/kubelet.conf"].node, Some(1));
    assert_eq!(s.files["b/n1/run/flannel/subnet.env"].node, Some(0));
    assert_eq!(s.files["b/cluster/all.yaml"].node, None);
    assert_eq!(s.flannel_env.len(), 1);
    assert_eq!(s.flannel_env[0].node, Some(0));
    assert_eq!(s.flannel_env[0].values["FLANNEL_MTU"], "1450");
    assert_eq!(s.cni_configs[0].plugin_types, ["flannel", "portmap"]);
    assert_eq!(s.units[0].unit, "kubelet.service");
    assert_eq!(s.units[0].exec_start.len(), 3);
    assert_eq!(s.units[0].environment["B"], "2");
    assert_eq!(s.kubelet_configs.len(), 1);
}

#[test]
fn objects_are_decoded_and_indexed() {
    let fx = fixture();
    let s = snapshot(&fx.dir, Limits::default());
    let names: Vec<String> = s.secrets.iter().map(|x| x.object.to_string()).collect();
    assert_eq!(
        names,
        [
            "kube-system/Secret/kube-apiserver",
            "kube-system/Secret/default-token-x"
        ]
    );
    assert_eq!(s.secrets[1].data["token"], b"secret-token-value");
    assert_eq!(
        s.configmaps[0].object.to_string(),
        "default/ConfigMap/kube-root-ca.crt"
    );
    assert_eq!(s.workloads.len(), 1);
    assert_eq!(s.k8s_nodes.len(), 1);
    assert_eq!(s.events.len(), 1);
    // The CA appears in a file, a kubeconfig, a checkpoint copy, two Secrets and a ConfigMap.
    let ca = s
        .certs
        .certs
        .iter()
        .find(|c| c.common_name.as_deref() == Some("kubernetes"))
        .unwrap();
    let shown: Vec<String> = ca.locations.iter().map(ToString::to_string).collect();
    for want in [
        "b/n1/etc/kubernetes/pki/ca.crt",
        "b/n1/etc/kubernetes/kubeconfig (clusters[local].certificate-authority-data)",
        "b/n1/etc/kubernetes/checkpoint-secrets/kube-system/kube-apiserver-abc/kube-apiserver/ca.crt",
        "kube-system/Secret/kube-apiserver#ca.crt",
        "kube-system/Secret/default-token-x#ca.crt",
        "default/ConfigMap/kube-root-ca.crt#ca.crt",
    ] {
        assert!(shown.iter().any(|l| l == want), "{want} missing from {shown:?}");
    }
    let pods: Vec<_> = s
        .pods
        .iter()
        .map(|p| (p.pod.metadata.name.as_str(), format!("{:?}", p.origin), p.node))
        .collect();
    assert!(
        pods.contains(&("kube-apiserver", "StaticManifest".to_string(), Some(0))),
        "{pods:?}"
    );
    assert!(
        pods.contains(&("kube-apiserver", "InactiveCheckpoint".to_string(), Some(0))),
        "{pods:?}"
    );
    assert!(
        pods.contains(&("kube-dns-1", "Dump".to_string(), None)),
        "{pods:?}"
    );
    let apiserver = s
        .pods
        .iter()
        .find(|p| p.origin == kubetriage::artifact::PodOrigin::StaticManifest)
        .unwrap();
    assert_eq!(
        apiserver.pod.spec.containers[0].flags()["client-ca-file"],
        "/etc/kubernetes/pki/ca.crt"
    );
}

#[test]
fn kubeconfigs_embedded_data_and_file_refs() {
    let fx = fixture();
    let s = snapshot(&fx.tar, Limits::default());
    let kc = s
        .kubeconfigs
        .iter()
        .find(|k| k.path == "b/n1/etc/kubernetes/kubeconfig")
        .unwrap();
    assert_eq!(kc.current_context, "c");
    assert!(kc.users[0].cert_data.is_some() && kc.users[0].key_data.is_some());
    let leaf_at = Location::Kubeconfig {
        path: kc.path.clone(),
        field: "users[kubelet].client-certificate-data".to_string(),
    };
    assert_eq!(s.certs.at(&leaf_at).count(), 1);
    let conf = s
        .kubeconfigs
        .iter()
        .find(|k| k.path == "b/n1/etc/kubernetes/kubelet.conf")
        .unwrap();
    assert_eq!(
        conf.users[0].cert_file.as_deref(),
        Some("/var/lib/kubelet/pki/kubelet-client-current.pem")
    );
    assert_eq!(
        conf.clusters[0].ca_file.as_deref(),
        Some("/etc/kubernetes/pki/ca.crt")
    );
}

#[test]
fn kubelet_current_symlink_resolves_inside_the_bundle() {
    let fx = fixture();
    for src in [&fx.dir, &fx.tgz] {
        let s = snapshot(src, Limits::default());
        let got = s.resolve(Some(0), "/var/lib/kubelet/pki/kubelet-client-current.pem");
        let want = "b/n1/var/lib/kubelet/pki/kubelet-client-2024-01-01-00-00-00.pem";
        assert_eq!(got.as_deref(), Some(want));
        let file = Location::File {
            path: want.to_string(),
        };
        assert_eq!(s.certs.at(&file).count(), 1);
    }
}

#[test]
fn malformed_files_are_problems_and_the_rest_is_read() {
    let fx = fixture();
    let s = snapshot(&fx.tgz, Limits::default());
    let problem = |path: &str| {
        s.problems
            .iter()
            .find(|p| p.path == path)
            .map(|p| p.error.clone())
    };
    assert!(
        problem("b/n1/etc/kubernetes/pki/bad.crt")
            .unwrap()
            .contains("base64")
    );
    assert!(problem("b/cluster/bad.yaml").unwrap().contains("yaml"));
    assert!(problem("b/cluster/junk.json").is_some());
    assert!(
        problem("b/n2/etc/kubernetes/kubelet.conf")
            .unwrap()
            .contains("not a list")
    );
}

#[test]
fn nested_archives_are_opened_with_their_path_as_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let mut inner = Tree::new();
    inner.insert("etc/hostname".into(), E::F(b"worker-3\n".to_vec()));
    inner.insert(
        "etc/kubernetes/kubelet.conf".into(),
        E::F(b"apiVersion: v1\nkind: Config\n".to_vec()),
    );
    let mut deepest = Tree::new();
    deepest.insert("x/etc/kubernetes/a.yaml".into(), E::F(b"kind: Pod\n".to_vec()));
    inner.insert("more.tar".into(), E::F(tar_bytes(&deepest, "")));
    let mut outer = Tree::new();
    outer.insert("logs/node3.tar.gz".into(), E::F(gz(&tar_bytes(&inner, ""))));
    outer.insert(
        "logs/kubelet.log.1.gz".into(),
        E::F(gz(b"I0101 00:00:00.000000 1 a.go:1] hi\n")),
    );
    let dir = tmp.path().join("sb");
    write_dir(&dir, &outer);
    let s = snapshot(&dir, Limits::default());
    assert!(
        s.files
            .contains_key("sb/logs/node3.tar.gz/etc/kubernetes/kubelet.conf"),
        "{:?}",
        s.files.keys()
    );
    assert!(
        s.files
            .contains_key("sb/logs/node3.tar.gz/more.tar/x/etc/kubernetes/a.yaml")
    );
    assert!(s.files.contains_key("sb/logs/kubelet.log.1.gz"));
    let names: Vec<_> = s.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["worker-3", "x"]);
    // The same outer tree as a tar.gz gives the same paths below its own prefix.
    let tgz = tmp.path().join("sb.tgz");
    std::fs::write(&tgz, gz(&tar_bytes(&outer, "sb"))).unwrap();
    let t = snapshot(&tgz, Limits::default());
    assert_eq!(
        s.files.keys().collect::<Vec<_>>(),
        t.files.keys().collect::<Vec<_>>()
    );
    // Depth is capped.
    let capped = snapshot(
        &tgz,
        Limits {
            max_nesting: 1,
            ..Limits::default()
        },
    );
    assert!(
        capped.problems.iter().any(|p| p.error.contains("max_nesting")),
        "{:?}",
        capped.problems
    );
}

/// A raw tar header whose name is written as is (the tar crate refuses `..` names).
fn raw_entry(name: &[u8], data: &[u8]) -> Vec<u8> {
    let mut h = tar::Header::new_old();
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_cksum();
    let mut out = h.as_bytes().to_vec();
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out
}

#[test]
fn hostile_names_devices_and_duplicates() {
    let tmp = tempfile::tempdir().unwrap();
    let mut raw = Vec::new();
    raw.extend(raw_entry(b"../escape/etc/hostname", b"evil\n"));
    raw.extend(raw_entry(b"/etc/passwd", b"root:x:0:0\n"));
    raw.extend(raw_entry(b"a/etc/kubernetes/x.yaml", b"kind: A\n"));
    raw.extend(raw_entry(b"a/etc/kubernetes/x.yaml", b"kind: B\n"));
    let mut dev = tar::Header::new_gnu();
    dev.set_path("a/dev/sda").unwrap();
    dev.set_entry_type(tar::EntryType::Block);
    dev.set_size(0);
    dev.set_cksum();
    raw.extend(dev.as_bytes());
    raw.extend([0u8; 1024]);
    raw.extend(b"trailing garbage");
    let path = tmp.path().join("hostile.tar");
    std::fs::write(&path, &raw).unwrap();
    let s = snapshot(&path, Limits::default());
    assert!(
        s.files.contains_key("escape/etc/hostname"),
        "{:?} {:?}",
        s.files.keys(),
        s.problems
    );
    assert!(s.files.contains_key("etc/passwd"));
    let by_path = |p: &str| {
        s.problems
            .iter()
            .filter(|x| x.path == p)
            .map(|x| x.error.clone())
            .collect::<Vec<_>>()
    };
    assert!(by_path("escape/etc/hostname")[0].contains("outside the bundle"));
    assert!(by_path("etc/passwd")[0].contains("outside the bundle"));
    assert!(by_path("a/etc/kubernetes/x.yaml")[0].contains("duplicate"));
    assert!(by_path("a/dev/sda")[0].contains("device"));
    assert!(
        s.problems.iter().any(|p| p.error.contains("trailing data")),
        "{:?}",
        s.problems
    );
}

#[test]
fn truncated_gzip_keeps_what_came_before() {
    let p = pki();
    let t = tree(&p);
    let whole = gz(&tar_bytes(&t, "b"));
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("cut.tar.gz");
    std::fs::write(&path, &whole[..whole.len() * 2 / 3]).unwrap();
    let s = snapshot(&path, Limits::default());
    let label = path.display().to_string();
    let p = s
        .problems
        .iter()
        .find(|p| p.path == label)
        .expect("a problem naming the archive");
    assert!(p.error.contains("ends early"), "{p:?}");
    assert!(s.files.len() > 3, "entries before the cut are kept");
    assert!(s.files.contains_key("b/cluster/all.yaml"));
    // Trailing garbage after a complete gzip stream.
    let mut junk = whole.clone();
    junk.extend(b"garbage after the end");
    std::fs::write(&path, &junk).unwrap();
    let s = snapshot(&path, Limits::default());
    assert!(s.problems.iter().any(|p| p.path == label), "{:?}", s.problems);
    assert!(!s.certs.certs.is_empty());
}

#[test]
fn gzip_bomb_is_capped_by_max_total_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let mut t = Tree::new();
    t.insert(
        "a/etc/kubernetes/pki/ca.crt".into(),
        E::F(b"-----BEGIN CERTIFICATE-----\n".to_vec()),
    );
    t.insert("a/var/log/zeros.log".into(), E::F(vec![b'a'; 16 << 20]));
    let path = tmp.path().join("bomb.tar.gz");
    let bytes = gz(&tar_bytes(&t, ""));
    assert!(bytes.len() < 1 << 20);
    std::fs::write(&path, bytes).unwrap();
    let started = std::time::Instant::now();
    let s = snapshot(
        &path,
        Limits {
            max_total_bytes: 1 << 20,
            ..Limits::default()
        },
    );
    assert!(started.elapsed().as_secs() < 20);
    assert!(
        s.problems.iter().any(|p| p.error.contains("max_total_bytes")),
        "{:?}",
        s.problems
    );
    assert!(s.files.contains_key("a/etc/kubernetes/pki/ca.crt"));
}

#[test]
fn yaml_bombs_and_big_entries_are_problems() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("y");
    let mut lol =
        String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (i, c) in ('b'..='i').enumerate() {
        let prev = char::from(b'a' + i as u8);
        lol +=
            &format!("{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n");
    }
    let mut t = Tree::new();
    t.insert("cluster/lol.yaml".into(), E::F(lol.into_bytes()));
    t.insert("cluster/deep.json".into(), E::F("[".repeat(100_000).into_bytes()));
    t.insert(
        "cluster/big.yaml".into(),
        E::F(format!("kind: ConfigMap\ndata:\n  x: \"{}\"\n", "a".repeat(300_000)).into_bytes()),
    );
    write_dir(&dir, &t);
    let s = snapshot(
        &dir,
        Limits {
            max_entry_bytes: 200_000,
            ..Limits::default()
        },
    );
    let err = |p: &str| {
        s.problems
            .iter()
            .find(|x| x.path == p)
            .map(|x| x.error.clone())
            .unwrap_or_default()
    };
    assert!(err("y/cluster/lol.yaml").contains("yaml"), "{:?}", s.problems);
    assert!(err("y/cluster/deep.json").contains("json"), "{:?}", s.problems);
    assert!(
        err("y/cluster/big.yaml").contains("max_entry_bytes"),
        "{:?}",
        s.problems
    );
}

#[test]
fn directory_symlinks_out_of_the_root_and_loops_are_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.yaml"), "kind: Secret\n").unwrap();
    let dir = tmp.path().join("d");
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("a/out")).unwrap();
    std::os::unix::fs::symlink("../a", dir.join("a/loop")).unwrap();
    std::fs::write(dir.join("a/x.yaml"), "kind: ConfigMap\nmetadata:\n  name: x\n").unwrap();
    let s = snapshot(&dir, Limits::default());
    assert!(
        s.files.keys().all(|p| !p.contains("secret.yaml")),
        "{:?}",
        s.files.keys()
    );
    assert_eq!(s.files["d/a/loop"].link_target.as_deref(), Some("../a"));
    assert!(
        s.resolve(None, "d/a/loop/loop/loop/loop/loop/loop/loop/loop/loop/x.yaml")
            .is_none()
    );
    assert_eq!(s.configmaps.len(), 1);
}

/// The JSON report of `path` judged at a fixed instant, without its `source` line.
fn report_json(path: &Path) -> String {
    let catalog = Catalog::builtin().unwrap();
    let opts = Options {
        now: Some(time::macros::datetime!(2026-11-21 09:30 UTC)),
        ..Options::default()
    };
    let analysis = kubetriage::analyze(path, &catalog, &opts).unwrap();
    let mut out = Vec::new();
    kubetriage::report::render(&[analysis], kubetriage::report::Format::Json, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    text.lines()
        .filter(|l| !l.contains("\"source\""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn testdata_dirs_and_their_tar_gz_give_identical_reports() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/bundles");
    for name in ["incident-replay", "two-nodes", "malformed", "kubeadm-healthy"] {
        let dir = root.join(name);
        if !dir.exists() {
            continue;
        }
        let a = report_json(&dir);
        let b = report_json(&root.join(format!("{name}.tar.gz")));
        assert_eq!(a, b, "{name}");
        let d = digest(&snapshot(&dir, Limits::default()));
        let t = digest(&snapshot(&root.join(format!("{name}.tar.gz")), Limits::default()));
        assert_eq!(d, t, "{name}");
    }
}

#[test]
fn testdata_two_nodes_are_named_from_their_hostnames() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/bundles/two-nodes.tar.gz");
    if !path.exists() {
        return;
    }
    let s = snapshot(&path, Limits::default());
    let nodes: Vec<_> = s
        .nodes
        .iter()
        .map(|n| (n.name.as_str(), n.root.as_str()))
        .collect();
    assert_eq!(
        nodes,
        vec![("cp-1", "two-nodes/cp-1/"), ("worker-1", "two-nodes/worker-1/")]
    );
}

/// The same tree as a zip (deflated, with a symlink), a tar.bz2 and a tar.zst: the reader
/// goes by magic bytes, and every format gives the snapshot the folder gives.
#[test]
fn zip_bzip2_and_zstd_give_the_same_snapshot() {
    use zip::write::SimpleFileOptions;
    let p = pki();
    let t = tree(&p);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("b");
    write_dir(&dir, &t);
    let raw = tar_bytes(&t, "b");
    let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (path, e) in &t {
        let name = format!("b/{path}");
        match e {
            E::F(d) => {
                zw.start_file(name, opts).unwrap();
                zw.write_all(d).unwrap();
            }
            E::L(target) => zw.add_symlink(name, target, opts).unwrap(),
        }
    }
    let zipped = zw.finish().unwrap().into_inner();
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    bz.write_all(&raw).unwrap();
    let bz = bz.finish().unwrap();
    let zst = ruzstd::encoding::compress_to_vec(raw.as_slice(), ruzstd::encoding::CompressionLevel::Fastest);
    let want = digest(&snapshot(&dir, Limits::default()));
    // Names lie on purpose: content decides.
    for (name, bytes) in [("a.zip.data", zipped), ("b.bz.data", bz), ("c.zst.data", zst)] {
        let path = tmp.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(digest(&snapshot(&path, Limits::default())), want, "{name}");
    }
}

/// A tar.gz inside a zip, and a zip inside a tar.bz2, are opened in place.
#[test]
fn archives_of_every_format_nest() {
    use zip::write::SimpleFileOptions;
    let inner = gz(&tar_bytes(
        &BTreeMap::from([(
            "etc/kubernetes/pki/ca.crt".to_string(),
            E::F(b"not a cert".to_vec()),
        )]),
        "",
    ));
    let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zw.start_file("node1.tar.gz", SimpleFileOptions::default())
        .unwrap();
    zw.write_all(&inner).unwrap();
    let zipped = zw.finish().unwrap().into_inner();
    let mut outer = BTreeMap::new();
    outer.insert("nodes.zip".to_string(), E::F(zipped));
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    bz.write_all(&tar_bytes(&outer, "top")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("outer.tar.bz2");
    std::fs::write(&path, bz.finish().unwrap()).unwrap();
    let snap = snapshot(&path, Limits::default());
    let want = "top/nodes.zip/node1.tar.gz/etc/kubernetes/pki/ca.crt";
    assert!(
        snap.files.contains_key(want),
        "{:?}",
        snap.files.keys().collect::<Vec<_>>()
    );
}

/// A zip's central directory is loaded whole before any entry is read, so a zip that
/// declares more entries than `max_entries` is refused up front (classic and ZIP64 end
/// records), with a problem, instead of taking memory per declared entry.
#[test]
fn zip_declaring_more_entries_than_max_entries_is_not_opened() {
    use zip::write::SimpleFileOptions;
    let tmp = tempfile::tempdir().unwrap();
    // 70,000 entries: past 65,535 the writer switches to ZIP64 end records.
    for (name, n) in [("few.zip", 50u32), ("many.zip", 70_000)] {
        let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for i in 0..n {
            zw.start_file(format!("n/{i:06}.log"), opts).unwrap();
        }
        let path = tmp.path().join(name);
        std::fs::write(&path, zw.finish().unwrap().into_inner()).unwrap();
        let s = snapshot(
            &path,
            Limits {
                max_entries: 40,
                ..Limits::default()
            },
        );
        let said: Vec<_> = s.problems.iter().map(|p| p.error.clone()).collect();
        assert!(
            said.iter()
                .any(|e| e.contains(&format!("declares {n} entries, over max_entries (40)"))),
            "{name}: {said:?}"
        );
        assert!(s.files.is_empty(), "{name}: nothing is read");
        // Under the limit, the same archive is read.
        let s = snapshot(
            &path,
            Limits {
                max_entries: 100_000,
                ..Limits::default()
            },
        );
        assert!(
            !s.problems.iter().any(|p| p.error.contains("declares")),
            "{name}: {:?}",
            s.problems
        );
    }
}
