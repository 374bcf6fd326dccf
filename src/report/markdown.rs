//! Markdown for tickets: verdict, capture time, root causes with their symptoms, the plan
//! as one ordered list with commands in code blocks, and the evidence in `<details>`.
//! Past a size budget the report keeps the verdict, root causes and plan and says what it
//! left out and how to get it.

use crate::finding::{Finding, Severity};
use crate::report::Analysis;
use crate::report::escape::{md_code, md_code_cell, md_fence, md_text, md_text_code, md_text_code_cell};

/// The default size budget in characters: under GitHub's 65,536-character comment limit.
pub const DEFAULT_BUDGET: usize = 60_000;

/// How much of a bundle's report to write.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Everything.
    Full,
    /// Verdict, gaps, root causes and plan; the rest is named, not written. With `trim`, what
    /// repeats is cut to its first few (see [`Mode::trims`]).
    Compact {
        /// Cut what repeats: a root cause's symptoms, a step's targets and node blocks.
        trim: bool,
    },
    /// Verdict, gaps, one line per root cause and the plan (trimmed like `Compact`), cut at
    /// a step boundary after `plan_chars` characters of steps (0: whole). The last resort
    /// of a hard budget.
    Brief {
        /// Characters of plan steps written before the rest is named, not written.
        plan_chars: usize,
    },
}

impl Mode {
    /// Whether what repeats is cut to its first few: a root cause's symptoms past
    /// [`KEEP_SYMPTOMS`], a step's targets past [`KEEP_TARGETS`] and its node-by-node blocks
    /// past [`KEEP_NODES`] (and the last), each with a line saying how many were left out
    /// and that `-o json` has them all.
    fn trims(self) -> bool {
        matches!(self, Mode::Compact { trim: true } | Mode::Brief { .. })
    }
}

/// Symptoms listed under a root cause in a trimmed report.
const KEEP_SYMPTOMS: usize = 10;
/// Targets listed for a plan step in a trimmed report.
const KEEP_TARGETS: usize = 10;
/// Node blocks written first for a plan step in a trimmed report (the last one follows).
const KEEP_NODES: usize = 5;

/// Writes the markdown report of every analysis (a fleet summary first when there are
/// several), within `budget` characters when it can (0: no budget).
///
/// The budget is hard: past it what repeats is trimmed first (a root cause's symptoms, a
/// plan step's targets and node-by-node blocks: hundreds of NotReady nodes must not push
/// the plan out), then the root causes shrink to a line each, then the plan is cut
/// at a step boundary (saying which steps are left out: never run a partial plan), then, as
/// a last resort, the document is cut at a line outside any code block.
pub fn render_all(analyses: &[Analysis], budget: usize, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let full = document(analyses, Mode::Full)?;
    let full_chars = full.chars().count();
    if budget == 0 || full_chars <= budget {
        return w.write_all(full.as_bytes());
    }
    let mut note = Vec::new();
    budget_note(budget, full_chars, &mut note)?;
    let room = budget.saturating_sub(String::from_utf8_lossy(&note).chars().count());
    let mut doc = document(analyses, Mode::Compact { trim: false })?;
    if doc.chars().count() > room && analyses.iter().any(repeats) {
        doc = document(analyses, Mode::Compact { trim: true })?;
    }
    if doc.chars().count() > room {
        doc = document(analyses, Mode::Brief { plan_chars: 0 })?;
    }
    if doc.chars().count() > room {
        // What is not plan, then the plan steps that fit in what remains, shared by bundles.
        let skeleton = document(analyses, Mode::Brief { plan_chars: 1 })?.chars().count();
        let per_bundle = room.saturating_sub(skeleton) / analyses.len().max(1);
        doc = document(
            analyses,
            Mode::Brief {
                plan_chars: per_bundle.max(1),
            },
        )?;
    }
    if doc.chars().count() > room {
        doc = cut_at_line(&doc, room);
    }
    w.write_all(doc.as_bytes())?;
    w.write_all(&note)
}

/// Whether a trimmed report of `a` would leave something out ([`Mode::trims`]): else
/// rendering it again is only time lost (a report over budget because of its sheer values).
fn repeats(a: &Analysis) -> bool {
    let many = |l: &[String]| l.iter().filter(|l| l.starts_with("# on ")).count() > KEEP_NODES + 1;
    a.plan
        .iter()
        .any(|s| s.targets.len() > KEEP_TARGETS || many(&s.commands) || many(&s.verify) || many(&s.rollback))
        || a.root_causes()
            .any(|f| a.symptoms_of(f).nth(KEEP_SYMPTOMS).is_some())
}

/// `doc` cut to at most `chars` characters at the end of a line that is outside every code
/// block, so what remains still renders (the last resort of a hard budget: `audit` cuts its
/// compact details with it).
pub fn cut_at_line(doc: &str, chars: usize) -> String {
    // Reading from memory cannot fail.
    cut_at_line_from(&mut doc.as_bytes(), chars).unwrap_or_default()
}

/// [`cut_at_line`] over a reader: reads only as far as `chars` reaches, so `audit` never holds
/// a fleet's compact details whole (its memory stays flat however many bundles there are).
pub fn cut_at_line_from(doc: &mut impl std::io::BufRead, chars: usize) -> std::io::Result<String> {
    let mut out = String::new();
    let mut kept = 0;
    let mut fence: Option<String> = None;
    let mut pending = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if doc.read_line(&mut line)? == 0 {
            break;
        }
        let t = line.trim();
        match &fence {
            Some(f) if t == f.as_str() => fence = None,
            None if t.starts_with("```") => {
                fence = Some(t.chars().take_while(|&c| c == '`').collect());
            }
            _ => {}
        }
        pending.push_str(&line);
        if fence.is_none() {
            let n = pending.chars().count();
            if kept + n > chars {
                break;
            }
            kept += n;
            out.push_str(&pending);
            pending.clear();
        } else if kept + pending.chars().count() > chars {
            // An open code block that already overflows can never be kept.
            break;
        }
    }
    Ok(out)
}

/// One bundle's part of a report: everything, or (`compact`) the verdict, gaps, root causes
/// and plan with what repeats trimmed, naming what it leaves out. `audit` writes both as bundles finish and picks one
/// at the end, so its memory stays flat under a budget.
pub fn render_part(a: &Analysis, compact: bool, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    bundle(
        a,
        if compact {
            Mode::Compact { trim: true }
        } else {
            Mode::Full
        },
        w,
    )
}

/// The note that closes a report cut to fit `budget` characters (the whole one had
/// `full_chars`).
pub fn budget_note(budget: usize, full_chars: usize, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(
        w,
        "---\n\n_This report was cut to fit the markdown budget of {budget} characters (the whole \
         report is {full_chars} characters): the sections above marked as left out are in the HTML report \
         (run the same command with `-o html --output report.html`) or in full markdown with \
         `--markdown-budget 0`._"
    )
}

fn document(analyses: &[Analysis], mode: Mode) -> std::io::Result<String> {
    let mut out: Vec<u8> = Vec::new();
    if analyses.len() > 1 {
        render_fleet(&crate::report::fleet::rows(analyses), &mut out)?;
    }
    for a in analyses {
        bundle(a, mode, &mut out)?;
    }
    String::from_utf8(out).map_err(std::io::Error::other)
}

/// Text outside code: `<` and `&` escaped so that a placeholder such as `<name>` shows as
/// written instead of being taken for HTML.
fn prose(s: &str) -> String {
    // Inside a code span a backslash is printed as it is (CommonMark): escape only outside.
    let mut out = String::with_capacity(s.len() + 8);
    // Unbalanced backticks are no code span: everything is escaped.
    let spans = s.matches('`').count() % 2 == 0;
    let mut in_code = false;
    for c in s.chars() {
        match c {
            '`' if spans => in_code = !in_code,
            '\\' | '<' | '&' if !in_code => out.push('\\'),
            _ => {}
        }
        out.push(c);
    }
    out
}

/// `text` with every line after the first indented by `indent` (list-item continuation).
fn indented(text: &str, indent: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 || l.is_empty() {
                l.to_string()
            } else {
                format!("{indent}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A fenced `sh` block inside a list item: every line of every command (heredocs included)
/// indented to the item's content column.
fn code_block(lines: &[String], indent: &str, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    // A fence longer than any backtick run inside, so bundle data cannot close it.
    let fence = md_fence(&lines.join("\n"));
    writeln!(w, "{indent}{fence}sh")?;
    for c in lines {
        for l in c.lines() {
            if l.is_empty() {
                writeln!(w)?;
            } else {
                writeln!(w, "{indent}{l}")?;
            }
        }
    }
    writeln!(w, "{indent}{fence}")
}

/// Open questions grouped by rule, most severe first: badge, rule, title, how many and the
/// first few nodes.
fn open_by_rule(open: &[&Finding], w: &mut dyn std::io::Write) -> std::io::Result<()> {
    const NODES_SHOWN: usize = 3;
    let mut groups: Vec<(&str, Vec<&Finding>)> = Vec::new();
    for f in open {
        match groups.iter_mut().find(|(r, _)| *r == f.rule.as_str()) {
            Some((_, v)) => v.push(f),
            None => groups.push((f.rule.as_str(), vec![f])),
        }
    }
    groups.sort_by_key(|(r, v)| (std::cmp::Reverse(v.iter().map(|f| f.severity).max()), *r));
    for (rule, v) in groups {
        let worst = v.iter().map(|f| f.severity).max().unwrap_or(Severity::Info);
        let mut nodes: Vec<&str> = v.iter().filter_map(|f| f.node.as_deref()).collect();
        nodes.dedup();
        let on = match nodes.len() {
            0 => String::new(),
            n if n <= NODES_SHOWN => format!(" on {}", md_text(&nodes.join(", "))),
            n => format!(
                " on {} and {} more",
                md_text(&nodes[..NODES_SHOWN].join(", ")),
                n - NODES_SHOWN
            ),
        };
        writeln!(
            w,
            "- {} `{rule}` {} ({}){on}",
            badge(worst),
            md_text(&v[0].title),
            v.len()
        )?;
    }
    writeln!(w)
}

/// Opens a collapsed section: `<details>` with its summary, then a blank line so that the
/// markdown inside renders.
fn details_open(summary: &str, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(w, "<details><summary>{}</summary>\n", prose(summary))
}

fn details_close(w: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(w, "</details>\n")
}

fn bundle(a: &Analysis, mode: Mode, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(w, "# kubetriage: {}\n", md_code(&a.source))?;
    if let Some(e) = &a.error {
        return writeln!(w, "**Error:** not analysed: {}\n", md_text(e));
    }
    writeln!(w, "**Verdict:** {}\n", prose(&a.verdict_sentence()))?;
    writeln!(
        w,
        "- Captured at: `{}` (from {}: {})",
        a.captured_at,
        md_text(&a.captured_at_source),
        md_text(&a.captured_at_evidence)
    )?;
    writeln!(
        w,
        "- Nodes: {}\n",
        super::nodes_line(&a.nodes, |n| md_text(&super::node_label(n)))
    )?;
    if !a.incomplete_reasons.is_empty() {
        writeln!(w, "## Not checked\n")?;
        writeln!(
            w,
            "Gaps in the analysis: what is here was checked, what follows was not.\n"
        )?;
        for r in &a.incomplete_reasons {
            writeln!(w, "- {}", md_text_code(&r.line()))?;
        }
        writeln!(w)?;
    }
    let roots: Vec<&Finding> = a.root_causes().collect();
    if !roots.is_empty() {
        writeln!(w, "## Root causes\n")?;
        if let Mode::Brief { .. } = mode {
            // One line each: `kubetriage explain <id>` gives the rest.
            for f in &roots {
                let on = f
                    .node
                    .as_ref()
                    .map(|n| format!(" on {}", md_text(n)))
                    .unwrap_or_default();
                writeln!(w, "- {} `{}` {}{on}", badge(f.severity), f.id, md_text(&f.title))?;
            }
            writeln!(w)?;
        } else {
            for f in roots {
                finding(a, f, mode.trims(), w)?;
            }
        }
    }
    let open: Vec<&Finding> = a.open_questions().collect();
    let entries = crate::report::timeline::entries(&a.findings);
    let mut left_out: Vec<String> = Vec::new();
    if !open.is_empty() {
        if mode == Mode::Full {
            writeln!(w, "## Open questions\n")?;
            writeln!(
                w,
                "Symptoms that no root cause in the bundle explains: look at these by hand.\n"
            )?;
            details_open(&format!("{} open question(s)", open.len()), w)?;
            for f in open {
                finding(a, f, false, w)?;
            }
            details_close(w)?;
        } else {
            // One line per rule, however many findings: a distinct error (an etcd TLS
            // rejection) is not lost among hundreds of one kind (NotReady nodes).
            writeln!(w, "## Open questions\n")?;
            writeln!(
                w,
                "Symptoms that no root cause in the bundle explains, one line per rule (their text and places left out to fit the budget):\n"
            )?;
            open_by_rule(&open, w)?;
            left_out.push(format!("the text of {} open question(s)", open.len()));
        }
    }
    match mode {
        Mode::Brief { plan_chars } if plan_chars > 0 => plan(a, Some(plan_chars), mode.trims(), w)?,
        _ => plan(a, None, mode.trims(), w)?,
    }
    if let Mode::Brief { .. } = mode {
        left_out.push("each root cause's text, places and symptoms (`kubetriage explain <id>`)".to_string());
    }
    if mode == Mode::Full {
        writeln!(w, "## Timeline\n")?;
        if entries.is_empty() {
            writeln!(w, "No log events.\n")?;
        } else {
            details_open(
                &format!("{} event class(es), first occurrence each", entries.len()),
                w,
            )?;
            crate::report::timeline::markdown_table(&entries, w)?;
            details_close(w)?;
        }
    } else if !entries.is_empty() {
        left_out.push(format!("the timeline ({} event classes)", entries.len()));
    }
    if !a.certificates.is_empty() {
        if mode == Mode::Full {
            writeln!(w, "## Certificates\n")?;
            writeln!(
                w,
                "Every certificate once, judged at capture time; the issuer is the CA whose key verifies its signature.\n"
            )?;
            details_open(
                &format!("{} certificate(s), worst first", a.certificates.len()),
                w,
            )?;
            crate::report::certs::markdown_table(&a.certificates, w)?;
            details_close(w)?;
        } else {
            left_out.push(format!(
                "the certificate inventory ({} certificates)",
                a.certificates.len()
            ));
        }
    }
    if !a.problems.is_empty() {
        if mode == Mode::Full {
            writeln!(w, "## Input problems\n")?;
            details_open(&format!("{} input problem(s)", a.problems.len()), w)?;
            writeln!(w, "| path | problem |\n|---|---|")?;
            for p in &a.problems {
                writeln!(
                    w,
                    "| {} | {} |",
                    md_code_cell(&p.path),
                    md_text_code_cell(&p.error)
                )?;
            }
            writeln!(w)?;
            details_close(w)?;
        } else {
            left_out.push(format!("the input problems table ({} rows)", a.problems.len()));
        }
    }
    if !left_out.is_empty() {
        writeln!(w, "_Left out to fit the budget: {}._\n", left_out.join(", "))?;
    }
    Ok(())
}

/// The fix plan: ONE ordered list; each step's targets, caveat, commands and verify block
/// sit inside its item, indented to the item's content column (3 spaces for `9. `, 4 for
/// `10. `), so that renderers keep the list whole.
/// With `limit`, steps are written whole while their text stays within `limit` characters;
/// the later ones keep only their title (the order stays visible), under a warning not to
/// run a partial plan. With `trim`, each step's repetitive parts are trimmed ([`Mode::trims`]).
fn plan(a: &Analysis, limit: Option<usize>, trim: bool, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    if a.plan.is_empty() {
        return Ok(());
    }
    writeln!(w, "## Fix plan\n")?;
    let mut texts = Vec::with_capacity(a.plan.len());
    for s in &a.plan {
        let mut text = Vec::new();
        step(s, trim, &mut text)?;
        texts.push(text);
    }
    let mut written = 0;
    let whole = texts
        .iter()
        .take_while(|t| {
            written += String::from_utf8_lossy(t).chars().count();
            limit.is_none_or(|l| written <= l)
        })
        .count();
    if whole < a.plan.len() {
        let last = a.plan.len();
        writeln!(
            w,
            "**The commands of steps {}–{last} are left out to fit the budget. Do not run part of a \
             plan: get it whole with `-o html` or `--markdown-budget 0`.**\n",
            whole + 1
        )?;
    }
    for (i, (s, text)) in a.plan.iter().zip(&texts).enumerate() {
        if i < whole {
            w.write_all(text)?;
        } else {
            writeln!(
                w,
                "{}. **{}** _({}, {})_",
                s.order,
                md_text(&s.title),
                s.phase,
                md_code(&s.id)
            )?;
        }
    }
    if whole < a.plan.len() {
        // The title-only items end the list.
        writeln!(w)?;
    }
    Ok(())
}

/// One plan step as an item of the plan's ordered list; with `trim`, its targets and its
/// node-by-node blocks cut to their first few, saying how many were left out.
fn step(s: &crate::plan::PlanStep, trim: bool, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    {
        let marker = format!("{}. ", s.order);
        let ind = " ".repeat(marker.len());
        // The step id is what `kubetriage explain` takes (references, caveats, dialects).
        writeln!(
            w,
            "{marker}**{}** _({}, {})_",
            md_text(&s.title),
            s.phase,
            md_code(&s.id)
        )?;
        if !s.targets.is_empty() {
            let keep = if trim { KEEP_TARGETS } else { usize::MAX };
            let mut shown: Vec<String> = s.targets.iter().take(keep).map(|t| md_code(t)).collect();
            if s.targets.len() > keep {
                shown.push(format!(
                    "and {} more (-o json lists them all)",
                    s.targets.len() - keep
                ));
            }
            writeln!(w, "\n{ind}Targets: {}", shown.join(", "))?;
        }
        if let Some(c) = &s.caveat {
            // Catalogue text: its code spans stay; `<`, `&` and `\\` are escaped.
            writeln!(w, "\n{ind}Caveat: {}", indented(&prose(c), &ind))?;
        }
        let lines = |l: &[String]| if trim { node_blocks_trimmed(l) } else { l.to_vec() };
        if !s.commands.is_empty() {
            writeln!(w)?;
            code_block(&lines(&s.commands), &ind, w)?;
        }
        if !s.verify.is_empty() {
            writeln!(w, "\n{ind}Verify:\n")?;
            code_block(&lines(&s.verify), &ind, w)?;
        }
        if !s.rollback.is_empty() {
            writeln!(w, "\n{ind}Rollback (only if the step went wrong):\n")?;
            code_block(&lines(&s.rollback), &ind, w)?;
        }
        writeln!(w)?;
    }
    Ok(())
}

/// A step's commands (or checks) node by node, with the blocks of all but the first
/// [`KEEP_NODES`] nodes and the last one replaced by a comment counting them. Node blocks
/// are the lines after each `# on NAME (i/N)` header the plan writes; unless the headers run
/// 1..=N in order (node names are bundle data) nothing is trimmed.
fn node_blocks_trimmed(lines: &[String]) -> Vec<String> {
    let heads: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("# on ") && !l.contains('\n') && l.ends_with(')'))
        .map(|(i, _)| i)
        .collect();
    let total = heads.len();
    let numbered = heads.iter().enumerate().all(|(k, &i)| {
        lines[i]
            .rsplit_once(" (")
            .is_some_and(|(_, n)| n == format!("{}/{total})", k + 1))
    });
    if total <= KEEP_NODES + 1 || !numbered {
        return lines.to_vec();
    }
    let (cut, resume) = (heads[KEEP_NODES], heads[total - 1]);
    let mut out = lines[..cut].to_vec();
    out.push(format!(
        "# … {} more node(s) left out to fit the budget (-o json has them all): the same commands on each",
        total - KEEP_NODES - 1
    ));
    out.extend_from_slice(&lines[resume..]);
    out
}

/// Writes the fleet summary table (several bundles).
pub fn render_fleet(
    rows: &[crate::report::fleet::FleetRow],
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    writeln!(w, "# Fleet summary\n")?;
    writeln!(
        w,
        "| bundle | verdict | worst | errors | warnings | info | earliest expiry |\n|---|---|---|---|---|---|---|"
    )?;
    for r in rows {
        writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} |",
            md_code_cell(&r.source),
            md_text(&r.verdict),
            r.worst,
            r.errors,
            r.warnings,
            r.infos,
            md_text(&r.earliest_expiry)
        )?;
    }
    writeln!(w)
}

/// Writes the detail of a bundle whose analysis failed.
pub fn render_failed(source: &str, error: &str, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(w, "# kubetriage: {}\n", md_code(source))?;
    writeln!(w, "**Verdict:** analysis failed: {}\n", md_text(error))
}

/// One finding with its symptoms (with `trim`, the first [`KEEP_SYMPTOMS`] and a count).
fn finding(a: &Analysis, f: &Finding, trim: bool, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(
        w,
        "### {} `{}` {}\n",
        badge(f.severity),
        f.rule,
        md_text(&f.title)
    )?;
    if !f.message.is_empty() {
        writeln!(w, "{}\n", md_text_code(&f.message))?;
    }
    let wh: Vec<String> = f.paths.iter().chain(&f.objects).map(|p| md_code(p)).collect();
    if !wh.is_empty() {
        let on = f
            .node
            .as_ref()
            .map(|n| format!(" on {}", md_text(n)))
            .unwrap_or_default();
        writeln!(w, "- Where: {}{on}", wh.join(", "))?;
    }
    writeln!(w, "- Finding id: `{}`", f.id)?;
    let symptoms: Vec<&Finding> = a.symptoms_of(f).collect();
    let keep = if trim { KEEP_SYMPTOMS } else { usize::MAX };
    for s in symptoms.iter().take(keep) {
        let count = s
            .evidence
            .get("count")
            .map(|c| format!(", {c} log line(s)"))
            .unwrap_or_default();
        let link = s
            .link_text(&f.id)
            .map(|t| format!("; {}", md_text(&t)))
            .unwrap_or_default();
        writeln!(
            w,
            "- Symptom: `{}` {}{}{count}{link}",
            s.rule,
            md_text(&s.title),
            md_text(&origin(s))
        )?;
    }
    if symptoms.len() > keep {
        writeln!(
            w,
            "- … {} more symptom(s) left out to fit the budget (-o json has them all)",
            symptoms.len() - keep
        )?;
    }
    if f.symptom && f.explained_by.is_empty() {
        if let Some(t) = f.refs_text() {
            let t = t.strip_prefix("the ").map_or(t.clone(), |r| format!("The {r}"));
            writeln!(w, "- {}", md_text(&t))?;
        }
    }
    writeln!(w)
}

/// ` (node, component)` of a symptom: where it was seen and who logged it.
fn origin(s: &Finding) -> String {
    let parts: Vec<&str> = s
        .node
        .as_deref()
        .into_iter()
        .chain(s.evidence.get("component").and_then(|c| c.as_str()))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

fn badge(s: Severity) -> &'static str {
    match s {
        Severity::Error => "🔴",
        Severity::Warning => "🟠",
        Severity::Info => "🔵",
    }
}

#[cfg(test)]
mod tests {
    /// A placeholder in a code span is written as it is (a backslash there would show);
    /// outside one, escaped so that it is not taken for HTML. Was: `\<node>-ca@\<unix time>`.
    #[test]
    fn prose_escapes_only_outside_code_spans() {
        assert_eq!(
            super::prose("`<node>-ca@<t>` for <node>"),
            "`<node>-ca@<t>` for \\<node>"
        );
        // An unbalanced backtick opens no span.
        assert_eq!(super::prose("a ` <b>"), "a ` \\<b>");
    }
}
