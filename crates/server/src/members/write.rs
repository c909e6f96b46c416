//! Changing a member: their roles, their membership, whether they are active.
//!
//! Each change runs in one transaction that first locks the port's row, so two
//! directors demoting each other at the same moment cannot both succeed and
//! leave the port without one.

use super::{MemberOut, member};
use crate::access::PortCtx;
use crate::audit::{self, Action, Actor, Entry};
use crate::auth::session;
use crate::http::checked::Checked;
use crate::http::{Error, Result};
use crate::roles::{DIRECTOR, SUPER_ADMIN};
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use domain::permissions::{self, Grants};
use serde::Deserialize;
use serde_json::json;
use sqlx::PgConnection;
use std::collections::BTreeSet;
use uuid::Uuid;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolesBody {
    pub roles: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    pub is_active: Option<bool>,
}

/// Locks the port's row for the rest of the transaction: member changes at
/// one port happen one after another.
async fn lock_port(conn: &mut PgConnection, port_id: Uuid) -> Result<()> {
    sqlx::query!("SELECT id FROM ports WHERE id = $1 FOR UPDATE", port_id)
        .fetch_one(conn)
        .await?;
    Ok(())
}

/// Active members of the port holding the system `director` role.
async fn directors(conn: &mut PgConnection, port_id: Uuid) -> Result<i64> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(DISTINCT upr.user_id) AS "n!"
           FROM user_port_roles upr
           JOIN roles r ON r.id = upr.role_id AND r.name = $2 AND r.is_system
           JOIN user_profiles p ON p.user_id = upr.user_id AND p.is_active
           WHERE upr.port_id = $1"#,
        port_id,
        DIRECTOR
    )
    .fetch_one(conn)
    .await?)
}

/// 409 when the port had an active director before the change and has none
/// after it. (A port that never had one, being set up, is not blocked.)
async fn keep_a_director(conn: &mut PgConnection, port_id: Uuid, before: i64) -> Result<()> {
    if before > 0 && directors(conn, port_id).await? == 0 {
        return Err(Error::Conflict(
            "This would leave the port without an active director; make someone else director first."
                .into(),
        ));
    }
    Ok(())
}

fn entity(user_id: &str) -> Option<Uuid> {
    Uuid::parse_str(user_id).ok()
}

fn roles_problem(message: String) -> Error {
    Error::invalid("roles", message)
}

/// Gives the member exactly `wanted` roles at the port; used by the API and page.
pub async fn set_roles(ctx: &PortCtx, user_id: &str, wanted: &[String]) -> Result<MemberOut> {
    let wanted: BTreeSet<String> = wanted.iter().map(|r| r.trim().to_owned()).collect();
    if wanted.is_empty() {
        return Err(roles_problem(
            "give at least one role; to take someone off the port, remove them".into(),
        ));
    }
    if wanted.contains(SUPER_ADMIN) {
        return Err(roles_problem(
            "`super_admin` is not given at a port; super admins are made by another super admin"
                .into(),
        ));
    }
    let mut tx = ctx.begin().await?;
    lock_port(&mut tx, ctx.port.id).await?;
    let old = member(&mut tx, ctx.port.id, user_id).await?;
    let names: Vec<String> = wanted.iter().cloned().collect();
    let found = sqlx::query!(
        r#"SELECT r.id, r.name, r.permissions, o.permission_overrides AS "overrides?"
           FROM roles r LEFT JOIN port_role_overrides o ON o.role_id = r.id AND o.port_id = $2
           WHERE r.is_global AND r.name = ANY($1)"#,
        &names,
        ctx.port.id
    )
    .fetch_all(&mut *tx)
    .await?;
    let missing: Vec<String> = wanted
        .iter()
        .filter(|n| !found.iter().any(|f| &f.name == *n))
        .map(|n| format!("`{n}` is not a role"))
        .collect();
    if !missing.is_empty() {
        let mut errors = crate::http::error::FieldErrors::new();
        errors.insert("roles".into(), missing);
        return Err(Error::Unprocessable(errors));
    }
    let had: BTreeSet<String> = old.roles.iter().cloned().collect();
    let director_changes = had.contains(DIRECTOR) != wanted.contains(DIRECTOR);
    if director_changes && !ctx.can("roles.edit") {
        return Err(Error::Forbidden);
    }
    // Nobody hands out a role that grants more than they hold themselves.
    for role in found.iter().filter(|f| !had.contains(&f.name)) {
        let grants: Grants = serde_json::from_value(role.permissions.clone()).unwrap_or_default();
        let overrides: Option<Grants> = role
            .overrides
            .clone()
            .and_then(|o| serde_json::from_value(o).ok());
        let beyond = permissions::effective([(&grants, overrides.as_ref())])
            .into_iter()
            .any(|k| !ctx.can(&k));
        if beyond {
            return Err(roles_problem(format!(
                "`{}` grants permissions you do not hold",
                role.name
            )));
        }
    }

    let before = directors(&mut tx, ctx.port.id).await?;
    let ids: Vec<Uuid> = found.iter().map(|f| f.id).collect();
    sqlx::query!(
        "DELETE FROM user_port_roles WHERE user_id = $1 AND port_id = $2 AND NOT (role_id = ANY($3))",
        user_id,
        ctx.port.id,
        &ids
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO user_port_roles (user_id, port_id, role_id, assigned_by)
         SELECT $1, $2, unnest($3::uuid[]), $4
         ON CONFLICT (user_id, port_id, role_id) DO NOTHING",
        user_id,
        ctx.port.id,
        &ids,
        ctx.user.id
    )
    .execute(&mut *tx)
    .await?;
    keep_a_director(&mut tx, ctx.port.id, before).await?;
    let new = member(&mut tx, ctx.port.id, user_id).await?;
    if let Some(id) = entity(user_id) {
        audit::record_update(
            &mut tx,
            &Actor::from(ctx),
            Some(ctx.port.id),
            "user",
            id,
            &json!({"roles": old.roles}),
            &json!({"roles": new.roles}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(new)
}

/// `PUT /api/v1/ports/{port}/members/{user_id}/roles` with `{"roles": [names]}`.
pub async fn put_roles(
    ctx: PortCtx,
    Path((_, user_id)): Path<(String, String)>,
    Checked(body): Checked<RolesBody>,
) -> Result<Json<MemberOut>> {
    Ok(Json(set_roles(&ctx, &user_id, &body.roles).await?))
}

/// Activates or deactivates a member; deactivation ends all their sessions.
/// Used by the API and the members page.
pub async fn set_active(ctx: &PortCtx, user_id: &str, active: bool) -> Result<MemberOut> {
    let mut tx = ctx.begin().await?;
    lock_port(&mut tx, ctx.port.id).await?;
    let old = member(&mut tx, ctx.port.id, user_id).await?;
    if old.is_active == active {
        tx.commit().await?;
        return Ok(old);
    }
    if old.is_super_admin && !ctx.user.is_super_admin {
        return Err(Error::Forbidden);
    }
    if !active {
        if user_id == ctx.user.id {
            return Err(Error::Conflict("You cannot deactivate yourself.".into()));
        }
        // Deactivation locks the user out of every port: a port's staff decide
        // it only for people who work at that port alone.
        let elsewhere = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM user_port_roles WHERE user_id = $1 AND port_id <> $2) AS "elsewhere!""#,
            user_id,
            ctx.port.id
        )
        .fetch_one(&mut *tx)
        .await?;
        if elsewhere && !ctx.user.is_super_admin {
            return Err(Error::Forbidden);
        }
    }
    let before = directors(&mut tx, ctx.port.id).await?;
    sqlx::query!(
        "UPDATE user_profiles SET is_active = $2 WHERE user_id = $1",
        user_id,
        active
    )
    .execute(&mut *tx)
    .await?;
    if !active {
        session::revoke_all(&mut *tx, user_id).await?;
    }
    keep_a_director(&mut tx, ctx.port.id, before).await?;
    if let Some(id) = entity(user_id) {
        audit::record_update(
            &mut tx,
            &Actor::from(ctx),
            Some(ctx.port.id),
            "user",
            id,
            &json!({"is_active": old.is_active}),
            &json!({"is_active": active}),
        )
        .await?;
    }
    let new = member(&mut tx, ctx.port.id, user_id).await?;
    tx.commit().await?;
    Ok(new)
}

/// `PATCH /api/v1/ports/{port}/members/{user_id}` with `{"is_active": bool}`.
pub async fn patch(
    ctx: PortCtx,
    Path((_, user_id)): Path<(String, String)>,
    Checked(body): Checked<MemberPatch>,
) -> Result<Json<MemberOut>> {
    let out = match body.is_active {
        Some(active) => set_active(&ctx, &user_id, active).await?,
        None => {
            let mut tx = ctx.begin().await?;
            let m = member(&mut tx, ctx.port.id, &user_id).await?;
            tx.commit().await?;
            m
        }
    };
    Ok(Json(out))
}

/// Takes the member off the port: their roles here go, and so do their API
/// tokens for this port. Used by the API and the members page.
pub async fn remove(ctx: &PortCtx, user_id: &str) -> Result<()> {
    let mut tx = ctx.begin().await?;
    lock_port(&mut tx, ctx.port.id).await?;
    let old = member(&mut tx, ctx.port.id, user_id).await?;
    if old.roles.iter().any(|r| r == DIRECTOR) && !ctx.can("roles.edit") {
        return Err(Error::Forbidden);
    }
    let before = directors(&mut tx, ctx.port.id).await?;
    sqlx::query!(
        "DELETE FROM user_port_roles WHERE user_id = $1 AND port_id = $2",
        user_id,
        ctx.port.id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND port_id = $2 AND revoked_at IS NULL",
        user_id,
        ctx.port.id
    )
    .execute(&mut *tx)
    .await?;
    keep_a_director(&mut tx, ctx.port.id, before).await?;
    let mut entry = Entry::new(Some(ctx.port.id), Action::Delete, "member", entity(user_id));
    entry.old = Some(json!({"roles": old.roles, "email": old.email}));
    audit::record(&mut tx, &Actor::from(ctx), entry).await?;
    tx.commit().await?;
    Ok(())
}

/// `DELETE /api/v1/ports/{port}/members/{user_id}`
pub async fn delete(
    ctx: PortCtx,
    Path((_, user_id)): Path<(String, String)>,
) -> Result<StatusCode> {
    remove(&ctx, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
