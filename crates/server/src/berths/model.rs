//! The berth record as stored and as the API shows it, and reading it back.
//!
//! Every read runs in the request's port transaction: a berth of another port
//! is invisible there, so [`find`] answers 404 for it exactly as for an id
//! that never existed.

use crate::http::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

/// One `berths` row; JSON names are the spec's column names.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Berth {
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
}

/// Every column, in the struct's order, for `SELECT`s and `RETURNING`.
/// (Kept in one place: the compile-time checked queries spell it out.)
impl Berth {
    /// The row as JSON, for the audit log's before/after.
    pub fn audit_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a berth serializes")
    }

    pub fn status(&self) -> Option<domain::settings::BerthStatus> {
        self.status.parse().ok()
    }
}

/// The berth `id` of the transaction's port; 404 when there is none (or it
/// belongs to another port).
pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<Berth> {
    sqlx::query_as!(
        Berth,
        "SELECT id, port_id, mooring_number, area, status, length_ft, width_ft, draft_ft, length_m, width_m,
                draft_m, width_is_minimum, nominal_boat_size, nominal_boat_size_m, water_depth, water_depth_m,
                water_depth_is_minimum, side_pontoon, power_capacity, voltage, mooring_type, cleat_type,
                cleat_capacity, bollard_type, bollard_capacity, access, price, price_currency, bow_facing,
                berth_approved, tenure_type, tenure_years, tenure_start_date, tenure_end_date,
                status_last_changed_by, status_last_changed_reason, status_last_modified, created_at, updated_at
         FROM berths WHERE id = $1 AND port_id = app_port_id()",
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound)
}

/// Like [`find`], but locks the row for the rest of the transaction, so two
/// edits of one berth apply one after the other and each audits what it saw.
pub async fn find_for_update(conn: &mut PgConnection, id: Uuid) -> Result<Berth> {
    sqlx::query_as!(
        Berth,
        "SELECT id, port_id, mooring_number, area, status, length_ft, width_ft, draft_ft, length_m, width_m,
                draft_m, width_is_minimum, nominal_boat_size, nominal_boat_size_m, water_depth, water_depth_m,
                water_depth_is_minimum, side_pontoon, power_capacity, voltage, mooring_type, cleat_type,
                cleat_capacity, bollard_type, bollard_capacity, access, price, price_currency, bow_facing,
                berth_approved, tenure_type, tenure_years, tenure_start_date, tenure_end_date,
                status_last_changed_by, status_last_changed_reason, status_last_modified, created_at, updated_at
         FROM berths WHERE id = $1 AND port_id = app_port_id() FOR UPDATE",
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound)
}

/// A path segment as a berth id: one that is not a UUID names no berth (404).
pub fn parse_id(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| Error::NotFound)
}
