//! Demo notes: a few client notes by the demo team, mentioning each other,
//! and a couple of scratchpad notes per user (one attached to a client).
//! Written after the team exists (notes name their authors).

use super::{SLUG, TEAM, clients::Client};
use crate::db::Db;
use uuid::Uuid;

/// (client index, author, mentioned, text, hours ago). `{m}` is the mention.
const NOTES: [(usize, usize, Option<usize>, &str, i32); 6] = [
    (
        0,
        2,
        Some(1),
        "First call: wants a 40 m berth for next season. {m} can you check what is free on the east pier?",
        72,
    ),
    (
        0,
        1,
        Some(2),
        "Two berths fit on the east pier; {m} please send the EOI this week.",
        48,
    ),
    (
        1,
        2,
        None,
        "Prefers WhatsApp after 6 pm local time; the broker copies the family office on e-mail.",
        30,
    ),
    (
        2,
        0,
        Some(3),
        "Deposit agreed at 10%. {m} please raise the invoice once the EOI is signed.",
        20,
    ),
    (
        3,
        2,
        Some(0),
        "Asked for a tour of the marina on Friday; {m} would like to meet them.",
        6,
    ),
    (
        4,
        1,
        None,
        "Not ready before the refit ends in March; follow up then.",
        2,
    ),
];

const SCRATCH: [(usize, &str, Option<usize>); 4] = [
    (2, "Ask the harbour master about shore power upgrades", None),
    (
        2,
        "Liked the south basin; worried about swell in winter",
        Some(5),
    ),
    (1, "Quarterly review: three EOIs still unsigned", None),
    (0, "Board pack due on the 28th", None),
];

pub async fn insert(db: &Db, port_id: Uuid, clients: &[Client]) -> anyhow::Result<()> {
    let mut team = Vec::new();
    for (email, name, _) in TEAM {
        let id = sqlx::query_scalar!("SELECT id FROM users WHERE email = $1", email as _)
            .fetch_one(db.pool())
            .await?;
        team.push((id, name));
    }
    let mut tx = db.begin_port(port_id).await?;
    for (client, author, mentioned, text, hours) in NOTES {
        let Some(client) = clients.get(client) else {
            continue;
        };
        let (content, mentions) = match mentioned {
            Some(m) => {
                let (id, name) = &team[m];
                (
                    text.replace("{m}", &format!("@[{name}]({id})")),
                    vec![id.clone()],
                )
            }
            None => (text.to_owned(), Vec::new()),
        };
        sqlx::query!(
            "INSERT INTO client_notes (client_id, author_id, content, mentions, is_locked, created_at, updated_at)
             VALUES ($1, $2, $3, $4, true, now() - make_interval(hours => $5), now() - make_interval(hours => $5))",
            client.id,
            team[author].0,
            content,
            &mentions,
            hours
        )
        .execute(&mut *tx)
        .await?;
    }
    for (user, text, client) in SCRATCH {
        let linked = client.and_then(|c| clients.get(c)).map(|c| c.id);
        sqlx::query!(
            "INSERT INTO scratchpad_notes (user_id, content, linked_client_id, linked_at)
             VALUES ($1, $2, $3, CASE WHEN $3::uuid IS NULL THEN NULL ELSE now() END)",
            team[user].0,
            text,
            linked
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    tracing::debug!(port = SLUG, "demo notes written");
    Ok(())
}
