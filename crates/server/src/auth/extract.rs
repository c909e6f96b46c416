//! Who is asking: the signed-in user, from the session cookie or an API token.
//!
//! `CurrentUser` is the one extractor for identity; the result is cached in the
//! request's extensions, so the access check and the handler share one lookup.

use super::session::{self, Live, Origin};
use super::tokens;
use crate::app::AppState;
use crate::http::{Error, Result};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use std::net::SocketAddr;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub is_super_admin: bool,
    pub via: Via,
    pub origin: Origin,
    /// The theme the user chose in their profile (`light`, `dark`, `system`),
    /// so every page follows them from device to device.
    pub theme: Option<String>,
}

/// How the request proved who it is.
#[derive(Debug, Clone)]
pub enum Via {
    Session(Live),
    /// An API token, valid at one port only.
    Token {
        id: Uuid,
        port_id: Uuid,
    },
}

impl CurrentUser {
    /// The session, when signed in through the pages.
    pub fn session(&self) -> Option<&Live> {
        match &self.via {
            Via::Session(live) => Some(live),
            Via::Token { .. } => None,
        }
    }

    /// The session's CSRF token, for a page's forms; empty for a request
    /// made with an API token.
    pub fn csrf_token(&self) -> String {
        self.session()
            .map(|s| s.csrf_token.clone())
            .unwrap_or_default()
    }
}

/// The address and user agent of a request.
pub fn origin_of(parts: &Parts) -> Origin {
    let ip = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip().to_string());
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(400).collect());
    Origin { ip, user_agent }
}

/// The account behind a session or a token.
struct Person {
    id: String,
    email: String,
    name: String,
    is_super_admin: bool,
    theme: Option<String>,
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        let pool = state.db.pool();
        let (person, via) = if let Some(token) = bearer(parts) {
            // The token and its user in one statement: API clients call in
            // bursts, and every round trip before the handler's own query counts.
            let row = sqlx::query!(
                r#"SELECT t.id, t.port_id, t.last_used_at,
                          u.id AS user_id, u.email AS "email: String", p.display_name,
                          p.is_super_admin, p.preferences->>'theme' AS theme
                   FROM api_tokens t
                   JOIN users u ON u.id = t.user_id
                   JOIN user_profiles p ON p.user_id = u.id
                   WHERE t.token_hash = $1 AND t.revoked_at IS NULL
                     AND (t.expires_at IS NULL OR t.expires_at > now()) AND p.is_active"#,
                tokens::hash(token)
            )
            .fetch_optional(pool)
            .await?
            .ok_or(Error::Unauthorized)?;
            // Like sessions, a token records its use at most once a minute:
            // a write per request would make concurrent calls with one token
            // queue on its row lock.
            if row
                .last_used_at
                .is_none_or(|at| at < chrono::Utc::now() - session::TOUCH_EVERY)
            {
                sqlx::query!(
                    "UPDATE api_tokens SET last_used_at = now() WHERE id = $1",
                    row.id
                )
                .execute(pool)
                .await?;
            }
            let person = Person {
                id: row.user_id,
                email: row.email,
                name: row.display_name,
                is_super_admin: row.is_super_admin,
                theme: row.theme,
            };
            let via = Via::Token {
                id: row.id,
                port_id: row.port_id,
            };
            (person, via)
        } else {
            let jar = CookieJar::from_headers(&parts.headers);
            let token = jar
                .get(session::COOKIE)
                .ok_or(Error::Unauthorized)?
                .value()
                .to_owned();
            let live = session::find(pool, &token)
                .await?
                .ok_or(Error::Unauthorized)?;
            let row = sqlx::query!(
                r#"SELECT u.id, u.email AS "email: String", p.display_name, p.is_super_admin,
                          p.preferences->>'theme' AS theme
                   FROM users u JOIN user_profiles p ON p.user_id = u.id
                   WHERE u.id = $1 AND p.is_active"#,
                live.user_id
            )
            .fetch_optional(pool)
            .await?
            .ok_or(Error::Unauthorized)?;
            let person = Person {
                id: row.id,
                email: row.email,
                name: row.display_name,
                is_super_admin: row.is_super_admin,
                theme: row.theme,
            };
            (person, Via::Session(live))
        };
        let user = CurrentUser {
            id: person.id,
            email: person.email,
            name: person.name,
            is_super_admin: person.is_super_admin,
            via,
            origin: origin_of(parts),
            theme: person.theme,
        };
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

/// The signed-in user if there is one; never rejects.
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        match CurrentUser::from_request_parts(parts, state).await {
            Ok(user) => Ok(MaybeUser(Some(user))),
            Err(Error::Unauthorized) => Ok(MaybeUser(None)),
            Err(e) => Err(e),
        }
    }
}

/// The signed-in user, through a browser session only: an API token acts for
/// one port's data, so it may not manage the account itself (its tokens, its
/// sessions, its profile). A token here answers 403.
pub struct SessionUser(pub CurrentUser);

impl FromRequestParts<AppState> for SessionUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        match user.via {
            Via::Session(_) => Ok(SessionUser(user)),
            Via::Token { .. } => Err(Error::Forbidden),
        }
    }
}
