//! The berth list: filters, search, sorting and keyset pages over one query,
//! served as JSON (`GET …/berths`) and as the list page.
//!
//! Filters are named after fields: `area`, `status` (repeatable), `tenure_type`,
//! `tag` (repeatable), ranges as `<field>_min` / `<field>_max` for the
//! dimensions in either unit and the price, and `q` on the mooring number and
//! area. `sort=field` or `sort=-field`. Unknown names answer 422 naming them.
//! The SQL is assembled because its shape follows the filters; every value
//! the user typed is bound, every piece of SQL text comes from the tables here.

use crate::http::cursor::{List, PageQuery};
use crate::http::error::FieldErrors;
use crate::http::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use domain::berths::TenureType;
use domain::settings::BerthStatus;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use std::str::FromStr;
use uuid::Uuid;

/// Numeric columns a range filter applies to: `<name>_min`, `<name>_max`.
pub const RANGES: [&str; 9] = [
    "length_ft",
    "length_m",
    "width_ft",
    "width_m",
    "draft_ft",
    "draft_m",
    "water_depth",
    "water_depth_m",
    "price",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Numeric,
    Date,
    Time,
}

/// Sortable columns, and what kind of key each is.
const SORTS: [(&str, Kind, bool); 13] = [
    ("mooring_number", Kind::Text, false),
    ("area", Kind::Text, true),
    ("status", Kind::Text, false),
    ("length_ft", Kind::Numeric, true),
    ("length_m", Kind::Numeric, true),
    ("width_ft", Kind::Numeric, true),
    ("draft_ft", Kind::Numeric, true),
    ("water_depth", Kind::Numeric, true),
    ("price", Kind::Numeric, true),
    ("tenure_type", Kind::Text, false),
    ("tenure_end_date", Kind::Date, true),
    ("created_at", Kind::Time, false),
    ("updated_at", Kind::Time, false),
];

/// The default is by mooring number, ascending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sort {
    index: usize,
    pub desc: bool,
}

impl Sort {
    pub fn parse(raw: &str) -> Option<Sort> {
        let (desc, name) = match raw.strip_prefix('-') {
            Some(n) => (true, n),
            None => (false, raw),
        };
        SORTS
            .iter()
            .position(|(n, _, _)| *n == name)
            .map(|index| Sort { index, desc })
    }

    pub fn field(&self) -> &'static str {
        SORTS[self.index].0
    }

    pub fn spec(&self) -> String {
        format!("{}{}", if self.desc { "-" } else { "" }, self.field())
    }

    /// The key expressions over `b`, without the trailing id.
    fn keys(&self) -> Vec<(String, &'static str)> {
        let (name, kind, nullable) = SORTS[self.index];
        let (cast, zero) = match kind {
            Kind::Text => ("::text", "''"),
            Kind::Numeric => ("::numeric", "0"),
            Kind::Date => ("::date", "'epoch'::date"),
            Kind::Time => ("::timestamptz", "'epoch'::timestamptz"),
        };
        let col = format!("b.{name}");
        if nullable {
            vec![
                (format!("({col} IS NULL)"), "::boolean"),
                (format!("COALESCE({col}, {zero})"), cast),
            ]
        } else {
            vec![(col, cast)]
        }
    }

    /// A key as cursor text (times to the microsecond, in UTC).
    fn as_text(expr: &str, cast: &str) -> String {
        if cast == "::timestamptz" {
            format!("to_char({expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
        } else {
            format!("{expr}::text")
        }
    }
}

fn accepts(cast: &str, v: &str) -> bool {
    match cast {
        "::boolean" => v == "true" || v == "false",
        "::numeric" => v.parse::<Decimal>().is_ok(),
        "::date" => v.parse::<NaiveDate>().is_ok(),
        "::timestamptz" => DateTime::parse_from_rfc3339(v).is_ok(),
        _ => true,
    }
}

/// The filters, checked and typed.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub area: Option<String>,
    pub statuses: Vec<BerthStatus>,
    pub tenure_type: Option<TenureType>,
    pub tags: Vec<Uuid>,
    /// `(column, min, max)` for each range given.
    pub ranges: Vec<(&'static str, Option<Decimal>, Option<Decimal>)>,
    pub q: Option<String>,
    pub sort: Sort,
}

impl Filters {
    pub fn narrows(&self) -> bool {
        self.area.is_some()
            || !self.statuses.is_empty()
            || self.tenure_type.is_some()
            || !self.tags.is_empty()
            || !self.ranges.is_empty()
            || self.q.is_some()
    }

    pub fn range(&self, name: &str) -> (Option<Decimal>, Option<Decimal>) {
        self.ranges
            .iter()
            .find(|(n, _, _)| *n == name)
            .map_or((None, None), |(_, a, b)| (*a, *b))
    }
}

/// Reads the decoded query string. Keys in `also` are the caller's (paging,
/// the page's own); any other unknown key is a 422 naming it. Empty values
/// are no filter, as an untouched form field sends them.
pub fn parse(pairs: &[(String, String)], also: &[&str]) -> Result<Filters> {
    let mut f = Filters::default();
    let mut errors = FieldErrors::new();
    let mut bad = |k: &str, m: String| errors.entry(k.to_owned()).or_default().push(m);
    for (key, raw) in pairs {
        let (key, value) = (key.as_str(), raw.trim());
        if also.contains(&key) || crate::web::SCRIPT_PARAMS.contains(&key) {
            continue;
        }
        let range = key
            .strip_suffix("_min")
            .map(|n| (n, true))
            .or_else(|| key.strip_suffix("_max").map(|n| (n, false)))
            .and_then(|(n, min)| RANGES.iter().find(|r| **r == n).map(|r| (*r, min)));
        let known =
            range.is_some() || ["area", "status", "tenure_type", "tag", "q", "sort"].contains(&key);
        if !known {
            bad(key, "is not a filter of this list".into());
            continue;
        }
        if value.is_empty() {
            continue;
        }
        if let Some((name, is_min)) = range {
            match Decimal::from_str(&value.replace(',', ".")) {
                Ok(v) => {
                    let slot = match f.ranges.iter().position(|(n, _, _)| *n == name) {
                        Some(i) => i,
                        None => {
                            f.ranges.push((name, None, None));
                            f.ranges.len() - 1
                        }
                    };
                    if is_min {
                        f.ranges[slot].1 = Some(v);
                    } else {
                        f.ranges[slot].2 = Some(v);
                    }
                }
                Err(_) => bad(key, "must be a number".into()),
            }
            continue;
        }
        match key {
            "area" => f.area = Some(value.to_owned()),
            "status" => {
                for part in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    match part.parse::<BerthStatus>() {
                        Ok(s) if !f.statuses.contains(&s) => f.statuses.push(s),
                        Ok(_) => {}
                        Err(e) => bad(key, e),
                    }
                }
            }
            "tenure_type" => match value.parse() {
                Ok(t) => f.tenure_type = Some(t),
                Err(e) => bad(key, e),
            },
            "tag" => match Uuid::parse_str(value) {
                Ok(id) if !f.tags.contains(&id) => f.tags.push(id),
                Ok(_) => {}
                Err(_) => bad(key, format!("{value} is not a tag id")),
            },
            "q" => f.q = Some(value.chars().take(100).collect()),
            "sort" => match Sort::parse(value) {
                Some(s) => f.sort = s,
                None => bad(
                    key,
                    format!(
                        "{value} is not a sortable column; sort by one of {} (with - for descending)",
                        SORTS.map(|s| s.0).join(", ")
                    ),
                ),
            },
            _ => unreachable!("every known key is read above"),
        }
    }
    if errors.is_empty() {
        Ok(f)
    } else {
        Err(Error::Unprocessable(errors))
    }
}

/// One berth of a list page: the row, its tags and custom field values.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct BerthRow {
    pub id: Uuid,
    pub port_id: Uuid,
    pub mooring_number: String,
    pub area: Option<String>,
    pub status: String,
    pub length_ft: Option<Decimal>,
    pub width_ft: Option<Decimal>,
    pub draft_ft: Option<Decimal>,
    pub length_m: Option<Decimal>,
    pub width_m: Option<Decimal>,
    pub draft_m: Option<Decimal>,
    pub width_is_minimum: Option<bool>,
    pub nominal_boat_size: Option<String>,
    pub nominal_boat_size_m: Option<String>,
    pub water_depth: Option<Decimal>,
    pub water_depth_m: Option<Decimal>,
    pub water_depth_is_minimum: Option<bool>,
    pub side_pontoon: Option<String>,
    pub power_capacity: Option<String>,
    pub voltage: Option<String>,
    pub mooring_type: Option<String>,
    pub cleat_type: Option<String>,
    pub cleat_capacity: Option<String>,
    pub bollard_type: Option<String>,
    pub bollard_capacity: Option<String>,
    pub access: Option<String>,
    pub price: Option<Decimal>,
    pub price_currency: String,
    pub bow_facing: Option<String>,
    pub berth_approved: Option<bool>,
    pub tenure_type: String,
    pub tenure_years: Option<i32>,
    pub tenure_start_date: Option<NaiveDate>,
    pub tenure_end_date: Option<NaiveDate>,
    pub status_last_changed_by: Option<String>,
    pub status_last_changed_reason: Option<String>,
    pub status_last_modified: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `[{id, name, color}]` by name.
    pub tags: Value,
    /// `{field_name: value}`.
    pub custom_fields: Value,
    #[serde(skip)]
    pub sort_keys: Vec<String>,
}

/// The cursor: the order it belongs to, the sort key as text, the id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Key {
    pub s: String,
    pub k: Vec<String>,
    pub id: Uuid,
}

fn push_where(qb: &mut QueryBuilder<Postgres>, port_id: Uuid, f: &Filters) {
    qb.push(" FROM berths b WHERE b.port_id = ");
    qb.push_bind(port_id);
    if let Some(area) = &f.area {
        qb.push(" AND lower(b.area) = lower(");
        qb.push_bind(area.clone());
        qb.push(")");
    }
    if !f.statuses.is_empty() {
        qb.push(" AND b.status = ANY(");
        qb.push_bind(f.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>());
        qb.push(")");
    }
    if let Some(t) = f.tenure_type {
        qb.push(" AND b.tenure_type = ");
        qb.push_bind(t.as_str());
    }
    for (col, min, max) in &f.ranges {
        // `col` is one of RANGES: fixed text.
        if let Some(v) = min {
            qb.push(format!(" AND b.{col} >= "));
            qb.push_bind(*v);
        }
        if let Some(v) = max {
            qb.push(format!(" AND b.{col} <= "));
            qb.push_bind(*v);
        }
    }
    for tag in &f.tags {
        qb.push(
            " AND EXISTS (SELECT 1 FROM berth_tags bt WHERE bt.berth_id = b.id AND bt.tag_id = ",
        );
        qb.push_bind(*tag);
        qb.push(")");
    }
    if let Some(q) = &f.q {
        qb.push(" AND (b.mooring_number ILIKE ");
        qb.push_bind(crate::db::like::contains(q));
        qb.push(" OR b.area ILIKE ");
        qb.push_bind(crate::db::like::contains(q));
        qb.push(")");
    }
}

const COLUMNS: &str = "b.id, b.port_id, b.mooring_number, b.area, b.status, b.length_ft, b.width_ft, \
    b.draft_ft, b.length_m, b.width_m, b.draft_m, b.width_is_minimum, b.nominal_boat_size, \
    b.nominal_boat_size_m, b.water_depth, b.water_depth_m, b.water_depth_is_minimum, b.side_pontoon, \
    b.power_capacity, b.voltage, b.mooring_type, b.cleat_type, b.cleat_capacity, b.bollard_type, \
    b.bollard_capacity, b.access, b.price, b.price_currency, b.bow_facing, b.berth_approved, \
    b.tenure_type, b.tenure_years, b.tenure_start_date, b.tenure_end_date, b.status_last_changed_by, \
    b.status_last_changed_reason, b.status_last_modified, b.created_at, b.updated_at";

/// Tags and custom field values, computed for the page's rows only.
const RELATED: &str = "COALESCE((SELECT jsonb_agg(jsonb_build_object('id', t.id, 'name', t.name, 'color', t.color) \
      ORDER BY lower(t.name)) FROM berth_tags bt JOIN tags t ON t.id = bt.tag_id WHERE bt.berth_id = page.id), \
      '[]'::jsonb) AS tags, \
    COALESCE((SELECT jsonb_object_agg(d.field_name, v.value) FROM custom_field_values v \
      JOIN custom_field_definitions d ON d.id = v.field_id \
      WHERE v.entity_id = page.id AND d.entity_type = 'berth'), '{}'::jsonb) AS custom_fields";

/// Up to `limit` berths after `after`, in one statement.
pub async fn fetch(
    conn: &mut PgConnection,
    port_id: Uuid,
    f: &Filters,
    after: Option<&Key>,
    limit: i64,
) -> Result<Vec<BerthRow>> {
    if !f.tags.is_empty() {
        let found = sqlx::query_scalar!("SELECT id FROM tags WHERE id = ANY($1)", &f.tags)
            .fetch_all(&mut *conn)
            .await?;
        if let Some(missing) = f.tags.iter().find(|t| !found.contains(t)) {
            return Err(Error::invalid(
                "tag",
                format!("no tag {missing} at this port"),
            ));
        }
    }
    let keys = f.sort.keys();
    let dir = if f.sort.desc { " DESC" } else { "" };
    let mut qb = QueryBuilder::new("SELECT page.*, ");
    qb.push(RELATED);
    qb.push(", ARRAY[");
    for (i, (_, cast)) in keys.iter().enumerate() {
        if i > 0 {
            qb.push(", ");
        }
        qb.push(Sort::as_text(&format!("page.k{i}"), cast));
    }
    qb.push("] AS sort_keys FROM (SELECT ");
    qb.push(COLUMNS);
    for (i, (expr, _)) in keys.iter().enumerate() {
        qb.push(format!(", {expr} AS k{i}"));
    }
    push_where(&mut qb, port_id, f);
    if let Some(key) = after {
        if key.s != f.sort.spec() || key.k.len() != keys.len() {
            return Err(Error::invalid(
                "cursor",
                "belongs to another order of this list",
            ));
        }
        qb.push(" AND (");
        for (expr, _) in &keys {
            qb.push(format!("{expr}, "));
        }
        qb.push(if f.sort.desc {
            "b.id) < ("
        } else {
            "b.id) > ("
        });
        for ((_, cast), value) in keys.iter().zip(&key.k) {
            if !accepts(cast, value) {
                return Err(Error::invalid(
                    "cursor",
                    "is not a cursor this list gave out",
                ));
            }
            qb.push_bind(value.clone());
            qb.push(format!("{cast}, "));
        }
        qb.push_bind(key.id);
        qb.push(")");
    }
    qb.push(" ORDER BY ");
    for (expr, _) in &keys {
        qb.push(format!("{expr}{dir}, "));
    }
    qb.push(format!("b.id{dir} LIMIT "));
    qb.push_bind(limit);
    qb.push(") page ORDER BY ");
    for i in 0..keys.len() {
        qb.push(format!("page.k{i}{dir}, "));
    }
    qb.push(format!("page.id{dir}"));
    Ok(qb.build_query_as::<BerthRow>().fetch_all(conn).await?)
}

/// How many berths match.
pub async fn count(conn: &mut PgConnection, port_id: Uuid, f: &Filters) -> Result<i64> {
    let mut qb = QueryBuilder::new("SELECT count(*)");
    push_where(&mut qb, port_id, f);
    Ok(qb.build_query_scalar::<i64>().fetch_one(conn).await?)
}

impl BerthRow {
    pub fn key(&self, sort: Sort) -> Key {
        Key {
            s: sort.spec(),
            k: self.sort_keys.clone(),
            id: self.id,
        }
    }
}

/// The paging part of the pairs.
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

/// `GET /api/v1/ports/{port}/berths`
pub async fn index(
    ctx: crate::access::PortCtx,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<axum::Json<List<BerthRow>>> {
    let pairs = crate::client_list::params::pairs(raw.as_deref())?;
    let filters = parse(&pairs, &["limit", "cursor"])?;
    let paging = paging(&pairs)?;
    let limit = paging.limit()?;
    let after = paging.after::<Key>()?;
    let mut tx = ctx.begin().await?;
    let rows = fetch(&mut tx, ctx.port.id, &filters, after.as_ref(), limit + 1).await?;
    tx.commit().await?;
    let sort = filters.sort;
    Ok(axum::Json(List::page(rows, limit, |r| r.key(sort))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(q: &str) -> Result<Filters> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap();
        parse(&pairs, &["limit", "cursor"])
    }

    fn fields(e: Error) -> Vec<String> {
        match e {
            Error::Unprocessable(errors) => errors.into_keys().collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn filters_read_ranges_statuses_and_sorts() {
        let f =
            p("length_ft_min=40&length_ft_max=60&status=available,sold&sort=-price&area=&limit=5")
                .unwrap();
        assert_eq!(f.range("length_ft"), (Some(40.into()), Some(60.into())));
        assert_eq!(f.statuses, [BerthStatus::Available, BerthStatus::Sold]);
        assert_eq!(f.sort.spec(), "-price");
        assert!(f.area.is_none());
    }

    #[test]
    fn unknown_filters_and_values_are_named() {
        assert_eq!(fields(p("colour=red").unwrap_err()), ["colour"]);
        assert_eq!(fields(p("status=let").unwrap_err()), ["status"]);
        assert_eq!(
            fields(p("length_ft_min=big").unwrap_err()),
            ["length_ft_min"]
        );
        assert_eq!(fields(p("sort=shoe").unwrap_err()), ["sort"]);
        assert_eq!(fields(p("beam_min=3").unwrap_err()), ["beam_min"]);
    }
}
