//! `GET /api/v1/ports/{port}/clients`: the client list as JSON.
//!
//! `?q=` searches names, companies, yachts, contact values and phone digits.
//! Without a `sort` or a filter the answer is ranked (best first) over at
//! most 200 matches of each field (`sql::SEARCH_POOL`), so a type-ahead stays
//! fast on a huge port; with a `sort` or any filter every match is listed.

use super::params::{self, PAGING_KEYS};
use super::sql::{self, ClientRow, Key};
use crate::access::PortCtx;
use crate::http::cursor::{List, PageQuery};
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::RawQuery;

/// Reads the paging part of the pairs.
pub fn paging(pairs: &[(String, String)]) -> Result<PageQuery> {
    let mut q = PageQuery::default();
    for (k, v) in pairs {
        match k.as_str() {
            "limit" if !v.trim().is_empty() => {
                q.limit = Some(
                    v.trim()
                        .parse()
                        .map_err(|_| Error::invalid("limit", "must be a whole number"))?,
                )
            }
            "cursor" => q.cursor = Some(v.clone()),
            _ => {}
        }
    }
    Ok(q)
}

pub async fn index(ctx: PortCtx, RawQuery(raw): RawQuery) -> Result<Json<List<ClientRow>>> {
    let pairs = params::pairs(raw.as_deref())?;
    let filters = params::parse(&pairs, PAGING_KEYS)?;
    let paging = paging(&pairs)?;
    let limit = paging.limit()?;
    let after = paging.after::<Key>()?;
    let mut tx = ctx.begin().await?;
    let plan = sql::plan(&mut tx, ctx.port.id, filters).await?;
    let rows = sql::fetch(&mut tx, &plan, after.as_ref(), limit + 1).await?;
    tx.commit().await?;
    let sort = plan.sort;
    Ok(Json(List::page(rows, limit, |r| r.key(sort))))
}
