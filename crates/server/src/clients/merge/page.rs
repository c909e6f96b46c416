//! The side-by-side merge page: one row per field with a choice of record
//! (equal values shown once), what will move from the merged client, and one
//! clear confirmation. After merging, the surviving client's page.

use super::api::client_custom_fields;
use super::fields::{self, COLUMNS, Side};
use crate::access::{self, PortCtx};
use crate::audit::Actor;
use crate::audit::kinds::humanize;
use crate::auth::csrf::CsrfForm;
use crate::http::{Error, Result};
use crate::web::render;
use crate::web::shell::{Section, Shell};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;
use sqlx::PgConnection;
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Deserialize)]
pub struct WithQuery {
    with: Option<String>,
}

struct Row {
    name: &'static str,
    label: String,
    surviving: String,
    merged: String,
    equal: bool,
    take_merged: bool,
}

#[derive(Template)]
#[template(path = "clients/merge.html")]
struct MergePage {
    shell: Shell,
    slug: String,
    surviving_id: Uuid,
    surviving_name: String,
    merged_id: Uuid,
    merged_name: String,
    rows: Vec<Row>,
    moves: Vec<(i64, &'static str)>,
    error: Option<String>,
}

/// The measurement columns shown as one row ("40 ft / 12.19 m").
const METRIC_OF: [(&str, &str); 3] = [
    ("yacht_length_ft", "yacht_length_m"),
    ("yacht_width_ft", "yacht_width_m"),
    ("yacht_draft_ft", "yacht_draft_m"),
];

fn shown(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => if *b { "Yes" } else { "No" }.to_owned(),
        Some(other) => other.to_string(),
    }
}

fn rows(s: &Value, m: &Value, chosen: &BTreeMap<String, Side>) -> Vec<Row> {
    COLUMNS
        .iter()
        .filter(|c| !METRIC_OF.iter().any(|(_, metric)| metric == *c))
        .map(|&col| {
            let (sv, mv, label) = match METRIC_OF.iter().find(|(ft, _)| *ft == col) {
                Some((ft, metric)) => {
                    let both = |v: &Value| {
                        let (a, b) = (shown(v.get(*ft)), shown(v.get(*metric)));
                        if a.is_empty() && b.is_empty() {
                            String::new()
                        } else {
                            format!("{a} ft / {b} m")
                        }
                    };
                    (both(s), both(m), humanize(col.trim_end_matches("_ft")))
                }
                None => (shown(s.get(col)), shown(m.get(col)), humanize(col)),
            };
            Row {
                name: col,
                label,
                equal: sv == mv,
                take_merged: chosen.get(col) == Some(&Side::Merged),
                surviving: sv,
                merged: mv,
            }
        })
        .collect()
}

/// Both clients as JSON, (surviving, merged); 404 when either is not the port's.
async fn both(conn: &mut PgConnection, s: Uuid, m: Uuid) -> Result<(Value, Value)> {
    let rows = sqlx::query!(
        r#"SELECT id, to_jsonb(c) AS "row!" FROM clients c WHERE id = ANY($1)"#,
        &[s, m][..]
    )
    .fetch_all(&mut *conn)
    .await?;
    let find = |id| rows.iter().find(|r| r.id == id).map(|r| r.row.clone());
    match (find(s), find(m)) {
        (Some(a), Some(b)) if s != m => Ok((a, b)),
        _ => Err(Error::NotFound),
    }
}

/// What would move from the merged client, by kind, leaving out the empty ones.
async fn moves(conn: &mut PgConnection, m: Uuid) -> Result<Vec<(i64, &'static str)>> {
    let r = sqlx::query!(
        r#"SELECT
             (SELECT count(*) FROM client_contacts WHERE client_id = $1) AS "contacts!",
             (SELECT count(*) FROM client_notes WHERE client_id = $1) AS "notes!",
             (SELECT count(*) FROM client_tags WHERE client_id = $1) AS "tags!",
             (SELECT count(*) FROM interests WHERE client_id = $1) AS "interests!",
             (SELECT count(*) FROM client_relationships WHERE client_a_id = $1 OR client_b_id = $1) AS "relationships!",
             (SELECT count(*) FROM documents WHERE client_id = $1) AS "documents!",
             (SELECT count(*) FROM files WHERE client_id = $1) AS "files!",
             (SELECT count(*) FROM email_threads WHERE client_id = $1) AS "emails!",
             (SELECT count(*) FROM reminders WHERE client_id = $1) AS "reminders!",
             (SELECT count(*) FROM berth_waiting_list WHERE client_id = $1) AS "waiting!",
             (SELECT count(*) FROM form_submissions WHERE client_id = $1) AS "forms!",
             (SELECT count(*) FROM custom_field_values WHERE entity_id = $1) AS "custom!""#,
        m
    )
    .fetch_one(conn)
    .await?;
    Ok([
        (r.contacts, "contact", "contacts"),
        (r.notes, "note", "notes"),
        (r.tags, "tag", "tags"),
        (r.interests, "interest", "interests"),
        (r.relationships, "relationship", "relationships"),
        (r.documents, "document", "documents"),
        (r.files, "file", "files"),
        (r.emails, "e-mail thread", "e-mail threads"),
        (r.reminders, "reminder", "reminders"),
        (r.waiting, "waiting-list place", "waiting-list places"),
        (r.forms, "form submission", "form submissions"),
        (r.custom, "custom field value", "custom field values"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| (n, if n == 1 { one } else { many }))
    .collect())
}

async fn page(
    ctx: &PortCtx,
    s: Uuid,
    m: Uuid,
    chosen: Option<&BTreeMap<String, Side>>,
    error: Option<String>,
) -> Result<MergePage> {
    let mut tx = ctx.begin().await?;
    let (sv, mv) = both(&mut tx, s, m).await?;
    let defaults = fields::resolve(&fields::Choices::default(), &sv, &mv);
    let moves = moves(&mut tx, m).await?;
    tx.commit().await?;
    let ports = access::ports_of(ctx.state(), &ctx.user).await?;
    let name = |v: &Value| shown(v.get("full_name"));
    Ok(MergePage {
        shell: Shell::for_ctx("Merge clients", Section::Clients, ctx, &ports),
        slug: ctx.port.slug.clone(),
        surviving_id: s,
        surviving_name: name(&sv),
        merged_id: m,
        merged_name: name(&mv),
        rows: rows(&sv, &mv, chosen.unwrap_or(&defaults)),
        moves,
        error,
    })
}

fn uuid(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw.trim()).map_err(|_| Error::NotFound)
}

/// `GET /ports/{port}/clients/{id}/merge?with={other}`.
pub async fn show(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    Query(q): Query<WithQuery>,
) -> Result<Response> {
    let (s, m) = (uuid(&id)?, uuid(q.with.as_deref().unwrap_or(""))?);
    Ok(render(&page(&ctx, s, m, None, None).await?)?.into_response())
}

/// `POST /ports/{port}/clients/{id}/merge`: `merged_client_id` and one
/// `field.<name>` radio per field; then the surviving client's page.
pub async fn submit(
    ctx: PortCtx,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response> {
    let s = uuid(&id)?;
    let m = uuid(form.get("merged_client_id").map_or("", String::as_str))?;
    let picked: BTreeMap<String, String> = form
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("field.").map(|f| (f.to_owned(), v.clone())))
        .collect();
    let mut tx = ctx.begin().await?;
    let custom = client_custom_fields(&mut tx).await?;
    let result = match fields::parse(&picked, &custom) {
        Ok(choices) => super::merge(&mut tx, &Actor::from(&ctx), ctx.port.id, s, m, &choices).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/ports/{}/clients/{s}", ctx.port.slug)).into_response())
        }
        Err(Error::Unprocessable(errors)) => {
            drop(tx);
            let message = errors
                .iter()
                .map(|(k, v)| format!("{}: {}", k.trim_start_matches("fields."), v.join(", ")))
                .collect::<Vec<_>>()
                .join("; ");
            let page = page(&ctx, s, m, None, Some(message)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e),
    }
}
