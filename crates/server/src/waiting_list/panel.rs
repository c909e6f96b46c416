//! The berth page's waiting-list section: the list in order, drag (or
//! Alt+↑/↓, or the ↑/↓ buttons) to reorder, a form to add a client, a button
//! to remove one. Each form posts to the routes below through htmx and swaps
//! the section for the re-rendered one; without scripts the same forms post
//! and come back to the berth page (or to the section's own page, with the
//! errors beside the fields).
//!
//! [`berth_panel`] is what the berth page includes.

use super::model::{self, Entry, parse_id};
use super::write::{self, NewEntry};
use crate::access::{self, PortCtx, Routes};
use crate::auth::csrf::CsrfForm;
use crate::http::{Error, Result};
use crate::tags::is_htmx;
use crate::web::form::FormErrors;
use crate::web::render;
use crate::web::shell::{Section, Shell};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::waiting_list::{NOTIFY_FIRST, NotifyPref, Priority};
use serde::Deserialize;
use sqlx::PgConnection;
use std::str::FromStr;
use uuid::Uuid;

const PAGE: &str = "/ports/{port}/berths/{id}/waiting-list";

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(PAGE, super::VIEW, show)
        .post(PAGE, super::EDIT, add)
        .get(&format!("{PAGE}/picker"), super::EDIT, picker)
        .post(&format!("{PAGE}/notify"), super::EDIT, notify)
        .post(&format!("{PAGE}/{{entry}}/move"), super::EDIT, move_entry)
        .post(&format!("{PAGE}/{{entry}}/delete"), super::EDIT, remove)
}

/// The add form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AddForm {
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    notify_pref: String,
    #[serde(default)]
    notes: String,
}

#[derive(Template)]
#[template(path = "waiting_list/panel.html")]
struct Panel {
    slug: String,
    berth_id: Uuid,
    mooring_number: String,
    available: bool,
    csrf: String,
    entries: Vec<Entry>,
    can_edit: bool,
    form: AddForm,
    errors: FormErrors,
    priorities: Vec<(&'static str, &'static str)>,
    prefs: Vec<(&'static str, &'static str)>,
    notify_first: usize,
    /// After "Tell the first entries": how many were told.
    notified: Option<usize>,
    script: &'static str,
}

impl Panel {
    /// Whether entry `i` can move up: the entry above has its priority
    /// (high ones always stand first, so a move past one would be clamped).
    fn can_rise(&self, i: &usize) -> bool {
        *i > 0 && self.entries[i - 1].priority == self.entries[*i].priority
    }

    /// Whether entry `i` can move down.
    fn can_sink(&self, i: &usize) -> bool {
        i + 1 < self.entries.len() && self.entries[i + 1].priority == self.entries[*i].priority
    }
}

async fn panel(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    berth_id: Uuid,
    form: AddForm,
    errors: FormErrors,
    notified: Option<usize>,
) -> Result<String> {
    let berth = model::find_berth(&mut *conn, berth_id).await?;
    let entries = model::of_berth(conn, berth_id).await?;
    Ok(render(&Panel {
        slug: ctx.port.slug.clone(),
        berth_id,
        mooring_number: berth.mooring_number,
        available: berth.status == "available",
        csrf: ctx.user.csrf_token(),
        entries,
        can_edit: ctx.can("berths.edit"),
        form,
        errors,
        priorities: Priority::ALL
            .iter()
            .rev()
            .map(|p| (p.as_str(), p.label()))
            .collect(),
        prefs: NotifyPref::ALL
            .iter()
            .map(|p| (p.as_str(), p.label()))
            .collect(),
        notify_first: NOTIFY_FIRST,
        notified,
        script: crate::web::assets::url::WAITING_LIST_JS,
    })?
    .0)
}

/// The section's HTML for the berth page (404 when the port has no such berth).
pub async fn berth_panel(conn: &mut PgConnection, ctx: &PortCtx, berth_id: Uuid) -> Result<String> {
    panel(
        conn,
        ctx,
        berth_id,
        AddForm::default(),
        FormErrors::none(),
        None,
    )
    .await
}

#[derive(Template)]
#[template(path = "waiting_list/page.html")]
struct PanelPage {
    shell: Shell,
    slug: String,
    berth_id: Uuid,
    mooring_number: String,
    panel: String,
}

/// The section as htmx asks for it, or on a page of its own.
async fn fragment_or_page(
    ctx: &PortCtx,
    headers: &HeaderMap,
    berth_id: Uuid,
    html: String,
) -> Result<Response> {
    if is_htmx(headers) {
        return Ok(Html(html).into_response());
    }
    let mut tx = ctx.begin().await?;
    let berth = model::find_berth(&mut tx, berth_id).await?;
    tx.commit().await?;
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    let title = format!("Waiting list of berth {}", berth.mooring_number);
    Ok(render(&PanelPage {
        shell: Shell::for_ctx(&title, Section::Berths, ctx, &ports),
        slug: ctx.port.slug.clone(),
        berth_id,
        mooring_number: berth.mooring_number,
        panel: html,
    })?
    .into_response())
}

/// After a change: htmx gets the section again (with the errors beside the
/// fields when refused, answered 200 so htmx swaps it in); a plain form goes
/// back to the section's page, or shows it with the errors.
async fn answer(
    ctx: &PortCtx,
    headers: &HeaderMap,
    berth_id: Uuid,
    form: AddForm,
    errors: FormErrors,
    notified: Option<usize>,
) -> Result<Response> {
    if !is_htmx(headers) && errors.is_empty() && notified.is_none() {
        return Ok(Redirect::to(&format!(
            "/ports/{}/berths/{berth_id}#waiting-list",
            ctx.port.slug
        ))
        .into_response());
    }
    let status = errors.status();
    let mut tx = ctx.begin().await?;
    let html = panel(&mut tx, ctx, berth_id, form, errors, notified).await?;
    tx.commit().await?;
    let mut res = fragment_or_page(ctx, headers, berth_id, html).await?;
    if !is_htmx(headers) {
        *res.status_mut() = status;
    }
    Ok(res)
}

/// `GET /ports/{port}/berths/{id}/waiting-list`
async fn show(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response> {
    let berth_id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    let html = berth_panel(&mut tx, &ctx, berth_id).await?;
    tx.commit().await?;
    fragment_or_page(&ctx, &headers, berth_id, html).await
}

fn blank(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// `POST /ports/{port}/berths/{id}/waiting-list`: adds the client picked.
async fn add(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<AddForm>,
) -> Result<Response> {
    let berth_id = parse_id(&id)?;
    if form.client_id.trim().is_empty() {
        let errors = FormErrors::one("client_id", "Search for a client and pick one.");
        return answer(&ctx, &headers, berth_id, form, errors, None).await;
    }
    let mut problems = Vec::new();
    let priority = match blank(&form.priority) {
        None => None,
        Some(p) => Priority::from_str(&p)
            .map_err(|m| problems.push(("priority".to_owned(), m)))
            .ok(),
    };
    let notify_pref = match blank(&form.notify_pref) {
        None => None,
        Some(p) => NotifyPref::from_str(&p)
            .map_err(|m| problems.push(("notify_pref".to_owned(), m)))
            .ok(),
    };
    if let Err(e) = crate::http::checked::problems(problems) {
        let errors = FormErrors::from_error(e)?;
        return answer(&ctx, &headers, berth_id, form, errors, None).await;
    }
    let new = NewEntry {
        client_id: Some(form.client_id.clone()),
        priority,
        notify_pref,
        notes: blank(&form.notes),
    };
    match write::add(&ctx, berth_id, new).await {
        Ok(_) => {
            answer(
                &ctx,
                &headers,
                berth_id,
                AddForm::default(),
                FormErrors::none(),
                None,
            )
            .await
        }
        // The berth itself missing is a 404 page; a client that is not found
        // is said beside the picker.
        Err(Error::NotFound) => {
            let mut tx = ctx.begin().await?;
            model::find_berth(&mut tx, berth_id).await?;
            tx.commit().await?;
            let errors = FormErrors::one("client_id", "That client was not found.");
            answer(&ctx, &headers, berth_id, form, errors, None).await
        }
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            answer(&ctx, &headers, berth_id, form, errors, None).await
        }
    }
}

#[derive(Deserialize)]
struct MoveForm {
    #[serde(default)]
    position: String,
}

/// `POST …/waiting-list/{entry}/move`: the ↑/↓ buttons and a drop.
async fn move_entry(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id, entry)): Path<(String, String, String)>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response> {
    let (berth_id, entry_id) = (parse_id(&id)?, parse_id(&entry)?);
    let position = form.position.trim().parse::<i64>().ok();
    let errors = match (
        position,
        write::move_to(&ctx, berth_id, entry_id, position).await,
    ) {
        (_, Ok(_)) => FormErrors::none(),
        (None, Err(_)) => FormErrors::one("form", "Give the position as a whole number."),
        (_, Err(e @ Error::Unprocessable(_))) => {
            let message = FormErrors::from_error(e)?.all().unwrap_or_default();
            FormErrors::one("form", format!("Position {message}."))
        }
        (_, Err(e)) => return Err(e),
    };
    answer(&ctx, &headers, berth_id, AddForm::default(), errors, None).await
}

#[derive(Deserialize)]
struct Empty {}

/// `POST …/waiting-list/{entry}/delete`
async fn remove(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id, entry)): Path<(String, String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let (berth_id, entry_id) = (parse_id(&id)?, parse_id(&entry)?);
    write::remove(&ctx, berth_id, entry_id).await?;
    answer(
        &ctx,
        &headers,
        berth_id,
        AddForm::default(),
        FormErrors::none(),
        None,
    )
    .await
}

/// `POST …/waiting-list/notify`: "Tell the first entries" on an available berth.
async fn notify(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let berth_id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    let berth = model::find_berth(&mut tx, berth_id).await?;
    if berth.status != "available" {
        tx.commit().await?;
        let errors = FormErrors::one(
            "form",
            format!(
                "Berth {} is not available; its list is told when it becomes available.",
                berth.mooring_number
            ),
        );
        return answer(&ctx, &headers, berth_id, AddForm::default(), errors, None).await;
    }
    let told = super::notify_available(&mut tx, ctx.port.id, berth_id).await?;
    tx.commit().await?;
    answer(
        &ctx,
        &headers,
        berth_id,
        AddForm::default(),
        FormErrors::none(),
        Some(told),
    )
    .await
}

#[derive(Deserialize)]
struct PickerQuery {
    #[serde(default)]
    q: String,
}

struct Candidate {
    id: Uuid,
    full_name: String,
    company_name: Option<String>,
}

#[derive(Template)]
#[template(path = "waiting_list/picker.html")]
struct Picker {
    candidates: Vec<Candidate>,
    q: String,
}

/// `GET …/waiting-list/picker?q=`: up to 8 clients not on the list whose
/// name or company matches, as radio buttons for the add form.
async fn picker(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    Query(q): Query<PickerQuery>,
) -> Result<Response> {
    let berth_id = parse_id(&id)?;
    let term = q.q.trim().to_owned();
    let mut tx = ctx.begin().await?;
    model::find_berth(&mut tx, berth_id).await?;
    let candidates = if term.chars().count() < 2 {
        Vec::new()
    } else {
        let like = crate::db::like::contains(&term);
        sqlx::query_as!(
            Candidate,
            "SELECT c.id, c.full_name, c.company_name FROM clients c
             WHERE c.port_id = app_port_id() AND c.archived_at IS NULL
               AND (c.full_name ILIKE $2 OR c.company_name ILIKE $2)
               AND NOT EXISTS (SELECT 1 FROM berth_waiting_list w WHERE w.berth_id = $1 AND w.client_id = c.id)
             ORDER BY c.full_name, c.id LIMIT 8",
            berth_id,
            like
        )
        .fetch_all(&mut *tx)
        .await?
    };
    tx.commit().await?;
    Ok(Html(
        render(&Picker {
            candidates,
            q: term,
        })?
        .0,
    )
    .into_response())
}
