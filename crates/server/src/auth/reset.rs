//! Password reset: "forgot password" mails a single-use link valid for an
//! hour; following it sets a new password, ends every session of the user and
//! signs them in afresh.
//!
//! The request never reveals whether an account exists: the answer is the
//! same, and the database work is the same (a token row is written either
//! way; only a real, active account gets the mail). Requests are limited per
//! e-mail and per address, counted over those rows.

use super::session::{self, Origin};
use super::tokens;
use super::verifications::{self, PASSWORD_RESET, Standing};
use crate::app::AppState;
use crate::audit::{self, Action, Actor, Entry};
use crate::http::extract::Json;
use crate::http::{Error, Result};
use crate::users::{normalise_email, password};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::json;

/// A reset link lives this long.
pub const VALID_FOR: Duration = Duration::hours(1);
/// Requests counted over this window…
pub const WINDOW: Duration = Duration::hours(1);
/// …at most this many for one e-mail address…
pub const MAX_PER_EMAIL: i64 = 3;
/// …and this many from one network address.
pub const MAX_PER_ADDRESS: i64 = 10;

#[derive(Template)]
#[template(path = "mail/password_reset.txt")]
struct MailText<'a> {
    name: &'a str,
    link: &'a str,
    expires: &'a str,
}

#[derive(Template)]
#[template(path = "mail/password_reset.html")]
struct MailHtml<'a> {
    name: &'a str,
    link: &'a str,
    expires: &'a str,
}

/// Handles a "forgot password" request for `raw_email`: 422 naming `email`
/// when it is not an address, 429 when over the limit, else done — whether
/// or not the address has an account.
pub async fn request(
    state: &AppState,
    headers: &HeaderMap,
    origin: &Origin,
    raw_email: &str,
) -> Result<()> {
    let email = normalise_email(raw_email).map_err(|e| Error::invalid("email", e))?;
    let ip = origin.ip.clone().unwrap_or_else(|| "unknown".into());
    let mut tx = state.db.pool().begin().await?;
    let counts = sqlx::query!(
        r#"SELECT
             (SELECT count(*) FROM verifications WHERE purpose = 'password_reset' AND identifier = $1 AND created_at > $3) AS "by_email!",
             (SELECT count(*) FROM verifications WHERE purpose = 'password_reset' AND ip_address = $2 AND created_at > $3) AS "by_ip!",
             (SELECT min(created_at) FROM verifications WHERE purpose = 'password_reset'
                 AND (identifier = $1 OR ip_address = $2) AND created_at > $3) AS oldest"#,
        email,
        ip,
        Utc::now() - WINDOW
    )
    .fetch_one(&mut *tx)
    .await?;
    if counts.by_email >= MAX_PER_EMAIL || counts.by_ip >= MAX_PER_ADDRESS {
        let oldest = counts.oldest.unwrap_or_else(Utc::now);
        let wait = (oldest + WINDOW - Utc::now()).num_seconds().max(1) as u64;
        return Err(Error::TooManyRequests {
            retry_after_secs: wait,
        });
    }
    let account = sqlx::query!(
        r#"SELECT u.id, p.display_name FROM users u JOIN user_profiles p ON p.user_id = u.id
           WHERE u.email = $1 AND p.is_active"#,
        email.clone() as _
    )
    .fetch_optional(&mut *tx)
    .await?;
    // Only the newest link works: the ones before it are withdrawn.
    sqlx::query!(
        "UPDATE verifications SET revoked_at = now()
         WHERE purpose = 'password_reset' AND identifier = $1 AND used_at IS NULL AND revoked_at IS NULL",
        email
    )
    .execute(&mut *tx)
    .await?;
    let (token, hash) = tokens::generate();
    let expires_at = Utc::now() + VALID_FOR;
    sqlx::query!(
        "INSERT INTO verifications (identifier, purpose, token_hash, user_id, expires_at, ip_address)
         VALUES ($1, 'password_reset', $2, $3, $4, $5)",
        email,
        hash,
        account.as_ref().map(|a| a.id.clone()),
        expires_at,
        ip
    )
    .execute(&mut *tx)
    .await?;
    if let Some(account) = &account {
        let link = crate::mail::link(&state.config, headers, &format!("/reset-password/{token}"));
        let expires = crate::mail::when(expires_at);
        let (name, link) = (account.display_name.as_str(), link.as_str());
        let message = crate::mail::compose(
            &email,
            "Reset your Nimara CRM password",
            &MailText {
                name,
                link,
                expires: &expires,
            },
            &MailHtml {
                name,
                link,
                expires: &expires,
            },
        )?;
        crate::mail::queue(&mut tx, message).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Why a new password was not set.
pub enum Refused {
    /// The link does not work (unknown, used, withdrawn, expired).
    Link(Standing),
    /// The new password, by field.
    Fields(crate::http::error::FieldErrors),
}

/// Sets the password of the user behind `token`, in one transaction: the
/// token is spent, the hash replaced, every session ended, the change audited.
/// Returns the user's id.
pub async fn perform(
    state: &AppState,
    origin: &Origin,
    token: &str,
    new_password: &str,
    confirm: &str,
) -> Result<std::result::Result<String, Refused>> {
    let pool = state.db.pool();
    match verifications::look_up(pool, token, PASSWORD_RESET).await? {
        Standing::Usable(v) if v.user_id.is_some() => {}
        // A row written for an address without an account is never mailed;
        // its token cannot be known, but refuse it all the same.
        Standing::Usable(_) => return Ok(Err(Refused::Link(Standing::Unknown))),
        other => return Ok(Err(Refused::Link(other))),
    }
    let errors = password::check_new(new_password, confirm);
    if !errors.is_empty() {
        return Ok(Err(Refused::Fields(errors)));
    }
    let given = new_password.to_owned();
    let hash = tokio::task::spawn_blocking(move || password::hash(&given))
        .await
        .map_err(|e| Error::Internal(e.into()))??;

    let mut tx = pool.begin().await?;
    let Some(v) = verifications::claim(&mut tx, token, PASSWORD_RESET).await? else {
        drop(tx);
        return Ok(Err(Refused::Link(
            verifications::look_up(pool, token, PASSWORD_RESET).await?,
        )));
    };
    let user_id = v.user_id.ok_or(Error::NotFound)?;
    let updated = sqlx::query!(
        "UPDATE accounts SET password_hash = $2 WHERE user_id = $1 AND provider_id = 'credential'",
        user_id,
        hash
    )
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        sqlx::query!(
            "INSERT INTO accounts (user_id, provider_id, account_id, password_hash) VALUES ($1, 'credential', $1, $2)",
            user_id,
            hash
        )
        .execute(&mut *tx)
        .await?;
    }
    let ended = session::revoke_all(&mut *tx, &user_id).await?;
    let mut entry = Entry::new(
        None,
        Action::Update,
        "user",
        uuid::Uuid::parse_str(&user_id).ok(),
    );
    // No values: a password hash has no place in the log.
    entry.metadata =
        json!({"password_reset": true, "verification_id": v.id, "sessions_ended": ended});
    audit::record(&mut tx, &Actor::user(&user_id, origin), entry).await?;
    tx.commit().await?;
    Ok(Ok(user_id))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForgotBody {
    pub email: String,
}

/// `POST /api/v1/auth/forgot-password` → 202 whether or not the address has an account.
pub async fn api_forgot(
    State(state): State<AppState>,
    super::login::RequestOrigin(origin): super::login::RequestOrigin,
    headers: HeaderMap,
    Json(body): Json<ForgotBody>,
) -> Result<StatusCode> {
    request(&state, &headers, &origin, &body.email).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetBody {
    pub token: String,
    pub password: String,
}

/// `POST /api/v1/auth/reset-password` → 204; a link that does not work is a
/// 422 naming `token`, a short password one naming `password`.
pub async fn api_reset(
    State(state): State<AppState>,
    super::login::RequestOrigin(origin): super::login::RequestOrigin,
    Json(body): Json<ResetBody>,
) -> Result<StatusCode> {
    match perform(&state, &origin, &body.token, &body.password, &body.password).await? {
        Ok(_) => Ok(StatusCode::NO_CONTENT),
        Err(Refused::Fields(errors)) => Err(Error::Unprocessable(errors)),
        Err(Refused::Link(standing)) => Err(Error::invalid(
            "token",
            match standing {
                Standing::Used(_) => "this reset token has already been used",
                Standing::Revoked(_) => "this reset token was replaced by a newer one",
                Standing::Expired(_) => "this reset token has expired",
                _ => "no reset token is like this one",
            },
        )),
    }
}
