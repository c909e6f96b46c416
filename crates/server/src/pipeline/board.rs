//! The board's two statements: every column's count and value in one
//! aggregate, and every column's first cards in one lateral join (each
//! column a short scan of `idx_interests_board`, migration 0060). Neither
//! runs once per column or per card, so a port of thousands of interests
//! costs the same two round trips as a port of ten.

use super::params::{Filters, Reminders};
use crate::http::{Error, Result};
use chrono::{DateTime, Utc};
use domain::pipeline::Stage;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

/// The total of one currency in a column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Amount {
    pub currency: String,
    pub amount: Decimal,
}

/// A column's count and value: open interests at the stage, and the sum of
/// their linked berths' prices per currency (an interest without a berth, or
/// whose berth has no price, counts but adds nothing).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub stage: Stage,
    pub count: i64,
    /// The port's own currency first, then by code.
    pub values: Vec<Amount>,
}

/// One card: an open interest with its client, yacht and berth.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    pub id: Uuid,
    #[serde(skip)]
    pub stage: Stage,
    pub client_id: Uuid,
    pub client_name: String,
    pub yacht_name: Option<String>,
    pub berth_id: Option<Uuid>,
    pub mooring_number: Option<String>,
    /// The linked berth's price, when it has one.
    pub value: Option<Amount>,
    pub lead_category: Option<String>,
    pub created_at: DateTime<Utc>,
    pub date_last_contact: Option<DateTime<Utc>>,
    /// The card's place in its column: the last contact, else the creation.
    #[serde(skip)]
    pub activity: DateTime<Utc>,
}

/// Where "show more" continues a column: after this card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    pub at: DateTime<Utc>,
    pub id: Uuid,
}

impl Card {
    pub fn key(&self) -> Key {
        Key {
            at: self.activity,
            id: self.id,
        }
    }

    /// Whole days since the interest was created.
    pub fn age_days(&self, now: DateTime<Utc>) -> i64 {
        (now - self.created_at).num_days().max(0)
    }
}

/// The tag filters must name tags of the port (422 naming `tag` otherwise).
pub async fn check(conn: &mut PgConnection, filters: &Filters) -> Result<()> {
    if filters.tags.is_empty() {
        return Ok(());
    }
    let found = sqlx::query_scalar!("SELECT id FROM tags WHERE id = ANY($1)", &filters.tags)
        .fetch_all(conn)
        .await?;
    match filters.tags.iter().find(|t| !found.contains(t)) {
        Some(missing) => Err(Error::invalid(
            "tag",
            format!("no tag {missing} at this port"),
        )),
        None => Ok(()),
    }
}

fn stage_names(stages: &[Stage]) -> Vec<String> {
    stages.iter().map(|s| s.as_str().to_owned()).collect()
}

fn reminders(filters: &Filters) -> Option<&'static str> {
    filters.reminders.map(Reminders::as_str)
}

/// Every stage's count and value under `filters`, in pipeline order (a stage
/// without interests has count 0).
pub async fn summary(
    conn: &mut PgConnection,
    port_id: Uuid,
    user_id: &str,
    filters: &Filters,
    port_currency: &str,
) -> Result<Vec<Summary>> {
    let rows = sqlx::query!(
        r#"SELECT i.pipeline_stage AS "stage!",
                  CASE WHEN b.price IS NULL THEN NULL ELSE b.price_currency END AS currency,
                  count(*) AS "count!", sum(b.price) AS amount
           FROM interests i
           LEFT JOIN berths b ON b.id = i.berth_id
           WHERE i.port_id = $1 AND i.archived_at IS NULL
             AND i.pipeline_stage = ANY($2::text[])
             AND ($3::text IS NULL OR b.area = $3)
             AND ($4::text IS NULL OR i.lead_category = $4)
             AND (cardinality($5::uuid[]) = 0
                  OR (SELECT count(*) FROM interest_tags it
                      WHERE it.interest_id = i.id AND it.tag_id = ANY($5::uuid[])) = cardinality($5::uuid[]))
             AND ($6::text IS NULL OR EXISTS (
                  SELECT 1 FROM reminders r
                  WHERE r.interest_id = i.id AND r.status IN ('pending', 'snoozed')
                    AND ($6 = 'any' OR r.assigned_to = $7)))
           GROUP BY 1, 2"#,
        port_id,
        &stage_names(&Stage::ALL),
        filters.area,
        filters.lead_category.map(|l| l.as_str()),
        &filters.tags,
        reminders(filters),
        user_id,
    )
    .fetch_all(conn)
    .await?;
    let mut out: Vec<Summary> = Stage::ALL
        .iter()
        .map(|&stage| Summary {
            stage,
            count: 0,
            values: Vec::new(),
        })
        .collect();
    for row in rows {
        let Some(column) = out.iter_mut().find(|c| c.stage.as_str() == row.stage) else {
            continue;
        };
        column.count += row.count;
        if let (Some(currency), Some(amount)) = (row.currency, row.amount) {
            column.values.push(Amount { currency, amount });
        }
    }
    for column in &mut out {
        column.values.sort_by(|a, b| {
            (a.currency != port_currency, &a.currency)
                .cmp(&(b.currency != port_currency, &b.currency))
        });
    }
    Ok(out)
}

/// Up to `limit` cards of each of `stages` under `filters`, newest contact
/// first; with `after`, the cards that follow it (used with one stage).
pub async fn cards(
    conn: &mut PgConnection,
    port_id: Uuid,
    user_id: &str,
    filters: &Filters,
    stages: &[Stage],
    after: Option<Key>,
    limit: i64,
) -> Result<Vec<Card>> {
    let rows = sqlx::query!(
        r#"SELECT s.stage AS "stage!", c.id AS "id!", c.client_id AS "client_id!",
                  c.full_name AS "client_name!", c.yacht_name, c.berth_id AS "berth_id?",
                  c.mooring_number AS "mooring_number?", c.price AS "price?",
                  c.price_currency AS "price_currency?", c.lead_category,
                  c.created_at AS "created_at!", c.date_last_contact, c.activity AS "activity!"
           FROM unnest($2::text[]) AS s(stage)
           CROSS JOIN LATERAL (
             SELECT i.id, i.client_id, cl.full_name, cl.yacht_name, i.berth_id, b.mooring_number,
                    b.price, b.price_currency, i.lead_category, i.created_at, i.date_last_contact,
                    COALESCE(i.date_last_contact, i.created_at) AS activity
             FROM interests i
             JOIN clients cl ON cl.id = i.client_id
             LEFT JOIN berths b ON b.id = i.berth_id
             WHERE i.port_id = $1 AND i.archived_at IS NULL AND i.pipeline_stage = s.stage
               AND ($3::text IS NULL OR b.area = $3)
               AND ($4::text IS NULL OR i.lead_category = $4)
               AND (cardinality($5::uuid[]) = 0
                    OR (SELECT count(*) FROM interest_tags it
                        WHERE it.interest_id = i.id AND it.tag_id = ANY($5::uuid[])) = cardinality($5::uuid[]))
               AND ($6::text IS NULL OR EXISTS (
                    SELECT 1 FROM reminders r
                    WHERE r.interest_id = i.id AND r.status IN ('pending', 'snoozed')
                      AND ($6 = 'any' OR r.assigned_to = $7)))
               AND ($8::timestamptz IS NULL
                    OR (COALESCE(i.date_last_contact, i.created_at), i.id) < ($8, $9::uuid))
             ORDER BY COALESCE(i.date_last_contact, i.created_at) DESC, i.id DESC
             LIMIT $10
           ) c"#,
        port_id,
        &stage_names(stages),
        filters.area,
        filters.lead_category.map(|l| l.as_str()),
        &filters.tags,
        reminders(filters),
        user_id,
        after.map(|k| k.at),
        after.map(|k| k.id),
        limit,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let stage = r.stage.parse().ok()?;
            Some(Card {
                id: r.id,
                stage,
                client_id: r.client_id,
                client_name: r.client_name,
                yacht_name: r.yacht_name,
                berth_id: r.berth_id,
                mooring_number: r.mooring_number,
                value: r
                    .price
                    .zip(r.price_currency)
                    .map(|(amount, currency)| Amount { currency, amount }),
                lead_category: r.lead_category,
                created_at: r.created_at,
                date_last_contact: r.date_last_contact,
                activity: r.activity,
            })
        })
        .collect())
}

/// A column's cards and where "show more" continues: `cards` fetched with
/// `limit + 1` per stage, cut to `limit` for `stage`.
pub fn column_of(cards: &[Card], stage: Stage, limit: i64) -> (Vec<Card>, Option<Key>) {
    let mut mine: Vec<Card> = cards.iter().filter(|c| c.stage == stage).cloned().collect();
    let more = mine.len() as i64 > limit;
    mine.truncate(limit.max(0) as usize);
    let next = if more {
        mine.last().map(Card::key)
    } else {
        None
    };
    (mine, next)
}
