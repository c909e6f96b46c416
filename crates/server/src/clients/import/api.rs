//! The import's JSON API: upload, dry run, run, status and the recent imports.

use super::dry_run::Report;
use super::service::{self, Uploaded};
use super::store::{self, ImportView};
use crate::access::PortCtx;
use crate::http::cursor::{List, PageQuery};
use crate::http::extract::Json;
use crate::http::{Error, Result};
use axum::body::Body;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    pub filename: Option<String>,
}

/// Reads a request body up to `limit` bytes; a larger one answers 413 without
/// reading it all. The import takes files larger than other bodies, so it
/// reads its body itself rather than through the shared extractors' limit.
pub async fn read_limited(headers: &HeaderMap, body: Body, limit: usize) -> Result<Vec<u8>> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(Error::PayloadTooLarge);
    }
    let mut out = Vec::with_capacity(declared.unwrap_or(0));
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            // The outer limit layer cuts bodies over the largest limit of all.
            if format!("{e:?}").contains("LengthLimit") {
                Error::PayloadTooLarge
            } else {
                Error::BadRequest("The upload could not be read.".into())
            }
        })?;
        if out.len() + chunk.len() > limit {
            return Err(Error::PayloadTooLarge);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// `POST /api/v1/ports/{port}/clients/import`: the CSV as the body.
pub async fn upload(
    ctx: PortCtx,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("multipart/") {
        return Err(Error::BadRequest(
            "Send the CSV file itself as the body, with Content-Type: text/csv.".into(),
        ));
    }
    let limit = ctx.state().config.import_max_bytes;
    let bytes = read_limited(&headers, body, limit).await?;
    let mut tx = ctx.begin().await?;
    let uploaded: Uploaded =
        service::upload(&mut tx, Some(&ctx.user.id), q.filename.as_deref(), &bytes).await?;
    tx.commit().await?;
    let location = format!(
        "/api/v1/ports/{}/clients/imports/{}",
        ctx.port.slug, uploaded.import.id
    );
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(uploaded),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DryRunBody {
    /// Column header → field name or `ignore`; absent: the suggested mapping.
    pub mapping: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Serialize)]
pub struct WithReport {
    #[serde(flatten)]
    pub import: ImportView,
    pub report: Option<Report>,
}

/// `POST …/clients/imports/{id}/dry-run`
pub async fn dry_run(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
    Json(body): Json<DryRunBody>,
) -> Result<axum::Json<WithReport>> {
    let mut tx = ctx.begin().await?;
    let (import, _, report) = service::dry_run(&mut tx, ctx.port.id, id, body.mapping).await?;
    tx.commit().await?;
    Ok(axum::Json(WithReport {
        import,
        report: Some(report),
    }))
}

/// `POST …/clients/imports/{id}/run`: queues the import; 202.
pub async fn run(ctx: PortCtx, Path((_, id)): Path<(String, Uuid)>) -> Result<Response> {
    let import = service::queue(&ctx, id).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(import)).into_response())
}

/// `GET …/clients/imports/{id}`: status, progress and the report.
pub async fn show(
    ctx: PortCtx,
    Path((_, id)): Path<(String, Uuid)>,
) -> Result<axum::Json<WithReport>> {
    let mut tx = ctx.begin().await?;
    let import = store::find(&mut tx, id).await?.ok_or(Error::NotFound)?;
    let report = store::report(&mut tx, id).await?;
    tx.commit().await?;
    Ok(axum::Json(WithReport { import, report }))
}

/// `GET …/clients/imports`: the port's imports, newest first.
pub async fn index(
    ctx: PortCtx,
    Query(page): Query<PageQuery>,
) -> Result<axum::Json<List<ImportView>>> {
    let limit = page.limit()?;
    let mut tx = ctx.begin().await?;
    let rows = store::recent(&mut tx, page.after()?, limit + 1).await?;
    tx.commit().await?;
    Ok(axum::Json(List::page(rows, limit, |i| {
        (i.created_at, i.id)
    })))
}
