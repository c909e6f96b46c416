//! The berth map: the port's berths drawn as SVG from `berth_map_data`.
//!
//! `model` reads every berth with its shape and the most advanced stage of
//! its open interests in one statement; `view` turns them into what the
//! template draws (frame, colour classes, labels, legend, area backdrops);
//! `geometry` reads path data and transforms for that; `parse` reads shapes
//! from an SVG file and `import` stores them; `page` and `api` serve it.
//!
//! The shape of a berth is its `svg_path` (with its `transform`), its label
//! sits at `x`, `y` (the middle of the shape when unset) in `font_size`
//! (worked out from the shape when unset). A berth with a position but no
//! path is drawn as a small circle there.

mod api;
pub mod geometry;
pub mod import;
pub mod model;
mod page;
pub mod parse;
pub mod view;

use crate::access::{Access, Routes};

const VIEW: Access = Access::Port("berths.view");
const EDIT: Access = Access::Port("berths.edit");

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/api/v1/ports/{port}/berth-map", VIEW, api::document)
        .get("/api/v1/ports/{port}/berth-map/shapes", VIEW, api::shapes)
        .post("/api/v1/ports/{port}/berth-map/import", EDIT, api::import)
        .get("/ports/{port}/map", VIEW, page::show)
        .get("/ports/{port}/map/import", EDIT, page::import_form)
        .post("/ports/{port}/map/import", EDIT, page::import)
}
