//! The demo berths' history: a maintenance log spread over the last two
//! years, and two fixed-term leases nearing their end so the tenure notices
//! have something to say. Derived from the berth's index, like the rest of
//! the demo.

use super::berths::Berth;
use crate::db::PortTx;
use chrono::{Duration, Months, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

/// (category, what was done, cost in cents, who did it)
const WORK: [(&str, &str, i64, &str); 10] = [
    (
        "routine",
        "Pontoon cleaned and fenders checked",
        18_000,
        "Harbour staff",
    ),
    (
        "inspection",
        "Annual electrical inspection of the pedestal",
        25_000,
        "Caribbean Marine Electric",
    ),
    (
        "repair",
        "Replaced a cracked cleat",
        42_050,
        "Harbour staff",
    ),
    (
        "routine",
        "Mooring lines replaced",
        61_000,
        "Nimara Rigging",
    ),
    (
        "upgrade",
        "Pedestal upgraded with water meter",
        185_000,
        "Caribbean Marine Electric",
    ),
    (
        "inspection",
        "Diver inspection of the mooring chain",
        38_000,
        "Blue Reef Diving",
    ),
    (
        "repair",
        "Decking boards replaced after storm",
        96_075,
        "Anguilla Timber Works",
    ),
    (
        "routine",
        "Anti-slip coating renewed",
        27_500,
        "Harbour staff",
    ),
    (
        "upgrade",
        "LED lighting fitted on the finger",
        74_000,
        "Caribbean Marine Electric",
    ),
    ("repair", "Bollard re-bedded", 132_000, "Nimara Civil Works"),
];

/// Writes the log entries; returns how many.
pub async fn insert(tx: &mut PortTx, berths: &[Berth]) -> anyhow::Result<usize> {
    let today = Utc::now().date_naive();
    let mut count = 0;
    for (i, berth) in berths.iter().enumerate() {
        // About two berths in three have a history, of one to three entries.
        let entries = match i % 6 {
            0 | 3 => 0,
            1 | 4 => 1,
            2 => 2,
            _ => 3,
        };
        for n in 0..entries {
            let (category, description, cents, party) = WORK[(i * 3 + n * 7) % WORK.len()];
            // Larger berths cost more to keep: scale by length in tens of feet.
            let scale = (berth.length_ft / Decimal::from(50)).max(Decimal::ONE);
            let cost = (Decimal::new(cents, 2) * scale).round_dp(2);
            let days_ago = ((i * 37 + n * 113) % 700) as i64 + 3;
            insert_one(
                tx,
                berth.id,
                category,
                description,
                cost,
                party,
                today - Duration::days(days_ago),
            )
            .await?;
            count += 1;
        }
    }
    // Two fixed-term leases end soon: one within 90 days, one within 30.
    let soon = sqlx::query_scalar!(
        "SELECT id FROM berths WHERE tenure_type = 'fixed_term' ORDER BY mooring_number LIMIT 2"
    )
    .fetch_all(&mut **tx)
    .await?;
    for (id, days) in soon.iter().zip([75, 24]) {
        let end = today + Duration::days(days);
        let start = end.checked_sub_months(Months::new(30 * 12)).unwrap_or(end);
        sqlx::query!(
            "UPDATE berths SET tenure_years = 30, tenure_start_date = $2, tenure_end_date = $3 WHERE id = $1",
            id,
            start,
            end
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(count)
}

async fn insert_one(
    tx: &mut PortTx,
    berth_id: Uuid,
    category: &str,
    description: &str,
    cost: Decimal,
    party: &str,
    date: chrono::NaiveDate,
) -> anyhow::Result<()> {
    sqlx::query!(
        "INSERT INTO berth_maintenance_log (berth_id, category, description, cost, cost_currency,
                responsible_party, performed_date, created_by)
         VALUES ($1, $2, $3, $4, 'USD', $5, $6, 'system')",
        berth_id,
        category,
        description,
        cost,
        party,
        date
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
