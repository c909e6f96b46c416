//! `/ports/{port}/clients/{id}`: the client page.
//!
//! The page is a header and a set of panels. [`panels`] returns this
//! module's panels (overview, contacts, relationships, activity), each
//! rendered HTML with the column it goes in; other parts of the product add
//! theirs with one line there. The contacts and relationships panels are also
//! the htmx fragments their inline forms swap, so one template draws both.

use super::contacts::{self, Contact, ContactPatch, NewContact};
use super::model::{Client, find, parse_id};
use super::relationships::{self, NewRelationship, Relationship};
use crate::access::{self, Access, PortCtx, Routes};
use crate::audit::Timeline;
use crate::auth::csrf::CsrfForm;
use crate::db::PortTx;
use crate::http::{Error, Result};
use crate::web::form::FormErrors;
use crate::web::render;
use crate::web::shell::{Section, Shell};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::clients::{ContactMethod, ProxyType, RelationshipType, Source};
use domain::contacts::Channel;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::str::FromStr;
use uuid::Uuid;

const PAGE: &str = "/ports/{port}/clients/{id}";

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(PAGE, Access::Port("clients.view"), show)
        .post(
            "/ports/{port}/clients/{id}/archive",
            Access::Port("clients.delete"),
            archive,
        )
        .post(
            "/ports/{port}/clients/{id}/restore",
            Access::Port("clients.delete"),
            restore,
        )
        .post(
            "/ports/{port}/clients/{id}/contacts",
            Access::Port("clients.edit"),
            add_contact,
        )
        .post(
            "/ports/{port}/clients/{id}/contacts/{contact_id}",
            Access::Port("clients.edit"),
            edit_contact,
        )
        .post(
            "/ports/{port}/clients/{id}/contacts/{contact_id}/delete",
            Access::Port("clients.edit"),
            delete_contact,
        )
        .post(
            "/ports/{port}/clients/{id}/relationships",
            Access::Port("clients.edit"),
            add_relationship,
        )
        .post(
            "/ports/{port}/clients/{id}/relationships/{rel_id}/delete",
            Access::Port("clients.edit"),
            delete_relationship,
        )
        .get(
            "/ports/{port}/clients/{id}/picker",
            Access::Port("clients.view"),
            picker,
        )
}

/// Where a panel goes on the client page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Main,
    Side,
}

/// One block of the client page: its HTML, already rendered, and its column.
#[derive(Debug, Clone)]
pub struct Panel {
    pub html: String,
    pub column: Column,
}

impl Panel {
    pub fn main(html: String) -> Panel {
        Panel {
            html,
            column: Column::Main,
        }
    }

    pub fn side(html: String) -> Panel {
        Panel {
            html,
            column: Column::Side,
        }
    }
}

fn html(t: &impl Template) -> Result<String> {
    Ok(render(t)?.0)
}

/// The panels of the client page in their order. Another part adds its own
/// with one line here, e.g. `out.push(crate::tags::client_panel(&mut **tx, ctx, client_id).await?);`.
pub async fn panels(tx: &mut PortTx, ctx: &PortCtx, client_id: Uuid) -> Result<Vec<Panel>> {
    let client = find(&mut *tx, client_id).await?;
    let mut out = vec![
        Panel::main(super::duplicates::client_banner(tx, ctx, client_id).await?),
        Panel::main(html(&Overview::of(ctx, &client))?),
    ];
    out.push(Panel::side(html(
        &ContactsPanel::load(
            tx,
            ctx,
            client_id,
            ContactForm::default(),
            FormErrors::none(),
        )
        .await?,
    )?));
    out.push(Panel::main(html(
        &RelationshipsPanel::load(tx, ctx, client_id, RelForm::default(), FormErrors::none())
            .await?,
    )?));
    out.push(Panel::side(
        crate::tags::client_panel(tx, ctx, client_id).await?,
    ));
    out.push(Panel::side(
        crate::custom_fields::client_panel(tx, ctx, client_id).await?,
    ));
    out.push(Panel::main(
        crate::interests::client_panel(tx, ctx, client_id).await?,
    ));
    out.push(Panel::main(
        crate::notes::client_panel(tx, ctx, client_id).await?,
    ));
    out.push(Panel::side(
        crate::scratchpad::client_panel(tx, ctx, client_id).await?,
    ));
    out.push(Panel::side(
        crate::waiting_list::client_panel::client_panel(tx, ctx, client_id).await?,
    ));
    out.push(Panel::main(html(
        &ActivityPanel::load(tx, ctx, client_id).await?,
    )?));
    Ok(out)
}

/// A dimension in both units: "30.48 m · 100 ft".
pub fn both_units(m: Option<Decimal>, ft: Option<Decimal>) -> Option<String> {
    match (m, ft) {
        (Some(m), Some(ft)) => Some(format!("{} m · {} ft", m.normalize(), ft.normalize())),
        (Some(m), None) => Some(format!("{} m", m.normalize())),
        (None, Some(ft)) => Some(format!("{} ft", ft.normalize())),
        (None, None) => None,
    }
}

#[derive(Template)]
#[template(path = "clients/overview.html")]
struct Overview {
    slug: String,
    id: Uuid,
    yacht_name: Option<String>,
    length: Option<String>,
    width: Option<String>,
    draft: Option<String>,
    berth_size_desired: Option<String>,
    contact_method: Option<&'static str>,
    language: Option<String>,
    timezone: Option<String>,
    source: Option<&'static str>,
    source_details: Option<String>,
    nationality: Option<String>,
    relationship_notes: Option<String>,
    can_edit: bool,
}

impl Overview {
    fn of(ctx: &PortCtx, c: &Client) -> Overview {
        Overview {
            slug: ctx.port.slug.clone(),
            id: c.id,
            yacht_name: c.yacht_name.clone(),
            length: both_units(c.yacht_length_m, c.yacht_length_ft),
            width: both_units(c.yacht_width_m, c.yacht_width_ft),
            draft: both_units(c.yacht_draft_m, c.yacht_draft_ft),
            berth_size_desired: c.berth_size_desired.clone(),
            contact_method: c
                .preferred_contact_method
                .as_deref()
                .and_then(|m| ContactMethod::from_str(m).ok())
                .map(ContactMethod::label),
            language: c.preferred_language.clone(),
            timezone: c.timezone.clone(),
            source: c
                .source
                .as_deref()
                .and_then(|s| Source::from_str(s).ok())
                .map(Source::label),
            source_details: c.source_details.clone(),
            nationality: c.nationality.clone(),
            relationship_notes: c.relationship_notes.clone(),
            can_edit: ctx.can("clients.edit"),
        }
    }

    fn has_yacht(&self) -> bool {
        self.yacht_name.is_some()
            || self.length.is_some()
            || self.width.is_some()
            || self.draft.is_some()
    }
}

/// The add-contact form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    channel: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    is_primary: Option<String>,
}

/// A contact being edited inline, with what was typed and what is wrong.
struct Editing {
    id: Uuid,
    form: ContactForm,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "clients/contacts.html")]
struct ContactsPanel {
    slug: String,
    id: Uuid,
    csrf: String,
    contacts: Vec<Contact>,
    channels: Vec<(&'static str, &'static str)>,
    form: ContactForm,
    errors: FormErrors,
    editing: Option<Editing>,
    can_edit: bool,
}

impl ContactsPanel {
    async fn load(
        tx: &mut PortTx,
        ctx: &PortCtx,
        id: Uuid,
        form: ContactForm,
        errors: FormErrors,
    ) -> Result<ContactsPanel> {
        Ok(ContactsPanel {
            slug: ctx.port.slug.clone(),
            id,
            csrf: ctx.user.csrf_token(),
            contacts: contacts::of_client(&mut *tx, id).await?,
            channels: Channel::ALL
                .iter()
                .map(|c| (c.as_str(), c.label()))
                .collect(),
            form,
            errors,
            editing: None,
            can_edit: ctx.can("clients.edit"),
        })
    }

    fn is_editing(&self, id: &Uuid) -> bool {
        self.editing.as_ref().is_some_and(|e| e.id == *id)
    }
}

/// The add-relationship form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RelForm {
    #[serde(default)]
    client_b_id: String,
    #[serde(default)]
    relationship_type: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "clients/relationships.html")]
struct RelationshipsPanel {
    slug: String,
    id: Uuid,
    csrf: String,
    rows: Vec<Relationship>,
    types: Vec<(&'static str, &'static str)>,
    form: RelForm,
    errors: FormErrors,
    can_edit: bool,
}

impl RelationshipsPanel {
    async fn load(
        tx: &mut PortTx,
        ctx: &PortCtx,
        id: Uuid,
        form: RelForm,
        errors: FormErrors,
    ) -> Result<RelationshipsPanel> {
        Ok(RelationshipsPanel {
            slug: ctx.port.slug.clone(),
            id,
            csrf: ctx.user.csrf_token(),
            rows: relationships::of_client(&mut *tx, id).await?,
            types: RelationshipType::ALL
                .iter()
                .map(|t| (t.as_str(), t.label()))
                .collect(),
            form,
            errors,
            can_edit: ctx.can("clients.edit"),
        })
    }
}

/// Entries shown on the page; the API pages through the rest.
const ACTIVITY: i64 = 25;

#[derive(Template)]
#[template(path = "clients/activity.html")]
struct ActivityPanel {
    timeline: Timeline,
    more: bool,
    audit_link: Option<String>,
}

impl ActivityPanel {
    async fn load(tx: &mut PortTx, ctx: &PortCtx, id: Uuid) -> Result<ActivityPanel> {
        let rows = super::timeline::fetch(&mut *tx, id, None, ACTIVITY + 1).await?;
        let more = rows.len() as i64 > ACTIVITY;
        let items: Vec<_> = rows
            .iter()
            .take(ACTIVITY as usize)
            .map(|r| r.item())
            .collect();
        let tz = crate::audit::list::zone_of(ctx);
        Ok(ActivityPanel {
            timeline: Timeline::new(&items, chrono::Utc::now(), tz),
            more,
            audit_link: ctx.can("audit.view").then(|| {
                format!(
                    "/ports/{}/audit?entity_type=client&entity_id={id}",
                    ctx.port.slug
                )
            }),
        })
    }
}

#[derive(Template)]
#[template(path = "clients/show.html")]
struct ShowPage {
    shell: Shell,
    slug: String,
    c: Client,
    proxy_line: Option<String>,
    main: Vec<String>,
    side: Vec<String>,
    can_edit: bool,
    can_delete: bool,
    script: &'static str,
}

/// "Broker for Sofia Moreau", "Proxy for an undisclosed owner".
pub fn proxy_line(c: &Client) -> Option<String> {
    if !c.is_proxy {
        return None;
    }
    let role = c
        .proxy_type
        .as_deref()
        .and_then(|t| ProxyType::from_str(t).ok())
        .map_or("Proxy", ProxyType::label);
    Some(match &c.actual_owner_name {
        Some(owner) => format!("{role} for {owner}"),
        None => format!("{role} for an undisclosed owner"),
    })
}

/// `GET /ports/{port}/clients/{id}`
async fn show(ctx: PortCtx, Path((_, id)): Path<(String, String)>) -> Result<Response> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    let c = find(&mut tx, id).await?;
    let all = panels(&mut tx, &ctx, id).await?;
    tx.commit().await?;
    let (main, side): (Vec<Panel>, Vec<Panel>) =
        all.into_iter().partition(|p| p.column == Column::Main);
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    let page = ShowPage {
        shell: Shell::for_ctx(&c.full_name, Section::Clients, &ctx, &ports),
        slug: ctx.port.slug.clone(),
        proxy_line: proxy_line(&c),
        c,
        main: main.into_iter().map(|p| p.html).collect(),
        side: side.into_iter().map(|p| p.html).collect(),
        can_edit: ctx.can("clients.edit"),
        can_delete: ctx.can("clients.delete"),
        script: crate::web::assets::url::CLIENTS_JS,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize)]
struct Empty {}

async fn archive(
    ctx: PortCtx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    super::write::set_archived(&ctx, id, true).await?;
    Ok(Redirect::to(&format!("/ports/{slug}/clients/{id}")).into_response())
}

async fn restore(
    ctx: PortCtx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    super::write::set_archived(&ctx, id, false).await?;
    Ok(Redirect::to(&format!("/ports/{slug}/clients/{id}")).into_response())
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request")
}

fn blank(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// The contacts panel again, for htmx; a plain form post goes back to the page.
async fn contacts_answer(
    ctx: &PortCtx,
    headers: &HeaderMap,
    id: Uuid,
    form: ContactForm,
    errors: FormErrors,
    editing: Option<Editing>,
) -> Result<Response> {
    let status = editing
        .as_ref()
        .map_or(errors.status(), |e| e.errors.status());
    if !is_htmx(headers) && status.is_success() {
        return Ok(Redirect::to(&format!("/ports/{}/clients/{id}", ctx.port.slug)).into_response());
    }
    let mut tx = ctx.begin().await?;
    let mut panel = ContactsPanel::load(&mut tx, ctx, id, form, errors).await?;
    tx.commit().await?;
    panel.editing = editing;
    Ok((status, Html(html(&panel)?)).into_response())
}

async fn add_contact(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ContactForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let body = NewContact {
        channel: form.channel.clone(),
        value: form.value.clone(),
        label: blank(&form.label),
        notes: blank(&form.notes),
        is_primary: Some(form.is_primary.is_some()),
    };
    match contacts::add(&ctx, id, body).await {
        Ok(_) => {
            contacts_answer(
                &ctx,
                &headers,
                id,
                ContactForm::default(),
                FormErrors::none(),
                None,
            )
            .await
        }
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            contacts_answer(&ctx, &headers, id, form, errors, None).await
        }
    }
}

/// Saves a contact's inline form; a refusal reopens that form with the errors.
async fn edit_contact(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id, contact_id)): Path<(String, String, String)>,
    CsrfForm(form): CsrfForm<ContactForm>,
) -> Result<Response> {
    let (id, contact_id) = (parse_id(&id)?, parse_id(&contact_id)?);
    let patch = ContactPatch {
        value: Some(form.value.clone()),
        label: Some(blank(&form.label)),
        notes: Some(blank(&form.notes)),
        is_primary: form.is_primary.as_ref().map(|_| true),
    };
    match contacts::change(&ctx, id, contact_id, patch).await {
        Ok(_) => {
            contacts_answer(
                &ctx,
                &headers,
                id,
                ContactForm::default(),
                FormErrors::none(),
                None,
            )
            .await
        }
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            let editing = Editing {
                id: contact_id,
                form,
                errors,
            };
            contacts_answer(
                &ctx,
                &headers,
                id,
                ContactForm::default(),
                FormErrors::none(),
                Some(editing),
            )
            .await
        }
    }
}

async fn delete_contact(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id, contact_id)): Path<(String, String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let (id, contact_id) = (parse_id(&id)?, parse_id(&contact_id)?);
    contacts::remove(&ctx, id, contact_id).await?;
    contacts_answer(
        &ctx,
        &headers,
        id,
        ContactForm::default(),
        FormErrors::none(),
        None,
    )
    .await
}

async fn relationships_answer(
    ctx: &PortCtx,
    headers: &HeaderMap,
    id: Uuid,
    form: RelForm,
    errors: FormErrors,
) -> Result<Response> {
    if !is_htmx(headers) && errors.is_empty() {
        return Ok(Redirect::to(&format!("/ports/{}/clients/{id}", ctx.port.slug)).into_response());
    }
    let status = errors.status();
    let mut tx = ctx.begin().await?;
    let panel = RelationshipsPanel::load(&mut tx, ctx, id, form, errors).await?;
    tx.commit().await?;
    Ok((status, Html(html(&panel)?)).into_response())
}

async fn add_relationship(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<RelForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    if form.client_b_id.trim().is_empty() {
        let errors = FormErrors::one("client_b_id", "Search for a client and pick one.");
        return relationships_answer(&ctx, &headers, id, form, errors).await;
    }
    let body = NewRelationship {
        client_b_id: form.client_b_id.clone(),
        relationship_type: form.relationship_type.clone(),
        description: blank(&form.description),
    };
    match relationships::add(&ctx, id, body).await {
        Ok(_) => {
            relationships_answer(&ctx, &headers, id, RelForm::default(), FormErrors::none()).await
        }
        // The other client of another port looks missing: say so beside the picker.
        Err(Error::NotFound) => {
            let errors = FormErrors::one("client_b_id", "That client was not found.");
            relationships_answer(&ctx, &headers, id, form, errors).await
        }
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            relationships_answer(&ctx, &headers, id, form, errors).await
        }
    }
}

async fn delete_relationship(
    ctx: PortCtx,
    headers: HeaderMap,
    Path((_, id, rel_id)): Path<(String, String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let (id, rel_id) = (parse_id(&id)?, parse_id(&rel_id)?);
    relationships::remove(&ctx, id, rel_id).await?;
    relationships_answer(&ctx, &headers, id, RelForm::default(), FormErrors::none()).await
}

#[derive(Deserialize)]
struct PickerQuery {
    #[serde(default)]
    q: String,
}

pub struct Candidate {
    pub id: Uuid,
    pub full_name: String,
    pub company_name: Option<String>,
}

#[derive(Template)]
#[template(path = "clients/picker.html")]
struct Picker {
    candidates: Vec<Candidate>,
    q: String,
}

/// `GET /ports/{port}/clients/{id}/picker?q=`: up to 8 other clients whose
/// name or company matches, as radio buttons for the relationship form.
async fn picker(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    Query(q): Query<PickerQuery>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let term = q.q.trim().to_owned();
    let mut tx = ctx.begin().await?;
    find(&mut tx, id).await?;
    let candidates = if term.chars().count() < 2 {
        Vec::new()
    } else {
        let like = crate::db::like::contains(&term);
        sqlx::query_as!(
            Candidate,
            "SELECT id, full_name, company_name FROM clients
             WHERE port_id = app_port_id() AND id <> $1 AND archived_at IS NULL
               AND (full_name ILIKE $2 OR company_name ILIKE $2)
             ORDER BY full_name, id LIMIT 8",
            id,
            like
        )
        .fetch_all(&mut *tx)
        .await?
    };
    tx.commit().await?;
    Ok(Html(html(&Picker {
        candidates,
        q: term,
    })?)
    .into_response())
}
