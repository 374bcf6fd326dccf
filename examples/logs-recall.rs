//! Prints how many lines of the real-world log corpus (testdata/real-logs/corpus.tsv) the
//! log rules recognise, per class, and with `-v` the lines they miss.
//!
//! `cargo run --example logs-recall [-- -v]`

#[path = "../tests/real_logs_support/mod.rs"]
mod real_logs_support;

use real_logs_support::{Harness, entries, evaluate};

fn main() {
    let verbose = std::env::args().any(|a| a == "-v");
    let entries = entries();
    let (table, wrong) = evaluate(&Harness::new(), &entries);
    println!("| class | recognised / lines | % |");
    println!("| --- | ---: | ---: |");
    let (mut ok, mut total) = (0, 0);
    for (class, (k, n)) in &table {
        println!("| {class} | {k} / {n} | {:.0}% |", pct(*k, *n));
        if !class.starts_with("look-alikes") {
            ok += k;
            total += n;
        }
    }
    println!(
        "| **all fault lines** | {ok} / {total} | {:.1}% |",
        pct(ok, total)
    );
    let (lits, cover) = real_logs_support::literal_counts();
    println!("\nprefilter: {lits} literals, {cover} cover strings (at most 64 keep the SIMD search)");
    if verbose {
        for (e, v) in wrong {
            println!(
                "\nWRONG {} ({})\n  {}\n  alone: {:?}  in file: {:?}",
                e.class, e.source, e.line, v.alone, v.in_file
            );
        }
    }
}

fn pct(k: usize, n: usize) -> f64 {
    if n == 0 { 0.0 } else { 100.0 * k as f64 / n as f64 }
}
