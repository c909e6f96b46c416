//! CSV import of clients with their contacts.
//!
//! Upload a file (`parse`: encoding, delimiter, strict CSV with line numbers),
//! choose which column feeds which field (`mapping`), see what each row would
//! do (`dry_run`, reading rows by the domain's rules in `validate`), then run
//! the import as a background job in one transaction (`run`) while the page or
//! the command line (`cli`) shows its progress. `store` keeps the
//! `client_imports` rows; `service` holds the steps the API and page share.

mod api;
pub mod cli;
pub mod dry_run;
pub mod mapping;
mod page;
pub mod parse;
pub mod run;
pub mod service;
pub mod store;
pub mod validate;

pub use run::ImportClients;

use crate::access::{Access, Routes};

const IMPORT: Access = Access::Port("clients.import");

pub fn routes(routes: Routes) -> Routes {
    routes
        .post("/api/v1/ports/{port}/clients/import", IMPORT, api::upload)
        .get("/api/v1/ports/{port}/clients/imports", IMPORT, api::index)
        .get(
            "/api/v1/ports/{port}/clients/imports/{id}",
            IMPORT,
            api::show,
        )
        .post(
            "/api/v1/ports/{port}/clients/imports/{id}/dry-run",
            IMPORT,
            api::dry_run,
        )
        .post(
            "/api/v1/ports/{port}/clients/imports/{id}/run",
            IMPORT,
            api::run,
        )
        .get("/ports/{port}/clients/import", IMPORT, page::show)
        .get("/ports/{port}/clients/import/{id}", IMPORT, page::step)
        .post(
            "/ports/{port}/clients/import/{id}/dry-run",
            IMPORT,
            page::dry_run,
        )
        .post("/ports/{port}/clients/import/{id}/run", IMPORT, page::run)
        .get(
            "/ports/{port}/clients/import/{id}/progress",
            IMPORT,
            page::progress,
        )
}
