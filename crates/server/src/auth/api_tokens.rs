//! A user's API tokens: named, for one port, shown once, stored hashed.
//!
//! Every route here takes a [`SessionUser`]: a token acts for its port's data
//! and nothing more, so it can neither mint further tokens (which would outlive
//! its own revocation) nor list or revoke its user's other tokens. Managing the
//! account is done signed in through the pages, or with the session cookie.

use super::SessionUser;
use super::tokens;
use crate::access::{self, Access, Routes};
use crate::app::AppState;
use crate::audit::{self, Action, Actor, Entry};
use crate::http::checked::{Checked, problems};
use crate::http::cursor::{List, PageQuery};
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub fn routes(routes: Routes) -> Routes {
    routes
        .post("/api/v1/me/tokens", Access::SignedIn, create)
        .get("/api/v1/me/tokens", Access::SignedIn, list)
        .get("/api/v1/me/tokens/{id}", Access::SignedIn, show)
        .delete("/api/v1/me/tokens/{id}", Access::SignedIn, revoke)
}

/// Characters of the token kept in clear to recognise it in a list.
const PREFIX_LEN: usize = 8;
const MAX_NAME: usize = 100;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
    /// The port's slug.
    pub port: String,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A token as its owner sees it in the list: never the secret.
#[derive(Debug, Serialize)]
pub struct TokenOut {
    pub id: Uuid,
    pub name: String,
    pub port_id: Uuid,
    /// The port's slug.
    pub port: String,
    pub token_prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The answer to creating a token: the only time the secret is shown.
#[derive(Debug, Serialize)]
pub struct Created {
    #[serde(flatten)]
    pub info: TokenOut,
    pub token: String,
}

/// Creates a token for `user` at a port of theirs; used by the API and the page.
pub async fn issue(state: &AppState, user: &super::CurrentUser, new: &NewToken) -> Result<Created> {
    let name = new.name.trim();
    let mut wrong = Vec::new();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        wrong.push((
            "name".to_owned(),
            format!("must be 1 to {MAX_NAME} characters"),
        ));
    }
    if new.expires_at.is_some_and(|at| at <= Utc::now()) {
        wrong.push(("expires_at".to_owned(), "must be in the future".to_owned()));
    }
    // A port the user cannot open does not exist for them.
    let port = access::ports_of(state, user)
        .await?
        .into_iter()
        .find(|p| p.slug == new.port.trim())
        .ok_or(Error::NotFound)?;
    problems(wrong)?;

    let (token, hash) = tokens::generate();
    let prefix: String = token.chars().take(PREFIX_LEN).collect();
    let mut tx = state.db.begin_port(port.id).await?;
    let row = sqlx::query!(
        "INSERT INTO api_tokens (user_id, port_id, name, token_hash, token_prefix, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, created_at",
        user.id,
        port.id,
        name,
        hash,
        prefix,
        new.expires_at
    )
    .fetch_one(&mut *tx)
    .await?;
    let mut entry = Entry::new(Some(port.id), Action::Create, "api_token", Some(row.id));
    entry.new = Some(serde_json::json!({"name": name, "token_prefix": prefix}));
    audit::record(&mut tx, &Actor::from(user), entry).await?;
    tx.commit().await?;
    Ok(Created {
        info: TokenOut {
            id: row.id,
            name: name.to_owned(),
            port_id: port.id,
            port: port.slug,
            token_prefix: prefix,
            created_at: row.created_at,
            last_used_at: None,
            expires_at: new.expires_at,
            revoked_at: None,
        },
        token,
    })
}

/// `POST /api/v1/me/tokens` → 201 with the token, shown this once.
async fn create(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
    Checked(new): Checked<NewToken>,
) -> Result<Response> {
    let created = issue(&state, &user, &new).await?;
    let location = format!("/api/v1/me/tokens/{}", created.info.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(created),
    )
        .into_response())
}

/// The user's tokens, newest first; `after` continues a page.
pub async fn of_user(
    state: &AppState,
    user_id: &str,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<TokenOut>> {
    let (after_at, after_id) = after.unzip();
    Ok(sqlx::query_as!(
        TokenOut,
        r#"SELECT t.id, t.name, t.port_id, p.slug AS port, t.token_prefix, t.created_at,
                  t.last_used_at, t.expires_at, t.revoked_at
           FROM api_tokens t JOIN ports p ON p.id = t.port_id
           WHERE t.user_id = $1
             AND ($2::timestamptz IS NULL OR (t.created_at, t.id) < ($2, $3))
           ORDER BY t.created_at DESC, t.id DESC
           LIMIT $4"#,
        user_id,
        after_at,
        after_id,
        limit
    )
    .fetch_all(state.db.pool())
    .await?)
}

/// `GET /api/v1/me/tokens`
async fn list(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
    Query(page): Query<PageQuery>,
) -> Result<Json<List<TokenOut>>> {
    let limit = page.limit()?;
    let rows = of_user(&state, &user.id, page.after()?, limit + 1).await?;
    Ok(Json(List::page(rows, limit, |t| (t.created_at, t.id))))
}

/// `GET /api/v1/me/tokens/{id}`: another user's token answers 404.
async fn show(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
    Path(id): Path<Uuid>,
) -> Result<Json<TokenOut>> {
    sqlx::query_as!(
        TokenOut,
        r#"SELECT t.id, t.name, t.port_id, p.slug AS port, t.token_prefix, t.created_at,
                  t.last_used_at, t.expires_at, t.revoked_at
           FROM api_tokens t JOIN ports p ON p.id = t.port_id
           WHERE t.id = $1 AND t.user_id = $2"#,
        id,
        user.id
    )
    .fetch_optional(state.db.pool())
    .await?
    .map(Json)
    .ok_or(Error::NotFound)
}

/// Revokes one of `user_id`'s tokens; `false` when it is not theirs. Revoking
/// twice changes nothing.
pub async fn revoke_one(state: &AppState, user: &super::CurrentUser, id: Uuid) -> Result<bool> {
    let Some(port_id) = sqlx::query_scalar!(
        "SELECT port_id FROM api_tokens WHERE id = $1 AND user_id = $2",
        id,
        user.id
    )
    .fetch_optional(state.db.pool())
    .await?
    else {
        return Ok(false);
    };
    let mut tx = state.db.begin_port(port_id).await?;
    let revoked = sqlx::query_scalar!(
        "UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING revoked_at",
        id
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(at) = revoked {
        audit::record_update(
            &mut tx,
            &Actor::from(user),
            Some(port_id),
            "api_token",
            id,
            &serde_json::json!({"revoked_at": null}),
            &serde_json::json!({"revoked_at": at}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// `DELETE /api/v1/me/tokens/{id}`: revokes it; another user's answers 404.
async fn revoke(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
    Path(id): Path<Uuid>,
) -> Result<StatusCode> {
    if revoke_one(&state, &user, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound)
    }
}
