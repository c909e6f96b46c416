//! The admin's side: invite, list pending invitations, revoke one.

use super::{VALID_FOR, mail, role};
use crate::access::PortCtx;
use crate::audit::{self, Action, Actor, Entry};
use crate::auth::{tokens, verifications};
use crate::http::extract::Json;
use crate::http::{Error, Result};
use crate::users::normalise_email;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    pub email: String,
    /// A role's name or id.
    pub role: String,
}

/// An invitation as the API shows it; the token never leaves in a response.
#[derive(Debug, Serialize)]
pub struct Invitation {
    pub id: Uuid,
    pub email: String,
    pub port_id: Uuid,
    pub role_id: Uuid,
    pub role: String,
    pub invited_by: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// `POST /api/v1/ports/{port}/invitations`
pub async fn create(
    ctx: PortCtx,
    headers: HeaderMap,
    Json(body): Json<NewInvitation>,
) -> Result<impl IntoResponse> {
    let invitation = invite(&ctx, &headers, &body.email, &body.role).await?;
    let location = format!(
        "/api/v1/ports/{}/invitations/{}",
        ctx.port.slug, invitation.id
    );
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(invitation),
    ))
}

/// Invites `email` to the request's port with `role` (a name or an id): the
/// one place invitations are made, for the API and the members page alike.
pub async fn invite(
    ctx: &PortCtx,
    headers: &HeaderMap,
    email: &str,
    role: &str,
) -> Result<Invitation> {
    let email = normalise_email(email).map_err(|e| Error::invalid("email", e))?;
    let mut tx = ctx.begin().await?;
    let role = role::find(&mut tx, ctx.port.id, role)
        .await?
        .ok_or_else(|| {
            Error::invalid(
                "role",
                format!("no role `{}` can be held at this port", role.trim()),
            )
        })?;
    role::check_grantable(ctx, &role)?;

    let member = sqlx::query_scalar!(
        r#"SELECT EXISTS (
             SELECT 1 FROM users u JOIN user_profiles p ON p.user_id = u.id
             WHERE u.email = $1
               AND (p.is_super_admin OR EXISTS (
                    SELECT 1 FROM user_port_roles upr WHERE upr.user_id = u.id AND upr.port_id = $2))
           ) AS "member!""#,
        email.clone() as _,
        ctx.port.id
    )
    .fetch_one(&mut *tx)
    .await?;
    if member {
        return Err(Error::Conflict(format!(
            "{email} is already a member of {}.",
            ctx.port.name
        )));
    }

    // A newer invitation replaces a pending one for the same address and port.
    let replaced = sqlx::query_scalar!(
        "UPDATE verifications SET revoked_at = now()
         WHERE purpose = 'invitation' AND port_id = $1 AND identifier = $2
           AND used_at IS NULL AND revoked_at IS NULL
         RETURNING id",
        ctx.port.id,
        email
    )
    .fetch_all(&mut *tx)
    .await?;

    let (token, hash) = tokens::generate();
    let expires_at = Utc::now() + VALID_FOR;
    let row = sqlx::query!(
        "INSERT INTO verifications (identifier, purpose, token_hash, port_id, role_id, invited_by, expires_at, ip_address)
         VALUES ($1, 'invitation', $2, $3, $4, $5, $6, $7)
         RETURNING id, created_at",
        email,
        hash,
        ctx.port.id,
        role.id,
        ctx.user.id,
        expires_at,
        ctx.user.origin.ip,
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(crate::http::error::on_constraint(
        "idx_verifications_pending_invitation",
        "Another invitation for this address was sent at the same moment.",
    ))?;

    let link = crate::mail::link(
        &ctx.state().config,
        headers,
        &format!("/invitations/{token}"),
    );
    let message = mail::Invitation {
        to: &email,
        inviter: &ctx.user.name,
        port: &ctx.port.name,
        role: &role.name,
        link: &link,
        expires_at,
    }
    .message()?;
    crate::mail::queue(&mut tx, message).await?;

    let mut entry = Entry::new(
        Some(ctx.port.id),
        Action::Create,
        "invitation",
        Some(row.id),
    );
    entry.new = Some(json!({"email": email, "role": role.name, "expires_at": expires_at}));
    entry.metadata = json!({"replaced": replaced});
    audit::record(&mut tx, &Actor::from(ctx), entry).await?;
    tx.commit().await?;

    Ok(Invitation {
        id: row.id,
        email,
        port_id: ctx.port.id,
        role_id: role.id,
        role: role.name,
        invited_by: Some(ctx.user.id.clone()),
        expires_at,
        created_at: row.created_at,
    })
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct List {
    data: Vec<Invitation>,
    next_cursor: Option<String>,
}

/// `created_at` and `id` of the last row of a page, newest first.
fn parse_cursor(cursor: &str) -> Result<(DateTime<Utc>, Uuid)> {
    let bad = || Error::BadRequest("The cursor is not one this list gave.".into());
    let (at, id) = cursor.split_once('_').ok_or_else(bad)?;
    let micros: i64 = at.parse().map_err(|_| bad())?;
    Ok((
        DateTime::from_timestamp_micros(micros).ok_or_else(bad)?,
        id.parse().map_err(|_| bad())?,
    ))
}

/// `GET /api/v1/ports/{port}/invitations`: the pending ones, newest first.
pub async fn list(ctx: PortCtx, Query(q): Query<ListQuery>) -> Result<axum::Json<List>> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(Error::invalid("limit", "must be between 1 and 200"));
    }
    let after = q.cursor.as_deref().map(parse_cursor).transpose()?;
    let mut tx = ctx.begin().await?;
    let rows = sqlx::query_as!(
        Invitation,
        r#"SELECT v.id, v.identifier AS email, v.port_id AS "port_id!", v.role_id AS "role_id!",
                  r.name AS role, v.invited_by, v.expires_at, v.created_at
           FROM verifications v JOIN roles r ON r.id = v.role_id
           WHERE v.purpose = 'invitation' AND v.port_id = $1
             AND v.used_at IS NULL AND v.revoked_at IS NULL AND v.expires_at > now()
             AND ($2::timestamptz IS NULL OR (v.created_at, v.id) < ($2, $3))
           ORDER BY v.created_at DESC, v.id DESC
           LIMIT $4"#,
        ctx.port.id,
        after.map(|(at, _)| at),
        after.map(|(_, id)| id).unwrap_or_default(),
        limit + 1
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut data = rows;
    let next_cursor = if data.len() as i64 > limit {
        data.truncate(limit as usize);
        data.last()
            .map(|last| format!("{}_{}", last.created_at.timestamp_micros(), last.id))
    } else {
        None
    };
    Ok(axum::Json(List { data, next_cursor }))
}

/// `DELETE /api/v1/ports/{port}/invitations/{id}`: the link stops working.
pub async fn revoke(ctx: PortCtx, Path((_, id)): Path<(String, Uuid)>) -> Result<StatusCode> {
    let mut tx = ctx.begin().await?;
    let revoked = sqlx::query!(
        "UPDATE verifications SET revoked_at = now()
         WHERE id = $1 AND port_id = $2 AND purpose = $3 AND used_at IS NULL AND revoked_at IS NULL
         RETURNING identifier",
        id,
        ctx.port.id,
        verifications::INVITATION
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(Error::NotFound)?;
    let mut entry = Entry::new(Some(ctx.port.id), Action::Delete, "invitation", Some(id));
    entry.old = Some(json!({"email": revoked.identifier}));
    audit::record(&mut tx, &Actor::from(&ctx), entry).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
