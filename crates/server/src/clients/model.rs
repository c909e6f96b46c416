//! The client record as stored and as the API shows it, and reading it back.
//!
//! Every read runs in the request's port transaction: a client of another
//! port is invisible there, so [`find`] answers 404 for it exactly as for an
//! id that never existed.

use super::contacts::{Contact, of_client};
use crate::http::{Error, Result};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

/// One `clients` row; JSON names are the spec's column names.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Client {
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
}

impl Client {
    /// The row as JSON, for the audit log's before/after.
    pub fn audit_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a client serializes")
    }

    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }
}

/// `GET …/clients/{id}`: the record and its contacts.
#[derive(Debug, Clone, Serialize)]
pub struct ClientOut {
    #[serde(flatten)]
    pub client: Client,
    pub contacts: Vec<Contact>,
}

/// The client `id` of the transaction's port, archived or not; 404 when there
/// is none (or it belongs to another port).
pub async fn find(conn: &mut PgConnection, id: Uuid) -> Result<Client> {
    fetch(conn, id, false).await?.ok_or(Error::NotFound)
}

/// Like [`find`], but locks the row for the rest of the transaction, so two
/// edits of one client apply one after the other and each audits what it saw.
pub async fn find_for_update(conn: &mut PgConnection, id: Uuid) -> Result<Client> {
    fetch(conn, id, true).await?.ok_or(Error::NotFound)
}

async fn fetch(conn: &mut PgConnection, id: Uuid, lock: bool) -> Result<Option<Client>> {
    let client = if lock {
        sqlx::query_as!(
            Client,
            "SELECT id, port_id, full_name, company_name, nationality, is_proxy, proxy_type,
                    actual_owner_name, relationship_notes, yacht_name, yacht_length_ft, yacht_width_ft,
                    yacht_draft_ft, yacht_length_m, yacht_width_m, yacht_draft_m, berth_size_desired,
                    preferred_contact_method, preferred_language, timezone, source, source_details,
                    archived_at, created_at, updated_at
             FROM clients WHERE id = $1 AND port_id = app_port_id() FOR UPDATE",
            id
        )
        .fetch_optional(conn)
        .await?
    } else {
        sqlx::query_as!(
            Client,
            "SELECT id, port_id, full_name, company_name, nationality, is_proxy, proxy_type,
                    actual_owner_name, relationship_notes, yacht_name, yacht_length_ft, yacht_width_ft,
                    yacht_draft_ft, yacht_length_m, yacht_width_m, yacht_draft_m, berth_size_desired,
                    preferred_contact_method, preferred_language, timezone, source, source_details,
                    archived_at, created_at, updated_at
             FROM clients WHERE id = $1 AND port_id = app_port_id()",
            id
        )
        .fetch_optional(conn)
        .await?
    };
    Ok(client)
}

/// The client and its contacts, as `GET …/clients/{id}` answers.
pub async fn find_with_contacts(conn: &mut PgConnection, id: Uuid) -> Result<ClientOut> {
    let client = find(&mut *conn, id).await?;
    let contacts = of_client(conn, id).await?;
    Ok(ClientOut { client, contacts })
}

/// A path segment as a client id: one that is not a UUID names no client (404).
pub fn parse_id(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| Error::NotFound)
}
