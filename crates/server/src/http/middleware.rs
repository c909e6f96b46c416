//! Cross-cutting middleware: trace spans, metrics, timeouts, panics.

use super::error::Problem;
use crate::app::AppState;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Response, StatusCode};
use axum::middleware::Next;
use axum::response::IntoResponse;
use std::any::Any;
use std::time::Instant;

/// One span per request, carrying the request id so every log line of the
/// request can be found from the id a user reports.
pub fn make_span(req: &Request) -> tracing::Span {
    let id = req
        .headers()
        .get(super::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
}

/// Request counts and latencies by route template (`/api/v1/ports/{port}`), never
/// by raw path, so the number of series stays bounded.
pub async fn record_metrics(req: Request, next: Next) -> impl IntoResponse {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().to_string();
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    res
}

/// Abandons a request that runs past the configured timeout with a 503.
pub async fn timeout(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> axum::response::Response {
    match tokio::time::timeout(state.config.request_timeout(), next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!("request timed out");
            let status = StatusCode::SERVICE_UNAVAILABLE;
            Problem::new(status, Some("The request took too long.".into()))
                .into_response_with(status)
        }
    }
}

/// A panic becomes an opaque 500; the panic message goes to the log only.
pub fn panic_response(err: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let message = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = message, "handler panicked");
    let status = StatusCode::INTERNAL_SERVER_ERROR;
    Problem::new(status, None).into_response_with(status)
}
