//! The scratchpad: each user's own quick notes, on every page, attachable to
//! a client later.
//!
//! `scratchpad_notes` is user-scoped (no port, no row-level security): every
//! query here filters by the signed-in user, and another user's note answers
//! 404 like a missing one. Attaching (`linked_client_id`) checks that the
//! client is in a port where the user holds `clients.view` (else 404).
//!
//! A linked note becomes part of the client's record: the client page shows
//! the linked notes of every author to everyone who may view the client
//! ([`client_panel`]). Only the note's owner may still edit, delete or detach
//! it. Scratchpad notes are personal and not audited; client notes are.

mod api;
mod drawer;
mod linked;
mod store;

pub use linked::client_panel;

use crate::access::{Access, Routes};

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/api/v1/scratchpad", Access::SignedIn, api::list)
        .post("/api/v1/scratchpad", Access::SignedIn, api::create)
        .patch("/api/v1/scratchpad/{id}", Access::SignedIn, api::update)
        .delete("/api/v1/scratchpad/{id}", Access::SignedIn, api::delete)
        .post("/api/v1/scratchpad/{id}/link", Access::SignedIn, api::link)
        .post(
            "/api/v1/scratchpad/{id}/unlink",
            Access::SignedIn,
            api::unlink,
        )
        .get("/scratchpad/drawer", Access::SignedIn, drawer::show)
        .post("/scratchpad/notes", Access::SignedIn, drawer::add)
        .get(
            "/scratchpad/notes/{id}/edit",
            Access::SignedIn,
            drawer::edit_form,
        )
        .post("/scratchpad/notes/{id}", Access::SignedIn, drawer::save)
        .post(
            "/scratchpad/notes/{id}/delete",
            Access::SignedIn,
            drawer::remove,
        )
        .post(
            "/scratchpad/notes/{id}/attach",
            Access::SignedIn,
            drawer::attach,
        )
        .get(
            "/ports/{port}/scratchpad/client-search",
            Access::Port("clients.view"),
            drawer::client_search,
        )
        .get(
            "/ports/{port}/clients/{id}/scratchpad-panel",
            Access::Port("clients.view"),
            linked::show,
        )
        .post(
            "/ports/{port}/clients/{id}/scratchpad/{note_id}/unlink",
            Access::Port("clients.view"),
            linked::detach,
        )
}
