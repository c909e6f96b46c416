//! The account pages under the user menu: profile, API tokens, sessions.

use super::{DATE_FORMATS, PreferencesPatch, ProfilePatch, Theme};
use crate::access::{self, Access, Routes};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::auth::csrf::CsrfForm;
use crate::http::Result;
use crate::web::form::FormErrors;
use crate::web::render;
use crate::web::shell::{Shell, UserMenu};
pub use crate::web::tabs::Tab;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub fn routes(routes: Routes) -> Routes {
    let routes = routes.get("/me/profile", Access::SignedIn, show).post(
        "/me/profile",
        Access::SignedIn,
        save,
    );
    let routes = super::tokens_page::routes(routes);
    super::sessions_page::routes(routes)
}

/// The tabs of the account pages, `current` marked.
pub fn account_tabs(current: &str) -> Vec<Tab> {
    Tab::list(
        [
            ("Profile", "/me/profile".to_owned()),
            ("API tokens", "/me/tokens".to_owned()),
            ("Sessions", "/me/sessions".to_owned()),
            ("Notifications", "/me/notifications".to_owned()),
        ],
        current,
    )
}

/// The layout of an account page: not a port's page, so the navigation points
/// at the user's first port and no section is current.
pub async fn account_shell(state: &AppState, user: &CurrentUser, title: &str) -> Result<Shell> {
    let ports = access::ports_of(state, user).await?;
    let mut shell = match ports.first() {
        Some(port) => {
            let mut shell =
                Shell::for_port(title, crate::web::shell::Section::Dashboard, port, &ports);
            shell.nav.iter_mut().for_each(|i| i.current = false);
            let granted = access::permissions_at(state, user, port.id)
                .await?
                .unwrap_or_default();
            shell.settings_link(&port.slug, |k| granted.contains(k));
            shell
        }
        None => Shell::bare(title, None),
    };
    shell.title = title.to_owned();
    shell.user = Some(UserMenu::of(user));
    Ok(shell)
}

#[derive(Template)]
#[template(path = "account/profile.html")]
struct ProfilePage {
    shell: Shell,
    tabs: Vec<Tab>,
    email: String,
    form: ProfileForm,
    errors: FormErrors,
    saved: bool,
    themes: [Theme; 3],
    date_formats: [&'static str; 4],
}

#[derive(Debug, Default, Deserialize)]
struct ProfileForm {
    display_name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    avatar_url: String,
    #[serde(default)]
    theme: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    date_format: String,
}

#[derive(Deserialize)]
struct Saved {
    saved: Option<String>,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    form: ProfileForm,
    errors: FormErrors,
    saved: bool,
) -> Result<Response> {
    let status = errors.status();
    let html = render(&ProfilePage {
        shell: account_shell(state, user, "Profile").await?,
        tabs: account_tabs("Profile"),
        email: user.email.clone(),
        form,
        errors,
        saved,
        themes: Theme::ALL,
        date_formats: DATE_FORMATS,
    })?;
    Ok((status, html).into_response())
}

/// `GET /me/profile`
async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<Saved>,
) -> Result<Response> {
    let p = super::load(&state, &user.id).await?;
    let form = ProfileForm {
        display_name: p.display_name,
        phone: p.phone.unwrap_or_default(),
        avatar_url: p.avatar_url.unwrap_or_default(),
        theme: p.preferences.theme.as_str().to_owned(),
        locale: p.preferences.locale,
        date_format: p.preferences.date_format,
    };
    page(&state, &user, form, FormErrors::none(), q.saved.is_some()).await
}

/// `POST /me/profile`: saved and back to the page, or the page again with
/// each problem beside its field and what was typed kept.
async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<Response> {
    let theme = match form.theme.as_str() {
        "light" => Some(Theme::Light),
        "dark" => Some(Theme::Dark),
        _ => Some(Theme::System),
    };
    let patch = ProfilePatch {
        display_name: Some(form.display_name.clone()),
        avatar_url: Some(Some(form.avatar_url.clone())),
        phone: Some(Some(form.phone.clone())),
        preferences: Some(PreferencesPatch {
            theme,
            locale: Some(form.locale.trim().to_owned()),
            date_format: Some(form.date_format.clone()),
        }),
    };
    match super::apply(&state, &user, &patch).await {
        Ok(_) => Ok(Redirect::to("/me/profile?saved=1").into_response()),
        Err(e) => page(&state, &user, form, FormErrors::from_error(e)?, false).await,
    }
}
