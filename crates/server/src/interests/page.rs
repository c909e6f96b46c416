//! `/ports/{port}/interests/{id}`: the interest page. A header with the
//! client, the berth and the stage; the pipeline as steps (a click moves the
//! interest, through the same edit as the API); the milestones; the
//! statuses; notes, tags and activity.

use super::model::{Interest, find, parse_id};
use super::write;
use crate::access::{self, Access, PortCtx, Routes};
use crate::audit::Timeline;
use crate::auth::csrf::CsrfForm;
use crate::http::{Error, Result};
use crate::web::render;
use crate::web::shell::{Section, Shell};
use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::interests::{
    ContractStatus, DepositStatus, EoiStatus, InterestSource, LeadCategory, ReservationStatus,
};
use domain::pipeline::Stage;
use serde::Deserialize;
use std::str::FromStr;
use uuid::Uuid;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/ports/{port}/interests/{id}",
            Access::Port("interests.view"),
            show,
        )
        .post(
            "/ports/{port}/interests/{id}/stage",
            Access::Port("interests.edit"),
            move_stage,
        )
        .post(
            "/ports/{port}/interests/{id}/archive",
            Access::Port("interests.delete"),
            archive,
        )
        .post(
            "/ports/{port}/interests/{id}/restore",
            Access::Port("interests.delete"),
            restore,
        )
}

/// The label of a stored value of a closed set, or the value itself.
pub fn label_of<T: FromStr + Copy>(
    v: Option<&str>,
    label: fn(T) -> &'static str,
) -> Option<String> {
    v.map(|s| T::from_str(s).map_or_else(|_| s.to_owned(), |t| label(t).to_owned()))
}

/// A moment as the port reads it: "3 Mar 2026".
pub fn day(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%-d %b %Y").to_string()
}

/// One step of the pipeline strip.
pub struct Step {
    pub stage: &'static str,
    pub label: &'static str,
    pub done: bool,
    pub current: bool,
}

/// A milestone date and whether it is set.
pub struct Milestone {
    pub label: &'static str,
    pub date: Option<String>,
    pub iso: Option<String>,
}

/// The berth, as the header and the overview show it.
pub struct BerthLine {
    pub id: Uuid,
    pub mooring_number: String,
    pub area: Option<String>,
    pub status: String,
}

impl BerthLine {
    pub fn status_label(&self) -> &str {
        self.status
            .parse::<domain::settings::BerthStatus>()
            .map_or(self.status.as_str(), |s| s.label())
    }
}

#[derive(Template)]
#[template(path = "interests/show.html")]
struct ShowPage {
    shell: Shell,
    slug: String,
    i: Interest,
    client_name: String,
    berth: Option<BerthLine>,
    stage_label: &'static str,
    steps: Vec<Step>,
    milestones: Vec<Milestone>,
    facts: Vec<(&'static str, Option<String>)>,
    reminder: String,
    tags: String,
    notes: String,
    timeline: Timeline,
    audit_link: Option<String>,
    can_edit: bool,
    can_delete: bool,
    script: &'static str,
}

/// Entries shown in the activity panel; the audit log has the rest.
const ACTIVITY: i64 = 25;

/// `GET /ports/{port}/interests/{id}`
async fn show(ctx: PortCtx, Path((_, id)): Path<(String, String)>) -> Result<Response> {
    let id = parse_id(&id)?;
    let tz = crate::audit::list::zone_of(&ctx);
    let mut tx = ctx.begin().await?;
    let i = find(&mut tx, id).await?;
    let client_name =
        sqlx::query_scalar!("SELECT full_name FROM clients WHERE id = $1", i.client_id)
            .fetch_one(&mut *tx)
            .await?;
    let berth = match i.berth_id {
        Some(b) => {
            sqlx::query_as!(
                BerthLine,
                "SELECT id, mooring_number, area, status FROM berths WHERE id = $1",
                b
            )
            .fetch_optional(&mut *tx)
            .await?
        }
        None => None,
    };
    let tags = crate::tags::record_panel::<crate::tags::InterestTags>(&mut tx, &ctx, id).await?;
    let notes = crate::notes::interest_panel(&mut tx, &ctx, id).await?;
    let history = crate::audit::timeline(&mut tx, super::KIND, id, ACTIVITY).await?;
    tx.commit().await?;

    let stage = i.stage();
    let steps = Stage::ALL
        .iter()
        .map(|s| Step {
            stage: s.as_str(),
            label: s.label(),
            done: *s < stage,
            current: *s == stage,
        })
        .collect();
    let m = |label, at: Option<DateTime<Utc>>| Milestone {
        label,
        date: at.map(|d| day(d, tz)),
        iso: at.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    };
    let milestones = vec![
        m("First contact", i.date_first_contact),
        m("EOI sent", i.date_eoi_sent),
        m("EOI signed", i.date_eoi_signed),
        m("Deposit received", i.date_deposit_received),
        m("Contract sent", i.date_contract_sent),
        m("Contract signed", i.date_contract_signed),
        m("Last contact", i.date_last_contact),
    ];
    let facts = vec![
        (
            "Lead category",
            label_of::<LeadCategory>(i.lead_category.as_deref(), LeadCategory::label),
        ),
        (
            "Source",
            label_of::<InterestSource>(i.source.as_deref(), InterestSource::label),
        ),
        (
            "EOI / NDA",
            label_of::<EoiStatus>(i.eoi_status.as_deref(), EoiStatus::label),
        ),
        (
            "Deposit",
            label_of::<DepositStatus>(i.deposit_status.as_deref(), DepositStatus::label),
        ),
        (
            "Contract",
            label_of::<ContractStatus>(i.contract_status.as_deref(), ContractStatus::label),
        ),
        (
            "Reservation",
            label_of::<ReservationStatus>(
                i.reservation_status.as_deref(),
                ReservationStatus::label,
            ),
        ),
    ];
    let reminder = match (i.reminder_enabled, i.reminder_days) {
        (false, _) => "Off".to_owned(),
        (true, Some(d)) => format!(
            "After {d} day{} without contact",
            if d == 1 { "" } else { "s" }
        ),
        (true, None) => "After the port's usual days without contact".to_owned(),
    };
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    let title = match &berth {
        Some(b) => format!("{client_name} · {}", b.mooring_number),
        None => format!("{client_name} · interest"),
    };
    let page = ShowPage {
        shell: Shell::for_ctx(&title, Section::Pipeline, &ctx, &ports),
        slug: ctx.port.slug.clone(),
        client_name,
        berth,
        stage_label: stage.label(),
        steps,
        milestones,
        facts,
        reminder,
        tags,
        notes,
        timeline: Timeline::new(&history, Utc::now(), tz),
        audit_link: ctx.can("audit.view").then(|| {
            format!(
                "/ports/{}/audit?entity_type=interest&entity_id={id}",
                ctx.port.slug
            )
        }),
        can_edit: ctx.can("interests.edit"),
        can_delete: ctx.can("interests.delete"),
        script: crate::web::assets::url::CLIENTS_JS,
        i,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct StageForm {
    #[serde(default)]
    pipeline_stage: String,
}

/// `POST /ports/{port}/interests/{id}/stage`: moves the interest and comes
/// back to its page. An unknown stage is the API's 422, shown as an error page.
async fn move_stage(
    ctx: PortCtx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<StageForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let stage: Stage =
        form.pipeline_stage
            .parse()
            .map_err(|e: domain::pipeline::UnknownStage| {
                Error::invalid("pipeline_stage", e.to_string())
            })?;
    write::update(&ctx, id, super::fields::Patch::stage(stage)).await?;
    Ok(Redirect::to(&format!("/ports/{slug}/interests/{id}")).into_response())
}

#[derive(Deserialize)]
struct Empty {}

async fn archive(
    ctx: PortCtx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    write::set_archived(&ctx, id, true).await?;
    Ok(Redirect::to(&format!("/ports/{slug}/interests/{id}")).into_response())
}

async fn restore(
    ctx: PortCtx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    write::set_archived(&ctx, id, false).await?;
    Ok(Redirect::to(&format!("/ports/{slug}/interests/{id}")).into_response())
}
