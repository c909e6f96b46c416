//! `/ports/{port}/berths/{id}`: the berth page.
//!
//! A header (mooring number, status chip, actions) and a set of sections.
//! [`sections`] assembles them in order; another part of the product adds its
//! own with one line there, e.g.
//! `out.push(Section::main(crate::waiting_list::berth_section(tx, ctx, berth.id).await?));`.
//! The status change form and the maintenance form post to this module's
//! routes; a refused submission shows the page again with the errors beside
//! the fields and what was typed kept.

use super::list_page::{money, pair, status_of};
use super::maintenance::{self, Maintenance, Patch as MaintenancePatch};
use super::model::{Berth, find, parse_id};
use super::status::{self, StatusBody};
use crate::access::{self, Access, PortCtx, Routes};
use crate::auth::csrf::CsrfForm;
use crate::db::PortTx;
use crate::http::{Error, Result};
use crate::web::form::FormErrors;
use crate::web::render;
use crate::web::shell::{Section as Nav, Shell};
use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use domain::berths::MaintenanceCategory;
use domain::interests::LeadCategory;
use domain::pipeline::Stage;
use domain::settings::BerthStatus;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::str::FromStr;
use uuid::Uuid;

const PAGE: &str = "/ports/{port}/berths/{id}";

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(PAGE, Access::Port("berths.view"), show)
        .post(
            &format!("{PAGE}/status"),
            Access::Port("berths.change_status"),
            change_status,
        )
        .post(
            &format!("{PAGE}/maintenance"),
            Access::Port("berths.edit"),
            add_maintenance,
        )
        .post(
            &format!("{PAGE}/maintenance/{{mid}}/delete"),
            Access::Port("berths.edit"),
            delete_maintenance,
        )
        .post(
            &format!("{PAGE}/delete"),
            Access::Port("berths.delete"),
            delete,
        )
}

/// Where a section goes on the berth page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Main,
    Side,
}

/// One block of the berth page: its HTML, already rendered, and its column.
#[derive(Debug, Clone)]
pub struct Section {
    pub html: String,
    pub column: Column,
}

impl Section {
    pub fn main(html: String) -> Section {
        Section {
            html,
            column: Column::Main,
        }
    }

    pub fn side(html: String) -> Section {
        Section {
            html,
            column: Column::Side,
        }
    }
}

/// The name of the member who last changed the berth's status by hand or by
/// accepting a suggestion (`None` for the system, the reader, or a deleted user).
async fn changed_by(tx: &mut PortTx, ctx: &PortCtx, b: &Berth) -> Result<Option<String>> {
    match b.status_last_changed_by.as_deref() {
        Some(id) if id != status::SYSTEM && id != ctx.user.id => Ok(sqlx::query_scalar!(
            r#"SELECT coalesce(up.display_name, u.name, u.email::text) AS "name!"
               FROM users u LEFT JOIN user_profiles up ON up.user_id = u.id
               WHERE u.id = $1"#,
            id
        )
        .fetch_optional(&mut **tx)
        .await?),
        _ => Ok(None),
    }
}

fn html(t: &impl Template) -> Result<String> {
    Ok(render(t)?.0)
}

/// What the page's own forms hold after a refused submission.
#[derive(Debug, Clone, Default)]
pub struct Forms {
    pub status: StatusForm,
    pub status_errors: FormErrors,
    pub maintenance: MaintenanceForm,
    pub maintenance_errors: FormErrors,
}

/// The sections of the berth page in their order. Another part adds its own
/// with one line here.
pub async fn sections(
    tx: &mut PortTx,
    ctx: &PortCtx,
    berth: &Berth,
    forms: &Forms,
) -> Result<Vec<Section>> {
    let mut out = vec![Section::main(html(&Overview::of(ctx, berth))?)];
    // Waiting suggestions first: deciding one is the usual status change.
    out.push(Section::main(
        crate::berth_rules::berth_panel(tx, ctx, berth.id).await?,
    ));
    if ctx.can("berths.change_status") {
        let changed_by = changed_by(tx, ctx, berth).await?;
        out.push(Section::main(html(&StatusPanel::of(
            ctx, berth, forms, changed_by,
        ))?));
    }
    out.push(Section::main(html(
        &InterestsPanel::load(tx, ctx, berth.id).await?,
    )?));
    out.push(Section::main(
        crate::waiting_list::panel::berth_panel(tx, ctx, berth.id).await?,
    ));
    out.push(Section::main(html(
        &MaintenancePanel::load(tx, ctx, berth, forms).await?,
    )?));
    out.push(Section::side(
        crate::tags::record_panel::<crate::tags::BerthTags>(tx, ctx, berth.id).await?,
    ));
    out.push(Section::side(
        crate::custom_fields::record_panel::<super::panels::BerthFields>(tx, ctx, berth.id).await?,
    ));
    Ok(out)
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "—".to_owned())
}

fn yes_no(v: Option<bool>) -> &'static str {
    if v.unwrap_or(false) { "Yes" } else { "No" }
}

#[derive(Template)]
#[template(path = "berths/overview.html")]
struct Overview {
    slug: String,
    id: Uuid,
    can_edit: bool,
    size: Vec<(&'static str, String)>,
    services: Vec<(&'static str, String)>,
    sale: Vec<(&'static str, String)>,
}

impl Overview {
    fn of(ctx: &PortCtx, b: &Berth) -> Overview {
        let min = |v: Option<bool>| if v.unwrap_or(false) { " (minimum)" } else { "" };
        let tenure = match (b.tenure_type.as_str(), b.tenure_years) {
            ("fixed_term", Some(y)) => format!("Fixed term, {y} years"),
            ("fixed_term", None) => "Fixed term".to_owned(),
            _ => "Permanent".to_owned(),
        };
        let date = |d: Option<NaiveDate>| d.map_or("—".to_owned(), |d| d.to_string());
        let mut sale = vec![
            ("Price", money(b.price, &b.price_currency)),
            ("Tenure", tenure),
        ];
        if b.tenure_type == "fixed_term" {
            sale.push(("Tenure starts", date(b.tenure_start_date)));
            sale.push(("Tenure ends", date(b.tenure_end_date)));
        }
        sale.push(("Approved", yes_no(b.berth_approved).to_owned()));
        Overview {
            slug: ctx.port.slug.clone(),
            id: b.id,
            can_edit: ctx.can("berths.edit"),
            size: vec![
                ("Area", opt(&b.area)),
                ("Length", pair(b.length_m, b.length_ft)),
                (
                    "Beam",
                    format!("{}{}", pair(b.width_m, b.width_ft), min(b.width_is_minimum)),
                ),
                ("Draft", pair(b.draft_m, b.draft_ft)),
                (
                    "Water depth",
                    format!(
                        "{}{}",
                        pair(b.water_depth_m, b.water_depth),
                        min(b.water_depth_is_minimum)
                    ),
                ),
                (
                    "Nominal boat size",
                    match (&b.nominal_boat_size, &b.nominal_boat_size_m) {
                        (Some(a), Some(m)) => format!("{a} · {m}"),
                        (Some(a), None) | (None, Some(a)) => a.clone(),
                        (None, None) => "—".to_owned(),
                    },
                ),
            ],
            services: vec![
                ("Mooring type", opt(&b.mooring_type)),
                ("Side pontoon", opt(&b.side_pontoon)),
                ("Bow facing", opt(&b.bow_facing)),
                ("Power", opt(&b.power_capacity)),
                ("Voltage", opt(&b.voltage)),
                ("Cleats", join(&b.cleat_type, &b.cleat_capacity)),
                ("Bollards", join(&b.bollard_type, &b.bollard_capacity)),
                ("Access", opt(&b.access)),
            ],
            sale,
        }
    }
}

fn join(a: &Option<String>, b: &Option<String>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!("{a}, {b}"),
        (Some(a), None) | (None, Some(a)) => a.clone(),
        (None, None) => "—".to_owned(),
    }
}

/// The status form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub reason: String,
}

#[derive(Template)]
#[template(path = "berths/status.html")]
struct StatusPanel {
    slug: String,
    id: Uuid,
    csrf: String,
    current: &'static str,
    statuses: Vec<(&'static str, &'static str)>,
    form: StatusForm,
    errors: FormErrors,
    last_change: Option<String>,
}

impl StatusPanel {
    fn of(ctx: &PortCtx, b: &Berth, forms: &Forms, changed_by: Option<String>) -> StatusPanel {
        let last_change = b.status_last_modified.map(|at| {
            let who = match b.status_last_changed_by.as_deref() {
                Some(status::SYSTEM) | None => "the system".to_owned(),
                Some(id) if id == ctx.user.id => "you".to_owned(),
                Some(_) => changed_by.unwrap_or_else(|| "a former user".to_owned()),
            };
            let why = match b.status_last_changed_reason.as_deref() {
                Some(status::MANUAL) => "by hand".to_owned(),
                Some(r) => match r.strip_prefix("rule:") {
                    Some(t) => match crate::berth_rules::parse_trigger(t) {
                        Some(trigger) => format!(
                            "by the rule “{}”",
                            crate::berth_rules::trigger_label(trigger)
                        ),
                        None => format!("by the rule “{t}”"),
                    },
                    None => r.to_owned(),
                },
                None => String::new(),
            };
            format!(
                "Last changed {why} by {who}, {}",
                at.format("%Y-%m-%d %H:%M UTC")
            )
        });
        StatusPanel {
            slug: ctx.port.slug.clone(),
            id: b.id,
            csrf: ctx.user.csrf_token(),
            current: status_of(&b.status).0,
            statuses: BerthStatus::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            form: forms.status.clone(),
            errors: forms.status_errors.clone(),
            last_change,
        }
    }
}

struct InterestRow {
    id: Uuid,
    client_id: Uuid,
    client: String,
    /// The stage's key, which colours its chip, and its label.
    stage: String,
    stage_label: String,
    lead_category: String,
    created: String,
    archived: bool,
}

#[derive(Template)]
#[template(path = "berths/interests.html")]
struct InterestsPanel {
    slug: String,
    rows: Vec<InterestRow>,
}

impl InterestsPanel {
    async fn load(tx: &mut PortTx, ctx: &PortCtx, berth_id: Uuid) -> Result<InterestsPanel> {
        let rows = sqlx::query!(
            "SELECT i.id, i.client_id, c.full_name, i.pipeline_stage, i.lead_category, i.created_at,
                    i.archived_at
             FROM interests i JOIN clients c ON c.id = i.client_id
             WHERE i.berth_id = $1
             ORDER BY i.archived_at IS NOT NULL, i.created_at DESC, i.id",
            berth_id
        )
        .fetch_all(&mut **tx)
        .await?;
        Ok(InterestsPanel {
            slug: ctx.port.slug.clone(),
            rows: rows
                .into_iter()
                .map(|r| InterestRow {
                    id: r.id,
                    client_id: r.client_id,
                    client: r.full_name,
                    stage_label: Stage::from_str(&r.pipeline_stage)
                        .map_or_else(|_| r.pipeline_stage.clone(), |s| s.label().to_owned()),
                    stage: r.pipeline_stage,
                    lead_category: r.lead_category.map_or_else(
                        || "—".to_owned(),
                        |c| {
                            c.parse::<LeadCategory>()
                                .map_or_else(|_| c.replace('_', " "), |l| l.label().to_owned())
                        },
                    ),
                    created: r.created_at.format("%Y-%m-%d").to_string(),
                    archived: r.archived_at.is_some(),
                })
                .collect(),
        })
    }
}

/// The maintenance form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MaintenanceForm {
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub cost: String,
    #[serde(default)]
    pub cost_currency: String,
    #[serde(default)]
    pub responsible_party: String,
    #[serde(default)]
    pub performed_date: String,
}

struct LogRow {
    id: Uuid,
    date: String,
    category: &'static str,
    description: String,
    cost: String,
    responsible_party: String,
}

#[derive(Template)]
#[template(path = "berths/maintenance.html")]
struct MaintenancePanel {
    slug: String,
    id: Uuid,
    csrf: String,
    rows: Vec<LogRow>,
    totals: Vec<String>,
    categories: Vec<(&'static str, &'static str)>,
    form: MaintenanceForm,
    errors: FormErrors,
    can_edit: bool,
}

/// Sums per currency: "USD 1,300 · EUR 900".
pub fn per_currency(entries: &[Maintenance]) -> Vec<String> {
    let mut sums: Vec<(String, Decimal)> = Vec::new();
    for m in entries {
        let (Some(cost), Some(cur)) = (m.cost, m.cost_currency.clone()) else {
            continue;
        };
        match sums.iter_mut().find(|(c, _)| *c == cur) {
            Some((_, s)) => *s += cost,
            None => sums.push((cur, cost)),
        }
    }
    sums.into_iter().map(|(c, s)| money(Some(s), &c)).collect()
}

impl MaintenancePanel {
    async fn load(
        tx: &mut PortTx,
        ctx: &PortCtx,
        b: &Berth,
        forms: &Forms,
    ) -> Result<MaintenancePanel> {
        let entries = maintenance::of_berth(&mut *tx, b.id).await?;
        let mut form = forms.maintenance.clone();
        if form.cost_currency.is_empty() {
            form.cost_currency = ctx.port.default_currency.clone();
        }
        Ok(MaintenancePanel {
            slug: ctx.port.slug.clone(),
            id: b.id,
            csrf: ctx.user.csrf_token(),
            totals: per_currency(&entries),
            rows: entries
                .iter()
                .map(|m| LogRow {
                    id: m.id,
                    date: m.performed_date.to_string(),
                    category: MaintenanceCategory::from_str(&m.category)
                        .map(MaintenanceCategory::label)
                        .unwrap_or("Other"),
                    description: m.description.clone(),
                    cost: money(m.cost, m.cost_currency.as_deref().unwrap_or("")),
                    responsible_party: m.responsible_party.clone().unwrap_or_default(),
                })
                .collect(),
            categories: MaintenanceCategory::ALL
                .iter()
                .map(|c| (c.as_str(), c.label()))
                .collect(),
            form,
            errors: forms.maintenance_errors.clone(),
            can_edit: ctx.can("berths.edit"),
        })
    }
}

#[derive(Template)]
#[template(path = "berths/show.html")]
struct ShowPage {
    shell: Shell,
    slug: String,
    b: Berth,
    status: &'static str,
    status_label: &'static str,
    main: Vec<String>,
    side: Vec<String>,
    can_edit: bool,
    can_delete: bool,
    alert: Option<String>,
    updated: String,
}

async fn page(ctx: &PortCtx, id: Uuid, forms: Forms, alert: Option<String>) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let b = find(&mut tx, id).await?;
    let all = sections(&mut tx, ctx, &b, &forms).await?;
    tx.commit().await?;
    let status = forms
        .status_errors
        .status()
        .max(forms.maintenance_errors.status());
    let (main, side): (Vec<Section>, Vec<Section>) =
        all.into_iter().partition(|s| s.column == Column::Main);
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    let (st, label) = status_of(&b.status);
    let title = format!("Berth {}", b.mooring_number);
    let updated: DateTime<Utc> = b.updated_at;
    let page = ShowPage {
        shell: Shell::for_ctx(&title, Nav::Berths, ctx, &ports),
        slug: ctx.port.slug.clone(),
        status: st,
        status_label: label,
        main: main.into_iter().map(|s| s.html).collect(),
        side: side.into_iter().map(|s| s.html).collect(),
        can_edit: ctx.can("berths.edit"),
        can_delete: ctx.can("berths.delete"),
        alert,
        updated: updated.format("%Y-%m-%d").to_string(),
        b,
    };
    let status = if page.alert.is_some() {
        axum::http::StatusCode::CONFLICT
    } else {
        status
    };
    Ok((status, render(&page)?).into_response())
}

/// `GET /ports/{port}/berths/{id}`
async fn show(ctx: PortCtx, Path((_, id)): Path<(String, String)>) -> Result<Response> {
    page(&ctx, parse_id(&id)?, Forms::default(), None).await
}

fn back(ctx: &PortCtx, id: Uuid) -> Response {
    Redirect::to(&format!("/ports/{}/berths/{id}", ctx.port.slug)).into_response()
}

/// `POST /ports/{port}/berths/{id}/status`: the manual change with its reason.
async fn change_status(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let body = StatusBody {
        status: form.status.clone(),
        reason: Some(form.reason.clone()),
    };
    match status::change_manually(&ctx, id, &body).await {
        Ok(_) => Ok(back(&ctx, id)),
        Err(e) => {
            let forms = Forms {
                status: form,
                status_errors: FormErrors::from_error(e)?,
                ..Forms::default()
            };
            page(&ctx, id, forms, None).await
        }
    }
}

fn text(s: &str) -> Option<Option<String>> {
    Some(Some(s.trim().to_owned()).filter(|s| !s.is_empty()))
}

/// `POST /ports/{port}/berths/{id}/maintenance`
async fn add_maintenance(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<MaintenanceForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let cost_text = form.cost.trim().replace(',', "");
    let cost = if cost_text.is_empty() {
        Some(None)
    } else {
        match Decimal::from_str(&cost_text) {
            Ok(d) => Some(Some(d)),
            Err(_) => {
                let forms = Forms {
                    maintenance: form,
                    maintenance_errors: FormErrors::one(
                        "cost",
                        "Enter an amount, such as 1250.00.",
                    ),
                    ..Forms::default()
                };
                return page(&ctx, id, forms, None).await;
            }
        }
    };
    let date = form.performed_date.trim();
    let performed_date = if date.is_empty() {
        Some(None)
    } else {
        match NaiveDate::from_str(date) {
            Ok(d) => Some(Some(d)),
            Err(_) => {
                let forms = Forms {
                    maintenance: form,
                    maintenance_errors: FormErrors::one("performed_date", "Enter a date."),
                    ..Forms::default()
                };
                return page(&ctx, id, forms, None).await;
            }
        }
    };
    let patch = MaintenancePatch {
        category: text(&form.category),
        description: text(&form.description),
        cost,
        cost_currency: text(&form.cost_currency),
        responsible_party: text(&form.responsible_party),
        performed_date,
    };
    match maintenance::add(&ctx, id, patch).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/ports/{}/berths/{id}#maintenance", ctx.port.slug))
                .into_response(),
        ),
        Err(e) => {
            let forms = Forms {
                maintenance: form,
                maintenance_errors: FormErrors::from_error(e)?,
                ..Forms::default()
            };
            page(&ctx, id, forms, None).await
        }
    }
}

#[derive(Deserialize)]
struct Empty {}

/// `POST /ports/{port}/berths/{id}/maintenance/{mid}/delete`
async fn delete_maintenance(
    ctx: PortCtx,
    Path((_, id, mid)): Path<(String, String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let (id, mid) = (parse_id(&id)?, parse_id(&mid)?);
    maintenance::remove(&ctx, id, mid).await?;
    Ok(Redirect::to(&format!("/ports/{}/berths/{id}#maintenance", ctx.port.slug)).into_response())
}

/// `POST /ports/{port}/berths/{id}/delete`: to the list, or back to the page
/// saying why not.
async fn delete(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    match super::write::delete(&ctx, id).await {
        Ok(()) => Ok(Redirect::to(&format!("/ports/{}/berths", ctx.port.slug)).into_response()),
        Err(Error::Conflict(message)) => page(&ctx, id, Forms::default(), Some(message)).await,
        Err(e) => Err(e),
    }
}
