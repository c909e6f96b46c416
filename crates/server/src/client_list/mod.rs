//! The client list: filters, search, sorting and keyset pages over one query
//! (`sql`), served as JSON (`api`), as a page (`page`) and as CSV (`export`).

pub mod api;
mod columns;
pub mod export;
mod page;
pub mod params;
pub mod sql;

use crate::access::{Access, Routes};

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/api/v1/ports/{port}/clients",
            Access::Port("clients.view"),
            api::index,
        )
        .get(
            "/api/v1/ports/{port}/clients/export.csv",
            Access::Port("clients.export"),
            export::csv,
        )
        .get(
            "/ports/{port}/clients",
            Access::Port("clients.view"),
            page::show,
        )
        .post(
            "/ports/{port}/clients/views",
            Access::Port("clients.view"),
            page::save_view,
        )
        .post(
            "/ports/{port}/clients/views/{id}",
            Access::Port("clients.view"),
            page::change_view,
        )
}
