//! The HTTP layer: the router, its middleware, and what every route shares.

pub mod checked;
pub mod cursor;
pub mod error;
pub mod extract;
mod health;
mod middleware;
pub mod openapi;

pub use error::{Error, Result};

use crate::access::Routes;
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

/// Every API route and page, each with its declared access.
pub fn routes(state: &AppState) -> Routes {
    // Each domain adds its API routes and pages; the order does not matter.
    // A slice rather than an array: adding a domain is one line, no count to bump.
    let domains: &[fn(Routes) -> Routes] = &[
        crate::auth::api,
        crate::auth::api_tokens::routes,
        crate::profile::routes,
        crate::notifications::routes,
        crate::ports::routes,
        crate::members::routes,
        crate::roles::routes,
        crate::invitations::routes,
        crate::settings::routes,
        crate::audit::routes,
        crate::clients::routes,
        crate::mail::outbox::routes,
        crate::tags::routes,
        crate::custom_fields::routes,
        crate::notes::routes,
        crate::scratchpad::routes,
        crate::web::pages,
        crate::client_list::routes,
        crate::saved_views::routes,
        crate::search::routes,
        crate::waiting_list::routes,
        crate::berth_map::routes,
        crate::berths::routes,
        crate::interests::routes,
        crate::berth_rules::routes,
        crate::pipeline::routes,
        crate::recommendations::routes,
    ];
    domains
        .iter()
        .fold(Routes::new(state.clone()), |routes, add| add(routes))
}

/// The whole application: health, metrics, the JSON API and the pages.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.body_limit_bytes;
    // The CSV import reads its body itself, up to its own (larger) limit; the
    // extractors of every other route keep `body_limit` (DefaultBodyLimit).
    let outer_limit = body_limit.max(state.config.import_max_bytes);
    let (declared, _) = routes(&state).into_parts();
    // Pages answer errors as HTML; the same middleware lets `/api` problems pass.
    let app = declared.layer(axum::middleware::from_fn(error::html_error_pages));

    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/assets/{file}", get(crate::web::assets::serve))
        .route("/api/v1/openapi.json", get(openapi::document))
        .merge(app)
        .fallback(not_found)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(middleware::make_span))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CatchPanicLayer::custom(middleware::panic_response))
                .layer(axum::middleware::from_fn(middleware::record_metrics))
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    crate::auth::csrf::guard,
                ))
                .layer(CompressionLayer::new())
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    middleware::timeout,
                ))
                .layer(RequestBodyLimitLayer::new(outer_limit))
                .layer(DefaultBodyLimit::max(body_limit)),
        )
        .with_state(state)
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
