//! The JSON API of a user's own notifications.

use super::store::{self, Filter, Notification};
use super::{query, scope};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::http::cursor::{List, PageQuery};
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    /// Only the unread ones.
    unread: Option<bool>,
    /// One port, by slug; all of the user's ports without it.
    port: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// `GET /api/v1/notifications`: newest first, keyset paged.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Json<List<Notification>>> {
    let q: ListQuery = query(raw)?;
    let paging = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    };
    let limit = paging.limit()?;
    let filter = Filter {
        unread_only: q.unread.unwrap_or(false),
        after: paging.after()?,
    };
    let ports = scope(&state, &user, q.port.as_deref()).await?;
    Ok(Json(
        store::page(&state.db, &user.id, &ports, filter, limit).await?,
    ))
}

/// `POST /api/v1/notifications/{id}/read`: another user's notification is 404.
pub async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<Uuid>,
) -> Result<Json<Notification>> {
    let ports = scope(&state, &user, None).await?;
    store::mark_read(&state.db, &user.id, &ports, id)
        .await?
        .map(Json)
        .ok_or(Error::NotFound)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PortQuery {
    port: Option<String>,
}

#[derive(Serialize)]
pub struct Marked {
    updated: u64,
}

/// `POST /api/v1/notifications/read-all` (`?port=` for one port).
pub async fn read_all(
    State(state): State<AppState>,
    user: CurrentUser,
    RawQuery(raw): RawQuery,
) -> Result<Json<Marked>> {
    let q: PortQuery = query(raw)?;
    let ports = scope(&state, &user, q.port.as_deref()).await?;
    let updated = store::mark_all_read(&state.db, &user.id, &ports).await?;
    Ok(Json(Marked { updated }))
}
