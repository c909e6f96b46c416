//! `/me/tokens`: create an API token (shown once), see when each was last
//! used, revoke one.

use super::page::{Tab, account_shell, account_tabs};
use crate::access::{self, Access, Routes};
use crate::app::AppState;
use crate::auth::api_tokens::{self, Created, NewToken, TokenOut};
use crate::auth::csrf::CsrfForm;
use crate::auth::{CurrentUser, SessionUser};
use crate::http::{Error, Result};
use crate::ports::Port;
use crate::web::form::FormErrors;
use crate::web::render;
use crate::web::shell::Shell;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use uuid::Uuid;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/me/tokens", Access::SignedIn, show)
        .post("/me/tokens", Access::SignedIn, create)
        .post("/me/tokens/{id}/revoke", Access::SignedIn, revoke)
}

/// How many tokens the page lists (newest first); the API pages through all.
const SHOWN: i64 = 200;

#[derive(Template)]
#[template(path = "account/tokens.html")]
struct TokensPage {
    shell: Shell,
    tabs: Vec<Tab>,
    ports: Vec<Port>,
    tokens: Vec<TokenOut>,
    form: TokenForm,
    errors: FormErrors,
    created: Option<Created>,
    now: DateTime<Utc>,
}

impl TokensPage {
    /// The day, for the table; the exact time goes in its title.
    fn day(&self, at: &DateTime<Utc>) -> String {
        at.format("%Y-%m-%d").to_string()
    }

    fn when(&self, at: &DateTime<Utc>) -> String {
        at.format("%Y-%m-%d %H:%M UTC").to_string()
    }

    /// The last day a token works: it ends at the start of the day after.
    fn last_day(&self, at: &DateTime<Utc>) -> String {
        (*at - chrono::Duration::seconds(1))
            .format("%Y-%m-%d")
            .to_string()
    }

    fn state_of(&self, t: &TokenOut) -> &'static str {
        if t.revoked_at.is_some() {
            "revoked"
        } else if t.expires_at.is_some_and(|e| e <= self.now) {
            "expired"
        } else {
            "active"
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    port: String,
    /// `YYYY-MM-DD`; the token works until the end of that day (UTC).
    #[serde(default)]
    expires_on: String,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    form: TokenForm,
    errors: FormErrors,
    created: Option<Created>,
) -> Result<Response> {
    let status = if created.is_some() {
        StatusCode::CREATED
    } else {
        errors.status()
    };
    let html = render(&TokensPage {
        shell: account_shell(state, user, "API tokens").await?,
        tabs: account_tabs("API tokens"),
        ports: access::ports_of(state, user).await?,
        tokens: api_tokens::of_user(state, &user.id, None, SHOWN).await?,
        form,
        errors,
        created,
        now: Utc::now(),
    })?;
    Ok((status, html).into_response())
}

/// `GET /me/tokens`
async fn show(State(state): State<AppState>, SessionUser(user): SessionUser) -> Result<Response> {
    page(
        &state,
        &user,
        TokenForm::default(),
        FormErrors::none(),
        None,
    )
    .await
}

/// `POST /me/tokens`: the page again, with the new token in a box to copy.
async fn create(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> Result<Response> {
    let expires_at = match form.expires_on.trim() {
        "" => None,
        day => match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
            Ok(d) => d
                .succ_opt()
                .and_then(|next| next.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc()),
            Err(_) => {
                let errors = FormErrors::one("expires_at", "must be a date");
                return page(&state, &user, form, errors, None).await;
            }
        },
    };
    let new = NewToken {
        name: form.name.clone(),
        port: form.port.clone(),
        expires_at,
    };
    match api_tokens::issue(&state, &user, &new).await {
        Ok(created) => {
            page(
                &state,
                &user,
                TokenForm::default(),
                FormErrors::none(),
                Some(created),
            )
            .await
        }
        Err(Error::NotFound) => {
            let errors = FormErrors::one("port", "choose one of your ports");
            page(&state, &user, form, errors, None).await
        }
        Err(e) => page(&state, &user, form, FormErrors::from_error(e)?, None).await,
    }
}

#[derive(Deserialize)]
struct Empty {}

/// `POST /me/tokens/{id}/revoke`
async fn revoke(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
    Path(id): Path<Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    if !api_tokens::revoke_one(&state, &user, id).await? {
        return Err(Error::NotFound);
    }
    Ok(Redirect::to("/me/tokens").into_response())
}
