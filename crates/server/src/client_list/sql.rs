//! The one query behind the list, the page and the export: filters, search
//! rank, keyset order, and each row's primary e-mail, phone, tags and custom
//! field values, all in a single statement (no query per row).
//!
//! The SQL is assembled because its shape varies with the filters and the
//! sort; every value the user typed is a bound parameter, and every piece of
//! SQL text comes from the fixed tables of `params`.

use super::params::{Archived, Filters, Kind, Sort, SortField};
use crate::http::{Error, Result};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

/// One client of a list page.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ClientRow {
    pub id: Uuid,
    pub port_id: Uuid,
    pub full_name: String,
    pub company_name: Option<String>,
    pub nationality: Option<String>,
    pub is_proxy: bool,
    pub proxy_type: Option<String>,
    pub actual_owner_name: Option<String>,
    pub relationship_notes: Option<String>,
    pub yacht_name: Option<String>,
    pub yacht_length_ft: Option<Decimal>,
    pub yacht_width_ft: Option<Decimal>,
    pub yacht_draft_ft: Option<Decimal>,
    pub yacht_length_m: Option<Decimal>,
    pub yacht_width_m: Option<Decimal>,
    pub yacht_draft_m: Option<Decimal>,
    pub berth_size_desired: Option<String>,
    pub preferred_contact_method: Option<String>,
    pub preferred_language: Option<String>,
    pub timezone: Option<String>,
    pub source: Option<String>,
    pub source_details: Option<String>,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The primary e-mail (else the oldest).
    pub email: Option<String>,
    /// The primary phone (else WhatsApp, else the oldest).
    pub phone: Option<String>,
    /// `[{id, name, color}]` by name.
    pub tags: Value,
    /// `{field_name: value}` of the client's custom fields.
    pub custom_fields: Value,
    /// The search rank when the list was searched, best 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank: Option<f32>,
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

impl ClientRow {
    pub fn key(&self, sort: Sort) -> Key {
        Key {
            s: sort.spec(),
            k: self.sort_keys.clone(),
            id: self.id,
        }
    }
}

/// Filters checked against the port's tags and custom fields, with what the
/// search needs.
#[derive(Debug, Clone)]
pub struct Plan {
    pub port_id: Uuid,
    pub filters: Filters,
    pub sort: Sort,
    /// `(field id, value)` for each `cf.` filter.
    custom: Vec<(Uuid, String)>,
    /// The search term read as a phone number, digits only.
    phone_digits: Option<String>,
}

/// Key kinds as SQL sees them.
#[derive(Debug, Clone, Copy)]
enum KeyKind {
    Bool,
    Text,
    Numeric,
    Time,
    Real,
}

impl KeyKind {
    fn cast(self) -> &'static str {
        match self {
            KeyKind::Bool => "::boolean",
            KeyKind::Text => "::text",
            KeyKind::Numeric => "::numeric",
            KeyKind::Time => "::timestamptz",
            KeyKind::Real => "::real",
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
            KeyKind::Time => DateTime::parse_from_rfc3339(v).is_ok(),
            KeyKind::Real => v.parse::<f32>().is_ok_and(f32::is_finite),
        }
    }
}

/// The sort key expressions (over `c` and `r`), without the trailing id.
fn keys(sort: Sort) -> Vec<(String, KeyKind)> {
    match sort {
        Sort::Rank => vec![("r.rank".to_owned(), KeyKind::Real)],
        Sort::Field { field, .. } => field_keys(field),
    }
}

fn field_keys(field: SortField) -> Vec<(String, KeyKind)> {
    let (kind, zero) = match field.kind {
        Kind::Text => (KeyKind::Text, "''"),
        Kind::Numeric => (KeyKind::Numeric, "0"),
        Kind::Time => (KeyKind::Time, "now()"),
    };
    let col = format!("c.{}", field.name);
    if field.nullable {
        vec![
            (format!("({col} IS NULL)"), KeyKind::Bool),
            (format!("COALESCE({col}, {zero})"), kind),
        ]
    } else {
        vec![(col, kind)]
    }
}

fn descending(sort: Sort) -> bool {
    match sort {
        Sort::Rank => true,
        Sort::Field { desc, .. } => desc,
    }
}

/// Checks the tag and custom field filters against the port (a 422 names
/// `tag` or `cf.<name>`), and reads the search term as a phone number in the
/// port's region when it looks like one.
pub async fn plan(conn: &mut PgConnection, port_id: Uuid, filters: Filters) -> Result<Plan> {
    if !filters.tags.is_empty() {
        let found = sqlx::query_scalar!("SELECT id FROM tags WHERE id = ANY($1)", &filters.tags)
            .fetch_all(&mut *conn)
            .await?;
        if let Some(missing) = filters.tags.iter().find(|t| !found.contains(t)) {
            return Err(Error::invalid(
                "tag",
                format!("no tag {missing} at this port"),
            ));
        }
    }
    let mut custom = Vec::new();
    if !filters.custom.is_empty() {
        let names: Vec<String> = filters.custom.keys().cloned().collect();
        let defs = sqlx::query!(
            "SELECT id, field_name FROM custom_field_definitions
             WHERE entity_type = 'client' AND field_name = ANY($1)",
            &names
        )
        .fetch_all(&mut *conn)
        .await?;
        for (name, value) in &filters.custom {
            match defs.iter().find(|d| &d.field_name == name) {
                Some(d) => custom.push((d.id, value.clone())),
                None => {
                    return Err(Error::invalid(
                        &format!("cf.{name}"),
                        "is not a custom field of clients here",
                    ));
                }
            }
        }
    }
    let mut phone_digits = None;
    if let Some(q) = &filters.q
        && q.chars().filter(char::is_ascii_digit).count() >= 6
    {
        let region =
            crate::settings::get::<domain::settings::ContactDefaults>(&mut *conn, Some(port_id))
                .await?
                .phone_region;
        phone_digits = domain::contacts::phone_query(q, &region)
            .map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>())
            .filter(|d| d.len() >= 6);
    }
    Ok(Plan {
        port_id,
        sort: filters.effective_sort(),
        filters,
        custom,
        phone_digits,
    })
}

/// The most matches per field a ranked search takes (migration 0047).
pub const SEARCH_POOL: i32 = 200;

impl Plan {
    /// Whether the search ranks a bounded pool of matches: only for the ranked
    /// view without filters, which a type-ahead or the global search asks
    /// for; a filter or a sort by a column needs every match.
    pub fn pooled(&self) -> bool {
        self.filters.q.is_some() && self.sort == Sort::Rank && !self.filters.narrows()
    }
}

/// The search candidates with their rank, from `client_search` (migrations
/// 0041, 0047): names and yachts by trigram word similarity (typos, partial
/// words), contact values by substring (e-mail fragments) and phone digits,
/// each served by a trigram index.
fn push_search_ctes(qb: &mut QueryBuilder<Postgres>, plan: &Plan) {
    let Some(q) = plan.filters.q.clone() else {
        return;
    };
    let pattern = (q.chars().count() >= 3).then(|| crate::db::like::contains(&q));
    qb.push("WITH ranked AS (SELECT client_id AS id, rank FROM client_search(");
    qb.push_bind(q);
    qb.push(", ");
    qb.push_bind(pattern);
    qb.push(", ");
    qb.push_bind(plan.phone_digits.as_deref().map(crate::db::like::contains));
    qb.push(", ");
    qb.push_bind(plan.pooled().then_some(SEARCH_POOL));
    qb.push(")) ");
}

/// `FROM … WHERE …` with every filter.
fn push_from_where(qb: &mut QueryBuilder<Postgres>, plan: &Plan) {
    let f = &plan.filters;
    qb.push(" FROM clients c ");
    if f.q.is_some() {
        qb.push("JOIN ranked r ON r.id = c.id ");
    }
    qb.push("WHERE c.port_id = ");
    qb.push_bind(plan.port_id);
    match f.archived {
        Archived::Hide => qb.push(" AND c.archived_at IS NULL"),
        Archived::Include => qb.push(""),
        Archived::Only => qb.push(" AND c.archived_at IS NOT NULL"),
    };
    if let Some(v) = &f.nationality {
        qb.push(" AND lower(c.nationality) = lower(");
        qb.push_bind(v.clone());
        qb.push(")");
    }
    if let Some(v) = &f.preferred_language {
        qb.push(" AND lower(c.preferred_language) = lower(");
        qb.push_bind(v.clone());
        qb.push(")");
    }
    if let Some(v) = f.source {
        qb.push(" AND c.source = ");
        qb.push_bind(v.as_str());
    }
    if let Some(v) = f.is_proxy {
        qb.push(" AND c.is_proxy = ");
        qb.push_bind(v);
    }
    if let Some(v) = f.proxy_type {
        qb.push(" AND c.proxy_type = ");
        qb.push_bind(v.as_str());
    }
    if let Some(v) = f.preferred_contact_method {
        qb.push(" AND c.preferred_contact_method = ");
        qb.push_bind(v.as_str());
    }
    for tag in &f.tags {
        qb.push(
            " AND EXISTS (SELECT 1 FROM client_tags ct WHERE ct.client_id = c.id AND ct.tag_id = ",
        );
        qb.push_bind(*tag);
        qb.push(")");
    }
    for (field_id, value) in &plan.custom {
        qb.push(" AND EXISTS (SELECT 1 FROM custom_field_values v WHERE v.field_id = ");
        qb.push_bind(*field_id);
        qb.push(" AND v.entity_id = c.id AND lower(v.value #>> '{}') = lower(");
        qb.push_bind(value.clone());
        qb.push("))");
    }
}

const COLUMNS: &str = "c.id, c.port_id, c.full_name, c.company_name, c.nationality, c.is_proxy, \
    c.proxy_type, c.actual_owner_name, c.relationship_notes, c.yacht_name, c.yacht_length_ft, \
    c.yacht_width_ft, c.yacht_draft_ft, c.yacht_length_m, c.yacht_width_m, c.yacht_draft_m, \
    c.berth_size_desired, c.preferred_contact_method, c.preferred_language, c.timezone, c.source, \
    c.source_details, c.archived_at, c.created_at, c.updated_at";

/// Each row's related values, computed for the page's rows only.
const RELATED: &str = "(SELECT cc.value FROM client_contacts cc WHERE cc.client_id = page.id AND cc.channel = 'email' \
      ORDER BY cc.is_primary DESC, cc.created_at, cc.id LIMIT 1) AS email, \
    (SELECT cc.value FROM client_contacts cc WHERE cc.client_id = page.id AND cc.channel IN ('phone', 'whatsapp') \
      ORDER BY cc.is_primary DESC, cc.channel = 'phone' DESC, cc.created_at, cc.id LIMIT 1) AS phone, \
    COALESCE((SELECT jsonb_agg(jsonb_build_object('id', t.id, 'name', t.name, 'color', t.color) ORDER BY t.name) \
      FROM client_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.client_id = page.id), '[]'::jsonb) AS tags, \
    COALESCE((SELECT jsonb_object_agg(d.field_name, v.value) FROM custom_field_values v \
      JOIN custom_field_definitions d ON d.id = v.field_id \
      WHERE v.entity_id = page.id AND d.entity_type = 'client'), '{}'::jsonb) AS custom_fields";

/// The query of one page, as text with its parameters (for the page, the
/// export and the benchmark's pgbench script, which runs the same SQL).
pub fn page_query(plan: &Plan, after: Option<&Key>, limit: i64) -> Result<QueryBuilder<Postgres>> {
    let sort = plan.sort;
    let keys = keys(sort);
    let dir = if descending(sort) { " DESC" } else { "" };
    let mut qb = QueryBuilder::new("");
    push_search_ctes(&mut qb, plan);
    qb.push("SELECT page.*, ");
    qb.push(RELATED);
    qb.push(", ARRAY[");
    for (i, (_, kind)) in keys.iter().enumerate() {
        if i > 0 {
            qb.push(", ");
        }
        qb.push(kind.as_text(&format!("page.k{i}")));
    }
    qb.push("] AS sort_keys FROM (SELECT ");
    qb.push(COLUMNS);
    qb.push(if plan.filters.q.is_some() {
        ", r.rank"
    } else {
        ", NULL::real AS rank"
    });
    for (i, (expr, _)) in keys.iter().enumerate() {
        qb.push(format!(", {expr} AS k{i}"));
    }
    push_from_where(&mut qb, plan);
    if let Some(key) = after {
        if key.s != sort.spec() || key.k.len() != keys.len() {
            return Err(Error::invalid(
                "cursor",
                "belongs to another order of this list",
            ));
        }
        qb.push(" AND (");
        for (expr, _) in &keys {
            qb.push(expr.as_str());
            qb.push(", ");
        }
        qb.push("c.id) ");
        qb.push(if descending(sort) { "<" } else { ">" });
        qb.push(" (");
        for ((_, kind), value) in keys.iter().zip(&key.k) {
            if !kind.accepts(value) {
                return Err(Error::invalid(
                    "cursor",
                    "is not a cursor this list gave out",
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
    qb.push(format!("c.id{dir} LIMIT "));
    qb.push_bind(limit);
    qb.push(") page ORDER BY ");
    for i in 0..keys.len() {
        qb.push(format!("page.k{i}{dir}, "));
    }
    qb.push(format!("page.id{dir}"));
    Ok(qb)
}

/// Up to `limit` rows after `after`.
pub async fn fetch(
    conn: &mut PgConnection,
    plan: &Plan,
    after: Option<&Key>,
    limit: i64,
) -> Result<Vec<ClientRow>> {
    let mut qb = page_query(plan, after, limit)?;
    Ok(qb.build_query_as::<ClientRow>().fetch_all(conn).await?)
}

/// How many clients match, counted up to `cap` (beyond it the page says
/// "more than"), so a count never costs a scan of a huge port.
pub async fn count_up_to(conn: &mut PgConnection, plan: &Plan, cap: i64) -> Result<i64> {
    let mut qb = QueryBuilder::new("");
    push_search_ctes(&mut qb, plan);
    qb.push("SELECT count(*) FROM (SELECT 1");
    push_from_where(&mut qb, plan);
    qb.push(" LIMIT ");
    qb.push_bind(cap + 1);
    qb.push(") s");
    Ok(qb.build_query_scalar::<i64>().fetch_one(conn).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// bench/clients.sh runs this file through pgbench as "the same SQL the
    /// list endpoint runs"; it must not drift from the code.
    #[test]
    fn the_benchmark_runs_the_first_page_query_of_the_list() {
        let plan = Plan {
            port_id: Uuid::nil(),
            filters: Filters::default(),
            sort: Sort::DEFAULT,
            custom: Vec::new(),
            phone_digits: None,
        };
        let qb = page_query(&plan, None, 51).unwrap();
        let file = include_str!("../../../../bench/clients-list.sql");
        assert_eq!(qb.sql().as_str(), file.trim_end());
    }

    #[test]
    fn cursor_values_are_checked_by_kind() {
        assert!(KeyKind::Time.accepts("2026-11-26T15:31:49.123456Z"));
        assert!(!KeyKind::Time.accepts("yesterday"));
        assert!(KeyKind::Numeric.accepts("42.5") && !KeyKind::Numeric.accepts("4x"));
        assert!(KeyKind::Bool.accepts("true") && !KeyKind::Bool.accepts("yes"));
    }
}
