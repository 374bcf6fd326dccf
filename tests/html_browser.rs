//! The HTML report as a person sees it: rendered by a real headless Chromium, then the
//! screenshot is checked for what the pictures must show (expired certificates in red on the
//! incident replay, none on the healthy bundle).
//!
//! Needs Debian's `chromium` (`.ci/run` installs it). Without it the test says so and passes,
//! unless `CI` is set, where a missing browser is a failure.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH")?
                .to_str()?
                .split(':')
                .map(|d| Path::new(d).join(name))
                .find(|p| p.exists())
        })
}

/// Renders `bundle` to HTML with kubetriage, screenshots it, and returns the RGB pixels.
fn screenshot(bundle: &str, now: &str) -> Option<(Vec<u8>, String)> {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium for the HTML test"
        );
        eprintln!("skipping: no chromium on PATH");
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let png = dir.path().join("shot.png");
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .args(["analyze", bundle, "--now", now, "-o", "html", "--output"])
        .arg(&html)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let profile = dir.path().join("profile");
    let status = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1300,6000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(
        png.exists(),
        "chromium made no screenshot: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let rgb: Vec<u8> = buf[..info.buffer_size()]
        .chunks(channels)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    Some((rgb, std::fs::read_to_string(&html).unwrap()))
}

/// Pixels within a small distance of `colour`.
fn count(rgb: &[u8], colour: [u8; 3]) -> usize {
    rgb.chunks(3)
        .filter(|p| {
            p.iter()
                .zip(colour)
                .all(|(a, b)| (i16::from(*a) - i16::from(b)).abs() <= 12)
        })
        .count()
}

const EXPIRED_RED: [u8; 3] = [0xd9, 0x30, 0x25];
const VALID_GREEN: [u8; 3] = [0x1e, 0x8e, 0x3e];

#[test]
fn incident_replay_shows_expired_certificates_in_red() {
    let Some((rgb, html)) = screenshot("testdata/bundles/incident-replay", "2026-11-21T09:30:00Z") else {
        return;
    };
    assert!(html.contains("-cert-chart\""));
    assert!(
        html.contains("data-status=\"expired\""),
        "the replay has expired certificates"
    );
    assert!(
        count(&rgb, EXPIRED_RED) > 500,
        "expired bars are visibly red: {} red pixels",
        count(&rgb, EXPIRED_RED)
    );
    assert!(count(&rgb, VALID_GREEN) > 500, "valid bars are visibly green");
}

#[test]
fn healthy_bundle_shows_no_expired_certificate() {
    let Some((rgb, html)) = screenshot("testdata/bundles/kubeadm-healthy", "2026-06-15T12:00:00Z") else {
        return;
    };
    assert!(html.contains("Healthy"), "verdict says healthy");
    assert!(!html.contains("data-status=\"expired\""));
    assert!(count(&rgb, VALID_GREEN) > 500, "valid bars are visibly green");
}
