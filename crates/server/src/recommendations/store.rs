//! Reading and writing an interest's recommendations (`berth_recommendations`).
//!
//! The list is scored live: every berth of the port against the client's
//! yacht (`domain::recommendations`), so it follows today's statuses and
//! waiting lists. A refresh keeps the best [`KEEP`] as `ai` rows (replacing
//! the previous `ai` rows, never a `manual` one); users add `manual` ones.
//! Sold berths appear nowhere, manual or not.
//!
//! Every function runs in the request's port transaction: an interest or a
//! berth of another port is invisible there, so it answers 404 like a
//! missing one.

use super::KIND;
use crate::audit::{self, Action, Actor, Entry};
use crate::http::{Error, Result};
use chrono::{DateTime, Utc};
use domain::recommendations::{self as rules, Berth, Dimension, KEEP, Match, Yacht};
use domain::settings::BerthStatus;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::PgConnection;
use uuid::Uuid;

/// The interest whose client's yacht is matched.
#[derive(Debug, Clone)]
pub struct Subject {
    pub interest_id: Uuid,
    pub client_id: Uuid,
    pub client_name: String,
    pub yacht_name: Option<String>,
    pub yacht: Yacht,
    /// The yacht as recorded, for the panel's summary.
    pub length_ft: Option<Decimal>,
    pub width_ft: Option<Decimal>,
    pub draft_ft: Option<Decimal>,
    /// The berth the interest is linked to, if any.
    pub berth_id: Option<Uuid>,
}

/// A berth of the port, as the list shows it and the scoring reads it.
#[derive(Debug, Clone)]
pub struct BerthRow {
    pub id: Uuid,
    pub mooring_number: String,
    pub area: Option<String>,
    pub status: String,
    pub price: Option<Decimal>,
    pub price_currency: String,
    pub spec: Berth,
}

/// A recommended berth: scored now, and kept when it has an `id`.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    /// The `berth_recommendations` row, when the recommendation is kept.
    pub id: Option<Uuid>,
    pub berth_id: Uuid,
    pub mooring_number: String,
    pub area: Option<String>,
    pub status: String,
    pub price: Option<Decimal>,
    pub price_currency: String,
    /// 0–100, null when the yacht does not fit (a manual pick may not).
    pub match_score: Option<Decimal>,
    /// `{dimensional_fit, depth_fit, availability, waiting_list}`, each 0–100.
    pub match_reasons: Option<Value>,
    pub fits: bool,
    /// `manual`, `ai` (kept by a refresh) or `computed` (scored, not kept).
    pub source: String,
    pub created_by: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

/// A path segment as an id: one that is not a UUID names nothing (404).
pub fn parse_id(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw).map_err(|_| Error::NotFound)
}

fn status_of(text: &str) -> BerthStatus {
    match text {
        "sold" => BerthStatus::Sold,
        "under_offer" => BerthStatus::UnderOffer,
        _ => BerthStatus::Available,
    }
}

/// The interest `id` of the transaction's port, with its client's yacht.
pub async fn subject(conn: &mut PgConnection, id: Uuid) -> Result<Subject> {
    let r = sqlx::query!(
        "SELECT i.id, i.berth_id, c.id AS client_id, c.full_name, c.yacht_name,
                c.yacht_length_ft, c.yacht_length_m, c.yacht_width_ft, c.yacht_width_m,
                c.yacht_draft_ft, c.yacht_draft_m
         FROM interests i JOIN clients c ON c.id = i.client_id
         WHERE i.id = $1 AND i.port_id = app_port_id()",
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound)?;
    let length = Dimension::from_parts(r.yacht_length_ft, r.yacht_length_m);
    let width = Dimension::from_parts(r.yacht_width_ft, r.yacht_width_m);
    let draft = Dimension::from_parts(r.yacht_draft_ft, r.yacht_draft_m);
    let feet = |d: Option<Dimension>| {
        d.and_then(|d| Decimal::from_f64_retain(d.0))
            .map(|v| v.round_dp(1))
    };
    Ok(Subject {
        interest_id: r.id,
        client_id: r.client_id,
        client_name: r.full_name,
        yacht_name: r.yacht_name,
        yacht: Yacht {
            length,
            width,
            draft,
        },
        length_ft: feet(length),
        width_ft: feet(width),
        draft_ft: feet(draft),
        berth_id: r.berth_id,
    })
}

/// Every berth of the port, by mooring number, with its waiting list's length.
pub async fn berths(conn: &mut PgConnection) -> Result<Vec<BerthRow>> {
    let rows = sqlx::query!(
        r#"SELECT b.id, b.mooring_number, b.area, b.status, b.price, b.price_currency,
                  b.length_ft, b.length_m, b.width_ft, b.width_m, b.width_is_minimum,
                  b.water_depth, b.water_depth_m, b.water_depth_is_minimum,
                  COALESCE(w.waiting, 0) AS "waiting!"
           FROM berths b
           LEFT JOIN (SELECT berth_id, count(*) AS waiting FROM berth_waiting_list GROUP BY berth_id) w
             ON w.berth_id = b.id
           WHERE b.port_id = app_port_id()
           ORDER BY b.mooring_number, b.id"#
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| BerthRow {
            spec: Berth {
                length: Dimension::from_parts(r.length_ft, r.length_m),
                width: Dimension::from_parts(r.width_ft, r.width_m),
                width_is_minimum: r.width_is_minimum.unwrap_or(false),
                water_depth: Dimension::from_parts(r.water_depth, r.water_depth_m),
                water_depth_is_minimum: r.water_depth_is_minimum.unwrap_or(false),
                status: status_of(&r.status),
                waiting: u32::try_from(r.waiting).unwrap_or(u32::MAX),
            },
            id: r.id,
            mooring_number: r.mooring_number,
            area: r.area,
            status: r.status,
            price: r.price,
            price_currency: r.price_currency,
        })
        .collect())
}

/// A kept recommendation row.
#[derive(Debug, Clone)]
pub struct Kept {
    pub id: Uuid,
    pub berth_id: Uuid,
    pub source: String,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

async fn kept(conn: &mut PgConnection, interest_id: Uuid) -> Result<Vec<Kept>> {
    Ok(sqlx::query_as!(
        Kept,
        "SELECT id, berth_id, source, created_by, created_at FROM berth_recommendations
         WHERE interest_id = $1 AND port_id = app_port_id()
         ORDER BY created_at DESC, id DESC",
        interest_id
    )
    .fetch_all(conn)
    .await?)
}

fn reasons_json(m: &Match) -> Value {
    serde_json::to_value(m.reasons).expect("reasons serialize")
}

fn recommendation(berth: &BerthRow, score: Option<Match>, kept: Option<&Kept>) -> Recommendation {
    Recommendation {
        id: kept.map(|k| k.id),
        berth_id: berth.id,
        mooring_number: berth.mooring_number.clone(),
        area: berth.area.clone(),
        status: berth.status.clone(),
        price: berth.price,
        price_currency: berth.price_currency.clone(),
        match_score: score.map(|m| m.score_decimal()),
        match_reasons: score.as_ref().map(reasons_json),
        fits: score.is_some(),
        source: kept.map_or_else(|| "computed".to_owned(), |k| k.source.clone()),
        created_by: kept.and_then(|k| k.created_by.clone()),
        created_at: kept.map(|k| k.created_at),
    }
}

/// The interest's recommendations: its manual ones first (newest first),
/// then every other berth that fits, best first; at most `limit`.
pub async fn list(
    conn: &mut PgConnection,
    subject: &Subject,
    limit: usize,
) -> Result<Vec<Recommendation>> {
    let berths = berths(&mut *conn).await?;
    let kept = kept(&mut *conn, subject.interest_id).await?;
    Ok(assemble(subject, &berths, &kept, limit))
}

fn assemble(
    subject: &Subject,
    berths: &[BerthRow],
    kept: &[Kept],
    limit: usize,
) -> Vec<Recommendation> {
    let by_id = |id: Uuid| berths.iter().find(|b| b.id == id);
    let mut out: Vec<Recommendation> = kept
        .iter()
        .filter(|k| k.source == "manual")
        .filter_map(|k| by_id(k.berth_id).map(|b| (k, b)))
        .filter(|(_, b)| b.spec.status != BerthStatus::Sold)
        .map(|(k, b)| recommendation(b, rules::score(&subject.yacht, &b.spec), Some(k)))
        .collect();
    let specs: Vec<(usize, Berth)> = berths
        .iter()
        .enumerate()
        .map(|(i, b)| (i, b.spec))
        .collect();
    for (i, m) in rules::rank(&subject.yacht, &specs) {
        if out.len() >= limit {
            break;
        }
        let berth = &berths[i];
        if out.iter().any(|r| r.berth_id == berth.id) {
            continue;
        }
        let kept = kept.iter().find(|k| k.berth_id == berth.id);
        out.push(recommendation(berth, Some(m), kept));
    }
    out.truncate(limit);
    out
}

/// One kept recommendation of the interest, scored now; 404 when the
/// interest has none with that id.
pub async fn one(conn: &mut PgConnection, subject: &Subject, id: Uuid) -> Result<Recommendation> {
    let kept = kept(&mut *conn, subject.interest_id).await?;
    let k = kept.iter().find(|k| k.id == id).ok_or(Error::NotFound)?;
    let berths = berths(&mut *conn).await?;
    let b = berths
        .iter()
        .find(|b| b.id == k.berth_id)
        .ok_or(Error::NotFound)?;
    Ok(recommendation(
        b,
        rules::score(&subject.yacht, &b.spec),
        Some(k),
    ))
}

/// Scores every berth again and keeps the best as the interest's `ai` rows,
/// replacing the previous ones; manual rows stay. Audited as one change.
pub async fn refresh(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    subject: &Subject,
) -> Result<Vec<Recommendation>> {
    let berths = berths(&mut *conn).await?;
    let specs: Vec<(usize, Berth)> = berths
        .iter()
        .enumerate()
        .map(|(i, b)| (i, b.spec))
        .collect();
    let manual: Vec<Uuid> = kept(&mut *conn, subject.interest_id)
        .await?
        .into_iter()
        .filter(|k| k.source == "manual")
        .map(|k| k.berth_id)
        .collect();
    let best: Vec<(Uuid, Match)> = rules::rank(&subject.yacht, &specs)
        .into_iter()
        .map(|(i, m)| (berths[i].id, m))
        .filter(|(id, _)| !manual.contains(id))
        .take(KEEP)
        .collect();
    let removed = sqlx::query_scalar!(
        "DELETE FROM berth_recommendations WHERE interest_id = $1 AND source = 'ai' RETURNING berth_id",
        subject.interest_id
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = best.iter().map(|(id, _)| *id).collect();
    let scores: Vec<Decimal> = best.iter().map(|(_, m)| m.score_decimal()).collect();
    let reasons: Vec<Value> = best.iter().map(|(_, m)| reasons_json(m)).collect();
    sqlx::query!(
        "INSERT INTO berth_recommendations (interest_id, berth_id, match_score, match_reasons, source)
         SELECT $1, r.berth_id, r.score, r.reasons, 'ai'
         FROM unnest($2::uuid[], $3::numeric[], $4::jsonb[]) AS r(berth_id, score, reasons)
         ON CONFLICT (interest_id, berth_id) DO NOTHING",
        subject.interest_id,
        &ids,
        &scores,
        &reasons,
    )
    .execute(&mut *conn)
    .await?;
    let mut entry = Entry::new(Some(port_id), Action::Update, KIND, None);
    entry.old = Some(json!({ "berth_ids": removed }));
    entry.new = Some(json!({ "berth_ids": ids }));
    entry.metadata = json!({ "interest_id": subject.interest_id, "refresh": true });
    audit::record(&mut *conn, actor, entry).await?;
    let kept = kept(&mut *conn, subject.interest_id).await?;
    Ok(assemble(subject, &berths, &kept, KEEP + manual.len()))
}

/// Adds `berth_id` as a manual recommendation (a kept `ai` row becomes
/// manual). A berth of another port: 404; a sold one: 422; one already
/// recommended by hand: 409.
pub async fn add_manual(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    subject: &Subject,
    berth_id: Uuid,
) -> Result<Recommendation> {
    let berths = berths(&mut *conn).await?;
    let berth = berths
        .iter()
        .find(|b| b.id == berth_id)
        .ok_or(Error::NotFound)?;
    if berth.spec.status == BerthStatus::Sold {
        return Err(Error::invalid("berth_id", "this berth is sold"));
    }
    let score = rules::score(&subject.yacht, &berth.spec);
    let user = actor.user_id.clone();
    let row = sqlx::query!(
        r#"INSERT INTO berth_recommendations (interest_id, berth_id, match_score, match_reasons, source, created_by)
           VALUES ($1, $2, $3, $4, 'manual', $5)
           ON CONFLICT (interest_id, berth_id) DO UPDATE
             SET source = 'manual', created_by = EXCLUDED.created_by, created_at = now(),
                 match_score = EXCLUDED.match_score, match_reasons = EXCLUDED.match_reasons
             WHERE berth_recommendations.source <> 'manual'
           RETURNING id"#,
        subject.interest_id,
        berth_id,
        score.map(|m| m.score_decimal()),
        score.as_ref().map(reasons_json),
        user,
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| Error::Conflict("This berth is already recommended for the interest.".into()))?;
    let mut entry = Entry::new(Some(port_id), Action::Create, KIND, Some(row.id));
    entry.new = Some(json!({
        "berth_id": berth_id, "source": "manual",
        "match_score": score.map(|m| m.score_decimal()),
    }));
    entry.metadata = json!({ "interest_id": subject.interest_id, "berth_id": berth_id });
    audit::record(&mut *conn, actor, entry).await?;
    one(conn, subject, row.id).await
}

/// Removes the interest's recommendation `id` (manual or kept by a refresh).
pub async fn remove(
    conn: &mut PgConnection,
    actor: &Actor,
    port_id: Uuid,
    subject: &Subject,
    id: Uuid,
) -> Result<()> {
    let gone = sqlx::query!(
        "DELETE FROM berth_recommendations
         WHERE id = $1 AND interest_id = $2 AND port_id = app_port_id()
         RETURNING berth_id, source, match_score, created_by",
        id,
        subject.interest_id
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::NotFound)?;
    let mut entry = Entry::new(Some(port_id), Action::Delete, KIND, Some(id));
    entry.old = Some(json!({
        "berth_id": gone.berth_id, "source": gone.source,
        "match_score": gone.match_score, "created_by": gone.created_by,
    }));
    entry.metadata = json!({ "interest_id": subject.interest_id, "berth_id": gone.berth_id });
    audit::record(conn, actor, entry).await?;
    Ok(())
}
