//! A user's choice, per port and kind, of in-app and e-mail notifications.
//!
//! Without a row both are on. The list answers every kind at every port of the
//! user, so a settings page can draw the whole grid from it.

use super::Kind;
use super::ports_in_scope;
use crate::app::AppState;
use crate::audit::{self, Actor};
use crate::auth::CurrentUser;
use crate::db::{Db, act_for_port};
use crate::http::extract::Json;
use crate::http::{Error, Result};
use crate::ports::Port;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
pub struct Preference {
    /// The port's slug.
    pub port: String,
    pub notification_type: String,
    pub in_app: bool,
    pub email: bool,
}

#[derive(Serialize)]
pub struct List {
    data: Vec<Preference>,
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub port: String,
    pub notification_type: String,
    pub in_app: bool,
    pub email: bool,
}

/// `GET /api/v1/me/notification-preferences`
pub async fn get(State(state): State<AppState>, user: CurrentUser) -> Result<axum::Json<List>> {
    let ports = ports_in_scope(&state, &user, None).await?;
    Ok(axum::Json(List {
        data: read(&state.db, &user.id, &ports).await?,
        next_cursor: None,
    }))
}

/// `PUT /api/v1/me/notification-preferences`: sets the listed (port, kind)
/// pairs, leaves the others as they are, and answers the whole list. An
/// unknown kind is 422 naming it; a port that is not the user's is 404.
pub async fn put(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(changes): Json<Vec<Change>>,
) -> Result<axum::Json<List>> {
    Ok(axum::Json(List {
        data: apply(&state, &user, &changes).await?,
        next_cursor: None,
    }))
}

/// Sets the listed (port, kind) pairs for `user`, audited, and answers the
/// whole list: the one writer for the API and the preferences page.
pub async fn apply(
    state: &AppState,
    user: &CurrentUser,
    changes: &[Change],
) -> Result<Vec<Preference>> {
    let unknown: Vec<String> = changes
        .iter()
        .filter(|c| Kind::parse(&c.notification_type).is_none())
        .map(|c| format!("`{}` is not a notification type", c.notification_type))
        .collect();
    if !unknown.is_empty() {
        let mut errors = crate::http::error::FieldErrors::new();
        errors.insert("notification_type".into(), unknown);
        return Err(Error::Unprocessable(errors));
    }
    let ports = ports_in_scope(state, user, None).await?;
    let by_slug: HashMap<&str, &Port> = ports.iter().map(|p| (p.slug.as_str(), p)).collect();
    if changes
        .iter()
        .any(|c| !by_slug.contains_key(c.port.as_str()))
    {
        return Err(Error::NotFound);
    }

    let actor = Actor::from(user);
    let mut tx = state.db.pool().begin().await?;
    for change in changes {
        let port = by_slug[change.port.as_str()];
        act_for_port(&mut tx, port.id).await?;
        let before = sqlx::query!(
            "SELECT in_app, email FROM user_notification_preferences
             WHERE user_id = $1 AND port_id = $2 AND notification_type = $3",
            user.id,
            port.id,
            change.notification_type
        )
        .fetch_optional(&mut *tx)
        .await?;
        let id = sqlx::query_scalar!(
            "INSERT INTO user_notification_preferences (user_id, port_id, notification_type, in_app, email)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (user_id, port_id, notification_type)
             DO UPDATE SET in_app = EXCLUDED.in_app, email = EXCLUDED.email
             RETURNING id",
            user.id,
            port.id,
            change.notification_type,
            change.in_app,
            change.email
        )
        .fetch_one(&mut *tx)
        .await?;
        let (old_in_app, old_email) = before.map_or((true, true), |b| (b.in_app, b.email));
        audit::record_update(
            &mut tx,
            &actor,
            Some(port.id),
            "user_notification_preferences",
            id,
            &json!({"notification_type": change.notification_type, "in_app": old_in_app, "email": old_email}),
            &json!({"notification_type": change.notification_type, "in_app": change.in_app, "email": change.email}),
        )
        .await?;
    }
    tx.commit().await?;
    read(&state.db, &user.id, &ports).await
}

/// Every kind at every one of `ports`, stored choices over the defaults.
pub async fn read(db: &Db, user_id: &str, ports: &[Port]) -> Result<Vec<Preference>> {
    let mut out = Vec::with_capacity(ports.len() * Kind::ALL.len());
    // Port-scoped rows: one query per port, acting for it (see `store`).
    let mut tx = db.pool().begin().await?;
    for port in ports {
        act_for_port(&mut tx, port.id).await?;
        let stored: HashMap<String, (bool, bool)> = sqlx::query!(
            "SELECT notification_type, in_app, email FROM user_notification_preferences
             WHERE user_id = $1 AND port_id = $2",
            user_id,
            port.id
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|r| (r.notification_type, (r.in_app, r.email)))
        .collect();
        out.extend(Kind::ALL.into_iter().map(|kind| {
            let (in_app, email) = stored.get(kind.as_str()).copied().unwrap_or((true, true));
            Preference {
                port: port.slug.clone(),
                notification_type: kind.as_str().to_owned(),
                in_app,
                email,
            }
        }));
    }
    tx.commit().await?;
    Ok(out)
}
