//! `/ports/{port}/interests/new?client_id=` (reached from the client page) and
//! `/ports/{port}/interests/{id}/edit`: one form, validated by the same rules
//! as the API, each error beside its field, what was typed kept.
//!
//! Dates are days in the port's time zone; a day the user changed is stored
//! as noon of that day there (so it reads as the same day in any zone near
//! it), a day left as it was keeps its stored moment.

use super::fields::Patch;
use super::model::{Interest, find, parse_id};
use super::write::{self, NewInterest};
use crate::access::{self, Access, PortCtx, Routes};
use crate::auth::csrf::CsrfForm;
use crate::http::error::FieldErrors;
use crate::http::{Error, Result};
use crate::web::form::FormErrors;
use crate::web::render;
use crate::web::shell::{Section, Shell};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use domain::interests::{
    ContractStatus, DepositStatus, EoiStatus, InterestSource, LeadCategory, ReservationStatus,
};
use domain::pipeline::Stage;
use serde::Deserialize;
use uuid::Uuid;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/ports/{port}/interests/new",
            Access::Port("interests.create"),
            new_form,
        )
        .post(
            "/ports/{port}/interests/new",
            Access::Port("interests.create"),
            create,
        )
        .get(
            "/ports/{port}/interests/{id}/edit",
            Access::Port("interests.edit"),
            edit_form,
        )
        .post(
            "/ports/{port}/interests/{id}/edit",
            Access::Port("interests.edit"),
            save,
        )
}

/// The milestone dates of the form, in its order: (field, label).
const DATES: [(&str, &str); 7] = [
    ("date_first_contact", "First contact"),
    ("date_last_contact", "Last contact"),
    ("date_eoi_sent", "EOI sent"),
    ("date_eoi_signed", "EOI signed"),
    ("date_deposit_received", "Deposit received"),
    ("date_contract_sent", "Contract sent"),
    ("date_contract_signed", "Contract signed"),
];

/// The form as typed: every field a string, as a browser sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct InterestForm {
    client_id: String,
    berth_id: String,
    pipeline_stage: String,
    lead_category: String,
    source: String,
    eoi_status: String,
    contract_status: String,
    deposit_status: String,
    reservation_status: String,
    date_first_contact: String,
    date_last_contact: String,
    date_eoi_sent: String,
    date_eoi_signed: String,
    date_contract_sent: String,
    date_contract_signed: String,
    date_deposit_received: String,
    reminder_enabled: Option<String>,
    reminder_days: String,
    notes: String,
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

impl InterestForm {
    fn of(i: &Interest, tz: Tz) -> InterestForm {
        let d = |at: Option<DateTime<Utc>>| {
            at.map(|a| a.with_timezone(&tz).format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        };
        InterestForm {
            client_id: i.client_id.to_string(),
            berth_id: i.berth_id.map(|b| b.to_string()).unwrap_or_default(),
            pipeline_stage: i.pipeline_stage.clone(),
            lead_category: opt(&i.lead_category),
            source: opt(&i.source),
            eoi_status: opt(&i.eoi_status),
            contract_status: opt(&i.contract_status),
            deposit_status: opt(&i.deposit_status),
            reservation_status: opt(&i.reservation_status),
            date_first_contact: d(i.date_first_contact),
            date_last_contact: d(i.date_last_contact),
            date_eoi_sent: d(i.date_eoi_sent),
            date_eoi_signed: d(i.date_eoi_signed),
            date_contract_sent: d(i.date_contract_sent),
            date_contract_signed: d(i.date_contract_signed),
            date_deposit_received: d(i.date_deposit_received),
            reminder_enabled: i.reminder_enabled.then(|| "1".to_owned()),
            reminder_days: i.reminder_days.map(|d| d.to_string()).unwrap_or_default(),
            notes: opt(&i.notes),
        }
    }

    fn date(&self, field: &str) -> &str {
        match field {
            "date_first_contact" => &self.date_first_contact,
            "date_last_contact" => &self.date_last_contact,
            "date_eoi_sent" => &self.date_eoi_sent,
            "date_eoi_signed" => &self.date_eoi_signed,
            "date_contract_sent" => &self.date_contract_sent,
            "date_contract_signed" => &self.date_contract_signed,
            "date_deposit_received" => &self.date_deposit_received,
            _ => "",
        }
    }

    fn reminder_enabled(&self) -> bool {
        self.reminder_enabled.is_some()
    }

    /// The patch this form asks for, compared with `stored` (the interest as
    /// it is, or an empty form for a new one): dates only when changed.
    fn patch(&self, stored: &InterestForm, tz: Tz) -> Result<Patch, FieldErrors> {
        let mut errors = FieldErrors::new();
        let text = |s: &str| Some(Some(s.trim().to_owned()).filter(|s| !s.is_empty()));
        let mut date = |field: &str| -> Option<Option<String>> {
            let (typed, before) = (self.date(field).trim(), stored.date(field).trim());
            if typed == before {
                return None;
            }
            if typed.is_empty() {
                return Some(None);
            }
            match NaiveDate::parse_from_str(typed, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(12, 0, 0))
                .and_then(|noon| tz.from_local_datetime(&noon).earliest())
            {
                Some(at) => Some(Some(at.with_timezone(&Utc).to_rfc3339())),
                None => {
                    errors.insert(
                        field.to_owned(),
                        vec!["Enter a date, such as 2026-03-01.".into()],
                    );
                    None
                }
            }
        };
        let patch = Patch {
            date_first_contact: date("date_first_contact"),
            date_last_contact: date("date_last_contact"),
            date_eoi_sent: date("date_eoi_sent"),
            date_eoi_signed: date("date_eoi_signed"),
            date_contract_sent: date("date_contract_sent"),
            date_contract_signed: date("date_contract_signed"),
            date_deposit_received: date("date_deposit_received"),
            berth_id: text(&self.berth_id).or(Some(None)),
            pipeline_stage: text(&self.pipeline_stage),
            lead_category: text(&self.lead_category),
            source: text(&self.source),
            eoi_status: text(&self.eoi_status),
            contract_status: text(&self.contract_status),
            deposit_status: text(&self.deposit_status),
            reservation_status: text(&self.reservation_status),
            reminder_enabled: Some(Some(self.reminder_enabled())),
            reminder_days: match self.reminder_days.trim() {
                "" => Some(None),
                d => match d.parse::<i64>() {
                    Ok(n) => Some(Some(n)),
                    Err(_) => {
                        errors.insert(
                            "reminder_days".into(),
                            vec!["Enter a whole number of days.".into()],
                        );
                        None
                    }
                },
            },
            notes: text(&self.notes),
        };
        if errors.is_empty() {
            Ok(patch)
        } else {
            Err(errors)
        }
    }
}

/// A choice of a `<select>`: value and label.
type Choice = (String, String);

fn choices<T: Copy>(
    all: &[T],
    value: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|t| (value(*t).to_owned(), label(*t).to_owned()))
        .collect()
}

#[derive(Template)]
#[template(path = "interests/form.html")]
struct FormPage {
    shell: Shell,
    slug: String,
    /// `None` on the new-interest form.
    interest_id: Option<Uuid>,
    client_name: String,
    form: InterestForm,
    errors: FormErrors,
    berths: Vec<Choice>,
    stages: Vec<Choice>,
    categories: Vec<Choice>,
    sources: Vec<Choice>,
    eoi: Vec<Choice>,
    contract: Vec<Choice>,
    deposit: Vec<Choice>,
    reservation: Vec<Choice>,
    dates: Vec<(&'static str, &'static str)>,
    timezone: String,
    script: &'static str,
}

impl FormPage {
    fn action(&self) -> String {
        match self.interest_id {
            Some(id) => format!("/ports/{}/interests/{id}/edit", self.slug),
            None => format!("/ports/{}/interests/new", self.slug),
        }
    }

    fn cancel(&self) -> String {
        match self.interest_id {
            Some(id) => format!("/ports/{}/interests/{id}", self.slug),
            None => format!("/ports/{}/clients/{}", self.slug, self.form.client_id),
        }
    }
}

/// The port's berths for the picker: "A12 · Pier A · available".
async fn berth_choices(ctx: &PortCtx) -> Result<Vec<Choice>> {
    let mut tx = ctx.begin().await?;
    let rows = sqlx::query!(
        "SELECT id, mooring_number, area, status FROM berths
         ORDER BY area NULLS LAST, length(mooring_number), mooring_number"
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|b| {
            let status = b
                .status
                .parse::<domain::settings::BerthStatus>()
                .map_or(b.status.clone(), |s| s.label().to_lowercase());
            let label = match b.area {
                Some(area) => format!("{} · {area} · {status}", b.mooring_number),
                None => format!("{} · {status}", b.mooring_number),
            };
            (b.id.to_string(), label)
        })
        .collect())
}

async fn page(
    ctx: &PortCtx,
    interest_id: Option<Uuid>,
    client_name: String,
    form: InterestForm,
    errors: FormErrors,
) -> Result<Response> {
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    let title = match interest_id {
        Some(_) => format!("Edit interest · {client_name}"),
        None => format!("New interest · {client_name}"),
    };
    let status = errors.status();
    let html = render(&FormPage {
        shell: Shell::for_ctx(&title, Section::Pipeline, ctx, &ports),
        slug: ctx.port.slug.clone(),
        interest_id,
        client_name,
        form,
        errors,
        berths: berth_choices(ctx).await?,
        stages: Stage::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
            .collect(),
        categories: choices(LeadCategory::ALL, LeadCategory::as_str, LeadCategory::label),
        sources: choices(
            InterestSource::ALL,
            InterestSource::as_str,
            InterestSource::label,
        ),
        eoi: choices(EoiStatus::ALL, EoiStatus::as_str, EoiStatus::label),
        contract: choices(
            ContractStatus::ALL,
            ContractStatus::as_str,
            ContractStatus::label,
        ),
        deposit: choices(
            DepositStatus::ALL,
            DepositStatus::as_str,
            DepositStatus::label,
        ),
        reservation: choices(
            ReservationStatus::ALL,
            ReservationStatus::as_str,
            ReservationStatus::label,
        ),
        dates: DATES.to_vec(),
        timezone: ctx.port.timezone.clone(),
        script: crate::web::assets::url::CLIENTS_JS,
    })?;
    Ok((status, html).into_response())
}

fn tz_of(ctx: &PortCtx) -> Tz {
    crate::audit::list::zone_of(ctx)
}

/// The client's name, 404 when the port has no such client.
async fn client_name(ctx: &PortCtx, client_id: Uuid) -> Result<String> {
    let mut tx = ctx.begin().await?;
    let name = sqlx::query_scalar!("SELECT full_name FROM clients WHERE id = $1", client_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(name)
}

#[derive(Deserialize)]
struct NewQuery {
    client_id: Option<String>,
}

/// `GET /ports/{port}/interests/new?client_id=`: without a client, the
/// client list, where a client page offers "New interest".
async fn new_form(ctx: PortCtx, Query(q): Query<NewQuery>) -> Result<Response> {
    let Some(client_id) = q
        .client_id
        .as_deref()
        .and_then(|c| Uuid::parse_str(c.trim()).ok())
    else {
        return Ok(Redirect::to(&format!("/ports/{}/clients", ctx.port.slug)).into_response());
    };
    let name = client_name(&ctx, client_id).await?;
    let form = InterestForm {
        client_id: client_id.to_string(),
        pipeline_stage: Stage::Open.as_str().into(),
        source: InterestSource::Manual.as_str().into(),
        ..InterestForm::default()
    };
    page(&ctx, None, name, form, FormErrors::none()).await
}

fn errors_of(fields: FieldErrors) -> FormErrors {
    FormErrors::from_error(Error::Unprocessable(fields)).unwrap_or_default()
}

/// A berth that vanished between the form and the save: said beside the picker.
fn berth_gone(e: Error) -> Result<FormErrors> {
    match e {
        Error::NotFound => Ok(FormErrors::one(
            "berth_id",
            "That berth was not found; pick another.",
        )),
        other => FormErrors::from_error(other),
    }
}

/// `POST /ports/{port}/interests/new`
async fn create(ctx: PortCtx, CsrfForm(form): CsrfForm<InterestForm>) -> Result<Response> {
    let client_id = Uuid::parse_str(form.client_id.trim()).map_err(|_| Error::NotFound)?;
    let name = client_name(&ctx, client_id).await?;
    let fields = match form.patch(&InterestForm::default(), tz_of(&ctx)) {
        Ok(p) => p,
        Err(e) => return page(&ctx, None, name, form, errors_of(e)).await,
    };
    match write::create(&ctx, NewInterest { client_id, fields }).await {
        Ok(out) => Ok(Redirect::to(&format!(
            "/ports/{}/interests/{}",
            ctx.port.slug, out.interest.id
        ))
        .into_response()),
        Err(e) => page(&ctx, None, name, form, berth_gone(e)?).await,
    }
}

/// `GET /ports/{port}/interests/{id}/edit`
async fn edit_form(ctx: PortCtx, Path((_, id)): Path<(String, String)>) -> Result<Response> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    let i = find(&mut tx, id).await?;
    tx.commit().await?;
    let name = client_name(&ctx, i.client_id).await?;
    page(
        &ctx,
        Some(id),
        name,
        InterestForm::of(&i, tz_of(&ctx)),
        FormErrors::none(),
    )
    .await
}

/// `POST /ports/{port}/interests/{id}/edit`
async fn save(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(mut form): CsrfForm<InterestForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    let i = find(&mut tx, id).await?;
    tx.commit().await?;
    let name = client_name(&ctx, i.client_id).await?;
    // The client is not changed here; the form only names it.
    form.client_id = i.client_id.to_string();
    let patch = match form.patch(&InterestForm::of(&i, tz_of(&ctx)), tz_of(&ctx)) {
        Ok(p) => p,
        Err(e) => return page(&ctx, Some(id), name, form, errors_of(e)).await,
    };
    match write::update(&ctx, id, patch).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/ports/{}/interests/{id}", ctx.port.slug)).into_response())
        }
        Err(e) => page(&ctx, Some(id), name, form, berth_gone(e)?).await,
    }
}
