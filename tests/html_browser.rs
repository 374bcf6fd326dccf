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
    shot(bundle, now, &[])
}

/// The same, with more browser flags (`--force-dark-mode`).
fn shot(bundle: &str, now: &str, flags: &[&str]) -> Option<(Vec<u8>, String)> {
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
        .args(flags)
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

/// Issue 15 item 9: dark mode. Was: one light palette whatever the reader's setting.
#[test]
fn dark_mode_is_dark_and_keeps_the_status_colours() {
    let Some((rgb, html)) = shot(
        "testdata/bundles/incident-replay",
        "2026-11-21T09:30:00Z",
        &["--force-dark-mode"],
    ) else {
        return;
    };
    assert!(html.contains("prefers-color-scheme: dark"));
    let pixels = rgb.len() / 3;
    let dark = rgb.chunks(3).filter(|p| p.iter().all(|&c| c < 60)).count();
    assert!(dark * 2 > pixels, "mostly dark: {dark} of {pixels}");
    assert!(count(&rgb, EXPIRED_RED) > 500, "expired bars still red");
    assert!(count(&rgb, VALID_GREEN) > 500, "valid bars still green");
    // The light page is mostly light.
    let (light, _) = screenshot("testdata/bundles/incident-replay", "2026-11-21T09:30:00Z").unwrap();
    let bright = light.chunks(3).filter(|p| p.iter().all(|&c| c > 200)).count();
    assert!(bright * 2 > pixels, "mostly light: {bright} of {pixels}");
}

/// Issue 15 item 9: print. The page prints (Chromium's PDF) on several pages, each bundle
/// from a new page, with the print stylesheet that drops the screen width and backgrounds.
#[test]
fn the_report_prints_to_pdf_with_its_print_stylesheet() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium for the HTML test"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("report.html");
    let pdf = dir.path().join("report.pdf");
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .args([
            "analyze",
            "testdata/bundles/incident-replay",
            "--now",
            "2026-11-21T09:30:00Z",
            "--output",
        ])
        .arg(&html)
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("@media print") && page.contains("break-inside: avoid"));
    let status = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    let bytes =
        std::fs::read(&pdf).unwrap_or_else(|_| panic!("no PDF: {}", String::from_utf8_lossy(&status.stderr)));
    assert!(bytes.starts_with(b"%PDF-"));
    // Page objects, not the `/Type /Pages` tree.
    let page = |w: &[u8]| {
        let rest = w
            .strip_prefix(b"/Type /Page")
            .or_else(|| w.strip_prefix(b"/Type/Page"));
        rest.is_some_and(|r| r.first() != Some(&b's'))
    };
    let pages = bytes.windows(12).filter(|w| page(w)).count();
    assert!(pages >= 2, "{pages} pages");
}
