//! The interest record as stored and as the API shows it, and reading it back.
//!
//! Every read runs in the request's port transaction: an interest of another
//! port is invisible there, so [`find`] answers 404 for it exactly as for an
//! id that never existed.

use crate::http::{Error, Result};
use crate::tags::{TagOut, Target, records::tags_of_one};
use chrono::{DateTime, Utc};
use domain::interests::Milestones;
use domain::pipeline::Stage;
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

/// One `interests` row; JSON names are the spec's column names.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Interest {
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
}

impl Interest {
    /// The row as JSON, for the audit log's before/after.
    pub fn audit_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("an interest serializes")
    }

    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }

    /// The stored stage; a value the rules do not know reads as `open`
    /// (the column is only ever written through [`Stage`]).
    pub fn stage(&self) -> Stage {
        self.pipeline_stage.parse().unwrap_or(Stage::Open)
    }

    pub fn milestones(&self) -> Milestones {
        Milestones {
            eoi_status: self.eoi_status.clone(),
            contract_status: self.contract_status.clone(),
            deposit_status: self.deposit_status.clone(),
            date_first_contact: self.date_first_contact,
            date_last_contact: self.date_last_contact,
            date_eoi_sent: self.date_eoi_sent,
            date_eoi_signed: self.date_eoi_signed,
            date_contract_sent: self.date_contract_sent,
            date_contract_signed: self.date_contract_signed,
            date_deposit_received: self.date_deposit_received,
        }
    }
}

/// `GET …/interests/{id}`: the row, the names people read it by, its tags.
#[derive(Debug, Clone, Serialize)]
pub struct InterestOut {
    #[serde(flatten)]
    pub interest: Interest,
    pub client_name: String,
    pub mooring_number: Option<String>,
    pub tags: Vec<TagOut>,
}

/// The interest `id` of the transaction's port, archived or not; 404 when
/// there is none (or it belongs to another port).
pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<Interest> {
    fetch(conn, id, false).await?.ok_or(Error::NotFound)
}

/// Like [`find`], but locks the row for the rest of the transaction, so two
/// changes of one interest apply one after the other and each audits what it saw.
pub async fn find_for_update(conn: &mut PgConnection, id: Uuid) -> Result<Interest> {
    fetch(conn, id, true).await?.ok_or(Error::NotFound)
}

async fn fetch(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<Option<Interest>> {
    let row = if lock {
        sqlx::query_as!(
            Interest,
            "SELECT id, port_id, client_id, berth_id, pipeline_stage, lead_category, source, eoi_status,
                    documenso_id, contract_status, deposit_status, reservation_status, date_first_contact,
                    date_last_contact, date_eoi_sent, date_eoi_signed, date_contract_sent,
                    date_contract_signed, date_deposit_received, reminder_enabled, reminder_days,
                    reminder_last_fired, notes, archived_at, created_at, updated_at
             FROM interests WHERE id = $1 AND port_id = app_port_id() FOR UPDATE",
            id
        )
        .fetch_optional(conn)
        .await?
    } else {
        sqlx::query_as!(
            Interest,
            "SELECT id, port_id, client_id, berth_id, pipeline_stage, lead_category, source, eoi_status,
                    documenso_id, contract_status, deposit_status, reservation_status, date_first_contact,
                    date_last_contact, date_eoi_sent, date_eoi_signed, date_contract_sent,
                    date_contract_signed, date_deposit_received, reminder_enabled, reminder_days,
                    reminder_last_fired, notes, archived_at, created_at, updated_at
             FROM interests WHERE id = $1 AND port_id = app_port_id()",
            id
        )
        .fetch_optional(conn)
        .await?
    };
    Ok(row)
}

/// The interest with the client's name, the berth's number and its tags.
pub async fn find_out(conn: &mut PgConnection, id: Uuid) -> Result<InterestOut> {
    let interest = find(&mut *conn, id).await?;
    let names = sqlx::query!(
        r#"SELECT c.full_name, b.mooring_number AS "mooring_number?"
           FROM clients c LEFT JOIN berths b ON b.id = $2
           WHERE c.id = $1"#,
        interest.client_id,
        interest.berth_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let tags = tags_of_one(conn, Target::Interest, id).await?;
    Ok(InterestOut {
        interest,
        client_name: names.full_name,
        mooring_number: names.mooring_number,
        tags,
    })
}

/// A path segment as an interest id: one that is not a UUID names none (404).
pub fn parse_id(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| Error::NotFound)
}
