//! Extractors whose rejections speak the one error type.

use super::error::Error;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

/// `axum::Json`, but a body that is not JSON answers 400, one that does not fit
/// the type answers 422 naming the problem, and an oversized one 413, all as
/// problem+json.
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(JsonRejection::JsonDataError(e)) => Err(Error::invalid("body", e.body_text())),
            Err(JsonRejection::JsonSyntaxError(_)) => {
                Err(Error::BadRequest("The body is not valid JSON.".into()))
            }
            Err(JsonRejection::MissingJsonContentType(_)) => Err(Error::BadRequest(
                "Send the body as application/json.".into(),
            )),
            Err(JsonRejection::BytesRejection(e))
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(Error::PayloadTooLarge)
            }
            Err(e) => Err(Error::BadRequest(e.body_text())),
        }
    }
}
