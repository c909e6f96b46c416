//! Stored suggestions of the `suggest` mode: listed per berth, accepted (the
//! berth takes the suggested status, by the accepting user, with the reason
//! `rule:<trigger>`) or dismissed. Deciding needs `berths.change_status`.

use super::KIND;
use super::fire::{close_outrun, locked_status};
use crate::access::PortCtx;
use crate::audit::{self, Action, Actor, Entry};
use crate::berths::status;
use crate::http::cursor::{List, PageQuery};
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::{Path, Query};
use chrono::{DateTime, Utc};
use domain::settings::BerthStatus;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

/// One `berth_status_suggestions` row, with the interest's client for people.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Suggestion {
    pub id: Uuid,
    pub port_id: Uuid,
    pub berth_id: Uuid,
    pub interest_id: Option<Uuid>,
    pub trigger: String,
    pub target_status: String,
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub client_name: Option<String>,
}

fn id_of(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| Error::NotFound)
}

/// 404 unless the berth is the port's.
async fn berth_exists(conn: &mut PgConnection, berth_id: Uuid) -> Result<()> {
    let found = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM berths WHERE id = $1 AND port_id = app_port_id()) AS "e!""#,
        berth_id
    )
    .fetch_one(conn)
    .await?;
    if found { Ok(()) } else { Err(Error::NotFound) }
}

/// The berth's suggestions, newest first, `limit + 1` after `after`;
/// `pending_only` for those still waiting.
pub async fn of_berth(
    conn: &mut PgConnection,
    berth_id: Uuid,
    pending_only: bool,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<Suggestion>> {
    let (at, id) = after.unzip();
    Ok(sqlx::query_as!(
        Suggestion,
        r#"SELECT s.id, s.port_id, s.berth_id, s.interest_id, s.trigger, s.target_status, s.status,
                  s.decided_by, s.decided_at, s.created_at, s.updated_at, c.full_name AS "client_name?"
           FROM berth_status_suggestions s
           LEFT JOIN interests i ON i.id = s.interest_id
           LEFT JOIN clients c ON c.id = i.client_id
           WHERE s.berth_id = $1 AND s.port_id = app_port_id()
             AND (NOT $2 OR s.status = 'pending')
             AND ($3::timestamptz IS NULL OR (s.created_at, s.id) < ($3, $4::uuid))
           ORDER BY s.created_at DESC, s.id DESC
           LIMIT $5"#,
        berth_id,
        pending_only,
        at,
        id,
        limit + 1
    )
    .fetch_all(conn)
    .await?)
}

/// `?status=`, `?limit=`, `?cursor=` (not a flattened `PageQuery`: a query
/// string flattened into a struct loses its numbers' types).
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub status: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// `GET …/berths/{id}/status-suggestions[?status=pending]`
pub async fn list(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    Query(q): Query<ListQuery>,
) -> Result<Json<List<Suggestion>>> {
    let berth_id = id_of(&id)?;
    let pending_only = match q.status.as_deref().map(str::trim) {
        None | Some("") => false,
        Some("pending") => true,
        Some(_) => return Err(Error::invalid("status", "must be pending, or left out")),
    };
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    };
    let limit = page.limit()?;
    let after = page.after::<(DateTime<Utc>, Uuid)>()?;
    let mut tx = ctx.begin().await?;
    berth_exists(&mut tx, berth_id).await?;
    let rows = of_berth(&mut tx, berth_id, pending_only, after, limit).await?;
    tx.commit().await?;
    Ok(Json(List::page(rows, limit, |s| (s.created_at, s.id))))
}

async fn one(conn: &mut PgConnection, berth_id: Uuid, sid: Uuid) -> Result<Suggestion> {
    sqlx::query_as!(
        Suggestion,
        r#"SELECT s.id, s.port_id, s.berth_id, s.interest_id, s.trigger, s.target_status, s.status,
                  s.decided_by, s.decided_at, s.created_at, s.updated_at, c.full_name AS "client_name?"
           FROM berth_status_suggestions s
           LEFT JOIN interests i ON i.id = s.interest_id
           LEFT JOIN clients c ON c.id = i.client_id
           WHERE s.id = $1 AND s.berth_id = $2 AND s.port_id = app_port_id()"#,
        sid,
        berth_id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound)
}

/// Accepts (`true`) or dismisses a pending suggestion in one transaction: a
/// decided one answers 409. Accepting sets the berth's status through
/// `berths::status::change` by the user, reason `rule:<trigger>`, and closes
/// the berth's other suggestions that change outran.
pub async fn decide(ctx: &PortCtx, berth_id: Uuid, sid: Uuid, accept: bool) -> Result<Suggestion> {
    let actor = Actor::from(ctx);
    let mut tx = ctx.begin().await?;
    // The berth first, as every status change locks it: no deadlock with a rule firing.
    locked_status(&mut tx, berth_id).await?;
    let row = sqlx::query!(
        "SELECT status, trigger, target_status FROM berth_status_suggestions
         WHERE id = $1 AND berth_id = $2 AND port_id = app_port_id() FOR UPDATE",
        sid,
        berth_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(Error::NotFound)?;
    if row.status != "pending" {
        return Err(Error::Conflict(format!(
            "This suggestion was already {}.",
            row.status
        )));
    }
    let decision = if accept { "accepted" } else { "dismissed" };
    if accept {
        let to: BerthStatus = row.target_status.parse().map_err(|e: String| {
            Error::Internal(anyhow::anyhow!(
                "suggestion {sid} targets {}: {e}",
                row.target_status
            ))
        })?;
        let reason = format!("rule:{}", row.trigger);
        if let Some(changed) = status::change(&mut tx, &actor, berth_id, to, &reason).await? {
            close_outrun(&mut tx, &actor, ctx.port.id, &changed, Some(sid)).await?;
        }
    }
    sqlx::query!(
        "UPDATE berth_status_suggestions SET status = $2, decided_by = $3, decided_at = now()
         WHERE id = $1",
        sid,
        decision,
        ctx.user.id
    )
    .execute(&mut *tx)
    .await?;
    let mut entry = Entry::new(Some(ctx.port.id), Action::Update, KIND, Some(sid));
    entry.field = Some("status");
    entry.old = Some(json!("pending"));
    entry.new = Some(json!(decision));
    entry.metadata = json!({"berth_id": berth_id, "target_status": row.target_status});
    audit::record(&mut tx, &actor, entry).await?;
    let out = one(&mut tx, berth_id, sid).await?;
    tx.commit().await?;
    Ok(out)
}

/// `POST …/berths/{id}/status-suggestions/{sid}/accept` → 200 with the suggestion.
pub async fn accept_api(
    ctx: PortCtx,
    Path((_, id, sid)): Path<(String, String, String)>,
) -> Result<Json<Suggestion>> {
    Ok(Json(decide(&ctx, id_of(&id)?, id_of(&sid)?, true).await?))
}

/// `POST …/berths/{id}/status-suggestions/{sid}/dismiss` → 200 with the suggestion.
pub async fn dismiss_api(
    ctx: PortCtx,
    Path((_, id, sid)): Path<(String, String, String)>,
) -> Result<Json<Suggestion>> {
    Ok(Json(decide(&ctx, id_of(&id)?, id_of(&sid)?, false).await?))
}
