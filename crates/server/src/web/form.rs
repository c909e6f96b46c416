//! What a page form shows beside its fields after a refused submission.

use crate::http::Error;
use crate::http::error::FieldErrors;
use axum::http::StatusCode;

/// Field → message, from a 422 (or a 409 or 403, shown at the top of the
/// form under [`FORM`]), and the status the page answers with.
#[derive(Debug, Clone)]
pub struct FormErrors {
    errors: FieldErrors,
    status: StatusCode,
}

impl Default for FormErrors {
    fn default() -> FormErrors {
        FormErrors {
            errors: FieldErrors::new(),
            status: StatusCode::OK,
        }
    }
}

/// The key under which a conflict or a refusal is shown: the form as a whole.
pub const FORM: &str = "form";

impl FormErrors {
    pub fn none() -> FormErrors {
        FormErrors::default()
    }

    /// One field's problem (422).
    pub fn one(field: &str, message: impl Into<String>) -> FormErrors {
        let mut errors = FieldErrors::new();
        errors.insert(field.to_owned(), vec![message.into()]);
        FormErrors {
            errors,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// The errors a form can show for `e`; anything else stays an error page.
    pub fn from_error(e: Error) -> Result<FormErrors, Error> {
        let status = e.status();
        let errors = match e {
            Error::Unprocessable(errors) => errors,
            Error::Conflict(message) => FormErrors::one(FORM, message).errors,
            Error::Forbidden => FormErrors::one(FORM, "Your role does not allow this.").errors,
            other => return Err(other),
        };
        Ok(FormErrors { errors, status })
    }

    /// The HTTP status of the page that shows these errors.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The messages for `field`, joined, for display beside it.
    pub fn get(&self, field: &str) -> Option<String> {
        self.errors.get(field).map(|m| m.join(" "))
    }

    /// Messages for `field` or any field below it (`send_window` covers
    /// `send_window.start`).
    pub fn under(&self, field: &str) -> Option<String> {
        let prefix = format!("{field}.");
        let found: Vec<String> = self
            .errors
            .iter()
            .filter(|(k, _)| *k == field || k.starts_with(&prefix))
            .flat_map(|(_, m)| m.iter().cloned())
            .collect();
        (!found.is_empty()).then(|| found.join(" "))
    }

    /// Every message, for a form that shows them in one place.
    pub fn all(&self) -> Option<String> {
        let all: Vec<String> = self.errors.values().flatten().cloned().collect();
        (!all.is_empty()).then(|| all.join(" "))
    }

    pub fn has(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
}
