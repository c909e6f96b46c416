//! A waiting-list entry as stored and as the API shows it, and reading a
//! berth's list back.
//!
//! Every read runs in the request's port transaction: a berth, client or entry
//! of another port is invisible there and answers 404 like a missing one.

use crate::http::{Error, Result};
use chrono::{DateTime, Utc};
use domain::waiting_list::Priority;
use serde::Serialize;
use sqlx::PgConnection;
use std::str::FromStr;
use uuid::Uuid;

/// One `berth_waiting_list` row, with the client's name for display.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: Uuid,
    pub berth_id: Uuid,
    pub client_id: Uuid,
    pub client_name: String,
    pub position: i32,
    pub priority: String,
    pub notify_pref: String,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Entry {
    /// The stored fields, for the audit log's before/after.
    pub fn audit_json(&self) -> serde_json::Value {
        serde_json::json!({
            "berth_id": self.berth_id,
            "client_id": self.client_id,
            "position": self.position,
            "priority": self.priority,
            "notify_pref": self.notify_pref,
            "notes": self.notes,
        })
    }

    pub fn priority(&self) -> Priority {
        Priority::from_str(&self.priority).unwrap_or(Priority::Normal)
    }

    pub fn is_high(&self) -> bool {
        self.priority() == Priority::High
    }

    /// How the entry is told when the berth becomes available, as a phrase.
    pub fn notify_phrase(&self) -> &'static str {
        use domain::waiting_list::NotifyPref;
        match NotifyPref::from_str(&self.notify_pref) {
            Ok(NotifyPref::InApp) => "The team is told in the app",
            Ok(NotifyPref::Both) => "Told by e-mail, and the team in the app",
            _ => "Told by e-mail",
        }
    }
}

/// The berth a list belongs to, as the list needs it.
#[derive(Debug, Clone)]
pub struct Berth {
    pub id: Uuid,
    pub mooring_number: String,
    pub status: String,
}

/// The berth `id` of the transaction's port, locked until the transaction
/// ends: two changes to one list apply one after the other, each renumbering
/// the list the other left. 404 when there is none.
pub async fn lock_berth(conn: &mut PgConnection, id: Uuid) -> Result<Berth> {
    sqlx::query_as!(
        Berth,
        "SELECT id, mooring_number, status FROM berths
         WHERE id = $1 AND port_id = app_port_id() FOR NO KEY UPDATE",
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound)
}

/// The berth `id` of the transaction's port, unlocked; 404 when there is none.
pub async fn find_berth(conn: &mut PgConnection, id: Uuid) -> Result<Berth> {
    sqlx::query_as!(
        Berth,
        "SELECT id, mooring_number, status FROM berths WHERE id = $1 AND port_id = app_port_id()",
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound)
}

/// The list of `berth_id`, first place first.
pub async fn of_berth(conn: &mut PgConnection, berth_id: Uuid) -> Result<Vec<Entry>> {
    Ok(sqlx::query_as!(
        Entry,
        r#"SELECT w.id, w.berth_id, w.client_id, c.full_name AS client_name, w.position, w.priority,
                  coalesce(w.notify_pref, 'email') AS "notify_pref!", w.notes, w.created_at
           FROM berth_waiting_list w
           JOIN clients c ON c.id = w.client_id
           WHERE w.berth_id = $1 AND w.port_id = app_port_id()
           ORDER BY w.position, w.created_at, w.id"#,
        berth_id
    )
    .fetch_all(conn)
    .await?)
}

/// Entry `id` of the list of `berth_id`; 404 when that list has no such entry.
pub async fn find(conn: &mut PgConnection, berth_id: Uuid, id: Uuid) -> Result<Entry> {
    sqlx::query_as!(
        Entry,
        r#"SELECT w.id, w.berth_id, w.client_id, c.full_name AS client_name, w.position, w.priority,
                  coalesce(w.notify_pref, 'email') AS "notify_pref!", w.notes, w.created_at
           FROM berth_waiting_list w
           JOIN clients c ON c.id = w.client_id
           WHERE w.id = $1 AND w.berth_id = $2 AND w.port_id = app_port_id()"#,
        id,
        berth_id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound)
}

/// A path segment as an id: one that is not a UUID names nothing (404).
pub fn parse_id(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| Error::NotFound)
}
