//! The notes tables. One query shape for every [`Subject`]: table and column
//! names come from its constants (ours, never input); every value is bound.
//! Run inside the port's transaction, so another port's notes are invisible.

use super::Subject;
use chrono::{DateTime, Utc};
use sqlx::{AssertSqlSafe, PgConnection};
use uuid::Uuid;

/// A note with its author's name, as lists show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Note {
    pub id: Uuid,
    pub parent_id: Uuid,
    pub author_id: String,
    pub author_name: String,
    pub content: String,
    pub mentions: Vec<String>,
    /// The stored flag; [`Note::locked`] also counts the window.
    pub is_locked: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Note {
    pub fn locked(&self, now: DateTime<Utc>) -> bool {
        self.is_locked || now >= super::lock::locks_at(self.created_at)
    }
}

fn select<S: Subject>() -> String {
    format!(
        "SELECT n.id, n.{key} AS parent_id, n.author_id,
                coalesce(up.display_name, u.name, 'Former user') AS author_name,
                n.content, coalesce(n.mentions, '{{}}') AS mentions, n.is_locked,
                n.created_at, n.updated_at
         FROM {table} n
         LEFT JOIN users u ON u.id = n.author_id
         LEFT JOIN user_profiles up ON up.user_id = n.author_id",
        key = S::PARENT_KEY,
        table = S::TABLE
    )
}

/// Whether the parent exists in the transaction's port.
pub async fn parent_exists<S: Subject>(
    conn: &mut PgConnection,
    parent: Uuid,
) -> sqlx::Result<bool> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM {} WHERE id = $1)",
        S::PARENT_TABLE
    );
    sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(parent)
        .fetch_one(conn)
        .await
}

pub async fn parent_name<S: Subject>(
    conn: &mut PgConnection,
    parent: Uuid,
) -> sqlx::Result<String> {
    sqlx::query_scalar(AssertSqlSafe(S::PARENT_NAME_SQL))
        .bind(parent)
        .fetch_one(conn)
        .await
}

/// Newest first, `limit + 1` rows after the `(created_at, id)` key.
pub async fn list<S: Subject>(
    conn: &mut PgConnection,
    parent: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> sqlx::Result<Vec<Note>> {
    let sql = format!(
        "{} WHERE n.{key} = $1 AND ($2::timestamptz IS NULL OR (n.created_at, n.id) < ($2, $3))
         ORDER BY n.created_at DESC, n.id DESC LIMIT $4",
        select::<S>(),
        key = S::PARENT_KEY
    );
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(parent)
        .bind(after.map(|a| a.0))
        .bind(after.map(|a| a.1))
        .bind(limit + 1)
        .fetch_all(conn)
        .await
}

/// One note of `parent`, locked for the rest of the transaction.
pub async fn find_for_update<S: Subject>(
    conn: &mut PgConnection,
    parent: Uuid,
    id: Uuid,
) -> sqlx::Result<Option<Note>> {
    let sql = format!(
        "{} WHERE n.id = $1 AND n.{key} = $2 FOR UPDATE OF n",
        select::<S>(),
        key = S::PARENT_KEY
    );
    sqlx::query_as(AssertSqlSafe(sql))
        .bind(id)
        .bind(parent)
        .fetch_optional(conn)
        .await
}

pub async fn insert<S: Subject>(
    conn: &mut PgConnection,
    parent: Uuid,
    author: &str,
    content: &str,
    mentions: &[String],
) -> sqlx::Result<Uuid> {
    let sql = format!(
        "INSERT INTO {} ({}, author_id, content, mentions) VALUES ($1, $2, $3, $4) RETURNING id",
        S::TABLE,
        S::PARENT_KEY
    );
    sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(parent)
        .bind(author)
        .bind(content)
        .bind(mentions)
        .fetch_one(conn)
        .await
}

pub async fn update<S: Subject>(
    conn: &mut PgConnection,
    id: Uuid,
    content: &str,
    mentions: &[String],
) -> sqlx::Result<()> {
    let sql = format!(
        "UPDATE {} SET content = $2, mentions = $3 WHERE id = $1",
        S::TABLE
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .bind(content)
        .bind(mentions)
        .execute(conn)
        .await
        .map(|_| ())
}

pub async fn delete<S: Subject>(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    let sql = format!("DELETE FROM {} WHERE id = $1", S::TABLE);
    sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Sets the flag on one note (an edit was refused for its age).
pub async fn lock<S: Subject>(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<()> {
    let sql = format!("UPDATE {} SET is_locked = true WHERE id = $1", S::TABLE);
    sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .execute(conn)
        .await
        .map(|_| ())
}

/// Sets the flag on every note of the port past the window; how many.
pub async fn lock_old<S: Subject>(conn: &mut PgConnection) -> sqlx::Result<u64> {
    let sql = format!(
        "UPDATE {} SET is_locked = true
         WHERE NOT is_locked AND created_at <= now() - make_interval(mins => $1)",
        S::TABLE
    );
    sqlx::query(AssertSqlSafe(sql))
        .bind(super::EDIT_WINDOW_MINUTES as i32)
        .execute(conn)
        .await
        .map(|r| r.rows_affected())
}
