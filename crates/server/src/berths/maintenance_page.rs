//! `/ports/{port}/berths/maintenance`: what maintenance has cost, by area and
//! by berth, each per currency.

use super::list_page::money;
use super::maintenance::totals;
use crate::access::{self, Access, PortCtx, Routes};
use crate::http::Result;
use crate::web::render;
use crate::web::shell::{Section, Shell};
use askama::Template;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

pub fn routes(routes: Routes) -> Routes {
    routes.get(
        "/ports/{port}/berths/maintenance",
        Access::Port("berths.view"),
        show,
    )
}

struct AreaRow {
    area: String,
    entries: i64,
    total: String,
}

struct BerthRow {
    id: Uuid,
    mooring_number: String,
    area: String,
    entries: i64,
    total: String,
}

#[derive(Template)]
#[template(path = "berths/maintenance_totals.html")]
struct Page {
    shell: Shell,
    slug: String,
    areas: Vec<AreaRow>,
    berths: Vec<BerthRow>,
}

/// `GET /ports/{port}/berths/maintenance`
async fn show(ctx: PortCtx) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let t = totals(&mut tx).await?;
    tx.commit().await?;
    let none = || "No area".to_owned();
    let cur = |c: &Option<String>| c.clone().unwrap_or_default();
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    let page = Page {
        shell: Shell::for_ctx("Maintenance totals", Section::Berths, &ctx, &ports),
        slug: ctx.port.slug.clone(),
        areas: t
            .by_area
            .iter()
            .map(|a| AreaRow {
                area: a.area.clone().unwrap_or_else(none),
                entries: a.entries,
                total: money(Some(a.total), &cur(&a.currency)),
            })
            .collect(),
        berths: t
            .by_berth
            .iter()
            .map(|b| BerthRow {
                id: b.berth_id,
                mooring_number: b.mooring_number.clone(),
                area: b.area.clone().unwrap_or_else(none),
                entries: b.entries,
                total: money(Some(b.total), &cur(&b.currency)),
            })
            .collect(),
    };
    Ok(render(&page)?.into_response())
}
