//! The port's berths as the map draws them: one statement reads every berth,
//! its shape, and the most advanced stage of its open (not archived)
//! interests.
//!
//! The stage comes from a lateral probe of `idx_interests_berth_active` per
//! berth rather than a join to an aggregate of the port's interests: right
//! after a bulk load, statistics estimate one row per side, and the planner's
//! nested loop then re-aggregated every interest once per berth (55 ms for
//! 500 berths instead of 3).

use crate::http::Result;
use domain::pipeline::Stage;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::PgConnection;
use uuid::Uuid;

/// One berth with its map data (none when it has no shape yet).
#[derive(Debug, Clone, Serialize)]
pub struct MapBerth {
    pub berth_id: Uuid,
    pub mooring_number: String,
    pub area: Option<String>,
    pub status: String,
    pub length_ft: Option<Decimal>,
    pub width_ft: Option<Decimal>,
    pub length_m: Option<Decimal>,
    pub width_m: Option<Decimal>,
    pub price: Option<Decimal>,
    pub price_currency: String,
    pub svg_path: Option<String>,
    pub x: Option<Decimal>,
    pub y: Option<Decimal>,
    pub transform: Option<String>,
    pub font_size: Option<Decimal>,
    pub extra_data: Option<serde_json::Value>,
    /// The most advanced stage among the berth's open interests.
    pub top_stage: Option<Stage>,
    pub open_interests: i64,
}

/// Every berth of the transaction's port, by area then mooring number.
pub async fn berths(conn: &mut PgConnection) -> Result<Vec<MapBerth>> {
    let stages: Vec<String> = Stage::ALL.iter().map(|s| s.as_str().to_owned()).collect();
    let rows = sqlx::query!(
        r#"SELECT b.id, b.mooring_number, b.area, b.status, b.length_ft, b.width_ft, b.length_m, b.width_m,
                  b.price, b.price_currency,
                  m.svg_path AS "svg_path?", m.x AS "x?", m.y AS "y?", m.transform AS "transform?",
                  m.font_size AS "font_size?", m.extra_data AS "extra_data?",
                  s.top AS "top?", coalesce(s.open, 0) AS "open!"
           FROM berths b
           LEFT JOIN berth_map_data m ON m.berth_id = b.id
           LEFT JOIN LATERAL (
                  SELECT max(array_position($1::text[], i.pipeline_stage)) AS top, count(*) AS open
                  FROM interests i
                  WHERE i.berth_id = b.id AND i.port_id = app_port_id()
                    AND i.archived_at IS NULL AND i.berth_id IS NOT NULL) s ON true
           WHERE b.port_id = app_port_id()
           ORDER BY b.area NULLS LAST, b.mooring_number"#,
        &stages
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| MapBerth {
            berth_id: r.id,
            mooring_number: r.mooring_number,
            area: r.area,
            status: r.status,
            length_ft: r.length_ft,
            width_ft: r.width_ft,
            length_m: r.length_m,
            width_m: r.width_m,
            price: r.price,
            price_currency: r.price_currency,
            svg_path: r.svg_path,
            x: r.x,
            y: r.y,
            transform: r.transform,
            font_size: r.font_size,
            extra_data: r.extra_data,
            top_stage: r
                .top
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| Stage::ALL.get(i.wrapping_sub(1)).copied()),
            open_interests: r.open,
        })
        .collect())
}
