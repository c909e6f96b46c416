//! The plan of an import: what each row would do — create, update (matched by
//! e-mail) or be rejected and why — and which rows look like duplicates.
//!
//! The same plan drives the dry run and the import itself (computed again inside
//! the import's transaction, so it acts on the data as it is then). Lookups are
//! set-based: all e-mails and phones of the file in one query, all new names in
//! one trigram query, never one query per row.

use super::mapping::Mapping;
use super::parse::Table;
use super::validate::{self, Candidate, Problem};
use domain::contacts::Channel;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

/// Names at least this similar (pg_trgm's `similarity`) are flagged.
pub const NAME_SIMILARITY: f32 = 0.6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Reject,
}

/// Why a row may be someone already known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    /// `email`, `phone` or `name`.
    pub by: String,
    pub message: String,
    /// The existing client it resembles…
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub client_id: Option<Uuid>,
    /// …or the earlier line of the file.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub line: Option<usize>,
}

/// One row's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowReport {
    pub line: usize,
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub full_name: Option<String>,
    /// The client updated (or, after the import, created).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub client_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub problems: Vec<Problem>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub duplicates: Vec<Flag>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub total_rows: usize,
    pub create: usize,
    pub update: usize,
    pub reject: usize,
    /// Rows with at least one possible-duplicate flag.
    pub flagged: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub summary: Summary,
    pub rows: Vec<RowReport>,
}

/// The report, and the rows that will be written.
pub struct Plan {
    pub report: Report,
    /// New clients, each with the id it will have.
    pub creates: Vec<(Uuid, Candidate)>,
    /// Existing clients and the row that updates each.
    pub updates: Vec<(Uuid, Candidate)>,
}

struct Known {
    client_id: Uuid,
    full_name: String,
}

/// Plans the import of `table` with `mapping`, in the port transaction `conn`
/// (row-level security limits every lookup to the port).
pub async fn plan(
    conn: &mut PgConnection,
    port_id: Uuid,
    table: &Table,
    mapping: &Mapping,
) -> crate::http::Result<Plan> {
    let region = crate::settings::get::<domain::settings::ContactDefaults>(conn, Some(port_id))
        .await?
        .phone_region;

    // 1. Each row on its own.
    let mut rows: Vec<RowReport> = Vec::with_capacity(table.records.len());
    let mut good: Vec<(usize, Candidate)> = Vec::new();
    for record in &table.records {
        let outcome = match &record.fields {
            Err(message) => Err(vec![Problem::row(message.clone())]),
            Ok(fields) => validate::row(record.line, fields, &table.headers, mapping, &region),
        };
        let index = rows.len();
        match outcome {
            Ok(c) => {
                rows.push(RowReport {
                    line: record.line,
                    action: Action::Create,
                    full_name: Some(c.client.full_name.clone()),
                    client_id: None,
                    problems: Vec::new(),
                    duplicates: Vec::new(),
                });
                good.push((index, c));
            }
            Err(problems) => rows.push(RowReport {
                line: record.line,
                action: Action::Reject,
                full_name: None,
                client_id: None,
                problems,
                duplicates: Vec::new(),
            }),
        }
    }

    // 2. Every e-mail and phone of the file against the port's clients, at once.
    let mut emails: Vec<String> = Vec::new();
    let mut phones: Vec<String> = Vec::new();
    for (_, c) in &good {
        for k in &c.contacts {
            match k.channel {
                Channel::Email => emails.push(k.value.clone()),
                _ => phones.push(k.value.clone()),
            }
        }
    }
    emails.sort_unstable();
    emails.dedup();
    phones.sort_unstable();
    phones.dedup();
    let found = sqlx::query!(
        r#"SELECT cc.channel AS "channel!", cc.value AS "value!", c.id AS "client_id!", c.full_name AS "full_name!"
           FROM client_contacts cc JOIN clients c ON c.id = cc.client_id
           WHERE c.archived_at IS NULL AND cc.channel = 'email' AND cc.value = ANY($1)
           UNION ALL
           SELECT cc.channel, cc.value, c.id, c.full_name
           FROM client_contacts cc JOIN clients c ON c.id = cc.client_id
           WHERE c.archived_at IS NULL AND cc.channel IN ('phone', 'whatsapp') AND cc.value = ANY($2)"#,
        &emails,
        &phones,
    )
    .fetch_all(&mut *conn)
    .await?;
    // The oldest client first, so an e-mail shared by two updates the older.
    let mut by_email: HashMap<String, Vec<Known>> = HashMap::new();
    let mut by_phone: HashMap<String, Vec<Known>> = HashMap::new();
    for r in found {
        let known = Known {
            client_id: r.client_id,
            full_name: r.full_name,
        };
        let map = if r.channel == "email" {
            &mut by_email
        } else {
            &mut by_phone
        };
        let list = map.entry(r.value).or_default();
        if !list.iter().any(|k| k.client_id == known.client_id) {
            list.push(known);
        }
    }

    // 3. Create or update, and the duplicates of earlier rows and known clients.
    let mut first_email: HashMap<&str, usize> = HashMap::new();
    let mut first_phone: HashMap<&str, usize> = HashMap::new();
    let mut first_name: HashMap<String, usize> = HashMap::new();
    let mut creates = Vec::new();
    let mut updates = Vec::new();
    let mut updated: HashMap<Uuid, usize> = HashMap::new();
    for (index, c) in &good {
        let row = &mut rows[*index];
        let target = c
            .contacts
            .iter()
            .filter(|k| k.channel == Channel::Email)
            .find_map(|k| by_email.get(&k.value).and_then(|l| l.first()));
        let mut flags = Vec::new();
        if let Some(t) = target
            && let Some(line) = updated.get(&t.client_id)
        {
            flags.push(Flag {
                    by: "email".into(),
                    message: format!(
                        "updates the same client as line {line}; this row is created as a new client instead"
                    ),
                    client_id: Some(t.client_id),
                    line: Some(*line),
                });
        }
        let target = target.filter(|t| !updated.contains_key(&t.client_id));
        for k in &c.contacts {
            let (known, earlier, by) = match k.channel {
                Channel::Email => (&by_email, &mut first_email, "email"),
                _ => (&by_phone, &mut first_phone, "phone"),
            };
            for other in known.get(&k.value).into_iter().flatten() {
                if Some(other.client_id) != target.map(|t| t.client_id)
                    && !flags
                        .iter()
                        .any(|f: &Flag| f.client_id == Some(other.client_id))
                {
                    flags.push(Flag {
                        by: by.into(),
                        message: format!(
                            "{} {} also belongs to {}",
                            by_label(by),
                            k.value,
                            other.full_name
                        ),
                        client_id: Some(other.client_id),
                        line: None,
                    });
                }
            }
            match earlier.get(k.value.as_str()) {
                Some(&line) => flags.push(Flag {
                    by: by.into(),
                    message: format!("{} {} is also on line {line}", by_label(by), k.value),
                    client_id: None,
                    line: Some(line),
                }),
                None => {
                    earlier.insert(k.value.as_str(), c.line);
                }
            }
        }
        let key = validate::name_key(&c.client.full_name);
        match first_name.get(&key) {
            Some(&line) if target.is_none() => flags.push(Flag {
                by: "name".into(),
                message: format!("the same name as line {line}"),
                client_id: None,
                line: Some(line),
            }),
            Some(_) => {}
            None => {
                first_name.insert(key, c.line);
            }
        }
        row.duplicates = flags;
        match target {
            Some(t) => {
                row.action = Action::Update;
                row.client_id = Some(t.client_id);
                updated.insert(t.client_id, c.line);
                updates.push((t.client_id, c.clone()));
            }
            None => {
                let id = Uuid::new_v4();
                creates.push((id, c.clone()));
            }
        }
    }

    // 4. New names very like a known client's: one trigram query for all of them.
    if !creates.is_empty() {
        let mut names: Vec<String> = creates
            .iter()
            .map(|(_, c)| c.client.full_name.clone())
            .collect();
        names.sort_unstable();
        names.dedup();
        // `%` uses the index with the transaction's threshold.
        sqlx::query!(
            "SELECT set_config('pg_trgm.similarity_threshold', $1, true)",
            NAME_SIMILARITY.to_string()
        )
        .fetch_one(&mut *conn)
        .await?;
        let similar = sqlx::query!(
            r#"SELECT n.name AS "name!", s.id AS "client_id!", s.full_name AS "full_name!"
               FROM unnest($1::text[]) AS n(name)
               CROSS JOIN LATERAL (
                   SELECT c.id, c.full_name FROM clients c
                   WHERE c.archived_at IS NULL AND c.full_name % n.name
                   ORDER BY similarity(c.full_name, n.name) DESC, c.created_at
                   LIMIT 1) s"#,
            &names,
        )
        .fetch_all(&mut *conn)
        .await?;
        let like: HashMap<String, (Uuid, String)> = similar
            .into_iter()
            .map(|r| (r.name, (r.client_id, r.full_name)))
            .collect();
        let mut at_line: HashMap<usize, usize> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            at_line.insert(r.line, i);
        }
        for (_, c) in &creates {
            if let Some((id, name)) = like.get(&c.client.full_name) {
                let row = &mut rows[at_line[&c.line]];
                if !row.duplicates.iter().any(|f| f.client_id == Some(*id)) {
                    row.duplicates.push(Flag {
                        by: "name".into(),
                        message: format!("a name very like {name}'s"),
                        client_id: Some(*id),
                        line: None,
                    });
                }
            }
        }
    }

    let mut summary = Summary {
        total_rows: rows.len(),
        ..Summary::default()
    };
    for r in &rows {
        match r.action {
            Action::Create => summary.create += 1,
            Action::Update => summary.update += 1,
            Action::Reject => summary.reject += 1,
        }
        if !r.duplicates.is_empty() {
            summary.flagged += 1;
        }
    }
    Ok(Plan {
        report: Report { summary, rows },
        creates,
        updates,
    })
}

fn by_label(by: &str) -> &'static str {
    match by {
        "email" => "E-mail",
        _ => "Phone",
    }
}
