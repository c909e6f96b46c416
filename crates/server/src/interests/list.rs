//! `GET /api/v1/ports/{port}/interests`: the port's interests, filtered,
//! sorted and paged by keyset, each with its client's name, its berth's
//! number and its tags — one statement, no query per row.
//!
//! Filters are named after fields: `pipeline_stage`, `client_id`,
//! `berth_id` (`none` for interests without a berth), `lead_category`, `tag`
//! (repeatable: all of them), `archived` (`true` includes, `only`). `sort`
//! is `created_at` (the default, newest first as `-created_at`),
//! `updated_at`, `date_last_contact` or `pipeline_stage` (pipeline order),
//! `-` for descending. Unknown names and values answer 422 naming them.

use crate::access::PortCtx;
use crate::http::cursor::List;
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::RawQuery;
use chrono::{DateTime, Utc};
use domain::interests::LeadCategory;
use domain::pipeline::Stage;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use uuid::Uuid;

/// One interest of a list.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct InterestRow {
    pub id: Uuid,
    pub port_id: Uuid,
    pub client_id: Uuid,
    pub berth_id: Option<Uuid>,
    pub pipeline_stage: String,
    pub lead_category: Option<String>,
    pub source: Option<String>,
    pub eoi_status: Option<String>,
    pub documenso_id: Option<String>,
    pub contract_status: Option<String>,
    pub deposit_status: Option<String>,
    pub reservation_status: Option<String>,
    pub date_first_contact: Option<DateTime<Utc>>,
    pub date_last_contact: Option<DateTime<Utc>>,
    pub date_eoi_sent: Option<DateTime<Utc>>,
    pub date_eoi_signed: Option<DateTime<Utc>>,
    pub date_contract_sent: Option<DateTime<Utc>>,
    pub date_contract_signed: Option<DateTime<Utc>>,
    pub date_deposit_received: Option<DateTime<Utc>>,
    pub reminder_enabled: bool,
    pub reminder_days: Option<i32>,
    pub reminder_last_fired: Option<DateTime<Utc>>,
    pub notes: Option<String>,
    pub archived_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub client_name: String,
    pub mooring_number: Option<String>,
    /// `[{id, name, color}]` by name.
    pub tags: Value,
    #[serde(skip)]
    pub sort_keys: Vec<String>,
}

impl InterestRow {
    pub fn stage(&self) -> Stage {
        self.pipeline_stage.parse().unwrap_or(Stage::Open)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Archived {
    #[default]
    Hide,
    Include,
    Only,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    CreatedAt,
    UpdatedAt,
    DateLastContact,
    PipelineStage,
}

const SORTS: [(SortBy, &str); 4] = [
    (SortBy::CreatedAt, "created_at"),
    (SortBy::UpdatedAt, "updated_at"),
    (SortBy::DateLastContact, "date_last_contact"),
    (SortBy::PipelineStage, "pipeline_stage"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub by: SortBy,
    pub desc: bool,
}

impl Sort {
    pub const DEFAULT: Sort = Sort {
        by: SortBy::CreatedAt,
        desc: true,
    };

    pub fn parse(raw: &str) -> Option<Sort> {
        let (desc, name) = raw.strip_prefix('-').map_or((false, raw), |n| (true, n));
        SORTS
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(by, _)| Sort { by: *by, desc })
    }

    pub fn spec(self) -> String {
        let name = SORTS
            .iter()
            .find(|(b, _)| *b == self.by)
            .map_or("", |(_, n)| n);
        if self.desc {
            format!("-{name}")
        } else {
            name.to_owned()
        }
    }

    /// The key expressions (over `i`) before the id, and whether each is a time.
    fn keys(self) -> Vec<(&'static str, KeyKind)> {
        match self.by {
            SortBy::CreatedAt => vec![("i.created_at", KeyKind::Time)],
            SortBy::UpdatedAt => vec![("i.updated_at", KeyKind::Time)],
            // Without a contact last (ascending): a fixed stand-in keeps cursors stable.
            SortBy::DateLastContact => vec![
                ("(i.date_last_contact IS NULL)", KeyKind::Bool),
                (
                    "COALESCE(i.date_last_contact, 'epoch'::timestamptz)",
                    KeyKind::Time,
                ),
            ],
            SortBy::PipelineStage => vec![(
                "array_position(ARRAY['open','details_sent','in_communication','visited','signed_eoi_nda','deposit_10pct','contract','completed']::text[], i.pipeline_stage)",
                KeyKind::Int,
            )],
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum KeyKind {
    Bool,
    Time,
    Int,
}

impl KeyKind {
    fn cast(self) -> &'static str {
        match self {
            KeyKind::Bool => "::boolean",
            KeyKind::Time => "::timestamptz",
            KeyKind::Int => "::int",
        }
    }

    fn as_text(self, expr: &str) -> String {
        match self {
            KeyKind::Time => {
                format!("to_char({expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")
            }
            _ => format!("{expr}::text"),
        }
    }

    fn accepts(self, v: &str) -> bool {
        match self {
            KeyKind::Bool => v == "true" || v == "false",
            KeyKind::Time => DateTime::parse_from_rfc3339(v).is_ok(),
            KeyKind::Int => v.parse::<i32>().is_ok(),
        }
    }
}

/// The filters, checked and typed.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub stage: Option<Stage>,
    pub client_id: Option<Uuid>,
    /// `Some(None)`: interests without a berth.
    pub berth_id: Option<Option<Uuid>>,
    pub lead_category: Option<LeadCategory>,
    pub tags: Vec<Uuid>,
    pub archived: Archived,
    pub sort: Option<Sort>,
}

/// The cursor: its order, the sort key as text, the id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Key {
    pub s: String,
    pub k: Vec<String>,
    pub id: Uuid,
}

/// The names the query string may carry besides `limit` and `cursor`.
const KEYS: [&str; 7] = [
    "pipeline_stage",
    "client_id",
    "berth_id",
    "lead_category",
    "tag",
    "archived",
    "sort",
];

/// Reads the query string's pairs; `limit` and `cursor` are the caller's.
pub fn parse(pairs: &[(String, String)]) -> Result<Filters> {
    let mut f = Filters::default();
    let mut errors = crate::http::error::FieldErrors::new();
    let mut bad = |field: &str, msg: String| errors.entry(field.to_owned()).or_default().push(msg);
    for (key, raw) in pairs {
        let value = raw.trim();
        let key = key.as_str();
        if matches!(key, "limit" | "cursor") || crate::web::SCRIPT_PARAMS.contains(&key) {
            continue;
        }
        if !KEYS.contains(&key) {
            bad(key, "is not a filter of this list".into());
            continue;
        }
        if value.is_empty() {
            continue;
        }
        match key {
            "pipeline_stage" => match value.parse::<Stage>() {
                Ok(s) => f.stage = Some(s),
                Err(e) => bad(key, e.to_string()),
            },
            "client_id" => match Uuid::parse_str(value) {
                Ok(id) => f.client_id = Some(id),
                Err(_) => bad(key, format!("{value} is not a client id")),
            },
            "berth_id" if value == "none" => f.berth_id = Some(None),
            "berth_id" => match Uuid::parse_str(value) {
                Ok(id) => f.berth_id = Some(Some(id)),
                Err(_) => bad(key, format!("{value} is not a berth id, nor none")),
            },
            "lead_category" => match value.parse::<LeadCategory>() {
                Ok(c) => f.lead_category = Some(c),
                Err(e) => bad(key, e),
            },
            "tag" => match Uuid::parse_str(value) {
                Ok(id) if !f.tags.contains(&id) => f.tags.push(id),
                Ok(_) => {}
                Err(_) => bad(key, format!("{value} is not a tag id")),
            },
            "archived" => match value {
                "false" => f.archived = Archived::Hide,
                "true" => f.archived = Archived::Include,
                "only" => f.archived = Archived::Only,
                _ => bad(key, "must be true, false or only".into()),
            },
            "sort" => match Sort::parse(value) {
                Some(s) => f.sort = Some(s),
                None => bad(
                    key,
                    format!(
                        "{value} is not a sortable column; sort by one of {} (with - for descending)",
                        SORTS.map(|(_, n)| n).join(", ")
                    ),
                ),
            },
            _ => bad(key, "is not a filter of this list".into()),
        }
    }
    if errors.is_empty() {
        Ok(f)
    } else {
        Err(Error::Unprocessable(errors))
    }
}

/// A tag filter names one of the port's tags, or answers 422.
async fn check_tags(conn: &mut PgConnection, tags: &[Uuid]) -> Result<()> {
    if tags.is_empty() {
        return Ok(());
    }
    let found = sqlx::query_scalar!("SELECT id FROM tags WHERE id = ANY($1)", tags)
        .fetch_all(conn)
        .await?;
    match tags.iter().find(|t| !found.contains(t)) {
        Some(missing) => Err(Error::invalid(
            "tag",
            format!("no tag {missing} at this port"),
        )),
        None => Ok(()),
    }
}

const COLUMNS: &str = "i.id, i.port_id, i.client_id, i.berth_id, i.pipeline_stage, i.lead_category, i.source, \
    i.eoi_status, i.documenso_id, i.contract_status, i.deposit_status, i.reservation_status, \
    i.date_first_contact, i.date_last_contact, i.date_eoi_sent, i.date_eoi_signed, i.date_contract_sent, \
    i.date_contract_signed, i.date_deposit_received, i.reminder_enabled, i.reminder_days, \
    i.reminder_last_fired, i.notes, i.archived_at, i.created_at, i.updated_at";

/// The query of one page: the filtered, ordered interests, then the names and
/// tags of the page's rows only.
fn page_query(
    port_id: Uuid,
    f: &Filters,
    after: Option<&Key>,
    limit: i64,
) -> Result<QueryBuilder<Postgres>> {
    let sort = f.sort.unwrap_or(Sort::DEFAULT);
    let keys = sort.keys();
    let dir = if sort.desc { " DESC" } else { "" };
    let mut qb = QueryBuilder::new("SELECT page.*, c.full_name AS client_name, b.mooring_number, ");
    qb.push(
        "COALESCE((SELECT jsonb_agg(jsonb_build_object('id', t.id, 'name', t.name, 'color', t.color) ORDER BY lower(t.name), t.id) \
         FROM interest_tags it JOIN tags t ON t.id = it.tag_id WHERE it.interest_id = page.id), '[]'::jsonb) AS tags, ARRAY[",
    );
    for (i, (_, kind)) in keys.iter().enumerate() {
        if i > 0 {
            qb.push(", ");
        }
        qb.push(kind.as_text(&format!("page.k{i}")));
    }
    qb.push("] AS sort_keys FROM (SELECT ");
    qb.push(COLUMNS);
    for (i, (expr, _)) in keys.iter().enumerate() {
        qb.push(format!(", {expr} AS k{i}"));
    }
    qb.push(" FROM interests i WHERE i.port_id = ");
    qb.push_bind(port_id);
    match f.archived {
        Archived::Hide => qb.push(" AND i.archived_at IS NULL"),
        Archived::Include => qb.push(""),
        Archived::Only => qb.push(" AND i.archived_at IS NOT NULL"),
    };
    if let Some(stage) = f.stage {
        qb.push(" AND i.pipeline_stage = ");
        qb.push_bind(stage.as_str());
    }
    if let Some(client) = f.client_id {
        qb.push(" AND i.client_id = ");
        qb.push_bind(client);
    }
    match f.berth_id {
        Some(Some(berth)) => {
            qb.push(" AND i.berth_id = ");
            qb.push_bind(berth);
        }
        Some(None) => {
            qb.push(" AND i.berth_id IS NULL");
        }
        None => {}
    }
    if let Some(c) = f.lead_category {
        qb.push(" AND i.lead_category = ");
        qb.push_bind(c.as_str());
    }
    for tag in &f.tags {
        qb.push(
            " AND EXISTS (SELECT 1 FROM interest_tags x WHERE x.interest_id = i.id AND x.tag_id = ",
        );
        qb.push_bind(*tag);
        qb.push(")");
    }
    if let Some(key) = after {
        if key.s != sort.spec() || key.k.len() != keys.len() {
            return Err(Error::invalid(
                "cursor",
                "belongs to another order of this list",
            ));
        }
        qb.push(" AND (");
        for (expr, _) in &keys {
            qb.push(*expr);
            qb.push(", ");
        }
        qb.push("i.id) ");
        qb.push(if sort.desc { "<" } else { ">" });
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
    qb.push(format!("i.id{dir} LIMIT "));
    qb.push_bind(limit);
    qb.push(") page JOIN clients c ON c.id = page.client_id LEFT JOIN berths b ON b.id = page.berth_id ORDER BY ");
    for i in 0..keys.len() {
        qb.push(format!("page.k{i}{dir}, "));
    }
    qb.push(format!("page.id{dir}"));
    Ok(qb)
}

/// Up to `limit` interests after `after`, with the filters checked at the port.
pub async fn fetch(
    conn: &mut PgConnection,
    port_id: Uuid,
    f: &Filters,
    after: Option<&Key>,
    limit: i64,
) -> Result<Vec<InterestRow>> {
    check_tags(&mut *conn, &f.tags).await?;
    let mut qb = page_query(port_id, f, after, limit)?;
    Ok(qb.build_query_as::<InterestRow>().fetch_all(conn).await?)
}

/// `GET /api/v1/ports/{port}/interests`
pub async fn index(ctx: PortCtx, RawQuery(raw): RawQuery) -> Result<Json<List<InterestRow>>> {
    let pairs = crate::client_list::params::pairs(raw.as_deref())?;
    let filters = parse(&pairs)?;
    let paging = crate::client_list::api::paging(&pairs)?;
    let limit = paging.limit()?;
    let after = paging.after::<Key>()?;
    let sort = filters.sort.unwrap_or(Sort::DEFAULT);
    let mut tx = ctx.begin().await?;
    let rows = fetch(&mut tx, ctx.port.id, &filters, after.as_ref(), limit + 1).await?;
    tx.commit().await?;
    Ok(Json(List::page(rows, limit, |r| Key {
        s: sort.spec(),
        k: r.sort_keys.clone(),
        id: r.id,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &str) -> Vec<(String, String)> {
        serde_urlencoded::from_str(q).unwrap()
    }

    fn fields(e: Error) -> Vec<String> {
        match e {
            Error::Unprocessable(errors) => errors.into_keys().collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn filters_and_sorts_are_checked() {
        let e = parse(&pairs(
            "pipeline_stage=won&colour=red&sort=-size&lead_category=x",
        ))
        .unwrap_err();
        assert_eq!(
            fields(e),
            ["colour", "lead_category", "pipeline_stage", "sort"]
        );
        let f = parse(&pairs(
            "pipeline_stage=visited&berth_id=none&sort=pipeline_stage&limit=5",
        ))
        .unwrap();
        assert_eq!(f.stage, Some(Stage::Visited));
        assert_eq!(f.berth_id, Some(None));
        assert_eq!(f.sort.unwrap().spec(), "pipeline_stage");
        assert_eq!(Sort::DEFAULT.spec(), "-created_at");
    }
}
