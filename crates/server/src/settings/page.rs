//! The Settings area of a port: its tabs, its entry point, and the page of
//! the reminder settings (follow-ups and EOI reminders).

use super::api::store;
use super::{Source, find, get_with_source};
use crate::access::{self, Access, PortCtx, Routes};
use crate::auth::csrf::CsrfForm;
use crate::http::{Error, Result};
use crate::web::form::FormErrors;
use crate::web::render;
use crate::web::shell::{Section, Shell};
use crate::web::tabs::Tab;
use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use domain::settings::{EoiReminderSettings, FollowUpDefaults, SendWindow};
use serde::Deserialize;

pub fn routes(routes: Routes) -> Routes {
    let routes = routes
        .get(
            "/ports/{port}/settings",
            Access::AnyOf(&crate::web::shell::SETTINGS_VIEW),
            index,
        )
        .get(
            "/ports/{port}/settings/reminders",
            Access::Port("settings.view"),
            show,
        )
        .post(
            "/ports/{port}/settings/reminders",
            Access::Port("settings.edit"),
            save,
        );
    super::berth_rules::routes(routes)
}

/// The pages of the Settings area and the permission that shows each.
const AREA: [(&str, &str, &str); 7] = [
    ("Members", "members", "users.view"),
    ("Roles", "roles", "roles.view"),
    ("Port", "port", "settings.view"),
    ("Reminders", "reminders", "settings.view"),
    ("Berth rules", "berth-rules", "settings.view"),
    ("Tags", "tags", "tags.view"),
    ("Custom fields", "custom-fields", "custom_fields.view"),
];

/// The tabs of the Settings area the user may open.
pub fn tabs(ctx: &PortCtx, current: &str) -> Vec<Tab> {
    Tab::list(
        AREA.iter()
            .filter(|(_, _, key)| ctx.can(key))
            .map(|(label, path, _)| (*label, format!("/ports/{}/settings/{path}", ctx.port.slug))),
        current,
    )
}

/// The layout of a Settings page.
pub async fn shell(ctx: &PortCtx, title: &str) -> Result<Shell> {
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    Ok(Shell::for_ctx(title, Section::Settings, ctx, &ports))
}

/// `GET /ports/{port}/settings`: the first page of the area the user may see.
async fn index(ctx: PortCtx) -> Result<Response> {
    let first = AREA
        .iter()
        .find(|(_, _, key)| ctx.can(key))
        .ok_or(Error::Forbidden)?;
    Ok(Redirect::to(&format!("/ports/{}/settings/{}", ctx.port.slug, first.1)).into_response())
}

#[derive(Template)]
#[template(path = "settings/reminders.html")]
struct RemindersPage {
    shell: Shell,
    tabs: Vec<Tab>,
    port_slug: String,
    timezone: String,
    can_edit: bool,
    form: RemindersForm,
    follow_up_source: Source,
    eoi_source: Source,
    errors: FormErrors,
    saved: bool,
}

impl RemindersPage {
    fn source_label(&self, s: &Source) -> &'static str {
        match s {
            Source::Port => "set for this port",
            Source::Global => "the installation's value",
            Source::Default => "the default",
        }
    }
}

/// The two settings as one form: numbers and times as typed.
#[derive(Debug, Default, Deserialize)]
struct RemindersForm {
    #[serde(default)]
    reminder_days: String,
    #[serde(default)]
    cooldown_hours: String,
    #[serde(default)]
    follow_up_start: String,
    #[serde(default)]
    follow_up_end: String,
    #[serde(default)]
    first_after_days: String,
    #[serde(default)]
    interval_days: String,
    #[serde(default)]
    max_reminders: String,
    #[serde(default)]
    eoi_start: String,
    #[serde(default)]
    eoi_end: String,
}

impl RemindersForm {
    fn of(f: &FollowUpDefaults, e: &EoiReminderSettings) -> RemindersForm {
        RemindersForm {
            reminder_days: f.reminder_days.to_string(),
            cooldown_hours: f.cooldown_hours.to_string(),
            follow_up_start: f.send_window.start.clone(),
            follow_up_end: f.send_window.end.clone(),
            first_after_days: e.first_after_days.to_string(),
            interval_days: e.interval_days.to_string(),
            max_reminders: e.max_reminders.to_string(),
            eoi_start: e.send_window.start.clone(),
            eoi_end: e.send_window.end.clone(),
        }
    }
}

#[derive(Deserialize)]
struct Saved {
    saved: Option<String>,
}

async fn page(
    ctx: &PortCtx,
    form: Option<RemindersForm>,
    errors: FormErrors,
    saved: bool,
) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let (follow_up, follow_up_source) =
        get_with_source::<FollowUpDefaults>(&mut tx, Some(ctx.port.id)).await?;
    let (eoi, eoi_source) =
        get_with_source::<EoiReminderSettings>(&mut tx, Some(ctx.port.id)).await?;
    tx.commit().await?;
    let status = errors.status();
    let html = render(&RemindersPage {
        shell: shell(ctx, "Reminders").await?,
        tabs: tabs(ctx, "Reminders"),
        port_slug: ctx.port.slug.clone(),
        timezone: ctx.port.timezone.clone(),
        can_edit: ctx.can("settings.edit"),
        form: form.unwrap_or_else(|| RemindersForm::of(&follow_up, &eoi)),
        follow_up_source,
        eoi_source,
        errors,
        saved,
    })?;
    Ok((status, html).into_response())
}

/// `GET /ports/{port}/settings/reminders`
async fn show(
    ctx: PortCtx,
    axum::extract::Query(q): axum::extract::Query<Saved>,
) -> Result<Response> {
    page(&ctx, None, FormErrors::none(), q.saved.is_some()).await
}

/// A number field of the form, or a message for it.
fn number(raw: &str) -> std::result::Result<u32, String> {
    raw.trim()
        .parse()
        .map_err(|_| "must be a whole number".to_owned())
}

/// `POST /ports/{port}/settings/reminders`: both settings checked, then stored;
/// each problem shown beside its field.
async fn save(ctx: PortCtx, CsrfForm(form): CsrfForm<RemindersForm>) -> Result<Response> {
    let mut errors = Vec::new();
    let mut num = |field: &str, raw: &str| {
        number(raw)
            .map_err(|m| errors.push((field.to_owned(), m)))
            .unwrap_or(0)
    };
    let follow_up = FollowUpDefaults {
        reminder_days: num("follow_up.reminder_days", &form.reminder_days),
        cooldown_hours: num("follow_up.cooldown_hours", &form.cooldown_hours),
        send_window: SendWindow {
            start: form.follow_up_start.trim().to_owned(),
            end: form.follow_up_end.trim().to_owned(),
        },
    };
    let eoi = EoiReminderSettings {
        first_after_days: num("eoi.first_after_days", &form.first_after_days),
        interval_days: num("eoi.interval_days", &form.interval_days),
        max_reminders: num("eoi.max_reminders", &form.max_reminders),
        send_window: SendWindow {
            start: form.eoi_start.trim().to_owned(),
            end: form.eoi_end.trim().to_owned(),
        },
    };
    let typed: Vec<String> = errors.iter().map(|(f, _)| f.clone()).collect();
    // The types' own checks, with their fields put under each setting's name;
    // a field already refused as not a number is not blamed twice.
    errors.extend(
        follow_up
            .problems()
            .into_iter()
            .map(|(f, m)| (format!("follow_up.{f}"), m))
            .chain(
                eoi.problems()
                    .into_iter()
                    .map(|(f, m)| (format!("eoi.{f}"), m)),
            )
            .filter(|(f, _)| !typed.contains(f)),
    );
    if !errors.is_empty() {
        let errors = FormErrors::from_error(crate::http::checked::problems(errors).unwrap_err())?;
        return page(&ctx, Some(form), errors, false).await;
    }
    let json = |v: serde_json::Result<serde_json::Value>| v.map_err(|e| Error::Internal(e.into()));
    let f = find("follow_up_defaults").expect("a known setting");
    store(&ctx, &f, json(serde_json::to_value(&follow_up))?).await?;
    let e = find("eoi_reminder_settings").expect("a known setting");
    store(&ctx, &e, json(serde_json::to_value(&eoi))?).await?;
    Ok(Redirect::to(&format!(
        "/ports/{}/settings/reminders?saved=1",
        ctx.port.slug
    ))
    .into_response())
}
