//! The admin's side: invite, list pending invitations, revoke one.

use super::{VALID_FOR, mail, role};
use crate::access::PortCtx;
use crate::audit::{self, Action, Actor, Entry};
use crate::auth::{tokens, verifications};
use crate::http::cursor::{List, PageQuery};
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

pub async fn list(
    ctx: PortCtx,
    Query(q): Query<PageQuery>,
) -> Result<axum::Json<List<Invitation>>> {
    let limit = q.limit()?;
    let after: Option<(DateTime<Utc>, Uuid)> = q.after()?;
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
    Ok(axum::Json(List::page(rows, limit, |i| {
        (i.created_at, i.id)
    })))
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
