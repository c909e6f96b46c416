//! Duplicate detection (DESIGN "Duplicates and merge"): [`scan`] finds, for a
//! batch of clients, the other clients of the port that may be the same person,
//! records the pairs and tells the port's editors about new ones.
//!
//! One set-based statement serves a batch of any size (one client after a
//! create or an edit, 100,000 after an import, the whole port on a rescan):
//! * a shared e-mail: contacts are stored normalised (trimmed, lower-case), so
//!   equality is enough;
//! * a shared phone: stored as E.164; phone and whatsapp count as one channel;
//! * a very similar full name: pg_trgm similarity ≥ [`NAME_THRESHOLD`] through
//!   the `%` operator, which the gin index `idx_clients_full_name_trgm` serves.
//!
//! Archived clients take part (an archived record is still the same person);
//! a client is never paired with itself.

use crate::notifications::{Kind, Notice, Recipients, notify};
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

/// The trigram similarity at which two full names count as "very similar".
///
/// Measured with pg_trgm: one-letter spelling variants and short forms of
/// two-word names score above it ("Jon Smith"/"John Smith" 0.62,
/// "Katherine"/"Catherine Jones" 0.68, "Anna"/"Hanna Berg" 0.62, "Robert"/"Rob
/// Brown" 0.64, "Smith, John"/"John Smith" 1.0), while different people
/// sharing a surname score below it ("Jane"/"John Smith" 0.47,
/// "David"/"Daniel Lee" 0.40, "Michael"/"Michelle Johnson" 0.57). pg_trgm's
/// default of 0.3 would pair most people with the same surname. What the name
/// misses (a transliteration like Müller/Mueller, 0.56) the e-mail or phone
/// usually catches.
pub const NAME_THRESHOLD: f32 = 0.6;

/// One possible-duplicate pair found by a scan (pending; dismissed pairs are
/// never reported again).
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub id: Uuid,
    /// The pair, ordered: `client_a_id < client_b_id`.
    pub client_a_id: Uuid,
    pub client_a_name: String,
    pub client_b_id: Uuid,
    pub client_b_name: String,
    /// Which of `email`, `phone`, `name` matched.
    pub reasons: Vec<String>,
    /// The trigram similarity of the names, when `name` is a reason.
    pub name_similarity: Option<f32>,
    pub score: f32,
    /// First found by this scan (as opposed to a pair already pending).
    pub is_new: bool,
}

impl Candidate {
    /// The other side of the pair from `client_id`: (id, name).
    pub fn other(&self, client_id: Uuid) -> (Uuid, &str) {
        if self.client_a_id == client_id {
            (self.client_b_id, &self.client_b_name)
        } else {
            (self.client_a_id, &self.client_a_name)
        }
    }
}

/// Scans `client_ids` (clients of `port_id`) for duplicates among all of the
/// port's clients, in the caller's port transaction.
///
/// Pairs found are upserted into `client_duplicate_candidates`: a new pair is
/// inserted as pending, a pending pair gets its reasons and score refreshed, a
/// dismissed pair is left alone and not returned. Pending pairs of the scanned
/// clients that no longer match (an e-mail was corrected, say) are removed.
/// When the scan found new pairs, ONE `duplicate_alert` notification goes to
/// everyone at the port holding `clients.edit`.
///
/// Returns the pending pairs involving the scanned clients, best first.
pub async fn scan(
    conn: &mut PgConnection,
    port_id: Uuid,
    client_ids: &[Uuid],
) -> Result<Vec<Candidate>, sqlx::Error> {
    if client_ids.is_empty() {
        return Ok(Vec::new());
    }
    // `%` reads its threshold from this setting; set it for this statement's
    // transaction and put the caller's value back afterwards.
    let previous = sqlx::query_scalar!(
        r#"SELECT current_setting('pg_trgm.similarity_threshold', true) AS "v""#
    )
    .fetch_one(&mut *conn)
    .await?;
    set_threshold(conn, &NAME_THRESHOLD.to_string()).await?;

    // Score: e-mail 0.6, phone 0.5, name 0.5 × similarity, capped at 1, so a
    // pair matching on two grounds outranks one matching on a single ground.
    let rows = sqlx::query!(
        r#"WITH batch AS (
               SELECT id, full_name FROM clients WHERE port_id = $1 AND id = ANY($2)
           ),
           hits AS (
               SELECT k1.client_id AS x, k2.client_id AS y, 'email' AS reason, NULL::real AS sim
               FROM client_contacts k1
               JOIN client_contacts k2
                 ON k2.channel = 'email' AND k2.value = k1.value AND k2.client_id <> k1.client_id
               WHERE k1.client_id = ANY($2) AND k1.channel = 'email' AND k2.port_id = $1
             UNION ALL
               SELECT k1.client_id, k2.client_id, 'phone', NULL::real
               FROM client_contacts k1
               JOIN client_contacts k2
                 ON k2.port_id = $1 AND k2.channel IN ('phone', 'whatsapp')
                AND k2.value = k1.value AND k2.client_id <> k1.client_id
               WHERE k1.client_id = ANY($2) AND k1.channel IN ('phone', 'whatsapp')
             UNION ALL
               SELECT b.id, c.id, 'name', similarity(c.full_name, b.full_name)
               FROM batch b
               JOIN clients c ON c.port_id = $1 AND c.full_name % b.full_name AND c.id <> b.id
           ),
           pairs AS (
               SELECT least(x, y) AS a, greatest(x, y) AS b,
                      array_agg(DISTINCT reason ORDER BY reason) AS reasons,
                      max(sim) AS name_similarity
               FROM hits GROUP BY 1, 2
           ),
           scored AS (
               SELECT p.a, p.b, p.reasons, p.name_similarity,
                      least(1.0,
                            CASE WHEN 'email' = ANY(p.reasons) THEN 0.6 ELSE 0 END
                          + CASE WHEN 'phone' = ANY(p.reasons) THEN 0.5 ELSE 0 END
                          + 0.5 * coalesce(p.name_similarity, 0))::real AS score,
                      old.id IS NULL AS is_new
               FROM pairs p
               LEFT JOIN client_duplicate_candidates old
                 ON old.port_id = $1 AND old.client_a_id = p.a AND old.client_b_id = p.b
           ),
           stale AS (
               DELETE FROM client_duplicate_candidates d
               WHERE d.port_id = $1 AND d.status = 'pending'
                 AND (d.client_a_id = ANY($2) OR d.client_b_id = ANY($2))
                 AND NOT EXISTS (SELECT 1 FROM pairs p WHERE p.a = d.client_a_id AND p.b = d.client_b_id)
           ),
           upserted AS (
               INSERT INTO client_duplicate_candidates
                   (port_id, client_a_id, client_b_id, reasons, name_similarity, score)
               SELECT $1, a, b, reasons, name_similarity, score FROM scored
               ON CONFLICT (port_id, client_a_id, client_b_id) DO UPDATE
                   SET reasons = EXCLUDED.reasons,
                       name_similarity = EXCLUDED.name_similarity,
                       score = EXCLUDED.score
                   WHERE client_duplicate_candidates.status = 'pending'
               RETURNING id, client_a_id, client_b_id, reasons, name_similarity, score
           )
           SELECT u.id, u.client_a_id, ca.full_name AS a_name, u.client_b_id, cb.full_name AS b_name,
                  u.reasons, u.name_similarity, u.score, s.is_new AS "is_new!"
           FROM upserted u
           JOIN scored s ON s.a = u.client_a_id AND s.b = u.client_b_id
           JOIN clients ca ON ca.id = u.client_a_id
           JOIN clients cb ON cb.id = u.client_b_id
           ORDER BY u.score DESC, u.id"#,
        port_id,
        client_ids
    )
    .fetch_all(&mut *conn)
    .await?;

    match previous {
        Some(value) => set_threshold(conn, &value).await?,
        None => set_threshold(conn, "0.3").await?,
    }

    let found: Vec<Candidate> = rows
        .into_iter()
        .map(|r| Candidate {
            id: r.id,
            client_a_id: r.client_a_id,
            client_a_name: r.a_name,
            client_b_id: r.client_b_id,
            client_b_name: r.b_name,
            reasons: r.reasons,
            name_similarity: r.name_similarity,
            score: r.score,
            is_new: r.is_new,
        })
        .collect();
    alert(conn, port_id, client_ids, &found).await?;
    Ok(found)
}

async fn set_threshold(conn: &mut PgConnection, value: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "SELECT set_config('pg_trgm.similarity_threshold', $1, true) AS v",
        value
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(())
}

/// One notification for the scan's new pairs: naming the client when they all
/// concern one scanned client (a create or an edit), a count otherwise.
async fn alert(
    conn: &mut PgConnection,
    port_id: Uuid,
    scanned: &[Uuid],
    found: &[Candidate],
) -> Result<(), sqlx::Error> {
    let new: Vec<&Candidate> = found.iter().filter(|c| c.is_new).collect();
    if new.is_empty() {
        return Ok(());
    }
    let slug = sqlx::query_scalar!("SELECT slug FROM ports WHERE id = $1", port_id)
        .fetch_one(&mut *conn)
        .await?;
    let notice = match the_one_client(scanned, &new) {
        Some((id, name)) => {
            let others: Vec<String> = new
                .iter()
                .map(|c| {
                    let (_, other) = c.other(id);
                    format!("{other} ({})", super::reasons_text(&c.reasons))
                })
                .collect();
            Notice::new(Kind::DuplicateAlert, format!("{name} may be a duplicate"))
                .description(format!("Possible duplicate of {}.", others.join(", ")))
                .link(format!("/ports/{slug}/clients/{id}"))
                .entity("client", id)
        }
        None => Notice::new(
            Kind::DuplicateAlert,
            format!("{} possible duplicate clients", new.len()),
        )
        .description("New pairs of clients that may be the same person are waiting for review.")
        .link(format!("/ports/{slug}/clients/duplicates")),
    };
    notify(
        conn,
        port_id,
        Recipients::WithPermission("clients.edit"),
        notice,
    )
    .await?;
    Ok(())
}

/// The scanned client every new pair involves, when there is exactly one.
fn the_one_client<'a>(scanned: &[Uuid], new: &[&'a Candidate]) -> Option<(Uuid, &'a str)> {
    let first = new.first()?;
    [
        (first.client_a_id, first.client_a_name.as_str()),
        (first.client_b_id, first.client_b_name.as_str()),
    ]
    .into_iter()
    .filter(|(id, _)| scanned.contains(id))
    .find(|(id, _)| {
        new.iter()
            .all(|c| c.client_a_id == *id || c.client_b_id == *id)
    })
}
