//! `nimara demo --clients N [--port SLUG]`: a port with N generated clients
//! and two contacts each (an e-mail and a valid E.164 mobile number), for
//! benchmarks and for trying the list on a realistic size.
//!
//! Set-based: one `INSERT … SELECT` from `generate_series` per table, so
//! 200,000 clients take seconds, not the hours of row-by-row inserts. Names
//! are built from syllables (thousands of distinct surnames), so searches
//! behave as on real data rather than matching a tenth of the port.

use super::owned;
use crate::db::Db;
use std::time::{Duration, Instant};

pub const DEFAULT_SLUG: &str = "bench";

#[derive(Debug)]
pub struct BulkReport {
    pub slug: String,
    pub clients: i64,
    pub contacts: i64,
    pub took: Duration,
}

impl std::fmt::Display for BulkReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "created {} clients and {} contacts at port {} in {:.1} s",
            self.clients,
            self.contacts,
            self.slug,
            self.took.as_secs_f64()
        )
    }
}

const FIRST: &[&str] = &[
    "Amelia", "Henrik", "Sofia", "Laurent", "Camila", "James", "Yuki", "Matteo", "Olivia",
    "Rafael", "Ingrid", "Marcus", "Chloé", "Diego", "Hannah", "Nikolai", "Priya", "Thomas",
    "Elena", "Kwame", "Astrid", "Bruno", "Clara", "Dmitri", "Esther", "Felix", "Greta", "Hugo",
    "Isla", "Jonas", "Keiko", "Luca", "Maya", "Nils", "Oskar", "Paloma", "Quentin", "Rosa",
    "Stefan", "Tessa", "Ugo", "Vera", "Wilhelm", "Xenia", "Yannick", "Zara", "Anouk", "Bastien",
];
const SYLLABLE_A: &[&str] = &[
    "Hart", "Lind", "Mor", "Cast", "Whit", "Tan", "Ross", "Fair", "Ok", "Del", "Bren", "Vas",
    "Sor", "Alb", "Kow", "Bel", "Dun", "Gar", "Hol", "Kel", "Mar", "Pen", "Stan",
];
const SYLLABLE_B: &[&str] = &[
    "", "el", "in", "ar", "en", "ov", "ing", "ast", "ell", "and", "er", "ol", "ur", "os", "ian",
    "et", "am", "ick", "ford",
];
const SYLLABLE_C: &[&str] = &[
    "ley", "qvist", "eau", "ano", "field", "aka", "i", "banks", "afor", "croix", "nan", "quez",
    "sen", "recht", "ski", "ton", "berg",
];
const NATIONS: &[&str] = &[
    "British",
    "American",
    "French",
    "Italian",
    "Swedish",
    "German",
    "Anguillan",
    "Spanish",
    "Japanese",
    "Canadian",
    "Dutch",
    "Norwegian",
];
const YACHT_A: &[&str] = &[
    "Sea", "Blue", "Silver", "Northern", "Azure", "Trade", "Island", "Coral", "Golden", "Wild",
    "Lady", "Morning",
];
const YACHT_B: &[&str] = &[
    "Breeze", "Horizon", "Tide", "Star", "Dream", "Wind", "Time", "Reef", "Spirit", "Dancer",
    "Runner", "Song",
];
const DOMAINS: &[&str] = &[
    "example.com",
    "example.org",
    "example.net",
    "mail.example",
    "yachts.example",
];
const SOURCES: &[&str] = &["website", "referral", "broker", "manual"];
const LANGUAGES: &[&str] = &["en", "fr", "de", "it", "es", "sv"];
const TAGS: &[(&str, &str)] = &[
    ("VIP", "#b45309"),
    ("Repeat visitor", "#0e7490"),
    ("Superyacht", "#7c3aed"),
    ("Needs follow-up", "#dc2626"),
    ("Referred", "#16a34a"),
];

/// Creates (or finds) the port `slug` and fills it with `count` clients.
/// A port that already has clients is refused rather than doubled.
pub async fn generate(db: &Db, slug: &str, count: i64) -> anyhow::Result<BulkReport> {
    anyhow::ensure!(count > 0, "--clients must be at least 1");
    let started = Instant::now();
    let port = super::benchmark_port(db, slug).await?;
    let mut tx = db.pool().begin().await?;
    crate::db::act_for_port(&mut tx, port.id).await?;
    let existing = sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM clients")
        .fetch_one(&mut *tx)
        .await?;
    anyhow::ensure!(
        existing == 0,
        "port {slug} already has {existing} clients; choose another --port"
    );

    sqlx::query!(
        r#"INSERT INTO clients (port_id, full_name, company_name, nationality, is_proxy, proxy_type,
                               yacht_name, yacht_length_ft, yacht_length_m, preferred_contact_method,
                               preferred_language, source, created_at, updated_at)
           SELECT $1,
                  ($2::text[])[1 + (i * 7) % cardinality($2::text[])] || ' ' ||
                    ($3::text[])[1 + i % cardinality($3::text[])] ||
                    ($4::text[])[1 + (i / cardinality($3::text[])) % cardinality($4::text[])] ||
                    ($5::text[])[1 + (i / (cardinality($3::text[]) * cardinality($4::text[]))) % cardinality($5::text[])],
                  CASE WHEN i % 7 = 0 THEN ($3::text[])[1 + (i * 3) % cardinality($3::text[])] || 'ridge Marine' END,
                  CASE WHEN i % 9 <> 0 THEN ($6::text[])[1 + (i * 5) % cardinality($6::text[])] END,
                  i % 11 = 0,
                  CASE WHEN i % 11 = 0 THEN 'broker' END,
                  CASE WHEN i % 5 <> 0 THEN ($7::text[])[1 + (i * 11) % cardinality($7::text[])] || ' ' ||
                    ($8::text[])[1 + (i * 13) % cardinality($8::text[])] END,
                  CASE WHEN i % 5 <> 0 THEN (300 + (i * 37) % 2200) / 10.0 END,
                  CASE WHEN i % 5 <> 0 THEN round((300 + (i * 37) % 2200) / 10.0 * 0.3048, 2) END,
                  (ARRAY['email', 'phone', 'whatsapp'])[1 + i % 3],
                  ($9::text[])[1 + i % cardinality($9::text[])],
                  ($10::text[])[1 + (i * 3) % cardinality($10::text[])],
                  now() - make_interval(mins => i::int),
                  now() - make_interval(mins => i::int) + make_interval(mins => ((i * 17) % 1000)::int)
           FROM generate_series(1, $11::bigint) AS i"#,
        port.id,
        &owned(FIRST),
        &owned(SYLLABLE_A),
        &owned(SYLLABLE_B),
        &owned(SYLLABLE_C),
        &owned(NATIONS),
        &owned(YACHT_A),
        &owned(YACHT_B),
        &owned(LANGUAGES),
        &owned(SOURCES),
        count,
    )
    .execute(&mut *tx)
    .await?;

    // Two contacts per client. Mobile numbers in ranges libphonenumber
    // accepts: France 061… and 062…, Italy 347…, USA 305 2xx.
    let contacts = sqlx::query!(
        r#"WITH numbered AS (
             SELECT id, full_name, row_number() OVER (ORDER BY created_at DESC, id) AS n
             FROM clients WHERE port_id = $1
           )
           INSERT INTO client_contacts (port_id, client_id, channel, value, label, is_primary)
           SELECT $1, id, 'email',
                  lower(regexp_replace(unaccent_name, '[^A-Za-z]+', '.', 'g')) || '.' || n || '@' ||
                    ($2::text[])[1 + n % cardinality($2::text[])],
                  'primary', true
           FROM (SELECT id, n, translate(full_name, 'éèàöüäåøñç', 'eeaouaaonc') AS unaccent_name FROM numbered) e
           UNION ALL
           SELECT $1, id, 'phone',
                  CASE n % 4
                    WHEN 0 THEN '+3361' || lpad(((n * 7919) % 10000000)::text, 7, '0')
                    WHEN 1 THEN '+3362' || lpad(((n * 104729) % 10000000)::text, 7, '0')
                    WHEN 2 THEN '+39347' || lpad(((n * 7927) % 10000000)::text, 7, '0')
                    ELSE '+13052' || (2 + n % 8)::text || (n % 10)::text || lpad(((n * 31) % 10000)::text, 4, '0')
                  END,
                  'mobile', true
           FROM numbered"#,
        port.id,
        &owned(DOMAINS),
    )
    .execute(&mut *tx)
    .await?
    .rows_affected() as i64;

    super::insert_tags(&mut tx, port.id, TAGS).await?;
    // Every ninth client carries one tag, so tag filters have work to do.
    sqlx::query!(
        "INSERT INTO client_tags (port_id, client_id, tag_id)
         SELECT $1, c.id, t.id
         FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM clients WHERE port_id = $1) c
         JOIN (SELECT id, row_number() OVER (ORDER BY name) - 1 AS k, count(*) OVER () AS total FROM tags WHERE port_id = $1) t
           ON c.n % 9 = 0 AND t.k = (c.n / 9) % t.total",
        port.id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    // Fresh statistics, so the first queries plan as they will later.
    sqlx::query("ANALYZE clients, client_contacts, client_tags")
        .execute(db.pool())
        .await?;
    Ok(BulkReport {
        slug: slug.to_owned(),
        clients: count,
        contacts,
        took: started.elapsed(),
    })
}
