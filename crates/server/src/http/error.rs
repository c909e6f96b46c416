//! The one error type of the HTTP layer.
//!
//! Every handler returns `Result<T>`; an `Error` becomes an RFC 9457
//! `application/problem+json` response. Pages outside `/api` turn the same
//! response into an HTML error page (see [`html_error_pages`]), so there is one
//! place that decides what a client may learn: internal errors are logged with
//! their chain and answered with an opaque 500, never with SQL or a message.

use axum::Json;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::BTreeMap;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Field name → messages, as in the `errors` member of a problem.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("authentication required")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    /// Missing, or belonging to another port: the two must look the same.
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("validation failed")]
    Unprocessable(FieldErrors),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// The database cannot be reached right now; the pool reconnects by itself.
    #[error("service unavailable")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    /// A 422 for one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Error {
        let mut errors = FieldErrors::new();
        errors.insert(field.to_owned(), vec![message.into()]);
        Error::Unprocessable(errors)
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::Unauthorized => StatusCode::UNAUTHORIZED,
            Error::Forbidden => StatusCode::FORBIDDEN,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => Error::NotFound,
            // Connection trouble is the database being away, not a bug: 503, and the
            // pool opens fresh connections once it is back.
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_) => {
                tracing::warn!(error = %e, "database unavailable");
                Error::Unavailable
            }
            sqlx::Error::Database(ref db) if db.code().is_some_and(|c| is_unavailable(&c)) => {
                tracing::warn!(error = %e, "database unavailable");
                Error::Unavailable
            }
            other => Error::Internal(anyhow::Error::new(other)),
        }
    }
}

/// SQLSTATEs that mean "the database is not there right now" rather than a bug:
/// connection exceptions (08…), shutdowns and restarts (57P01–57P03), the
/// database missing or refusing connections (3D000, 55000 at connect time).
fn is_unavailable(code: &str) -> bool {
    code.starts_with("08")
        || matches!(
            code,
            "57P01" | "57P02" | "57P03" | "3D000" | "55000" | "53300"
        )
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<FieldErrors>,
}

pub const PROBLEM_JSON: &str = "application/problem+json";

impl Problem {
    pub fn new(status: StatusCode, detail: Option<String>) -> Problem {
        Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors: None,
        }
    }

    pub fn into_response_with(self, status: StatusCode) -> Response {
        let mut res = (status, Json(self)).into_response();
        res.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        res
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = match &self {
            Error::BadRequest(m) | Error::Conflict(m) => Some(m.clone()),
            Error::Unauthorized => Some("Sign in to continue.".into()),
            Error::Forbidden => Some("Your role does not allow this.".into()),
            Error::NotFound => Some("There is nothing here.".into()),
            Error::PayloadTooLarge => Some("The request body is larger than allowed.".into()),
            Error::Unprocessable(_) => Some("Some fields are not valid.".into()),
            Error::TooManyRequests { .. } => Some("Too many attempts; try again later.".into()),
            Error::Unavailable => {
                Some("The service is briefly unavailable; try again shortly.".into())
            }
            Error::Internal(e) => {
                // The chain goes to the log, never to the client.
                tracing::error!(error = ?e, "internal error");
                None
            }
        };
        let mut problem = Problem::new(status, detail);
        if let Error::Unprocessable(errors) = &self {
            problem.errors = Some(errors.clone());
        }
        let mut res = problem.into_response_with(status);
        if let Error::TooManyRequests { retry_after_secs } = self {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        res
    }
}

/// Middleware for the pages: a problem+json error response becomes the HTML
/// error page, with the same status and the problem's safe detail.
pub async fn html_error_pages(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let wanted = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let res = next.run(req).await;
    if path.starts_with("/api/") {
        return res;
    }

    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !is_problem {
        return res;
    }
    // Not signed in on a page: to the sign-in form, coming back here after.
    if res.status() == StatusCode::UNAUTHORIZED {
        let next = serde_urlencoded::to_string([("next", wanted)]).unwrap_or_default();
        return axum::response::Redirect::to(&format!("/login?{next}")).into_response();
    }
    let status = res.status();
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let detail = serde_json::from_slice::<Problem>(&bytes)
        .ok()
        .and_then(|p| p.detail);
    let mut page = crate::web::error_page(status, detail.as_deref()).into_response();
    *page.status_mut() = status;
    if let Some(retry) = parts.headers.get(header::RETRY_AFTER) {
        page.headers_mut()
            .insert(header::RETRY_AFTER, retry.clone());
    }
    page
}

/// Maps a unique-violation on `constraint` to a 409 with `message`, leaving other
/// errors as they are. Use as `.map_err(on_constraint("idx_ports_slug", "…"))`.
pub fn on_constraint(
    constraint: &'static str,
    message: &'static str,
) -> impl FnOnce(sqlx::Error) -> Error {
    move |e| match &e {
        sqlx::Error::Database(db) if db.constraint() == Some(constraint) => {
            Error::Conflict(message.to_owned())
        }
        _ => Error::from(e),
    }
}
