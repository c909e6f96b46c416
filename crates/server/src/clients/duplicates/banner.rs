//! The "possible duplicate of …" banner for the client page.

use super::pairs::{Possible, of_client};
use crate::access::PortCtx;
use crate::http::Result;
use askama::Template;
use sqlx::PgConnection;
use uuid::Uuid;

#[derive(Template)]
#[template(path = "clients/duplicate_banner.html")]
struct Banner {
    slug: String,
    client_id: Uuid,
    can_merge: bool,
    can_dismiss: bool,
    csrf: String,
    others: Vec<(Possible, String)>,
}

/// The banner's HTML for the client page: one line per pending pair, "Possible
/// duplicate of <name> (same phone) — Compare"; empty when there is none.
pub async fn client_banner(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    client_id: Uuid,
) -> Result<String> {
    let others = of_client(conn, client_id).await?;
    if others.is_empty() {
        return Ok(String::new());
    }
    let banner = Banner {
        slug: ctx.port.slug.clone(),
        client_id,
        can_merge: ctx.can("clients.merge"),
        can_dismiss: ctx.can("clients.edit"),
        csrf: match &ctx.user.via {
            crate::auth::Via::Session(live) => live.csrf_token.clone(),
            crate::auth::Via::Token { .. } => String::new(),
        },
        others: others
            .into_iter()
            .map(|p| {
                let why = super::reasons_text(&p.reasons);
                (p, why)
            })
            .collect(),
    };
    Ok(crate::web::render(&banner)?.0)
}
