//! `/api/v1/ports`: the user's ports, creating one (super admins), reading and
//! changing one (`settings.edit`; its slug and whether it is active only by
//! super admins, since either changes every address of the port).

use super::{NewPort, Port, create};
use crate::access::{self, Access, PortCtx, Routes};
use crate::app::AppState;
use crate::audit::{self, Action, Actor, Entry};
use crate::auth::CurrentUser;
use crate::db::act_for_port;
use crate::http::checked::{Checked, nullable, problems};
use crate::http::cursor::List;
use crate::http::error::on_constraint;
use crate::http::{Error, Result};
use crate::web::shell::Accent;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::ports::{Slug, parse_currency, parse_name};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::PgConnection;
use std::str::FromStr;
use uuid::Uuid;

pub fn routes(routes: Routes) -> Routes {
    let routes = routes
        .get("/api/v1/ports", Access::SignedIn, list)
        .post("/api/v1/ports", Access::SuperAdmin, create_port)
        .get("/api/v1/ports/{port}", Access::Member, show)
        .patch(
            "/api/v1/ports/{port}",
            Access::Port("settings.edit"),
            update,
        );
    super::page::routes(routes)
}

/// A port with everything a client may read.
#[derive(Debug, Clone, Serialize)]
pub struct PortOut {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub logo_url: Option<String>,
    pub primary_color: Option<String>,
    pub default_currency: String,
    pub timezone: String,
    pub settings: Value,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn load(conn: &mut PgConnection, id: Uuid) -> Result<PortOut> {
    Ok(sqlx::query_as!(
        PortOut,
        "SELECT id, name, slug, logo_url, primary_color, default_currency, timezone, settings,
                is_active, created_at, updated_at
         FROM ports WHERE id = $1",
        id
    )
    .fetch_one(conn)
    .await?)
}

/// `GET /api/v1/ports`: the ports the user can open.
async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Json<List<Port>>> {
    Ok(Json(List::whole(access::ports_of(&state, &user).await?)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPortBody {
    name: String,
    slug: String,
    #[serde(default = "default_timezone")]
    timezone: String,
    #[serde(default = "default_currency")]
    default_currency: String,
}

fn default_timezone() -> String {
    "America/Anguilla".into()
}

fn default_currency() -> String {
    "USD".into()
}

/// `POST /api/v1/ports` → 201; a slug taken answers 409, bad fields 422.
async fn create_port(
    State(state): State<AppState>,
    user: CurrentUser,
    Checked(body): Checked<NewPortBody>,
) -> Result<Response> {
    let mut tx = state.db.pool().begin().await?;
    let port = create(
        &mut *tx,
        &NewPort {
            name: body.name,
            slug: body.slug,
            timezone: body.timezone,
            default_currency: body.default_currency,
        },
    )
    .await?;
    // The audit row belongs to the new port: written acting for it.
    act_for_port(&mut tx, port.id).await?;
    let out = load(&mut tx, port.id).await?;
    let mut entry = Entry::new(Some(port.id), Action::Create, "port", Some(port.id));
    entry.new = Some(serde_json::to_value(&out).map_err(|e| Error::Internal(e.into()))?);
    audit::record(&mut tx, &Actor::from(&user), entry).await?;
    tx.commit().await?;
    let location = format!("/api/v1/ports/{}", out.slug);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(out),
    )
        .into_response())
}

/// `GET /api/v1/ports/{port}`
async fn show(ctx: PortCtx) -> Result<Json<PortOut>> {
    let mut tx = ctx.begin().await?;
    let out = load(&mut tx, ctx.port.id).await?;
    tx.commit().await?;
    Ok(Json(out))
}

/// A change to a port: only the fields given change; `null` clears the logo
/// or the colour.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub logo_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub primary_color: Option<Option<String>>,
    pub timezone: Option<String>,
    pub default_currency: Option<String>,
    pub settings: Option<Value>,
    pub slug: Option<String>,
    pub is_active: Option<bool>,
}

/// `#rrggbb`, lower-cased; the shorthand `#rgb` is not stored.
fn parse_color(raw: &str) -> Option<String> {
    let s = raw.trim();
    (s.len() == 7 && Accent::parse(s).is_some()).then(|| s.to_ascii_lowercase())
}

fn valid_logo(url: &str) -> bool {
    let web = url.starts_with("https://") || url.starts_with("http://");
    let local = url.starts_with('/') && !url.starts_with("//");
    (web || local) && url.len() <= 2048 && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Checks and applies `patch` to the port of `ctx`, audited field by field;
/// every problem is reported at once. Used by the API and the port page.
pub async fn apply(ctx: &PortCtx, patch: &PortPatch) -> Result<PortOut> {
    if (patch.slug.is_some() || patch.is_active.is_some()) && !ctx.user.is_super_admin {
        return Err(Error::Forbidden);
    }
    let mut wrong: Vec<(String, String)> = Vec::new();
    let mut note = |f: &str, m: String| wrong.push((f.to_owned(), m));
    let name = patch
        .name
        .as_deref()
        .and_then(|n| parse_name(n).map_err(|e| note("name", e.to_string())).ok());
    let slug = patch
        .slug
        .as_deref()
        .and_then(|s| Slug::parse(s).map_err(|e| note("slug", e.to_string())).ok());
    let timezone = patch.timezone.as_deref().and_then(|t| {
        Tz::from_str(t.trim())
            .map_err(|_| {
                note(
                    "timezone",
                    format!("`{t}` is not an IANA time zone such as America/Anguilla"),
                )
            })
            .ok()
    });
    let currency = patch.default_currency.as_deref().and_then(|c| {
        parse_currency(c)
            .map_err(|e| note("default_currency", e.to_string()))
            .ok()
    });
    let color = match &patch.primary_color {
        None => None,
        Some(None) => Some(None),
        Some(Some(c)) if c.trim().is_empty() => Some(None),
        Some(Some(c)) => match parse_color(c) {
            Some(c) => Some(Some(c)),
            None => {
                note(
                    "primary_color",
                    "must be a colour #rrggbb such as #0e7490".into(),
                );
                None
            }
        },
    };
    let logo = match &patch.logo_url {
        None => None,
        Some(None) => Some(None),
        Some(Some(l)) if l.trim().is_empty() => Some(None),
        Some(Some(l)) if valid_logo(l.trim()) => Some(Some(l.trim().to_owned())),
        Some(Some(_)) => {
            note(
                "logo_url",
                "must be an http(s) address or a path on this site".into(),
            );
            None
        }
    };
    if patch.settings.as_ref().is_some_and(|s| !s.is_object()) {
        note("settings", "must be an object".into());
    }
    problems(wrong)?;

    let mut tx = ctx.begin().await?;
    let old = load(&mut tx, ctx.port.id).await?;
    sqlx::query!(
        "UPDATE ports SET name = coalesce($2, name), slug = coalesce($3, slug),
                timezone = coalesce($4, timezone), default_currency = coalesce($5, default_currency),
                primary_color = CASE WHEN $6 THEN $7 ELSE primary_color END,
                logo_url = CASE WHEN $8 THEN $9 ELSE logo_url END,
                settings = coalesce($10, settings), is_active = coalesce($11, is_active)
         WHERE id = $1",
        ctx.port.id,
        name,
        slug.as_ref().map(Slug::as_str),
        timezone.map(|t| t.name().to_owned()),
        currency,
        color.is_some(),
        color.clone().flatten(),
        logo.is_some(),
        logo.clone().flatten(),
        patch.settings,
        patch.is_active
    )
    .execute(&mut *tx)
    .await
    .map_err(on_constraint("ports_slug_key", "A port with this slug already exists."))?;
    let new = load(&mut tx, ctx.port.id).await?;
    let json = |p: &PortOut| serde_json::to_value(p).map_err(|e| Error::Internal(e.into()));
    audit::record_update(
        &mut tx,
        &Actor::from(ctx),
        Some(ctx.port.id),
        "port",
        ctx.port.id,
        &json(&old)?,
        &json(&new)?,
    )
    .await?;
    tx.commit().await?;
    Ok(new)
}

/// `PATCH /api/v1/ports/{port}`
async fn update(ctx: PortCtx, Checked(patch): Checked<PortPatch>) -> Result<Json<PortOut>> {
    Ok(Json(apply(&ctx, &patch).await?))
}

#[cfg(test)]
mod tests {
    #[test]
    fn colours_are_six_digit_hex() {
        assert_eq!(super::parse_color(" #0E7490 ").as_deref(), Some("#0e7490"));
        for bad in ["#fff", "0e7490", "#0e749g", "red", "#0e7490;x"] {
            assert_eq!(super::parse_color(bad), None, "{bad}");
        }
        assert!(super::valid_logo("/assets/logo.svg") && super::valid_logo("https://x.test/l.png"));
        assert!(!super::valid_logo("//evil.test/l.png") && !super::valid_logo("javascript:x"));
    }
}
