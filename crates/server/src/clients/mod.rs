//! Clients: the anchor record of the CRM, with its contacts, its
//! relationships to other clients and its history.
//!
//! `model` reads a client (`find`: 404 for a missing one or another port's),
//! `fields` holds the rules of its fields, `write` creates, edits, archives
//! and restores, `contacts` and `relationships` its child records,
//! `timeline` its audit history, `page` and `forms` the pages.
//!
//! The list (`GET …/clients`) lives with the list pages, not here.

pub mod contacts;
pub mod duplicates;
pub mod fields;
mod forms;
pub mod import;
pub mod merge;
pub mod model;
pub mod page;
pub mod relationships;
pub mod timeline;
pub mod write;

pub use model::{Client, ClientOut, find, find_with_contacts};
pub use write::{NewClient, create, create_in, update, update_in};

use crate::access::{Access, PortCtx, Routes};
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::Path;

/// The audit log's name for a client (a revertable kind, `audit/kinds.rs`).
pub const KIND: &str = "client";

const API: &str = "/api/v1/ports/{port}/clients";

pub fn routes(routes: Routes) -> Routes {
    let routes = routes
        .post(API, Access::Port("clients.create"), write::create_api)
        .get(&format!("{API}/{{id}}"), Access::Port("clients.view"), show)
        .patch(
            &format!("{API}/{{id}}"),
            Access::Port("clients.edit"),
            write::update_api,
        )
        .delete(
            &format!("{API}/{{id}}"),
            Access::Port("clients.delete"),
            write::archive_api,
        )
        .post(
            &format!("{API}/{{id}}/restore"),
            Access::Port("clients.delete"),
            write::restore_api,
        )
        .get(
            &format!("{API}/{{id}}/timeline"),
            Access::Port("clients.view"),
            timeline::api,
        )
        .get(
            &format!("{API}/{{id}}/contacts"),
            Access::Port("clients.view"),
            contacts::list,
        )
        .post(
            &format!("{API}/{{id}}/contacts"),
            Access::Port("clients.edit"),
            contacts::create,
        )
        .patch(
            &format!("{API}/{{id}}/contacts/{{contact_id}}"),
            Access::Port("clients.edit"),
            contacts::update,
        )
        .delete(
            &format!("{API}/{{id}}/contacts/{{contact_id}}"),
            Access::Port("clients.edit"),
            contacts::delete,
        )
        .get(
            &format!("{API}/{{id}}/relationships"),
            Access::Port("clients.view"),
            relationships::list,
        )
        .post(
            &format!("{API}/{{id}}/relationships"),
            Access::Port("clients.edit"),
            relationships::create,
        )
        .delete(
            &format!("{API}/{{id}}/relationships/{{rel_id}}"),
            Access::Port("clients.edit"),
            relationships::delete,
        );
    let routes = import::routes(merge::routes(duplicates::routes(routes)));
    forms::routes(page::routes(routes))
}

/// `GET /api/v1/ports/{port}/clients/{id}`: every column and the contacts;
/// an archived client still answers.
async fn show(ctx: PortCtx, Path((_, id)): Path<(String, String)>) -> Result<Json<ClientOut>> {
    let id = model::parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    let out = find_with_contacts(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(out))
}

/// `(field, message)` problems as one 422.
pub(crate) fn invalid(problems: Vec<(String, String)>) -> Error {
    match crate::http::checked::problems(problems) {
        Err(e) => e,
        Ok(()) => Error::Unprocessable(Default::default()),
    }
}
