//! Markdown that renders (issue 15 item 5): every markdown report of every fixture
//! (analyze, audit, certs, timeline, diff) parsed as GitHub does (CommonMark + GFM, with
//! pulldown-cmark): the plan is ONE ordered list, every command block is intact inside its
//! item, "Verify:" and caveats are text outside the fences, placeholders such as `<name>`
//! stay visible, and the only raw HTML is `<details>`/`<summary>` (and `<br>` in cells).
//! Past the size budget the report keeps verdict, root causes and plan, and says what it
//! left out.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

mod fixture_copy;

use std::path::Path;

use assert_cmd::Command;
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde_json::Value;

const B: &str = "testdata/bundles";

const FIXTURES: &[(&str, &str)] = &[
    ("incident-replay", "2026-11-21T09:30:00Z"),
    ("kubeadm-healthy", "2026-06-15T12:00:00Z"),
    ("malformed", "2026-06-15T12:00:00Z"),
    ("secrets-everywhere", "2026-03-10T08:00:00Z"),
    ("sosreport-legacy", "2026-06-15T11:58:02Z"),
    ("sosreport-scrubbed", "2026-06-15T11:58:02Z"),
    ("troubleshoot-kubeadm", "2026-06-15T12:00:00Z"),
    ("two-nodes", "2026-06-15T12:00:00Z"),
];

fn run(args: &[&str]) -> String {
    let out = Command::cargo_bin("kubetriage")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_GFM | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// What a plan list holds once rendered.
#[derive(Debug, Default)]
struct RenderedPlan {
    items: usize,
    first: u64,
    /// Code block texts, in order.
    code: Vec<String>,
    /// Text outside code of each item, whitespace collapsed.
    text: Vec<String>,
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every "Fix plan" section of the document, and the raw HTML it holds anywhere.
fn parse(md: &str) -> (Vec<RenderedPlan>, Vec<String>) {
    let mut plans: Vec<RenderedPlan> = Vec::new();
    let mut html = Vec::new();
    let mut heading: Option<String> = None;
    let mut after_plan_heading = false;
    let mut list_depth = 0usize;
    let mut in_plan = false;
    let mut in_code: Option<String> = None;
    for ev in Parser::new_ext(md, options()) {
        match &ev {
            Event::Html(h) | Event::InlineHtml(h) => html.push(h.to_string()),
            _ => {}
        }
        if let Some(h) = heading.as_mut() {
            match &ev {
                Event::Text(t) | Event::Code(t) => h.push_str(t),
                Event::End(TagEnd::Heading(_)) => {
                    after_plan_heading = h.trim() == "Fix plan";
                    heading = None;
                }
                _ => {}
            }
            continue;
        }
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                assert!(!in_plan, "a heading inside the plan list");
                assert!(level <= HeadingLevel::H3);
                heading = Some(String::new());
            }
            Event::Start(Tag::List(first)) => {
                if list_depth == 0 && after_plan_heading {
                    let first = first.expect("the plan is an ORDERED list");
                    plans.push(RenderedPlan {
                        first,
                        ..Default::default()
                    });
                    in_plan = true;
                    after_plan_heading = false;
                } else if list_depth == 0 && in_plan {
                    unreachable!()
                }
                list_depth += 1;
            }
            Event::End(TagEnd::List(_)) => {
                list_depth -= 1;
                if list_depth == 0 {
                    in_plan = false;
                }
            }
            Event::Start(Tag::Item) if in_plan && list_depth == 1 => {
                let p = plans.last_mut().unwrap();
                p.items += 1;
                p.text.push(String::new());
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                if in_plan {
                    assert!(
                        matches!(kind, CodeBlockKind::Fenced(_)),
                        "an indented code block in the plan: a command escaped its fence"
                    );
                }
                in_code = Some(String::new());
            }
            Event::End(TagEnd::CodeBlock) => {
                let code = in_code.take().unwrap();
                if in_plan {
                    plans.last_mut().unwrap().code.push(code);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = in_code.as_mut() {
                    c.push_str(&t);
                } else if in_plan {
                    plans.last_mut().unwrap().text.last_mut().unwrap().push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph)
                if in_plan && in_code.is_none() =>
            {
                plans.last_mut().unwrap().text.last_mut().unwrap().push(' ');
            }
            Event::Start(Tag::Paragraph) if after_plan_heading && list_depth == 0 => {
                panic!("a paragraph between the plan heading and its list")
            }
            _ => {}
        }
    }
    for p in &mut plans {
        for t in &mut p.text {
            *t = collapse(t);
        }
    }
    (plans, html)
}

/// The raw HTML a report may hold: collapsible sections and line breaks in table cells.
fn allowed_html(h: &str) -> bool {
    let h = h.trim();
    h.is_empty()
        || h.starts_with("<details>")
        || h.starts_with("</details>")
        || h.starts_with("<summary>")
        || h.starts_with("</summary>")
        || h == "<br>"
}

/// Asserts the rendered plans are the JSON plans: one ordered list each, one item per step,
/// each step's command and verify blocks intact and in order, Verify and caveats outside
/// the fences and visible as written.
fn assert_plans(md: &str, plans: &[Vec<Value>], what: &str) {
    let (rendered, html) = parse(md);
    for h in &html {
        assert!(
            allowed_html(h),
            "{what}: raw HTML {h:?} (a placeholder parsed as a tag?)"
        );
    }
    let plans: Vec<&Vec<Value>> = plans.iter().filter(|p| !p.is_empty()).collect();
    assert_eq!(rendered.len(), plans.len(), "{what}: one ordered list per plan");
    for (r, steps) in rendered.iter().zip(plans) {
        assert_eq!(r.first, 1);
        assert_eq!(
            r.items,
            steps.len(),
            "{what}: the plan is ONE list of {} items",
            steps.len()
        );
        let mut expected: Vec<String> = Vec::new();
        for (i, s) in steps.iter().enumerate() {
            let lines = |k: &str| -> Option<String> {
                let cs: Vec<&str> = s
                    .get(k)
                    .and_then(|v| v.as_array())
                    .map(|a| a.iter().map(|c| c.as_str().unwrap()).collect())
                    .unwrap_or_default();
                (!cs.is_empty()).then(|| {
                    cs.iter()
                        .flat_map(|c| c.lines())
                        .map(|l| format!("{l}\n"))
                        .collect()
                })
            };
            expected.extend(lines("commands"));
            if let Some(v) = lines("verify") {
                expected.push(v);
                assert!(
                    r.text[i].contains("Verify:"),
                    "{what}: step {} has no Verify text: {}",
                    i + 1,
                    r.text[i]
                );
            }
            if let Some(r) = lines("rollback") {
                expected.push(r);
            }
            if let Some(c) = s.get("caveat").and_then(|c| c.as_str()) {
                assert!(
                    r.text[i].contains(&collapse(&c.replace('`', ""))),
                    "{what}: step {}: caveat not shown as written\n  want: {c}\n  got:  {}",
                    i + 1,
                    r.text[i]
                );
            }
            let title = collapse(s["title"].as_str().unwrap());
            assert!(
                r.text[i].contains(&title),
                "{what}: step {} title {title:?} in {}",
                i + 1,
                r.text[i]
            );
        }
        assert_eq!(r.code, expected, "{what}: command blocks intact, in order");
        assert!(
            r.code.iter().all(|c| !c.contains("Verify:")),
            "{what}: Verify swallowed by a fence"
        );
    }
}

fn json(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend(["-o", "json"]);
    serde_json::from_str(&run(&a)).unwrap()
}

fn plans_of(v: &Value) -> Vec<Vec<Value>> {
    v["bundles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["plan"].as_array().unwrap().clone())
        .collect()
}

#[test]
fn every_fixture_analysis_renders_with_one_plan_list() {
    for (bundle, now) in FIXTURES {
        let p = format!("{B}/{bundle}");
        let md = run(&["analyze", &p, "--now", now, "-o", "markdown"]);
        let v = json(&["analyze", &p, "--now", now]);
        assert_plans(&md, &plans_of(&v), bundle);
        assert!(
            md.contains(&format!("**Verdict:** {}", v["verdict"].as_str().unwrap())),
            "{bundle}"
        );
    }
}

/// The replay's plan has 12 steps (two digits: content indented 4 spaces) and a multi-line
/// heredoc: was the list cut after step 8, the heredoc shown as a paragraph and "Verify:"
/// swallowed by the closing fence.
#[test]
fn the_replay_plan_keeps_heredocs_and_steps_past_nine() {
    let p = format!("{B}/incident-replay");
    let md = run(&["analyze", &p, "--now", "2026-11-21T09:30:00Z", "-o", "markdown"]);
    let v = json(&["analyze", &p, "--now", "2026-11-21T09:30:00Z"]);
    let plan = v["bundles"][0]["plan"].as_array().unwrap();
    assert!(plan.len() >= 10, "the fixture has ≥ 10 steps");
    assert!(
        plan.iter().any(|s| s["commands"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c.as_str().unwrap().contains('\n'))),
        "the fixture has a multi-line command"
    );
    let (rendered, _) = parse(&md);
    assert_eq!(rendered[0].items, plan.len());
}

/// Built by hand: 11 steps, a heredoc in step 10, a caveat with `<name>` placeholders.
#[test]
fn placeholders_heredocs_and_two_digit_steps_render() {
    use kubetriage::plan::PlanStep;
    let catalog = kubetriage::catalog::Catalog::builtin().unwrap();
    let at = time::macros::datetime!(2026-01-01 0:00 UTC);
    let snap = kubetriage::snapshot::Snapshot::empty(
        "hand-made",
        kubetriage::snapshot::CapturedAt {
            at,
            source: kubetriage::snapshot::CaptureSource::Flag,
        },
    );
    let steps: Vec<PlanStep> = (1..=11)
        .map(|i| PlanStep {
            order: i,
            id: format!("step-{i}"),
            phase: "repair".into(),
            title: format!("Step <{i}> & more"),
            resolves: vec![],
            after: vec![],
            targets: vec![format!("node-{i}")],
            commands: if i == 10 {
                vec![
                    "ssh <node> 'sudo tee /run/x' <<EOF\nA=1\n\n  B=2\nEOF".into(),
                    "echo done".into(),
                ]
            } else {
                vec![format!("kubectl get node <name-{i}>")]
            },
            verify: vec![format!("kubectl get pods -n <namespace> # {i}")],
            rollback: if i == 3 {
                vec!["cp -a /root/backup/. /etc/kubernetes/".into()]
            } else {
                vec![]
            },
            caveat: Some(format!(
                "Replace <name> and <namespace> with yours & check `{i}`."
            )),
        })
        .collect();
    let a = kubetriage::report::Analysis::new(&snap, &catalog, vec![], steps.clone(), Default::default());
    let mut out = Vec::new();
    kubetriage::report::render(&[a], kubetriage::report::Format::Markdown, &mut out).unwrap();
    let md = String::from_utf8(out).unwrap();
    let plan: Vec<Value> = steps.iter().map(|s| serde_json::to_value(s).unwrap()).collect();
    assert_plans(&md, &[plan], "hand-made");
    let (rendered, _) = parse(&md);
    assert!(
        rendered[0].text[9].contains("Replace <name> and <namespace>"),
        "{}",
        rendered[0].text[9]
    );
    assert!(rendered[0].text[10].contains("Step <11> & more"));
}

/// A 6-bundle audit was 63.5 KB of markdown, at GitHub's comment limit.
#[test]
fn six_bundle_audit_fits_the_budget_and_says_what_it_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let six = [
        "incident-replay",
        "two-nodes",
        "secrets-everywhere",
        "sosreport-legacy",
        "troubleshoot-kubeadm",
        "malformed",
    ];
    for b in six {
        let src = std::fs::canonicalize(format!("{B}/{b}")).unwrap();
        std::os::unix::fs::symlink(src, dir.path().join(b)).unwrap();
    }
    let d = dir.path().to_str().unwrap();
    let now = "2026-11-21T09:30:00Z";
    let full = run(&[
        "audit",
        d,
        "--now",
        now,
        "-o",
        "markdown",
        "--markdown-budget",
        "0",
    ]);
    let md = run(&["audit", d, "--now", now, "-o", "markdown"]);
    let v = json(&["audit", d, "--now", now]);
    assert_eq!(v["bundles"].as_array().unwrap().len(), 6);
    assert!(md.chars().count() <= 60_000, "{} characters", md.chars().count());
    assert_plans(&md, &plans_of(&v), "audit (budget)");
    assert_plans(&full, &plans_of(&v), "audit (full)");
    for r in v["bundles"].as_array().unwrap() {
        assert!(md.contains(&format!("**Verdict:** {}", r["verdict"].as_str().unwrap())));
    }
    // Every root cause of the full report is kept.
    let mut roots = 0;
    for section in full.split("## Root causes").skip(1) {
        let section = section.split("\n## ").next().unwrap();
        for id in section.lines().filter_map(|l| l.strip_prefix("- Finding id: `")) {
            roots += 1;
            assert!(md.contains(id.trim_end_matches('`')), "root cause {id} kept");
        }
    }
    assert!(roots > 0);
    if full.chars().count() > 60_000 {
        assert!(md.contains("Left out to fit the budget"), "says what it left out");
        assert!(md.contains("-o html"), "says how to get it");
    }
    // The budget is hard: a small one holds, cut at a line outside any code block.
    let small = run(&[
        "audit",
        d,
        "--now",
        now,
        "-o",
        "markdown",
        "--markdown-budget",
        "4000",
    ]);
    assert!(
        small.chars().count() <= 4000,
        "{} characters",
        small.chars().count()
    );
    assert!(small.contains("# Fleet summary") && small.contains("markdown budget of 4000"));
    assert_eq!(
        small.matches("```").count() % 2,
        0,
        "a code block left open: {small}"
    );
}

/// Was: past the budget the markdown kept every root cause and the whole plan whatever their
/// size, so a big incident still overflowed GitHub's comment limit. The budget is hard: root
/// causes shrink to a line each, then the plan is cut at a step boundary and says so.
#[test]
fn the_markdown_budget_is_hard() {
    let p = format!("{B}/incident-replay");
    let now = "2026-11-21T09:30:00Z";
    let full = run(&[
        "analyze",
        &p,
        "--now",
        now,
        "-o",
        "markdown",
        "--markdown-budget",
        "0",
    ]);
    let v = json(&["analyze", &p, "--now", now]);
    let plan = v["bundles"][0]["plan"].as_array().unwrap().len();
    assert!(full.chars().count() > 6000 && plan > 2);
    for budget in [6000usize, 4000, 2500] {
        let md = run(&[
            "analyze",
            &p,
            "--now",
            now,
            "-o",
            "markdown",
            "--markdown-budget",
            &budget.to_string(),
        ]);
        let what = format!("budget {budget}");
        assert!(
            md.chars().count() <= budget,
            "{what}: {} characters",
            md.chars().count()
        );
        assert!(md.contains("**Verdict:** broken"), "{what}: {md}");
        assert_eq!(
            md.matches("```").count() % 2,
            0,
            "{what}: a code block left open: {md}"
        );
        assert!(md.contains("markdown budget of"), "{what}: {md}");
        // Either the whole plan is there or the report says which steps are not.
        let steps = md
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()) && l.contains(". **"))
            .count();
        assert!(
            steps == plan || md.contains("left out to fit the budget. Do not run part of a"),
            "{what}: {steps} of {plan} steps and no warning: {md}"
        );
    }
}

/// Every other markdown report parses: tables are tables, only allowed raw HTML.
#[test]
fn certs_timeline_and_diff_markdown_render() {
    for (bundle, now) in FIXTURES {
        let p = format!("{B}/{bundle}");
        for sub in ["certs", "timeline"] {
            let md = run(&[sub, &p, "--now", now, "-o", "markdown"]);
            let (plans, html) = parse(&md);
            assert!(plans.is_empty());
            for h in &html {
                assert!(allowed_html(h), "{sub} {bundle}: raw HTML {h:?}");
            }
            let tables = Parser::new_ext(&md, options())
                .filter(|e| matches!(e, Event::Start(Tag::Table(_))))
                .count();
            let has_rows = md.lines().any(|l| l.starts_with("|---"));
            assert_eq!(
                tables > 0,
                has_rows,
                "{sub} {bundle}: a pipe table that does not parse"
            );
        }
        let md = run(&[
            "diff",
            &format!("{B}/kubeadm-healthy"),
            &p,
            "--now",
            now,
            "-o",
            "markdown",
        ]);
        let (_, html) = parse(&md);
        assert!(html.iter().all(|h| allowed_html(h)), "diff {bundle}: {html:?}");
        assert!(md.contains("**Verdict:**"));
    }
}

/// The cells of every table row of `md`, as rendered text (GitHub's table rules).
fn table_rows(md: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row: Option<Vec<String>> = None;
    let mut cell: Option<String> = None;
    for ev in Parser::new_ext(md, options()) {
        match ev {
            Event::Start(Tag::TableRow | Tag::TableHead) => row = Some(Vec::new()),
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => rows.extend(row.take()),
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                if let (Some(r), Some(c)) = (row.as_mut(), cell.take()) {
                    r.push(c);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = cell.as_mut() {
                    c.push_str(&t);
                }
            }
            _ => {}
        }
    }
    rows
}

/// A bundle named with `|` cannot add cells to a table row, even inside a code span: the
/// fleet row keeps its seven cells and its real verdict (hostile round 5, M2).
#[test]
fn a_pipe_in_a_bundle_name_stays_in_its_cell() {
    let dir = tempfile::tempdir().unwrap();
    let name = "cust-7 | healthy | none | 0 | 0 | 0 | [fixed](www.evil.example) |.tar.gz";
    std::fs::copy("testdata/bundles/incident-replay.tar.gz", dir.path().join(name)).unwrap();
    std::fs::copy(
        "testdata/bundles/kubeadm-healthy.tar.gz",
        dir.path().join("ok.tar.gz"),
    )
    .unwrap();
    let md = run(&[
        "audit",
        dir.path().to_str().unwrap(),
        "-o",
        "markdown",
        "--now",
        "2026-11-21T09:30:00Z",
    ]);
    let rows = table_rows(&md);
    let fleet: Vec<&Vec<String>> = rows.iter().filter(|r| r.len() == 7).collect();
    let hostile = fleet
        .iter()
        .find(|r| r[0].contains("cust-7"))
        .unwrap_or_else(|| panic!("{rows:#?}\n{md}"));
    assert!(hostile[0].contains("[fixed](www.evil.example)"), "{hostile:?}");
    assert_eq!(hostile[1], "broken", "{hostile:?}");
}

/// New-user report: our own commands in a finding's text showed as `\`kubetriage collect\``
/// (every backtick escaped: text between literal backticks, not code). Rendered, the scrubbed
/// sosreport's finding names `kubetriage collect` as code, and no text holds a backtick.
#[test]
fn our_own_code_spans_in_finding_text_render_as_code() {
    let md = run(&[
        "analyze",
        "-q",
        "-o",
        "markdown",
        "--now",
        "2026-06-15T11:58:02Z",
        &format!("{B}/sosreport-scrubbed"),
    ]);
    assert!(!md.contains("\\`kubetriage collect\\`"), "{md}");
    let mut code = Vec::new();
    let mut text = Vec::new();
    for ev in Parser::new_ext(&md, options()) {
        match ev {
            Event::Code(c) => code.push(c.to_string()),
            Event::Text(t) => text.push(t.to_string()),
            _ => {}
        }
    }
    assert!(code.iter().any(|c| c == "kubetriage collect"), "{code:#?}");
    assert!(
        !text.iter().any(|t| t.contains("kubetriage collect")),
        "{text:#?}"
    );
}

/// Hostile (MEDIUM, markdown budget): 500 dumped Nodes that are NotReady give a plan step
/// that reads each node (500 targets, 500 node blocks of commands). Past the markdown budget
/// the report keeps the verdict, the root causes and every step of the plan whole; the
/// repetitive node blocks are trimmed, saying how many were left out and that `-o json` has
/// them all.
#[test]
fn hundreds_of_not_ready_nodes_keep_the_root_causes_and_the_whole_plan_in_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("b");
    fixture_copy::copy_tree(Path::new("testdata/bundles/incident-replay"), &root);
    let items: Vec<Value> = (0..500)
        .map(|i| {
            serde_json::json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": format!("w{i:04}")},
                "status": {"conditions": [{"type": "Ready", "status": "False", "reason": "KubeletNotReady",
                    "message": "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized"}]}})
        })
        .collect();
    std::fs::write(
        root.join("cluster/extra-nodes.json"),
        serde_json::to_vec(&serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items})).unwrap(),
    )
    .unwrap();
    let run = |format: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kubetriage"))
            .args(["analyze", "-q", "-o", format, "--now", "2026-11-21T09:30:00Z"])
            .arg(&root)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let json: Value = serde_json::from_str(&run("json")).unwrap();
    let md = run("markdown");
    assert!(md.chars().count() <= 60_000, "{} characters", md.chars().count());
    // The root causes, each with its text (not only a line).
    assert!(md.contains("## Root causes"), "{md}");
    assert!(
        md.contains("### 🔴 `flannel-subnet-env-missing`"),
        "the flannel root cause in full: {md}"
    );
    // Every step of the plan with its commands: none is cut to its title.
    assert!(!md.contains("Do not run part of a plan"), "{md}");
    let plan = json["bundles"][0]["plan"].as_array().unwrap();
    assert!(plan.len() > 10, "{plan:#?}");
    for s in plan {
        let id = s["id"].as_str().unwrap();
        assert!(md.contains(&format!("`{id}`")), "step {id} missing: {md}");
        for c in s["commands"].as_array().unwrap().iter().take(2) {
            let first = c.as_str().unwrap().lines().next().unwrap();
            assert!(md.contains(first), "step {id}: command `{first}` missing");
        }
    }
    // The reading step names how many nodes it leaves out, and where they all are.
    assert!(
        md.contains("# … 494 more node(s) left out to fit the budget (-o json has them all)"),
        "{md}"
    );
    assert!(md.contains("and 490 more (-o json lists them all)"), "{md}");
}

/// newuser round 11: 400 NotReady nodes that no root cause explains pushed every other open
/// question out of the markdown budget (an etcd TLS rejection among them). Over budget, the
/// open questions are one line per rule, so a distinct one stays.
#[test]
fn a_distinct_open_question_survives_hundreds_of_one_kind() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("b");
    fixture_copy::copy_tree(Path::new("testdata/bundles/kubeadm-healthy"), &root);
    let items: Vec<Value> = (0..400)
        .map(|i| {
            serde_json::json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": format!("worker-{i:03}")},
                "status": {"conditions": [{"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown",
                    "message": "Kubelet stopped posting node status."}]}})
        })
        .collect();
    std::fs::write(
        root.join("cluster/extra-nodes.json"),
        serde_json::to_vec(&serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items})).unwrap(),
    )
    .unwrap();
    let pod = root.join("var/log/pods/kube-system_coredns-7d9f_0b1c2d3e/coredns");
    std::fs::create_dir_all(&pod).unwrap();
    std::fs::write(
        pod.join("0.log"),
        "2026-06-15T11:50:00.000000000Z stderr F [ERROR] plugin/kubernetes: Get \"https://10.96.0.1:443/api/v1/services\": x509: certificate signed by unknown authority\n",
    )
    .unwrap();
    let run = |format: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kubetriage"))
            .args(["analyze", "-q", "-o", format, "--now", "2026-06-15T12:00:00Z"])
            .arg(&root)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let md = run("markdown");
    assert!(md.chars().count() <= 60_000, "{} characters", md.chars().count());
    assert!(md.contains("## Open questions"), "{md}");
    assert!(md.contains("`log-cert-unknown-authority`"), "{md}");
    assert!(
        md.contains(
            "`node-not-ready` A node is not Ready (400) on worker-000, worker-001, worker-002 and 397 more"
        ),
        "{md}"
    );
}
