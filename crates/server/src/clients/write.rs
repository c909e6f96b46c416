//! Creating, editing, archiving and restoring clients. Each runs in one
//! transaction with its audit rows: a create writes one `create` entry, an
//! edit one row per changed field (revertable: `client` is a revertable kind
//! in `audit/kinds.rs`), archive and restore one entry each.

use super::contacts::{self, NewContact, ValidContact};
use super::fields::{Fields, Patch, apply};
use super::model::{Client, ClientOut, find_for_update, find_with_contacts, parse_id};
use crate::access::PortCtx;
use crate::audit::{self, Action, Actor, Entry};
use crate::http::Result;
use crate::http::checked::{from_value, nullable};
use crate::http::extract::Json as Body;
use axum::Json;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

/// A new client: its fields and, optionally, its first contacts.
#[derive(Debug, Clone, Default)]
pub struct NewClient {
    pub fields: Patch,
    pub contacts: Vec<NewContact>,
}

/// `contacts` beside the client's own fields in a create body.
#[derive(Debug, Deserialize)]
struct ContactsPart {
    #[serde(default, deserialize_with = "nullable")]
    contacts: Option<Option<Vec<NewContact>>>,
}

impl NewClient {
    /// Reads a create body: the client's fields plus `contacts`; the 422 names
    /// the field at fault (`full_name`, `contacts[0].value`).
    pub fn from_json(mut body: Value) -> Result<NewClient> {
        let contacts = match body.as_object_mut().and_then(|o| o.remove("contacts")) {
            Some(list) => from_value::<ContactsPart>(serde_json::json!({ "contacts": list }))?
                .contacts
                .flatten()
                .unwrap_or_default(),
            None => Vec::new(),
        };
        Ok(NewClient {
            fields: from_value(body)?,
            contacts,
        })
    }
}

/// Creates a client and its contacts in `conn` (a port transaction), audited.
/// The caller commits. Problems of the fields and of each contact come back
/// together in one 422.
pub async fn create_in(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    new: NewClient,
) -> Result<Client> {
    let region = contacts::region(conn, port_id).await?;
    let mut problems = Vec::new();
    let fields = apply(Fields::default(), new.fields).unwrap_or_else(|p| {
        problems.extend(p);
        Fields::default()
    });
    let mut valid: Vec<ValidContact> = Vec::new();
    for (i, c) in new.contacts.into_iter().enumerate() {
        match contacts::check(c, &region, &format!("contacts[{i}].")) {
            Ok(v) => valid.push(v),
            Err(p) => problems.extend(p),
        }
    }
    if !problems.is_empty() {
        return Err(super::invalid(problems));
    }
    let client = insert(conn, &fields).await?;
    let mut entry = Entry::new(Some(port_id), Action::Create, super::KIND, Some(client.id));
    entry.new = Some(client.audit_json());
    audit::record(conn, actor, entry).await?;
    for c in &valid {
        contacts::insert(conn, actor, port_id, client.id, c).await?;
    }
    Ok(client)
}

async fn insert(conn: &mut PgConnection, f: &Fields) -> Result<Client> {
    Ok(sqlx::query_as!(
        Client,
        "INSERT INTO clients (full_name, company_name, nationality, is_proxy, proxy_type, actual_owner_name,
                              relationship_notes, yacht_name, yacht_length_ft, yacht_width_ft, yacht_draft_ft,
                              yacht_length_m, yacht_width_m, yacht_draft_m, berth_size_desired,
                              preferred_contact_method, preferred_language, timezone, source, source_details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
         RETURNING id, port_id, full_name, company_name, nationality, is_proxy, proxy_type,
                   actual_owner_name, relationship_notes, yacht_name, yacht_length_ft, yacht_width_ft,
                   yacht_draft_ft, yacht_length_m, yacht_width_m, yacht_draft_m, berth_size_desired,
                   preferred_contact_method, preferred_language, timezone, source, source_details,
                   archived_at, created_at, updated_at",
        f.full_name,
        f.company_name,
        f.nationality,
        f.is_proxy,
        f.proxy_type,
        f.actual_owner_name,
        f.relationship_notes,
        f.yacht_name,
        f.yacht_length_ft,
        f.yacht_width_ft,
        f.yacht_draft_ft,
        f.yacht_length_m,
        f.yacht_width_m,
        f.yacht_draft_m,
        f.berth_size_desired,
        f.preferred_contact_method,
        f.preferred_language,
        f.timezone,
        f.source,
        f.source_details,
    )
    .fetch_one(conn)
    .await?)
}

/// Creates a client for the request's port and commits; the pages and the
/// API share it.
pub async fn create(ctx: &PortCtx, new: NewClient) -> Result<ClientOut> {
    let mut tx = ctx.begin().await?;
    let client = create_in(&mut tx, &Actor::from(ctx), ctx.port.id, new).await?;
    super::duplicates::scan(&mut tx, ctx.port.id, &[client.id]).await?;
    let out = find_with_contacts(&mut tx, client.id).await?;
    tx.commit().await?;
    Ok(out)
}

/// `POST /api/v1/ports/{port}/clients` → 201 with the client and a Location.
pub async fn create_api(
    ctx: PortCtx,
    Path(slug): Path<String>,
    Body(body): Body<Value>,
) -> Result<Response> {
    let out = create(&ctx, NewClient::from_json(body)?).await?;
    let location = format!("/api/v1/ports/{slug}/clients/{}", out.client.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(out),
    )
        .into_response())
}

/// Applies `patch` to client `id` in `conn`, auditing one row per changed field.
pub async fn update_in(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    id: Uuid,
    patch: Patch,
) -> Result<Client> {
    let before = find_for_update(conn, id).await?;
    let f = apply(Fields::of(&before), patch).map_err(super::invalid)?;
    let after = sqlx::query_as!(
        Client,
        "UPDATE clients SET full_name = $2, company_name = $3, nationality = $4, is_proxy = $5,
                proxy_type = $6, actual_owner_name = $7, relationship_notes = $8, yacht_name = $9,
                yacht_length_ft = $10, yacht_width_ft = $11, yacht_draft_ft = $12, yacht_length_m = $13,
                yacht_width_m = $14, yacht_draft_m = $15, berth_size_desired = $16,
                preferred_contact_method = $17, preferred_language = $18, timezone = $19, source = $20,
                source_details = $21
         WHERE id = $1
         RETURNING id, port_id, full_name, company_name, nationality, is_proxy, proxy_type,
                   actual_owner_name, relationship_notes, yacht_name, yacht_length_ft, yacht_width_ft,
                   yacht_draft_ft, yacht_length_m, yacht_width_m, yacht_draft_m, berth_size_desired,
                   preferred_contact_method, preferred_language, timezone, source, source_details,
                   archived_at, created_at, updated_at",
        id,
        f.full_name,
        f.company_name,
        f.nationality,
        f.is_proxy,
        f.proxy_type,
        f.actual_owner_name,
        f.relationship_notes,
        f.yacht_name,
        f.yacht_length_ft,
        f.yacht_width_ft,
        f.yacht_draft_ft,
        f.yacht_length_m,
        f.yacht_width_m,
        f.yacht_draft_m,
        f.berth_size_desired,
        f.preferred_contact_method,
        f.preferred_language,
        f.timezone,
        f.source,
        f.source_details,
    )
    .fetch_one(&mut *conn)
    .await?;
    audit::record_update(
        conn,
        actor,
        Some(port_id),
        super::KIND,
        id,
        &before.audit_json(),
        &after.audit_json(),
    )
    .await?;
    Ok(after)
}

/// Edits a client and commits; the pages and the API share it.
pub async fn update(ctx: &PortCtx, id: Uuid, patch: Patch) -> Result<ClientOut> {
    let mut tx = ctx.begin().await?;
    update_in(&mut tx, &Actor::from(ctx), ctx.port.id, id, patch).await?;
    // A new name may now resemble another client's.
    super::duplicates::scan(&mut tx, ctx.port.id, &[id]).await?;
    let out = find_with_contacts(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// `PATCH /api/v1/ports/{port}/clients/{id}` → 200.
pub async fn update_api(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    Body(body): Body<Value>,
) -> Result<Json<ClientOut>> {
    let id = parse_id(&id)?;
    let patch: Patch = from_value(body)?;
    Ok(Json(update(&ctx, id, patch).await?))
}

/// Archives (`true`) or restores (`false`) a client; doing it twice changes
/// nothing and writes no second audit entry.
pub async fn set_archived(ctx: &PortCtx, id: Uuid, archived: bool) -> Result<()> {
    let mut tx = ctx.begin().await?;
    let before = find_for_update(&mut tx, id).await?;
    if before.is_archived() != archived {
        sqlx::query!(
            "UPDATE clients SET archived_at = CASE WHEN $2 THEN now() END WHERE id = $1",
            id,
            archived
        )
        .execute(&mut *tx)
        .await?;
        let action = if archived {
            Action::Archive
        } else {
            Action::Restore
        };
        audit::record(
            &mut tx,
            &Actor::from(ctx),
            Entry::new(Some(ctx.port.id), action, super::KIND, Some(id)),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `DELETE /api/v1/ports/{port}/clients/{id}` → 204: archives.
pub async fn archive_api(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode> {
    set_archived(&ctx, parse_id(&id)?, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/ports/{port}/clients/{id}/restore` → 200 with the client.
pub async fn restore_api(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<ClientOut>> {
    let id = parse_id(&id)?;
    set_archived(&ctx, id, false).await?;
    let mut tx = ctx.begin().await?;
    let out = find_with_contacts(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(out))
}
