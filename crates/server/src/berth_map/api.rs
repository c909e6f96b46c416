//! The map's API: the SVG document, its data as JSON, and the import.

use super::import::{self, Report};
use super::model::{self, MapBerth};
use super::view::{self, Colour, MapView};
use crate::access::PortCtx;
use crate::http::cursor::List;
use crate::http::{Error, Result};
use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::Query;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
pub struct ColourQuery {
    #[serde(default)]
    pub colour: Option<String>,
}

impl ColourQuery {
    /// The colouring asked for; an unknown one answers 422 naming `colour`.
    pub fn colour(&self) -> Result<Colour> {
        self.colour
            .as_deref()
            .unwrap_or("")
            .parse()
            .map_err(|m: String| Error::invalid("colour", m))
    }
}

/// The port's map as the page and the document draw it.
pub async fn load(ctx: &PortCtx, colour: Colour) -> Result<MapView> {
    let mut tx = ctx.begin().await?;
    let rows = model::berths(&mut tx).await?;
    tx.commit().await?;
    Ok(view::build(rows, &ctx.port.slug, colour))
}

#[derive(Template)]
#[template(path = "berth_map/document.svg")]
struct Document {
    view: MapView,
    standalone: bool,
    title: String,
}

/// `GET /api/v1/ports/{port}/berth-map[?colour=stage]`: the map as an SVG
/// document (`image/svg+xml`), with its colours inside it.
pub async fn document(ctx: PortCtx, Query(q): Query<ColourQuery>) -> Result<Response> {
    let view = load(&ctx, q.colour()?).await?;
    let svg = Document {
        view,
        standalone: true,
        title: format!("Berth map of {}", ctx.port.name),
    }
    .render()
    .map_err(|e| anyhow::Error::new(e).context("rendering the berth map"))?;
    Ok((
        [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
        svg,
    )
        .into_response())
}

/// `GET /api/v1/ports/{port}/berth-map/shapes`: every berth with its map data
/// and the most advanced stage of its open interests.
pub async fn shapes(ctx: PortCtx) -> Result<Json<List<MapBerth>>> {
    let mut tx = ctx.begin().await?;
    let rows = model::berths(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(List::whole(rows)))
}

/// `POST /api/v1/ports/{port}/berth-map/import`: the SVG file as the body →
/// 200 with what was drawn and each shape skipped with its reason; a body
/// that is not SVG → 422 naming `file`.
pub async fn import(ctx: PortCtx, body: Bytes) -> Result<Json<Report>> {
    Ok(Json(import::import(&ctx, &body).await?))
}
