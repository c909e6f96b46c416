//! `GET /`: straight to the first port's dashboard, or how to create a port.

use super::render;
use super::shell::{Section, Shell};
use crate::app::AppState;
use crate::http::Result;
use crate::ports;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "no_ports.html")]
pub struct NoPortsPage {
    pub shell: Shell,
}

pub async fn show(State(state): State<AppState>) -> Result<Response> {
    let all = ports::list_active(state.db.pool()).await?;
    match all.first() {
        // 303, so a later POST to `/` would also land on a GET of the dashboard.
        Some(port) => Ok(Redirect::to(&format!("/ports/{}", port.slug)).into_response()),
        None => Ok(render(&NoPortsPage {
            shell: Shell::bare("Welcome", Some(Section::Dashboard)),
        })?
        .into_response()),
    }
}
