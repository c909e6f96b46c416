//! The import itself: a background job that writes every planned row in ONE
//! transaction — clients, contacts and their audit entries in bulk (UNNEST,
//! a few thousand rows per statement) — so a failure leaves nothing behind.
//! Progress goes to the import row through another connection after each batch.

use super::dry_run::{self, Action, Report, Summary};
use super::validate::Candidate;
use super::{mapping, parse, store};
use crate::audit::Actor;
use crate::auth::session::Origin;
use crate::db::Db;
use crate::jobs::{Job, JobContext};
use anyhow::Context;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Rows per INSERT statement.
pub const BATCH: usize = 5000;

/// The queued import of one upload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportClients {
    pub import_id: Uuid,
    /// Who asked for it, for the audit log.
    pub user_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Job for ImportClients {
    const NAME: &'static str = "clients.import";

    async fn run(self, ctx: JobContext) -> anyhow::Result<()> {
        let port_id = ctx.port_id.context("an import job has no port")?;
        let actor = Actor {
            user_id: self.user_id.clone(),
            origin: Origin {
                ip: self.ip.clone(),
                user_agent: self.user_agent.clone(),
            },
        };
        execute(
            &ctx.state.db,
            port_id,
            self.import_id,
            &actor,
            &mut |_| {},
            &mut |_, _| {},
        )
        .await
        .map(|_| ())
    }
}

/// Runs the import `import_id` of `port_id`. `on_plan` sees the plan's report
/// before anything is written; `on_progress(processed, total)` after each batch.
/// On any failure the transaction is rolled back and the import marked failed.
pub async fn execute(
    db: &Db,
    port_id: Uuid,
    import_id: Uuid,
    actor: &Actor,
    on_plan: &mut (dyn FnMut(&Report) + Send),
    on_progress: &mut (dyn FnMut(usize, usize) + Send),
) -> anyhow::Result<Summary> {
    {
        let mut tx = db.begin_port(port_id).await?;
        let started = sqlx::query_scalar!(
            "UPDATE client_imports SET status = 'running', started_at = now(), processed_rows = 0, error = NULL
             WHERE id = $1 AND status IN ('validated', 'queued', 'running') RETURNING id",
            import_id
        )
        .fetch_optional(&mut *tx)
        .await?;
        if started.is_none() {
            anyhow::bail!(
                "import {import_id} is not ready to run (run a dry run first, and run it once)"
            );
        }
        tx.commit().await?;
    }
    match write(db, port_id, import_id, actor, on_plan, on_progress).await {
        Ok(summary) => Ok(summary),
        Err(e) => {
            let reason = format!(
                "The import failed and nothing was written: {}",
                reason_of(&e)
            );
            if let Err(mark) = store::failed(db, port_id, import_id, &reason).await {
                tracing::error!(error = %mark, "cannot mark the import failed");
            }
            Err(e)
        }
    }
}

/// What a person can be told: a database error's own message, never its SQL.
fn reason_of(e: &anyhow::Error) -> String {
    if let Some(sqlx::Error::Database(db)) = e.downcast_ref::<sqlx::Error>() {
        return db.message().to_owned();
    }
    if let Some(crate::http::Error::Internal(inner)) = e.downcast_ref::<crate::http::Error>()
        && let Some(sqlx::Error::Database(db)) = inner.downcast_ref::<sqlx::Error>()
    {
        return db.message().to_owned();
    }
    format!("{e:#}")
}

async fn write(
    db: &Db,
    port_id: Uuid,
    import_id: Uuid,
    actor: &Actor,
    on_plan: &mut (dyn FnMut(&Report) + Send),
    on_progress: &mut (dyn FnMut(usize, usize) + Send),
) -> anyhow::Result<Summary> {
    let mut tx = db.begin_port(port_id).await?;
    let content = store::content(&mut tx, import_id)
        .await?
        .context("the import is gone")?;
    let stored: Option<Value> = sqlx::query_scalar!(
        "SELECT mapping FROM client_imports WHERE id = $1",
        import_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let text = parse::decode(&content)?;
    let table = parse::read(text)?;
    let given: BTreeMap<String, String> =
        serde_json::from_value(stored.context("the import has no mapping; run a dry run first")?)?;
    let mapping = mapping::check(&table.headers, &given).map_err(|e| anyhow::anyhow!("{e}"))?;
    let plan = dry_run::plan(&mut tx, port_id, &table, &mapping)
        .await
        .map_err(|e| anyhow::anyhow!(e))?;
    on_plan(&plan.report);

    let total = plan.report.rows.len();
    // Rejected rows are done as soon as they are known.
    let mut processed = plan.report.summary.reject;
    store::progress(db, port_id, import_id, processed as i32).await?;
    on_progress(processed, total);

    for batch in plan.creates.chunks(BATCH) {
        insert_clients(&mut tx, batch).await?;
        let contacts: Vec<(Uuid, &Candidate)> = batch.iter().map(|(id, c)| (*id, c)).collect();
        insert_contacts(&mut tx, &contacts).await?;
        let ids: Vec<Uuid> = batch.iter().map(|(id, _)| *id).collect();
        sqlx::query!(
            "INSERT INTO audit_logs (user_id, action, entity_type, entity_id, new_value, ip_address, user_agent, metadata)
             SELECT $2, 'create', 'client', c.id, to_jsonb(c) - 'port_id', $3, $4, jsonb_build_object('import_id', $5::uuid)
             FROM clients c WHERE c.id = ANY($1)",
            &ids,
            actor.user_id,
            actor.origin.ip,
            actor.origin.user_agent,
            import_id,
        )
        .execute(&mut *tx)
        .await?;
        processed += batch.len();
        store::progress(db, port_id, import_id, processed as i32).await?;
        on_progress(processed, total);
    }
    for batch in plan.updates.chunks(BATCH) {
        update_clients(&mut tx, batch, actor, import_id).await?;
        let contacts: Vec<(Uuid, &Candidate)> = batch.iter().map(|(id, c)| (*id, c)).collect();
        insert_contacts(&mut tx, &contacts).await?;
        processed += batch.len();
        store::progress(db, port_id, import_id, processed as i32).await?;
        on_progress(processed, total);
    }

    // The final state commits with the data: an import is `done` exactly when
    // its clients exist.
    let mut report = plan.report;
    let ids: HashMap<usize, Uuid> = plan.creates.iter().map(|(id, c)| (c.line, *id)).collect();
    for row in report
        .rows
        .iter_mut()
        .filter(|r| r.action == Action::Create)
    {
        row.client_id = ids.get(&row.line).copied();
    }
    let s = report.summary;
    sqlx::query!(
        "UPDATE client_imports SET status = 'done', finished_at = now(), processed_rows = $2, report = $3,
                total_rows = $2, created_count = $4, updated_count = $5, rejected_count = $6, flagged_count = $7
         WHERE id = $1",
        import_id,
        total as i32,
        serde_json::to_value(&report)?,
        s.create as i32,
        s.update as i32,
        s.reject as i32,
        s.flagged as i32,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;

    // After the commit: record the imported clients that look like others as
    // candidate pairs (and notify). The import stands even if this fails; the
    // dry run's flags are in the report either way.
    let mut imported: Vec<Uuid> = plan.creates.iter().map(|(id, _)| *id).collect();
    imported.extend(plan.updates.iter().map(|(id, _)| *id));
    let scanned = async {
        let mut tx = db.begin_port(port_id).await?;
        crate::clients::duplicates::scan(&mut tx, port_id, &imported).await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = scanned {
        tracing::warn!(error = %e, %import_id, "the duplicate scan after an import failed");
    }
    Ok(s)
}

/// Column vectors of a batch of clients, for one UNNEST insert or update.
#[derive(Default)]
struct Columns {
    id: Vec<Uuid>,
    full_name: Vec<String>,
    company_name: Vec<Option<String>>,
    nationality: Vec<Option<String>>,
    is_proxy: Vec<Option<bool>>,
    proxy_type: Vec<Option<String>>,
    actual_owner_name: Vec<Option<String>>,
    relationship_notes: Vec<Option<String>>,
    yacht_name: Vec<Option<String>>,
    length_ft: Vec<Option<Decimal>>,
    length_m: Vec<Option<Decimal>>,
    width_ft: Vec<Option<Decimal>>,
    width_m: Vec<Option<Decimal>>,
    draft_ft: Vec<Option<Decimal>>,
    draft_m: Vec<Option<Decimal>>,
    berth_size_desired: Vec<Option<String>>,
    preferred_contact_method: Vec<Option<String>>,
    preferred_language: Vec<Option<String>>,
    timezone: Vec<Option<String>>,
    source: Vec<Option<String>>,
    source_details: Vec<Option<String>>,
}

impl Columns {
    fn of(batch: &[(Uuid, Candidate)]) -> Columns {
        let mut c = Columns::default();
        for (id, row) in batch {
            let f = &row.client;
            c.id.push(*id);
            c.full_name.push(f.full_name.clone());
            c.company_name.push(f.company_name.clone());
            c.nationality.push(f.nationality.clone());
            c.is_proxy.push(f.is_proxy);
            c.proxy_type.push(f.proxy_type.clone());
            c.actual_owner_name.push(f.actual_owner_name.clone());
            c.relationship_notes.push(f.relationship_notes.clone());
            c.yacht_name.push(f.yacht_name.clone());
            c.length_ft.push(f.yacht_length_ft);
            c.length_m.push(f.yacht_length_m);
            c.width_ft.push(f.yacht_width_ft);
            c.width_m.push(f.yacht_width_m);
            c.draft_ft.push(f.yacht_draft_ft);
            c.draft_m.push(f.yacht_draft_m);
            c.berth_size_desired.push(f.berth_size_desired.clone());
            c.preferred_contact_method
                .push(f.preferred_contact_method.clone());
            c.preferred_language.push(f.preferred_language.clone());
            c.timezone.push(f.timezone.clone());
            c.source.push(f.source.clone());
            c.source_details.push(f.source_details.clone());
        }
        c
    }
}

async fn insert_clients(
    tx: &mut crate::db::PortTx,
    batch: &[(Uuid, Candidate)],
) -> anyhow::Result<()> {
    let c = Columns::of(batch);
    // A client without a stated source came from this import.
    sqlx::query!(
        "INSERT INTO clients (id, full_name, company_name, nationality, is_proxy, proxy_type, actual_owner_name,
                              relationship_notes, yacht_name, yacht_length_ft, yacht_length_m, yacht_width_ft,
                              yacht_width_m, yacht_draft_ft, yacht_draft_m, berth_size_desired,
                              preferred_contact_method, preferred_language, timezone, source, source_details)
         SELECT id, full_name, company_name, nationality, coalesce(is_proxy, false), proxy_type, actual_owner_name,
                relationship_notes, yacht_name, length_ft, length_m, width_ft, width_m, draft_ft, draft_m,
                berth_size_desired, preferred_contact_method, preferred_language, timezone,
                coalesce(source, 'import'), source_details
         FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bool[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::numeric[], $11::numeric[], $12::numeric[], $13::numeric[], $14::numeric[],
                     $15::numeric[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[])
              AS u(id, full_name, company_name, nationality, is_proxy, proxy_type, actual_owner_name,
                   relationship_notes, yacht_name, length_ft, length_m, width_ft, width_m, draft_ft, draft_m,
                   berth_size_desired, preferred_contact_method, preferred_language, timezone, source, source_details)",
        &c.id,
        &c.full_name,
        &c.company_name as &[Option<String>],
        &c.nationality as &[Option<String>],
        &c.is_proxy as &[Option<bool>],
        &c.proxy_type as &[Option<String>],
        &c.actual_owner_name as &[Option<String>],
        &c.relationship_notes as &[Option<String>],
        &c.yacht_name as &[Option<String>],
        &c.length_ft as &[Option<Decimal>],
        &c.length_m as &[Option<Decimal>],
        &c.width_ft as &[Option<Decimal>],
        &c.width_m as &[Option<Decimal>],
        &c.draft_ft as &[Option<Decimal>],
        &c.draft_m as &[Option<Decimal>],
        &c.berth_size_desired as &[Option<String>],
        &c.preferred_contact_method as &[Option<String>],
        &c.preferred_language as &[Option<String>],
        &c.timezone as &[Option<String>],
        &c.source as &[Option<String>],
        &c.source_details as &[Option<String>],
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Updates existing clients with the values a row gives (an empty cell keeps
/// the stored value), and audits each changed field.
async fn update_clients(
    tx: &mut crate::db::PortTx,
    batch: &[(Uuid, Candidate)],
    actor: &Actor,
    import_id: Uuid,
) -> anyhow::Result<()> {
    let c = Columns::of(batch);
    let before: HashMap<Uuid, Value> = sqlx::query!(
        r#"SELECT c.id, to_jsonb(c) - 'port_id' AS "row!" FROM clients c WHERE c.id = ANY($1)"#,
        &c.id
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|r| (r.id, r.row))
    .collect();
    let after = sqlx::query!(
        r#"UPDATE clients c SET
             full_name = u.full_name,
             company_name = coalesce(u.company_name, c.company_name),
             nationality = coalesce(u.nationality, c.nationality),
             is_proxy = coalesce(u.is_proxy, c.is_proxy),
             proxy_type = coalesce(u.proxy_type, c.proxy_type),
             actual_owner_name = coalesce(u.actual_owner_name, c.actual_owner_name),
             relationship_notes = coalesce(u.relationship_notes, c.relationship_notes),
             yacht_name = coalesce(u.yacht_name, c.yacht_name),
             yacht_length_ft = coalesce(u.length_ft, c.yacht_length_ft),
             yacht_length_m = coalesce(u.length_m, c.yacht_length_m),
             yacht_width_ft = coalesce(u.width_ft, c.yacht_width_ft),
             yacht_width_m = coalesce(u.width_m, c.yacht_width_m),
             yacht_draft_ft = coalesce(u.draft_ft, c.yacht_draft_ft),
             yacht_draft_m = coalesce(u.draft_m, c.yacht_draft_m),
             berth_size_desired = coalesce(u.berth_size_desired, c.berth_size_desired),
             preferred_contact_method = coalesce(u.preferred_contact_method, c.preferred_contact_method),
             preferred_language = coalesce(u.preferred_language, c.preferred_language),
             timezone = coalesce(u.timezone, c.timezone),
             source = coalesce(u.source, c.source),
             source_details = coalesce(u.source_details, c.source_details)
           FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bool[], $6::text[], $7::text[], $8::text[],
                       $9::text[], $10::numeric[], $11::numeric[], $12::numeric[], $13::numeric[], $14::numeric[],
                       $15::numeric[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[])
                AS u(id, full_name, company_name, nationality, is_proxy, proxy_type, actual_owner_name,
                     relationship_notes, yacht_name, length_ft, length_m, width_ft, width_m, draft_ft, draft_m,
                     berth_size_desired, preferred_contact_method, preferred_language, timezone, source, source_details)
           WHERE c.id = u.id
           RETURNING c.id, to_jsonb(c) - 'port_id' AS "row!""#,
        &c.id,
        &c.full_name,
        &c.company_name as &[Option<String>],
        &c.nationality as &[Option<String>],
        &c.is_proxy as &[Option<bool>],
        &c.proxy_type as &[Option<String>],
        &c.actual_owner_name as &[Option<String>],
        &c.relationship_notes as &[Option<String>],
        &c.yacht_name as &[Option<String>],
        &c.length_ft as &[Option<Decimal>],
        &c.length_m as &[Option<Decimal>],
        &c.width_ft as &[Option<Decimal>],
        &c.width_m as &[Option<Decimal>],
        &c.draft_ft as &[Option<Decimal>],
        &c.draft_m as &[Option<Decimal>],
        &c.berth_size_desired as &[Option<String>],
        &c.preferred_contact_method as &[Option<String>],
        &c.preferred_language as &[Option<String>],
        &c.timezone as &[Option<String>],
        &c.source as &[Option<String>],
        &c.source_details as &[Option<String>],
    )
    .fetch_all(&mut **tx)
    .await?;

    // One audit row per changed field, all in one statement.
    let (mut ids, mut fields, mut olds, mut news) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for r in after {
        let Some(old) = before.get(&r.id) else {
            continue;
        };
        for (field, o, n) in crate::audit::diff(old, &r.row) {
            ids.push(r.id);
            fields.push(field);
            olds.push(o);
            news.push(n);
        }
    }
    sqlx::query!(
        "INSERT INTO audit_logs (user_id, action, entity_type, entity_id, field_changed, old_value, new_value,
                                 ip_address, user_agent, metadata)
         SELECT $5, 'update', 'client', u.id, u.field, u.old, u.new, $6, $7, jsonb_build_object('import_id', $8::uuid)
         FROM UNNEST($1::uuid[], $2::text[], $3::jsonb[], $4::jsonb[]) AS u(id, field, old, new)",
        &ids,
        &fields,
        &olds,
        &news,
        actor.user_id,
        actor.origin.ip,
        actor.origin.user_agent,
        import_id,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The rows' contacts, skipping any the client already has; a contact is
/// primary only when the client has no primary of that channel yet.
async fn insert_contacts(
    tx: &mut crate::db::PortTx,
    rows: &[(Uuid, &Candidate)],
) -> anyhow::Result<()> {
    let (mut client, mut channel, mut value, mut primary) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (id, c) in rows {
        for k in &c.contacts {
            client.push(*id);
            channel.push(k.channel.as_str().to_owned());
            value.push(k.value.clone());
            primary.push(k.is_primary);
        }
    }
    sqlx::query!(
        "INSERT INTO client_contacts (client_id, channel, value, is_primary)
         SELECT u.client_id, u.channel, u.value,
                u.is_primary AND NOT EXISTS (SELECT 1 FROM client_contacts p
                                             WHERE p.client_id = u.client_id AND p.channel = u.channel AND p.is_primary)
         FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::bool[]) AS u(client_id, channel, value, is_primary)
         WHERE NOT EXISTS (SELECT 1 FROM client_contacts e
                           WHERE e.client_id = u.client_id AND e.channel = u.channel AND e.value = u.value)",
        &client,
        &channel,
        &value,
        &primary,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
