//! `POST /api/v1/ports/{port}/clients/{id}/merge`.

use super::fields;
use crate::access::PortCtx;
use crate::audit::Actor;
use crate::http::extract::Json;
use crate::http::{Error, Result};
use axum::extract::Path;
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    pub merged_client_id: Uuid,
    /// Field name → "surviving" | "merged"; see `fields` for the defaults.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// Merges `merged_client_id` into the client of the path, which survives.
pub async fn merge(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    Json(body): Json<MergeBody>,
) -> Result<axum::Json<super::Outcome>> {
    let surviving = Uuid::parse_str(&id).map_err(|_| Error::NotFound)?;
    let mut tx = ctx.begin().await?;
    let custom = client_custom_fields(&mut tx).await?;
    let choices = fields::parse(&body.fields, &custom)?;
    let outcome = super::merge(
        &mut tx,
        &Actor::from(&ctx),
        ctx.port.id,
        surviving,
        body.merged_client_id,
        &choices,
    )
    .await?;
    tx.commit().await?;
    Ok(axum::Json(outcome))
}

/// The port's custom field names for clients.
pub async fn client_custom_fields(conn: &mut sqlx::PgConnection) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar!(
        "SELECT field_name FROM custom_field_definitions WHERE entity_type = 'client' ORDER BY field_name"
    )
    .fetch_all(conn)
    .await?)
}
