//! A port's overrides of a role (`port_role_overrides`): keys granted or taken
//! away at this port only, on top of what the role grants everywhere.

use super::{DIRECTOR, RoleOut, check_grantable, check_keys, one};
use crate::access::PortCtx;
use crate::audit::{self, Actor};
use crate::http::checked::Checked;
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::Path;
use domain::permissions::Grants;
use serde_json::json;
use uuid::Uuid;

/// What a director keeps at every port: without them nobody at the port could
/// manage roles any more, and only a super admin could undo it.
const DIRECTOR_KEEPS: [&str; 2] = ["roles.view", "roles.edit"];

/// Sets the overrides of role `id` at the port of `ctx` to `wanted` (key →
/// granted). Entries equal to what the role grants anyway are dropped, and no
/// entries at all remove the port's override. Audited.
pub async fn set(ctx: &PortCtx, id: Uuid, wanted: &Grants) -> Result<RoleOut> {
    check_keys(wanted, "permission_overrides")?;
    let mut tx = ctx.begin().await?;
    let role = one(&mut tx, ctx.port.id, id).await?;
    let base: std::collections::BTreeSet<&str> =
        role.permissions.iter().map(String::as_str).collect();
    let changes: Grants = wanted
        .iter()
        .filter(|(k, on)| base.contains(k.as_str()) != **on)
        .map(|(k, on)| (k.clone(), *on))
        .collect();
    check_grantable(ctx, &changes, "permission_overrides")?;
    if role.name == DIRECTOR && role.is_system {
        let lost: Vec<&str> = DIRECTOR_KEEPS
            .into_iter()
            .filter(|k| changes.get(*k) == Some(&false))
            .collect();
        if !lost.is_empty() {
            return Err(Error::Conflict(format!(
                "Directors keep {} at every port, so someone can always manage roles.",
                lost.join(" and ")
            )));
        }
    }
    let old = role.permission_overrides.clone();
    if changes.is_empty() {
        sqlx::query!(
            "DELETE FROM port_role_overrides WHERE port_id = $1 AND role_id = $2",
            ctx.port.id,
            id
        )
        .execute(&mut *tx)
        .await?;
    } else {
        let value = serde_json::to_value(&changes).map_err(|e| Error::Internal(e.into()))?;
        sqlx::query!(
            "INSERT INTO port_role_overrides (port_id, role_id, permission_overrides) VALUES ($1, $2, $3)
             ON CONFLICT (port_id, role_id) DO UPDATE SET permission_overrides = EXCLUDED.permission_overrides",
            ctx.port.id,
            id,
            value
        )
        .execute(&mut *tx)
        .await?;
    }
    if old != changes {
        audit::record_update(
            &mut tx,
            &Actor::from(ctx),
            Some(ctx.port.id),
            "role",
            id,
            &json!({"permission_overrides": old}),
            &json!({"permission_overrides": changes}),
        )
        .await?;
    }
    let role = one(&mut tx, ctx.port.id, id).await?;
    tx.commit().await?;
    Ok(role)
}

/// `PUT /api/v1/ports/{port}/roles/{id}/overrides` with `{"key": true|false, …}`:
/// replaces this port's overrides of the role.
pub async fn put(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
    Checked(wanted): Checked<Grants>,
) -> Result<Json<RoleOut>> {
    Ok(Json(set(&ctx, id, &wanted).await?))
}
