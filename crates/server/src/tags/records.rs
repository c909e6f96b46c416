//! Tags on records. One code path serves clients, interests and berths: a
//! [`Target`] names the join table and its record column, and nothing else
//! differs between them.

use super::api::TagOut;
use crate::access::PortCtx;
use crate::audit::{self, Actor};
use crate::http::checked::{Checked, problems};
use crate::http::cursor::List;
use crate::http::{Error, Result};
use crate::web::shell::Section;
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

/// A kind of record that can carry tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Client,
    Interest,
    Berth,
}

impl Target {
    /// The join table, its record column, the records' table, the audit entity type.
    /// Fixed strings: the only text ever put into this module's SQL.
    fn names(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Target::Client => ("client_tags", "client_id", "clients", "client"),
            Target::Interest => ("interest_tags", "interest_id", "interests", "interest"),
            Target::Berth => ("berth_tags", "berth_id", "berths", "berth"),
        }
    }

    /// `audit_logs.entity_type` of the records.
    pub fn entity_type(self) -> &'static str {
        self.names().3
    }
}

type Row = (Uuid, Uuid, String, String, DateTime<Utc>);

/// The tags of many records at once (a list page's rows), by name; records
/// without tags are absent from the map. One query.
pub async fn tags_of(
    conn: &mut PgConnection,
    target: Target,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<TagOut>>> {
    let (join, col, _, _) = target.names();
    let sql = format!(
        "SELECT x.{col}, t.id, t.name, t.color, t.created_at
         FROM {join} x JOIN tags t ON t.id = x.tag_id
         WHERE x.{col} = ANY($1)
         ORDER BY lower(t.name), t.id"
    );
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(ids)
        .fetch_all(conn)
        .await?;
    let mut out: HashMap<Uuid, Vec<TagOut>> = HashMap::new();
    for (record, id, name, color, created_at) in rows {
        out.entry(record).or_default().push(TagOut {
            id,
            name,
            color,
            created_at,
        });
    }
    Ok(out)
}

/// The tags of one record.
pub async fn tags_of_one(conn: &mut PgConnection, target: Target, id: Uuid) -> Result<Vec<TagOut>> {
    Ok(tags_of(conn, target, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default())
}

/// 404 unless the record exists at the port; locks it, so two changes to its
/// tags are applied (and audited) one after the other.
pub async fn lock_record(conn: &mut PgConnection, target: Target, id: Uuid) -> Result<()> {
    let (_, _, records, _) = target.names();
    let sql = format!("SELECT id FROM {records} WHERE id = $1 FOR UPDATE");
    let found: Option<(Uuid,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    found.map(|_| ()).ok_or(Error::NotFound)
}

/// 422 naming each field whose tag id is not one of the port's tags.
pub async fn check_tags(conn: &mut PgConnection, ids: &[(String, Uuid)]) -> Result<()> {
    let wanted: Vec<Uuid> = ids.iter().map(|(_, id)| *id).collect();
    let known = sqlx::query_scalar!("SELECT id FROM tags WHERE id = ANY($1)", &wanted)
        .fetch_all(conn)
        .await?;
    problems(
        ids.iter()
            .filter(|(_, id)| !known.contains(id))
            .map(|(field, _)| (field.clone(), "is not a tag of this port".to_owned())),
    )
}

/// Makes the record's tags exactly `wanted` (already checked to be the port's),
/// auditing the change on the record as the field `tags` (names, sorted).
/// Returns the tags it has now.
pub async fn apply(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    target: Target,
    id: Uuid,
    wanted: &[Uuid],
) -> Result<Vec<TagOut>> {
    let (join, col, _, entity) = target.names();
    let before = tags_of_one(conn, target, id).await?;
    let remove = format!("DELETE FROM {join} WHERE {col} = $1 AND NOT (tag_id = ANY($2))");
    sqlx::query(sqlx::AssertSqlSafe(remove))
        .bind(id)
        .bind(wanted)
        .execute(&mut *conn)
        .await?;
    let add = format!(
        "INSERT INTO {join} ({col}, tag_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING"
    );
    sqlx::query(sqlx::AssertSqlSafe(add))
        .bind(id)
        .bind(wanted)
        .execute(&mut *conn)
        .await?;
    let after = tags_of_one(conn, target, id).await?;
    let names = |tags: &[TagOut]| tags.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    audit::record_update(
        conn,
        actor,
        Some(port_id),
        entity,
        id,
        &json!({"tags": names(&before)}),
        &json!({"tags": names(&after)}),
    )
    .await?;
    Ok(after)
}

/// What a change to a record's tags asks for.
pub enum Change {
    Replace(Vec<Uuid>),
    Add(Uuid),
    Remove(Uuid),
}

/// Applies `change` to a record in its own transaction: 404 for a record (or,
/// removing, a tag) the port does not have, 422 for unknown tags to add.
pub async fn change(
    ctx: &PortCtx,
    target: Target,
    id: Uuid,
    change: Change,
) -> Result<Vec<TagOut>> {
    let mut tx = ctx.begin().await?;
    lock_record(&mut tx, target, id).await?;
    let current: Vec<Uuid> = tags_of_one(&mut tx, target, id)
        .await?
        .iter()
        .map(|t| t.id)
        .collect();
    let wanted = match change {
        Change::Replace(ids) => {
            let fields: Vec<(String, Uuid)> = ids
                .iter()
                .enumerate()
                .map(|(i, id)| (format!("tag_ids[{i}]"), *id))
                .collect();
            check_tags(&mut tx, &fields).await?;
            let mut ids = ids;
            ids.sort();
            ids.dedup();
            ids
        }
        Change::Add(tag) => {
            check_tags(&mut tx, &[("tag_id".into(), tag)]).await?;
            current.iter().copied().chain([tag]).collect()
        }
        Change::Remove(tag) => {
            super::api::find(&mut tx, tag).await?;
            current.into_iter().filter(|t| *t != tag).collect()
        }
    };
    let tags = apply(&mut tx, &Actor::from(ctx), ctx.port.id, target, id, &wanted).await?;
    tx.commit().await?;
    Ok(tags)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplaceBody {
    pub tag_ids: Vec<Uuid>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddBody {
    pub tag_id: Uuid,
}

/// A kind of record whose tags the page panel (and, for clients and
/// interests, the API) serve: its [`Target`], the URL segment of its pages,
/// the permissions to read (the record's view) and change (the record's edit)
/// its tags, and the navigation section its pages belong to.
pub trait Tagged: Send + Sync + 'static {
    const TARGET: Target;
    const SEGMENT: &'static str;
    const VIEW: &'static str;
    const EDIT: &'static str;
    const SECTION: Section = Section::Clients;
}

pub struct ClientTags;

impl Tagged for ClientTags {
    const TARGET: Target = Target::Client;
    const SEGMENT: &'static str = "clients";
    const VIEW: &'static str = "clients.view";
    const EDIT: &'static str = "clients.edit";
}

pub struct InterestTags;

impl Tagged for InterestTags {
    const TARGET: Target = Target::Interest;
    const SEGMENT: &'static str = "interests";
    const VIEW: &'static str = "interests.view";
    const EDIT: &'static str = "interests.edit";
}

pub struct BerthTags;

impl Tagged for BerthTags {
    const TARGET: Target = Target::Berth;
    const SEGMENT: &'static str = "berths";
    const VIEW: &'static str = "berths.view";
    const EDIT: &'static str = "berths.edit";
    const SECTION: Section = Section::Berths;
}

/// 404 unless the record exists at the port.
pub async fn record_exists(conn: &mut PgConnection, target: Target, id: Uuid) -> Result<()> {
    let (_, _, records, _) = target.names();
    let sql = format!("SELECT EXISTS (SELECT 1 FROM {records} WHERE id = $1)");
    let found: bool = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(conn)
        .await?;
    if found { Ok(()) } else { Err(Error::NotFound) }
}

/// `GET /api/v1/ports/{port}/{records}/{id}/tags`
pub async fn list<T: Tagged>(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
) -> Result<Json<List<TagOut>>> {
    let mut tx = ctx.begin().await?;
    record_exists(&mut tx, T::TARGET, id).await?;
    let tags = tags_of_one(&mut tx, T::TARGET, id).await?;
    tx.commit().await?;
    Ok(Json(List::whole(tags)))
}

/// `PUT /api/v1/ports/{port}/{records}/{id}/tags`: the record's tags become these.
pub async fn replace<T: Tagged>(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
    Checked(body): Checked<ReplaceBody>,
) -> Result<Json<List<TagOut>>> {
    let tags = change(&ctx, T::TARGET, id, Change::Replace(body.tag_ids)).await?;
    Ok(Json(List::whole(tags)))
}

/// `POST /api/v1/ports/{port}/{records}/{id}/tags`: adds one; adding it again changes nothing.
pub async fn add<T: Tagged>(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
    Checked(body): Checked<AddBody>,
) -> Result<Json<List<TagOut>>> {
    let tags = change(&ctx, T::TARGET, id, Change::Add(body.tag_id)).await?;
    Ok(Json(List::whole(tags)))
}

/// `DELETE /api/v1/ports/{port}/{records}/{id}/tags/{tag_id}`
pub async fn remove<T: Tagged>(
    ctx: PortCtx,
    Path((_, id, tag)): Path<(String, Uuid, Uuid)>,
) -> Result<StatusCode> {
    change(&ctx, T::TARGET, id, Change::Remove(tag)).await?;
    Ok(StatusCode::NO_CONTENT)
}
