//! Berth recommendations for an interest: every berth of the port scored
//! against the client's yacht (the rule is `domain::recommendations`), the
//! best kept on request as `ai` rows of `berth_recommendations`, and manual
//! ones users add.
//!
//! `store` reads and writes them, `api` is the JSON API, `panel` the interest
//! page's panel (with its htmx routes).

pub mod api;
pub mod panel;
pub mod store;

pub use panel::interest_panel;

use crate::access::{Access, Routes};

/// The audit log's name for a recommendation.
pub const KIND: &str = "berth_recommendation";

const API: &str = "/api/v1/ports/{port}/interests/{id}/recommendations";
const PAGE: &str = "/ports/{port}/interests/{id}/recommendations";

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(API, Access::Port("interests.view"), api::index)
        .post(API, Access::Port("interests.edit"), api::create)
        .post(
            &format!("{API}/refresh"),
            Access::Port("interests.edit"),
            api::refresh,
        )
        .get(
            &format!("{API}/{{rid}}"),
            Access::Port("interests.view"),
            api::show,
        )
        .delete(
            &format!("{API}/{{rid}}"),
            Access::Port("interests.edit"),
            api::delete,
        )
        .get(
            "/ports/{port}/interests/{id}/recommendations-panel",
            Access::Port("interests.view"),
            panel::show,
        )
        .post(PAGE, Access::Port("interests.edit"), panel::add)
        .post(
            &format!("{PAGE}/refresh"),
            Access::Port("interests.edit"),
            panel::refresh,
        )
        .post(
            &format!("{PAGE}/{{rid}}/remove"),
            Access::Port("interests.edit"),
            panel::remove,
        )
}
