//! `/ports/{port}/berths/new` and `/ports/{port}/berths/{id}/edit`: one form
//! in grouped sections, checked by the same rules as the API, each error
//! beside its field, what was typed kept.

use super::fields::Patch;
use super::model::{Berth, find, parse_id};
use super::write;
use crate::access::{self, Access, PortCtx, Routes};
use crate::auth::csrf::CsrfForm;
use crate::http::error::FieldErrors;
use crate::http::{Error, Result};
use crate::web::form::FormErrors;
use crate::web::render;
use crate::web::shell::{Section, Shell};
use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use domain::berths::TenureType;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::str::FromStr;
use uuid::Uuid;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/ports/{port}/berths/new",
            Access::Port("berths.create"),
            new_form,
        )
        .post(
            "/ports/{port}/berths/new",
            Access::Port("berths.create"),
            create,
        )
        .get(
            "/ports/{port}/berths/{id}/edit",
            Access::Port("berths.edit"),
            edit_form,
        )
        .post(
            "/ports/{port}/berths/{id}/edit",
            Access::Port("berths.edit"),
            save,
        )
}

/// The form as typed: every field a string, as a browser sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BerthForm {
    mooring_number: String,
    area: String,
    length_ft: String,
    length_m: String,
    width_ft: String,
    width_m: String,
    draft_ft: String,
    draft_m: String,
    water_depth: String,
    water_depth_m: String,
    width_is_minimum: Option<String>,
    water_depth_is_minimum: Option<String>,
    nominal_boat_size: String,
    nominal_boat_size_m: String,
    side_pontoon: String,
    power_capacity: String,
    voltage: String,
    mooring_type: String,
    cleat_type: String,
    cleat_capacity: String,
    bollard_type: String,
    bollard_capacity: String,
    access: String,
    price: String,
    price_currency: String,
    bow_facing: String,
    berth_approved: Option<String>,
    tenure_type: String,
    tenure_years: String,
    tenure_start_date: String,
    tenure_end_date: String,
}

fn shown(d: Option<Decimal>) -> String {
    d.map(|d| d.normalize().to_string()).unwrap_or_default()
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

fn flag(b: Option<bool>) -> Option<String> {
    b.unwrap_or(false).then(|| "1".to_owned())
}

impl BerthForm {
    fn of(b: &Berth) -> BerthForm {
        BerthForm {
            mooring_number: b.mooring_number.clone(),
            area: opt(&b.area),
            length_ft: shown(b.length_ft),
            length_m: shown(b.length_m),
            width_ft: shown(b.width_ft),
            width_m: shown(b.width_m),
            draft_ft: shown(b.draft_ft),
            draft_m: shown(b.draft_m),
            water_depth: shown(b.water_depth),
            water_depth_m: shown(b.water_depth_m),
            width_is_minimum: flag(b.width_is_minimum),
            water_depth_is_minimum: flag(b.water_depth_is_minimum),
            nominal_boat_size: opt(&b.nominal_boat_size),
            nominal_boat_size_m: opt(&b.nominal_boat_size_m),
            side_pontoon: opt(&b.side_pontoon),
            power_capacity: opt(&b.power_capacity),
            voltage: opt(&b.voltage),
            mooring_type: opt(&b.mooring_type),
            cleat_type: opt(&b.cleat_type),
            cleat_capacity: opt(&b.cleat_capacity),
            bollard_type: opt(&b.bollard_type),
            bollard_capacity: opt(&b.bollard_capacity),
            access: opt(&b.access),
            price: shown(b.price),
            price_currency: b.price_currency.clone(),
            bow_facing: opt(&b.bow_facing),
            berth_approved: flag(b.berth_approved),
            tenure_type: b.tenure_type.clone(),
            tenure_years: b.tenure_years.map(|y| y.to_string()).unwrap_or_default(),
            tenure_start_date: b
                .tenure_start_date
                .map(|d| d.to_string())
                .unwrap_or_default(),
            tenure_end_date: b.tenure_end_date.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    fn blank(currency: &str) -> BerthForm {
        BerthForm {
            price_currency: currency.to_owned(),
            tenure_type: TenureType::Permanent.as_str().to_owned(),
            ..BerthForm::default()
        }
    }

    fn is_fixed(&self) -> bool {
        self.tenure_type == TenureType::FixedTerm.as_str()
    }

    /// The patch this form asks for, compared with `stored` (the berth as it
    /// is, or a blank one). Of a ft|m pair only the unit the user changed is
    /// sent, so the other is computed; the end date only when typed anew, so
    /// a changed term recomputes it. Numbers and dates that do not parse are
    /// named.
    fn patch(&self, stored: &BerthForm) -> std::result::Result<Patch, FieldErrors> {
        let mut errors = FieldErrors::new();
        let text = |s: &str| Some(Some(s.trim().to_owned()).filter(|s| !s.is_empty()));
        let mut bad = |field: &str, m: &str| {
            errors.insert(field.to_owned(), vec![m.to_owned()]);
        };
        let mut num = |field: &str, s: &str| -> Option<Option<Decimal>> {
            let t = s.trim().replace(',', "");
            if t.is_empty() {
                return Some(None);
            }
            match Decimal::from_str(&t) {
                Ok(d) => Some(Some(d)),
                Err(_) => {
                    bad(field, "Enter a number, such as 12.5.");
                    None
                }
            }
        };
        let mut pair =
            |ft_name: &str, m_name: &str, ft: &str, m: &str, old_ft: &str, old_m: &str| {
                let (ft_changed, m_changed) = (ft.trim() != old_ft, m.trim() != old_m);
                let ft_v = num(ft_name, ft);
                let m_v = num(m_name, m);
                match (ft_changed, m_changed) {
                    (false, false) => (None, None),
                    (true, false) => (ft_v, None),
                    (false, true) => (None, m_v),
                    (true, true) => (ft_v, m_v),
                }
            };
        let length = pair(
            "length_ft",
            "length_m",
            &self.length_ft,
            &self.length_m,
            &stored.length_ft,
            &stored.length_m,
        );
        let width = pair(
            "width_ft",
            "width_m",
            &self.width_ft,
            &self.width_m,
            &stored.width_ft,
            &stored.width_m,
        );
        let draft = pair(
            "draft_ft",
            "draft_m",
            &self.draft_ft,
            &self.draft_m,
            &stored.draft_ft,
            &stored.draft_m,
        );
        let depth = pair(
            "water_depth",
            "water_depth_m",
            &self.water_depth,
            &self.water_depth_m,
            &stored.water_depth,
            &stored.water_depth_m,
        );
        let price = num("price", &self.price);
        let mut errors2 = FieldErrors::new();
        let fixed = self.is_fixed();
        let years = match self.tenure_years.trim() {
            "" => Some(None),
            t => match t.parse::<i32>() {
                Ok(y) => Some(Some(y)),
                Err(_) => {
                    errors2.insert(
                        "tenure_years".into(),
                        vec!["Enter a whole number of years.".into()],
                    );
                    None
                }
            },
        };
        let mut date = |field: &str, s: &str| match s.trim() {
            "" => Some(None),
            t => match NaiveDate::from_str(t) {
                Ok(d) => Some(Some(d)),
                Err(_) => {
                    errors2.insert(field.into(), vec!["Enter a date.".into()]);
                    None
                }
            },
        };
        let start = date("tenure_start_date", &self.tenure_start_date);
        let end_typed = self.tenure_end_date.trim() != stored.tenure_end_date;
        let end = if end_typed {
            date("tenure_end_date", &self.tenure_end_date)
        } else {
            None
        };
        errors.extend(errors2);
        if !errors.is_empty() {
            return Err(errors);
        }
        // A permanent tenure sends no term: the stored one is dropped.
        let (years, start, end) = if fixed {
            (years, start, end)
        } else {
            (None, None, None)
        };
        Ok(Patch {
            mooring_number: text(&self.mooring_number),
            area: text(&self.area),
            length_ft: length.0,
            length_m: length.1,
            width_ft: width.0,
            width_m: width.1,
            draft_ft: draft.0,
            draft_m: draft.1,
            width_is_minimum: Some(Some(self.width_is_minimum.is_some())),
            nominal_boat_size: text(&self.nominal_boat_size),
            nominal_boat_size_m: text(&self.nominal_boat_size_m),
            water_depth: depth.0,
            water_depth_m: depth.1,
            water_depth_is_minimum: Some(Some(self.water_depth_is_minimum.is_some())),
            side_pontoon: text(&self.side_pontoon),
            power_capacity: text(&self.power_capacity),
            voltage: text(&self.voltage),
            mooring_type: text(&self.mooring_type),
            cleat_type: text(&self.cleat_type),
            cleat_capacity: text(&self.cleat_capacity),
            bollard_type: text(&self.bollard_type),
            bollard_capacity: text(&self.bollard_capacity),
            access: text(&self.access),
            price,
            price_currency: text(&self.price_currency),
            bow_facing: text(&self.bow_facing),
            berth_approved: Some(Some(self.berth_approved.is_some())),
            tenure_type: text(&self.tenure_type),
            tenure_years: years,
            tenure_start_date: start,
            tenure_end_date: end,
        })
    }
}

#[derive(Template)]
#[template(path = "berths/form.html")]
struct FormPage {
    shell: Shell,
    slug: String,
    berth_id: Option<Uuid>,
    form: BerthForm,
    errors: FormErrors,
    tenures: Vec<(&'static str, &'static str)>,
}

impl FormPage {
    fn action(&self) -> String {
        match self.berth_id {
            Some(id) => format!("/ports/{}/berths/{id}/edit", self.slug),
            None => format!("/ports/{}/berths/new", self.slug),
        }
    }

    fn cancel(&self) -> String {
        match self.berth_id {
            Some(id) => format!("/ports/{}/berths/{id}", self.slug),
            None => format!("/ports/{}/berths", self.slug),
        }
    }
}

async fn page(
    ctx: &PortCtx,
    berth_id: Option<Uuid>,
    title: &str,
    form: BerthForm,
    errors: FormErrors,
) -> Result<Response> {
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    let status = errors.status();
    let html = render(&FormPage {
        shell: Shell::for_ctx(title, Section::Berths, ctx, &ports),
        slug: ctx.port.slug.clone(),
        berth_id,
        form,
        errors,
        tenures: TenureType::ALL
            .iter()
            .map(|t| (t.as_str(), t.label()))
            .collect(),
    })?;
    Ok((status, html).into_response())
}

fn errors_of(fields: FieldErrors) -> FormErrors {
    FormErrors::from_error(Error::Unprocessable(fields)).unwrap_or_default()
}

/// A repeated mooring number is shown beside the mooring number.
fn form_errors(e: Error) -> Result<FormErrors> {
    match e {
        Error::Conflict(message) => Ok(FormErrors::one("mooring_number", message)),
        other => FormErrors::from_error(other),
    }
}

/// `GET /ports/{port}/berths/new`
async fn new_form(ctx: PortCtx) -> Result<Response> {
    let form = BerthForm::blank(&ctx.port.default_currency);
    page(&ctx, None, "New berth", form, FormErrors::none()).await
}

/// `POST /ports/{port}/berths/new`
async fn create(ctx: PortCtx, CsrfForm(form): CsrfForm<BerthForm>) -> Result<Response> {
    let patch = match form.patch(&BerthForm::default()) {
        Ok(p) => p,
        Err(e) => return page(&ctx, None, "New berth", form, errors_of(e)).await,
    };
    match write::create(&ctx, patch, None).await {
        Ok(out) => Ok(
            Redirect::to(&format!("/ports/{}/berths/{}", ctx.port.slug, out.berth.id))
                .into_response(),
        ),
        Err(e) => {
            let errors = form_errors(e)?;
            page(&ctx, None, "New berth", form, errors).await
        }
    }
}

/// `GET /ports/{port}/berths/{id}/edit`
async fn edit_form(ctx: PortCtx, Path((_, id)): Path<(String, String)>) -> Result<Response> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    let b = find(&mut tx, id).await?;
    tx.commit().await?;
    let title = format!("Edit berth {}", b.mooring_number);
    page(
        &ctx,
        Some(id),
        &title,
        BerthForm::of(&b),
        FormErrors::none(),
    )
    .await
}

/// `POST /ports/{port}/berths/{id}/edit`
async fn save(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<BerthForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    let b = find(&mut tx, id).await?;
    tx.commit().await?;
    let title = format!("Edit berth {}", b.mooring_number);
    let patch = match form.patch(&BerthForm::of(&b)) {
        Ok(p) => p,
        Err(e) => return page(&ctx, Some(id), &title, form, errors_of(e)).await,
    };
    match write::update(&ctx, id, patch, None).await {
        Ok(_) => Ok(Redirect::to(&format!("/ports/{}/berths/{id}", ctx.port.slug)).into_response()),
        Err(e) => {
            let errors = form_errors(e)?;
            page(&ctx, Some(id), &title, form, errors).await
        }
    }
}
