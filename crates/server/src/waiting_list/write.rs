//! Adding, changing, moving and removing waiting-list entries.
//!
//! Each change runs in one transaction that locks the berth (so two changes
//! to one list apply one after the other), stores the whole list's new
//! positions (1..n, high priority first: `domain::waiting_list`), and writes
//! its audit row. Audit rows name the client in their metadata, so the
//! client's timeline shows them too.

use super::KIND;
use super::model::{self, Berth, Entry, lock_berth};
use crate::access::PortCtx;
use crate::audit::{self, Action, Actor, Entry as AuditEntry};
use crate::http::checked::nullable;
use crate::http::error::on_constraint;
use crate::http::{Error, Result};
use domain::waiting_list::{self as rules, MoveError, NotifyPref, Priority};
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::PgConnection;
use std::str::FromStr;
use uuid::Uuid;

/// `POST …/waiting-list`: who to add and how.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEntry {
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub notify_pref: Option<NotifyPref>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// `PATCH …/waiting-list/{entry}`: the fields to change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryPatch {
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub notify_pref: Option<NotifyPref>,
    #[serde(default, deserialize_with = "nullable")]
    pub notes: Option<Option<String>>,
}

const NOTES_MAX: usize = 2000;

fn notes(raw: Option<String>) -> Result<Option<String>> {
    let Some(text) = raw.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > NOTES_MAX {
        return Err(Error::invalid(
            "notes",
            format!("must be at most {NOTES_MAX} characters"),
        ));
    }
    Ok(Some(text))
}

/// Stores `order` as positions 1..n of the list of `berth_id`.
async fn store_order(conn: &mut PgConnection, berth_id: Uuid, order: &[Uuid]) -> Result<()> {
    let positions: Vec<i32> = (1..=order.len() as i32).collect();
    sqlx::query!(
        "UPDATE berth_waiting_list w SET position = t.position
         FROM unnest($1::uuid[], $2::int[]) AS t(id, position)
         WHERE w.id = t.id AND w.berth_id = $3 AND w.position <> t.position",
        order,
        &positions,
        berth_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

fn keyed(entries: &[Entry]) -> Vec<(Uuid, Priority)> {
    entries.iter().map(|e| (e.id, e.priority())).collect()
}

/// One audit row about `entry`, naming its client and berth.
async fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    action: Action,
    entry: &Entry,
    berth: &Berth,
    change: Option<(&str, Value, Value)>,
) -> Result<()> {
    let mut row = AuditEntry::new(Some(port_id), action, KIND, Some(entry.id));
    row.metadata = json!({
        "client_id": entry.client_id,
        "berth_id": berth.id,
        "mooring_number": berth.mooring_number,
    });
    match (action, change) {
        (_, Some((field, old, new))) => {
            row.field = Some(field);
            row.old = Some(old);
            row.new = Some(new);
            audit::record(conn, actor, row).await?;
        }
        (Action::Create, None) => {
            row.new = Some(entry.audit_json());
            audit::record(conn, actor, row).await?;
        }
        (_, None) => {
            row.old = Some(entry.audit_json());
            audit::record(conn, actor, row).await?;
        }
    }
    Ok(())
}

/// Adds a client to the list of `berth_id`, at the end of its priority's
/// place; the caller commits.
pub async fn add_in(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    berth_id: Uuid,
    new: NewEntry,
) -> Result<Entry> {
    let berth = lock_berth(conn, berth_id).await?;
    let client_id = match new.client_id.as_deref().map(str::trim) {
        None | Some("") => return Err(Error::invalid("client_id", "is required")),
        // Not an id: no client of this port has it, like one of another port.
        Some(raw) => Uuid::from_str(raw).map_err(|_| Error::NotFound)?,
    };
    let archived = sqlx::query_scalar!(
        r#"SELECT archived_at IS NOT NULL AS "archived!" FROM clients
           WHERE id = $1 AND port_id = app_port_id()"#,
        client_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::NotFound)?;
    if archived {
        return Err(Error::invalid(
            "client_id",
            "this client is archived; restore them first",
        ));
    }
    let notes = notes(new.notes)?;
    let priority = new.priority.unwrap_or(Priority::Normal);
    let notify = new.notify_pref.unwrap_or(NotifyPref::Email);
    let before = model::of_berth(conn, berth_id).await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO berth_waiting_list (berth_id, client_id, position, priority, notify_pref, notes)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        berth_id,
        client_id,
        before.len() as i32 + 1,
        priority.as_str(),
        notify.as_str(),
        notes
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(on_constraint(
        "berth_waiting_list_berth_id_client_id_key",
        "This client is already on the waiting list of this berth.",
    ))?;
    let mut keys = keyed(&before);
    keys.push((id, priority));
    store_order(conn, berth_id, &rules::arrange(&keys)).await?;
    let entry = model::find(conn, berth_id, id).await?;
    record(conn, actor, port_id, Action::Create, &entry, &berth, None).await?;
    Ok(entry)
}

/// Changes an entry's priority, notify preference or notes; a new priority
/// moves the entry to the edge of its new place (a promoted entry last among
/// the high ones, a demoted one first among the normal ones).
pub async fn update_in(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    berth_id: Uuid,
    id: Uuid,
    patch: EntryPatch,
) -> Result<Entry> {
    let berth = lock_berth(conn, berth_id).await?;
    let before = model::find(conn, berth_id, id).await?;
    let notes = match patch.notes {
        Some(n) => notes(n)?,
        None => before.notes.clone(),
    };
    let priority = patch.priority.unwrap_or(before.priority());
    let notify = patch
        .notify_pref
        .map_or(before.notify_pref.clone(), |p| p.as_str().to_owned());
    sqlx::query!(
        "UPDATE berth_waiting_list SET priority = $2, notify_pref = $3, notes = $4 WHERE id = $1",
        id,
        priority.as_str(),
        notify,
        notes
    )
    .execute(&mut *conn)
    .await?;
    if priority != before.priority() {
        let list = model::of_berth(conn, berth_id).await?;
        store_order(conn, berth_id, &rules::arrange(&keyed(&list))).await?;
    }
    let after = model::find(conn, berth_id, id).await?;
    for (field, old, new) in audit::diff(&before.audit_json(), &after.audit_json()) {
        record(
            conn,
            actor,
            port_id,
            Action::Update,
            &after,
            &berth,
            Some((&field, old, new)),
        )
        .await?;
    }
    Ok(after)
}

/// Moves an entry to `position` (1..n; clamped to its priority's place) and
/// returns the list in its new order.
pub async fn move_in(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    berth_id: Uuid,
    id: Uuid,
    position: Option<i64>,
) -> Result<Vec<Entry>> {
    let berth = lock_berth(conn, berth_id).await?;
    let entry = model::find(conn, berth_id, id).await?;
    let position = position.ok_or_else(|| Error::invalid("position", "is required"))?;
    let list = model::of_berth(conn, berth_id).await?;
    let (order, taken) = rules::move_to(&keyed(&list), id, position).map_err(|e| match e {
        MoveError::OutOfRange { .. } => Error::invalid("position", e.to_string()),
        MoveError::NotOnList => Error::NotFound,
    })?;
    store_order(conn, berth_id, &order).await?;
    if taken as i32 != entry.position {
        record(
            conn,
            actor,
            port_id,
            Action::Update,
            &entry,
            &berth,
            Some(("position", json!(entry.position), json!(taken))),
        )
        .await?;
    }
    model::of_berth(conn, berth_id).await
}

/// Takes an entry off the list; the entries below it move up.
pub async fn remove_in(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    berth_id: Uuid,
    id: Uuid,
) -> Result<()> {
    let berth = lock_berth(conn, berth_id).await?;
    let entry = model::find(conn, berth_id, id).await?;
    sqlx::query!("DELETE FROM berth_waiting_list WHERE id = $1", id)
        .execute(&mut *conn)
        .await?;
    // The delete trigger (migration 0065) has closed the gap already; storing
    // the order here keeps the rule in one place for this code path too.
    let list = model::of_berth(conn, berth_id).await?;
    store_order(conn, berth_id, &rules::arrange(&keyed(&list))).await?;
    record(conn, actor, port_id, Action::Delete, &entry, &berth, None).await
}

/// [`add_in`] for the request's port, committed.
pub async fn add(ctx: &PortCtx, berth_id: Uuid, new: NewEntry) -> Result<Entry> {
    let mut tx = ctx.begin().await?;
    let entry = add_in(&mut tx, &Actor::from(ctx), ctx.port.id, berth_id, new).await?;
    tx.commit().await?;
    Ok(entry)
}

/// [`update_in`] for the request's port, committed.
pub async fn update(ctx: &PortCtx, berth_id: Uuid, id: Uuid, patch: EntryPatch) -> Result<Entry> {
    let mut tx = ctx.begin().await?;
    let entry = update_in(&mut tx, &Actor::from(ctx), ctx.port.id, berth_id, id, patch).await?;
    tx.commit().await?;
    Ok(entry)
}

/// [`move_in`] for the request's port, committed.
pub async fn move_to(
    ctx: &PortCtx,
    berth_id: Uuid,
    id: Uuid,
    position: Option<i64>,
) -> Result<Vec<Entry>> {
    let mut tx = ctx.begin().await?;
    let list = move_in(
        &mut tx,
        &Actor::from(ctx),
        ctx.port.id,
        berth_id,
        id,
        position,
    )
    .await?;
    tx.commit().await?;
    Ok(list)
}

/// [`remove_in`] for the request's port, committed.
pub async fn remove(ctx: &PortCtx, berth_id: Uuid, id: Uuid) -> Result<()> {
    let mut tx = ctx.begin().await?;
    remove_in(&mut tx, &Actor::from(ctx), ctx.port.id, berth_id, id).await?;
    tx.commit().await?;
    Ok(())
}
