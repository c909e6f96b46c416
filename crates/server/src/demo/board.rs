//! `nimara demo --interests N [--port SLUG]`: a port with N open interests
//! spread over every stage, one client each, most on a berth of the port's
//! (one berth for every twenty interests, at least sixty), for the board's
//! benchmark and for trying the board on a realistic size.
//!
//! Set-based like `bulk`: one `INSERT … SELECT` from `generate_series` per
//! table, so thousands of interests take well under a second. Everything
//! follows from the row number, so two runs make the same port.

use super::owned;
use crate::db::Db;
use std::time::{Duration, Instant};

pub const DEFAULT_SLUG: &str = "board";

#[derive(Debug)]
pub struct BoardReport {
    pub slug: String,
    pub berths: i64,
    pub interests: i64,
    pub took: Duration,
}

impl std::fmt::Display for BoardReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "created {} berths and {} open interests (one client each) at port {} in {:.1} s",
            self.berths,
            self.interests,
            self.slug,
            self.took.as_secs_f64()
        )
    }
}

const FIRST: &[&str] = &[
    "Amelia", "Henrik", "Sofia", "Laurent", "Camila", "James", "Yuki", "Matteo", "Olivia",
    "Rafael", "Ingrid", "Marcus", "Chloé", "Diego", "Hannah", "Nikolai", "Priya", "Thomas",
];
const LAST: &[&str] = &[
    "Hartley",
    "Lindqvist",
    "Moreau",
    "Castellano",
    "Whitfield",
    "Tanaka",
    "Rossi",
    "Fairbanks",
    "Okafor",
    "Delacroix",
    "Brennan",
    "Vasquez",
    "Sorensen",
    "Albrecht",
    "Kowalski",
    "Bellamy",
    "Dunmore",
    "Garrido",
    "Holloway",
];
const YACHTS: &[&str] = &[
    "Sea Breeze",
    "Blue Horizon",
    "Silver Tide",
    "Northern Star",
    "Azure Dream",
    "Trade Wind",
    "Island Time",
    "Coral Reef",
    "Golden Spirit",
    "Wild Dancer",
    "Lady Runner",
    "Morning Song",
];
const TAGS: &[(&str, &str)] = &[
    ("VIP", "#b45309"),
    ("Repeat visitor", "#0e7490"),
    ("Superyacht", "#7c3aed"),
];

/// Creates (or finds) the port `slug` and fills it with `count` open
/// interests. A port that already has interests is refused rather than doubled.
pub async fn generate(db: &Db, slug: &str, count: i64) -> anyhow::Result<BoardReport> {
    anyhow::ensure!(count > 0, "--interests must be at least 1");
    let started = Instant::now();
    let port = super::benchmark_port(db, slug).await?;
    let mut tx = db.pool().begin().await?;
    crate::db::act_for_port(&mut tx, port.id).await?;
    let existing = sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM interests")
        .fetch_one(&mut *tx)
        .await?;
    anyhow::ensure!(
        existing == 0,
        "port {slug} already has {existing} interests; choose another --port"
    );

    // Berths on five piers (GA000, GB000, …), 40 to 160 ft; every tenth
    // priced in euros, every seventh under offer.
    let berths = (count / 20).max(60);
    sqlx::query!(
        r#"INSERT INTO berths (port_id, mooring_number, area, status, length_ft, length_m, width_ft, width_m,
                              water_depth, water_depth_m, price, price_currency)
           SELECT $1,
                  'G' || chr((65 + i % 5)::int) || lpad((i / 5)::text, 3, '0'),
                  'Pier ' || chr((65 + i % 5)::int),
                  CASE WHEN i % 7 = 3 THEN 'under_offer' ELSE 'available' END,
                  40 + (i * 7) % 121,
                  round((40 + (i * 7) % 121) * 0.3048, 2),
                  round((40 + (i * 7) % 121) * 0.29 + 2, 1),
                  round(((40 + (i * 7) % 121) * 0.29 + 2) * 0.3048, 2),
                  round((40 + (i * 7) % 121) * 0.07 + 6),
                  round(((40 + (i * 7) % 121) * 0.07 + 6) * 0.3048, 2),
                  (40 + (i * 7) % 121) * (3800 + (i % 4) * 600),
                  CASE WHEN i % 10 = 9 THEN 'EUR' ELSE 'USD' END
           FROM generate_series(0, $2::bigint - 1) AS i"#,
        port.id,
        berths,
    )
    .execute(&mut *tx)
    .await?;

    // One client per interest, with a yacht.
    sqlx::query!(
        r#"INSERT INTO clients (port_id, full_name, yacht_name, yacht_length_ft, yacht_length_m, source, created_at)
           SELECT $1,
                  ($2::text[])[1 + i % cardinality($2::text[])] || ' ' ||
                    ($3::text[])[1 + (i / cardinality($2::text[])) % cardinality($3::text[])] || ' ' || i,
                  ($4::text[])[1 + (i * 5) % cardinality($4::text[])],
                  35 + (i * 13) % 120,
                  round((35 + (i * 13) % 120) * 0.3048, 2),
                  (ARRAY['website', 'referral', 'broker', 'manual'])[1 + i % 4],
                  now() - make_interval(days => (i % 400)::int)
           FROM generate_series(1, $5::bigint) AS i"#,
        port.id,
        &owned(FIRST),
        &owned(LAST),
        &owned(YACHTS),
        count,
    )
    .execute(&mut *tx)
    .await?;

    // The interests: earlier stages hold more, as in a real pipeline; six in
    // seven on a berth; contact dates within the last two months.
    sqlx::query!(
        r#"WITH c AS (
             SELECT id, created_at, row_number() OVER (ORDER BY created_at DESC, id) AS n
             FROM clients WHERE port_id = $1
           ), b AS (
             SELECT id, row_number() OVER (ORDER BY mooring_number) - 1 AS k, count(*) OVER () AS total
             FROM berths WHERE port_id = $1
           )
           INSERT INTO interests (port_id, client_id, berth_id, pipeline_stage, lead_category, source,
                                  date_first_contact, date_last_contact, created_at)
           SELECT $1, c.id,
                  (SELECT b.id FROM b WHERE b.k = (c.n * 31) % b.total AND c.n % 7 <> 0),
                  (ARRAY['open', 'open', 'details_sent', 'details_sent', 'in_communication', 'in_communication',
                         'visited', 'signed_eoi_nda', 'deposit_10pct', 'contract', 'completed'])[1 + (c.n * 3) % 11],
                  (ARRAY['general_interest', 'specific_qualified', 'hot_lead'])[1 + c.n % 3],
                  (ARRAY['website', 'referral', 'broker', 'manual'])[1 + c.n % 4],
                  CASE WHEN (c.n * 3) % 11 >= 2 THEN c.created_at + interval '2 days' END,
                  CASE WHEN (c.n * 3) % 11 >= 2 THEN now() - make_interval(hours => ((c.n * 37) % 1440)::int) END,
                  c.created_at
           FROM c"#,
        port.id,
    )
    .execute(&mut *tx)
    .await?;

    // Tags on every seventh interest, and an open reminder on every eleventh.
    super::insert_tags(&mut tx, port.id, TAGS).await?;
    sqlx::query!(
        "INSERT INTO interest_tags (port_id, interest_id, tag_id)
         SELECT $1, i.id, t.id
         FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM interests WHERE port_id = $1) i
         JOIN (SELECT id, row_number() OVER (ORDER BY name) - 1 AS k, count(*) OVER () AS total FROM tags WHERE port_id = $1) t
           ON i.n % 7 = 0 AND t.k = (i.n / 7) % t.total",
        port.id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO reminders (port_id, title, due_at, created_by, interest_id, client_id)
         SELECT $1, 'Follow up', now() + make_interval(days => (n % 14)::int), 'system', id, client_id
         FROM (SELECT id, client_id, row_number() OVER (ORDER BY id) AS n FROM interests WHERE port_id = $1) i
         WHERE n % 11 = 0",
        port.id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    sqlx::query("ANALYZE berths, clients, interests, interest_tags, reminders")
        .execute(db.pool())
        .await?;
    Ok(BoardReport {
        slug: slug.to_owned(),
        berths,
        interests: count,
        took: started.elapsed(),
    })
}
