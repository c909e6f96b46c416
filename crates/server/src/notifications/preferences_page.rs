//! `/me/notifications`: which notifications reach the user, in the app and by
//! e-mail, for each port of theirs. One grid of checkboxes per port.

use super::Kind;
use super::preferences::{self, Change, Preference};
use crate::access::{Access, Routes};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfForm;
use crate::http::Result;
use crate::profile::page::{Tab, account_shell, account_tabs};
use crate::web::render;
use crate::web::shell::Shell;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/me/notifications", Access::SignedIn, show)
        .post("/me/notifications", Access::SignedIn, save)
}

pub struct Row {
    pub kind: &'static str,
    pub label: &'static str,
    pub in_app: bool,
    pub email: bool,
}

pub struct PortGrid {
    pub slug: String,
    pub name: String,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "account/notifications.html")]
struct PreferencesPage {
    shell: Shell,
    tabs: Vec<Tab>,
    ports: Vec<PortGrid>,
    saved: bool,
}

#[derive(Deserialize)]
struct Saved {
    saved: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<Saved>,
) -> Result<Response> {
    let ports = crate::access::ports_of(&state, &user).await?;
    let prefs = preferences::read(&state.db, &user.id, &ports).await?;
    let grids = ports
        .iter()
        .map(|p| PortGrid {
            slug: p.slug.clone(),
            name: p.name.clone(),
            rows: Kind::ALL
                .iter()
                .map(|k| {
                    let pref: Option<&Preference> = prefs
                        .iter()
                        .find(|x| x.port == p.slug && x.notification_type == k.as_str());
                    Row {
                        kind: k.as_str(),
                        label: k.label(),
                        in_app: pref.is_none_or(|x| x.in_app),
                        email: pref.is_none_or(|x| x.email),
                    }
                })
                .collect(),
        })
        .collect();
    let html = render(&PreferencesPage {
        shell: account_shell(&state, &user, "Notifications").await?,
        tabs: account_tabs("Notifications"),
        ports: grids,
        saved: q.saved.is_some(),
    })?;
    Ok(html.into_response())
}

/// `POST /me/notifications`: a checkbox sends nothing when unticked, so each
/// port's grid carries `shown:<port>`; only the grids shown are changed.
async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response> {
    let ticked = |key: String| form.contains_key(&key);
    let mut changes: Vec<Change> = Vec::new();
    for port in form.keys().filter_map(|k| k.strip_prefix("shown:")) {
        for kind in Kind::ALL {
            let kind = kind.as_str();
            changes.push(Change {
                port: port.to_owned(),
                notification_type: kind.to_owned(),
                in_app: ticked(format!("{port}:{kind}:in_app")),
                email: ticked(format!("{port}:{kind}:email")),
            });
        }
    }
    preferences::apply(&state, &user, &changes).await?;
    Ok(Redirect::to("/me/notifications?saved=1").into_response())
}
