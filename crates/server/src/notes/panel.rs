//! The notes panel of a record's page: compose box with @-autocomplete, notes
//! newest first, inline edit while the window is open. htmx re-renders the
//! whole panel after each change; form errors come back as 200 with the form
//! (htmx swaps only successful responses), keeping what was typed.

use super::lock::{locks_at, may_edit, minutes_left};
use super::mentions::{Piece, pieces};
use super::{Subject, store, write};
use crate::access::PortCtx;
use crate::auth::csrf::CsrfForm;
use crate::http::cursor::{self, cursor_of};
use crate::http::{Error, Result};
use crate::notifications::ago;
use crate::web::shell::ASSET_URLS;
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

const PAGE: i64 = 20;

/// A run of a note's text, or a mention (shown highlighted).
pub struct Segment {
    pub text: String,
    pub mention: bool,
}

pub struct Item {
    pub id: Uuid,
    pub author_name: String,
    pub ago: String,
    pub exact: String,
    pub iso: String,
    pub segments: Vec<Segment>,
    pub locked: bool,
    pub edited: bool,
    /// Where the edit form loads from, while the viewer may still edit.
    pub edit_url: Option<String>,
    pub minutes_left: i64,
}

/// What every fragment shares.
pub struct Frame {
    pub icons: &'static str,
    pub csrf: String,
    /// The parent's page path: `/ports/north/clients/<id>`.
    pub base: String,
    pub mention_url: String,
}

#[derive(Template)]
#[template(path = "notes/panel.html")]
struct Panel {
    f: Frame,
    can_edit: bool,
    draft: String,
    error: Option<String>,
    items: Vec<Item>,
    more: Option<String>,
}

#[derive(Template)]
#[template(path = "notes/older.html")]
struct Older {
    f: Frame,
    items: Vec<Item>,
    more: Option<String>,
}

#[derive(Template)]
#[template(path = "notes/edit.html")]
struct EditForm {
    f: Frame,
    id: Uuid,
    content: String,
    minutes_left: i64,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "notes/item.html")]
struct One {
    f: Frame,
    n: Item,
}

fn frame<S: Subject>(ctx: &PortCtx, parent: Uuid) -> Frame {
    Frame {
        icons: ASSET_URLS.icons,
        csrf: ctx.user.csrf_token(),
        base: S::page(&ctx.port.slug, parent),
        mention_url: format!("/api/v1/ports/{}/mentionable", ctx.port.slug),
    }
}

fn segments(content: &str, mentions: &[String]) -> Vec<Segment> {
    pieces(content)
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => Segment {
                text: t.to_owned(),
                mention: false,
            },
            // Only members the server accepted are highlighted.
            Piece::Mention { name, id } => Segment {
                text: format!("@{name}"),
                mention: mentions.iter().any(|m| m == id),
            },
        })
        .collect()
}

fn item<S: Subject>(ctx: &PortCtx, n: &store::Note, now: DateTime<Utc>) -> Item {
    let tz: Tz = ctx.port.timezone.parse().unwrap_or(chrono_tz::UTC);
    let editable = ctx.can(S::EDIT)
        && may_edit(&ctx.user.id, &n.author_id, n.created_at, n.is_locked, now).is_ok();
    Item {
        id: n.id,
        author_name: n.author_name.clone(),
        ago: ago(n.created_at, now),
        exact: n
            .created_at
            .with_timezone(&tz)
            .format("%-d %b %Y, %H:%M %Z")
            .to_string(),
        iso: n
            .created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        segments: segments(&n.content, &n.mentions),
        locked: n.locked(now),
        edited: n.updated_at > n.created_at + chrono::Duration::seconds(1)
            && n.updated_at < locks_at(n.created_at),
        edit_url: editable.then(|| {
            format!(
                "{}/notes/{}/edit",
                S::page(&ctx.port.slug, n.parent_id),
                n.id
            )
        }),
        minutes_left: minutes_left(n.created_at, now),
    }
}

async fn page_of<S: Subject>(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    parent: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
) -> Result<(Vec<Item>, Option<String>)> {
    let rows = store::list::<S>(conn, parent, after, PAGE).await?;
    let now = Utc::now();
    let more = (rows.len() as i64 > PAGE).then(|| {
        let last = &rows[PAGE as usize - 1];
        format!(
            "{}/notes-panel?cursor={}",
            S::page(&ctx.port.slug, parent),
            cursor_of(&(last.created_at, last.id))
        )
    });
    let items = rows
        .iter()
        .take(PAGE as usize)
        .map(|n| item::<S>(ctx, n, now))
        .collect();
    Ok((items, more))
}

async fn render_panel<S: Subject>(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    parent: Uuid,
    draft: String,
    error: Option<String>,
) -> Result<String> {
    if !store::parent_exists::<S>(conn, parent).await? {
        return Err(Error::NotFound);
    }
    let (items, more) = page_of::<S>(conn, ctx, parent, None).await?;
    let panel = Panel {
        f: frame::<S>(ctx, parent),
        can_edit: ctx.can(S::EDIT),
        draft,
        error,
        items,
        more,
    };
    panel.render().map_err(|e| {
        anyhow::Error::new(e)
            .context("rendering the notes panel")
            .into()
    })
}

/// The client page's notes panel, rendered with the page's transaction.
pub async fn client_panel(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    client_id: Uuid,
) -> Result<String> {
    render_panel::<super::ClientNotes>(conn, ctx, client_id, String::new(), None).await
}

/// The interest page's notes panel, rendered with the page's transaction.
pub async fn interest_panel(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    interest_id: Uuid,
) -> Result<String> {
    render_panel::<super::InterestNotes>(conn, ctx, interest_id, String::new(), None).await
}

fn param(params: &HashMap<String, String>, key: &str) -> Result<Uuid> {
    params
        .get(key)
        .and_then(|v| v.parse().ok())
        .ok_or(Error::NotFound)
}

fn html(t: &impl Template) -> Result<Response> {
    Ok(crate::web::render(t)?.into_response())
}

#[derive(Debug, Deserialize)]
pub struct PanelQuery {
    pub cursor: Option<String>,
}

/// `GET …/notes-panel`: the panel; with `?cursor=`, the older notes after it.
pub async fn show<S: Subject>(
    ctx: PortCtx,
    Path(params): Path<HashMap<String, String>>,
    Query(q): Query<PanelQuery>,
) -> Result<Response> {
    let parent = param(&params, "id")?;
    let mut tx = ctx.begin().await?;
    let after = cursor::after::<(DateTime<Utc>, Uuid)>(q.cursor.as_deref())?;
    let out = if after.is_some() {
        if !store::parent_exists::<S>(&mut tx, parent).await? {
            return Err(Error::NotFound);
        }
        let (items, more) = page_of::<S>(&mut tx, &ctx, parent, after).await?;
        html(&Older {
            f: frame::<S>(&ctx, parent),
            items,
            more,
        })?
    } else {
        Html(render_panel::<S>(&mut tx, &ctx, parent, String::new(), None).await?).into_response()
    };
    tx.commit().await?;
    Ok(out)
}

#[derive(Debug, Deserialize)]
pub struct ContentForm {
    #[serde(default)]
    pub content: String,
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

/// What a person reads for a refused change, or the error itself.
fn message(e: Error) -> Result<String> {
    match e {
        Error::Unprocessable(fields) => {
            Ok(fields.into_values().flatten().collect::<Vec<_>>().join(" "))
        }
        Error::Conflict(msg) => Ok(msg),
        Error::Forbidden => Ok("Only the author can change this note.".to_owned()),
        other => Err(other),
    }
}

/// `POST …/notes`: adds a note and answers the panel (with the draft and the
/// error when refused). Without htmx, back to the record's page.
pub async fn create<S: Subject>(
    ctx: PortCtx,
    headers: HeaderMap,
    Path(params): Path<HashMap<String, String>>,
    CsrfForm(form): CsrfForm<ContentForm>,
) -> Result<Response> {
    let parent = param(&params, "id")?;
    let (draft, error) = match write::create::<S>(&ctx, parent, &form.content).await {
        Ok(_) => (String::new(), None),
        Err(e) => (form.content, Some(message(e)?)),
    };
    if !is_htmx(&headers) && error.is_none() {
        return Ok(Redirect::to(&S::page(&ctx.port.slug, parent)).into_response());
    }
    let mut tx = ctx.begin().await?;
    let panel = render_panel::<S>(&mut tx, &ctx, parent, draft, error).await?;
    tx.commit().await?;
    Ok(Html(panel).into_response())
}

/// `GET …/notes/{note_id}/edit`: the inline form, or the note as it is when
/// the viewer may no longer edit it.
pub async fn edit_form<S: Subject>(
    ctx: PortCtx,
    Path(params): Path<HashMap<String, String>>,
) -> Result<Response> {
    let (parent, id) = (param(&params, "id")?, param(&params, "note_id")?);
    let mut tx = ctx.begin().await?;
    let note = store::find_for_update::<S>(&mut tx, parent, id)
        .await?
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    let now = Utc::now();
    let f = frame::<S>(&ctx, parent);
    if may_edit(
        &ctx.user.id,
        &note.author_id,
        note.created_at,
        note.is_locked,
        now,
    )
    .is_err()
    {
        return html(&One {
            f,
            n: item::<S>(&ctx, &note, now),
        });
    }
    html(&EditForm {
        f,
        id,
        content: note.content,
        minutes_left: minutes_left(note.created_at, now),
        error: None,
    })
}

/// `POST …/notes/{note_id}`: saves an edit; the panel on success, else the
/// form again in place with the reason (locked, not the author, empty).
pub async fn update<S: Subject>(
    ctx: PortCtx,
    headers: HeaderMap,
    Path(params): Path<HashMap<String, String>>,
    CsrfForm(form): CsrfForm<ContentForm>,
) -> Result<Response> {
    let (parent, id) = (param(&params, "id")?, param(&params, "note_id")?);
    match write::edit::<S>(&ctx, parent, id, &form.content).await {
        Ok(()) => {
            if !is_htmx(&headers) {
                return Ok(Redirect::to(&S::page(&ctx.port.slug, parent)).into_response());
            }
            let mut tx = ctx.begin().await?;
            let panel = render_panel::<S>(&mut tx, &ctx, parent, String::new(), None).await?;
            tx.commit().await?;
            Ok(Html(panel).into_response())
        }
        Err(e) => {
            let error = Some(message(e)?);
            let mut response = html(&EditForm {
                f: frame::<S>(&ctx, parent),
                id,
                content: form.content,
                minutes_left: 0,
                error,
            })?;
            // The form replaces itself, not the panel the success answer targets.
            let h = response.headers_mut();
            h.insert(
                "hx-retarget",
                HeaderValue::from_str(&format!("#note-{id}")).expect("an id is a header value"),
            );
            h.insert("hx-reswap", HeaderValue::from_static("outerHTML"));
            Ok(response)
        }
    }
}
