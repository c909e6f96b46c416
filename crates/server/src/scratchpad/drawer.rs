//! The drawer every page opens from the top bar (loaded by htmx only when
//! opened, so pages pay nothing for it): quick add, edit, delete, and
//! "Attach to client…" with a client picker of the page's port.

use super::store::{self, Scratch};
use crate::access::{PortCtx, permissions_at};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfForm;
use crate::http::{Error, Result};
use crate::notifications::ago;
use crate::web::render;
use crate::web::shell::ASSET_URLS;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

const SHOWN: i64 = 100;

pub struct Item {
    pub id: Uuid,
    pub content: String,
    pub ago: String,
    pub iso: String,
}

#[derive(Template)]
#[template(path = "scratchpad/drawer.html")]
struct Drawer {
    icons: &'static str,
    csrf: String,
    /// The page's port, when the user may attach notes to its clients.
    port: Option<String>,
    items: Vec<Item>,
    more: bool,
    draft: String,
    error: Option<String>,
    /// The note being edited in place, with its text.
    editing: Option<(Uuid, String)>,
}

#[derive(Template)]
#[template(path = "scratchpad/clients.html")]
struct ClientResults {
    csrf: String,
    port: String,
    note: Uuid,
    clients: Vec<ClientHit>,
    q: String,
}

pub struct ClientHit {
    pub id: Uuid,
    pub full_name: String,
    pub company_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PortQuery {
    pub port: Option<String>,
}

/// The port slug to offer attaching in, if the user may view clients there.
async fn attach_port(
    state: &AppState,
    user: &CurrentUser,
    slug: Option<&str>,
) -> Result<Option<String>> {
    let Some(slug) = slug.filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let Some(port) = crate::ports::find_active_by_slug(state.db.pool(), slug).await? else {
        return Ok(None);
    };
    let may = permissions_at(state, user, port.id)
        .await?
        .is_some_and(|p| p.contains("clients.view"));
    Ok(may.then_some(port.slug))
}

async fn drawer(
    state: &AppState,
    user: &CurrentUser,
    port: Option<&str>,
    draft: String,
    error: Option<String>,
    editing: Option<(Uuid, String)>,
) -> Result<Response> {
    let rows: Vec<Scratch> =
        store::list(state.db.pool(), &user.id, Some(false), None, SHOWN).await?;
    let now = Utc::now();
    let more = rows.len() as i64 > SHOWN;
    let items = rows
        .iter()
        .take(SHOWN as usize)
        .map(|n| Item {
            id: n.id,
            content: n.content.clone(),
            ago: ago(n.created_at, now),
            iso: n
                .created_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        })
        .collect();
    Ok(render(&Drawer {
        icons: ASSET_URLS.icons,
        csrf: user.csrf_token(),
        port: attach_port(state, user, port).await?,
        items,
        more,
        draft,
        error,
        editing,
    })?
    .into_response())
}

/// A refusal a person can read, or the error itself.
fn message(e: Error) -> Result<String> {
    match e {
        Error::Unprocessable(fields) => {
            Ok(fields.into_values().flatten().collect::<Vec<_>>().join(" "))
        }
        other => Err(other),
    }
}

/// `GET /scratchpad/drawer?port=`: the drawer's content.
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PortQuery>,
) -> Result<Response> {
    drawer(&state, &user, q.port.as_deref(), String::new(), None, None).await
}

#[derive(Debug, Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    pub content: String,
    pub port: Option<String>,
}

/// `POST /scratchpad/notes`: quick add; the drawer again (with the draft and
/// the reason when refused).
pub async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<NoteForm>,
) -> Result<Response> {
    let port = form.port.as_deref();
    match store::checked(&form.content) {
        Ok(content) => {
            store::create(state.db.pool(), &user.id, &content).await?;
            drawer(&state, &user, port, String::new(), None, None).await
        }
        Err(e) => {
            drawer(
                &state,
                &user,
                port,
                form.content.clone(),
                Some(message(e)?),
                None,
            )
            .await
        }
    }
}

fn id_of(raw: &str) -> Result<Uuid> {
    raw.parse().map_err(|_| Error::NotFound)
}

/// `GET /scratchpad/notes/{id}/edit?port=`: the drawer with that note in a form.
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<PortQuery>,
) -> Result<Response> {
    let note = store::find(state.db.pool(), &user.id, id_of(&id)?)
        .await?
        .ok_or(Error::NotFound)?;
    drawer(
        &state,
        &user,
        q.port.as_deref(),
        String::new(),
        None,
        Some((note.id, note.content)),
    )
    .await
}

/// `POST /scratchpad/notes/{id}`: saves an edit.
pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<NoteForm>,
) -> Result<Response> {
    let id = id_of(&id)?;
    let port = form.port.as_deref();
    match store::checked(&form.content) {
        Ok(content) => {
            store::update(state.db.pool(), &user.id, id, &content).await?;
            drawer(&state, &user, port, String::new(), None, None).await
        }
        Err(e) => {
            let error = Some(message(e)?);
            drawer(
                &state,
                &user,
                port,
                String::new(),
                error,
                Some((id, form.content.clone())),
            )
            .await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct PortForm {
    pub port: Option<String>,
}

/// `POST /scratchpad/notes/{id}/delete`.
pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<PortForm>,
) -> Result<Response> {
    store::delete(state.db.pool(), &user.id, id_of(&id)?).await?;
    drawer(
        &state,
        &user,
        form.port.as_deref(),
        String::new(),
        None,
        None,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct AttachForm {
    pub port: String,
    pub client_id: Uuid,
}

/// `POST /scratchpad/notes/{id}/attach`: the note moves onto the client page
/// and leaves the drawer.
pub async fn attach(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<AttachForm>,
) -> Result<Response> {
    store::link(&state, &user, id_of(&id)?, &form.port, form.client_id).await?;
    drawer(&state, &user, Some(&form.port), String::new(), None, None).await
}

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    pub q: String,
    pub note: Uuid,
}

/// `GET /ports/{port}/scratchpad/client-search?q=&note=`: up to 8 of the
/// port's clients by name (substring or close spelling), as attach buttons.
pub async fn client_search(ctx: PortCtx, Query(q): Query<SearchQuery>) -> Result<Html<String>> {
    let term = q.q.trim().to_owned();
    let clients = if term.is_empty() {
        Vec::new()
    } else {
        let like = crate::db::like::contains(&term);
        let mut tx = ctx.begin().await?;
        let rows = sqlx::query_as!(
            ClientHit,
            "SELECT id, full_name, company_name FROM clients
             WHERE archived_at IS NULL AND (full_name ILIKE $1 OR word_similarity($2, full_name) >= 0.4)
             ORDER BY (full_name ILIKE $2 || '%') DESC, word_similarity($2, full_name) DESC, full_name, id
             LIMIT 8",
            like,
            term
        )
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows
    };
    render(&ClientResults {
        csrf: ctx.user.csrf_token(),
        port: ctx.port.slug.clone(),
        note: q.note,
        clients,
        q: term,
    })
}
