//! Invitations: a port admin invites an e-mail address with a role; the
//! invitee follows a single-use link that expires in seven days, sets a
//! password (or signs in, when they already have an account) and lands in the
//! port.
//!
//! `api` is the admin's side (create, list, revoke), `accept` the invitee's
//! page, `mail` the message, `role` which roles may be granted by whom.

mod accept;
mod api;
pub use api::invite;
mod mail;
mod role;

use crate::access::{Access, Routes};

/// Invitations live this long.
pub const VALID_FOR: chrono::Duration = chrono::Duration::days(7);

pub fn routes(routes: Routes) -> Routes {
    routes
        .post(
            "/api/v1/ports/{port}/invitations",
            Access::Port("users.create"),
            api::create,
        )
        .get(
            "/api/v1/ports/{port}/invitations",
            Access::Port("users.view"),
            api::list,
        )
        .delete(
            "/api/v1/ports/{port}/invitations/{id}",
            Access::Port("users.create"),
            api::revoke,
        )
        .get("/invitations/{token}", Access::Public, accept::show)
        .post("/invitations/{token}", Access::Public, accept::submit)
}
