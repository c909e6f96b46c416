//! The pages of a password reset: ask for a link, then choose a new password.

use super::link_page::{LinkProblem, Way};
use super::login::{self, RequestOrigin};
use super::reset::{self, Refused};
use super::session;
use super::verifications::{self, PASSWORD_RESET, Standing};
use crate::app::AppState;
use crate::http::error::FieldErrors;
use crate::http::{Error, Result};
use crate::users::password;
use crate::web::render;
use crate::web::shell::Shell;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    shell: Shell,
    email: String,
    email_error: Option<String>,
    form_error: Option<String>,
    /// Set once the request is made: the page then says a link may be on its way.
    sent_to: Option<String>,
}

impl ForgotPage {
    fn new(email: String) -> ForgotPage {
        ForgotPage {
            shell: Shell::bare("Forgot your password?", None),
            email,
            email_error: None,
            form_error: None,
            sent_to: None,
        }
    }
}

#[derive(Deserialize)]
pub struct EmailQuery {
    email: Option<String>,
}

/// `GET /forgot-password`
pub async fn forgot_form(Query(q): Query<EmailQuery>) -> Result<Response> {
    Ok(render(&ForgotPage::new(q.email.unwrap_or_default()))?.into_response())
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

/// `POST /forgot-password`: the same answer whether the address has an account or not.
pub async fn forgot_submit(
    State(state): State<AppState>,
    RequestOrigin(origin): RequestOrigin,
    headers: HeaderMap,
    axum::Form(form): axum::Form<ForgotForm>,
) -> Result<Response> {
    let mut page = ForgotPage::new(form.email.trim().to_owned());
    match reset::request(&state, &headers, &origin, &form.email).await {
        Ok(()) => {
            page.sent_to = Some(page.email.to_lowercase());
            Ok(render(&page)?.into_response())
        }
        Err(Error::Unprocessable(_)) => {
            page.email_error = Some(if page.email.is_empty() {
                "Enter the e-mail address you sign in with.".into()
            } else {
                "That is not an e-mail address; it looks like name@example.com.".into()
            });
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(Error::TooManyRequests { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60);
            page.form_error = Some(format!(
                "Several links were asked for already. Use the newest e-mail, or try again in {minutes} minute{}.",
                if minutes == 1 { "" } else { "s" }
            ));
            let mut res = (StatusCode::TOO_MANY_REQUESTS, render(&page)?).into_response();
            res.headers_mut()
                .insert(header::RETRY_AFTER, retry_after_secs.into());
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    shell: Shell,
    action: String,
    email: String,
    errors: FieldErrors,
    min_length: usize,
}

impl ResetPage {
    fn new(token: &str, email: String) -> ResetPage {
        ResetPage {
            shell: Shell::bare("Choose a new password", None),
            action: format!("/reset-password/{token}"),
            email,
            errors: FieldErrors::new(),
            min_length: password::MIN_LENGTH,
        }
    }

    fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field).map(|m| m.join(" "))
    }
}

/// `GET /reset-password/{token}`
pub async fn reset_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response> {
    match verifications::look_up(state.db.pool(), &token, PASSWORD_RESET).await? {
        Standing::Usable(v) if v.user_id.is_some() => {
            Ok(render(&ResetPage::new(&token, v.identifier))?.into_response())
        }
        Standing::Usable(_) => explain(Standing::Unknown),
        other => explain(other),
    }
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

/// `POST /reset-password/{token}`: on success signed in afresh, on to `/`.
pub async fn reset_submit(
    State(state): State<AppState>,
    RequestOrigin(origin): RequestOrigin,
    jar: CookieJar,
    Path(token): Path<String>,
    axum::Form(form): axum::Form<ResetForm>,
) -> Result<Response> {
    match reset::perform(
        &state,
        &origin,
        &token,
        &form.password,
        &form.password_confirm,
    )
    .await?
    {
        Ok(user_id) => {
            let session = login::open_session(&state, &user_id, &origin).await?;
            let jar = jar.add(session::cookie(session, login::secure_cookies(&state)));
            Ok((jar, Redirect::to("/")).into_response())
        }
        Err(Refused::Fields(errors)) => {
            let email =
                match verifications::look_up(state.db.pool(), &token, PASSWORD_RESET).await? {
                    Standing::Usable(v) => v.identifier,
                    other => return explain(other),
                };
            let mut page = ResetPage::new(&token, email);
            page.errors = errors;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(Refused::Link(standing)) => explain(standing),
    }
}

/// The page for a reset link that does not work, with the way to a new one.
fn explain(standing: Standing) -> Result<Response> {
    let new_link = Way::primary("/forgot-password", "Send me a new link");
    let problem = match standing {
        Standing::Used(_) => LinkProblem::new(
            "used",
            "This reset link has already been used",
            "Each link works once, and this one has set a new password. Sign in with it, or ask for a new link if that was not you."
                .into(),
        )
        .way(Way::primary("/login", "Sign in"))
        .way(Way::other("/forgot-password", "Send me a new link")),
        Standing::Revoked(_) => LinkProblem::new(
            "revoked",
            "This reset link was replaced",
            "A newer link was sent after this one, and only the newest works. Use the link in the latest e-mail, or ask for a new one."
                .into(),
        )
        .way(new_link),
        Standing::Expired(v) => LinkProblem::new(
            "expired",
            "This reset link has expired",
            format!(
                "Reset links work for one hour; this one ended on {}. Ask for a new one: it takes a moment.",
                crate::mail::when(v.expires_at)
            ),
        )
        .way(new_link),
        Standing::Unknown | Standing::Usable(_) => LinkProblem::new(
            "unknown",
            "This reset link does not work",
            "No reset link has this address. It may have been cut short: copy the whole address from the e-mail, or ask for a new link."
                .into(),
        )
        .way(new_link),
    };
    problem.respond()
}
