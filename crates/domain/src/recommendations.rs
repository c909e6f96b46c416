//! Berth recommendations (DESIGN.md, "Berth recommendations"): how well each
//! berth of a port suits an interest's yacht, as a score from 0 to 100 with
//! its reasons.
//!
//! The yacht is the client's (an interest has no dimensions of its own). All
//! dimensions are compared in feet; a value known only in metres is converted
//! by the caller's [`Dimension::from_parts`].
//!
//! What rules a berth out (it is not recommended at all):
//! - the berth is sold;
//! - the yacht's length is unknown, or the berth's (nothing can be judged);
//! - the yacht is longer than the berth, or wider than its recorded width;
//! - the yacht draws more than the berth's water depth.
//!
//! What the flags mean here:
//! - `width_is_minimum`: the recorded width is the least the berth offers (it
//!   may be wider, say a berth with no neighbour on one side). Only the
//!   recorded width is assured, so it still decides whether a yacht fits; but
//!   the berth is not marked down for being "much wider" than the yacht,
//!   because its real width is not known.
//! - `water_depth_is_minimum`: the depth is assured at all tides (the least
//!   depth). A depth without the flag is a nominal figure, so it must leave a
//!   wider margin under the keel to score full marks on `depth_fit`.
//!
//! The score weighs four reasons, each 0–100:
//! `dimensional_fit` (half the score; closer size is better, so of two
//! berths that fit the smaller ranks first), `depth_fit` (a fifth; margin
//! under the keel), `availability` (a fifth; an available berth 100, one
//! under offer 40) and `waiting_list` (a tenth; every client already
//! waiting lowers it).

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use crate::settings::BerthStatus;
use crate::units::m_to_ft;

/// A dimension in feet, from whichever unit was recorded (feet first).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dimension(pub f64);

impl Dimension {
    pub fn from_parts(ft: Option<Decimal>, m: Option<Decimal>) -> Option<Dimension> {
        ft.or_else(|| m.map(m_to_ft))
            .and_then(|v| v.to_f64())
            .filter(|v| v.is_finite() && *v > 0.0)
            .map(Dimension)
    }
}

/// The yacht to find a berth for.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Yacht {
    pub length: Option<Dimension>,
    pub width: Option<Dimension>,
    pub draft: Option<Dimension>,
}

impl Yacht {
    /// Whether anything can be recommended: a yacht's length is the least we
    /// need.
    pub fn can_be_matched(&self) -> bool {
        self.length.is_some()
    }
}

/// A berth as the scoring sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Berth {
    pub length: Option<Dimension>,
    pub width: Option<Dimension>,
    pub width_is_minimum: bool,
    pub water_depth: Option<Dimension>,
    pub water_depth_is_minimum: bool,
    pub status: BerthStatus,
    /// Clients on the berth's waiting list.
    pub waiting: u32,
}

/// Why a berth scored what it did; each 0–100. Stored as
/// `berth_recommendations.match_reasons`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reasons {
    pub dimensional_fit: u8,
    pub depth_fit: u8,
    pub availability: u8,
    pub waiting_list: u8,
}

/// A berth that fits, with its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    /// 0–100, one decimal; higher is better.
    pub score: f64,
    pub reasons: Reasons,
}

impl Match {
    /// The score as stored (`NUMERIC`, one decimal).
    pub fn score_decimal(&self) -> Decimal {
        Decimal::new((self.score * 10.0).round() as i64, 1)
    }
}

/// An under-offer berth's `availability`.
pub const UNDER_OFFER: u8 = 40;
/// How many recommendations a refresh keeps.
pub const KEEP: usize = 10;

/// How a size ratio (berth ÷ yacht, at least 1) scores: 100 for an exact
/// fit, falling with the square of the ratio (10 % larger: 83; half as large
/// again: 44; twice the size: 25), so a closer size always scores higher.
fn closeness(ratio: f64) -> f64 {
    100.0 / (ratio * ratio)
}

/// The margin under the keel, as a share of the draft, that scores full
/// marks: small when the depth is assured at all tides, larger when it is a
/// nominal figure.
fn full_margin(depth_is_minimum: bool) -> f64 {
    if depth_is_minimum { 0.05 } else { 0.20 }
}

/// `None` when the berth does not fit the yacht, is sold, or cannot be
/// judged (see the module's documentation).
pub fn score(yacht: &Yacht, berth: &Berth) -> Option<Match> {
    if berth.status == BerthStatus::Sold {
        return None;
    }
    let (yacht_len, berth_len) = (yacht.length?.0, berth.length?.0);
    if yacht_len > berth_len {
        return None;
    }
    let length = closeness(berth_len / yacht_len);
    let width = match (yacht.width, berth.width) {
        (Some(y), Some(b)) if y.0 > b.0 => return None,
        (Some(y), Some(b)) if !berth.width_is_minimum => Some(closeness(b.0 / y.0)),
        _ => None,
    };
    // Length decides most of the fit; width, when it can be judged, a third.
    let dimensional = match width {
        Some(w) => length * (2.0 / 3.0) + w / 3.0,
        None => length,
    };
    let depth = match (yacht.draft, berth.water_depth) {
        (Some(d), Some(w)) if d.0 > w.0 => return None,
        (Some(d), Some(w)) => {
            let margin = (w.0 - d.0) / d.0;
            let full = full_margin(berth.water_depth_is_minimum);
            if margin >= full {
                100.0
            } else {
                40.0 + 60.0 * margin / full
            }
        }
        // Unknown: neither ruled out nor favoured.
        _ => 50.0,
    };
    let availability = match berth.status {
        BerthStatus::Available => 100.0,
        BerthStatus::UnderOffer => f64::from(UNDER_OFFER),
        BerthStatus::Sold => return None,
    };
    let waiting = 100.0 / (1.0 + 0.25 * f64::from(berth.waiting));
    let total = dimensional * 0.5 + depth * 0.2 + availability * 0.2 + waiting * 0.1;
    let pct = |v: f64| v.round().clamp(0.0, 100.0) as u8;
    Some(Match {
        score: (total * 10.0).round() / 10.0,
        reasons: Reasons {
            dimensional_fit: pct(dimensional),
            depth_fit: pct(depth),
            availability: pct(availability),
            waiting_list: pct(waiting),
        },
    })
}

/// Scores every berth and keeps those that fit, best first; ties go to the
/// earlier berth of `berths` (callers pass them in mooring-number order).
pub fn rank<K: Copy>(yacht: &Yacht, berths: &[(K, Berth)]) -> Vec<(K, Match)> {
    let mut out: Vec<(usize, K, Match)> = berths
        .iter()
        .enumerate()
        .filter_map(|(i, (key, b))| score(yacht, b).map(|m| (i, *key, m)))
        .collect();
    out.sort_by(|a, b| b.2.score.total_cmp(&a.2.score).then(a.0.cmp(&b.0)));
    out.into_iter().map(|(_, k, m)| (k, m)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ft(v: f64) -> Option<Dimension> {
        Some(Dimension(v))
    }

    fn yacht(length: f64, width: f64, draft: f64) -> Yacht {
        Yacht {
            length: ft(length),
            width: ft(width),
            draft: ft(draft),
        }
    }

    fn berth(length: f64, width: f64, depth: f64) -> Berth {
        Berth {
            length: ft(length),
            width: ft(width),
            width_is_minimum: false,
            water_depth: ft(depth),
            water_depth_is_minimum: false,
            status: BerthStatus::Available,
            waiting: 0,
        }
    }

    #[test]
    fn too_short_too_narrow_or_too_shallow_does_not_fit() {
        let y = yacht(60.0, 18.0, 6.0);
        assert!(score(&y, &berth(59.0, 20.0, 10.0)).is_none(), "shorter");
        assert!(score(&y, &berth(70.0, 17.5, 10.0)).is_none(), "narrower");
        assert!(score(&y, &berth(70.0, 20.0, 5.5)).is_none(), "shallower");
        assert!(score(&y, &berth(60.0, 18.0, 6.0)).is_some(), "exactly");
    }

    #[test]
    fn a_minimum_width_still_rules_out_a_wider_yacht_but_is_not_marked_down() {
        let y = yacht(60.0, 18.0, 6.0);
        let mut wide = berth(60.0, 30.0, 10.0);
        let plain = score(&y, &wide).unwrap();
        wide.width_is_minimum = true;
        let minimum = score(&y, &wide).unwrap();
        assert!(minimum.score > plain.score);
        assert_eq!(minimum.reasons.dimensional_fit, 100);
        wide.width = ft(17.0);
        assert!(score(&y, &wide).is_none());
    }

    #[test]
    fn a_nominal_depth_needs_a_wider_margin_than_an_assured_one() {
        let y = yacht(60.0, 18.0, 10.0);
        let mut b = berth(60.0, 18.0, 11.0);
        let nominal = score(&y, &b).unwrap().reasons.depth_fit;
        b.water_depth_is_minimum = true;
        let assured = score(&y, &b).unwrap().reasons.depth_fit;
        assert_eq!(assured, 100);
        assert!(nominal < assured && nominal > 40, "{nominal}");
    }

    #[test]
    fn the_closer_size_ranks_first_and_much_larger_berths_score_lower() {
        let y = yacht(60.0, 18.0, 6.0);
        let berths = [
            ("huge", berth(150.0, 40.0, 12.0)),
            ("close", berth(62.0, 19.0, 10.0)),
            ("short", berth(55.0, 19.0, 10.0)),
            ("roomy", berth(75.0, 22.0, 10.0)),
        ];
        let ranked: Vec<&str> = rank(&y, &berths).into_iter().map(|(k, _)| k).collect();
        assert_eq!(ranked, ["close", "roomy", "huge"]);
        let huge = score(&y, &berths[0].1).unwrap();
        assert!(huge.reasons.dimensional_fit < 25, "{huge:?}");
    }

    #[test]
    fn sold_is_excluded_under_offer_and_waiting_lists_rank_down() {
        let y = yacht(60.0, 18.0, 6.0);
        let mut b = berth(62.0, 19.0, 10.0);
        let free = score(&y, &b).unwrap();
        b.waiting = 3;
        let waited = score(&y, &b).unwrap();
        b.waiting = 0;
        b.status = BerthStatus::UnderOffer;
        let offered = score(&y, &b).unwrap();
        assert!(waited.score < free.score && offered.score < free.score);
        assert_eq!(offered.reasons.availability, UNDER_OFFER);
        assert!(waited.reasons.waiting_list < 60);
        b.status = BerthStatus::Sold;
        assert!(score(&y, &b).is_none());
    }

    #[test]
    fn unknown_sizes_cannot_be_matched_and_metres_convert() {
        let y = Yacht::default();
        assert!(!y.can_be_matched());
        assert!(score(&y, &berth(60.0, 20.0, 10.0)).is_none());
        let mut b = berth(60.0, 20.0, 10.0);
        b.length = None;
        assert!(score(&yacht(50.0, 15.0, 5.0), &b).is_none());
        // Unknown width and depth neither rule out nor favour.
        let m = score(
            &Yacht {
                length: ft(50.0),
                width: None,
                draft: None,
            },
            &berth(50.0, 20.0, 10.0),
        )
        .unwrap();
        assert_eq!(m.reasons.depth_fit, 50);
        assert_eq!(m.reasons.dimensional_fit, 100);
        let d = Dimension::from_parts(None, Some(Decimal::new(1524, 2))).unwrap();
        assert!((d.0 - 50.0).abs() < 0.01, "{d:?}");
        assert!(Dimension::from_parts(Some(Decimal::ZERO), None).is_none());
        assert_eq!(
            score(&yacht(60.0, 18.0, 6.0), &berth(60.0, 18.0, 10.0))
                .unwrap()
                .score_decimal()
                .scale(),
            1
        );
    }
}
