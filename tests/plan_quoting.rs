//! Commands quoted by construction: whatever string sits where bundle data goes, every
//! rendered fix-step command parses (shlex) into the same words, the value one word.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use kubetriage::catalog::Catalog;
use kubetriage::plan::shell;
use proptest::prelude::*;

fn templates(cat: &Catalog) -> Vec<(String, String)> {
    cat.fixes
        .values()
        .flat_map(|s| {
            s.commands
                .iter()
                .chain(&s.verify)
                .chain(&s.rollback)
                .chain(&s.between_nodes)
                .chain(&s.backup)
                .map(|t| (s.id.clone(), t.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn holds(value: &str) {
    let cat = Catalog::builtin().unwrap();
    for (id, t) in templates(&cat) {
        if let Err(e) = shell::check_quoting(&t, value) {
            panic!("fix {id}: {e}");
        }
    }
}

#[test]
fn red_team_values_stay_one_word_or_show_no_command() {
    holds("master-01;curl x|sh;#");
    holds("10.2.0.0/16$(curl x|sh)");
    holds("etcd\ncurl x|sh");
    holds("J");
    let line = shell::fill(
        "sudo tee /x <<'EOF'   # on {node}\nN={flannel_network}\nEOF",
        |n| {
            Some(if n == "node" {
                "cp-1".into()
            } else {
                "10.2.0.0/16$(curl x|sh)".into()
            })
        },
    );
    assert!(
        matches!(line, shell::Filled::Invalid(ref c) if c.contains("not a valid CIDR")),
        "{line:?}"
    );
}

proptest! {
    #[test]
    fn any_value_keeps_every_command_shape(value in any::<String>()) {
        holds(&value);
    }
}
