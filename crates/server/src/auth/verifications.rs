//! One-time tokens for invitations and password resets, in `verifications`.
//!
//! The link carries the token; the table keeps only its SHA-256. A token is
//! claimed with one conditional UPDATE inside the caller's transaction, so two
//! submits racing each other cannot both use it.

use super::tokens;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

pub const INVITATION: &str = "invitation";
pub const PASSWORD_RESET: &str = "password_reset";

/// A stored token, whatever its state.
#[derive(Debug, Clone)]
pub struct Verification {
    pub id: Uuid,
    pub identifier: String,
    pub user_id: Option<String>,
    pub port_id: Option<Uuid>,
    pub role_id: Option<Uuid>,
    pub invited_by: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What a token from a link is worth now.
#[derive(Debug, Clone)]
pub enum Standing {
    /// No such token (mistyped, or never issued).
    Unknown,
    Used(Verification),
    /// Withdrawn, or replaced by a newer token.
    Revoked(Verification),
    Expired(Verification),
    Usable(Verification),
}

/// Looks `token` up for `purpose`, without claiming it.
pub async fn look_up<'e>(
    exec: impl PgExecutor<'e>,
    token: &str,
    purpose: &str,
) -> Result<Standing, sqlx::Error> {
    let found = sqlx::query_as!(
        Verification,
        "SELECT id, identifier, user_id, port_id, role_id, invited_by, expires_at, used_at, revoked_at
         FROM verifications WHERE token_hash = $1 AND purpose = $2",
        tokens::hash(token),
        purpose
    )
    .fetch_optional(exec)
    .await?;
    Ok(match found {
        None => Standing::Unknown,
        Some(v) if v.used_at.is_some() => Standing::Used(v),
        Some(v) if v.revoked_at.is_some() => Standing::Revoked(v),
        Some(v) if v.expires_at <= Utc::now() => Standing::Expired(v),
        Some(v) => Standing::Usable(v),
    })
}

/// Marks `token` used, if it is still usable; `None` otherwise (used, revoked,
/// expired or unknown: the caller looks it up again to say which).
pub async fn claim(
    conn: &mut PgConnection,
    token: &str,
    purpose: &str,
) -> Result<Option<Verification>, sqlx::Error> {
    sqlx::query_as!(
        Verification,
        "UPDATE verifications SET used_at = now()
         WHERE token_hash = $1 AND purpose = $2
           AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
         RETURNING id, identifier, user_id, port_id, role_id, invited_by, expires_at, used_at, revoked_at",
        tokens::hash(token),
        purpose
    )
    .fetch_optional(conn)
    .await
}
