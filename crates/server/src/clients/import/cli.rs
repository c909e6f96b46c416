//! `nimara import clients FILE --port SLUG [--dry-run] [--mapping auto|FILE|JSON]`:
//! the same import as the page, run in this process with a progress bar on
//! standard error. Exits non-zero when the import fails (nothing is written).

use super::dry_run::{Action, Report};
use super::{mapping, run, service, store};
use crate::audit::Actor;
use crate::db::Db;
use crate::web::Count;
use anyhow::Context;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// Rejected lines printed after the summary.
const SHOWN_REJECTS: usize = 10;

pub async fn clients(
    db: Db,
    file: &Path,
    port: &str,
    dry_run: bool,
    mapping_arg: &str,
) -> anyhow::Result<()> {
    let port = crate::ports::find_active_by_slug(db.pool(), port)
        .await?
        .with_context(|| format!("there is no active port with the slug {port}"))?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let filename = file.file_name().map(|f| f.to_string_lossy().into_owned());

    let mut tx = db.begin_port(port.id).await?;
    let uploaded = service::upload(&mut tx, None, filename.as_deref(), &bytes)
        .await
        .map_err(anyhow::Error::new)?;
    let id = uploaded.import.id;
    let headers = uploaded.preview.headers.clone();
    let given: BTreeMap<String, String> = match mapping_arg {
        "auto" => uploaded.suggested_mapping.clone(),
        other => {
            let text = if Path::new(other).exists() {
                std::fs::read_to_string(other).with_context(|| format!("cannot read {other}"))?
            } else {
                other.to_owned()
            };
            serde_json::from_str(&text)
                .context("--mapping takes `auto`, a JSON object {\"<column>\": \"<field>\"} or a file holding one")?
        }
    };
    let checked = mapping::check(&headers, &given).map_err(anyhow::Error::new)?;
    eprintln!("Columns:");
    for (h, f) in headers.iter().zip(&checked.columns) {
        eprintln!("  {h:<28} → {}", f.as_str());
    }

    if dry_run {
        let (_, _, report) = service::dry_run(&mut tx, port.id, id, Some(given))
            .await
            .map_err(anyhow::Error::new)?;
        tx.commit().await?;
        print_report(&report);
        println!("dry run only: nothing was imported (import {id})");
        return Ok(());
    }
    let json = serde_json::to_value(checked.to_json(&headers))?;
    store::mapped(&mut tx, id, &json).await?;
    tx.commit().await?;

    let actor = Actor::system();
    let started = std::time::Instant::now();
    let mut on_plan = |report: &Report| print_report(report);
    let mut on_progress = |done: usize, total: usize| bar(done, total);
    let summary = run::execute(&db, port.id, id, &actor, &mut on_plan, &mut on_progress).await;
    eprintln!();
    let summary = summary.context("the import failed and nothing was written")?;
    println!(
        "imported in {:.1} s: {} created, {} updated, {} rejected, {} flagged as possible duplicates (import {id})",
        started.elapsed().as_secs_f64(),
        Count(summary.create as i64),
        Count(summary.update as i64),
        Count(summary.reject as i64),
        Count(summary.flagged as i64),
    );
    Ok(())
}

fn print_report(report: &Report) {
    let s = report.summary;
    println!(
        "{} rows: {} to create, {} to update, {} rejected, {} possible duplicates",
        Count(s.total_rows as i64),
        Count(s.create as i64),
        Count(s.update as i64),
        Count(s.reject as i64),
        Count(s.flagged as i64),
    );
    for row in report
        .rows
        .iter()
        .filter(|r| r.action == Action::Reject)
        .take(SHOWN_REJECTS)
    {
        let reasons: Vec<String> = row
            .problems
            .iter()
            .map(|p| match &p.column {
                Some(c) => format!("{c}: {}", p.message),
                None => p.message.clone(),
            })
            .collect();
        println!("  line {}: {}", row.line, reasons.join("; "));
    }
    if s.reject > SHOWN_REJECTS {
        println!("  … and {} more rejected lines", s.reject - SHOWN_REJECTS);
    }
}

/// `[#########...........]  45%  45,000/100,000 rows` on standard error.
fn bar(done: usize, total: usize) {
    const WIDTH: usize = 30;
    // An empty file is complete from the start.
    let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH);
    let percent = (done * 100).checked_div(total).unwrap_or(100);
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "\r[{}{}] {percent:>3}%  {}/{} rows",
        "#".repeat(filled),
        ".".repeat(WIDTH - filled),
        Count(done as i64),
        Count(total as i64)
    );
    let _ = err.flush();
}
