//! `nimara demo`: the demo port "Port Nimara" with realistic data.
//!
//! Everything is derived from fixed tables and the row index, not from a random
//! generator, so the demo is the same on every machine. It is written in one
//! port transaction: either the whole port appears, or nothing does. A second
//! run finds the port and changes nothing.

mod berths;
mod clients;
mod interests;

use crate::db::Db;
use crate::ports::{self, NewPort};
use std::fmt;

pub const SLUG: &str = "port-nimara";

/// What a run did.
#[derive(Debug, Default)]
pub struct Report {
    pub created: bool,
    pub berths: usize,
    pub clients: usize,
    pub interests: usize,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.created {
            write!(
                f,
                "created the demo port {SLUG}: {} berths, {} clients, {} interests",
                self.berths, self.clients, self.interests
            )
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
    let clients = clients::insert(&mut tx, port.id).await?;
    let interests = interests::insert(&mut tx, port.id, &clients, &berths).await?;
    tx.commit().await?;
    Ok(Report {
        created: true,
        berths: berths.len(),
        clients: clients.len(),
        interests,
    })
}
