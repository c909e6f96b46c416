//! Roles at a port: the system roles and custom roles, what each grants, and
//! the port's overrides on top (`port_role_overrides`).
//!
//! Custom roles are global rows of `roles`, offered at every port, because the
//! spec gives roles no port. So that a port's director cannot change what
//! another port's members may do, a custom role in use at another port is
//! changed only by a super admin; each port tunes any role for itself with
//! overrides instead.
//!
//! The `super_admin` role is not offered at a port: being a super admin is a
//! flag of the user's profile, not a role one is given somewhere.

mod overrides;
mod page;
mod write;

use crate::access::{Access, PortCtx, Routes};
use crate::http::cursor::List;
use crate::http::{Error, Result};
use axum::Json;
use chrono::{DateTime, Utc};
use domain::permissions::{self, Grants, SYSTEM_ROLES};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use std::collections::BTreeMap;
use uuid::Uuid;

pub const SUPER_ADMIN: &str = "super_admin";
pub const DIRECTOR: &str = "director";

pub fn routes(routes: Routes) -> Routes {
    let routes = routes
        .get(
            "/api/v1/ports/{port}/roles",
            Access::Port("roles.view"),
            list,
        )
        .post(
            "/api/v1/ports/{port}/roles",
            Access::Port("roles.create"),
            write::create,
        )
        .patch(
            "/api/v1/ports/{port}/roles/{id}",
            Access::Port("roles.edit"),
            write::update,
        )
        .delete(
            "/api/v1/ports/{port}/roles/{id}",
            Access::Port("roles.delete"),
            write::delete,
        )
        .put(
            "/api/v1/ports/{port}/roles/{id}/overrides",
            Access::Port("roles.edit"),
            overrides::put,
        );
    page::routes(routes)
}

/// A role as seen at one port.
#[derive(Debug, Clone, Serialize)]
pub struct RoleOut {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub is_system: bool,
    pub is_global: bool,
    /// The keys the role itself grants.
    pub permissions: Vec<String>,
    /// This port's changes to the role: key → granted.
    pub permission_overrides: Grants,
    /// What the role grants at this port: its keys with the overrides on top.
    pub effective: Vec<String>,
    /// Members holding the role at this port.
    pub members: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Permission keys as a list (`["clients.view"]`) or a map (`{"clients.view": true}`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum PermissionsIn {
    List(Vec<String>),
    Map(BTreeMap<String, bool>),
}

impl PermissionsIn {
    /// The granted keys; unknown keys answer 422 naming each under `field`.
    pub fn grants(&self, field: &str) -> Result<Grants> {
        let grants: Grants = match self {
            PermissionsIn::List(keys) => keys.iter().map(|k| (k.clone(), true)).collect(),
            PermissionsIn::Map(map) => map.clone(),
        };
        check_keys(&grants, field)?;
        Ok(grants.into_iter().filter(|(_, on)| *on).collect())
    }
}

/// 422 naming every key of `grants` that is not in the catalogue.
pub fn check_keys(grants: &Grants, field: &str) -> Result<()> {
    let unknown = permissions::unknown(grants.keys().map(String::as_str));
    if unknown.is_empty() {
        return Ok(());
    }
    let mut errors = crate::http::error::FieldErrors::new();
    errors.insert(
        field.to_owned(),
        unknown
            .iter()
            .map(|k| format!("`{k}` is not a permission"))
            .collect(),
    );
    Err(Error::Unprocessable(errors))
}

/// 422 unless the acting user holds every key `grants` turns on: nobody hands
/// out more than they have (super admins have everything).
pub fn check_grantable(ctx: &PortCtx, grants: &Grants, field: &str) -> Result<()> {
    let beyond: Vec<String> = grants
        .iter()
        .filter(|(k, on)| **on && !ctx.can(k))
        .map(|(k, _)| format!("`{k}` is not yours to grant"))
        .collect();
    if beyond.is_empty() {
        return Ok(());
    }
    let mut errors = crate::http::error::FieldErrors::new();
    errors.insert(field.to_owned(), beyond);
    Err(Error::Unprocessable(errors))
}

/// The roles offered at `port_id`: system roles in the catalogue's order, then
/// custom roles by name.
pub async fn at_port(conn: &mut PgConnection, port_id: Uuid) -> Result<Vec<RoleOut>> {
    let rows = sqlx::query!(
        r#"SELECT r.id, r.name, r.description, r.permissions, r.is_system, r.is_global,
                  r.created_at, r.updated_at, o.permission_overrides AS "overrides?",
                  (SELECT count(DISTINCT upr.user_id) FROM user_port_roles upr
                   WHERE upr.role_id = r.id AND upr.port_id = $1) AS "members!"
           FROM roles r
           LEFT JOIN port_role_overrides o ON o.role_id = r.id AND o.port_id = $1
           WHERE r.is_global AND r.name <> $2
           ORDER BY r.name"#,
        port_id,
        SUPER_ADMIN
    )
    .fetch_all(conn)
    .await?;
    let mut roles: Vec<RoleOut> = rows
        .into_iter()
        .map(|r| {
            let grants: Grants = serde_json::from_value(r.permissions).unwrap_or_default();
            let overrides: Grants = r
                .overrides
                .and_then(|o| serde_json::from_value(o).ok())
                .unwrap_or_default();
            let effective = permissions::effective([(&grants, Some(&overrides))]);
            RoleOut {
                id: r.id,
                name: r.name,
                description: r.description,
                is_system: r.is_system,
                is_global: r.is_global,
                permissions: grants
                    .into_iter()
                    .filter(|(_, on)| *on)
                    .map(|(k, _)| k)
                    .collect(),
                permission_overrides: overrides,
                effective: effective.into_iter().collect(),
                members: r.members,
                created_at: r.created_at,
                updated_at: r.updated_at,
            }
        })
        .collect();
    roles.sort_by_key(|r| {
        let rank = SYSTEM_ROLES
            .iter()
            .position(|s| *s == r.name && r.is_system)
            .unwrap_or(SYSTEM_ROLES.len());
        (rank, r.name.to_lowercase())
    });
    Ok(roles)
}

/// One role offered at the port, or 404.
pub async fn one(conn: &mut PgConnection, port_id: Uuid, id: Uuid) -> Result<RoleOut> {
    at_port(conn, port_id)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(Error::NotFound)
}

/// `GET /api/v1/ports/{port}/roles`
async fn list(ctx: PortCtx) -> Result<Json<List<RoleOut>>> {
    let mut tx = ctx.begin().await?;
    let roles = at_port(&mut tx, ctx.port.id).await?;
    tx.commit().await?;
    Ok(Json(List::whole(roles)))
}
