//! `/ports/{port}/settings/berth-rules`: the port's berth status rules
//! (BR-001), one row per trigger with its mode and target status. Saved as
//! the `berth_status_rules` setting after `BerthStatusRules::problems`; each
//! problem is shown in its trigger's row.

use super::api::store;
use super::page::{shell, tabs};
use super::{Source, find, get_with_source};
use crate::access::{Access, PortCtx, Routes};
use crate::auth::csrf::CsrfForm;
use crate::berth_rules::{trigger_label, trigger_name};
use crate::http::{Error, Result};
use crate::web::form::FormErrors;
use crate::web::render;
use crate::web::shell::Shell;
use crate::web::tabs::Tab;
use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use domain::settings::{BerthStatus, BerthStatusRules, Mode, StatusRule, Trigger};
use serde::Deserialize;
use std::collections::HashMap;

const PAGE: &str = "/ports/{port}/settings/berth-rules";

pub fn routes(routes: Routes) -> Routes {
    routes.get(PAGE, Access::Port("settings.view"), show).post(
        PAGE,
        Access::Port("settings.edit"),
        save,
    )
}

const MODES: [(Mode, &str, &str); 3] = [
    (Mode::Auto, "auto", "At once"),
    (Mode::Suggest, "suggest", "Suggest"),
    (Mode::Off, "off", "Do nothing"),
];

fn mode_name(mode: Mode) -> &'static str {
    MODES
        .iter()
        .find(|(m, _, _)| *m == mode)
        .map_or("off", |(_, n, _)| n)
}

/// One trigger's row as shown (and as typed).
struct Row {
    trigger: String,
    label: &'static str,
    mode: String,
    target: String,
}

#[derive(Template)]
#[template(path = "settings/berth_rules.html")]
struct RulesPage {
    shell: Shell,
    tabs: Vec<Tab>,
    port_slug: String,
    rows: Vec<Row>,
    modes: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    source: &'static str,
    can_edit: bool,
    errors: FormErrors,
    saved: bool,
}

/// The rows of `rules`: every trigger, those left out as off.
fn rows_of(rules: &BerthStatusRules) -> Vec<Row> {
    Trigger::ALL
        .into_iter()
        .map(|t| {
            let rule = rules.0.iter().find(|r| r.trigger == t);
            Row {
                trigger: trigger_name(t),
                label: trigger_label(t),
                mode: mode_name(rule.map_or(Mode::Off, |r| r.mode)).to_owned(),
                target: rule
                    .map_or(BerthStatus::UnderOffer, |r| r.target_status)
                    .as_str()
                    .to_owned(),
            }
        })
        .collect()
}

async fn page(
    ctx: &PortCtx,
    rows: Option<Vec<Row>>,
    errors: FormErrors,
    saved: bool,
) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let (rules, source) = get_with_source::<BerthStatusRules>(&mut tx, Some(ctx.port.id)).await?;
    tx.commit().await?;
    let status = errors.status();
    let html = render(&RulesPage {
        shell: shell(ctx, "Berth rules").await?,
        tabs: tabs(ctx, "Berth rules"),
        port_slug: ctx.port.slug.clone(),
        rows: rows.unwrap_or_else(|| rows_of(&rules)),
        modes: MODES.iter().map(|(_, n, l)| (*n, *l)).collect(),
        statuses: BerthStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        source: match source {
            Source::Port => "set for this port",
            Source::Global => "the installation's rules",
            Source::Default => "the default rules",
        },
        can_edit: ctx.can("settings.edit"),
        errors,
        saved,
    })?;
    Ok((status, html).into_response())
}

#[derive(Deserialize)]
struct Saved {
    saved: Option<String>,
}

/// `GET /ports/{port}/settings/berth-rules`
async fn show(ctx: PortCtx, Query(q): Query<Saved>) -> Result<Response> {
    page(&ctx, None, FormErrors::none(), q.saved.is_some()).await
}

/// `POST /ports/{port}/settings/berth-rules`: `mode.<trigger>` and
/// `target.<trigger>` for every trigger.
async fn save(ctx: PortCtx, CsrfForm(form): CsrfForm<HashMap<String, String>>) -> Result<Response> {
    let mut problems: Vec<(String, String)> = Vec::new();
    let mut rules = Vec::new();
    let mut rows = Vec::new();
    for t in Trigger::ALL {
        let name = trigger_name(t);
        let mode_raw = form
            .get(&format!("mode.{name}"))
            .map_or("off", |s| s.trim());
        let target_raw = form.get(&format!("target.{name}")).map_or("", |s| s.trim());
        let mode = MODES
            .iter()
            .find(|(_, n, _)| *n == mode_raw)
            .map(|(m, _, _)| *m);
        let target = target_raw.parse::<BerthStatus>();
        if mode.is_none() {
            problems.push((
                format!("{name}.mode"),
                "must be auto, suggest or off".into(),
            ));
        }
        if let Err(e) = &target {
            problems.push((format!("{name}.target_status"), e.clone()));
        }
        if let (Some(mode), Ok(target_status)) = (mode, target) {
            rules.push(StatusRule {
                trigger: t,
                mode,
                target_status,
            });
        }
        rows.push(Row {
            trigger: name,
            label: trigger_label(t),
            mode: mode_raw.to_owned(),
            target: target_raw.to_owned(),
        });
    }
    let rules = BerthStatusRules(rules);
    // The type's own checks name `[i].field`; rows are in trigger order.
    for (field, message) in rules.problems() {
        let named = field
            .strip_prefix('[')
            .and_then(|f| f.split_once("]."))
            .and_then(|(i, rest)| {
                let i: usize = i.parse().ok()?;
                Some(format!("{}.{rest}", trigger_name(rules.0.get(i)?.trigger)))
            })
            .unwrap_or(field);
        problems.push((named, message));
    }
    if !problems.is_empty() {
        let errors = FormErrors::from_error(crate::http::checked::problems(problems).unwrap_err())?;
        return page(&ctx, Some(rows), errors, false).await;
    }
    let value = serde_json::to_value(&rules).map_err(|e| Error::Internal(e.into()))?;
    let entry = find("berth_status_rules").expect("a known setting");
    store(&ctx, &entry, value).await?;
    Ok(Redirect::to(&format!(
        "/ports/{}/settings/berth-rules?saved=1",
        ctx.port.slug
    ))
    .into_response())
}
