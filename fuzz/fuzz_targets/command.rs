//! The command renderer: any bytes put where bundle data goes (every placeholder of every
//! built-in fix-step template, and the words the checks quote themselves) stay one word.
#![no_main]

use kubetriage::catalog::Catalog;
use kubetriage::plan::shell;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static CATALOG: OnceLock<Catalog> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let value = String::from_utf8_lossy(data);
    let catalog = CATALOG.get_or_init(|| Catalog::builtin().expect("the built-in catalogue loads"));
    for step in catalog.fixes.values() {
        let templates = step
            .commands
            .iter()
            .chain(&step.verify)
            .chain(&step.rollback)
            .chain(&step.between_nodes)
            .chain(&step.backup);
        for t in templates {
            if let Err(e) = shell::check_quoting(t, &value) {
                panic!("fix {}: {e}", step.id);
            }
        }
    }
    // Words the checks build commands from.
    let word = shell::word(&value);
    assert_eq!(shlex::split(&word).map(|w| w.len()), Some(1), "{word:?}");
    // ssh goes to the operator's host; a bundle value stays in the one remote word.
    let ssh = shell::ssh(&format!("sudo tee {word}"));
    assert_eq!(shlex::split(&ssh).map(|w| w.len()), Some(4), "{ssh:?}");
});
