//! `scratchpad_notes`, always filtered by its owner.

use crate::access::permissions_at;
use crate::app::AppState;
use crate::auth::{CurrentUser, Via};
use crate::http::{Error, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct Scratch {
    pub id: Uuid,
    pub user_id: String,
    pub content: String,
    pub linked_client_id: Option<Uuid>,
    pub linked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub const MAX_CONTENT: usize = 10_000;

/// Trimmed, not empty, not huge (422 naming `content`).
pub fn checked(raw: &str) -> Result<String> {
    let content = raw.trim();
    if content.is_empty() {
        return Err(Error::invalid("content", "Write something first."));
    }
    if content.chars().count() > MAX_CONTENT {
        return Err(Error::invalid(
            "content",
            format!("A note holds at most {MAX_CONTENT} characters."),
        ));
    }
    Ok(content.to_owned())
}

/// The user's notes newest first, `limit + 1` after the key; `linked` picks
/// attached (true) or loose (false) notes, `None` both.
pub async fn list(
    pool: &PgPool,
    user: &str,
    linked: Option<bool>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<Scratch>> {
    sqlx::query_as!(
        Scratch,
        "SELECT id, user_id, content, linked_client_id, linked_at, created_at, updated_at
         FROM scratchpad_notes
         WHERE user_id = $1
           AND ($2::bool IS NULL OR (linked_client_id IS NOT NULL) = $2)
           AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))
         ORDER BY created_at DESC, id DESC LIMIT $5",
        user,
        linked,
        after.map(|a| a.0),
        after.map(|a| a.1),
        limit + 1
    )
    .fetch_all(pool)
    .await
}

pub async fn find(pool: &PgPool, user: &str, id: Uuid) -> sqlx::Result<Option<Scratch>> {
    sqlx::query_as!(
        Scratch,
        "SELECT id, user_id, content, linked_client_id, linked_at, created_at, updated_at
         FROM scratchpad_notes WHERE id = $1 AND user_id = $2",
        id,
        user
    )
    .fetch_optional(pool)
    .await
}

pub async fn create(pool: &PgPool, user: &str, content: &str) -> sqlx::Result<Scratch> {
    sqlx::query_as!(
        Scratch,
        "INSERT INTO scratchpad_notes (user_id, content) VALUES ($1, $2)
         RETURNING id, user_id, content, linked_client_id, linked_at, created_at, updated_at",
        user,
        content
    )
    .fetch_one(pool)
    .await
}

pub async fn update(pool: &PgPool, user: &str, id: Uuid, content: &str) -> Result<Scratch> {
    sqlx::query_as!(
        Scratch,
        "UPDATE scratchpad_notes SET content = $3 WHERE id = $1 AND user_id = $2
         RETURNING id, user_id, content, linked_client_id, linked_at, created_at, updated_at",
        id,
        user,
        content
    )
    .fetch_optional(pool)
    .await?
    .ok_or(Error::NotFound)
}

pub async fn delete(pool: &PgPool, user: &str, id: Uuid) -> Result<()> {
    let gone = sqlx::query!(
        "DELETE FROM scratchpad_notes WHERE id = $1 AND user_id = $2",
        id,
        user
    )
    .execute(pool)
    .await?
    .rows_affected();
    if gone == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// Attaches the user's note to `client_id` of the port `slug`, after checking
/// the user may view clients there and the client is that port's: any miss
/// answers 404, so nothing tells another port's clients apart from none.
pub async fn link(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    slug: &str,
    client_id: Uuid,
) -> Result<Scratch> {
    let port = crate::ports::find_active_by_slug(state.db.pool(), slug)
        .await?
        .ok_or(Error::NotFound)?;
    if let Via::Token { port_id, .. } = user.via
        && port_id != port.id
    {
        return Err(Error::NotFound);
    }
    let may_view = permissions_at(state, user, port.id)
        .await?
        .is_some_and(|p| p.contains("clients.view"));
    if !may_view {
        return Err(Error::NotFound);
    }
    let mut tx = state.db.begin_port(port.id).await?;
    let exists = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM clients WHERE id = $1) AS "e!""#,
        client_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if !exists {
        return Err(Error::NotFound);
    }
    let note = sqlx::query_as!(
        Scratch,
        "UPDATE scratchpad_notes SET linked_client_id = $3, linked_at = now()
         WHERE id = $1 AND user_id = $2
         RETURNING id, user_id, content, linked_client_id, linked_at, created_at, updated_at",
        id,
        user.id,
        client_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(note)
}

/// Back to the user's loose notes.
pub async fn unlink(pool: &PgPool, user: &str, id: Uuid) -> Result<Scratch> {
    sqlx::query_as!(
        Scratch,
        "UPDATE scratchpad_notes SET linked_client_id = NULL, linked_at = NULL
         WHERE id = $1 AND user_id = $2
         RETURNING id, user_id, content, linked_client_id, linked_at, created_at, updated_at",
        id,
        user
    )
    .fetch_optional(pool)
    .await?
    .ok_or(Error::NotFound)
}
