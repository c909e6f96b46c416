//! `/ports/{port}/settings/roles`: the matrix of permissions per role at this
//! port. Holders of roles.edit tick and untick cells; what differs from a
//! role's own permissions is saved as this port's overrides of it.

use super::overrides;
use super::write::{NewRole, create_role, delete_role};
use super::{PermissionsIn, RoleOut, at_port};
use crate::access::{Access, PortCtx, Routes};
use crate::auth::csrf::CsrfForm;
use crate::http::{Error, Result};
use crate::settings::page::{shell, tabs};
use crate::web::form::FormErrors;
use crate::web::render;
use crate::web::shell::Shell;
use crate::web::tabs::Tab;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use domain::permissions::{self, ACTIONS, Grants, RESOURCES, SPECIAL};
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/ports/{port}/settings/roles",
            Access::Port("roles.view"),
            show,
        )
        .post(
            "/ports/{port}/settings/roles/overrides",
            Access::Port("roles.edit"),
            save_overrides,
        )
        .post(
            "/ports/{port}/settings/roles",
            Access::Port("roles.create"),
            save_new,
        )
        .post(
            "/ports/{port}/settings/roles/{id}/delete",
            Access::Port("roles.delete"),
            save_delete,
        )
}

/// One resource's rows of the matrix.
pub struct Group {
    pub label: String,
    pub rows: Vec<MatrixRow>,
}

pub struct MatrixRow {
    pub key: String,
    pub action: String,
    pub cells: Vec<Cell>,
}

pub struct Cell {
    /// The form field: `p:<role id>:<key>`.
    pub field: String,
    pub role: String,
    pub granted: bool,
    /// Changed at this port by an override.
    pub overridden: bool,
}

fn label(word: &str) -> String {
    let spaced = word.replace('_', " ");
    let mut chars = spaced.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// The matrix: for each resource, its keys in the catalogue's order, one cell per role.
fn matrix(roles: &[RoleOut]) -> Vec<Group> {
    RESOURCES
        .iter()
        .map(|resource| {
            let keys = ACTIONS.iter().map(|a| format!("{resource}.{a}")).chain(
                SPECIAL
                    .iter()
                    .filter(|k| k.starts_with(&format!("{resource}.")))
                    .map(|k| (*k).to_owned()),
            );
            Group {
                label: label(resource),
                rows: keys
                    .map(|key| MatrixRow {
                        action: label(key.split_once('.').map_or("", |(_, a)| a)),
                        cells: roles
                            .iter()
                            .map(|r| Cell {
                                field: format!("p:{}:{key}", r.id),
                                role: r.name.clone(),
                                granted: r.effective.contains(&key),
                                overridden: r.permission_overrides.contains_key(&key),
                            })
                            .collect(),
                        key,
                    })
                    .collect(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "settings/roles.html")]
struct RolesPage {
    shell: Shell,
    tabs: Vec<Tab>,
    slug: String,
    roles: Vec<RoleOut>,
    groups: Vec<Group>,
    can_edit: bool,
    can_create: bool,
    can_delete: bool,
    overrides_error: Option<String>,
    new_role: NewRoleForm,
    new_errors: FormErrors,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct NewRoleForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    /// A role whose permissions the new one starts with.
    #[serde(default)]
    copy_from: String,
}

#[derive(Deserialize)]
struct Notice {
    done: Option<String>,
}

async fn page(
    ctx: &PortCtx,
    overrides_error: Option<String>,
    new_role: NewRoleForm,
    new_errors: FormErrors,
    notice: Option<String>,
) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let roles = at_port(&mut tx, ctx.port.id).await?;
    tx.commit().await?;
    let status = if overrides_error.is_some() {
        axum::http::StatusCode::CONFLICT
    } else {
        new_errors.status()
    };
    let html = render(&RolesPage {
        shell: shell(ctx, "Roles").await?,
        tabs: tabs(ctx, "Roles"),
        slug: ctx.port.slug.clone(),
        groups: matrix(&roles),
        roles,
        can_edit: ctx.can("roles.edit"),
        can_create: ctx.can("roles.create"),
        can_delete: ctx.can("roles.delete"),
        overrides_error,
        new_role,
        new_errors,
        notice,
    })?;
    Ok((status, html).into_response())
}

/// `GET /ports/{port}/settings/roles`
async fn show(ctx: PortCtx, Query(q): Query<Notice>) -> Result<Response> {
    let notice = match q.done.as_deref() {
        Some("overrides") => Some("Permissions at this port saved.".to_owned()),
        Some("created") => Some("Role created.".to_owned()),
        Some("deleted") => Some("Role deleted.".to_owned()),
        _ => None,
    };
    page(
        &ctx,
        None,
        NewRoleForm::default(),
        FormErrors::none(),
        notice,
    )
    .await
}

fn back(ctx: &PortCtx, done: &str) -> Response {
    Redirect::to(&format!(
        "/ports/{}/settings/roles?done={done}",
        ctx.port.slug
    ))
    .into_response()
}

/// `POST /ports/{port}/settings/roles/overrides`: the whole matrix; each role
/// whose ticks differ from what it grants here now gets new overrides.
async fn save_overrides(
    ctx: PortCtx,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let roles = at_port(&mut tx, ctx.port.id).await?;
    tx.commit().await?;
    let all = permissions::all();
    let mut refused = Vec::new();
    // A checkbox form sends nothing for an unticked box, so absence means "not
    // granted" — but only for the roles the form showed. A roles list that
    // changed since the page loaded, or an empty post, changes nothing.
    for role in roles
        .iter()
        .filter(|r| form.contains_key(&format!("shown:{}", r.id)))
    {
        let wanted: Grants = all
            .iter()
            .map(|k| (k.clone(), form.contains_key(&format!("p:{}:{k}", role.id))))
            .collect();
        let now: Grants = all
            .iter()
            .map(|k| (k.clone(), role.effective.contains(k)))
            .collect();
        if wanted == now {
            continue;
        }
        if let Err(e) = overrides::set(&ctx, role.id, &wanted).await {
            let errors = FormErrors::from_error(e)?;
            refused.push(format!(
                "{}: {}",
                role.name,
                errors.all().unwrap_or_default()
            ));
        }
    }
    if refused.is_empty() {
        Ok(back(&ctx, "overrides"))
    } else {
        page(
            &ctx,
            Some(refused.join(" ")),
            NewRoleForm::default(),
            FormErrors::none(),
            None,
        )
        .await
    }
}

/// `POST /ports/{port}/settings/roles`: a custom role, its permissions copied
/// from another role (or none).
async fn save_new(ctx: PortCtx, CsrfForm(form): CsrfForm<NewRoleForm>) -> Result<Response> {
    let mut tx = ctx.begin().await?;
    let roles = at_port(&mut tx, ctx.port.id).await?;
    tx.commit().await?;
    let permissions = roles
        .iter()
        .find(|r| r.id.to_string() == form.copy_from)
        .map(|r| r.permissions.clone())
        .unwrap_or_default();
    let new = NewRole {
        name: form.name.clone(),
        description: Some(form.description.clone()),
        permissions: PermissionsIn::List(permissions),
    };
    match create_role(&ctx, &new).await {
        Ok(_) => Ok(back(&ctx, "created")),
        Err(e) => {
            let errors = match FormErrors::from_error(e)? {
                // A name already taken belongs beside the name.
                e if e.has("form") => FormErrors::one("name", e.get("form").unwrap_or_default()),
                e => e,
            };
            page(&ctx, None, form, errors, None).await
        }
    }
}

#[derive(Deserialize)]
struct Empty {}

/// `POST /ports/{port}/settings/roles/{id}/delete`
async fn save_delete(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    match delete_role(&ctx, id).await {
        Ok(()) => Ok(back(&ctx, "deleted")),
        Err(Error::Conflict(m)) => {
            page(
                &ctx,
                Some(m),
                NewRoleForm::default(),
                FormErrors::none(),
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
