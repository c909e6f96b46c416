//! `/ports/{port}/clients/new` and `/ports/{port}/clients/{id}/edit`: one
//! form in grouped sections, validated by the same rules as the API, each
//! error beside its field, what was typed kept.

use super::contacts::NewContact;
use super::fields::Patch;
use super::model::{Client, find, parse_id};
use super::write::{self, NewClient};
use crate::access::{self, Access, PortCtx, Routes};
use crate::auth::csrf::CsrfForm;
use crate::http::Result;
use crate::http::error::FieldErrors;
use crate::web::form::FormErrors;
use crate::web::render;
use crate::web::shell::{Section, Shell};
use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use domain::clients::{ContactMethod, ProxyType, Source};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::str::FromStr;
use uuid::Uuid;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get(
            "/ports/{port}/clients/new",
            Access::Port("clients.create"),
            new_form,
        )
        .post(
            "/ports/{port}/clients/new",
            Access::Port("clients.create"),
            create,
        )
        .get(
            "/ports/{port}/clients/{id}/edit",
            Access::Port("clients.edit"),
            edit_form,
        )
        .post(
            "/ports/{port}/clients/{id}/edit",
            Access::Port("clients.edit"),
            save,
        )
}

/// The form as typed: every field a string, as a browser sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ClientForm {
    full_name: String,
    company_name: String,
    nationality: String,
    is_proxy: Option<String>,
    proxy_type: String,
    actual_owner_name: String,
    relationship_notes: String,
    yacht_name: String,
    yacht_length_ft: String,
    yacht_length_m: String,
    yacht_width_ft: String,
    yacht_width_m: String,
    yacht_draft_ft: String,
    yacht_draft_m: String,
    berth_size_desired: String,
    preferred_contact_method: String,
    preferred_language: String,
    timezone: String,
    source: String,
    source_details: String,
    /// The first contacts, on the new-client form only.
    email: String,
    phone: String,
}

fn shown(d: Option<Decimal>) -> String {
    d.map(|d| d.normalize().to_string()).unwrap_or_default()
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

impl ClientForm {
    fn of(c: &Client) -> ClientForm {
        ClientForm {
            full_name: c.full_name.clone(),
            company_name: opt(&c.company_name),
            nationality: opt(&c.nationality),
            is_proxy: c.is_proxy.then(|| "1".to_owned()),
            proxy_type: opt(&c.proxy_type),
            actual_owner_name: opt(&c.actual_owner_name),
            relationship_notes: opt(&c.relationship_notes),
            yacht_name: opt(&c.yacht_name),
            yacht_length_ft: shown(c.yacht_length_ft),
            yacht_length_m: shown(c.yacht_length_m),
            yacht_width_ft: shown(c.yacht_width_ft),
            yacht_width_m: shown(c.yacht_width_m),
            yacht_draft_ft: shown(c.yacht_draft_ft),
            yacht_draft_m: shown(c.yacht_draft_m),
            berth_size_desired: opt(&c.berth_size_desired),
            preferred_contact_method: opt(&c.preferred_contact_method),
            preferred_language: opt(&c.preferred_language),
            timezone: opt(&c.timezone),
            source: opt(&c.source),
            source_details: opt(&c.source_details),
            email: String::new(),
            phone: String::new(),
        }
    }

    fn is_proxy(&self) -> bool {
        self.is_proxy.is_some()
    }

    /// The patch this form asks for, compared with `stored` (the client as it
    /// is, or an empty one for a new client). Of a ft|m pair only the unit the
    /// user changed is sent, so the other is computed rather than compared
    /// with its stale value; numbers that do not parse are named.
    fn patch(&self, stored: &ClientForm) -> Result<Patch, FieldErrors> {
        let mut errors = FieldErrors::new();
        let text = |s: &str| Some(Some(s.trim().to_owned()).filter(|s| !s.is_empty()));
        let mut num = |field: &str, s: &str| -> Option<Option<Decimal>> {
            let t = s.trim().replace(',', ".");
            if t.is_empty() {
                return Some(None);
            }
            match Decimal::from_str(&t) {
                Ok(d) => Some(Some(d)),
                Err(_) => {
                    errors.insert(
                        field.to_owned(),
                        vec!["Enter a number, such as 12.5.".into()],
                    );
                    None
                }
            }
        };
        let mut pair = |name: &str, ft: &str, m: &str, old_ft: &str, old_m: &str| {
            let (ft_changed, m_changed) = (ft.trim() != old_ft, m.trim() != old_m);
            let ft_v = num(&format!("yacht_{name}_ft"), ft);
            let m_v = num(&format!("yacht_{name}_m"), m);
            match (ft_changed, m_changed) {
                (false, false) => (None, None),
                (true, false) => (ft_v, None),
                (false, true) => (None, m_v),
                (true, true) => (ft_v, m_v),
            }
        };
        let (length_ft, length_m) = pair(
            "length",
            &self.yacht_length_ft,
            &self.yacht_length_m,
            &stored.yacht_length_ft,
            &stored.yacht_length_m,
        );
        let (width_ft, width_m) = pair(
            "width",
            &self.yacht_width_ft,
            &self.yacht_width_m,
            &stored.yacht_width_ft,
            &stored.yacht_width_m,
        );
        let (draft_ft, draft_m) = pair(
            "draft",
            &self.yacht_draft_ft,
            &self.yacht_draft_m,
            &stored.yacht_draft_ft,
            &stored.yacht_draft_m,
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        // A proxy's details go only with the box ticked; unticked clears them.
        let proxy = self.is_proxy();
        Ok(Patch {
            full_name: Some(Some(self.full_name.clone())),
            company_name: text(&self.company_name),
            nationality: text(&self.nationality),
            is_proxy: Some(Some(proxy)),
            proxy_type: if proxy {
                text(&self.proxy_type)
            } else {
                Some(None)
            },
            actual_owner_name: if proxy {
                text(&self.actual_owner_name)
            } else {
                Some(None)
            },
            relationship_notes: text(&self.relationship_notes),
            yacht_name: text(&self.yacht_name),
            yacht_length_ft: length_ft,
            yacht_length_m: length_m,
            yacht_width_ft: width_ft,
            yacht_width_m: width_m,
            yacht_draft_ft: draft_ft,
            yacht_draft_m: draft_m,
            berth_size_desired: text(&self.berth_size_desired),
            preferred_contact_method: text(&self.preferred_contact_method),
            preferred_language: text(&self.preferred_language),
            timezone: text(&self.timezone),
            source: text(&self.source),
            source_details: text(&self.source_details),
        })
    }
}

#[derive(Template)]
#[template(path = "clients/form.html")]
struct FormPage {
    shell: Shell,
    slug: String,
    /// `None` on the new-client form.
    client_id: Option<Uuid>,
    form: ClientForm,
    errors: FormErrors,
    proxy_types: Vec<(&'static str, &'static str)>,
    methods: Vec<(&'static str, &'static str)>,
    sources: Vec<(&'static str, &'static str)>,
    timezones: Vec<&'static str>,
    script: &'static str,
}

impl FormPage {
    fn action(&self) -> String {
        match self.client_id {
            Some(id) => format!("/ports/{}/clients/{id}/edit", self.slug),
            None => format!("/ports/{}/clients/new", self.slug),
        }
    }

    fn cancel(&self) -> String {
        match self.client_id {
            Some(id) => format!("/ports/{}/clients/{id}", self.slug),
            None => format!("/ports/{}/clients", self.slug),
        }
    }
}

async fn page(
    ctx: &PortCtx,
    client_id: Option<Uuid>,
    title: &str,
    form: ClientForm,
    errors: FormErrors,
) -> Result<Response> {
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    let status = errors.status();
    let html = render(&FormPage {
        shell: Shell::for_ctx(title, Section::Clients, ctx, &ports),
        slug: ctx.port.slug.clone(),
        client_id,
        form,
        errors,
        proxy_types: ProxyType::ALL
            .iter()
            .map(|t| (t.as_str(), t.label()))
            .collect(),
        methods: ContactMethod::ALL
            .iter()
            .map(|t| (t.as_str(), t.label()))
            .collect(),
        sources: Source::ALL
            .iter()
            .map(|t| (t.as_str(), t.label()))
            .collect(),
        timezones: chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect(),
        script: crate::web::assets::url::CLIENTS_JS,
    })?;
    Ok((status, html).into_response())
}

/// `GET /ports/{port}/clients/new`
async fn new_form(ctx: PortCtx) -> Result<Response> {
    page(
        &ctx,
        None,
        "New client",
        ClientForm::default(),
        FormErrors::none(),
    )
    .await
}

/// `POST /ports/{port}/clients/new`: the client and its first e-mail and phone.
async fn create(ctx: PortCtx, CsrfForm(form): CsrfForm<ClientForm>) -> Result<Response> {
    let fields = match form.patch(&ClientForm::default()) {
        Ok(p) => p,
        Err(e) => return page(&ctx, None, "New client", form, errors_of(e)).await,
    };
    let mut contacts = Vec::new();
    for (channel, value) in [("email", &form.email), ("phone", &form.phone)] {
        if !value.trim().is_empty() {
            contacts.push(NewContact {
                channel: channel.into(),
                value: value.clone(),
                ..Default::default()
            });
        }
    }
    // The form's inputs are named `email` and `phone`: map the API's
    // `contacts[i].value` back onto them.
    let names: Vec<&str> = contacts
        .iter()
        .map(|c| {
            if c.channel == "email" {
                "email"
            } else {
                "phone"
            }
        })
        .collect();
    match write::create(&ctx, NewClient { fields, contacts }).await {
        Ok(out) => Ok(Redirect::to(&format!(
            "/ports/{}/clients/{}",
            ctx.port.slug, out.client.id
        ))
        .into_response()),
        Err(e) => {
            let errors = match FormErrors::from_error(e)? {
                errors if errors.is_empty() => errors,
                errors => rename_contacts(errors, &names),
            };
            page(&ctx, None, "New client", form, errors).await
        }
    }
}

fn errors_of(fields: FieldErrors) -> FormErrors {
    FormErrors::from_error(crate::http::Error::Unprocessable(fields)).unwrap_or_default()
}

/// `contacts[0].value` → `email` (or `phone`), as the form names its inputs.
fn rename_contacts(errors: FormErrors, names: &[&str]) -> FormErrors {
    let mut out = FieldErrors::new();
    for (i, name) in names.iter().enumerate() {
        if let Some(m) = errors.get(&format!("contacts[{i}].value")) {
            out.insert((*name).to_owned(), vec![m]);
        }
    }
    if out.is_empty() {
        return errors;
    }
    for field in [
        "full_name",
        "company_name",
        "nationality",
        "is_proxy",
        "proxy_type",
        "actual_owner_name",
        "relationship_notes",
        "yacht_name",
        "yacht_length_ft",
        "yacht_length_m",
        "yacht_width_ft",
        "yacht_width_m",
        "yacht_draft_ft",
        "yacht_draft_m",
        "berth_size_desired",
        "preferred_contact_method",
        "preferred_language",
        "timezone",
        "source",
        "source_details",
        "form",
    ] {
        if let Some(m) = errors.get(field) {
            out.insert(field.to_owned(), vec![m]);
        }
    }
    errors_of(out)
}

/// `GET /ports/{port}/clients/{id}/edit`
async fn edit_form(ctx: PortCtx, Path((_, id)): Path<(String, String)>) -> Result<Response> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    let c = find(&mut tx, id).await?;
    tx.commit().await?;
    let title = format!("Edit {}", c.full_name);
    page(
        &ctx,
        Some(id),
        &title,
        ClientForm::of(&c),
        FormErrors::none(),
    )
    .await
}

/// `POST /ports/{port}/clients/{id}/edit`
async fn save(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ClientForm>,
) -> Result<Response> {
    let id = parse_id(&id)?;
    let mut tx = ctx.begin().await?;
    let c = find(&mut tx, id).await?;
    tx.commit().await?;
    let title = format!("Edit {}", c.full_name);
    let patch = match form.patch(&ClientForm::of(&c)) {
        Ok(p) => p,
        Err(e) => return page(&ctx, Some(id), &title, form, errors_of(e)).await,
    };
    match write::update(&ctx, id, patch).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/ports/{}/clients/{id}", ctx.port.slug)).into_response())
        }
        Err(e) => {
            let errors = FormErrors::from_error(e)?;
            page(&ctx, Some(id), &title, form, errors).await
        }
    }
}
