//! Interests: a client's interest in a berth (or in the marina in general),
//! moving along the sales pipeline.
//!
//! `model` reads an interest (`find`: 404 for a missing one or another
//! port's), `fields` holds the rules of its fields, `write` creates, edits,
//! archives and restores, `stage` moves it along the pipeline (the board and
//! the API call [`stage::move_to`] through the same edit), `list` is the
//! list API, `page`, `forms` and `panel` the pages, `follow_ups` the
//! recurring job that reminds the team of interests gone quiet. Notes and tags are the
//! shared machinery's (`notes::InterestNotes`, `tags::InterestTags`).

pub mod fields;
pub mod follow_ups;
mod forms;
pub mod list;
mod list_page;
pub mod model;
pub mod page;
mod panel;
pub mod stage;
pub mod write;

pub use model::{Interest, InterestOut, find, find_out};
pub use panel::client_panel;
pub use write::{NewInterest, create, create_in, update, update_in};

use crate::access::{Access, PortCtx, Routes};
use crate::http::Result;
use axum::Json;
use axum::extract::Path;

/// The audit log's name for an interest (a revertable kind, `audit/kinds.rs`).
pub const KIND: &str = "interest";

const API: &str = "/api/v1/ports/{port}/interests";

pub fn routes(routes: Routes) -> Routes {
    let routes = routes
        .get(API, Access::Port("interests.view"), list::index)
        .post(API, Access::Port("interests.create"), write::create_api)
        .get(
            &format!("{API}/{{id}}"),
            Access::Port("interests.view"),
            show,
        )
        .patch(
            &format!("{API}/{{id}}"),
            Access::Port("interests.edit"),
            write::update_api,
        )
        .delete(
            &format!("{API}/{{id}}"),
            Access::Port("interests.delete"),
            write::archive_api,
        )
        .post(
            &format!("{API}/{{id}}/restore"),
            Access::Port("interests.delete"),
            write::restore_api,
        );
    list_page::routes(forms::routes(page::routes(routes)))
}

/// `GET /api/v1/ports/{port}/interests/{id}`: every column, the client's
/// name, the berth's number and the tags; an archived interest still answers.
async fn show(ctx: PortCtx, Path((_, id)): Path<(String, String)>) -> Result<Json<InterestOut>> {
    let id = model::parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    let out = find_out(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(out))
}
