//! Browser sessions: a random token in an HttpOnly cookie, its hash in
//! `sessions`, an idle and an absolute expiry.

use super::tokens;
use crate::http::Result;
use axum_extra::extract::cookie::{Cookie, SameSite};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

pub const COOKIE: &str = "nimara_session";
/// A session unused this long ends.
pub const IDLE: Duration = Duration::days(7);
/// No session lives longer than this, used or not.
pub const ABSOLUTE: Duration = Duration::days(30);
/// `last_seen_at` is written at most this often, not on every request.
pub const TOUCH_EVERY: Duration = Duration::minutes(1);

/// Where a request came from, for sessions and the audit log.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A live session, as the extractor finds it.
#[derive(Debug, Clone)]
pub struct Live {
    pub id: Uuid,
    pub user_id: String,
    pub csrf_token: String,
}

/// Opens a session for `user_id`; returns the cookie's token and the session.
pub async fn create(pool: &PgPool, user_id: &str, origin: &Origin) -> Result<(String, Live)> {
    let (token, hash) = tokens::generate();
    let csrf = tokens::csrf();
    let now = Utc::now();
    let id = sqlx::query_scalar!(
        "INSERT INTO sessions (user_id, token_hash, ip_address, user_agent, csrf_token, expires_at, idle_expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        user_id,
        hash,
        origin.ip,
        origin.user_agent,
        csrf,
        now + ABSOLUTE,
        now + IDLE,
    )
    .fetch_one(pool)
    .await?;
    Ok((
        token,
        Live {
            id,
            user_id: user_id.to_owned(),
            csrf_token: csrf,
        },
    ))
}

/// The live session behind `token`: not revoked, not expired either way, its
/// user active. Extends the idle expiry while it is used.
pub async fn find(pool: &PgPool, token: &str) -> Result<Option<Live>> {
    let row = sqlx::query!(
        r#"SELECT s.id, s.user_id, s.csrf_token AS "csrf_token!", s.last_seen_at
           FROM sessions s JOIN user_profiles p ON p.user_id = s.user_id
           WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
             AND s.idle_expires_at > now() AND p.is_active"#,
        tokens::hash(token)
    )
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if row.last_seen_at < Utc::now() - TOUCH_EVERY {
        sqlx::query!(
            "UPDATE sessions SET last_seen_at = now(), idle_expires_at = least(now() + make_interval(secs => $2), expires_at)
             WHERE id = $1",
            row.id,
            IDLE.num_seconds() as f64
        )
        .execute(pool)
        .await?;
    }
    Ok(Some(Live {
        id: row.id,
        user_id: row.user_id,
        csrf_token: row.csrf_token,
    }))
}

/// Ends one session of `user_id`; false when it was not theirs or not live.
pub async fn revoke(pool: &PgPool, user_id: &str, id: Uuid) -> Result<bool> {
    let done = sqlx::query!(
        "UPDATE sessions SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
        id,
        user_id
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends every session of a user (deactivation, password change).
pub async fn revoke_all<'e>(exec: impl sqlx::PgExecutor<'e>, user_id: &str) -> Result<u64> {
    let done = sqlx::query!(
        "UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
        user_id
    )
    .execute(exec)
    .await?;
    Ok(done.rows_affected())
}

/// A session as its owner sees it in the list of their sessions.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub id: Uuid,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub current: bool,
}

pub async fn list(pool: &PgPool, user_id: &str, current: Uuid) -> Result<Vec<Summary>> {
    let rows = sqlx::query!(
        "SELECT id, ip_address, user_agent, created_at, last_seen_at, least(expires_at, idle_expires_at) AS \"expires_at!\"
         FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() AND idle_expires_at > now()
         ORDER BY last_seen_at DESC",
        user_id
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Summary {
            current: r.id == current,
            id: r.id,
            ip_address: r.ip_address,
            user_agent: r.user_agent,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            expires_at: r.expires_at,
        })
        .collect())
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure when served over TLS.
pub fn cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(time_duration(ABSOLUTE))
        .build()
}

/// The cookie that clears the session cookie.
pub fn removal(secure: bool) -> Cookie<'static> {
    let mut c = cookie(String::new(), secure);
    c.make_removal();
    c
}

fn time_duration(d: Duration) -> cookie::time::Duration {
    cookie::time::Duration::seconds(d.num_seconds())
}
