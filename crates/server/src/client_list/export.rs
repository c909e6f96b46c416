//! `GET /api/v1/ports/{port}/clients/export.csv`: the list, with the same
//! filters, search and order, as CSV a spreadsheet opens correctly: UTF-8 with
//! a byte order mark, RFC 4180 quoting, CRLF line ends, and cells that a
//! spreadsheet would run as a formula defused with a leading apostrophe.
//!
//! Streamed in keyset batches, each in its own short transaction, so a port
//! of any size is exported in constant memory and without one long query.

use super::params::{self, Filters};
use super::sql::{self, ClientRow, Key, Plan};
use crate::access::PortCtx;
use crate::http::{Error, Result};
use axum::body::{Body, Bytes};
use axum::extract::RawQuery;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::borrow::Cow;

/// Rows fetched per batch.
const BATCH: i64 = 1000;

const BOM: &[u8] = "\u{feff}".as_bytes();

/// The fixed columns, in order; custom fields follow.
const HEADER: &[&str] = &[
    "id",
    "full_name",
    "company_name",
    "email",
    "phone",
    "nationality",
    "is_proxy",
    "proxy_type",
    "actual_owner_name",
    "yacht_name",
    "yacht_length_ft",
    "yacht_length_m",
    "yacht_width_ft",
    "yacht_width_m",
    "yacht_draft_ft",
    "yacht_draft_m",
    "preferred_contact_method",
    "preferred_language",
    "timezone",
    "source",
    "source_details",
    "tags",
    "archived_at",
    "created_at",
    "updated_at",
];

/// A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab,
/// carriage return first) gets a leading apostrophe (OWASP's CSV injection advice).
pub fn guard(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn record(row: &ClientRow, custom: &[String]) -> Vec<String> {
    let tags = row
        .tags
        .as_array()
        .map(|tags| {
            tags.iter()
                .filter_map(|t| t["name"].as_str())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let mut cells = vec![
        row.id.to_string(),
        row.full_name.clone(),
        opt(&row.company_name),
        opt(&row.email),
        opt(&row.phone),
        opt(&row.nationality),
        row.is_proxy.to_string(),
        opt(&row.proxy_type),
        opt(&row.actual_owner_name),
        opt(&row.yacht_name),
        opt(&row.yacht_length_ft),
        opt(&row.yacht_length_m),
        opt(&row.yacht_width_ft),
        opt(&row.yacht_width_m),
        opt(&row.yacht_draft_ft),
        opt(&row.yacht_draft_m),
        opt(&row.preferred_contact_method),
        opt(&row.preferred_language),
        opt(&row.timezone),
        opt(&row.source),
        opt(&row.source_details),
        tags,
        row.archived_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
        row.created_at.to_rfc3339(),
        row.updated_at.to_rfc3339(),
    ];
    for name in custom {
        cells.push(match row.custom_fields.get(name) {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        });
    }
    cells
}

fn encode(rows: &[ClientRow], custom: &[String], header: Option<&[String]>) -> Result<Bytes> {
    let mut w = writer();
    let fail = |e: csv::Error| Error::Internal(anyhow::Error::new(e).context("writing CSV"));
    if let Some(header) = header {
        w.write_record(header.iter().map(|h| guard(h).into_owned()))
            .map_err(fail)?;
    }
    for row in rows {
        w.write_record(record(row, custom).iter().map(|c| guard(c).into_owned()))
            .map_err(fail)?;
    }
    let mut bytes = w
        .into_inner()
        .map_err(|e| Error::Internal(anyhow::anyhow!("flushing CSV: {e}")))?;
    if header.is_some() {
        let mut with_bom = BOM.to_vec();
        with_bom.append(&mut bytes);
        bytes = with_bom;
    }
    Ok(Bytes::from(bytes))
}

struct State {
    ctx: PortCtx,
    plan: Plan,
    custom: Vec<String>,
    after: Option<Key>,
    done: bool,
}

async fn next_batch(mut s: State) -> Option<(std::result::Result<Bytes, Error>, State)> {
    if s.done {
        return None;
    }
    let batch = async {
        let mut tx = s.ctx.begin().await?;
        let rows = sql::fetch(&mut tx, &s.plan, s.after.as_ref(), BATCH).await?;
        tx.commit().await?;
        Ok::<_, Error>(rows)
    }
    .await;
    match batch {
        Ok(rows) => {
            s.done = (rows.len() as i64) < BATCH;
            s.after = rows.last().map(|r| r.key(s.plan.sort));
            let bytes = encode(&rows, &s.custom, None);
            if bytes.is_err() {
                s.done = true;
            }
            Some((bytes, s))
        }
        Err(e) => {
            // The response has started: the error can only end it early (the
            // client sees a truncated download) and go to the log.
            tracing::error!(error = ?e, "client export failed part-way");
            s.done = true;
            Some((Err(e), s))
        }
    }
}

/// The port's custom fields of clients, in their order: the export's extra columns.
async fn custom_columns(tx: &mut crate::db::PortTx) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar!(
        "SELECT field_name FROM custom_field_definitions WHERE entity_type = 'client'
         ORDER BY sort_order, field_name"
    )
    .fetch_all(&mut **tx)
    .await?)
}

pub async fn csv(ctx: PortCtx, RawQuery(raw): RawQuery) -> Result<Response> {
    let pairs = params::pairs(raw.as_deref())?;
    // The page's own keys (columns, saved view) travel in its export link.
    let filters: Filters = params::parse(&pairs, &["limit", "cursor", "col", "view"])?;
    let mut tx = ctx.begin().await?;
    let plan = sql::plan(&mut tx, ctx.port.id, filters).await?;
    let custom = custom_columns(&mut tx).await?;
    tx.commit().await?;

    let header: Vec<String> = HEADER
        .iter()
        .map(|h| (*h).to_owned())
        .chain(custom.iter().cloned())
        .collect();
    let head = futures_util::stream::once(std::future::ready(encode(&[], &custom, Some(&header))));
    let state = State {
        ctx: ctx.clone(),
        plan,
        custom,
        after: None,
        done: false,
    };
    let rows = futures_util::stream::unfold(state, next_batch);
    let body = Body::from_stream(futures_util::StreamExt::chain(head, rows));

    let tz: chrono_tz::Tz = ctx.port.timezone.parse().unwrap_or(chrono_tz::UTC);
    let date = chrono::Utc::now().with_timezone(&tz).format("%Y-%m-%d");
    // Slugs are [a-z0-9-]; anything else is dropped so the header stays plain.
    let slug: String = ctx
        .port
        .slug
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let disposition = format!("attachment; filename=\"clients-{slug}-{date}.csv\"");
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).map_err(|e| Error::Internal(e.into()))?,
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_plain_text_is_not() {
        for bad in ["=1+1", "+44", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(guard(bad), format!("'{bad}"));
        }
        assert_eq!(guard("Hartley"), "Hartley");
        assert_eq!(guard(""), "");
    }

    #[test]
    fn quoting_follows_rfc_4180_with_crlf() {
        let mut w = writer();
        w.write_record(["a,b", "say \"hi\"", "line\nbreak", "plain"])
            .unwrap();
        let out = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(out, "\"a,b\",\"say \"\"hi\"\"\",\"line\nbreak\",plain\r\n");
    }
}
