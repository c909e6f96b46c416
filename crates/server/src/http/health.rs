//! Liveness, readiness and metrics endpoints for the operator's tooling.

use super::error::Problem;
use crate::app::AppState;
use crate::db::migrate;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The process is up and answering.
pub async fn healthz() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

/// Ready to serve: the database answers and carries every migration this
/// binary knows. Otherwise 503, so a load balancer sends traffic elsewhere.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let status = StatusCode::SERVICE_UNAVAILABLE;
    match migrate::is_current(state.db.pool(), state.migrator).await {
        Ok(true) => Json(json!({"status": "ready"})).into_response(),
        Ok(false) => Problem::new(
            status,
            Some("The database schema is not up to date.".into()),
        )
        .into_response_with(status),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            Problem::new(status, Some("The database is unreachable.".into()))
                .into_response_with(status)
        }
    }
}

/// Prometheus text exposition.
pub async fn metrics() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::telemetry::metrics().render(),
    )
}
