//! The notes API: list (newest first, keyset), create, edit, withdraw.

use super::{Subject, store, write};
use crate::access::PortCtx;
use crate::http::cursor::{List, PageQuery};
use crate::http::extract::Json;
use crate::http::{Error, Result};
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

/// A note as JSON: spec column names, the parent under its own key
/// (`client_id`), the author's display name, and whether it is locked now.
pub fn to_json<S: Subject>(note: &store::Note, now: DateTime<Utc>) -> Value {
    let mut v = json!({
        "id": note.id,
        "author_id": note.author_id,
        "author_name": note.author_name,
        "content": note.content,
        "mentions": note.mentions,
        "is_locked": note.locked(now),
        "locks_at": super::lock::locks_at(note.created_at),
        "created_at": note.created_at,
        "updated_at": note.updated_at,
    });
    v[S::PARENT_KEY] = json!(note.parent_id);
    v
}

fn ids(params: &HashMap<String, String>, key: &str) -> Result<Uuid> {
    params
        .get(key)
        .and_then(|v| v.parse().ok())
        .ok_or(Error::NotFound)
}

pub async fn list<S: Subject>(
    ctx: PortCtx,
    Path(params): Path<HashMap<String, String>>,
    Query(page): Query<PageQuery>,
) -> Result<axum::Json<List<Value>>> {
    let parent = ids(&params, "id")?;
    let limit = page.limit()?;
    let after = page.after::<(DateTime<Utc>, Uuid)>()?;
    let mut tx = ctx.begin().await?;
    if !store::parent_exists::<S>(&mut tx, parent).await? {
        return Err(Error::NotFound);
    }
    let rows = store::list::<S>(&mut tx, parent, after, limit).await?;
    tx.commit().await?;
    let now = Utc::now();
    let page = List::page(rows, limit, |n| (n.created_at, n.id));
    Ok(axum::Json(List {
        data: page.data.iter().map(|n| to_json::<S>(n, now)).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    pub content: String,
}

async fn one<S: Subject>(ctx: &PortCtx, parent: Uuid, id: Uuid) -> Result<Value> {
    let mut tx = ctx.begin().await?;
    // Not FOR UPDATE in spirit: the transaction ends at once.
    let note = store::find_for_update::<S>(&mut tx, parent, id)
        .await?
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(to_json::<S>(&note, Utc::now()))
}

pub async fn create<S: Subject>(
    ctx: PortCtx,
    Path(params): Path<HashMap<String, String>>,
    Json(body): Json<NoteBody>,
) -> Result<Response> {
    let parent = ids(&params, "id")?;
    let id = write::create::<S>(&ctx, parent, &body.content).await?;
    let location = format!(
        "/api/v1/ports/{}/{}/{parent}/notes/{id}",
        ctx.port.slug,
        S::SEGMENT
    );
    let note = one::<S>(&ctx, parent, id).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(note),
    )
        .into_response())
}

pub async fn update<S: Subject>(
    ctx: PortCtx,
    Path(params): Path<HashMap<String, String>>,
    Json(body): Json<NoteBody>,
) -> Result<axum::Json<Value>> {
    let (parent, id) = (ids(&params, "id")?, ids(&params, "note_id")?);
    write::edit::<S>(&ctx, parent, id, &body.content).await?;
    Ok(axum::Json(one::<S>(&ctx, parent, id).await?))
}

pub async fn delete<S: Subject>(
    ctx: PortCtx,
    Path(params): Path<HashMap<String, String>>,
) -> Result<StatusCode> {
    let (parent, id) = (ids(&params, "id")?, ids(&params, "note_id")?);
    write::delete::<S>(&ctx, parent, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
