//! `GET /ports/{port}/clients`: the client list page. Its state lives in the
//! URL (filters, sort, columns, cursor), so a view can be bookmarked; saved
//! views store the same query under a name, and the user's default view
//! applies when the page opens without any.

use super::columns::{self, Cell, Column};
use super::params::{self, Archived, Filters, Sort};
use super::sql::{self, Key};
use crate::access::{self, PortCtx};
use crate::auth::csrf::CsrfForm;
use crate::http::error::FieldErrors;
use crate::http::{Error, Result};
use crate::saved_views::{self, NewView, SavedView};
use crate::web::Count;
use crate::web::render;
use crate::web::shell::{Section, Shell};
use askama::Template;
use axum::extract::{Path, RawQuery};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Map, Value};
use uuid::Uuid;

const PAGE_ROWS: i64 = 50;
/// Counted up to this many; beyond, the page says "more than".
const COUNT_CAP: i64 = 10_000;
/// The page's own keys next to the filters.
const PAGE_KEYS: &[&str] = &["cursor", "col", "view"];

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices<'a>(all: impl Iterator<Item = (&'a str, &'a str)>, selected: &str) -> Vec<Choice> {
    all.map(|(v, l)| Choice {
        value: v.to_owned(),
        label: l.to_owned(),
        selected: v == selected,
    })
    .collect()
}

pub struct Header {
    pub label: String,
    pub numeric: bool,
    /// Where clicking the header leads (the other direction when sorted).
    pub href: Option<String>,
    /// `ascending` / `descending` when the list is sorted by it.
    pub sorted: Option<&'static str>,
}

pub struct RowView {
    pub id: Uuid,
    pub name: String,
    pub archived: bool,
    pub cells: Vec<Cell>,
}

pub struct ColumnChoice {
    pub key: String,
    pub label: String,
    pub shown: bool,
}

pub struct ViewTab {
    pub id: Uuid,
    pub name: String,
    pub href: String,
    pub current: bool,
    pub mine: bool,
    pub is_shared: bool,
    pub is_default: bool,
}

#[derive(Template)]
#[template(path = "clients/list.html")]
pub struct ListPage {
    pub shell: Shell,
    pub slug: String,
    pub errors: FieldErrors,
    pub q: String,
    pub nationality: String,
    pub sources: Vec<Choice>,
    pub proxies: Vec<Choice>,
    pub tags: Vec<Choice>,
    pub archived: Vec<Choice>,
    pub sort: String,
    pub columns: Vec<ColumnChoice>,
    pub headers: Vec<Header>,
    pub name_header: Header,
    pub rows: Vec<RowView>,
    pub next: Option<String>,
    pub first_page: Option<String>,
    pub count: Option<String>,
    pub filtered: bool,
    pub export: Option<String>,
    pub can_create: bool,
    /// Links to the import and duplicates pages, for those who may use them.
    pub can_import: bool,
    pub can_merge: bool,
    pub views: Vec<ViewTab>,
    pub current_query: String,
    pub all_href: String,
    pub any_view: bool,
}

impl ListPage {
    pub fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field).map(|m| m.join(" "))
    }
}

/// A view's stored query as pairs: `filters` {key: value | [values]},
/// `sort_config.sort`, `column_config.columns`.
fn view_pairs(view: &SavedView) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(map) = view.filters.as_object() {
        for (k, v) in map {
            match v {
                Value::Array(items) => {
                    for i in items.iter().filter_map(Value::as_str) {
                        out.push((k.clone(), i.to_owned()));
                    }
                }
                Value::String(s) => out.push((k.clone(), s.clone())),
                Value::Bool(b) => out.push((k.clone(), b.to_string())),
                _ => {}
            }
        }
    }
    if let Some(sort) = view.sort_config.as_ref().and_then(|s| s["sort"].as_str()) {
        out.push(("sort".into(), sort.to_owned()));
    }
    if let Some(cols) = view
        .column_config
        .as_ref()
        .and_then(|c| c["columns"].as_array())
    {
        for c in cols.iter().filter_map(Value::as_str) {
            out.push(("col".into(), c.to_owned()));
        }
    }
    out
}

/// The reverse of [`view_pairs`], for saving the page's current query.
fn view_of_pairs(pairs: &[(String, String)]) -> (Value, Option<Value>, Option<Value>) {
    let mut filters = Map::new();
    let mut sort = None;
    let mut cols = Vec::new();
    for (k, v) in pairs.iter().filter(|(_, v)| !v.trim().is_empty()) {
        match k.as_str() {
            "sort" => sort = Some(serde_json::json!({ "sort": v })),
            "col" => cols.push(Value::String(v.clone())),
            "cursor" | "view" => {}
            "tag" => {
                let entry = filters
                    .entry(k.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(a) = entry {
                    a.push(Value::String(v.clone()));
                }
            }
            _ => {
                filters.insert(k.clone(), Value::String(v.clone()));
            }
        }
    }
    let columns = (!cols.is_empty()).then(|| serde_json::json!({ "columns": cols }));
    (Value::Object(filters), sort, columns)
}

fn query_of(pairs: &[(String, String)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

fn without(pairs: &[(String, String)], keys: &[&str]) -> Vec<(String, String)> {
    pairs
        .iter()
        .filter(|(k, v)| !keys.contains(&k.as_str()) && !v.trim().is_empty())
        .cloned()
        .collect()
}

async fn custom_fields(tx: &mut crate::db::PortTx) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query!(
        "SELECT field_name, field_label FROM custom_field_definitions
         WHERE entity_type = 'client' ORDER BY sort_order, field_label"
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|r| (r.field_name, r.field_label))
    .collect())
}

pub async fn show(ctx: PortCtx, RawQuery(raw): RawQuery) -> Result<Response> {
    let mut pairs = params::pairs(raw.as_deref())?;
    let mut tx = ctx.begin().await?;
    let views = saved_views::visible(&mut tx, &ctx.user.id, Some("clients")).await?;

    // A view's id alone (maybe with a cursor) opens the view; no query at all
    // opens the user's default view.
    let asked_view = pairs
        .iter()
        .find(|(k, _)| k == "view")
        .and_then(|(_, v)| Uuid::parse_str(v).ok());
    let only_view = pairs.iter().all(|(k, _)| k == "view" || k == "cursor");
    let mut current_view = asked_view;
    if pairs.is_empty() {
        if let Some(default) = views
            .iter()
            .find(|v| v.is_default && v.user_id == ctx.user.id)
        {
            current_view = Some(default.id);
            pairs = view_pairs(default);
            pairs.push(("view".into(), default.id.to_string()));
        }
    } else if only_view && let Some(id) = asked_view {
        let view = views.iter().find(|v| v.id == id).ok_or(Error::NotFound)?;
        let cursor = pairs.iter().find(|(k, _)| k == "cursor").cloned();
        pairs = view_pairs(view);
        pairs.push(("view".into(), id.to_string()));
        pairs.extend(cursor);
    }

    let custom = custom_fields(&mut tx).await?;
    let all_columns = columns::all(&custom);
    let mut chosen: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "col")
        .map(|(_, v)| v.clone())
        .filter(|k| all_columns.iter().any(|c| &c.key == k))
        .collect();
    if chosen.is_empty() {
        chosen = columns::defaults();
    }
    let shown: Vec<&Column> = all_columns
        .iter()
        .filter(|c| chosen.contains(&c.key))
        .collect();

    let cursor = pairs
        .iter()
        .find(|(k, _)| k == "cursor")
        .map(|(_, v)| v.clone());
    let parsed = params::parse(&pairs, PAGE_KEYS);
    let (filters, mut errors) = match parsed {
        Ok(f) => (f, FieldErrors::new()),
        Err(Error::Unprocessable(e)) => (Filters::default(), e),
        Err(e) => return Err(e),
    };
    let mut rows = Vec::new();
    let mut next = None;
    let mut count = None;
    let mut pooled = false;
    let sort = filters.effective_sort();
    if errors.is_empty() {
        match run(&mut tx, &ctx, filters.clone(), cursor.as_deref()).await {
            Ok((r, n, c, p)) => {
                rows = r;
                next = n;
                count = c;
                pooled = p;
            }
            Err(Error::Unprocessable(e)) => errors = e,
            Err(e) => return Err(e),
        }
    }
    let tag_rows = sqlx::query!("SELECT id, name FROM tags ORDER BY lower(name)")
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;

    let slug = ctx.port.slug.clone();
    let base = without(&pairs, &["cursor"]);
    let link = |extra: &[(String, String)], drop: &[&str]| {
        let mut p = without(&base, drop);
        p.extend_from_slice(extra);
        format!("/ports/{slug}/clients?{}", query_of(&p))
    };
    let header_of = |label: &str, numeric: bool, key: Option<&'static str>| {
        let (href, sorted) = match key {
            None => (None, None),
            Some(key) => {
                let (now, target) = match sort {
                    Sort::Field { field, desc } if field.name == key => (
                        Some(if desc { "descending" } else { "ascending" }),
                        if desc {
                            key.to_owned()
                        } else {
                            format!("-{key}")
                        },
                    ),
                    _ => (None, key.to_owned()),
                };
                (Some(link(&[("sort".into(), target)], &["sort"])), now)
            }
        };
        Header {
            label: label.to_owned(),
            numeric,
            href,
            sorted,
        }
    };
    let tz: chrono_tz::Tz = ctx.port.timezone.parse().unwrap_or(chrono_tz::UTC);
    let row_views = rows
        .iter()
        .map(|r| RowView {
            id: r.id,
            name: r.full_name.clone(),
            archived: r.archived_at.is_some(),
            cells: columns::cells(r, &shown, tz),
        })
        .collect();
    let value_of = |key: &str| {
        base.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let filter_keys = without(&base, &["col", "view", "sort"]);
    let export = ctx.can("clients.export").then(|| {
        format!(
            "/api/v1/ports/{slug}/clients/export.csv?{}",
            query_of(&without(&base, &["col", "view"]))
        )
    });
    let tags_selected: Vec<String> = base
        .iter()
        .filter(|(k, _)| k == "tag")
        .map(|(_, v)| v.clone())
        .collect();
    let page = ListPage {
        shell: {
            let ports = access::ports_of(ctx.state(), &ctx.user).await?;
            Shell::for_ctx("Clients", Section::Clients, &ctx, &ports)
        },
        errors,
        q: value_of("q"),
        nationality: value_of("nationality"),
        sources: choices(
            domain::clients::Source::ALL
                .iter()
                .map(|s| (s.as_str(), s.label())),
            &value_of("source"),
        ),
        proxies: choices(
            [("true", "Proxies only"), ("false", "Owners only")].into_iter(),
            &value_of("is_proxy"),
        ),
        tags: tag_rows
            .iter()
            .map(|t| Choice {
                value: t.id.to_string(),
                label: t.name.clone(),
                selected: tags_selected.contains(&t.id.to_string()),
            })
            .collect(),
        archived: choices(
            [("true", "Included"), ("only", "Only archived")].into_iter(),
            &match filters.archived {
                Archived::Hide => String::new(),
                Archived::Include => "true".into(),
                Archived::Only => "only".into(),
            },
        ),
        sort: value_of("sort"),
        columns: all_columns
            .iter()
            .map(|c| ColumnChoice {
                key: c.key.clone(),
                label: c.label.clone(),
                shown: chosen.contains(&c.key),
            })
            .collect(),
        name_header: header_of("Name", false, Some("full_name")),
        headers: shown
            .iter()
            .map(|c| header_of(&c.label, c.numeric, c.sort))
            .collect(),
        rows: row_views,
        next: next.map(|c| link(&[("cursor".into(), c)], &[])),
        first_page: cursor.is_some().then(|| link(&[], &[])),
        count: count.map(|n: i64| {
            let what = if n == 1 { "client" } else { "clients" };
            let verb = if filter_keys.is_empty() {
                ""
            } else if n == 1 {
                " matches"
            } else {
                " match"
            };
            if pooled && n >= i64::from(sql::SEARCH_POOL) {
                format!(
                    "The best {} matches · sort by a column to see every match",
                    Count(n)
                )
            } else if n > COUNT_CAP {
                format!("More than {} {what}{verb}", Count(COUNT_CAP))
            } else {
                format!("{} {what}{verb}", Count(n))
            }
        }),
        filtered: !filter_keys.is_empty(),
        export,
        can_create: ctx.can("clients.create"),
        can_import: ctx.can("clients.import"),
        can_merge: ctx.can("clients.merge"),
        views: views
            .iter()
            .map(|v| ViewTab {
                id: v.id,
                name: v.name.clone(),
                href: format!("/ports/{slug}/clients?view={}", v.id),
                current: current_view == Some(v.id),
                mine: v.user_id == ctx.user.id,
                is_shared: v.is_shared,
                is_default: v.is_default && v.user_id == ctx.user.id,
            })
            .collect(),
        current_query: query_of(&without(&base, &["view"])),
        all_href: format!("/ports/{slug}/clients?view=all"),
        any_view: current_view.is_some_and(|id| views.iter().any(|v| v.id == id)),
        slug,
    };
    Ok(render(&page)?.into_response())
}

/// The rows, the next page's cursor, the count (first page only) and whether
/// the search ranked a bounded pool of matches.
type Page = (
    Vec<super::sql::ClientRow>,
    Option<String>,
    Option<i64>,
    bool,
);

async fn run(
    tx: &mut crate::db::PortTx,
    ctx: &PortCtx,
    filters: Filters,
    cursor: Option<&str>,
) -> Result<Page> {
    let after = crate::http::cursor::after::<Key>(cursor)?;
    let plan = sql::plan(tx, ctx.port.id, filters).await?;
    let mut rows = sql::fetch(tx, &plan, after.as_ref(), PAGE_ROWS + 1).await?;
    let more = rows.len() as i64 > PAGE_ROWS;
    rows.truncate(PAGE_ROWS as usize);
    let next = more
        .then(|| {
            rows.last()
                .map(|r| crate::http::cursor::cursor_of(&r.key(plan.sort)))
        })
        .flatten();
    let count = if after.is_none() {
        Some(sql::count_up_to(tx, &plan, COUNT_CAP).await?)
    } else {
        None
    };
    Ok((rows, next, count, plan.pooled()))
}

#[derive(Debug, Deserialize)]
pub struct SaveForm {
    name: String,
    #[serde(default)]
    query: String,
    #[serde(default)]
    is_shared: Option<String>,
    #[serde(default)]
    is_default: Option<String>,
}

/// `POST /ports/{port}/clients/views`: the current query saved under a name.
pub async fn save_view(ctx: PortCtx, CsrfForm(form): CsrfForm<SaveForm>) -> Result<Response> {
    let pairs = params::pairs(Some(&form.query))?;
    // Only a query the list accepts is saved.
    params::parse(&pairs, PAGE_KEYS)?;
    let (filters, sort_config, column_config) = view_of_pairs(&pairs);
    let mut tx = ctx.begin().await?;
    let view = saved_views::create(
        &mut tx,
        &ctx,
        NewView {
            entity_type: "clients".into(),
            name: form.name,
            filters: Some(filters),
            sort_config,
            column_config,
            is_shared: form.is_shared.is_some(),
            is_default: form.is_default.is_some(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/ports/{}/clients?view={}",
        ctx.port.slug, view.id
    ))
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    action: String,
}

/// `POST /ports/{port}/clients/views/{id}`: share, unshare, make default,
/// stop being default, delete — the owner's own views only.
pub async fn change_view(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> Result<Response> {
    let id = Uuid::parse_str(&id).map_err(|_| Error::NotFound)?;
    let mut tx = ctx.begin().await?;
    let done = saved_views::change_own(&mut tx, &ctx, id, &form.action).await?;
    tx.commit().await?;
    let to = if done {
        format!("/ports/{}/clients?view={id}", ctx.port.slug)
    } else {
        format!("/ports/{}/clients", ctx.port.slug)
    };
    Ok(Redirect::to(&to).into_response())
}
