//! `GET /api/v1/ports/{port}/pipeline`: the board as JSON, for integrators
//! and the board page's own script.
//!
//! Query: the filters of `params` (`area`, `lead_category`, `tag`,
//! `reminders=mine|any`); `limit` cards per column (0–200, default 50; 0
//! answers the counts and values alone); `stage` with `cursor` (a column's
//! `next_cursor`) for the cards that follow in that one column.

use super::board::{self, Amount, Card, Key};
use super::money;
use super::params::{self, Filters};
use crate::access::PortCtx;
use crate::client_list::params::pairs;
use crate::http::cursor::{self, DEFAULT_LIMIT, MAX_LIMIT};
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::RawQuery;
use domain::pipeline::Stage;
use domain::settings::CurrencyDisplay;
use rust_decimal::Decimal;
use serde::Serialize;

/// The API's own keys next to the filters.
pub const KEYS: &[&str] = &["limit", "stage", "cursor"];

#[derive(Debug, Serialize)]
pub struct BoardOut {
    pub columns: Vec<ColumnOut>,
}

#[derive(Debug, Serialize)]
pub struct ColumnOut {
    pub stage: Stage,
    pub label: &'static str,
    pub count: i64,
    pub values: Vec<ValueOut>,
    pub cards: Vec<Card>,
    pub next_cursor: Option<String>,
}

/// A column's total in one currency, with how the pages show it.
#[derive(Debug, Serialize)]
pub struct ValueOut {
    pub currency: String,
    pub amount: Decimal,
    /// `USD 1,250,000.00`: the `currency_display` setting's decimal places.
    pub display: String,
    /// `USD 1.3M`, for narrow places.
    pub short: String,
}

impl ValueOut {
    pub fn of(a: &Amount, places: u32) -> ValueOut {
        ValueOut {
            currency: a.currency.clone(),
            amount: a.amount,
            display: money::full(a.amount, &a.currency, places),
            short: money::compact(a.amount, &a.currency),
        }
    }
}

/// What a request to the board asks for.
pub struct Ask {
    pub filters: Filters,
    pub limit: i64,
    pub stage: Option<Stage>,
    pub after: Option<Key>,
}

/// Reads the query's pairs: the filters, and `limit`, `stage` and `cursor`.
pub fn ask(pairs: &[(String, String)], page_keys: &[&str]) -> Result<Ask> {
    let mut also = KEYS.to_vec();
    also.extend_from_slice(page_keys);
    let filters = params::parse(pairs, &also)?;
    let limit = match params::value(pairs, "limit") {
        None => DEFAULT_LIMIT,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (0..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                Error::invalid(
                    "limit",
                    format!("must be a whole number from 0 to {MAX_LIMIT}"),
                )
            })?,
    };
    let stage = params::value(pairs, "stage")
        .map(params::stage)
        .transpose()?;
    let after = cursor::after::<Key>(params::value(pairs, "cursor"))?;
    if after.is_some() && stage.is_none() {
        return Err(Error::invalid(
            "cursor",
            "continues one column: send its stage too",
        ));
    }
    Ok(Ask {
        filters,
        limit,
        stage,
        after,
    })
}

/// The columns asked for, each with its count, values and cards.
pub async fn columns(ctx: &PortCtx, ask: &Ask) -> Result<(Vec<ColumnOut>, u32)> {
    let mut tx = ctx.begin().await?;
    board::check(&mut tx, &ask.filters).await?;
    let places = crate::settings::get::<CurrencyDisplay>(&mut tx, Some(ctx.port.id))
        .await?
        .decimal_places;
    let port_id = ctx.port.id;
    let user = ctx.user.id.as_str();
    let summaries = board::summary(
        &mut tx,
        port_id,
        user,
        &ask.filters,
        &ctx.port.default_currency,
    )
    .await?;
    let stages: Vec<Stage> = match ask.stage {
        Some(s) => vec![s],
        None => Stage::ALL.to_vec(),
    };
    let cards = if ask.limit > 0 {
        board::cards(
            &mut tx,
            port_id,
            user,
            &ask.filters,
            &stages,
            ask.after,
            ask.limit + 1,
        )
        .await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    let columns = summaries
        .into_iter()
        .filter(|s| stages.contains(&s.stage))
        .map(|s| {
            let (cards, next) = board::column_of(&cards, s.stage, ask.limit);
            ColumnOut {
                stage: s.stage,
                label: s.stage.label(),
                count: s.count,
                values: s.values.iter().map(|a| ValueOut::of(a, places)).collect(),
                cards,
                next_cursor: next.map(|k| cursor::cursor_of(&k)),
            }
        })
        .collect();
    Ok((columns, places))
}

pub async fn index(ctx: PortCtx, RawQuery(raw): RawQuery) -> Result<Json<BoardOut>> {
    let ask = ask(&pairs(raw.as_deref())?, &[])?;
    let (columns, _) = columns(&ctx, &ask).await?;
    Ok(Json(BoardOut { columns }))
}
