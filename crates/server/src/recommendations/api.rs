//! `…/interests/{id}/recommendations`: the scored berths (GET), a refresh
//! that keeps the best (POST …/refresh), manual ones (POST, DELETE …/{rid}).
//! Linking a berth is the interests API's `PATCH …/interests/{id}
//! {"berth_id"}`.

use super::store::{self, Recommendation, parse_id};
use crate::access::PortCtx;
use crate::audit::Actor;
use crate::client_list::params::pairs;
use crate::http::checked;
use crate::http::cursor::{List, MAX_LIMIT};
use crate::http::extract::Json as Body;
use crate::http::{Error, Result};
use crate::pipeline::params::value;
use axum::Json;
use axum::extract::{Path, RawQuery};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use uuid::Uuid;

const DEFAULT_LIMIT: usize = 20;

/// `GET …/recommendations?limit=`: manual ones, then the best fits (20 by
/// default, at most 200).
pub async fn index(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Json<List<Recommendation>>> {
    let id = parse_id(&id)?;
    let pairs = pairs(raw.as_deref())?;
    if let Some((key, _)) = pairs.iter().find(|(k, _)| k != "limit") {
        return Err(Error::invalid(key, "is not a parameter of this list"));
    }
    let limit = match value(&pairs, "limit") {
        None => DEFAULT_LIMIT,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT as usize).contains(n))
            .ok_or_else(|| Error::invalid("limit", format!("must be between 1 and {MAX_LIMIT}")))?,
    };
    let mut tx = ctx.begin().await?;
    let subject = store::subject(&mut tx, id).await?;
    let list = store::list(&mut tx, &subject, limit).await?;
    tx.commit().await?;
    Ok(Json(List::whole(list)))
}

/// `GET …/recommendations/{rid}`: one kept recommendation.
pub async fn show(
    ctx: PortCtx,
    Path((_, id, rid)): Path<(String, String, String)>,
) -> Result<Json<Recommendation>> {
    let (id, rid) = (parse_id(&id)?, parse_id(&rid)?);
    let mut tx = ctx.begin().await?;
    let subject = store::subject(&mut tx, id).await?;
    let one = store::one(&mut tx, &subject, rid).await?;
    tx.commit().await?;
    Ok(Json(one))
}

/// `POST …/recommendations/refresh`: the best berths kept as `ai` rows.
pub async fn refresh(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<List<Recommendation>>> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    let subject = store::subject(&mut tx, id).await?;
    let list = store::refresh(&mut tx, &Actor::from(&ctx), ctx.port.id, &subject).await?;
    tx.commit().await?;
    Ok(Json(List::whole(list)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewManual {
    pub berth_id: String,
}

/// Reads a berth id from a body field: not a UUID is a 422 naming it.
pub fn berth_id(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw.trim()).map_err(|_| Error::invalid("berth_id", "must be a berth's id"))
}

/// `POST …/recommendations {"berth_id"}` → 201 with the recommendation.
pub async fn create(
    ctx: PortCtx,
    Path((slug, id)): Path<(String, String)>,
    Body(body): Body<serde_json::Value>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    // The interest first: another port's answers 404 whatever the body says.
    let subject = store::subject(&mut tx, id).await?;
    let body: NewManual = checked::from_value(body)?;
    let berth = berth_id(&body.berth_id)?;
    let rec = store::add_manual(&mut tx, &Actor::from(&ctx), ctx.port.id, &subject, berth).await?;
    tx.commit().await?;
    let location = format!(
        "/api/v1/ports/{slug}/interests/{id}/recommendations/{}",
        rec.id.unwrap_or_default()
    );
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(rec),
    )
        .into_response())
}

/// `DELETE …/recommendations/{rid}` → 204.
pub async fn delete(
    ctx: PortCtx,
    Path((_, id, rid)): Path<(String, String, String)>,
) -> Result<StatusCode> {
    let (id, rid) = (parse_id(&id)?, parse_id(&rid)?);
    let mut tx = ctx.begin().await?;
    let subject = store::subject(&mut tx, id).await?;
    store::remove(&mut tx, &Actor::from(&ctx), ctx.port.id, &subject, rid).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
