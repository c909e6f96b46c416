//! The sign-in page and signing out from the pages.

use super::csrf::CsrfForm;
use super::login::{self, Credentials, RequestOrigin};
use super::session;
use super::{CurrentUser, MaybeUser};
use crate::access::{Access, Routes};
use crate::app::AppState;
use crate::http::{Error, Result};
use crate::web::render;
use crate::web::shell::Shell;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/login", Access::Public, form)
        .post("/login", Access::Public, submit)
        .post("/logout", Access::SignedIn, logout)
        .get(
            "/forgot-password",
            Access::Public,
            super::reset_pages::forgot_form,
        )
        .post(
            "/forgot-password",
            Access::Public,
            super::reset_pages::forgot_submit,
        )
        .get(
            "/reset-password/{token}",
            Access::Public,
            super::reset_pages::reset_form,
        )
        .post(
            "/reset-password/{token}",
            Access::Public,
            super::reset_pages::reset_submit,
        )
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    shell: Shell,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only a path of ours: never an absolute URL, so the form cannot send a user
/// elsewhere after signing in.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn page(
    email: String,
    next: String,
    error: Option<String>,
) -> Result<axum::response::Html<String>> {
    render(&LoginPage {
        shell: Shell::bare("Sign in", None),
        email,
        next,
        error,
    })
}

/// `GET /login`; already signed in, straight on.
async fn form(MaybeUser(user): MaybeUser, Query(q): Query<NextQuery>) -> Result<Response> {
    let next = safe_next(q.next.as_deref());
    if user.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    Ok(page(String::new(), next, None)?.into_response())
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// `POST /login`: on success a fresh session and on to `next`; otherwise the
/// form again with what was typed and one message that does not say which
/// half was wrong.
async fn submit(
    State(state): State<AppState>,
    RequestOrigin(origin): RequestOrigin,
    jar: CookieJar,
    axum::Form(f): axum::Form<LoginForm>,
) -> Result<Response> {
    let next = safe_next(f.next.as_deref());
    let creds = Credentials {
        email: f.email.clone(),
        password: f.password,
    };
    match login::authenticate(&state, &creds, &origin).await {
        Ok(user_id) => {
            let token = login::open_session(&state, &user_id, &origin).await?;
            let jar = jar.add(session::cookie(token, login::secure_cookies(&state)));
            Ok((jar, Redirect::to(&next)).into_response())
        }
        Err(Error::Unauthorized) => {
            let html = page(
                f.email,
                next,
                Some("That e-mail and password do not match an active account.".into()),
            )?;
            Ok((StatusCode::UNAUTHORIZED, html).into_response())
        }
        Err(Error::TooManyRequests { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60);
            let html = page(
                f.email,
                next,
                Some(format!(
                    "Too many failed attempts. Try again in {minutes} minute{}.",
                    if minutes == 1 { "" } else { "s" }
                )),
            )?;
            let mut res = (StatusCode::TOO_MANY_REQUESTS, html).into_response();
            res.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, retry_after_secs.into());
            Ok(res)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct Empty {}

/// `POST /logout` from the user menu (the form carries the CSRF token).
async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
    jar: CookieJar,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    login::close_session(&state, &user).await?;
    Ok((
        jar.add(session::removal(login::secure_cookies(&state))),
        Redirect::to("/login"),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(super::safe_next(Some("/ports/x?y=1")), "/ports/x?y=1");
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(super::safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(super::safe_next(None), "/");
    }
}
