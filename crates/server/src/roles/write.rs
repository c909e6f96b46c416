//! Creating, changing and deleting custom roles. System roles follow the
//! catalogue in code (`access::seed`): they are changed per port with
//! overrides, never edited or deleted.

use super::{PermissionsIn, RoleOut, check_grantable, one};
use crate::access::PortCtx;
use crate::audit::{self, Action, Actor, Entry};
use crate::http::checked::{Checked, nullable, problems};
use crate::http::error::on_constraint;
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::permissions::Grants;
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::PgConnection;
use uuid::Uuid;

const MAX_NAME: usize = 60;
const MAX_DESCRIPTION: usize = 500;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRole {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub permissions: PermissionsIn,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolePatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    pub permissions: Option<PermissionsIn>,
}

fn name_problem(name: &str) -> Option<(String, String)> {
    (name.is_empty() || name.chars().count() > MAX_NAME).then(|| {
        (
            "name".to_owned(),
            format!("must be 1 to {MAX_NAME} characters"),
        )
    })
}

fn description_problem(d: Option<&str>) -> Option<(String, String)> {
    d.filter(|d| d.chars().count() > MAX_DESCRIPTION).map(|_| {
        (
            "description".to_owned(),
            format!("must be at most {MAX_DESCRIPTION} characters"),
        )
    })
}

fn clean(d: Option<&str>) -> Option<String> {
    d.map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
}

/// 409 when another role already has `name` (in any letter case).
async fn name_free(conn: &mut PgConnection, name: &str, except: Option<Uuid>) -> Result<()> {
    let taken = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM roles WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2) AS "taken!""#,
        name,
        except
    )
    .fetch_one(conn)
    .await?;
    if taken {
        Err(Error::Conflict(format!(
            "A role named `{name}` exists already."
        )))
    } else {
        Ok(())
    }
}

fn stored(grants: &Grants) -> Value {
    Value::Object(
        grants
            .iter()
            .filter(|(_, on)| **on)
            .map(|(k, _)| (k.clone(), Value::Bool(true)))
            .collect(),
    )
}

/// Creates a custom role; used by the API and the roles page.
pub async fn create_role(ctx: &PortCtx, new: &NewRole) -> Result<RoleOut> {
    let name = new.name.trim();
    let description = clean(new.description.as_deref());
    problems(
        name_problem(name)
            .into_iter()
            .chain(description_problem(description.as_deref())),
    )?;
    let grants = new.permissions.grants("permissions")?;
    check_grantable(ctx, &grants, "permissions")?;

    let mut tx = ctx.begin().await?;
    name_free(&mut tx, name, None).await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO roles (name, description, permissions, is_global, is_system)
         VALUES ($1, $2, $3, true, false) RETURNING id",
        name,
        description,
        stored(&grants)
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(on_constraint(
        "idx_roles_name",
        "A role with this name exists already.",
    ))?;
    let role = one(&mut tx, ctx.port.id, id).await?;
    let mut entry = Entry::new(Some(ctx.port.id), Action::Create, "role", Some(id));
    entry.new = Some(
        json!({"name": role.name, "description": role.description, "permissions": role.permissions}),
    );
    audit::record(&mut tx, &Actor::from(ctx), entry).await?;
    tx.commit().await?;
    Ok(role)
}

/// `POST /api/v1/ports/{port}/roles` → 201 with the role.
pub async fn create(ctx: PortCtx, Checked(new): Checked<NewRole>) -> Result<Response> {
    let role = create_role(&ctx, &new).await?;
    let location = format!("/api/v1/ports/{}/roles/{}", ctx.port.slug, role.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(role),
    )
        .into_response())
}

/// 409 for a custom role a user holds at another port, unless a super admin
/// asks: a port's director changes only what their own port's members may do.
async fn only_here(conn: &mut PgConnection, ctx: &PortCtx, id: Uuid) -> Result<()> {
    if ctx.user.is_super_admin {
        return Ok(());
    }
    let elsewhere = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM user_port_roles WHERE role_id = $1 AND port_id <> $2) AS "elsewhere!""#,
        id,
        ctx.port.id
    )
    .fetch_one(conn)
    .await?;
    if elsewhere {
        Err(Error::Conflict(
            "This role is also used at other ports, so only a super admin can change it; \
             change what it grants here with this port's overrides."
                .into(),
        ))
    } else {
        Ok(())
    }
}

/// `PATCH /api/v1/ports/{port}/roles/{id}`: a custom role's name, description
/// or permissions. A system role answers 409.
pub async fn update(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
    Checked(patch): Checked<RolePatch>,
) -> Result<Json<RoleOut>> {
    let mut tx = ctx.begin().await?;
    let old = one(&mut tx, ctx.port.id, id).await?;
    if old.is_system {
        return Err(Error::Conflict(format!(
            "`{}` is a system role: what it grants follows the permission catalogue. \
             Change it at this port with overrides (PUT /api/v1/ports/{}/roles/{}/overrides).",
            old.name, ctx.port.slug, old.id
        )));
    }
    let name = patch.name.as_deref().map(str::trim);
    let description = patch.description.as_ref().map(|d| clean(d.as_deref()));
    problems(
        name.and_then(name_problem).into_iter().chain(
            description
                .as_ref()
                .and_then(|d| description_problem(d.as_deref())),
        ),
    )?;
    let grants = match &patch.permissions {
        Some(p) => {
            let g = p.grants("permissions")?;
            check_grantable(&ctx, &g, "permissions")?;
            Some(g)
        }
        None => None,
    };
    only_here(&mut tx, &ctx, id).await?;
    if let Some(name) = name {
        name_free(&mut tx, name, Some(id)).await?;
    }
    let old_json =
        json!({"name": old.name, "description": old.description, "permissions": old.permissions});
    sqlx::query!(
        "UPDATE roles SET name = coalesce($2, name),
                          description = CASE WHEN $3 THEN $4 ELSE description END,
                          permissions = coalesce($5, permissions)
         WHERE id = $1",
        id,
        name,
        description.is_some(),
        description.clone().flatten(),
        grants.as_ref().map(stored)
    )
    .execute(&mut *tx)
    .await
    .map_err(on_constraint(
        "idx_roles_name",
        "A role with this name exists already.",
    ))?;
    let role = one(&mut tx, ctx.port.id, id).await?;
    let new_json = json!({"name": role.name, "description": role.description, "permissions": role.permissions});
    audit::record_update(
        &mut tx,
        &Actor::from(&ctx),
        Some(ctx.port.id),
        "role",
        id,
        &old_json,
        &new_json,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(role))
}

/// Deletes a custom role nobody holds; used by the API and the roles page.
pub async fn delete_role(ctx: &PortCtx, id: Uuid) -> Result<()> {
    let mut tx = ctx.begin().await?;
    let old = one(&mut tx, ctx.port.id, id).await?;
    if old.is_system {
        return Err(Error::Conflict(format!(
            "`{}` is a system role and cannot be deleted.",
            old.name
        )));
    }
    let holders = sqlx::query_scalar!(
        r#"SELECT count(DISTINCT user_id) AS "n!" FROM user_port_roles WHERE role_id = $1"#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    if holders > 0 {
        return Err(Error::Conflict(format!(
            "`{}` is still held by {holders} member{}; give them another role first.",
            old.name,
            if holders == 1 { "" } else { "s" }
        )));
    }
    sqlx::query!("DELETE FROM roles WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    let mut entry = Entry::new(Some(ctx.port.id), Action::Delete, "role", Some(id));
    entry.old = Some(
        json!({"name": old.name, "description": old.description, "permissions": old.permissions}),
    );
    audit::record(&mut tx, &Actor::from(ctx), entry).await?;
    tx.commit().await?;
    Ok(())
}

/// `DELETE /api/v1/ports/{port}/roles/{id}`: a system role, or one still held, answers 409.
pub async fn delete(ctx: PortCtx, Path((_, id)): Path<(String, Uuid)>) -> Result<StatusCode> {
    delete_role(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
