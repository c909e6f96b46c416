//! A berth's tags and custom fields, through the machinery clients use
//! (`tags::records` with `Target::Berth`, `custom_fields::values` with
//! `EntityType::Berth`): the API, and the berth page's two panels, which post
//! through htmx and swap themselves.

use super::model::{find, parse_id};
use crate::access::{Access, PortCtx, Routes};
use crate::audit::Actor;
use crate::auth::csrf::CsrfForm;
use crate::custom_fields::{self, EntityType, definitions_of};
use crate::http::checked::Checked;
use crate::http::cursor::List;
use crate::http::extract::Json as Body;
use crate::http::{Error, Result};
use crate::tags::records::{self, AddBody, Change, ReplaceBody, tags_of_one};
use crate::tags::{TagOut, Target};
use crate::web::form::FormErrors;
use crate::web::render;
use crate::web::shell::ASSET_URLS;
use askama::Template;
use axum::Json;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::custom_fields::FieldType;
use serde::Deserialize;
use serde_json::{Map, Value};
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

const API: &str = "/api/v1/ports/{port}/berths/{id}";
const PAGE: &str = "/ports/{port}/berths/{id}";

pub fn routes(routes: Routes) -> Routes {
    routes
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
        )
        .post(
            &format!("{PAGE}/tags"),
            Access::Port("berths.edit"),
            tag_add_form,
        )
        .post(
            &format!("{PAGE}/tags/{{tag_id}}/remove"),
            Access::Port("berths.edit"),
            tag_remove_form,
        )
        .get(
            &format!("{PAGE}/custom-fields-panel"),
            Access::Port("berths.view"),
            custom_panel_show,
        )
        .post(
            &format!("{PAGE}/custom-fields"),
            Access::Port("berths.edit"),
            custom_submit,
        )
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

fn csrf(ctx: &PortCtx) -> String {
    ctx.user
        .session()
        .map(|s| s.csrf_token.clone())
        .unwrap_or_default()
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

#[derive(Template)]
#[template(path = "berths/tags.html")]
struct TagsPanel {
    slug: String,
    berth_id: Uuid,
    csrf: String,
    icons: &'static str,
    tags: Vec<TagOut>,
    choices: Vec<TagOut>,
    can_edit: bool,
    error: Option<String>,
}

/// The berth page's tags panel.
pub async fn tags_panel(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    berth_id: Uuid,
    error: Option<String>,
) -> Result<String> {
    let tags = tags_of_one(&mut *conn, Target::Berth, berth_id).await?;
    let choices = sqlx::query_as!(
        TagOut,
        "SELECT id, name, color, created_at FROM tags ORDER BY lower(name), id"
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .filter(|t| !tags.iter().any(|c| c.id == t.id))
    .collect();
    Ok(render(&TagsPanel {
        slug: ctx.port.slug.clone(),
        berth_id,
        csrf: csrf(ctx),
        icons: ASSET_URLS.icons,
        tags,
        choices,
        can_edit: ctx.can("berths.edit"),
        error,
    })?
    .0)
}

/// After a change: htmx gets the panel again; a plain form goes back to the page.
async fn tags_answer(
    ctx: &PortCtx,
    headers: &HeaderMap,
    id: Uuid,
    error: Option<String>,
) -> Result<Response> {
    if !is_htmx(headers) && error.is_none() {
        return Ok(Redirect::to(&format!("/ports/{}/berths/{id}", ctx.port.slug)).into_response());
    }
    let status = if error.is_some() && !is_htmx(headers) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut tx = ctx.begin().await?;
    let html = tags_panel(&mut tx, ctx, id, error).await?;
    tx.commit().await?;
    Ok((status, Html(html)).into_response())
}

#[derive(Deserialize)]
struct TagForm {
    #[serde(default)]
    name: String,
}

/// `POST /ports/{port}/berths/{id}/tags`: adds the port's tag of that name.
async fn tag_add_form(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<TagForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let name = form.name.trim();
    let mut tx = ctx.begin().await?;
    find(&mut tx, id).await?;
    let tag = sqlx::query_scalar!("SELECT id FROM tags WHERE lower(name) = lower($1)", name)
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    let Some(tag) = tag else {
        let message = if name.is_empty() {
            "Pick a tag to add.".to_owned()
        } else {
            format!(
                "This port has no tag “{name}”; pick one of the list (tags are made in Settings)."
            )
        };
        return tags_answer(&ctx, &headers, id, Some(message)).await;
    };
    records::change(&ctx, Target::Berth, id, Change::Add(tag)).await?;
    tags_answer(&ctx, &headers, id, None).await
}

#[derive(Deserialize)]
struct Confirm {}

/// `POST /ports/{port}/berths/{id}/tags/{tag_id}/remove`
async fn tag_remove_form(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id, tag)): Path<(String, String, String)>,
    CsrfForm(Confirm {}): CsrfForm<Confirm>,
) -> Result<Response> {
    let (id, tag) = (parse_id(&id)?, parse_id(&tag)?);
    records::change(&ctx, Target::Berth, id, Change::Remove(tag)).await?;
    tags_answer(&ctx, &headers, id, None).await
}

/// One custom field as the panel shows it.
struct Field {
    dom_id: String,
    name: String,
    label: String,
    kind: &'static str,
    required: bool,
    options: Vec<String>,
    input: String,
    shown: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "berths/custom_fields.html")]
struct CustomPanel {
    slug: String,
    berth_id: Uuid,
    csrf: String,
    fields: Vec<Field>,
    editing: bool,
    can_edit: bool,
    form_error: Option<String>,
}

fn as_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The berth page's custom fields panel: values, or (editing) a form.
pub async fn custom_panel(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    berth_id: Uuid,
    editing: bool,
    typed: Option<&HashMap<String, String>>,
    errors: FormErrors,
) -> Result<String> {
    let defs = definitions_of(&mut *conn, EntityType::Berth).await?;
    let values = custom_fields::values_of(conn, EntityType::Berth, &[berth_id])
        .await?
        .remove(&berth_id)
        .unwrap_or_default();
    let fields = defs
        .iter()
        .map(|d| {
            let v = values.get(&d.field_name).cloned().unwrap_or(Value::Null);
            let shown = match (d.field_type, &v) {
                (_, Value::Null) => "—".to_owned(),
                (FieldType::Boolean, Value::Bool(b)) => if *b { "Yes" } else { "No" }.to_owned(),
                _ => as_text(&v),
            };
            Field {
                dom_id: format!("bcf-{berth_id}-{}", d.field_name),
                name: d.field_name.clone(),
                label: d.field_label.clone(),
                kind: d.field_type.as_str(),
                required: d.is_required,
                options: d.select_options.clone().unwrap_or_default(),
                input: typed
                    .and_then(|t| t.get(&format!("cf.{}", d.field_name)).cloned())
                    .unwrap_or_else(|| as_text(&v)),
                shown,
                error: errors.get(&format!("custom_fields.{}", d.field_name)),
            }
        })
        .collect();
    Ok(render(&CustomPanel {
        slug: ctx.port.slug.clone(),
        berth_id,
        csrf: csrf(ctx),
        fields,
        editing: editing && ctx.can("berths.edit"),
        can_edit: ctx.can("berths.edit"),
        form_error: errors.get(crate::web::form::FORM),
    })?
    .0)
}

#[derive(Deserialize)]
struct Mode {
    edit: Option<String>,
}

/// `GET /ports/{port}/berths/{id}/custom-fields-panel[?edit=1]` (htmx).
async fn custom_panel_show(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    Query(mode): Query<Mode>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    find(&mut tx, id).await?;
    let html = custom_panel(
        &mut tx,
        &ctx,
        id,
        mode.edit.is_some(),
        None,
        FormErrors::none(),
    )
    .await?;
    tx.commit().await?;
    Ok(Html(html).into_response())
}

/// `POST /ports/{port}/berths/{id}/custom-fields`: every `cf.<name>` field,
/// an empty one clearing its value.
async fn custom_submit(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let input: Map<String, Value> = form
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("cf.").map(|n| (n, v.trim())))
        .map(|(n, v)| {
            let value = if v.is_empty() {
                Value::Null
            } else {
                Value::String(v.to_owned())
            };
            (n.to_owned(), value)
        })
        .collect();
    let mut tx = ctx.begin().await?;
    find(&mut tx, id).await?;
    let saved = custom_fields::save(
        &mut tx,
        &Actor::from(&ctx),
        ctx.port.id,
        EntityType::Berth,
        id,
        &input,
    )
    .await;
    match saved {
        Ok(_) => {
            tx.commit().await?;
            if !is_htmx(&headers) {
                return Ok(
                    Redirect::to(&format!("/ports/{}/berths/{id}", ctx.port.slug)).into_response(),
                );
            }
            let mut tx = ctx.begin().await?;
            let html = custom_panel(&mut tx, &ctx, id, false, None, FormErrors::none()).await?;
            tx.commit().await?;
            Ok(Html(html).into_response())
        }
        Err(e @ (Error::Unprocessable(_) | Error::Conflict(_))) => {
            tx.rollback().await?;
            let errors = FormErrors::from_error(e)?;
            let status = if is_htmx(&headers) {
                StatusCode::OK
            } else {
                errors.status()
            };
            let mut tx = ctx.begin().await?;
            let html = custom_panel(&mut tx, &ctx, id, true, Some(&form), errors).await?;
            tx.commit().await?;
            Ok((status, Html(html)).into_response())
        }
        Err(e) => Err(e),
    }
}
