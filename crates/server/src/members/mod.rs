//! Members of a port: the users holding roles there (`user_port_roles`), their
//! roles, removing them, and deactivating them.
//!
//! Every change keeps the port run by someone: one that would leave a port that
//! had an active director with none answers 409 (see [`write`]).

mod page;
mod write;

use crate::access::{Access, PortCtx, Routes};
use crate::http::Result;
use crate::http::cursor::{List, PageQuery};
use axum::Json;
use axum::extract::Query;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

pub fn routes(routes: Routes) -> Routes {
    let routes = routes
        .get(
            "/api/v1/ports/{port}/members",
            Access::Port("users.view"),
            list,
        )
        .put(
            "/api/v1/ports/{port}/members/{user_id}/roles",
            Access::Port("users.edit"),
            write::put_roles,
        )
        .patch(
            "/api/v1/ports/{port}/members/{user_id}",
            Access::Port("users.edit"),
            write::patch,
        )
        .delete(
            "/api/v1/ports/{port}/members/{user_id}",
            Access::Port("users.delete"),
            write::delete,
        );
    page::routes(routes)
}

/// A member as listed: the user and their roles at this port.
#[derive(Debug, Clone, Serialize)]
pub struct MemberOut {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub is_active: bool,
    pub is_super_admin: bool,
    /// Role names at this port, sorted.
    pub roles: Vec<String>,
    pub last_login_at: Option<DateTime<Utc>>,
    /// When they were first given a role here.
    pub joined_at: DateTime<Utc>,
    /// The list's sort key, as the database lower-cases the name.
    #[serde(skip)]
    pub sort_name: String,
}

/// Members of `port_id` by display name; `after` (lower-cased name, user id)
/// continues a page, `only` picks one user.
pub async fn members(
    conn: &mut PgConnection,
    port_id: Uuid,
    after: Option<(String, String)>,
    only: Option<&str>,
    limit: i64,
) -> Result<Vec<MemberOut>> {
    let (after_name, after_id) = after.unzip();
    Ok(sqlx::query_as!(
        MemberOut,
        r#"SELECT u.id AS user_id, u.email AS "email: String", p.display_name, p.is_active,
                  p.is_super_admin, p.last_login_at,
                  array_agg(r.name ORDER BY r.name) AS "roles!",
                  min(upr.created_at) AS "joined_at!", lower(p.display_name) AS "sort_name!"
           FROM user_port_roles upr
           JOIN users u ON u.id = upr.user_id
           JOIN user_profiles p ON p.user_id = u.id
           JOIN roles r ON r.id = upr.role_id
           WHERE upr.port_id = $1
             AND ($2::text IS NULL OR (lower(p.display_name), u.id) > ($2, $3::text))
             AND ($4::text IS NULL OR u.id = $4)
           GROUP BY u.id, p.id
           ORDER BY lower(p.display_name), u.id
           LIMIT $5"#,
        port_id,
        after_name,
        after_id,
        only,
        limit
    )
    .fetch_all(conn)
    .await?)
}

/// One member of the port, or 404 (a user of another port is not here).
pub async fn member(conn: &mut PgConnection, port_id: Uuid, user_id: &str) -> Result<MemberOut> {
    members(conn, port_id, None, Some(user_id), 1)
        .await?
        .pop()
        .ok_or(crate::http::Error::NotFound)
}

/// `GET /api/v1/ports/{port}/members`
async fn list(ctx: PortCtx, Query(page): Query<PageQuery>) -> Result<Json<List<MemberOut>>> {
    let limit = page.limit()?;
    let mut tx = ctx.begin().await?;
    let rows = members(&mut tx, ctx.port.id, page.after()?, None, limit + 1).await?;
    tx.commit().await?;
    Ok(Json(List::page(rows, limit, |m| {
        (m.sort_name.clone(), m.user_id.clone())
    })))
}
