//! A user's own sessions: list them, end one. Only from a browser session:
//! an API token may not see or end its user's sessions.

use super::SessionUser;
use super::session::{self, Summary};
use crate::app::AppState;
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use uuid::Uuid;

#[derive(Serialize)]
pub struct List {
    data: Vec<Summary>,
    next_cursor: Option<String>,
}

/// `GET /api/v1/me/sessions`
pub async fn list(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
) -> Result<Json<List>> {
    let current = user.session().map(|s| s.id).unwrap_or_default();
    Ok(Json(List {
        data: session::list(state.db.pool(), &user.id, current).await?,
        next_cursor: None,
    }))
}

/// `DELETE /api/v1/me/sessions/{id}`: another user's session answers 404.
pub async fn revoke(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
    Path(id): Path<Uuid>,
) -> Result<StatusCode> {
    if session::revoke(state.db.pool(), &user.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound)
    }
}
