//! Creating, editing and deleting berths. Each runs in one transaction with
//! its audit rows: a create writes one `create` entry, an edit one row per
//! changed field (`berth` is a revertable kind in `audit/kinds.rs`), a delete
//! one `delete` entry with the row as it was.
//!
//! Mooring numbers are unique per port (`idx_berths_mooring`): a repeat is a
//! 409, on create and on edit alike.

use super::fields::{Fields, Patch, apply};
use super::model::{Berth, find_for_update, parse_id};
use crate::access::PortCtx;
use crate::audit::{self, Action, Actor, Entry};
use crate::custom_fields::{self, EntityType};
use crate::http::checked::{from_value, problems};
use crate::http::extract::Json as Body;
use crate::http::{Error, Result};
use crate::tags::{TagOut, Target};
use axum::Json;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::PgConnection;
use uuid::Uuid;

/// `GET …/berths/{id}`: every column, the tags and the custom fields.
#[derive(Debug, Clone, Serialize)]
pub struct BerthOut {
    #[serde(flatten)]
    pub berth: Berth,
    pub tags: Vec<TagOut>,
    pub custom_fields: Map<String, Value>,
}

pub async fn find_out(conn: &mut PgConnection, id: Uuid) -> Result<BerthOut> {
    let berth = super::model::find(&mut *conn, id).await?;
    let tags = crate::tags::records::tags_of_one(&mut *conn, Target::Berth, id).await?;
    let custom_fields = custom_fields::values::shown(conn, EntityType::Berth, id).await?;
    Ok(BerthOut {
        berth,
        tags,
        custom_fields,
    })
}

/// A repeated mooring number as the 409 it is; other errors pass.
fn conflict_of(e: sqlx::Error, mooring_number: &str) -> Error {
    match &e {
        sqlx::Error::Database(db) if db.constraint() == Some("idx_berths_mooring") => {
            Error::Conflict(format!(
                "Mooring number {mooring_number} is already used by another berth of this port."
            ))
        }
        _ => e.into(),
    }
}

/// Reads a body into a patch; `status` gets its own answer, since it is
/// changed elsewhere and with another permission.
pub fn patch_of(mut body: Value) -> Result<Patch> {
    if body
        .as_object_mut()
        .and_then(|o| o.remove("status"))
        .is_some()
    {
        return Err(Error::invalid(
            "status",
            "is changed with POST …/berths/{id}/status, with a reason",
        ));
    }
    from_value(body)
}

/// Creates a berth in `conn` (a port transaction), audited. The caller commits.
pub async fn create_in(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    currency: &str,
    patch: Patch,
) -> Result<Berth> {
    let f = apply(Fields::empty(currency), patch).map_err(|p| problems(p).unwrap_err())?;
    let berth = sqlx::query_as!(
        Berth,
        "INSERT INTO berths (mooring_number, area, length_ft, width_ft, draft_ft, length_m, width_m, draft_m,
                width_is_minimum, nominal_boat_size, nominal_boat_size_m, water_depth, water_depth_m,
                water_depth_is_minimum, side_pontoon, power_capacity, voltage, mooring_type, cleat_type,
                cleat_capacity, bollard_type, bollard_capacity, access, price, price_currency, bow_facing,
                berth_approved, tenure_type, tenure_years, tenure_start_date, tenure_end_date)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                 $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31)
         RETURNING id, port_id, mooring_number, area, status, length_ft, width_ft, draft_ft, length_m, width_m,
                draft_m, width_is_minimum, nominal_boat_size, nominal_boat_size_m, water_depth, water_depth_m,
                water_depth_is_minimum, side_pontoon, power_capacity, voltage, mooring_type, cleat_type,
                cleat_capacity, bollard_type, bollard_capacity, access, price, price_currency, bow_facing,
                berth_approved, tenure_type, tenure_years, tenure_start_date, tenure_end_date,
                status_last_changed_by, status_last_changed_reason, status_last_modified, created_at, updated_at",
        f.mooring_number,
        f.area,
        f.length_ft,
        f.width_ft,
        f.draft_ft,
        f.length_m,
        f.width_m,
        f.draft_m,
        f.width_is_minimum,
        f.nominal_boat_size,
        f.nominal_boat_size_m,
        f.water_depth,
        f.water_depth_m,
        f.water_depth_is_minimum,
        f.side_pontoon,
        f.power_capacity,
        f.voltage,
        f.mooring_type,
        f.cleat_type,
        f.cleat_capacity,
        f.bollard_type,
        f.bollard_capacity,
        f.access,
        f.price,
        f.price_currency,
        f.bow_facing,
        f.berth_approved,
        f.tenure_type,
        f.tenure_years,
        f.tenure_start_date,
        f.tenure_end_date,
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| conflict_of(e, &f.mooring_number))?;
    let mut entry = Entry::new(Some(port_id), Action::Create, super::KIND, Some(berth.id));
    entry.new = Some(berth.audit_json());
    audit::record(conn, actor, entry).await?;
    Ok(berth)
}

/// Creates a berth for the request's port and commits; the pages and the API
/// share it. `custom_fields` (when given) are saved with it.
pub async fn create(
    ctx: &PortCtx,
    patch: Patch,
    custom: Option<Map<String, Value>>,
) -> Result<BerthOut> {
    let mut tx = ctx.begin().await?;
    let actor = Actor::from(ctx);
    let berth = create_in(
        &mut tx,
        &actor,
        ctx.port.id,
        &ctx.port.default_currency,
        patch,
    )
    .await?;
    if let Some(values) = custom {
        custom_fields::save(
            &mut tx,
            &actor,
            ctx.port.id,
            EntityType::Berth,
            berth.id,
            &values,
        )
        .await?;
    }
    let out = find_out(&mut tx, berth.id).await?;
    tx.commit().await?;
    Ok(out)
}

/// Takes `custom_fields` out of a body: saved by the custom fields module.
fn custom_part(body: &mut Value) -> Result<Option<Map<String, Value>>> {
    match body.as_object_mut().and_then(|o| o.remove("custom_fields")) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(Error::invalid(
            "custom_fields",
            "must be an object of field names and values",
        )),
    }
}

/// `POST /api/v1/ports/{port}/berths` → 201 with the berth and a Location.
pub async fn create_api(
    ctx: PortCtx,
    Path(slug): Path<String>,
    Body(mut body): Body<Value>,
) -> Result<Response> {
    let custom = custom_part(&mut body)?;
    let out = create(&ctx, patch_of(body)?, custom).await?;
    let location = format!("/api/v1/ports/{slug}/berths/{}", out.berth.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(out),
    )
        .into_response())
}

/// Applies `patch` to berth `id` in `conn`, auditing one row per changed field.
pub async fn update_in(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    id: Uuid,
    patch: Patch,
) -> Result<Berth> {
    let before = find_for_update(conn, id).await?;
    let f = apply(Fields::of(&before), patch).map_err(|p| problems(p).unwrap_err())?;
    let after = sqlx::query_as!(
        Berth,
        "UPDATE berths SET mooring_number = $2, area = $3, length_ft = $4, width_ft = $5, draft_ft = $6,
                length_m = $7, width_m = $8, draft_m = $9, width_is_minimum = $10, nominal_boat_size = $11,
                nominal_boat_size_m = $12, water_depth = $13, water_depth_m = $14, water_depth_is_minimum = $15,
                side_pontoon = $16, power_capacity = $17, voltage = $18, mooring_type = $19, cleat_type = $20,
                cleat_capacity = $21, bollard_type = $22, bollard_capacity = $23, access = $24, price = $25,
                price_currency = $26, bow_facing = $27, berth_approved = $28, tenure_type = $29,
                tenure_years = $30, tenure_start_date = $31, tenure_end_date = $32
         WHERE id = $1
         RETURNING id, port_id, mooring_number, area, status, length_ft, width_ft, draft_ft, length_m, width_m,
                draft_m, width_is_minimum, nominal_boat_size, nominal_boat_size_m, water_depth, water_depth_m,
                water_depth_is_minimum, side_pontoon, power_capacity, voltage, mooring_type, cleat_type,
                cleat_capacity, bollard_type, bollard_capacity, access, price, price_currency, bow_facing,
                berth_approved, tenure_type, tenure_years, tenure_start_date, tenure_end_date,
                status_last_changed_by, status_last_changed_reason, status_last_modified, created_at, updated_at",
        id,
        f.mooring_number,
        f.area,
        f.length_ft,
        f.width_ft,
        f.draft_ft,
        f.length_m,
        f.width_m,
        f.draft_m,
        f.width_is_minimum,
        f.nominal_boat_size,
        f.nominal_boat_size_m,
        f.water_depth,
        f.water_depth_m,
        f.water_depth_is_minimum,
        f.side_pontoon,
        f.power_capacity,
        f.voltage,
        f.mooring_type,
        f.cleat_type,
        f.cleat_capacity,
        f.bollard_type,
        f.bollard_capacity,
        f.access,
        f.price,
        f.price_currency,
        f.bow_facing,
        f.berth_approved,
        f.tenure_type,
        f.tenure_years,
        f.tenure_start_date,
        f.tenure_end_date,
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| conflict_of(e, &f.mooring_number))?;
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

/// Edits a berth (and, when given, its custom fields) and commits.
pub async fn update(
    ctx: &PortCtx,
    id: Uuid,
    patch: Patch,
    custom: Option<Map<String, Value>>,
) -> Result<BerthOut> {
    let mut tx = ctx.begin().await?;
    let actor = Actor::from(ctx);
    update_in(&mut tx, &actor, ctx.port.id, id, patch).await?;
    if let Some(values) = custom {
        custom_fields::save(&mut tx, &actor, ctx.port.id, EntityType::Berth, id, &values).await?;
    }
    let out = find_out(&mut tx, id).await?;
    tx.commit().await?;
    Ok(out)
}

/// `PATCH /api/v1/ports/{port}/berths/{id}` → 200.
pub async fn update_api(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    Body(mut body): Body<Value>,
) -> Result<Json<BerthOut>> {
    let id = parse_id(&id)?;
    let custom = custom_part(&mut body)?;
    Ok(Json(update(&ctx, id, patch_of(body)?, custom).await?))
}

/// Deletes a berth no interest refers to (409 otherwise: an interest's
/// history must keep its berth). Its map shape, maintenance log, tags,
/// waiting list and suggestions go with it; its custom field values too.
pub async fn delete(ctx: &PortCtx, id: Uuid) -> Result<()> {
    let mut tx = ctx.begin().await?;
    let before = find_for_update(&mut tx, id).await?;
    let interests = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM interests WHERE berth_id = $1"#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    if interests > 0 {
        return Err(Error::Conflict(format!(
            "Berth {} has {interests} interest(s) on it; unlink them before deleting the berth.",
            before.mooring_number
        )));
    }
    sqlx::query!(
        "DELETE FROM custom_field_values v USING custom_field_definitions d
         WHERE d.id = v.field_id AND d.entity_type = 'berth' AND v.entity_id = $1",
        id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM berths WHERE id = $1", id)
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            // Another record (a reminder, a document) still names the berth.
            sqlx::Error::Database(db) if db.code().as_deref() == Some("23503") => {
                Error::Conflict(format!(
                    "Berth {} is still referred to by other records; remove those first.",
                    before.mooring_number
                ))
            }
            _ => Error::from(e),
        })?;
    let mut entry = Entry::new(Some(ctx.port.id), Action::Delete, super::KIND, Some(id));
    entry.old = Some(before.audit_json());
    audit::record(&mut tx, &Actor::from(ctx), entry).await?;
    tx.commit().await?;
    Ok(())
}

/// `DELETE /api/v1/ports/{port}/berths/{id}` → 204.
pub async fn delete_api(ctx: PortCtx, Path((_, id)): Path<(String, String)>) -> Result<StatusCode> {
    delete(&ctx, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/ports/{port}/berths/{id}`
pub async fn show_api(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<BerthOut>> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    let out = find_out(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(out))
}
