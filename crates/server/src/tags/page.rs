//! `/ports/{port}/settings/tags`: the port's tags with their colours and how
//! often each is used; create, rename and recolour in place, delete after a
//! confirmation. A refused change is shown in its own row, as typed.

use super::DEFAULT_COLOR;
use super::api::{self, NewTag, TagPatch, TagUsage};
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
use serde::Deserialize;
use uuid::Uuid;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/ports/{port}/settings/tags",
            Access::Port("tags.view"),
            show,
        )
        .post(
            "/ports/{port}/settings/tags",
            Access::Port("tags.create"),
            save_new,
        )
        .post(
            "/ports/{port}/settings/tags/{id}",
            Access::Port("tags.edit"),
            save_edit,
        )
        .post(
            "/ports/{port}/settings/tags/{id}/delete",
            Access::Port("tags.delete"),
            save_delete,
        )
}

/// Tags shown on the page: more than a port uses in practice.
const MAX_SHOWN: i64 = 1000;

/// A tag form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
struct TagForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    color: String,
}

struct Row {
    t: TagUsage,
    form: TagForm,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "tags/settings.html")]
struct Page {
    shell: Shell,
    tabs: Vec<Tab>,
    slug: String,
    rows: Vec<Row>,
    new: TagForm,
    new_errors: FormErrors,
    notice: Option<&'static str>,
    can_create: bool,
    can_edit: bool,
    can_delete: bool,
}

/// What is being shown besides the list: a refused form and its errors.
enum Refused {
    None,
    New(TagForm, FormErrors),
    Edit(Uuid, TagForm, FormErrors),
}

async fn page(ctx: &PortCtx, refused: Refused, notice: Option<&'static str>) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let tags = api::with_usage(&mut tx, None, MAX_SHOWN).await?;
    tx.commit().await?;
    let mut status = axum::http::StatusCode::OK;
    let (mut new, mut new_errors) = (
        TagForm {
            name: String::new(),
            color: DEFAULT_COLOR.to_owned(),
        },
        FormErrors::none(),
    );
    let mut edit = None;
    match refused {
        Refused::None => {}
        Refused::New(f, e) => {
            status = e.status();
            (new, new_errors) = (f, e);
        }
        Refused::Edit(id, f, e) => {
            status = e.status();
            edit = Some((id, f, e));
        }
    }
    let rows = tags
        .into_iter()
        .map(|t| match &edit {
            Some((id, f, e)) if *id == t.tag.id => Row {
                t,
                form: f.clone(),
                errors: e.clone(),
            },
            _ => Row {
                form: TagForm {
                    name: t.tag.name.clone(),
                    color: t.tag.color.clone(),
                },
                t,
                errors: FormErrors::none(),
            },
        })
        .collect();
    let html = render(&Page {
        shell: shell(ctx, "Tags").await?,
        tabs: tabs(ctx, "Tags"),
        slug: ctx.port.slug.clone(),
        rows,
        new,
        new_errors,
        notice,
        can_create: ctx.can("tags.create"),
        can_edit: ctx.can("tags.edit"),
        can_delete: ctx.can("tags.delete"),
    })?;
    Ok((status, html).into_response())
}

/// The delete form carries nothing but its token.
#[derive(Deserialize)]
struct Confirm {}

#[derive(Deserialize)]
struct Notice {
    notice: Option<String>,
}

fn notice_text(key: Option<&str>) -> Option<&'static str> {
    match key? {
        "created" => Some("Tag created."),
        "saved" => Some("Tag saved."),
        "deleted" => Some("Tag deleted; the records that carried it no longer do."),
        _ => None,
    }
}

fn back(ctx: &PortCtx, notice: &str) -> Response {
    Redirect::to(&format!(
        "/ports/{}/settings/tags?notice={notice}",
        ctx.port.slug
    ))
    .into_response()
}

/// `GET /ports/{port}/settings/tags`
async fn show(ctx: PortCtx, Query(q): Query<Notice>) -> Result<Response> {
    page(&ctx, Refused::None, notice_text(q.notice.as_deref())).await
}

/// `POST /ports/{port}/settings/tags`
async fn save_new(ctx: PortCtx, CsrfForm(form): CsrfForm<TagForm>) -> Result<Response> {
    let new = NewTag {
        name: form.name.clone(),
        color: Some(form.color.clone()).filter(|c| !c.trim().is_empty()),
    };
    match api::create_tag(&ctx, &new).await {
        Ok(_) => Ok(back(&ctx, "created")),
        Err(e) => page(&ctx, Refused::New(form, FormErrors::from_error(e)?), None).await,
    }
}

/// `POST /ports/{port}/settings/tags/{id}`: rename and recolour.
async fn save_edit(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
    CsrfForm(form): CsrfForm<TagForm>,
) -> Result<Response> {
    let patch = TagPatch {
        name: Some(form.name.clone()),
        color: Some(form.color.clone()),
    };
    match api::update_tag(&ctx, id, &patch).await {
        Ok(_) => Ok(back(&ctx, "saved")),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            page(&ctx, Refused::Edit(id, form, errors), None).await
        }
    }
}

/// `POST /ports/{port}/settings/tags/{id}/delete`
async fn save_delete(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
    CsrfForm(Confirm {}): CsrfForm<Confirm>,
) -> Result<Response> {
    api::delete_tag(&ctx, id).await?;
    Ok(back(&ctx, "deleted"))
}
