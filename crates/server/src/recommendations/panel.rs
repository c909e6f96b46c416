//! The interest page's "Recommended berths" panel: the manual picks and the
//! best fits with their score and reasons, "Link this berth", a refresh that
//! keeps the best, and a picker to recommend a berth by hand. It posts to the
//! routes below through htmx and swaps itself for the re-rendered panel, so
//! the interest page includes it with one line: [`interest_panel`]'s HTML,
//! or an element loading `GET /ports/{port}/interests/{id}/recommendations-panel`.

use super::store::{self, Recommendation, parse_id};
use crate::access::{self, PortCtx};
use crate::audit::Actor;
use crate::auth::csrf::CsrfForm;
use crate::http::{Error, Result};
use crate::pipeline::money;
use crate::tags::is_htmx;
use crate::web::render;
use crate::web::shell::{Section, Shell};
use askama::Template;
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::settings::CurrencyDisplay;
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

/// The best fits the panel shows besides the manual picks.
const SHOWN: usize = 5;

pub struct RowView {
    pub id: Option<Uuid>,
    pub berth_id: Uuid,
    pub mooring_number: String,
    pub href: String,
    pub area: String,
    pub status: String,
    pub status_label: &'static str,
    pub price: Option<String>,
    pub score: Option<String>,
    pub reasons: Option<String>,
    pub manual: bool,
    pub kept: bool,
    pub linked: bool,
}

pub struct Choice {
    pub id: Uuid,
    pub label: String,
}

#[derive(Template)]
#[template(path = "recommendations/panel.html")]
struct Panel {
    slug: String,
    interest_id: Uuid,
    csrf: String,
    yacht: Option<String>,
    can_match: bool,
    rows: Vec<RowView>,
    choices: Vec<Choice>,
    can_edit: bool,
    error: Option<String>,
    script: &'static str,
}

#[derive(Template)]
#[template(path = "recommendations/panel_page.html")]
struct PanelPage {
    shell: Shell,
    client_name: String,
    interest_href: String,
    panel: String,
}

fn status_label(status: &str) -> &'static str {
    match status {
        "available" => "Available",
        "under_offer" => "Under offer",
        "sold" => "Sold",
        _ => "Unknown status",
    }
}

fn reasons_text(r: &Recommendation) -> Option<String> {
    let v = r.match_reasons.as_ref()?;
    let n = |k: &str| v[k].as_u64().unwrap_or(0);
    Some(format!(
        "Size {} · depth {} · availability {} · waiting list {}",
        n("dimensional_fit"),
        n("depth_fit"),
        n("availability"),
        n("waiting_list")
    ))
}

fn yacht_summary(s: &store::Subject) -> Option<String> {
    let length = s.length_ft?;
    let mut out = format!("{length} ft");
    if let Some(w) = s.width_ft {
        out.push_str(&format!(" × {w} ft"));
    }
    if let Some(d) = s.draft_ft {
        out.push_str(&format!(", draft {d} ft"));
    }
    Some(match &s.yacht_name {
        Some(name) => format!("{name}: {out}"),
        None => out,
    })
}

/// The panel's HTML for `interest_id` (404 when the port has no such interest).
pub async fn interest_panel(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    interest_id: Uuid,
) -> Result<String> {
    panel(conn, ctx, interest_id, None).await
}

async fn panel(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    interest_id: Uuid,
    error: Option<String>,
) -> Result<String> {
    let subject = store::subject(&mut *conn, interest_id).await?;
    let all = store::list(&mut *conn, &subject, 200).await?;
    let berths = store::berths(&mut *conn).await?;
    let places = crate::settings::get::<CurrencyDisplay>(&mut *conn, Some(ctx.port.id))
        .await?
        .decimal_places;
    let slug = ctx.port.slug.clone();
    let mut computed = 0;
    let rows: Vec<RowView> = all
        .iter()
        .filter(|r| {
            if r.source == "manual" {
                return true;
            }
            computed += 1;
            computed <= SHOWN
        })
        .map(|r| RowView {
            id: r.id,
            berth_id: r.berth_id,
            mooring_number: r.mooring_number.clone(),
            href: format!("/ports/{slug}/berths/{}", r.berth_id),
            area: r.area.clone().unwrap_or_default(),
            status: r.status.clone(),
            status_label: status_label(&r.status),
            price: r.price.map(|p| money::full(p, &r.price_currency, places)),
            score: r.match_score.map(|s| s.normalize().to_string()),
            reasons: reasons_text(r),
            manual: r.source == "manual",
            kept: r.id.is_some(),
            linked: subject.berth_id == Some(r.berth_id),
        })
        .collect();
    let choices = berths
        .iter()
        .filter(|b| b.status != "sold" && !rows.iter().any(|r| r.manual && r.berth_id == b.id))
        .map(|b| Choice {
            id: b.id,
            label: match &b.area {
                Some(area) => format!("{} ({area})", b.mooring_number),
                None => b.mooring_number.clone(),
            },
        })
        .collect();
    let html = render(&Panel {
        slug,
        interest_id,
        csrf: ctx.user.csrf_token(),
        yacht: yacht_summary(&subject),
        can_match: subject.yacht.can_be_matched(),
        rows,
        choices,
        can_edit: ctx.can("interests.edit"),
        error,
        script: crate::web::assets::url::RECOMMENDATIONS_JS,
    })?;
    Ok(html.0)
}

/// The panel as htmx asks for it, or on a page of its own when opened
/// directly (a bookmark, a browser without scripts).
async fn fragment_or_page(
    ctx: &PortCtx,
    headers: &HeaderMap,
    interest_id: Uuid,
    html: String,
) -> Result<Response> {
    if is_htmx(headers) {
        return Ok(Html(html).into_response());
    }
    let client_name = {
        let mut tx = ctx.begin().await?;
        let s = store::subject(&mut tx, interest_id).await?;
        tx.commit().await?;
        s.client_name
    };
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    let page = render(&PanelPage {
        shell: Shell::for_ctx("Recommended berths", Section::Pipeline, ctx, &ports),
        client_name,
        interest_href: format!("/ports/{}/interests/{interest_id}", ctx.port.slug),
        panel: html,
    })?;
    Ok(page.into_response())
}

/// After a change: htmx gets the new panel (200 even when refused, so htmx
/// swaps it in with the message); a plain form goes back to the panel's page.
async fn answer(
    ctx: &PortCtx,
    headers: &HeaderMap,
    interest_id: Uuid,
    error: Option<String>,
) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let html = panel(&mut tx, ctx, interest_id, error.clone()).await?;
    tx.commit().await?;
    if is_htmx(headers) || error.is_some() {
        return fragment_or_page(ctx, headers, interest_id, html).await;
    }
    Ok(Redirect::to(&format!(
        "/ports/{}/interests/{interest_id}/recommendations-panel",
        ctx.port.slug
    ))
    .into_response())
}

/// `GET /ports/{port}/interests/{id}/recommendations-panel`
pub async fn show(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    let html = interest_panel(&mut tx, &ctx, id).await?;
    tx.commit().await?;
    fragment_or_page(&ctx, &headers, id, html).await
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    berth_id: String,
}

/// `POST /ports/{port}/interests/{id}/recommendations`: a berth picked by hand.
pub async fn add(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<AddForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    let subject = store::subject(&mut tx, id).await?;
    let outcome = match super::api::berth_id(&form.berth_id) {
        Ok(berth) => {
            store::add_manual(&mut tx, &Actor::from(&ctx), ctx.port.id, &subject, berth).await
        }
        Err(e) => Err(e),
    };
    let refused = match outcome {
        Ok(_) => {
            tx.commit().await?;
            return answer(&ctx, &headers, id, None).await;
        }
        Err(e) => {
            tx.rollback().await?;
            e
        }
    };
    let error = match refused {
        Error::Unprocessable(errors) => match errors.get("berth_id") {
            Some(m) if m.iter().any(|m| m.contains("sold")) => {
                "That berth is sold; pick another.".to_owned()
            }
            _ => "Pick a berth to recommend.".to_owned(),
        },
        Error::Conflict(m) => m,
        Error::NotFound => "That berth is not one of this port's.".to_owned(),
        e => return Err(e),
    };
    answer(&ctx, &headers, id, Some(error)).await
}

#[derive(Deserialize)]
pub struct Confirm {}

/// `POST /ports/{port}/interests/{id}/recommendations/refresh`
pub async fn refresh(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Confirm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    let subject = store::subject(&mut tx, id).await?;
    store::refresh(&mut tx, &Actor::from(&ctx), ctx.port.id, &subject).await?;
    tx.commit().await?;
    answer(&ctx, &headers, id, None).await
}

/// `POST /ports/{port}/interests/{id}/recommendations/{rid}/remove`
pub async fn remove(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id, rid)): Path<(String, String, String)>,
    CsrfForm(_): CsrfForm<Confirm>,
) -> Result<Response> {
    let (id, rid) = (parse_id(&id)?, parse_id(&rid)?);
    let mut tx = ctx.begin().await?;
    let subject = store::subject(&mut tx, id).await?;
    store::remove(&mut tx, &Actor::from(&ctx), ctx.port.id, &subject, rid).await?;
    tx.commit().await?;
    answer(&ctx, &headers, id, None).await
}
