//! The HTTP layer: the router, its middleware, and what every route shares.

pub mod error;
pub mod extract;
mod health;
mod middleware;

pub use error::{Error, Result};

use crate::app::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application: health, metrics, the JSON API and the pages.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.body_limit_bytes;
    let api = Router::new().nest("/api/v1", api_v1());
    let pages = crate::web::router().layer(axum::middleware::from_fn(error::html_error_pages));

    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .merge(api)
        .merge(pages)
        .fallback(not_found)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(middleware::make_span))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CatchPanicLayer::custom(middleware::panic_response))
                .layer(axum::middleware::from_fn(middleware::record_metrics))
                .layer(CompressionLayer::new())
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    middleware::timeout,
                ))
                .layer(RequestBodyLimitLayer::new(body_limit))
                .layer(DefaultBodyLimit::max(body_limit)),
        )
        .with_state(state)
}

/// `/api/v1`: each domain merges its routes here as it lands (sign-in, ports and
/// everything port-scoped arrive with the identity and access layer).
fn api_v1() -> Router<AppState> {
    Router::new()
}

/// Nothing matched: problem+json under `/api`, the HTML page elsewhere.
async fn not_found(uri: Uri) -> Response {
    let status = StatusCode::NOT_FOUND;
    let detail = "There is nothing here.";
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        error::Problem::new(status, Some(detail.into())).into_response_with(status)
    } else {
        (status, crate::web::error_page(status, Some(detail))).into_response()
    }
}
