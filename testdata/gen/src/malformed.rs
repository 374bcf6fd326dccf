//! (stub)
use crate::tree::Tree;
use anyhow::Result;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;
pub const CAPTURE: OffsetDateTime = datetime!(2026-11-21 09:30:00 UTC);
pub fn bundle() -> Result<(Tree, Value)> {
    Ok((Tree::new(), json!({})))
}
