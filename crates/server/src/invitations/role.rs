//! Which role an invitation may grant, and who may grant it.

use crate::access::PortCtx;
use crate::http::{Error, Result};
use domain::permissions::{self, Grants};
use sqlx::PgConnection;
use std::collections::BTreeSet;
use uuid::Uuid;

/// A role that can be held at one port.
#[derive(Debug, Clone)]
pub struct PortRole {
    pub id: Uuid,
    pub name: String,
    /// What the role grants at this port (its keys with the port's overrides).
    pub grants: BTreeSet<String>,
}

/// The role named `key` (a name or an id) that can be held at `port_id`: a
/// global role, or a custom one the port has taken on (it has overrides there).
pub async fn find(conn: &mut PgConnection, port_id: Uuid, key: &str) -> Result<Option<PortRole>> {
    let key = key.trim();
    let row = sqlx::query!(
        r#"SELECT r.id, r.name, r.permissions, o.permission_overrides AS "overrides?"
           FROM roles r
           LEFT JOIN port_role_overrides o ON o.role_id = r.id AND o.port_id = $2
           WHERE (r.id::text = $1 OR r.name = $1) AND (r.is_global OR o.id IS NOT NULL)"#,
        key,
        port_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| {
        let grants: Grants = serde_json::from_value(r.permissions).unwrap_or_default();
        let overrides: Option<Grants> = r.overrides.and_then(|o| serde_json::from_value(o).ok());
        PortRole {
            id: r.id,
            name: r.name,
            grants: permissions::effective([(&grants, overrides.as_ref())]),
        }
    }))
}

/// Whether the inviter may hand out `role`: never super_admin (that is no
/// port role; super admins are made on the command line); director only by
/// someone who edits roles; and no one without `roles.edit` may grant a
/// permission they do not hold themselves.
pub fn check_grantable(ctx: &PortCtx, role: &PortRole) -> Result<()> {
    if role.name == "super_admin" {
        return Err(Error::invalid(
            "role",
            "super_admin cannot be granted by invitation",
        ));
    }
    if ctx.can("roles.edit") {
        return Ok(());
    }
    if role.name == "director" || !role.grants.is_subset(&ctx.permissions) {
        return Err(Error::Forbidden);
    }
    Ok(())
}
