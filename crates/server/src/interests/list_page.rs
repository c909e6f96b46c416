//! `/ports/{port}/interests`: the port's interests as a table, with the list
//! API's filters in the URL (so a view can be bookmarked) and keyset pages.
//! The board of the same interests by stage is the Pipeline page.

use super::list::{self, InterestRow, Key, Sort};
use crate::access::{self, Access, PortCtx, Routes};
use crate::http::cursor::{self, cursor_of};
use crate::http::error::FieldErrors;
use crate::http::{Error, Result};
use crate::notifications::ago;
use crate::web::render;
use crate::web::shell::{Section, Shell};
use askama::Template;
use axum::extract::RawQuery;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use domain::interests::LeadCategory;
use domain::pipeline::Stage;

pub fn routes(routes: Routes) -> Routes {
    routes.get(
        "/ports/{port}/interests",
        Access::Port("interests.view"),
        show,
    )
}

/// Rows per page.
const PAGE: i64 = 50;

struct Choice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

fn choices(all: &[(&'static str, &'static str)], current: &str) -> Vec<Choice> {
    all.iter()
        .map(|(value, label)| Choice {
            value,
            label,
            selected: *value == current,
        })
        .collect()
}

struct Row {
    id: uuid::Uuid,
    client_name: String,
    berth_id: Option<uuid::Uuid>,
    mooring_number: Option<String>,
    stage: String,
    stage_label: &'static str,
    category: Option<&'static str>,
    last_contact: String,
    created: String,
    archived: bool,
}

impl Row {
    fn of(r: &InterestRow, now: chrono::DateTime<Utc>) -> Row {
        let stage = r.stage();
        Row {
            id: r.id,
            client_name: r.client_name.clone(),
            berth_id: r.berth_id,
            mooring_number: r.mooring_number.clone(),
            stage: stage.as_str().to_owned(),
            stage_label: stage.label(),
            category: r
                .lead_category
                .as_deref()
                .and_then(|c| c.parse::<LeadCategory>().ok())
                .map(LeadCategory::label),
            last_contact: r
                .date_last_contact
                .map_or_else(|| "—".to_owned(), |d| ago(d, now)),
            created: ago(r.created_at, now),
            archived: r.archived_at.is_some(),
        }
    }
}

#[derive(Template)]
#[template(path = "interests/list.html")]
struct ListPage {
    shell: Shell,
    slug: String,
    rows: Vec<Row>,
    stages: Vec<Choice>,
    categories: Vec<Choice>,
    berths: Vec<Choice>,
    /// Other filters of the URL the form has no control for (a client, a
    /// berth, a tag): kept as hidden inputs.
    hidden: Vec<(String, String)>,
    archived: Vec<Choice>,
    sorts: Vec<Choice>,
    errors: FieldErrors,
    filtered: bool,
    next: Option<String>,
    first_page: Option<String>,
}

/// The value of `key` in the query, or "".
fn value<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.trim())
}

/// `GET /ports/{port}/interests`
async fn show(ctx: PortCtx, RawQuery(raw): RawQuery) -> Result<Response> {
    let pairs = crate::client_list::params::pairs(raw.as_deref())?;
    let (filters, errors) = match list::parse(&pairs) {
        Ok(f) => (f, FieldErrors::new()),
        Err(Error::Unprocessable(errors)) => (list::Filters::default(), errors),
        Err(e) => return Err(e),
    };
    let after = cursor::after::<Key>(Some(value(&pairs, "cursor")))?;
    let mut tx = ctx.begin().await?;
    // Filters that do not read show nothing rather than everything.
    let fetched = if errors.is_empty() {
        list::fetch(&mut tx, ctx.port.id, &filters, after.as_ref(), PAGE + 1).await
    } else {
        Ok(Vec::new())
    };
    let (rows, errors) = match fetched {
        Ok(rows) => (rows, errors),
        Err(Error::Unprocessable(more)) => (Vec::new(), errors.into_iter().chain(more).collect()),
        Err(e) => return Err(e),
    };
    tx.commit().await?;
    let now = Utc::now();
    let sort = filters.sort.unwrap_or(Sort::DEFAULT);
    // The query without its cursor: the first page, and the base of the next.
    let kept: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(k, v)| k != "cursor" && !v.trim().is_empty())
        .collect();
    let base = serde_urlencoded::to_string(&kept).unwrap_or_default();
    let href = |extra: Option<String>| {
        let mut q = base.clone();
        if let Some(c) = extra {
            if !q.is_empty() {
                q.push('&');
            }
            q.push_str(&format!("cursor={c}"));
        }
        if q.is_empty() {
            format!("/ports/{}/interests", ctx.port.slug)
        } else {
            format!("/ports/{}/interests?{q}", ctx.port.slug)
        }
    };
    let next = (rows.len() as i64 > PAGE).then(|| {
        let last = &rows[PAGE as usize - 1];
        href(Some(cursor_of(&Key {
            s: sort.spec(),
            k: last.sort_keys.clone(),
            id: last.id,
        })))
    });
    let stages: Vec<(&str, &str)> = Stage::ALL.iter().map(|s| (s.as_str(), s.label())).collect();
    let categories: Vec<(&str, &str)> = LeadCategory::ALL
        .iter()
        .map(|c| (c.as_str(), c.label()))
        .collect();
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    let page = ListPage {
        shell: Shell::for_ctx("Interests", Section::Pipeline, &ctx, &ports),
        slug: ctx.port.slug.clone(),
        rows: rows
            .iter()
            .take(PAGE as usize)
            .map(|r| Row::of(r, now))
            .collect(),
        stages: choices(&stages, value(&pairs, "pipeline_stage")),
        categories: choices(&categories, value(&pairs, "lead_category")),
        berths: choices(&[("none", "Without a berth")], value(&pairs, "berth_id")),
        hidden: pairs
            .iter()
            .filter(|(k, v)| {
                matches!(k.as_str(), "client_id" | "tag") || (k == "berth_id" && v.trim() != "none")
            })
            .cloned()
            .collect(),
        archived: choices(
            &[("true", "Included"), ("only", "Only archived")],
            value(&pairs, "archived"),
        ),
        sorts: choices(
            &[
                ("created_at", "Oldest first"),
                ("-updated_at", "Recently changed"),
                ("date_last_contact", "Longest without contact"),
                ("-pipeline_stage", "Most advanced first"),
            ],
            value(&pairs, "sort"),
        ),
        filtered: !kept.is_empty(),
        first_page: after.is_some().then(|| href(None)),
        errors,
        next,
    };
    Ok(render(&page)?.into_response())
}
