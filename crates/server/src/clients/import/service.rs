//! The steps of an import as the API, the page and the command line share
//! them: upload, dry run, run.

use super::dry_run::{self, Report};
use super::mapping::{self, Mapping};
use super::parse::{self, Preview, Table};
use super::run::ImportClients;
use super::store::{self, ImportView};
use crate::access::PortCtx;
use crate::http::{Error, Result};
use crate::jobs::{NewJob, enqueue};
use serde::Serialize;
use sqlx::PgConnection;
use std::collections::BTreeMap;
use uuid::Uuid;

/// What an upload answers: the import, the file's columns and first rows, and
/// a suggested mapping.
#[derive(Debug, Serialize)]
pub struct Uploaded {
    #[serde(flatten)]
    pub import: ImportView,
    #[serde(flatten)]
    pub preview: Preview,
    pub suggested_mapping: BTreeMap<String, String>,
}

/// Reads an uploaded file: 422 naming `file` when it is not UTF-8 or not CSV.
pub fn table_of(bytes: &[u8]) -> Result<Table> {
    let text = parse::decode(bytes).map_err(|e| Error::invalid("file", e.to_string()))?;
    parse::read(text).map_err(|e| Error::invalid("file", e.to_string()))
}

/// Stores an upload of the port (`user_id` `None` for the command line).
pub async fn upload(
    conn: &mut PgConnection,
    user_id: Option<&str>,
    filename: Option<&str>,
    bytes: &[u8],
) -> Result<Uploaded> {
    let table = table_of(bytes)?;
    let filename = filename.map(str::trim).filter(|f| !f.is_empty());
    let id = store::insert(conn, user_id, filename, bytes, table.records.len() as i32).await?;
    let import = store::find(conn, id).await?.ok_or(Error::NotFound)?;
    Ok(Uploaded {
        import,
        preview: table.preview(),
        suggested_mapping: mapping::suggest(&table.headers).to_json(&table.headers),
    })
}

/// An import of the port with its parsed file; 404 when it is not the port's.
pub async fn load(conn: &mut PgConnection, id: Uuid) -> Result<(ImportView, Table)> {
    let import = store::find(conn, id).await?.ok_or(Error::NotFound)?;
    let bytes = store::content(conn, id).await?.ok_or(Error::NotFound)?;
    Ok((import, table_of(&bytes)?))
}

/// A dry run with `given` (or, without one, the suggested mapping): stores the
/// mapping and the report. 409 once the import has been queued.
pub async fn dry_run(
    conn: &mut PgConnection,
    port_id: Uuid,
    id: Uuid,
    given: Option<BTreeMap<String, String>>,
) -> Result<(ImportView, Mapping, Report)> {
    let (import, table) = load(conn, id).await?;
    if !matches!(import.status.as_str(), "uploaded" | "validated") {
        return Err(Error::Conflict(format!(
            "This import is {}; upload the file again to import it again.",
            import.status
        )));
    }
    let mapping = match given {
        Some(given) => mapping::check(&table.headers, &given)?,
        None => {
            let m = mapping::suggest(&table.headers);
            mapping::check(&table.headers, &m.to_json(&table.headers))?
        }
    };
    let plan = dry_run::plan(conn, port_id, &table, &mapping).await?;
    let json = serde_json::to_value(mapping.to_json(&table.headers)).expect("a mapping serializes");
    store::validated(conn, id, &json, &plan.report).await?;
    let import = store::find(conn, id).await?.ok_or(Error::NotFound)?;
    Ok((import, mapping, plan.report))
}

/// Queues the import of a dry-run import. 409 before a dry run or once queued.
pub async fn queue(ctx: &PortCtx, id: Uuid) -> Result<ImportView> {
    let mut tx = ctx.begin().await?;
    let import = store::find(&mut tx, id).await?.ok_or(Error::NotFound)?;
    match import.status.as_str() {
        "validated" => {}
        "uploaded" => {
            return Err(Error::Conflict(
                "Run a dry run with the column mapping first.".into(),
            ));
        }
        other => {
            return Err(Error::Conflict(format!("This import is already {other}.")));
        }
    }
    let job = ImportClients {
        import_id: id,
        user_id: Some(ctx.user.id.clone()),
        ip: ctx.user.origin.ip.clone(),
        user_agent: ctx.user.origin.user_agent.clone(),
    };
    // One attempt: a failed import is reported, not retried behind the user's back.
    let job_id = enqueue(
        &mut *tx,
        NewJob::of(&job)
            .for_port(ctx.port.id)
            .max_attempts(1)
            .dedup(format!("clients.import:{id}")),
    )
    .await?;
    sqlx::query!(
        "UPDATE client_imports SET status = 'queued', job_id = $2, processed_rows = 0 WHERE id = $1",
        id,
        job_id
    )
    .execute(&mut *tx)
    .await?;
    let import = store::find(&mut tx, id).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(import)
}
