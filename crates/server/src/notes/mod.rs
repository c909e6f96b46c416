//! Notes on records: client notes and interest notes, one code for both
//! (a [`Subject`] names the table, its parent and the permissions).
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
pub use panel::{client_panel, interest_panel};
pub use subject::{ClientNotes, InterestNotes, Subject};

use crate::access::{Access, Routes};

pub fn routes(routes: Routes) -> Routes {
    let routes = routes.get(
        "/api/v1/ports/{port}/mentionable",
        Access::Member,
        mentions::mentionable,
    );
    subject_routes::<InterestNotes>(subject_routes::<ClientNotes>(routes))
}

/// The notes API and panel routes of one kind of parent, with its permissions.
fn subject_routes<S: Subject>(routes: Routes) -> Routes {
    let api = format!("/api/v1/ports/{{port}}/{}/{{id}}/notes", S::SEGMENT);
    let page = format!("/ports/{{port}}/{}/{{id}}", S::SEGMENT);
    routes
        .get(&api, Access::Port(S::VIEW), api::list::<S>)
        .post(&api, Access::Port(S::EDIT), api::create::<S>)
        .patch(
            &format!("{api}/{{note_id}}"),
            Access::Port(S::EDIT),
            api::update::<S>,
        )
        .delete(
            &format!("{api}/{{note_id}}"),
            Access::Port(S::EDIT),
            api::delete::<S>,
        )
        .get(
            &format!("{page}/notes-panel"),
            Access::Port(S::VIEW),
            panel::show::<S>,
        )
        .post(
            &format!("{page}/notes"),
            Access::Port(S::EDIT),
            panel::create::<S>,
        )
        .get(
            &format!("{page}/notes/{{note_id}}/edit"),
            Access::Port(S::EDIT),
            panel::edit_form::<S>,
        )
        .post(
            &format!("{page}/notes/{{note_id}}"),
            Access::Port(S::EDIT),
            panel::update::<S>,
        )
}
