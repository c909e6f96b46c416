//! The client page's "Interests" panel: the client's interests, newest first,
//! with stage, berth and last contact, and "New interest".

use crate::access::PortCtx;
use crate::http::Result;
use crate::notifications::ago;
use crate::web::render;
use askama::Template;
use chrono::{DateTime, Utc};
use domain::interests::LeadCategory;
use domain::pipeline::Stage;
use sqlx::PgConnection;
use uuid::Uuid;

/// The most interests the panel lists; a client rarely has more.
const SHOWN: i64 = 50;

struct Row {
    id: Uuid,
    stage: String,
    stage_label: &'static str,
    mooring_number: Option<String>,
    category: Option<&'static str>,
    last_contact: Option<String>,
    archived: bool,
}

#[derive(Template)]
#[template(path = "interests/client_panel.html")]
struct Panel {
    slug: String,
    client_id: Uuid,
    rows: Vec<Row>,
    more: bool,
    can_create: bool,
}

/// The panel's HTML, rendered in the client page's transaction.
pub async fn client_panel(
    conn: &mut PgConnection,
    ctx: &PortCtx,
    client_id: Uuid,
) -> Result<String> {
    let found = sqlx::query!(
        r#"SELECT i.id, i.pipeline_stage, i.lead_category, i.date_last_contact, i.archived_at,
                  b.mooring_number AS "mooring_number?"
           FROM interests i LEFT JOIN berths b ON b.id = i.berth_id
           WHERE i.client_id = $1
           ORDER BY (i.archived_at IS NOT NULL), i.created_at DESC, i.id DESC
           LIMIT $2"#,
        client_id,
        SHOWN + 1
    )
    .fetch_all(conn)
    .await?;
    let now = Utc::now();
    let more = found.len() as i64 > SHOWN;
    let rows = found
        .into_iter()
        .take(SHOWN as usize)
        .map(|r| {
            let stage = r.pipeline_stage.parse::<Stage>().unwrap_or(Stage::Open);
            Row {
                id: r.id,
                stage: stage.as_str().to_owned(),
                stage_label: stage.label(),
                mooring_number: r.mooring_number,
                category: r
                    .lead_category
                    .and_then(|c| c.parse::<LeadCategory>().ok())
                    .map(LeadCategory::label),
                last_contact: r.date_last_contact.map(|d: DateTime<Utc>| ago(d, now)),
                archived: r.archived_at.is_some(),
            }
        })
        .collect();
    Ok(render(&Panel {
        slug: ctx.port.slug.clone(),
        client_id,
        rows,
        more,
        can_create: ctx.can("interests.create"),
    })?
    .0)
}
