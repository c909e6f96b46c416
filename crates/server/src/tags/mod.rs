//! Tags: a port's coloured labels, and the same machinery putting them on
//! clients, interests and berths ([`Target`]).
//!
//! `api` is the tag catalogue (create, rename, recolour, delete, list with
//! usage counts); `records` puts tags on records and reads them back for many
//! records at once; `page` is the settings tab; `panel` the chips on a record's
//! page (clients, interests and berths, [`Tagged`]).

mod api;
mod page;
mod panel;
pub mod records;

pub use api::{TagOut, TagUsage};
pub use panel::{client_panel, record_panel};
pub(crate) use panel::{fragment_or_page, is_htmx};
pub use records::{BerthTags, ClientTags, InterestTags, Tagged, Target, tags_of};

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
        );
    let routes = record_routes::<InterestTags>(record_routes::<ClientTags>(routes));
    // A berth's tag API is the berths' own (`berths::panels`); its page panel is this one.
    let routes = panel::record_routes::<BerthTags>(routes);
    page::routes(routes)
}

/// The tag API and panel of one kind of record.
fn record_routes<T: Tagged>(routes: Routes) -> Routes {
    let api = format!("/api/v1/ports/{{port}}/{}/{{id}}/tags", T::SEGMENT);
    let routes = routes
        .get(&api, Access::Port(T::VIEW), records::list::<T>)
        .put(&api, Access::Port(T::EDIT), records::replace::<T>)
        .post(&api, Access::Port(T::EDIT), records::add::<T>)
        .delete(
            &format!("{api}/{{tag_id}}"),
            Access::Port(T::EDIT),
            records::remove::<T>,
        );
    panel::record_routes::<T>(routes)
}
