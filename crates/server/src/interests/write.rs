//! Creating, editing, archiving and restoring interests. Each runs in one
//! transaction with its audit rows, and with what the change sets off in the
//! same transaction: a stage change stamps its milestone and queues the
//! `interest.stage_changed` webhook event; any change may fire berth status
//! rules (`berth_rules::after_change`).

use super::fields::{Fields, Patch, apply};
use super::model::{Interest, InterestOut, find_for_update, find_out, parse_id};
use crate::access::PortCtx;
use crate::audit::{self, Action, Actor, Entry};
use crate::http::checked::from_value;
use crate::http::extract::Json as Body;
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use domain::pipeline::Stage;
use serde_json::{Value, json};
use sqlx::PgConnection;
use uuid::Uuid;

/// A new interest: the client it belongs to and its fields.
#[derive(Debug, Clone)]
pub struct NewInterest {
    pub client_id: Uuid,
    pub fields: Patch,
}

impl NewInterest {
    /// Reads a create body: `client_id` (required) beside the fields.
    pub fn from_json(mut body: Value) -> Result<NewInterest> {
        let client = body.as_object_mut().and_then(|o| o.remove("client_id"));
        let client_id = match client {
            None | Some(Value::Null) => return Err(Error::invalid("client_id", "is required")),
            Some(Value::String(s)) => Uuid::parse_str(s.trim())
                .map_err(|_| Error::invalid("client_id", "must be a client id"))?,
            Some(_) => return Err(Error::invalid("client_id", "must be a client id")),
        };
        Ok(NewInterest {
            client_id,
            fields: from_value(body)?,
        })
    }
}

/// 404 unless the berth is the transaction's port's (another port's looks missing).
async fn berth_exists(conn: &mut PgConnection, berth_id: Uuid) -> Result<()> {
    let found = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM berths WHERE id = $1 AND port_id = app_port_id()) AS "e!""#,
        berth_id
    )
    .fetch_one(conn)
    .await?;
    if found { Ok(()) } else { Err(Error::NotFound) }
}

/// Creates an interest in `conn` (a port transaction), audited, and fires the
/// berth rules. Created past `open`, the stage's milestone is stamped as a
/// move there would. A client or berth the port does not have: 404.
pub async fn create_in(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    new: NewInterest,
) -> Result<Interest> {
    let archived = sqlx::query_scalar!(
        "SELECT archived_at IS NOT NULL FROM clients WHERE id = $1 AND port_id = app_port_id()",
        new.client_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::NotFound)?;
    let mut f = apply(Fields::default(), new.fields).map_err(crate::clients::invalid)?;
    if archived == Some(true) {
        return Err(Error::invalid(
            "client_id",
            "is an archived client; restore the client first",
        ));
    }
    if let Some(berth) = f.berth_id {
        berth_exists(conn, berth).await?;
    }
    if f.stage != Stage::Open {
        f.m.stamp(f.stage, Utc::now());
    }
    let interest = insert(conn, new.client_id, &f).await?;
    let mut entry = Entry::new(
        Some(port_id),
        Action::Create,
        super::KIND,
        Some(interest.id),
    );
    entry.new = Some(interest.audit_json());
    // The client's timeline lists its interests' creation.
    entry.metadata = json!({"client_id": interest.client_id});
    audit::record(&mut *conn, actor, entry).await?;
    crate::berth_rules::after_change(conn, None, &interest).await?;
    Ok(interest)
}

async fn insert(conn: &mut PgConnection, client_id: Uuid, f: &Fields) -> Result<Interest> {
    Ok(sqlx::query_as!(
        Interest,
        "INSERT INTO interests (client_id, berth_id, pipeline_stage, lead_category, source, eoi_status,
                               contract_status, deposit_status, reservation_status, date_first_contact,
                               date_last_contact, date_eoi_sent, date_eoi_signed, date_contract_sent,
                               date_contract_signed, date_deposit_received, reminder_enabled, reminder_days, notes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
         RETURNING id, port_id, client_id, berth_id, pipeline_stage, lead_category, source, eoi_status,
                   documenso_id, contract_status, deposit_status, reservation_status, date_first_contact,
                   date_last_contact, date_eoi_sent, date_eoi_signed, date_contract_sent,
                   date_contract_signed, date_deposit_received, reminder_enabled, reminder_days,
                   reminder_last_fired, notes, archived_at, created_at, updated_at",
        client_id,
        f.berth_id,
        f.stage.as_str(),
        f.lead_category,
        f.source,
        f.m.eoi_status,
        f.m.contract_status,
        f.m.deposit_status,
        f.reservation_status,
        f.m.date_first_contact,
        f.m.date_last_contact,
        f.m.date_eoi_sent,
        f.m.date_eoi_signed,
        f.m.date_contract_sent,
        f.m.date_contract_signed,
        f.m.date_deposit_received,
        f.reminder_enabled,
        f.reminder_days,
        f.notes,
    )
    .fetch_one(conn)
    .await?)
}

/// Creates an interest for the request's port and commits; pages and API share it.
pub async fn create(ctx: &PortCtx, new: NewInterest) -> Result<InterestOut> {
    let mut tx = ctx.begin().await?;
    let interest = create_in(&mut tx, &Actor::from(ctx), ctx.port.id, new).await?;
    let out = find_out(&mut tx, interest.id).await?;
    tx.commit().await?;
    Ok(out)
}

/// `POST /api/v1/ports/{port}/interests` → 201 with the interest and a Location.
pub async fn create_api(
    ctx: PortCtx,
    Path(slug): Path<String>,
    Body(body): Body<Value>,
) -> Result<Response> {
    let out = create(&ctx, NewInterest::from_json(body)?).await?;
    let location = format!("/api/v1/ports/{slug}/interests/{}", out.interest.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(out),
    )
        .into_response())
}

/// Applies `patch` to interest `id` in `conn`, auditing one row per changed
/// field. A new `pipeline_stage` moves the interest: its milestone is
/// stamped once, `date_last_contact` set, and `interest.stage_changed`
/// queued. Then the berth rules fire for what changed.
pub async fn update_in(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    patch: Patch,
) -> Result<Interest> {
    let before = find_for_update(&mut *conn, id).await?;
    let mut f = apply(Fields::of(&before), patch).map_err(crate::clients::invalid)?;
    if let Some(berth) = f.berth_id
        && Some(berth) != before.berth_id
    {
        berth_exists(conn, berth).await?;
    }
    let from = before.stage();
    let moved = f.stage != from;
    if moved {
        f.m.stamp(f.stage, Utc::now());
    }
    let after = sqlx::query_as!(
        Interest,
        "UPDATE interests SET berth_id = $2, pipeline_stage = $3, lead_category = $4, source = $5,
                eoi_status = $6, contract_status = $7, deposit_status = $8, reservation_status = $9,
                date_first_contact = $10, date_last_contact = $11, date_eoi_sent = $12, date_eoi_signed = $13,
                date_contract_sent = $14, date_contract_signed = $15, date_deposit_received = $16,
                reminder_enabled = $17, reminder_days = $18, notes = $19
         WHERE id = $1
         RETURNING id, port_id, client_id, berth_id, pipeline_stage, lead_category, source, eoi_status,
                   documenso_id, contract_status, deposit_status, reservation_status, date_first_contact,
                   date_last_contact, date_eoi_sent, date_eoi_signed, date_contract_sent,
                   date_contract_signed, date_deposit_received, reminder_enabled, reminder_days,
                   reminder_last_fired, notes, archived_at, created_at, updated_at",
        id,
        f.berth_id,
        f.stage.as_str(),
        f.lead_category,
        f.source,
        f.m.eoi_status,
        f.m.contract_status,
        f.m.deposit_status,
        f.reservation_status,
        f.m.date_first_contact,
        f.m.date_last_contact,
        f.m.date_eoi_sent,
        f.m.date_eoi_signed,
        f.m.date_contract_sent,
        f.m.date_contract_signed,
        f.m.date_deposit_received,
        f.reminder_enabled,
        f.reminder_days,
        f.notes,
    )
    .fetch_one(&mut *conn)
    .await?;
    audit::record_update(
        &mut *conn,
        actor,
        Some(after.port_id),
        super::KIND,
        id,
        &before.audit_json(),
        &after.audit_json(),
    )
    .await?;
    if moved {
        super::stage::announce(conn, actor, &after, from).await?;
    }
    crate::berth_rules::after_change(conn, Some(&before), &after).await?;
    Ok(after)
}

/// Edits an interest and commits; the pages, the board and the API share it.
pub async fn update(ctx: &PortCtx, id: Uuid, patch: Patch) -> Result<InterestOut> {
    let mut tx = ctx.begin().await?;
    update_in(&mut tx, &Actor::from(ctx), id, patch).await?;
    let out = find_out(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// `PATCH /api/v1/ports/{port}/interests/{id}` → 200.
pub async fn update_api(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    Body(body): Body<Value>,
) -> Result<Json<InterestOut>> {
    let id = parse_id(&id)?;
    let patch: Patch = from_value(body)?;
    Ok(Json(update(&ctx, id, patch).await?))
}

/// Archives (`true`) or restores (`false`) an interest; doing it twice
/// changes nothing and writes no second audit entry. Archiving the last
/// active interest on a berth releases it; restoring links it again.
pub async fn set_archived(ctx: &PortCtx, id: Uuid, archived: bool) -> Result<()> {
    let mut tx = ctx.begin().await?;
    let before = find_for_update(&mut tx, id).await?;
    if before.is_archived() != archived {
        let after = sqlx::query_as!(
            Interest,
            "UPDATE interests SET archived_at = CASE WHEN $2 THEN now() END WHERE id = $1
             RETURNING id, port_id, client_id, berth_id, pipeline_stage, lead_category, source, eoi_status,
                       documenso_id, contract_status, deposit_status, reservation_status, date_first_contact,
                       date_last_contact, date_eoi_sent, date_eoi_signed, date_contract_sent,
                       date_contract_signed, date_deposit_received, reminder_enabled, reminder_days,
                       reminder_last_fired, notes, archived_at, created_at, updated_at",
            id,
            archived
        )
        .fetch_one(&mut *tx)
        .await?;
        let action = if archived {
            Action::Archive
        } else {
            Action::Restore
        };
        let mut entry = Entry::new(Some(ctx.port.id), action, super::KIND, Some(id));
        entry.metadata = json!({"client_id": before.client_id});
        audit::record(&mut tx, &Actor::from(ctx), entry).await?;
        crate::berth_rules::after_change(&mut tx, Some(&before), &after).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `DELETE /api/v1/ports/{port}/interests/{id}` → 204: archives.
pub async fn archive_api(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<StatusCode> {
    set_archived(&ctx, parse_id(&id)?, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/ports/{port}/interests/{id}/restore` → 200 with the interest.
pub async fn restore_api(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<InterestOut>> {
    let id = parse_id(&id)?;
    set_archived(&ctx, id, false).await?;
    let mut tx = ctx.begin().await?;
    let out = find_out(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(out))
}
