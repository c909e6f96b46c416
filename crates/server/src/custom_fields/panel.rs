//! The custom fields panel of a record's page (a client, a berth:
//! [`Fielded`]): each field's value, and an edit mode with an input per type
//! (errors beside each field, values as typed). It swaps itself through htmx
//! like the tags panel.

use super::definitions::{DefinitionOut, definitions_of};
use super::values::{client_exists, save, values_of};
use crate::access::{Access, PortCtx, Routes};
use crate::audit::Actor;
use crate::auth::csrf::CsrfForm;
use crate::http::{Error, Result};
use crate::tags::{fragment_or_page, is_htmx};
use crate::web::form::FormErrors;
use crate::web::render;
use crate::web::shell::Section;
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::custom_fields::{EntityType, FieldType};
use serde::Deserialize;
use serde_json::{Map, Value};
use sqlx::PgConnection;
use std::collections::HashMap;
use std::future::Future;
use uuid::Uuid;

/// A kind of record whose custom fields the page panel serves: its
/// [`EntityType`], the URL segment of its pages, the permissions to read and
/// change its fields, the navigation section its pages belong to, and the
/// check that the port has the record.
pub trait Fielded: Send + Sync + 'static {
    const ENTITY: EntityType;
    const SEGMENT: &'static str;
    const VIEW: &'static str;
    const EDIT: &'static str;
    const SECTION: Section;
    /// 404 unless the port has the record.
    fn exists(conn: &mut PgConnection, id: Uuid) -> impl Future<Output = Result<()>> + Send;
}

pub struct ClientFields;

impl Fielded for ClientFields {
    const ENTITY: EntityType = EntityType::Client;
    const SEGMENT: &'static str = "clients";
    const VIEW: &'static str = "clients.view";
    const EDIT: &'static str = "clients.edit";
    const SECTION: Section = Section::Clients;
    async fn exists(conn: &mut PgConnection, id: Uuid) -> Result<()> {
        client_exists(conn, id).await
    }
}

/// The panel's routes for records of kind `T`.
pub fn record_routes<T: Fielded>(routes: Routes) -> Routes {
    let page = format!("/ports/{{port}}/{}/{{id}}", T::SEGMENT);
    routes
        .get(
            &format!("{page}/custom-fields-panel"),
            Access::Port(T::VIEW),
            show::<T>,
        )
        .post(
            &format!("{page}/custom-fields"),
            Access::Port(T::EDIT),
            submit::<T>,
        )
}

/// One field as the panel shows it.
struct Field {
    /// The input's id: unique on a page that shows several clients.
    dom_id: String,
    name: String,
    label: String,
    kind: &'static str,
    required: bool,
    options: Vec<String>,
    /// For the input: the stored value as text, or what was typed.
    input: String,
    /// For reading: "—" when empty.
    shown: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "custom_fields/panel.html")]
struct Panel {
    slug: String,
    /// The record's URL segment: `clients`, `berths`.
    segment: &'static str,
    record_id: Uuid,
    csrf: String,
    fields: Vec<Field>,
    editing: bool,
    can_edit: bool,
    form_error: Option<String>,
}

/// A stored value as an input holds it.
fn as_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn shown(d: &DefinitionOut, v: &Value) -> String {
    match (d.field_type, v) {
        (_, Value::Null) => "—".to_owned(),
        (FieldType::Boolean, Value::Bool(true)) => "Yes".to_owned(),
        (FieldType::Boolean, Value::Bool(false)) => "No".to_owned(),
        _ => as_text(v),
    }
}

/// The panel's HTML for `client_id` (404 when the port has no such client).
pub async fn client_panel(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    client_id: Uuid,
) -> Result<String> {
    record_panel::<ClientFields>(conn, ctx, client_id).await
}

/// The panel's HTML for record `id` of kind `T` (404 when the port has none).
pub async fn record_panel<T: Fielded>(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    id: Uuid,
) -> Result<String> {
    panel::<T>(conn, ctx, id, false, None, FormErrors::none()).await
}

async fn panel<T: Fielded>(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    id: Uuid,
    editing: bool,
    typed: Option<&HashMap<String, String>>,
    errors: FormErrors,
) -> Result<String> {
    T::exists(&mut *conn, id).await?;
    let defs = definitions_of(conn, T::ENTITY).await?;
    let values = values_of(conn, T::ENTITY, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let fields = defs
        .iter()
        .map(|d| {
            let v = values.get(&d.field_name).cloned().unwrap_or(Value::Null);
            let input = typed
                .and_then(|t| t.get(&format!("cf.{}", d.field_name)).cloned())
                .unwrap_or_else(|| as_text(&v));
            Field {
                dom_id: format!("cf-{id}-{}", d.field_name),
                name: d.field_name.clone(),
                label: d.field_label.clone(),
                kind: d.field_type.as_str(),
                required: d.is_required,
                options: d.select_options.clone().unwrap_or_default(),
                input,
                shown: shown(d, &v),
                error: errors.get(&format!("custom_fields.{}", d.field_name)),
            }
        })
        .collect();
    let html = render(&Panel {
        slug: ctx.port.slug.clone(),
        segment: T::SEGMENT,
        record_id: id,
        csrf: ctx.user.csrf_token(),
        fields,
        editing: editing && ctx.can(T::EDIT),
        can_edit: ctx.can(T::EDIT),
        form_error: errors.get(crate::web::form::FORM),
    })?;
    Ok(html.0)
}

#[derive(Deserialize)]
struct Mode {
    edit: Option<String>,
}

/// `GET /ports/{port}/{records}/{id}/custom-fields-panel[?edit=1]`
async fn show<T: Fielded>(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id)): Path<(String, Uuid)>,
    Query(mode): Query<Mode>,
) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let html = panel::<T>(
        &mut tx,
        &ctx,
        id,
        mode.edit.is_some(),
        None,
        FormErrors::none(),
    )
    .await?;
    tx.commit().await?;
    fragment_or_page(&ctx, &headers, T::SECTION, "Custom fields", html).await
}

/// `POST /ports/{port}/{records}/{id}/custom-fields`: every field of the form
/// (`cf.<field_name>`), an empty one clearing its value.
async fn submit<T: Fielded>(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Result<Response> {
    let input: Map<String, Value> = form
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("cf.").map(|n| (n, v)))
        .map(|(n, v)| {
            let v = v.trim();
            let value = if v.is_empty() {
                Value::Null
            } else {
                Value::String(v.to_owned())
            };
            (n.to_owned(), value)
        })
        .collect();
    let mut tx = ctx.begin().await?;
    T::exists(&mut tx, id).await?;
    let saved = save(
        &mut tx,
        &Actor::from(&ctx),
        ctx.port.id,
        T::ENTITY,
        id,
        &input,
    )
    .await;
    let (html, refused) = match saved {
        Ok(_) => {
            tx.commit().await?;
            let mut tx = ctx.begin().await?;
            let html = record_panel::<T>(&mut tx, &ctx, id).await?;
            tx.commit().await?;
            (html, false)
        }
        Err(e @ (Error::Unprocessable(_) | Error::Conflict(_))) => {
            tx.rollback().await?;
            let errors = FormErrors::from_error(e)?;
            let mut tx = ctx.begin().await?;
            let html = panel::<T>(&mut tx, &ctx, id, true, Some(&form), errors).await?;
            tx.commit().await?;
            (html, true)
        }
        Err(e) => return Err(e),
    };
    if is_htmx(&headers) {
        return Ok(Html(html).into_response());
    }
    if refused {
        let mut res = fragment_or_page(&ctx, &headers, T::SECTION, "Custom fields", html).await?;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    }
    Ok(Redirect::to(&format!(
        "/ports/{}/{}/{id}/custom-fields-panel",
        ctx.port.slug,
        T::SEGMENT
    ))
    .into_response())
}
