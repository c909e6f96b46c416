//! A berth's tags and custom fields, through the machinery clients use
//! (`tags::records` with `Target::Berth`, `custom_fields::values` with
//! `EntityType::Berth`): the API here, and the berth page's two panels, which
//! are the shared ones (`tags::BerthTags`, [`BerthFields`]).

use super::model::{find, parse_id};
use crate::access::{Access, PortCtx, Routes};
use crate::audit::Actor;
use crate::custom_fields::{self, EntityType, Fielded};
use crate::http::Result;
use crate::http::checked::Checked;
use crate::http::cursor::List;
use crate::http::extract::Json as Body;
use crate::tags::records::{self, AddBody, Change, ReplaceBody, tags_of_one};
use crate::tags::{TagOut, Target};
use crate::web::shell::Section;
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use serde_json::{Map, Value};
use sqlx::PgConnection;
use uuid::Uuid;

const API: &str = "/api/v1/ports/{port}/berths/{id}";

pub fn routes(routes: Routes) -> Routes {
    let routes = routes
        .get(
            &format!("{API}/tags"),
            Access::Port("berths.view"),
            tags_list,
        )
        .put(
            &format!("{API}/tags"),
            Access::Port("berths.edit"),
            tags_replace,
        )
        .post(
            &format!("{API}/tags"),
            Access::Port("berths.edit"),
            tags_add,
        )
        .delete(
            &format!("{API}/tags/{{tag_id}}"),
            Access::Port("berths.edit"),
            tags_remove,
        )
        .get(
            &format!("{API}/custom-fields"),
            Access::Port("berths.view"),
            custom_get,
        )
        .put(
            &format!("{API}/custom-fields"),
            Access::Port("berths.edit"),
            custom_put,
        );
    custom_fields::record_routes::<BerthFields>(routes)
}

/// `GET …/berths/{id}/tags`
async fn tags_list(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<List<TagOut>>> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    find(&mut tx, id).await?;
    let tags = tags_of_one(&mut tx, Target::Berth, id).await?;
    tx.commit().await?;
    Ok(Json(List::whole(tags)))
}

/// `PUT …/berths/{id}/tags` `{"tag_ids": […]}`: the berth's tags become these.
async fn tags_replace(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    Checked(body): Checked<ReplaceBody>,
) -> Result<Json<List<TagOut>>> {
    let id = parse_id(&id)?;
    let tags = records::change(&ctx, Target::Berth, id, Change::Replace(body.tag_ids)).await?;
    Ok(Json(List::whole(tags)))
}

/// `POST …/berths/{id}/tags` `{"tag_id"}`: adds one.
async fn tags_add(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    Checked(body): Checked<AddBody>,
) -> Result<Json<List<TagOut>>> {
    let id = parse_id(&id)?;
    let tags = records::change(&ctx, Target::Berth, id, Change::Add(body.tag_id)).await?;
    Ok(Json(List::whole(tags)))
}

/// `DELETE …/berths/{id}/tags/{tag_id}` → 204.
async fn tags_remove(
    ctx: PortCtx,
    Path((_, id, tag)): Path<(String, String, String)>,
) -> Result<StatusCode> {
    let (id, tag) = (parse_id(&id)?, parse_id(&tag)?);
    records::change(&ctx, Target::Berth, id, Change::Remove(tag)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET …/berths/{id}/custom-fields`: every field, `null` when unset.
async fn custom_get(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
) -> Result<Json<Map<String, Value>>> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    find(&mut tx, id).await?;
    let values = custom_fields::values::shown(&mut tx, EntityType::Berth, id).await?;
    tx.commit().await?;
    Ok(Json(values))
}

/// `PUT …/berths/{id}/custom-fields`: sets the fields given, `null` clearing one.
async fn custom_put(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    Body(input): Body<Map<String, Value>>,
) -> Result<Json<Map<String, Value>>> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    find(&mut tx, id).await?;
    custom_fields::save(
        &mut tx,
        &Actor::from(&ctx),
        ctx.port.id,
        EntityType::Berth,
        id,
        &input,
    )
    .await?;
    let values = custom_fields::values::shown(&mut tx, EntityType::Berth, id).await?;
    tx.commit().await?;
    Ok(Json(values))
}

/// A berth as the custom fields panel knows it.
pub struct BerthFields;

impl Fielded for BerthFields {
    const ENTITY: EntityType = EntityType::Berth;
    const SEGMENT: &'static str = "berths";
    const VIEW: &'static str = "berths.view";
    const EDIT: &'static str = "berths.edit";
    const SECTION: Section = Section::Berths;
    async fn exists(conn: &mut PgConnection, id: Uuid) -> Result<()> {
        find(conn, id).await.map(|_| ())
    }
}
