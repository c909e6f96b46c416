//! Custom field values on records: checked against their definitions
//! (`domain::custom_fields`), stored one row per field, audited on the record
//! as `custom_fields.<field_name>`.

use super::definitions::definitions_of;
use crate::access::PortCtx;
use crate::audit::{self, Actor};
use crate::http::checked::problems;
use crate::http::extract::Json as Body;
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::Path;
use domain::custom_fields::{EntityType, check_input};
use serde_json::{Map, Value};
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

/// Field name → value, for each of `ids` that has any (one query).
pub async fn values_of(
    conn: &mut PgConnection,
    entity: EntityType,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Map<String, Value>>> {
    let rows = sqlx::query!(
        "SELECT v.entity_id, d.field_name, v.value
         FROM custom_field_values v JOIN custom_field_definitions d ON d.id = v.field_id
         WHERE d.entity_type = $1 AND v.entity_id = ANY($2)",
        entity.as_str(),
        ids
    )
    .fetch_all(conn)
    .await?;
    let mut out: HashMap<Uuid, Map<String, Value>> = HashMap::new();
    for r in rows {
        out.entry(r.entity_id)
            .or_default()
            .insert(r.field_name, r.value);
    }
    Ok(out)
}

/// Checks `input` (`{"field_name": value, …}`, `null` clears) against the
/// port's definitions for `entity` and writes it for the record `entity_id`
/// inside the caller's transaction, auditing each changed field. Fields left
/// out of `input` keep their values. Returns the record's values afterwards.
///
/// A record's create and update call this with their body's `custom_fields`;
/// the record's existence is theirs to check.
pub async fn save(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    entity: EntityType,
    entity_id: Uuid,
    input: &Map<String, Value>,
) -> Result<Map<String, Value>> {
    let defs = definitions_of(conn, entity).await?;
    let rules: Vec<_> = defs.iter().map(|d| d.rule()).collect();
    let changes = check_input(&rules, input).map_err(|list| {
        problems(list).expect_err("check_input refuses with at least one problem")
    })?;
    let before = values_of(conn, entity, &[entity_id])
        .await?
        .remove(&entity_id)
        .unwrap_or_default();
    for (name, value) in &changes {
        let field = defs
            .iter()
            .find(|d| &d.field_name == name)
            .expect("check_input accepts defined fields only");
        match value {
            Some(v) => {
                sqlx::query!(
                    "INSERT INTO custom_field_values (field_id, entity_id, value) VALUES ($1, $2, $3)
                     ON CONFLICT (field_id, entity_id) DO UPDATE SET value = EXCLUDED.value
                     WHERE custom_field_values.value IS DISTINCT FROM EXCLUDED.value",
                    field.id,
                    entity_id,
                    v
                )
                .execute(&mut *conn)
                .await?;
            }
            None => {
                sqlx::query!(
                    "DELETE FROM custom_field_values WHERE field_id = $1 AND entity_id = $2",
                    field.id,
                    entity_id
                )
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    let after = values_of(conn, entity, &[entity_id])
        .await?
        .remove(&entity_id)
        .unwrap_or_default();
    let keyed = |m: &Map<String, Value>| -> Value {
        Value::Object(
            changes
                .iter()
                .map(|(n, _)| {
                    (
                        format!("custom_fields.{n}"),
                        m.get(n).cloned().unwrap_or(Value::Null),
                    )
                })
                .collect(),
        )
    };
    audit::record_update(
        conn,
        actor,
        Some(port_id),
        entity.as_str(),
        entity_id,
        &keyed(&before),
        &keyed(&after),
    )
    .await?;
    Ok(after)
}

/// Every defined field of `entity` with the record's value or `null`.
pub async fn shown(
    conn: &mut PgConnection,
    entity: EntityType,
    id: Uuid,
) -> Result<Map<String, Value>> {
    let defs = definitions_of(conn, entity).await?;
    let mut values = values_of(conn, entity, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok(defs
        .iter()
        .map(|d| {
            let v = values.remove(&d.field_name).unwrap_or(Value::Null);
            (d.field_name.clone(), v)
        })
        .collect())
}

/// 404 unless the port has the client.
pub async fn client_exists(conn: &mut PgConnection, id: Uuid) -> Result<()> {
    let exists = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM clients WHERE id = $1) AS "e!""#,
        id
    )
    .fetch_one(conn)
    .await?;
    if exists { Ok(()) } else { Err(Error::NotFound) }
}

/// `GET /api/v1/ports/{port}/clients/{id}/custom-fields`: every field, `null` when unset.
pub async fn client_get(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
) -> Result<Json<Map<String, Value>>> {
    let mut tx = ctx.begin().await?;
    client_exists(&mut tx, id).await?;
    let values = shown(&mut tx, EntityType::Client, id).await?;
    tx.commit().await?;
    Ok(Json(values))
}

/// `PUT /api/v1/ports/{port}/clients/{id}/custom-fields`: sets the fields
/// given, `null` clearing one; answers every field as `GET` does.
pub async fn client_put(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
    Body(input): Body<Map<String, Value>>,
) -> Result<Json<Map<String, Value>>> {
    let mut tx = ctx.begin().await?;
    client_exists(&mut tx, id).await?;
    save(
        &mut tx,
        &Actor::from(&ctx),
        ctx.port.id,
        EntityType::Client,
        id,
        &input,
    )
    .await?;
    let values = shown(&mut tx, EntityType::Client, id).await?;
    tx.commit().await?;
    Ok(Json(values))
}
