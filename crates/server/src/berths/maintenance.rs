//! A berth's maintenance log: what was done, when, by whom and at what cost,
//! and the totals by berth and by area (per currency: costs in different
//! currencies are never added together).
//!
//! Photos belong to the log in the spec (`photo_file_ids`); files arrive with
//! the documents work, so until then no photo is stored or accepted.

use super::model::{find, parse_id};
use crate::access::PortCtx;
use crate::audit::{self, Action, Actor, Entry as AuditEntry};
use crate::http::checked::{Checked, nullable, problems};
use crate::http::cursor::List;
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use domain::berths::MaintenanceCategory;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use sqlx::PgConnection;
use std::str::FromStr;
use uuid::Uuid;

/// The audit log's name for a maintenance entry.
pub const KIND: &str = "berth_maintenance";

/// One `berth_maintenance_log` row.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Maintenance {
    pub id: Uuid,
    pub berth_id: Uuid,
    pub port_id: Uuid,
    pub category: String,
    pub description: String,
    pub cost: Option<Decimal>,
    pub cost_currency: Option<String>,
    pub responsible_party: Option<String>,
    pub performed_date: NaiveDate,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Maintenance {
    fn audit_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a maintenance entry serializes")
    }
}

/// What a create or PATCH body may hold; `None`: not given, `Some(None)`: cleared.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    #[serde(default, deserialize_with = "nullable")]
    pub category: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "decimal")]
    pub cost: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "nullable")]
    pub cost_currency: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub responsible_party: Option<Option<String>>,
    #[serde(default, deserialize_with = "date")]
    pub performed_date: Option<Option<NaiveDate>>,
}

fn decimal<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Option<Decimal>>, D::Error> {
    let text = match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => return Ok(Some(None)),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => return Ok(Some(None)),
        Some(serde_json::Value::String(s)) => s.trim().to_owned(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(_) => {
            return Err(serde::de::Error::custom(
                "must be an amount such as \"1250.00\"",
            ));
        }
    };
    Decimal::from_str(&text)
        .map(|d| Some(Some(d)))
        .map_err(|_| serde::de::Error::custom("must be an amount such as \"1250.00\""))
}

fn date<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Option<NaiveDate>>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(Some(None)),
        Some(s) if s.trim().is_empty() => Ok(Some(None)),
        Some(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map(|d| Some(Some(d)))
            .map_err(|_| serde::de::Error::custom("must be a date YYYY-MM-DD")),
    }
}

/// The values to store.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    pub category: String,
    pub description: String,
    pub cost: Option<Decimal>,
    pub cost_currency: Option<String>,
    pub responsible_party: Option<String>,
    pub performed_date: Option<NaiveDate>,
}

impl Fields {
    fn of(m: &Maintenance) -> Fields {
        Fields {
            category: m.category.clone(),
            description: m.description.clone(),
            cost: m.cost,
            cost_currency: m.cost_currency.clone(),
            responsible_party: m.responsible_party.clone(),
            performed_date: Some(m.performed_date),
        }
    }
}

fn pick<T>(given: Option<Option<T>>, stored: Option<T>) -> Option<T> {
    match given {
        Some(v) => v,
        None => stored,
    }
}

/// `base` with `patch` applied and checked; the problems name their fields.
pub fn apply(
    base: Fields,
    patch: Patch,
    currency: &str,
) -> std::result::Result<Fields, Vec<(String, String)>> {
    let mut p: Vec<(String, String)> = Vec::new();
    let category = pick(patch.category, Some(base.category)).unwrap_or_default();
    let category = match MaintenanceCategory::from_str(category.trim()) {
        Ok(c) => c.as_str().to_owned(),
        Err(e) if category.trim().is_empty() => {
            p.push(("category".into(), format!("is required; {e}")));
            category
        }
        Err(e) => {
            p.push(("category".into(), e));
            category
        }
    };
    let description = pick(patch.description, Some(base.description))
        .unwrap_or_default()
        .trim()
        .to_owned();
    if description.is_empty() {
        p.push(("description".into(), "is required".into()));
    } else if description.chars().count() > 2000 {
        p.push((
            "description".into(),
            "must be at most 2000 characters".into(),
        ));
    }
    let cost = pick(patch.cost, base.cost);
    if cost.is_some_and(|c| c.is_sign_negative()) {
        p.push(("cost".into(), "must not be negative".into()));
    }
    let cost_currency = match pick(patch.cost_currency, base.cost_currency) {
        Some(c) => match domain::berths::currency(&c) {
            Ok(c) => Some(c),
            Err(e) => {
                p.push(("cost_currency".into(), e));
                None
            }
        },
        None => Some(currency.to_owned()),
    };
    let responsible_party = pick(patch.responsible_party, base.responsible_party)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if responsible_party
        .as_ref()
        .is_some_and(|s| s.chars().count() > 200)
    {
        p.push((
            "responsible_party".into(),
            "must be at most 200 characters".into(),
        ));
    }
    let performed_date = pick(patch.performed_date, base.performed_date);
    if performed_date.is_none() {
        p.push(("performed_date".into(), "is required".into()));
    }
    if p.is_empty() {
        Ok(Fields {
            category,
            description,
            cost,
            cost_currency,
            responsible_party,
            performed_date,
        })
    } else {
        Err(p)
    }
}

/// The berth's log, latest first.
pub async fn of_berth(conn: &mut PgConnection, berth_id: Uuid) -> Result<Vec<Maintenance>> {
    Ok(sqlx::query_as!(
        Maintenance,
        "SELECT id, berth_id, port_id, category, description, cost, cost_currency, responsible_party,
                performed_date, created_by, created_at, updated_at
         FROM berth_maintenance_log WHERE berth_id = $1
         ORDER BY performed_date DESC, created_at DESC, id",
        berth_id
    )
    .fetch_all(conn)
    .await?)
}

async fn find_entry(conn: &mut PgConnection, berth_id: Uuid, id: Uuid) -> Result<Maintenance> {
    sqlx::query_as!(
        Maintenance,
        "SELECT id, berth_id, port_id, category, description, cost, cost_currency, responsible_party,
                performed_date, created_by, created_at, updated_at
         FROM berth_maintenance_log WHERE id = $1 AND berth_id = $2 FOR UPDATE",
        id,
        berth_id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound)
}

fn user_id(ctx: &PortCtx) -> String {
    ctx.user.id.clone()
}

/// Adds an entry to berth `berth_id`'s log, audited, and commits.
pub async fn add(ctx: &PortCtx, berth_id: Uuid, patch: Patch) -> Result<Maintenance> {
    let mut tx = ctx.begin().await?;
    find(&mut tx, berth_id).await?;
    let f = apply(Fields::default(), patch, &ctx.port.default_currency)
        .map_err(|p| problems(p).unwrap_err())?;
    let m = sqlx::query_as!(
        Maintenance,
        "INSERT INTO berth_maintenance_log (berth_id, category, description, cost, cost_currency,
                responsible_party, performed_date, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         RETURNING id, berth_id, port_id, category, description, cost, cost_currency, responsible_party,
                   performed_date, created_by, created_at, updated_at",
        berth_id,
        f.category,
        f.description,
        f.cost,
        f.cost_currency,
        f.responsible_party,
        f.performed_date,
        user_id(ctx),
    )
    .fetch_one(&mut *tx)
    .await?;
    let mut entry = AuditEntry::new(Some(ctx.port.id), Action::Create, KIND, Some(m.id));
    entry.new = Some(m.audit_json());
    entry.metadata = serde_json::json!({"berth_id": berth_id});
    audit::record(&mut tx, &Actor::from(ctx), entry).await?;
    tx.commit().await?;
    Ok(m)
}

/// Edits an entry, audited per changed field, and commits.
pub async fn change(ctx: &PortCtx, berth_id: Uuid, id: Uuid, patch: Patch) -> Result<Maintenance> {
    let mut tx = ctx.begin().await?;
    let before = find_entry(&mut tx, berth_id, id).await?;
    let f = apply(Fields::of(&before), patch, &ctx.port.default_currency)
        .map_err(|p| problems(p).unwrap_err())?;
    let after = sqlx::query_as!(
        Maintenance,
        "UPDATE berth_maintenance_log SET category = $2, description = $3, cost = $4, cost_currency = $5,
                responsible_party = $6, performed_date = $7
         WHERE id = $1
         RETURNING id, berth_id, port_id, category, description, cost, cost_currency, responsible_party,
                   performed_date, created_by, created_at, updated_at",
        id,
        f.category,
        f.description,
        f.cost,
        f.cost_currency,
        f.responsible_party,
        f.performed_date,
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record_update(
        &mut tx,
        &Actor::from(ctx),
        Some(ctx.port.id),
        KIND,
        id,
        &before.audit_json(),
        &after.audit_json(),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Removes an entry, audited with what it held, and commits.
pub async fn remove(ctx: &PortCtx, berth_id: Uuid, id: Uuid) -> Result<()> {
    let mut tx = ctx.begin().await?;
    let before = find_entry(&mut tx, berth_id, id).await?;
    sqlx::query!("DELETE FROM berth_maintenance_log WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    let mut entry = AuditEntry::new(Some(ctx.port.id), Action::Delete, KIND, Some(id));
    entry.old = Some(before.audit_json());
    entry.metadata = serde_json::json!({"berth_id": berth_id});
    audit::record(&mut tx, &Actor::from(ctx), entry).await?;
    tx.commit().await?;
    Ok(())
}

/// A total of costs in one currency.
#[derive(Debug, Clone, Serialize)]
pub struct AreaTotal {
    pub area: Option<String>,
    pub currency: Option<String>,
    pub entries: i64,
    pub total: Decimal,
}

#[derive(Debug, Clone, Serialize)]
pub struct BerthTotal {
    pub berth_id: Uuid,
    pub mooring_number: String,
    pub area: Option<String>,
    pub currency: Option<String>,
    pub entries: i64,
    pub total: Decimal,
}

#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    pub by_area: Vec<AreaTotal>,
    pub by_berth: Vec<BerthTotal>,
}

/// The port's maintenance costs by area and by berth, each per currency
/// (entries without a cost count as entries, adding nothing).
pub async fn totals(conn: &mut PgConnection) -> Result<Totals> {
    let by_berth = sqlx::query_as!(
        BerthTotal,
        r#"SELECT b.id AS berth_id, b.mooring_number, b.area, m.cost_currency AS currency,
                  count(*) AS "entries!", COALESCE(sum(m.cost), 0) AS "total!"
           FROM berth_maintenance_log m JOIN berths b ON b.id = m.berth_id
           GROUP BY b.id, b.mooring_number, b.area, m.cost_currency
           ORDER BY b.area NULLS LAST, b.mooring_number, m.cost_currency"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let by_area = sqlx::query_as!(
        AreaTotal,
        r#"SELECT b.area, m.cost_currency AS currency,
                  count(*) AS "entries!", COALESCE(sum(m.cost), 0) AS "total!"
           FROM berth_maintenance_log m JOIN berths b ON b.id = m.berth_id
           GROUP BY b.area, m.cost_currency
           ORDER BY b.area NULLS LAST, m.cost_currency"#
    )
    .fetch_all(conn)
    .await?;
    Ok(Totals { by_area, by_berth })
}

/// `GET …/berths/{id}/maintenance`: the berth's log, latest first.
pub async fn list_api(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<List<Maintenance>>> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    find(&mut tx, id).await?;
    let rows = of_berth(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(List::whole(rows)))
}

/// `POST …/berths/{id}/maintenance` → 201 with the entry and a Location.
pub async fn create_api(
    ctx: PortCtx,
    Path((slug, id)): Path<(String, String)>,
    Checked(patch): Checked<Patch>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let m = add(&ctx, id, patch).await?;
    let location = format!("/api/v1/ports/{slug}/berths/{id}/maintenance/{}", m.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(m)).into_response())
}

/// `PATCH …/berths/{id}/maintenance/{mid}`
pub async fn update_api(
    ctx: PortCtx,
    Path((_, id, mid)): Path<(String, String, String)>,
    Checked(patch): Checked<Patch>,
) -> Result<Json<Maintenance>> {
    let (id, mid) = (parse_id(&id)?, parse_id(&mid)?);
    Ok(Json(change(&ctx, id, mid, patch).await?))
}

/// `DELETE …/berths/{id}/maintenance/{mid}` → 204.
pub async fn delete_api(
    ctx: PortCtx,
    Path((_, id, mid)): Path<(String, String, String)>,
) -> Result<StatusCode> {
    let (id, mid) = (parse_id(&id)?, parse_id(&mid)?);
    remove(&ctx, id, mid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET …/berths/maintenance-totals`
pub async fn totals_api(ctx: PortCtx) -> Result<Json<Totals>> {
    let mut tx = ctx.begin().await?;
    let t = totals(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(t))
}
