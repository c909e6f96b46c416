//! `GET /ports/{port}/audit`: the port's audit log as a dense table with
//! filters in the URL, "Load more" swapping in the next rows, and a Revert
//! button on each field change the user may undo.

use super::kinds::{self, KINDS, PROTECTED_COLUMNS};
use super::list::{self, LogRow, RawFilters};
use super::present::{Shown, When};
use super::revert::{self, Refusal};
use super::timeline::{self, Timeline};
use super::{Action, Actor};
use crate::access::{self, PortCtx};
use crate::auth::csrf::CsrfForm;
use crate::http::cursor::{self, List};
use crate::http::error::FieldErrors;
use crate::http::{Error, Result};
use crate::ports::Port;
use crate::tags::is_htmx;
use crate::web::render;
use crate::web::shell::{Section, Shell};
use askama::Template;
use axum::extract::{Path, RawQuery};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use chrono_tz::Tz;
use serde::Deserialize;
use uuid::Uuid;

/// Rows per page on the page (the API's default too).
const PAGE_ROWS: i64 = cursor::DEFAULT_LIMIT;
/// Entries of the timeline shown when the page is filtered to one record.
const TIMELINE_ITEMS: i64 = 20;

/// An option of a filter's `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct FilterForm {
    pub values: RawFilters,
    pub errors: FieldErrors,
    pub users: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub actions: Vec<Choice>,
    /// The one record the page is narrowed to, as people read it.
    pub entity: Option<String>,
    /// The page without `entity_id`, for the chip's clear link.
    pub without_entity: String,
}

impl FilterForm {
    pub fn error(&self, field: &str) -> Option<String> {
        self.errors.get(field).map(|m| m.join(" "))
    }

    pub fn value(&self, field: &str) -> &str {
        let v = match field {
            "from" => &self.values.from,
            "to" => &self.values.to,
            "entity_id" => &self.values.entity_id,
            _ => &None,
        };
        v.as_deref().unwrap_or("")
    }
}

/// One row of the table.
pub struct RowView {
    pub id: Uuid,
    pub when: When,
    pub actor: String,
    pub by_system: bool,
    pub action: String,
    pub action_label: String,
    pub entity_label: String,
    /// The first block of the id, enough to tell records apart on the page.
    pub entity_short: Option<String>,
    /// The page narrowed to this record.
    pub entity_href: Option<String>,
    pub field: Option<String>,
    pub old: Option<Shown>,
    pub new: Option<Shown>,
    /// "Reverted by Dana Director 2 hours ago".
    pub reverted: Option<String>,
    /// A field change that can still be undone.
    pub revertable: bool,
    /// The result of a revert just tried on this row (htmx).
    pub outcome: Option<Notice>,
}

/// A message above the table or in a row.
pub struct Notice {
    pub tone: &'static str,
    pub text: String,
}

/// What the rows need, shared by the page and the fragments.
pub struct RowsView {
    pub slug: String,
    pub rows: Vec<RowView>,
    /// The next page's URL.
    pub more: Option<String>,
    pub can_revert: bool,
    pub csrf: String,
    /// The filters as a query string, so a revert comes back to the same view.
    pub back: String,
    /// The icon sprite (fragments have no shell).
    pub icons: &'static str,
}

#[derive(Template)]
#[template(path = "audit/page.html")]
pub struct AuditPage {
    pub shell: Shell,
    pub port: Port,
    pub form: FilterForm,
    pub view: RowsView,
    pub filtered: bool,
    /// A later page, reached without JavaScript.
    pub paged: bool,
    pub notice: Option<Notice>,
    pub timeline: Option<Timeline>,
}

#[derive(Template)]
#[template(path = "audit/rows.html")]
pub struct RowsFragment {
    pub view: RowsView,
}

#[derive(Template)]
#[template(path = "audit/row.html")]
pub struct RowFragment {
    pub view: RowsView,
    pub row: RowView,
}

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    #[serde(flatten)]
    filters: RawFilters,
    cursor: Option<String>,
    notice: Option<String>,
}

fn row_view(r: &LogRow, slug: &str, tz: Tz, now: chrono::DateTime<Utc>) -> RowView {
    let action = Action::parse(&r.action);
    let is_field_change = action == Some(Action::Update) || action == Some(Action::Revert);
    let revertable = action == Some(Action::Update)
        && r.reverted_at.is_none()
        && r.entity_id.is_some()
        && r.field_changed
            .as_deref()
            .is_some_and(|f| !PROTECTED_COLUMNS.contains(&f))
        && kinds::revert_table(&r.entity_type).is_some();
    let entity_href = r.entity_id.map(|id| {
        let narrowed = RawFilters {
            entity_type: Some(r.entity_type.clone()),
            entity_id: Some(id.to_string()),
            ..RawFilters::default()
        };
        format!("/ports/{slug}/audit?{}", narrowed.query_string())
    });
    RowView {
        id: r.id,
        when: When::of(r.created_at, now, tz),
        actor: r.user_name.clone().unwrap_or_else(|| {
            if r.user_id.is_some() {
                "A former user"
            } else {
                "System"
            }
            .to_owned()
        }),
        by_system: r.user_id.is_none(),
        action: r.action.clone(),
        action_label: action.map_or_else(|| kinds::humanize(&r.action), |a| a.label().to_owned()),
        entity_label: kinds::label(&r.entity_type),
        entity_short: r
            .entity_id
            .map(|id| id.simple().to_string()[..8].to_owned()),
        entity_href,
        field: r.field_changed.as_deref().map(kinds::humanize),
        old: is_field_change.then(|| Shown::of(r.old_value.as_ref())),
        new: is_field_change.then(|| Shown::of(r.new_value.as_ref())),
        reverted: r.reverted_at.map(|at| {
            let by = r.reverted_by_name.as_deref().unwrap_or("someone");
            format!("Reverted by {by} {}", When::of(at, now, tz).ago)
        }),
        revertable,
        outcome: None,
    }
}

fn rows_view(ctx: &PortCtx, rows: &[LogRow], next: Option<&str>, filters: &RawFilters) -> RowsView {
    let slug = ctx.port.slug.clone();
    let tz = list::zone_of(ctx);
    let now = Utc::now();
    let back = filters.query_string();
    // A cursor is URL-safe base64: it goes into the link as it is.
    let more = next.map(|c| {
        let sep = if back.is_empty() { "" } else { "&" };
        format!("/ports/{slug}/audit?{back}{sep}cursor={c}")
    });
    RowsView {
        rows: rows.iter().map(|r| row_view(r, &slug, tz, now)).collect(),
        slug,
        more,
        can_revert: ctx.can("audit.revert"),
        csrf: ctx.user.csrf_token(),
        back,
        icons: crate::web::shell::ASSET_URLS.icons,
    }
}

/// The port's members for the user filter, and whoever is selected even if
/// they are not one (a super admin who acted here).
async fn user_choices(ctx: &PortCtx, selected: Option<&str>) -> Result<Vec<Choice>> {
    let members = sqlx::query!(
        r#"SELECT u.id, COALESCE(p.display_name, u.name) AS "name!"
           FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id
           WHERE EXISTS (SELECT 1 FROM user_port_roles upr WHERE upr.user_id = u.id AND upr.port_id = $1)
              OR u.id = $2
           ORDER BY 2, 1"#,
        ctx.port.id,
        selected
    )
    .fetch_all(ctx.state().db.pool())
    .await?;
    Ok(members
        .into_iter()
        .map(|m| Choice {
            selected: selected == Some(m.id.as_str()),
            value: m.id,
            label: m.name,
        })
        .collect())
}

fn kind_choices(selected: Option<&str>) -> Vec<Choice> {
    let mut choices: Vec<Choice> = KINDS
        .iter()
        .map(|k| Choice {
            value: k.name.to_owned(),
            label: k.label.to_owned(),
            selected: selected == Some(k.name),
        })
        .collect();
    // A kind from a link that the list does not name stays selected.
    if let Some(s) = selected.filter(|s| kinds::find(s).is_none()) {
        choices.push(Choice {
            value: s.to_owned(),
            label: kinds::humanize(s),
            selected: true,
        });
    }
    choices
}

fn action_choices(selected: Option<&str>) -> Vec<Choice> {
    Action::ALL
        .iter()
        .filter(|a| !matches!(a, Action::Login | Action::Logout))
        .map(|a| Choice {
            value: a.as_str().to_owned(),
            label: a.label().to_owned(),
            selected: selected == Some(a.as_str()),
        })
        .collect()
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn notice_of(key: Option<&str>) -> Option<Notice> {
    match key? {
        "reverted" => Some(Notice {
            tone: "success",
            text: "Change reverted. The revert is at the top of the log.".to_owned(),
        }),
        other => Refusal::message_for(other).map(|text| Notice {
            tone: "error",
            text: text.to_owned(),
        }),
    }
}

/// `GET /ports/{port}/audit`; with htmx and a cursor, only the next rows.
pub async fn show(ctx: PortCtx, headers: HeaderMap, RawQuery(raw): RawQuery) -> Result<Response> {
    let q: PageQuery = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|_| Error::BadRequest("The address is malformed.".into()))?;
    let tz = list::zone_of(&ctx);
    let after = cursor::after::<list::Key>(q.cursor.as_deref())?;
    let parsed = q.filters.parse(tz);

    let mut tx = ctx.begin().await?;
    let rows = match &parsed {
        Ok(f) => list::page(&mut tx, ctx.port.id, f, after, PAGE_ROWS).await?,
        // Wrong filters are shown next to their fields, with no rows rather
        // than rows the user did not ask for.
        Err(_) => List::whole(Vec::new()),
    };
    let entity = match &parsed {
        Ok(f) => f.entity_type.as_deref().zip(f.entity_id),
        Err(_) => None,
    };
    let items = match entity {
        Some((kind, id)) if after.is_none() => {
            Some(timeline::timeline(&mut tx, kind, id, TIMELINE_ITEMS).await?)
        }
        _ => None,
    };
    tx.commit().await?;

    let view = rows_view(&ctx, &rows.data, rows.next_cursor.as_deref(), &q.filters);
    if is_htmx(&headers) && after.is_some() {
        let mut res = render(&RowsFragment { view })?.into_response();
        res.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("HX-Request"));
        return Ok(res);
    }

    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    let shell = Shell::for_ctx("Audit log", Section::Audit, &ctx, &ports);
    let values = q.filters.clone();
    let without_entity = RawFilters {
        entity_id: None,
        ..values.clone()
    }
    .query_string();
    let form = FilterForm {
        users: user_choices(&ctx, given(&values.user_id)).await?,
        kinds: kind_choices(given(&values.entity_type)),
        actions: action_choices(given(&values.action)),
        entity: given(&values.entity_id).map(|id| {
            let kind = given(&values.entity_type).map_or_else(|| "Record".to_owned(), kinds::label);
            format!("{kind} {}", id.chars().take(8).collect::<String>())
        }),
        without_entity: format!("/ports/{}/audit?{without_entity}", ctx.port.slug),
        errors: parsed.err().unwrap_or_default(),
        values,
    };
    let filtered = !form.values.query_string().is_empty();
    let now = Utc::now();
    let page = AuditPage {
        shell,
        port: ctx.port.clone(),
        filtered,
        paged: after.is_some(),
        notice: notice_of(q.notice.as_deref()),
        timeline: items.map(|items| Timeline::new(&items, now, tz)),
        form,
        view,
    };
    let mut res = render(&page)?.into_response();
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("HX-Request"));
    Ok(res)
}

#[derive(Debug, Deserialize)]
pub struct RevertForm {
    /// The filters the user was looking at.
    #[serde(default)]
    back: String,
}

/// `POST /ports/{port}/audit/{id}/revert` from the page's Revert button:
/// with htmx the row comes back re-rendered with the outcome; without, a
/// redirect to the same view with a message.
pub async fn revert(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<RevertForm>,
) -> Result<Response> {
    let id = Uuid::parse_str(&id).map_err(|_| Error::NotFound)?;
    let mut tx = ctx.begin().await?;
    let outcome = match revert::revert(&mut tx, &Actor::from(&ctx), ctx.port.id, id).await {
        Ok(done) => {
            tx.commit().await?;
            Ok(done)
        }
        Err(r @ (Refusal::NotFound | Refusal::Database(_))) => return Err(r.into()),
        Err(r) => {
            tx.rollback().await?;
            Err(r)
        }
    };
    let key = match &outcome {
        Ok(_) => "reverted",
        Err(r) => r.key(),
    };

    // Only known filters travel back, re-encoded: `back` cannot steer the redirect.
    let filters: RawFilters = serde_urlencoded::from_str(&form.back).unwrap_or_default();
    if !is_htmx(&headers) {
        let mut query = filters.query_string();
        if !query.is_empty() {
            query.push('&');
        }
        return Ok(Redirect::to(&format!(
            "/ports/{}/audit?{query}notice={key}",
            ctx.port.slug
        ))
        .into_response());
    }

    let mut tx = ctx.begin().await?;
    let row = list::one(&mut tx, ctx.port.id, id)
        .await?
        .ok_or(Error::NotFound)?;
    tx.commit().await?;
    let view = rows_view(&ctx, &[], None, &filters);
    let mut row = row_view(&row, &ctx.port.slug, list::zone_of(&ctx), Utc::now());
    row.outcome = match outcome {
        Ok(done) => Some(Notice {
            tone: "success",
            text: format!(
                "Reverted: {} is “{}” again.",
                kinds::humanize(&done.field_changed),
                Shown::of(Some(&done.new_value)).text
            ),
        }),
        Err(_) => notice_of(Some(key)),
    };
    Ok(render(&RowFragment { view, row })?.into_response())
}
