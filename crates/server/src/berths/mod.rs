//! Berths: the port's physical inventory, their status, maintenance and tenure.
//!
//! `status` is the one place a berth's status changes (manual, rules,
//! accepted suggestions all go through [`status::change`]). `model` reads a
//! berth, `fields` holds the rules of its fields, `write` creates, edits and
//! deletes, `list` is the filtered list, `maintenance` the log and its totals,
//! `tenure` the daily tenure notices, `search` the global search's group; `page` (whose [`page::sections`] other
//! parts add to), `forms`, `list_page`, `maintenance_page` and `panels` are
//! the pages.

pub mod fields;
mod forms;
pub mod list;
mod list_page;
pub mod maintenance;
mod maintenance_page;
pub mod model;
pub mod page;
mod panels;
pub mod search;
pub mod status;
pub mod tenure;
pub mod write;

pub use model::{Berth, find};
pub use status::{Changed, change};

use crate::access::{Access, Routes};

/// The audit log's name for a berth (a revertable kind, `audit/kinds.rs`).
pub const KIND: &str = "berth";

const API: &str = "/api/v1/ports/{port}/berths";

pub fn routes(routes: Routes) -> Routes {
    let routes = routes
        .get(API, Access::Port("berths.view"), list::index)
        .post(API, Access::Port("berths.create"), write::create_api)
        .get(
            &format!("{API}/maintenance-totals"),
            Access::Port("berths.view"),
            maintenance::totals_api,
        )
        .get(
            &format!("{API}/{{id}}"),
            Access::Port("berths.view"),
            write::show_api,
        )
        .patch(
            &format!("{API}/{{id}}"),
            Access::Port("berths.edit"),
            write::update_api,
        )
        .delete(
            &format!("{API}/{{id}}"),
            Access::Port("berths.delete"),
            write::delete_api,
        )
        .post(
            &format!("{API}/{{id}}/status"),
            Access::Port("berths.change_status"),
            status::api,
        )
        .get(
            &format!("{API}/{{id}}/maintenance"),
            Access::Port("berths.view"),
            maintenance::list_api,
        )
        .post(
            &format!("{API}/{{id}}/maintenance"),
            Access::Port("berths.edit"),
            maintenance::create_api,
        )
        .patch(
            &format!("{API}/{{id}}/maintenance/{{mid}}"),
            Access::Port("berths.edit"),
            maintenance::update_api,
        )
        .delete(
            &format!("{API}/{{id}}/maintenance/{{mid}}"),
            Access::Port("berths.edit"),
            maintenance::delete_api,
        );
    let routes = panels::routes(routes);
    let routes = forms::routes(list_page::routes(routes));
    maintenance_page::routes(page::routes(routes))
}
