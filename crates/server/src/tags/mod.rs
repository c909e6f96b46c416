//! Tags: a port's coloured labels, and the same machinery putting them on
//! clients, interests and berths ([`Target`]).
//!
//! `api` is the tag catalogue (create, rename, recolour, delete, list with
//! usage counts); `records` puts tags on records and reads them back for many
//! records at once; `page` is the settings tab; `panel` the client page's chips.

mod api;
mod page;
mod panel;
pub mod records;

pub use api::{TagOut, TagUsage};
pub use panel::client_panel;
pub(crate) use panel::{fragment_or_page, is_htmx};
pub use records::{Target, tags_of};

use crate::access::{Access, Routes};

/// The colour of a tag nobody chose a colour for (the spec's default).
pub const DEFAULT_COLOR: &str = "#6B7280";

pub fn routes(routes: Routes) -> Routes {
    let routes = routes
        .get(
            "/api/v1/ports/{port}/tags",
            Access::Port("tags.view"),
            api::list,
        )
        .post(
            "/api/v1/ports/{port}/tags",
            Access::Port("tags.create"),
            api::create,
        )
        .patch(
            "/api/v1/ports/{port}/tags/{id}",
            Access::Port("tags.edit"),
            api::update,
        )
        .delete(
            "/api/v1/ports/{port}/tags/{id}",
            Access::Port("tags.delete"),
            api::delete,
        )
        .get(
            "/api/v1/ports/{port}/clients/{id}/tags",
            Access::Port("clients.view"),
            records::client_list,
        )
        .put(
            "/api/v1/ports/{port}/clients/{id}/tags",
            Access::Port("clients.edit"),
            records::client_replace,
        )
        .post(
            "/api/v1/ports/{port}/clients/{id}/tags",
            Access::Port("clients.edit"),
            records::client_add,
        )
        .delete(
            "/api/v1/ports/{port}/clients/{id}/tags/{tag_id}",
            Access::Port("clients.edit"),
            records::client_remove,
        );
    panel::routes(page::routes(routes))
}
