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
use kubetriage::report::{self, FailOn, Filter, Format, RenderOptions};
use kubetriage::{Options, analyze};
use rayon::prelude::*;

/// Writes one line to stderr. Paths and messages there carry bundle names, so every control
/// character (newline, ESC, an OSC 52 clipboard write) and bidi override is shown visibly:
/// the same escaping as the reports on stdout.
macro_rules! say {
    ($($arg:tt)*) => {{
        #[allow(clippy::print_stderr)]
        {
            eprintln!("{}", kubetriage::report::escape::visible(&format!($($arg)*)));
        }
    }};
}

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
    /// Analyse every bundle (sub-directory, .tar, .tar.gz, .tar.xz) inside the given folders,
    /// several at once: a fleet summary first, then each bundle's detail (json, jsonl: one
    /// report per bundle, streamed). `--merge` builds the fleet summary from JSON reports
    /// written elsewhere (e.g. one per pod of a Kubernetes Indexed Job).
    Audit(AuditArgs),
    /// List every certificate of one or more bundles once, with every place it sits, its
    /// verified issuer, validity, days left at capture, key and status.
    Certs(AnalyzeArgs),
    /// Print the log events of one or more bundles in time order: the first occurrence of each
    /// event class across components and nodes, so a cascade reads top to bottom.
    Timeline(AnalyzeArgs),
    /// Compare two bundles of the same cluster (before and after a fix): which findings are
    /// fixed, new or unchanged, by stable finding id. Exit 1 when a new finding is at or
    /// above --fail-on.
    Diff(DiffArgs),
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
    /// Print a man page (roff) on stdout: the tool's, or one subcommand's; or write them all.
    Man {
        /// A subcommand (`analyze`, `audit`, …): its own page, `kubetriage-<name>(1)`.
        subcommand: Option<String>,
        /// Write `kubetriage.1` and `kubetriage-<subcommand>.1` for every subcommand into DIR.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
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
    /// Ship private keys as they are. By default each private key is replaced by a stub holding
    /// only its public key: no private key leaves the node and pairing checks still work.
    #[arg(long, conflicts_with = "no_private_keys")]
    include_private_keys: bool,
    /// The default (kept so that older scripts still run): private keys stay on the node.
    #[arg(long, hide = true)]
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
    /// Bundles to analyse (`-`: an archive on standard input).
    #[arg(required = true, value_name = "BUNDLE")]
    bundles: Vec<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args)]
struct DiffArgs {
    /// The bundle before the fix.
    #[arg(value_name = "BEFORE")]
    before: PathBuf,
    /// The bundle after the fix.
    #[arg(value_name = "AFTER")]
    after: PathBuf,
    /// Judge AFTER at this instant (RFC 3339) instead of at `--now`; without either, each
    /// bundle is judged at its own capture time. A fix made after BEFORE was captured needs
    /// it when `--now` is pinned: certificates issued by the fix would be "not yet valid".
    #[arg(long, value_name = "RFC3339")]
    after_now: Option<String>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args)]
struct AuditArgs {
    /// Folders of bundles; with `--merge`, JSON reports (`analyze -o json`, `audit -o json` or
    /// `-o jsonl`) or folders of them.
    #[arg(required = true, value_name = "FOLDER")]
    folders: Vec<PathBuf>,
    /// Build the fleet summary from per-bundle JSON reports instead of analysing bundles.
    #[arg(long)]
    merge: bool,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args)]
struct CommonArgs {
    /// Judge the bundle at this instant (RFC 3339); default: inferred from the bundle.
    #[arg(long, value_name = "RFC3339")]
    now: Option<String>,
    /// Report certificates expiring within this many days of capture (0 to 3650).
    #[arg(
        long,
        value_name = "DAYS",
        default_value_t = 30,
        allow_negative_numbers = true,
        value_parser = clap::value_parser!(i64).range(0..=3650)
    )]
    expiry_window: i64,
    /// Output format (default: from the --output extension, else table on a terminal and
    /// markdown otherwise). sarif and junit only where there are findings (analyze, audit, diff).
    #[arg(long, short = 'o', value_enum)]
    format: Option<Format>,
    /// Write the report to this file instead of stdout; without -o its extension picks the
    /// format (.json .yaml .yml .md .html .sarif .xml .txt).
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with 1 when a shown finding is at or above this severity (`incomplete`: an error,
    /// or a check that could not run; `never`: always 0).
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Show (and count) only findings at or above this severity.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    only: Option<Severity>,
    /// Show (and count) only findings of this rule (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    rule: Vec<String>,
    /// Never show (nor count) findings of this rule (repeatable).
    #[arg(long = "skip-rule", value_name = "ID")]
    skip_rule: Vec<String>,
    /// Largest markdown report in characters, a hard limit; past it the report keeps the
    /// verdict, root causes and plan and names what it left out, then shortens root causes
    /// to a line and later plan steps to their titles (0: no limit).
    #[arg(long, value_name = "CHARS", default_value_t = report::DEFAULT_MARKDOWN_BUDGET)]
    markdown_budget: usize,
    /// Extra rule folders (add or override catalogue entries).
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// Colour the terminal report's severities (auto: on a terminal, unless NO_COLOR is
    /// set). Colour never changes the layout.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
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
    // A panic's message may quote the bundle text it failed on (a string slice panic prints
    // the string): say where it happened, never what it said.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
        say!(
            "kubetriage: internal error{at} (please report it; its message is withheld, it may quote bundle data)"
        );
    }));
    match run() {
        Ok(code) => code,
        Err(e) => {
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            // A catalogue's problems, one per line: escaped one by one, so a line break
            // inside one (a YAML pattern may hold any) still cannot start a line of its own.
            let problems =
                e.chain()
                    .find_map(|c| match c.downcast_ref::<kubetriage::error::CatalogError>() {
                        Some(kubetriage::error::CatalogError::Invalid(problems)) => Some(problems),
                        _ => None,
                    });
            match problems {
                Some(problems) => {
                    let context: Vec<String> = e
                        .chain()
                        .take_while(|c| c.downcast_ref::<kubetriage::error::CatalogError>().is_none())
                        .map(ToString::to_string)
                        .collect();
                    let lead = context.iter().map(|c| format!("{c}: ")).collect::<String>();
                    say!("kubetriage: {lead}invalid rule catalogue:");
                    for p in problems {
                        say!("  {p}");
                    }
                }
                None => say!("kubetriage: {e:#}"),
            }
            ExitCode::from(2)
        }
    }
}

/// When the terminal report is coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum ColorWhen {
    /// On a terminal, unless `NO_COLOR` is set (and not empty).
    Auto,
    /// Always, even into a file or a pipe.
    Always,
    /// Never.
    Never,
}

impl CommonArgs {
    /// Decides the terminal report's look once: its width (the terminal's, else `COLUMNS`,
    /// else 100 columns) and whether it is coloured.
    fn set_terminal_style(&self) {
        use kubetriage::report::terminal;
        let to_terminal = self.output.is_none() && std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        // Only the terminal formats are coloured: an escape sequence in HTML, markdown or
        // JSON would corrupt the document.
        let terminal_format = matches!(self.format(), Format::Table | Format::Wide);
        let color = terminal_format
            && match self.color {
                ColorWhen::Always => true,
                ColorWhen::Never => false,
                ColorWhen::Auto => {
                    to_terminal && !no_color && std::env::var("TERM").map_or(true, |t| t != "dumb")
                }
            };
        let tty_width = if to_terminal {
            comfy_table::Table::new().width()
        } else {
            None
        };
        terminal::set(terminal::Style {
            width: terminal::width(tty_width, std::env::var("COLUMNS").ok().as_deref()),
            color,
        });
    }
}

/// The command line with `-h`/`--help` after the `help` subcommand read as clap's own help
/// topics: `help --help` is the help of `help`, `help analyze --help` that of `analyze` (clap
/// takes the flag for a subcommand name and fails).
fn args() -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "help") {
        let is_flag = |a: &std::ffi::OsString| a == "-h" || a == "--help";
        let flags = args.iter().skip(2).any(is_flag);
        let mut kept: Vec<_> = args.drain(2..).filter(|a| !is_flag(a)).collect();
        if flags && kept.is_empty() {
            kept.push("help".into());
        }
        args.extend(kept);
    }
    args
}

fn run() -> Result<ExitCode> {
    let cli = Cli::parse_from(args());
    if matches!(
        cli.command,
        Command::Analyze(_) | Command::Audit(_) | Command::Certs(_) | Command::Timeline(_) | Command::Diff(_)
    ) {
        kubetriage::warm();
    }
    match &cli.command {
        Command::Analyze(a) => a.common.set_terminal_style(),
        Command::Audit(a) => a.common.set_terminal_style(),
        Command::Certs(a) => a.common.set_terminal_style(),
        Command::Timeline(a) => a.common.set_terminal_style(),
        Command::Diff(d) => d.common.set_terminal_style(),
        _ => {}
    }
    match cli.command {
        Command::Analyze(a) => cmd_analyze(&a.bundles, &a.common),
        Command::Audit(a) if a.merge => cmd_merge(&a.folders, &a.common),
        Command::Audit(a) => cmd_audit(&bundles_in(&a.folders)?, &a.common),
        Command::Certs(a) => cmd_certs(&a.bundles, &a.common),
        Command::Timeline(a) => cmd_timeline(&a.bundles, &a.common),
        Command::Diff(d) => cmd_diff(&d),
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
        Command::Man { subcommand, out_dir } => cmd_man(subcommand.as_deref(), out_dir.as_deref()),
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
    if c.include_private_keys {
        #[allow(clippy::print_stderr)]
        {
            say!(
                "kubetriage: warning: --include-private-keys: the bundle will hold every private key of the node \
                 (cluster CA keys included); share it only over a channel you would trust with the CA itself"
            );
        }
    }
    let opts = kubetriage::collect::CollectOptions {
        root: c.root.clone(),
        live,
        output: c.output.clone(),
        include_private_keys: c.include_private_keys,
        kubeconfig: c.kubeconfig.clone(),
        since: since_arg(&c.since),
        max_log_bytes: c.max_log_bytes.0,
        collected_at: kubetriage::snapshot::rfc3339(now),
        progress: !c.quiet && std::io::stderr().is_terminal(),
    };
    let m = kubetriage::collect::collect(&opts).with_context(|| format!("writing {}", c.output.display()))?;
    #[allow(clippy::print_stderr)]
    {
        say!(
            "kubetriage: wrote {} ({} files, {} with private keys replaced by public-key stubs, {} items missing: see kubetriage-collect.json)",
            c.output.display(),
            m.files.len(),
            m.stubbed,
            m.skipped.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The instant a `--now`-like flag names, in UTC; an RFC 3339 time outside the years UTC can
/// hold (`9999-12-31T23:59:59-23:59`) is refused like an unparseable one.
fn instant(text: &str, flag: &str) -> Result<time::OffsetDateTime> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| t.checked_to_offset(time::UtcOffset::UTC))
        .with_context(|| {
            format!("{flag} must be RFC 3339 within years 0000-9999 UTC, e.g. 2026-11-21T09:30:00Z")
        })
}

fn options(c: &CommonArgs) -> Result<Options> {
    let now = c.now.as_deref().map(|s| instant(s, "--now")).transpose()?;
    Ok(Options {
        now,
        expiry_window: time::Duration::days(c.expiry_window),
        progress: !c.quiet && std::io::stderr().is_terminal(),
        limits: c.limits.limits(),
        layout: c.layout,
    })
}

/// The bundles inside audit folders, sorted by name within each folder: see [`audit_entry`].
/// A folder that cannot be listed is an error.
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
        out.extend(found.into_iter().filter(|p| audit_entry(p)));
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

impl CommonArgs {
    /// The report format: `-o`, else the `--output` extension, else table on a terminal
    /// and markdown otherwise.
    fn format(&self) -> Format {
        self.format
            .or_else(|| self.output.as_deref().and_then(Format::from_extension))
            .unwrap_or(if std::io::stdout().is_terminal() {
                Format::Table
            } else {
                Format::Markdown
            })
    }

    fn filter(&self) -> Filter {
        Filter {
            only: self.only,
            rules: self.rule.clone(),
            skip_rules: self.skip_rule.clone(),
        }
    }

    fn render_options(&self) -> RenderOptions {
        RenderOptions {
            command: "analyze",
            markdown_budget: self.markdown_budget,
            fail_on: self.fail_on,
        }
    }
}

/// Whether an entry of an audit folder is analysed: folders, and regular files whose first
/// bytes are an archive kubetriage reads. A FIFO, socket or device is never opened (a FIFO
/// named `x.tar.gz` would block the audit); a stray `README.txt` is not a bundle. An entry
/// that cannot be inspected is kept, so that it becomes an error entry of the report
/// instead of ending the audit. Skipped entries are named on stderr.
fn audit_entry(path: &std::path::Path) -> bool {
    let skip = |why: &str| {
        say!("kubetriage: skipping {}: {why}", path.display());
        false
    };
    // `stat` opens nothing; a symlink is judged by what it points to.
    let Ok(meta) = std::fs::metadata(path) else {
        return true;
    };
    if meta.is_dir() {
        return true;
    }
    if !meta.is_file() {
        return skip("not a regular file or folder");
    }
    // Named like an archive but not one: kept, to be reported as unreadable.
    let named = path.file_name().is_some_and(|n| {
        let n = n.to_string_lossy().to_ascii_lowercase();
        [
            ".tar", ".tgz", ".gz", ".xz", ".bz2", ".tbz2", ".zst", ".tzst", ".zip",
        ]
        .iter()
        .any(|x| n.ends_with(x))
    });
    match kubetriage::bundle::recognise(path) {
        Ok(None) | Err(_) => true,
        Ok(Some(_)) if named => true,
        Ok(Some(looks_like)) => skip(&format!("not a bundle ({looks_like})")),
    }
}

fn cmd_analyze(bundles: &[PathBuf], c: &CommonArgs) -> Result<ExitCode> {
    let catalog = Catalog::load(&c.rules)?;
    let opts = options(c)?;
    let filter = c.filter();
    let mut analyses = Vec::new();
    for b in bundles {
        let mut an = analyze_or_error(b, &catalog, &opts);
        an.apply_filter(&filter);
        analyses.push(an);
    }
    let format = c.format();
    let started = std::time::Instant::now();
    write_out(c.output.as_ref(), |w| {
        report::render_with(&analyses, format, &c.render_options(), w)
    })?;
    if c.stats {
        print_stats(&analyses, started.elapsed());
    }
    Ok(exit_code(&analyses, |an| c.fail_on.fails(an)))
}

/// 1 when `failing`, else 0.
fn exit(failing: bool) -> ExitCode {
    if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The analysis of `bundle`, or, when it cannot be read at all, an entry saying why (named
/// on stderr too), so that one unreadable bundle loses nothing of the others.
fn analyze_or_error(
    bundle: &std::path::Path,
    catalog: &Catalog,
    opts: &kubetriage::Options,
) -> report::Analysis {
    match analyze(bundle, catalog, opts) {
        Ok(a) => a,
        Err(e) => {
            say!("kubetriage: {e}");
            report::Analysis::failed(bundle.display().to_string(), e.to_string(), catalog)
        }
    }
}

/// 2 when a bundle could not be read or was cut short (a truncated archive: the report is
/// incomplete), else 1 when a finding is at or above `fail_on`, else 0.
fn exit_code(analyses: &[report::Analysis], fails: impl Fn(&report::Analysis) -> bool) -> ExitCode {
    let mut failed = false;
    for an in analyses {
        if let Some(why) = &an.incomplete {
            say!("kubetriage: {}: incomplete: {why}", an.source);
            failed = true;
        }
        failed |= an.error.is_some();
    }
    if failed {
        ExitCode::from(2)
    } else if analyses.iter().any(fails) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn cmd_diff(d: &DiffArgs) -> Result<ExitCode> {
    let c = &d.common;
    let catalog = Catalog::load(&c.rules)?;
    let opts = options(c)?;
    let filter = c.filter();
    let mut after_opts = options(c)?;
    if let Some(t) = &d.after_now {
        after_opts.now = Some(instant(t, "--after-now")?);
    } else if opts.now.is_some() {
        #[allow(clippy::print_stderr)]
        {
            say!(
                "kubetriage: diff: --now judges BEFORE and AFTER at the same instant; certificates a later fix \
                 issued would be not yet valid then: pass --after-now (or neither, to judge each at its capture time)"
            );
        }
    }
    let mut sides = Vec::new();
    for (b, opts) in [(&d.before, &opts), (&d.after, &after_opts)] {
        let mut an = analyze(b, &catalog, opts).with_context(|| format!("analysing {}", b.display()))?;
        an.apply_filter(&filter);
        sides.push(an);
    }
    let started = std::time::Instant::now();
    let diff = report::diff::Diff::new(&sides[0], &sides[1]);
    write_out(c.output.as_ref(), |w| {
        report::diff::render(&diff, c.format(), c.fail_on, w)
    })?;
    if c.stats {
        print_stats(&sides, started.elapsed());
    }
    Ok(exit(diff.fails(c.fail_on)))
}

/// One bundle's outcome in an audit: its fleet row and its rendered part, once its analysis
/// (and everything it held) is dropped.
struct Outcome {
    row: report::fleet::FleetRow,
    part: Vec<u8>,
    /// Markdown only: the compact part, used when the whole report is over its budget.
    compact: Vec<u8>,
    failed: bool,
}

/// Analyses `bundle` and renders its part; a failure (or a panic) becomes the bundle's error
/// entry, never the audit's end.
fn audit_one(
    bundle: &std::path::Path,
    catalog: &Catalog,
    opts: &Options,
    filter: &Filter,
    format: Format,
) -> Outcome {
    use report::fleet;
    let source = bundle.display().to_string();
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        analyze(bundle, catalog, opts).map(|mut an| {
            an.apply_filter(filter);
            an
        })
    }));
    let mut part = Vec::new();
    let mut compact = Vec::new();
    let analysed = match run {
        Ok(Ok(an)) => fleet::detail(&an, format, &mut part)
            .and_then(|()| {
                if format == Format::Markdown {
                    report::escape::visibly(&mut compact, |w| report::markdown::render_part(&an, true, w))
                } else {
                    Ok(())
                }
            })
            .map(|()| fleet::FleetRow::of(&an))
            .map_err(|e| format!("rendering failed: {e}")),
        Ok(Err(e)) => Err(format!("{:#}", anyhow::Error::from(e))),
        Err(_) => Err("internal error: the analysis panicked (please report it)".to_string()),
    };
    match analysed {
        Ok(row) => Outcome {
            row,
            part,
            compact,
            failed: false,
        },
        Err(error) => {
            part.clear();
            // Writing into memory cannot fail.
            let _ = fleet::failed_detail(&source, &error, catalog, format, &mut part);
            Outcome {
                row: fleet::FleetRow::failed(&source),
                compact: part.clone(),
                part,
                failed: true,
            }
        }
    }
}

/// Runs `work` on every item on rayon's pool (each item's own parallelism nested in it) and
/// hands the results to `sink` in item order as they finish. At most `window` items are in
/// flight or waiting for an earlier one, so memory stays flat however many items there are.
fn ordered_par_for_each<T: Sync, R: Send>(
    items: &[T],
    window: usize,
    work: impl Fn(&T) -> R + Sync,
    mut sink: impl FnMut(usize, R) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let (tx, rx) = std::sync::mpsc::channel::<(usize, R)>();
    let work = &work;
    rayon::in_place_scope_fifo(|scope| {
        let mut waiting = std::collections::BTreeMap::new();
        let (mut spawned, mut written) = (0, 0);
        while written < items.len() {
            while spawned < items.len() && spawned < written + window.max(1) {
                let (i, tx) = (spawned, tx.clone());
                let Some(item) = items.get(i) else { break };
                scope.spawn_fifo(move |_| {
                    let _ = tx.send((i, work(item)));
                });
                spawned += 1;
            }
            let Ok((i, r)) = rx.recv() else { break };
            waiting.insert(i, r);
            while let Some(r) = waiting.remove(&written) {
                sink(written, r)?;
                written += 1;
            }
        }
        Ok(())
    })
}

/// `audit`: bundles analysed several at once, each part written as soon as the bundles before
/// it are; only the fleet rows are kept. Formats with the summary first (markdown, table,
/// html) hold the details back in an unnamed temporary file and write the summary, then
/// the details; json and jsonl stream to the output as bundles finish.
fn cmd_audit(bundles: &[PathBuf], c: &CommonArgs) -> Result<ExitCode> {
    use report::fleet;
    let catalog = Catalog::load(&c.rules)?;
    let mut opts = options(c)?;
    // Several bundles at once: their progress bars would overwrite each other.
    opts.progress = opts.progress && bundles.len() == 1;
    let format = c.format();
    let filter = c.filter();
    if matches!(format, Format::Yaml | Format::Sarif | Format::Junit) {
        // One document of every bundle: these formats are written whole.
        let analyses: Vec<report::Analysis> = bundles
            .par_iter()
            .map(|b| {
                let mut an = analyze_or_error(b, &catalog, &opts);
                an.apply_filter(&filter);
                an
            })
            .collect();
        let started = std::time::Instant::now();
        write_out(c.output.as_ref(), |w| {
            let opts = RenderOptions {
                command: "audit",
                ..c.render_options()
            };
            report::render_with(&analyses, format, &opts, w)
        })?;
        let rows: Vec<fleet::FleetRow> = analyses.iter().map(fleet::FleetRow::of).collect();
        let failed = analyses.iter().filter(|a| a.error.is_some()).count();
        return audit_end(&rows, failed, c, started.elapsed());
    }
    let started = std::time::Instant::now();
    let count = bundles.len();
    let first = bundles
        .first()
        .map(|b| b.display().to_string())
        .unwrap_or_default();
    let budget = if format == Format::Markdown {
        c.markdown_budget
    } else {
        0
    };
    let mut rows = Vec::with_capacity(count);
    let mut failed = 0usize;
    let mut full_chars = 0usize;
    write_out(c.output.as_ref(), |w| {
        fleet::open(format, count, &first, w)?;
        let mut spool = if (count > 1 && fleet::summary_first(format)) || budget > 0 {
            Some(std::io::BufWriter::new(tempfile::tempfile()?))
        } else {
            None
        };
        // Markdown under a budget: the compact parts wait beside the whole ones.
        let mut compact_spool = if budget > 0 {
            Some(std::io::BufWriter::new(tempfile::tempfile()?))
        } else {
            None
        };
        let window = 4 * rayon::current_num_threads();
        ordered_par_for_each(
            bundles,
            window,
            |b| audit_one(b, &catalog, &opts, &filter, format),
            |i, out| {
                let to: &mut dyn Write = match spool.as_mut() {
                    Some(s) => s,
                    None => &mut *w,
                };
                to.write_all(fleet::separator(format, i))?;
                to.write_all(&out.part)?;
                if let Some(cs) = compact_spool.as_mut() {
                    cs.write_all(&out.compact)?;
                    full_chars += String::from_utf8_lossy(&out.part).chars().count();
                }
                failed += usize::from(out.failed);
                rows.push(out.row);
                Ok(())
            },
        )?;
        if let Some(spool) = spool {
            let mut summary = Vec::new();
            if count > 1 {
                fleet::summary(&rows, format, &mut summary)?;
            }
            let whole = full_chars + String::from_utf8_lossy(&summary).chars().count();
            let over = budget > 0 && whole > budget;
            let chosen = match (over, compact_spool) {
                (true, Some(cs)) => cs,
                _ => spool,
            };
            let mut details = chosen.into_inner().map_err(std::io::IntoInnerError::into_error)?;
            w.write_all(&summary)?;
            std::io::Seek::rewind(&mut details)?;
            if over {
                // The budget is hard: compact details that still do not fit are cut at a
                // line outside any code block.
                let mut note = Vec::new();
                report::markdown::budget_note(budget, whole, &mut note)?;
                let used = String::from_utf8_lossy(&summary).chars().count()
                    + String::from_utf8_lossy(&note).chars().count();
                let room = budget.saturating_sub(used);
                let compact =
                    report::markdown::cut_at_line_from(&mut std::io::BufReader::new(details), room)?;
                w.write_all(compact.as_bytes())?;
                w.write_all(&note)?;
            } else {
                std::io::copy(&mut details, w)?;
            }
        }
        fleet::close(format, &rows, w)
    })?;
    audit_end(&rows, failed, c, started.elapsed())
}

/// The exit code of an audit or merge (2 when a bundle failed, after every other bundle was
/// reported), and its `--stats`.
fn audit_end(
    rows: &[report::fleet::FleetRow],
    failed: usize,
    c: &CommonArgs,
    took: std::time::Duration,
) -> Result<ExitCode> {
    if c.stats {
        say!("{} bundles in {took:?}", rows.len());
        if let Some(kib) = peak_rss_kib() {
            say!("peak memory: {kib} KiB (VmHWM)");
        }
    }
    if failed > 0 {
        say!(
            "kubetriage: {failed} of {} bundles could not be analysed (see their entries)",
            rows.len()
        );
        return Ok(ExitCode::from(2));
    }
    let failing = rows.iter().any(|r| {
        c.fail_on.severity().is_some_and(|level| r.at_least(level) > 0)
            || (c.fail_on == FailOn::Incomplete && r.verdict == "incomplete")
    });
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `audit --merge`: the fleet summary of JSON reports (files, or folders of `*.json` and
/// `*.jsonl`), sorted by bundle. A report that cannot be read is a failed row named by its
/// file, as a bundle that cannot be analysed is in `audit`.
fn cmd_merge(paths: &[PathBuf], c: &CommonArgs) -> Result<ExitCode> {
    use report::fleet;
    let started = std::time::Instant::now();
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("reading {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "json" || x == "jsonl") && f.is_file())
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    anyhow::ensure!(!files.is_empty(), "no JSON reports (*.json, *.jsonl) found");
    let mut rows = Vec::new();
    let mut failed = 0;
    for f in &files {
        match std::fs::File::open(f)
            .map_err(anyhow::Error::from)
            .and_then(|file| Ok(fleet::rows_from_json(file)?))
        {
            Ok(found) => rows.extend(found),
            Err(e) => {
                #[allow(clippy::print_stderr)]
                {
                    say!("kubetriage: {} is not a readable JSON report: {e:#}", f.display());
                }
                rows.push(fleet::FleetRow::failed(&f.display().to_string()));
            }
        }
    }
    rows.sort_by(|a, b| a.source.cmp(&b.source));
    failed += rows.iter().filter(|r| r.worst == fleet::FAILED).count();
    let format = c.format.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Table
    } else {
        Format::Markdown
    });
    write_out(c.output.as_ref(), |w| fleet::merged(&rows, format, w))?;
    audit_end(&rows, failed, c, started.elapsed())
}

/// `--stats`: per bundle, bytes and time per stage; then the report's render time and the
/// process's peak memory, on stderr.
fn print_stats(analyses: &[kubetriage::report::Analysis], render: std::time::Duration) {
    for an in analyses {
        let s = &an.stats;
        say!(
            "{}: {} entries, {} bytes read, {} bytes unpacked ({:.0} MB/s)",
            an.source,
            s.entries,
            s.bytes_read,
            s.bytes_unpacked,
            s.mb_per_s()
        );
        say!(
            "  read+decompress+scan {:?} (scan busy {:?}), parse {:?}, pki {:?}, checks {:?}, plan {:?}",
            s.read,
            s.scan,
            s.parse,
            s.pki,
            s.checks,
            s.plan
        );
    }
    print_tail(render);
}

/// The last lines of `--stats`: render time and peak memory.
fn print_tail(render: std::time::Duration) {
    say!("render {render:?}");
    if let Some(kib) = peak_rss_kib() {
        say!("peak memory: {kib} KiB (VmHWM)");
    }
}

fn cmd_timeline(bundles: &[PathBuf], c: &CommonArgs) -> Result<ExitCode> {
    let catalog = Catalog::load(&c.rules)?;
    let opts = options(c)?;
    let filter = c.filter();
    let mut analyses = Vec::new();
    let mut timelines = Vec::new();
    for b in bundles {
        let mut an = analyze_or_error(b, &catalog, &opts);
        an.apply_filter(&filter);
        timelines.push(report::timeline::Timeline::of(&an));
        analyses.push(an);
    }
    let started = std::time::Instant::now();
    write_out(c.output.as_ref(), |w| {
        report::timeline::render(&timelines, c.format(), w)
    })?;
    if c.stats {
        print_stats(&analyses, started.elapsed());
    }
    let failing = timelines
        .iter()
        .flat_map(|t| &t.entries)
        .any(|e| c.fail_on.fails_at(e.severity))
        || (c.fail_on == FailOn::Incomplete && analyses.iter().any(|a| !a.incomplete_reasons.is_empty()));
    if analyses.iter().any(|a| a.error.is_some()) {
        return Ok(ExitCode::from(2));
    }
    Ok(exit(failing))
}

fn cmd_rules_check(dir: &std::path::Path) -> Result<ExitCode> {
    let diags = kubetriage::catalog::rulecheck::check_dir(dir)
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
    let mut all_stats = Vec::new();
    let mut incomplete = false;
    let mut unreadable = false;
    for b in bundles {
        let mut stats = kubetriage::engine::Stats::default();
        let snap = match kubetriage::ingest::from_source(b, &catalog, &opts, &mut stats) {
            Ok(s) => s,
            Err(e) => {
                // One unreadable bundle loses nothing of the others: an entry says why.
                #[allow(clippy::print_stderr)]
                {
                    say!("kubetriage: {e}");
                }
                unreadable = true;
                inventories.push(report::certs::Inventory::failed(
                    b.display().to_string(),
                    e.to_string(),
                    opts.expiry_window,
                ));
                continue;
            }
        };
        incomplete |= !snap.problems.is_empty() || !snap.scrubbed.is_empty();
        let mut inv = report::certs::Inventory::new(&snap, opts.expiry_window);
        if let Some(min) = c.only {
            inv.only(min);
        }
        all_stats.push((inv.source.clone(), stats));
        inventories.push(inv);
    }
    let started = std::time::Instant::now();
    write_out(c.output.as_ref(), |w| {
        report::certs::render(&inventories, c.format(), w)
    })?;
    if c.stats {
        #[allow(clippy::print_stderr)]
        for (source, s) in &all_stats {
            say!(
                "{source}: {} entries, {} bytes read, {} bytes unpacked ({:.0} MB/s)",
                s.entries,
                s.bytes_read,
                s.bytes_unpacked,
                s.mb_per_s()
            );
            say!(
                "  read+decompress+scan {:?}, parse {:?}, pki {:?}",
                s.read,
                s.parse,
                s.pki
            );
        }
        print_tail(started.elapsed());
    }
    let failing = inventories
        .iter()
        .flat_map(|i| &i.certificates)
        .filter_map(|r| report::certs::status_severity(r.status))
        .any(|s| c.fail_on.fails_at(s))
        || (c.fail_on == FailOn::Incomplete && incomplete);
    if unreadable {
        return Ok(ExitCode::from(2));
    }
    Ok(exit(failing))
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
        None if kubetriage::report::terminal::style().color => {
            let stdout = std::io::stdout();
            let mut out = kubetriage::report::terminal::Colorize::new(stdout.lock());
            f(&mut out).context("writing the report")?;
            out.flush()?;
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

/// Sections every man page ends with: exit status, environment and examples (what
/// `clap_mangen` does not derive from the arguments).
const MAN_TAIL: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
Nothing shown reaches \fB\-\-fail\-on\fR (default: error).
.TP
\fB1\fR
A finding (or certificate status) shown reaches \fB\-\-fail\-on\fR.
.TP
\fB2\fR
The tool failed: bad usage, an input that is not a bundle or cannot be read (the others are still reported), a cut archive, an invalid rule catalogue, a format the subcommand has no data for.
.SH ENVIRONMENT
.TP
\fBNO_COLOR\fR
Set and not empty: no colour under \fB--color auto\fR (the layout does not change).
.TP
\fBCOLUMNS\fR
Width of the terminal report when the terminal does not report one (default: 100).
.TP
\fBRAYON_NUM_THREADS\fR
Worker threads (default: one per core).
.SH EXAMPLES
.TP
\fBkubetriage analyze bundle.tar.gz\fR
Findings and the ordered fix plan, as a terminal table.
.TP
\fBkubetriage analyze \-o markdown \-\-output ticket.md node1/ node2.tar.xz\fR
A report for a ticket, from two nodes' bundles.
.TP
\fBssh node sudo tar cz /etc/kubernetes /var/log | kubetriage analyze \-\fR
A bundle streamed on standard input, never written to disk.
.TP
\fBkubetriage audit \-o json \-\-fail\-on warning bundles/\fR
Every bundle of a folder, for CI.
.TP
\fBkubetriage diff before.tar.gz after.tar.gz\fR
Did the fix work: fixed, new and unchanged findings.
.TP
\fBkubetriage explain ca\-mismatch\fR
A rule's documentation, or a fix step's commands and references.
"#;

/// The roff page of `cmd`, named `name`, with [`MAN_TAIL`].
fn man_page(cmd: clap::Command, name: &str) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd).title(name).render(&mut out)?;
    out.extend_from_slice(MAN_TAIL.as_bytes());
    Ok(out)
}

fn cmd_man(sub: Option<&str>, out_dir: Option<&std::path::Path>) -> Result<ExitCode> {
    let root = Cli::command();
    let subs: Vec<clap::Command> = root
        .get_subcommands()
        .filter(|c| c.get_name() != "help")
        .cloned()
        .collect();
    if let Some(dir) = out_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut pages = vec![("kubetriage".to_string(), man_page(root.clone(), "kubetriage")?)];
        for c in &subs {
            let name = format!("kubetriage-{}", c.get_name());
            pages.push((name.clone(), man_page(c.clone(), &name)?));
        }
        for (name, page) in pages {
            let path = dir.join(format!("{name}.1"));
            std::fs::write(&path, page).with_context(|| format!("writing {}", path.display()))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let page = match sub {
        None => man_page(root, "kubetriage")?,
        Some(s) => {
            let Some(c) = subs.iter().find(|c| c.get_name() == s) else {
                let names: Vec<&str> = subs.iter().map(clap::Command::get_name).collect();
                anyhow::bail!("no subcommand `{s}`; one of: {}", names.join(", "));
            };
            man_page(c.clone(), &format!("kubetriage-{s}"))?
        }
    };
    write_out(None, |w| w.write_all(&page))?;
    Ok(ExitCode::SUCCESS)
}

/// The rule or fix-step ids nearest to `id` (a typo), best first: what "did you mean"
/// offers.
fn nearest_ids<'a>(id: &str, ids: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &str)> = ids
        .map(|c| (strsim::jaro_winkler(id, c), c))
        .filter(|(s, _)| *s >= 0.85)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

fn cmd_explain(id: Option<&str>, all: bool, dirs: &[PathBuf]) -> Result<ExitCode> {
    let catalog = Catalog::load(dirs)?;
    // A finding id (`ca-mismatch:972e39e6`, as reports print them) explains its rule.
    let id = id.map(|i| match i.split_once(':') {
        Some((rule, hash))
            if catalog.rule(i).is_none()
                && catalog.rule(rule).is_some()
                && !hash.is_empty()
                && hash.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            rule
        }
        _ => i,
    });
    // A phase name (as reports print it beside each step) lists the phase's steps.
    if let Some(phase) = id.filter(|i| !all && catalog.rule(i).is_none() && !catalog.fixes.contains_key(*i)) {
        if let Some(n) = kubetriage::catalog::PHASES.iter().position(|p| *p == phase) {
            write_out(None, |w| {
                writeln!(
                    w,
                    "# phase {phase} ({} of {})
",
                    n + 1,
                    kubetriage::catalog::PHASES.len()
                )?;
                for step in catalog.fixes.values().filter(|s| s.phase == n) {
                    writeln!(w, "- {}: {}", step.id, step.title)?;
                }
                writeln!(
                    w,
                    "
`kubetriage explain <step>` shows a step's commands, caveat and references."
                )
            })?;
            return Ok(ExitCode::SUCCESS);
        }
    }
    if let Some(unknown) = id.filter(|i| !all && catalog.rule(i).is_none() && !catalog.fixes.contains_key(*i))
    {
        let near = nearest_ids(
            unknown.split(':').next().unwrap_or(unknown),
            catalog
                .rules
                .iter()
                .map(|r| r.id.as_str())
                .chain(catalog.fixes.keys().map(String::as_str)),
        );
        let hint = match near.as_slice() {
            [] => String::new(),
            some => format!(
                "; did you mean {}?",
                some.iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        };
        anyhow::bail!("no rule or fix step `{unknown}`{hint} (see `kubetriage rules`)");
    }
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
