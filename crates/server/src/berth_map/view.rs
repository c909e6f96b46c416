//! What the map template draws, worked out from the berths and their shapes:
//! the frame (viewBox), each berth's shape, colour class, label and hover
//! details, a backdrop per area, and the legend.

use super::geometry::{BBox, num, parse_transform, path_bbox};
use super::model::MapBerth;
use crate::web::Count;
use domain::pipeline::Stage;
use rust_decimal::Decimal;
use std::str::FromStr;

/// What the shapes are coloured by (`?colour=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Colour {
    #[default]
    Status,
    /// The most advanced pipeline stage of the berth's open interests.
    Stage,
}

impl FromStr for Colour {
    type Err = String;
    fn from_str(s: &str) -> Result<Colour, String> {
        match s {
            "" | "status" => Ok(Colour::Status),
            "stage" => Ok(Colour::Stage),
            _ => Err("must be one of status, stage".into()),
        }
    }
}

pub const STATUSES: [(&str, &str); 3] = [
    ("available", "Available"),
    ("under_offer", "Under offer"),
    ("sold", "Sold"),
];

pub fn status_label(status: &str) -> &'static str {
    STATUSES
        .iter()
        .find(|(s, _)| *s == status)
        .map_or("Unknown", |(_, l)| l)
}

/// One berth as drawn.
#[derive(Debug, Clone)]
pub struct Drawn {
    pub id: String,
    pub href: String,
    pub mooring_number: String,
    /// `berth-available`, `stage-visited`, …
    pub class: String,
    pub d: String,
    pub transform: Option<String>,
    pub label_x: String,
    pub label_y: String,
    pub font_size: String,
    pub area: String,
    pub size: String,
    pub status: &'static str,
    pub price: String,
    pub stage: String,
}

/// An area's backdrop and name.
#[derive(Debug, Clone)]
pub struct AreaBox {
    pub name: String,
    pub x: String,
    pub y: String,
    pub w: String,
    pub h: String,
    pub label_y: String,
}

#[derive(Debug, Clone)]
pub struct LegendItem {
    pub class: String,
    pub label: &'static str,
    pub count: Count,
}

/// A berth that has no shape, or one that cannot be drawn.
#[derive(Debug, Clone)]
pub struct Unplaced {
    pub href: String,
    pub mooring_number: String,
}

#[derive(Debug, Clone)]
pub struct MapView {
    pub view_box: String,
    pub area_font: String,
    pub berths: Vec<Drawn>,
    pub areas: Vec<AreaBox>,
    pub legend: Vec<LegendItem>,
    pub unplaced: Vec<Unplaced>,
    pub colour: Colour,
}

impl MapView {
    pub fn by_stage(&self) -> bool {
        self.colour == Colour::Stage
    }

    pub fn is_empty(&self) -> bool {
        self.berths.is_empty()
    }
}

/// "1,250,000" or "1,250,000.50".
pub fn money(amount: Decimal, currency: &str) -> String {
    let rounded = amount.round_dp(2);
    let whole = rounded.trunc();
    let cents = ((rounded - whole).abs() * Decimal::from(100)).round();
    let grouped = Count(i64::try_from(whole).unwrap_or(i64::MAX)).to_string();
    if cents.is_zero() {
        format!("{currency} {grouped}")
    } else {
        format!("{currency} {grouped}.{cents:0>2}")
    }
}

fn pair(a: Option<Decimal>, b: Option<Decimal>, unit: &str) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{} × {} {unit}", a.normalize(), b.normalize())),
        (Some(a), None) => Some(format!("{} {unit} long", a.normalize())),
        _ => None,
    }
}

fn size(b: &MapBerth) -> String {
    let metres = pair(b.length_m, b.width_m, "m");
    let feet = pair(b.length_ft, b.width_ft, "ft");
    match (metres, feet) {
        (Some(m), Some(f)) => format!("{m} · {f}"),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => "Not measured".into(),
    }
}

fn f(v: Option<Decimal>) -> Option<f64> {
    v.and_then(|d| f64::try_from(d).ok())
        .filter(|x| x.is_finite())
}

/// A marker for a berth that has only a position: a circle of radius 6.
fn marker(x: f64, y: f64) -> String {
    format!(
        "M{} {}a6 6 0 1 0 12 0a6 6 0 1 0 -12 0Z",
        num(x - 6.0),
        num(y)
    )
}

pub fn build(rows: Vec<MapBerth>, slug: &str, colour: Colour) -> MapView {
    let mut berths = Vec::with_capacity(rows.len());
    let mut unplaced = Vec::new();
    let mut frame = BBox::EMPTY;
    // Areas in the order they first appear (rows come by area).
    let mut areas: Vec<(String, BBox)> = Vec::new();
    let mut status_counts = [0i64; 3];
    let mut stage_counts = [0i64; Stage::ALL.len() + 1];
    for b in rows {
        if let Some(i) = STATUSES.iter().position(|(s, _)| *s == b.status) {
            status_counts[i] += 1;
        }
        stage_counts[b.top_stage.map_or(0, |s| s as usize + 1)] += 1;
        let href = format!("/ports/{slug}/berths/{}", b.berth_id);
        let d = match (&b.svg_path, f(b.x), f(b.y)) {
            (Some(d), _, _) if !d.trim().is_empty() => Some(d.trim().to_owned()),
            (_, Some(x), Some(y)) => Some(marker(x, y)),
            _ => None,
        };
        let local = d.as_deref().and_then(path_bbox);
        let matrix = match b.transform.as_deref().map(str::trim) {
            None | Some("") => Some(super::geometry::Affine::IDENTITY),
            Some(t) => parse_transform(t),
        };
        let (Some(d), Some(local), Some(matrix)) = (d, local, matrix) else {
            unplaced.push(Unplaced {
                href,
                mooring_number: b.mooring_number,
            });
            continue;
        };
        let placed = matrix.apply_box(&local);
        frame.union(&placed);
        if let Some(area) = &b.area {
            match areas.iter_mut().find(|(name, _)| name == area) {
                Some((_, bbox)) => bbox.union(&placed),
                None => areas.push((area.clone(), placed)),
            }
        }
        let (cx, cy) = local.center();
        let (lx, ly) = (f(b.x).unwrap_or(cx), f(b.y).unwrap_or(cy));
        let font = f(b.font_size)
            .filter(|s| *s > 0.0)
            .unwrap_or_else(|| (local.width().min(local.height()) * 0.45).clamp(3.0, 24.0));
        let class = match colour {
            Colour::Status => format!("berth-{}", b.status.replace('_', "-")),
            Colour::Stage => match b.top_stage {
                Some(s) => format!("stage-{}", s.as_str().replace('_', "-")),
                None => "stage-none".into(),
            },
        };
        let stage = match (b.top_stage, b.open_interests) {
            (None, _) => "No open interest".to_owned(),
            (Some(s), 1) => s.label().to_owned(),
            (Some(s), n) => format!("{} (most advanced of {n})", s.label()),
        };
        let size = size(&b);
        berths.push(Drawn {
            id: b.berth_id.to_string(),
            href,
            class,
            d,
            transform: b
                .transform
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty()),
            label_x: num(lx),
            label_y: num(ly),
            font_size: num(font),
            area: b.area.clone().unwrap_or_else(|| "No area".into()),
            size,
            status: status_label(&b.status),
            price: b
                .price
                .map_or_else(|| "No price".into(), |p| money(p, &b.price_currency)),
            stage,
            mooring_number: b.mooring_number,
        });
    }
    let span = if frame.is_empty() {
        100.0
    } else {
        frame.width().max(frame.height())
    };
    let area_font = (span / 70.0).clamp(6.0, 48.0);
    let pad = area_font * 0.8;
    let areas: Vec<AreaBox> = areas
        .into_iter()
        .map(|(name, bbox)| {
            let b = bbox.padded(pad);
            frame.union(&BBox {
                min_x: b.min_x,
                min_y: b.min_y - area_font * 1.6,
                max_x: b.max_x,
                max_y: b.max_y,
            });
            AreaBox {
                name,
                x: num(b.min_x),
                y: num(b.min_y),
                w: num(b.width()),
                h: num(b.height()),
                label_y: num(b.min_y - area_font * 0.5),
            }
        })
        .collect();
    let view_box = if frame.is_empty() {
        "0 0 100 100".to_owned()
    } else {
        let f = frame.padded(span * 0.02);
        format!(
            "{} {} {} {}",
            num(f.min_x),
            num(f.min_y),
            num(f.width()),
            num(f.height())
        )
    };
    let legend = match colour {
        Colour::Status => STATUSES
            .iter()
            .zip(status_counts)
            .map(|((s, label), n)| LegendItem {
                class: format!("berth-{}", s.replace('_', "-")),
                label,
                count: Count(n),
            })
            .collect(),
        Colour::Stage => std::iter::once(LegendItem {
            class: "stage-none".into(),
            label: "No open interest",
            count: Count(stage_counts[0]),
        })
        .chain(Stage::ALL.iter().enumerate().map(|(i, s)| LegendItem {
            class: format!("stage-{}", s.as_str().replace('_', "-")),
            label: s.label(),
            count: Count(stage_counts[i + 1]),
        }))
        .collect(),
    };
    MapView {
        view_box,
        area_font: num(area_font),
        berths,
        areas,
        legend,
        unplaced,
        colour,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_grouped_with_cents_only_when_there_are_some() {
        assert_eq!(money(Decimal::new(152_000, 0), "USD"), "USD 152,000");
        assert_eq!(
            money(Decimal::new(125_000_050, 2), "EUR"),
            "EUR 1,250,000.50"
        );
        assert_eq!(money(Decimal::new(99_05, 2), "USD"), "USD 99.05");
    }

    #[test]
    fn colours_parse_from_the_query() {
        assert_eq!("stage".parse::<Colour>(), Ok(Colour::Stage));
        assert_eq!("".parse::<Colour>(), Ok(Colour::Status));
        assert!("rainbow".parse::<Colour>().is_err());
    }
}
