//! `/ports/{port}/settings/port`: the port's name, colour (with a live swatch),
//! logo, time zone and currency.

use super::api::{PortPatch, apply, load};
use crate::access::{Access, PortCtx, Routes};
use crate::auth::csrf::CsrfForm;
use crate::http::Result;
use crate::settings::page::{shell, tabs};
use crate::web::form::FormErrors;
use crate::web::render;
use crate::web::shell::Shell;
use crate::web::tabs::Tab;
use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/ports/{port}/settings/port",
            Access::Port("settings.view"),
            show,
        )
        .post(
            "/ports/{port}/settings/port",
            Access::Port("settings.edit"),
            save,
        )
}

/// The colour shown when the port has none of its own (the stylesheet's accent).
const DEFAULT_COLOR: &str = "#0e7490";

#[derive(Template)]
#[template(path = "settings/port.html")]
struct PortPage {
    shell: Shell,
    tabs: Vec<Tab>,
    slug: String,
    can_edit: bool,
    form: PortForm,
    errors: FormErrors,
    saved: bool,
    timezones: Vec<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
struct PortForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    primary_color: String,
    #[serde(default)]
    logo_url: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    default_currency: String,
}

impl PortForm {
    /// What the colour picker shows: the typed colour when it is one, else the default.
    fn picker_color(&self) -> String {
        let c = self.primary_color.trim();
        if c.len() == 7 && crate::web::shell::Accent::parse(c).is_some() {
            c.to_ascii_lowercase()
        } else {
            DEFAULT_COLOR.to_owned()
        }
    }
}

#[derive(Deserialize)]
struct Saved {
    saved: Option<String>,
}

async fn page(
    ctx: &PortCtx,
    form: Option<PortForm>,
    errors: FormErrors,
    saved: bool,
) -> Result<Response> {
    let form = match form {
        Some(f) => f,
        None => {
            let mut tx = ctx.begin().await?;
            let p = load(&mut tx, ctx.port.id).await?;
            tx.commit().await?;
            PortForm {
                name: p.name,
                primary_color: p.primary_color.unwrap_or_default(),
                logo_url: p.logo_url.unwrap_or_default(),
                timezone: p.timezone,
                default_currency: p.default_currency,
            }
        }
    };
    let status = errors.status();
    let html = render(&PortPage {
        shell: shell(ctx, "Port").await?,
        tabs: tabs(ctx, "Port"),
        slug: ctx.port.slug.clone(),
        can_edit: ctx.can("settings.edit"),
        form,
        errors,
        saved,
        timezones: chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect(),
    })?;
    Ok((status, html).into_response())
}

/// `GET /ports/{port}/settings/port`
async fn show(ctx: PortCtx, Query(q): Query<Saved>) -> Result<Response> {
    page(&ctx, None, FormErrors::none(), q.saved.is_some()).await
}

/// `POST /ports/{port}/settings/port`
async fn save(ctx: PortCtx, CsrfForm(form): CsrfForm<PortForm>) -> Result<Response> {
    let patch = PortPatch {
        name: Some(form.name.clone()),
        primary_color: Some(Some(form.primary_color.clone())),
        logo_url: Some(Some(form.logo_url.clone())),
        timezone: Some(form.timezone.clone()),
        default_currency: Some(form.default_currency.clone()),
        ..PortPatch::default()
    };
    match apply(&ctx, &patch).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/ports/{}/settings/port?saved=1", ctx.port.slug))
                .into_response(),
        ),
        Err(e) => page(&ctx, Some(form), FormErrors::from_error(e)?, false).await,
    }
}
