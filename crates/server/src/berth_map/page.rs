//! `/ports/{port}/map`: the map page, and `/ports/{port}/map/import`.

use super::api::{ColourQuery, load};
use super::import::{self, Report};
use super::view::MapView;
use crate::access::{self, PortCtx};
use crate::auth::csrf::CsrfForm;
use crate::http::{Error, Result};
use crate::web::shell::{Section, Shell};
use crate::web::{Count, render};
use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "berth_map/page.html")]
struct Page {
    shell: Shell,
    slug: String,
    view: MapView,
    standalone: bool,
    title: String,
    total: Count,
    svg_href: String,
    can_import: bool,
    script: &'static str,
}

/// `GET /ports/{port}/map[?colour=stage]`
pub async fn show(ctx: PortCtx, Query(q): Query<ColourQuery>) -> Result<Response> {
    let colour = q.colour()?;
    let view = load(&ctx, colour).await?;
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    let total = Count((view.berths.len() + view.unplaced.len()) as i64);
    let svg_href = match view.by_stage() {
        true => format!("/api/v1/ports/{}/berth-map?colour=stage", ctx.port.slug),
        false => format!("/api/v1/ports/{}/berth-map", ctx.port.slug),
    };
    let page = Page {
        shell: Shell::for_ctx("Berth map", Section::Map, &ctx, &ports),
        slug: ctx.port.slug.clone(),
        title: format!("Berth map of {}", ctx.port.name),
        view,
        standalone: false,
        total,
        svg_href,
        can_import: ctx.can("berths.edit"),
        script: crate::web::assets::url::BERTH_MAP_JS,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Template)]
#[template(path = "berth_map/import.html")]
struct ImportPage {
    shell: Shell,
    slug: String,
    report: Option<Report>,
    typed: String,
    error: Option<String>,
    script: &'static str,
}

async fn import_page(
    ctx: &PortCtx,
    report: Option<Report>,
    typed: String,
    error: Option<String>,
) -> Result<Response> {
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ImportPage {
        shell: Shell::for_ctx("Import a map", Section::Map, ctx, &ports),
        slug: ctx.port.slug.clone(),
        report,
        typed,
        error,
        script: crate::web::assets::url::BERTH_MAP_JS,
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /ports/{port}/map/import`
pub async fn import_form(ctx: PortCtx) -> Result<Response> {
    import_page(&ctx, None, String::new(), None).await
}

#[derive(Deserialize)]
pub struct ImportForm {
    #[serde(default)]
    svg: String,
}

/// `POST /ports/{port}/map/import`: the SVG pasted or read from the chosen file.
pub async fn import(ctx: PortCtx, CsrfForm(form): CsrfForm<ImportForm>) -> Result<Response> {
    match import::import(&ctx, form.svg.as_bytes()).await {
        Ok(report) => import_page(&ctx, Some(report), String::new(), None).await,
        Err(Error::Unprocessable(errors)) => {
            let message = errors
                .get("file")
                .map(|m| m.join(" "))
                .unwrap_or_else(|| "could not be read.".into());
            import_page(&ctx, None, form.svg, Some(message)).await
        }
        Err(e) => Err(e),
    }
}
