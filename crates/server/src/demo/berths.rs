//! The demo port's berths: five piers and a superyacht quay, with map shapes.
//!
//! The map is a 1200 × 820 plan: a quay along the top, piers A–E running south
//! from it with berths on both sides, and the superyacht quay along the
//! breakwater. Each berth's rectangle is drawn to the scale of its length and
//! width, so the map reads like the marina.

use crate::db::PortTx;
use domain::units::ft_to_m;
use rust_decimal::Decimal;
use serde_json::json;
use uuid::Uuid;

/// A demo berth, as the interests need it.
#[derive(Debug, Clone)]
pub struct Berth {
    pub id: Uuid,
    pub length_ft: Decimal,
}

struct Area {
    letter: char,
    name: &'static str,
    /// Shortest berth and the step between sizes, in feet.
    base_ft: i64,
    step_ft: i64,
    count: usize,
    power: &'static str,
    voltage: &'static str,
    mooring: &'static str,
    price_per_ft: i64,
}

const AREAS: [Area; 6] = [
    Area {
        letter: 'A',
        name: "Pier A",
        base_ft: 40,
        step_ft: 2,
        count: 24,
        power: "32A",
        voltage: "230V",
        mooring: "Finger pontoon",
        price_per_ft: 3800,
    },
    Area {
        letter: 'B',
        name: "Pier B",
        base_ft: 50,
        step_ft: 3,
        count: 24,
        power: "63A",
        voltage: "230V",
        mooring: "Finger pontoon",
        price_per_ft: 4200,
    },
    Area {
        letter: 'C',
        name: "Pier C",
        base_ft: 60,
        step_ft: 4,
        count: 24,
        power: "63A",
        voltage: "400V",
        mooring: "Med mooring",
        price_per_ft: 4600,
    },
    Area {
        letter: 'D',
        name: "Pier D",
        base_ft: 75,
        step_ft: 5,
        count: 24,
        power: "125A",
        voltage: "400V",
        mooring: "Med mooring",
        price_per_ft: 5200,
    },
    Area {
        letter: 'E',
        name: "Pier E",
        base_ft: 95,
        step_ft: 7,
        count: 24,
        power: "250A",
        voltage: "400V",
        mooring: "Med mooring",
        price_per_ft: 5900,
    },
    Area {
        letter: 'F',
        name: "Superyacht Quay",
        base_ft: 150,
        step_ft: 25,
        count: 8,
        power: "400A",
        voltage: "400V 3-phase",
        mooring: "Alongside",
        price_per_ft: 7500,
    },
];

/// Pixels per foot on the map.
const SCALE: f64 = 0.55;

fn dec(v: f64) -> Decimal {
    Decimal::try_from(v).unwrap_or_default().round_dp(2)
}

pub async fn insert(tx: &mut PortTx, port_id: Uuid) -> anyhow::Result<Vec<Berth>> {
    let mut berths = Vec::new();
    for (pier, area) in AREAS.iter().enumerate() {
        for i in 0..area.count {
            let length_ft = Decimal::from(area.base_ft + area.step_ft * (i as i64 % 6));
            let width_ft = (length_ft * Decimal::new(29, 2) + Decimal::from(2)).round_dp(1);
            let draft_ft = (length_ft * Decimal::new(7, 2) + Decimal::from(2)).round_dp(1);
            let depth_ft = (draft_ft + Decimal::from(4)).round();
            let mooring_number = format!("{}{:02}", area.letter, i + 1);
            let (shape, x, y) = shape(pier, i, length_ft, width_ft);
            // Every seventh berth on the outer piers is held on a 30-year lease.
            let fixed_term = pier >= 3 && i % 7 == 3;
            let id = sqlx::query_scalar!(
                r#"INSERT INTO berths (port_id, mooring_number, area, length_ft, width_ft, draft_ft, length_m, width_m, draft_m,
                    nominal_boat_size, nominal_boat_size_m, water_depth, water_depth_m, side_pontoon, power_capacity, voltage,
                    mooring_type, cleat_type, cleat_capacity, bollard_type, bollard_capacity, access, price, price_currency,
                    bow_facing, berth_approved, tenure_type, tenure_years, tenure_start_date, tenure_end_date)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
                    $23, 'USD', $24, true, $25, $26, $27, $28)
                   RETURNING id"#,
                port_id,
                mooring_number,
                area.name,
                length_ft,
                width_ft,
                draft_ft,
                ft_to_m(length_ft),
                ft_to_m(width_ft),
                ft_to_m(draft_ft),
                format!("{length_ft} ft"),
                format!("{} m", ft_to_m(length_ft).round_dp(1)),
                depth_ft,
                ft_to_m(depth_ft),
                if i.is_multiple_of(2) { "Port side" } else { "Starboard side" },
                area.power,
                area.voltage,
                area.mooring,
                if pier >= 4 { "Stainless horn cleat" } else { "Galvanised horn cleat" },
                if pier >= 4 { "10 t" } else { "3 t" },
                if pier >= 3 { "Single bitt bollard" } else { "None" },
                if pier >= 3 { "20 t" } else { "—" },
                if pier == 5 { "Quay, vehicle access" } else { "Pontoon, gated" },
                length_ft * Decimal::from(area.price_per_ft),
                if i.is_multiple_of(2) { "West" } else { "East" },
                if fixed_term { "fixed_term" } else { "permanent" },
                fixed_term.then_some(30),
                // Leases that started long ago; one of them ends within three months.
                fixed_term.then(|| chrono::NaiveDate::from_ymd_opt(1996 + (i as i32 % 4), 3, 1)).flatten(),
                fixed_term.then(|| chrono::NaiveDate::from_ymd_opt(2026 + (i as i32 % 4), 3, 1)).flatten(),
            )
            .fetch_one(&mut **tx)
            .await?;
            sqlx::query!(
                "INSERT INTO berth_map_data (port_id, berth_id, svg_path, x, y, font_size, extra_data)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                port_id,
                id,
                shape,
                dec(x),
                dec(y),
                Decimal::from(if pier == 5 { 12 } else { 9 }),
                json!({"pier": area.name, "side": if pier == 5 { "quay" } else if i.is_multiple_of(2) { "west" } else { "east" }}),
            )
            .execute(&mut **tx)
            .await?;
            berths.push(Berth { id, length_ft });
        }
    }
    Ok(berths)
}

/// The berth's rectangle on the plan and the point its label sits on.
fn shape(pier: usize, i: usize, length_ft: Decimal, width_ft: Decimal) -> (String, f64, f64) {
    let len = f64::try_from(length_ft).unwrap_or(50.0) * SCALE;
    let wid = (f64::try_from(width_ft).unwrap_or(15.0) * SCALE).max(10.0);
    if pier == 5 {
        // Superyacht quay: alongside berths in a row on the breakwater.
        let x = 70.0 + (i as f64) * 135.0;
        let y = 740.0;
        let len = len.min(128.0);
        let d = format!(
            "M{x:.1} {y:.1} h{len:.1} v{:.1} h{:.1} Z",
            wid.min(40.0),
            -len
        );
        return (d, x + len / 2.0, y + wid.min(40.0) / 2.0);
    }
    // Piers run south from the quay at y = 90; berths alternate west and east.
    let pier_x = 150.0 + (pier as f64) * 210.0;
    let slot = (i / 2) as f64;
    let y = 110.0 + slot * 48.0;
    let h = wid.min(44.0);
    let (x, w) = if i.is_multiple_of(2) {
        (pier_x - 4.0 - len, len)
    } else {
        (pier_x + 4.0, len)
    };
    let d = format!("M{x:.1} {y:.1} h{w:.1} v{h:.1} h{:.1} Z", -w);
    (d, x + w / 2.0, y + h / 2.0)
}
