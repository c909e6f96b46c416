//! `/me/sessions`: where the user is signed in, and ending a session.

use super::page::{Tab, account_shell, account_tabs};
use crate::access::{Access, Routes};
use crate::app::AppState;
use crate::auth::csrf::CsrfForm;
use crate::auth::session::{self, Summary};
use crate::auth::{SessionUser, login};
use crate::http::{Error, Result};
use crate::web::render;
use crate::web::shell::Shell;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

pub fn routes(routes: Routes) -> Routes {
    routes.get("/me/sessions", Access::SignedIn, show).post(
        "/me/sessions/{id}/revoke",
        Access::SignedIn,
        revoke,
    )
}

#[derive(Template)]
#[template(path = "account/sessions.html")]
struct SessionsPage {
    shell: Shell,
    tabs: Vec<Tab>,
    sessions: Vec<Summary>,
}

impl SessionsPage {
    fn when(&self, at: &DateTime<Utc>) -> String {
        at.format("%Y-%m-%d %H:%M UTC").to_string()
    }

    /// A short name for a user agent: the browser and the system.
    fn device(&self, s: &Summary) -> String {
        describe_agent(s.user_agent.as_deref().unwrap_or(""))
    }
}

/// "Firefox on Linux" from a user agent string; the raw string is on hover.
pub fn describe_agent(ua: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .into_iter()
    .find(|(k, _)| ua.contains(k))
    .map(|(_, name)| name);
    let system = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(k, _)| ua.contains(k))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => s.to_owned(),
        (None, None) if ua.is_empty() => "Unknown device".to_owned(),
        (None, None) => ua.chars().take(40).collect(),
    }
}

/// `GET /me/sessions`
async fn show(State(state): State<AppState>, SessionUser(user): SessionUser) -> Result<Response> {
    let current = user.session().map(|s| s.id).unwrap_or_default();
    let html = render(&SessionsPage {
        shell: account_shell(&state, &user, "Sessions").await?,
        tabs: account_tabs("Sessions"),
        sessions: session::list(state.db.pool(), &user.id, current).await?,
    })?;
    Ok(html.into_response())
}

#[derive(Deserialize)]
struct Empty {}

/// `POST /me/sessions/{id}/revoke`: ending this device's own session signs out.
async fn revoke(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
    jar: CookieJar,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    if user.session().is_some_and(|s| s.id == id) {
        login::close_session(&state, &user).await?;
        let jar = jar.add(session::removal(login::secure_cookies(&state)));
        return Ok((jar, Redirect::to("/login")).into_response());
    }
    if !session::revoke(state.db.pool(), &user.id, id).await? {
        return Err(Error::NotFound);
    }
    Ok(Redirect::to("/me/sessions").into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn agents_read_as_browser_and_system() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";
        assert_eq!(super::describe_agent(chrome), "Chrome on Linux");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(super::describe_agent(iphone), "Safari on iPhone");
        assert_eq!(super::describe_agent(""), "Unknown device");
    }
}
