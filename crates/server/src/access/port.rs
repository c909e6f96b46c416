use crate::app::AppState;
use crate::auth::{CurrentUser, Via};
use crate::db::PortTx;
use crate::http::{Error, Result};
use crate::ports::Port;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use domain::permissions::{self, Grants};
use std::collections::BTreeSet;
use std::sync::Arc;

/// A request acting for one port.
#[derive(Clone)]
pub struct PortCtx {
    pub user: CurrentUser,
    pub port: Port,
    pub permissions: Arc<BTreeSet<String>>,
    state: AppState,
}

impl PortCtx {
    pub fn can(&self, permission: &str) -> bool {
        self.permissions.contains(permission)
    }

    /// 403 unless the user holds `permission` here.
    pub fn require(&self, permission: &str) -> Result<()> {
        if self.can(permission) {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }

    /// The request's transaction, acting for this port under row-level security.
    pub async fn begin(&self) -> Result<PortTx> {
        Ok(self.state.db.begin_port(self.port.id).await?)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }
}

/// The user's effective permissions at `port_id`; `None` when they have no
/// role there (and are not a super admin).
pub async fn permissions_at(
    state: &AppState,
    user: &CurrentUser,
    port_id: uuid::Uuid,
) -> Result<Option<BTreeSet<String>>> {
    if user.is_super_admin {
        return Ok(Some(permissions::all()));
    }
    let rows = sqlx::query!(
        r#"SELECT r.permissions, o.permission_overrides AS "overrides?"
           FROM user_port_roles upr
           JOIN roles r ON r.id = upr.role_id
           LEFT JOIN port_role_overrides o ON o.role_id = r.id AND o.port_id = upr.port_id
           WHERE upr.user_id = $1 AND upr.port_id = $2"#,
        user.id,
        port_id
    )
    .fetch_all(state.db.pool())
    .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let parsed: Vec<(Grants, Option<Grants>)> = rows
        .into_iter()
        .map(|r| {
            let grants: Grants = serde_json::from_value(r.permissions).unwrap_or_default();
            let overrides: Option<Grants> =
                r.overrides.and_then(|o| serde_json::from_value(o).ok());
            (grants, overrides)
        })
        .collect();
    Ok(Some(permissions::effective(
        parsed.iter().map(|(g, o)| (g, o.as_ref())),
    )))
}

/// The ports `user` can open, by name: every active port for a super admin,
/// else those where they hold a role (an API token: its own port only).
pub async fn ports_of(state: &AppState, user: &CurrentUser) -> Result<Vec<Port>> {
    let token_port = match user.via {
        Via::Token { port_id, .. } => Some(port_id),
        Via::Session(_) => None,
    };
    Ok(sqlx::query_as!(
        Port,
        "SELECT p.id, p.name, p.slug, p.timezone, p.default_currency, p.primary_color FROM ports p
         WHERE p.is_active
           AND ($2 OR EXISTS (SELECT 1 FROM user_port_roles upr WHERE upr.port_id = p.id AND upr.user_id = $1))
           AND ($3::uuid IS NULL OR p.id = $3)
         ORDER BY p.name",
        user.id,
        user.is_super_admin,
        token_port
    )
    .fetch_all(state.db.pool())
    .await?)
}

impl FromRequestParts<AppState> for PortCtx {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        if let Some(ctx) = parts.extensions.get::<PortCtx>() {
            return Ok(ctx.clone());
        }
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::NotFound)?;
        let slug = params
            .iter()
            .find(|(k, _)| *k == "port")
            .map(|(_, v)| v.to_owned())
            .ok_or(Error::NotFound)?;
        let port = crate::ports::find_active_by_slug(state.db.pool(), &slug)
            .await?
            .ok_or(Error::NotFound)?;
        // An API token works at its own port only; elsewhere the port does not exist.
        if let Via::Token { port_id, .. } = user.via
            && port_id != port.id
        {
            return Err(Error::NotFound);
        }
        let permissions = permissions_at(state, &user, port.id)
            .await?
            .ok_or(Error::NotFound)?;
        let ctx = PortCtx {
            user,
            port,
            permissions: Arc::new(permissions),
            state: state.clone(),
        };
        parts.extensions.insert(ctx.clone());
        Ok(ctx)
    }
}
