//! JUnit XML for CI test views (GitLab, Jenkins, GitHub test reporters): one `<testsuite>`
//! per bundle, one `<testcase>` per shown finding (a `<failure>` when it is at or above
//! `--fail-on`), one per gap in the analysis (`<skipped>`, or a failure under
//! `--fail-on incomplete`), and one passing case when the bundle has neither. Written with
//! quick-xml, which escapes every attribute and text.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::finding::Finding;
use crate::report::{Analysis, FailOn};

/// One test case.
pub(crate) struct Case {
    /// `classname`: the rule or `kubetriage.gaps`.
    pub class: String,
    /// `name`: the finding id and title.
    pub name: String,
    /// `Some((element, message, text))`: `failure` or `skipped`.
    pub outcome: Option<(&'static str, String, String)>,
}

impl Case {
    /// The case of a finding.
    pub(crate) fn finding(f: &Finding, fail_on: FailOn, prefix: &str) -> Case {
        let text = [
            f.message.to_string(),
            f.node.as_ref().map(|n| format!("node: {n}")).unwrap_or_default(),
            f.paths
                .iter()
                .chain(&f.objects)
                .map(|p| format!("at: {p}"))
                .collect::<Vec<_>>()
                .join("\n"),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
        Case {
            class: format!("kubetriage.{}", f.rule),
            name: format!("{prefix}{} {}", f.id, f.title),
            outcome: Some(if fail_on.fails_at(f.severity) {
                ("failure", format!("{}: {}", f.severity, f.title), text)
            } else {
                (
                    "skipped",
                    format!("{} (below --fail-on): {}", f.severity, f.title),
                    text,
                )
            }),
        }
    }
}

/// One suite.
pub(crate) struct Suite {
    /// The bundle.
    pub name: String,
    /// `<properties>`: the verdict and what it rests on.
    pub properties: Vec<(&'static str, String)>,
    /// Its cases.
    pub cases: Vec<Case>,
}

/// The suite of one analysis.
fn suite(a: &Analysis, fail_on: FailOn) -> Suite {
    let mut cases: Vec<Case> = a.findings.iter().map(|f| Case::finding(f, fail_on, "")).collect();
    for r in &a.incomplete_reasons {
        let element = if fail_on == FailOn::Incomplete {
            "failure"
        } else {
            "skipped"
        };
        cases.push(Case {
            class: "kubetriage.gaps".to_string(),
            name: format!("not checked: {}", r.path.as_deref().unwrap_or(&r.reason)),
            outcome: Some((element, r.line(), r.line())),
        });
    }
    if cases.is_empty() {
        cases.push(Case {
            class: "kubetriage.verdict".to_string(),
            name: format!("verdict: {}", a.verdict_sentence()),
            outcome: None,
        });
    }
    Suite {
        name: a.source.clone(),
        properties: vec![
            ("verdict", a.verdict.as_str().to_string()),
            ("verdict_text", a.verdict_sentence()),
            ("captured_at", a.captured_at.clone()),
        ],
        cases,
    }
}

/// Writes the JUnit report of every analysis.
pub fn render(analyses: &[Analysis], fail_on: FailOn, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let suites: Vec<Suite> = analyses.iter().map(|a| suite(a, fail_on)).collect();
    write(&suites, w)
}

/// `s` without the characters XML 1.0 cannot hold even escaped (most C0 controls, lone
/// surrogates cannot occur in a `str`, U+FFFE/U+FFFF), each replaced by U+FFFD.
fn clean(s: &str) -> String {
    // Control and bidi characters shown escaped (as in a table); what XML cannot hold at all
    // becomes U+FFFD.
    crate::report::escape::visible_lines(s)
        .chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

fn count(s: &Suite, element: &str) -> usize {
    s.cases
        .iter()
        .filter(|c| c.outcome.as_ref().is_some_and(|o| o.0 == element))
        .count()
}

/// Writes `suites` as one `<testsuites>` document.
pub(crate) fn write(suites: &[Suite], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut x = Writer::new_with_indent(w, b' ', 2);
    x.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failures: usize = suites.iter().map(|s| count(s, "failure")).sum();
    let mut root = BytesStart::new("testsuites");
    root.push_attribute(("name", "kubetriage"));
    root.push_attribute(("tests", tests.to_string().as_str()));
    root.push_attribute(("failures", failures.to_string().as_str()));
    root.push_attribute(("errors", "0"));
    x.write_event(Event::Start(root))?;
    for (i, s) in suites.iter().enumerate() {
        let mut suite = BytesStart::new("testsuite");
        suite.push_attribute(("name", clean(&s.name).as_str()));
        suite.push_attribute(("id", i.to_string().as_str()));
        suite.push_attribute(("tests", s.cases.len().to_string().as_str()));
        suite.push_attribute(("failures", count(s, "failure").to_string().as_str()));
        suite.push_attribute(("errors", "0"));
        suite.push_attribute(("skipped", count(s, "skipped").to_string().as_str()));
        x.write_event(Event::Start(suite))?;
        if !s.properties.is_empty() {
            x.write_event(Event::Start(BytesStart::new("properties")))?;
            for (k, v) in &s.properties {
                let mut p = BytesStart::new("property");
                p.push_attribute(("name", *k));
                p.push_attribute(("value", clean(v).as_str()));
                x.write_event(Event::Empty(p))?;
            }
            x.write_event(Event::End(BytesEnd::new("properties")))?;
        }
        for c in &s.cases {
            let mut case = BytesStart::new("testcase");
            case.push_attribute(("classname", clean(&c.class).as_str()));
            case.push_attribute(("name", clean(&c.name).as_str()));
            match &c.outcome {
                None => x.write_event(Event::Empty(case))?,
                Some((element, message, text)) => {
                    x.write_event(Event::Start(case))?;
                    let mut o = BytesStart::new(*element);
                    o.push_attribute(("message", clean(message).as_str()));
                    if *element == "failure" {
                        o.push_attribute(("type", "finding"));
                    }
                    if text.is_empty() {
                        x.write_event(Event::Empty(o))?;
                    } else {
                        x.write_event(Event::Start(o))?;
                        x.write_event(Event::Text(BytesText::new(&clean(text))))?;
                        x.write_event(Event::End(BytesEnd::new(*element)))?;
                    }
                    x.write_event(Event::End(BytesEnd::new("testcase")))?;
                }
            }
        }
        x.write_event(Event::End(BytesEnd::new("testsuite")))?;
    }
    x.write_event(Event::End(BytesEnd::new("testsuites")))?;
    writeln!(x.get_mut())
}
