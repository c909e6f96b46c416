//! Forged requests: a page of another site must not act with our session cookie.
//!
//! Two layers. Every unsafe request carrying the session cookie (and no API
//! token) is refused when the browser marks it cross-site (`Sec-Fetch-Site:
//! cross-site`) or sends an `Origin` other than ours; scripts that send
//! neither header, and API tokens, pass. HTML forms also carry the session's
//! token in a `_csrf` field, checked by [`CsrfForm`].

use super::CurrentUser;
use super::session::COOKIE;
use super::tokens;
use crate::app::AppState;
use crate::http::{Error, Result};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

fn unsafe_method(m: &Method) -> bool {
    !matches!(
        *m,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

fn has_session_cookie(req: &Request) -> bool {
    req.headers().get_all(header::COOKIE).iter().any(|v| {
        v.to_str().is_ok_and(|s| {
            s.split(';')
                .any(|c| c.trim_start().starts_with(&format!("{COOKIE}=")))
        })
    })
}

/// `scheme://host[:port]` of the server as the browser sees it.
fn same_origin(state: &AppState, req: &Request, origin: &str) -> bool {
    if let Some(public) = &state.config.public_url {
        return origin.trim_end_matches('/') == public.trim_end_matches('/');
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest == host)
}

/// The middleware: refuses cross-site unsafe requests riding on the cookie.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if unsafe_method(req.method())
        && has_session_cookie(&req)
        && !req.headers().contains_key(header::AUTHORIZATION)
    {
        let cross_site = req
            .headers()
            .get("sec-fetch-site")
            .is_some_and(|v| v.as_bytes() == b"cross-site");
        let foreign_origin = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|o| !same_origin(&state, &req, o));
        if cross_site || foreign_origin {
            tracing::warn!(method = %req.method(), path = %req.uri().path(), "cross-site request refused");
            return Error::Forbidden.into_response();
        }
    }
    next.run(req).await
}

/// An urlencoded form whose `_csrf` field must match the session's token.
/// The rest of the fields deserialize into `T`.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &AppState) -> Result<Self> {
        let (mut parts, body) = req.into_parts();
        let user = CurrentUser::from_request_parts(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| Error::BadRequest("The form could not be read.".into()))?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| Error::BadRequest("The form is malformed.".into()))?;
        let expected = user
            .session()
            .map(|s| s.csrf_token.as_str())
            .ok_or(Error::Forbidden)?;
        let given = pairs
            .iter()
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if !tokens::same(given, expected) {
            return Err(Error::Forbidden);
        }
        let rest: Vec<&(String, String)> = pairs.iter().filter(|(k, _)| k != "_csrf").collect();
        let encoded = serde_urlencoded::to_string(rest).map_err(|e| Error::Internal(e.into()))?;
        let value = serde_urlencoded::from_str(&encoded)
            .map_err(|e| Error::invalid("form", e.to_string()))?;
        Ok(CsrfForm(value))
    }
}
