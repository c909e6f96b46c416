//! The tags panel of a record's page (a client, an interest, a berth:
//! [`Tagged`]): the
//! record's tags as chips in their colours, × to remove one, and a combobox of
//! the port's tags to add one. It posts to the routes below through htmx and
//! swaps itself for the re-rendered panel, so a page only has to include
//! [`record_panel`]'s HTML once.

use super::api::{self, NewTag, TagOut};
use super::records::{self, Change, Tagged, tags_of_one};
use crate::access::{self, Access, PortCtx, Routes};
use crate::auth::csrf::CsrfForm;
use crate::http::{Error, Result};
use crate::web::render;
use crate::web::shell::{ASSET_URLS, Section, Shell};
use askama::Template;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

/// The panel's routes for records of kind `T`.
pub fn record_routes<T: Tagged>(routes: Routes) -> Routes {
    let page = format!("/ports/{{port}}/{}/{{id}}", T::SEGMENT);
    routes
        .get(
            &format!("{page}/tags-panel"),
            Access::Port(T::VIEW),
            show::<T>,
        )
        .post(&format!("{page}/tags"), Access::Port(T::EDIT), add::<T>)
        .post(
            &format!("{page}/tags/{{tag_id}}/remove"),
            Access::Port(T::EDIT),
            remove::<T>,
        )
}

#[derive(Template)]
#[template(path = "tags/panel.html")]
struct Panel {
    slug: String,
    /// The record's URL segment: `clients`, `interests`, `berths`.
    segment: &'static str,
    record_id: Uuid,
    csrf: String,
    icons: &'static str,
    tags: Vec<TagOut>,
    /// The port’s tags the record does not carry: the combobox’s choices.
    choices: Vec<TagOut>,
    can_edit: bool,
    can_create: bool,
    typed: String,
    error: Option<String>,
}

/// The panel's HTML for `client_id` (404 when the port has no such client).
pub async fn client_panel(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    client_id: Uuid,
) -> Result<String> {
    record_panel::<records::ClientTags>(conn, ctx, client_id).await
}

/// The panel's HTML for record `id` of kind `T` (404 when the port has none).
pub async fn record_panel<T: Tagged>(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    id: Uuid,
) -> Result<String> {
    panel::<T>(conn, ctx, id, String::new(), None).await
}

async fn panel<T: Tagged>(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    id: Uuid,
    typed: String,
    error: Option<String>,
) -> Result<String> {
    records::record_exists(&mut *conn, T::TARGET, id).await?;
    let tags = tags_of_one(conn, T::TARGET, id).await?;
    let choices = api::all(conn)
        .await?
        .into_iter()
        .filter(|t| !tags.iter().any(|c| c.id == t.id))
        .collect();
    let html = render(&Panel {
        slug: ctx.port.slug.clone(),
        segment: T::SEGMENT,
        record_id: id,
        csrf: ctx.user.csrf_token(),
        icons: ASSET_URLS.icons,
        tags,
        choices,
        can_edit: ctx.can(T::EDIT),
        can_create: ctx.can("tags.create"),
        typed,
        error,
    })?;
    Ok(html.0)
}

/// True for a request htmx made to swap part of a page.
pub(crate) fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request")
}

#[derive(Template)]
#[template(path = "tags/panel_page.html")]
struct PanelPage {
    shell: Shell,
    heading: String,
    panel: String,
}

/// A panel as htmx asks for it (the fragment), or on a page of its own, under
/// the navigation's `section`, when opened directly (a bookmark, a browser
/// without scripts).
pub(crate) async fn fragment_or_page(
    ctx: &PortCtx,
    headers: &HeaderMap,
    section: Section,
    heading: &str,
    panel: String,
) -> Result<Response> {
    if is_htmx(headers) {
        return Ok(Html(panel).into_response());
    }
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    let page = render(&PanelPage {
        shell: Shell::for_ctx(heading, section, ctx, &ports),
        heading: heading.to_owned(),
        panel,
    })?;
    Ok(page.into_response())
}

/// After a change: htmx gets the new panel (200 even when refused, so htmx
/// swaps it in with the message); a plain form goes back to the panel's page.
async fn answer<T: Tagged>(
    ctx: &PortCtx,
    headers: &HeaderMap,
    id: Uuid,
    typed: String,
    error: Option<String>,
) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let refused = error.is_some();
    let html = panel::<T>(&mut tx, ctx, id, typed, error).await?;
    tx.commit().await?;
    if is_htmx(headers) {
        return Ok(Html(html).into_response());
    }
    if refused {
        let mut res = fragment_or_page(ctx, headers, T::SECTION, "Tags", html).await?;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    }
    Ok(Redirect::to(&format!(
        "/ports/{}/{}/{id}/tags-panel",
        ctx.port.slug,
        T::SEGMENT
    ))
    .into_response())
}

/// `GET /ports/{port}/{records}/{id}/tags-panel`
async fn show<T: Tagged>(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let html = record_panel::<T>(&mut tx, &ctx, id).await?;
    tx.commit().await?;
    fragment_or_page(&ctx, &headers, T::SECTION, "Tags", html).await
}

#[derive(Deserialize)]
struct AddForm {
    #[serde(default)]
    name: String,
}

/// The port's tag named `name` in any letter case.
async fn by_name(ctx: &PortCtx, name: &str) -> Result<Option<Uuid>> {
    let mut tx = ctx.begin().await?;
    let id = sqlx::query_scalar!("SELECT id FROM tags WHERE lower(name) = lower($1)", name)
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// `POST /ports/{port}/{records}/{id}/tags`: adds the tag typed or picked; a
/// name the port has no tag for creates one when the user may create tags.
async fn add<T: Tagged>(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<AddForm>,
) -> Result<Response> {
    let name = form.name.trim().to_owned();
    let refuse =
        |message: String| answer::<T>(&ctx, &headers, id, form.name.clone(), Some(message));
    if name.is_empty() {
        return refuse("Type or pick a tag to add.".into()).await;
    }
    let tag = match by_name(&ctx, &name).await? {
        Some(tag) => tag,
        None if ctx.can("tags.create") => {
            // The record must exist before a tag is made for it.
            let mut tx = ctx.begin().await?;
            records::lock_record(&mut tx, T::TARGET, id).await?;
            tx.commit().await?;
            let new = NewTag {
                name: name.clone(),
                color: None,
            };
            match api::create_tag(&ctx, &new).await {
                Ok(tag) => tag.id,
                Err(Error::Unprocessable(errors)) => {
                    let message = errors.into_values().flatten().collect::<Vec<_>>().join(" ");
                    return refuse(format!("Tag name {message}.")).await;
                }
                Err(e) => return Err(e),
            }
        }
        None => {
            return refuse(format!(
                "This port has no tag “{name}”; pick one of the list."
            ))
            .await;
        }
    };
    records::change(&ctx, T::TARGET, id, Change::Add(tag)).await?;
    answer::<T>(&ctx, &headers, id, String::new(), None).await
}

#[derive(Deserialize)]
struct Confirm {}

/// `POST /ports/{port}/{records}/{id}/tags/{tag_id}/remove`
async fn remove<T: Tagged>(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id, tag)): Path<(String, Uuid, Uuid)>,
    CsrfForm(Confirm {}): CsrfForm<Confirm>,
) -> Result<Response> {
    records::change(&ctx, T::TARGET, id, Change::Remove(tag)).await?;
    answer::<T>(&ctx, &headers, id, String::new(), None).await
}
