//! Importing a map: the shapes `parse` reads become the berths' map data,
//! inserted or replaced in one transaction with one audit entry.
//! Berths the file does not draw keep the shape they had.

use super::parse::{self, Skipped};
use crate::access::PortCtx;
use crate::audit::{self, Action, Actor, Entry};
use crate::http::{Error, Result};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The audit log's name for a map import (`audit/kinds.rs`).
pub const KIND: &str = "berth_map";

/// One berth whose shape the file gave.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    pub mooring_number: String,
    pub berth_id: Uuid,
    pub element: String,
    pub line: usize,
    /// `false` when it replaced the shape the berth had.
    pub created: bool,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub imported: usize,
    pub created: usize,
    pub updated: usize,
    pub shapes: Vec<Imported>,
    pub skipped: Vec<Skipped>,
}

fn dec(v: f64) -> Decimal {
    Decimal::try_from(v).unwrap_or_default().round_dp(2)
}

/// Imports the SVG `file` into the request's port. A file that is not SVG
/// answers 422 naming `file`; shapes that cannot be used are in the report.
pub async fn import(ctx: &PortCtx, file: &[u8]) -> Result<Report> {
    let text = std::str::from_utf8(file)
        .map_err(|_| Error::invalid("file", "is not an SVG file: it is not UTF-8 text"))?;
    let text = text.trim_start_matches('\u{feff}');
    let mut tx = ctx.begin().await?;
    let berths =
        sqlx::query!("SELECT id, mooring_number FROM berths WHERE port_id = app_port_id()")
            .fetch_all(&mut *tx)
            .await?;
    let ids: HashMap<String, Uuid> = berths
        .into_iter()
        .map(|b| (b.mooring_number, b.id))
        .collect();
    let known: HashSet<String> = ids.keys().cloned().collect();
    let parsed = parse::parse(text, &known).map_err(|e| Error::invalid("file", e.0))?;

    let shapes = &parsed.shapes;
    let berth_ids: Vec<Uuid> = shapes.iter().map(|s| ids[&s.mooring_number]).collect();
    let paths: Vec<String> = shapes.iter().map(|s| s.svg_path.clone()).collect();
    let xs: Vec<Decimal> = shapes.iter().map(|s| dec(s.x)).collect();
    let ys: Vec<Decimal> = shapes.iter().map(|s| dec(s.y)).collect();
    let transforms: Vec<Option<String>> = shapes.iter().map(|s| s.transform.clone()).collect();
    let extras: Vec<serde_json::Value> = shapes
        .iter()
        .map(|s| json!({"source": "import", "element": s.element, "line": s.line}))
        .collect();
    let stored = sqlx::query!(
        r#"INSERT INTO berth_map_data (berth_id, svg_path, x, y, transform, font_size, extra_data)
           SELECT t.berth_id, t.svg_path, t.x, t.y, t.transform, NULL, t.extra
           FROM unnest($1::uuid[], $2::text[], $3::numeric[], $4::numeric[], $5::text[], $6::jsonb[])
                AS t(berth_id, svg_path, x, y, transform, extra)
           ON CONFLICT (berth_id) DO UPDATE
              SET svg_path = EXCLUDED.svg_path, x = EXCLUDED.x, y = EXCLUDED.y,
                  transform = EXCLUDED.transform, font_size = NULL,
                  extra_data = EXCLUDED.extra_data, updated_at = now()
           RETURNING berth_id, (xmax::text = '0') AS "created!""#,
        &berth_ids,
        &paths,
        &xs,
        &ys,
        &transforms as &[Option<String>],
        &extras
    )
    .fetch_all(&mut *tx)
    .await?;
    let created: HashSet<Uuid> = stored
        .iter()
        .filter(|r| r.created)
        .map(|r| r.berth_id)
        .collect();
    let imported: Vec<Imported> = shapes
        .iter()
        .zip(&berth_ids)
        .map(|(s, id)| Imported {
            mooring_number: s.mooring_number.clone(),
            berth_id: *id,
            element: s.element.clone(),
            line: s.line,
            created: created.contains(id),
        })
        .collect();
    let report = Report {
        imported: imported.len(),
        created: created.len(),
        updated: imported.len() - created.len(),
        shapes: imported,
        skipped: parsed.skipped,
    };
    let mut entry = Entry::new(Some(ctx.port.id), Action::Update, KIND, None);
    entry.metadata = json!({
        "imported": report.imported,
        "created": report.created,
        "updated": report.updated,
        "skipped": report.skipped.len(),
        "moorings": report.shapes.iter().map(|s| &s.mooring_number).collect::<Vec<_>>(),
    });
    audit::record(&mut tx, &Actor::from(ctx), entry).await?;
    tx.commit().await?;
    Ok(report)
}
