//! `/ports/{port}/settings/members`: who works at the port, their roles, and
//! changing them. A refused change is shown in the member's row, with the
//! roles as they were ticked.

use super::write::{remove, set_active, set_roles};
use super::{MemberOut, members};
use crate::access::{Access, PortCtx, Routes};
use crate::auth::csrf::CsrfForm;
use crate::http::Result;
use crate::http::cursor::{List, PageQuery};
use crate::roles::{DIRECTOR, at_port};
use crate::settings::page::{shell, tabs};
use crate::web::form::FormErrors;
use crate::web::render;
use crate::web::shell::Shell;
use crate::web::tabs::Tab;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/ports/{port}/settings/members",
            Access::Port("users.view"),
            show,
        )
        .post(
            "/ports/{port}/settings/members/{user_id}/roles",
            Access::Port("users.edit"),
            save_roles,
        )
        .post(
            "/ports/{port}/settings/members/{user_id}/active",
            Access::Port("users.edit"),
            save_active,
        )
        .post(
            "/ports/{port}/settings/members/{user_id}/remove",
            Access::Port("users.delete"),
            save_remove,
        )
        .post(
            "/ports/{port}/settings/members/invite",
            Access::Port("users.create"),
            save_invite,
        )
}

/// The invitation form: what was typed, kept after a refusal.
#[derive(Debug, Default, Deserialize)]
pub struct InviteForm {
    email: String,
    role: String,
}

/// Members shown on one page; more come through "Next page".
const PAGE: i64 = 100;

pub struct RoleOption {
    pub name: String,
    pub checked: bool,
    /// Director is given or taken only by holders of roles.edit.
    pub locked: bool,
}

pub struct Row {
    pub m: MemberOut,
    pub options: Vec<RoleOption>,
    pub is_self: bool,
    /// A refused change to this member, shown in their row.
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "settings/members.html")]
struct MembersPage {
    shell: Shell,
    tabs: Vec<Tab>,
    slug: String,
    rows: Vec<Row>,
    next: Option<String>,
    can_edit: bool,
    can_remove: bool,
    notice: Option<String>,
    /// The invitation form, for holders of users.create.
    can_invite: bool,
    invite: InviteForm,
    invite_errors: FormErrors,
    role_names: Vec<String>,
}

impl MembersPage {
    fn when(&self, at: &Option<chrono::DateTime<chrono::Utc>>) -> String {
        at.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "never".into())
    }
}

#[derive(Debug, Default, Deserialize)]
struct Notice {
    done: Option<String>,
    cursor: Option<String>,
}

/// A failed change to one member: whose row, what they ticked, what went wrong.
struct Failed {
    user_id: String,
    ticked: Option<BTreeSet<String>>,
    message: String,
}

async fn page(
    ctx: &PortCtx,
    cursor: Option<String>,
    failed: Option<Failed>,
    notice: Option<String>,
) -> Result<Response> {
    page_with_invite(
        ctx,
        cursor,
        failed,
        notice,
        InviteForm::default(),
        FormErrors::none(),
    )
    .await
}

async fn page_with_invite(
    ctx: &PortCtx,
    cursor: Option<String>,
    failed: Option<Failed>,
    notice: Option<String>,
    invite: InviteForm,
    invite_errors: FormErrors,
) -> Result<Response> {
    let query = PageQuery {
        limit: Some(PAGE),
        cursor,
    };
    let mut tx = ctx.begin().await?;
    let rows = members(&mut tx, ctx.port.id, query.after()?, None, PAGE + 1).await?;
    let roles = at_port(&mut tx, ctx.port.id).await?;
    tx.commit().await?;
    let list = List::page(rows, PAGE, |m| (m.sort_name.clone(), m.user_id.clone()));
    let can_grant_director = ctx.can("roles.edit");
    let role_names: Vec<String> = roles
        .iter()
        .filter(|r| r.name != DIRECTOR || can_grant_director)
        .map(|r| r.name.clone())
        .collect();
    let rows = list
        .data
        .into_iter()
        .map(|m| {
            let mine = failed.as_ref().filter(|f| f.user_id == m.user_id);
            let ticked: BTreeSet<String> = mine
                .and_then(|f| f.ticked.clone())
                .unwrap_or_else(|| m.roles.iter().cloned().collect());
            Row {
                options: roles
                    .iter()
                    .map(|r| RoleOption {
                        name: r.name.clone(),
                        checked: ticked.contains(&r.name),
                        locked: r.name == DIRECTOR && !can_grant_director,
                    })
                    .collect(),
                is_self: m.user_id == ctx.user.id,
                error: mine.map(|f| f.message.clone()),
                m,
            }
        })
        .collect();
    let html = render(&MembersPage {
        shell: shell(ctx, "Members").await?,
        tabs: tabs(ctx, "Members"),
        slug: ctx.port.slug.clone(),
        rows,
        next: list.next_cursor,
        can_edit: ctx.can("users.edit"),
        can_remove: ctx.can("users.delete"),
        notice,
        can_invite: ctx.can("users.create"),
        invite,
        invite_errors,
        role_names,
    })?;
    Ok(html.into_response())
}

/// `GET /ports/{port}/settings/members`
async fn show(ctx: PortCtx, Query(q): Query<Notice>) -> Result<Response> {
    let notice = match q.done.as_deref() {
        Some("roles") => Some("Roles saved.".to_owned()),
        Some("active") => Some("Member updated.".to_owned()),
        Some("removed") => Some("Member removed from the port.".to_owned()),
        Some("invited") => {
            Some("Invitation sent. The link in it works once, for seven days.".to_owned())
        }
        _ => None,
    };
    page(&ctx, q.cursor, None, notice).await
}

fn back(ctx: &PortCtx, done: &str) -> Response {
    Redirect::to(&format!(
        "/ports/{}/settings/members?done={done}",
        ctx.port.slug
    ))
    .into_response()
}

/// The page again with `e` in the member's row, or the error page for what a
/// form cannot show.
async fn refused(
    ctx: &PortCtx,
    user_id: String,
    ticked: Option<BTreeSet<String>>,
    e: crate::http::Error,
) -> Result<Response> {
    let errors = FormErrors::from_error(e)?;
    let message = errors
        .all()
        .unwrap_or_else(|| "This change was refused.".into());
    let failed = Failed {
        user_id,
        ticked,
        message,
    };
    let mut res = page(ctx, None, Some(failed), None).await?;
    *res.status_mut() = errors.status();
    Ok(res)
}

/// `POST …/members/{user_id}/roles` with a `role:<name>` checkbox per role.
async fn save_roles(
    ctx: PortCtx,
    Path((_, user_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response> {
    let ticked: BTreeSet<String> = form
        .keys()
        .filter_map(|k| k.strip_prefix("role:"))
        .map(str::to_owned)
        .collect();
    let wanted: Vec<String> = ticked.iter().cloned().collect();
    match set_roles(&ctx, &user_id, &wanted).await {
        Ok(_) => Ok(back(&ctx, "roles")),
        Err(e) => refused(&ctx, user_id, Some(ticked), e).await,
    }
}

#[derive(Deserialize)]
struct ActiveForm {
    is_active: String,
}

/// `POST …/members/{user_id}/active` with `is_active=true|false`.
async fn save_active(
    ctx: PortCtx,
    Path((_, user_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ActiveForm>,
) -> Result<Response> {
    match set_active(&ctx, &user_id, form.is_active == "true").await {
        Ok(_) => Ok(back(&ctx, "active")),
        Err(e) => refused(&ctx, user_id, None, e).await,
    }
}

#[derive(Deserialize)]
struct Empty {}

/// `POST …/members/{user_id}/remove`
async fn save_remove(
    ctx: PortCtx,
    Path((_, user_id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    match remove(&ctx, &user_id).await {
        Ok(()) => Ok(back(&ctx, "removed")),
        Err(e) => refused(&ctx, user_id, None, e).await,
    }
}

/// `POST …/members/invite`: sends an invitation; a refusal shows beside the
/// field it concerns, with what was typed.
async fn save_invite(
    ctx: PortCtx,
    headers: axum::http::HeaderMap,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response> {
    match crate::invitations::invite(&ctx, &headers, &form.email, &form.role).await {
        Ok(_) => Ok(back(&ctx, "invited")),
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            let status = errors.status();
            let mut res = page_with_invite(&ctx, None, None, None, form, errors).await?;
            *res.status_mut() = status;
            Ok(res)
        }
    }
}
