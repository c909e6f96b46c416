//! The pipeline board: a port's open (not archived) interests one column per
//! stage, with each column's count and value, as a page (`page`, with a
//! table view) and as JSON (`api`).
//!
//! `params` reads the filters, `board` runs the two statements behind every
//! board (counts and values in one aggregate, each column's first cards in
//! one lateral join), `table` the sortable table, `money` how amounts read.
//!
//! Moving a card is the interests API's `PATCH …/interests/{id}` with
//! `{"pipeline_stage"}`, which stamps milestones, audits and applies the
//! berth rules; the board's script calls it.

pub mod api;
pub mod board;
pub mod money;
mod page;
pub mod params;
pub mod table;

use crate::access::{Access, Routes};

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/api/v1/ports/{port}/pipeline",
            Access::Port("interests.view"),
            api::index,
        )
        .get(
            "/ports/{port}/pipeline",
            Access::Port("interests.view"),
            page::show,
        )
        .get(
            "/ports/{port}/pipeline/cards",
            Access::Port("interests.view"),
            page::more,
        )
}
