//! Reading a port's audit log: filters, keyset pages, the actor's name joined.
//!
//! `GET /api/v1/ports/{port}/audit-logs` and the audit page share this file, so
//! the two always filter the same way.

use super::Action;
use crate::access::PortCtx;
use crate::http::cursor::{List, PageQuery};
use crate::http::error::FieldErrors;
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::RawQuery;
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

/// The query string as typed: every value a string, an empty one meaning
/// "no filter" (what a GET form sends for an untouched field).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct RawFilters {
    #[serde(default, skip_serializing_if = "is_blank")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    pub entity_type: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    pub entity_id: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "is_blank")]
    pub to: Option<String>,
}

fn is_blank(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(|s| s.trim().is_empty())
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl RawFilters {
    /// The filters as a query string without empty fields, for links that keep them.
    pub fn query_string(&self) -> String {
        serde_urlencoded::to_string(self).unwrap_or_default()
    }

    /// Checks every field at once, so a form can mark each wrong one.
    pub fn parse(&self, tz: Tz) -> Result<Filters, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut note = |field: &str, msg: &str| {
            errors
                .entry(field.to_owned())
                .or_default()
                .push(msg.to_owned())
        };
        let entity_id = given(&self.entity_id).and_then(|s| {
            Uuid::parse_str(s)
                .map_err(|_| note("entity_id", "Enter the record's id (a UUID)."))
                .ok()
        });
        let action = given(&self.action).and_then(|s| {
            Action::parse(s)
                .ok_or(())
                .map_err(|_| note("action", "Choose one of the listed actions."))
                .ok()
        });
        let mut date = |field: &str, v: &Option<String>| {
            given(v).and_then(|s| {
                NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map_err(|_| note(field, "Enter a date as YYYY-MM-DD."))
                    .ok()
            })
        };
        let from = date("from", &self.from);
        let to = date("to", &self.to);
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            note("to", "The end date is before the start date.");
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Filters {
            user_id: given(&self.user_id).map(str::to_owned),
            entity_type: given(&self.entity_type).map(str::to_owned),
            entity_id,
            action,
            since: from.map(|d| start_of_day(d, tz)),
            until: to.map(|d| start_of_day(d.checked_add_days(Days::new(1)).unwrap_or(d), tz)),
        })
    }
}

/// Checked filters. Dates are days of the port's time zone: `from` counts from
/// the start of its day, `to` up to the end of its day.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub user_id: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub action: Option<Action>,
    /// Inclusive.
    pub since: Option<DateTime<Utc>>,
    /// Exclusive.
    pub until: Option<DateTime<Utc>>,
}

/// The first instant of `date` in `tz`. Where a clock change skips midnight,
/// the day starts at the first time that exists.
pub fn start_of_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    (0..=2)
        .find_map(|hour| {
            date.and_hms_opt(hour, 0, 0)
                .and_then(|t| tz.from_local_datetime(&t).earliest())
        })
        .map_or_else(
            || date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
            |t| t.with_timezone(&Utc),
        )
}

/// The port's time zone; UTC for a name this build does not know.
pub fn zone_of(ctx: &PortCtx) -> Tz {
    ctx.port.timezone.parse().unwrap_or(Tz::UTC)
}

/// One audit row with the acting user's display name.
#[derive(Debug, Clone, Serialize)]
pub struct LogRow {
    pub id: Uuid,
    pub port_id: Option<Uuid>,
    pub user_id: Option<String>,
    /// The actor's display name now; `None` for the system or a deleted user.
    pub user_name: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<Uuid>,
    pub field_changed: Option<String>,
    pub old_value: Option<Value>,
    pub new_value: Option<Value>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub reverted_by: Option<String>,
    pub reverted_at: Option<DateTime<Utc>>,
    pub revert_of: Option<Uuid>,
    /// The display name of whoever reverted this change.
    pub reverted_by_name: Option<String>,
    pub metadata: Option<Value>,
    pub created_at: DateTime<Utc>,
}

/// Where a page of the log stops: its rows are sorted by `(created_at, id)`,
/// newest first.
pub type Key = (DateTime<Utc>, Uuid);

impl LogRow {
    pub fn key(&self) -> Key {
        (self.created_at, self.id)
    }
}

/// Up to `limit` rows of `port_id` matching `f`, newest first, after `after`.
/// Run it in the port's transaction: row-level security backs the filter.
pub async fn fetch(
    conn: &mut PgConnection,
    port_id: Uuid,
    f: &Filters,
    after: Option<Key>,
    limit: i64,
) -> Result<Vec<LogRow>, sqlx::Error> {
    sqlx::query_as!(
        LogRow,
        r#"SELECT a.id, a.port_id, a.user_id, COALESCE(p.display_name, u.name) AS user_name,
                  a.action, a.entity_type, a.entity_id, a.field_changed, a.old_value, a.new_value,
                  a.ip_address, a.user_agent, a.reverted_by, a.reverted_at, a.revert_of,
                  rp.display_name AS "reverted_by_name?", a.metadata, a.created_at
           FROM audit_logs a
           LEFT JOIN users u ON u.id = a.user_id
           LEFT JOIN user_profiles p ON p.user_id = a.user_id
           LEFT JOIN user_profiles rp ON rp.user_id = a.reverted_by
           WHERE a.port_id = $1
             AND ($2::text IS NULL OR a.user_id = $2)
             AND ($3::text IS NULL OR a.entity_type = $3)
             AND ($4::uuid IS NULL OR a.entity_id = $4)
             AND ($5::text IS NULL OR a.action = $5)
             AND ($6::timestamptz IS NULL OR a.created_at >= $6)
             AND ($7::timestamptz IS NULL OR a.created_at < $7)
             AND ($8::timestamptz IS NULL OR (a.created_at, a.id) < ($8, $9::uuid))
           ORDER BY a.created_at DESC, a.id DESC
           LIMIT $10"#,
        port_id,
        f.user_id,
        f.entity_type,
        f.entity_id,
        f.action.map(Action::as_str),
        f.since,
        f.until,
        after.map(|(at, _)| at),
        after.map(|(_, id)| id),
        limit,
    )
    .fetch_all(conn)
    .await
}

/// One row of `port_id` by id.
pub async fn one(
    conn: &mut PgConnection,
    port_id: Uuid,
    id: Uuid,
) -> Result<Option<LogRow>, sqlx::Error> {
    sqlx::query_as!(
        LogRow,
        r#"SELECT a.id, a.port_id, a.user_id, COALESCE(p.display_name, u.name) AS user_name,
                  a.action, a.entity_type, a.entity_id, a.field_changed, a.old_value, a.new_value,
                  a.ip_address, a.user_agent, a.reverted_by, a.reverted_at, a.revert_of,
                  rp.display_name AS "reverted_by_name?", a.metadata, a.created_at
           FROM audit_logs a
           LEFT JOIN users u ON u.id = a.user_id
           LEFT JOIN user_profiles p ON p.user_id = a.user_id
           LEFT JOIN user_profiles rp ON rp.user_id = a.reverted_by
           WHERE a.port_id = $1 AND a.id = $2"#,
        port_id,
        id
    )
    .fetch_optional(conn)
    .await
}

/// A page of rows and the cursor of the next one.
pub async fn page(
    conn: &mut PgConnection,
    port_id: Uuid,
    f: &Filters,
    after: Option<Key>,
    limit: i64,
) -> Result<List<LogRow>, sqlx::Error> {
    let rows = fetch(conn, port_id, f, after, limit + 1).await?;
    Ok(List::page(rows, limit, LogRow::key))
}

/// The query string of the list: filters plus `cursor` and `limit`.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(flatten)]
    pub filters: RawFilters,
    pub cursor: Option<String>,
    pub limit: Option<String>,
}

impl ListQuery {
    pub fn from_raw(raw: Option<&str>) -> Result<ListQuery> {
        serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|_| Error::BadRequest("The query string is malformed.".into()))
    }

    /// The paging part. `limit` arrives as text (next to flattened filters
    /// serde cannot type it): empty means the default, and text that is not a
    /// number is malformed (400); the range is checked by [`PageQuery::limit`].
    pub fn paging(&self) -> Result<PageQuery> {
        let limit = match self.limit.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(n) => Some(
                n.parse()
                    .map_err(|_| Error::BadRequest("`limit` must be a whole number.".into()))?,
            ),
        };
        Ok(PageQuery {
            limit,
            cursor: self.cursor.clone(),
        })
    }
}

/// `GET /api/v1/ports/{port}/audit-logs`: newest first; `user_id`,
/// `entity_type`, `entity_id`, `action`, and `from` / `to` as `YYYY-MM-DD`
/// days of the port's time zone (both inclusive).
pub async fn index(ctx: PortCtx, RawQuery(raw): RawQuery) -> Result<Json<List<LogRow>>> {
    let q = ListQuery::from_raw(raw.as_deref())?;
    let filters = q
        .filters
        .parse(zone_of(&ctx))
        .map_err(Error::Unprocessable)?;
    let paging = q.paging()?;
    let limit = paging.limit()?;
    let after = paging.after::<Key>()?;
    let mut tx = ctx.begin().await?;
    let list = page(&mut tx, ctx.port.id, &filters, after, limit).await?;
    tx.commit().await?;
    Ok(Json(list))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> RawFilters {
        serde_urlencoded::from_str(&serde_urlencoded::to_string(pairs).unwrap()).unwrap()
    }

    #[test]
    fn empty_fields_are_no_filter_and_bad_ones_are_named() {
        let f = raw(&[("user_id", ""), ("action", " "), ("from", "")])
            .parse(Tz::UTC)
            .unwrap();
        assert_eq!(f, Filters::default());

        let errors = raw(&[
            ("entity_id", "42"),
            ("action", "explode"),
            ("from", "2025-02-30"),
            ("to", "yesterday"),
        ])
        .parse(Tz::UTC)
        .unwrap_err();
        let fields: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(fields, ["action", "entity_id", "from", "to"]);

        let errors = raw(&[("from", "2025-03-02"), ("to", "2025-03-01")])
            .parse(Tz::UTC)
            .unwrap_err();
        assert!(errors.contains_key("to"));
    }

    #[test]
    fn dates_are_whole_days_of_the_port() {
        let lisbon: Tz = "Europe/Lisbon".parse().unwrap();
        let f = raw(&[("from", "2025-07-01"), ("to", "2025-07-01")])
            .parse(lisbon)
            .unwrap();
        // Lisbon is UTC+1 in summer.
        assert_eq!(f.since.unwrap().to_rfc3339(), "2025-06-30T23:00:00+00:00");
        assert_eq!(f.until.unwrap().to_rfc3339(), "2025-07-01T23:00:00+00:00");
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_when_the_clock_does() {
        // Santiago moved its clocks from 00:00 to 01:00 on 2024-09-08.
        let santiago: Tz = "America/Santiago".parse().unwrap();
        let day = NaiveDate::from_ymd_opt(2024, 9, 8).unwrap();
        assert_eq!(
            start_of_day(day, santiago).to_rfc3339(),
            "2024-09-08T04:00:00+00:00"
        );
    }

    #[test]
    fn the_query_string_keeps_only_given_filters() {
        let q = raw(&[
            ("action", "update"),
            ("user_id", ""),
            ("from", "2025-01-01"),
        ]);
        assert_eq!(q.query_string(), "action=update&from=2025-01-01");
    }
}
