//! Merging two clients into one (DESIGN "Duplicates and merge").

mod api;
mod apply;
pub mod fields;
mod page;

pub use apply::{Outcome, merge};

use crate::access::{Access, Routes};

pub fn routes(routes: Routes) -> Routes {
    routes
        .post(
            "/api/v1/ports/{port}/clients/{id}/merge",
            Access::Port("clients.merge"),
            api::merge,
        )
        .get(
            "/ports/{port}/clients/{id}/merge",
            Access::Port("clients.merge"),
            page::show,
        )
        .post(
            "/ports/{port}/clients/{id}/merge",
            Access::Port("clients.merge"),
            page::submit,
        )
}
