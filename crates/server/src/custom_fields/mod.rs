//! Custom fields: the fields directors add to clients (and later interests and
//! berths), and their values on each record.
//!
//! `definitions` is the catalogue (API and the functions the settings page
//! calls), `values` reads and writes values — [`save`] is what a record's own
//! create and update call with the `custom_fields` part of their body — and
//! `page` / `panel` are the settings tab and a record page's panel (clients
//! and berths, [`Fielded`]). The rules themselves live in
//! `domain::custom_fields`.

mod definitions;
mod page;
mod panel;
pub mod values;

pub use definitions::{DefinitionOut, definitions_of};
pub use domain::custom_fields::EntityType;
pub use panel::{ClientFields, Fielded, client_panel, record_panel, record_routes};
pub use values::{save, values_of};

use crate::access::{Access, Routes};

pub fn routes(routes: Routes) -> Routes {
    let routes = routes
        .get(
            "/api/v1/ports/{port}/custom-fields",
            Access::Port("custom_fields.view"),
            definitions::list,
        )
        .post(
            "/api/v1/ports/{port}/custom-fields",
            Access::Port("custom_fields.create"),
            definitions::create,
        )
        .patch(
            "/api/v1/ports/{port}/custom-fields/{id}",
            Access::Port("custom_fields.edit"),
            definitions::update,
        )
        .delete(
            "/api/v1/ports/{port}/custom-fields/{id}",
            Access::Port("custom_fields.delete"),
            definitions::delete,
        )
        .get(
            "/api/v1/ports/{port}/clients/{id}/custom-fields",
            Access::Port("clients.view"),
            values::client_get,
        )
        .put(
            "/api/v1/ports/{port}/clients/{id}/custom-fields",
            Access::Port("clients.edit"),
            values::client_put,
        );
    record_routes::<ClientFields>(page::routes(routes))
}
