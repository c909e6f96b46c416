//! `nimara demo`: the demo port "Port Nimara" with realistic data.
//!
//! Everything is derived from fixed tables and the row index, not from a random
//! generator, so the demo is the same on every machine. It is written in one
//! port transaction: either the whole port appears, or nothing does. A second
//! run finds the port and changes nothing.

mod berth_history;
mod berths;
pub mod board;
pub mod bulk;
mod clients;
mod interests;
pub mod map;
mod notes;
mod tags;

use crate::db::Db;
use crate::ports::{self, NewPort};
use sqlx::PgConnection;
use std::fmt;
use uuid::Uuid;

pub const SLUG: &str = "port-nimara";

/// The demo team: one member per everyday role, all with the same password.
pub const TEAM: [(&str, &str, &str); 4] = [
    ("director@port-nimara.example", "Dana Whitaker", "director"),
    (
        "sales.manager@port-nimara.example",
        "Marcus Hale",
        "sales_manager",
    ),
    (
        "sales.agent@port-nimara.example",
        "Sofia Reyes",
        "sales_agent",
    ),
    ("finance@port-nimara.example", "Owen Park", "finance"),
];

/// What a run did.
#[derive(Debug, Default)]
pub struct Report {
    pub created: bool,
    pub berths: usize,
    pub clients: usize,
    pub interests: usize,
    /// The demo team's password, shown once when the team is created.
    pub password: Option<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.created {
            write!(
                f,
                "created the demo port {SLUG}: {} berths, {} clients, {} interests",
                self.berths, self.clients, self.interests
            )?;
            if let Some(password) = &self.password {
                write!(f, "\nsign in as {} (or any of", TEAM[0].0)?;
                for (email, _, role) in &TEAM[1..] {
                    write!(f, " {email} [{role}]")?;
                }
                write!(f, ") with the password: {password}")?;
            }
            Ok(())
        } else {
            write!(f, "the demo port {SLUG} is already loaded; nothing changed")
        }
    }
}

/// Loads the demo port; a second run changes nothing.
pub async fn load(db: &Db) -> anyhow::Result<Report> {
    if ports::find_by_slug(db.pool(), SLUG).await?.is_some() {
        return Ok(Report::default());
    }
    let mut tx = db.pool().begin().await?;
    let new = NewPort {
        name: "Port Nimara".into(),
        slug: SLUG.into(),
        timezone: "America/Anguilla".into(),
        default_currency: "USD".into(),
    };
    let port = match ports::create(&mut *tx, &new).await {
        Ok(port) => port,
        // Another process loaded it between our check and here.
        Err(crate::http::Error::Conflict(_)) => return Ok(Report::default()),
        Err(e) => return Err(e.into()),
    };
    // The rest is port data: act as the request role, under row-level security.
    crate::db::act_for_port(&mut tx, port.id).await?;
    let berths = berths::insert(&mut tx, port.id).await?;
    berth_history::insert(&mut tx, &berths).await?;
    let clients = clients::insert(&mut tx, port.id).await?;
    let interests = interests::insert(&mut tx, port.id, &clients, &berths).await?;
    tags::insert_tags(&mut tx, &clients).await?;
    tags::insert_custom_fields(&mut tx, &clients).await?;
    map::lay_out(&mut tx).await?;
    map::waiting_lists(&mut tx).await?;
    tx.commit().await?;
    let password = team(db).await?;
    notes::insert(db, port.id, &clients).await?;
    Ok(Report {
        created: true,
        berths: berths.len(),
        clients: clients.len(),
        interests,
        password: Some(password),
    })
}

/// Creates the demo team; the password is `NIMARA_DEMO_PASSWORD` or a fresh
/// random one, never a fixed string that would open every demo installation.
async fn team(db: &Db) -> anyhow::Result<String> {
    let password = std::env::var("NIMARA_DEMO_PASSWORD")
        .ok()
        .filter(|p| p.chars().count() >= crate::users::password::MIN_LENGTH)
        .unwrap_or_else(|| crate::auth::tokens::generate().0.chars().take(16).collect());
    for (email, name, role) in TEAM {
        let exists = sqlx::query_scalar!(
            "SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)",
            email as _
        )
        .fetch_one(db.pool())
        .await?;
        if exists.unwrap_or(false) {
            continue;
        }
        let new = crate::users::NewUser {
            email: email.into(),
            name: name.into(),
            password: password.clone(),
            super_admin: false,
            port_role: Some((SLUG.into(), role.into())),
        };
        crate::users::create(db.pool(), &new)
            .await
            .map_err(anyhow::Error::new)?;
    }
    Ok(password)
}

/// The port `slug` of a benchmark generator (`board`, `bulk`, `map`), created
/// when it does not exist yet.
async fn benchmark_port(db: &Db, slug: &str) -> anyhow::Result<ports::Port> {
    if let Some(port) = ports::find_by_slug(db.pool(), slug).await? {
        return Ok(port);
    }
    let new = NewPort {
        name: format!("Benchmark {slug}"),
        slug: slug.to_owned(),
        timezone: "America/Anguilla".into(),
        default_currency: "USD".into(),
    };
    ports::create(db.pool(), &new)
        .await
        .map_err(anyhow::Error::new)
}

/// The tags `(name, colour)` of a benchmark generator that the port does not
/// have yet.
async fn insert_tags(
    conn: &mut PgConnection,
    port_id: Uuid,
    tags: &[(&str, &str)],
) -> anyhow::Result<()> {
    for (name, color) in tags {
        sqlx::query!(
            "INSERT INTO tags (port_id, name, color) VALUES ($1, $2, $3) ON CONFLICT (port_id, name) DO NOTHING",
            port_id,
            name,
            color
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A generator's fixed table as owned strings (a query's text array).
fn owned(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}
