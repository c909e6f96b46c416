//! Outbound webhooks (DESIGN.md, "Webhooks (outbound)"): events queued as
//! pending `webhook_deliveries`, one per active webhook of the port that
//! subscribes to the event. Signing, sending and retrying read that queue
//! (a later part of the product); queueing happens here, inside the
//! transaction of the change the event reports, so a delivery exists exactly
//! when its change committed.

use chrono::Utc;
use serde_json::{Value, json};
use sqlx::PgConnection;
use uuid::Uuid;

/// Queues `event` with `data` for every active webhook of the transaction's
/// port subscribed to it; how many deliveries were queued. The body is
/// `{"event", "port_id", "occurred_at", "data"}`, the same for every target.
pub async fn queue(
    conn: &mut PgConnection,
    port_id: Uuid,
    event: &str,
    data: Value,
) -> Result<u64, sqlx::Error> {
    let payload = json!({
        "event": event,
        "port_id": port_id,
        "occurred_at": Utc::now(),
        "data": data,
    });
    let done = sqlx::query!(
        "INSERT INTO webhook_deliveries (port_id, webhook_id, event_type, payload)
         SELECT w.port_id, w.id, $2, $3 FROM webhooks w
         WHERE w.port_id = $1 AND w.is_active AND $2 = ANY(w.events)",
        port_id,
        event,
        payload
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
