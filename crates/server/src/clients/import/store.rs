//! The `client_imports` rows: an upload, its mapping and report, its status.

use super::dry_run::Report;
use crate::db::Db;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

/// An import as the API shows it (without the file itself).
#[derive(Debug, Clone, Serialize)]
pub struct ImportView {
    pub id: Uuid,
    pub user_id: Option<String>,
    pub filename: Option<String>,
    pub status: String,
    pub mapping: Option<Value>,
    pub total_rows: i32,
    pub processed_rows: i32,
    pub created_count: i32,
    pub updated_count: i32,
    pub rejected_count: i32,
    pub flagged_count: i32,
    pub error: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ImportView {
    /// Done or failed: nothing more will change.
    pub fn finished(&self) -> bool {
        matches!(self.status.as_str(), "done" | "failed")
    }

    /// Percent of the rows processed, 0–100.
    pub fn percent(&self) -> i64 {
        if self.total_rows <= 0 {
            return if self.status == "done" { 100 } else { 0 };
        }
        (i64::from(self.processed_rows) * 100 / i64::from(self.total_rows)).clamp(0, 100)
    }
}

pub async fn insert(
    conn: &mut PgConnection,
    user_id: Option<&str>,
    filename: Option<&str>,
    content: &[u8],
    total_rows: i32,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO client_imports (user_id, filename, content, total_rows) VALUES ($1, $2, $3, $4) RETURNING id",
        user_id,
        filename,
        content,
        total_rows,
    )
    .fetch_one(conn)
    .await
}

pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<Option<ImportView>, sqlx::Error> {
    sqlx::query_as!(
        ImportView,
        "SELECT id, user_id, filename, status, mapping, total_rows, processed_rows, created_count,
                updated_count, rejected_count, flagged_count, error, started_at, finished_at,
                created_at, updated_at
         FROM client_imports WHERE id = $1",
        id
    )
    .fetch_optional(conn)
    .await
}

/// The uploaded bytes of an import.
pub async fn content(conn: &mut PgConnection, id: Uuid) -> Result<Option<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar!("SELECT content FROM client_imports WHERE id = $1", id)
        .fetch_optional(conn)
        .await
}

/// The stored report of the last dry run or of the import.
pub async fn report(conn: &mut PgConnection, id: Uuid) -> Result<Option<Report>, sqlx::Error> {
    let value = sqlx::query_scalar!("SELECT report FROM client_imports WHERE id = $1", id)
        .fetch_optional(conn)
        .await?
        .flatten();
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

/// Recent imports of the port, newest first, after the keyset `after`.
pub async fn recent(
    conn: &mut PgConnection,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<ImportView>, sqlx::Error> {
    let (at, id) = after.unzip();
    sqlx::query_as!(
        ImportView,
        "SELECT id, user_id, filename, status, mapping, total_rows, processed_rows, created_count,
                updated_count, rejected_count, flagged_count, error, started_at, finished_at,
                created_at, updated_at
         FROM client_imports
         WHERE $1::timestamptz IS NULL OR (created_at, id) < ($1, $2)
         ORDER BY created_at DESC, id DESC
         LIMIT $3",
        at,
        id,
        limit
    )
    .fetch_all(conn)
    .await
}

/// Stores a dry run's mapping and report; the import is then `validated`.
pub async fn validated(
    conn: &mut PgConnection,
    id: Uuid,
    mapping: &Value,
    report: &Report,
) -> Result<(), sqlx::Error> {
    let s = report.summary;
    sqlx::query!(
        "UPDATE client_imports SET mapping = $2, report = $3, status = 'validated',
                total_rows = $4, created_count = $5, updated_count = $6, rejected_count = $7,
                flagged_count = $8, error = NULL
         WHERE id = $1",
        id,
        mapping,
        serde_json::to_value(report).expect("a report serializes"),
        s.total_rows as i32,
        s.create as i32,
        s.update as i32,
        s.reject as i32,
        s.flagged as i32,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes how far the import is, through a connection of its own: the import's
/// transaction has not committed, and the page must see progress now.
pub async fn progress(db: &Db, port_id: Uuid, id: Uuid, processed: i32) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_port(port_id).await?;
    sqlx::query!(
        "UPDATE client_imports SET processed_rows = $2 WHERE id = $1",
        id,
        processed
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Marks the import failed with `error`, on a connection of its own (the
/// import's transaction has been rolled back).
pub async fn failed(db: &Db, port_id: Uuid, id: Uuid, error: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_port(port_id).await?;
    sqlx::query!(
        "UPDATE client_imports SET status = 'failed', error = $2, finished_at = now(),
                created_count = 0, updated_count = 0
         WHERE id = $1",
        id,
        error
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Stores a chosen mapping without a dry run's report (the command line,
/// whose import plans again in its own transaction anyway).
pub async fn mapped(conn: &mut PgConnection, id: Uuid, mapping: &Value) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE client_imports SET mapping = $2, status = 'validated' WHERE id = $1",
        id,
        mapping
    )
    .execute(conn)
    .await?;
    Ok(())
}
