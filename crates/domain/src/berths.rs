//! Berth rules: tenure, currencies, maintenance categories and the tenure
//! notice thresholds. The units of a berth's dimensions are `units`'.

use crate::settings::Problem;
use chrono::{Months, NaiveDate};

crate::text_enum!(
    /// How a berth is held (`berths.tenure_type`).
    TenureType {
        Permanent => "permanent" / "Permanent",
        FixedTerm => "fixed_term" / "Fixed term",
    }
);

crate::text_enum!(
    /// What a maintenance log entry records (`berth_maintenance_log.category`).
    MaintenanceCategory {
        Routine => "routine" / "Routine",
        Repair => "repair" / "Repair",
        Inspection => "inspection" / "Inspection",
        Upgrade => "upgrade" / "Upgrade",
    }
);

/// Longest fixed term a berth is sold on.
pub const MAX_TENURE_YEARS: i32 = 199;

/// A tenure as given: the type and whichever of its fields were sent.
/// `end_given` tells a date typed by the user from one carried over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenureInput {
    pub tenure_type: TenureType,
    pub years: Option<i32>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub end_given: bool,
}

/// The tenure to store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tenure {
    pub years: Option<i32>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

/// `start` plus `years` whole years (29 February lands on 28 February).
pub fn end_of(start: NaiveDate, years: i32) -> Option<NaiveDate> {
    let months = u32::try_from(years).ok()?.checked_mul(12)?;
    start.checked_add_months(Months::new(months))
}

/// Checks a tenure: a permanent one carries no years or dates; a fixed term
/// needs its years (1 to 199) and start date, and its end date is computed
/// from them, or, when given, must be that date.
pub fn tenure(input: TenureInput) -> Result<Tenure, Vec<Problem>> {
    let mut p: Vec<Problem> = Vec::new();
    match input.tenure_type {
        TenureType::Permanent => {
            let given = [
                ("tenure_years", input.years.is_some()),
                ("tenure_start_date", input.start.is_some()),
                ("tenure_end_date", input.end.is_some()),
            ];
            for (field, present) in given {
                if present {
                    p.push((field.into(), "must be empty for a permanent tenure".into()));
                }
            }
            if p.is_empty() {
                Ok(Tenure::default())
            } else {
                Err(p)
            }
        }
        TenureType::FixedTerm => {
            match input.years {
                None => p.push(("tenure_years".into(), "is required for a fixed term".into())),
                Some(y) if !(1..=MAX_TENURE_YEARS).contains(&y) => p.push((
                    "tenure_years".into(),
                    format!("must be between 1 and {MAX_TENURE_YEARS}"),
                )),
                Some(_) => {}
            }
            if input.start.is_none() {
                p.push((
                    "tenure_start_date".into(),
                    "is required for a fixed term".into(),
                ));
            }
            if !p.is_empty() {
                return Err(p);
            }
            let (years, start) = (input.years.unwrap_or(1), input.start.unwrap_or_default());
            let Some(computed) = end_of(start, years) else {
                return Err(vec![(
                    "tenure_years".into(),
                    "takes the end date past the calendar".into(),
                )]);
            };
            match input.end {
                Some(end) if input.end_given && end != computed => Err(vec![(
                    "tenure_end_date".into(),
                    format!(
                        "must be {computed}: {years} years from the start date {start} (or leave it empty to compute it)"
                    ),
                )]),
                _ => Ok(Tenure {
                    years: Some(years),
                    start: Some(start),
                    end: Some(computed),
                }),
            }
        }
    }
}

/// A currency code as stored: three capital letters (ISO 4217 shape).
/// Lower case is accepted and raised.
pub fn currency(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err("must be a three-letter ISO 4217 currency code, such as USD or EUR".into())
    }
}

/// Days before a fixed term ends at which `tenure_expiring` goes out.
pub const TENURE_THRESHOLDS: [i64; 3] = [90, 30, 7];

/// The notice due for a tenure ending `days_left` days from today: the
/// tightest threshold already reached (7 when 5 days are left, not 30 and
/// 90 as well: those would only repeat it). `None` before 90 days and once
/// the tenure has ended.
pub fn tenure_threshold(days_left: i64) -> Option<i64> {
    if days_left < 0 {
        return None;
    }
    TENURE_THRESHOLDS
        .iter()
        .copied()
        .filter(|t| days_left <= *t)
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn fixed(years: Option<i32>, start: Option<&str>, end: Option<&str>) -> TenureInput {
        TenureInput {
            tenure_type: TenureType::FixedTerm,
            years,
            start: start.map(d),
            end: end.map(d),
            end_given: end.is_some(),
        }
    }

    fn fields(r: Result<Tenure, Vec<Problem>>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|p| p.0).collect()
    }

    #[test]
    fn a_fixed_term_computes_or_checks_its_end() {
        let t = tenure(fixed(Some(30), Some("2020-03-01"), None)).unwrap();
        assert_eq!(t.end, Some(d("2050-03-01")));
        assert!(tenure(fixed(Some(30), Some("2020-03-01"), Some("2050-03-01"))).is_ok());
        assert_eq!(
            fields(tenure(fixed(
                Some(30),
                Some("2020-03-01"),
                Some("2049-03-01")
            ))),
            ["tenure_end_date"]
        );
        assert_eq!(
            fields(tenure(fixed(None, None, None))),
            ["tenure_years", "tenure_start_date"]
        );
        assert_eq!(
            fields(tenure(fixed(Some(0), Some("2020-03-01"), None))),
            ["tenure_years"]
        );
        assert_eq!(end_of(d("2024-02-29"), 1), Some(d("2025-02-28")));
    }

    #[test]
    fn a_permanent_tenure_carries_no_term() {
        let ok = TenureInput {
            tenure_type: TenureType::Permanent,
            years: None,
            start: None,
            end: None,
            end_given: false,
        };
        assert_eq!(tenure(ok), Ok(Tenure::default()));
        let bad = TenureInput {
            years: Some(5),
            ..ok
        };
        assert_eq!(fields(tenure(bad)), ["tenure_years"]);
    }

    #[test]
    fn currencies_and_thresholds() {
        assert_eq!(currency(" eur "), Ok("EUR".into()));
        assert!(currency("EURO").is_err() && currency("U$D").is_err());
        assert_eq!(tenure_threshold(120), None);
        assert_eq!(tenure_threshold(90), Some(90));
        assert_eq!(tenure_threshold(31), Some(90));
        assert_eq!(tenure_threshold(30), Some(30));
        assert_eq!(tenure_threshold(5), Some(7));
        assert_eq!(tenure_threshold(0), Some(7));
        assert_eq!(tenure_threshold(-1), None);
    }

    #[test]
    fn unknown_values_list_the_allowed_ones() {
        assert_eq!(
            "lease".parse::<TenureType>().unwrap_err(),
            "must be one of permanent, fixed_term"
        );
        assert_eq!(
            "paint".parse::<MaintenanceCategory>().unwrap_err(),
            "must be one of routine, repair, inspection, upgrade"
        );
    }
}
