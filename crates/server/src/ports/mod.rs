//! Ports: the marinas, each a tenant that sees only its own rows.

mod api;
mod page;

pub use api::{PortOut, PortPatch, routes};

use crate::http::error::{Error, FieldErrors, on_constraint};
use chrono_tz::Tz;
use domain::ports::{Slug, parse_currency, parse_name};
use serde::Serialize;
use sqlx::PgExecutor;
use std::str::FromStr;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct Port {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub timezone: String,
    pub default_currency: String,
    /// The brand colour the pages use as their accent, `#rrggbb`.
    pub primary_color: Option<String>,
}

/// A port as requested, before validation.
#[derive(Debug, Clone)]
pub struct NewPort {
    pub name: String,
    pub slug: String,
    pub timezone: String,
    pub default_currency: String,
}

struct ValidPort {
    name: String,
    slug: Slug,
    timezone: Tz,
    currency: String,
}

impl NewPort {
    /// Every field checked at once, so the caller learns all that is wrong.
    fn validate(&self) -> Result<ValidPort, Error> {
        let mut errors = FieldErrors::new();
        let mut note =
            |field: &str, msg: String| errors.entry(field.to_owned()).or_default().push(msg);
        let name = parse_name(&self.name)
            .map_err(|e| note("name", e.to_string()))
            .ok();
        let slug = Slug::parse(&self.slug)
            .map_err(|e| note("slug", e.to_string()))
            .ok();
        let timezone = Tz::from_str(self.timezone.trim())
            .map_err(|_| {
                note(
                    "timezone",
                    format!(
                        "`{}` is not an IANA time zone such as America/Anguilla",
                        self.timezone
                    ),
                )
            })
            .ok();
        let currency = parse_currency(&self.default_currency)
            .map_err(|e| note("default_currency", e.to_string()))
            .ok();
        match (name, slug, timezone, currency) {
            (Some(name), Some(slug), Some(timezone), Some(currency)) => Ok(ValidPort {
                name,
                slug,
                timezone,
                currency,
            }),
            _ => Err(Error::Unprocessable(errors)),
        }
    }
}

/// Creates a port; a slug already taken answers 409.
pub async fn create<'e>(exec: impl PgExecutor<'e>, new: &NewPort) -> Result<Port, Error> {
    let valid = new.validate()?;
    let port = sqlx::query_as!(
        Port,
        "INSERT INTO ports (name, slug, timezone, default_currency) VALUES ($1, $2, $3, $4)
         RETURNING id, name, slug, timezone, default_currency, primary_color",
        valid.name,
        valid.slug.as_str(),
        valid.timezone.name(),
        valid.currency,
    )
    .fetch_one(exec)
    .await
    .map_err(on_constraint(
        "ports_slug_key",
        "A port with this slug already exists.",
    ))?;
    Ok(port)
}

pub async fn find_by_slug<'e>(
    exec: impl PgExecutor<'e>,
    slug: &str,
) -> Result<Option<Port>, sqlx::Error> {
    sqlx::query_as!(
        Port,
        "SELECT id, name, slug, timezone, default_currency, primary_color FROM ports WHERE slug = $1",
        slug
    )
    .fetch_optional(exec)
    .await
}

/// An active port by slug; an inactive one is as good as missing.
pub async fn find_active_by_slug<'e>(
    exec: impl PgExecutor<'e>,
    slug: &str,
) -> Result<Option<Port>, sqlx::Error> {
    sqlx::query_as!(
        Port,
        "SELECT id, name, slug, timezone, default_currency, primary_color FROM ports WHERE slug = $1 AND is_active",
        slug
    )
    .fetch_optional(exec)
    .await
}

/// Every active port, for pages and the command line (ports have no row-level
/// security: the list of marinas is not tenant data).
pub async fn list_active<'e>(exec: impl PgExecutor<'e>) -> Result<Vec<Port>, sqlx::Error> {
    sqlx::query_as!(
        Port,
        "SELECT id, name, slug, timezone, default_currency, primary_color FROM ports WHERE is_active ORDER BY name"
    )
    .fetch_all(exec)
    .await
}
