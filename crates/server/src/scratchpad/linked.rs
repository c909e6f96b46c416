//! Scratchpad notes attached to a client, on the client page: every author's,
//! to everyone who may view the client (the note is part of the record now).

use crate::access::PortCtx;
use crate::http::{Error, Result};
use crate::notifications::ago;
use askama::Template;
use axum::extract::Path;
use axum::response::Html;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

pub struct Linked {
    pub id: Uuid,
    pub user_id: String,
    pub author_name: String,
    pub content: String,
    pub linked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

pub struct Item {
    pub id: Uuid,
    pub author_name: String,
    pub content: String,
    pub ago: String,
    pub iso: String,
    pub own: bool,
}

#[derive(Template)]
#[template(path = "scratchpad/client_panel.html")]
struct Panel {
    csrf: String,
    base: String,
    items: Vec<Item>,
}

/// The client page's "From scratchpads" panel, rendered with the page's
/// transaction (acting for the port: the join on `clients` keeps another
/// port's client out).
pub async fn client_panel(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    client_id: Uuid,
) -> Result<String> {
    let rows = sqlx::query_as!(
        Linked,
        r#"SELECT s.id, s.user_id, coalesce(up.display_name, u.name, 'Former user') AS "author_name!",
                  s.content, s.linked_at, s.created_at
           FROM scratchpad_notes s
           JOIN clients c ON c.id = s.linked_client_id
           LEFT JOIN users u ON u.id = s.user_id
           LEFT JOIN user_profiles up ON up.user_id = s.user_id
           WHERE s.linked_client_id = $1
           ORDER BY s.linked_at DESC NULLS LAST, s.id DESC
           LIMIT 100"#,
        client_id
    )
    .fetch_all(conn)
    .await?;
    let now = Utc::now();
    let items = rows
        .into_iter()
        .map(|r| {
            let at = r.linked_at.unwrap_or(r.created_at);
            Item {
                own: r.user_id == ctx.user.id,
                id: r.id,
                author_name: r.author_name,
                content: r.content,
                ago: ago(at, now),
                iso: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            }
        })
        .collect();
    Panel {
        csrf: ctx.user.csrf_token(),
        base: format!("/ports/{}/clients/{client_id}", ctx.port.slug),
        items,
    }
    .render()
    .map_err(|e| {
        anyhow::Error::new(e)
            .context("rendering the scratchpad panel")
            .into()
    })
}

fn param(params: &HashMap<String, String>, key: &str) -> Result<Uuid> {
    params
        .get(key)
        .and_then(|v| v.parse().ok())
        .ok_or(Error::NotFound)
}

async fn client_exists(conn: &mut PgConnection, id: Uuid) -> Result<bool> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM clients WHERE id = $1) AS "e!""#,
        id
    )
    .fetch_one(conn)
    .await?)
}

/// `GET /ports/{port}/clients/{id}/scratchpad-panel`.
pub async fn show(
    ctx: PortCtx,
    Path(params): Path<HashMap<String, String>>,
) -> Result<Html<String>> {
    let client = param(&params, "id")?;
    let mut tx = ctx.begin().await?;
    if !client_exists(&mut tx, client).await? {
        return Err(Error::NotFound);
    }
    let html = client_panel(&mut tx, &ctx, client).await?;
    tx.commit().await?;
    Ok(Html(html))
}

/// `POST /ports/{port}/clients/{id}/scratchpad/{note_id}/unlink`: the owner
/// takes their note back to the scratchpad; the panel again.
pub async fn detach(
    ctx: PortCtx,
    Path(params): Path<HashMap<String, String>>,
    crate::auth::csrf::CsrfForm(_): crate::auth::csrf::CsrfForm<HashMap<String, String>>,
) -> Result<Html<String>> {
    let (client, note) = (param(&params, "id")?, param(&params, "note_id")?);
    let mut tx = ctx.begin().await?;
    if !client_exists(&mut tx, client).await? {
        return Err(Error::NotFound);
    }
    let done = sqlx::query!(
        "UPDATE scratchpad_notes SET linked_client_id = NULL, linked_at = NULL
         WHERE id = $1 AND user_id = $2 AND linked_client_id = $3",
        note,
        ctx.user.id,
        client
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done == 0 {
        return Err(Error::NotFound);
    }
    let html = client_panel(&mut tx, &ctx, client).await?;
    tx.commit().await?;
    Ok(Html(html))
}
