//! Dimensions kept in feet and metres together (DESIGN.md, "Units").
//!
//! Given one unit the other is computed (1 ft = 0.3048 m, 2 decimals); given both,
//! they must agree within 1 %, otherwise the input is refused.

use rust_decimal::{Decimal, RoundingStrategy};

/// Metres in one foot, exactly.
pub const METRES_PER_FOOT: Decimal = Decimal::from_parts(3048, 0, 0, false, 4);

/// A length known in both units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Length {
    pub ft: Decimal,
    pub m: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LengthError {
    #[error("must not be negative")]
    Negative,
    #[error("{ft} ft and {m} m differ by more than 1%")]
    Inconsistent { ft: Decimal, m: Decimal },
}

fn round2(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Feet to metres, rounded to 2 decimals.
pub fn ft_to_m(ft: Decimal) -> Decimal {
    round2(ft * METRES_PER_FOOT)
}

/// Metres to feet, rounded to 2 decimals.
pub fn m_to_ft(m: Decimal) -> Decimal {
    round2(m / METRES_PER_FOOT)
}

impl Length {
    /// Completes a length from whichever units were given. `Ok(None)` when neither was.
    pub fn from_parts(
        ft: Option<Decimal>,
        m: Option<Decimal>,
    ) -> Result<Option<Length>, LengthError> {
        if ft.is_some_and(|v| v.is_sign_negative()) || m.is_some_and(|v| v.is_sign_negative()) {
            return Err(LengthError::Negative);
        }
        match (ft, m) {
            (None, None) => Ok(None),
            (Some(ft), None) => Ok(Some(Length { ft, m: ft_to_m(ft) })),
            (None, Some(m)) => Ok(Some(Length { ft: m_to_ft(m), m })),
            (Some(ft), Some(m)) => {
                let from_ft = ft * METRES_PER_FOOT;
                let larger = from_ft.max(m);
                // Both zero agree; otherwise compare the gap with 1 % of the larger value.
                if larger.is_zero() || (from_ft - m).abs() * Decimal::from(100) <= larger {
                    Ok(Some(Length { ft, m }))
                } else {
                    Err(LengthError::Inconsistent { ft, m })
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn feet_alone_computes_metres_to_two_decimals() {
        let l = Length::from_parts(Some(d("100")), None).unwrap().unwrap();
        assert_eq!(l.m, d("30.48"));
        let l = Length::from_parts(Some(d("45.5")), None).unwrap().unwrap();
        assert_eq!(l.m, d("13.87"));
    }

    #[test]
    fn metres_alone_computes_feet() {
        let l = Length::from_parts(None, Some(d("20"))).unwrap().unwrap();
        assert_eq!(l.ft, d("65.62"));
    }

    #[test]
    fn both_within_one_percent_are_kept_as_given() {
        let l = Length::from_parts(Some(d("100")), Some(d("30.5")))
            .unwrap()
            .unwrap();
        assert_eq!((l.ft, l.m), (d("100"), d("30.5")));
    }

    #[test]
    fn both_more_than_one_percent_apart_are_refused() {
        assert!(matches!(
            Length::from_parts(Some(d("100")), Some(d("31"))),
            Err(LengthError::Inconsistent { .. })
        ));
    }

    #[test]
    fn negative_and_empty_inputs() {
        assert_eq!(Length::from_parts(None, None), Ok(None));
        assert_eq!(
            Length::from_parts(Some(d("-1")), None),
            Err(LengthError::Negative)
        );
    }
}
