//! Signing in and out, and who am I.

use super::extract::{CurrentUser, origin_of};
use super::rate_limit;
use super::session::{self, Origin};
use crate::app::AppState;
use crate::audit::{self, Action, Actor, Entry};
use crate::http::extract::Json;
use crate::http::{Error, Result};
use crate::users::password;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::IntoResponse;
use axum_extra::extract::CookieJar;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use uuid::Uuid;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// A port the user belongs to, with their roles there.
#[derive(Debug, Serialize)]
pub struct Membership {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub roles: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Me {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub is_super_admin: bool,
    pub ports: Vec<Membership>,
}

/// The request's origin as an extractor.
pub struct RequestOrigin(pub Origin);

impl<S: Send + Sync> FromRequestParts<S> for RequestOrigin {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        Ok(RequestOrigin(origin_of(parts)))
    }
}

/// A hash to verify against when the e-mail is unknown, so that an unknown
/// address takes as long as a wrong password and the answer is the same.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        password::hash("decoy password that matches nothing").expect("argon2 hashes")
    })
}

/// Checks credentials, applying the rate limit. Returns the user id.
pub async fn authenticate(
    state: &AppState,
    creds: &Credentials,
    origin: &Origin,
) -> Result<String> {
    let pool = state.db.pool();
    let email = creds.email.trim().to_lowercase();
    let ip = origin.ip.clone().unwrap_or_else(|| "unknown".into());
    rate_limit::check(pool, &email, &ip).await?;
    let account = sqlx::query!(
        r#"SELECT u.id, a.password_hash AS "password_hash!", p.is_active
           FROM users u
           JOIN accounts a ON a.user_id = u.id AND a.provider_id = 'credential' AND a.password_hash IS NOT NULL
           JOIN user_profiles p ON p.user_id = u.id
           WHERE u.email = $1"#,
        email.clone() as _
    )
    .fetch_optional(pool)
    .await?;
    let stored = account
        .as_ref()
        .map(|a| a.password_hash.clone())
        .unwrap_or_else(|| decoy_hash().to_owned());
    let given = creds.password.clone();
    // argon2 takes tens of milliseconds of CPU: keep it off the async workers.
    let matches = tokio::task::spawn_blocking(move || password::verify(&given, &stored))
        .await
        .map_err(|e| Error::Internal(e.into()))?;
    match account {
        Some(a) if matches && a.is_active => {
            rate_limit::record(pool, &email, &ip, true).await?;
            Ok(a.id)
        }
        _ => {
            rate_limit::record(pool, &email, &ip, false).await?;
            Err(Error::Unauthorized)
        }
    }
}

/// Opens a session after a successful sign-in: audited, a fresh session id.
pub async fn open_session(state: &AppState, user_id: &str, origin: &Origin) -> Result<String> {
    let mut tx = state.db.pool().begin().await?;
    sqlx::query!(
        "UPDATE user_profiles SET last_login_at = now() WHERE user_id = $1",
        user_id
    )
    .execute(&mut *tx)
    .await?;
    let entity = Uuid::parse_str(user_id).ok();
    audit::record(
        &mut tx,
        &Actor::user(user_id, origin),
        Entry::new(None, Action::Login, "user", entity),
    )
    .await?;
    tx.commit().await?;
    let (token, _) = session::create(state.db.pool(), user_id, origin).await?;
    Ok(token)
}

/// Whether cookies must be `Secure`: the server is reached over TLS.
pub fn secure_cookies(state: &AppState) -> bool {
    state
        .config
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"))
}

/// `POST /api/v1/auth/login`
pub async fn login(
    State(state): State<AppState>,
    RequestOrigin(origin): RequestOrigin,
    jar: CookieJar,
    Json(creds): Json<Credentials>,
) -> Result<impl IntoResponse> {
    let user_id = authenticate(&state, &creds, &origin).await?;
    let token = open_session(&state, &user_id, &origin).await?;
    let me = me_of(&state, &user_id).await?;
    Ok((
        jar.add(session::cookie(token, secure_cookies(&state))),
        axum::Json(me),
    ))
}

/// Ends the current session (or does nothing for an API token) and audits it.
pub async fn close_session(state: &AppState, user: &CurrentUser) -> Result<()> {
    let mut tx = state.db.pool().begin().await?;
    if let Some(live) = user.session() {
        sqlx::query!(
            "UPDATE sessions SET revoked_at = now() WHERE id = $1",
            live.id
        )
        .execute(&mut *tx)
        .await?;
    }
    let entity = Uuid::parse_str(&user.id).ok();
    audit::record(
        &mut tx,
        &Actor::from(user),
        Entry::new(None, Action::Logout, "user", entity),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// `POST /api/v1/auth/logout`
pub async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
    jar: CookieJar,
) -> Result<impl IntoResponse> {
    close_session(&state, &user).await?;
    Ok((
        jar.add(session::removal(secure_cookies(&state))),
        axum::http::StatusCode::NO_CONTENT,
    ))
}

/// `GET /api/v1/me`
pub async fn me(State(state): State<AppState>, user: CurrentUser) -> Result<axum::Json<Me>> {
    Ok(axum::Json(me_of(&state, &user.id).await?))
}

/// The user and the ports they can open (every active port for a super admin).
pub async fn me_of(state: &AppState, user_id: &str) -> Result<Me> {
    let pool = state.db.pool();
    let user = sqlx::query!(
        r#"SELECT u.id, u.email AS "email: String", p.display_name, p.is_super_admin
           FROM users u JOIN user_profiles p ON p.user_id = u.id WHERE u.id = $1"#,
        user_id
    )
    .fetch_one(pool)
    .await?;
    let ports = sqlx::query!(
        r#"SELECT p.id, p.name, p.slug,
                  coalesce(array_agg(r.name ORDER BY r.name) FILTER (WHERE r.name IS NOT NULL), '{}') AS "roles!"
           FROM ports p
           LEFT JOIN user_port_roles upr ON upr.port_id = p.id AND upr.user_id = $1
           LEFT JOIN roles r ON r.id = upr.role_id
           WHERE p.is_active AND ($2 OR upr.user_id IS NOT NULL)
           GROUP BY p.id ORDER BY p.name"#,
        user_id,
        user.is_super_admin
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|p| Membership { id: p.id, name: p.name, slug: p.slug, roles: p.roles })
    .collect();
    Ok(Me {
        id: user.id,
        email: user.email,
        display_name: user.display_name,
        is_super_admin: user.is_super_admin,
        ports,
    })
}
