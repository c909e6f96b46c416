//! `GET /`: straight to the first of the user's ports, or what to do without one.

use super::render;
use super::shell::{Section, Shell, UserMenu};
use crate::access;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::http::Result;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "no_ports.html")]
pub struct NoPortsPage {
    pub shell: Shell,
    pub is_super_admin: bool,
}

pub async fn show(State(state): State<AppState>, user: CurrentUser) -> Result<Response> {
    let ports = access::ports_of(&state, &user).await?;
    match ports.first() {
        // 303, so a later POST to `/` would also land on a GET of the dashboard.
        Some(port) => Ok(Redirect::to(&format!("/ports/{}", port.slug)).into_response()),
        None => {
            let mut shell = Shell::bare("Welcome", Some(Section::Dashboard));
            shell.user = Some(UserMenu::of(&user));
            Ok(render(&NoPortsPage {
                shell,
                is_super_admin: user.is_super_admin,
            })?
            .into_response())
        }
    }
}
