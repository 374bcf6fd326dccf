//! deploy/: the Kubernetes Indexed Job that analyses one bundle per pod and the Job that
//! merges their reports. Their shell steps are run here as the pods would run them (index by
//! index, on a folder standing in for the shared volume), so the example is known to work;
//! `kubectl apply --dry-run=client` checks them too when kubectl can reach a cluster.

#![allow(clippy::unwrap_used)] // tests may panic

use std::path::Path;
use std::process::Command;

fn docs(file: &str) -> Vec<serde_yaml::Value> {
    let text = std::fs::read_to_string(Path::new("deploy").join(file)).unwrap();
    serde_yaml::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .collect()
}

/// The container's shell script with the volume paths moved to `fleet` and `config`.
fn script(job: &serde_yaml::Value, fleet: &Path, config: &Path) -> String {
    let c = &job["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["command"][1], "-c");
    c["args"][0]
        .as_str()
        .unwrap()
        .replace("/fleet/", &format!("{}/", fleet.display()))
        .replace("/config/", &format!("{}/", config.display()))
}

fn sh(script: &str, env: &[(&str, &str)]) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("kubetriage");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("/bin/sh")
        .args(["-c", script])
        .env("PATH", path)
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

#[test]
fn indexed_job_pods_then_merge_give_the_fleet_summary() {
    let job = &docs("audit-job.yaml")[0];
    assert_eq!(job["kind"], "Job");
    assert_eq!(job["spec"]["completionMode"], "Indexed");
    let list = &docs("bundles.yaml")[0]["data"]["bundles.txt"];
    let lines = list.as_str().unwrap().lines().count();
    assert_eq!(
        job["spec"]["completions"].as_u64(),
        Some(lines as u64),
        "completions = lines of bundles.txt"
    );

    let tmp = tempfile::tempdir().unwrap();
    let (fleet, config) = (tmp.path().join("fleet"), tmp.path().join("config"));
    std::fs::create_dir_all(fleet.join("bundles")).unwrap();
    std::fs::create_dir_all(fleet.join("reports")).unwrap();
    std::fs::create_dir_all(&config).unwrap();
    let bundles = ["incident-replay.tar.gz", "kubeadm-healthy.tar.gz"];
    for b in bundles {
        std::fs::copy(
            Path::new("testdata/bundles").join(b),
            fleet.join("bundles").join(b),
        )
        .unwrap();
    }
    std::fs::write(config.join("bundles.txt"), bundles.join("\n") + "\n").unwrap();
    let env = &job["spec"]["template"]["spec"]["containers"][0]["env"][0];
    let now = env["value"].as_str().unwrap();
    let pod = script(job, &fleet, &config);
    for index in ["0", "1"] {
        let out = sh(&pod, &[("JOB_COMPLETION_INDEX", index), ("KUBETRIAGE_NOW", now)]);
        assert!(
            out.status.success(),
            "pod {index}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(fleet.join("reports").join(format!("{index}.json")).exists());
    }
    // An index past the list fails its pod (Kubernetes retries it, then counts it failed).
    let out = sh(&pod, &[("JOB_COMPLETION_INDEX", "7"), ("KUBETRIAGE_NOW", now)]);
    assert_eq!(out.status.code(), Some(2));

    let merge = &docs("merge-job.yaml")[0];
    let out = sh(&script(merge, &fleet, &config), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && stderr.is_empty(), "{stderr}");
    let md = std::fs::read_to_string(fleet.join("fleet-summary.md")).unwrap();
    assert!(md.starts_with("# Fleet summary"), "{md}");
    assert!(md.contains("incident-replay.tar.gz` | broken | error |"), "{md}");
    assert!(md.contains("kubeadm-healthy.tar.gz`"), "{md}");
    let html = std::fs::read_to_string(fleet.join("fleet-summary.html")).unwrap();
    assert!(html.contains("<table id=\"fleet\">"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fleet.join("fleet-summary.json")).unwrap()).unwrap();
    assert_eq!(json["bundles"].as_array().unwrap().len(), 2);
}

/// `kubectl apply --dry-run=client` on every manifest, when kubectl is installed and reaches
/// a cluster (it needs the API server's discovery even in client dry-run); skipped otherwise.
#[test]
fn manifests_pass_kubectl_client_dry_run() {
    let reachable = Command::new("kubectl")
        .args(["api-versions", "--request-timeout=5s"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !reachable {
        eprintln!("skipped: kubectl absent or no cluster to reach");
        return;
    }
    let out = Command::new("kubectl")
        .args(["apply", "--dry-run=client", "-f", "deploy/"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
