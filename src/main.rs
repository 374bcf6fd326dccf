//! The `kubetriage` command line: parse arguments, call the library, set the exit code.
//! Exit codes: 0 = nothing at or above `--fail-on`, 1 = findings at or above it, 2 = the
//! tool failed (usage, unreadable input, invalid catalogue).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory, Parser, Subcommand};
use kubetriage::bundle::distro::Layout;
use kubetriage::bundle::{ByteSize, Limits};
use kubetriage::catalog::{Catalog, RuleKind};
use kubetriage::finding::Severity;
use kubetriage::report::{self, Format};
use kubetriage::{Options, analyze};

/// mimalloc: the snapshot of a cluster-scale dump is hundreds of thousands of small
/// allocations made and freed from several threads, where glibc's allocator spends a tenth of
/// the run (measured with `perf` on the 20,000-certificate bench bundle).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Offline forensic analyzer for Kubernetes bundles: what is broken, what is a symptom of
/// what, and the order to fix it in.
#[derive(Parser)]
#[command(name = "kubetriage", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse one or more bundles (directory, .tar, .tar.gz) and print findings and a fix plan.
    Analyze(AnalyzeArgs),
    /// Analyse every bundle (sub-directory, .tar, .tar.gz) inside the given folders: a fleet
    /// summary first, then each bundle's detail. For pre-upgrade audits across many clusters.
    Audit(AnalyzeArgs),
    /// List every certificate of one or more bundles once, with every place it sits, its
    /// verified issuer, validity, days left at capture, key and status.
    Certs(AnalyzeArgs),
    /// Print the log events of one or more bundles in time order: the first occurrence of each
    /// event class across components and nodes, so a cascade reads top to bottom.
    Timeline(AnalyzeArgs),
    /// List the rule catalogue (or `rules check DIR` to validate a custom rule folder).
    Rules(RulesArgs),
    /// Gather what the rules need from this node (or a mounted disk with --root) into a bundle
    /// tar.gz; missing files and tools are listed in its kubetriage-collect.json.
    Collect(CollectArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on stdout.
    Man,
    /// Print a rule's documentation.
    Explain {
        /// Rule id (e.g. `ca-mismatch`).
        id: Option<String>,
        /// Print every rule.
        #[arg(long)]
        all: bool,
        /// Extra rule folders.
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
}

#[derive(Args)]
struct CollectArgs {
    /// The node's filesystem root: `/` on a live node, or a dead node's mounted disk (then
    /// journalctl is not run).
    #[arg(long, value_name = "DIR", default_value = "/")]
    root: PathBuf,
    /// The bundle to write.
    #[arg(
        long,
        short = 'O',
        value_name = "FILE",
        default_value = "kubetriage-collect.tar.gz"
    )]
    output: PathBuf,
    /// Replace each private key by a stub holding only its public key (pairing checks still
    /// work; no private key leaves the node).
    #[arg(long)]
    no_private_keys: bool,
    /// A kubeconfig to dump secrets, configmaps, pods, nodes, deployments, daemonsets and
    /// events with kubectl.
    #[arg(long, value_name = "FILE")]
    kubeconfig: Option<PathBuf>,
    /// How far back the kubelet journal goes (`journalctl --since`), e.g. `2d`, `12h`.
    #[arg(long, value_name = "DURATION", default_value = "2d")]
    since: String,
    /// Largest log kept whole; longer logs keep their last bytes (KiB/MiB suffixes).
    #[arg(long, value_name = "SIZE", default_value = "32MiB")]
    max_log_bytes: ByteSize,
    /// No progress lines.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args)]
struct AnalyzeArgs {
    /// Bundles to analyse.
    #[arg(required = true, value_name = "BUNDLE")]
    bundles: Vec<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args)]
struct CommonArgs {
    /// Judge the bundle at this instant (RFC 3339); default: inferred from the bundle.
    #[arg(long, value_name = "RFC3339")]
    now: Option<String>,
    /// Report certificates expiring within this many days of capture.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    expiry_window: i64,
    /// Output format (default: table on a terminal, markdown otherwise).
    #[arg(long, short = 'o', value_enum)]
    format: Option<Format>,
    /// Write the report to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with 1 when a finding at or above this severity exists.
    #[arg(long, value_enum, default_value_t = Severity::Error)]
    fail_on: Severity,
    /// Extra rule folders (add or override catalogue entries).
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// Print bytes read, time per stage and peak memory on stderr.
    #[arg(long)]
    stats: bool,
    /// Treat every node as this distribution instead of detecting it.
    #[arg(long, value_enum, value_name = "LAYOUT")]
    layout: Option<Layout>,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Caps on what is read from a hostile or broken bundle; hitting one is an `input-problem`
/// finding naming the path and the limit, and the analysis goes on with the rest.
#[derive(Args)]
#[command(next_help_heading = "Limits (sizes take KiB, MiB, GiB suffixes)")]
struct LimitArgs {
    /// Largest structured file (cert, kubeconfig, manifest, dump) read into memory.
    #[arg(long, value_name = "SIZE", default_value_t = ByteSize(Limits::default().max_entry_bytes))]
    max_entry_bytes: ByteSize,
    /// Total decompressed bytes read from one bundle (stops a gzip bomb).
    #[arg(long, value_name = "SIZE", default_value_t = ByteSize(Limits::default().max_total_bytes))]
    max_total_bytes: ByteSize,
    /// Entries (files, links) read from one bundle.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_entries)]
    max_entries: u64,
    /// Levels of archives opened inside the bundle (an archive in the bundle is level 1).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_nesting)]
    max_nesting: u32,
    /// Longest log line matched whole; longer lines are cut.
    #[arg(long, value_name = "SIZE", default_value_t = ByteSize(Limits::default().max_line_bytes as u64))]
    max_line_bytes: ByteSize,
    /// Sample log lines kept per log rule and node.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_samples)]
    max_samples: usize,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_entry_bytes: self.max_entry_bytes.0,
            max_total_bytes: self.max_total_bytes.0,
            max_entries: self.max_entries,
            max_nesting: self.max_nesting,
            max_line_bytes: usize::try_from(self.max_line_bytes.0).unwrap_or(usize::MAX),
            max_samples: self.max_samples,
        }
    }
}

#[derive(Args)]
struct RulesArgs {
    #[command(subcommand)]
    action: Option<RulesAction>,
    /// Print the log rules' regexes, one per line (for `rg -f`).
    #[arg(long)]
    patterns: bool,
    /// Extra rule folders.
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
}

#[derive(Subcommand)]
enum RulesAction {
    /// Validate a custom rule folder: YAML shape, unique ids, regexes compile, examples match
    /// and negative examples do not, referenced rules exist. Problems are printed as
    /// `FILE:LINE: message`; exit 1 when there are any.
    Check {
        /// The folder of `*.yaml` rule files.
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            #[allow(clippy::print_stderr)]
            {
                eprintln!("kubetriage: {e:#}");
            }
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze(a) => cmd_analyze(&a.bundles, &a.common),
        Command::Audit(a) => cmd_analyze(&bundles_in(&a.bundles)?, &a.common),
        Command::Certs(a) => cmd_certs(&a.bundles, &a.common),
        Command::Timeline(a) => cmd_timeline(&a.bundles, &a.common),
        Command::Rules(RulesArgs {
            action: Some(RulesAction::Check { dir }),
            ..
        }) => cmd_rules_check(&dir),
        Command::Rules(r) => cmd_rules(&r),
        Command::Explain { id, all, rules } => cmd_explain(id.as_deref(), all, &rules),
        Command::Collect(c) => cmd_collect(&c),
        Command::Completions { shell } => {
            write_out(None, |w| {
                clap_complete::generate(shell, &mut Cli::command(), "kubetriage", w);
                Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            write_out(None, |w| clap_mangen::Man::new(Cli::command()).render(w))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `journalctl --since` takes `-2d`-style relative times; a bare `2d` means "2d ago".
fn since_arg(s: &str) -> String {
    let relative = s
        .trim_end_matches(['s', 'm', 'h', 'd', 'w'])
        .chars()
        .all(|c| c.is_ascii_digit())
        && s.chars().next().is_some_and(|c| c.is_ascii_digit());
    if relative { format!("-{s}") } else { s.to_string() }
}

fn cmd_collect(c: &CollectArgs) -> Result<ExitCode> {
    // The one place kubetriage reads the clock: the moment a collection runs is its capture
    // time, recorded in the bundle so the analysis never reads the clock.
    #[allow(clippy::disallowed_methods)]
    let now = time::OffsetDateTime::from(std::time::SystemTime::now());
    let live = c.root == std::path::Path::new("/");
    let opts = kubetriage::collect::CollectOptions {
        root: c.root.clone(),
        live,
        output: c.output.clone(),
        no_private_keys: c.no_private_keys,
        kubeconfig: c.kubeconfig.clone(),
        since: since_arg(&c.since),
        max_log_bytes: c.max_log_bytes.0,
        collected_at: kubetriage::snapshot::rfc3339(now),
        progress: !c.quiet && std::io::stderr().is_terminal(),
    };
    let m = kubetriage::collect::collect(&opts).with_context(|| format!("writing {}", c.output.display()))?;
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "kubetriage: wrote {} ({} files, {} with private keys stubbed, {} items missing: see kubetriage-collect.json)",
            c.output.display(),
            m.files.len(),
            m.stubbed,
            m.skipped.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn options(c: &CommonArgs) -> Result<Options> {
    let now = c
        .now
        .as_deref()
        .map(|s| time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339))
        .transpose()
        .context("--now must be RFC 3339, e.g. 2026-11-21T09:30:00Z")?;
    Ok(Options {
        now,
        expiry_window: time::Duration::days(c.expiry_window),
        progress: !c.quiet && std::io::stderr().is_terminal(),
        limits: c.limits.limits(),
        layout: c.layout,
    })
}

/// The bundles inside audit folders: sub-directories and regular files, sorted by name.
fn bundles_in(dirs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for d in dirs {
        let mut found: Vec<PathBuf> = std::fs::read_dir(d)
            .with_context(|| format!("reading {}", d.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                !p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        found.sort();
        out.extend(found);
    }
    anyhow::ensure!(
        !out.is_empty(),
        "no bundles found in {}",
        dirs.iter()
            .map(|d| d.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(out)
}

fn cmd_analyze(bundles: &[PathBuf], c: &CommonArgs) -> Result<ExitCode> {
    let catalog = Catalog::load(&c.rules)?;
    let opts = options(c)?;
    let mut analyses = Vec::new();
    for b in bundles {
        analyses.push(analyze(b, &catalog, &opts).with_context(|| format!("analysing {}", b.display()))?);
    }
    let format = c.format.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Markdown
    });
    let started = std::time::Instant::now();
    write_out(c.output.as_ref(), |w| report::render(&analyses, format, w))?;
    if c.stats {
        print_stats(&analyses, started.elapsed());
    }
    let failing = analyses.iter().any(|an| an.count_at_least(c.fail_on) > 0);
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `--stats`: per bundle, bytes and time per stage; then the report's render time and the
/// process's peak memory, on stderr.
#[allow(clippy::print_stderr)]
fn print_stats(analyses: &[kubetriage::report::Analysis], render: std::time::Duration) {
    for an in analyses {
        let s = &an.stats;
        eprintln!(
            "{}: {} entries, {} bytes read, {} bytes unpacked ({:.0} MB/s)",
            an.source,
            s.entries,
            s.bytes_read,
            s.bytes_unpacked,
            s.mb_per_s()
        );
        eprintln!(
            "  read+decompress+scan {:?} (scan busy {:?}), parse {:?}, pki {:?}, checks {:?}, plan {:?}",
            s.read, s.scan, s.parse, s.pki, s.checks, s.plan
        );
    }
    eprintln!("render {render:?}");
    if let Some(kib) = peak_rss_kib() {
        eprintln!("peak memory: {kib} KiB (VmHWM)");
    }
}

fn cmd_timeline(bundles: &[PathBuf], c: &CommonArgs) -> Result<ExitCode> {
    let catalog = Catalog::load(&c.rules)?;
    let opts = options(c)?;
    let mut timelines = Vec::new();
    for b in bundles {
        let an = analyze(b, &catalog, &opts).with_context(|| format!("analysing {}", b.display()))?;
        timelines.push((an.source.clone(), report::timeline::entries(&an.findings)));
    }
    write_out(c.output.as_ref(), |w| {
        for (source, entries) in &timelines {
            match c.format {
                Some(Format::Json) => {
                    serde_json::to_writer_pretty(&mut *w, entries).map_err(std::io::Error::other)?;
                    writeln!(w)?;
                }
                Some(Format::Markdown) => {
                    writeln!(w, "# kubetriage timeline: {source}\n")?;
                    report::timeline::render_markdown(entries, w)?;
                }
                _ => {
                    writeln!(w, "{source}")?;
                    report::timeline::render_table(entries, w)?;
                }
            }
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn cmd_rules_check(dir: &std::path::Path) -> Result<ExitCode> {
    let diags = kubetriage::logscan::rulecheck::check_dir(dir)
        .with_context(|| format!("reading rules folder {}", dir.display()))?;
    write_out(None, |w| {
        for d in &diags {
            writeln!(w, "{d}")?;
        }
        if diags.is_empty() {
            writeln!(w, "{}: ok", dir.display())?;
        }
        Ok(())
    })?;
    Ok(if diags.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn cmd_certs(bundles: &[PathBuf], c: &CommonArgs) -> Result<ExitCode> {
    let catalog = Catalog::load(&c.rules)?;
    let opts = options(c)?;
    let mut inventories = Vec::new();
    for b in bundles {
        let mut stats = kubetriage::engine::Stats::default();
        let snap = kubetriage::snapshot::build::from_source(b, &catalog, &opts, &mut stats)
            .with_context(|| format!("reading {}", b.display()))?;
        inventories.push(report::certs::Inventory::new(&snap, opts.expiry_window));
    }
    let format = c.format.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Markdown
    });
    write_out(c.output.as_ref(), |w| {
        report::certs::render(&inventories, format, w)
    })?;
    Ok(ExitCode::SUCCESS)
}

/// This process's peak resident memory so far (`VmHWM` of `/proc/self/status`), in KiB;
/// `None` where procfs is absent.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

fn write_out(path: Option<&PathBuf>, f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    match path {
        Some(p) => {
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
            );
            f(&mut file).with_context(|| format!("writing {}", p.display()))?;
            file.flush()?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            f(&mut lock).context("writing the report")?;
            lock.flush()?;
        }
    }
    Ok(())
}

fn cmd_rules(r: &RulesArgs) -> Result<ExitCode> {
    let catalog = Catalog::load(&r.rules)?;
    write_out(None, |w| {
        for rule in &catalog.rules {
            match (&rule.kind, r.patterns) {
                (RuleKind::Log(l), true) => {
                    for p in &l.patterns {
                        // Unnamed groups: `rg -f` joins the lines into one regex.
                        writeln!(w, "{}", kubetriage::logscan::compiled::without_capture_names(p))?;
                    }
                }
                (_, true) => {}
                (kind, false) => {
                    let how = match kind {
                        RuleKind::Check(c) => c.clone(),
                        RuleKind::Log(_) => "log".to_string(),
                    };
                    writeln!(
                        w,
                        "{:<34} {:<8} {:<28} {}",
                        rule.id,
                        rule.severity.as_str(),
                        how,
                        rule.title
                    )?;
                }
            }
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `kubetriage explain <fix-step>`: what the step does, in which distributions' words, and
/// where its commands come from.
fn explain_fix(w: &mut dyn Write, step: &kubetriage::catalog::FixStep) -> std::io::Result<()> {
    let phase = kubetriage::catalog::PHASES
        .get(step.phase)
        .copied()
        .unwrap_or("hygiene");
    writeln!(w, "# {} (fix step, phase {phase})\n\n{}\n", step.id, step.title)?;
    let section = |w: &mut dyn Write, title: &str, lines: &[String]| -> std::io::Result<()> {
        if !lines.is_empty() {
            writeln!(w, "## {title}\n")?;
            for l in lines {
                for part in l.lines() {
                    writeln!(w, "    {part}")?;
                }
            }
            writeln!(w)?;
        }
        Ok(())
    };
    if !step.after.is_empty() {
        writeln!(w, "## After\n\n{}\n", step.after.join(", "))?;
    }
    if !step.dialects.is_empty() {
        writeln!(w, "## In each distribution's words\n")?;
        for (layout, to) in &step.dialects {
            writeln!(w, "- {layout}: `{to}`")?;
        }
        writeln!(w)?;
    }
    section(w, "Backs up first", &step.backup)?;
    section(w, "Commands", &step.commands)?;
    section(w, "Between nodes", &step.between_nodes)?;
    section(w, "Verify", &step.verify)?;
    section(w, "Rollback", &step.rollback)?;
    if let Some(c) = &step.caveat {
        writeln!(w, "## Caveat\n\n{}\n", c.trim())?;
    }
    if !step.references.is_empty() {
        writeln!(w, "## References\n")?;
        for r in &step.references {
            writeln!(w, "- {r}")?;
        }
        writeln!(w)?;
    }
    Ok(())
}

fn cmd_explain(id: Option<&str>, all: bool, dirs: &[PathBuf]) -> Result<ExitCode> {
    let catalog = Catalog::load(dirs)?;
    if let Some(step) = id
        .filter(|i| !all && catalog.rule(i).is_none())
        .and_then(|i| catalog.fixes.get(i))
    {
        write_out(None, |w| explain_fix(w, step))?;
        return Ok(ExitCode::SUCCESS);
    }
    let rules: Vec<_> = if all {
        catalog.rules.iter().collect()
    } else {
        let id = id.context("give a rule id, or --all")?;
        vec![
            catalog
                .rule(id)
                .with_context(|| format!("no rule or fix step `{id}` (see `kubetriage rules`)"))?,
        ]
    };
    write_out(None, |w| {
        for rule in rules {
            writeln!(
                w,
                "# {} ({})\n\n{}\n",
                rule.id,
                rule.severity.as_str(),
                rule.title
            )?;
            writeln!(w, "## Why\n\n{}\n", rule.why.trim())?;
            match &rule.kind {
                RuleKind::Check(c) => writeln!(w, "## Decided by\n\nbuilt-in check `{c}`\n")?,
                RuleKind::Log(l) => {
                    writeln!(w, "## Decided by\n\nlog lines matching:\n")?;
                    for p in &l.patterns {
                        writeln!(w, "    {p}")?;
                    }
                    writeln!(w)?;
                }
            }
            if !rule.explains.is_empty() {
                writeln!(w, "## Explains\n\n{}\n", rule.explains.join(", "))?;
            }
            if !rule.fix.is_empty() {
                writeln!(w, "## Fix\n")?;
                for f in &rule.fix {
                    let title = catalog.fixes.get(f).map_or("", |s| s.title.as_str());
                    writeln!(w, "- `{f}`: {title}")?;
                }
                writeln!(w)?;
            }
            if !rule.references.is_empty() {
                writeln!(w, "## References\n")?;
                for r in &rule.references {
                    writeln!(w, "- {r}")?;
                }
                writeln!(w)?;
            }
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
