//! The port's tag catalogue over the API; the settings page calls the same
//! functions, so both refuse the same names and colours with the same words.

use super::DEFAULT_COLOR;
use crate::access::PortCtx;
use crate::audit::{self, Action, Actor, Entry};
use crate::http::checked::{Checked, problems};
use crate::http::cursor::{List, PageQuery};
use crate::http::error::on_constraint;
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::{Path, Query};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

pub const MAX_NAME: usize = 50;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TagOut {
    pub id: Uuid,
    pub name: String,
    pub color: String,
    pub created_at: DateTime<Utc>,
}

/// How many records of each kind carry a tag.
#[derive(Debug, Clone, Serialize)]
pub struct Usage {
    pub client: i64,
    pub interest: i64,
    pub berth: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct TagUsage {
    #[serde(flatten)]
    pub tag: TagOut,
    pub usage: Usage,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTag {
    pub name: String,
    #[serde(default)]
    pub color: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagPatch {
    pub name: Option<String>,
    pub color: Option<String>,
}

fn name_problem(name: &str) -> Option<(String, String)> {
    (name.is_empty() || name.chars().count() > MAX_NAME).then(|| {
        (
            "name".to_owned(),
            format!("must be 1 to {MAX_NAME} characters"),
        )
    })
}

/// `#RRGGBB`, stored upper-case so the same colour is one value.
pub fn color_of(raw: &str) -> std::result::Result<String, (String, String)> {
    let c = raw.trim();
    let ok = c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|h| h.is_ascii_hexdigit());
    if ok {
        Ok(c.to_ascii_uppercase())
    } else {
        Err((
            "color".to_owned(),
            "must be a colour as #RRGGBB, such as #2563EB".to_owned(),
        ))
    }
}

/// 409 when another tag of the port has `name` in any letter case.
async fn name_free(conn: &mut PgConnection, name: &str, except: Option<Uuid>) -> Result<()> {
    let taken = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM tags WHERE lower(name) = lower($1) AND id IS DISTINCT FROM $2) AS "taken!""#,
        name,
        except
    )
    .fetch_one(conn)
    .await?;
    if taken {
        Err(Error::Conflict(format!(
            "A tag named “{name}” exists already."
        )))
    } else {
        Ok(())
    }
}

const TAKEN: &str = "A tag with this name exists already.";

/// One tag of the port (another port's is not found).
pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<TagOut> {
    sqlx::query_as!(
        TagOut,
        "SELECT id, name, color, created_at FROM tags WHERE id = $1",
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound)
}

/// The port's tags by name with their usage counts, in one query; `after`
/// continues after the tag `(name, id)` (compared in lower case, as sorted).
pub async fn with_usage(
    conn: &mut PgConnection,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> Result<Vec<TagUsage>> {
    let (after_name, after_id) = after.unzip();
    let rows = sqlx::query!(
        r#"SELECT t.id, t.name, t.color, t.created_at,
                  (SELECT count(*) FROM client_tags x WHERE x.tag_id = t.id) AS "clients!",
                  (SELECT count(*) FROM interest_tags x WHERE x.tag_id = t.id) AS "interests!",
                  (SELECT count(*) FROM berth_tags x WHERE x.tag_id = t.id) AS "berths!"
           FROM tags t
           WHERE $1::text IS NULL OR (lower(t.name), t.id) > (lower($1), $2)
           ORDER BY lower(t.name), t.id
           LIMIT $3"#,
        after_name,
        after_id,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| TagUsage {
            tag: TagOut {
                id: r.id,
                name: r.name,
                color: r.color,
                created_at: r.created_at,
            },
            usage: Usage {
                client: r.clients,
                interest: r.interests,
                berth: r.berths,
            },
        })
        .collect())
}

/// Every tag of the port by name (the panel's choices).
pub async fn all(conn: &mut PgConnection) -> Result<Vec<TagOut>> {
    Ok(sqlx::query_as!(
        TagOut,
        "SELECT id, name, color, created_at FROM tags ORDER BY lower(name), id"
    )
    .fetch_all(conn)
    .await?)
}

fn json_of(t: &TagOut) -> serde_json::Value {
    json!({"name": t.name, "color": t.color})
}

pub async fn create_tag(ctx: &PortCtx, new: &NewTag) -> Result<TagOut> {
    let name = new.name.trim();
    let color = new.color.as_deref().map(color_of).transpose();
    problems(name_problem(name).into_iter().chain(color.clone().err()))?;
    let color = color
        .ok()
        .flatten()
        .unwrap_or_else(|| DEFAULT_COLOR.to_owned());
    let mut tx = ctx.begin().await?;
    name_free(&mut tx, name, None).await?;
    let tag = sqlx::query_as!(
        TagOut,
        "INSERT INTO tags (name, color) VALUES ($1, $2) RETURNING id, name, color, created_at",
        name,
        color
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(on_constraint("idx_tags_port_lower_name", TAKEN))?;
    let mut entry = Entry::new(Some(ctx.port.id), Action::Create, "tag", Some(tag.id));
    entry.new = Some(json_of(&tag));
    audit::record(&mut tx, &Actor::from(ctx), entry).await?;
    tx.commit().await?;
    Ok(tag)
}

pub async fn update_tag(ctx: &PortCtx, id: Uuid, patch: &TagPatch) -> Result<TagOut> {
    let mut tx = ctx.begin().await?;
    let old = find(&mut tx, id).await?;
    let name = patch.name.as_deref().map(str::trim);
    let color = patch.color.as_deref().map(color_of).transpose();
    problems(
        name.and_then(name_problem)
            .into_iter()
            .chain(color.clone().err()),
    )?;
    let name = name.unwrap_or(&old.name).to_owned();
    let color = color.ok().flatten().unwrap_or_else(|| old.color.clone());
    name_free(&mut tx, &name, Some(id)).await?;
    let tag = sqlx::query_as!(
        TagOut,
        "UPDATE tags SET name = $2, color = $3 WHERE id = $1 RETURNING id, name, color, created_at",
        id,
        name,
        color
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(on_constraint("idx_tags_port_lower_name", TAKEN))?;
    audit::record_update(
        &mut tx,
        &Actor::from(ctx),
        Some(ctx.port.id),
        "tag",
        id,
        &json_of(&old),
        &json_of(&tag),
    )
    .await?;
    tx.commit().await?;
    Ok(tag)
}

/// Deletes a tag; the records carrying it lose it (the foreign keys cascade).
/// The audit entry keeps how many records that was.
pub async fn delete_tag(ctx: &PortCtx, id: Uuid) -> Result<()> {
    let mut tx = ctx.begin().await?;
    let old = find(&mut tx, id).await?;
    let usage = sqlx::query_scalar!(
        r#"SELECT (SELECT count(*) FROM client_tags WHERE tag_id = $1)
                + (SELECT count(*) FROM interest_tags WHERE tag_id = $1)
                + (SELECT count(*) FROM berth_tags WHERE tag_id = $1) AS "n!""#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM tags WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    let mut entry = Entry::new(Some(ctx.port.id), Action::Delete, "tag", Some(id));
    entry.old = Some(json_of(&old));
    entry.metadata = json!({"records_untagged": usage});
    audit::record(&mut tx, &Actor::from(ctx), entry).await?;
    tx.commit().await?;
    Ok(())
}

/// `GET /api/v1/ports/{port}/tags`: by name, with usage counts per entity type.
pub async fn list(ctx: PortCtx, Query(page): Query<PageQuery>) -> Result<Json<List<TagUsage>>> {
    let limit = page.limit()?;
    let mut tx = ctx.begin().await?;
    let rows = with_usage(&mut tx, page.after()?, limit + 1).await?;
    tx.commit().await?;
    Ok(Json(List::page(rows, limit, |t| {
        (t.tag.name.clone(), t.tag.id)
    })))
}

/// `POST /api/v1/ports/{port}/tags`
pub async fn create(ctx: PortCtx, Checked(new): Checked<NewTag>) -> Result<Response> {
    let tag = create_tag(&ctx, &new).await?;
    let location = format!("/api/v1/ports/{}/tags/{}", ctx.port.slug, tag.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(tag),
    )
        .into_response())
}

/// `PATCH /api/v1/ports/{port}/tags/{id}`
pub async fn update(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
    Checked(patch): Checked<TagPatch>,
) -> Result<Json<TagOut>> {
    Ok(Json(update_tag(&ctx, id, &patch).await?))
}

/// `DELETE /api/v1/ports/{port}/tags/{id}`
pub async fn delete(ctx: PortCtx, Path((_, id)): Path<(String, Uuid)>) -> Result<StatusCode> {
    delete_tag(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
