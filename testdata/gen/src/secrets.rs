//! The `secrets-everywhere` bundle: one node and a cluster dump holding every kind of secret
//! a support bundle carries, each in the places it really turns up, and the same values
//! pasted into log lines that the log rules match (so they reach samples and captures).
//! `expectations.json` lists every value under `secrets`: the leak test searches every
//! report for each of them.

use anyhow::Result;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

use crate::certs::{Ca, CertSpec, validity};
use crate::keys::{Key, KeyKind, seeded_bytes};
use crate::kube::{self, KubeUser};
use crate::logs::{Sev, cri, join, klog, rfc3339};
use crate::tree::Tree;

pub const CAPTURE: OffsetDateTime = datetime!(2026-03-10 08:00:00 UTC);

/// `n` characters of `alphabet` derived from `seed`.
fn token(seed: &str, alphabet: &[u8], n: usize) -> String {
    seeded_bytes(&format!("secrets/{seed}"), n)
        .iter()
        .map(|b| char::from(alphabet[usize::from(*b) % alphabet.len()]))
        .collect()
}

const UPPER_DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B64ISH: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";
const AZURE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789~._-";
const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// The whole `secrets-everywhere` bundle.
pub fn bundle() -> Result<(Tree, Value)> {
    let mut t = Tree::new();
    let mut secrets = Map::new();
    let mut keep = |name: &str, value: &str| {
        secrets.insert(name.to_owned(), json!(value));
    };
    let at = |m: i64| CAPTURE - time::Duration::minutes(m);

    let ca = Ca::new(
        "secrets/ca",
        CertSpec::ca("kubernetes", validity(2025, 1, 1, 2035, 1, 1)),
    )?;
    let rsa = Key::rsa("secrets/rsa")?;
    let ec = Key::ec("secrets/ec")?;
    let ed = Key::ed25519("secrets/ed25519")?;
    let sa = Key::rsa("secrets/sa")?;
    let gcp = Key::rsa("secrets/gcp")?;
    let admin = ca.issue(
        "secrets/admin",
        KeyKind::EcP256,
        CertSpec::new("kubernetes-admin", validity(2026, 1, 1, 2027, 1, 1))
            .org("system:masters")
            .client(),
    )?;
    let tls = ca.issue(
        "secrets/web-tls",
        KeyKind::Rsa2048,
        CertSpec::new("web.example.com", validity(2026, 1, 1, 2027, 1, 1))
            .sans(&["web.example.com"])
            .server(),
    )?;

    let aws_id = format!("AKIA{}", token("aws-id", UPPER_DIGITS, 16));
    let aws_secret = token("aws-secret", B64ISH, 40);
    let azure_secret = token("azure-secret", AZURE, 40);
    let bearer = token("bearer", ALNUM, 48);
    let password = token("password", B64ISH, 24);
    let jwt = kube::legacy_sa_jwt(&sa, "kube-system", "deployer", "deployer-token-x7k2p")?;
    let gcp_json = json!({
        "type": "service_account",
        "project_id": "leak-test",
        "private_key_id": token("gcp-key-id", ALNUM, 40),
        "private_key": gcp.pkcs8_pem()?,
        "client_email": "deployer@leak-test.iam.gserviceaccount.com",
        "client_id": "104000000000000000001",
        "token_uri": "https://oauth2.googleapis.com/token",
    });
    let gcp_text = serde_json::to_string_pretty(&gcp_json)?;

    keep("ca.key", &ca.cert.key_pem()?);
    keep("rsa.key", &rsa.private_pem()?);
    keep("ec.key", &ec.private_pem()?);
    keep("ed25519.key", &ed.private_pem()?);
    keep("sa.key", &sa.private_pem()?);
    keep("admin client-key-data", &admin.key_pem()?);
    keep("web-tls tls.key", &tls.key_pem()?);
    keep("gcp private_key", &gcp.pkcs8_pem()?);
    keep("aws secret access key", &aws_secret);
    keep("azure client secret", &azure_secret);
    keep("kubeconfig bearer token", &bearer);
    keep("configmap password", &password);
    keep("service-account token", &jwt);

    // The node.
    t.file("node-1/etc/hostname", "secrets-1\n");
    t.file("node-1/etc/kubernetes/pki/ca.crt", ca.pem());
    t.secret_file("node-1/etc/kubernetes/pki/ca.key", ca.cert.key_pem()?);
    t.secret_file("node-1/etc/kubernetes/pki/rsa.key", rsa.private_pem()?);
    t.secret_file("node-1/etc/kubernetes/pki/ec.key", ec.private_pem()?);
    t.secret_file("node-1/etc/kubernetes/pki/ed25519.key", ed.private_pem()?);
    t.secret_file("node-1/etc/kubernetes/pki/sa.key", sa.private_pem()?);
    t.file("node-1/etc/kubernetes/pki/sa.pub", sa.public_pem()?);
    let mut admin_conf = kube::kubeconfig(
        "kubernetes",
        "https://10.0.0.10:6443",
        &ca.pem(),
        "kubernetes-admin",
        "kubernetes-admin@kubernetes",
        KubeUser::Embedded {
            cert_pem: &admin.pem(),
            key_pem: &admin.key_pem()?,
        },
    );
    if let Some(users) = admin_conf["users"].as_array_mut() {
        users.push(json!({"name": "deployer", "user": {"token": bearer}}));
    }
    t.secret_file(
        "node-1/etc/kubernetes/admin.conf",
        kube::to_kubectl_yaml(&admin_conf),
    );
    t.secret_file(
        "node-1/root/.aws/credentials",
        format!("[default]\naws_access_key_id = {aws_id}\naws_secret_access_key = {aws_secret}\n"),
    );
    let ccm = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "cloud-controller-manager", "namespace": "kube-system"},
        "spec": {"containers": [{
            "name": "cloud-controller-manager",
            "image": "registry.k8s.io/cloud-controller-manager:v1.30.2",
            "command": ["cloud-controller-manager", "--cloud-provider=aws"],
            "env": [
                {"name": "AWS_ACCESS_KEY_ID", "value": aws_id},
                {"name": "AWS_SECRET_ACCESS_KEY", "value": aws_secret},
                {"name": "AZURE_CLIENT_SECRET", "value": azure_secret},
                {"name": "DB_PASSWORD", "value": password},
            ],
        }]},
    });
    t.file(
        "node-1/etc/kubernetes/manifests/cloud-controller-manager.yaml",
        kube::to_kubectl_yaml(&ccm),
    );

    // The same secrets pasted into log lines the log rules match.
    let one_line_key = rsa.private_pem()?.replace('\n', "\\n");
    let kubelet = [
        klog(
            Sev::E,
            at(50),
            1201,
            "auth.go:88",
            &format!("AccessDenied: request with Authorization: Bearer {bearer} and token={jwt} was refused"),
        ),
        klog(
            Sev::E,
            at(49),
            1201,
            "aws.go:41",
            &format!("InvalidClientTokenId: aws_access_key_id={aws_id} aws_secret_access_key={aws_secret}"),
        ),
        klog(
            Sev::E,
            at(48),
            1201,
            "azure.go:12",
            &format!(
                "AADSTS7000215: Invalid client secret provided. AZURE_CLIENT_SECRET={azure_secret} clientSecret: {azure_secret}"
            ),
        ),
        klog(
            Sev::E,
            at(47),
            1201,
            "db.go:7",
            &format!("CrashLoopBackOff: DB_PASSWORD={password} password: {password}"),
        ),
        klog(
            Sev::E,
            at(46),
            1201,
            "tls.go:9",
            &format!("x509: certificate signed by unknown authority; loaded key {one_line_key}"),
        ),
        klog(
            Sev::E,
            at(45),
            1201,
            "gcp.go:3",
            &format!("invalid_grant: credentials {}", serde_json::to_string(&gcp_json)?),
        ),
    ];
    t.file("node-1/var/log/kubelet.log", join(&kubelet));
    let traefik = [
        cri(
            at(44),
            "stderr",
            &format!(
                "level=error msg=\"route53: SignatureDoesNotMatch: AWS_SECRET_ACCESS_KEY={aws_secret} AWS_ACCESS_KEY_ID={aws_id}\""
            ),
        ),
        cri(
            at(43),
            "stderr",
            &format!("level=error msg=\"AuthFailure: \\\"SecretAccessKey\\\": \\\"{aws_secret}\\\"\""),
        ),
    ];
    t.file(
        "node-1/var/log/pods/kube-system_traefik-5d8f7_0c1e2d3f-aaaa-4bbb-8ccc-000000000001/traefik/0.log",
        join(&traefik),
    );

    // The cluster dump.
    let created = datetime!(2026-01-05 10:00:00 UTC);
    let secrets_list = kube::list(vec![
        kube::secret(
            "default",
            "web-tls",
            "kubernetes.io/tls",
            &[
                ("tls.crt", tls.pem().into_bytes()),
                ("tls.key", tls.key_pem()?.into_bytes()),
            ],
            created,
        ),
        kube::sa_token_secret(
            &sa,
            "kube-system",
            "deployer",
            "deployer-token-x7k2p",
            &ca.pem(),
            created,
        )?,
        kube::secret(
            "kube-system",
            "route53-credentials",
            "Opaque",
            &[
                ("AWS_ACCESS_KEY_ID", aws_id.clone().into_bytes()),
                ("AWS_SECRET_ACCESS_KEY", aws_secret.clone().into_bytes()),
            ],
            created,
        ),
        kube::secret(
            "kube-system",
            "azure-cloud-provider",
            "Opaque",
            &[
                (
                    "azure.json",
                    serde_json::to_string_pretty(&json!({
                        "cloud": "AzurePublicCloud",
                        "tenantId": "72f988bf-86f1-41af-91ab-2d7cd011db47",
                        "aadClientId": "0b9c6a3e-1b55-4d4e-9a8e-5d5c4e0f1a2b",
                        "aadClientSecret": azure_secret,
                    }))?
                    .into_bytes(),
                ),
                ("AZURE_CLIENT_SECRET", azure_secret.clone().into_bytes()),
            ],
            created,
        ),
        kube::secret(
            "kube-system",
            "gcp-sa",
            "Opaque",
            &[("key.json", gcp_text.clone().into_bytes())],
            created,
        ),
        kube::secret(
            "default",
            "db-auth",
            "kubernetes.io/basic-auth",
            &[
                ("username", b"app".to_vec()),
                ("password", password.clone().into_bytes()),
            ],
            created,
        ),
    ]);
    t.file("cluster/secrets.yaml", kube::to_kubectl_yaml(&secrets_list));
    let configmaps = kube::list(vec![kube::configmap(
        "default",
        "app-config",
        &[
            ("password", password.clone()),
            ("app.properties", format!("db.user=app\ndb.password={password}\n")),
            ("kubeconfig", kube::to_kubectl_yaml(&admin_conf)),
        ],
        created,
    )]);
    t.file("cluster/configmaps.yaml", kube::to_kubectl_yaml(&configmaps));
    let mut pod = ccm.clone();
    pod["metadata"]["name"] = json!("cloud-controller-manager-secrets-1");
    t.file("cluster/pods.yaml", kube::to_kubectl_yaml(&kube::list(vec![pod])));
    Ok((
        t,
        json!({"capture_time": rfc3339(CAPTURE), "secrets": Value::Object(secrets)}),
    ))
}
