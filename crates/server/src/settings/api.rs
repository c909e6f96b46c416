//! `/api/v1/ports/{port}/settings`: the settings in force at a port, and
//! changing one (audited). An installation-wide setting is read at any port
//! but changed only by a super admin, since it changes every port.

use super::{Entry, Scope, Source, catalogue, current, find};
use crate::access::{Access, PortCtx, Routes};
use crate::audit::{self, Action, Actor};
use crate::http::cursor::List;
use crate::http::extract::Json;
use crate::http::{Error, Result};
use axum::extract::Path;
use serde::Serialize;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

pub fn routes(routes: Routes) -> Routes {
    let routes = routes
        .get(
            "/api/v1/ports/{port}/settings",
            Access::Port("settings.view"),
            list,
        )
        .get(
            "/api/v1/ports/{port}/settings/{key}",
            Access::Port("settings.view"),
            show,
        )
        .put(
            "/api/v1/ports/{port}/settings/{key}",
            Access::Port("settings.edit"),
            put,
        );
    super::page::routes(routes)
}

#[derive(Debug, Serialize)]
pub struct SettingOut {
    pub key: &'static str,
    pub scope: Scope,
    pub value: Value,
    /// Where the value comes from: this port, the installation, or the default.
    pub source: Source,
}

async fn out(conn: &mut PgConnection, entry: &Entry, port_id: Uuid) -> Result<SettingOut> {
    let (value, source) = current(conn, entry, port_id).await?;
    Ok(SettingOut {
        key: entry.key,
        scope: entry.scope,
        value,
        source,
    })
}

/// `GET /api/v1/ports/{port}/settings`
async fn list(ctx: PortCtx) -> Result<axum::Json<List<SettingOut>>> {
    let mut tx = ctx.begin().await?;
    let mut data = Vec::new();
    for entry in catalogue() {
        data.push(out(&mut tx, &entry, ctx.port.id).await?);
    }
    tx.commit().await?;
    Ok(axum::Json(List::whole(data)))
}

/// `GET /api/v1/ports/{port}/settings/{key}`; an unknown key answers 404.
async fn show(
    ctx: PortCtx,
    Path((_, key)): Path<(String, String)>,
) -> Result<axum::Json<SettingOut>> {
    let entry = find(&key).ok_or(Error::NotFound)?;
    let mut tx = ctx.begin().await?;
    let setting = out(&mut tx, &entry, ctx.port.id).await?;
    tx.commit().await?;
    Ok(axum::Json(setting))
}

/// Stores `value` (already parsed) for `entry` at the port of `ctx` or, for an
/// installation-wide setting, for everyone; audited. Used by the API and pages.
pub async fn store(ctx: &PortCtx, entry: &Entry, value: Value) -> Result<SettingOut> {
    let actor = Actor::from(ctx);
    let port_id = match entry.scope {
        Scope::Port => Some(ctx.port.id),
        Scope::Global if ctx.user.is_super_admin => None,
        Scope::Global => return Err(Error::Forbidden),
    };
    // A global row is written outside any port: row-level security lets a
    // transaction without a port write only port_id NULL rows.
    let mut tx = match port_id {
        Some(id) => ctx.state().db.begin_port(id).await?,
        None => ctx.state().db.pool().begin().await?,
    };
    let old = sqlx::query_scalar!(
        "SELECT value FROM system_settings WHERE key = $1 AND port_id IS NOT DISTINCT FROM $2 FOR UPDATE",
        entry.key,
        port_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO system_settings (key, value, port_id, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key, port_id) DO UPDATE
           SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by, updated_at = now()
         RETURNING id",
        entry.key,
        value,
        port_id,
        ctx.user.id
    )
    .fetch_one(&mut *tx)
    .await?;
    if old.as_ref() != Some(&value) {
        let mut e = audit::Entry::new(port_id, Action::Update, "setting", Some(id));
        e.field = Some(entry.key);
        e.old = Some(old.unwrap_or(Value::Null));
        e.new = Some(value.clone());
        audit::record(&mut tx, &actor, e).await?;
    }
    tx.commit().await?;
    Ok(SettingOut {
        key: entry.key,
        scope: entry.scope,
        value,
        source: if port_id.is_some() {
            Source::Port
        } else {
            Source::Global
        },
    })
}

/// `PUT /api/v1/ports/{port}/settings/{key}` with the whole value as the body;
/// a value that does not fit answers 422 naming the field.
async fn put(
    ctx: PortCtx,
    Path((_, key)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Result<axum::Json<SettingOut>> {
    let entry = find(&key).ok_or(Error::NotFound)?;
    let value = (entry.parse)(body)?;
    Ok(axum::Json(store(&ctx, &entry, value).await?))
}
