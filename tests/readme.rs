//! The README's example output is what a real run prints (issue 15 item 9): every line of
//! the "What it prints" block is a line of `analyze -o markdown` on the incident replay,
//! except that `…` stands for text left out (each piece around it must be in that line).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

#[test]
fn the_readme_example_is_a_real_run() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let block = readme
        .split("## What it prints")
        .nth(1)
        .and_then(|s| s.split("````markdown\n").nth(1))
        .and_then(|s| s.split("\n````").next())
        .expect("the README has its example block");
    let out = assert_cmd::Command::cargo_bin("kubetriage")
        .unwrap()
        .args([
            "analyze",
            "testdata/bundles/incident-replay",
            "--now",
            "2026-11-21T09:30:00Z",
            "-o",
            "markdown",
        ])
        .output()
        .unwrap();
    let real = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = real.lines().collect();
    let mut checked = 0;
    for want in block.lines().filter(|l| !l.trim().is_empty() && l.trim() != "…") {
        let pieces: Vec<&str> = want.split('…').map(str::trim).filter(|p| !p.is_empty()).collect();
        let found = lines.iter().any(|got| {
            let mut at = 0;
            pieces.iter().all(|p| match got[at..].find(p) {
                Some(i) => {
                    at += i + p.len();
                    true
                }
                None => false,
            }) && (want.contains('…') || got.trim_end() == want.trim_end())
        });
        assert!(
            found,
            "README line not in a real run:\n{want}\n\n--- the run:\n{real}"
        );
        checked += 1;
    }
    assert!(checked > 20, "{checked} lines checked");
}
