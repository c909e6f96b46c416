//! One search across the port: `GET /api/v1/ports/{port}/search?q=`, the
//! top bar's suggestions as the user types, and a page of full results.
//!
//! Results come in groups, one per kind of record. A group is one function
//! (see [`clients`]) listed once in [`groups`]; it answers `None` when the
//! user may not see that kind, so nobody learns of records they cannot open.

use crate::access::{self, Access, PortCtx, Routes};
use crate::client_list::params::Filters;
use crate::client_list::sql;
use crate::db::PortTx;
use crate::http::{Error, Result};
use crate::web::render;
use crate::web::shell::{Section, Shell};
use askama::Template;
use axum::Json;
use axum::extract::Query;
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// Hits per group in the top bar's drop-down, and on the results page.
const SUGGEST: i64 = 6;
const FULL: i64 = 50;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/api/v1/ports/{port}/search",
            Access::Port("clients.view"),
            api,
        )
        .get("/ports/{port}/search", Access::Member, page)
        .get("/ports/{port}/search/suggest", Access::Member, suggest)
}

#[derive(Debug, Serialize)]
pub struct Hit {
    pub id: uuid::Uuid,
    pub title: String,
    pub subtitle: String,
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct Group {
    pub kind: &'static str,
    pub label: &'static str,
    pub items: Vec<Hit>,
    /// The group's own list, searched: where "all results" leads.
    pub more: String,
}

#[derive(Debug, Serialize)]
pub struct Results {
    pub q: String,
    pub groups: Vec<Group>,
}

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// Every group the user may see, in order, empty groups left out.
async fn groups(ctx: &PortCtx, tx: &mut PortTx, q: &str, limit: i64) -> Result<Vec<Group>> {
    // Berths and interests join here, one line each.
    let found = [
        clients(ctx, tx, q, limit).await?,
        crate::berths::search::group(ctx, tx, q, limit).await?,
    ];
    Ok(found
        .into_iter()
        .flatten()
        .filter(|g| !g.items.is_empty())
        .collect())
}

/// Clients by name, company, yacht, e-mail or phone, best first.
async fn clients(ctx: &PortCtx, tx: &mut PortTx, q: &str, limit: i64) -> Result<Option<Group>> {
    if !ctx.can("clients.view") {
        return Ok(None);
    }
    let filters = Filters {
        q: Some(q.to_owned()),
        ..Filters::default()
    };
    let plan = sql::plan(tx, ctx.port.id, filters).await?;
    let rows = sql::fetch(tx, &plan, None, limit).await?;
    let slug = &ctx.port.slug;
    let items = rows
        .into_iter()
        .map(|r| {
            let subtitle = [
                r.company_name.as_deref(),
                r.yacht_name.as_deref(),
                r.email.as_deref(),
                r.phone.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ");
            Hit {
                url: format!("/ports/{slug}/clients/{}", r.id),
                id: r.id,
                title: r.full_name,
                subtitle,
            }
        })
        .collect();
    let more = format!(
        "/ports/{slug}/clients?{}",
        serde_urlencoded::to_string([("q", q)]).unwrap_or_default()
    );
    Ok(Some(Group {
        kind: "clients",
        label: "Clients",
        items,
        more,
    }))
}

fn term(q: &str) -> Option<String> {
    let q: String = q.trim().chars().take(200).collect();
    (!q.is_empty()).then_some(q)
}

async fn run(ctx: &PortCtx, q: &str, limit: i64) -> Result<Vec<Group>> {
    let mut tx = ctx.begin().await?;
    let found = groups(ctx, &mut tx, q, limit).await?;
    tx.commit().await?;
    Ok(found)
}

pub async fn api(ctx: PortCtx, Query(q): Query<SearchQuery>) -> Result<Json<Results>> {
    let q = term(&q.q).ok_or_else(|| Error::invalid("q", "must not be empty"))?;
    let groups = run(&ctx, &q, FULL).await?;
    Ok(Json(Results { q, groups }))
}

#[derive(Template)]
#[template(path = "search/suggest.html")]
struct Suggest {
    q: String,
    groups: Vec<Group>,
    all: String,
}

/// The top bar's drop-down: a few hits per group and a link to them all.
pub async fn suggest(ctx: PortCtx, Query(q): Query<SearchQuery>) -> Result<Html<String>> {
    let Some(q) = term(&q.q) else {
        return Ok(Html(String::new()));
    };
    let groups = run(&ctx, &q, SUGGEST).await?;
    let all = format!(
        "/ports/{}/search?{}",
        ctx.port.slug,
        serde_urlencoded::to_string([("q", &q)]).unwrap_or_default()
    );
    render(&Suggest { q, groups, all })
}

#[derive(Template)]
#[template(path = "search/page.html")]
struct Page {
    shell: Shell,
    q: String,
    groups: Vec<Group>,
}

pub async fn page(ctx: PortCtx, Query(q): Query<SearchQuery>) -> Result<Response> {
    let term = term(&q.q);
    let groups = match &term {
        Some(q) => run(&ctx, q, FULL).await?,
        None => Vec::new(),
    };
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    let mut shell = Shell::for_ctx("Search", Section::Dashboard, &ctx, &ports);
    for item in &mut shell.nav {
        item.current = false;
    }
    Ok(render(&Page {
        shell,
        q: term.unwrap_or_default(),
        groups,
    })?
    .into_response())
}
