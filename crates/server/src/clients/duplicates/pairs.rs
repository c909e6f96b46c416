//! Reading and resolving pairs: the pending list, a client's possible
//! duplicates, dismissing a pair.

use crate::access::PortCtx;
use crate::audit::{self, Actor};
use crate::http::cursor::{List, PageQuery};
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Debug, Serialize)]
pub struct Side {
    pub id: Uuid,
    pub full_name: String,
}

/// A pending pair as the list shows it.
#[derive(Debug, Serialize)]
pub struct Pair {
    pub id: Uuid,
    pub client_a: Side,
    pub client_b: Side,
    pub reasons: Vec<String>,
    pub name_similarity: Option<f32>,
    pub score: f32,
    pub detected_at: DateTime<Utc>,
}

/// One page of the port's pending pairs, best first (score, then id).
pub async fn page(conn: &mut PgConnection, q: &PageQuery) -> Result<List<Pair>> {
    let limit = q.limit()?;
    let after: Option<(f32, Uuid)> = q.after()?;
    let (score, id) = after.map_or((None, None), |(s, i)| (Some(s), Some(i)));
    let rows = sqlx::query!(
        r#"SELECT d.id, d.client_a_id, a.full_name AS a_name, d.client_b_id, b.full_name AS b_name,
                  d.reasons, d.name_similarity, d.score, d.detected_at
           FROM client_duplicate_candidates d
           JOIN clients a ON a.id = d.client_a_id
           JOIN clients b ON b.id = d.client_b_id
           WHERE d.status = 'pending'
             AND ($1::real IS NULL OR (d.score, d.id) < ($1, $2))
           ORDER BY d.score DESC, d.id DESC
           LIMIT $3"#,
        score,
        id,
        limit + 1
    )
    .fetch_all(&mut *conn)
    .await?;
    let pairs = rows
        .into_iter()
        .map(|r| Pair {
            id: r.id,
            client_a: Side {
                id: r.client_a_id,
                full_name: r.a_name,
            },
            client_b: Side {
                id: r.client_b_id,
                full_name: r.b_name,
            },
            reasons: r.reasons,
            name_similarity: r.name_similarity,
            score: r.score,
            detected_at: r.detected_at,
        })
        .collect();
    Ok(List::page(pairs, limit, |p| (p.score, p.id)))
}

/// `GET …/clients/duplicates`.
pub async fn list(ctx: PortCtx, Query(q): Query<PageQuery>) -> Result<Json<List<Pair>>> {
    let mut tx = ctx.begin().await?;
    let list = page(&mut tx, &q).await?;
    tx.commit().await?;
    Ok(Json(list))
}

/// Marks a pair "not a duplicate"; later scans leave it so.
pub async fn dismiss_pair(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    pair: Uuid,
) -> Result<()> {
    let row = sqlx::query!(
        "UPDATE client_duplicate_candidates
         SET status = 'dismissed', resolved_by = $2, resolved_at = now()
         WHERE id = $1 AND status = 'pending'
         RETURNING client_a_id, client_b_id",
        pair,
        actor.user_id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        // Already dismissed: nothing to do; missing or another port's: 404.
        let exists = sqlx::query_scalar!(
            r#"SELECT 1 AS "one!" FROM client_duplicate_candidates WHERE id = $1"#,
            pair
        )
        .fetch_optional(&mut *conn)
        .await?;
        return exists.map(|_| ()).ok_or(Error::NotFound);
    };
    audit::record_update(
        conn,
        actor,
        Some(port_id),
        "client_duplicate",
        pair,
        &json!({"status": "pending", "client_a_id": row.client_a_id, "client_b_id": row.client_b_id}),
        &json!({"status": "dismissed", "client_a_id": row.client_a_id, "client_b_id": row.client_b_id}),
    )
    .await?;
    Ok(())
}

/// `POST …/clients/duplicates/{pair_id}/dismiss` → 204.
pub async fn dismiss(ctx: PortCtx, Path((_, pair)): Path<(String, String)>) -> Result<StatusCode> {
    let pair = Uuid::parse_str(&pair).map_err(|_| Error::NotFound)?;
    let mut tx = ctx.begin().await?;
    dismiss_pair(&mut tx, &Actor::from(&ctx), ctx.port.id, pair).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Another client `client_id` may duplicate (a pending pair).
#[derive(Debug, Serialize)]
pub struct Possible {
    pub pair_id: Uuid,
    pub client_id: Uuid,
    pub full_name: String,
    pub reasons: Vec<String>,
    pub score: f32,
}

/// The clients `client_id` possibly duplicates, best first.
pub async fn of_client(conn: &mut PgConnection, client_id: Uuid) -> Result<Vec<Possible>> {
    let rows = sqlx::query!(
        r#"SELECT d.id, c.id AS other, c.full_name, d.reasons, d.score
           FROM client_duplicate_candidates d
           JOIN clients c ON c.id = CASE WHEN d.client_a_id = $1 THEN d.client_b_id ELSE d.client_a_id END
           WHERE d.status = 'pending' AND (d.client_a_id = $1 OR d.client_b_id = $1)
           ORDER BY d.score DESC, c.full_name"#,
        client_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Possible {
            pair_id: r.id,
            client_id: r.other,
            full_name: r.full_name,
            reasons: r.reasons,
            score: r.score,
        })
        .collect())
}
