//! Reverting one field change: the old value goes back only while the field
//! still holds the new one, in one compare-and-set, and the revert is itself
//! an audit entry pointing at the change it undid.

use super::kinds::{self, PROTECTED_COLUMNS, Scope};
use super::{Action, Actor, Entry};
use crate::access::PortCtx;
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::Path;
use serde::Serialize;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

/// Why a revert did not happen.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("not found")]
    NotFound,
    #[error("already reverted")]
    AlreadyReverted,
    /// The field no longer holds the value the change wrote.
    #[error("stale")]
    Stale,
    /// The record the change was made to no longer exists.
    #[error("gone")]
    Gone,
    /// The old value no longer fits: a unique value now taken, a link to a
    /// record since deleted, a rule the table has gained.
    #[error("clash")]
    Clash,
    #[error("not a field update")]
    NotFieldUpdate,
    #[error("not revertable")]
    NotRevertable,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl Refusal {
    /// A stable name, for tests and for the page's message after a redirect.
    pub fn key(&self) -> &'static str {
        match self {
            Refusal::NotFound => "not_found",
            Refusal::AlreadyReverted => "already_reverted",
            Refusal::Stale => "stale",
            Refusal::Gone => "gone",
            Refusal::Clash => "clash",
            Refusal::NotFieldUpdate => "not_field_update",
            Refusal::NotRevertable => "not_revertable",
            Refusal::Database(_) => "error",
        }
    }

    /// What the person who asked is told.
    pub fn message(&self) -> &'static str {
        match self {
            Refusal::NotFound => "There is nothing here.",
            Refusal::AlreadyReverted => "This change has already been reverted.",
            Refusal::Stale => {
                "The field has been changed again since; nothing was reverted. Review its current value first."
            }
            Refusal::Gone => "The record no longer exists; nothing was reverted.",
            Refusal::Clash => {
                "The old value no longer fits the record (it clashes with another record or a rule); nothing was reverted."
            }
            Refusal::NotFieldUpdate => "Only a change of one field can be reverted.",
            Refusal::NotRevertable => "Changes to this kind of record cannot be reverted.",
            Refusal::Database(_) => "The revert failed.",
        }
    }

    /// The message for a `key()`, for the page after a redirect.
    pub fn message_for(key: &str) -> Option<&'static str> {
        [
            Refusal::AlreadyReverted,
            Refusal::Stale,
            Refusal::Gone,
            Refusal::Clash,
            Refusal::NotFieldUpdate,
            Refusal::NotRevertable,
        ]
        .into_iter()
        .find(|r| r.key() == key)
        .map(|r| r.message())
    }
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Error {
        match r {
            Refusal::NotFound => Error::NotFound,
            Refusal::AlreadyReverted | Refusal::Stale | Refusal::Gone | Refusal::Clash => {
                Error::Conflict(r.message().to_owned())
            }
            Refusal::NotFieldUpdate | Refusal::NotRevertable => Error::invalid("id", r.message()),
            Refusal::Database(e) => Error::from(e),
        }
    }
}

/// A reverted change: the entry that records the revert.
#[derive(Debug, Clone, Serialize)]
pub struct Reverted {
    /// The new `revert` entry.
    pub id: Uuid,
    pub revert_of: Uuid,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub field_changed: String,
    /// What the field held before the revert (the change's new value).
    pub old_value: Value,
    /// What it holds now (the change's old value).
    pub new_value: Value,
}

/// Reverts audit entry `id` of `port_id` in `tx`, a transaction acting for
/// that port. The caller commits; on a refusal nothing has been written.
pub async fn revert(
    tx: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    id: Uuid,
) -> Result<Reverted, Refusal> {
    // Locked, so two reverts of one entry queue up and the second sees the first.
    let entry = sqlx::query!(
        "SELECT action, entity_type, entity_id, field_changed, old_value, new_value, reverted_at
         FROM audit_logs WHERE id = $1 AND port_id = $2 FOR UPDATE",
        id,
        port_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(Refusal::NotFound)?;
    if entry.reverted_at.is_some() {
        return Err(Refusal::AlreadyReverted);
    }
    let (Some(entity_id), Some(field)) = (entry.entity_id, entry.field_changed) else {
        return Err(Refusal::NotFieldUpdate);
    };
    if entry.action != Action::Update.as_str() {
        return Err(Refusal::NotFieldUpdate);
    }
    let table = kinds::revert_table(&entry.entity_type).ok_or(Refusal::NotRevertable)?;
    if PROTECTED_COLUMNS.contains(&field.as_str())
        || kinds::PROTECTED_FIELDS.contains(&(entry.entity_type.as_str(), field.as_str()))
        || !is_writable_column(tx, table.name, &field).await?
    {
        return Err(Refusal::NotRevertable);
    }
    // SQL NULL and JSON null both mean "empty" here.
    let old = entry.old_value.unwrap_or(Value::Null);
    let new = entry.new_value.unwrap_or(Value::Null);

    let written = compare_and_set(tx, table, &field, entity_id, port_id, &new, &old).await?;
    if written == 0 {
        return Err(if exists(tx, table, entity_id, port_id).await? {
            Refusal::Stale
        } else {
            Refusal::Gone
        });
    }

    sqlx::query!(
        "UPDATE audit_logs SET reverted_by = $2, reverted_at = now() WHERE id = $1",
        id,
        actor.user_id
    )
    .execute(&mut *tx)
    .await?;
    let mut revert = Entry::new(
        Some(port_id),
        Action::Revert,
        &entry.entity_type,
        Some(entity_id),
    );
    revert.field = Some(&field);
    revert.old = Some(new.clone());
    revert.new = Some(old.clone());
    revert.revert_of = Some(id);
    let revert_id = super::record(tx, actor, revert).await?;
    Ok(Reverted {
        id: revert_id,
        revert_of: id,
        entity_type: entry.entity_type,
        entity_id,
        field_changed: field,
        old_value: new,
        new_value: old,
    })
}

/// True when `column` is an ordinary column of `table` that an UPDATE can set.
async fn is_writable_column(
    conn: &mut PgConnection,
    table: &str,
    column: &str,
) -> Result<bool, sqlx::Error> {
    let found = sqlx::query_scalar!(
        r#"SELECT EXISTS (
             SELECT 1 FROM pg_attribute a
             JOIN pg_class c ON c.oid = a.attrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relname = $1 AND c.relkind = 'r'
               AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped
               AND a.attgenerated = '' AND a.attidentity = ''
           ) AS "found!""#,
        table,
        column
    )
    .fetch_one(conn)
    .await?;
    Ok(found)
}

/// `"name"` with inner quotes doubled. The names come from [`kinds::KINDS`]
/// and from `pg_attribute`, never from a request; quoting keeps any of them,
/// whatever characters they hold, a single identifier.
fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// The row scoped to the port: by its `port_id`, or, for the port itself, by id.
fn scope_clause(scope: Scope) -> &'static str {
    match scope {
        Scope::PortColumn => "port_id = $2",
        Scope::ThePort => "id = $2",
    }
}

/// One UPDATE sets `column` to `to` where it still equals `expected`, so a
/// change landing between a check and the write cannot be overwritten. JSON
/// becomes the column's type through the table's row type, as PostgreSQL
/// itself reads JSON into that column. Returns the rows written (0 or 1).
async fn compare_and_set(
    conn: &mut PgConnection,
    table: kinds::Table,
    column: &str,
    entity_id: Uuid,
    port_id: Uuid,
    expected: &Value,
    to: &Value,
) -> Result<u64, Refusal> {
    let (t, c) = (quote(table.name), quote(column));
    let value_of = |param: &str| {
        format!(
            "(jsonb_populate_record(NULL::{t}, jsonb_build_object($3::text, {param}::jsonb))).{c}"
        )
    };
    // Dynamic on purpose: the table and column vary, so no compile-time
    // checked macro can hold this; every value is a bound parameter.
    let sql = format!(
        "UPDATE {t} SET {c} = {to} WHERE id = $1 AND {scope} AND {c} IS NOT DISTINCT FROM {expected}",
        to = value_of("$5"),
        expected = value_of("$4"),
        scope = scope_clause(table.scope),
    );
    let result = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(entity_id)
        .bind(port_id)
        .bind(column)
        .bind(expected)
        .bind(to)
        .execute(conn)
        .await;
    match result {
        Ok(done) => Ok(done.rows_affected()),
        Err(e) => Err(classify(e)),
    }
}

/// Integrity and data errors of the write mean the old value does not fit the
/// record any more; anything else is a failure.
fn classify(e: sqlx::Error) -> Refusal {
    let code = e
        .as_database_error()
        .and_then(|d| d.code())
        .map(|c| c.into_owned());
    match code.as_deref() {
        // 22…: the value does not convert; 23…: unique, foreign key, check, not null.
        Some(c) if c.starts_with("22") || c.starts_with("23") => Refusal::Clash,
        _ => Refusal::Database(e),
    }
}

async fn exists(
    conn: &mut PgConnection,
    table: kinds::Table,
    entity_id: Uuid,
    port_id: Uuid,
) -> Result<bool, sqlx::Error> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM {} WHERE id = $1 AND {})",
        quote(table.name),
        scope_clause(table.scope)
    );
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(entity_id)
        .bind(port_id)
        .fetch_one(conn)
        .await
}

/// `POST /api/v1/ports/{port}/audit-logs/{id}/revert` → 200 with the revert entry.
pub async fn api(ctx: PortCtx, Path((_, id)): Path<(String, String)>) -> Result<Json<Reverted>> {
    // An id that is not a UUID names no entry: 404, like any other.
    let id = Uuid::parse_str(&id).map_err(|_| Error::NotFound)?;
    let mut tx = ctx.begin().await?;
    let done = revert(&mut tx, &Actor::from(&ctx), ctx.port.id, id).await?;
    tx.commit().await?;
    Ok(Json(done))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_stay_one_identifier() {
        assert_eq!(quote("nationality"), "\"nationality\"");
        assert_eq!(
            quote("a\"; DROP TABLE x; --"),
            "\"a\"\"; DROP TABLE x; --\""
        );
    }

    #[test]
    fn every_refusal_shown_after_a_redirect_has_its_message() {
        for key in [
            "already_reverted",
            "stale",
            "gone",
            "clash",
            "not_field_update",
            "not_revertable",
        ] {
            assert!(Refusal::message_for(key).is_some(), "{key}");
        }
        assert!(Refusal::message_for("<script>").is_none());
    }
}
