//! Notes on records: client notes now, interest notes with the same code later
//! (a [`Subject`] names the table and its parent).
//!
//! Rules (DESIGN.md "Notes"):
//! * The author may edit a note for [`EDIT_WINDOW_MINUTES`] after `created_at`;
//!   then it is locked and no one edits it: 409 naming the time it locked.
//!   Anyone else editing inside the window: 403.
//! * `is_locked` is kept true in the database: set when an edit is refused for
//!   age, and by the [`LockNotes`] job every minute.
//! * Deleting follows the same window: the author may withdraw a note written
//!   by mistake while it is still editable; a locked note is part of the
//!   record and stays (409).
//! * Mentions are tokens in the content, `@[Name](user-id)`, inserted by the
//!   compose box's autocomplete. The server parses them, keeps only ids of
//!   active members of the port in `mentions`, and notifies each of them
//!   except the author (an edit notifies only the newly mentioned). A token
//!   naming anyone else is shown as plain text.

mod api;
mod lock;
pub mod mentions;
mod panel;
mod store;
mod subject;
mod write;

pub use lock::{EDIT_WINDOW_MINUTES, LockNotes};
pub use panel::client_panel;
pub use subject::{ClientNotes, Subject};

use crate::access::{Access, Routes};

pub fn routes(routes: Routes) -> Routes {
    const NOTES: &str = "/api/v1/ports/{port}/clients/{id}/notes";
    const NOTE: &str = "/api/v1/ports/{port}/clients/{id}/notes/{note_id}";
    routes
        .get(
            NOTES,
            Access::Port("clients.view"),
            api::list::<ClientNotes>,
        )
        .post(
            NOTES,
            Access::Port("clients.edit"),
            api::create::<ClientNotes>,
        )
        .patch(
            NOTE,
            Access::Port("clients.edit"),
            api::update::<ClientNotes>,
        )
        .delete(
            NOTE,
            Access::Port("clients.edit"),
            api::delete::<ClientNotes>,
        )
        .get(
            "/api/v1/ports/{port}/mentionable",
            Access::Member,
            mentions::mentionable,
        )
        .get(
            "/ports/{port}/clients/{id}/notes-panel",
            Access::Port("clients.view"),
            panel::show::<ClientNotes>,
        )
        .post(
            "/ports/{port}/clients/{id}/notes",
            Access::Port("clients.edit"),
            panel::create::<ClientNotes>,
        )
        .get(
            "/ports/{port}/clients/{id}/notes/{note_id}/edit",
            Access::Port("clients.edit"),
            panel::edit_form::<ClientNotes>,
        )
        .post(
            "/ports/{port}/clients/{id}/notes/{note_id}",
            Access::Port("clients.edit"),
            panel::update::<ClientNotes>,
        )
}
