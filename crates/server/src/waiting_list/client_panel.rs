//! The client page's "Waiting lists" panel: the berths the client waits for,
//! with their place on each list. Shown to members who may see berths.

use super::api::{Waiting, of_client};
use crate::access::PortCtx;
use crate::http::Result;
use crate::web::render;
use askama::Template;
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "waiting_list/client_panel.html")]
struct Panel {
    slug: String,
    rows: Vec<Waiting>,
}

impl Panel {
    fn status_label(status: &str) -> &'static str {
        match status {
            "available" => "Available",
            "under_offer" => "Under offer",
            "sold" => "Sold",
            _ => "Unknown",
        }
    }
}

/// The panel's HTML for `client_id`; empty for a member who may not see berths.
pub async fn client_panel(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    client_id: Uuid,
) -> Result<String> {
    if !ctx.can("berths.view") {
        return Ok(String::new());
    }
    let rows = of_client(conn, client_id).await?;
    Ok(render(&Panel {
        slug: ctx.port.slug.clone(),
        rows,
    })?
    .0)
}
