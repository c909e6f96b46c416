//! The scratchpad API: the signed-in user's own notes.

use super::store::{self, Scratch};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::http::cursor::{List, PageQuery};
use crate::http::extract::Json;
use crate::http::{Error, Result};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    /// `true`: attached notes only; `false`: loose ones; absent: all.
    pub linked: Option<bool>,
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<List<Scratch>>> {
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    };
    let limit = page.limit()?;
    let after = page.after::<(DateTime<Utc>, Uuid)>()?;
    let rows = store::list(state.db.pool(), &user.id, q.linked, after, limit).await?;
    Ok(axum::Json(List::page(rows, limit, |n| {
        (n.created_at, n.id)
    })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    pub content: String,
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<Body>,
) -> Result<Response> {
    let content = store::checked(&body.content)?;
    let note = store::create(state.db.pool(), &user.id, &content).await?;
    let location = format!("/api/v1/scratchpad/{}", note.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(note),
    )
        .into_response())
}

fn id_of(raw: &str) -> Result<Uuid> {
    raw.parse().map_err(|_| Error::NotFound)
}

pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(body): Json<Body>,
) -> Result<axum::Json<Scratch>> {
    let id = id_of(&id)?;
    let content = store::checked(&body.content)?;
    Ok(axum::Json(
        store::update(state.db.pool(), &user.id, id, &content).await?,
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    store::delete(state.db.pool(), &user.id, id_of(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkBody {
    pub port: String,
    pub client_id: Uuid,
}

pub async fn link(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(body): Json<LinkBody>,
) -> Result<axum::Json<Scratch>> {
    let id = id_of(&id)?;
    Ok(axum::Json(
        store::link(&state, &user, id, &body.port, body.client_id).await?,
    ))
}

pub async fn unlink(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<axum::Json<Scratch>> {
    Ok(axum::Json(
        store::unlink(state.db.pool(), &user.id, id_of(&id)?).await?,
    ))
}
