//! Telling the first entries of a list that their berth became available.
//!
//! The first [`NOTIFY_FIRST`] entries (by position; archived clients left
//! out) are told by their `notify_pref`:
//! * `email`: the client gets an e-mail at their primary e-mail address,
//!   queued through the mail transport in the caller's transaction;
//! * `in_app`: clients do not sign in, so the port's team is told instead: a
//!   `waiting_list` notification (in-app, and by e-mail for members who keep
//!   e-mail on for that kind) to every member who may edit clients, asking
//!   them to contact the client;
//! * `both`: both.
//!
//! A client who wants e-mail but has no e-mail address is not skipped: the
//! team is told, with a note that no address is on file.

use crate::http::{Error, Result};
use crate::mail::{self, Message};
use crate::notifications::{Kind, Notice, Recipients, notify};
use askama::Template;
use domain::waiting_list::{NOTIFY_FIRST, NotifyPref};
use sqlx::PgConnection;
use std::str::FromStr;
use uuid::Uuid;

/// Who is asked to contact a waiting client.
const TEAM: &str = "clients.edit";

#[derive(Template)]
#[template(path = "mail/waiting_list.txt")]
struct ClientMail<'a> {
    client_name: &'a str,
    mooring_number: &'a str,
    port: &'a str,
    position: i32,
}

/// Tells the first entries of the list of `berth_id` (at `port_id`, whose
/// transaction `conn` is) that the berth is available; returns how many
/// entries were told. Called when a berth's status becomes `available`.
pub async fn notify_available(
    conn: &mut PgConnection,
    port_id: Uuid,
    berth_id: Uuid,
) -> Result<usize> {
    let berth = sqlx::query!(
        "SELECT b.mooring_number, p.name AS port_name, p.slug
         FROM berths b JOIN ports p ON p.id = b.port_id
         WHERE b.id = $1 AND b.port_id = $2",
        berth_id,
        port_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::NotFound)?;
    let first = sqlx::query!(
        r#"SELECT w.client_id, c.full_name, w.position, coalesce(w.notify_pref, 'email') AS "notify_pref!",
                  (SELECT k.value FROM client_contacts k
                    WHERE k.client_id = c.id AND k.channel = 'email'
                    ORDER BY NOT k.is_primary, k.created_at, k.id LIMIT 1) AS email
           FROM berth_waiting_list w
           JOIN clients c ON c.id = w.client_id
           WHERE w.berth_id = $1 AND w.port_id = $2 AND c.archived_at IS NULL
           ORDER BY w.position, w.created_at, w.id
           LIMIT $3"#,
        berth_id,
        port_id,
        NOTIFY_FIRST as i64
    )
    .fetch_all(&mut *conn)
    .await?;
    let link = format!("/ports/{}/berths/{berth_id}", berth.slug);
    for entry in &first {
        let pref = NotifyPref::from_str(&entry.notify_pref).unwrap_or(NotifyPref::Email);
        let mailed = match (&entry.email, pref.by_email()) {
            (Some(to), true) => {
                let text = ClientMail {
                    client_name: &entry.full_name,
                    mooring_number: &berth.mooring_number,
                    port: &berth.port_name,
                    position: entry.position,
                }
                .render()
                .map_err(|e| anyhow::Error::new(e).context("rendering the waiting-list mail"))?;
                let message = Message {
                    to: to.clone(),
                    subject: format!(
                        "[{}] Berth {} is available",
                        berth.port_name, berth.mooring_number
                    ),
                    text,
                    html: None,
                };
                mail::queue(&mut *conn, message).await?;
                true
            }
            _ => false,
        };
        let no_address = pref.by_email() && !mailed;
        if pref.in_app() || no_address {
            let mut description = format!(
                "{} is number {} on the waiting list of berth {}: contact them to offer it.",
                entry.full_name, entry.position, berth.mooring_number
            );
            if no_address {
                description.push_str(" They asked for e-mail, but no e-mail address is on file.");
            }
            let notice = Notice::new(
                Kind::WaitingList,
                format!(
                    "Berth {} is available for {}",
                    berth.mooring_number, entry.full_name
                ),
            )
            .description(description)
            .link(link.clone())
            .entity("client", entry.client_id);
            notify(
                &mut *conn,
                port_id,
                Recipients::WithPermission(TEAM),
                notice,
            )
            .await?;
        }
    }
    Ok(first.len())
}
