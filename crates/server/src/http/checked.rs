//! Request bodies whose 422 names the field at fault (`preferences.theme`,
//! `send_window.start`, `[2].mode`) rather than the body as a whole, so a form
//! or a client can put the message beside the right input.

use super::error::{Error, FieldErrors};
use super::extract::Json;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Like [`Json`], but a body that does not fit `T` answers 422 with the path
/// of the offending field as the error's key.
pub struct Checked<T>(pub T);

impl<S, T> FromRequest<S> for Checked<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<Value>::from_request(req, state).await?;
        Ok(Checked(from_value(value)?))
    }
}

/// Deserializes `value` into `T`; the 422 names the field that did not fit.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        Error::invalid(&field, e.into_inner().to_string())
    })
}

/// Collects `(field, message)` pairs into a 422, or `Ok` when there are none.
pub fn problems(list: impl IntoIterator<Item = (String, String)>) -> Result<(), Error> {
    let mut errors = FieldErrors::new();
    for (field, message) in list {
        errors.entry(field).or_default().push(message);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Unprocessable(errors))
    }
}

/// For optional fields that may be set to `null`: absent is `None`, `null`
/// is `Some(None)`. Use with `#[serde(default, deserialize_with = "nullable")]`.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Prefs {
        theme: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: Option<String>,
        preferences: Option<Prefs>,
        #[serde(default, deserialize_with = "nullable")]
        phone: Option<Option<String>>,
    }

    fn field_of(v: Value) -> String {
        match from_value::<Body>(v) {
            Err(Error::Unprocessable(e)) => e.keys().next().unwrap().clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_error_names_the_field() {
        assert_eq!(field_of(json!({"name": 3})), "name");
        assert_eq!(
            field_of(json!({"preferences": {"theme": 1}})),
            "preferences.theme"
        );
        assert_eq!(
            field_of(json!({"preferences": {"colour": "x"}})),
            "preferences.colour"
        );
        assert_eq!(field_of(json!({"nope": 1})), "nope");
        assert_eq!(field_of(json!("text")), "body");
    }

    #[test]
    fn null_and_absent_differ() {
        let b: Body = from_value(json!({"phone": null})).unwrap();
        assert_eq!(b.phone, Some(None));
        let b: Body = from_value(json!({})).unwrap();
        assert_eq!(b.phone, None);
    }
}
