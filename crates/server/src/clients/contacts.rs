//! A client's ways of being reached (`client_contacts`), one primary per channel.
//!
//! Values are normalised before they are stored (lower-cased e-mail, E.164
//! phone read in the port's region), which is what lets duplicates be found
//! and the same value never be stored twice on one client (409). The first
//! contact of a channel becomes its primary; making another primary unsets
//! the old one in the same transaction; deleting the primary promotes the
//! next oldest. Every change is audited as a `client_contact` whose metadata
//! names the client, so the client's timeline shows it.

use super::model::{find, find_for_update, parse_id};
use crate::access::PortCtx;
use crate::audit::{self, Action, Actor, Entry};
use crate::http::checked::{Checked, nullable};
use crate::http::cursor::List;
use crate::http::error::on_constraint;
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::contacts::{Channel, normalise};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::PgConnection;
use std::str::FromStr;
use uuid::Uuid;

/// The audit log's name for a contact.
pub const KIND: &str = "client_contact";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Contact {
    pub id: Uuid,
    pub client_id: Uuid,
    pub channel: String,
    pub value: String,
    pub label: Option<String>,
    pub is_primary: bool,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Contact {
    fn audit_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a contact serializes")
    }

    /// A link that opens the channel: mailto:, tel:, WhatsApp.
    pub fn href(&self) -> Option<String> {
        match self.channel.as_str() {
            "email" => Some(format!("mailto:{}", self.value)),
            "phone" => Some(format!("tel:{}", self.value)),
            "whatsapp" => Some(format!(
                "https://wa.me/{}",
                self.value.trim_start_matches('+')
            )),
            _ => None,
        }
    }

    pub fn channel_label(&self) -> &'static str {
        Channel::from_str(&self.channel).map_or("Other", Channel::label)
    }
}

/// A contact as a body gives it (alone, or inside a client's `contacts`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    pub channel: String,
    pub value: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub is_primary: Option<bool>,
}

/// `PATCH …/contacts/{contact_id}`: the fields to change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub label: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub notes: Option<Option<String>>,
    #[serde(default)]
    pub is_primary: Option<bool>,
}

/// A contact checked and normalised, ready to store.
#[derive(Debug, Clone)]
pub struct ValidContact {
    pub channel: Channel,
    pub value: String,
    pub label: Option<String>,
    pub notes: Option<String>,
    pub is_primary: bool,
}

fn short(
    v: Option<String>,
    field: String,
    max: usize,
    p: &mut Vec<(String, String)>,
) -> Option<String> {
    let v = v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())?;
    if v.chars().count() > max {
        p.push((field, format!("must be at most {max} characters")));
    }
    Some(v)
}

/// Checks `c`; problems are named under `prefix` (`""` or `contacts[1].`).
pub fn check(
    c: NewContact,
    region: &str,
    prefix: &str,
) -> Result<ValidContact, Vec<(String, String)>> {
    let mut p = Vec::new();
    let channel = Channel::from_str(c.channel.trim());
    let value = match &channel {
        Ok(ch) => normalise(*ch, &c.value, region)
            .map_err(|e| p.push((format!("{prefix}value"), e.to_string())))
            .ok(),
        Err(message) => {
            p.push((format!("{prefix}channel"), message.clone()));
            None
        }
    };
    let label = short(c.label, format!("{prefix}label"), 60, &mut p);
    let notes = short(c.notes, format!("{prefix}notes"), 1000, &mut p);
    match (channel, value) {
        (Ok(channel), Some(value)) if p.is_empty() => Ok(ValidContact {
            channel,
            value,
            label,
            notes,
            is_primary: c.is_primary.unwrap_or(false),
        }),
        _ => Err(p),
    }
}

/// The port's phone region: numbers typed without a country code are read there.
pub async fn region(conn: &mut PgConnection, port_id: Uuid) -> Result<String> {
    Ok(
        crate::settings::get::<domain::settings::ContactDefaults>(conn, Some(port_id))
            .await?
            .phone_region,
    )
}

const DUPLICATE: &str = "This client already has that contact.";

/// The contacts of `client_id`: by channel, primary first, then oldest first.
pub async fn of_client(conn: &mut PgConnection, client_id: Uuid) -> Result<Vec<Contact>> {
    Ok(sqlx::query_as!(
        Contact,
        "SELECT id, client_id, channel, value, label, is_primary, notes, created_at, updated_at
         FROM client_contacts WHERE client_id = $1 AND port_id = app_port_id()
         ORDER BY array_position(ARRAY['email','phone','whatsapp','other'], channel), NOT is_primary, created_at, id",
        client_id
    )
    .fetch_all(conn)
    .await?)
}

async fn one(conn: &mut PgConnection, client_id: Uuid, id: Uuid) -> Result<Contact> {
    sqlx::query_as!(
        Contact,
        "SELECT id, client_id, channel, value, label, is_primary, notes, created_at, updated_at
         FROM client_contacts WHERE id = $1 AND client_id = $2 AND port_id = app_port_id()",
        id,
        client_id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound)
}

/// Unsets the other primaries of the channel, auditing each.
async fn demote_others(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    client_id: Uuid,
    channel: &str,
    keep: Option<Uuid>,
) -> Result<()> {
    let demoted = sqlx::query_scalar!(
        "UPDATE client_contacts SET is_primary = false
         WHERE client_id = $1 AND channel = $2 AND is_primary AND ($3::uuid IS NULL OR id <> $3)
         RETURNING id",
        client_id,
        channel,
        keep
    )
    .fetch_all(&mut *conn)
    .await?;
    for id in demoted {
        record_change(
            conn,
            actor,
            port_id,
            client_id,
            id,
            "is_primary",
            json!(true),
            json!(false),
        )
        .await?;
    }
    Ok(())
}

/// Makes the oldest contact of the channel primary when none is.
async fn promote_if_none(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    client_id: Uuid,
    channel: &str,
) -> Result<()> {
    let promoted = sqlx::query_scalar!(
        "UPDATE client_contacts SET is_primary = true
         WHERE id = (SELECT id FROM client_contacts
                     WHERE client_id = $1 AND channel = $2 ORDER BY created_at, id LIMIT 1)
           AND NOT EXISTS (SELECT 1 FROM client_contacts WHERE client_id = $1 AND channel = $2 AND is_primary)
         RETURNING id",
        client_id,
        channel
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = promoted {
        record_change(
            conn,
            actor,
            port_id,
            client_id,
            id,
            "is_primary",
            json!(false),
            json!(true),
        )
        .await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn record_change(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    client_id: Uuid,
    id: Uuid,
    field: &str,
    old: serde_json::Value,
    new: serde_json::Value,
) -> Result<()> {
    let mut entry = Entry::new(Some(port_id), Action::Update, KIND, Some(id));
    entry.field = Some(field);
    entry.old = Some(old);
    entry.new = Some(new);
    entry.metadata = json!({ "client_id": client_id });
    audit::record(conn, actor, entry).await?;
    Ok(())
}

/// Adds a checked contact to `client_id` in the caller's transaction, keeping
/// one primary per channel, and audits it. A repeated (channel, value) is a 409.
pub async fn insert(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    client_id: Uuid,
    c: &ValidContact,
) -> Result<Contact> {
    let channel = c.channel.as_str();
    let first_of_channel = !sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM client_contacts WHERE client_id = $1 AND channel = $2) AS "e!""#,
        client_id,
        channel
    )
    .fetch_one(&mut *conn)
    .await?;
    let primary = c.is_primary || first_of_channel;
    if primary && !first_of_channel {
        demote_others(conn, actor, port_id, client_id, channel, None).await?;
    }
    let contact = sqlx::query_as!(
        Contact,
        "INSERT INTO client_contacts (client_id, channel, value, label, is_primary, notes)
         VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id, client_id, channel, value, label, is_primary, notes, created_at, updated_at",
        client_id,
        channel,
        c.value,
        c.label,
        primary,
        c.notes
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(on_constraint("uq_client_contacts_value", DUPLICATE))?;
    let mut entry = Entry::new(Some(port_id), Action::Create, KIND, Some(contact.id));
    entry.new = Some(contact.audit_json());
    entry.metadata = json!({ "client_id": client_id });
    audit::record(conn, actor, entry).await?;
    Ok(contact)
}

fn ids(path: &(String, String, String)) -> Result<(Uuid, Uuid)> {
    Ok((parse_id(&path.1)?, parse_id(&path.2)?))
}

/// `GET …/clients/{id}/contacts`
pub async fn list(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<List<Contact>>> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    find(&mut tx, id).await?;
    let contacts = of_client(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(List::whole(contacts)))
}

/// Adds a contact to a client: the pages and the API share it.
pub async fn add(ctx: &PortCtx, client_id: Uuid, body: NewContact) -> Result<Contact> {
    let mut tx = ctx.begin().await?;
    find_for_update(&mut tx, client_id).await?;
    let region = region(&mut tx, ctx.port.id).await?;
    let checked = check(body, &region, "").map_err(super::invalid)?;
    let contact = insert(&mut tx, &Actor::from(ctx), ctx.port.id, client_id, &checked).await?;
    // A new address or number may be another client's.
    super::duplicates::scan(&mut tx, ctx.port.id, &[client_id]).await?;
    tx.commit().await?;
    Ok(contact)
}

/// `POST …/clients/{id}/contacts` → 201.
pub async fn create(
    ctx: PortCtx,
    Path((slug, id)): Path<(String, String)>,
    Checked(body): Checked<NewContact>,
) -> Result<Response> {
    let client_id = parse_id(&id)?;
    let contact = add(&ctx, client_id, body).await?;
    let location = format!(
        "/api/v1/ports/{slug}/clients/{client_id}/contacts/{}",
        contact.id
    );
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(contact),
    )
        .into_response())
}

/// Changes a contact: the pages and the API share it.
pub async fn change(
    ctx: &PortCtx,
    client_id: Uuid,
    id: Uuid,
    patch: ContactPatch,
) -> Result<Contact> {
    let mut tx = ctx.begin().await?;
    find_for_update(&mut tx, client_id).await?;
    let before = one(&mut tx, client_id, id).await?;
    let region = region(&mut tx, ctx.port.id).await?;
    let checked = check(
        NewContact {
            channel: before.channel.clone(),
            value: patch.value.clone().unwrap_or_else(|| before.value.clone()),
            label: patch.label.clone().unwrap_or_else(|| before.label.clone()),
            notes: patch.notes.clone().unwrap_or_else(|| before.notes.clone()),
            is_primary: patch.is_primary,
        },
        &region,
        "",
    )
    .map_err(super::invalid)?;
    let actor = Actor::from(ctx);
    let make_primary = patch.is_primary == Some(true) && !before.is_primary;
    if make_primary {
        demote_others(
            &mut tx,
            &actor,
            ctx.port.id,
            client_id,
            &before.channel,
            Some(id),
        )
        .await?;
    }
    let primary = match patch.is_primary {
        Some(p) => p,
        None => before.is_primary,
    };
    let after = sqlx::query_as!(
        Contact,
        "UPDATE client_contacts SET value = $2, label = $3, notes = $4, is_primary = $5
         WHERE id = $1
         RETURNING id, client_id, channel, value, label, is_primary, notes, created_at, updated_at",
        id,
        checked.value,
        checked.label,
        checked.notes,
        primary
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(on_constraint("uq_client_contacts_value", DUPLICATE))?;
    for (field, old, new) in audit::diff(&before.audit_json(), &after.audit_json()) {
        record_change(
            &mut tx,
            &actor,
            ctx.port.id,
            client_id,
            id,
            &field,
            old,
            new,
        )
        .await?;
    }
    // Unsetting the primary hands it to the next contact of the channel.
    if before.is_primary && !primary {
        promote_if_none(&mut tx, &actor, ctx.port.id, client_id, &before.channel).await?;
    }
    let after = one(&mut tx, client_id, id).await?;
    if after.value != before.value {
        super::duplicates::scan(&mut tx, ctx.port.id, &[client_id]).await?;
    }
    tx.commit().await?;
    Ok(after)
}

/// `PATCH …/clients/{id}/contacts/{contact_id}` → 200.
pub async fn update(
    ctx: PortCtx,
    Path(path): Path<(String, String, String)>,
    Checked(patch): Checked<ContactPatch>,
) -> Result<Json<Contact>> {
    let (client_id, id) = ids(&path)?;
    Ok(Json(change(&ctx, client_id, id, patch).await?))
}

/// Removes a contact: the pages and the API share it.
pub async fn remove(ctx: &PortCtx, client_id: Uuid, id: Uuid) -> Result<()> {
    let mut tx = ctx.begin().await?;
    find_for_update(&mut tx, client_id).await?;
    let before = one(&mut tx, client_id, id).await?;
    sqlx::query!("DELETE FROM client_contacts WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    let actor = Actor::from(ctx);
    let mut entry = Entry::new(Some(ctx.port.id), Action::Delete, KIND, Some(id));
    entry.old = Some(before.audit_json());
    entry.metadata = json!({ "client_id": client_id });
    audit::record(&mut tx, &actor, entry).await?;
    if before.is_primary {
        promote_if_none(&mut tx, &actor, ctx.port.id, client_id, &before.channel).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `DELETE …/clients/{id}/contacts/{contact_id}` → 204.
pub async fn delete(
    ctx: PortCtx,
    Path(path): Path<(String, String, String)>,
) -> Result<StatusCode> {
    let (client_id, id) = ids(&path)?;
    remove(&ctx, client_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_named_under_the_prefix() {
        let bad = NewContact {
            channel: "email".into(),
            value: "not-an-email".into(),
            ..Default::default()
        };
        let p = check(bad, "AI", "contacts[1].").unwrap_err();
        assert_eq!(p[0].0, "contacts[1].value");
        let fax = NewContact {
            channel: "fax".into(),
            value: "1".into(),
            ..Default::default()
        };
        assert_eq!(check(fax, "AI", "").unwrap_err()[0].0, "channel");
    }

    #[test]
    fn phones_are_stored_as_e164() {
        let c = check(
            NewContact {
                channel: "phone".into(),
                value: "(264) 772-1234".into(),
                ..Default::default()
            },
            "AI",
            "",
        )
        .unwrap();
        assert_eq!(c.value, "+12647721234");
    }
}
