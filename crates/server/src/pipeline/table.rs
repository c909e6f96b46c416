//! The board as a table (`?view=table`): the same open interests under the
//! same filters, one row each, sortable by any column and paged by keyset.
//!
//! The SQL is assembled because its order varies with `?sort=`; every value
//! the user sent is a bound parameter, and every piece of SQL text comes from
//! the fixed [`SORTS`] table and the stage names of the code.

use super::params::Filters;
use crate::http::{Error, Result};
use chrono::{DateTime, Utc};
use domain::pipeline::Stage;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Bool,
    Text,
    Numeric,
    Int,
    Time,
}

impl KeyKind {
    fn cast(self) -> &'static str {
        match self {
            KeyKind::Bool => "::boolean",
            KeyKind::Text => "::text",
            KeyKind::Numeric => "::numeric",
            KeyKind::Int => "::integer",
            KeyKind::Time => "::timestamptz",
        }
    }

    /// The key as text for the cursor; times to the microsecond, in UTC.
    fn as_text(self, expr: &str) -> String {
        match self {
            KeyKind::Time => {
                format!("to_char({expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
            }
            KeyKind::Text => expr.to_owned(),
            _ => format!("{expr}::text"),
        }
    }

    /// A cursor value that would not cast is refused here, not by the database.
    fn accepts(self, v: &str) -> bool {
        match self {
            KeyKind::Bool => v == "true" || v == "false",
            KeyKind::Text => true,
            KeyKind::Numeric => v.parse::<Decimal>().is_ok(),
            KeyKind::Int => v.parse::<i32>().is_ok(),
            KeyKind::Time => DateTime::parse_from_rfc3339(v).is_ok(),
        }
    }
}

/// A column the table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortField {
    pub name: &'static str,
    expr: &'static str,
    kind: KeyKind,
    nullable: bool,
}

const fn sort(name: &'static str, expr: &'static str, kind: KeyKind, nullable: bool) -> SortField {
    SortField {
        name,
        expr,
        kind,
        nullable,
    }
}

/// The stage's place in the pipeline, from the code's own stage names.
const STAGE_ORDER: &str = "COALESCE(array_position(ARRAY['open', 'details_sent', 'in_communication', 'visited', \
    'signed_eoi_nda', 'deposit_10pct', 'contract', 'completed']::text[], i.pipeline_stage), 0)";

/// Every sortable column.
pub const SORTS: &[SortField] = &[
    sort("client", "cl.full_name", KeyKind::Text, false),
    sort("yacht", "cl.yacht_name", KeyKind::Text, true),
    sort("berth", "b.mooring_number", KeyKind::Text, true),
    sort("stage", STAGE_ORDER, KeyKind::Int, false),
    sort("lead_category", "i.lead_category", KeyKind::Text, true),
    sort("value", "b.price", KeyKind::Numeric, true),
    sort(
        "last_contact",
        "COALESCE(i.date_last_contact, i.created_at)",
        KeyKind::Time,
        false,
    ),
    sort("created_at", "i.created_at", KeyKind::Time, false),
];

/// A column either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub field: SortField,
    pub desc: bool,
}

impl Sort {
    /// Newest contact first, as the board's columns.
    pub const DEFAULT: Sort = Sort {
        field: SORTS[6],
        desc: true,
    };

    /// `?sort=name` or `?sort=-name`; 422 naming the sortable columns.
    pub fn parse(raw: &str) -> Result<Sort> {
        let (desc, name) = match raw.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, raw),
        };
        SORTS
            .iter()
            .find(|f| f.name == name)
            .map(|&field| Sort { field, desc })
            .ok_or_else(|| {
                Error::invalid(
                    "sort",
                    format!(
                        "{raw} is not a sortable column; sort by one of {} (with - for descending)",
                        SORTS.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")
                    ),
                )
            })
    }

    pub fn spec(&self) -> String {
        if self.desc {
            format!("-{}", self.field.name)
        } else {
            self.field.name.to_owned()
        }
    }

    fn keys(&self) -> Vec<(String, KeyKind)> {
        let f = self.field;
        if !f.nullable {
            return vec![(f.expr.to_owned(), f.kind)];
        }
        let zero = match f.kind {
            KeyKind::Numeric | KeyKind::Int => "0",
            KeyKind::Time => "now()",
            KeyKind::Text | KeyKind::Bool => "''",
        };
        vec![
            (format!("({} IS NULL)", f.expr), KeyKind::Bool),
            (format!("COALESCE({}, {zero})", f.expr), f.kind),
        ]
    }
}

/// The cursor: the order it belongs to, the sort key as text, the id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Key {
    pub s: String,
    pub k: Vec<String>,
    pub id: Uuid,
}

/// One row of the table.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub id: Uuid,
    pub pipeline_stage: String,
    pub client_id: Uuid,
    pub client_name: String,
    pub yacht_name: Option<String>,
    pub mooring_number: Option<String>,
    pub price: Option<Decimal>,
    pub price_currency: Option<String>,
    pub lead_category: Option<String>,
    pub created_at: DateTime<Utc>,
    pub date_last_contact: Option<DateTime<Utc>>,
    pub sort_keys: Vec<String>,
}

impl Row {
    pub fn key(&self, sort: Sort) -> Key {
        Key {
            s: sort.spec(),
            k: self.sort_keys.clone(),
            id: self.id,
        }
    }
}

/// The filters as SQL, over `i` (interests) and `b` (the linked berth); the
/// same conditions as the board's statements in `board`.
fn push_filters(qb: &mut QueryBuilder<Postgres>, filters: &Filters, user_id: &str) {
    if let Some(area) = &filters.area {
        qb.push(" AND b.area = ");
        qb.push_bind(area.clone());
    }
    if let Some(lead) = filters.lead_category {
        qb.push(" AND i.lead_category = ");
        qb.push_bind(lead.as_str());
    }
    for tag in &filters.tags {
        qb.push(" AND EXISTS (SELECT 1 FROM interest_tags it WHERE it.interest_id = i.id AND it.tag_id = ");
        qb.push_bind(*tag);
        qb.push(")");
    }
    if let Some(reminders) = filters.reminders {
        qb.push(
            " AND EXISTS (SELECT 1 FROM reminders r WHERE r.interest_id = i.id \
             AND r.status IN ('pending', 'snoozed')",
        );
        if reminders == super::params::Reminders::Mine {
            qb.push(" AND r.assigned_to = ");
            qb.push_bind(user_id.to_owned());
        }
        qb.push(")");
    }
}

/// Up to `limit` rows after `after`, in `sort` order.
pub async fn fetch(
    conn: &mut PgConnection,
    port_id: Uuid,
    user_id: &str,
    filters: &Filters,
    sort: Sort,
    after: Option<&Key>,
    limit: i64,
) -> Result<Vec<Row>> {
    let keys = sort.keys();
    let dir = if sort.desc { " DESC" } else { "" };
    let mut qb = QueryBuilder::new(
        "SELECT i.id, i.pipeline_stage, i.client_id, cl.full_name AS client_name, cl.yacht_name, \
         b.mooring_number, b.price, CASE WHEN b.id IS NULL THEN NULL ELSE b.price_currency END AS price_currency, \
         i.lead_category, i.created_at, i.date_last_contact, ARRAY[",
    );
    for (i, (expr, kind)) in keys.iter().enumerate() {
        if i > 0 {
            qb.push(", ");
        }
        qb.push(kind.as_text(expr));
    }
    qb.push(
        "] AS sort_keys FROM interests i JOIN clients cl ON cl.id = i.client_id \
         LEFT JOIN berths b ON b.id = i.berth_id WHERE i.archived_at IS NULL AND i.port_id = ",
    );
    qb.push_bind(port_id);
    qb.push(" AND i.pipeline_stage = ANY(");
    qb.push_bind(
        Stage::ALL
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect::<Vec<_>>(),
    );
    qb.push(")");
    push_filters(&mut qb, filters, user_id);
    if let Some(key) = after {
        if key.s != sort.spec() || key.k.len() != keys.len() {
            return Err(Error::invalid(
                "cursor",
                "belongs to another order of this table",
            ));
        }
        qb.push(" AND (");
        for (expr, _) in &keys {
            qb.push(expr.as_str());
            qb.push(", ");
        }
        qb.push("i.id) ");
        qb.push(if sort.desc { "<" } else { ">" });
        qb.push(" (");
        for ((_, kind), value) in keys.iter().zip(&key.k) {
            if !kind.accepts(value) {
                return Err(Error::invalid(
                    "cursor",
                    "is not a cursor this table gave out",
                ));
            }
            qb.push_bind(value.clone());
            qb.push(kind.cast());
            qb.push(", ");
        }
        qb.push_bind(key.id);
        qb.push(")");
    }
    qb.push(" ORDER BY ");
    for (expr, _) in &keys {
        qb.push(format!("{expr}{dir}, "));
    }
    qb.push(format!("i.id{dir} LIMIT "));
    qb.push_bind(limit);
    Ok(qb.build_query_as::<Row>().fetch_all(conn).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_read_both_ways_and_unknown_ones_are_named() {
        assert_eq!(Sort::parse("-value").unwrap().spec(), "-value");
        assert_eq!(Sort::parse("client").unwrap().keys().len(), 1);
        assert_eq!(Sort::parse("berth").unwrap().keys().len(), 2);
        let Error::Unprocessable(e) = Sort::parse("shoe_size").unwrap_err() else {
            panic!()
        };
        assert!(e["sort"][0].contains("last_contact"));
    }

    #[test]
    fn the_stage_order_lists_every_stage_in_order() {
        let listed: Vec<&str> = STAGE_ORDER.split('\'').skip(1).step_by(2).collect();
        let all: Vec<&str> = Stage::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(listed, all);
    }

    #[test]
    fn cursor_values_are_checked_by_kind() {
        assert!(KeyKind::Time.accepts("2026-11-26T15:31:49.123456Z"));
        assert!(!KeyKind::Int.accepts("two"));
        assert!(KeyKind::Numeric.accepts("12.5") && !KeyKind::Bool.accepts("yes"));
    }
}
