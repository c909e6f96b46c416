//! The duplicates API.

use super::scan;
use crate::access::PortCtx;
use crate::http::Result;
use axum::Json;
use serde::Serialize;

#[derive(Serialize)]
pub struct ScanSummary {
    /// Clients scanned (the whole port).
    pub clients: usize,
    /// Pending pairs after the scan.
    pub pairs: usize,
    /// Pairs first found by this scan.
    pub new: usize,
}

/// `POST …/clients/duplicates/scan`: rescans every client of the port.
pub async fn rescan(ctx: PortCtx) -> Result<Json<ScanSummary>> {
    let mut tx = ctx.begin().await?;
    let ids = sqlx::query_scalar!("SELECT id FROM clients WHERE port_id = $1", ctx.port.id)
        .fetch_all(&mut *tx)
        .await?;
    let found = scan(&mut tx, ctx.port.id, &ids).await?;
    tx.commit().await?;
    Ok(Json(ScanSummary {
        clients: ids.len(),
        pairs: found.len(),
        new: found.iter().filter(|c| c.is_new).count(),
    }))
}
