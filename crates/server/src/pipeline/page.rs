//! `GET /ports/{port}/pipeline`: the board (one column per stage, cards to
//! drag or move by keyboard) or, with `?view=table`, the same interests as a
//! sortable table. Filters live in the URL, so a view can be bookmarked.
//! `GET /ports/{port}/pipeline/cards`: a column's next cards ("show more").

use super::api::{self, Ask, ColumnOut, ValueOut};
use super::board::{self, Card};
use super::money;
use super::params::{self, Filters, Reminders};
use super::table::{self, Sort};
use crate::access::{self, PortCtx};
use crate::client_list::params::pairs;
use crate::http::cursor;
use crate::http::error::FieldErrors;
use crate::http::{Error, Result};
use crate::web::Count;
use crate::web::render;
use crate::web::shell::{Section, Shell};
use askama::Template;
use axum::extract::RawQuery;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::interests::LeadCategory;
use domain::pipeline::Stage;
use domain::settings::CurrencyDisplay;

/// Rows of the table view per page.
const TABLE_ROWS: i64 = 100;
/// The page's own keys next to the API's.
const PAGE_KEYS: &[&str] = &["view", "sort"];

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct ValueView {
    pub short: String,
    pub full: String,
}

pub struct CardView {
    pub id: String,
    pub href: String,
    pub stage: &'static str,
    pub client_name: String,
    pub yacht: Option<String>,
    pub berth: Option<String>,
    pub value: Option<String>,
    pub lead: Option<(&'static str, &'static str)>,
    pub age: String,
    pub age_title: String,
}

pub struct ColumnView {
    pub stage: &'static str,
    pub label: &'static str,
    pub count: Count,
    pub values: Vec<ValueView>,
    pub cards: Vec<CardView>,
    pub more: Option<String>,
}

pub struct Header {
    pub label: &'static str,
    pub numeric: bool,
    pub href: String,
    pub sorted: Option<&'static str>,
}

pub struct RowView {
    pub href: String,
    pub client_name: String,
    pub yacht: String,
    pub berth: String,
    /// The stage's key (its chip's colour) and its label.
    pub stage_key: &'static str,
    pub stage: &'static str,
    pub lead: String,
    pub value: String,
    pub last_contact: String,
    pub last_contact_title: String,
    pub age: String,
    pub age_title: String,
}

pub struct TableView {
    pub headers: Vec<Header>,
    pub rows: Vec<RowView>,
    pub next: Option<String>,
    pub first_page: Option<String>,
}

#[derive(Template)]
#[template(path = "pipeline/board.html")]
pub struct BoardPage {
    pub shell: Shell,
    pub slug: String,
    pub errors: FieldErrors,
    pub is_table: bool,
    pub board_href: String,
    pub table_href: String,
    pub areas: Vec<Choice>,
    pub leads: Vec<Choice>,
    pub tags: Vec<Choice>,
    pub reminders: Vec<Choice>,
    pub sort: String,
    pub filtered: bool,
    pub clear_href: String,
    pub total: Count,
    pub totals: Vec<ValueView>,
    pub columns: Vec<ColumnView>,
    pub table: Option<TableView>,
    pub stage_options: Vec<(&'static str, &'static str)>,
    pub can_move: bool,
    /// The filters as a query string, for the script's requests.
    pub filter_query: String,
    pub script: &'static str,
}

impl BoardPage {
    pub fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field).map(|m| m.join(" "))
    }
}

/// "Show more": a column's next cards and, when more follow, the next button.
#[derive(Template)]
#[template(path = "pipeline/more_cards.html")]
pub struct MoreCards {
    pub cards: Vec<CardView>,
    pub more: Option<String>,
    pub stage_options: Vec<(&'static str, &'static str)>,
    pub can_move: bool,
}

fn query_of(pairs: &[(String, String)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

fn stage_options() -> Vec<(&'static str, &'static str)> {
    Stage::ALL.iter().map(|s| (s.as_str(), s.label())).collect()
}

fn lead_of(value: Option<&str>) -> Option<(&'static str, &'static str)> {
    let lead: LeadCategory = value?.parse().ok()?;
    Some((lead.as_str(), lead.label()))
}

/// "12 d", with the exact creation time (in the port's zone) for hover.
fn age(created: DateTime<Utc>, now: DateTime<Utc>, tz: Tz) -> (String, String) {
    let days = (now - created).num_days().max(0);
    let text = if days == 0 {
        "today".to_owned()
    } else {
        format!("{days} d")
    };
    let title = format!(
        "Created {}",
        created.with_timezone(&tz).format("%-d %b %Y, %H:%M")
    );
    (text, title)
}

fn card_view(slug: &str, card: &Card, places: u32, now: DateTime<Utc>, tz: Tz) -> CardView {
    let (age, age_title) = age(card.created_at, now, tz);
    CardView {
        id: card.id.to_string(),
        href: format!("/ports/{slug}/interests/{}", card.id),
        stage: card.stage.as_str(),
        client_name: card.client_name.clone(),
        yacht: card.yacht_name.clone(),
        berth: card.mooring_number.clone(),
        value: card
            .value
            .as_ref()
            .map(|v| money::full(v.amount, &v.currency, places)),
        lead: lead_of(card.lead_category.as_deref()),
        age,
        age_title,
    }
}

/// Where a column's "show more" leads: its next cards under the same filters.
fn more_href(slug: &str, filters: &Filters, stage: Stage, next: &str) -> String {
    let mut pairs = filters.pairs();
    pairs.push(("stage".into(), stage.as_str().into()));
    pairs.push(("cursor".into(), next.into()));
    format!("/ports/{slug}/pipeline/cards?{}", query_of(&pairs))
}

fn value_views(values: &[ValueOut]) -> Vec<ValueView> {
    values
        .iter()
        .map(|v| ValueView {
            short: v.short.clone(),
            full: v.display.clone(),
        })
        .collect()
}

/// Every column's values added up, one total per currency.
fn totals(columns: &[ColumnOut], places: u32) -> Vec<ValueView> {
    let mut sums: Vec<board::Amount> = Vec::new();
    for v in columns.iter().flat_map(|c| &c.values) {
        match sums.iter_mut().find(|s| s.currency == v.currency) {
            Some(s) => s.amount += v.amount,
            None => sums.push(board::Amount {
                currency: v.currency.clone(),
                amount: v.amount,
            }),
        }
    }
    sums.iter()
        .map(|a| {
            let v = ValueOut::of(a, places);
            ValueView {
                short: v.short,
                full: v.display,
            }
        })
        .collect()
}

fn choices<'a>(
    all: impl Iterator<Item = (&'a str, &'a str)>,
    selected: Option<&str>,
) -> Vec<Choice> {
    all.map(|(v, l)| Choice {
        value: v.to_owned(),
        label: l.to_owned(),
        selected: Some(v) == selected,
    })
    .collect()
}

pub async fn show(ctx: PortCtx, RawQuery(raw): RawQuery) -> Result<Response> {
    let pairs = pairs(raw.as_deref())?;
    let is_table = params::value(&pairs, "view") == Some("table");
    let mut errors = FieldErrors::new();
    // The table pages with a cursor of its own; the board's columns start at
    // their first cards there.
    let board_pairs: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| !(is_table && k == "cursor"))
        .cloned()
        .collect();
    let ask = match api::ask(&board_pairs, PAGE_KEYS) {
        Ok(ask) => Some(ask),
        Err(Error::Unprocessable(e)) => {
            errors = e;
            None
        }
        Err(e) => return Err(e),
    };
    let sort = match params::value(&pairs, "sort").map(Sort::parse).transpose() {
        Ok(s) => s.unwrap_or(Sort::DEFAULT),
        Err(Error::Unprocessable(e)) => {
            errors.extend(e);
            Sort::DEFAULT
        }
        Err(e) => return Err(e),
    };
    let filters = ask.as_ref().map(|a| a.filters.clone()).unwrap_or_default();
    let slug = ctx.port.slug.clone();
    let tz: Tz = ctx.port.timezone.parse().unwrap_or(chrono_tz::UTC);
    let now = Utc::now();

    // The columns: their cards on the board, their counts and values always.
    let mut columns = Vec::new();
    let mut places = CurrencyDisplay::default().decimal_places;
    if let Some(ask) = ask.as_ref().filter(|_| errors.is_empty()) {
        let wanted = Ask {
            filters: ask.filters.clone(),
            limit: if is_table { 0 } else { ask.limit },
            stage: None,
            after: None,
        };
        match api::columns(&ctx, &wanted).await {
            Ok((c, p)) => {
                columns = c;
                places = p;
            }
            Err(Error::Unprocessable(e)) => errors = e,
            Err(e) => return Err(e),
        }
    }

    let mut tx = ctx.begin().await?;
    let table = if is_table && errors.is_empty() {
        let cursor = params::value(&pairs, "cursor");
        match table_view(&mut tx, &ctx, &filters, sort, cursor, places, now, tz).await {
            Ok(t) => Some(t),
            Err(Error::Unprocessable(e)) => {
                errors = e;
                None
            }
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    let areas = sqlx::query_scalar!(
        r#"SELECT DISTINCT area AS "area!" FROM berths WHERE area IS NOT NULL AND area <> '' ORDER BY 1"#
    )
    .fetch_all(&mut *tx)
    .await?;
    let tag_rows = sqlx::query!("SELECT id, name FROM tags ORDER BY lower(name)")
        .fetch_all(&mut *tx)
        .await?;
    tx.commit().await?;

    let filter_pairs = filters.pairs();
    let link = |extra: &[(&str, &str)]| {
        let mut p = filter_pairs.clone();
        p.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let q = query_of(&p);
        if q.is_empty() {
            format!("/ports/{slug}/pipeline")
        } else {
            format!("/ports/{slug}/pipeline?{q}")
        }
    };
    let total = Count(columns.iter().map(|c| c.count).sum());
    let page = BoardPage {
        shell: {
            let ports = access::ports_of(ctx.state(), &ctx.user).await?;
            Shell::for_ctx("Pipeline", Section::Pipeline, &ctx, &ports)
        },
        is_table,
        board_href: link(&[]),
        table_href: link(&[("view", "table")]),
        areas: areas
            .iter()
            .map(|a| Choice {
                value: a.clone(),
                label: a.clone(),
                selected: filters.area.as_deref() == Some(a.as_str()),
            })
            .collect(),
        leads: choices(
            LeadCategory::ALL.iter().map(|l| (l.as_str(), l.label())),
            filters.lead_category.map(LeadCategory::as_str),
        ),
        tags: tag_rows
            .iter()
            .map(|t| Choice {
                value: t.id.to_string(),
                label: t.name.clone(),
                selected: filters.tags.contains(&t.id),
            })
            .collect(),
        reminders: choices(
            [
                (Reminders::Mine.as_str(), "Assigned to me"),
                (Reminders::Any.as_str(), "Assigned to anyone"),
            ]
            .into_iter(),
            filters.reminders.map(Reminders::as_str),
        ),
        sort: if is_table && sort != Sort::DEFAULT {
            sort.spec()
        } else {
            String::new()
        },
        filtered: filters.narrows() || !errors.is_empty(),
        clear_href: if is_table {
            format!("/ports/{slug}/pipeline?view=table")
        } else {
            format!("/ports/{slug}/pipeline")
        },
        total,
        totals: totals(&columns, places),
        columns: columns
            .iter()
            .map(|c| ColumnView {
                stage: c.stage.as_str(),
                label: c.label,
                count: Count(c.count),
                values: value_views(&c.values),
                cards: c
                    .cards
                    .iter()
                    .map(|card| card_view(&slug, card, places, now, tz))
                    .collect(),
                more: c
                    .next_cursor
                    .as_deref()
                    .map(|n| more_href(&slug, &filters, c.stage, n)),
            })
            .collect(),
        table,
        stage_options: stage_options(),
        can_move: ctx.can("interests.edit"),
        filter_query: query_of(&filter_pairs),
        script: crate::web::assets::url::PIPELINE_JS,
        errors,
        slug,
    };
    Ok(render(&page)?.into_response())
}

#[allow(clippy::too_many_arguments)]
async fn table_view(
    tx: &mut crate::db::PortTx,
    ctx: &PortCtx,
    filters: &Filters,
    sort: Sort,
    cursor: Option<&str>,
    places: u32,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<TableView> {
    let slug = &ctx.port.slug;
    let after = cursor::after::<table::Key>(cursor)?;
    let mut rows = table::fetch(
        tx,
        ctx.port.id,
        &ctx.user.id,
        filters,
        sort,
        after.as_ref(),
        TABLE_ROWS + 1,
    )
    .await?;
    let more = rows.len() as i64 > TABLE_ROWS;
    rows.truncate(TABLE_ROWS as usize);
    let base = {
        let mut p = filters.pairs();
        p.push(("view".into(), "table".into()));
        p
    };
    let link = |extra: &[(String, String)]| {
        let mut p = base.clone();
        p.extend_from_slice(extra);
        format!("/ports/{slug}/pipeline?{}", query_of(&p))
    };
    let header = |label: &'static str, name: &'static str, numeric: bool| {
        let now_sorted =
            (sort.field.name == name).then_some(if sort.desc { "descending" } else { "ascending" });
        // A click sorts by the column, or turns its order around.
        let target = match now_sorted {
            Some("ascending") => format!("-{name}"),
            _ => name.to_owned(),
        };
        Header {
            label,
            numeric,
            href: link(&[("sort".into(), target)]),
            sorted: now_sorted,
        }
    };
    let when = |t: DateTime<Utc>| t.with_timezone(&tz).format("%-d %b %Y").to_string();
    let next = if more {
        rows.last().map(|r| {
            link(&[
                ("sort".into(), sort.spec()),
                ("cursor".into(), cursor::cursor_of(&r.key(sort))),
            ])
        })
    } else {
        None
    };
    Ok(TableView {
        headers: vec![
            header("Client", "client", false),
            header("Yacht", "yacht", false),
            header("Berth", "berth", false),
            header("Stage", "stage", false),
            header("Lead", "lead_category", false),
            header("Value", "value", true),
            header("Last contact", "last_contact", false),
            header("Created", "created_at", false),
        ],
        rows: rows
            .iter()
            .map(|r| {
                let (age, age_title) = age(r.created_at, now, tz);
                let contact = r.date_last_contact.unwrap_or(r.created_at);
                RowView {
                    href: format!("/ports/{slug}/interests/{}", r.id),
                    client_name: r.client_name.clone(),
                    yacht: r.yacht_name.clone().unwrap_or_default(),
                    berth: r.mooring_number.clone().unwrap_or_default(),
                    stage_key: r
                        .pipeline_stage
                        .parse::<Stage>()
                        .map(Stage::as_str)
                        .unwrap_or(""),
                    stage: r
                        .pipeline_stage
                        .parse::<Stage>()
                        .map(Stage::label)
                        .unwrap_or("?"),
                    lead: lead_of(r.lead_category.as_deref())
                        .map(|(_, l)| l.to_owned())
                        .unwrap_or_default(),
                    value: match (&r.price, &r.price_currency) {
                        (Some(p), Some(c)) => money::full(*p, c, places),
                        _ => String::new(),
                    },
                    last_contact: if r.date_last_contact.is_some() {
                        when(contact)
                    } else {
                        String::new()
                    },
                    last_contact_title: contact
                        .with_timezone(&tz)
                        .format("%-d %b %Y, %H:%M")
                        .to_string(),
                    age,
                    age_title,
                }
            })
            .collect(),
        next,
        first_page: after.is_some().then(|| {
            if sort == Sort::DEFAULT {
                link(&[])
            } else {
                link(&[("sort".into(), sort.spec())])
            }
        }),
    })
}

/// `GET /ports/{port}/pipeline/cards?stage=…&cursor=…`: a column's next cards.
pub async fn more(ctx: PortCtx, RawQuery(raw): RawQuery) -> Result<Response> {
    let ask = api::ask(&pairs(raw.as_deref())?, PAGE_KEYS)?;
    let stage = ask
        .stage
        .ok_or_else(|| Error::invalid("stage", "names the column to continue"))?;
    let (columns, places) = api::columns(&ctx, &ask).await?;
    let slug = ctx.port.slug.clone();
    let tz: Tz = ctx.port.timezone.parse().unwrap_or(chrono_tz::UTC);
    let now = Utc::now();
    let column = columns.into_iter().find(|c| c.stage == stage);
    let (cards, more) = match column {
        Some(c) => (
            c.cards
                .iter()
                .map(|card| card_view(&slug, card, places, now, tz))
                .collect(),
            c.next_cursor
                .as_deref()
                .map(|n| more_href(&slug, &ask.filters, stage, n)),
        ),
        None => (Vec::new(), None),
    };
    let fragment = MoreCards {
        cards,
        more,
        stage_options: stage_options(),
        can_move: ctx.can("interests.edit"),
    };
    Ok(render(&fragment)?.into_response())
}
