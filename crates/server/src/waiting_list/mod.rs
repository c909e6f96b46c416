//! Berth waiting lists: clients waiting for a berth, in order.
//!
//! The rules (DESIGN.md, "Waiting list"; the pure part in
//! `domain::waiting_list`):
//! * positions are 1..n without gaps and `high` priority entries stand before
//!   `normal` ones; every add, move, change of priority and removal stores the
//!   list's new positions in the change's transaction, audited
//!   (`waiting_list_entry`, with the client in the metadata so the client's
//!   timeline shows it);
//! * a move to a position outside 1..n is refused (422 naming `position`); a
//!   move across the priority boundary is clamped to the nearest allowed place
//!   (drag a normal entry above the high ones and it lands first among the
//!   normal ones), so a drag on the page never fails for that reason;
//! * the same client twice on one list: 409; a client of another port: 404;
//! * when a berth becomes available, [`notify_available`] tells the first
//!   three entries by their `notify_pref` (see `notify`).
//!
//! Reading needs `berths.view`, changing `berths.edit`. `model` reads,
//! `write` changes, `api` is the JSON API, `panel` the berth page's section
//! and `client_panel` the client page's.

pub mod api;
pub mod client_panel;
pub mod model;
mod notify;
pub mod panel;
pub mod write;

pub use notify::notify_available;

use crate::access::{Access, Routes};

/// The audit log's name for an entry (`audit/kinds.rs`).
pub const KIND: &str = "waiting_list_entry";

const API: &str = "/api/v1/ports/{port}/berths/{id}/waiting-list";
const VIEW: Access = Access::Port("berths.view");
const EDIT: Access = Access::Port("berths.edit");

pub fn routes(routes: Routes) -> Routes {
    let routes = routes
        .get(API, VIEW, api::index)
        .post(API, EDIT, api::create)
        .post(&format!("{API}/notify"), EDIT, api::notify)
        .get(&format!("{API}/{{entry}}"), VIEW, api::show)
        .patch(&format!("{API}/{{entry}}"), EDIT, api::update)
        .delete(&format!("{API}/{{entry}}"), EDIT, api::delete)
        .post(&format!("{API}/{{entry}}/move"), EDIT, api::move_entry)
        .get(
            "/api/v1/ports/{port}/clients/{id}/waiting-lists",
            VIEW,
            api::client_index,
        );
    panel::routes(routes)
}
