//! Reading and marking a user's notifications.
//!
//! Why one query per port. `notifications` is port-scoped, and its row-level
//! security policy admits the rows of one port: the one the transaction acts
//! for. A user's notifications span their ports. Reading them on the owner
//! pool with only `user_id = $1` would work solely while the owner is a
//! superuser (superusers skip row-level security); with an external database
//! whose owner is an ordinary role, FORCE ROW LEVEL SECURITY applies to it,
//! no port is set, and the query silently returns nothing. So every read and
//! write here happens as `nimara_app` acting for one port at a time: in one
//! transaction, [`crate::db::act_for_port`] switches the port before each
//! port's query. A user has a handful of ports; each query is an index range
//! scan (`idx_notif_port_user_created`), and lists merge the per-port pages.

use crate::db::{Db, act_for_port};
use crate::http::Result;
use crate::http::cursor::List;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

/// A notification as its recipient sees it; field names are the columns'.
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    pub id: Uuid,
    pub port_id: Uuid,
    pub user_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub description: Option<String>,
    pub link: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub is_read: bool,
    pub email_sent: bool,
    pub created_at: DateTime<Utc>,
}

/// Where a page stops: lists are sorted by `(created_at, id)`, newest first.
pub type Key = (DateTime<Utc>, Uuid);

/// Which notifications a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    pub unread_only: bool,
    /// The last row of the previous page.
    pub after: Option<Key>,
}

/// One page of `user_id`'s notifications at `ports`, newest first, with the
/// cursor of the next page when there is one.
pub async fn page(
    db: &Db,
    user_id: &str,
    ports: &[Uuid],
    filter: Filter,
    limit: i64,
) -> Result<List<Notification>> {
    let mut rows = Vec::new();
    let mut tx = db.pool().begin().await?;
    for &port_id in ports {
        act_for_port(&mut tx, port_id).await?;
        rows.extend(page_at(&mut tx, port_id, user_id, filter, limit + 1).await?);
    }
    tx.commit().await?;
    // Newest first, exactly as each port's query orders (uuids compare bytewise in both).
    rows.sort_by_key(|n| std::cmp::Reverse((n.created_at, n.id)));
    Ok(List::page(rows, limit, |n| (n.created_at, n.id)))
}

/// At most `limit` rows of one port; `conn` acts for `port_id`.
async fn page_at(
    conn: &mut PgConnection,
    port_id: Uuid,
    user_id: &str,
    filter: Filter,
    limit: i64,
) -> Result<Vec<Notification>> {
    let (after_at, after_id) = filter.after.unzip();
    Ok(sqlx::query_as!(
        Notification,
        r#"SELECT id, port_id, user_id, type AS kind, title, description, link, entity_type,
                  entity_id, is_read, email_sent, created_at
           FROM notifications
           WHERE port_id = $1 AND user_id = $2 AND (NOT $3 OR NOT is_read)
             AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5::uuid))
           ORDER BY created_at DESC, id DESC
           LIMIT $6"#,
        port_id,
        user_id,
        filter.unread_only,
        after_at,
        after_id,
        limit
    )
    .fetch_all(conn)
    .await?)
}

/// One of `user_id`'s notifications at `port_id`, with their unread count there.
pub async fn one(
    db: &Db,
    user_id: &str,
    port_id: Uuid,
    id: Uuid,
) -> Result<Option<(Notification, i64)>> {
    let mut tx = db.begin_port(port_id).await?;
    let found = sqlx::query_as!(
        Notification,
        r#"SELECT id, port_id, user_id, type AS kind, title, description, link, entity_type,
                  entity_id, is_read, email_sent, created_at
           FROM notifications WHERE id = $1 AND user_id = $2 AND port_id = $3"#,
        id,
        user_id,
        port_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(found) = found else {
        return Ok(None);
    };
    let unread = unread_at(&mut tx, port_id, user_id).await?;
    tx.commit().await?;
    Ok(Some((found, unread)))
}

async fn unread_at(conn: &mut PgConnection, port_id: Uuid, user_id: &str) -> Result<i64> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM notifications
           WHERE port_id = $1 AND user_id = $2 AND NOT is_read"#,
        port_id,
        user_id
    )
    .fetch_one(conn)
    .await?)
}

/// `user_id`'s unread notifications at `ports`, together.
pub async fn unread(db: &Db, user_id: &str, ports: &[Uuid]) -> Result<i64> {
    Ok(unread_each(db, user_id, ports).await?.iter().sum())
}

/// `user_id`'s unread notifications at each of `ports`, in their order.
pub async fn unread_each(db: &Db, user_id: &str, ports: &[Uuid]) -> Result<Vec<i64>> {
    let mut counts = Vec::with_capacity(ports.len());
    let mut tx = db.pool().begin().await?;
    for &port_id in ports {
        act_for_port(&mut tx, port_id).await?;
        counts.push(unread_at(&mut tx, port_id, user_id).await?);
    }
    tx.commit().await?;
    Ok(counts)
}

/// Marks one of `user_id`'s notifications read, wherever among `ports` it is;
/// `None` when it is not theirs (or not at one of their ports).
pub async fn mark_read(
    db: &Db,
    user_id: &str,
    ports: &[Uuid],
    id: Uuid,
) -> Result<Option<Notification>> {
    let mut tx = db.pool().begin().await?;
    let mut found = None;
    for &port_id in ports {
        act_for_port(&mut tx, port_id).await?;
        found = sqlx::query_as!(
            Notification,
            r#"UPDATE notifications SET is_read = true
               WHERE id = $1 AND user_id = $2 AND port_id = $3
               RETURNING id, port_id, user_id, type AS kind, title, description, link,
                         entity_type, entity_id, is_read, email_sent, created_at"#,
            id,
            user_id,
            port_id
        )
        .fetch_optional(&mut *tx)
        .await?;
        if found.is_some() {
            break;
        }
    }
    tx.commit().await?;
    Ok(found)
}

/// Marks every unread notification of `user_id` at `ports` read; returns how many.
pub async fn mark_all_read(db: &Db, user_id: &str, ports: &[Uuid]) -> Result<u64> {
    let mut done = 0;
    let mut tx = db.pool().begin().await?;
    for &port_id in ports {
        act_for_port(&mut tx, port_id).await?;
        done += sqlx::query!(
            "UPDATE notifications SET is_read = true WHERE port_id = $1 AND user_id = $2 AND NOT is_read",
            port_id,
            user_id
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(done)
}
