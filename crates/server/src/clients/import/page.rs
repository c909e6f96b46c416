//! `/ports/{port}/clients/import`: upload a CSV (drag and drop or a file
//! input), choose the field of each column, read the dry run's report, start
//! the import and watch its progress bar until the summary.

use super::dry_run::{Action, Report, RowReport};
use super::mapping::{self, Field, FieldChoice};
use super::parse::Table;
use super::service;
use super::store::{self, ImportView};
use crate::access::{self, PortCtx};
use crate::auth::csrf::CsrfForm;
use crate::http::error::FieldErrors;
use crate::http::{Error, Result};
use crate::ports::Port;
use crate::web::shell::{Section, Shell};
use crate::web::{Count, render};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::HeaderValue;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Rows of the report shown on the page; the API has them all.
const SHOWN_ROWS: usize = 200;

#[derive(Template)]
#[template(path = "clients/import/page.html")]
struct UploadPage {
    shell: Shell,
    port: Port,
    recent: Vec<ImportView>,
    script: &'static str,
    max_mib: usize,
}

/// One column of the mapping step.
struct ColumnView {
    index: usize,
    header: String,
    samples: String,
    chosen: &'static str,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "clients/import/step.html")]
struct StepPage {
    shell: Shell,
    port: Port,
    import: ImportView,
    columns: Vec<ColumnView>,
    choices: Vec<FieldChoice>,
    mapping_error: Option<String>,
    report: Option<Report>,
    rows: Vec<RowReport>,
    show: String,
    counts: Counts,
}

#[derive(Template)]
#[template(path = "clients/import/progress.html")]
struct ProgressFragment {
    port: Port,
    import: ImportView,
}

struct Counts {
    create: Count,
    update: Count,
    reject: Count,
    flagged: Count,
    /// Clients the import will write: created plus updated.
    writes: Count,
}

impl StepPage {
    fn action_label(&self, row: &RowReport) -> &'static str {
        match row.action {
            Action::Create => "Create",
            Action::Update => "Update",
            Action::Reject => "Reject",
        }
    }

    fn reasons(&self, row: &RowReport) -> String {
        row.problems
            .iter()
            .map(|p| match &p.column {
                Some(c) => format!("{c}: {}", p.message),
                None => p.message.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn flags(&self, row: &RowReport) -> String {
        row.duplicates
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn editable(&self) -> bool {
        matches!(self.import.status.as_str(), "uploaded" | "validated")
    }
}

async fn shell(ctx: &PortCtx, title: &str) -> Result<Shell> {
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    Ok(Shell::for_ctx(title, Section::Clients, ctx, &ports))
}

/// `GET /ports/{port}/clients/import`
pub async fn show(ctx: PortCtx) -> Result<Html<String>> {
    let mut tx = ctx.begin().await?;
    let recent = store::recent(&mut tx, None, 10).await?;
    tx.commit().await?;
    render(&UploadPage {
        shell: shell(&ctx, "Import clients").await?,
        port: ctx.port.clone(),
        recent,
        script: crate::web::assets::url::IMPORT_JS,
        max_mib: ctx.state().config.import_max_bytes / (1024 * 1024),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct StepQuery {
    show: Option<String>,
}

fn counts(report: Option<&Report>) -> Counts {
    let s = report.map(|r| r.summary).unwrap_or_default();
    Counts {
        create: Count(s.create as i64),
        update: Count(s.update as i64),
        reject: Count(s.reject as i64),
        flagged: Count(s.flagged as i64),
        writes: Count((s.create + s.update) as i64),
    }
}

fn columns(table: &Table, chosen: &[Field], errors: &FieldErrors) -> Vec<ColumnView> {
    table
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| ColumnView {
            index: i,
            header: h.clone(),
            samples: table.samples(i).join(" · "),
            chosen: chosen.get(i).copied().unwrap_or(Field::Ignore).as_str(),
            error: errors.get(&format!("mapping.{h}")).map(|m| m.join(" ")),
        })
        .collect()
}

async fn step_page(
    ctx: &PortCtx,
    id: Uuid,
    show: Option<String>,
    chosen: Option<Vec<Field>>,
    errors: FieldErrors,
) -> Result<StepPage> {
    let mut tx = ctx.begin().await?;
    let (import, table) = service::load(&mut tx, id).await?;
    let report = store::report(&mut tx, id).await?;
    tx.commit().await?;
    let chosen = chosen.unwrap_or_else(|| {
        let stored: Option<BTreeMap<String, String>> = import
            .mapping
            .clone()
            .and_then(|m| serde_json::from_value(m).ok());
        match stored {
            Some(m) => table
                .headers
                .iter()
                .map(|h| {
                    m.get(h)
                        .and_then(|f| f.parse().ok())
                        .unwrap_or(Field::Ignore)
                })
                .collect(),
            None => mapping::suggest(&table.headers).columns,
        }
    });
    let show = match show.as_deref() {
        Some("rejected") => "rejected",
        Some("flagged") => "flagged",
        _ => "all",
    };
    let rows = report
        .as_ref()
        .map(|r| {
            r.rows
                .iter()
                .filter(|row| match show {
                    "rejected" => row.action == Action::Reject,
                    "flagged" => !row.duplicates.is_empty(),
                    _ => true,
                })
                .take(SHOWN_ROWS)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    Ok(StepPage {
        shell: shell(ctx, "Import clients").await?,
        port: ctx.port.clone(),
        columns: columns(&table, &chosen, &errors),
        choices: mapping::choices(),
        mapping_error: errors.get("mapping").map(|m| m.join(" ")),
        counts: counts(report.as_ref()),
        report,
        rows,
        show: show.to_owned(),
        import,
    })
}

/// `GET /ports/{port}/clients/import/{id}`: the step the import is at.
pub async fn step(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
    Query(q): Query<StepQuery>,
) -> Result<Html<String>> {
    render(&step_page(&ctx, id, q.show, None, FieldErrors::new()).await?)
}

/// `POST …/{id}/dry-run`: the chosen mapping (`column.<index>` = field).
pub async fn dry_run(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let (_, table) = service::load(&mut tx, id).await?;
    let chosen: Vec<Field> = (0..table.headers.len())
        .map(|i| {
            form.get(&format!("column.{i}"))
                .and_then(|f| f.parse().ok())
                .unwrap_or(Field::Ignore)
        })
        .collect();
    let given: BTreeMap<String, String> = table
        .headers
        .iter()
        .zip(&chosen)
        .map(|(h, f)| (h.clone(), f.as_str().to_owned()))
        .collect();
    match service::dry_run(&mut tx, ctx.port.id, id, Some(given)).await {
        Ok(_) => {
            tx.commit().await?;
            let to = format!("/ports/{}/clients/import/{id}#report", ctx.port.slug);
            Ok(Redirect::to(&to).into_response())
        }
        Err(Error::Unprocessable(errors)) => {
            drop(tx);
            let page = step_page(&ctx, id, None, Some(chosen), errors).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Deserialize)]
pub struct Empty {}

/// `POST …/{id}/run`: queues the import and shows its progress.
pub async fn run(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    service::queue(&ctx, id).await?;
    let to = format!("/ports/{}/clients/import/{id}", ctx.port.slug);
    Ok(Redirect::to(&to).into_response())
}

/// `GET …/{id}/progress`: the progress bar, polled by htmx; once the import
/// has finished the page reloads to show the summary.
pub async fn progress(ctx: PortCtx, Path((_, id)): Path<(String, Uuid)>) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let import = store::find(&mut tx, id).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    let finished = import.finished();
    let mut res = render(&ProgressFragment {
        port: ctx.port.clone(),
        import,
    })?
    .into_response();
    if finished {
        res.headers_mut()
            .insert("HX-Refresh", HeaderValue::from_static("true"));
    }
    Ok(res)
}
