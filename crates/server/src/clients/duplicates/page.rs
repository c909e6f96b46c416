//! The duplicates page: pending pairs with their reasons, "Compare" (the
//! merge page), "Not a duplicate", and "Scan again". Forms post with the
//! session's CSRF token and redirect back, so they work without JavaScript.

use super::pairs::{Pair, dismiss_pair, page as pairs_page};
use crate::access::{self, PortCtx};
use crate::audit::Actor;
use crate::auth::csrf::CsrfForm;
use crate::http::cursor::PageQuery;
use crate::http::{Error, Result};
use crate::web::render;
use crate::web::shell::{Section, Shell};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    cursor: Option<String>,
    scanned: Option<usize>,
}

struct Row {
    pair: Pair,
    why: Vec<&'static str>,
    percent: i64,
}

#[derive(Template)]
#[template(path = "clients/duplicates.html")]
struct DuplicatesPage {
    shell: Shell,
    slug: String,
    rows: Vec<Row>,
    next: Option<String>,
    can_merge: bool,
    can_dismiss: bool,
    notice: Option<String>,
}

fn reason_label(r: &str) -> &'static str {
    match r {
        "email" => "Same e-mail",
        "phone" => "Same phone",
        "name" => "Similar name",
        _ => "Other",
    }
}

/// `GET /ports/{port}/clients/duplicates`.
pub async fn show(ctx: PortCtx, Query(q): Query<ListQuery>) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let list = pairs_page(
        &mut tx,
        &PageQuery {
            limit: Some(50),
            cursor: q.cursor,
        },
    )
    .await?;
    tx.commit().await?;
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    let page = DuplicatesPage {
        shell: Shell::for_ctx("Possible duplicates", Section::Clients, &ctx, &ports),
        slug: ctx.port.slug.clone(),
        rows: list
            .data
            .into_iter()
            .map(|pair| Row {
                why: pair.reasons.iter().map(|r| reason_label(r)).collect(),
                percent: (pair.score * 100.0).round() as i64,
                pair,
            })
            .collect(),
        next: list.next_cursor,
        can_merge: ctx.can("clients.merge"),
        can_dismiss: ctx.can("clients.edit"),
        notice: q.scanned.map(|n| match n {
            0 => "Scan finished: no new possible duplicates.".to_owned(),
            1 => "Scan finished: 1 new possible duplicate.".to_owned(),
            n => format!("Scan finished: {n} new possible duplicates."),
        }),
    };
    Ok(render(&page)?.into_response())
}

/// `POST /ports/{port}/clients/duplicates/scan` (the "Scan again" button).
pub async fn rescan(ctx: PortCtx, CsrfForm(_): CsrfForm<Empty>) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let ids = sqlx::query_scalar!("SELECT id FROM clients WHERE port_id = $1", ctx.port.id)
        .fetch_all(&mut *tx)
        .await?;
    let found = super::scan(&mut tx, ctx.port.id, &ids).await?;
    tx.commit().await?;
    let new = found.iter().filter(|c| c.is_new).count();
    Ok(Redirect::to(&format!(
        "/ports/{}/clients/duplicates?scanned={new}",
        ctx.port.slug
    ))
    .into_response())
}

#[derive(Deserialize)]
pub struct Empty {}

#[derive(Deserialize)]
pub struct DismissForm {
    /// Where to go afterwards: a page of this port (the client page's banner).
    back: Option<String>,
}

/// `POST /ports/{port}/clients/duplicates/{pair_id}/dismiss` ("Not a duplicate").
pub async fn dismiss(
    ctx: PortCtx,
    Path((_, pair)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<DismissForm>,
) -> Result<Response> {
    let pair = Uuid::parse_str(&pair).map_err(|_| Error::NotFound)?;
    let mut tx = ctx.begin().await?;
    dismiss_pair(&mut tx, &Actor::from(&ctx), ctx.port.id, pair).await?;
    tx.commit().await?;
    let own = format!("/ports/{}/", ctx.port.slug);
    let back = form
        .back
        .filter(|b| b.starts_with(&own) && !b.contains("//"))
        .unwrap_or_else(|| format!("/ports/{}/clients/duplicates", ctx.port.slug));
    Ok(Redirect::to(&back).into_response())
}
