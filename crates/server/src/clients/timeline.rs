//! A client's history: its own audit rows and those of its contacts and
//! relationships (which name the client in their metadata), newest first.
//! `GET …/clients/{id}/timeline` pages through it by keyset; the client page
//! shows the latest entries with the audit log's timeline partial.

use super::model::{find, parse_id};
use crate::access::PortCtx;
use crate::audit::TimelineItem;
use crate::http::Result;
use crate::http::cursor::{List, PageQuery};
use axum::Json;
use axum::extract::{Path, Query};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

/// One audit row of the client's history.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineRow {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<Uuid>,
    pub field_changed: Option<String>,
    pub old_value: Option<Value>,
    pub new_value: Option<Value>,
    pub reverted_at: Option<DateTime<Utc>>,
    pub revert_of: Option<Uuid>,
}

impl TimelineRow {
    pub fn item(&self) -> TimelineItem {
        TimelineItem {
            id: self.id,
            created_at: self.created_at,
            user_id: self.user_id.clone(),
            user_name: self.user_name.clone(),
            action: self.action.clone(),
            entity_type: self.entity_type.clone(),
            field_changed: self.field_changed.clone(),
            old_value: self.old_value.clone(),
            new_value: self.new_value.clone(),
            reverted_at: self.reverted_at,
            revert_of: self.revert_of,
        }
    }
}

type Key = (DateTime<Utc>, Uuid);

/// Up to `limit` rows of the client's history after `after`, newest first.
pub async fn fetch(
    conn: &mut PgConnection,
    client_id: Uuid,
    after: Option<Key>,
    limit: i64,
) -> Result<Vec<TimelineRow>> {
    let (at, id) = after.unzip();
    Ok(sqlx::query_as!(
        TimelineRow,
        r#"SELECT a.id, a.created_at, a.user_id, COALESCE(p.display_name, u.name) AS user_name,
                  a.action, a.entity_type, a.entity_id, a.field_changed, a.old_value, a.new_value,
                  a.reverted_at, a.revert_of
           FROM audit_logs a
           LEFT JOIN users u ON u.id = a.user_id
           LEFT JOIN user_profiles p ON p.user_id = a.user_id
           WHERE a.port_id = app_port_id()
             AND ((a.entity_type = 'client' AND a.entity_id = $1)
                  OR (a.metadata ? 'client_id' AND a.metadata->>'client_id' = $1::text)
                  OR (a.metadata ? 'other_client_id' AND a.metadata->>'other_client_id' = $1::text))
             AND ($2::timestamptz IS NULL OR (a.created_at, a.id) < ($2, $3::uuid))
           ORDER BY a.created_at DESC, a.id DESC
           LIMIT $4"#,
        client_id,
        at,
        id,
        limit
    )
    .fetch_all(conn)
    .await?)
}

/// `GET …/clients/{id}/timeline?limit=&cursor=`
pub async fn api(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
) -> Result<Json<List<TimelineRow>>> {
    let id = parse_id(&id)?;
    let limit = q.limit()?;
    let after = q.after::<Key>()?;
    let mut tx = ctx.begin().await?;
    find(&mut tx, id).await?;
    let rows = fetch(&mut tx, id, after, limit + 1).await?;
    tx.commit().await?;
    Ok(Json(List::page(rows, limit, |r| (r.created_at, r.id))))
}
