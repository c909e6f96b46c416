//! The berth's editable fields: what a create or a PATCH body may hold, and
//! the rules that turn it into values to store.
//!
//! Create and update share one path, as the clients' fields do: a create
//! applies its body to an empty record, a PATCH to the stored one, and the
//! result is checked as a whole; every problem is named by its field.
//! The status is not among them: it changes through `status::change` only.

use super::model::Berth;
use crate::http::checked::nullable;
use chrono::NaiveDate;
use domain::berths::{self as rules, TenureInput, TenureType};
use domain::units::{Length, LengthError};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use std::str::FromStr;

/// The fields a body may set; `None`: not given, `Some(None)`: cleared.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    #[serde(default, deserialize_with = "nullable")]
    pub mooring_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub area: Option<Option<String>>,
    #[serde(default, deserialize_with = "decimal")]
    pub length_ft: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "decimal")]
    pub length_m: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "decimal")]
    pub width_ft: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "decimal")]
    pub width_m: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "decimal")]
    pub draft_ft: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "decimal")]
    pub draft_m: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "nullable")]
    pub width_is_minimum: Option<Option<bool>>,
    #[serde(default, deserialize_with = "nullable")]
    pub nominal_boat_size: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub nominal_boat_size_m: Option<Option<String>>,
    /// In feet, as the spec's column without a unit suffix.
    #[serde(default, deserialize_with = "decimal")]
    pub water_depth: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "decimal")]
    pub water_depth_m: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "nullable")]
    pub water_depth_is_minimum: Option<Option<bool>>,
    #[serde(default, deserialize_with = "nullable")]
    pub side_pontoon: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub power_capacity: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub voltage: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub mooring_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub cleat_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub cleat_capacity: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub bollard_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub bollard_capacity: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub access: Option<Option<String>>,
    #[serde(default, deserialize_with = "decimal")]
    pub price: Option<Option<Decimal>>,
    #[serde(default, deserialize_with = "nullable")]
    pub price_currency: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub bow_facing: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub berth_approved: Option<Option<bool>>,
    #[serde(default, deserialize_with = "nullable")]
    pub tenure_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub tenure_years: Option<Option<i32>>,
    #[serde(default, deserialize_with = "date")]
    pub tenure_start_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "date")]
    pub tenure_end_date: Option<Option<NaiveDate>>,
}

/// A number as a JSON string (`"30.48"`, as the API answers) or number.
fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<Decimal>>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    let text = match value {
        None | Some(serde_json::Value::Null) => return Ok(Some(None)),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => return Ok(Some(None)),
        Some(serde_json::Value::String(s)) => s.trim().to_owned(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(_) => return Err(serde::de::Error::custom("must be a number")),
    };
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .map(|d| Some(Some(d.normalize())))
        .map_err(|_| serde::de::Error::custom("must be a number"))
}

/// A date as `YYYY-MM-DD`; empty text clears it.
fn date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<NaiveDate>>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(Some(None)),
        Some(s) if s.trim().is_empty() => Ok(Some(None)),
        Some(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map(|d| Some(Some(d)))
            .map_err(|_| serde::de::Error::custom("must be a date YYYY-MM-DD")),
    }
}

/// The values to store, after the rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields {
    pub mooring_number: String,
    pub area: Option<String>,
    pub length_ft: Option<Decimal>,
    pub length_m: Option<Decimal>,
    pub width_ft: Option<Decimal>,
    pub width_m: Option<Decimal>,
    pub draft_ft: Option<Decimal>,
    pub draft_m: Option<Decimal>,
    pub width_is_minimum: bool,
    pub nominal_boat_size: Option<String>,
    pub nominal_boat_size_m: Option<String>,
    pub water_depth: Option<Decimal>,
    pub water_depth_m: Option<Decimal>,
    pub water_depth_is_minimum: bool,
    pub side_pontoon: Option<String>,
    pub power_capacity: Option<String>,
    pub voltage: Option<String>,
    pub mooring_type: Option<String>,
    pub cleat_type: Option<String>,
    pub cleat_capacity: Option<String>,
    pub bollard_type: Option<String>,
    pub bollard_capacity: Option<String>,
    pub access: Option<String>,
    pub price: Option<Decimal>,
    pub price_currency: String,
    pub bow_facing: Option<String>,
    pub berth_approved: bool,
    pub tenure_type: String,
    pub tenure_years: Option<i32>,
    pub tenure_start_date: Option<NaiveDate>,
    pub tenure_end_date: Option<NaiveDate>,
}

impl Fields {
    /// An empty berth at a port whose prices are in `currency`.
    pub fn empty(currency: &str) -> Fields {
        Fields {
            price_currency: currency.to_owned(),
            tenure_type: TenureType::Permanent.as_str().to_owned(),
            ..Fields::default()
        }
    }

    pub fn of(b: &Berth) -> Fields {
        Fields {
            mooring_number: b.mooring_number.clone(),
            area: b.area.clone(),
            length_ft: b.length_ft,
            length_m: b.length_m,
            width_ft: b.width_ft,
            width_m: b.width_m,
            draft_ft: b.draft_ft,
            draft_m: b.draft_m,
            width_is_minimum: b.width_is_minimum.unwrap_or(false),
            nominal_boat_size: b.nominal_boat_size.clone(),
            nominal_boat_size_m: b.nominal_boat_size_m.clone(),
            water_depth: b.water_depth,
            water_depth_m: b.water_depth_m,
            water_depth_is_minimum: b.water_depth_is_minimum.unwrap_or(false),
            side_pontoon: b.side_pontoon.clone(),
            power_capacity: b.power_capacity.clone(),
            voltage: b.voltage.clone(),
            mooring_type: b.mooring_type.clone(),
            cleat_type: b.cleat_type.clone(),
            cleat_capacity: b.cleat_capacity.clone(),
            bollard_type: b.bollard_type.clone(),
            bollard_capacity: b.bollard_capacity.clone(),
            access: b.access.clone(),
            price: b.price,
            price_currency: b.price_currency.clone(),
            bow_facing: b.bow_facing.clone(),
            berth_approved: b.berth_approved.unwrap_or(false),
            tenure_type: b.tenure_type.clone(),
            tenure_years: b.tenure_years,
            tenure_start_date: b.tenure_start_date,
            tenure_end_date: b.tenure_end_date,
        }
    }
}

type Problems = Vec<(String, String)>;

/// Longest mooring number, and longest of the other short texts.
const MOORING_MAX: usize = 30;
const TEXT_MAX: usize = 100;

/// Short texts: trimmed, empty is none, at most `max` characters.
fn text(p: &mut Problems, field: &str, v: Option<String>, max: usize) -> Option<String> {
    let v = v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())?;
    if v.chars().count() > max {
        p.push((field.into(), format!("must be at most {max} characters")));
    }
    Some(v)
}

/// A field of the patch when given, else the stored value.
fn pick<T>(given: Option<Option<T>>, stored: Option<T>) -> Option<T> {
    match given {
        Some(v) => v,
        None => stored,
    }
}

/// One dimension in both units. A dimension the patch touches (in either
/// unit) is read from the patch alone, so giving feet recomputes the metres
/// instead of comparing them with the old metres; an untouched one keeps its
/// stored pair. Problems name the metres field when both were given.
fn dimension(
    p: &mut Problems,
    (ft_field, m_field): (&str, &str),
    given: (Option<Option<Decimal>>, Option<Option<Decimal>>),
    stored: (Option<Decimal>, Option<Decimal>),
) -> (Option<Decimal>, Option<Decimal>) {
    let (ft, m) = if given.0.is_none() && given.1.is_none() {
        return stored;
    } else {
        (given.0.flatten(), given.1.flatten())
    };
    match Length::from_parts(ft, m) {
        Ok(Some(l)) => (Some(l.ft), Some(l.m)),
        Ok(None) => (None, None),
        Err(LengthError::Negative) => {
            let field = if ft.is_some_and(|v| v.is_sign_negative()) {
                ft_field
            } else {
                m_field
            };
            p.push((field.into(), "must not be negative".into()));
            (None, None)
        }
        Err(e @ LengthError::Inconsistent { .. }) => {
            p.push((m_field.into(), e.to_string()));
            (None, None)
        }
    }
}

/// `base` with `patch` applied and every rule checked; the problems name
/// their fields.
pub fn apply(base: Fields, patch: Patch) -> Result<Fields, Problems> {
    let mut p = Problems::new();
    let length = dimension(
        &mut p,
        ("length_ft", "length_m"),
        (patch.length_ft, patch.length_m),
        (base.length_ft, base.length_m),
    );
    let width = dimension(
        &mut p,
        ("width_ft", "width_m"),
        (patch.width_ft, patch.width_m),
        (base.width_ft, base.width_m),
    );
    let draft = dimension(
        &mut p,
        ("draft_ft", "draft_m"),
        (patch.draft_ft, patch.draft_m),
        (base.draft_ft, base.draft_m),
    );
    let depth = dimension(
        &mut p,
        ("water_depth", "water_depth_m"),
        (patch.water_depth, patch.water_depth_m),
        (base.water_depth, base.water_depth_m),
    );

    let mooring_number = match pick(patch.mooring_number, Some(base.mooring_number)) {
        Some(m) if !m.trim().is_empty() => {
            let m = m.trim().to_owned();
            if m.chars().count() > MOORING_MAX {
                p.push((
                    "mooring_number".into(),
                    format!("must be at most {MOORING_MAX} characters"),
                ));
            }
            m
        }
        _ => {
            p.push(("mooring_number".into(), "is required".into()));
            String::new()
        }
    };

    let price = pick(patch.price, base.price);
    if price.is_some_and(|v| v.is_sign_negative()) {
        p.push(("price".into(), "must not be negative".into()));
    }
    let price_currency = match pick(patch.price_currency, Some(base.price_currency.clone())) {
        None => base.price_currency.clone(),
        Some(c) => rules::currency(&c).unwrap_or_else(|e| {
            p.push(("price_currency".into(), e));
            c
        }),
    };

    // Tenure: a switch to permanent drops the stored term, a term the body
    // gives with it is refused; a fixed term recomputes its end date unless
    // the body gives one (which must then agree).
    let tenure_type_text = pick(patch.tenure_type, Some(base.tenure_type.clone()))
        .unwrap_or_else(|| TenureType::Permanent.as_str().to_owned());
    let tenure_type = match TenureType::from_str(tenure_type_text.trim()) {
        Ok(t) => Some(t),
        Err(e) => {
            p.push(("tenure_type".into(), e));
            None
        }
    };
    let mut tenure = rules::Tenure::default();
    if let Some(t) = tenure_type {
        let input = match t {
            TenureType::Permanent => TenureInput {
                tenure_type: t,
                years: patch.tenure_years.flatten(),
                start: patch.tenure_start_date.flatten(),
                end: patch.tenure_end_date.flatten(),
                end_given: true,
            },
            TenureType::FixedTerm => TenureInput {
                tenure_type: t,
                years: pick(patch.tenure_years, base.tenure_years),
                start: pick(patch.tenure_start_date, base.tenure_start_date),
                end: patch.tenure_end_date.flatten(),
                end_given: patch.tenure_end_date.is_some(),
            },
        };
        match rules::tenure(input) {
            Ok(t) => tenure = t,
            Err(problems) => p.extend(problems),
        }
    }

    let fields = Fields {
        mooring_number,
        area: text(&mut p, "area", pick(patch.area, base.area), TEXT_MAX),
        length_ft: length.0,
        length_m: length.1,
        width_ft: width.0,
        width_m: width.1,
        draft_ft: draft.0,
        draft_m: draft.1,
        width_is_minimum: pick(patch.width_is_minimum, Some(base.width_is_minimum))
            .unwrap_or(false),
        nominal_boat_size: text(
            &mut p,
            "nominal_boat_size",
            pick(patch.nominal_boat_size, base.nominal_boat_size),
            TEXT_MAX,
        ),
        nominal_boat_size_m: text(
            &mut p,
            "nominal_boat_size_m",
            pick(patch.nominal_boat_size_m, base.nominal_boat_size_m),
            TEXT_MAX,
        ),
        water_depth: depth.0,
        water_depth_m: depth.1,
        water_depth_is_minimum: pick(
            patch.water_depth_is_minimum,
            Some(base.water_depth_is_minimum),
        )
        .unwrap_or(false),
        side_pontoon: text(
            &mut p,
            "side_pontoon",
            pick(patch.side_pontoon, base.side_pontoon),
            TEXT_MAX,
        ),
        power_capacity: text(
            &mut p,
            "power_capacity",
            pick(patch.power_capacity, base.power_capacity),
            TEXT_MAX,
        ),
        voltage: text(
            &mut p,
            "voltage",
            pick(patch.voltage, base.voltage),
            TEXT_MAX,
        ),
        mooring_type: text(
            &mut p,
            "mooring_type",
            pick(patch.mooring_type, base.mooring_type),
            TEXT_MAX,
        ),
        cleat_type: text(
            &mut p,
            "cleat_type",
            pick(patch.cleat_type, base.cleat_type),
            TEXT_MAX,
        ),
        cleat_capacity: text(
            &mut p,
            "cleat_capacity",
            pick(patch.cleat_capacity, base.cleat_capacity),
            TEXT_MAX,
        ),
        bollard_type: text(
            &mut p,
            "bollard_type",
            pick(patch.bollard_type, base.bollard_type),
            TEXT_MAX,
        ),
        bollard_capacity: text(
            &mut p,
            "bollard_capacity",
            pick(patch.bollard_capacity, base.bollard_capacity),
            TEXT_MAX,
        ),
        access: text(&mut p, "access", pick(patch.access, base.access), TEXT_MAX),
        price,
        price_currency,
        bow_facing: text(
            &mut p,
            "bow_facing",
            pick(patch.bow_facing, base.bow_facing),
            TEXT_MAX,
        ),
        berth_approved: pick(patch.berth_approved, Some(base.berth_approved)).unwrap_or(false),
        tenure_type: tenure_type.map_or(tenure_type_text, |t| t.as_str().to_owned()),
        tenure_years: tenure.years,
        tenure_start_date: tenure.start,
        tenure_end_date: tenure.end,
    };
    if p.is_empty() { Ok(fields) } else { Err(p) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patch(v: serde_json::Value) -> Patch {
        serde_json::from_value(v).unwrap()
    }

    fn fields_of(problems: Problems) -> Vec<String> {
        let mut f: Vec<String> = problems.into_iter().map(|(f, _)| f).collect();
        f.sort();
        f
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn a_new_berth_needs_a_mooring_number_and_computes_units() {
        let err = apply(Fields::empty("USD"), patch(json!({}))).unwrap_err();
        assert_eq!(fields_of(err), ["mooring_number"]);
        let f = apply(
            Fields::empty("USD"),
            patch(json!({"mooring_number": " A1 ", "length_ft": 100, "water_depth_m": "3"})),
        )
        .unwrap();
        assert_eq!(f.mooring_number, "A1");
        assert_eq!(f.length_m, Some(dec("30.48")));
        assert_eq!(f.water_depth, Some(dec("9.84")));
        assert_eq!(f.price_currency, "USD");
    }

    #[test]
    fn inconsistent_units_name_the_metres() {
        let err = apply(
            Fields::empty("USD"),
            patch(json!({"mooring_number": "A1", "draft_ft": 10, "draft_m": 5, "price_currency": "dollars"})),
        )
        .unwrap_err();
        assert_eq!(fields_of(err), ["draft_m", "price_currency"]);
    }

    #[test]
    fn switching_to_permanent_drops_the_term_and_fixed_recomputes() {
        let fixed = apply(
            Fields::empty("USD"),
            patch(json!({"mooring_number": "A1", "tenure_type": "fixed_term",
                         "tenure_years": 25, "tenure_start_date": "2020-01-15"})),
        )
        .unwrap();
        assert_eq!(fixed.tenure_end_date, "2045-01-15".parse().ok());
        let longer = apply(fixed.clone(), patch(json!({"tenure_years": 30}))).unwrap();
        assert_eq!(longer.tenure_end_date, "2050-01-15".parse().ok());
        let permanent = apply(fixed.clone(), patch(json!({"tenure_type": "permanent"}))).unwrap();
        assert_eq!(
            (permanent.tenure_years, permanent.tenure_end_date),
            (None, None)
        );
        let err = apply(
            fixed,
            patch(json!({"tenure_type": "permanent", "tenure_years": 5})),
        )
        .unwrap_err();
        assert_eq!(fields_of(err), ["tenure_years"]);
    }
}
