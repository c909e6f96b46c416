//! The berth page's section of pending status suggestions, with Accept and
//! Dismiss for those holding `berths.change_status`. The berth page includes
//! [`berth_panel`]'s HTML; the buttons post here through htmx. Dismissing
//! swaps the section; accepting changes the berth's status shown elsewhere
//! on the page, so the whole page reloads.

use super::suggestions::{self, Suggestion};
use super::{parse_trigger, trigger_label};
use crate::access::{Access, PortCtx, Routes};
use crate::auth::csrf::CsrfForm;
use crate::http::{Error, Result};
use crate::notifications::ago;
use crate::web::render;
use askama::Template;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Utc;
use domain::settings::BerthStatus;
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

pub fn routes(routes: Routes) -> Routes {
    const PAGE: &str = "/ports/{port}/berths/{id}/status-suggestions";
    routes
        .get(PAGE, Access::Port("berths.view"), show)
        .post(
            &format!("{PAGE}/{{sid}}/accept"),
            Access::Port("berths.change_status"),
            accept,
        )
        .post(
            &format!("{PAGE}/{{sid}}/dismiss"),
            Access::Port("berths.change_status"),
            dismiss,
        )
}

/// Pending suggestions shown; older ones stay in the API.
const SHOWN: i64 = 20;

struct Item {
    id: Uuid,
    target: &'static str,
    /// `available`, `under_offer`, `sold`: the chip's colour.
    tone: &'static str,
    why: &'static str,
    client_name: Option<String>,
    interest_id: Option<Uuid>,
    ago: String,
}

impl Item {
    fn of(s: &Suggestion, now: chrono::DateTime<Utc>) -> Item {
        let target = s.target_status.parse::<BerthStatus>().ok();
        Item {
            id: s.id,
            target: target.map_or("Unknown", BerthStatus::label),
            tone: target.map_or("", BerthStatus::as_str),
            why: parse_trigger(&s.trigger).map_or("A rule", trigger_label),
            client_name: s.client_name.clone(),
            interest_id: s.interest_id,
            ago: ago(s.created_at, now),
        }
    }
}

#[derive(Template)]
#[template(path = "berth_rules/panel.html")]
struct Panel {
    slug: String,
    berth_id: Uuid,
    csrf: String,
    items: Vec<Item>,
    can_decide: bool,
    error: Option<String>,
}

async fn panel(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    berth_id: Uuid,
    error: Option<String>,
) -> Result<String> {
    let rows = suggestions::of_berth(conn, berth_id, true, None, SHOWN).await?;
    let now = Utc::now();
    Ok(render(&Panel {
        slug: ctx.port.slug.clone(),
        berth_id,
        csrf: ctx.user.csrf_token(),
        items: rows
            .iter()
            .take(SHOWN as usize)
            .map(|s| Item::of(s, now))
            .collect(),
        can_decide: ctx.can("berths.change_status"),
        error,
    })?
    .0)
}

/// The section's HTML for the berth page, in the page's transaction.
pub async fn berth_panel(conn: &mut PgConnection, ctx: &PortCtx, berth_id: Uuid) -> Result<String> {
    panel(conn, ctx, berth_id, None).await
}

fn ids(id: &str, sid: Option<&str>) -> Result<(Uuid, Option<Uuid>)> {
    let parse = |s: &str| Uuid::parse_str(s).map_err(|_| Error::NotFound);
    Ok((parse(id)?, sid.map(parse).transpose()?))
}

/// `GET /ports/{port}/berths/{id}/status-suggestions`: the section alone.
async fn show(ctx: PortCtx, Path((_, id)): Path<(String, String)>) -> Result<Response> {
    let (berth_id, _) = ids(&id, None)?;
    let mut tx = ctx.begin().await?;
    let exists = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM berths WHERE id = $1 AND port_id = app_port_id()) AS "e!""#,
        berth_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if !exists {
        return Err(Error::NotFound);
    }
    let html = panel(&mut tx, &ctx, berth_id, None).await?;
    tx.commit().await?;
    Ok(Html(html).into_response())
}

#[derive(Deserialize)]
struct Confirm {}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

async fn answer(
    ctx: &PortCtx,
    headers: &HeaderMap,
    berth_id: Uuid,
    outcome: Result<Suggestion>,
    reload: bool,
) -> Result<Response> {
    let page = format!("/ports/{}/berths/{berth_id}", ctx.port.slug);
    let error = match outcome {
        Ok(_) => None,
        // Decided meanwhile by someone else: say so in the section.
        Err(Error::Conflict(message)) => Some(message),
        Err(e) => return Err(e),
    };
    if !is_htmx(headers) {
        return Ok(Redirect::to(&page).into_response());
    }
    if reload && error.is_none() {
        let mut res = ().into_response();
        res.headers_mut().insert(
            "hx-redirect",
            HeaderValue::from_str(&page).expect("a path is a header value"),
        );
        return Ok(res);
    }
    let mut tx = ctx.begin().await?;
    let html = panel(&mut tx, ctx, berth_id, error).await?;
    tx.commit().await?;
    Ok(Html(html).into_response())
}

/// `POST …/status-suggestions/{sid}/accept`
async fn accept(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id, sid)): Path<(String, String, String)>,
    CsrfForm(Confirm {}): CsrfForm<Confirm>,
) -> Result<Response> {
    let (berth_id, sid) = ids(&id, Some(&sid))?;
    let sid = sid.ok_or(Error::NotFound)?;
    let outcome = suggestions::decide(&ctx, berth_id, sid, true).await;
    answer(&ctx, &headers, berth_id, outcome, true).await
}

/// `POST …/status-suggestions/{sid}/dismiss`
async fn dismiss(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id, sid)): Path<(String, String, String)>,
    CsrfForm(Confirm {}): CsrfForm<Confirm>,
) -> Result<Response> {
    let (berth_id, sid) = ids(&id, Some(&sid))?;
    let sid = sid.ok_or(Error::NotFound)?;
    let outcome = suggestions::decide(&ctx, berth_id, sid, false).await;
    answer(&ctx, &headers, berth_id, outcome, false).await
}
