//! `/ports/{port}/settings/custom-fields`: per record type, the fields
//! directors defined — add, edit (label, options, required), move up and down,
//! delete after a confirmation. A refused form is shown again as typed, with
//! each message beside its field.

use super::definitions::{
    self, DefinitionOut, DefinitionPatch, NewDefinition, definitions_of, move_definition,
};
use crate::access::{Access, PortCtx, Routes};
use crate::auth::csrf::CsrfForm;
use crate::http::Result;
use crate::settings::page::{shell, tabs};
use crate::web::form::FormErrors;
use crate::web::render;
use crate::web::shell::Shell;
use crate::web::tabs::Tab;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use domain::custom_fields::{EntityType, FieldType};
use serde::Deserialize;
use uuid::Uuid;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/ports/{port}/settings/custom-fields",
            Access::Port("custom_fields.view"),
            show,
        )
        .post(
            "/ports/{port}/settings/custom-fields",
            Access::Port("custom_fields.create"),
            save_new,
        )
        .post(
            "/ports/{port}/settings/custom-fields/{id}",
            Access::Port("custom_fields.edit"),
            save_edit,
        )
        .post(
            "/ports/{port}/settings/custom-fields/{id}/move",
            Access::Port("custom_fields.edit"),
            save_move,
        )
        .post(
            "/ports/{port}/settings/custom-fields/{id}/delete",
            Access::Port("custom_fields.delete"),
            save_delete,
        )
}

/// A definition form as typed; options one per line.
#[derive(Debug, Default, Clone, Deserialize)]
struct DefForm {
    #[serde(default)]
    entity_type: String,
    #[serde(default)]
    field_label: String,
    #[serde(default)]
    field_name: String,
    #[serde(default)]
    field_type: String,
    #[serde(default)]
    select_options: String,
    #[serde(default)]
    is_required: Option<String>,
}

impl DefForm {
    fn of(d: &DefinitionOut) -> DefForm {
        DefForm {
            entity_type: d.entity_type.as_str().to_owned(),
            field_label: d.field_label.clone(),
            field_name: d.field_name.clone(),
            field_type: d.field_type.as_str().to_owned(),
            select_options: d.select_options.clone().unwrap_or_default().join("\n"),
            is_required: d.is_required.then(|| "on".to_owned()),
        }
    }

    fn options(&self) -> Vec<String> {
        self.select_options
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn required(&self) -> bool {
        self.is_required.is_some()
    }
}

struct Row {
    d: DefinitionOut,
    form: DefForm,
    errors: FormErrors,
    first: bool,
    last: bool,
}

struct Group {
    entity: EntityType,
    rows: Vec<Row>,
    new: DefForm,
    new_errors: FormErrors,
}

#[derive(Template)]
#[template(path = "custom_fields/settings.html")]
struct Page {
    shell: Shell,
    tabs: Vec<Tab>,
    slug: String,
    groups: Vec<Group>,
    types: &'static [FieldType],
    notice: Option<&'static str>,
    can_create: bool,
    can_edit: bool,
    can_delete: bool,
}

enum Refused {
    None,
    New(DefForm, FormErrors),
    Edit(Uuid, DefForm, FormErrors),
}

async fn page(ctx: &PortCtx, refused: Refused, notice: Option<&'static str>) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let mut groups = Vec::new();
    let status = match &refused {
        Refused::None => axum::http::StatusCode::OK,
        Refused::New(_, e) | Refused::Edit(_, _, e) => e.status(),
    };
    for entity in EntityType::ALL {
        let defs = definitions_of(&mut tx, *entity).await?;
        let n = defs.len();
        let rows = defs
            .into_iter()
            .enumerate()
            .map(|(i, d)| {
                let (form, errors) = match &refused {
                    Refused::Edit(id, f, e) if *id == d.id => (f.clone(), e.clone()),
                    _ => (DefForm::of(&d), FormErrors::none()),
                };
                Row {
                    d,
                    form,
                    errors,
                    first: i == 0,
                    last: i + 1 == n,
                }
            })
            .collect();
        let (new, new_errors) = match &refused {
            Refused::New(f, e) if f.entity_type == entity.as_str() => (f.clone(), e.clone()),
            _ => (
                DefForm {
                    entity_type: entity.as_str().to_owned(),
                    field_type: "text".to_owned(),
                    ..DefForm::default()
                },
                FormErrors::none(),
            ),
        };
        groups.push(Group {
            entity: *entity,
            rows,
            new,
            new_errors,
        });
    }
    tx.commit().await?;
    let html = render(&Page {
        shell: shell(ctx, "Custom fields").await?,
        tabs: tabs(ctx, "Custom fields"),
        slug: ctx.port.slug.clone(),
        groups,
        types: FieldType::ALL,
        notice,
        can_create: ctx.can("custom_fields.create"),
        can_edit: ctx.can("custom_fields.edit"),
        can_delete: ctx.can("custom_fields.delete"),
    })?;
    Ok((status, html).into_response())
}

#[derive(Deserialize)]
struct Notice {
    notice: Option<String>,
}

fn notice_text(key: Option<&str>) -> Option<&'static str> {
    match key? {
        "created" => Some("Custom field added."),
        "saved" => Some("Custom field saved."),
        "moved" => Some("Order saved."),
        "deleted" => Some("Custom field deleted, with its values."),
        _ => None,
    }
}

fn back(ctx: &PortCtx, notice: &str, entity: &str) -> Response {
    Redirect::to(&format!(
        "/ports/{}/settings/custom-fields?notice={notice}#fields-{entity}",
        ctx.port.slug
    ))
    .into_response()
}

/// `GET /ports/{port}/settings/custom-fields`
async fn show(ctx: PortCtx, Query(q): Query<Notice>) -> Result<Response> {
    page(&ctx, Refused::None, notice_text(q.notice.as_deref())).await
}

/// `POST /ports/{port}/settings/custom-fields`
async fn save_new(ctx: PortCtx, CsrfForm(form): CsrfForm<DefForm>) -> Result<Response> {
    let parsed = (
        form.entity_type.parse::<EntityType>(),
        form.field_type.parse::<FieldType>(),
    );
    let (entity, field_type) = match parsed {
        (Ok(e), Ok(t)) => (e, t),
        (e, _) => {
            let (field, message) = match e {
                Err(m) => ("entity_type", m),
                Ok(_) => (
                    "field_type",
                    format!("must be one of {}", FieldType::allowed()),
                ),
            };
            let errors = FormErrors::one(field, message);
            return page(&ctx, Refused::New(form, errors), None).await;
        }
    };
    let new = NewDefinition {
        entity_type: entity,
        field_name: Some(form.field_name.clone()),
        field_label: form.field_label.clone(),
        field_type,
        select_options: (field_type == FieldType::Select).then(|| form.options()),
        is_required: form.required(),
        sort_order: None,
    };
    match definitions::create_definition(&ctx, &new).await {
        Ok(_) => Ok(back(&ctx, "created", entity.as_str())),
        Err(e) => page(&ctx, Refused::New(form, FormErrors::from_error(e)?), None).await,
    }
}

/// `POST /ports/{port}/settings/custom-fields/{id}`
async fn save_edit(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<DefForm>,
) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let old = definitions::find(&mut tx, id).await?;
    tx.commit().await?;
    let patch = DefinitionPatch {
        field_name: Some(form.field_name.clone()),
        field_label: Some(form.field_label.clone()),
        select_options: (old.field_type == FieldType::Select).then(|| form.options()),
        is_required: Some(form.required()),
        sort_order: None,
    };
    match definitions::update_definition(&ctx, id, &patch).await {
        Ok(d) => Ok(back(&ctx, "saved", d.entity_type.as_str())),
        Err(e) => {
            let mut form = form;
            form.entity_type = old.entity_type.as_str().to_owned();
            form.field_type = old.field_type.as_str().to_owned();
            let errors = FormErrors::from_error(e)?;
            page(&ctx, Refused::Edit(id, form, errors), None).await
        }
    }
}

#[derive(Deserialize)]
struct MoveForm {
    #[serde(default)]
    direction: String,
}

/// `POST /ports/{port}/settings/custom-fields/{id}/move` (`direction` up or down)
async fn save_move(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let def = definitions::find(&mut tx, id).await?;
    tx.commit().await?;
    move_definition(&ctx, id, form.direction == "up").await?;
    Ok(back(&ctx, "moved", def.entity_type.as_str()))
}

#[derive(Deserialize)]
struct Confirm {}

/// `POST /ports/{port}/settings/custom-fields/{id}/delete`
async fn save_delete(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
    CsrfForm(Confirm {}): CsrfForm<Confirm>,
) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let def = definitions::find(&mut tx, id).await?;
    tx.commit().await?;
    definitions::delete_definition(&ctx, id).await?;
    Ok(back(&ctx, "deleted", def.entity_type.as_str()))
}
