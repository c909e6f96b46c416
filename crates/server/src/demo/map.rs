//! Map shapes and waiting lists for the demo port, and a port of N berths
//! with shapes and interests for the map benchmark (`nimara demo --berths N`).
//!
//! [`lay_out`] draws whatever berths the port has: each area becomes one or
//! more pontoons (at most [`PER_PONTOON`] berths each) with berths on both
//! sides, every berth a rectangle to the scale of its length and width;
//! pontoons stand side by side and wrap into bands so the plan is about as
//! wide as a screen. It replaces earlier shapes, so it can run after any set
//! of berths was loaded.

use crate::db::{Db, PortTx};
use domain::pipeline::Stage;
use rust_decimal::Decimal;
use serde_json::json;
use sqlx::PgConnection;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// Berths on one pontoon; a larger area gets several.
pub const PER_PONTOON: usize = 30;
/// Map units per metre.
const SCALE: f64 = 4.0;
const WALKWAY: f64 = 14.0;
const GAP: f64 = 3.0;
const PONTOON_GAP: f64 = 48.0;
const BAND_GAP: f64 = 80.0;

struct Row {
    id: Uuid,
    mooring_number: String,
    area: Option<String>,
    length_m: Option<Decimal>,
    width_m: Option<Decimal>,
}

/// "A2" before "A10": letters, then the number, then the rest.
fn natural(mooring: &str) -> (String, u64, String) {
    let letters: String = mooring
        .chars()
        .take_while(|c| !c.is_ascii_digit())
        .collect();
    let rest = &mooring[letters.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let tail = rest[digits.len()..].to_owned();
    (letters, digits.parse().unwrap_or(0), tail)
}

fn metres(v: Option<Decimal>, fallback: f64) -> f64 {
    v.and_then(|d| f64::try_from(d).ok())
        .filter(|m| m.is_finite() && *m > 0.0)
        .unwrap_or(fallback)
}

/// One berth's place on the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub id: Uuid,
    pub d: String,
    pub x: f64,
    pub y: f64,
    pub font_size: f64,
    pub pontoon: String,
    pub west: bool,
}

fn r(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Lays out `rows` (already in area, then mooring order).
fn plan(rows: &[Row]) -> Vec<Placed> {
    // Pontoons: consecutive berths of one area, at most PER_PONTOON each.
    let mut pontoons: Vec<(String, Vec<&Row>)> = Vec::new();
    for row in rows {
        let area = row.area.clone().unwrap_or_else(|| "Other berths".into());
        match pontoons.last_mut() {
            Some((name, list)) if *name == area && list.len() < PER_PONTOON => list.push(row),
            _ => pontoons.push((area, vec![row])),
        }
    }
    let size = |row: &Row| {
        let length = metres(row.length_m, 12.0).clamp(5.0, 110.0) * SCALE;
        let width = (metres(row.width_m, 4.0).clamp(2.5, 30.0) * SCALE).max(18.0);
        (length, width)
    };
    // Each pontoon's footprint, to wrap them into bands of about 16:9.
    let footprints: Vec<(f64, f64)> = pontoons
        .iter()
        .map(|(_, list)| {
            let (mut west, mut east, mut height) = (0.0_f64, 0.0_f64, 0.0);
            for pair in list.chunks(2) {
                let (l0, w0) = size(pair[0]);
                west = west.max(l0);
                let mut row_h = w0;
                if let Some(other) = pair.get(1) {
                    let (l1, w1) = size(other);
                    east = east.max(l1);
                    row_h = row_h.max(w1);
                }
                height += row_h + GAP;
            }
            (west + east + WALKWAY + 2.0 * GAP, height)
        })
        .collect();
    let area: f64 = footprints.iter().map(|(w, h)| (w + PONTOON_GAP) * h).sum();
    let target_width = (area * 16.0 / 9.0).sqrt().max(400.0);

    let mut out = Vec::with_capacity(rows.len());
    let (mut x0, mut band_top, mut band_height) = (0.0_f64, 0.0_f64, 0.0_f64);
    let mut previous: Option<&str> = None;
    for ((name, list), (width, height)) in pontoons.iter().zip(&footprints) {
        // Bands break between areas only, so an area's pontoons stay together.
        let new_area = previous != Some(name.as_str());
        previous = Some(name);
        if new_area && x0 > 0.0 && x0 + width > target_width {
            x0 = 0.0;
            band_top += band_height + BAND_GAP;
            band_height = 0.0;
        }
        let west_len = list.chunks(2).map(|p| size(p[0]).0).fold(0.0_f64, f64::max);
        let walkway_x = x0 + west_len + GAP;
        let mut y = band_top;
        for pair in list.chunks(2) {
            let row_h = pair.iter().map(|b| size(b).1).fold(0.0_f64, f64::max);
            for (side, berth) in pair.iter().enumerate() {
                let (len, wid) = size(berth);
                let west = side == 0;
                let bx = if west {
                    walkway_x - GAP - len
                } else {
                    walkway_x + WALKWAY + GAP
                };
                let by = y + (row_h - wid) / 2.0;
                out.push(Placed {
                    id: berth.id,
                    d: format!("M{} {}h{}v{}h{}Z", r(bx), r(by), r(len), r(wid), r(-len)),
                    x: r(bx + len / 2.0),
                    y: r(by + wid / 2.0),
                    font_size: r((wid * 0.42).clamp(7.0, 16.0)),
                    pontoon: name.clone(),
                    west,
                });
            }
            y += row_h + GAP;
        }
        band_height = band_height.max(*height);
        x0 += width + PONTOON_GAP;
    }
    out
}

/// Draws every berth of the transaction's port; returns how many.
pub async fn lay_out(conn: &mut PgConnection) -> anyhow::Result<usize> {
    let mut rows = sqlx::query_as!(
        Row,
        "SELECT id, mooring_number, area, length_m, width_m FROM berths WHERE port_id = app_port_id()"
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.sort_by(|a, b| {
        (a.area.is_none(), &a.area, natural(&a.mooring_number)).cmp(&(
            b.area.is_none(),
            &b.area,
            natural(&b.mooring_number),
        ))
    });
    let placed = plan(&rows);
    let dec = |v: f64| Decimal::try_from(v).unwrap_or_default().round_dp(1);
    let ids: Vec<Uuid> = placed.iter().map(|p| p.id).collect();
    let paths: Vec<String> = placed.iter().map(|p| p.d.clone()).collect();
    let xs: Vec<Decimal> = placed.iter().map(|p| dec(p.x)).collect();
    let ys: Vec<Decimal> = placed.iter().map(|p| dec(p.y)).collect();
    let fonts: Vec<Decimal> = placed.iter().map(|p| dec(p.font_size)).collect();
    let extras: Vec<serde_json::Value> = placed
        .iter()
        .map(|p| json!({"source": "demo", "pontoon": p.pontoon, "side": if p.west { "west" } else { "east" }}))
        .collect();
    sqlx::query!(
        "INSERT INTO berth_map_data (berth_id, svg_path, x, y, transform, font_size, extra_data)
         SELECT t.berth_id, t.svg_path, t.x, t.y, NULL, t.font_size, t.extra
         FROM unnest($1::uuid[], $2::text[], $3::numeric[], $4::numeric[], $5::numeric[], $6::jsonb[])
              AS t(berth_id, svg_path, x, y, font_size, extra)
         ON CONFLICT (berth_id) DO UPDATE
            SET svg_path = EXCLUDED.svg_path, x = EXCLUDED.x, y = EXCLUDED.y, transform = NULL,
                font_size = EXCLUDED.font_size, extra_data = EXCLUDED.extra_data, updated_at = now()",
        &ids,
        &paths,
        &xs,
        &ys,
        &fonts,
        &extras
    )
    .execute(&mut *conn)
    .await?;
    Ok(placed.len())
}

/// Waiting lists on the berths people want most (under offer or sold): two
/// to four clients each who have no interest in that berth, some of them
/// high priority, with every way of being told. Returns the entries made.
pub async fn waiting_lists(conn: &mut PgConnection) -> anyhow::Result<usize> {
    let berths = sqlx::query!(
        "SELECT id, length_ft FROM berths WHERE port_id = app_port_id() AND status <> 'available'
         ORDER BY right(mooring_number, 1), mooring_number LIMIT 8"
    )
    .fetch_all(&mut *conn)
    .await?;
    let clients = sqlx::query!(
        "SELECT id, yacht_length_ft FROM clients WHERE port_id = app_port_id() AND archived_at IS NULL
         ORDER BY created_at, id"
    )
    .fetch_all(&mut *conn)
    .await?;
    if clients.is_empty() {
        return Ok(0);
    }
    let prefs = ["email", "in_app", "both"];
    let notes = [
        Some("Would take it at short notice."),
        None,
        Some("Prefers a berth near the fuel dock."),
        None,
        Some("Waiting for the sale of the current boat."),
    ];
    let mut made = 0;
    for (b, berth) in berths.iter().enumerate() {
        let wanted = 2 + b % 3;
        let mut entries: Vec<(Uuid, &str)> = Vec::new();
        let mut k = b * 7;
        while entries.len() < wanted && k < b * 7 + clients.len() {
            let candidate = &clients[k % clients.len()];
            k += 1;
            // Only yachts the berth can take (or clients without one yet).
            let fits = match (candidate.yacht_length_ft, berth.length_ft) {
                (Some(yacht), Some(berth)) => yacht <= berth,
                _ => true,
            };
            let client = candidate.id;
            if !fits {
                continue;
            }
            let interested = sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM interests WHERE berth_id = $1 AND client_id = $2) AS "e!""#,
                berth.id,
                client
            )
            .fetch_one(&mut *conn)
            .await?;
            if interested || entries.iter().any(|(c, _)| *c == client) {
                continue;
            }
            // The second entry of every third list asked first: high priority.
            let priority = if entries.len() == 1 && b % 3 == 0 {
                "high"
            } else {
                "normal"
            };
            entries.push((client, priority));
        }
        // High first, then the order they were added in.
        entries.sort_by_key(|(_, p)| *p != "high");
        for (i, (client, priority)) in entries.iter().enumerate() {
            sqlx::query!(
                "INSERT INTO berth_waiting_list (berth_id, client_id, position, priority, notify_pref, notes)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                berth.id,
                client,
                i as i32 + 1,
                priority,
                prefs[(b + i) % prefs.len()],
                notes[(b + i) % notes.len()]
            )
            .execute(&mut *conn)
            .await?;
            made += 1;
        }
    }
    Ok(made)
}

/// What `nimara demo --berths N` made.
#[derive(Debug)]
pub struct MapReport {
    pub slug: String,
    pub berths: usize,
    pub interests: i64,
    pub took: Duration,
}

impl std::fmt::Display for MapReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "created {} berths with map shapes and {} interests at port {} in {:.1} s",
            self.berths,
            self.interests,
            self.slug,
            self.took.as_secs_f64()
        )
    }
}

/// Creates (or finds) the port `slug` and fills it with `count` berths in
/// areas of 50, their shapes, and interests at every stage on two berths of
/// three. A port that already has berths is refused rather than doubled.
pub async fn generate(db: &Db, slug: &str, count: i64) -> anyhow::Result<MapReport> {
    anyhow::ensure!(
        (1..=20_000).contains(&count),
        "--berths must be between 1 and 20000"
    );
    let started = Instant::now();
    let port = super::benchmark_port(db, slug).await?;
    let mut tx: PortTx = db.pool().begin().await?;
    crate::db::act_for_port(&mut tx, port.id).await?;
    let existing = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM berths WHERE port_id = $1"#,
        port.id
    )
    .fetch_one(&mut *tx)
    .await?;
    anyhow::ensure!(
        existing == 0,
        "port {slug} already has {existing} berths; choose another --port"
    );
    // Areas of 50 berths (A01…A50, B01…), sizes and statuses spread evenly.
    sqlx::query!(
        "INSERT INTO berths (port_id, mooring_number, area, status, length_m, width_m, draft_m,
                             length_ft, width_ft, draft_ft, price, price_currency)
         SELECT $1,
                chr(65 + ((g - 1) / 50) % 26) || CASE WHEN g > 1300 THEN ((g - 1) / 1300)::text ELSE '' END
                    || lpad((((g - 1) % 50) + 1)::text, 2, '0'),
                'Pontoon ' || chr(65 + ((g - 1) / 50) % 26) || CASE WHEN g > 1300 THEN ((g - 1) / 1300)::text ELSE '' END,
                (ARRAY['available', 'under_offer', 'available', 'sold', 'available'])[1 + g % 5],
                l, round(l * 0.3 + 1, 2), round(l * 0.08 + 1, 2),
                round(l / 0.3048, 2), round((l * 0.3 + 1) / 0.3048, 2), round((l * 0.08 + 1) / 0.3048, 2),
                round(l / 0.3048 * 4000), 'USD'
         FROM generate_series(1, $2::int) AS g
         CROSS JOIN LATERAL (SELECT (10 + (g * 7) % 40)::numeric AS l) s",
        port.id,
        count as i32
    )
    .execute(&mut *tx)
    .await?;
    let clients = (count / 2).max(1);
    sqlx::query!(
        "INSERT INTO clients (port_id, full_name) SELECT $1, 'Benchmark client ' || g FROM generate_series(1, $2::int) AS g",
        port.id,
        clients as i32
    )
    .execute(&mut *tx)
    .await?;
    let stages: Vec<String> = Stage::ALL.iter().map(|s| s.as_str().to_owned()).collect();
    let interests = sqlx::query!(
        "WITH b AS (SELECT id, row_number() OVER (ORDER BY mooring_number) AS n FROM berths WHERE port_id = $1),
              c AS (SELECT id, row_number() OVER (ORDER BY full_name, id) AS n FROM clients WHERE port_id = $1)
         INSERT INTO interests (port_id, client_id, berth_id, pipeline_stage)
         SELECT $1, c.id, b.id, ($3::text[])[1 + (b.n * 3 + k) % 8]
         FROM b CROSS JOIN generate_series(0, 1) AS k
         JOIN c ON c.n = 1 + (b.n * 2 + k) % $2
         WHERE b.n % 3 <> 0",
        port.id,
        clients,
        &stages
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let berths = lay_out(&mut tx).await?;
    tx.commit().await?;
    // Statistics for what was just loaded, as autovacuum would gather within
    // a minute: without them the planner assumes one row per port.
    sqlx::query("ANALYZE berths, berth_map_data, clients, interests")
        .execute(db.pool())
        .await?;
    Ok(MapReport {
        slug: slug.to_owned(),
        berths,
        interests: interests as i64,
        took: started.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: &str, area: &str, length: i64) -> Row {
        Row {
            id: Uuid::new_v4(),
            mooring_number: n.to_owned(),
            area: Some(area.to_owned()),
            length_m: Some(Decimal::from(length)),
            width_m: Some(Decimal::from(5)),
        }
    }

    #[test]
    fn mooring_numbers_sort_naturally() {
        let mut v = vec!["A10", "A2", "B1", "A1"];
        v.sort_by_key(|m| natural(m));
        assert_eq!(v, ["A1", "A2", "A10", "B1"]);
    }

    #[test]
    fn berths_alternate_sides_and_big_areas_get_more_pontoons() {
        let rows: Vec<Row> = (1..=65)
            .map(|i| row(&format!("A{i:02}"), "Pier A", 10 + i % 5))
            .collect();
        let placed = plan(&rows);
        assert_eq!(placed.len(), 65);
        assert!(placed[0].west && !placed[1].west);
        // 65 berths: pontoons of 30, 30 and 5, each a column of its own.
        let columns: std::collections::BTreeSet<i64> = placed
            .iter()
            .filter(|p| p.west)
            .map(|p| (p.x / 50.0).round() as i64)
            .collect();
        assert!(columns.len() >= 3, "{columns:?}");
        // No two shapes share a label point.
        let mut points: Vec<(i64, i64)> = placed
            .iter()
            .map(|p| ((p.x * 10.0) as i64, (p.y * 10.0) as i64))
            .collect();
        points.sort_unstable();
        points.dedup();
        assert_eq!(points.len(), 65);
    }
}
