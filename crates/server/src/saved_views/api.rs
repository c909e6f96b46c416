//! `…/{port}/saved-views`: list (own and shared), create, change, delete.
//! Only the owner changes or deletes a view: another member sees a shared one
//! (403 on a change) and never sees a private one (404).

use super::{ENTITY_TYPES, SavedView};
use crate::access::PortCtx;
use crate::audit::{self, Action, Actor, Entry};
use crate::db::PortTx;
use crate::http::checked::{Checked, nullable};
use crate::http::cursor::List;
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

const MAX_NAME: usize = 100;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewView {
    pub entity_type: String,
    pub name: String,
    #[serde(default)]
    pub filters: Option<Value>,
    #[serde(default)]
    pub sort_config: Option<Value>,
    #[serde(default)]
    pub column_config: Option<Value>,
    #[serde(default)]
    pub is_shared: bool,
    #[serde(default)]
    pub is_default: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    name: Option<String>,
    filters: Option<Value>,
    #[serde(default, deserialize_with = "nullable")]
    sort_config: Option<Option<Value>>,
    #[serde(default, deserialize_with = "nullable")]
    column_config: Option<Option<Value>>,
    is_shared: Option<bool>,
    is_default: Option<bool>,
}

fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", "must not be empty"));
    }
    if name.chars().count() > MAX_NAME {
        return Err(Error::invalid(
            "name",
            format!("must be at most {MAX_NAME} characters"),
        ));
    }
    Ok(name.to_owned())
}

fn check_filters(filters: Value) -> Result<Value> {
    if filters.is_object() {
        Ok(filters)
    } else {
        Err(Error::invalid("filters", "must be an object"))
    }
}

async fn find(tx: &mut PortTx, id: Uuid) -> Result<Option<SavedView>> {
    Ok(sqlx::query_as!(
        SavedView,
        "SELECT id, port_id, user_id, entity_type, name, filters, sort_config, column_config,
                is_shared, is_default, created_at, updated_at
         FROM saved_views WHERE id = $1",
        id
    )
    .fetch_optional(&mut **tx)
    .await?)
}

/// The view `id` for a change by `user_id`: 404 when they cannot see it,
/// 403 when it is someone else's shared view.
async fn own(tx: &mut PortTx, user_id: &str, id: &str) -> Result<SavedView> {
    let id = Uuid::parse_str(id).map_err(|_| Error::NotFound)?;
    let view = find(tx, id).await?.ok_or(Error::NotFound)?;
    if view.user_id == user_id {
        Ok(view)
    } else if view.is_shared {
        Err(Error::Forbidden)
    } else {
        Err(Error::NotFound)
    }
}

/// The user's own views and those shared with the port, for one list or all.
pub async fn visible(
    tx: &mut PortTx,
    user_id: &str,
    entity_type: Option<&str>,
) -> Result<Vec<SavedView>> {
    Ok(sqlx::query_as!(
        SavedView,
        "SELECT id, port_id, user_id, entity_type, name, filters, sort_config, column_config,
                is_shared, is_default, created_at, updated_at
         FROM saved_views
         WHERE (user_id = $1 OR is_shared) AND ($2::text IS NULL OR entity_type = $2)
         ORDER BY entity_type, lower(name), id",
        user_id,
        entity_type
    )
    .fetch_all(&mut **tx)
    .await?)
}

/// The user's default view of `entity_type`, if they set one.
pub async fn default_for(
    tx: &mut PortTx,
    user_id: &str,
    entity_type: &str,
) -> Result<Option<SavedView>> {
    Ok(sqlx::query_as!(
        SavedView,
        "SELECT id, port_id, user_id, entity_type, name, filters, sort_config, column_config,
                is_shared, is_default, created_at, updated_at
         FROM saved_views WHERE user_id = $1 AND entity_type = $2 AND is_default",
        user_id,
        entity_type
    )
    .fetch_optional(&mut **tx)
    .await?)
}

/// Makes room for a new default: the user's other default of the list stops
/// being one, in the caller's transaction.
async fn unset_default(tx: &mut PortTx, user_id: &str, entity_type: &str) -> Result<()> {
    sqlx::query!(
        "UPDATE saved_views SET is_default = false
         WHERE user_id = $1 AND entity_type = $2 AND is_default",
        user_id,
        entity_type
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Creates a view for the signed-in user, audited, in `tx`.
pub async fn create(tx: &mut PortTx, ctx: &PortCtx, new: NewView) -> Result<SavedView> {
    let name = check_name(&new.name)?;
    if !ENTITY_TYPES.contains(&new.entity_type.as_str()) {
        return Err(Error::invalid(
            "entity_type",
            format!("must be one of {}", ENTITY_TYPES.join(", ")),
        ));
    }
    let filters = check_filters(
        new.filters
            .unwrap_or_else(|| Value::Object(Default::default())),
    )?;
    if new.is_default {
        unset_default(tx, &ctx.user.id, &new.entity_type).await?;
    }
    let view = sqlx::query_as!(
        SavedView,
        "INSERT INTO saved_views (user_id, entity_type, name, filters, sort_config, column_config, is_shared, is_default)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         RETURNING id, port_id, user_id, entity_type, name, filters, sort_config, column_config,
                   is_shared, is_default, created_at, updated_at",
        ctx.user.id,
        new.entity_type,
        name,
        filters,
        new.sort_config,
        new.column_config,
        new.is_shared,
        new.is_default
    )
    .fetch_one(&mut **tx)
    .await?;
    let mut entry = Entry::new(
        Some(ctx.port.id),
        Action::Create,
        "saved_view",
        Some(view.id),
    );
    entry.new = Some(serde_json::to_value(&view).map_err(anyhow::Error::new)?);
    audit::record(tx, &Actor::from(ctx), entry).await?;
    Ok(view)
}

#[derive(Debug, Deserialize)]
pub struct IndexQuery {
    entity_type: Option<String>,
}

pub async fn index(ctx: PortCtx, Query(q): Query<IndexQuery>) -> Result<Json<List<SavedView>>> {
    let mut tx = ctx.begin().await?;
    let entity = q.entity_type.as_deref().filter(|e| !e.is_empty());
    let views = visible(&mut tx, &ctx.user.id, entity).await?;
    tx.commit().await?;
    Ok(Json(List::whole(views)))
}

pub async fn show(ctx: PortCtx, Path((_, id)): Path<(String, String)>) -> Result<Json<SavedView>> {
    let id = Uuid::parse_str(&id).map_err(|_| Error::NotFound)?;
    let mut tx = ctx.begin().await?;
    let view = find(&mut tx, id)
        .await?
        .filter(|v| v.user_id == ctx.user.id || v.is_shared)
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(Json(view))
}

pub async fn create_api(ctx: PortCtx, Checked(new): Checked<NewView>) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let view = create(&mut tx, &ctx, new).await?;
    tx.commit().await?;
    let location = format!("/api/v1/ports/{}/saved-views/{}", ctx.port.slug, view.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(view),
    )
        .into_response())
}

pub async fn update(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    Checked(change): Checked<Change>,
) -> Result<Json<SavedView>> {
    let mut tx = ctx.begin().await?;
    let old = own(&mut tx, &ctx.user.id, &id).await?;
    let view = apply(&mut tx, &ctx, old, change).await?;
    tx.commit().await?;
    Ok(Json(view))
}

/// Changes the user's own view `old`, audited; a new default unsets the
/// user's other default of the same list in the same transaction.
async fn apply(
    tx: &mut PortTx,
    ctx: &PortCtx,
    old: SavedView,
    change: Change,
) -> Result<SavedView> {
    let name = match &change.name {
        Some(n) => check_name(n)?,
        None => old.name.clone(),
    };
    let filters = match change.filters {
        Some(f) => check_filters(f)?,
        None => old.filters.clone(),
    };
    let is_default = change.is_default.unwrap_or(old.is_default);
    if is_default && !old.is_default {
        unset_default(tx, &ctx.user.id, &old.entity_type).await?;
    }
    let view = sqlx::query_as!(
        SavedView,
        "UPDATE saved_views SET name = $2, filters = $3, sort_config = $4, column_config = $5,
                is_shared = $6, is_default = $7
         WHERE id = $1
         RETURNING id, port_id, user_id, entity_type, name, filters, sort_config, column_config,
                   is_shared, is_default, created_at, updated_at",
        old.id,
        name,
        filters,
        change
            .sort_config
            .unwrap_or_else(|| old.sort_config.clone()),
        change
            .column_config
            .unwrap_or_else(|| old.column_config.clone()),
        change.is_shared.unwrap_or(old.is_shared),
        is_default
    )
    .fetch_one(&mut **tx)
    .await?;
    let as_json = |v: &SavedView| serde_json::to_value(v).map_err(anyhow::Error::new);
    audit::record_update(
        tx,
        &Actor::from(ctx),
        Some(ctx.port.id),
        "saved_view",
        view.id,
        &as_json(&old)?,
        &as_json(&view)?,
    )
    .await?;
    Ok(view)
}

async fn remove(tx: &mut PortTx, ctx: &PortCtx, view: SavedView) -> Result<()> {
    sqlx::query!("DELETE FROM saved_views WHERE id = $1", view.id)
        .execute(&mut **tx)
        .await?;
    let mut entry = Entry::new(
        Some(ctx.port.id),
        Action::Delete,
        "saved_view",
        Some(view.id),
    );
    entry.old = Some(serde_json::to_value(&view).map_err(anyhow::Error::new)?);
    audit::record(tx, &Actor::from(ctx), entry).await?;
    Ok(())
}

/// A list page's buttons on the user's own view: `share`, `unshare`,
/// `default`, `undefault`, `delete`. Returns whether the view still exists.
pub async fn change_own(tx: &mut PortTx, ctx: &PortCtx, id: Uuid, action: &str) -> Result<bool> {
    let old = own(tx, &ctx.user.id, &id.to_string()).await?;
    let mut change = Change::default();
    match action {
        "share" => change.is_shared = Some(true),
        "unshare" => change.is_shared = Some(false),
        "default" => change.is_default = Some(true),
        "undefault" => change.is_default = Some(false),
        "delete" => {
            remove(tx, ctx, old).await?;
            return Ok(false);
        }
        _ => {
            return Err(Error::invalid(
                "action",
                "must be share, unshare, default, undefault or delete",
            ));
        }
    }
    apply(tx, ctx, old, change).await?;
    Ok(true)
}

pub async fn delete(ctx: PortCtx, Path((_, id)): Path<(String, String)>) -> Result<StatusCode> {
    let mut tx = ctx.begin().await?;
    let view = own(&mut tx, &ctx.user.id, &id).await?;
    remove(&mut tx, &ctx, view).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
