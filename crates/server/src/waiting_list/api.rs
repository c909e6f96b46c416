//! The waiting list's JSON API, under `/api/v1/ports/{port}/berths/{id}/waiting-list`.

use super::model::{self, Entry, parse_id};
use super::write::{self, EntryPatch, NewEntry};
use crate::access::PortCtx;
use crate::http::checked::from_value;
use crate::http::cursor::List;
use crate::http::extract::Json as Body;
use crate::http::{Error, Result};
use axum::Json;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `GET …/waiting-list`: the whole list, first place first.
pub async fn index(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<List<Entry>>> {
    let berth_id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    model::find_berth(&mut tx, berth_id).await?;
    let list = model::of_berth(&mut tx, berth_id).await?;
    tx.commit().await?;
    Ok(Json(List::whole(list)))
}

/// `POST …/waiting-list` → 201 with the entry and its Location.
pub async fn create(
    ctx: PortCtx,
    Path((slug, id)): Path<(String, String)>,
    Body(body): Body<Value>,
) -> Result<Response> {
    let berth_id = parse_id(&id)?;
    let new: NewEntry = from_value(body)?;
    let entry = write::add(&ctx, berth_id, new).await?;
    let location = format!(
        "/api/v1/ports/{slug}/berths/{berth_id}/waiting-list/{}",
        entry.id
    );
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(entry),
    )
        .into_response())
}

/// `GET …/waiting-list/{entry}`
pub async fn show(
    ctx: PortCtx,
    Path((_, id, entry)): Path<(String, String, String)>,
) -> Result<Json<Entry>> {
    let (berth_id, entry_id) = (parse_id(&id)?, parse_id(&entry)?);
    let mut tx = ctx.begin().await?;
    let entry = model::find(&mut tx, berth_id, entry_id).await?;
    tx.commit().await?;
    Ok(Json(entry))
}

/// `PATCH …/waiting-list/{entry}` → 200 with the entry.
pub async fn update(
    ctx: PortCtx,
    Path((_, id, entry)): Path<(String, String, String)>,
    Body(body): Body<Value>,
) -> Result<Json<Entry>> {
    let (berth_id, entry_id) = (parse_id(&id)?, parse_id(&entry)?);
    let patch: EntryPatch = from_value(body)?;
    Ok(Json(write::update(&ctx, berth_id, entry_id, patch).await?))
}

/// `DELETE …/waiting-list/{entry}` → 204; the entries below move up.
pub async fn delete(
    ctx: PortCtx,
    Path((_, id, entry)): Path<(String, String, String)>,
) -> Result<StatusCode> {
    let (berth_id, entry_id) = (parse_id(&id)?, parse_id(&entry)?);
    write::remove(&ctx, berth_id, entry_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveBody {
    #[serde(default)]
    position: Option<i64>,
}

/// `POST …/waiting-list/{entry}/move {"position": n}` → 200 with the whole
/// list in its new order. Outside 1..n: 422 naming `position`; across the
/// priority boundary: clamped (see `domain::waiting_list`).
pub async fn move_entry(
    ctx: PortCtx,
    Path((_, id, entry)): Path<(String, String, String)>,
    Body(body): Body<Value>,
) -> Result<Json<List<Entry>>> {
    let (berth_id, entry_id) = (parse_id(&id)?, parse_id(&entry)?);
    let body: MoveBody = from_value(body)?;
    let list = write::move_to(&ctx, berth_id, entry_id, body.position).await?;
    Ok(Json(List::whole(list)))
}

#[derive(Debug, Serialize)]
pub struct Notified {
    pub notified: usize,
}

/// `POST …/waiting-list/notify`: tells the first entries now that the berth
/// is available (the status change does it by itself; this is for telling
/// them again). 409 while the berth is not available.
pub async fn notify(ctx: PortCtx, Path((_, id)): Path<(String, String)>) -> Result<Json<Notified>> {
    let berth_id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    let berth = model::find_berth(&mut tx, berth_id).await?;
    if berth.status != "available" {
        return Err(Error::Conflict(format!(
            "Berth {} is not available; its waiting list is told when it becomes available.",
            berth.mooring_number
        )));
    }
    let notified = super::notify_available(&mut tx, ctx.port.id, berth_id).await?;
    tx.commit().await?;
    Ok(Json(Notified { notified }))
}

/// A berth a client waits for, with the client's place.
#[derive(Debug, Clone, Serialize)]
pub struct Waiting {
    pub entry_id: uuid::Uuid,
    pub berth_id: uuid::Uuid,
    pub mooring_number: String,
    pub area: Option<String>,
    pub berth_status: String,
    pub position: i32,
    pub list_length: i64,
    pub priority: String,
    pub notify_pref: String,
}

/// The berths `client_id` waits for, by mooring number.
pub async fn of_client(
    conn: &mut sqlx::PgConnection,
    client_id: uuid::Uuid,
) -> Result<Vec<Waiting>> {
    Ok(sqlx::query_as!(
        Waiting,
        r#"SELECT w.id AS entry_id, w.berth_id, b.mooring_number, b.area, b.status AS berth_status,
                  w.position, n.len AS "list_length!", w.priority,
                  coalesce(w.notify_pref, 'email') AS "notify_pref!"
           FROM berth_waiting_list w
           JOIN berths b ON b.id = w.berth_id
           JOIN LATERAL (SELECT count(*) AS len FROM berth_waiting_list o WHERE o.berth_id = w.berth_id) n ON true
           WHERE w.client_id = $1 AND w.port_id = app_port_id()
           ORDER BY b.mooring_number, w.id"#,
        client_id
    )
    .fetch_all(conn)
    .await?)
}

/// `GET /api/v1/ports/{port}/clients/{id}/waiting-lists`: the berths the
/// client waits for, with their place on each list.
pub async fn client_index(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<List<Waiting>>> {
    let client_id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    crate::clients::find(&mut tx, client_id).await?;
    let rows = of_client(&mut tx, client_id).await?;
    tx.commit().await?;
    Ok(Json(List::whole(rows)))
}
